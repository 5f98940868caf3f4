//! Every legacy variant, written from the reference in the test (tests/spec), imported and
//! compared frame for frame: page bytes, synthesised timestamps, ticks, metadata.

mod spec;

use std::io::Cursor;
use std::path::Path;

use ksana_format::Recording;
use ksana_legacy::{ConvertOptions, LegacyError, convert};
use ksana_sims::import::{ImportOptions, ImportReport};
use spec::*;

fn import(bytes: &[u8], salvage: bool) -> Result<(Recording, ImportReport), LegacyError> {
    let opts = ConvertOptions {
        import: ImportOptions { salvage },
        modified_unix_ns: Some(1_700_000_010_000_000_000),
    };
    let (out, done) = convert(
        Path::new("old.ksr"),
        Cursor::new(bytes.to_vec()),
        bytes.len() as u64,
        &opts,
        Vec::new(),
    )?;
    Ok((
        Recording::from_bytes(out).expect("a valid recording"),
        done.report,
    ))
}

/// The header page a recording stores: bytes 0..40 of the irsdk header, the rest zero, with
/// numVars as given.
fn header_page(h: &[u8], num_vars: i32) -> Vec<u8> {
    let mut p = h[..40].to_vec();
    p[24..28].copy_from_slice(&num_vars.to_le_bytes());
    p.resize(112, 0);
    p
}

/// One expected frame: timestamp, tick, pages by index.
struct Want {
    ts: u64,
    tick: Option<u64>,
    segment: u32,
    pages: Vec<Vec<u8>>,
}

fn check(rec: &Recording, want: &[Want]) {
    let mut frames = rec.frames();
    let mut n = 0;
    while let Some(f) = frames.next_frame().unwrap() {
        let w = &want[n];
        assert_eq!(f.timestamp_ns(), w.ts, "frame {n} timestamp");
        assert_eq!(f.tick(), w.tick, "frame {n} tick");
        assert_eq!(f.segment(), w.segment, "frame {n} segment");
        assert_eq!(f.pages().len(), w.pages.len(), "frame {n} page count");
        for (i, p) in w.pages.iter().enumerate() {
            assert!(f.page(i) == p.as_slice(), "frame {n} page {i} differs");
        }
        n += 1;
    }
    assert_eq!(n, want.len(), "frame count");
}

fn meta<'a>(rec: &'a Recording, k: &str) -> Option<&'a str> {
    rec.header().meta(&format!("legacy.{k}"))
}

/// An iRacing session of 5 frames: YAML in frames 0 and 3; row of 16 bytes.
struct Irac {
    headers: Vec<Vec<u8>>,
    yamls: Vec<Option<Vec<u8>>>,
    rows: Vec<Vec<u8>>,
}

fn irac_session(frames: u32) -> Irac {
    let mut s = Irac {
        headers: vec![],
        yamls: vec![],
        rows: vec![],
    };
    for n in 0..frames {
        let update = if n < 3 { 1 } else { 2 };
        s.headers.push(irsdk_header(
            3,
            16,
            update,
            1000 + 12 * n as i32,
            (n % 3) as usize,
        ));
        s.yamls.push(match n {
            0 => Some(b"---\nWeekendInfo:\n TrackName: spa\n...\n".to_vec()),
            3 => Some(b"---\nWeekendInfo:\n TrackName: monza\n...\n".to_vec()),
            _ => None,
        });
        s.rows.push(row(16, n));
    }
    s
}

/// What the iRacing session imports to at `fps`, with `table` stored and `num_vars` in the
/// header page.
fn irac_want(s: &Irac, fps: u64, table: &[u8], num_vars: i32) -> Vec<Want> {
    let mut yaml = Vec::new();
    (0..s.rows.len())
        .map(|n| {
            if let Some(y) = &s.yamls[n] {
                yaml = y.clone();
            }
            Want {
                ts: (n as u64 * 1_000_000_000 + fps / 2) / fps,
                tick: Some(1000 + 12 * n as u64),
                segment: 0,
                pages: vec![
                    header_page(&s.headers[n], num_vars),
                    table.to_vec(),
                    yaml.clone(),
                    s.rows[n].clone(),
                ],
            }
        })
        .collect()
}

#[test]
fn ksana_v1_iracing_imports_frame_for_frame() {
    let s = irac_session(5);
    let t = table(&VARS);
    let mut file = ksana_header(1, 5, b"irac", 0);
    for n in 0..5 {
        let p = irac_v1(&s.headers[n], &t, s.yamls[n].as_deref(), &s.rows[n]);
        file.extend(ksana_record(&p));
    }
    let (rec, report) = import(&file, false).unwrap();
    assert_eq!(report.frames, 5);
    assert_eq!(rec.header().sim, "iracing");
    let names: Vec<&str> = rec.segments()[0]
        .pages
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "irsdk_header",
            "irsdk_var_headers",
            "irsdk_session_info",
            "irsdk_row"
        ]
    );
    check(&rec, &irac_want(&s, 5, &t, 3));
    assert_eq!(meta(&rec, "format"), Some("ksana-legacy"));
    assert_eq!(meta(&rec, "file_version"), Some("1"));
    assert_eq!(meta(&rec, "payload_version"), Some("1"));
    assert_eq!(meta(&rec, "sim_id"), Some("irac"));
    assert_eq!(meta(&rec, "fps"), Some("5"));
    assert_eq!(meta(&rec, "frames"), Some("5"));
    assert_eq!(
        meta(&rec, "timestamps"),
        Some(ksana_legacy::TIMESTAMPS_NOTE)
    );
    assert_eq!(meta(&rec, "source"), Some("old.ksr"));
    // Start = modification time − 4 frames at 5 fps.
    assert_eq!(
        rec.header().start_unix_ns,
        1_700_000_010_000_000_000 - 800_000_000
    );
}

#[test]
fn ksana_v2_iracing_with_data_only_frames_and_a_var_header_change() {
    let s = irac_session(5);
    let t = table(&VARS);
    let t2 = table(&VARS2);
    let mut file = ksana_header(2, 60, b"irac", 2);
    // Frames 0-2 with the first set (0 FULL, 1-2 DATA_ONLY); 3 FULL with the second set
    // (row of 20 bytes), 4 DATA_ONLY.
    let mut want = irac_want(&s, 60, &t, 3);
    for (n, w) in want.iter_mut().enumerate() {
        let (p, full) = if n < 3 {
            (
                irac_v2(n == 0, &s.headers[n], &t, s.yamls[n].as_deref(), &s.rows[n]),
                n == 0,
            )
        } else {
            let h = irsdk_header(4, 20, 2, 1000 + 12 * n as i32, n % 3);
            let r = row(20, n as u32);
            w.pages = vec![
                header_page(&h, 4),
                t2.clone(),
                w.pages[2].clone(),
                r.clone(),
            ];
            w.segment = 1;
            (irac_v2(n == 3, &h, &t2, s.yamls[n].as_deref(), &r), n == 3)
        };
        assert_eq!(p[0], if full { 1 } else { 2 });
        file.extend(ksana_record(&p));
    }
    let (rec, report) = import(&file, false).unwrap();
    assert_eq!(report.frames, 5);
    assert_eq!(rec.segments().len(), 2);
    assert_eq!(rec.segments()[1].pages[3].size, 20);
    check(&rec, &want);
    assert_eq!(want[1].ts, 16_666_667);
    assert_eq!(meta(&rec, "file_version"), Some("2"));
    assert_eq!(meta(&rec, "payload_version"), Some("2"));
}

#[test]
fn shm_debugger_iracing_with_all_var_headers() {
    let s = irac_session(4);
    let t = table(&VARS);
    let mut file = shmd_header(5, b"irac");
    for n in 0..4 {
        file.extend(shmd_record(&irac_v1(
            &s.headers[n],
            &t,
            s.yamls[n].as_deref(),
            &s.rows[n],
        )));
    }
    let (rec, _) = import(&file, false).unwrap();
    check(&rec, &irac_want(&s, 5, &t, 3));
    assert_eq!(meta(&rec, "format"), Some("shm-debugger"));
    assert_eq!(meta(&rec, "file_version"), None);
}

#[test]
fn shm_debugger_early_single_var_header_variant() {
    let s = irac_session(4);
    let first = var_header(&VARS[0]);
    let mut file = shmd_header(5, b"irac");
    for n in 0..4 {
        file.extend(shmd_record(&irac_v1(
            &s.headers[n],
            &first,
            s.yamls[n].as_deref(),
            &s.rows[n],
        )));
    }
    let (rec, report) = import(&file, false).unwrap();
    // Only the first var header exists: the header page says numVars 1.
    check(&rec, &irac_want(&s, 5, &first, 1));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("only the first of 3 var headers")),
        "{:?}",
        report.notes
    );
    assert!(meta(&rec, "notes").unwrap().contains("only the first of 3"));
}

#[test]
fn shm_debugger_prototype_header_iracing_and_acc() {
    let s = irac_session(3);
    let t = table(&VARS);
    let mut file = proto_header(10);
    for n in 0..3 {
        file.extend(shmd_record(&irac_v1(
            &s.headers[n],
            &t,
            s.yamls[n].as_deref(),
            &s.rows[n],
        )));
    }
    let (rec, _) = import(&file, false).unwrap();
    check(&rec, &irac_want(&s, 10, &t, 3));
    assert_eq!(meta(&rec, "format"), Some("shm-debugger-prototype"));

    let mut file = proto_header(10);
    let (g, p, st) = (graphics(1700, 1), physics(1000, 7), statics(1000, "1.9", 3));
    let mut frame = g.clone();
    frame.extend(&p);
    frame.extend(&st);
    file.extend(shmd_record(&frame));
    let (rec, _) = import(&file, false).unwrap();
    assert_eq!(rec.header().sim, "acc");
    check(
        &rec,
        &[Want {
            ts: 0,
            tick: Some(7),
            segment: 0,
            pages: vec![padded(&p, 4096), padded(&g, 4096), padded(&st, 4096)],
        }],
    );
}

/// AC frames: (graphics, physics, static?) per frame.
type AcFrames = Vec<(Vec<u8>, Vec<u8>, Option<Vec<u8>>)>;

fn ac_want(frames: &AcFrames, fps: u64) -> Vec<Want> {
    let mut st = Vec::new();
    frames
        .iter()
        .enumerate()
        .map(|(n, (g, p, s))| {
            if let Some(s) = s {
                st = padded(s, 4096);
            }
            Want {
                ts: (n as u64 * 1_000_000_000 + fps / 2) / fps,
                tick: Some(u64::from(u32::from_le_bytes(p[0..4].try_into().unwrap()))),
                segment: 0,
                pages: vec![padded(p, 4096), padded(g, 4096), st.clone()],
            }
        })
        .collect()
}

fn ac_frames(statics_at: &[usize], n: usize, sm: &str) -> AcFrames {
    (0..n)
        .map(|i| {
            let s = statics_at
                .contains(&i)
                .then(|| statics(2048, sm, 1 + (i as u8 / 3)));
            (
                graphics(2048, 10 + i as i32),
                physics(1024, 500 + 3 * i as i32),
                s,
            )
        })
        .collect()
}

#[test]
fn ksana_v1_ac_0_1_every_frame_has_statics() {
    let frames = ac_frames(&[0, 1, 2, 3], 4, "1.9");
    let mut file = ksana_header(1, 5, b"acsa", 0);
    for (g, p, s) in &frames {
        let mut f = g.clone();
        f.extend(p);
        f.extend(s.as_ref().unwrap());
        assert_eq!(f.len(), 5120);
        file.extend(ksana_record(&f));
    }
    let (rec, report) = import(&file, false).unwrap();
    assert_eq!(rec.header().sim, "acc");
    let names: Vec<&str> = rec.segments()[0]
        .pages
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Local\\acpmf_physics",
            "Local\\acpmf_graphics",
            "Local\\acpmf_static"
        ]
    );
    check(&rec, &ac_want(&frames, 5));
    assert!(report.notes.iter().any(|n| n.contains("taken as acc")));
}

#[test]
fn ksana_v1_ac_0_3_statics_only_when_changed_and_ac_told_by_sm_version() {
    let frames = ac_frames(&[0, 3], 5, "1.7");
    let mut file = ksana_header(1, 20, b"acsa", 0);
    for (g, p, s) in &frames {
        let mut f = g.clone();
        f.extend(p);
        if let Some(s) = s {
            f.extend(s);
        }
        assert!(f.len() == 5120 || f.len() == 3072);
        file.extend(ksana_record(&f));
    }
    let (rec, _) = import(&file, false).unwrap();
    assert_eq!(rec.header().sim, "ac");
    check(&rec, &ac_want(&frames, 20));
}

#[test]
fn ksana_v2_ac_with_and_without_statics() {
    let frames = ac_frames(&[0, 2], 4, "1.9");
    let mut file = ksana_header(2, 5, b"acsa", 2);
    for (g, p, s) in &frames {
        let mut f = vec![if s.is_some() { 0x01 } else { 0x02 }];
        f.extend([0u8; 15]);
        f.extend(g);
        f.extend(p);
        if let Some(s) = s {
            f.extend(s);
        }
        assert!(f.len() == 5136 || f.len() == 3088);
        file.extend(ksana_record(&f));
    }
    let (rec, _) = import(&file, false).unwrap();
    check(&rec, &ac_want(&frames, 5));
}

#[test]
fn shm_debugger_accz() {
    let frames: AcFrames = (0..3)
        .map(|i| {
            (
                graphics(1700, i),
                physics(1000, 40 + i),
                Some(statics(1000, "1.9", 1)),
            )
        })
        .collect();
    let mut file = shmd_header(5, b"accz");
    for (g, p, s) in &frames {
        let mut f = g.clone();
        f.extend(p);
        f.extend(s.as_ref().unwrap());
        assert_eq!(f.len(), 3700);
        file.extend(shmd_record(&f));
    }
    let (rec, _) = import(&file, false).unwrap();
    assert_eq!(rec.header().sim, "acc");
    check(&rec, &ac_want(&frames, 5));
}

fn v1_irac_file(frames: usize) -> Vec<u8> {
    let s = irac_session(frames as u32);
    let t = table(&VARS);
    let mut file = ksana_header(1, 5, b"irac", 0);
    for n in 0..frames {
        file.extend(ksana_record(&irac_v1(
            &s.headers[n],
            &t,
            s.yamls[n].as_deref(),
            &s.rows[n],
        )));
    }
    file
}

#[test]
fn a_cut_last_frame_is_dropped_with_a_note() {
    let file = v1_irac_file(3);
    let whole = import(&file, false).unwrap().0;
    let last_start = {
        // The third record starts after header + two records.
        let two = v1_irac_file(2).len();
        assert!(two < file.len());
        two
    };
    for cut in [last_start + 3, last_start + 12, file.len() - 1] {
        let (rec, report) = import(&file[..cut], false).unwrap();
        assert_eq!(rec.frame_count(), 2, "cut at {cut}");
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("cut last frame dropped")),
            "{:?}",
            report.notes
        );
        assert!(
            meta(&rec, "notes")
                .unwrap()
                .contains(&format!("record at byte {last_start}"))
        );
    }
    assert_eq!(whole.frame_count(), 3);
}

fn err_text(bytes: &[u8]) -> String {
    match import(bytes, false) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn corrupt_files_give_errors_with_byte_offsets() {
    let good = v1_irac_file(3);
    // fps 0.
    let mut b = good.clone();
    b[12..16].copy_from_slice(&0i32.to_le_bytes());
    assert_eq!(
        err_text(&b),
        "old.ksr: byte 12: fps 0 (expected 1..=1000): frames cannot be placed in time"
    );
    // Version 3.
    let mut b = good.clone();
    b[8..12].copy_from_slice(&3i32.to_le_bytes());
    assert!(err_text(&b).starts_with("old.ksr: byte 8: ksana file version 3"));
    // Header size 11 in the first record.
    let mut b = good.clone();
    b[72..76].copy_from_slice(&11i32.to_le_bytes());
    assert!(err_text(&b).starts_with("old.ksr: byte 72: record header size 11"));
    // A huge compressed length.
    let mut b = good.clone();
    b[76..80].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(err_text(&b).starts_with("old.ksr: byte 76: compressed length 4294967295"));
    // A flipped byte inside the zlib stream of frame 1 (checksum or stream error).
    let second = v1_irac_file(1).len();
    let mut b = good.clone();
    b[second + 30] ^= 0x5a;
    let e = err_text(&b);
    assert!(
        e.starts_with(&format!("old.ksr: byte {second}: frame 1: ")),
        "{e}"
    );
    // Only a header.
    assert_eq!(
        err_text(&good[..72]),
        "old.ksr: byte 72: no frames after the header"
    );
    assert!(err_text(&good[..40]).starts_with("old.ksr: byte 40: truncated"));
}

#[test]
fn bad_payloads_give_errors_and_salvage_keeps_the_frames_before() {
    let s = irac_session(3);
    let t = table(&VARS);
    let mut file = ksana_header(1, 5, b"irac", 0);
    file.extend(ksana_record(&irac_v1(
        &s.headers[0],
        &t,
        s.yamls[0].as_deref(),
        &s.rows[0],
    )));
    let at = file.len();
    // Frame 1 claims a session-info length of 2^63.
    let mut p = irac_v1(&s.headers[1], &t, None, &s.rows[1]);
    p[112 + 3 * 144..112 + 3 * 144 + 8].copy_from_slice(&(1u64 << 63).to_le_bytes());
    file.extend(ksana_record(&p));
    file.extend(ksana_record(&irac_v1(&s.headers[2], &t, None, &s.rows[2])));
    let e = err_text(&file);
    assert!(
        e.starts_with(&format!(
            "old.ksr: byte {at}: frame 1: payload byte 544: session info length 9223372036854775808"
        )),
        "{e}"
    );
    let (rec, report) = import(&file, true).unwrap();
    assert_eq!(rec.frame_count(), 1);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("salvage") && n.contains("1 frames after it")),
        "{:?}",
        report.notes
    );

    // Regression (proptest): a frame ending less than 8 bytes after its session length.
    let mut p = irac_v1(&s.headers[0], &t, None, &[]);
    p.truncate(112 + 3 * 144 + 8);
    p.extend([1, 2, 3, 4]);
    let mut file = ksana_header(1, 5, b"irac", 0);
    file.extend(ksana_record(&p));
    assert_eq!(
        err_text(&file),
        "old.ksr: byte 72: frame 0: payload byte 552: 4 bytes after the session info length, too few for the raw data length"
    );

    // v2 AC frame with an unknown type.
    let mut file = ksana_header(2, 5, b"acsa", 2);
    let mut f = vec![0x07];
    f.resize(3088, 0);
    file.extend(ksana_record(&f));
    assert_eq!(
        err_text(&file),
        "old.ksr: byte 72: frame 0: payload byte 0: frame type 0x07 (known: 0x01 with statics, 0x02 without)"
    );

    // v2 iRacing: the first frame is DATA_ONLY.
    let mut file = ksana_header(2, 5, b"irac", 2);
    file.extend(ksana_record(&irac_v2(
        false,
        &s.headers[0],
        &t,
        None,
        &s.rows[0],
    )));
    assert!(err_text(&file).contains("frame 0: the first frame has no var headers"));

    // numVars 100000.
    let mut h = s.headers[0].clone();
    h[24..28].copy_from_slice(&100_000i32.to_le_bytes());
    let mut file = ksana_header(1, 5, b"irac", 0);
    file.extend(ksana_record(&irac_v1(&h, &t, None, &s.rows[0])));
    assert!(err_text(&file).contains("numVars 100000"));
}

#[test]
fn a_zlib_bomb_is_bounded() {
    // 80 MiB of zeros compresses to ~80 KiB; the reader stops at 64 MiB.
    let big = vec![0u8; 80 << 20];
    let mut file = ksana_header(1, 5, b"acsa", 0);
    file.extend(ksana_record(&big));
    let e = err_text(&file);
    assert!(e.contains("inflates to more than"), "{e}");
}
