//! `zstd-3-1s`: zstd level 3 in independent chunks of one second of frames each, stored as
//! `[u32 LE length][zstd frame]`. Shows what independent (seekable, crash-safe) chunks cost
//! against one long stream.

use super::Codec;
use crate::Dataset;
use anyhow::{Context, bail};

/// zstd over independent chunks of `chunk_ns` of frames.
#[derive(Clone, Copy, Debug)]
pub struct ZstdChunked {
    /// zstd level.
    pub level: i32,
    /// Chunk span in nanoseconds of frame timestamps.
    pub chunk_ns: u64,
}

impl Default for ZstdChunked {
    fn default() -> Self {
        ZstdChunked {
            level: 3,
            chunk_ns: 1_000_000_000,
        }
    }
}

impl Codec for ZstdChunked {
    fn name(&self) -> &str {
        "zstd-3-1s"
    }

    fn encode(&self, ds: &Dataset) -> Vec<u8> {
        let mut out = Vec::new();
        let mut chunk = Vec::new();
        let mut chunk_start = None;
        let mut comp = zstd::bulk::Compressor::new(self.level).expect("zstd level is valid");
        let mut flush = |chunk: &mut Vec<u8>, out: &mut Vec<u8>| {
            if !chunk.is_empty() {
                let z = comp.compress(chunk).expect("zstd compress");
                out.extend_from_slice(&(z.len() as u32).to_le_bytes());
                out.extend_from_slice(&z);
                chunk.clear();
            }
        };
        for f in &ds.frames {
            let start = *chunk_start.get_or_insert(f.timestamp_ns);
            if f.timestamp_ns.saturating_sub(start) >= self.chunk_ns {
                flush(&mut chunk, &mut out);
                chunk_start = Some(f.timestamp_ns);
            }
            for p in &f.pages {
                chunk.extend_from_slice(p);
            }
        }
        flush(&mut chunk, &mut out);
        out
    }

    fn decode_into(
        &self,
        bytes: &[u8],
        _ds: &Dataset,
        sink: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        let mut dec = zstd::bulk::Decompressor::new().context("zstd")?;
        let mut buf = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let Some((len, tail)) = rest.split_first_chunk::<4>() else {
                bail!("truncated chunk length");
            };
            let len = u32::from_le_bytes(*len) as usize;
            if tail.len() < len {
                bail!("truncated chunk");
            }
            let (z, tail) = tail.split_at(len);
            let cap = zstd::zstd_safe::get_frame_content_size(z)
                .ok()
                .flatten()
                .context("zstd chunk without content size")?;
            buf.clear();
            buf.reserve(cap as usize);
            dec.decompress_to_buffer(z, &mut buf).context("zstd")?;
            sink(&buf);
            rest = tail;
        }
        Ok(())
    }
}
