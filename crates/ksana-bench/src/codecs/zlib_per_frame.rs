//! `zlib-per-frame`: the old ksana format — each frame (all pages concatenated) deflated on its
//! own with zlib level 6, stored as `[u32 LE length][zlib stream]` records.

use super::Codec;
use crate::Dataset;
use anyhow::{Context, bail};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use std::io::{Read, Write};

/// Each frame compressed independently with zlib (level 6 unless set otherwise).
#[derive(Clone, Copy, Debug)]
pub struct ZlibPerFrame {
    /// zlib level, 0–9.
    pub level: u32,
}

impl Default for ZlibPerFrame {
    fn default() -> Self {
        ZlibPerFrame { level: 6 }
    }
}

impl Codec for ZlibPerFrame {
    fn name(&self) -> &str {
        "zlib-per-frame"
    }

    fn encode(&self, ds: &Dataset) -> Vec<u8> {
        let mut out = Vec::new();
        for f in &ds.frames {
            let mut enc = ZlibEncoder::new(Vec::new(), Compression::new(self.level));
            for p in &f.pages {
                enc.write_all(p).expect("writing to a Vec cannot fail");
            }
            let z = enc.finish().expect("writing to a Vec cannot fail");
            out.extend_from_slice(&(z.len() as u32).to_le_bytes());
            out.extend_from_slice(&z);
        }
        out
    }

    fn decode_into(
        &self,
        bytes: &[u8],
        _ds: &Dataset,
        sink: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        let mut rest = bytes;
        let mut buf = Vec::new();
        while !rest.is_empty() {
            let Some((len, tail)) = rest.split_first_chunk::<4>() else {
                bail!("truncated record length");
            };
            let len = u32::from_le_bytes(*len) as usize;
            if tail.len() < len {
                bail!("truncated record");
            }
            let (z, tail) = tail.split_at(len);
            buf.clear();
            ZlibDecoder::new(z).read_to_end(&mut buf).context("zlib")?;
            sink(&buf);
            rest = tail;
        }
        Ok(())
    }
}
