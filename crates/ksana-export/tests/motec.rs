//! MoTeC exports of fake-sim recordings read back by an independent reader, the MIT
//! `motec-i2` crate: header and event/venue/vehicle blocks, channel names, rates and sample
//! counts, sample values against the driver's own resampling (`--rate`), and the `.ldx`
//! beacons against the laps `ksana laps` detects. A snapshot describes a small export.

use std::fmt::Write as _;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ksana_engine::{FakeOptions, detect_laps, write_fake_recording};
use ksana_export::motec::{Details, MotecExporter};
use ksana_export::{ExportError, Exporter, Metadata, Progress, Selection, export};
use ksana_format::Recording;
use ksana_sims::channels::{Channel, Row, ValueRef};
use ksana_synth::world::Scenario;
use motec_i2::{ChannelMetadata, Datatype, LDReader, Sample};

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

fn names(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| s.to_string()).collect())
}

/// Exports `rec` as MoTeC with its laps and details: (.ld bytes, .ldx text).
fn motec(rec: &Recording, sel: &Selection) -> Result<(Vec<u8>, String), ExportError> {
    let sessions = detect_laps(rec, "fake.ksana").unwrap();
    let laps = sessions.iter().flat_map(|s| s.laps.clone()).collect();
    let details = Details::from_recording(rec.header(), &sessions);
    let (mut ld, mut ldx) = (Vec::new(), Vec::new());
    {
        let mut ex = MotecExporter::new(Box::new(&mut ld))
            .with_ldx(Box::new(&mut ldx), laps)
            .with_details(details);
        export(rec, "fake.ksana", sel, &mut ex, &mut |_: &Progress| {})?;
    }
    Ok((ld, String::from_utf8(ldx).unwrap()))
}

/// An exporter keeping every row's values as f64 (text as NaN), for comparisons.
#[derive(Default)]
struct Collect {
    columns: Vec<String>,
    rows: Vec<Vec<f64>>,
}

impl Exporter for Collect {
    fn begin(&mut self, columns: &[Channel], _: &Metadata) -> Result<(), ExportError> {
        self.columns = columns.iter().map(|c| c.name.clone()).collect();
        Ok(())
    }
    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        let v = (0..row.len())
            .map(|i| match row.get(i) {
                ValueRef::F32(x) => f64::from(x),
                ValueRef::F64(x) => x,
                ValueRef::I32(x) => f64::from(x),
                ValueRef::U32(x) => f64::from(x),
                ValueRef::U64(x) => x as f64,
                ValueRef::Bool(b) => f64::from(u8::from(b)),
                _ => f64::NAN,
            })
            .collect();
        self.rows.push(v);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), ExportError> {
        Ok(())
    }
}

/// The column `name` of `rec` resampled by the driver at `rate` Hz.
fn resampled(rec: &Recording, name: &str, rate: f64) -> Vec<f64> {
    let mut c = Collect::default();
    let sel = Selection {
        channels: names(&[name]),
        rate_hz: Some(rate),
        ..Selection::default()
    };
    export(rec, "x", &sel, &mut c, &mut |_: &Progress| {}).unwrap();
    let i = c.columns.iter().position(|n| n == name).unwrap();
    c.rows.iter().map(|r| r[i]).collect()
}

fn values(r: &mut LDReader<'_, Cursor<Vec<u8>>>, c: &ChannelMetadata) -> Vec<f64> {
    r.channel_data(c)
        .unwrap()
        .iter()
        .map(|s| match s {
            Sample::F32(x) => f64::from(*x),
            Sample::I32(x) => f64::from(*x),
            Sample::I16(x) => f64::from(*x),
        })
        .collect()
}

/// `Time="…"` values of the `.ldx` markers, µs.
fn marker_times(ldx: &str) -> Vec<f64> {
    ldx.split("<Marker ")
        .skip(1)
        .map(|m| {
            let t = m.split("Time=\"").nth(1).unwrap();
            t[..t.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

#[test]
fn acc_laps_are_read_back_by_motec_i2() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", 200, 30.0)).unwrap();
    let sel = Selection {
        channels: names(&["speedKmh", "gear", "rpms", "completedLaps", "track"]),
        ..Selection::default()
    };
    let (ld, ldx) = motec(&rec, &sel).unwrap();
    let mut cur = Cursor::new(ld);
    let mut r = LDReader::new(&mut cur);
    let h = r.read_header().unwrap();
    assert_eq!(
        h.num_channels, 5,
        "lap, four numeric channels; the text `track` left out"
    );
    assert_eq!(h.event_ptr, 0x6E2);
    assert_eq!((h.device_type.as_str(), h.device_version), ("ADL", 420));
    assert_eq!(h.venue, "ksana_ring");
    assert_eq!(h.vehicleid, "ksana_gt3");
    assert_eq!(h.driver, "Ksana Driver");
    assert_eq!(h.session, "practice");
    // The date and time of the first frame, UTC, from the recording's start.
    let start = jiff::Timestamp::from_nanosecond(i128::from(rec.header().start_unix_ns))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC);
    let first = rec.time_range().unwrap().0;
    let at = start
        .checked_add(jiff::SignedDuration::from_nanos(first as i64))
        .unwrap();
    assert_eq!(h.date_string, at.strftime("%d/%m/%Y").to_string());
    assert_eq!(h.time_string, at.strftime("%H:%M:%S").to_string());
    let ev = r.read_event().unwrap().unwrap();
    assert_eq!(
        (ev.name.as_str(), ev.session.as_str()),
        ("fake.ksana", "practice")
    );
    assert_eq!(r.read_venue().unwrap().unwrap().name, "ksana_ring");
    let veh = r.read_vehicle().unwrap().unwrap();
    assert_eq!((veh.id.as_str(), veh._type.as_str()), ("ksana_gt3", "Car"));

    let chans = r.read_channels().unwrap();
    let table: Vec<(&str, u16, &Datatype, &str)> = chans
        .iter()
        .map(|c| (c.name.as_str(), c.sample_rate, &c.datatype, c.unit.as_str()))
        .collect();
    assert_eq!(
        table,
        vec![
            ("Lap Number", 60, &Datatype::I32, ""),
            ("speedKmh", 333, &Datatype::F32, "km/h"),
            ("gear", 333, &Datatype::I32, ""),
            ("rpms", 333, &Datatype::I32, "rpm"),
            ("completedLaps", 60, &Datatype::I32, ""),
        ]
    );
    // Sample counts: every 1/rate s from the first frame to the last, both included.
    let (a, b) = rec.time_range().unwrap();
    let dur = (b - a) as f64 / 1e9;
    assert!(dur > 199.0, "{dur}");
    for c in &chans {
        let want = (dur * f64::from(c.sample_rate) + 1e-6).floor() as u32 + 1;
        assert_eq!(c.data_count, want, "{}", c.name);
    }
    // Values: the driver's own resampling (`--rate`) gives the same samples.
    for (name, idx, rate) in [
        ("speedKmh", 1, 333.0),
        ("rpms", 3, 333.0),
        ("completedLaps", 4, 60.0),
    ] {
        let got = values(&mut r, &chans[idx]);
        let want: Vec<f64> = resampled(&rec, name, rate)
            .iter()
            .map(|v| f64::from(*v as f32))
            .collect();
        assert_eq!(got.len(), want.len(), "{name}");
        assert_eq!(got, want, "{name}");
    }
    let speeds = values(&mut r, &chans[1]);
    assert!(speeds.iter().any(|v| *v > 150.0), "the car is driven");
    let lap = values(&mut r, &chans[0]);
    assert_eq!((lap[0], *lap.last().unwrap()), (1.0, 3.0));

    // The .ldx: one beacon per completed lap at its line crossing, µs from the first frame.
    let sessions = detect_laps(&rec, "x").unwrap();
    let done: Vec<_> = sessions[0]
        .laps
        .iter()
        .filter(|l| l.time_ms.is_some())
        .collect();
    assert_eq!(done.len(), 2, "the out-lap and one flying lap");
    let times = marker_times(&ldx);
    assert_eq!(times.len(), 2, "{ldx}");
    for (t, l) in times.iter().zip(&done) {
        let want = (l.end_s - a as f64 / 1e9) * 1e6;
        assert!((t - want).abs() < 0.01, "{t} vs {want}");
    }
    assert!(times[0] < times[1]);
    // i2's lap 2 (first beacon to second) is the flying lap, the only one that counts.
    assert!(
        ldx.contains("<String Id=\"Total Laps\" Value=\"3\"/>"),
        "{ldx}"
    );
    let best = done[1].time_ms.unwrap();
    assert!(
        ldx.contains(&format!(
            "<String Id=\"Fastest Time\" Value=\"{:02}:{:02}.{:03}\"/>",
            best / 60_000,
            best / 1000 % 60,
            best % 1000
        )),
        "{ldx}"
    );
    assert!(
        ldx.contains("<String Id=\"Fastest Lap\" Value=\"2\"/>"),
        "{ldx}"
    );
}

#[test]
fn every_numeric_acc_channel_with_unique_names() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", 2, 20.0)).unwrap();
    let list = ksana_export::segment_channels(&rec, None).unwrap();
    let numeric = list
        .channels
        .iter()
        .filter(|c| !matches!(c.ty.name(), "string" | "char"))
        .count();
    let (ld, ldx) = motec(&rec, &Selection::default()).unwrap();
    let mut cur = Cursor::new(ld);
    let mut r = LDReader::new(&mut cur);
    let chans = r.read_channels().unwrap();
    assert_eq!(
        chans.len(),
        numeric + 1,
        "every numeric channel and Lap Number"
    );
    assert_eq!(r.read_header().unwrap().num_channels as usize, chans.len());
    let mut seen = std::collections::HashSet::new();
    for c in &chans {
        assert!(seen.insert(c.name.to_lowercase()), "duplicate {}", c.name);
        assert!(c.name.len() <= 31 && c.unit.len() <= 11 && c.short_name.len() <= 7);
        assert!(c.data_count > 0);
    }
    assert!(
        chans
            .iter()
            .any(|c| c.name == "tyreCoreTemperature[0]" && c.unit == "degC")
    );
    assert_eq!(marker_times(&ldx).len(), 0, "no lap ends in 2 s");
}

#[test]
fn iracing_description_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "iracing", 1, 60.0)).unwrap();
    let sel = Selection {
        channels: names(&[
            "SessionTime",
            "Speed",
            "RPM",
            "Gear",
            "OnPitRoad",
            "LapDistPct",
            "PlayerCarIdx",
        ]),
        ..Selection::default()
    };
    let (ld, ldx) = motec(&rec, &sel).unwrap();
    let len = ld.len();
    let mut cur = Cursor::new(ld);
    let mut r = LDReader::new(&mut cur);
    let h = r.read_header().unwrap();
    let mut s = String::new();
    writeln!(s, "file length {len}").unwrap();
    writeln!(
        s,
        "meta 0x{:X}, data 0x{:X}, event 0x{:X}, channels {}",
        h.channel_meta_ptr, h.channel_data_ptr, h.event_ptr, h.num_channels
    )
    .unwrap();
    writeln!(
        s,
        "device {} #{} v{}",
        h.device_type, h.device_serial, h.device_version
    )
    .unwrap();
    writeln!(
        s,
        "driver {:?}, vehicle {:?}, venue {:?}, session {:?}, comment {:?}",
        h.driver, h.vehicleid, h.venue, h.session, h.short_comment
    )
    .unwrap();
    assert_eq!(h.date_string.len(), 10);
    assert_eq!(h.time_string.len(), 8);
    let ev = r.read_event().unwrap().unwrap();
    writeln!(s, "event {:?} {:?} {:?}", ev.name, ev.session, ev.comment).unwrap();
    for c in r.read_channels().unwrap() {
        let v = values(&mut r, &c);
        writeln!(
            s,
            "{:<14} {:<8} {:<6} {:?} {} Hz × {} at 0x{:X}, first {} last {}",
            c.name,
            c.short_name,
            c.unit,
            c.datatype,
            c.sample_rate,
            c.data_count,
            c.data_addr,
            v[0],
            v[v.len() - 1]
        )
        .unwrap();
    }
    s.push_str(&ldx);
    insta::assert_snapshot!("motec_iracing_description", s);
}

#[test]
fn a_fractional_rate_fails_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "iracing", 1, 10.0)).unwrap();
    let sel = Selection {
        rate_hz: Some(12.5),
        ..Selection::default()
    };
    let e = motec(&rec, &sel).unwrap_err().to_string();
    assert!(e.contains("whole numbers of Hz"), "{e}");
}
