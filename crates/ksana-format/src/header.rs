//! The bodies of the HEAD, SEGM, CHNK (its fixed part) and FOOT blocks.

use crate::codec::chunk::{MAX_CHUNK_FRAMES, MAX_PAGE_BYTES, MAX_PAGES};
use crate::error::{LocalError, LocalResult};
use crate::marker::{Marker, MarkerKind};
use crate::page::{FieldKind, PageSpec};
use crate::wire::{Cursor, Put};

const MAX_STR: usize = 1024 * 1024;
const MAX_META: usize = 65_536;
const MAX_RUNS: usize = 1 << 20;

/// What a recording says about itself: who recorded which sim, when, with which pages.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Header {
    /// The sim's id, e.g. `iracing`, `acc`, `ac`, `acevo`, `acrally`.
    pub sim: String,
    /// Program that wrote the file, e.g. `ksana`.
    pub recorder: String,
    /// Its version, e.g. `0.1.0`.
    pub recorder_version: String,
    /// Wall-clock time of timestamp 0, in nanoseconds since the Unix epoch (UTC).
    pub start_unix_ns: i64,
    /// Free-form key/value strings in the order written: car, track, driver, notes.
    pub metadata: Vec<(String, String)>,
    /// The pages of the first segment.
    pub pages: Vec<PageSpec>,
}

impl Header {
    /// A header for `sim` with the given pages, stamped with this library's name and version
    /// and the current wall-clock time.
    pub fn new(sim: impl Into<String>, pages: Vec<PageSpec>) -> Header {
        let start_unix_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        Header {
            sim: sim.into(),
            recorder: "ksana".into(),
            recorder_version: env!("CARGO_PKG_VERSION").into(),
            start_unix_ns,
            metadata: Vec::new(),
            pages,
        }
    }

    /// The value of the first metadata entry named `key`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.put_i64(self.start_unix_ns);
        b.put_str(&self.sim);
        b.put_str(&self.recorder);
        b.put_str(&self.recorder_version);
        b.put_u32(self.metadata.len() as u32);
        for (k, v) in &self.metadata {
            b.put_str(k);
            b.put_str(v);
        }
        encode_pages(&mut b, &self.pages);
        b
    }

    pub(crate) fn decode(body: &[u8]) -> LocalResult<Header> {
        let mut c = Cursor::new(body);
        let start_unix_ns = c.i64("start time")?;
        let sim = c.str("sim id", MAX_STR)?;
        let recorder = c.str("recorder name", MAX_STR)?;
        let recorder_version = c.str("recorder version", MAX_STR)?;
        let at = c.pos();
        let n = c.u32("metadata count")? as usize;
        if n > MAX_META {
            return Err(LocalError {
                at,
                kind: crate::ErrorKind::corrupt(
                    "metadata count",
                    format!("{n} exceeds {MAX_META}"),
                ),
            });
        }
        let mut metadata = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let k = c.str("metadata key", MAX_STR)?;
            let v = c.str("metadata value", MAX_STR)?;
            metadata.push((k, v));
        }
        let pages = decode_pages(&mut c)?;
        // Later minor versions may append fields: ignore what follows.
        Ok(Header {
            sim,
            recorder,
            recorder_version,
            start_unix_ns,
            metadata,
            pages,
        })
    }
}

pub(crate) fn validate_pages(pages: &[PageSpec]) -> Result<(), String> {
    if pages.len() > MAX_PAGES {
        return Err(format!("{} pages; at most {MAX_PAGES}", pages.len()));
    }
    for p in pages {
        if p.size as usize > MAX_PAGE_BYTES {
            return Err(format!(
                "page {:?} is {} bytes; at most {MAX_PAGE_BYTES}",
                p.name, p.size
            ));
        }
    }
    Ok(())
}

fn encode_pages(b: &mut Vec<u8>, pages: &[PageSpec]) {
    b.put_u32(pages.len() as u32);
    for p in pages {
        b.put_str(&p.name);
        b.put_u32(p.size);
        b.put_str(&p.layout);
        b.put_u32(p.layout_version);
        let runs = crate::page::merge_runs(&p.fields);
        b.put_u32(runs.len() as u32);
        for &(k, n) in &runs {
            b.put_u8(k.code());
            b.put_u32(n);
        }
    }
}

fn decode_pages(c: &mut Cursor<'_>) -> LocalResult<Vec<PageSpec>> {
    let at = c.pos();
    let n = c.u32("page count")? as usize;
    if n > MAX_PAGES {
        return Err(LocalError {
            at,
            kind: crate::ErrorKind::corrupt("page count", format!("{n} exceeds {MAX_PAGES}")),
        });
    }
    let mut pages = Vec::with_capacity(n);
    for _ in 0..n {
        let name = c.str("page name", MAX_STR)?;
        let at = c.pos();
        let size = c.u32("page size")?;
        if size as usize > MAX_PAGE_BYTES {
            return Err(LocalError {
                at,
                kind: crate::ErrorKind::corrupt(
                    "page size",
                    format!("{size} exceeds {MAX_PAGE_BYTES}"),
                ),
            });
        }
        let layout = c.str("page layout", MAX_STR)?;
        let layout_version = c.u32("page layout version")?;
        let at = c.pos();
        let runs = c.u32("field run count")? as usize;
        if runs > MAX_RUNS || runs * 5 > c.remaining() {
            return Err(LocalError {
                at,
                kind: crate::ErrorKind::corrupt(
                    "field run count",
                    format!("{runs} runs do not fit"),
                ),
            });
        }
        let mut fields = Vec::with_capacity(runs);
        for _ in 0..runs {
            let at = c.pos();
            let code = c.u8("field kind")?;
            let kind = FieldKind::from_code(code).ok_or(LocalError {
                at,
                kind: crate::ErrorKind::corrupt("field kind", format!("unknown code {code}")),
            })?;
            fields.push((kind, c.u32("field count")?));
        }
        pages.push(PageSpec {
            name,
            size,
            layout,
            layout_version,
            fields,
        });
    }
    Ok(pages)
}

/// The body of a SEGM block: a new page table from `start_ns` on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SegmentBody {
    pub(crate) index: u32,
    pub(crate) start_ns: u64,
    pub(crate) reason: String,
    pub(crate) pages: Vec<PageSpec>,
}

impl SegmentBody {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.put_u32(self.index);
        b.put_u64(self.start_ns);
        b.put_str(&self.reason);
        encode_pages(&mut b, &self.pages);
        b
    }

    pub(crate) fn decode(body: &[u8]) -> LocalResult<SegmentBody> {
        let mut c = Cursor::new(body);
        Ok(SegmentBody {
            index: c.u32("segment index")?,
            start_ns: c.u64("segment start")?,
            reason: c.str("segment reason", MAX_STR)?,
            pages: decode_pages(&mut c)?,
        })
    }
}

/// Codec id of the columnar transform followed by zstd.
pub(crate) const CODEC_COLUMNAR_ZSTD: u8 = 1;
/// Size of the fixed part of a CHNK body.
pub(crate) const CHUNK_HEAD_LEN: usize = 44;

/// The fixed, uncompressed start of a CHNK body: enough to index a chunk without decoding it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChunkHead {
    pub(crate) segment: u32,
    pub(crate) frame_count: u32,
    pub(crate) first_ts: u64,
    pub(crate) last_ts: u64,
    pub(crate) raw_bytes: u64,
    pub(crate) payload_len: u32,
    pub(crate) codec: u8,
}

impl ChunkHead {
    pub(crate) fn encode(&self, b: &mut Vec<u8>) {
        b.put_u32(self.segment);
        b.put_u32(self.frame_count);
        b.put_u64(self.first_ts);
        b.put_u64(self.last_ts);
        b.put_u64(self.raw_bytes);
        b.put_u32(self.payload_len);
        b.put_u8(self.codec);
        b.extend_from_slice(&[0; 3]);
        b.put_u32(0); // dictionary id: none; reserved for a later minor version
    }

    pub(crate) fn decode(body: &[u8]) -> LocalResult<ChunkHead> {
        let mut c = Cursor::new(body);
        let h = ChunkHead {
            segment: c.u32("chunk segment")?,
            frame_count: c.u32("chunk frame count")?,
            first_ts: c.u64("chunk first timestamp")?,
            last_ts: c.u64("chunk last timestamp")?,
            raw_bytes: c.u64("chunk raw size")?,
            payload_len: c.u32("chunk payload size")?,
            codec: c.u8("chunk codec")?,
        };
        c.take(3, "chunk reserved")?;
        let at = c.pos();
        let dict = c.u32("chunk dictionary")?;
        let bad = |at: usize, detail: String| {
            Err(LocalError {
                at,
                kind: crate::ErrorKind::corrupt("chunk header", detail),
            })
        };
        if dict != 0 {
            return bad(
                at,
                format!("dictionary {dict} is not supported by this version"),
            );
        }
        if h.codec != CODEC_COLUMNAR_ZSTD {
            return bad(28, format!("unknown codec {}", h.codec));
        }
        if h.first_ts > h.last_ts {
            return bad(
                8,
                format!("first timestamp {} after last {}", h.first_ts, h.last_ts),
            );
        }
        if h.frame_count as usize > MAX_CHUNK_FRAMES {
            return bad(
                4,
                format!("{} frames exceed {MAX_CHUNK_FRAMES}", h.frame_count),
            );
        }
        if h.payload_len as usize > crate::codec::chunk::MAX_PAYLOAD_BYTES {
            return bad(
                32,
                format!("payload of {} bytes exceeds the limit", h.payload_len),
            );
        }
        Ok(h)
    }
}

/// One chunk as the index knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChunkInfo {
    /// Offset of the chunk's block header in the file.
    pub offset: u64,
    /// Bytes the block takes in the file, header included.
    pub stored_bytes: u64,
    /// Segment the chunk's frames belong to.
    pub segment: u32,
    /// Frames in the chunk.
    pub frame_count: u32,
    /// Timestamp of its first frame (or marker, for a chunk of markers only).
    pub first_ns: u64,
    /// Timestamp of its last frame.
    pub last_ns: u64,
    /// Full-state bytes of its frames: what dumping every page every frame would take.
    pub raw_bytes: u64,
}

/// Where a segment is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SegmentEntry {
    pub(crate) offset: u64,
}

/// The body of the FOOT block: the index of a cleanly closed file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct FooterBody {
    pub(crate) chunks: Vec<ChunkInfo>,
    pub(crate) segments: Vec<SegmentEntry>,
    pub(crate) markers: Vec<Marker>,
}

impl FooterBody {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.chunks.len() * 48 + 64);
        b.put_u32(self.chunks.len() as u32);
        for ch in &self.chunks {
            b.put_u64(ch.offset);
            b.put_u64(ch.stored_bytes);
            b.put_u32(ch.segment);
            b.put_u32(ch.frame_count);
            b.put_u64(ch.first_ns);
            b.put_u64(ch.last_ns);
            b.put_u64(ch.raw_bytes);
        }
        b.put_u32(self.segments.len() as u32);
        for s in &self.segments {
            b.put_u64(s.offset);
        }
        b.put_u32(self.markers.len() as u32);
        for m in &self.markers {
            b.put_u64(m.timestamp_ns);
            b.put_u16(m.kind.code());
            b.put_str(&m.label);
        }
        b
    }

    pub(crate) fn decode(body: &[u8]) -> LocalResult<FooterBody> {
        let mut c = Cursor::new(body);
        let count = |c: &mut Cursor<'_>, what: &'static str, each: usize| -> LocalResult<usize> {
            let at = c.pos();
            let n = c.u32(what)? as usize;
            if n.saturating_mul(each) > c.remaining() {
                return Err(LocalError {
                    at,
                    kind: crate::ErrorKind::corrupt(
                        what,
                        format!("{n} entries do not fit in the footer"),
                    ),
                });
            }
            Ok(n)
        };
        let n = count(&mut c, "footer chunk count", 48)?;
        let mut chunks = Vec::with_capacity(n);
        for _ in 0..n {
            chunks.push(ChunkInfo {
                offset: c.u64("chunk offset")?,
                stored_bytes: c.u64("chunk size")?,
                segment: c.u32("chunk segment")?,
                frame_count: c.u32("chunk frame count")?,
                first_ns: c.u64("chunk first timestamp")?,
                last_ns: c.u64("chunk last timestamp")?,
                raw_bytes: c.u64("chunk raw size")?,
            });
        }
        let n = count(&mut c, "footer segment count", 8)?;
        let mut segments = Vec::with_capacity(n);
        for _ in 0..n {
            segments.push(SegmentEntry {
                offset: c.u64("segment offset")?,
            });
        }
        let n = count(&mut c, "footer marker count", 14)?;
        let mut markers = Vec::with_capacity(n);
        for _ in 0..n {
            markers.push(Marker {
                timestamp_ns: c.u64("marker timestamp")?,
                kind: MarkerKind::from_code(c.u16("marker kind")?),
                label: c.str("marker label", crate::codec::chunk::MAX_LABEL_BYTES)?,
            });
        }
        Ok(FooterBody {
            chunks,
            segments,
            markers,
        })
    }
}
