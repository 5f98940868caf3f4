//! #6's scenario tests: the fake sim runs a scripted scenario into a private shared-memory
//! root, `ksana dump` records it from there as it would a real sim, and `ksana laps --json`
//! must report exactly the sessions and laps the scenario scripted: the structure (sessions,
//! types, lap numbers, flags) against expectations written here from docs/FAKESIM.md, and the
//! times (±1 ms) and sectors against the fake sim's own book (`--truth`), which the world keeps
//! by its own clock, independently of the lap engine.
#![cfg(unix)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Sim seconds per wall second: a ~90 s lap takes ~3 s.
const SPEED: &str = "30";

fn ksana() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
}

/// Two at a time at most: each runs a 1 kHz writer and a recorder, on a 2-core machine.
static SLOTS: std::sync::Mutex<u32> = std::sync::Mutex::new(0);
static FREED: std::sync::Condvar = std::sync::Condvar::new();

struct Slot;
impl Slot {
    fn take() -> Slot {
        let mut n = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        while *n >= 2 {
            n = FREED.wait(n).unwrap_or_else(|e| e.into_inner());
        }
        *n += 1;
        Slot
    }
}
impl Drop for Slot {
    fn drop(&mut self) {
        let mut n = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        *n -= 1;
        FREED.notify_one();
    }
}

fn wait(child: &mut Child, timeout: Duration, what: &str) {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(st.success(), "{what} failed: {st}");
            return;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            panic!("{what} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(child: &Child) {
    // SIGINT through kill(1): no unsafe code in tests.
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

/// Runs `scenario` of `sim` through shared memory and the recorder; returns (`ksana laps
/// --json` of the recording, the fake sim's truth).
fn run(sim: &str, scenario: &str) -> (Value, Value) {
    let _slot = Slot::take();
    let root = ksana_testkit::shm_root();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ksana");
    let truth = dir.path().join("truth.json");
    let mut fake = ksana()
        .args([
            "simulate",
            "--sim",
            sim,
            "--scenario",
            scenario,
            "--speed",
            SPEED,
        ])
        .args(["--seed", "7", "--start-delay", "1.5", "--no-status-server"])
        .arg("--shm-dir")
        .arg(root.path())
        .arg("--truth")
        .arg(&truth)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut dump = ksana()
        .args(["dump", "--sim", sim, "--no-db", "--shm-dir"])
        .arg(root.path())
        .arg("-o")
        .arg(&rec)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait(&mut fake, Duration::from_secs(180), "ksana simulate");
    std::thread::sleep(Duration::from_millis(500));
    interrupt(&dump);
    wait(&mut dump, Duration::from_secs(60), "ksana dump");
    let out = ksana().args(["laps", "--json"]).arg(&rec).output().unwrap();
    assert!(
        out.status.success(),
        "ksana laps failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let laps: Value = serde_json::from_slice(&out.stdout).unwrap();
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
    (laps, truth)
}

/// One expected lap: number, finished, valid, out, in, partial.
type L = (u64, bool, bool, bool, bool, bool);

/// A finished lap with these flags.
const fn lap(n: u64, valid: bool, out: bool, inl: bool) -> L {
    (n, true, valid, out, inl, false)
}
/// The unfinished lap a session ends with.
const fn unfinished(n: u64, out: bool) -> L {
    (n, false, false, out, false, true)
}

fn ms(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// Checks the detected report against the scripted structure and the truth's times.
fn check(sim: &str, scenario: &str, expect: &[(&str, &[L])]) {
    let (got, truth) = run(sim, scenario);
    let ctx = format!("{sim} {scenario}:\ndetected {got:#}\ntruth {truth:#}");
    let sessions = got["sessions"].as_array().expect("sessions");
    let tsessions = truth["sessions"].as_array().expect("truth sessions");
    assert_eq!(sessions.len(), expect.len(), "session count; {ctx}");
    assert_eq!(tsessions.len(), expect.len(), "truth session count; {ctx}");
    for (i, (ty, laps)) in expect.iter().enumerate() {
        let s = &sessions[i];
        let t = &tsessions[i];
        assert_eq!(s["sim"], sim, "{ctx}");
        assert_eq!(s["session_type"], *ty, "session {i} type; {ctx}");
        assert_eq!(t["session_type"], *ty, "truth session {i} type; {ctx}");
        assert!(!s["track"].as_str().unwrap_or("").is_empty(), "{ctx}");
        assert!(!s["car"].as_str().unwrap_or("").is_empty(), "{ctx}");
        let gl = s["laps"].as_array().unwrap();
        let tl = t["laps"].as_array().unwrap();
        assert_eq!(gl.len(), laps.len(), "session {i} lap count; {ctx}");
        assert_eq!(tl.len(), laps.len(), "truth session {i} lap count; {ctx}");
        for (j, &(n, finished, valid, out, inl, partial)) in laps.iter().enumerate() {
            let g = &gl[j];
            let tr = &tl[j];
            let at = format!("session {i} lap {n}; {ctx}");
            assert_eq!(g["number"], n, "{at}");
            assert_eq!(tr["number"], n, "{at}");
            assert_eq!(g["valid"], valid, "valid {at}");
            assert_eq!(g["out_lap"], out, "out {at}");
            assert_eq!(g["in_lap"], inl, "in {at}");
            assert_eq!(g["partial"], partial, "partial {at}");
            assert_eq!(tr["valid"], valid, "truth valid {at}");
            assert_eq!(tr["out_lap"], out, "truth out {at}");
            assert_eq!(tr["in_lap"], inl, "truth in {at}");
            assert_eq!(tr["partial"], partial, "truth partial {at}");
            match (ms(&g["time_ms"]), ms(&tr["time_ms"])) {
                (Some(a), Some(b)) => {
                    assert!(finished, "unfinished lap has a time; {at}");
                    assert!((a - b).abs() <= 1.0, "time {a} vs truth {b}; {at}");
                }
                (None, None) => assert!(!finished, "finished lap without time; {at}"),
                (a, b) => panic!("time {a:?} vs truth {b:?}; {at}"),
            }
            let gs = g["sectors_ms"].as_array().unwrap();
            let ts = tr["sectors_ms"].as_array().unwrap();
            if finished {
                assert_eq!(gs.len(), ts.len(), "sector count {at}");
                for (k, (a, b)) in gs.iter().zip(ts).enumerate() {
                    match (ms(a), ms(b)) {
                        (Some(a), Some(b)) => {
                            assert!((a - b).abs() <= 1.0, "sector {k}: {a} vs truth {b}; {at}")
                        }
                        (None, None) => {}
                        (a, b) => panic!("sector {k}: {a:?} vs truth {b:?}; {at}"),
                    }
                }
                if !partial {
                    let sum: f64 = gs.iter().filter_map(ms).sum();
                    let t = ms(&g["time_ms"]).unwrap();
                    assert!(
                        gs.iter().all(|s| s.is_number()) && (sum - t).abs() <= 2.0,
                        "sectors {gs:?} do not add up to {t}; {at}"
                    );
                }
            }
        }
    }
}

macro_rules! scenario_tests {
    ($($name:ident: $scenario:literal => $expect:expr;)*) => {
        mod acc {
            use super::*;
            $(#[test] fn $name() { check("acc", $scenario, $expect) })*
        }
        mod iracing {
            use super::*;
            $(#[test] fn $name() { check("iracing", $scenario, $expect) })*
        }
    };
}

scenario_tests! {
    offtrack_invalidates_the_lap: "offtrack" => &[("practice", &[
        lap(1, true, true, false), lap(2, false, false, false), lap(3, true, false, false),
        unfinished(4, false)])];
    offtrack_in_the_last_second_sticks_to_that_lap: "offtrack-late" => &[("practice", &[
        lap(1, true, true, false), lap(2, false, false, false), lap(3, true, false, false),
        unfinished(4, false)])];
    pit_stop_makes_in_and_out_laps: "pitstop" => &[("practice", &[
        lap(1, true, true, false), lap(2, true, false, false), lap(3, true, false, true),
        lap(4, true, true, false), lap(5, true, false, false), unfinished(6, false)])];
    restart_before_a_lap_is_complete_starts_a_new_session: "restart" => &[
        ("practice", &[unfinished(1, true)]),
        ("practice", &[lap(1, true, true, false), lap(2, true, false, false), unfinished(3, false)])];
    session_type_change_starts_a_new_session: "session-change" => &[
        ("practice", &[lap(1, true, true, false), lap(2, true, false, false), unfinished(3, false)]),
        ("qualify", &[lap(1, true, true, false), lap(2, true, false, false), unfinished(3, false)])];
    pause_is_ignored: "pause" => &[("practice", &[
        lap(1, true, true, false), lap(2, true, false, false), lap(3, true, false, false),
        unfinished(4, false)])];
    replay_is_ignored: "replay" => &[("practice", &[
        lap(1, true, true, false), lap(2, true, false, false), lap(3, true, false, false),
        unfinished(4, false)])];
    quitting_to_the_menu_ends_the_session: "menu" => &[
        ("practice", &[lap(1, true, true, false), lap(2, true, false, false), unfinished(3, false)]),
        ("practice", &[lap(1, true, true, false), lap(2, true, false, false), unfinished(3, false)])];
    mid_session_start_marks_the_first_lap_partial: "midsession" => &[("practice", &[
        (3, true, true, false, false, true), lap(4, true, false, false), unfinished(5, false)])];
    short_sessions_are_kept: "short" => &[("practice", &[
        lap(1, true, true, false), unfinished(2, false)])];
}

/// The real fixture: a car in the pit lane during lap 9, no lap completed.
#[test]
fn ibt_fixture_with_the_car_in_the_pit_lane_has_no_completed_lap() {
    let Some(ibt) = ksana_testkit::fixture("iracing/ibt_2024_390rows.ibt") else {
        return;
    };
    let out = ksana().args(["laps", "--json"]).arg(&ibt).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{v:#}");
    let laps = sessions[0]["laps"].as_array().unwrap();
    assert!(
        laps.iter().all(|l| l["time_ms"].is_null()),
        "no lap is completed in the fixture: {v:#}"
    );
    assert_eq!(laps.len(), 1, "{v:#}");
    assert_eq!(laps[0]["number"], 9, "{v:#}");
    assert_eq!(laps[0]["partial"], true, "{v:#}");
    // The table form does not crash either.
    let out = ksana().arg("laps").arg(&ibt).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("iracing"));
}

/// `kill -9` of `ksana dump` right after it reported laps: every reported lap is in the lap
/// database and in the recording (the marker and its frames were flushed before the report).
#[test]
fn killing_dump_loses_no_reported_lap() {
    use std::io::{BufRead, BufReader};
    let _slot = Slot::take();
    let root = ksana_testkit::shm_root();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ksana");
    let db = dir.path().join("laps.db");
    let mut fake = ksana()
        .args([
            "simulate",
            "--sim",
            "acc",
            "--scenario",
            "laps",
            "--speed",
            SPEED,
        ])
        .args(["--start-delay", "1.5", "--duration", "120"])
        .arg("--shm-dir")
        .arg(root.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut dump = ksana()
        .args(["dump", "--sim", "acc", "--shm-dir"])
        .arg(root.path())
        .arg("-o")
        .arg(&rec)
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(dump.stdout.take().unwrap());
    // "lap 1   1:35.123  S1 …": the number and time of each lap reported.
    let mut reported: Vec<(u64, String)> = Vec::new();
    for line in out.lines() {
        let line = line.unwrap();
        let mut w = line.split_whitespace();
        if w.next() == Some("lap") {
            let n: u64 = w.next().unwrap().parse().unwrap();
            reported.push((n, w.next().unwrap().to_string()));
            if reported.len() == 3 {
                break;
            }
        }
    }
    let _ = dump.kill();
    let _ = dump.wait();
    let _ = fake.kill();
    let _ = fake.wait();
    assert_eq!(reported.len(), 3, "dump reported {reported:?}");
    let text = |ms: &Value| {
        let ms = ms.as_u64().unwrap();
        format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
    };
    // In the database, read with the store's own API.
    {
        use ksana_store::LapStore;
        let store = ksana_store::SqliteStore::open(&db).unwrap();
        let sessions = store.sessions(&Default::default()).unwrap();
        assert_eq!(sessions.len(), 1, "{sessions:?}");
        let stored = store.session(sessions[0].id).unwrap().unwrap();
        for (n, time) in &reported {
            let l = stored
                .session
                .laps
                .iter()
                .find(|l| u64::from(l.number) == *n)
                .unwrap_or_else(|| panic!("lap {n} reported but not stored: {stored:?}"));
            if time != "unfinished" {
                let ms = l.time_ms.unwrap();
                assert_eq!(&text(&Value::from(ms)), time, "lap {n}");
            }
        }
    }
    // In the recording, cut by the kill: read what was flushed.
    let out = ksana()
        .args(["laps", "--json", "--salvage"])
        .arg(&rec)
        .output()
        .unwrap();
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    let laps = found["sessions"][0]["laps"].as_array().unwrap().clone();
    // Each reported lap is a marker in the recording.
    let r = ksana_format::Recording::open_with(&rec, ksana_format::ReadOptions { salvage: true })
        .unwrap();
    let lap_markers: Vec<&str> = r
        .markers()
        .iter()
        .filter(|m| m.kind == ksana_format::MarkerKind::LapStart)
        .map(|m| m.label.as_str())
        .collect();
    for (n, time) in &reported {
        let label = format!("lap {n} {time}");
        assert!(
            lap_markers.contains(&label.as_str()),
            "no marker {label:?} in {lap_markers:?}"
        );
    }
    for (n, time) in &reported {
        let l = laps
            .iter()
            .find(|l| l["number"] == *n)
            .unwrap_or_else(|| panic!("lap {n} reported but not in the recording: {found:#}"));
        if time != "unfinished" {
            assert_eq!(&text(&l["time_ms"]), time, "lap {n}: {found:#}");
        }
    }
}

/// `ksana play FILE --lap N` publishes exactly the frames of lap N's time range.
#[test]
fn play_lap_publishes_that_lap_only() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("fake.ksana");
    let st = ksana()
        .args([
            "simulate",
            "--sim",
            "acc",
            "--scenario",
            "offtrack",
            "--rate",
            "50",
            "-o",
        ])
        .arg(&rec)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let out = ksana().args(["laps", "--json"]).arg(&rec).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lap2 = &v["sessions"][0]["laps"][1];
    assert_eq!(lap2["number"], 2);
    let (from, to) = (
        lap2["start_s"].as_f64().unwrap(),
        lap2["end_s"].as_f64().unwrap(),
    );
    assert!((85.0..95.0).contains(&(to - from)), "{lap2}");
    // Frames in the range, counted with the library.
    let r = ksana_format::Recording::open(&rec).unwrap();
    let mut frames = r.frames();
    let mut expected = 0u64;
    while let Some(f) = frames.next_frame().unwrap() {
        let t = f.timestamp_ns();
        let ns = |s: f64| (s * 1e9).round() as u64;
        if t >= ns(from) && t <= ns(to) {
            expected += 1;
        }
    }
    let root = ksana_testkit::shm_root();
    let out = ksana()
        .args(["play", "--lap", "2", "--speed", "16", "--shm-dir"])
        .arg(root.path())
        .arg(&rec)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("lap 2:"), "{text}");
    let played: u64 = text
        .split("played ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(played, expected, "{text}");
    // A lap that does not exist is a clear error listing the laps.
    let out = ksana()
        .args(["play", "--lap", "42", "--shm-dir"])
        .arg(root.path())
        .arg(&rec)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no lap 42") && err.contains("1, 2, 3"),
        "{err}"
    );
}
