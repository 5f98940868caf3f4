//! Damaged bytes are detected where they are: a flipped bit in a chunk, a block header, the
//! footer or the header is reported with its offset, and salvage recovers everything else.

mod common;

use common::*;
use ksana_format::{ErrorKind, Frame, IndexSource};

/// The expected frames without chunk `k`'s.
fn without_chunk(s: &Sample, k: usize) -> Vec<Frame> {
    let r = &s.chunks[k].frames;
    s.frames
        .iter()
        .enumerate()
        .filter(|(i, _)| !r.contains(i))
        .map(|(_, f)| f.clone())
        .collect()
}

#[test]
fn a_bit_flip_in_each_chunk_body_stops_there_or_is_skipped_with_salvage() {
    let s = sample();
    let rec = open(&s.bytes, false).unwrap();
    assert_eq!(rec.chunks().len(), s.chunks.len());
    for (k, c) in rec.chunks().iter().enumerate() {
        // A bit in the middle of the body, and the body's last bit.
        for (at, bit) in [
            (c.offset + 16 + (c.stored_bytes - 16) / 2, 3),
            (c.offset + c.stored_bytes - 1, 7),
        ] {
            let bad = flip(&s.bytes, at, bit);
            let rec = open(&bad, false).unwrap();
            assert_eq!(
                rec.index_source(),
                &IndexSource::Footer,
                "the footer is intact"
            );
            // The player's check refuses the file before publishing anything.
            let v = rec.verify().expect_err("verify finds the flipped chunk");
            assert_eq!(v.offset, c.offset + 16, "chunk {k}");
            let (frames, err) = read_until_error(&rec);
            let e = err.unwrap_or_else(|| panic!("flip in chunk {k} at {at} not detected"));
            assert!(
                matches!(
                    e.kind,
                    ErrorKind::Checksum {
                        what: "block body",
                        ..
                    }
                ),
                "chunk {k}: {e}"
            );
            assert_eq!(
                e.offset,
                c.offset + 16,
                "chunk {k}: the offset of the bad body"
            );
            assert_eq!(e.path.to_str(), Some("cut"));
            assert_frames_eq(&frames, &s.frames[..s.chunks[k].frames.start]);

            let rec = open(&bad, true).unwrap();
            let mut it = rec.frames();
            let frames: Vec<Frame> = it.by_ref().collect::<Result<_, _>>().unwrap();
            assert_eq!(it.skipped().len(), 1, "chunk {k}: {:?}", it.skipped());
            assert_eq!(it.skipped()[0].offset, c.offset);
            assert_eq!(it.skipped()[0].bytes, c.stored_bytes);
            assert_frames_eq(&frames, &without_chunk(&s, k));
        }
    }
}

#[test]
fn a_bit_flip_in_a_chunk_body_without_footer_is_damage_and_salvage_resyncs() {
    let s = sample();
    let k = 2;
    let c = &s.chunks[k];
    let bad = flip(&s.bytes[..s.footer_offset as usize], c.offset + 100, 0);
    let rec = open(&bad, false).unwrap();
    assert!(matches!(rec.index_source(), IndexSource::Rebuilt { .. }));
    assert_eq!(rec.damage().len(), 1);
    assert_eq!(rec.damage()[0].offset, c.offset);
    assert_frames_eq(&read_all(&rec).unwrap(), &s.frames[..c.frames.start]);

    let rec = open(&bad, true).unwrap();
    assert_eq!(rec.damage().len(), 1, "{:?}", rec.damage());
    assert_eq!(rec.damage()[0].offset, c.offset);
    assert_eq!(rec.damage()[0].bytes, c.end - c.offset);
    assert_eq!(rec.chunks().len(), s.chunks.len() - 1);
    assert_frames_eq(&read_all(&rec).unwrap(), &without_chunk(&s, k));
}

#[test]
fn a_bit_flip_in_each_chunk_header_is_detected_at_the_block() {
    let s = sample();
    for (k, c) in s.chunks.iter().enumerate() {
        for byte in 0..16 {
            let bad = flip(&s.bytes, c.offset + byte, (byte % 8) as u8);
            let rec = open(&bad, false).unwrap();
            let (frames, err) = read_until_error(&rec);
            let e = err.unwrap_or_else(|| panic!("flip in header {k} byte {byte} not detected"));
            assert!(
                matches!(
                    e.kind,
                    ErrorKind::Checksum {
                        what: "block header",
                        ..
                    }
                ),
                "chunk {k} byte {byte}: {e}"
            );
            assert_eq!(e.offset, c.offset, "chunk {k} byte {byte}");
            assert_frames_eq(&frames, &s.frames[..c.frames.start]);

            let rec = open(&bad, true).unwrap();
            let mut it = rec.frames();
            let frames: Vec<Frame> = it.by_ref().collect::<Result<_, _>>().unwrap();
            assert_eq!(it.skipped().len(), 1);
            assert_eq!(it.skipped()[0].offset, c.offset);
            assert_frames_eq(&frames, &without_chunk(&s, k));
        }
    }
}

#[test]
fn without_footer_a_bad_chunk_header_is_damage_and_salvage_resyncs_past_it() {
    let s = sample();
    let k = s.chunks.len() / 2;
    let c = &s.chunks[k];
    for byte in [0u64, 5, 9, 14] {
        let bad = flip(&s.bytes[..s.footer_offset as usize], c.offset + byte, 1);
        let rec = open(&bad, false).unwrap();
        assert!(matches!(rec.index_source(), IndexSource::Rebuilt { .. }));
        assert_eq!(rec.damage().len(), 1);
        assert_eq!(rec.damage()[0].offset, c.offset);
        assert_eq!(
            rec.damage()[0].bytes,
            s.footer_offset - c.offset,
            "the rest is unread"
        );
        assert_frames_eq(&read_all(&rec).unwrap(), &s.frames[..c.frames.start]);

        let rec = open(&bad, true).unwrap();
        assert_eq!(rec.damage().len(), 1, "{:?}", rec.damage());
        assert_eq!(rec.damage()[0].offset, c.offset);
        assert_eq!(
            rec.damage()[0].bytes,
            c.end - c.offset,
            "resynced at the next chunk"
        );
        assert_eq!(rec.chunks().len(), s.chunks.len() - 1);
        assert_frames_eq(&read_all(&rec).unwrap(), &without_chunk(&s, k));
        assert_eq!(
            rec.markers(),
            s.markers
                .iter()
                .zip(&s.marker_frames)
                .filter(|&(_, i)| !c.frames.contains(i))
                .map(|(m, _)| m.clone())
                .collect::<Vec<_>>()
                .as_slice()
        );
    }
}

#[test]
fn a_bit_flip_anywhere_in_the_footer_or_trailer_falls_back_to_scanning() {
    let s = sample();
    let len = s.bytes.len() as u64;
    let footer_end = len - 16;
    for at in s.footer_offset..len {
        let bad = flip(&s.bytes, at, (at % 8) as u8);
        let rec = open(&bad, false).unwrap_or_else(|e| panic!("flip at {at}: {e}"));
        assert!(
            matches!(rec.index_source(), IndexSource::Rebuilt { .. }),
            "flip at {at}: {:?}",
            rec.index_source()
        );
        if at < footer_end {
            assert_eq!(rec.damage().len(), 1, "flip at {at}");
            assert_eq!(rec.damage()[0].offset, s.footer_offset, "flip at {at}");
        } else {
            // The footer itself is intact and ends the scan; the trailer after it is damage.
            assert_eq!(rec.damage().len(), 1, "flip at {at}");
            assert_eq!(
                (rec.damage()[0].offset, rec.damage()[0].bytes),
                (footer_end, 16),
                "flip at {at}"
            );
        }
        assert_eq!(rec.markers(), s.markers.as_slice(), "flip at {at}");
        assert_eq!(rec.chunks().len(), s.chunks.len());
        assert_frames_eq(&read_all(&rec).unwrap(), &s.frames);
    }
}

#[test]
fn a_bit_flip_in_the_head_block_is_an_error_inside_it() {
    let s = sample();
    for at in 16..s.head_end {
        for salvage in [false, true] {
            let e = open(&flip(&s.bytes, at, (at % 8) as u8), salvage)
                .map(|_| ())
                .expect_err(&format!("flip at {at} opened"));
            assert_eq!(e.path.to_str(), Some("cut"));
            if at < 32 {
                assert!(
                    matches!(
                        e.kind,
                        ErrorKind::Checksum {
                            what: "block header",
                            ..
                        }
                    ),
                    "{e}"
                );
                assert_eq!(e.offset, 16, "flip at {at}");
            } else {
                assert!(
                    matches!(
                        e.kind,
                        ErrorKind::Checksum {
                            what: "block body",
                            ..
                        }
                    ),
                    "{e}"
                );
                assert_eq!(e.offset, 32, "flip at {at}: the HEAD body starts at 32");
            }
        }
    }
}

#[test]
fn wrong_magic_is_bad_magic_at_offset_zero() {
    let s = sample();
    for at in 0..8 {
        let e = open(&flip(&s.bytes, at, 2), false).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadMagic(_)), "{e}");
        assert_eq!(e.offset, 0);
    }
    let e = open(b"PK\x03\x04 this is a zip file", false).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::BadMagic(_)), "{e}");
}

#[test]
fn an_old_recrocks_file_is_bad_magic_naming_it() {
    let mut b = b"RECROCKS".to_vec();
    b.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9]);
    let e = open(&b, false).unwrap_err();
    let ErrorKind::BadMagic(msg) = &e.kind else {
        panic!("{e}");
    };
    assert!(msg.contains("RECROCKS") && msg.contains("old"), "{msg}");
    assert_eq!(e.offset, 0);
}

#[test]
fn a_future_major_version_is_unsupported_and_a_newer_minor_is_read() {
    let s = sample();
    let mut b = s.bytes.clone();
    b[8..10].copy_from_slice(&2u16.to_le_bytes());
    b[10..12].copy_from_slice(&3u16.to_le_bytes());
    let e = open(&b, false).unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::UnsupportedVersion {
                major: 2,
                minor: 3,
                supported: 1
            }
        ),
        "{e}"
    );
    assert_eq!(e.offset, 8);

    let mut b = s.bytes.clone();
    b[10..12].copy_from_slice(&7u16.to_le_bytes());
    let rec = open(&b, false).unwrap();
    assert_eq!(rec.version(), (1, 7));
    assert_frames_eq(&read_all(&rec).unwrap(), &s.frames);
}

#[test]
fn a_zero_length_file_is_empty() {
    for salvage in [false, true] {
        let e = open(&[], salvage).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Empty), "{e}");
        assert_eq!(e.offset, 0);
        assert_eq!(e.path.to_str(), Some("cut"));
    }
}

#[test]
fn an_unknown_block_between_chunks_is_skipped_by_the_scan() {
    let s = sample();
    let at = s.chunks[2].offset as usize;
    let body = b"written by a newer minor version";
    let mut block = b"XTRA".to_vec();
    block.extend_from_slice(&(body.len() as u32).to_le_bytes());
    block.extend_from_slice(&crc32c_of(body).to_le_bytes());
    block.extend_from_slice(&[0; 4]);
    reseal_block_header(&mut block, 0);
    block.extend_from_slice(body);
    let mut b = s.bytes[..at].to_vec();
    b.extend_from_slice(&block);
    b.extend_from_slice(&s.bytes[at..s.footer_offset as usize]);
    let rec = open(&b, false).unwrap();
    assert!(rec.damage().is_empty(), "{:?}", rec.damage());
    assert_eq!(rec.chunks().len(), s.chunks.len());
    assert_eq!(rec.markers(), s.markers.as_slice());
    assert_frames_eq(&read_all(&rec).unwrap(), &s.frames);
}
