//! `ksana export --format csv|jsonl` from the command line, on fake-sim recordings
//! (`ksana simulate -o`): --lap, --channels, --rate, --list-channels, --list-formats, errors
//! that leave no file behind, and `--format ibt` refusing the channel flags.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ksana(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(args)
        .output()
        .expect("run ksana")
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "ksana failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    assert!(!o.status.success(), "ksana should have failed");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// 200 s of the fake ACC (`laps` scenario) at 10 Hz: lap 2 is complete.
fn acc(dir: &Path) -> PathBuf {
    let f = dir.join("acc.ksana");
    ok(&ksana(&[
        os("simulate"),
        os("--sim"),
        os("acc"),
        os("-o"),
        f.as_os_str(),
        os("--duration"),
        os("200"),
        os("--rate"),
        os("10"),
    ]));
    f
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn lap_export_holds_exactly_that_lap() {
    let dir = tempfile::tempdir().unwrap();
    let rec = acc(dir.path());
    let out = dir.path().join("lap2.csv");
    let said = ok(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--format"),
        os("csv"),
        os("--lap"),
        os("2"),
        os("--channels"),
        os("completedLaps,normalizedCarPosition"),
        os("-o"),
        out.as_os_str(),
    ]));
    assert!(said.contains("rows × 4 columns as csv"), "{said}");
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(3)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(rows.len() > 800, "a lap of ~89 s at 10 Hz: {}", rows.len());
    for r in &rows {
        assert_eq!(r[1], "2", "lap column: {r:?}");
        assert_eq!(r[2], "1", "completedLaps: {r:?}");
    }
    // Starts just after the line, ends just before it.
    let pos = |r: &Vec<&str>| r[3].parse::<f32>().unwrap();
    assert!(pos(&rows[0]) < 0.01, "{:?}", rows[0]);
    assert!(pos(rows.last().unwrap()) > 0.99, "{:?}", rows.last());

    let e = err(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--format"),
        os("csv"),
        os("--lap"),
        os("9"),
        os("-o"),
        dir.path().join("lap9.csv").as_os_str(),
    ]));
    assert!(e.contains("has no lap 9; laps found: 1, 2"), "{e}");
}

#[test]
fn jsonl_with_rate_and_channels() {
    let dir = tempfile::tempdir().unwrap();
    let rec = acc(dir.path());
    let out = dir.path().join("x.jsonl");
    ok(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--format"),
        os("jsonl"),
        os("--rate"),
        os("1"),
        os("--from"),
        os("10"),
        os("--to"),
        os("0:20"),
        os("--channels"),
        os("speedKmh,track"),
        os("-o"),
        out.as_os_str(),
    ]));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 11, "10 s to 20 s at 1 Hz, both ends");
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["time_s"], serde_json::json!(10 + i as u64));
        assert_eq!(l["track"], "ksana_ring");
        assert!(l["speedKmh"].as_f64().unwrap() > 0.0);
        let keys: Vec<&str> = l.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys.len(), 4);
    }
}

#[test]
fn errors_leave_no_file_and_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let rec = acc(dir.path());
    let before = listing(dir.path());
    let out = dir.path().join("bad.csv");
    let e = err(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--format"),
        os("csv"),
        os("--channels"),
        os("speedkmh"),
        os("-o"),
        out.as_os_str(),
    ]));
    assert!(e.contains("\"speedkmh\" (did you mean speedKmh"), "{e}");
    assert_eq!(listing(dir.path()), before, "no partial or temporary file");
    // Default name: the input's with the format's extension; never overwritten.
    let said = ok(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--format"),
        os("csv"),
    ]));
    assert!(said.contains("acc.csv"), "{said}");
    let e = err(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--format"),
        os("csv"),
    ]));
    assert!(e.contains("exists; ksana export never overwrites"), "{e}");
    // The sims' own formats take no channel flags.
    let e = err(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--format"),
        os("ibt"),
        os("--rate"),
        os("10"),
    ]));
    assert!(e.contains("apply to csv and jsonl"), "{e}");
}

#[test]
fn listings() {
    let dir = tempfile::tempdir().unwrap();
    let rec = acc(dir.path());
    let formats = ok(&ksana(&[os("export"), os("--list-formats")]));
    for id in ["csv ", "jsonl ", "ibt "] {
        assert!(formats.contains(id), "{formats}");
    }
    let channels = ok(&ksana(&[
        os("export"),
        rec.as_os_str(),
        os("--list-channels"),
    ]));
    let speed = channels
        .lines()
        .find(|l| l.starts_with("speedKmh "))
        .expect("speedKmh listed");
    let cells: Vec<&str> = speed.split_whitespace().collect();
    assert_eq!(cells, ["speedKmh", "f32", "km/h", "333", "Hz"]);
}
