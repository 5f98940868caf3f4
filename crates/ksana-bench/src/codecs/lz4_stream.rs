//! `lz4-stream`: GamesDat's layout — one LZ4 frame stream (lz4_flex `FrameEncoder`, default
//! settings) over records `[i64 LE timestamp][i32 LE size][payload]`, payload = all pages of
//! a frame concatenated.

use super::Codec;
use crate::Dataset;
use anyhow::{Context, bail};
use lz4_flex::frame::{FrameDecoder, FrameEncoder};
use std::io::{ErrorKind, Read, Write};

/// One LZ4 frame stream over timestamped records.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lz4Stream;

impl Codec for Lz4Stream {
    fn name(&self) -> &str {
        "lz4-stream"
    }

    fn encode(&self, ds: &Dataset) -> Vec<u8> {
        let mut enc = FrameEncoder::new(Vec::new());
        for f in &ds.frames {
            let size: usize = f.pages.iter().map(Vec::len).sum();
            let ok = enc
                .write_all(&(f.timestamp_ns as i64).to_le_bytes())
                .and_then(|()| enc.write_all(&(size as i32).to_le_bytes()))
                .and_then(|()| f.pages.iter().try_for_each(|p| enc.write_all(p)));
            ok.expect("writing to a Vec cannot fail");
        }
        enc.finish().expect("writing to a Vec cannot fail")
    }

    fn decode_into(
        &self,
        bytes: &[u8],
        _ds: &Dataset,
        sink: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        let mut dec = FrameDecoder::new(bytes);
        let mut head = [0u8; 12];
        let mut buf = Vec::new();
        loop {
            // A clean end of stream is only allowed between records.
            match dec.read(&mut head[..1]) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).context("lz4"),
            }
            dec.read_exact(&mut head[1..])
                .context("lz4 record header")?;
            let size = i32::from_le_bytes([head[8], head[9], head[10], head[11]]);
            if size < 0 {
                bail!("negative record size");
            }
            buf.resize(size as usize, 0);
            dec.read_exact(&mut buf).context("lz4 record payload")?;
            sink(&buf);
        }
    }
}
