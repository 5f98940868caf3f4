//! The streaming writer: frames in, closed chunks out, each written whole and flushed before
//! the next begins, so a writer killed at any moment leaves every earlier chunk readable.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::block::{self, Tag};
use crate::codec::chunk::{ChunkBuilder, FrameMeta, MAX_CHUNK_FRAMES};
use crate::error::{Error, ErrorKind, Result};
use crate::header::{self, ChunkHead, ChunkInfo, FooterBody, Header, SegmentBody, SegmentEntry};
use crate::marker::Marker;
use crate::page::{FieldKind, PageSpec};

/// Where a writer's bytes go: a `Write` that can also make them durable.
pub trait Sink: Write {
    /// Ask the storage to keep what was written even if the machine stops (fsync for files).
    fn sync(&mut self) -> std::io::Result<()>;
}

impl Sink for File {
    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
}

impl Sink for Vec<u8> {
    fn sync(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn sync(&mut self) -> std::io::Result<()> {
        (**self).sync()
    }
}

/// How a writer cuts and compresses chunks.
#[derive(Clone, Debug)]
pub struct WriterOptions {
    /// A chunk closes before a frame this much later than its first frame: the most recorded
    /// time a crash can lose. Default 1 s.
    pub chunk_duration_ns: u64,
    /// A chunk also closes once this many bytes beyond its key versions are buffered: bounds
    /// memory and loss at high data rates. Default 1 MiB.
    pub chunk_bytes: usize,
    /// zstd level for chunk payloads. Default 6: the transform leaves zstd little to search, so
    /// this costs little speed and buys ratio.
    pub zstd_level: i32,
    /// fsync after every chunk (files only). Default true: a power cut then also loses at most
    /// one chunk.
    pub sync_every_chunk: bool,
    /// What [`Writer::close`] does after a clean finish: re-pack the file into larger chunks
    /// for ratio ([`crate::compact_file`]), or leave the 1 s journal chunks. Default: re-pack.
    pub compact_on_close: Option<crate::CompactOptions>,
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions {
            chunk_duration_ns: 1_000_000_000,
            chunk_bytes: 1 << 20,
            zstd_level: 6,
            sync_every_chunk: true,
            compact_on_close: Some(crate::CompactOptions::default()),
        }
    }
}

/// One page's new content in a frame.
#[derive(Clone, Copy, Debug)]
pub struct PageUpdate<'a> {
    /// Index of the page in the current segment's page list.
    pub page: usize,
    /// The page's full content now. May differ in size from before.
    pub data: &'a [u8],
}

/// Writes a recording frame by frame with memory bounded by one chunk.
///
/// ```
/// use ksana_format::{Header, PageSpec, PageUpdate, Recording, Writer, WriterOptions};
/// let header = Header::new("demo", vec![PageSpec::new("physics", 8)]);
/// let mut w = Writer::new(Vec::new(), header, WriterOptions::default()).unwrap();
/// for i in 0..100u64 {
///     let bytes = (i as f64).to_le_bytes();
///     w.write_frame(i * 3_000_000, Some(i), &[PageUpdate { page: 0, data: &bytes }]).unwrap();
/// }
/// let file = w.finish().unwrap();
/// let rec = Recording::from_bytes(file).unwrap();
/// assert_eq!(rec.frame_count(), 100);
/// ```
pub struct Writer<W: Sink> {
    out: W,
    path: PathBuf,
    opts: WriterOptions,
    pos: u64,
    segment: u32,
    pages: Vec<PageSpec>,
    runs: Vec<Vec<(FieldKind, u32)>>,
    state: Vec<Vec<u8>>,
    present: Vec<bool>,
    chunk: ChunkBuilder,
    chunk_first: Option<u64>,
    last_ts: Option<u64>,
    index: FooterBody,
    compressor: zstd::bulk::Compressor<'static>,
    buf: Vec<u8>,
    slot: Vec<usize>,
    failed: bool,
}

impl Writer<File> {
    /// Creates (or truncates) `path` and writes the header.
    pub fn create(
        path: impl AsRef<Path>,
        header: Header,
        opts: WriterOptions,
    ) -> Result<Writer<File>> {
        let path = path.as_ref();
        let file = File::create(path).map_err(|e| Error {
            path: path.to_path_buf(),
            offset: 0,
            kind: e.into(),
        })?;
        let mut w = Writer::new(file, header, opts)?;
        w.path = path.to_path_buf();
        Ok(w)
    }
}

impl Writer<File> {
    /// Finishes the file and, if the options ask for it, re-packs it into larger chunks.
    /// Fails only if finishing fails: re-packing is an optimisation, and the file is complete
    /// and readable before it starts, so its outcome is reported in [`Closed`] instead.
    pub fn close(self) -> Result<Closed> {
        let path = self.path.clone();
        let compact = self.opts.compact_on_close.clone();
        self.finish()?;
        let compaction = compact.map(|c| crate::compact_file(&path, &c));
        Ok(Closed { path, compaction })
    }
}

/// What [`Writer::close`] left.
#[derive(Debug)]
pub struct Closed {
    /// The recording.
    pub path: PathBuf,
    /// The re-packing's report or error; `None` when the options asked for none.
    pub compaction: Option<Result<crate::CompactReport>>,
}

impl<W: Sink> Writer<W> {
    /// Starts a recording on `out`, writing the preamble and header at once.
    pub fn new(out: W, header: Header, opts: WriterOptions) -> Result<Writer<W>> {
        let path = PathBuf::from("<output>");
        let usage = |m: String| Error {
            path: path.clone(),
            offset: 0,
            kind: ErrorKind::Usage(m),
        };
        header::validate_pages(&header.pages).map_err(usage)?;
        let compressor = zstd::bulk::Compressor::new(opts.zstd_level).map_err(|e| Error {
            path: path.clone(),
            offset: 0,
            kind: ErrorKind::Io(e),
        })?;
        let n = header.pages.len();
        let mut w = Writer {
            out,
            path,
            opts,
            pos: 0,
            segment: 0,
            runs: header.pages.iter().map(|p| p.fields.clone()).collect(),
            pages: header.pages.clone(),
            state: vec![Vec::new(); n],
            present: vec![false; n],
            chunk: ChunkBuilder::new(n),
            chunk_first: None,
            last_ts: None,
            index: FooterBody::default(),
            compressor,
            buf: Vec::new(),
            slot: Vec::new(),
            failed: false,
        };
        let mut bytes = block::preamble().to_vec();
        w.index.segments.push(SegmentEntry {
            offset: bytes.len() as u64,
        });
        block::write_block(&mut bytes, Tag::Head, &header.encode());
        w.emit(&bytes)?;
        Ok(w)
    }

    /// The options the writer was made with.
    pub fn options(&self) -> &WriterOptions {
        &self.opts
    }

    /// The output's path (`<output>` when not writing to a named file).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pages of the current segment.
    pub fn pages(&self) -> &[PageSpec] {
        &self.pages
    }

    /// Bytes written to the output so far.
    pub fn bytes_written(&self) -> u64 {
        self.pos
    }

    /// Records one frame at `timestamp_ns` (since the recording's start, never decreasing)
    /// with the sim's update counter, if it has one. `updates` holds the pages read for this
    /// frame; pages not listed, or listed with unchanged bytes, are stored as unchanged.
    pub fn write_frame(
        &mut self,
        timestamp_ns: u64,
        tick: Option<u64>,
        updates: &[PageUpdate<'_>],
    ) -> Result<()> {
        self.check_usable()?;
        if let Some(last) = self.last_ts
            && timestamp_ns < last
        {
            return Err(self.usage(format!(
                "timestamp {timestamp_ns} ns is before the previous frame's {last} ns"
            )));
        }
        for u in updates {
            if u.page >= self.pages.len() {
                return Err(self.usage(format!(
                    "page index {} but the segment has {} pages",
                    u.page,
                    self.pages.len()
                )));
            }
            if u.data.len() > crate::codec::chunk::MAX_PAGE_BYTES {
                return Err(self.usage(format!(
                    "page {} update of {} bytes is too large",
                    u.page,
                    u.data.len()
                )));
            }
        }
        if let Some(first) = self.chunk_first
            && (timestamp_ns - first >= self.opts.chunk_duration_ns
                || self.chunk.frames.len() >= MAX_CHUNK_FRAMES)
        {
            self.flush_chunk()?;
        }
        let starts_chunk = self.chunk.frames.is_empty();
        if self.chunk_first.is_none() {
            self.chunk_first = Some(timestamp_ns);
        }
        for u in updates {
            self.present[u.page] = true;
        }
        // Which update (the last one, if a page is listed twice) applies to each page.
        self.slot.clear();
        self.slot.resize(self.pages.len(), usize::MAX);
        for (i, u) in updates.iter().enumerate() {
            self.slot[u.page] = i;
        }
        // Raw size: the full state after this frame.
        let mut raw: u64 = 0;
        for (s, &i) in self.state.iter().zip(&self.slot) {
            raw += updates.get(i).map_or(s.len(), |u| u.data.len()) as u64;
        }
        self.chunk.start_frame(
            FrameMeta {
                ts: timestamp_ns,
                tick,
            },
            raw,
        );
        // A chunk's first frame carries every page that has content, so it decodes alone.
        for p in 0..self.pages.len() {
            match updates.get(self.slot[p]) {
                Some(u) if starts_chunk || u.data != self.state[p].as_slice() => {
                    self.chunk.push_page(p, &self.state[p], u.data);
                    self.state[p].clear();
                    self.state[p].extend_from_slice(u.data);
                }
                None if starts_chunk && self.present[p] => {
                    let cur = std::mem::take(&mut self.state[p]);
                    self.chunk.push_page(p, &cur, &cur);
                    self.state[p] = cur;
                }
                _ => {}
            }
        }
        self.last_ts = Some(timestamp_ns);
        if self.chunk.delta_bytes >= self.opts.chunk_bytes {
            self.flush_chunk()?;
        }
        Ok(())
    }

    /// Adds a marker to the open chunk. Its timestamp is free (it may precede the last frame,
    /// or lie ahead of it); it does not move the chunk's own time span, which frames set.
    pub fn add_marker(&mut self, marker: Marker) -> Result<()> {
        self.check_usable()?;
        if marker.label.len() > crate::codec::chunk::MAX_LABEL_BYTES {
            return Err(self.usage("marker label longer than 64 KiB".into()));
        }
        self.chunk.markers.push(marker);
        Ok(())
    }

    /// Ends the current segment and starts one with a new page list, e.g. when the sim
    /// restarted or changed its layout. Frames after this use the new page indices.
    pub fn begin_segment(
        &mut self,
        timestamp_ns: u64,
        pages: Vec<PageSpec>,
        reason: &str,
    ) -> Result<()> {
        self.check_usable()?;
        header::validate_pages(&pages).map_err(|m| self.usage(m))?;
        self.flush_chunk()?;
        self.segment += 1;
        let body = SegmentBody {
            index: self.segment,
            start_ns: timestamp_ns,
            reason: reason.into(),
            pages: pages.clone(),
        };
        let mut bytes = Vec::new();
        block::write_block(&mut bytes, Tag::Segment, &body.encode());
        self.index.segments.push(SegmentEntry { offset: self.pos });
        self.emit(&bytes)?;
        let n = pages.len();
        self.runs = pages.iter().map(|p| p.fields.clone()).collect();
        self.pages = pages;
        self.state = vec![Vec::new(); n];
        self.present = vec![false; n];
        self.chunk = ChunkBuilder::new(n);
        Ok(())
    }

    /// Writes the open chunk now, even if it is short. A recorder calls this when the sim has
    /// been quiet for a while, so that a crash cannot lose more than that while.
    pub fn flush_chunk(&mut self) -> Result<()> {
        self.check_usable()?;
        if self.chunk.is_empty() {
            self.chunk_first = None;
            return Ok(());
        }
        // A chunk of markers only sits at the last frame's time, keeping chunk spans in order.
        let at = self.last_ts.unwrap_or(0);
        let frame_first = self.chunk.frames.first().map_or(at, |f| f.ts);
        let frame_last = self.chunk.frames.last().map_or(at, |f| f.ts);
        let payload = self.chunk.encode(&self.runs, frame_first);
        let compressed = self.compressor.compress(&payload).map_err(|e| self.io(e))?;
        let head = ChunkHead {
            segment: self.segment,
            frame_count: self.chunk.frames.len() as u32,
            first_ts: frame_first,
            last_ts: frame_last,
            raw_bytes: self.chunk.raw_bytes,
            payload_len: payload.len() as u32,
            codec: header::CODEC_COLUMNAR_ZSTD,
        };
        let mut body = Vec::with_capacity(header::CHUNK_HEAD_LEN + compressed.len());
        head.encode(&mut body);
        body.extend_from_slice(&compressed);
        let mut bytes = std::mem::take(&mut self.buf);
        bytes.clear();
        block::write_block(&mut bytes, Tag::Chunk, &body);
        self.index.chunks.push(ChunkInfo {
            offset: self.pos,
            stored_bytes: bytes.len() as u64,
            segment: self.segment,
            frame_count: head.frame_count,
            first_ns: head.first_ts,
            last_ns: head.last_ts,
            raw_bytes: head.raw_bytes,
        });
        self.index
            .markers
            .extend(self.chunk.markers.iter().cloned());
        let r = self.emit(&bytes);
        self.buf = bytes;
        r?;
        if self.opts.sync_every_chunk {
            self.out.sync().map_err(|e| self.io(e))?;
        }
        self.chunk.clear();
        self.chunk_first = None;
        Ok(())
    }

    /// Writes the last chunk, the footer and the trailer, and returns the output.
    pub fn finish(mut self) -> Result<W> {
        self.flush_chunk()?;
        let mut bytes = Vec::new();
        let footer_at = self.pos;
        block::write_block(&mut bytes, Tag::Footer, &self.index.encode());
        bytes.extend_from_slice(&block::trailer(footer_at));
        self.emit(&bytes)?;
        self.out.sync().map_err(|e| self.io(e))?;
        Ok(self.out)
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<()> {
        let r = self.out.write_all(bytes).and_then(|_| self.out.flush());
        if let Err(e) = r {
            // A partial block may be on disk; nothing more can be appended safely.
            self.failed = true;
            return Err(self.io(e));
        }
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn check_usable(&self) -> Result<()> {
        if self.failed {
            return Err(
                self.usage("an earlier write failed; the file holds every chunk before it".into())
            );
        }
        Ok(())
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error {
            path: self.path.clone(),
            offset: self.pos,
            kind: ErrorKind::Io(e),
        }
    }

    fn usage(&self, m: String) -> Error {
        Error {
            path: self.path.clone(),
            offset: self.pos,
            kind: ErrorKind::Usage(m),
        }
    }
}
