//! `ksana dump` (alias `record`; also `ksana` alone): record a running sim.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use ksana_engine::{Output, RecordOptions, SimChoice, record};
use ksana_format::WriterOptions;

use crate::term::{StatusLine, bytes};

/// Options of `ksana dump`.
#[derive(Args, Clone, Debug, Default)]
pub struct DumpArgs {
    /// Sim to record: `auto` records whichever registered sim is running.
    #[arg(long, default_value = "auto")]
    sim: String,
    /// Store at most N frames per second (1–1000); default: every update the sim publishes.
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    fps: Option<u32>,
    /// Output file (default: ksana_<sim>_<YYYYMMDD_HHMMSS>.ksana, local time).
    #[arg(short, long, conflicts_with = "output_dir")]
    output: Option<PathBuf>,
    /// Directory for the default-named output file.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Stop after this long: 30s, 5m, 1.5h, 90 or 1:30.
    #[arg(long, value_name = "TIME", value_parser = parse_duration)]
    max_duration: Option<Duration>,
    /// Record one sim session and exit when the sim stops (default: wait for it to start again).
    #[arg(long)]
    once: bool,
    /// Metadata stored in the header, repeatable: --meta track=monza --meta driver=me.
    #[arg(long = "meta", value_name = "KEY=VALUE", value_parser = parse_meta)]
    meta: Vec<(String, String)>,
    /// Keep the 1 s journal chunks at close instead of re-packing the file into larger chunks.
    #[arg(long)]
    no_compact: bool,
    /// Do not store the laps detected while recording in the lap database (they are still
    /// shown and marked in the recording).
    #[arg(long)]
    no_db: bool,
    /// The lap database (default: ksana.db in the user's data directory, or $KSANA_DB).
    #[arg(long, value_name = "PATH", conflicts_with = "no_db")]
    db: Option<PathBuf>,
    /// Store the laps in a PostgreSQL lap database instead (a team server that `ksana serve
    /// --database-url` shows): postgres://user@host:port/dbname.
    #[arg(long, value_name = "URL", conflicts_with_all = ["no_db", "db"])]
    database_url: Option<String>,
    #[command(flatten)]
    shm: crate::ShmArgs,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    ksana_engine::parse_duration(s)
}

fn parse_meta(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: use KEY=VALUE"))?;
    Ok((k.trim().to_string(), v.to_string()))
}

pub fn run(a: &DumpArgs) -> Result<ExitCode> {
    let stop = crate::interrupt::install(
        "finishing the file; Ctrl+C again to exit at once, the file stays readable",
    );
    let sim = if a.sim == "auto" {
        SimChoice::Auto
    } else {
        SimChoice::Id(a.sim.clone())
    };
    let output = match (&a.output, &a.output_dir) {
        (Some(f), _) => Output::File(f.clone()),
        (None, Some(d)) => Output::Dir(d.clone()),
        (None, None) => Output::Dir(std::env::current_dir().context("current directory")?),
    };
    let mut writer = WriterOptions::default();
    if a.no_compact {
        writer.compact_on_close = None;
    }
    let lines: crate::livelaps::Lines = Default::default();
    let store = if a.no_db {
        None
    } else {
        match crate::laps::open_any_store(a.db.as_ref(), a.database_url.as_deref()) {
            Ok(s) => Some(s),
            // The recording matters more than the lap history: record without it.
            Err(e) => {
                eprintln!("warning: laps will not be stored: {e:#}");
                None
            }
        }
    };
    let observer = crate::livelaps::observer(store, lines.clone());
    let opts = RecordOptions {
        sim,
        fps: a.fps,
        output,
        max_duration: a.max_duration,
        once: a.once,
        ns: a.shm.namespace(),
        metadata: a.meta.clone(),
        writer,
        stop,
        observer: Some(ksana_engine::ObserverSlot(observer)),
    };
    let mut line = StatusLine::new();
    let mut notes_shown = 0;
    let report = record(&opts, &mut |s| {
        // Notes (e.g. "AC Evo publishes physics only") go on lines of their own, once each.
        for n in s.notes.iter().skip(notes_shown) {
            line.finish();
            eprintln!("note: {n}");
        }
        notes_shown = s.notes.len();
        crate::livelaps::print(&lines, &mut line);
        let text = match s.sim {
            None => format!(
                "waiting for {} … {:.0} s",
                if a.sim == "auto" { "a sim" } else { &a.sim },
                s.elapsed.as_secs_f64()
            ),
            Some(sim) => {
                let ratio = if s.file_bytes > 0 {
                    s.raw_bytes as f64 / s.file_bytes as f64
                } else {
                    0.0
                };
                let missed = if s.missed > 0 {
                    format!("  {} missed", s.missed)
                } else {
                    String::new()
                };
                format!(
                    "{sim}  {}  {} frames  {:.1} Hz  {}  {:.1}x{missed}",
                    ksana_engine::format_time(s.elapsed.as_nanos() as u64),
                    s.frames,
                    s.rate_hz,
                    bytes(s.file_bytes),
                    ratio
                )
            }
        };
        line.show(&text);
    });
    line.finish();
    crate::livelaps::print(&lines, &mut line);
    let report = report?;
    match &report.path {
        Some(p) => {
            println!(
                "{}: {} frames in {} segment(s)",
                p.display(),
                report.frames,
                report.segments
            );
            if report.missed > 0 {
                eprintln!(
                    "note: {} updates of the sim were not captured (the sampler was not scheduled in time; {:.3}% of {})",
                    report.missed,
                    100.0 * report.missed as f64 / (report.frames + report.missed) as f64,
                    report.frames + report.missed
                );
            }
            if report.dropped > 0 {
                eprintln!(
                    "warning: {} frames dropped because writing fell behind",
                    report.dropped
                );
            }
            if let Some(e) = &report.compact_error {
                eprintln!("note: the file is complete but was not re-packed: {e}");
            }
        }
        None => eprintln!("no sim was found; nothing recorded"),
    }
    Ok(ExitCode::SUCCESS)
}
