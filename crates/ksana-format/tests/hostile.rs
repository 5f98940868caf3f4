//! The reader never panics and never allocates without bound, whatever the bytes: random files,
//! random bytes after a valid preamble, valid recordings with bytes overwritten or cut, block
//! lengths set to huge values behind valid header checksums, and block bodies (and chunk
//! payloads) rewritten behind valid checksums so that the parsers themselves are attacked.

// Clippy 1.96 (the Windows toolchain) flags the `thread_local!` below although its initializer
// is already `const`; 1.95 does not.
#![allow(unknown_lints, clippy::missing_const_for_thread_local)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::sync::OnceLock;

use common::*;
use ksana_format::{Error, MAX_PAYLOAD_BYTES, ReadOptions, Recording};
use proptest::prelude::*;

/// Counts the largest single allocation of the current thread. The only `unsafe` outside the
/// shared-memory crate: a global allocator cannot be written without it; it only forwards.
struct Counting;

thread_local! {
    static BIGGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(n: usize) {
    let _ = BIGGEST.try_with(|b| {
        if n > b.get() {
            b.set(n);
        }
    });
}

// SAFETY: every method forwards to `System`, which upholds the `GlobalAlloc` contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note(l.size());
        // SAFETY: forwards the caller's layout unchanged to the system allocator.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        note(l.size());
        // SAFETY: forwards the caller's layout unchanged to the system allocator.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        note(n);
        // SAFETY: `p` and `l` come from this allocator, which is the system allocator.
        unsafe { System.realloc(p, l, n) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` and `l` come from this allocator, which is the system allocator.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The most one allocation may take: the library's own bound on a decoded chunk (a hostile
/// header may claim that much), never more.
const ALLOC_LIMIT: usize = MAX_PAYLOAD_BYTES + (1 << 20);

fn check_err(e: &Error, len: u64, what: &str) {
    assert_eq!(e.path, Path::new("hostile"), "{what}: {e}");
    assert!(
        e.offset <= len,
        "{what}: offset {} past the end {len}: {e}",
        e.offset
    );
}

/// Opens `bytes` both ways, reads every frame, seeks around; only checks that errors are
/// well-formed, that nothing panics and that allocations stay bounded.
fn exercise(bytes: &[u8]) {
    let len = bytes.len() as u64;
    BIGGEST.with(|b| b.set(0));
    for salvage in [false, true] {
        let what = if salvage { "salvage" } else { "strict" };
        let rec = match Recording::from_source(
            Box::new(bytes.to_vec()),
            Path::new("hostile"),
            ReadOptions { salvage },
        ) {
            Ok(r) => r,
            Err(e) => {
                check_err(&e, len, what);
                continue;
            }
        };
        for d in rec.damage() {
            assert!(d.offset.saturating_add(d.bytes) <= len, "{what}: {d:?}");
        }
        for c in rec.chunks() {
            assert!(c.offset + c.stored_bytes <= len, "{what}: {c:?}");
        }
        let mut frames = rec.frames();
        let mut n = 0u64;
        loop {
            match frames.next_frame() {
                Ok(Some(_)) => n += 1,
                Ok(None) => break,
                Err(e) => {
                    assert!(!salvage, "salvage reports damage, not errors: {e}");
                    check_err(&e, len, what);
                    break;
                }
            }
        }
        assert!(
            n <= rec.frame_count(),
            "{what}: {n} frames > {}",
            rec.frame_count()
        );
        for d in frames.skipped() {
            assert!(d.offset + d.bytes <= len, "{what}: {d:?}");
        }
        let (a, b) = rec.time_range().unwrap_or((0, 0));
        for t in [0, a, a / 2 + b / 2, b, b.saturating_add(1), u64::MAX] {
            let mut f = rec.frames();
            f.seek(t).unwrap();
            for _ in 0..3 {
                match f.next_frame() {
                    Ok(Some(fr)) => assert!(fr.timestamp_ns() >= t),
                    Ok(None) => break,
                    Err(e) => {
                        check_err(&e, len, what);
                        break;
                    }
                }
            }
        }
    }
    let biggest = BIGGEST.with(Cell::get);
    assert!(
        biggest <= ALLOC_LIMIT,
        "a {len}-byte file made the reader allocate {biggest} bytes at once"
    );
}

/// A small valid recording (two pages, a few chunks, markers, a second segment) and where its
/// blocks are: (offset of the block header, body length).
struct Valid {
    bytes: Vec<u8>,
    blocks: Vec<(usize, usize)>,
    footer: usize,
}

fn valid() -> &'static Valid {
    static V: OnceLock<Valid> = OnceLock::new();
    V.get_or_init(|| {
        use ksana_format::{FieldKind, Marker, MarkerKind, PageSpec, PageUpdate, Writer};
        let header = sample_header();
        let mut w = Writer::new(Vec::new(), header, opts()).unwrap();
        for i in 0..120usize {
            if i == 70 {
                let pages = vec![
                    PageSpec::new("a", 12).with_fields(vec![(FieldKind::F64, 1)]),
                    PageSpec::new("b", 3),
                ];
                w.begin_segment(i as u64 * 25_000_000, pages, "restart")
                    .unwrap();
            }
            let p0 = physics(i);
            let p1 = graphics(i / 10, 30 + i % 3);
            let ups = if i < 70 {
                vec![
                    PageUpdate { page: 0, data: &p0 },
                    PageUpdate { page: 1, data: &p1 },
                ]
            } else {
                vec![
                    PageUpdate {
                        page: 0,
                        data: &p0[..12],
                    },
                    PageUpdate {
                        page: 1,
                        data: &p1[..3],
                    },
                ]
            };
            w.write_frame(i as u64 * 25_000_000, tick(i), &ups).unwrap();
            if i % 40 == 5 {
                w.add_marker(Marker::new(
                    i as u64 * 25_000_000,
                    MarkerKind::LapStart,
                    "lap",
                ))
                .unwrap();
            }
        }
        w.flush_chunk().unwrap();
        let footer = w.bytes_written() as usize;
        let bytes = w.finish().unwrap();
        let mut blocks = Vec::new();
        let mut pos = 16;
        while pos < bytes.len() - 16 {
            let n = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
            blocks.push((pos, n));
            pos += 16 + n;
        }
        assert_eq!(pos, bytes.len() - 16);
        assert!(blocks.len() >= 6, "{blocks:?}");
        Valid {
            bytes,
            blocks,
            footer,
        }
    })
}

/// Recomputes the body and header checksums of the block at `at` with body length `n`.
fn reseal(bytes: &mut [u8], at: usize, n: usize) {
    let c = crc32c_of(&bytes[at + 16..at + 16 + n]);
    bytes[at + 8..at + 12].copy_from_slice(&c.to_le_bytes());
    reseal_block_header(bytes, at);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        exercise(&bytes);
    }

    #[test]
    fn random_bytes_after_a_valid_preamble(
        tail in proptest::collection::vec(any::<u8>(), 0..3000),
        head_tag in any::<bool>(),
    ) {
        let mut b = valid().bytes[..16].to_vec();
        if head_tag {
            b.extend_from_slice(b"HEAD");
        }
        b.extend_from_slice(&tail);
        exercise(&b);
    }

    #[test]
    fn valid_recording_with_bytes_overwritten_and_cut(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..=8),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut b = valid().bytes.clone();
        for (i, v) in edits {
            let n = b.len();
            b[i.index(n)] = v;
        }
        if do_cut {
            b.truncate(cut.index(b.len() + 1));
        }
        exercise(&b);
    }

    #[test]
    fn valid_recording_with_a_huge_body_length_behind_a_valid_header_checksum(
        block in any::<prop::sample::Index>(),
        body_len in prop_oneof![
            Just(u32::MAX),
            Just(512 * 1024 * 1024),
            Just(512 * 1024 * 1024 + 1),
            Just(512 * 1024 * 1024 - 1),
            (1u32 << 20)..u32::MAX,
            0u32..4096,
        ],
        drop_footer in any::<bool>(),
    ) {
        let v = valid();
        let mut b = v.bytes.clone();
        let (at, _) = v.blocks[block.index(v.blocks.len())];
        b[at + 4..at + 8].copy_from_slice(&body_len.to_le_bytes());
        reseal_block_header(&mut b, at);
        if drop_footer && at < v.footer {
            b.truncate(v.footer);
        }
        exercise(&b);
    }

    #[test]
    fn block_bodies_rewritten_behind_valid_checksums(
        block in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..=6),
        drop_footer in any::<bool>(),
    ) {
        let v = valid();
        let mut b = v.bytes.clone();
        let (at, n) = v.blocks[block.index(v.blocks.len())];
        for (i, x) in edits {
            b[at + 16 + i.index(n)] = x;
        }
        reseal(&mut b, at, n);
        if drop_footer && at < v.footer {
            b.truncate(v.footer);
        }
        exercise(&b);
    }

    #[test]
    fn chunk_payloads_rewritten_and_recompressed(
        block in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..=4),
        resize in prop_oneof![Just(0i64), -8i64..8],
        fix_len in any::<bool>(),
        drop_footer in any::<bool>(),
    ) {
        let v = valid();
        let chunks: Vec<(usize, usize)> =
            v.blocks.iter().copied().filter(|&(at, _)| &v.bytes[at..at + 4] == b"CHNK").collect();
        let (at, n) = chunks[block.index(chunks.len())];
        let body = &v.bytes[at + 16..at + 16 + n];
        let mut payload = zstd::bulk::decompress(&body[44..], 1 << 24).unwrap();
        for (i, x) in edits {
            let len = payload.len();
            payload[i.index(len)] = x;
        }
        let new_len = (payload.len() as i64 + resize).max(0) as usize;
        payload.resize(new_len, 0x80);
        let mut new_body = body[..44].to_vec();
        if fix_len {
            new_body[32..36].copy_from_slice(&(payload.len() as u32).to_le_bytes());
        }
        new_body.extend_from_slice(&zstd::bulk::compress(&payload, 1).unwrap());
        let mut b = v.bytes[..at].to_vec();
        b.extend_from_slice(&[0; 16]);
        b[at..at + 4].copy_from_slice(b"CHNK");
        b[at + 4..at + 8].copy_from_slice(&(new_body.len() as u32).to_le_bytes());
        b.extend_from_slice(&new_body);
        reseal(&mut b, at, new_body.len());
        // The rest of the file moved: keep it only when the footer is dropped.
        if drop_footer || new_body.len() == n {
            b.extend_from_slice(&v.bytes[at + 16 + n..if drop_footer { v.footer } else { v.bytes.len() }]);
        } else {
            b.extend_from_slice(&v.bytes[at + 16 + n..v.footer]);
        }
        exercise(&b);
    }
}

#[test]
fn the_valid_recording_is_valid() {
    let v = valid();
    let rec = open(&v.bytes, false).unwrap();
    assert_eq!(rec.index_source(), &ksana_format::IndexSource::Footer);
    assert_eq!(rec.segments().len(), 2);
    assert_eq!(rec.frame_count(), 120);
    assert_eq!(read_all(&rec).unwrap().len(), 120);
    exercise(&v.bytes);
    // The allocation counter works: reading allocated at least a chunk body.
    let smallest_chunk = v.blocks.iter().map(|&(_, n)| n).min().unwrap();
    assert!(BIGGEST.with(Cell::get) >= smallest_chunk);
}

/// A chunk whose header claims the largest payload the format allows, behind valid checksums:
/// the reader rejects it (zstd output is shorter) without more than the bounded allocation.
#[test]
fn a_chunk_claiming_the_largest_payload_is_rejected_within_the_bound() {
    let v = valid();
    let &(at, n) = v
        .blocks
        .iter()
        .find(|&&(at, _)| &v.bytes[at..at + 4] == b"CHNK")
        .unwrap();
    let mut b = v.bytes.clone();
    b[at + 16 + 32..at + 16 + 36].copy_from_slice(&(MAX_PAYLOAD_BYTES as u32).to_le_bytes());
    reseal(&mut b, at, n);
    let rec = open(&b, false).unwrap();
    let e = read_all(&rec).unwrap_err();
    assert_eq!(e.offset, at as u64 + 16 + 44, "{e}");
    exercise(&b);
}

/// Regression (fixed): a trailer whose footer offset is within 16 of u64::MAX makes `load_footer` overflow on
/// `at + BLOCK_HEADER_LEN as u64` (reader.rs, "points outside the file" check): a panic in
/// debug builds instead of falling back to scanning. One-line fix: write the check as
/// `at < data_start || at > footer_end.saturating_sub(BLOCK_HEADER_LEN as u64)` (or use
/// `checked_add`).
#[test]
fn regression_trailer_offset_near_u64_max_overflows() {
    let s = sample();
    let mut b = s.bytes.clone();
    let n = b.len();
    b[n - 16..n - 8].copy_from_slice(&(u64::MAX - 3).to_le_bytes());
    let rec = std::panic::catch_unwind(|| {
        open(&b, false).map(|r| (r.frame_count(), r.index_source().clone()))
    })
    .expect("opening panicked")
    .unwrap();
    assert_eq!(rec.0, SAMPLE_FRAMES as u64);
    assert!(matches!(rec.1, ksana_format::IndexSource::Rebuilt { .. }));
}
