//! Helpers shared by the reliability suites (crash, torn reads, bad input): the real binary,
//! private shared-memory roots, a seeded random stream, and a checker that reads a recording
//! with the library and proves every frame is one whole update of a self-checking sim.
//!
//! Each suite is its own test binary and uses only some of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ksana_format::Recording;

/// These suites run real-time writers and recorders as processes on a 2-core machine: one test
/// at a time within a binary, so that they measure ksana and not each other.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the suite's lock for the duration of a test.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The binary under test (not assert_cmd's `cargo_bin`, which breaks under Wine).
pub fn ksana() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
}

/// A private shared-memory root, on tmpfs when there is one, never the real /dev/shm names.
pub fn shm_root() -> tempfile::TempDir {
    let tmpfs = Path::new("/dev/shm");
    if cfg!(unix)
        && tmpfs.is_dir()
        && let Ok(d) = tempfile::tempdir_in(tmpfs)
    {
        return d;
    }
    tempfile::tempdir().unwrap()
}

/// `ksana simulate --sim SIM --rate HZ --duration S` under `root`, stdout discarded.
pub fn simulate(sim: &str, root: &Path, rate: u32, seconds: f64) -> Child {
    ksana()
        .args([
            "simulate",
            "--pattern",
            "--sim",
            sim,
            "--rate",
            &rate.to_string(),
        ])
        .args(["--duration", &seconds.to_string(), "--shm-dir"])
        .arg(root)
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// `ksana dump --sim SIM --shm-dir ROOT -o OUT EXTRA…`, not yet run.
pub fn dump(sim: &str, root: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = ksana();
    c.args(["dump", "--no-db", "--sim", sim, "--shm-dir"])
        .arg(root)
        .arg("-o")
        .arg(out)
        .args(extra);
    c
}

/// Waits until `path` exists; false after `timeout`.
pub fn wait_for_file(path: &Path, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

/// Nanoseconds since the Unix epoch, now.
pub fn unix_ns_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// A seeded stream of numbers (SplitMix64). Hand-written rather than a `rand` dependency: the
/// suites need only reproducible kill moments and byte noise, and printing the seed makes a
/// failure replayable.
pub struct Rng(u64);

impl Rng {
    /// A stream from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The seed from env `var` if set, else one from the clock; printed either way.
    pub fn from_env(var: &str) -> (Rng, u64) {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| unix_ns_now() % 1_000_000_007);
        eprintln!("seed {seed} (replay with {var}={seed})");
        (Rng::new(seed), seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }
}

/// A positive integer from env `var`, or `default`.
pub fn env_number(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// What a recording of a self-checking sim holds, once every frame passed its check.
#[derive(Debug, Default)]
pub struct Checked {
    /// The update counter of every frame where page 0 changed, in file order, per segment.
    pub counters: Vec<Vec<u64>>,
    /// Frames in the file.
    pub frames: u64,
    /// Timestamp of the last frame (ns from the recording's start), if any.
    pub last_ns: Option<u64>,
    /// The header's start time (ns since the Unix epoch).
    pub start_unix_ns: u64,
    /// Segments in the file.
    pub segments: usize,
    /// Damage the reader reported, each with whether it is a crashed writer's incomplete tail.
    pub damage: Vec<(String, bool)>,
    /// Frames whose page failed the check but that the caller's `paused_writer` test
    /// recognised (see [`check_recording_page_tolerating`]), with the update counter of each.
    pub paused_writer: Vec<u64>,
}

impl Checked {
    /// Updates the sim published that are not in the file, between the first and the last
    /// frame of each segment (0 when every update was captured).
    pub fn missed(&self) -> u64 {
        self.counters
            .iter()
            .map(|c| c.windows(2).map(|w| w[1] - w[0] - 1).sum::<u64>())
            .sum()
    }
}

/// Opens `path` with the library, checks page 0 of every frame where it changed with `check`
/// (which returns the update's counter or why the page is not one whole update), and checks that counters strictly
/// increase within each segment. Any failure is an `Err` naming the file, the frame and why.
pub fn check_recording(
    path: &Path,
    check: fn(&[u8]) -> Result<u64, String>,
) -> Result<Checked, String> {
    check_recording_page(path, 0, check)
}

/// [`check_recording`] of page `page` (e.g. iRacing's row, page 3) instead of page 0.
pub fn check_recording_page(
    path: &Path,
    page: usize,
    check: fn(&[u8]) -> Result<u64, String>,
) -> Result<Checked, String> {
    check_recording_page_tolerating(path, page, check, None)
}

/// Recognises a page a sim writer paused mid-update left, returning its update counter.
pub type PausedWriter = fn(&[u8]) -> Option<u64>;

/// [`check_recording_page`], except that a page failing `check` which `paused_writer`
/// recognises (returning its update counter) is counted in [`Checked::paused_writer`] instead
/// of failing the file. For protocols without a lock (the AC family's packetId), where a sim
/// writer paused between its body and its counter leaves a mix that no reader can see.
pub fn check_recording_page_tolerating(
    path: &Path,
    page: usize,
    check: fn(&[u8]) -> Result<u64, String>,
    paused_writer: Option<PausedWriter>,
) -> Result<Checked, String> {
    let rec = Recording::open(path).map_err(|e| format!("does not open: {e}"))?;
    let mut out = Checked {
        start_unix_ns: rec.header().start_unix_ns.max(0) as u64,
        segments: rec.segments().len(),
        damage: rec
            .damage()
            .iter()
            .map(|d| (d.reason.clone(), d.incomplete_tail))
            .collect(),
        ..Checked::default()
    };
    let mut frames = rec.frames();
    let mut segment = None;
    while let Some(f) = frames
        .next_frame()
        .map_err(|e| format!("frame {} does not decode: {e}", out.frames))?
    {
        if !f.changed(page) {
            // Another page changed (e.g. AC's graphics); this page is the copy already checked.
            out.frames += 1;
            out.last_ns = Some(f.timestamp_ns());
            continue;
        }
        let c = match check(f.page(page)) {
            Ok(c) => c,
            Err(e) => match paused_writer.and_then(|p| p(f.page(page))) {
                Some(c) => {
                    out.paused_writer.push(c);
                    c
                }
                None => {
                    return Err(format!(
                        "{}: frame {} at {} ns: {e}",
                        path.display(),
                        out.frames,
                        f.timestamp_ns()
                    ));
                }
            },
        };
        if segment != Some(f.segment()) {
            segment = Some(f.segment());
            out.counters.push(Vec::new());
        }
        let seg = out.counters.last_mut().unwrap();
        if let Some(&prev) = seg.last()
            && c <= prev
        {
            return Err(format!(
                "{}: frame {} repeats or reorders: update {c} after {prev}",
                path.display(),
                out.frames
            ));
        }
        seg.push(c);
        out.frames += 1;
        out.last_ns = Some(f.timestamp_ns());
    }
    Ok(out)
}
