//! `ksana import`, `ksana export --format ibt`, and `inspect`/`play` opening an `.ibt` or a
//! live-memory image directly, on the real iRacing fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const IBT: &str = "iracing/ibt_2024_390rows.ibt";

fn ksana() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    ksana().args(args).output().expect("run ksana")
}

fn s(p: &Path) -> &std::ffi::OsStr {
    p.as_os_str()
}

fn os(x: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(x)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn inspect_json(file: &Path) -> serde_json::Value {
    let o = run(&[os("inspect"), os("--json"), s(file)]);
    assert!(
        o.status.success(),
        "inspect {}: {}",
        file.display(),
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).expect("inspect --json prints JSON")
}

/// Files in `dir` (to check that a failed command left nothing behind).
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn meta<'a>(report: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    report["metadata"]
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .and_then(|kv| kv["value"].as_str())
}

#[test]
fn import_then_export_gives_back_the_same_ibt() {
    let Some(ibt) = ksana_testkit::fixture(IBT) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("session.ksana");
    let o = run(&[os("import"), s(&ibt), os("-o"), s(&rec)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("390 frames of iRacing"), "{out}");

    let r = inspect_json(&rec);
    assert_eq!(r["sim"], "iracing");
    assert_eq!(r["frames"], 390);
    assert_eq!(meta(&r, "ibt.source"), Some("ibt_2024_390rows.ibt"));
    assert_eq!(meta(&r, "ibt.session_start_date"), Some("1719258336"));
    assert_eq!(r["start_time_utc"], "2024-06-24T19:45:36.000Z");
    let pages: Vec<&str> = r["segments"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        pages,
        [
            "irsdk_header",
            "irsdk_var_headers",
            "irsdk_session_info",
            "irsdk_row"
        ]
    );
    // 390 rows, 1/60 s apart: 389/60 s from first to last.
    let d = r["duration_s"].as_f64().unwrap();
    assert!((d - 389.0 / 60.0).abs() < 1e-3, "duration {d}");

    let back = dir.path().join("back.ibt");
    let o = run(&[
        os("export"),
        s(&rec),
        os("--format"),
        os("ibt"),
        os("-o"),
        s(&back),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&ibt).unwrap());
    assert_eq!(listing(dir.path()), ["back.ibt", "session.ksana"]);

    // Neither command overwrites; the files stay as they were.
    let before = std::fs::read(&rec).unwrap();
    let o = run(&[os("import"), s(&ibt), os("-o"), s(&rec)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("never overwrites"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&rec).unwrap(), before);
    let o = run(&[
        os("export"),
        s(&rec),
        os("--format"),
        os("ibt"),
        os("-o"),
        s(&back),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(listing(dir.path()), ["back.ibt", "session.ksana"]);
}

#[test]
fn inspect_opens_ibt_files_and_live_images_directly() {
    let Some(ibt) = ksana_testkit::fixture(IBT) else {
        return;
    };
    let r = inspect_json(&ibt);
    assert_eq!(r["frames"], 390);
    assert_eq!(r["sim"], "iracing");
    assert_eq!(r["file"], ibt.display().to_string());
    let Some(dump) = ksana_testkit::fixture("iracing/memdump_2024.bin") else {
        return;
    };
    let r = inspect_json(&dump);
    assert_eq!(r["frames"], 3);
    assert_eq!(meta(&r, "ibt.kind"), Some("live-image"));
    assert_eq!(meta(&r, "ibt.live_tick_counts"), Some("2003,2004,2005"));
    let sizes: Vec<u64> = r["segments"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [112, 323 * 144, 15_146, 8154]);
}

#[test]
fn bad_input_is_exit_2_with_one_line_naming_file_and_offset_and_leaves_nothing() {
    let Some(trunc) = ksana_testkit::fixture("iracing/truncated.ibt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.ksana");
    let o = run(&[os("import"), s(&trunc), os("-o"), s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}: byte 0: header version 1635021600",
            trunc.display()
        )),
        "{err}"
    );
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));

    // The same file through inspect and play: the same error, exit 2.
    let o = run(&[os("inspect"), s(&trunc)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("byte 0: header version"),
        "{}",
        stderr(&o)
    );
    let root = tempfile::tempdir().unwrap();
    let o = run(&[os("play"), os("--shm-dir"), s(root.path()), s(&trunc)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("byte 0: header version"),
        "{}",
        stderr(&o)
    );

    // A file nobody knows.
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"hello, not telemetry").unwrap();
    let o = run(&[os("import"), s(&junk), os("-o"), s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no sim recognises it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(listing(dir.path()), ["junk.bin"]);
}

fn cut_copy(ibt: &Path, dir: &Path, len: usize) -> PathBuf {
    let p = dir.join("cut.ibt");
    let b = std::fs::read(ibt).unwrap();
    std::fs::write(&p, &b[..len]).unwrap();
    p
}

#[test]
fn a_cut_ibt_is_refused_then_salvaged() {
    let Some(ibt) = ksana_testkit::fixture(IBT) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cut = cut_copy(&ibt, dir.path(), 53_764 + 100 * 1072 + 500);
    let out = dir.path().join("cut.ksana");
    let o = run(&[os("import"), s(&cut), os("-o"), s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("cut.ibt: byte {}: truncated", 53_764 + 100 * 1072)),
        "{err}"
    );
    assert!(!out.exists());
    let o = run(&[os("import"), os("--salvage"), s(&cut), os("-o"), s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("note: salvaged"), "{}", stderr(&o));
    let r = inspect_json(&out);
    assert_eq!(r["frames"], 100);
    // Exported back: the first 100 rows of the original, with a record count of 100.
    let back = dir.path().join("back.ibt");
    let o = run(&[
        os("export"),
        s(&out),
        os("--format"),
        os("ibt"),
        os("-o"),
        s(&back),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let b = std::fs::read(&back).unwrap();
    let orig = std::fs::read(&ibt).unwrap();
    assert_eq!(b.len(), 53_764 + 100 * 1072);
    assert_eq!(b[53_764..], orig[53_764..53_764 + 100 * 1072]);
    assert_eq!(i32::from_le_bytes(b[140..144].try_into().unwrap()), 100);
}

#[test]
fn export_names_its_formats_and_refuses_others() {
    let o = run(&[os("export"), os("--list-formats")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ibt "));
    let Some(ibt) = ksana_testkit::fixture(IBT) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let o = run(&[
        os("export"),
        s(&ibt),
        os("--format"),
        os("nope"),
        os("-o"),
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ksana exports: ibt"), "{}", stderr(&o));
    assert!(listing(dir.path()).is_empty());
    // A recording of another sim has no .ibt export.
    let syn = dir.path().join("acc.ksana");
    let o = run(&[os("synth"), os("-o"), s(&syn), os("--seconds"), os("1")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        os("export"),
        s(&syn),
        os("--format"),
        os("ibt"),
        os("-o"),
        s(&out),
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("\"ibt\""), "{}", stderr(&o));
    assert_eq!(listing(dir.path()), ["acc.ksana"]);
}

#[test]
fn play_publishes_an_ibt_directly() {
    let Some(ibt) = ksana_testkit::fixture(IBT) else {
        return;
    };
    let root = ksana_testkit::shm_root();
    let o = ksana()
        .args(["play", "--no-status-server", "--to", "0.09", "--shm-dir"])
        .arg(root.path())
        .arg(&ibt)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ksana play");
    assert!(o.status.success(), "{}", stderr(&o));
    // Frames at 0, 1/60, …, 5/60 s are within the first 0.09 s.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("played 6 frames"), "{out}");
    // On Linux the mapping is a file under the root and outlives the player; on Windows a
    // section dies with its last handle (the live round trips read it while playing).
    if cfg!(unix) {
        let map = std::fs::read(root.path().join("IRSDKMemMapFileName")).expect("the live mapping");
        assert_eq!(map.len(), 1_191_936);
        assert!(map[112..].starts_with(b"---\nWeekendInfo:\n TrackName: spielberg gp"));
    }
}
