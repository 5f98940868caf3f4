//! `ksana`: record, play back, inspect and convert racing-sim telemetry.
//!
//! The binary only parses arguments and calls the library crates; see docs/ARCHITECTURE.md.

mod inspect;
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for a file that is unreadable or damaged (also clap's code for bad arguments).
const EXIT_BAD_FILE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "ksana",
    version,
    about = "Record, play back, inspect and convert racing-sim telemetry"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Describe a recording: sim, pages, duration, rates, gaps, chunks, ratio, markers, damage.
    Inspect {
        /// The recording.
        file: PathBuf,
        /// Print the report as JSON (schema `ksana-inspect/1`, docs/FORMAT.md).
        #[arg(long)]
        json: bool,
        /// Skip damaged chunks and go on, instead of stopping at the first.
        #[arg(long)]
        salvage: bool,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect {
            file,
            json,
            salvage,
        } => inspect::run(&file, json, salvage),
        Command::Synth {
            output,
            profile,
            seconds,
            seed,
        } => match synth::run(&output, profile, seconds, seed) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}
