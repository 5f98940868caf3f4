//! A writer killed at any byte: the reader opens what was written, rebuilds the index by
//! scanning, returns exactly the frames of the complete chunks, and reports the torn tail.

mod common;

use common::*;
use ksana_format::{ErrorKind, Frame, IndexSource, Writer};

/// Every block of the sample after the header: (start, end) of each chunk and of the footer.
fn blocks(s: &Sample) -> Vec<(u64, u64)> {
    let mut b: Vec<(u64, u64)> = s.chunks.iter().map(|c| (c.offset, c.end)).collect();
    b.push((s.footer_offset, s.bytes.len() as u64 - 16));
    b
}

#[test]
fn truncation_at_every_byte_of_the_last_two_chunks_and_the_footer() {
    let s = sample();
    let blocks = blocks(&s);
    let from = s.chunks[s.chunks.len() - 2].offset;
    let len = s.bytes.len() as u64;
    for cut in from..len {
        let bytes = &s.bytes[..cut as usize];
        let rec = open(bytes, false).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert!(
            matches!(rec.index_source(), IndexSource::Rebuilt { .. }),
            "cut at {cut}: {:?}",
            rec.index_source()
        );
        let expected = s.frames_before(cut);
        assert_eq!(rec.frame_count(), expected.len() as u64, "cut at {cut}");
        let complete = s.chunks.iter().filter(|c| c.end <= cut).count();
        assert_eq!(rec.chunks().len(), complete, "cut at {cut}");
        assert_eq!(
            rec.markers(),
            s.markers_before(cut).as_slice(),
            "cut at {cut}"
        );
        let torn = blocks.iter().find(|&&(a, b)| a < cut && cut < b);
        match torn {
            Some(&(start, _)) => {
                assert_eq!(rec.damage().len(), 1, "cut at {cut}: {:?}", rec.damage());
                assert_eq!(rec.damage()[0].offset, start, "cut at {cut}");
                assert_eq!(rec.damage()[0].bytes, cut - start, "cut at {cut}");
                assert!(rec.damage()[0].incomplete_tail, "cut at {cut}");
                rec.verify()
                    .unwrap_or_else(|e| panic!("cut at {cut}: a torn tail is not corruption: {e}"));
            }
            // Inside the trailer after a complete footer block: the torn trailer is damage.
            None if cut > len - 16 => {
                assert_eq!(rec.damage().len(), 1, "cut at {cut}: {:?}", rec.damage());
                assert_eq!(
                    (rec.damage()[0].offset, rec.damage()[0].bytes),
                    (len - 16, cut - (len - 16)),
                    "cut at {cut}"
                );
            }
            // At a block boundary.
            None => assert!(rec.damage().is_empty(), "cut at {cut}: {:?}", rec.damage()),
        }
        let mut frames = rec.frames();
        let mut n = 0;
        while let Some(f) = frames
            .next_frame()
            .unwrap_or_else(|e| panic!("cut at {cut}: {e}"))
        {
            let e = &expected[n];
            assert!(
                f.timestamp_ns() == e.timestamp_ns
                    && f.tick() == e.tick
                    && f.segment() == e.segment
                    && f.pages() == e.pages.as_slice(),
                "cut at {cut}: frame {n} differs"
            );
            n += 1;
        }
        assert_eq!(n, expected.len(), "cut at {cut}");
    }
}

#[test]
fn truncation_at_every_byte_of_all_chunks_keeps_every_complete_chunk() {
    // Coarser than the test above (every 7th byte) but over the whole file.
    let s = sample();
    for cut in (s.head_end..s.bytes.len() as u64).step_by(7) {
        let rec = open(&s.bytes[..cut as usize], false).unwrap();
        assert_frames_eq(&read_all(&rec).unwrap(), s.frames_before(cut));
    }
}

#[test]
fn truncation_inside_the_preamble_and_header_is_an_error_with_its_offset() {
    let s = sample();
    let e = open(&[], false).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Empty), "{e}");
    assert_eq!((e.offset, e.path.to_str()), (0, Some("cut")));
    for cut in 1..s.head_end {
        for salvage in [false, true] {
            let e = open(&s.bytes[..cut as usize], salvage)
                .map(|_| ())
                .expect_err(&format!("cut at {cut} opened"));
            assert_eq!(e.path.to_str(), Some("cut"));
            match cut {
                // A prefix of the magic is a truncated recording, not another file type.
                1..16 => {
                    assert!(
                        matches!(e.kind, ErrorKind::Truncated { what: "preamble", needed } if needed == 16 - cut),
                        "cut {cut}: {e}"
                    );
                    assert_eq!(e.offset, cut, "cut {cut}");
                }
                16..32 => {
                    assert!(
                        matches!(e.kind, ErrorKind::Truncated { what: "block header", needed } if needed == 32 - cut),
                        "cut {cut}: {e}"
                    );
                    assert_eq!(e.offset, 16, "cut {cut}");
                }
                _ => {
                    assert!(
                        matches!(e.kind, ErrorKind::Truncated { what: "block body", needed } if needed == s.head_end - cut),
                        "cut {cut}: {e}"
                    );
                    assert_eq!(e.offset, 32, "cut {cut}: the HEAD body starts at 32");
                }
            }
        }
    }
    // The header alone is a valid, empty recording.
    let rec = open(&s.bytes[..s.head_end as usize], false).unwrap();
    assert!(matches!(rec.index_source(), IndexSource::Rebuilt { .. }));
    assert!(rec.damage().is_empty());
    assert_eq!(rec.frame_count(), 0);
    assert_eq!(rec.time_range(), None);
    assert_header_eq(rec.header(), &s.header);
    assert!(read_all(&rec).unwrap().is_empty());
}

#[test]
fn writer_dropped_without_finish_leaves_every_flushed_frame() {
    let header = sample_header();
    let mut out: Vec<u8> = Vec::new();
    let mut expected: Vec<Frame> = Vec::new();
    {
        let mut w = Writer::new(&mut out, header.clone(), opts()).unwrap();
        let mut state = vec![Vec::new(); 2];
        for i in 0..250usize {
            let p0 = physics(i);
            w.write_frame(
                i as u64 * STEP_NS,
                tick(i),
                &[ksana_format::PageUpdate { page: 0, data: &p0 }],
            )
            .unwrap();
            state[0] = p0;
            expected.push(Frame {
                timestamp_ns: i as u64 * STEP_NS,
                tick: tick(i),
                segment: 0,
                pages: state.clone(),
            });
        }
        w.flush_chunk().unwrap();
        // Frames after the last flush are in memory only: a crash loses them.
        for i in 250..260usize {
            w.write_frame(
                i as u64 * STEP_NS,
                None,
                &[ksana_format::PageUpdate {
                    page: 0,
                    data: &physics(i),
                }],
            )
            .unwrap();
        }
        drop(w);
    }
    let rec = open(&out, false).unwrap();
    assert!(matches!(rec.index_source(), IndexSource::Rebuilt { .. }));
    assert!(rec.damage().is_empty(), "{:?}", rec.damage());
    assert_eq!(rec.chunks().len(), 3);
    assert_eq!(rec.time_range(), Some((0, 249 * STEP_NS)));
    assert_header_eq(rec.header(), &header);
    assert_frames_eq(&read_all(&rec).unwrap(), &expected);
}
