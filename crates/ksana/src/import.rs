//! `ksana import FILE [-o OUT] [--salvage]`: convert a sim's own file (an iRacing `.ibt`, a
//! live-memory image, …) into a ksana recording. Refuses to overwrite; writes to a temporary
//! name beside OUT and renames it only when the conversion succeeded, so a failure leaves no
//! partial output.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use ksana_sims::import::{ImportOptions, import_file};

/// Options of `ksana import`.
#[derive(Args, Clone, Debug)]
pub struct ImportArgs {
    /// The file to convert (recognised by its content).
    file: PathBuf,
    /// The recording to write (default: FILE with the extension `.ksana`). Never overwritten.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Keep every complete record of a file whose tail is cut, instead of failing.
    #[arg(long)]
    salvage: bool,
}

/// `dir/name.tmp` files live beside the output so the final rename stays on one file system.
pub fn temp_beside(out: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut b = tempfile::Builder::new();
    b.prefix(".ksana-partial-");
    // tempfile makes private (0600) files; an output is an ordinary file (0666 less umask).
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    b.tempfile_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))
}

/// Renames the finished temporary file to `out`, failing (and deleting it) if `out` appeared.
pub fn persist(tmp: tempfile::NamedTempFile, out: &Path) -> Result<()> {
    tmp.persist_noclobber(out)
        .map_err(|e| anyhow::anyhow!("writing {}: {}", out.display(), e.error))?;
    Ok(())
}

pub fn run(a: &ImportArgs) -> Result<ExitCode> {
    let out = a
        .output
        .clone()
        .unwrap_or_else(|| a.file.with_extension("ksana"));
    if out.exists() {
        bail!("{} exists; ksana import never overwrites", out.display());
    }
    if crate::input::is_recording(&a.file)? {
        bail!("{} is already a ksana recording", a.file.display());
    }
    let mut tmp = temp_beside(&out)?;
    let opts = ImportOptions { salvage: a.salvage };
    // An old ksana or shm-debugger file first (told by content), then the sims' own files.
    let legacy = ksana_legacy::import_file(&a.file, &opts, tmp.as_file_mut())
        .map_err(ksana_sims::SimError::from)?
        .map(|d| (ksana_sims::by_id(d.sim), d.report));
    let Some((sim, report)) = (match legacy {
        Some((Some(sim), report)) => Some((sim, report)),
        Some((None, _)) => bail!("a legacy import produced an unknown sim"),
        None => import_file(&a.file, &opts, tmp.as_file_mut())?,
    }) else {
        return Err(crate::input::unknown_format(&a.file).into());
    };
    persist(tmp, &out)?;
    println!(
        "{} → {}: {} frames of {} ({})",
        a.file.display(),
        out.display(),
        report.frames,
        sim.name(),
        report.format
    );
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
