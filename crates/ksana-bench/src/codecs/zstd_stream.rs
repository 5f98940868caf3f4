//! `zstd-3`: plain zstd at level 3 over all frames' pages concatenated, as one stream.

use super::Codec;
use crate::Dataset;
use anyhow::Context;
use std::io::{Read, Write};

/// One zstd stream over the whole dataset.
#[derive(Clone, Copy, Debug)]
pub struct ZstdStream {
    /// zstd level.
    pub level: i32,
}

impl Default for ZstdStream {
    fn default() -> Self {
        ZstdStream { level: 3 }
    }
}

impl Codec for ZstdStream {
    fn name(&self) -> &str {
        "zstd-3"
    }

    fn encode(&self, ds: &Dataset) -> Vec<u8> {
        let enc = zstd::stream::Encoder::new(Vec::new(), self.level).expect("zstd level is valid");
        // Feed zstd in 128 KiB blocks, as a real recorder would: one `compressStream` call per
        // sub-kilobyte page costs more than the compression itself.
        let mut buffered = std::io::BufWriter::with_capacity(1 << 17, enc);
        for f in &ds.frames {
            for p in &f.pages {
                buffered.write_all(p).expect("writing to a Vec cannot fail");
            }
        }
        let enc = buffered
            .into_inner()
            .unwrap_or_else(|e| panic!("writing to a Vec cannot fail: {}", e.error()));
        enc.finish().expect("writing to a Vec cannot fail")
    }

    fn decode_into(
        &self,
        bytes: &[u8],
        _ds: &Dataset,
        sink: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        let mut dec = zstd::stream::Decoder::with_buffer(bytes).context("zstd")?;
        let mut buf = vec![0u8; 1 << 17];
        loop {
            let n = dec.read(&mut buf).context("zstd")?;
            if n == 0 {
                return Ok(());
            }
            sink(&buf[..n]);
        }
    }
}
