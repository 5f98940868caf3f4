//! Crash suite (docs/RELIABILITY.md): the recorder killed with SIGKILL at random moments, the
//! disk filling up under it, and the sim going away and coming back, all against the 1 kHz
//! self-checking test pattern. Every file must open, hold only whole updates in order, and lose
//! at most the last second.
//!
//! `KSANA_CRASH_TRIALS` (default 10) sets the number of kills, `KSANA_CRASH_SEED` replays a run;
//! the full campaign is `KSANA_CRASH_TRIALS=100 cargo test -p ksana --test crash -- --nocapture`.
#![cfg(unix)]

mod reliability;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use ksana_sims::testpattern::check_page;
use reliability::{
    Rng, check_recording, dump, env_number, ksana, serial, shm_root, simulate, unix_ns_now,
    wait_for_file,
};

/// What a crash may cost: the chunk being filled, which closes once it spans 1 s
/// (docs/FORMAT.md §1.11), plus the time to compress and write it. That last part is
/// milliseconds on an idle machine; 0.25 s allows for a loaded 2-core one (the worst seen in a
/// 100-kill run with fuzzers running beside it: 1.025 s). The run prints the real maximum.
const MAX_LOSS_NS: u64 = 1_250_000_000;

/// `ksana inspect --json FILE` reads the file and counts `frames` frames. It exits 0 for a file
/// read entirely and 2 when it reports damage, which for a killed writer may only be its
/// incomplete last block (`tail`, from the library's own reading).
fn inspect_ok(path: &Path, frames: u64, tail: bool) -> Result<(), String> {
    let o = ksana()
        .args(["inspect", "--json"])
        .arg(path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let expected = if tail { 2 } else { 0 };
    if o.status.code() != Some(expected) || err.contains("panicked") {
        return Err(format!(
            "ksana inspect {}: exit {:?}, expected {expected}: {err}",
            path.display(),
            o.status.code()
        ));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).map_err(|e| format!("ksana inspect --json: {e}"))?;
    if v["frames"].as_u64() != Some(frames) {
        return Err(format!(
            "ksana inspect counts {} frames, the library {frames}",
            v["frames"]
        ));
    }
    Ok(())
}

#[test]
fn recorder_killed_at_random_moments_leaves_readable_files_losing_at_most_a_second() {
    let _serial = serial();
    let trials = env_number("KSANA_CRASH_TRIALS", 10);
    let (mut rng, seed) = Rng::from_env("KSANA_CRASH_SEED");
    let root = shm_root();
    let dir = tempfile::tempdir().unwrap();
    // One writer for the whole run; each trial records it and is killed.
    let mut sim = simulate("testpattern", root.path(), 1000, trials as f64 * 6.0 + 30.0);
    std::thread::sleep(Duration::from_millis(300));
    let mut losses = Vec::new();
    let mut failures = Vec::new();
    let mut total_frames = 0;
    let mut total_missed = 0;
    for t in 0..trials {
        let path = dir.path().join(format!("kill{t}.ksana"));
        let mut child = dump("testpattern", root.path(), &path, &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            wait_for_file(&path, Duration::from_secs(20)),
            "trial {t}: the recorder never created its file"
        );
        // From the file's creation: 0 to 3.5 s, so kills land before, inside and after the
        // first chunks, and at every point of a chunk's second.
        let delay = rng.range(0, 3500);
        std::thread::sleep(Duration::from_millis(delay));
        let killed_at = unix_ns_now();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let verdict = check_recording(&path, check_page).and_then(|c| {
            if let Some((reason, _)) = c.damage.iter().find(|(_, tail)| !tail) {
                return Err(format!("damage that is not a crashed tail: {reason}"));
            }
            inspect_ok(&path, c.frames, !c.damage.is_empty())?;
            let newest = c.start_unix_ns + c.last_ns.unwrap_or(0);
            let loss = killed_at.saturating_sub(newest);
            if loss > MAX_LOSS_NS {
                return Err(format!("lost {:.3} s before the kill", loss as f64 / 1e9));
            }
            Ok((c, loss))
        });
        match verdict {
            Ok((c, loss)) => {
                eprintln!(
                    "trial {t}: killed {delay} ms after creation: {} frames, last {:.3} s before the kill, {} updates missed",
                    c.frames,
                    loss as f64 / 1e9,
                    c.missed()
                );
                total_frames += c.frames;
                total_missed += c.missed();
                losses.push(loss);
            }
            Err(e) => {
                eprintln!("trial {t}: killed {delay} ms after creation: FAILED: {e}");
                failures.push(format!("trial {t} ({delay} ms): {e}"));
            }
        }
    }
    let _ = sim.kill();
    let _ = sim.wait();
    losses.sort_unstable();
    if !losses.is_empty() {
        eprintln!(
            "crash suite: {trials} kills (seed {seed}), {} files good, {total_frames} frames, {total_missed} updates missed; loss at kill: median {:.3} s, max {:.3} s",
            losses.len(),
            losses[losses.len() / 2] as f64 / 1e9,
            losses[losses.len() - 1] as f64 / 1e9,
        );
    }
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {trials} trials failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs `dump` in a shell that limits the size of files it writes to `kib` KiB
/// (RLIMIT_FSIZE) and ignores SIGXFSZ, so the write fails with EFBIG as on a full disk.
fn dump_with_file_limit(root: &Path, out: &Path, kib: u32, extra: &[&str]) -> Command {
    let inner = dump("testpattern", root, out, extra);
    let mut c = Command::new("bash");
    c.arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\""))
        .arg(inner.get_program())
        .args(inner.get_args());
    c
}

/// Checks a recording cut short by a full disk: a clear error naming the file, exit 1, and a
/// file that opens with only whole updates.
fn assert_full_disk_outcome(o: &std::process::Output, path: &Path, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!("{what}: exit {:?}\n{err}", o.status.code());
    assert_eq!(o.status.code(), Some(1), "{what}: exit code; {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    let name = path.file_name().unwrap().to_string_lossy();
    let line = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("{what}: no error line: {err}"));
    assert!(line.contains(name.as_ref()), "{what}: {line}");
    assert_eq!(
        line.matches(name.as_ref()).count(),
        1,
        "{what}: the file is named once: {line}"
    );
    let c = check_recording(path, check_page).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(c.frames > 100, "{what}: only {} frames kept", c.frames);
    assert!(
        c.damage.iter().all(|(_, tail)| *tail),
        "{what}: damage beyond the unfinished block: {:?}",
        c.damage
    );
    inspect_ok(path, c.frames, !c.damage.is_empty()).unwrap();
}

#[test]
fn a_full_disk_stops_the_recording_with_a_clear_error_and_a_readable_file() {
    let _serial = serial();
    let root = shm_root();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.ksana");
    let mut sim = simulate("testpattern", root.path(), 1000, 30.0);
    // The pattern does not compress: ~4 MB/s, so 3 MiB fill in under a second of recording.
    let o = dump_with_file_limit(root.path(), &path, 3 * 1024, &["--max-duration", "20"])
        .output()
        .unwrap();
    let _ = sim.kill();
    let _ = sim.wait();
    assert_full_disk_outcome(&o, &path, "file-size limit");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("File too large"),
        "the OS's reason is kept"
    );
}

/// A 3 MiB tmpfs, unmounted on drop.
struct SmallTmpfs(tempfile::TempDir);

impl SmallTmpfs {
    /// Mounts one, or None when this process may not mount (not root, or a container without
    /// CAP_SYS_ADMIN).
    fn mount() -> Option<SmallTmpfs> {
        let d = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=3m", "ksana-full"])
            .arg(d.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallTmpfs(d))
    }
}

impl Drop for SmallTmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn a_really_full_filesystem_stops_the_recording_with_a_clear_error_and_a_readable_file() {
    let _serial = serial();
    let Some(fs) = SmallTmpfs::mount() else {
        // Not a pass in disguise: the file-size-limit test above covers the same path with
        // EFBIG; this one needs the right to mount.
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)");
        return;
    };
    let root = shm_root();
    let path = fs.0.path().join("full.ksana");
    let mut sim = simulate("testpattern", root.path(), 1000, 30.0);
    let o = dump("testpattern", root.path(), &path, &["--max-duration", "20"])
        .output()
        .unwrap();
    let _ = sim.kill();
    let _ = sim.wait();
    assert_full_disk_outcome(&o, &path, "full tmpfs");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("No space left on device"),
        "the OS's reason is kept"
    );
}

#[test]
fn the_sim_going_away_and_coming_back_continues_the_recording_in_a_new_segment() {
    let _serial = serial();
    let root = shm_root();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.ksana");
    let mut first = simulate("testpattern", root.path(), 1000, 2.0);
    std::thread::sleep(Duration::from_millis(200));
    let rec = dump("testpattern", root.path(), &path, &["--max-duration", "9"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    first.wait().unwrap();
    // Gone: the page says stopped. Then the writer disappears for a while and restarts,
    // counting from 1 again.
    std::thread::sleep(Duration::from_millis(1500));
    let mut second = simulate("testpattern", root.path(), 1000, 2.0);
    second.wait().unwrap();
    // The page file itself vanishes (the sim's memory is freed) and a third run recreates it.
    std::fs::remove_file(root.path().join("ksana_testpattern")).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut third = simulate("testpattern", root.path(), 1000, 2.0);
    third.wait().unwrap();
    let o = rec.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let c = check_recording(&path, check_page).unwrap();
    eprintln!(
        "segments {}, (first update, frames) per sim run {:?}",
        c.segments,
        c.counters
            .iter()
            .map(|r| (r[0], r.len()))
            .collect::<Vec<_>>()
    );
    assert_eq!(c.counters.len(), 3, "one run of frames per sim run");
    for (i, run) in c.counters.iter().enumerate() {
        // Each run lasts 2 s (up to 2000 updates: the writer does not catch up when the OS
        // wakes it late); the recorder finds a restarted sim within about a second (probing
        // four times a second, a sim is live once its counter moves), then misses nothing.
        assert!(
            run[0] < 1500,
            "sim run {i}: first recorded update {}",
            run[0]
        );
        assert!(run.len() > 400, "sim run {i}: {} frames", run.len());
    }
    // Whether every update of a run is caught is the 1 kHz recording test's claim
    // (record_play.rs); on a loaded machine a few may be missed here, so only reported.
    eprintln!("updates missed within runs: {}", c.missed());
    assert!(c.segments >= 3, "{} segments", c.segments);
}

/// Names in an iRacing var-header page (144-byte headers, the name at bytes 16..48).
fn iracing_var_names(page: &[u8]) -> Vec<String> {
    page.chunks(144)
        .map(|h| {
            let n = &h[16..48];
            let end = n.iter().position(|&c| c == 0).unwrap_or(n.len());
            String::from_utf8_lossy(&n[..end]).into_owned()
        })
        .collect()
}

#[test]
fn the_sim_changing_layout_mid_recording_continues_in_a_new_segment_of_the_new_layout() {
    use ksana_sims::iracing::pattern::check_row;
    let _serial = serial();
    let root = shm_root();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relayout.ksana");
    // The iRacing stand-in at its 60 Hz: var set A (16 variables, 320-byte rows).
    let mut first = simulate("iracing", root.path(), 60, 60.0);
    std::thread::sleep(Duration::from_millis(500));
    let rec = dump("iracing", root.path(), &path, &["--max-duration", "12"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    // The sim disappears without a goodbye (status stays 1, the ticks stop), then restarts
    // with another car: a writer started on set A's mapping publishes set B (20 variables,
    // 592-byte rows), after the 2 s disconnect consumers need before a new layout.
    first.kill().unwrap();
    first.wait().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut second = simulate("iracing", root.path(), 60, 60.0);
    let o = rec.wait_with_output().unwrap();
    // Killed after the recording ended: its stop would republish the last row (not checked).
    let _ = second.kill();
    let _ = second.wait();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    // Every recorded row is one whole tick's, in order within each segment.
    let c = reliability::check_recording_page(&path, 3, check_row).unwrap();
    // The layout each segment's frames carry: (segment, var names, YAML, row length).
    let recording = ksana_format::Recording::open(&path).unwrap();
    let mut frames = recording.frames();
    let mut runs: Vec<(u32, Vec<String>, String, usize, u64)> = Vec::new();
    while let Some(f) = frames.next_frame().unwrap() {
        if runs.last().is_none_or(|r| r.0 != f.segment()) {
            runs.push((
                f.segment(),
                iracing_var_names(f.page(1)),
                String::from_utf8_lossy(f.page(2)).into_owned(),
                f.page(3).len(),
                0,
            ));
        }
        let r = runs.last_mut().unwrap();
        assert_eq!(
            f.page(3).len(),
            r.3,
            "row length changed inside segment {}",
            r.0
        );
        r.4 += 1;
    }
    eprintln!(
        "segments {}: {:?}; updates missed within segments: {}",
        c.segments,
        runs.iter()
            .map(|r| (r.0, r.1.len(), r.3, r.4))
            .collect::<Vec<_>>(),
        c.missed()
    );
    assert!(
        runs.len() >= 2,
        "one segment of frames per layout: {}",
        runs.len()
    );
    let (a, b) = (&runs[0], runs.last().unwrap());
    assert!(b.0 > a.0, "the new layout is a later segment");
    assert_eq!(
        (a.1.len(), a.3),
        (16, 320),
        "set A: 16 variables, 320-byte rows"
    );
    assert_eq!(
        (b.1.len(), b.3),
        (20, 592),
        "set B: 20 variables, 592-byte rows"
    );
    assert_eq!(a.1[0], "SessionTime");
    assert!(!a.1.contains(&"FuelLevel".to_string()));
    for v in [
        "SessionTime",
        "SessionTick",
        "FuelLevel",
        "CarIdxGear",
        "ReplayFrameNum",
    ] {
        assert!(b.1.contains(&v.to_string()), "{v} in set B: {:?}", b.1);
    }
    assert!(a.2.contains("CarScreenName: Pattern car A"), "{}", a.2);
    assert!(b.2.contains("CarScreenName: Pattern car B"), "{}", b.2);
    // ~3 s of set A and ~5 s of set B at 60 Hz; loose bounds for a loaded machine.
    assert!(a.4 > 60, "set A: {} frames", a.4);
    assert!(b.4 > 60, "set B: {} frames", b.4);
    // The recording's segment table agrees with the frames.
    let seg = recording
        .segments()
        .iter()
        .find(|s| s.index == b.0)
        .unwrap();
    assert_eq!(seg.pages[1].size, 20 * 144);
    assert_eq!(seg.pages[3].size, 592);
}
