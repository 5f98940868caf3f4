//! `ksana simulate --sim ID`: the fake sim. A car drives a track with scripted events
//! (`--scenario`), published into shared memory exactly as the sim would, or written straight
//! into a recording (`-o`). `--pattern` runs the sim's self-checking writer instead (the
//! torn-read and crash suites use it).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use ksana_engine::{FakeOptions, Pacer};
use ksana_sims::PublisherOptions;
use ksana_synth::world::{Scenario, WorldState, WorldStatus};

use crate::term::StatusLine;

/// Options of `ksana simulate`.
#[derive(Args, Clone, Debug)]
pub struct SimulateArgs {
    /// Which sim to imitate: acc, ac, acevo, acrally, iracing (the fake world), or
    /// testpattern (a self-checking writer only).
    #[arg(long)]
    sim: String,
    /// Scripted events: laps (endless), demo, offtrack, offtrack-late, pitstop, restart,
    /// session-change, pause, replay, menu, midsession, short (docs/FAKESIM.md).
    #[arg(long, default_value = "laps")]
    scenario: String,
    /// Seed of the driver's pace noise: the same seed drives the same laps.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Sim seconds per wall second (1 = real time; at most 100).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Updates per second (default: the sim's own rate × --speed, at most 1000; with -o the
    /// sim's own rate in sim time).
    #[arg(long)]
    rate: Option<f64>,
    /// Stop after this long (30s, 5m, 90, 1:30); default: when the scenario ends (Ctrl+C for
    /// the endless `laps`). With -o: sim time.
    #[arg(long, value_name = "TIME", value_parser = ksana_engine::parse_duration)]
    duration: Option<Duration>,
    /// Seconds the car waits in its box, clock stopped, before the session starts (time to
    /// start a recorder alongside).
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS")]
    start_delay: f64,
    /// Write a recording to this file instead of publishing (fast, deterministic with --seed).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write the fake sim's own book of sessions and laps (JSON, the shape of `ksana laps
    /// --json`) here at the end: what ksana should detect.
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,
    /// Run the sim's self-checking pattern writer instead of the fake world.
    #[arg(long)]
    pattern: bool,
    /// Do not serve the side channels some consumers check besides shared memory (iRacing's
    /// sim-status endpoint on 127.0.0.1:32034).
    #[arg(long)]
    no_status_server: bool,
    #[command(flatten)]
    shm: crate::ShmArgs,
}

pub fn run(a: &SimulateArgs) -> Result<ExitCode> {
    let sim = crate::sim_by_id(&a.sim)?;
    if a.pattern || sim.fake().is_none() && sim.id() == "testpattern" {
        return run_pattern(a, sim);
    }
    let scenario: Scenario = a.scenario.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    if !(0.0..=60.0).contains(&a.start_delay) {
        bail!(
            "--start-delay must be between 0 and 60 seconds, got {}",
            a.start_delay
        );
    }
    let stop = crate::interrupt::install("publishing the stopped state");
    let mut opts = FakeOptions::new(sim, stop);
    opts.scenario = scenario;
    opts.seed = a.seed;
    opts.speed = a.speed;
    opts.rate_hz = a.rate;
    opts.duration = a.duration;
    opts.start_delay = Duration::from_secs_f64(a.start_delay);
    let report = match &a.output {
        Some(path) => {
            let r = ksana_engine::write_fake_recording(&opts, path)?;
            println!(
                "wrote {} ({} frames, {:.1} s of {} in scenario {})",
                path.display(),
                r.steps,
                r.sim_seconds,
                sim.name(),
                scenario.name()
            );
            r
        }
        None => {
            let mut line = StatusLine::new();
            let publisher = PublisherOptions {
                status_server: !a.no_status_server,
            };
            let r = ksana_engine::run_fake_live(&opts, &a.shm.namespace(), &publisher, &mut |w| {
                line.show(&status_text(sim.id(), w))
            });
            line.finish();
            let r = r?;
            println!(
                "published {} updates ({:.1} s of {} in scenario {})",
                r.steps,
                r.sim_seconds,
                sim.name(),
                scenario.name()
            );
            r
        }
    };
    if let Some(t) = &a.truth {
        let json = serde_json::to_string_pretty(&report.truth)?;
        std::fs::write(t, json).with_context(|| format!("writing {}", t.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn status_text(sim: &str, w: &WorldState) -> String {
    let status = match w.status {
        WorldStatus::Menu => "menu",
        WorldStatus::Live => "live",
        WorldStatus::Paused => "paused",
        WorldStatus::Replay => "replay",
    };
    format!(
        "{sim} · {} · {status} · lap {} {} · {:.0} km/h",
        w.session.kind.name(),
        w.timing.completed_laps + 1,
        ksana_engine::format_time((w.timing.current_lap_ms.max(0.0) * 1e6) as u64),
        w.car.speed_ms * 3.6
    )
}

/// The sim's self-checking writer at a fixed rate (`--pattern`).
fn run_pattern(a: &SimulateArgs, sim: &'static dyn ksana_sims::Sim) -> Result<ExitCode> {
    let rate = a.rate.unwrap_or(60.0);
    if !(rate > 0.0 && rate <= 10_000.0) {
        bail!("--rate must be between 0 and 10000, got {rate}");
    }
    if a.output.is_some() {
        bail!("--pattern publishes into shared memory only (no -o)");
    }
    let Some(mut sim) = sim.simulator(&a.shm.namespace())? else {
        bail!(
            "ksana simulate has no self-checking writer for {}",
            sim.name()
        );
    };
    let stop = crate::interrupt::install("publishing the stopped state");
    let period = Duration::from_secs_f64(1.0 / rate);
    let pacer = Pacer::default();
    let start = Instant::now();
    let mut steps = 0u64;
    loop {
        if stop.load(Ordering::Relaxed) || a.duration.is_some_and(|d| start.elapsed() >= d) {
            break;
        }
        sim.step()?;
        steps += 1;
        let published = Instant::now();
        // On schedule, but never two updates back to back after a late wake-up: a sim steps
        // at its rate, it does not burst to catch up (and no reader could see a burst).
        let due = (start + period.mul_f64(steps as f64)).max(published + period / 2);
        pacer.sleep_until(due);
    }
    sim.stop()?;
    println!("published {steps} updates");
    Ok(ExitCode::SUCCESS)
}
