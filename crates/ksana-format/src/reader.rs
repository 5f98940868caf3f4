//! Opening a recording: header, index (from the footer, or rebuilt by scanning after a
//! crash), and a cursor that replays frames in order or from any timestamp.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::block::{self, BLOCK_HEADER_LEN, PREAMBLE_LEN, TRAILER_LEN, Tag};
use crate::codec::chunk::{self, DecodedChunk};
use crate::error::{Error, ErrorKind, LocalError, Result};
use crate::header::{CHUNK_HEAD_LEN, ChunkHead, ChunkInfo, FooterBody, Header, SegmentBody};
use crate::marker::Marker;
use crate::page::{FieldKind, PageSpec};
use crate::source::{FileSource, Source};

/// How tolerant a reader is of damage.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOptions {
    /// Skip chunks that fail their checksum or do not decode, and resync past damaged block
    /// headers, instead of stopping with an error. What was skipped is reported.
    pub salvage: bool,
}

/// Where the chunk index came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum IndexSource {
    /// The footer of a cleanly closed file.
    Footer,
    /// Rebuilt by scanning every block, because the footer was missing or unusable.
    Rebuilt {
        /// Why the footer could not be used.
        reason: String,
    },
}

/// A stretch of the file that could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Damage {
    /// Where the unusable bytes start.
    pub offset: u64,
    /// How many bytes are lost.
    pub bytes: u64,
    /// Why, e.g. "incomplete chunk at end of file" or a checksum mismatch.
    pub reason: String,
    /// True when this is the incomplete last block a writer killed mid-write leaves: the
    /// expected end of a crashed recording rather than corruption.
    pub incomplete_tail: bool,
}

/// The page list in force from a point of the recording on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Segment {
    /// 0 for the header's pages, then 1, 2, …
    pub index: u32,
    /// Timestamp from which it applies.
    pub start_ns: u64,
    /// Why the segment began (empty for segment 0).
    pub reason: String,
    /// Its pages; frames index into this list.
    pub pages: Vec<PageSpec>,
}

/// An open recording.
///
/// ```
/// # use ksana_format::{Header, PageSpec, PageUpdate, Writer, WriterOptions, Recording};
/// # let mut w = Writer::new(Vec::new(), Header::new("demo", vec![PageSpec::new("p", 4)]), WriterOptions::default()).unwrap();
/// # for i in 0..10u32 { w.write_frame(u64::from(i) * 1_000_000, None, &[PageUpdate { page: 0, data: &i.to_le_bytes() }]).unwrap(); }
/// # let bytes = w.finish().unwrap();
/// let rec = Recording::from_bytes(bytes)?;
/// println!("{} recorded by {} {}", rec.header().sim, rec.header().recorder, rec.header().recorder_version);
/// let mut frames = rec.frames();
/// frames.seek(5_000_000)?;
/// while let Some(f) = frames.next_frame()? {
///     println!("{} ns tick {:?}: {:?}", f.timestamp_ns(), f.tick(), f.page(0));
/// }
/// # Ok::<(), ksana_format::Error>(())
/// ```
pub struct Recording {
    path: PathBuf,
    src: Box<dyn Source>,
    version: (u16, u16),
    header: Header,
    segments: Vec<Segment>,
    runs: Vec<Vec<Vec<(FieldKind, u32)>>>,
    chunks: Vec<ChunkInfo>,
    markers: Vec<Marker>,
    index: IndexSource,
    damage: Vec<Damage>,
    opts: ReadOptions,
}

impl std::fmt::Debug for Recording {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recording")
            .field("path", &self.path)
            .field("header", &self.header)
            .field("chunks", &self.chunks.len())
            .field("index", &self.index)
            .finish()
    }
}

impl Recording {
    /// Opens a recording file with default options (no salvage).
    pub fn open(path: impl AsRef<Path>) -> Result<Recording> {
        Recording::open_with(path, ReadOptions::default())
    }

    /// Opens a recording file.
    pub fn open_with(path: impl AsRef<Path>, opts: ReadOptions) -> Result<Recording> {
        let path = path.as_ref();
        let io = |e: std::io::Error| Error {
            path: path.to_path_buf(),
            offset: 0,
            kind: e.into(),
        };
        let src = FileSource::new(File::open(path).map_err(io)?).map_err(io)?;
        Recording::from_source(Box::new(src), path, opts)
    }

    /// Opens a recording held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Recording> {
        Recording::from_source(
            Box::new(bytes),
            Path::new("<memory>"),
            ReadOptions::default(),
        )
    }

    /// Opens a recording from any source; `path` names it in errors.
    pub fn from_source(src: Box<dyn Source>, path: &Path, opts: ReadOptions) -> Result<Recording> {
        let len = src.len();
        let err = |offset: u64, kind: ErrorKind| Error {
            path: path.to_path_buf(),
            offset,
            kind,
        };
        if len == 0 {
            return Err(err(0, ErrorKind::Empty));
        }
        let mut pre = vec![0u8; (PREAMBLE_LEN as u64).min(len) as usize];
        src.read_at(0, &mut pre).map_err(|e| err(0, e.into()))?;
        let version = block::check_preamble(&pre).map_err(|e| e.at(path, 0))?;
        let (h, body) = read_block(src.as_ref(), PREAMBLE_LEN as u64)
            .map_err(|e| e.at(path, PREAMBLE_LEN as u64))?;
        if h.tag != Tag::Head {
            return Err(err(
                PREAMBLE_LEN as u64,
                ErrorKind::corrupt("header", "the first block is not a HEAD block"),
            ));
        }
        let body_at = (PREAMBLE_LEN + BLOCK_HEADER_LEN) as u64;
        let header = Header::decode(&body).map_err(|e| e.at(path, body_at))?;
        let data_start = body_at + u64::from(h.body_len);
        let mut rec = Recording {
            path: path.to_path_buf(),
            src,
            version,
            segments: vec![Segment {
                index: 0,
                start_ns: 0,
                reason: String::new(),
                pages: header.pages.clone(),
            }],
            runs: vec![header.pages.iter().map(|p| p.fields.clone()).collect()],
            header,
            chunks: Vec::new(),
            markers: Vec::new(),
            index: IndexSource::Footer,
            damage: Vec::new(),
            opts,
        };
        match rec.load_footer(data_start) {
            Ok(()) => {}
            Err(reason) => {
                rec.segments.truncate(1);
                rec.runs.truncate(1);
                rec.chunks.clear();
                rec.markers.clear();
                rec.index = IndexSource::Rebuilt { reason };
                rec.scan(data_start)?;
            }
        }
        Ok(rec)
    }

    fn load_footer(&mut self, data_start: u64) -> std::result::Result<(), String> {
        let len = self.src.len();
        if len < data_start + (BLOCK_HEADER_LEN + TRAILER_LEN) as u64 {
            return Err("no footer: the writer did not close the file".into());
        }
        let mut t = [0u8; TRAILER_LEN];
        self.src
            .read_at(len - TRAILER_LEN as u64, &mut t)
            .map_err(|e| e.to_string())?;
        if t[8..] != block::TRAILER_MAGIC {
            return Err("no footer: the writer did not close the file".into());
        }
        let at = u64::from_le_bytes(t[..8].try_into().unwrap_or_default());
        let footer_end = len - TRAILER_LEN as u64;
        if at < data_start || at > footer_end.saturating_sub(BLOCK_HEADER_LEN as u64) {
            return Err(format!("footer offset {at} points outside the file"));
        }
        let (h, body) = read_block(self.src.as_ref(), at)
            .map_err(|e| format!("footer at byte {}: {}", at + e.at as u64, e.kind))?;
        if h.tag != Tag::Footer
            || at + (BLOCK_HEADER_LEN as u64) + u64::from(h.body_len) != footer_end
        {
            return Err(format!(
                "the trailer points at byte {at}, which is not the footer"
            ));
        }
        let f = FooterBody::decode(&body)
            .map_err(|e| format!("footer at byte {}: {}", at + e.at as u64, e.kind))?;
        let mut end = data_start;
        let mut last_ts = 0u64;
        for c in &f.chunks {
            if c.offset < end
                || c.offset.checked_add(c.stored_bytes).is_none_or(|e| e > at)
                || c.first_ns > c.last_ns
                || c.first_ns < last_ts
            {
                return Err(format!(
                    "footer entry for the chunk at byte {} is inconsistent",
                    c.offset
                ));
            }
            if c.segment as usize >= f.segments.len() {
                return Err(format!(
                    "footer entry for the chunk at byte {} names segment {}",
                    c.offset, c.segment
                ));
            }
            end = c.offset + c.stored_bytes;
            last_ts = c.last_ns;
        }
        if f.segments.first().map(|s| s.offset) != Some(PREAMBLE_LEN as u64) {
            return Err("footer does not list the header as segment 0".into());
        }
        for (i, s) in f.segments.iter().enumerate().skip(1) {
            let (h, body) = read_block(self.src.as_ref(), s.offset)
                .map_err(|e| format!("segment {i} at byte {}: {}", s.offset, e.kind))?;
            let seg = SegmentBody::decode(&body)
                .ok()
                .filter(|b| h.tag == Tag::Segment && b.index as usize == i);
            let Some(seg) = seg else {
                return Err(format!(
                    "footer's segment {i} at byte {} is not a valid segment block",
                    s.offset
                ));
            };
            self.push_segment(seg);
        }
        self.chunks = f.chunks;
        self.markers = f.markers;
        Ok(())
    }

    fn push_segment(&mut self, seg: SegmentBody) {
        self.runs
            .push(seg.pages.iter().map(|p| p.fields.clone()).collect());
        self.segments.push(Segment {
            index: seg.index,
            start_ns: seg.start_ns,
            reason: seg.reason,
            pages: seg.pages,
        });
    }

    /// Walks every block from `pos`, building the index; stops at the first damage unless
    /// salvaging.
    fn scan(&mut self, mut pos: u64) -> Result<()> {
        let len = self.src.len();
        let mut last_ts = 0u64;
        let mut dec = Decoder::new();
        while pos < len {
            let block = read_block(self.src.as_ref(), pos);
            let (h, body) = match block {
                Ok(b) => b,
                Err(e) => {
                    let tail = matches!(e.kind, ErrorKind::Truncated { .. });
                    let reason = match e.kind {
                        ErrorKind::Truncated { .. } => {
                            "incomplete block at the end of the file (the writer stopped mid-write)"
                                .to_string()
                        }
                        ErrorKind::Io(ref io) if io.kind() != std::io::ErrorKind::UnexpectedEof => {
                            return Err(e.at(&self.path, pos));
                        }
                        k => format!("unreadable block: {k}"),
                    };
                    if self.opts.salvage
                        && let Some(next) = self.resync(pos + 1)
                    {
                        self.damage.push(Damage {
                            offset: pos,
                            bytes: next - pos,
                            reason,
                            incomplete_tail: false,
                        });
                        pos = next;
                        continue;
                    }
                    self.damage.push(Damage {
                        offset: pos,
                        bytes: len - pos,
                        reason,
                        incomplete_tail: tail,
                    });
                    break;
                }
            };
            let block_len = (BLOCK_HEADER_LEN as u64) + u64::from(h.body_len);
            match h.tag {
                Tag::Chunk => {
                    let info = ChunkHead::decode(&body)
                        .map_err(|e| e.kind)
                        .and_then(|ch| {
                            if ch.segment as usize != self.segments.len() - 1 {
                                return Err(ErrorKind::corrupt(
                                    "chunk",
                                    format!(
                                        "segment {} where {} was expected",
                                        ch.segment,
                                        self.segments.len() - 1
                                    ),
                                ));
                            }
                            if ch.first_ts < last_ts {
                                return Err(ErrorKind::corrupt("chunk", "timestamps go backwards"));
                            }
                            Ok(ChunkInfo {
                                offset: pos,
                                stored_bytes: block_len,
                                segment: ch.segment,
                                frame_count: ch.frame_count,
                                first_ns: ch.first_ts,
                                last_ns: ch.last_ts,
                                raw_bytes: ch.raw_bytes,
                            })
                        })
                        .and_then(|info| {
                            let d = dec
                                .decode(&body, &info, &self.runs[info.segment as usize])
                                .map_err(|e| e.kind)?;
                            Ok((info, d))
                        });
                    match info {
                        Ok((info, d)) => {
                            last_ts = info.last_ns;
                            self.markers.extend(d.markers);
                            self.chunks.push(info);
                        }
                        Err(kind) => {
                            self.damage.push(Damage {
                                offset: pos,
                                bytes: block_len,
                                reason: format!("chunk skipped: {kind}"),
                                incomplete_tail: false,
                            });
                            if !self.opts.salvage {
                                break;
                            }
                        }
                    }
                }
                Tag::Segment => match SegmentBody::decode(&body) {
                    Ok(seg) if seg.index as usize == self.segments.len() => self.push_segment(seg),
                    Ok(seg) => {
                        self.damage.push(Damage {
                            offset: pos,
                            bytes: block_len,
                            reason: format!("segment {} out of order", seg.index),
                            incomplete_tail: false,
                        });
                        if !self.opts.salvage {
                            break;
                        }
                    }
                    Err(e) => {
                        self.damage.push(Damage {
                            offset: pos,
                            bytes: block_len,
                            reason: format!("segment block: {}", e.kind),
                            incomplete_tail: false,
                        });
                        if !self.opts.salvage {
                            break;
                        }
                    }
                },
                // A footer whose trailer is missing or damaged: it ends the data. What follows
                // it should be exactly a trailer pointing back at it; anything else is damage.
                Tag::Footer => {
                    let end = pos + block_len;
                    let rest = len - end;
                    let mut t = [0u8; TRAILER_LEN];
                    let trailer_ok = rest == TRAILER_LEN as u64
                        && self.src.read_at(end, &mut t).is_ok()
                        && t == block::trailer(pos);
                    if let IndexSource::Rebuilt { reason } = &mut self.index {
                        reason.push_str(&format!("; footer block found at byte {pos}"));
                    }
                    if rest > 0 && !trailer_ok {
                        self.damage.push(Damage {
                            offset: end,
                            bytes: rest,
                            reason: "bytes after the footer that are not its trailer".into(),
                            // A trailer cut short is how a writer killed while closing ends.
                            incomplete_tail: rest < TRAILER_LEN as u64,
                        });
                    }
                    break;
                }
                Tag::Head => {
                    self.damage.push(Damage {
                        offset: pos,
                        bytes: block_len,
                        reason: "a second HEAD block".into(),
                        incomplete_tail: false,
                    });
                    if !self.opts.salvage {
                        break;
                    }
                }
                Tag::Unknown(_) => {}
            }
            pos += block_len;
        }
        Ok(())
    }

    /// The next offset at or after `from` where a block header checks out and its body fits.
    fn resync(&self, from: u64) -> Option<u64> {
        let len = self.src.len();
        let mut window = vec![0u8; 1 << 16];
        let mut base = from;
        while base + BLOCK_HEADER_LEN as u64 <= len {
            let n = ((len - base) as usize).min(window.len());
            self.src.read_at(base, &mut window[..n]).ok()?;
            for i in 0..n.saturating_sub(BLOCK_HEADER_LEN - 1) {
                let tag = &window[i..i + 4];
                if !matches!(tag, b"CHNK" | b"SEGM" | b"FOOT") {
                    continue;
                }
                let hdr: &[u8; BLOCK_HEADER_LEN] =
                    window[i..i + BLOCK_HEADER_LEN].try_into().ok()?;
                if let Ok(h) = block::parse_block_header(hdr) {
                    let at = base + i as u64;
                    if at + (BLOCK_HEADER_LEN as u64) + u64::from(h.body_len) <= len {
                        return Some(at);
                    }
                }
            }
            if n < window.len() {
                break;
            }
            base += (n - (BLOCK_HEADER_LEN - 1)) as u64;
        }
        None
    }

    /// The file's name, as given when opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Format version of the file, (major, minor).
    pub fn version(&self) -> (u16, u16) {
        self.version
    }

    /// Sim, recorder, start time, metadata and first pages.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Page lists in force over the recording; at least one.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Every readable chunk, in file order.
    pub fn chunks(&self) -> &[ChunkInfo] {
        &self.chunks
    }

    /// Every marker in readable chunks.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Whether the footer was present or the index had to be rebuilt.
    pub fn index_source(&self) -> &IndexSource {
        &self.index
    }

    /// Parts of the file found unusable while opening (a crashed writer's incomplete tail, or
    /// damage). Damage found while reading frames is reported by [`Frames::skipped`].
    pub fn damage(&self) -> &[Damage] {
        &self.damage
    }

    /// Frames in readable chunks.
    pub fn frame_count(&self) -> u64 {
        self.chunks.iter().map(|c| u64::from(c.frame_count)).sum()
    }

    /// Timestamp of the first and last frame, if there are frames.
    pub fn time_range(&self) -> Option<(u64, u64)> {
        let mut it = self.chunks.iter().filter(|c| c.frame_count > 0);
        let first = it.next()?;
        let last = it.next_back().unwrap_or(first);
        Some((first.first_ns, last.last_ns))
    }

    /// Size of the file in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.src.len()
    }

    /// Decodes every chunk the index lists and checks it, without keeping anything: a player
    /// calls this before publishing so that a damaged file is refused before any consumer sees
    /// a frame. Returns the first error, located in the file. A crashed writer's incomplete
    /// last block is not an error here: everything before it is whole.
    pub fn verify(&self) -> Result<()> {
        let mut frames = self.frames();
        while frames.next_frame()?.is_some() {}
        if let Some(d) = self.damage.iter().find(|d| !d.incomplete_tail) {
            return Err(Error {
                path: self.path.clone(),
                offset: d.offset,
                kind: ErrorKind::corrupt("recording", d.reason.clone()),
            });
        }
        Ok(())
    }

    /// A cursor over the frames, from the first.
    pub fn frames(&self) -> Frames<'_> {
        Frames {
            rec: self,
            next_chunk: 0,
            cur: None,
            frame: 0,
            next_op: Vec::new(),
            pages: Vec::new(),
            changed: Vec::new(),
            segment: 0,
            skip_before: 0,
            skipped: Vec::new(),
            decoded: Vec::new(),
            dec: Decoder::new(),
        }
    }
}

/// Reads a whole block at `pos`: header checked, body present and matching its checksum.
fn read_block(
    src: &dyn Source,
    pos: u64,
) -> std::result::Result<(block::BlockHeader, Vec<u8>), LocalError> {
    let len = src.len();
    let avail = len.saturating_sub(pos);
    if avail < BLOCK_HEADER_LEN as u64 {
        return Err(LocalError {
            at: 0,
            kind: ErrorKind::Truncated {
                what: "block header",
                needed: BLOCK_HEADER_LEN as u64 - avail,
            },
        });
    }
    let mut hb = [0u8; BLOCK_HEADER_LEN];
    src.read_at(pos, &mut hb).map_err(|e| LocalError {
        at: 0,
        kind: e.into(),
    })?;
    let h = block::parse_block_header(&hb)?;
    let body_avail = avail - BLOCK_HEADER_LEN as u64;
    if u64::from(h.body_len) > body_avail {
        return Err(LocalError {
            at: BLOCK_HEADER_LEN,
            kind: ErrorKind::Truncated {
                what: "block body",
                needed: u64::from(h.body_len) - body_avail,
            },
        });
    }
    let mut body = vec![0u8; h.body_len as usize];
    src.read_at(pos + BLOCK_HEADER_LEN as u64, &mut body)
        .map_err(|e| LocalError {
            at: BLOCK_HEADER_LEN,
            kind: e.into(),
        })?;
    block::check_body(&h, &body, "block body").map_err(|e| LocalError {
        at: BLOCK_HEADER_LEN,
        kind: e.kind,
    })?;
    Ok((h, body))
}

/// Decompresses and parses chunk bodies, reusing its buffers.
struct Decoder {
    zstd: Option<zstd::bulk::Decompressor<'static>>,
    payload: Vec<u8>,
}

impl Decoder {
    fn new() -> Decoder {
        Decoder {
            zstd: zstd::bulk::Decompressor::new().ok(),
            payload: Vec::new(),
        }
    }

    /// Decodes a CHNK body (already checksummed) that the index describes as `info`.
    fn decode(
        &mut self,
        body: &[u8],
        info: &ChunkInfo,
        runs: &[Vec<(FieldKind, u32)>],
    ) -> std::result::Result<DecodedChunk, LocalError> {
        let head = ChunkHead::decode(body)?;
        if head.segment != info.segment
            || head.frame_count != info.frame_count
            || head.first_ts != info.first_ns
            || head.last_ts != info.last_ns
        {
            return Err(LocalError {
                at: 0,
                kind: ErrorKind::corrupt("chunk header", "does not match the index"),
            });
        }
        let z = self.zstd.as_mut().ok_or_else(|| LocalError {
            at: 0,
            kind: ErrorKind::Io(std::io::Error::other("zstd unavailable")),
        })?;
        self.payload.clear();
        self.payload.reserve(head.payload_len as usize);
        let n = z
            .decompress_to_buffer(&body[CHUNK_HEAD_LEN..], &mut self.payload)
            .map_err(|e| LocalError {
                at: CHUNK_HEAD_LEN,
                kind: ErrorKind::corrupt("chunk payload", format!("zstd: {e}")),
            })?;
        if n != head.payload_len as usize {
            return Err(LocalError {
                at: CHUNK_HEAD_LEN,
                kind: ErrorKind::corrupt(
                    "chunk payload",
                    format!(
                        "decompressed to {n} bytes, header says {}",
                        head.payload_len
                    ),
                ),
            });
        }
        chunk::decode(
            &self.payload,
            head.frame_count as usize,
            head.first_ts,
            head.last_ts,
            runs,
        )
        .map_err(|e| LocalError {
            at: CHUNK_HEAD_LEN,
            kind: ErrorKind::corrupt(
                "chunk payload",
                format!("at payload byte {}: {}", e.at, e.kind),
            ),
        })
    }
}

/// One frame as stored: its own copy of every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Nanoseconds since the recording's start.
    pub timestamp_ns: u64,
    /// The sim's update counter, when it has one.
    pub tick: Option<u64>,
    /// Segment whose page list `pages` follows.
    pub segment: u32,
    /// Every page's content at this frame (empty for a page with no content yet).
    pub pages: Vec<Vec<u8>>,
}

/// A frame borrowed from a [`Frames`] cursor: no copy of the pages.
#[derive(Clone, Copy, Debug)]
pub struct FrameRef<'a> {
    timestamp_ns: u64,
    tick: Option<u64>,
    segment: u32,
    pages: &'a [Vec<u8>],
    changed: &'a [bool],
}

impl<'a> FrameRef<'a> {
    /// A frame made outside a recording (a generator publishing through a sim's publisher):
    /// `pages` are every page's content, `changed` which of them this frame updates.
    pub fn new(
        timestamp_ns: u64,
        tick: Option<u64>,
        segment: u32,
        pages: &'a [Vec<u8>],
        changed: &'a [bool],
    ) -> FrameRef<'a> {
        FrameRef {
            timestamp_ns,
            tick,
            segment,
            pages,
            changed,
        }
    }
    /// Nanoseconds since the recording's start.
    pub fn timestamp_ns(&self) -> u64 {
        self.timestamp_ns
    }
    /// The sim's update counter, when it has one.
    pub fn tick(&self) -> Option<u64> {
        self.tick
    }
    /// Segment whose page list this frame follows.
    pub fn segment(&self) -> u32 {
        self.segment
    }
    /// Content of page `i` (empty if the page has none yet or does not exist).
    pub fn page(&self, i: usize) -> &'a [u8] {
        self.pages.get(i).map_or(&[], |p| p.as_slice())
    }
    /// Every page's content.
    pub fn pages(&self) -> &'a [Vec<u8>] {
        self.pages
    }
    /// True when page `i` was stored in this frame (changed, or the first frame of a chunk).
    pub fn changed(&self, i: usize) -> bool {
        self.changed.get(i).copied().unwrap_or(false)
    }
    /// An owned copy.
    pub fn to_frame(&self) -> Frame {
        Frame {
            timestamp_ns: self.timestamp_ns,
            tick: self.tick,
            segment: self.segment,
            pages: self.pages.to_vec(),
        }
    }
}

/// A cursor over a recording's frames; see [`Recording::frames`].
///
/// `next_frame` lends each frame without copying; the `Iterator` impl yields owned copies.
pub struct Frames<'r> {
    rec: &'r Recording,
    next_chunk: usize,
    cur: Option<DecodedChunk>,
    frame: usize,
    next_op: Vec<usize>,
    pages: Vec<Vec<u8>>,
    changed: Vec<bool>,
    segment: u32,
    skip_before: u64,
    skipped: Vec<Damage>,
    decoded: Vec<usize>,
    dec: Decoder,
}

impl<'r> Frames<'r> {
    /// Positions the cursor so that the next frame is the first at or after `timestamp_ns`.
    /// Decodes at most one chunk to get there.
    pub fn seek(&mut self, timestamp_ns: u64) -> Result<()> {
        let chunks = &self.rec.chunks;
        self.next_chunk = chunks.partition_point(|c| c.last_ns < timestamp_ns);
        self.cur = None;
        self.skip_before = timestamp_ns;
        Ok(())
    }

    /// Indices (into [`Recording::chunks`]) of the chunks decoded so far, in order.
    pub fn decoded_chunks(&self) -> &[usize] {
        &self.decoded
    }

    /// Chunks skipped so far because they were damaged (salvage mode only).
    pub fn skipped(&self) -> &[Damage] {
        &self.skipped
    }

    /// The next frame, or `None` at the end.
    pub fn next_frame(&mut self) -> Result<Option<FrameRef<'_>>> {
        loop {
            if let Some(c) = &self.cur
                && self.frame < c.frames.len()
            {
                let i = self.frame;
                self.frame += 1;
                let meta = c.frames[i];
                for (p, page) in self.pages.iter_mut().enumerate() {
                    let ch = c.changed(i, p);
                    self.changed[p] = ch;
                    if ch {
                        let s = &c.pages[p];
                        chunk::apply(s, &s.ops[self.next_op[p]], page);
                        self.next_op[p] += 1;
                    }
                }
                if meta.ts < self.skip_before {
                    continue;
                }
                return Ok(Some(FrameRef {
                    timestamp_ns: meta.ts,
                    tick: meta.tick,
                    segment: self.segment,
                    pages: &self.pages,
                    changed: &self.changed,
                }));
            }
            if !self.load_next_chunk()? {
                return Ok(None);
            }
        }
    }

    fn load_next_chunk(&mut self) -> Result<bool> {
        let rec = self.rec;
        loop {
            let Some(info) = rec.chunks.get(self.next_chunk) else {
                self.cur = None;
                return Ok(false);
            };
            self.next_chunk += 1;
            let runs = &rec.runs[info.segment as usize];
            let decoded = read_block(rec.src.as_ref(), info.offset).and_then(|(h, body)| {
                if h.tag != Tag::Chunk {
                    return Err(LocalError {
                        at: 0,
                        kind: ErrorKind::corrupt(
                            "chunk",
                            "the index points at a block that is not a chunk",
                        ),
                    });
                }
                self.dec.decode(&body, info, runs).map_err(|e| LocalError {
                    at: e.at + BLOCK_HEADER_LEN,
                    kind: e.kind,
                })
            });
            match decoded {
                Ok(d) => {
                    self.decoded.push(self.next_chunk - 1);
                    let n = runs.len();
                    self.pages.resize_with(n, Vec::new);
                    self.pages.iter_mut().for_each(Vec::clear);
                    self.changed.clear();
                    self.changed.resize(n, false);
                    self.next_op.clear();
                    self.next_op.resize(n, 0);
                    self.segment = info.segment;
                    self.frame = 0;
                    self.cur = Some(d);
                    return Ok(true);
                }
                Err(e) => {
                    if !rec.opts.salvage {
                        self.cur = None;
                        return Err(e.at(&rec.path, info.offset));
                    }
                    self.skipped.push(Damage {
                        offset: info.offset,
                        bytes: info.stored_bytes,
                        reason: format!("chunk skipped: {}", e.kind),
                        incomplete_tail: false,
                    });
                }
            }
        }
    }
}

impl Iterator for Frames<'_> {
    type Item = Result<Frame>;

    fn next(&mut self) -> Option<Result<Frame>> {
        match self.next_frame() {
            Ok(Some(f)) => Some(Ok(f.to_frame())),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PageUpdate, Writer, WriterOptions};

    fn small(chunks: u64) -> Vec<u8> {
        let mut w = Writer::new(
            Vec::new(),
            Header::new("t", vec![PageSpec::new("p", 4)]),
            WriterOptions::default(),
        )
        .unwrap();
        for i in 0..chunks * 10 {
            w.write_frame(
                i * 100_000_000,
                Some(i),
                &[PageUpdate {
                    page: 0,
                    data: &(i as u32).to_le_bytes(),
                }],
            )
            .unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn regression_footer_with_several_chunks_is_used() {
        // The footer's entry size was once checked as 52 bytes instead of 48, so every closed
        // file with more than a few chunks was silently re-scanned.
        let rec = Recording::from_bytes(small(7)).unwrap();
        assert_eq!(rec.index_source(), &IndexSource::Footer);
        assert_eq!(rec.chunks().len(), 7);
        assert_eq!(rec.frame_count(), 70);
    }
}
