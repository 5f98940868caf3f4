//! Exports of small fake-sim recordings (`ksana simulate -o`, deterministic): snapshots of the
//! CSV and JSON Lines, the selection rules (time range, resampling, channels), and errors that
//! come before any output.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ksana_engine::{FakeOptions, write_fake_recording};
use ksana_export::{ExportError, Progress, Selection, Summary, export, exporter};
use ksana_format::Recording;
use ksana_synth::world::Scenario;

/// A fake recording of `sim`: `secs` of the `laps` scenario at `rate` Hz.
fn fake(dir: &Path, sim: &str, secs: u64, rate: f64) -> PathBuf {
    let path = dir.join(format!("{sim}.ksana"));
    let mut o = FakeOptions::new(
        ksana_sims::by_id(sim).unwrap(),
        Arc::new(AtomicBool::new(false)),
    );
    o.scenario = Scenario::Laps;
    o.rate_hz = Some(rate);
    o.duration = Some(Duration::from_secs(secs));
    write_fake_recording(&o, &path).unwrap();
    path
}

fn run(rec: &Recording, format: &str, sel: &Selection) -> Result<(String, Summary), ExportError> {
    let mut out = Vec::new();
    let mut calls = 0;
    let summary = {
        let mut ex = exporter(format, Box::new(&mut out)).unwrap();
        export(rec, "fake.ksana", sel, ex.as_mut(), &mut |_: &Progress| {
            calls += 1
        })?
    };
    assert!(calls >= 1, "progress is reported at least at the end");
    Ok((String::from_utf8(out).unwrap(), summary))
}

fn names(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| s.to_string()).collect())
}

#[test]
fn acc_csv_and_jsonl_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", 2, 20.0)).unwrap();
    let sel = Selection {
        channels: names(&[
            "speedKmh",
            "gear",
            "rpms",
            "completedLaps",
            "wheelSlip[0]",
            "graphics.packetId",
            "track",
            "playerName",
        ]),
        rate_hz: Some(4.0),
        ..Selection::default()
    };
    let (csv, s) = run(&rec, "csv", &sel).unwrap();
    assert_eq!(s.columns, 10, "time_s, lap and the eight channels");
    insta::assert_snapshot!("acc_4hz_csv", csv);
    let (jsonl, _) = run(&rec, "jsonl", &sel).unwrap();
    insta::assert_snapshot!("acc_4hz_jsonl", jsonl);
    // The same rows in both.
    assert_eq!(csv.lines().count() - 3, jsonl.lines().count());
}

#[test]
fn iracing_csv_snapshot_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "iracing", 1, 10.0)).unwrap();
    let sel = Selection {
        channels: names(&[
            "SessionTime",
            "Speed",
            "Gear",
            "RPM",
            "Lap",
            "OnPitRoad",
            "CarIdxLapDistPct[0]",
        ]),
        ..Selection::default()
    };
    let (csv, s) = run(&rec, "csv", &sel).unwrap();
    assert_eq!(s.rows, s.frames, "one row per frame without --rate");
    insta::assert_snapshot!("iracing_10hz_csv", csv);
}

#[test]
fn acc_channel_list_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", 1, 10.0)).unwrap();
    let list = ksana_export::segment_channels(&rec, None).unwrap();
    let text: String = list
        .channels
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}\n",
                c.name,
                c.ty.name(),
                if c.unit.is_empty() { "-" } else { &c.unit },
                c.rate_hz.map_or("-".into(), |r| r.to_string())
            )
        })
        .collect();
    insta::assert_snapshot!("acc_channels", text);
}

#[test]
fn every_channel_by_default_and_time_ranges_are_inclusive() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", 2, 20.0)).unwrap();
    let all = ksana_export::segment_channels(&rec, None).unwrap();
    let (csv, s) = run(&rec, "csv", &Selection::default()).unwrap();
    assert_eq!(s.columns, all.channels.len() + 2);
    let header = csv.lines().nth(2).unwrap();
    assert!(
        header.starts_with("time_s,lap,physics.packetId,gas,brake,"),
        "{header}"
    );
    assert_eq!(s.rows, rec.frame_count());
    // Frames are 50 ms apart from 0: [0.5 s, 1.0 s] holds 11 of them, ends included.
    let sel = Selection {
        from_ns: Some(500_000_000),
        to_ns: Some(1_000_000_000),
        channels: names(&["gas"]),
        ..Selection::default()
    };
    let (csv, s) = run(&rec, "csv", &sel).unwrap();
    assert_eq!(s.rows, 11, "{csv}");
    let times: Vec<&str> = csv
        .lines()
        .skip(3)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(times.first(), Some(&"0.5"));
    assert_eq!(times.last(), Some(&"1"));
}

#[test]
fn resampling_takes_the_latest_frame_at_each_step() {
    let dir = tempfile::tempdir().unwrap();
    // Frames every 100 ms; 3 Hz steps at 0, 333, 667, 1000 ms.
    let rec = Recording::open(fake(dir.path(), "iracing", 1, 10.0)).unwrap();
    let every = run(
        &rec,
        "csv",
        &Selection {
            channels: names(&["SessionTime"]),
            ..Selection::default()
        },
    )
    .unwrap()
    .0;
    let frame_rows: Vec<(String, String)> = every
        .lines()
        .skip(3)
        .map(|l| {
            let mut c = l.split(',');
            (c.next().unwrap().into(), c.nth(1).unwrap().into())
        })
        .collect();
    let sel = Selection {
        channels: names(&["SessionTime"]),
        rate_hz: Some(3.0),
        ..Selection::default()
    };
    let (csv, s) = run(&rec, "csv", &sel).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(3)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(s.rows, 4, "{csv}");
    let at = |t: &str| frame_rows.iter().find(|(ft, _)| ft == t).unwrap().1.clone();
    assert_eq!(rows[0][0], "0");
    assert_eq!(rows[0][2], at("0"));
    assert_eq!(rows[1][0], "0.333333333");
    assert_eq!(rows[1][2], at("0.3"), "latest frame at or before 0.333 s");
    assert_eq!(rows[2][0], "0.666666667");
    assert_eq!(rows[2][2], at("0.6"));
    assert_eq!(rows[3][0], "1");
    assert_eq!(rows[3][2], at("1"), "a frame exactly at the step is taken");
}

#[test]
fn bad_selections_fail_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", 1, 10.0)).unwrap();
    let cases = [
        (
            Selection {
                channels: names(&["speedKmh", "SpeedKmh2", "packetId"]),
                ..Selection::default()
            },
            vec![
                "\"SpeedKmh2\" (did you mean speedKmh",
                "\"packetId\" (did you mean",
                "physics.packetId",
            ],
        ),
        (
            Selection {
                rate_hz: Some(0.0),
                ..Selection::default()
            },
            vec!["--rate must be a positive number"],
        ),
        (
            Selection {
                from_ns: Some(5_000_000_000),
                ..Selection::default()
            },
            vec!["no frames to export in the selected range"],
        ),
        (
            Selection {
                from_ns: Some(2),
                to_ns: Some(1),
                ..Selection::default()
            },
            vec!["--from is after --to"],
        ),
        (
            Selection {
                segment: Some(3),
                ..Selection::default()
            },
            vec!["no frames to export"],
        ),
    ];
    for (sel, want) in cases {
        let mut out = Vec::new();
        let e = {
            let mut ex = exporter("csv", Box::new(&mut out)).unwrap();
            export(&rec, "x", &sel, ex.as_mut(), &mut |_: &Progress| {}).unwrap_err()
        };
        let msg = e.to_string();
        for w in want {
            assert!(msg.contains(w), "{msg:?} lacks {w:?}");
        }
        assert!(out.is_empty(), "nothing written before the error: {msg}");
    }
}

#[test]
fn a_sim_without_channels_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tp.ksana");
    let spec = ksana_format::PageSpec::new("p", 4);
    let mut w = ksana_format::Writer::create(
        &path,
        ksana_format::Header::new("testpattern", vec![spec]),
        ksana_format::WriterOptions::default(),
    )
    .unwrap();
    w.write_frame(
        0,
        None,
        &[ksana_format::PageUpdate {
            page: 0,
            data: &[1, 2, 3, 4],
        }],
    )
    .unwrap();
    w.finish().unwrap();
    let rec = Recording::open(&path).unwrap();
    let e = run(&rec, "jsonl", &Selection::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot read the pages of segment 0"), "{e}");
}

/// An iRacing recording of three segments, two frames each; the third segment's variable list
/// names `Speed` `Spedd`.
fn three_segments(path: &Path) {
    let sim = ksana_sims::by_id("iracing").unwrap();
    let mut f = sim.fake().unwrap();
    let specs = f.pages();
    let mut world = ksana_synth::world::World::new(Scenario::Laps, 1);
    let mut pages = vec![Vec::new(); specs.len()];
    let mut changed = vec![false; specs.len()];
    let mut w = ksana_format::Writer::create(
        path,
        ksana_format::Header::new("iracing", specs.clone()),
        ksana_format::WriterOptions::default(),
    )
    .unwrap();
    let mut t = 0u64;
    for seg in 0..3 {
        if seg > 0 {
            w.begin_segment(t, specs.clone(), "test").unwrap();
        }
        for _ in 0..2 {
            world.step(0.1);
            f.render(world.state(), &mut pages, &mut changed).unwrap();
            if seg == 2 {
                let vp = &mut pages[1];
                let at = vp.windows(6).position(|x| x == b"Speed\0").unwrap();
                vp[at..at + 5].copy_from_slice(b"Spedd");
            }
            let ups: Vec<ksana_format::PageUpdate> = pages
                .iter()
                .enumerate()
                .map(|(i, d)| ksana_format::PageUpdate { page: i, data: d })
                .collect();
            w.write_frame(t, None, &ups).unwrap();
            t += 100_000_000;
        }
    }
    w.finish().unwrap();
}

#[test]
fn segments_share_a_file_only_with_the_same_channels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seg.ksana");
    three_segments(&path);
    let rec = Recording::open(&path).unwrap();
    let e = run(&rec, "csv", &Selection::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("segment 2 has other channels") && e.contains("--segment 2"),
        "{e}"
    );
    let first_two = Selection {
        to_ns: Some(300_000_000),
        channels: names(&["Speed"]),
        ..Selection::default()
    };
    let (_, s) = run(&rec, "csv", &first_two).unwrap();
    assert_eq!(s.rows, 4, "segments 0 and 1 have the same channels");
    let last = Selection {
        segment: Some(2),
        channels: names(&["Spedd"]),
        ..Selection::default()
    };
    let (csv, s) = run(&rec, "csv", &last).unwrap();
    assert_eq!(s.rows, 2);
    assert!(csv.lines().nth(2).unwrap().ends_with(",Spedd"), "{csv}");
    let only0 = Selection {
        segment: Some(0),
        ..Selection::default()
    };
    assert_eq!(run(&rec, "jsonl", &only0).unwrap().1.rows, 2);
}
