//! `ksana-decode-bench`: reading a long recording. Writes a synthetic session (ACC-like or
//! iRacing-like, 1 hour by default) as `ksana dump` leaves it (1 s chunks re-packed at close),
//! then measures opening it, reading every frame end to end (frames/s, MB/s of frame data
//! delivered and of file read), and seeking to 100 random timestamps (each: seek + first frame;
//! target ≤ 10 ms). Baseline from the same run: reading the file's bytes alone.
//!
//! ```text
//! cargo run --release -p ksana-bench --bin ksana-decode-bench -- --seconds 3600
//! cargo run --release -p ksana-bench --bin ksana-decode-bench -- --file some.ksana
//! ```

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Parser;
use ksana_format::{Header, PageUpdate, Recording, Writer, WriterOptions};
use ksana_synth::{Profile, Session};

#[derive(Parser, Debug)]
#[command(about = "Decode and seek: reading a long recording end to end and at random times")]
struct Args {
    /// Recorded seconds of the synthetic session.
    #[arg(long, default_value_t = 3600.0)]
    seconds: f64,
    /// 300 s (CI smoke run).
    #[arg(long)]
    quick: bool,
    /// `acc` (333 Hz physics, 60 Hz graphics) or `iracing` (60 Hz row and session YAML).
    #[arg(long, default_value = "acc")]
    profile: String,
    /// Measure this recording instead of writing one.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Seed of the seek timestamps.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the 1 s journal chunks (as a crashed or `--no-compact` recording has them) instead
    /// of re-packing into 8 s chunks: shows what chunk length costs a seek.
    #[arg(long)]
    no_compact: bool,
}

/// Writes `seconds` of a synthetic session to `path` as the recorder would (default options,
/// re-packed at close), without fsync per chunk (the bench measures reading).
fn write_session(path: &Path, profile: Profile, seconds: f64, compact: bool) -> Result<()> {
    let session = Session::new(profile, 1);
    let header = Header::new(profile.name(), session.pages());
    let mut opts = WriterOptions {
        sync_every_chunk: false,
        ..Default::default()
    };
    if !compact {
        opts.compact_on_close = None;
    }
    let mut w = Writer::create(path, header, opts)?;
    let end_ns = (seconds * 1e9) as u64;
    for f in session.take_while(|f| f.timestamp_ns <= end_ns) {
        let updates: Vec<PageUpdate<'_>> = f
            .pages
            .iter()
            .enumerate()
            .map(|(page, data)| PageUpdate { page, data })
            .collect();
        w.write_frame(f.timestamp_ns, Some(f.tick), &updates)?;
    }
    w.close()?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> Result<()> {
    let mut a = Args::parse();
    if a.quick {
        a.seconds = 300.0;
    }
    let dir = tempfile::tempdir()?;
    let path = match &a.file {
        Some(p) => p.clone(),
        None => {
            let profile = match a.profile.as_str() {
                "acc" => Profile::AccLike,
                "iracing" => Profile::IracingLike,
                p => anyhow::bail!("unknown profile {p:?} (acc, iracing)"),
            };
            let p = dir.path().join("long.ksana");
            let t = Instant::now();
            write_session(&p, profile, a.seconds, !a.no_compact)?;
            println!(
                "wrote {:.0} s of a {} session ({}) in {:.1} s",
                a.seconds,
                a.profile,
                if a.no_compact {
                    "1 s journal chunks"
                } else {
                    "re-packed at close"
                },
                t.elapsed().as_secs_f64()
            );
            p
        }
    };
    let file_bytes = std::fs::metadata(&path)?.len();

    // Baseline: the bytes alone (page cache warm after writing; a second pass keeps it so).
    let t = Instant::now();
    let raw = std::fs::read(&path)?;
    let read_s = t.elapsed().as_secs_f64();
    drop(raw);

    let t = Instant::now();
    let rec = Recording::open(&path)?;
    let open_ms = ms(t.elapsed());
    let (first, last) = rec.time_range().unwrap_or((0, 0));

    let t = Instant::now();
    let mut frames = rec.frames();
    let (mut n, mut delivered) = (0u64, 0u64);
    while let Some(f) = frames.next_frame()? {
        n += 1;
        delivered += f.pages().iter().map(|p| p.len() as u64).sum::<u64>();
    }
    let full_s = t.elapsed().as_secs_f64();

    // 100 seeks to seeded random timestamps, each on the open recording: seek, first frame.
    let mut x = a.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut seeks = Vec::with_capacity(100);
    for _ in 0..100 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let target = first + x % (last - first).max(1);
        let t = Instant::now();
        let mut cur = rec.frames();
        cur.seek(target)?;
        let got = cur.next_frame()?.map(|f| f.timestamp_ns());
        seeks.push(ms(t.elapsed()));
        anyhow::ensure!(
            got.is_some_and(|g| g >= target),
            "seek to {target} gave {got:?}"
        );
    }
    seeks.sort_by(f64::total_cmp);

    println!(
        "recording: {} ({:.1} MB, {} frames, {:.0} s, {} chunks)",
        path.display(),
        file_bytes as f64 / 1e6,
        rec.frame_count(),
        (last - first) as f64 / 1e9,
        rec.chunks().len()
    );
    println!("open (header + footer index): {open_ms:.2} ms");
    println!(
        "read every frame:  {:.2} s, {:.0} frames/s, {:.0} MB/s of frame data, {:.1} MB/s of file",
        full_s,
        n as f64 / full_s,
        delivered as f64 / 1e6 / full_s,
        file_bytes as f64 / 1e6 / full_s
    );
    println!(
        "baseline, reading the file's bytes only: {:.3} s, {:.0} MB/s",
        read_s,
        file_bytes as f64 / 1e6 / read_s
    );
    println!(
        "seek + first frame, 100 random timestamps: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target <= 10 ms: {})",
        seeks[49],
        seeks[98],
        seeks[99],
        if seeks[99] <= 10.0 { "met" } else { "MISSED" }
    );
    anyhow::ensure!(
        n == rec.frame_count(),
        "read {n} of {} frames",
        rec.frame_count()
    );
    Ok(())
}
