//! `ksana export FILE --format F [-o OUT]`: write a recording (or anything `ksana` can open)
//! in another file format. Today the formats are the sims' own (`ibt` for iRacing), exported
//! through the sim that recorded the file; formats for any sim (CSV, Parquet, …) plug in
//! beside them in [`formats`]. Same hygiene as `import`: never overwrites, writes to a
//! temporary name and renames it only on success.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use ksana_sims::import::{ExportOptions, export, export_formats};

/// Options of `ksana export`.
#[derive(Args, Clone, Debug)]
pub struct ExportArgs {
    /// The recording (or any file `ksana import` understands).
    #[arg(required_unless_present = "list_formats")]
    file: Option<PathBuf>,
    /// The output format (`ksana export --list-formats` lists them).
    #[arg(long, required_unless_present = "list_formats")]
    format: Option<String>,
    /// The file to write (default: FILE with the format's extension). Never overwritten.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Export only this segment of the recording.
    #[arg(long)]
    segment: Option<u32>,
    /// Read past damaged chunks of the input instead of failing.
    #[arg(long)]
    salvage: bool,
    /// Print the formats and exit.
    #[arg(long)]
    list_formats: bool,
}

/// Every format `ksana export` writes: (id, extension, description, which recordings).
fn formats() -> Vec<(&'static str, &'static str, &'static str, String)> {
    export_formats()
        .into_iter()
        .map(|(sim, f)| {
            (
                f.id,
                f.extension,
                f.description,
                format!("{} recordings", sim.name()),
            )
        })
        .collect()
}

pub fn run(a: &ExportArgs) -> Result<ExitCode> {
    let all = formats();
    if a.list_formats {
        for (id, _, desc, of) in &all {
            println!("{id:<10} {desc} ({of})");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let file = a.file.clone().unwrap_or_default();
    let format = a.format.clone().unwrap_or_default();
    let Some(&(id, ext, _, _)) = all.iter().find(|f| f.0 == format) else {
        let ids: Vec<&str> = all.iter().map(|f| f.0).collect();
        bail!(
            "unknown format {format:?}; ksana exports: {}",
            ids.join(", ")
        );
    };
    let out = a.output.clone().unwrap_or_else(|| file.with_extension(ext));
    if out.exists() {
        bail!("{} exists; ksana export never overwrites", out.display());
    }
    let rec = crate::input::open(&file, a.salvage)?;
    let mut tmp = crate::import::temp_beside(&out)?;
    let opts = ExportOptions { segment: a.segment };
    let report = export(&rec, id, tmp.as_file_mut(), &out, &opts)?;
    crate::import::persist(tmp, &out)?;
    println!(
        "{} → {}: {} frames as {id}",
        file.display(),
        out.display(),
        report.frames
    );
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
