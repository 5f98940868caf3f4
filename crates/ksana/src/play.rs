//! `ksana play FILE` (also `-i FILE`): publish a recording into shared memory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use ksana_engine::{PlayOptions, format_time, play};

use crate::term::{Keys, StatusLine};

/// Options of `ksana play`.
#[derive(Args, Clone, Debug)]
pub struct PlayArgs {
    /// The recording.
    #[arg(required_unless_present = "input")]
    file: Option<PathBuf>,
    /// The recording (as the original ksana's `play -i FILE`).
    #[arg(short, long, conflicts_with = "file")]
    input: Option<PathBuf>,
    /// Playback speed, 0.1–16.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Start again at the end (from --from).
    #[arg(long = "loop")]
    looping: bool,
    /// Start at this recording time: seconds (83.5) or m:ss (1:23.5).
    #[arg(long, value_name = "TIME", value_parser = ksana_engine::parse_time)]
    from: Option<u64>,
    /// Stop at this recording time.
    #[arg(long, value_name = "TIME", value_parser = ksana_engine::parse_time)]
    to: Option<u64>,
    /// Play only lap N (as `ksana laps` numbers it), from its line crossing to the next.
    #[arg(long, value_name = "N", conflicts_with_all = ["from", "to"])]
    lap: Option<u32>,
    /// With --lap: the lap of the K-th session of the recording (1 = first; default: the first
    /// session that has a lap N).
    #[arg(long, value_name = "K", requires = "lap")]
    session: Option<usize>,
    /// Publish even if a live sim is writing the same shared memory (its data is overwritten).
    #[arg(long)]
    force: bool,
    /// Print the publish-timing figures (p50/p99/max of |publish − scheduled|) at the end.
    #[arg(long)]
    timing: bool,
    /// Do not serve the side channels some consumers check besides shared memory (iRacing:
    /// the HTTP sim-status endpoint on 127.0.0.1:32034 that pyirsdk and goirsdk require).
    #[arg(long)]
    no_status_server: bool,
    #[command(flatten)]
    shm: crate::ShmArgs,
}

pub fn run(a: &PlayArgs) -> Result<ExitCode> {
    let Some(file) = a.file.clone().or(a.input.clone()) else {
        bail!("no recording given")
    };
    if !(0.1..=16.0).contains(&a.speed) {
        bail!("--speed must be between 0.1 and 16, got {}", a.speed);
    }
    let rec = crate::input::open(&file, false)?;
    let stop =
        crate::interrupt::install("publishing the stopped state; Ctrl+C again to exit at once");
    let mut opts = PlayOptions::new(a.shm.namespace(), stop);
    opts.speed = a.speed;
    opts.looping = a.looping;
    opts.from_ns = a.from;
    opts.to_ns = a.to;
    if let Some(n) = a.lap {
        let (from, to) = lap_range(&rec, &file, n, a.session)?;
        opts.from_ns = Some(from);
        opts.to_ns = Some(to);
        println!(
            "lap {n}: {} – {} of the recording",
            ksana_engine::format_time(from),
            ksana_engine::format_time(to)
        );
    }
    opts.force = a.force;
    opts.publisher.status_server = !a.no_status_server;
    let keys = Keys::start();
    let mut line = StatusLine::new();
    let (_, last) = rec.time_range().unwrap_or((0, 0));
    let sim = rec.header().sim.clone();
    let result = play(&rec, &opts, keys.as_ref().map(|k| &k.rx), &mut |s| {
        if let Some(n) = &s.notice {
            line.finish();
            eprintln!("{n}");
            return;
        }
        line.show(&format!(
            "{sim}  {} / {}  {} frames{}{}   [space] pause  [←/→] 5 s  [q] quit",
            format_time(s.position_ns),
            format_time(last),
            s.frames,
            if s.loops > 0 {
                format!("  loop {}", s.loops + 1)
            } else {
                String::new()
            },
            if s.paused { "  PAUSED" } else { "" },
        ));
    });
    drop(keys);
    line.finish();
    let report = result.with_context(|| format!("playing {}", file.display()))?;
    println!(
        "played {} frames of {}{}",
        report.frames,
        file.display(),
        if report.loops > 0 {
            format!(" ({} loops)", report.loops)
        } else {
            String::new()
        }
    );
    if a.timing {
        let t = &report.timing;
        println!(
            "publish error over {} frames: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            t.count(),
            t.percentile(50.0).as_secs_f64() * 1e3,
            t.percentile(99.0).as_secs_f64() * 1e3,
            t.max().as_secs_f64() * 1e3
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The recording time range of lap `n` (of session `session`, 1-based, when given).
fn lap_range(
    rec: &ksana_format::Recording,
    file: &std::path::Path,
    n: u32,
    session: Option<usize>,
) -> Result<(u64, u64)> {
    let sessions = ksana_engine::detect_laps(rec, &file.display().to_string())
        .with_context(|| format!("detecting laps in {}", file.display()))?;
    let candidates: Vec<&ksana_laps::Session> = match session {
        Some(k) => match sessions.get(k.wrapping_sub(1)) {
            Some(s) => vec![s],
            None => bail!(
                "--session {k}: {} holds {} session(s)",
                file.display(),
                sessions.len()
            ),
        },
        None => sessions.iter().collect(),
    };
    for s in &candidates {
        if let Some(l) = s.laps.iter().find(|l| l.number == n) {
            let ns = |t: f64| (t.max(0.0) * 1e9).round() as u64;
            return Ok((ns(l.start_s), ns(l.end_s)));
        }
    }
    let known: Vec<String> = candidates
        .iter()
        .flat_map(|s| s.laps.iter().map(|l| l.number.to_string()))
        .collect();
    bail!(
        "{} has no lap {n}{}; laps found: {}",
        file.display(),
        session.map_or(String::new(), |k| format!(" in session {k}")),
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )
}
