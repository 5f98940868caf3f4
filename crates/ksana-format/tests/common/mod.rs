//! Shared helpers of the integration tests: a deterministic sample recording whose expected
//! frames are computed from what the writer was fed (never from the reader), and comparisons.
#![allow(dead_code)]

use std::ops::Range;
use std::path::Path;

use ksana_format::{
    FieldKind, Frame, Header, Marker, MarkerKind, PageSpec, PageUpdate, ReadOptions, Recording,
    Writer, WriterOptions,
};

/// Frames per second of the sample.
pub const HZ: u64 = 100;
/// Nanoseconds between two sample frames.
pub const STEP_NS: u64 = 1_000_000_000 / HZ;
/// Frames in the sample: 5.2 s, so six chunks of at most 1 s (the last one short).
pub const SAMPLE_FRAMES: usize = 520;
/// The frame from which page 1 shrinks from 300 to 280 bytes.
pub const RESIZE_AT: usize = 260;
/// The first frame that carries page 1 (before it, page 1 has no content).
pub const PAGE1_FIRST: usize = 3;

/// One chunk as the writer wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkSpan {
    /// Offset of the CHNK block header.
    pub offset: u64,
    /// Offset just past the block.
    pub end: u64,
    /// Indices into the expected frames.
    pub frames: Range<usize>,
}

/// A recording in memory and everything the writer was given to make it.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The complete file, footer and trailer included.
    pub bytes: Vec<u8>,
    /// The header given to the writer.
    pub header: Header,
    /// Every frame with the full content of every page, as fed to the writer.
    pub frames: Vec<Frame>,
    /// Markers in the order added.
    pub markers: Vec<Marker>,
    /// For each marker, the index of the frame after which it was added (its chunk's frame).
    pub marker_frames: Vec<usize>,
    /// The chunks in file order.
    pub chunks: Vec<ChunkSpan>,
    /// Offset of the FOOT block (= end of the last chunk).
    pub footer_offset: u64,
    /// End of the HEAD block (= where the first chunk starts).
    pub head_end: u64,
}

impl Sample {
    /// The expected frames of the chunks that end at or before `cut`.
    pub fn frames_before(&self, cut: u64) -> &[Frame] {
        let n = self
            .chunks
            .iter()
            .take_while(|c| c.end <= cut)
            .last()
            .map_or(0, |c| c.frames.end);
        &self.frames[..n]
    }

    /// The expected markers of the chunks that end at or before `cut`.
    pub fn markers_before(&self, cut: u64) -> Vec<Marker> {
        let n = self.frames_before(cut).len();
        self.markers
            .iter()
            .zip(&self.marker_frames)
            .filter(|&(_, &i)| i < n)
            .map(|(m, _)| m.clone())
            .collect()
    }
}

/// The writer options of every test recording: in memory, no fsync, no compaction.
pub fn opts() -> WriterOptions {
    WriterOptions {
        sync_every_chunk: false,
        ..Default::default()
    }
}

/// The sample's header: fixed start time so two builds are byte-identical.
pub fn sample_header() -> Header {
    let physics = PageSpec::new("physics", 64)
        .with_layout("test/physics", 3)
        .with_fields(vec![
            (FieldKind::F32, 8),
            (FieldKind::U32, 4),
            (FieldKind::F64, 2),
        ]);
    let graphics = PageSpec::new("graphics", 300).with_layout("test/graphics", 1);
    let mut h = Header::new("testsim", vec![physics, graphics]);
    h.start_unix_ns = 1_700_000_000_000_000_000;
    h.metadata.push(("track".into(), "monza".into()));
    h.metadata.push(("car".into(), "gt3".into()));
    h
}

/// Page 0 at frame `i`: 8 floats, 4 integers, 2 doubles, all changing every frame.
pub fn physics(i: usize) -> Vec<u8> {
    let t = i as f32 / HZ as f32;
    let mut b = Vec::with_capacity(64);
    for k in 0..8 {
        b.extend_from_slice(&(100.0 * (t * (k as f32 + 1.0) * 0.3).sin()).to_le_bytes());
    }
    for k in 0..4u32 {
        b.extend_from_slice(&(i as u32 * (k + 1) + k * 1000).to_le_bytes());
    }
    for k in 0..2 {
        b.extend_from_slice(&(f64::from(t) * 1.5 + k as f64 * 0.25).cos().to_le_bytes());
    }
    assert_eq!(b.len(), 64);
    b
}

/// Page 1 at its `v`-th version (it changes every 10th frame), `size` bytes.
pub fn graphics(v: usize, size: usize) -> Vec<u8> {
    (0..size)
        .map(|j| {
            (j as u8)
                .wrapping_mul(7)
                .wrapping_add((v * 3 + j / 50) as u8)
        })
        .collect()
}

/// The sample's tick for frame `i`: most frames have one, every 7th has none.
pub fn tick(i: usize) -> Option<u64> {
    (i % 7 != 6).then_some(10_000 + i as u64)
}

/// Writes the sample recording: 520 frames at 100 Hz, two pages (64 bytes changing every
/// frame; 300 bytes changing every 10th frame, absent for the first 3 frames, 280 bytes from
/// frame 260), ticks on most frames, four markers.
pub fn sample() -> Sample {
    let header = sample_header();
    let mut w = Writer::new(Vec::new(), header.clone(), opts()).expect("writer");
    let mut frames = Vec::new();
    let mut markers = Vec::new();
    let mut marker_frames = Vec::new();
    let mut chunks = Vec::new();
    let mut state: Vec<Vec<u8>> = vec![Vec::new(); 2];
    let head_end = w.bytes_written();
    let mut chunk_start = 0usize;
    for i in 0..SAMPLE_FRAMES {
        let ts = i as u64 * STEP_NS;
        let marker = match i {
            0 => Some(Marker::new(0, MarkerKind::SessionStart, "race")),
            150 => Some(Marker::new(ts, MarkerKind::LapStart, "2")),
            // A marker a little before the frame it is added with.
            325 => Some(Marker::new(ts - 5_000_000, MarkerKind::User, "pit entry ✓")),
            480 => Some(Marker::new(ts, MarkerKind::Unknown(77), "")),
            _ => None,
        };
        let p0 = physics(i);
        let size1 = if i < RESIZE_AT { 300 } else { 280 };
        let p1 = graphics(i / 10, size1);
        let mut ups = vec![PageUpdate { page: 0, data: &p0 }];
        if i >= PAGE1_FIRST && (i % 10 == 0 || i == PAGE1_FIRST || i == RESIZE_AT) {
            ups.push(PageUpdate { page: 1, data: &p1 });
        }
        let before = w.bytes_written();
        w.write_frame(ts, tick(i), &ups).expect("write_frame");
        let after = w.bytes_written();
        if after != before {
            chunks.push(ChunkSpan {
                offset: before,
                end: after,
                frames: chunk_start..i,
            });
            chunk_start = i;
        }
        // Markers go after the frame so that they land in the frame's chunk.
        if let Some(m) = marker {
            w.add_marker(m.clone()).expect("add_marker");
            markers.push(m);
            marker_frames.push(i);
        }
        for u in &ups {
            state[u.page] = u.data.to_vec();
        }
        frames.push(Frame {
            timestamp_ns: ts,
            tick: tick(i),
            segment: 0,
            pages: state.clone(),
        });
    }
    let before = w.bytes_written();
    w.flush_chunk().expect("flush");
    let footer_offset = w.bytes_written();
    chunks.push(ChunkSpan {
        offset: before,
        end: footer_offset,
        frames: chunk_start..SAMPLE_FRAMES,
    });
    let bytes = w.finish().expect("finish");
    Sample {
        bytes,
        header,
        frames,
        markers,
        marker_frames,
        chunks,
        footer_offset,
        head_end,
    }
}

/// Opens bytes as the file "cut".
pub fn open(bytes: &[u8], salvage: bool) -> ksana_format::Result<Recording> {
    Recording::from_source(
        Box::new(bytes.to_vec()),
        Path::new("cut"),
        ReadOptions { salvage },
    )
}

/// Every frame from the cursor's start, or the first error.
pub fn read_all(rec: &Recording) -> ksana_format::Result<Vec<Frame>> {
    rec.frames().collect()
}

/// Frames up to the first error, and that error.
pub fn read_until_error(rec: &Recording) -> (Vec<Frame>, Option<ksana_format::Error>) {
    let mut out = Vec::new();
    for f in rec.frames() {
        match f {
            Ok(f) => out.push(f),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

/// Asserts two frame sequences are equal, naming the first difference.
#[track_caller]
pub fn assert_frames_eq(actual: &[Frame], expected: &[Frame]) {
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a.timestamp_ns, e.timestamp_ns, "timestamp of frame {i}");
        assert_eq!(a.tick, e.tick, "tick of frame {i} (ts {})", e.timestamp_ns);
        assert_eq!(a.segment, e.segment, "segment of frame {i}");
        assert_eq!(a.pages.len(), e.pages.len(), "page count of frame {i}");
        for (p, (ap, ep)) in a.pages.iter().zip(&e.pages).enumerate() {
            assert!(
                ap == ep,
                "page {p} of frame {i} (ts {}): read {} bytes {:02x?}.., expected {} bytes {:02x?}..",
                e.timestamp_ns,
                ap.len(),
                &ap[..ap.len().min(16)],
                ep.len(),
                &ep[..ep.len().min(16)]
            );
        }
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "frame count (all common frames are equal)"
    );
}

/// A field map as a reader should return it: zero-count runs dropped, adjacent runs of one
/// kind merged. Written here, not taken from the library, so the tests check it.
pub fn normalize_runs(runs: &[(FieldKind, u32)]) -> Vec<(FieldKind, u32)> {
    let mut out: Vec<(FieldKind, u32)> = Vec::new();
    for &(k, n) in runs {
        if n == 0 {
            continue;
        }
        match out.last_mut() {
            Some((lk, ln)) if *lk == k => *ln += n,
            _ => out.push((k, n)),
        }
    }
    out
}

/// Asserts two page lists are equal up to field-map normalization.
#[track_caller]
pub fn assert_pages_eq(actual: &[PageSpec], expected: &[PageSpec]) {
    assert_eq!(actual.len(), expected.len(), "page count");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a.name, e.name, "name of page {i}");
        assert_eq!(a.size, e.size, "size of page {i}");
        assert_eq!(a.layout, e.layout, "layout of page {i}");
        assert_eq!(
            a.layout_version, e.layout_version,
            "layout version of page {i}"
        );
        assert_eq!(
            normalize_runs(&a.fields),
            normalize_runs(&e.fields),
            "field map of page {i}"
        );
    }
}

/// Asserts two headers are equal up to field-map normalization.
#[track_caller]
pub fn assert_header_eq(actual: &Header, expected: &Header) {
    assert_eq!(actual.sim, expected.sim);
    assert_eq!(actual.recorder, expected.recorder);
    assert_eq!(actual.recorder_version, expected.recorder_version);
    assert_eq!(actual.start_unix_ns, expected.start_unix_ns);
    assert_eq!(actual.metadata, expected.metadata);
    assert_pages_eq(&actual.pages, &expected.pages);
}

/// Flips bit `bit` of byte `at`.
pub fn flip(bytes: &[u8], at: u64, bit: u8) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at as usize] ^= 1 << bit;
    b
}

/// Recomputes the header checksum of the block whose header starts at `at`.
pub fn reseal_block_header(bytes: &mut [u8], at: usize) {
    let c = crc32c_of(&bytes[at..at + 12]);
    bytes[at + 12..at + 16].copy_from_slice(&c.to_le_bytes());
}

/// CRC-32C (Castagnoli), bitwise: the tests do not trust the library's framing code.
pub fn crc32c_of(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
