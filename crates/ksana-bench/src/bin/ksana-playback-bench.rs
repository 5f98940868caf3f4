//! `ksana-playback-bench`: how close to its scheduled time `ksana play` publishes each frame,
//! at 60 Hz and 1 kHz, next to a baseline measured in the same run: the same frames paced by
//! a plain `thread::sleep` until each deadline (what the old ksana did, per frame).
//!
//! Prints p50 / p99 / max of |publish time − scheduled time| and the drift at the end.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use ksana_engine::{LatencyStats, PlayOptions, play};
use ksana_format::{Header, PageUpdate, Recording, Writer, WriterOptions};
use ksana_shm::{Mapping, ShmNamespace};
use ksana_sims::testpattern::layout::{MAPPING_SIZE, slot_offset};
use ksana_sims::testpattern::{self, PAGE_NAME, PAGE_SIZE, fill_page};

#[derive(Parser, Debug)]
#[command(about = "Playback timing: p50/p99/max of |publish - scheduled| at 60 Hz and 1 kHz")]
struct Args {
    /// Seconds of playback per rate.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// 2 s per rate (CI smoke run).
    #[arg(long)]
    quick: bool,
}

/// A test-pattern recording of `seconds` at exactly `rate` Hz.
fn recording(dir: &Path, rate: u32, seconds: f64) -> Result<Recording> {
    let path = dir.join(format!("pattern-{rate}.ksana"));
    let opts = WriterOptions {
        sync_every_chunk: false,
        compact_on_close: None,
        ..Default::default()
    };
    let mut w = Writer::create(
        &path,
        Header::new("testpattern", vec![testpattern::page_spec()]),
        opts,
    )?;
    let mut page = vec![0u8; PAGE_SIZE];
    let n = (seconds * f64::from(rate)) as u64;
    for i in 0..n {
        fill_page(&mut page, i + 1, i * 1_000_000_000 / u64::from(rate));
        w.write_frame(
            i * 1_000_000_000 / u64::from(rate),
            Some(i + 1),
            &[PageUpdate {
                page: 0,
                data: &page,
            }],
        )?;
    }
    w.finish()?;
    Ok(Recording::open(&path)?)
}

/// The baseline: publish the same frames, pacing with `thread::sleep` alone.
fn sleep_baseline(rec: &Recording, ns: &ShmNamespace) -> Result<LatencyStats> {
    let (map, _) = Mapping::open_or_create(ns, PAGE_NAME, MAPPING_SIZE)?;
    let mut stats = LatencyStats::default();
    let start = Instant::now();
    let mut frames = rec.frames();
    while let Some(f) = frames.next_frame()? {
        let due = start + Duration::from_nanos(f.timestamp_ns());
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        map.write(slot_offset(f.tick().unwrap_or(0)), f.page(0))?;
        stats.add(Instant::now().saturating_duration_since(due));
    }
    Ok(stats)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> Result<()> {
    let args = Args::parse();
    let seconds = if args.quick { 2.0 } else { args.seconds };
    let dir = tempfile::tempdir()?;
    // Shared memory on tmpfs when there is one, under a private root.
    let shm = if Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm")?
    } else {
        tempfile::tempdir()?
    };
    println!(
        "playback timing: |publish time - scheduled time| over {seconds} s per rate, one 4 KiB page per frame"
    );
    println!(
        "{:<8} {:<22} {:>8} {:>9} {:>9} {:>9} {:>10}",
        "rate", "pacing", "frames", "p50 ms", "p99 ms", "max ms", "drift ms"
    );
    for rate in [60u32, 1000] {
        let rec =
            recording(dir.path(), rate, seconds).with_context(|| format!("{rate} Hz recording"))?;
        let ns = ShmNamespace::with_root(shm.path().join(format!("ksana-{rate}")));
        std::fs::create_dir_all(ns.root())?;
        let stop = Arc::new(AtomicBool::new(false));
        let mut opts = PlayOptions::new(ns.clone(), stop);
        opts.probe_window = Duration::from_millis(10);
        let report = play(&rec, &opts, None, &mut |_| {})?;
        let ours = &report.timing;
        let base = sleep_baseline(&rec, &ns)?;
        println!(
            "{:<8} {:<22} {:>8} {:>9.3} {:>9.3} {:>9.3} {:>10}",
            format!("{rate} Hz"),
            "ksana play (pacer)",
            ours.count(),
            ms(ours.percentile(50.0)),
            ms(ours.percentile(99.0)),
            ms(ours.max()),
            format!("{:.3}", ms(ours.last()))
        );
        println!(
            "{:<8} {:<22} {:>8} {:>9.3} {:>9.3} {:>9.3} {:>10}",
            "",
            "baseline thread::sleep",
            base.count(),
            ms(base.percentile(50.0)),
            ms(base.percentile(99.0)),
            ms(base.max()),
            format!("{:.3}", ms(base.last()))
        );
        println!(
            "{:<8} {:<22} p99 {:.1}x better than the baseline; target p99 <= 0.5 ms: {}",
            "",
            "",
            ms(base.percentile(99.0)) / ms(ours.percentile(99.0)).max(1e-6),
            if ms(ours.percentile(99.0)) <= 0.5 {
                "met"
            } else {
                "NOT met"
            }
        );
    }
    println!(
        "(drift: how late the last frame went out; deadlines are absolute, so lateness never accumulates)"
    );
    Ok(())
}
