//! `ksana export FILE --format F [-o OUT]`: write a recording (or anything `ksana` can open)
//! in another file format. Two kinds of format:
//!
//! - channel formats for any sim (`csv`, `jsonl`; crate `ksana-export`, docs/EXPORT.md): every
//!   value of every page as named columns, with `--channels`, `--from/--to`, `--lap`,
//!   `--rate` selecting what is written;
//! - the sims' own formats (`ibt` for iRacing), exported through the sim that recorded the
//!   file.
//!
//! Same hygiene as `import`: never overwrites, writes to a temporary name beside the output
//! and renames it only on success (an error leaves nothing behind).

use std::io::{BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use ksana_export::{Progress, Selection};
use ksana_sims::import::{ExportOptions, export, export_formats};

/// Options of `ksana export`.
#[derive(Args, Clone, Debug)]
pub struct ExportArgs {
    /// The recording (or any file `ksana import` understands).
    #[arg(required_unless_present = "list_formats")]
    file: Option<PathBuf>,
    /// The output format (`ksana export --list-formats` lists them).
    #[arg(long, required_unless_present_any = ["list_formats", "list_channels"])]
    format: Option<String>,
    /// The file to write (default: FILE with the format's extension). Never overwritten.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Channels to write, comma-separated exact names (default: all); `time_s` and `lap`
    /// are always written. csv/jsonl only.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    channels: Option<Vec<String>>,
    /// Start at this recording time: seconds (83.5) or m:ss (1:23.5). csv/jsonl only.
    #[arg(long, value_name = "TIME", value_parser = ksana_engine::parse_time)]
    from: Option<u64>,
    /// Stop at this recording time (inclusive). csv/jsonl only.
    #[arg(long, value_name = "TIME", value_parser = ksana_engine::parse_time)]
    to: Option<u64>,
    /// Export only lap N (as `ksana laps` numbers it; the first session that has one), from
    /// the frame of its line crossing up to, not including, the next crossing. csv/jsonl only.
    #[arg(long, value_name = "N", conflicts_with_all = ["from", "to"])]
    lap: Option<u32>,
    /// Resample to HZ rows per second: each row is the latest frame at or before its time.
    /// csv/jsonl only.
    #[arg(long, value_name = "HZ")]
    rate: Option<f64>,
    /// Export only this segment of the recording.
    #[arg(long)]
    segment: Option<u32>,
    /// Read past damaged chunks of the input instead of failing.
    #[arg(long)]
    salvage: bool,
    /// Print the formats and exit.
    #[arg(long)]
    list_formats: bool,
    /// Print FILE's channels (name, type, unit, rate) and exit.
    #[arg(long, conflicts_with = "list_formats")]
    list_channels: bool,
}

/// Every format `ksana export` writes: (id, extension, description, which recordings).
fn formats() -> Vec<(&'static str, &'static str, &'static str, String)> {
    let mut all: Vec<_> = export_formats()
        .into_iter()
        .map(|(sim, f)| {
            (
                f.id,
                f.extension,
                f.description,
                format!("{} recordings", sim.name()),
            )
        })
        .collect();
    all.extend(ksana_export::FORMATS.iter().map(|f| {
        (
            f.id,
            f.extension,
            f.description,
            "any sim's recordings".to_string(),
        )
    }));
    all
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
    if a.list_channels {
        let rec = crate::input::open(&file, a.salvage)?;
        let list = ksana_export::segment_channels(&rec, a.segment)
            .with_context(|| format!("reading the channels of {}", file.display()))?;
        println!("{:<40} {:<7} {:<14} rate", "channel", "type", "unit");
        for c in &list.channels {
            println!(
                "{:<40} {:<7} {:<14} {}",
                c.name,
                c.ty.name(),
                c.unit,
                c.rate_hz.map_or("-".to_string(), |r| format!("{r} Hz"))
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let format = a.format.clone().unwrap_or_default();
    let Some(&(id, ext, _, _)) = all.iter().find(|f| f.0 == format) else {
        let ids: Vec<&str> = all.iter().map(|f| f.0).collect();
        bail!(
            "unknown format {format:?}; ksana exports: {}",
            ids.join(", ")
        );
    };
    let channel_format = ksana_export::FORMATS.iter().any(|f| f.id == id);
    if !channel_format
        && (a.channels.is_some()
            || a.from.is_some()
            || a.to.is_some()
            || a.lap.is_some()
            || a.rate.is_some())
    {
        bail!(
            "--channels, --from, --to, --lap and --rate apply to {} only, not {id}",
            ksana_export::FORMATS
                .iter()
                .map(|f| f.id)
                .filter(|id| *id != ksana_export::html::FORMAT_ID)
                .collect::<Vec<_>>()
                .join(" and ")
        );
    }
    let out = a.output.clone().unwrap_or_else(|| file.with_extension(ext));
    if out.exists() {
        bail!("{} exists; ksana export never overwrites", out.display());
    }
    let rec = crate::input::open(&file, a.salvage)?;
    let mut tmp = crate::import::temp_beside(&out)?;
    if id == ksana_export::html::FORMAT_ID {
        return html_report(a, &rec, &file, tmp, &out);
    }
    if channel_format {
        let mut sel = Selection {
            channels: a.channels.clone(),
            from_ns: a.from,
            to_ns: a.to,
            rate_hz: a.rate,
            segment: a.segment,
        };
        if let Some(n) = a.lap {
            let (from, to) = lap_range(&rec, &file, n)?;
            sel.from_ns = Some(from);
            // Up to, not including, the frame of the next crossing (which is the next lap's).
            sel.to_ns = Some(to.saturating_sub(1).max(from));
        }
        // MoTeC also writes the .ldx beside the .ld (same temp-and-rename rule).
        let mut ldx = motec_companion(id, &out)?;
        let summary = {
            let mut ex = match ldx.as_mut() {
                Some((t, _)) => {
                    motec_exporter(&rec, &file, &out, tmp.as_file_mut(), t.as_file_mut())
                }
                None => ksana_export::exporter(id, Box::new(BufWriter::new(tmp.as_file_mut())))
                    .context("no exporter for the format")?,
            };
            let bar = progress_bar();
            let result = ksana_export::export(
                &rec,
                &file.display().to_string(),
                &sel,
                ex.as_mut(),
                &mut |p: &Progress| show(bar.as_ref(), p),
            );
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            result.with_context(|| format!("exporting {}", file.display()))?
        };
        tmp.as_file_mut().sync_all().ok();
        crate::import::persist(tmp, &out)?;
        if let Some((t, path)) = ldx {
            persist_companion(t, &path, &out)?;
        }
        println!(
            "{} → {}: {} rows × {} columns as {id}",
            file.display(),
            out.display(),
            summary.rows,
            summary.columns
        );
        return Ok(ExitCode::SUCCESS);
    }
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

/// A progress bar on stderr when it is a terminal (nothing in pipes, logs and tests).
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(0);
    b.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

fn show(bar: Option<&indicatif::ProgressBar>, p: &Progress) {
    let Some(b) = bar else { return };
    let ms = |ns: u64| ns / 1_000_000;
    b.set_length(ms(p.end_ns.saturating_sub(p.start_ns)).max(1));
    b.set_position(ms(p.position_ns.saturating_sub(p.start_ns)));
    b.set_message(format!("{} rows", p.rows));
}

/// The recording time range of lap `n` of the first session that has one.
fn lap_range(rec: &ksana_format::Recording, file: &Path, n: u32) -> Result<(u64, u64)> {
    let sessions = ksana_engine::detect_laps(rec, &file.display().to_string())
        .with_context(|| format!("detecting laps in {}", file.display()))?;
    if let Some(l) = sessions
        .iter()
        .flat_map(|s| s.laps.iter())
        .find(|l| l.number == n)
    {
        let ns = |t: f64| (t.max(0.0) * 1e9).round() as u64;
        return Ok((ns(l.start_s), ns(l.end_s)));
    }
    let known: Vec<String> = sessions
        .iter()
        .flat_map(|s| s.laps.iter().map(|l| l.number.to_string()))
        .collect();
    bail!(
        "{} has no lap {n}; laps found: {}",
        file.display(),
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )
}

/// `--format html`: the laps of the recording, then the report (ksana_export::html).
fn html_report(
    a: &ExportArgs,
    rec: &ksana_format::Recording,
    file: &Path,
    mut tmp: tempfile::NamedTempFile,
    out: &Path,
) -> Result<ExitCode> {
    if a.channels.is_some()
        || a.from.is_some()
        || a.to.is_some()
        || a.lap.is_some()
        || a.rate.is_some()
        || a.segment.is_some()
    {
        bail!(
            "--channels, --from, --to, --lap, --rate and --segment do not apply to the html \
             report (it shows every session of the recording)"
        );
    }
    let name = file.display().to_string();
    let sessions = ksana_engine::detect_laps(rec, &name)
        .with_context(|| format!("detecting laps in {name}"))?;
    let summary = {
        let mut w = BufWriter::new(tmp.as_file_mut());
        ksana_export::html::write_report(rec, &name, &sessions, &mut w, &Default::default())
            .with_context(|| format!("writing the HTML report of {name}"))?
    };
    tmp.as_file_mut().sync_all().ok();
    crate::import::persist(tmp, out)?;
    println!(
        "{name} → {}: {} sessions, {} laps, {} lap charts ({} points) as html",
        out.display(),
        summary.sessions,
        summary.laps,
        summary.charts,
        summary.points
    );
    Ok(ExitCode::SUCCESS)
}

/// `--format motec`: the `.ldx` beside OUT and a temporary file for it (`None` for other
/// formats). Fails when the `.ldx` exists: nothing is ever overwritten.
fn motec_companion(id: &str, out: &Path) -> Result<Option<(tempfile::NamedTempFile, PathBuf)>> {
    if id != "motec" {
        return Ok(None);
    }
    let path = out.with_extension("ldx");
    if path == out {
        bail!(
            "{}: the MoTeC log needs another extension than .ldx (its companion's)",
            out.display()
        );
    }
    if path.exists() {
        bail!("{} exists; ksana export never overwrites", path.display());
    }
    Ok(Some((crate::import::temp_beside(&path)?, path)))
}

/// The MoTeC exporter: the `.ld` to `ld`, the `.ldx` to `ldx` with the laps `ksana laps`
/// finds in `rec` as beacons, the first session's driver, car and track in the header, and
/// the samples waiting in a temporary file beside OUT.
fn motec_exporter<'a>(
    rec: &ksana_format::Recording,
    file: &Path,
    out: &Path,
    ld: &'a mut std::fs::File,
    ldx: &'a mut std::fs::File,
) -> Box<dyn ksana_export::Exporter + 'a> {
    use ksana_export::motec::{Details, MotecExporter};
    let name = file.display().to_string();
    let sessions = ksana_engine::detect_laps(rec, &name).unwrap_or_else(|e| {
        eprintln!("note: no lap beacons in the .ldx: {e}");
        Vec::new()
    });
    let laps = sessions
        .iter()
        .flat_map(|s| s.laps.iter().cloned())
        .collect();
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Box::new(
        MotecExporter::new(Box::new(BufWriter::new(ld)))
            .with_details(Details::from_recording(rec.header(), &sessions))
            .with_ldx(Box::new(BufWriter::new(ldx)), laps)
            .with_spill_dir(dir),
    )
}

/// Renames the finished `.ldx` to `path`; when that fails, removes the `.ld` just renamed
/// into place, so that an error leaves neither file.
fn persist_companion(mut tmp: tempfile::NamedTempFile, path: &Path, ld: &Path) -> Result<()> {
    tmp.as_file_mut().sync_all().ok();
    crate::import::persist(tmp, path).inspect_err(|_| {
        std::fs::remove_file(ld).ok();
    })
}
