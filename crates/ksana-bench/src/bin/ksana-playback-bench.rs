//! `ksana-playback-bench`: how close to its scheduled time `ksana play` publishes each frame,
//! at 60 Hz and 1 kHz, next to a baseline measured in the same run: the same frames paced by
//! a plain `thread::sleep` until each deadline (what the old ksana did, per frame).
//!
//! Prints p50 / p99 / max of |publish time − scheduled time| and the drift at the end.
//!
//! Then the drift over a long playback (`--drift-seconds`, 600 s for the documented run): the
//! wall-clock time between the first and the last frame appearing in shared memory, minus the
//! recorded time between them, for `ksana play` and for a naive loop that publishes a frame and
//! then `thread::sleep`s the recorded interval (relative sleeps, so every oversleep adds up).
//! Both run at the same time, each in its own shared-memory root, so they share the machine's
//! load; an observer thread per run watches the ring slots of the first and last frame and
//! takes the wall-clock times itself, independently of the code under test.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use ksana_engine::{LatencyStats, PlayOptions, play};
use ksana_format::{Header, PageUpdate, Recording, Writer, WriterOptions};
use ksana_shm::{Mapping, ShmNamespace};
use ksana_sims::testpattern::layout::{COUNTER, MAPPING_SIZE, slot_offset};
use ksana_sims::testpattern::{self, PAGE_NAME, PAGE_SIZE, fill_page};

#[derive(Parser, Debug)]
#[command(about = "Playback timing: p50/p99/max of |publish - scheduled| at 60 Hz and 1 kHz")]
struct Args {
    /// Seconds of playback per rate.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// 2 s per rate and a 5 s drift run (CI smoke run).
    #[arg(long)]
    quick: bool,
    /// Length of the drift run (0 skips it).
    #[arg(long, default_value_t = 600.0)]
    drift_seconds: f64,
    /// Frame rate of the drift run.
    #[arg(long, default_value_t = 60)]
    drift_rate: u32,
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

/// The naive baseline of the drift run: publish, then sleep the recorded interval to the next
/// frame — relative sleeps, so each oversleep shifts every later frame.
fn naive_sleep_loop(rec: &Recording, ns: &ShmNamespace) -> Result<()> {
    let (map, _) = Mapping::open_or_create(ns, PAGE_NAME, MAPPING_SIZE)?;
    let mut frames = rec.frames();
    let mut prev: Option<u64> = None;
    while let Some(f) = frames.next_frame()? {
        if let Some(p) = prev {
            std::thread::sleep(Duration::from_nanos(f.timestamp_ns().saturating_sub(p)));
        }
        map.write(slot_offset(f.tick().unwrap_or(0)), f.page(0))?;
        prev = Some(f.timestamp_ns());
    }
    Ok(())
}

/// The update counter in the ring slot of `counter`, or `None` before the mapping exists.
fn slot_counter(ns: &ShmNamespace, map: &mut Option<Mapping>, counter: u64) -> Result<Option<u64>> {
    if map.is_none() {
        *map = Mapping::open_read(ns, PAGE_NAME)?;
    }
    let Some(m) = map.as_ref() else {
        return Ok(None);
    };
    if m.len() < MAPPING_SIZE {
        return Ok(None);
    }
    let mut b = [0u8; 8];
    m.read(slot_offset(counter) + COUNTER, &mut b)?;
    Ok(Some(u64::from_le_bytes(b)))
}

/// Watches the ring of `ns` for update 1 and update `n` (the last) and returns the wall-clock
/// time between them, polling every 100 µs around each (so the figure is good to ~0.2 ms).
/// Sleeps through the middle of the run so it does not load the machine.
fn observe(ns: &ShmNamespace, n: u64, span: Duration) -> Result<Duration> {
    let poll = Duration::from_micros(100);
    let give_up = Instant::now() + span + Duration::from_secs(120);
    let mut map = None;
    let first = loop {
        if let Some(c) = slot_counter(ns, &mut map, 1)?
            && c >= 1
        {
            anyhow::ensure!(c == 1, "the observer saw update {c} before update 1");
            break Instant::now();
        }
        anyhow::ensure!(Instant::now() < give_up, "update 1 never appeared");
        std::thread::sleep(poll);
    };
    std::thread::sleep(span.saturating_sub(Duration::from_secs(2)));
    loop {
        if slot_counter(ns, &mut map, n)? == Some(n) {
            return Ok(Instant::now() - first);
        }
        anyhow::ensure!(Instant::now() < give_up, "update {n} never appeared");
        std::thread::sleep(poll);
    }
}

/// Runs `publish` while an observer measures it; returns wall − recorded time between the
/// first and the last frame, in ms (positive: playback ran slow).
fn drift_of(
    ns: &ShmNamespace,
    n: u64,
    span: Duration,
    publish: impl FnOnce() -> Result<()> + Send,
) -> Result<f64> {
    std::thread::scope(|s| {
        let obs = s.spawn(|| observe(ns, n, span));
        publish()?;
        let wall = obs
            .join()
            .map_err(|_| anyhow::anyhow!("observer panicked"))??;
        Ok((wall.as_secs_f64() - span.as_secs_f64()) * 1e3)
    })
}

/// The drift run: `ksana play` and the naive sleep loop side by side over `seconds`.
fn drift(dir: &Path, shm: &Path, rate: u32, seconds: f64) -> Result<()> {
    let rec = recording(dir, rate, seconds).context("drift recording")?;
    let n = (seconds * f64::from(rate)) as u64;
    anyhow::ensure!(n >= 2, "--drift-seconds too short for {rate} Hz");
    // Recorded time from update 1 to update n.
    let span = Duration::from_nanos((n - 1) * 1_000_000_000 / u64::from(rate));
    let ours_ns = ShmNamespace::with_root(shm.join("drift-ksana"));
    let base_ns = ShmNamespace::with_root(shm.join("drift-naive"));
    std::fs::create_dir_all(ours_ns.root())?;
    std::fs::create_dir_all(base_ns.root())?;
    println!(
        "drift: wall-clock minus recorded time from the first to the last frame, {rate} Hz, {:.0} s ({n} frames), both runs at once",
        span.as_secs_f64()
    );
    let (ours, base) = std::thread::scope(|s| {
        let ours = s.spawn(|| {
            drift_of(&ours_ns, n, span, || {
                let mut opts = PlayOptions::new(ours_ns.clone(), Arc::new(AtomicBool::new(false)));
                opts.probe_window = Duration::from_millis(10);
                play(&rec, &opts, None, &mut |_| {})?;
                Ok(())
            })
        });
        let base = drift_of(&base_ns, n, span, || naive_sleep_loop(&rec, &base_ns));
        (
            ours.join()
                .map_err(|_| anyhow::anyhow!("play thread panicked")),
            base,
        )
    });
    let (ours, base) = (ours??, base?);
    println!("{:<34} {:>12}", "pacing", "drift ms");
    println!("{:<34} {:>12.3}", "ksana play (absolute deadlines)", ours);
    println!("{:<34} {:>12.3}", "baseline sleep(interval) loop", base);
    println!(
        "(positive: the last frame went out late against the first; observer resolution ~0.2 ms)"
    );
    Ok(())
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
    let drift_seconds = if args.quick { 5.0 } else { args.drift_seconds };
    if drift_seconds > 0.0 {
        println!();
        drift(dir.path(), shm.path(), args.drift_rate, drift_seconds)?;
    }
    Ok(())
}
