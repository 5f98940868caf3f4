//! `ksana simulate --sim ID`: publish a sim's pages with generated data.

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Args;
use ksana_engine::Pacer;

/// Options of `ksana simulate`.
#[derive(Args, Clone, Debug)]
pub struct SimulateArgs {
    /// Which sim to imitate: testpattern, iracing, acc or acevo (protocol-correct writers of
    /// self-checking pages; the sims without one are refused with a clear error).
    #[arg(long)]
    sim: String,
    /// Updates per second.
    #[arg(long, default_value_t = 60.0)]
    rate: f64,
    /// Stop after this long (30s, 5m, 90, 1:30); default: until Ctrl+C.
    #[arg(long, value_name = "TIME", value_parser = ksana_engine::parse_duration)]
    duration: Option<Duration>,
    /// Run the sim's self-checking pattern writer (the only one until the fake world lands).
    #[arg(long)]
    pattern: bool,
    #[command(flatten)]
    shm: crate::ShmArgs,
}

pub fn run(a: &SimulateArgs) -> Result<ExitCode> {
    if !(a.rate > 0.0 && a.rate <= 10_000.0) {
        bail!("--rate must be between 0 and 10000, got {}", a.rate);
    }
    let sim = crate::sim_by_id(&a.sim)?;
    let Some(mut sim) = sim.simulator(&a.shm.namespace())? else {
        bail!("ksana simulate cannot imitate {} yet", sim.name());
    };
    let stop = crate::interrupt::install("publishing the stopped state");
    let period = Duration::from_secs_f64(1.0 / a.rate);
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
