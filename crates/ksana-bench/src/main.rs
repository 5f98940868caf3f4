//! `ksana-bench`: compressed size and speed of ksana against the formats it replaces or
//! competes with, on real and synthetic telemetry, in one table.

use anyhow::Context;
use clap::Parser;
use ksana_bench::{DATASETS, Effort, bench_dataset, load_dataset, report};

/// Compare telemetry codecs: compressed bytes, ratio, encode and decode MB/s.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// One repetition and short synthetic sessions (CI smoke run).
    #[arg(long)]
    quick: bool,
    /// Only this dataset (repeatable): ibt-2024, synth-iracing, synth-acc, fake-acc, fake-iracing.
    #[arg(long = "dataset", value_name = "NAME")]
    datasets: Vec<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    for want in &args.datasets {
        if !DATASETS.iter().any(|d| d.name == want) {
            let names: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
            anyhow::bail!("unknown dataset {want:?}; known: {}", names.join(", "));
        }
    }
    let effort = if args.quick {
        Effort::QUICK
    } else {
        Effort::FULL
    };
    let mut results = Vec::new();
    for def in DATASETS {
        if !args.datasets.is_empty() && !args.datasets.iter().any(|d| d == def.name) {
            continue;
        }
        let Some(ds) =
            load_dataset(def.name, args.quick).with_context(|| format!("loading {}", def.name))?
        else {
            eprintln!(
                "{}: skipped: fixture not found ({})",
                def.name,
                ksana_bench::ibt::ibt_fixture().display()
            );
            continue;
        };
        eprintln!("{}: {} frames, measuring…", def.name, ds.frames.len());
        let r = bench_dataset(&ds, effort).with_context(|| format!("benchmarking {}", def.name))?;
        if !args.json {
            println!("{}", report::table(&r, def.about));
        }
        results.push(r);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        print!("{}", report::summary(&results));
    }
    Ok(())
}
