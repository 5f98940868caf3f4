//! `ksana inspect` run as a user would: on files the format library writes, healthy and broken.

use std::path::Path;

use assert_cmd::Command;
use ksana_format::{
    FieldKind, Header, Marker, MarkerKind, PageSpec, PageUpdate, Writer, WriterOptions,
};

/// Writes 3 s of a 100 Hz two-page recording with a 0.4 s pause and two markers.
fn write_recording(path: &Path, compact: bool) {
    let pages = vec![
        PageSpec::new("physics", 16)
            .with_fields(vec![(FieldKind::F32, 2), (FieldKind::F64, 1)])
            .with_layout("test/physics", 3),
        PageSpec::new("static", 32),
    ];
    let mut header = Header::new("testsim", pages);
    header.start_unix_ns = 1_700_000_000_123_000_000;
    header.metadata.push(("track".into(), "Monza".into()));
    let opts = WriterOptions {
        compact_on_close: compact.then(Default::default),
        ..Default::default()
    };
    let mut w = Writer::create(path, header, opts).unwrap();
    let mut t = 0u64;
    for i in 0..300u32 {
        if i > 0 {
            t += if i == 150 { 400_000_000 } else { 10_000_000 };
        }
        if i == 100 {
            w.add_marker(Marker::new(t, MarkerKind::LapStart, "2"))
                .unwrap();
        }
        let mut phys = (i as f32).to_le_bytes().to_vec();
        phys.extend_from_slice(&(i as f32 * 0.5).to_le_bytes());
        phys.extend_from_slice(&(f64::from(i) / 7.0).to_le_bytes());
        w.write_frame(
            t,
            Some(u64::from(i) + 1000),
            &[
                PageUpdate {
                    page: 0,
                    data: &phys,
                },
                PageUpdate {
                    page: 1,
                    data: &[7u8; 32],
                },
            ],
        )
        .unwrap();
    }
    w.add_marker(Marker::new(t, MarkerKind::User, "end of test"))
        .unwrap();
    w.close().unwrap();
}

/// Frames in the first chunk of the recording at `f`, read through the footer.
fn rec_first_frames(f: &Path) -> u32 {
    let bytes = std::fs::read(f).unwrap();
    let rec = ksana_format::Recording::from_bytes(bytes).unwrap();
    rec.chunks()[0].frame_count
}

/// The binary under test. Not `Command::cargo_bin`: that adds the cargo runner (`wine`) to the
/// command line, which fails when the tests themselves already run under Wine.
fn ksana() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
}

/// `ksana inspect --json [extra] FILE`, expecting exit `code`; the parsed report.
fn inspect_json(f: &Path, extra: &[&str], code: i32) -> serde_json::Value {
    let a = ksana()
        .args(["inspect", "--json"])
        .args(extra)
        .arg(f)
        .assert()
        .code(code);
    serde_json::from_slice(&a.get_output().stdout).unwrap()
}

#[test]
fn text_report_of_a_healthy_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ok.ksana");
    write_recording(&f, false);
    let out = ksana()
        .arg("inspect")
        .arg(&f)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let s = String::from_utf8(out).unwrap();
    for needle in [
        "format      ksana 1.0",
        "sim         testsim",
        "start       2023-11-14T22:13:20.123Z",
        "meta        track = Monza",
        "page      physics (16 bytes)  layout test/physics v3",
        "page      static (32 bytes)",
        "duration    3.380 s",
        "frames      300",
        "mean 88.46 Hz, min 2.50 Hz, max 100.00 Hz (median interval 10.000 ms)",
        "at 1.490 s: 0.400 s",
        "chunks      4",
        "raw 14.1 KiB",
        "lap_start      2",
        "index       footer present",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in:\n{s}");
    }
}

#[test]
fn json_report_follows_the_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ok.ksana");
    write_recording(&f, true);
    let v = inspect_json(&f, &[], 0);
    assert_eq!(v["schema"], "ksana-inspect/1");
    assert_eq!(v["ok"], true);
    assert_eq!(v["sim"], "testsim");
    assert_eq!(v["format_version"], "1.0");
    assert_eq!(v["frames"], 300);
    assert_eq!(
        v["chunks"], 1,
        "a closed file is re-packed into one 3.4 s chunk"
    );
    assert_eq!(v["first_ns"], 0);
    assert_eq!(v["last_ns"], 3_380_000_000u64);
    assert_eq!(v["raw_bytes"], 300 * 48);
    assert_eq!(v["gaps"][0]["length_s"], 0.4);
    assert_eq!(v["markers"][0]["kind"], "lap_start");
    assert_eq!(v["markers"][1]["label"], "end of test");
    assert_eq!(v["index"]["source"], "footer");
    assert_eq!(v["segments"][0]["pages"][0]["layout_version"], 3);
    assert_eq!(v["metadata"][0]["key"], "track");
    assert!(v["damage"].as_array().unwrap().is_empty());
    let stored = v["stored_bytes"].as_u64().unwrap();
    assert_eq!(stored, std::fs::metadata(&f).unwrap().len());
}

#[test]
fn corrupt_chunk_exits_2_naming_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.ksana");
    write_recording(&f, false);
    let rec = ksana_format::Recording::open(&f).unwrap();
    let second = rec.chunks()[1];
    drop(rec);
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[second.offset as usize + 40] ^= 0x10;
    std::fs::write(&f, &bytes).unwrap();
    let a = ksana().arg("inspect").arg(&f).assert().code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    let expected = format!(
        "bad.ksana: at byte {}: checksum mismatch",
        second.offset + 16
    );
    assert!(err.contains(&expected), "stderr lacks {expected:?}:\n{err}");
    assert!(err.contains("--salvage"));
    // The JSON report counts only the chunk read before the damage, and names the damage.
    let v = inspect_json(&f, &[], 2);
    assert_eq!(v["chunks"], 1);
    assert_eq!(v["damage"][0]["offset"], second.offset);
    assert_eq!(v["raw_bytes"], u64::from(rec_first_frames(&f)) * 48);
    // With --salvage the other chunks are read, the damage is reported, and it still exits 2.
    let v = inspect_json(&f, &["--salvage"], 2);
    assert_eq!(v["ok"], false);
    assert_eq!(v["chunks"], 3);
    assert_eq!(v["damage"][0]["offset"], second.offset);
    assert!(v["frames"].as_u64().unwrap() < 300 && v["frames"].as_u64().unwrap() > 150);
}

#[test]
fn unreadable_files_exit_2_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("empty.ksana", vec![], "at byte 0: the file is empty"),
        (
            "text.ksana",
            b"hello world, not a recording".to_vec(),
            "at byte 0: not a ksana recording",
        ),
        (
            "old.ksr",
            b"RECROCKS\x02\x00\x00\x00".to_vec(),
            "byte 12: truncated: 12 bytes, the file header of an old ksana or shm-debugger (RECROCKS) file has 72",
        ),
        (
            "future.ksana",
            [&ksana_format::MAGIC[..], &[9, 0, 0, 0, 0, 0, 0, 0]].concat(),
            "at byte 8: format version 9.0 is newer",
        ),
    ];
    for (name, bytes, needle) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let a = ksana().arg("inspect").arg(&f).assert().code(2);
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert!(
            err.contains(name) && err.contains(needle),
            "{name}: stderr lacks {needle:?}:\n{err}"
        );
    }
    let a = ksana()
        .arg("inspect")
        .arg(dir.path().join("missing.ksana"))
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("missing.ksana"));
}

#[test]
fn truncated_file_reports_what_survived_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("cut.ksana");
    write_recording(&f, false);
    let rec = ksana_format::Recording::open(&f).unwrap();
    let third = rec.chunks()[2];
    let before: u32 = rec.chunks()[..2].iter().map(|c| c.frame_count).sum();
    drop(rec);
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..third.offset as usize + 100]).unwrap();
    let v = inspect_json(&f, &[], 2);
    assert_eq!(v["frames"], before);
    assert_eq!(v["index"]["source"], "rebuilt");
    assert_eq!(v["damage"][0]["offset"], third.offset);
    assert_eq!(v["damage"][0]["bytes"], 100);
}

#[test]
fn synth_writes_a_recording_inspect_reads() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("demo.ksana");
    ksana()
        .args(["synth", "--profile", "iracing", "--seconds", "3", "-o"])
        .arg(&f)
        .assert()
        .success();
    let v = inspect_json(&f, &[], 0);
    assert_eq!(v["sim"], "iracing");
    assert_eq!(v["frames"], 181);
    assert!(v["ratio"].as_f64().unwrap() > 3.0);
}
