//! iRacing `.ibt` and live-image reading, writing and conversion, against the real fixtures
//! (values from `shared/fixtures/iracing/README.md`) and pyirsdk's independent decode.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use ksana_format::Recording;
use ksana_sims::import::ExportOptions;
use ksana_sims::iracing::ibt::{
    IbtErrorKind, IbtFile, IbtKind, IbtOptions, IbtWriter, export_recording, import_recording,
    sniff,
};
use ksana_sims::iracing::layout::{self, Header, VarHeader, VarType, page_index};
use serde_json::Value;

const IBT: &str = "iracing/ibt_2024_390rows.ibt";

fn fixture(rel: &str) -> Option<PathBuf> {
    ksana_testkit::fixture(rel)
}

fn open(p: &Path) -> IbtFile {
    IbtFile::open(p, IbtOptions::default()).expect("fixture opens")
}

fn import(file: &IbtFile) -> Recording {
    let (bytes, _) = import_recording(file, Vec::new()).expect("import");
    Recording::from_bytes(bytes).expect("the imported recording opens")
}

fn export(rec: &Recording) -> Vec<u8> {
    let (out, _) = export_recording(
        rec,
        Cursor::new(Vec::new()),
        Path::new("out.ibt"),
        &ExportOptions::default(),
    )
    .expect("export");
    out.into_inner()
}

fn i32_var(file: &IbtFile, row: &[u8], name: &str) -> i32 {
    let v = file.var(name).expect(name);
    let o = v.offset as usize;
    i32::from_le_bytes(row[o..o + 4].try_into().unwrap())
}

fn f64_var(file: &IbtFile, row: &[u8], name: &str) -> f64 {
    let v = file.var(name).expect(name);
    let o = v.offset as usize;
    f64::from_le_bytes(row[o..o + 8].try_into().unwrap())
}

fn all_rows(file: &IbtFile) -> Vec<Vec<u8>> {
    let mut r = file.rows();
    let mut out = Vec::new();
    while let Some(row) = r.next_row().unwrap() {
        out.push(row.to_vec());
    }
    out
}

#[test]
fn ibt_fixture_has_the_documented_header_and_rows() {
    let Some(p) = fixture(IBT) else { return };
    let f = open(&p);
    assert_eq!(f.kind(), IbtKind::Disk);
    let h = f.header();
    assert_eq!(
        (h.ver, h.status, h.tick_rate, h.session_info_update),
        (2, 1, 60, 0)
    );
    assert_eq!(
        (h.session_info_len, h.session_info_offset),
        (13_876, 39_888)
    );
    assert_eq!((h.num_vars, h.var_header_offset), (276, 144));
    assert_eq!((h.num_buf, h.buf_len), (1, 1072));
    assert_eq!((h.cur_buf_tick_count, h.cur_buf), (0, 0));
    assert_eq!(
        (h.var_buf[0].tick_count, h.var_buf[0].buf_offset),
        (54_661, 53_764)
    );
    for vb in &h.var_buf[1..] {
        assert_eq!(*vb, layout::VarBuf::default());
    }
    let s = f.sub_header().expect("a disk sub-header");
    assert_eq!(s.session_start_date, 1_719_258_336);
    assert!((s.session_start_time - 932.0).abs() < 5e-4);
    assert!((s.session_end_time - 938.483).abs() < 5e-4);
    assert_eq!((s.session_lap_count, s.session_record_count), (1, 390));
    assert_eq!(f.record_count(), 390);
    assert!(f.notes().is_empty(), "{:?}", f.notes());
    assert_eq!(f.vars().len(), 276);
    for name in ["Lat", "Lon", "Alt", "BrakeABScutPct"] {
        assert!(f.var(name).is_some(), "{name} is a disk variable");
    }
    assert!(f.var("IsReplayPlaying").is_none());
    assert!(f.vars().iter().all(|v| !v.name.starts_with("CarIdx")));
    let yaml = f.yaml();
    assert_eq!(yaml.len(), 13_876);
    assert!(yaml.starts_with(b"---\nWeekendInfo:\n TrackName: spielberg gp"));
    assert!(yaml.ends_with(b"\n\n...\n"));
    let text = String::from_utf8_lossy(yaml);
    assert!(text.contains("TrackDisplayName: Red Bull Ring"));
    assert!(text.contains("SessionType: Offline Testing"));
    assert_eq!(f.row_offset(0), 53_764);
    assert_eq!(f.row_offset(389), 53_764 + 389 * 1072);
    let rows = all_rows(&f);
    assert_eq!(rows.len(), 390);
    assert_eq!(i32_var(&f, &rows[0], "SessionTick"), 56_320);
    assert_eq!(i32_var(&f, &rows[389], "SessionTick"), 56_709);
    assert!((f64_var(&f, &rows[0], "SessionTime") - 932.0).abs() < 5e-4);
    assert!((f64_var(&f, &rows[389], "SessionTime") - 938.483).abs() < 5e-4);
    assert!(rows.iter().all(|r| i32_var(&f, r, "Lap") == 9));
    // The sub-header's times are the first and last rows' SessionTime, bit for bit.
    assert_eq!(s.session_start_time, f64_var(&f, &rows[0], "SessionTime"));
    assert_eq!(s.session_end_time, f64_var(&f, &rows[389], "SessionTime"));
}

fn check_memdump(rel: &str, expect: MemdumpFacts) {
    let Some(p) = fixture(rel) else { return };
    let f = open(&p);
    assert_eq!(f.kind(), IbtKind::LiveImage);
    assert!(f.sub_header().is_none());
    let h = f.header();
    assert_eq!((h.ver, h.status, h.tick_rate), (2, 1, 60));
    assert_eq!(h.session_info_update, expect.session_info_update);
    assert_eq!((h.session_info_len, h.session_info_offset), (524_288, 112));
    assert_eq!(
        (h.num_vars, h.var_header_offset),
        (expect.num_vars, 524_400)
    );
    assert_eq!((h.num_buf, h.buf_len), (3, expect.buf_len));
    assert_eq!((h.cur_buf_tick_count, h.cur_buf), (0, 0));
    let slots: Vec<(i32, i32, i32)> = h
        .var_buf
        .iter()
        .map(|b| (b.tick_count, b.buf_offset, b.tick_count_begin))
        .collect();
    assert_eq!(slots, expect.slots);
    assert_eq!(f.var_header_bytes().len() + 524_400, expect.var_headers_end);
    assert_eq!(f.yaml().len(), expect.yaml_len);
    let text = String::from_utf8_lossy(f.yaml());
    assert!(text.starts_with(expect.yaml_start), "{}", &text[..60]);
    assert!(text.contains(expect.track_display));
    assert!(text.contains(expect.first_session_type));
    assert!(!text.contains("Encoding:"));
    // Rows in tickCount order; SessionTick of each.
    assert_eq!(f.record_count(), 3);
    assert_eq!(f.live_ticks(), expect.ticks_in_order);
    let rows = all_rows(&f);
    let session_ticks: Vec<i32> = rows.iter().map(|r| i32_var(&f, r, "SessionTick")).collect();
    assert_eq!(session_ticks, expect.session_ticks_in_order);
    (expect.newest_row_check)(&f, &rows[2]);

    // As a recording: three frames, 1/60 s apart, ticks = tickCount, the YAML up to its NUL.
    let rec = import(&f);
    assert_eq!(rec.header().sim, "iracing");
    assert_eq!(rec.header().meta("ibt.kind"), Some("live-image"));
    let mut frames = rec.frames();
    let mut got = Vec::new();
    while let Some(fr) = frames.next_frame().unwrap() {
        got.push((
            fr.timestamp_ns(),
            fr.tick(),
            fr.page(page_index::ROW).to_vec(),
        ));
        assert_eq!(fr.page(page_index::SESSION_INFO), f.yaml());
        assert_eq!(fr.page(page_index::HEADER), &h.to_page()[..]);
    }
    let want_ticks: Vec<Option<u64>> = expect
        .ticks_in_order
        .iter()
        .map(|&t| Some(t as u64))
        .collect();
    assert_eq!(got.iter().map(|g| g.1).collect::<Vec<_>>(), want_ticks);
    assert_eq!(
        got.iter().map(|g| g.0).collect::<Vec<_>>(),
        vec![0, 16_666_666, 33_333_332]
    );
    assert_eq!(got.into_iter().map(|g| g.2).collect::<Vec<_>>(), rows);
}

struct MemdumpFacts {
    session_info_update: i32,
    num_vars: i32,
    buf_len: i32,
    slots: Vec<(i32, i32, i32)>,
    var_headers_end: usize,
    yaml_len: usize,
    yaml_start: &'static str,
    track_display: &'static str,
    first_session_type: &'static str,
    ticks_in_order: Vec<i32>,
    session_ticks_in_order: Vec<i32>,
    newest_row_check: fn(&IbtFile, &[u8]),
}

#[test]
fn memdump_2024_is_read_as_a_live_image() {
    check_memdump(
        "iracing/memdump_2024.bin",
        MemdumpFacts {
            session_info_update: 3,
            num_vars: 323,
            buf_len: 8154,
            slots: vec![
                (2004, 1_114_224, 0),
                (2005, 1_138_800, 0),
                (2003, 1_163_376, 0),
                (0, 0, 0),
            ],
            var_headers_end: 570_912,
            yaml_len: 15_146,
            yaml_start: "---\nWeekendInfo:\n TrackName: monza full",
            track_display: "TrackDisplayName: Autodromo Nazionale Monza",
            first_session_type: "SessionType: Offline Testing",
            ticks_in_order: vec![2003, 2004, 2005],
            session_ticks_in_order: vec![3441, 3442, 3443],
            newest_row_check: |f, row| {
                let v = f.var("IsReplayPlaying").expect("IsReplayPlaying");
                assert_eq!(v.var_type, VarType::Bool);
                assert_eq!(row[v.offset as usize], 1);
                let s = f.var("Speed").unwrap();
                let o = s.offset as usize;
                assert_eq!(f32::from_le_bytes(row[o..o + 4].try_into().unwrap()), 0.0);
            },
        },
    );
}

#[test]
fn memdump_2021_is_read_as_a_live_image() {
    check_memdump(
        "iracing/memdump_2021.bin",
        MemdumpFacts {
            session_info_update: 8,
            num_vars: 287,
            buf_len: 7419,
            slots: vec![
                (1932, 1_114_224, 0),
                (1933, 1_138_800, 0),
                (1934, 1_163_376, 0),
                (0, 0, 0),
            ],
            var_headers_end: 565_728,
            yaml_len: 17_180,
            yaml_start: "---\nWeekendInfo:\n TrackName: longbeach",
            track_display: "TrackDisplayName: Long Beach",
            first_session_type: "SessionType: Practice",
            ticks_in_order: vec![1932, 1933, 1934],
            session_ticks_in_order: vec![48_443, 48_444, 48_445],
            newest_row_check: |f, row| {
                // The fixture README says the 2021 set has no IsReplayPlaying; it has one
                // (pyirsdk lists it too), reading 0 in the newest row.
                let v = f.var("IsReplayPlaying").expect("IsReplayPlaying");
                assert_eq!(row[v.offset as usize], 0);
                let s = f.var("Speed").unwrap();
                let o = s.offset as usize;
                let speed = f32::from_le_bytes(row[o..o + 4].try_into().unwrap());
                assert!((speed - 17.4).abs() < 0.1, "Speed {speed}");
            },
        },
    );
}

#[test]
fn truncated_fixture_is_rejected_at_byte_0() {
    let Some(p) = fixture("iracing/truncated.ibt") else {
        return;
    };
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!(sniff(&bytes), None);
    let e = IbtFile::open(&p, IbtOptions { salvage: true }).unwrap_err();
    assert_eq!(e.offset, 0);
    assert!(matches!(e.kind, IbtErrorKind::Malformed(_)));
    let text = e.to_string();
    assert!(text.contains("truncated.ibt: byte 0: "), "{text}");
    assert!(text.contains("header version 1635021600"), "{text}");
    assert!(text.contains("not an iRacing file"), "{text}");
}

#[test]
fn ibt_round_trip_through_a_recording_is_byte_exact() {
    let Some(p) = fixture(IBT) else { return };
    let original = std::fs::read(&p).unwrap();
    let f = open(&p);
    let rec = import(&f);
    assert_eq!(rec.header().sim, "iracing");
    assert_eq!(rec.header().start_unix_ns, 1_719_258_336_000_000_000);
    assert_eq!(
        rec.header().meta("ibt.source"),
        Some("ibt_2024_390rows.ibt")
    );
    assert_eq!(rec.header().meta("ibt.kind"), Some("disk"));
    assert_eq!(rec.header().meta("ibt.session_record_count"), Some("390"));
    assert_eq!(rec.header().meta("ibt.var_buf0_tick_count"), Some("54661"));
    assert_eq!(rec.frame_count(), 390);
    let pages = &rec.segments()[0].pages;
    let names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            layout::PAGE_HEADER,
            layout::PAGE_VAR_HEADERS,
            layout::PAGE_SESSION_INFO,
            layout::PAGE_ROW
        ]
    );
    // Timestamps from SessionTime (1/60 s apart), ticks from SessionTick.
    let mut frames = rec.frames();
    let mut n = 0u64;
    while let Some(fr) = frames.next_frame().unwrap() {
        assert_eq!(fr.tick(), Some(56_320 + n));
        let want = n as f64 / 60.0 * 1e9;
        assert!(
            (fr.timestamp_ns() as f64 - want).abs() < 1e5,
            "frame {n} at {} ns",
            fr.timestamp_ns()
        );
        assert_eq!(fr.page(page_index::VAR_HEADERS), f.var_header_bytes());
        assert_eq!(fr.page(page_index::SESSION_INFO), f.yaml());
        n += 1;
    }
    assert_eq!(n, 390);
    let exported = export(&rec);
    assert_eq!(exported.len(), original.len());
    let differ: Vec<usize> = (0..original.len())
        .filter(|&i| original[i] != exported[i])
        .collect();
    assert!(
        differ.is_empty(),
        "bytes differ at {:?}",
        &differ[..differ.len().min(20)]
    );
}

#[test]
fn export_of_a_live_image_is_a_valid_ibt_with_its_rows() {
    let Some(p) = fixture("iracing/memdump_2024.bin") else {
        return;
    };
    let f = open(&p);
    let rec = import(&f);
    let bytes = export(&rec);
    assert_eq!(sniff(&bytes), Some(IbtKind::Disk));
    let g = IbtFile::from_bytes(bytes, Path::new("x.ibt"), IbtOptions::default()).unwrap();
    assert_eq!(g.record_count(), 3);
    assert!(g.notes().is_empty(), "{:?}", g.notes());
    assert_eq!(g.var_header_bytes(), f.var_header_bytes());
    assert_eq!(g.yaml(), f.yaml());
    assert_eq!(g.header().buf_len, 8154);
    assert_eq!(g.header().session_info_update, 0);
    assert_eq!(all_rows(&g), all_rows(&f));
    let s = g.sub_header().unwrap();
    assert_eq!(s.session_record_count, 3);
    let rows = all_rows(&f);
    assert_eq!(s.session_start_time, f64_var(&f, &rows[0], "SessionTime"));
    assert_eq!(s.session_end_time, f64_var(&f, &rows[2], "SessionTime"));
}

/// A small layout for hand-made files: SessionTime, SessionTick, Lap, Speed.
fn tiny_vars() -> (Vec<u8>, usize) {
    let vars = [
        ("SessionTime", VarType::Double, 0u32),
        ("SessionTick", VarType::Int, 8),
        ("Lap", VarType::Int, 12),
        ("Speed", VarType::Float, 16),
    ];
    let mut table = Vec::new();
    for (name, t, off) in vars {
        table.extend_from_slice(
            &VarHeader {
                var_type: t,
                offset: off,
                count: 1,
                count_as_time: false,
                name: name.into(),
                desc: String::new(),
                unit: String::new(),
            }
            .encode(),
        );
    }
    (table, 20)
}

fn tiny_row(i: u32, lap: i32) -> Vec<u8> {
    let mut r = Vec::new();
    r.extend_from_slice(&(100.0 + i as f64 / 60.0).to_le_bytes());
    r.extend_from_slice(&(1000 + i as i32).to_le_bytes());
    r.extend_from_slice(&lap.to_le_bytes());
    r.extend_from_slice(&(i as f32).to_le_bytes());
    r
}

fn tiny_template(buf_len: usize) -> Header {
    Header {
        ver: 2,
        status: 1,
        tick_rate: 60,
        buf_len: buf_len as i32,
        ..Header::default()
    }
}

#[test]
fn writer_counts_laps_and_times_and_a_crashed_writer_keeps_its_rows() {
    let (table, buf_len) = tiny_vars();
    let yaml = b"---\nWeekendInfo:\n TrackName: test\n\n...\n";
    let mut w = IbtWriter::new(
        Cursor::new(Vec::new()),
        Path::new("t.ibt"),
        &tiny_template(buf_len),
        &table,
        yaml,
    )
    .unwrap();
    for i in 0..10 {
        w.write_row(&tiny_row(i, if i < 4 { 1 } else { 2 }))
            .unwrap();
    }
    assert!(w.write_row(&[0u8; 3]).is_err(), "a short row is refused");
    let (out, sub) = w.finish(1_700_000_000, None).unwrap();
    assert_eq!(sub.session_record_count, 10);
    assert_eq!(sub.session_lap_count, 2);
    assert_eq!(sub.session_start_time, 100.0);
    assert_eq!(sub.session_end_time, 100.0 + 9.0 / 60.0);
    let bytes = out.into_inner();
    assert_eq!(bytes.len(), 144 + table.len() + yaml.len() + 10 * buf_len);
    let f = IbtFile::from_bytes(bytes, Path::new("t.ibt"), IbtOptions::default()).unwrap();
    assert_eq!(f.record_count(), 10);
    assert_eq!(f.sub_header().unwrap().session_start_date, 1_700_000_000);
    assert_eq!(f.yaml(), yaml);
    assert_eq!(all_rows(&f)[7], tiny_row(7, 2));

    // A writer that never finishes: the sub-header stays zero, the rows are all there.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crashed.ibt");
    {
        let file = std::fs::File::create(&path).unwrap();
        let mut w = IbtWriter::new(file, &path, &tiny_template(buf_len), &table, yaml).unwrap();
        for i in 0..7 {
            w.write_row(&tiny_row(i, 1)).unwrap();
        }
        drop(w); // no finish
    }
    let f = IbtFile::open(&path, IbtOptions::default()).unwrap();
    assert_eq!(f.sub_header().unwrap().session_record_count, 0);
    assert_eq!(f.record_count(), 7);
    assert!(
        f.notes()[0].contains("sessionRecordCount is 0"),
        "{:?}",
        f.notes()
    );
    // Cut inside the last row: an error naming where the incomplete record starts, or the
    // complete rows with salvage.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 5);
    let rows_at = (144 + table.len() + yaml.len()) as u64;
    let e = IbtFile::from_bytes(bytes.clone(), &path, IbtOptions::default()).unwrap_err();
    assert_eq!(e.offset, rows_at + 6 * buf_len as u64);
    assert!(matches!(e.kind, IbtErrorKind::Truncated(_)), "{e}");
    assert!(e.to_string().contains("crashed.ibt: byte "), "{e}");
    let f = IbtFile::from_bytes(bytes, &path, IbtOptions { salvage: true }).unwrap();
    assert_eq!(f.record_count(), 6);
    assert!(f.notes().iter().any(|n| n.starts_with("salvaged")));
}

#[test]
fn a_cut_ibt_is_refused_with_the_offset_and_salvaged_on_request() {
    let Some(p) = fixture(IBT) else { return };
    let original = std::fs::read(&p).unwrap();
    let cut = 53_764 + 100 * 1072 + 500;
    let bytes = original[..cut].to_vec();
    let e = IbtFile::from_bytes(bytes.clone(), &p, IbtOptions::default()).unwrap_err();
    assert_eq!(e.offset, 53_764 + 100 * 1072);
    assert!(matches!(e.kind, IbtErrorKind::Truncated(_)));
    assert!(e.to_string().contains("sessionRecordCount 390"), "{e}");
    let f = IbtFile::from_bytes(bytes, &p, IbtOptions { salvage: true }).unwrap();
    assert_eq!(f.record_count(), 100);
    let rows = all_rows(&f);
    assert_eq!(rows[99], original[53_764 + 99 * 1072..53_764 + 100 * 1072]);
    // Bytes after the stated records: refused, or the stated records with salvage.
    let mut longer = original.clone();
    longer.extend_from_slice(&[7u8; 10]);
    let e = IbtFile::from_bytes(longer.clone(), &p, IbtOptions::default()).unwrap_err();
    assert_eq!(e.offset, original.len() as u64);
    let f = IbtFile::from_bytes(longer, &p, IbtOptions { salvage: true }).unwrap();
    assert_eq!(f.record_count(), 390);
}

/// Sets an i32 at `at`.
fn put(b: &mut [u8], at: usize, v: i32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn corrupt_headers_are_refused_with_their_field_offset() {
    let Some(p) = fixture(IBT) else { return };
    let original = std::fs::read(&p).unwrap();
    // (field offset, value, expected error offset)
    let table: &[(usize, i32, u64)] = &[
        (0, 3, 0),                    // version
        (24, 5000, 24),               // numVars
        (24, 0, 24),                  // numVars 0: not sniffed as iRacing; header error
        (36, 0, 36),                  // bufLen 0
        (36, i32::MAX, 36),           // bufLen huge
        (16, i32::MAX, 16),           // sessionInfoLen huge (over the YAML limit)
        (16, -5, 20),                 // negative YAML length
        (20, i32::MAX - 10, 471_844), // YAML beyond the end: truncated at the file's end
        (52, 100, 52),                // rows overlapping the headers
        (52, i32::MAX, 471_844),      // rows beyond the end
        (140, -1, 140),               // negative record count
        (140, 391, 471_844),          // one record more than the file holds
        (144, 77, 144),               // var 0 type
        (144 + 4, 2000, 148),         // var 0 offset outside the row
        (144 + 8, 0, 152),            // var 0 count
    ];
    for &(at, v, want) in table {
        let mut b = original.clone();
        put(&mut b, at, v);
        let e = IbtFile::from_bytes(b, &p, IbtOptions::default())
            .expect_err(&format!("field at {at} = {v} must be refused"));
        assert_eq!(e.offset, want, "field at {at} = {v}: {e}");
    }
}

#[test]
fn cutting_the_fixture_anywhere_never_panics() {
    let Some(p) = fixture(IBT) else { return };
    let original = std::fs::read(&p).unwrap();
    let mut cuts: Vec<usize> = (0..60_000).step_by(97).collect();
    cuts.extend([
        0, 1, 111, 112, 143, 144, 39_887, 39_888, 53_763, 53_764, 53_765,
    ]);
    cuts.extend((53_764..original.len()).step_by(1072 * 13 + 5));
    for cut in cuts {
        let b = original[..cut].to_vec();
        match IbtFile::from_bytes(b.clone(), &p, IbtOptions::default()) {
            Ok(f) => panic!("a file cut at {cut} opened with {} rows", f.record_count()),
            Err(e) => assert!(e.offset <= cut as u64, "cut {cut}: {e}"),
        }
        if let Ok(f) = IbtFile::from_bytes(b, &p, IbtOptions { salvage: true }) {
            assert!(
                cut >= 53_764,
                "salvage opened a file cut at {cut} before the rows"
            );
            assert_eq!(f.record_count(), ((cut - 53_764) / 1072) as u64);
            assert_eq!(all_rows(&f).len() as u64, f.record_count());
        }
    }
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    fn base() -> Vec<u8> {
        let (table, buf_len) = tiny_vars();
        let mut w = IbtWriter::new(
            Cursor::new(Vec::new()),
            Path::new("p.ibt"),
            &tiny_template(buf_len),
            &table,
            b"---\n...\n",
        )
        .unwrap();
        for i in 0..20 {
            w.write_row(&tiny_row(i, 1)).unwrap();
        }
        w.finish(0, None).unwrap().0.into_inner()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any i32 written anywhere in the headers, and any cut: a value or an error, never a
        /// panic, and reading every row of what opened works.
        #[test]
        fn corrupt_files_never_panic(
            at in 0usize..(144 + 4 * 144),
            v in prop_oneof![any::<i32>(), -2i32..5000, Just(i32::MAX), Just(i32::MIN)],
            cut in proptest::option::of(0usize..1000),
            salvage in any::<bool>(),
        ) {
            let mut b = base();
            let at = at.min(b.len() - 4);
            put(&mut b, at, v);
            if let Some(c) = cut { b.truncate(c.min(b.len())); }
            if let Ok(f) = IbtFile::from_bytes(b.clone(), Path::new("p.ibt"), IbtOptions { salvage }) {
                let rows = all_rows(&f);
                prop_assert_eq!(rows.len() as u64, f.record_count());
                if f.kind() == IbtKind::Disk {
                    let (bytes, rep) = import_recording(&f, Vec::new()).unwrap();
                    prop_assert_eq!(rep.frames, f.record_count());
                    let rec = Recording::from_bytes(bytes).unwrap();
                    prop_assert_eq!(rec.frame_count(), f.record_count());
                }
            }
        }
    }
}

// ----- peer checks: pyirsdk's decode of every variable of every row -----

fn peer_dump(args: &[&Path], live: bool) -> Option<Value> {
    let py = ksana_testkit::peer_python()?;
    let script = ksana_testkit::repo_root().join("tools/peers/ibt_dump.py");
    let mut cmd = Command::new(py);
    cmd.arg(script);
    if live {
        cmd.arg("--live");
    }
    let out = cmd.args(args).output().expect("run ibt_dump.py");
    assert!(
        out.status.success(),
        "ibt_dump.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("ibt_dump.py prints JSON"))
}

/// Our decode of one variable, in ibt_dump.py's normalisation.
fn decode(v: &VarHeader, row: &[u8]) -> Value {
    let one = |i: usize| -> Value {
        let o = v.offset as usize + i * v.var_type.size();
        let b = &row[o..o + v.var_type.size()];
        match v.var_type {
            VarType::Char => Value::from(b[0]),
            VarType::Bool => Value::from(b[0] != 0),
            VarType::Int => Value::from(i32::from_le_bytes(b.try_into().unwrap())),
            VarType::BitField => Value::from(u32::from_le_bytes(b.try_into().unwrap())),
            VarType::Float => {
                Value::from((f32::from_le_bytes(b.try_into().unwrap()) as f64).to_bits())
            }
            VarType::Double => Value::from(f64::from_le_bytes(b.try_into().unwrap()).to_bits()),
        }
    };
    if v.count == 1 {
        one(0)
    } else {
        Value::Array((0..v.count as usize).map(one).collect())
    }
}

/// Every variable of every row of the recording equals the peer's decode.
fn assert_rows_match(rec: &Recording, vars: &[VarHeader], peer: &Value) {
    let rows = peer["rows"].as_array().expect("rows");
    let names: Vec<&str> = peer["vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vars.iter().map(|v| v.name.as_str()).collect::<Vec<_>>()
    );
    let mut frames = rec.frames();
    let mut i = 0;
    let mut compared = 0u64;
    while let Some(fr) = frames.next_frame().unwrap() {
        let row = fr.page(page_index::ROW);
        let peer_row = rows[i].as_object().unwrap();
        for v in vars {
            let ours = decode(v, row);
            assert_eq!(&ours, &peer_row[&v.name], "row {i}, variable {}", v.name);
            compared += 1;
        }
        i += 1;
    }
    assert_eq!(i, rows.len());
    assert_eq!(compared, (rows.len() * vars.len()) as u64);
    assert!(compared >= 3 * 276);
}

#[test]
fn peer_every_variable_of_every_row_matches_pyirsdk() {
    let Some(p) = fixture(IBT) else { return };
    let Some(peer) = peer_dump(&[&p], false) else {
        return;
    };
    let f = open(&p);
    assert_eq!(peer["disk"]["session_record_count"], 390);
    assert_eq!(peer["header"]["buf_len"], 1072);
    let rec = import(&f);
    assert_rows_match(&rec, f.vars(), &peer);
}

#[test]
fn peer_live_images_match_an_independent_decode() {
    for rel in ["iracing/memdump_2024.bin", "iracing/memdump_2021.bin"] {
        let Some(p) = fixture(rel) else { return };
        let Some(peer) = peer_dump(&[&p], true) else {
            return;
        };
        let f = open(&p);
        assert_eq!(peer["yaml_len"], f.yaml().len());
        let rec = import(&f);
        assert_rows_match(&rec, f.vars(), &peer);
    }
}

#[test]
fn peer_pyirsdk_reads_the_exported_ibt_like_the_original() {
    let Some(p) = fixture(IBT) else { return };
    let f = open(&p);
    let rec = import(&f);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exported.ibt");
    std::fs::write(&out, export(&rec)).unwrap();
    let Some(original) = peer_dump(&[&p], false) else {
        return;
    };
    let exported = peer_dump(&[&out], false).unwrap();
    assert_eq!(original["track_name"], "spielberg gp");
    assert_eq!(exported["track_name"], "spielberg gp");
    assert_eq!(exported["disk"], original["disk"]);
    assert_eq!(exported["header"], original["header"]);
    assert_eq!(exported["rows"], original["rows"]);

    // And a live image exported as .ibt: pyirsdk's IBT sees the three rows in tick order.
    let Some(live) = fixture("iracing/memdump_2021.bin") else {
        return;
    };
    let lf = open(&live);
    let out2 = dir.path().join("live.ibt");
    std::fs::write(&out2, export(&import(&lf))).unwrap();
    let peer_live = peer_dump(&[&live], true).unwrap();
    let peer_exported = peer_dump(&[&out2], false).unwrap();
    assert_eq!(peer_exported["disk"]["session_record_count"], 3);
    assert_eq!(peer_exported["track_name"], "longbeach");
    assert_eq!(peer_exported["rows"], peer_live["rows"]);
}

/// Writes the rows of `f` as frames of the current segment of `w`, from `t0` on, with `yaml`.
fn write_rows(w: &mut ksana_format::Writer<Vec<u8>>, f: &IbtFile, t0: u64, yaml: &[u8]) -> u64 {
    let head = f.header().to_page();
    let mut t = t0;
    for (i, row) in all_rows(f).iter().enumerate() {
        let mut ups = vec![ksana_format::PageUpdate {
            page: page_index::ROW,
            data: row,
        }];
        if i == 0 {
            ups.push(ksana_format::PageUpdate {
                page: page_index::HEADER,
                data: &head,
            });
            ups.push(ksana_format::PageUpdate {
                page: page_index::VAR_HEADERS,
                data: f.var_header_bytes(),
            });
            ups.push(ksana_format::PageUpdate {
                page: page_index::SESSION_INFO,
                data: yaml,
            });
        }
        w.write_frame(t, Some(i as u64), &ups).unwrap();
        t += 16_666_667;
    }
    t
}

#[test]
fn export_concatenates_segments_of_one_layout_and_leaves_out_the_others() {
    let (Some(ibt), Some(live)) = (fixture(IBT), fixture("iracing/memdump_2024.bin")) else {
        return;
    };
    let a = open(&ibt);
    let b = open(&live);
    let specs = |f: &IbtFile| layout::page_specs(f.vars(), f.row_len(), f.yaml().len());
    let header = ksana_format::Header::new("iracing", specs(&a));
    let mut w = ksana_format::Writer::new(Vec::new(), header, Default::default()).unwrap();
    let t = write_rows(&mut w, &a, 0, a.yaml());
    w.begin_segment(t, specs(&b), "layout changed").unwrap();
    let t = write_rows(&mut w, &b, t, b.yaml());
    w.begin_segment(t, specs(&a), "layout changed").unwrap();
    let later_yaml = b"---\nWeekendInfo:\n TrackName: later\n\n...\n";
    write_rows(&mut w, &a, t, later_yaml);
    let rec = Recording::from_bytes(w.finish().unwrap()).unwrap();
    let start_s = rec.header().start_unix_ns.div_euclid(1_000_000_000);

    // Default: segments 0 and 2 (same layout), the last YAML, segment 1 named in a note.
    let (out, report) = export_recording(
        &rec,
        Cursor::new(Vec::new()),
        Path::new("multi.ibt"),
        &ExportOptions::default(),
    )
    .unwrap();
    assert_eq!(report.frames, 780);
    assert_eq!(report.notes.len(), 1);
    assert!(
        report.notes[0].contains("segments 1 (3 frames)"),
        "{:?}",
        report.notes
    );
    let g = IbtFile::from_bytes(
        out.into_inner(),
        Path::new("multi.ibt"),
        IbtOptions::default(),
    )
    .unwrap();
    assert_eq!(g.record_count(), 780);
    assert_eq!(g.yaml(), later_yaml);
    assert_eq!(g.var_header_bytes(), a.var_header_bytes());
    let rows = all_rows(&g);
    let want: Vec<Vec<u8>> = all_rows(&a).into_iter().cycle().take(780).collect();
    assert_eq!(rows, want);
    let s = g.sub_header().unwrap();
    assert_eq!(
        s.session_start_date, start_s,
        "no ibt.* metadata: the recording's start"
    );
    // Lap is 9 in every row: one lap; the var_buf0 tick is 0 without metadata.
    assert_eq!(s.session_lap_count, 1);
    assert_eq!(g.header().var_buf[0].tick_count, 0);

    // --segment 1: the live image's rows only.
    let (out, report) = export_recording(
        &rec,
        Cursor::new(Vec::new()),
        Path::new("seg1.ibt"),
        &ExportOptions { segment: Some(1) },
    )
    .unwrap();
    assert_eq!(report.frames, 3);
    assert!(report.notes.is_empty());
    let g = IbtFile::from_bytes(
        out.into_inner(),
        Path::new("seg1.ibt"),
        IbtOptions::default(),
    )
    .unwrap();
    assert_eq!(all_rows(&g), all_rows(&b));
    assert_eq!(g.yaml(), b.yaml());

    // A segment that does not exist.
    let e = export_recording(
        &rec,
        Cursor::new(Vec::new()),
        Path::new("x.ibt"),
        &ExportOptions { segment: Some(7) },
    )
    .unwrap_err();
    assert!(e.to_string().contains("segment 7"), "{e}");
}

#[test]
fn a_damaged_live_image_is_refused_with_the_offset() {
    let Some(p) = fixture("iracing/memdump_2024.bin") else {
        return;
    };
    let original = std::fs::read(&p).unwrap();
    // Cut anywhere before the end of the last row buffer: refused (salvage or not).
    for cut in [
        0usize, 111, 112, 5_000, 524_400, 570_000, 1_114_224, 1_170_000, 1_171_529,
    ] {
        for salvage in [false, true] {
            let e = IbtFile::from_bytes(original[..cut].to_vec(), &p, IbtOptions { salvage })
                .expect_err("a cut live image");
            assert!(
                matches!(e.kind, IbtErrorKind::Truncated(_)),
                "cut {cut}: {e}"
            );
            assert_eq!(e.offset, cut as u64, "cut {cut}: {e}");
        }
    }
    // The end of the last buffer is enough.
    let f = IbtFile::from_bytes(
        original[..1_163_376 + 8154].to_vec(),
        &p,
        IbtOptions::default(),
    )
    .unwrap();
    assert_eq!(f.record_count(), 3);
    // A buffer offset far outside and a YAML capacity beyond the file: the file ends before
    // what the header promises (truncated, at its end); a negative offset: the field.
    let end = original.len() as u64;
    for (at, v, want) in [(52usize, i32::MAX, end), (68, -8, 68), (16, 2_000_000, end)] {
        let mut b = original.clone();
        put(&mut b, at, v);
        let e = IbtFile::from_bytes(b, &p, IbtOptions::default()).unwrap_err();
        assert_eq!(e.offset, want, "field at {at} = {v}: {e}");
    }
}
