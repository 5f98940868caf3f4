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
