//! `ksana demo`: ksana's main job end to end with no game. The fake sim drives a practice
//! session (out-lap, flying laps, in-lap) at high speed into a private shared-memory
//! namespace; the recorder records it from there, as it would a real sim, detecting and
//! storing the laps as they come; then the lap table, and where the files are.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use ksana_engine::{FakeOptions, ObserverSlot, Output, RecordOptions, SimChoice};
use ksana_format::WriterOptions;
use ksana_laps::LapsReport;
use ksana_sims::PublisherOptions;
use ksana_synth::world::Scenario;

use crate::term::StatusLine;

/// Options of `ksana demo`.
#[derive(Args, Clone, Debug)]
pub struct DemoArgs {
    /// The sim to imitate: acc, ac, acevo, acrally or iracing.
    #[arg(long, default_value = "acc")]
    sim: String,
    /// Sim seconds per wall second (the demo's ~8 minutes of driving take ~25 s at 20).
    #[arg(long, default_value_t = 20.0)]
    speed: f64,
    /// Seed of the driver's pace noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for the recording (default: `demo` in ksana's data directory).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Lap database for the demo's laps (default: demo.db beside the recording, so that fake
    /// laps never mix with a driver's own history).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

pub fn run(a: &DemoArgs) -> Result<ExitCode> {
    let sim = crate::sim_by_id(&a.sim)?;
    if sim.fake().is_none() {
        bail!(
            "the demo cannot imitate {} (no fake world for it)",
            sim.name()
        );
    }
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => ksana_store::default_db_path()?
            .parent()
            .map(|p| p.join("demo"))
            .context("no data directory")?,
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let db = a.db.clone().unwrap_or_else(|| dir.join("demo.db"));
    let store = crate::laps::open_store(Some(&db))?;
    // A private namespace: the demo never touches a real sim's shared memory.
    let shm_root = tempfile::Builder::new()
        .prefix("ksana-demo-shm")
        .tempdir()
        .context("creating a private shared-memory directory")?;
    let ns = ksana_shm::ShmNamespace::with_root(shm_root.path());
    let path = dir.join(ksana_engine::default_file_name(sim.id()));
    println!(
        "ksana demo: the fake {} drives a practice session at {}x; ksana records it through shared memory.",
        sim.name(),
        a.speed
    );
    let stop = crate::interrupt::install("stopping the demo");
    let sim_done = Arc::new(AtomicBool::new(false));
    let mut fake = FakeOptions::new(sim, stop.clone());
    fake.scenario = Scenario::Demo;
    fake.seed = a.seed;
    fake.speed = a.speed;
    fake.start_delay = Duration::from_millis(1500);
    let fake_ns = ns.clone();
    let done = sim_done.clone();
    let sim_thread = std::thread::Builder::new()
        .name("ksana-fake-sim".into())
        .spawn(move || {
            let r = ksana_engine::run_fake_live(
                &fake,
                &fake_ns,
                &PublisherOptions {
                    status_server: false,
                },
                &mut |_| {},
            );
            done.store(true, Ordering::Relaxed);
            r
        })
        .context("starting the fake sim")?;
    let lines: crate::livelaps::Lines = Default::default();
    let observer = crate::livelaps::observer(Some(store), lines.clone());
    let rec_stop = Arc::new(AtomicBool::new(false));
    let opts = RecordOptions {
        sim: SimChoice::Id(sim.id().to_string()),
        fps: None,
        output: Output::File(path.clone()),
        max_duration: Some(Duration::from_secs(300)),
        once: false,
        ns,
        metadata: vec![("source".into(), "ksana demo (fake sim)".into())],
        writer: WriterOptions::default(),
        stop: rec_stop.clone(),
        observer: Some(ObserverSlot(observer.clone())),
    };
    let mut line = StatusLine::new();
    let mut done_at: Option<Instant> = None;
    let report = ksana_engine::record(&opts, &mut |s| {
        crate::livelaps::print(&lines, &mut line);
        if stop.load(Ordering::Relaxed) {
            rec_stop.store(true, Ordering::Relaxed);
        }
        // The sim has finished its scenario: give the recorder a moment to see it stop.
        if sim_done.load(Ordering::Relaxed) {
            let t = *done_at.get_or_insert_with(Instant::now);
            if t.elapsed() > Duration::from_millis(500) {
                rec_stop.store(true, Ordering::Relaxed);
            }
        }
        line.show(&format!(
            "recording {}  {} frames  {:.0} Hz",
            ksana_engine::format_time(s.elapsed.as_nanos() as u64),
            s.frames,
            s.rate_hz
        ));
    });
    line.finish();
    crate::livelaps::print(&lines, &mut line);
    let sim_report = sim_thread
        .join()
        .map_err(|_| anyhow::anyhow!("the fake sim panicked"))?;
    let report = report?;
    sim_report.context("running the fake sim")?;
    let sessions = observer
        .lock()
        .map(|o| o.sessions().to_vec())
        .unwrap_or_default();
    let table = LapsReport { sessions };
    println!();
    print!(
        "{}",
        ksana_laps::table::render(&table, std::io::IsTerminal::is_terminal(&std::io::stdout()))
    );
    println!();
    println!(
        "recording: {} ({} frames)",
        report.path.as_ref().unwrap_or(&path).display(),
        report.frames
    );
    println!("lap database: {}", db.display());
    println!(
        "next: ksana laps {}   ksana play {}   ksana laps --db {}",
        path.display(),
        path.display(),
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}
