//! Write → read round trips: every frame, page, tick, segment, marker and header field comes
//! back exactly, and `seek` lands on the right frame.

mod common;

use common::*;
use ksana_format::{IndexSource, Recording};

#[test]
fn crc32c_helper_matches_the_standard_check_value() {
    assert_eq!(crc32c_of(b"123456789"), 0xE306_9283);
}

#[test]
fn sample_reads_back_exactly_through_the_footer() {
    let s = sample();
    assert_eq!(s.chunks.len(), 6, "5.2 s at 1 s per chunk");
    let rec = open(&s.bytes, false).unwrap();
    assert_eq!(rec.index_source(), &IndexSource::Footer);
    assert!(rec.damage().is_empty());
    assert_header_eq(rec.header(), &s.header);
    let offsets: Vec<u64> = rec.chunks().iter().map(|c| c.offset).collect();
    let expected: Vec<u64> = s.chunks.iter().map(|c| c.offset).collect();
    assert_eq!(offsets, expected);
    for (c, e) in rec.chunks().iter().zip(&s.chunks) {
        assert_eq!(c.offset + c.stored_bytes, e.end);
        assert_eq!(c.frame_count as usize, e.frames.len());
        assert_eq!(c.first_ns, s.frames[e.frames.start].timestamp_ns);
        assert_eq!(c.last_ns, s.frames[e.frames.end - 1].timestamp_ns);
    }
    assert_eq!(rec.frame_count(), SAMPLE_FRAMES as u64);
    assert_eq!(rec.markers(), s.markers.as_slice());
    assert_frames_eq(&read_all(&rec).unwrap(), &s.frames);
    eprintln!("sample: {} bytes, chunks {:?}", s.bytes.len(), s.chunks);
    let _ = Recording::from_bytes(s.bytes.clone()).unwrap();
}

use ksana_format::{
    FieldKind, Frame, Header, Marker, MarkerKind, PageSpec, PageUpdate, Segment, Writer,
};
use proptest::prelude::*;

fn field_kind() -> impl Strategy<Value = FieldKind> {
    prop_oneof![
        Just(FieldKind::U8),
        Just(FieldKind::U16),
        Just(FieldKind::U32),
        Just(FieldKind::F32),
        Just(FieldKind::U64),
        Just(FieldKind::F64),
    ]
}

fn page_spec() -> impl Strategy<Value = PageSpec> {
    (
        "[a-z_]{0,10}",
        0u32..200,
        "[a-z0-9./-]{0,12}",
        any::<u32>(),
        proptest::collection::vec((field_kind(), 0u32..8), 0..6),
    )
        .prop_map(|(name, size, layout, v, fields)| {
            PageSpec::new(name, size)
                .with_layout(layout, v)
                .with_fields(fields)
        })
}

fn marker_kind() -> impl Strategy<Value = MarkerKind> {
    prop_oneof![
        Just(MarkerKind::SessionStart),
        Just(MarkerKind::SessionEnd),
        Just(MarkerKind::LapStart),
        Just(MarkerKind::User),
        Just(MarkerKind::SegmentStart),
        (6u16..=u16::MAX).prop_map(MarkerKind::Unknown),
    ]
}

/// A marker `back` ns before the frame it is added with (clamped at 0).
#[derive(Clone, Debug)]
struct MarkerGen {
    back: u64,
    kind: MarkerKind,
    label: String,
}

fn marker_gen() -> impl Strategy<Value = MarkerGen> {
    (
        prop_oneof![Just(0u64), 0u64..3_000_000_000],
        marker_kind(),
        "\\PC{0,12}",
    )
        .prop_map(|(back, kind, label)| MarkerGen { back, kind, label })
}

/// One page update: which page (modulo the page count), and new content: the same bytes
/// again, new bytes at the current size, or new bytes at a new size.
#[derive(Clone, Debug)]
enum Content {
    Same,
    New(u64),
    Resized(usize, u64),
}

#[derive(Clone, Debug)]
enum Op {
    Frame {
        dt: u64,
        tick: Option<u64>,
        updates: Vec<(usize, Content)>,
        // Markers are only ever added next to a frame so that no chunk holds markers only:
        // that is the subject of `regression_seek_skips_frames_when_a_chunk_holds_only_markers`.
        before: Vec<MarkerGen>,
        after: Vec<MarkerGen>,
    },
    Flush,
}

fn op() -> impl Strategy<Value = Op> {
    let content = prop_oneof![
        1 => Just(Content::Same),
        4 => any::<u64>().prop_map(Content::New),
        1 => (0usize..200, any::<u64>()).prop_map(|(n, s)| Content::Resized(n, s)),
    ];
    let frame = (
        prop_oneof![
            2 => Just(0u64),
            8 => 1u64..50_000_000,
            1 => 1_000_000_000u64..3_000_000_000,
        ],
        prop_oneof![
            Just(None),
            any::<u64>().prop_map(Some),
            (0u64..1000).prop_map(Some)
        ],
        proptest::collection::vec((0usize..4, content), 0..5),
        proptest::collection::vec(marker_gen(), 0..2),
        proptest::collection::vec(marker_gen(), 0..2),
    )
        .prop_map(|(dt, tick, updates, before, after)| Op::Frame {
            dt,
            tick,
            updates,
            before,
            after,
        });
    prop_oneof![12 => frame, 1 => Just(Op::Flush)]
}

#[derive(Clone, Debug)]
struct Case {
    sim: String,
    metadata: Vec<(String, String)>,
    pages: Vec<PageSpec>,
    ops: Vec<Op>,
    /// Before which op a second segment begins, its pages, delay and reason.
    segment: Option<(usize, Vec<PageSpec>, u64, String)>,
    seeks: Vec<u64>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        "[a-z]{0,8}",
        proptest::collection::vec(("\\PC{0,6}", "\\PC{0,10}"), 0..3),
        proptest::collection::vec(page_spec(), 1..=4),
        proptest::collection::vec(op(), 0..80),
        proptest::option::of((
            any::<usize>(),
            proptest::collection::vec(page_spec(), 1..=4),
            prop_oneof![Just(0u64), 0u64..2_000_000_000],
            "\\PC{0,10}",
        )),
        proptest::collection::vec(any::<u64>(), 4),
    )
        .prop_map(|(sim, metadata, pages, ops, segment, seeks)| Case {
            sim,
            metadata,
            pages,
            segment: segment.map(|(i, p, dt, r)| (i % (ops.len() + 1), p, dt, r)),
            ops,
            seeks,
        })
}

fn bytes_of(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly small values so some fields look smooth, some bytes random.
            if x.is_multiple_of(3) {
                (x >> 32) as u8
            } else {
                (x % 4) as u8
            }
        })
        .collect()
}

struct Written {
    bytes: Vec<u8>,
    footer_offset: u64,
    header: Header,
    frames: Vec<Frame>,
    markers: Vec<Marker>,
    segments: Vec<Segment>,
}

fn write_case(c: &Case) -> Written {
    let mut header = Header::new(c.sim.clone(), c.pages.clone());
    header.start_unix_ns = -42;
    header.metadata = c.metadata.clone();
    let mut w = Writer::new(Vec::new(), header.clone(), opts()).unwrap();
    let mut segments = vec![Segment {
        index: 0,
        start_ns: 0,
        reason: String::new(),
        pages: c.pages.clone(),
    }];
    let mut state: Vec<Vec<u8>> = vec![Vec::new(); c.pages.len()];
    let mut seg = 0u32;
    let mut ts = 0u64;
    let mut prev_ts = 0u64;
    let mut frames = Vec::new();
    let mut markers = Vec::new();
    let mut add = |w: &mut Writer<Vec<u8>>, m: &MarkerGen, ts: u64| {
        let m = Marker::new(ts.saturating_sub(m.back), m.kind, m.label.clone());
        w.add_marker(m.clone()).unwrap();
        markers.push(m);
    };
    for (i, op) in c.ops.iter().enumerate() {
        if let Some((at, pages, dt, reason)) = &c.segment
            && *at == i
        {
            ts += dt;
            w.begin_segment(ts, pages.clone(), reason).unwrap();
            seg += 1;
            segments.push(Segment {
                index: seg,
                start_ns: ts,
                reason: reason.clone(),
                pages: pages.clone(),
            });
            state = vec![Vec::new(); pages.len()];
        }
        match op {
            Op::Flush => w.flush_chunk().unwrap(),
            Op::Frame {
                dt,
                tick,
                updates,
                before,
                after,
            } => {
                ts += dt;
                let n = state.len();
                let spec = &segments.last().unwrap().pages;
                let data: Vec<(usize, Vec<u8>)> = updates
                    .iter()
                    .map(|(p, content)| {
                        let p = p % n;
                        let cur = if state[p].is_empty() {
                            spec[p].size as usize
                        } else {
                            state[p].len()
                        };
                        let d = match *content {
                            Content::Same => state[p].clone(),
                            Content::New(s) => bytes_of(s, cur),
                            Content::Resized(len, s) => bytes_of(s, len),
                        };
                        (p, d)
                    })
                    .collect();
                let ups: Vec<PageUpdate<'_>> = data
                    .iter()
                    .map(|(p, d)| PageUpdate { page: *p, data: d })
                    .collect();
                // A marker opening a chunk 1 s or more before the next frame would be cut into
                // a chunk of its own (see `regression_seek_skips_frames_when_a_chunk_holds_only_markers`):
                // such markers are added after the frame instead.
                let early = before
                    .first()
                    .is_none_or(|m| ts - ts.saturating_sub(m.back).max(prev_ts) < 1_000_000_000);
                for m in before.iter().filter(|_| early) {
                    add(&mut w, m, ts);
                }
                w.write_frame(ts, *tick, &ups).unwrap();
                for m in before.iter().filter(|_| !early).chain(after) {
                    add(&mut w, m, ts);
                }
                for (p, d) in data {
                    state[p] = d;
                }
                prev_ts = ts;
                frames.push(Frame {
                    timestamp_ns: ts,
                    tick: *tick,
                    segment: seg,
                    pages: state.clone(),
                });
            }
        }
    }
    if let Some((at, pages, dt, reason)) = &c.segment
        && *at == c.ops.len()
    {
        w.begin_segment(ts + dt, pages.clone(), reason).unwrap();
        segments.push(Segment {
            index: seg + 1,
            start_ns: ts + dt,
            reason: reason.clone(),
            pages: pages.clone(),
        });
    }
    w.flush_chunk().unwrap();
    let footer_offset = w.bytes_written();
    Written {
        bytes: w.finish().unwrap(),
        footer_offset,
        header,
        frames,
        markers,
        segments,
    }
}

fn check(rec: &Recording, wr: &Written, seeks: &[u64]) {
    assert!(rec.damage().is_empty(), "{:?}", rec.damage());
    assert_header_eq(rec.header(), &wr.header);
    assert_eq!(rec.segments().len(), wr.segments.len());
    for (a, e) in rec.segments().iter().zip(&wr.segments) {
        assert_eq!(
            (a.index, a.start_ns, &a.reason),
            (e.index, e.start_ns, &e.reason)
        );
        assert_pages_eq(&a.pages, &e.pages);
    }
    assert_eq!(rec.markers(), wr.markers.as_slice());
    assert_eq!(rec.frame_count(), wr.frames.len() as u64);
    assert_frames_eq(&read_all(rec).unwrap(), &wr.frames);
    let end = wr.frames.last().map_or(0, |f| f.timestamp_ns) + 2;
    let mut targets: Vec<u64> = seeks.iter().map(|s| s % end).collect();
    if !wr.frames.is_empty() {
        targets.push(wr.frames[seeks[0] as usize % wr.frames.len()].timestamp_ns);
    }
    targets.push(0);
    for t in targets {
        let mut f = rec.frames();
        f.seek(t).unwrap();
        let got: Vec<Frame> = f.collect::<Result<_, _>>().unwrap();
        let want: Vec<Frame> = wr
            .frames
            .iter()
            .filter(|f| f.timestamp_ns >= t)
            .cloned()
            .collect();
        assert_frames_eq(&got, &want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_recordings_round_trip_through_footer_and_scan(c in case()) {
        let wr = write_case(&c);
        let rec = open(&wr.bytes, false).unwrap();
        prop_assert_eq!(rec.index_source(), &IndexSource::Footer);
        check(&rec, &wr, &c.seeks);
        // The same file after a crash just before the footer: the index is rebuilt.
        let rec = open(&wr.bytes[..wr.footer_offset as usize], false).unwrap();
        let rebuilt = matches!(rec.index_source(), IndexSource::Rebuilt { .. });
        prop_assert!(rebuilt);
        check(&rec, &wr, &c.seeks);
    }
}

fn one_page_writer() -> Writer<Vec<u8>> {
    Writer::new(
        Vec::new(),
        Header::new("t", vec![PageSpec::new("p", 4)]),
        opts(),
    )
    .unwrap()
}

fn frame4(ts: u64, v: u32) -> Frame {
    Frame {
        timestamp_ns: ts,
        tick: None,
        segment: 0,
        pages: vec![v.to_le_bytes().to_vec()],
    }
}

/// Regression (fixed): `Frames::seek` finds its chunk with `partition_point(|c| c.last_ns < t ||
/// c.frame_count == 0)`, which is not monotone when a chunk of markers only (frame_count 0)
/// sits between chunks of frames, so the binary search can land past the right chunk and
/// silently skip frames. Such chunks are common: a marker added after `flush_chunk` or before
/// `begin_segment`, or a marker followed by a frame 1 s or more later (the writer then closes a
/// chunk holding just the marker). One-line fix (reader.rs, `seek`): drop
/// `|| c.frame_count == 0` — `last_ns` is non-decreasing over the index, marker-only chunks
/// included, and a marker-only chunk the cursor lands on simply yields no frames.
#[test]
fn regression_seek_skips_frames_when_a_chunk_holds_only_markers() {
    let mut w = one_page_writer();
    let mut expected = Vec::new();
    let mut v = 0u32;
    for c in 0..5u64 {
        for i in 0..10u64 {
            v += 1;
            let ts = c * 1_000_000_000 + i * 10_000_000;
            w.write_frame(
                ts,
                None,
                &[PageUpdate {
                    page: 0,
                    data: &v.to_le_bytes(),
                }],
            )
            .unwrap();
            expected.push(frame4(ts, v));
        }
        w.flush_chunk().unwrap();
        w.add_marker(Marker::new(
            c * 1_000_000_000 + 95_000_000,
            MarkerKind::LapStart,
            "lap",
        ))
        .unwrap();
        w.flush_chunk().unwrap();
    }
    let bytes = w.finish().unwrap();
    let rec = open(&bytes, false).unwrap();
    assert_eq!(
        rec.chunks().len(),
        10,
        "5 chunks of frames, 5 of one marker each"
    );
    assert_eq!(rec.markers().len(), 5);
    assert_frames_eq(&read_all(&rec).unwrap(), &expected);
    for t in [0, 50_000_000, 1_050_000_000, 2_000_000_000, 3_050_000_000] {
        let mut f = rec.frames();
        f.seek(t).unwrap();
        let got: Vec<Frame> = f.collect::<Result<_, _>>().unwrap();
        let want: Vec<Frame> = expected
            .iter()
            .filter(|f| f.timestamp_ns >= t)
            .cloned()
            .collect();
        // Before the fix: seek(0) starts at 4 s and returns 10 of the 50 frames.
        assert_frames_eq(&got, &want);
    }
}

/// Regression (fixed): a marker that opens a chunk (first thing after `Writer::new`, `flush_chunk` or
/// `begin_segment`) with a timestamp later than the next frame's makes `write_frame` panic on
/// `timestamp_ns - first` (writer.rs, the chunk-duration check: u64 underflow; wraps in release,
/// cutting a marker-only chunk). `add_marker` documents only that a marker may precede the last
/// frame; it should either reject a marker ahead of the frames (Usage error) or the writer must
/// not use a marker's timestamp as the chunk's start.
#[test]
fn regression_marker_later_than_the_next_frame_panics_the_writer() {
    let r = std::panic::catch_unwind(|| {
        let mut w = one_page_writer();
        if w.add_marker(Marker::new(5_000_000_000, MarkerKind::User, "x"))
            .is_err()
        {
            return None; // Rejecting the marker would be a fix.
        }
        w.write_frame(
            0,
            None,
            &[PageUpdate {
                page: 0,
                data: &[1, 2, 3, 4],
            }],
        )
        .unwrap();
        Some(w.finish().unwrap())
    });
    let bytes = r.expect("write_frame panicked after a marker ahead of it");
    if let Some(bytes) = bytes {
        let rec = open(&bytes, false).unwrap();
        assert_frames_eq(&read_all(&rec).unwrap(), &[frame4(0, 0x0403_0201)]);
        assert_eq!(rec.markers().len(), 1);
    }
}

/// Regression (fixed; same root as above): a marker alone in a chunk whose timestamp is later than the next
/// frame's gives that chunk first_ns = last_ns = the marker's time, so the following chunk
/// "goes backwards": the footer is rejected as inconsistent, the scan stops there with
/// "timestamps go backwards", and every later frame is unreadable without salvage.
#[test]
fn regression_marker_only_chunk_ahead_of_the_next_frame_hides_later_frames() {
    let mut w = one_page_writer();
    w.write_frame(
        0,
        None,
        &[PageUpdate {
            page: 0,
            data: &[1, 0, 0, 0],
        }],
    )
    .unwrap();
    w.flush_chunk().unwrap();
    let accepted = w
        .add_marker(Marker::new(5_000_000_000, MarkerKind::User, "later"))
        .is_ok();
    w.flush_chunk().unwrap();
    w.write_frame(
        1_000_000_000,
        None,
        &[PageUpdate {
            page: 0,
            data: &[2, 0, 0, 0],
        }],
    )
    .unwrap();
    let bytes = w.finish().unwrap();
    let rec = open(&bytes, false).unwrap();
    // Before the fix: Rebuilt { "footer entry ... is inconsistent" }, damage "timestamps go
    // backwards", 1 frame.
    assert_eq!(rec.index_source(), &IndexSource::Footer);
    assert!(rec.damage().is_empty(), "{:?}", rec.damage());
    assert_eq!(rec.markers().len(), usize::from(accepted));
    assert_frames_eq(
        &read_all(&rec).unwrap(),
        &[frame4(0, 1), frame4(1_000_000_000, 2)],
    );
}

#[test]
fn large_pages_round_trip_through_patches_and_resizes() {
    // Pages above 64 KiB are stored as byte-range patches: small edits, a resize, edits again.
    let header = Header::new(
        "t",
        vec![PageSpec::new("big", 70_000), PageSpec::new("small", 8)],
    );
    let mut w = Writer::new(Vec::new(), header, opts()).unwrap();
    let mut big = bytes_of(7, 70_000);
    let mut expected = Vec::new();
    for i in 0..150usize {
        match i {
            60 => big.resize(66_000, 9),
            100 => big.truncate(1_000),
            _ => {
                let n = big.len();
                big[(i * 4099) % n] ^= 0x5a;
                big[(i * 31) % n] = i as u8;
                if i % 5 == 0 {
                    let at = (i * 977) % (n - 40);
                    big[at..at + 40].fill(i as u8);
                }
            }
        }
        let small = (i as u64).to_le_bytes();
        let ts = i as u64 * 20_000_000;
        let ups = [
            PageUpdate {
                page: 0,
                data: &big,
            },
            PageUpdate {
                page: 1,
                data: &small,
            },
        ];
        w.write_frame(
            ts,
            Some(i as u64),
            if i % 3 == 0 { &ups[1..] } else { &ups },
        )
        .unwrap();
        let prev: Vec<u8> = expected
            .last()
            .map_or(Vec::new(), |f: &Frame| f.pages[0].clone());
        expected.push(Frame {
            timestamp_ns: ts,
            tick: Some(i as u64),
            segment: 0,
            pages: vec![if i % 3 == 0 { prev } else { big.clone() }, small.to_vec()],
        });
    }
    let bytes = w.finish().unwrap();
    let rec = open(&bytes, false).unwrap();
    assert_eq!(rec.chunks().len(), 3);
    assert_frames_eq(&read_all(&rec).unwrap(), &expected);
    let mut f = rec.frames();
    f.seek(1_510_000_000).unwrap();
    let got: Vec<Frame> = f.collect::<Result<_, _>>().unwrap();
    assert_frames_eq(&got, &expected[76..]);
}

#[test]
fn compacted_sample_reads_back_the_same_frames_and_markers() {
    let s = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.ksana");
    std::fs::write(&path, &s.bytes).unwrap();
    let report =
        ksana_format::compact_file(&path, &ksana_format::CompactOptions::default()).unwrap();
    assert_eq!(report.chunks_before, 6);
    assert_eq!(report.chunks_after, 1, "5.2 s fit one 8 s chunk");
    let rec = Recording::open(&path).unwrap();
    assert_eq!(rec.index_source(), &IndexSource::Footer);
    assert_header_eq(rec.header(), &s.header);
    assert_eq!(rec.markers(), s.markers.as_slice());
    assert_frames_eq(&read_all(&rec).unwrap(), &s.frames);
}
