//! A chunk's payload before compression: the frame table, each page's versions, the markers.
//!
//! The writer fills a [`ChunkBuilder`] frame by frame and encodes it when the chunk closes; the
//! reader decodes a payload into a [`DecodedChunk`] whose every offset has been checked, so that
//! replaying it into page buffers cannot fail. Layout: docs/FORMAT.md, "Chunk payload".

use super::columnar;
use super::fields::{self, Field};
use super::patch;
use crate::error::{LocalError, LocalResult};
use crate::marker::{Marker, MarkerKind};
use crate::page::FieldKind;
use crate::wire::{Cursor, Put, unzigzag, zigzag};

/// Pages larger than this are stored as byte-range patches against their previous version
/// instead of columnar rows: large pages (a whole iRacing mapping) change in small places.
pub(crate) const LARGE_PAGE: usize = 64 * 1024;

/// Largest page a reader accepts, so a hostile length cannot make it allocate without bound.
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;
/// Most pages a segment may declare.
pub const MAX_PAGES: usize = 4096;
/// Most frames one chunk may hold.
pub const MAX_CHUNK_FRAMES: usize = 1 << 20;
/// Largest decoded payload a reader accepts for one chunk.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024 * 1024;
/// Longest marker label.
pub const MAX_LABEL_BYTES: usize = 64 * 1024;

const MODE_COLUMNAR: u8 = 0;
const MODE_PATCH: u8 = 1;
const VERSION_FULL: u8 = 0;
const VERSION_PATCH: u8 = 1;
const TICKS_NONE: u8 = 0;
const TICKS_ALL: u8 = 1;
const TICKS_SOME: u8 = 2;

/// Timestamp and sim counter of one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameMeta {
    pub(crate) ts: u64,
    pub(crate) tick: Option<u64>,
}

/// One stored version of a page.
enum Version {
    Full(Vec<u8>),
    /// Same size as the previous version; `ranges` are `(offset, len)` into the page, their
    /// bytes concatenated in `data`.
    Patch {
        ranges: Vec<(usize, usize)>,
        data: Vec<u8>,
    },
}

/// The open chunk of a writer.
pub(crate) struct ChunkBuilder {
    pub(crate) frames: Vec<FrameMeta>,
    changed: Vec<u8>,
    bitmap_len: usize,
    pages: Vec<Vec<Version>>,
    pub(crate) markers: Vec<Marker>,
    /// Bytes buffered beyond each page's first version: what the size limit counts.
    pub(crate) delta_bytes: usize,
    /// Full-state bytes of every frame, for the ratio statistics.
    pub(crate) raw_bytes: u64,
    ranges: Vec<(usize, usize)>,
    scratch: columnar::Scratch,
}

impl ChunkBuilder {
    pub(crate) fn new(page_count: usize) -> ChunkBuilder {
        ChunkBuilder {
            frames: Vec::new(),
            changed: Vec::new(),
            bitmap_len: page_count.div_ceil(8),
            pages: (0..page_count).map(|_| Vec::new()).collect(),
            markers: Vec::new(),
            delta_bytes: 0,
            raw_bytes: 0,
            ranges: Vec::new(),
            scratch: columnar::Scratch::default(),
        }
    }

    /// True when the chunk holds neither frames nor markers.
    pub(crate) fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.markers.is_empty()
    }

    /// Forget everything, keeping allocations.
    pub(crate) fn clear(&mut self) {
        self.frames.clear();
        self.changed.clear();
        self.pages.iter_mut().for_each(Vec::clear);
        self.markers.clear();
        self.delta_bytes = 0;
        self.raw_bytes = 0;
    }

    /// Starts a frame; follow with [`ChunkBuilder::push_page`] for each page it changes.
    pub(crate) fn start_frame(&mut self, meta: FrameMeta, raw_bytes: u64) {
        self.frames.push(meta);
        self.changed.resize(self.changed.len() + self.bitmap_len, 0);
        self.raw_bytes += raw_bytes;
    }

    /// Records that page `p` of the current frame became `new`; `old` is its previous content.
    pub(crate) fn push_page(&mut self, p: usize, old: &[u8], new: &[u8]) {
        let base = self.changed.len() - self.bitmap_len;
        self.changed[base + p / 8] |= 1 << (p % 8);
        let versions = &mut self.pages[p];
        if versions.is_empty() {
            versions.push(Version::Full(new.to_vec()));
            return;
        }
        if new.len() > LARGE_PAGE && old.len() == new.len() {
            patch::diff(old, new, &mut self.ranges);
            let mut data = Vec::new();
            for &(s, l) in &self.ranges {
                data.extend_from_slice(&new[s..s + l]);
            }
            self.delta_bytes += data.len() + 4 * self.ranges.len();
            versions.push(Version::Patch {
                ranges: self.ranges.clone(),
                data,
            });
        } else {
            self.delta_bytes += new.len();
            versions.push(Version::Full(new.to_vec()));
        }
    }

    /// The uncompressed payload. `runs[p]` is page `p`'s field map; `first_ts` the chunk's.
    pub(crate) fn encode(&mut self, runs: &[Vec<(FieldKind, u32)>], first_ts: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.delta_bytes / 2 + 1024);
        let n = self.frames.len();
        out.put_var(n as u64);
        out.put_var(self.pages.len() as u64);
        let mut prev = first_ts;
        for f in &self.frames {
            out.put_var(f.ts - prev);
            prev = f.ts;
        }
        let with_tick = self.frames.iter().filter(|f| f.tick.is_some()).count();
        let mode = match with_tick {
            0 => TICKS_NONE,
            x if x == n => TICKS_ALL,
            _ => TICKS_SOME,
        };
        out.put_u8(mode);
        if mode == TICKS_SOME {
            let mut bits = vec![0u8; n.div_ceil(8)];
            for (i, f) in self.frames.iter().enumerate() {
                if f.tick.is_some() {
                    bits[i / 8] |= 1 << (i % 8);
                }
            }
            out.extend_from_slice(&bits);
        }
        let mut last: Option<u64> = None;
        for t in self.frames.iter().filter_map(|f| f.tick) {
            match last {
                None => out.put_var(t),
                Some(l) => out.put_var(zigzag(t.wrapping_sub(l) as i64)),
            }
            last = Some(t);
        }
        out.extend_from_slice(&self.changed);
        for (p, versions) in self.pages.iter().enumerate() {
            if versions.is_empty() {
                continue;
            }
            let columnar_size = match versions.first() {
                Some(Version::Full(v0)) if v0.len() <= LARGE_PAGE => {
                    let s = v0.len();
                    versions
                        .iter()
                        .all(|v| matches!(v, Version::Full(b) if b.len() == s))
                        .then_some(s)
                }
                _ => None,
            };
            if let Some(size) = columnar_size {
                out.put_u8(MODE_COLUMNAR);
                out.put_var(size as u64);
                let rows: Vec<&[u8]> = versions
                    .iter()
                    .map(|v| match v {
                        Version::Full(b) => b.as_slice(),
                        Version::Patch { .. } => &[],
                    })
                    .collect();
                let fields = fields::expand(runs.get(p).map_or(&[][..], |r| r.as_slice()), size);
                columnar::encode(&rows, &fields, &mut out, &mut self.scratch);
            } else {
                out.put_u8(MODE_PATCH);
                for v in versions {
                    match v {
                        Version::Full(b) => {
                            out.put_u8(VERSION_FULL);
                            out.put_var(b.len() as u64);
                            out.extend_from_slice(b);
                        }
                        Version::Patch { ranges, data } => {
                            out.put_u8(VERSION_PATCH);
                            out.put_var(ranges.len() as u64);
                            let mut end = 0;
                            for &(s, l) in ranges {
                                out.put_var((s - end) as u64);
                                out.put_var(l as u64);
                                end = s + l;
                            }
                            out.extend_from_slice(data);
                        }
                    }
                }
            }
        }
        out.put_var(self.markers.len() as u64);
        for m in &self.markers {
            out.put_var(zigzag(m.timestamp_ns.wrapping_sub(first_ts) as i64));
            out.put_var(u64::from(m.kind.code()));
            out.put_var(m.label.len() as u64);
            out.extend_from_slice(m.label.as_bytes());
        }
        out
    }
}

/// How one stored page version rebuilds the page.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// The page becomes `data[start..start + len]`.
    Full { start: usize, len: usize },
    /// The page keeps its size; `ranges[first..first + count]` overwrite parts of it.
    Patch { first: usize, count: usize },
}

/// A patch range: `len` bytes at page offset `offset`, taken from `data[data_start..]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Range {
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) data_start: usize,
}

/// One page's versions within a decoded chunk, in frame order.
#[derive(Default, Debug)]
pub(crate) struct PageStream {
    pub(crate) ops: Vec<Op>,
    pub(crate) ranges: Vec<Range>,
    pub(crate) data: Vec<u8>,
}

/// A chunk payload, parsed and validated.
#[derive(Debug)]
pub(crate) struct DecodedChunk {
    pub(crate) frames: Vec<FrameMeta>,
    pub(crate) changed: Vec<u8>,
    pub(crate) bitmap_len: usize,
    pub(crate) pages: Vec<PageStream>,
    pub(crate) markers: Vec<Marker>,
}

impl DecodedChunk {
    /// True when page `p` changed in frame `i`.
    #[inline]
    pub(crate) fn changed(&self, i: usize, p: usize) -> bool {
        self.changed[i * self.bitmap_len + p / 8] & (1 << (p % 8)) != 0
    }
}

/// Parses a payload of a chunk whose header announced `frame_count` frames starting at
/// `first_ts` and ending at `last_ts`, in a segment whose pages have the field maps `runs`.
pub(crate) fn decode(
    payload: &[u8],
    frame_count: usize,
    first_ts: u64,
    last_ts: u64,
    runs: &[Vec<(FieldKind, u32)>],
) -> LocalResult<DecodedChunk> {
    let mut c = Cursor::new(payload);
    let at = c.pos();
    let n = c.var_len("frame count", MAX_CHUNK_FRAMES)?;
    if n != frame_count {
        return Err(LocalError {
            at,
            kind: crate::error::ErrorKind::corrupt(
                "chunk payload",
                format!("holds {n} frames, its header says {frame_count}"),
            ),
        });
    }
    let at = c.pos();
    let page_count = c.var_len("page count", MAX_PAGES)?;
    if page_count != runs.len() {
        return Err(LocalError {
            at,
            kind: crate::error::ErrorKind::corrupt(
                "chunk payload",
                format!(
                    "has {page_count} pages, its segment declares {}",
                    runs.len()
                ),
            ),
        });
    }
    let mut frames = Vec::with_capacity(n);
    let mut ts = first_ts;
    for _ in 0..n {
        let d = c.var("frame timestamp")?;
        ts = ts
            .checked_add(d)
            .filter(|&t| t <= last_ts)
            .ok_or_else(|| c.corrupt("frame timestamp", "beyond the chunk's last timestamp"))?;
        frames.push(FrameMeta { ts, tick: None });
    }
    if n > 0 && ts != last_ts {
        return Err(c.corrupt("frame timestamps", "last frame does not end the chunk"));
    }
    let mode = c.u8("tick mode")?;
    let present: Vec<bool> = match mode {
        TICKS_NONE => vec![false; n],
        TICKS_ALL => vec![true; n],
        TICKS_SOME => {
            let bits = c.take(n.div_ceil(8), "tick presence")?;
            (0..n).map(|i| bits[i / 8] & (1 << (i % 8)) != 0).collect()
        }
        m => return Err(c.corrupt("tick mode", format!("unknown mode {m}"))),
    };
    let mut last: Option<u64> = None;
    for (f, &has) in frames.iter_mut().zip(&present) {
        if has {
            let v = c.var("tick")?;
            let t = match last {
                None => v,
                Some(l) => l.wrapping_add(unzigzag(v) as u64),
            };
            f.tick = Some(t);
            last = Some(t);
        }
    }
    let bitmap_len = page_count.div_ceil(8);
    let changed = c
        .take(
            n.checked_mul(bitmap_len)
                .ok_or_else(|| c.corrupt("change bitmaps", "too large"))?,
            "change bitmaps",
        )?
        .to_vec();
    let mut pages = Vec::with_capacity(page_count);
    let mut budget = MAX_PAYLOAD_BYTES;
    for (p, page_runs) in runs.iter().enumerate() {
        let k = (0..n)
            .filter(|&i| changed[i * bitmap_len + p / 8] & (1 << (p % 8)) != 0)
            .count();
        let mut s = PageStream::default();
        if k > 0 {
            decode_page(&mut c, k, page_runs, &mut s, &mut budget)?;
        }
        pages.push(s);
    }
    // Bits for pages beyond the declared count must be clear.
    if page_count % 8 != 0 {
        let spare = !0u8 << (page_count % 8);
        if (0..n).any(|i| changed[i * bitmap_len + bitmap_len - 1] & spare != 0) {
            return Err(c.corrupt("change bitmaps", "a bit is set for an undeclared page"));
        }
    }
    let count = c.var_len("marker count", MAX_CHUNK_FRAMES)?;
    let mut markers = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let d = unzigzag(c.var("marker timestamp")?);
        let timestamp_ns = first_ts.wrapping_add(d as u64);
        let at = c.pos();
        let code = c.var("marker kind")?;
        let code = u16::try_from(code).map_err(|_| LocalError {
            at,
            kind: crate::error::ErrorKind::corrupt(
                "marker kind",
                format!("{code} is not a 16-bit code"),
            ),
        })?;
        let len = c.var_len("marker label", MAX_LABEL_BYTES)?;
        let at = c.pos();
        let label =
            String::from_utf8(c.take(len, "marker label")?.to_vec()).map_err(|_| LocalError {
                at,
                kind: crate::error::ErrorKind::corrupt("marker label", "not valid UTF-8"),
            })?;
        markers.push(Marker {
            timestamp_ns,
            kind: MarkerKind::from_code(code),
            label,
        });
    }
    if c.remaining() != 0 {
        return Err(c.corrupt(
            "chunk payload",
            format!("{} unexpected bytes after the markers", c.remaining()),
        ));
    }
    Ok(DecodedChunk {
        frames,
        changed,
        bitmap_len,
        pages,
        markers,
    })
}

fn decode_page(
    c: &mut Cursor<'_>,
    k: usize,
    runs: &[(FieldKind, u32)],
    s: &mut PageStream,
    budget: &mut usize,
) -> LocalResult<()> {
    let mut charge = |c: &Cursor<'_>, bytes: usize| -> LocalResult<()> {
        *budget = budget
            .checked_sub(bytes)
            .ok_or_else(|| c.corrupt("chunk payload", "decodes to more than the payload limit"))?;
        Ok(())
    };
    match c.u8("page mode")? {
        MODE_COLUMNAR => {
            let size = c.var_len("page size", LARGE_PAGE)?;
            charge(c, size.saturating_mul(k))?;
            let fields: Vec<Field> = fields::expand(runs, size);
            columnar::decode(c, k, size, &fields, &mut s.data)?;
            s.ops = (0..k)
                .map(|j| Op::Full {
                    start: j * size,
                    len: size,
                })
                .collect();
        }
        MODE_PATCH => {
            let mut cur_size: Option<usize> = None;
            for _ in 0..k {
                match c.u8("page version kind")? {
                    VERSION_FULL => {
                        let len = c.var_len("page size", MAX_PAGE_BYTES)?;
                        charge(c, len)?;
                        let start = s.data.len();
                        s.data.extend_from_slice(c.take(len, "page bytes")?);
                        s.ops.push(Op::Full { start, len });
                        cur_size = Some(len);
                    }
                    VERSION_PATCH => {
                        let Some(size) = cur_size else {
                            return Err(c.corrupt(
                                "page patch",
                                "a patch with no earlier version in the chunk",
                            ));
                        };
                        let count = c.var_len("patch range count", size)?;
                        let first = s.ranges.len();
                        let mut end = 0usize;
                        let mut total = 0usize;
                        for _ in 0..count {
                            let gap = c.var_len("patch range offset", size)?;
                            let len = c.var_len("patch range length", size)?;
                            let offset = end + gap;
                            if offset + len > size || len == 0 {
                                return Err(c.corrupt(
                                    "patch range",
                                    format!("{offset}+{len} outside a {size}-byte page"),
                                ));
                            }
                            s.ranges.push(Range {
                                offset,
                                len,
                                data_start: s.data.len() + total,
                            });
                            end = offset + len;
                            total += len;
                        }
                        charge(c, total)?;
                        s.data.extend_from_slice(c.take(total, "patch bytes")?);
                        s.ops.push(Op::Patch { first, count });
                    }
                    v => return Err(c.corrupt("page version kind", format!("unknown kind {v}"))),
                }
            }
        }
        m => return Err(c.corrupt("page mode", format!("unknown mode {m}"))),
    }
    Ok(())
}

/// Applies `op` of `stream` to `page`.
#[inline]
pub(crate) fn apply(stream: &PageStream, op: &Op, page: &mut Vec<u8>) {
    match *op {
        Op::Full { start, len } => {
            page.clear();
            page.extend_from_slice(&stream.data[start..start + len]);
        }
        Op::Patch { first, count } => {
            for r in &stream.ranges[first..first + count] {
                page[r.offset..r.offset + r.len]
                    .copy_from_slice(&stream.data[r.data_start..r.data_start + r.len]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of docs/FORMAT.md §1.12, byte for byte.
    #[test]
    fn payload_matches_the_documented_example() {
        let mut b = ChunkBuilder::new(1);
        let v0 = [1u8, 0, 0, 0, 2, 0, 0, 0];
        let v1 = [1u8, 0, 0, 0, 3, 0, 0, 0];
        b.start_frame(
            FrameMeta {
                ts: 0,
                tick: Some(5),
            },
            8,
        );
        b.push_page(0, &[], &v0);
        b.start_frame(
            FrameMeta {
                ts: 1_000_000,
                tick: Some(6),
            },
            8,
        );
        b.push_page(0, &v0, &v1);
        let payload = b.encode(&[vec![]], 0);
        let expected: Vec<u8> = vec![
            0x02, 0x01, // n, P
            0x00, 0xc0, 0x84, 0x3d, // timestamps
            0x01, 0x05, 0x02, // ticks
            0x01, 0x01, // bitmaps
            0x00, 0x08, // columnar, size 8
            1, 0, 0, 0, 2, 0, 0, 0, // key version
            0x00, 0x03, // predictors: constant, xor
            0x01, 0x00, 0x00, 0x00, // planes 0..3 of field 1
            0x00, // no markers
        ];
        assert_eq!(payload, expected);
        let d = decode(&payload, 2, 0, 1_000_000, &[vec![]]).unwrap();
        assert_eq!(
            d.frames[1],
            FrameMeta {
                ts: 1_000_000,
                tick: Some(6)
            }
        );
        assert_eq!(&d.pages[0].data[8..], &v1);
    }
}
