//! `ksana`: record, play back, inspect and convert racing-sim telemetry.
//!
//! The binary only parses arguments and calls the library crates; see docs/ARCHITECTURE.md.

mod demo;
mod dump;
mod export;
mod import;
mod input;
mod inspect;
mod interrupt;
mod iracing_cmd;
mod laps;
mod livelaps;
mod play;
mod serve;
mod simulate;
mod synth;
mod term;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Exit code for a file that is unreadable or damaged (also clap's code for bad arguments).
const EXIT_BAD_FILE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "ksana",
    version,
    about = "Record, play back, inspect and convert racing-sim telemetry",
    long_about = "Record, play back, inspect and convert racing-sim telemetry.\n\nWith no command, ksana records (`ksana dump`), as the original ksana did.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `ksana` with no command takes `dump`'s options.
    #[command(flatten)]
    dump: dump::DumpArgs,
}

/// Where sims' shared memory lives (Linux: a directory; Windows: a private namespace for tests).
#[derive(Args, Clone, Debug, Default)]
struct ShmArgs {
    /// Directory that holds the sims' shared-memory files on Linux (default /dev/shm; the
    /// Flatpak Steam path works too). On Windows it selects a private namespace, for tests.
    #[arg(long, env = "KSANA_SHM_DIR", value_name = "DIR")]
    shm_dir: Option<PathBuf>,
}

impl ShmArgs {
    fn namespace(&self) -> ksana_shm::ShmNamespace {
        match &self.shm_dir {
            Some(d) => ksana_shm::ShmNamespace::with_root(d),
            None => ksana_shm::ShmNamespace::from_env(),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Record a running sim's telemetry into a file (the default command).
    #[command(visible_alias = "record")]
    Dump(dump::DumpArgs),
    /// Play a recording back into shared memory, so that consumers believe the sim is running.
    Play(play::PlayArgs),
    /// Describe a recording: sim, pages, duration, rates, gaps, chunks, ratio, markers, damage.
    Inspect {
        /// The recording.
        #[arg(required_unless_present = "input")]
        file: Option<PathBuf>,
        /// The recording (as the original ksana's `inspect -i FILE`).
        #[arg(short, long, conflicts_with = "file")]
        input: Option<PathBuf>,
        /// Print the report as JSON (schema `ksana-inspect/1`, docs/FORMAT.md).
        #[arg(long)]
        json: bool,
        /// Skip damaged chunks and go on, instead of stopping at the first.
        #[arg(long)]
        salvage: bool,
    },
    /// Run the fake sim: a car on a track with scripted events, published as the sim would
    /// (no game needed), or written straight into a recording.
    Simulate(simulate::SimulateArgs),
    /// Laps and sectors detected in recordings (table or --json); --save stores them; no
    /// files: the stored history and personal bests.
    Laps(laps::LapsArgs),
    /// Try ksana with no game: the fake sim drives, ksana records it through shared memory,
    /// detects and stores the laps, and prints them.
    Demo(demo::DemoArgs),
    /// Show a sim's key values (session, flags, running order), live or from a recording.
    Watch(watch::WatchArgs),
    /// Convert a sim's own file (an iRacing .ibt, a live-memory image) into a recording.
    Import(import::ImportArgs),
    /// Write a recording in another format (`--format ibt`; `--list-formats`).
    Export(export::ExportArgs),
    /// Serve the lap history: JSON API under /api/v1 and the web UI (docs/API.md).
    Serve(serve::ServeArgs),
    /// Send an iRacing broadcast command (camera, replay) to the sim or to `ksana play`
    /// (Windows only).
    Iracing(iracing_cmd::IracingArgs),
    /// Test helper: print every update of a sim seen in shared memory until it stops (sims
    /// whose updates can be checked on their own).
    #[command(hide = true)]
    WatchUpdates {
        /// The sim.
        #[arg(long)]
        sim: String,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
        #[command(flatten)]
        shm: ShmArgs,
    },
    /// Write a synthetic recording (no game needed): for trying ksana, tests and benchmarks.
    Synth {
        /// Output file.
        #[arg(short, long, default_value = "demo.ksana")]
        output: PathBuf,
        /// Which sim the data imitates.
        #[arg(long, value_enum, default_value_t = synth::SynthProfile::Acc)]
        profile: synth::SynthProfile,
        /// Recorded seconds.
        #[arg(long, default_value_t = 30.0)]
        seconds: f64,
        /// Seed of the synthetic session: the same seed gives the same file content.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// The registered sim with this id, or an error listing the ones ksana knows.
fn sim_by_id(id: &str) -> anyhow::Result<&'static dyn ksana_sims::Sim> {
    ksana_sims::by_id(id).ok_or_else(|| {
        let known: Vec<&str> = ksana_sims::all().iter().map(|s| s.id()).collect();
        anyhow::anyhow!("unknown sim {id:?}; ksana knows: {}", known.join(", "))
    })
}

fn report(r: anyhow::Result<ExitCode>) -> ExitCode {
    match r {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            // A file ksana cannot read is exit 2, like inspect; anything else 1.
            let bad_file = e.chain().any(|c| {
                c.downcast_ref::<ksana_format::Error>().is_some()
                    || matches!(
                        c.downcast_ref::<ksana_sims::SimError>(),
                        Some(
                            ksana_sims::SimError::File { .. } | ksana_sims::SimError::Recording(_)
                        )
                    )
                    || matches!(
                        c.downcast_ref::<ksana_engine::EngineError>(),
                        Some(ksana_engine::EngineError::Format(_))
                    )
            });
            if bad_file {
                ExitCode::from(EXIT_BAD_FILE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => report(dump::run(&cli.dump)),
        Some(Command::Dump(a)) => report(dump::run(&a)),
        Some(Command::Play(a)) => report(play::run(&a)),
        Some(Command::Inspect {
            file,
            input,
            json,
            salvage,
        }) => {
            let file = file.or(input).unwrap_or_default();
            inspect::run(&file, json, salvage)
        }
        Some(Command::Simulate(a)) => report(simulate::run(&a)),
        Some(Command::Laps(a)) => report(laps::run(&a)),
        Some(Command::Demo(a)) => report(demo::run(&a)),
        Some(Command::Watch(a)) => report(watch::run(&a)),
        Some(Command::Import(a)) => report(import::run(&a)),
        Some(Command::Export(a)) => report(export::run(&a)),
        Some(Command::Serve(a)) => report(serve::run(&a)),
        Some(Command::Iracing(a)) => report(iracing_cmd::run(&a)),
        Some(Command::WatchUpdates { sim, timeout, shm }) => report((|| {
            let sim = sim_by_id(&sim)?;
            let out = std::io::stdout();
            let mut out = std::io::BufWriter::new(out.lock());
            let timeout = std::time::Duration::from_secs_f64(timeout.clamp(0.0, 3600.0));
            match sim.watch_updates(&shm.namespace(), timeout, &mut out)? {
                Some(_) => Ok(ExitCode::SUCCESS),
                None => anyhow::bail!("{} cannot be watched update by update", sim.name()),
            }
        })()),
        Some(Command::Synth {
            output,
            profile,
            seconds,
            seed,
        }) => report(synth::run(&output, profile, seconds, seed).map(|()| ExitCode::SUCCESS)),
    }
}
