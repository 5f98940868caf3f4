//! Re-packing a closed recording into larger chunks.
//!
//! While recording, chunks are at most ~1 s so that a crash loses little. Small chunks cost
//! ratio (each starts with a full key version and a fresh zstd context), so a cleanly closed
//! file is rewritten with chunks of several seconds: the same frames, markers and segments,
//! still each chunk decodable alone and seekable through the index. The original stays in
//! place until the rewritten file is complete and synced, then a rename replaces it.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::reader::{ReadOptions, Recording};
use crate::writer::{PageUpdate, Writer, WriterOptions};

/// How large compacted chunks may grow.
#[derive(Clone, Debug)]
pub struct CompactOptions {
    /// Recorded time per chunk. Default 8 s.
    pub chunk_duration_ns: u64,
    /// Bytes beyond key versions per chunk; bounds the work of a seek. Default 2 MiB.
    pub chunk_bytes: usize,
    /// zstd level. Default 6.
    pub zstd_level: i32,
}

impl Default for CompactOptions {
    fn default() -> CompactOptions {
        CompactOptions {
            chunk_duration_ns: 8_000_000_000,
            chunk_bytes: 2 << 20,
            zstd_level: 6,
        }
    }
}

/// What a compaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompactReport {
    /// File size before.
    pub bytes_before: u64,
    /// File size after.
    pub bytes_after: u64,
    /// Chunks before.
    pub chunks_before: usize,
    /// Chunks after.
    pub chunks_after: usize,
}

/// Rewrites the recording at `path` with larger chunks, replacing it atomically.
///
/// Refuses (with an error, leaving the file untouched) a recording that has damage or no
/// footer: compaction must never turn a recoverable file into a smaller, lossy one.
pub fn compact_file(path: impl AsRef<Path>, opts: &CompactOptions) -> Result<CompactReport> {
    let path = path.as_ref();
    let rec = Recording::open_with(path, ReadOptions::default())?;
    let refuse = |m: String| Error {
        path: path.to_path_buf(),
        offset: 0,
        kind: ErrorKind::Usage(m),
    };
    if !rec.damage().is_empty() || *rec.index_source() != crate::reader::IndexSource::Footer {
        return Err(refuse(
            "the recording is damaged or was not closed cleanly; not compacting it".into(),
        ));
    }
    let tmp = tmp_path(path);
    let result = rewrite(&rec, &tmp, opts);
    match result {
        Ok(()) => {
            let after = Recording::open(&tmp)?;
            if after.frame_count() != rec.frame_count()
                || after.markers().len() != rec.markers().len()
            {
                let _ = std::fs::remove_file(&tmp);
                return Err(refuse(
                    "the compacted copy does not hold the same frames; original kept".into(),
                ));
            }
            let report = CompactReport {
                bytes_before: rec.file_bytes(),
                bytes_after: after.file_bytes(),
                chunks_before: rec.chunks().len(),
                chunks_after: after.chunks().len(),
            };
            drop(after);
            drop(rec);
            std::fs::rename(&tmp, path).map_err(|e| Error {
                path: path.to_path_buf(),
                offset: 0,
                kind: e.into(),
            })?;
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".compacting");
    path.with_file_name(name)
}

fn rewrite(rec: &Recording, tmp: &Path, opts: &CompactOptions) -> Result<()> {
    let wopts = WriterOptions {
        chunk_duration_ns: opts.chunk_duration_ns,
        chunk_bytes: opts.chunk_bytes,
        zstd_level: opts.zstd_level,
        sync_every_chunk: false,
        compact_on_close: None,
    };
    let mut header = rec.header().clone();
    header.pages = rec.segments()[0].pages.clone();
    let mut w = Writer::create(tmp, header, wopts)?;
    let segments = rec.segments();
    let markers = rec.markers();
    let mut next_marker = 0;
    let mut segment = 0usize;
    let mut frames = rec.frames();
    while let Some(f) = frames.next_frame()? {
        while segment < f.segment() as usize {
            segment += 1;
            let s = &segments[segment];
            w.begin_segment(s.start_ns, s.pages.clone(), &s.reason)?;
        }
        while let Some(m) = markers
            .get(next_marker)
            .filter(|m| m.timestamp_ns <= f.timestamp_ns())
        {
            w.add_marker(m.clone())?;
            next_marker += 1;
        }
        let ups: Vec<PageUpdate<'_>> = (0..f.pages().len())
            .filter(|&p| f.changed(p))
            .map(|p| PageUpdate {
                page: p,
                data: f.page(p),
            })
            .collect();
        w.write_frame(f.timestamp_ns(), f.tick(), &ups)?;
    }
    while segment + 1 < segments.len() {
        segment += 1;
        let s = &segments[segment];
        w.begin_segment(s.start_ns, s.pages.clone(), &s.reason)?;
    }
    for m in &markers[next_marker..] {
        w.add_marker(m.clone())?;
    }
    let file: File = w.finish()?;
    file.sync_all().map_err(|e| Error {
        path: tmp.to_path_buf(),
        offset: 0,
        kind: e.into(),
    })?;
    Ok(())
}
