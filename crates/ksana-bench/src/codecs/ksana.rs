//! The ksana format itself, through its real writer and reader.
//!
//! Two rows, because a recording lives in two shapes: while it is written, 1 s journal chunks
//! (the crash window); once closed cleanly, re-packed into chunks of up to 8 s
//! (`ksana_format::compact_file`). The packed row is produced here by writing with the
//! compaction's chunk limits directly, which yields the same chunks as re-packing a journal.

use super::Codec;
use crate::Dataset;
use ksana_format::{CompactOptions, Header, PageUpdate, Recording, Writer, WriterOptions};

/// ksana's format with the given chunk limits.
#[derive(Clone, Debug)]
pub struct KsanaCodec {
    name: &'static str,
    opts: WriterOptions,
}

impl KsanaCodec {
    /// The format as `ksana dump` leaves it after a clean close: re-packed chunks.
    pub fn packed() -> KsanaCodec {
        let c = CompactOptions::default();
        KsanaCodec {
            name: "ksana",
            opts: WriterOptions {
                chunk_duration_ns: c.chunk_duration_ns,
                chunk_bytes: c.chunk_bytes,
                zstd_level: c.zstd_level,
                sync_every_chunk: false,
                compact_on_close: None,
            },
        }
    }

    /// The format as it is on disk while recording: 1 s chunks.
    pub fn journal() -> KsanaCodec {
        KsanaCodec {
            name: "ksana-1s-journal",
            opts: WriterOptions {
                sync_every_chunk: false,
                compact_on_close: None,
                ..WriterOptions::default()
            },
        }
    }
}

impl Codec for KsanaCodec {
    fn name(&self) -> &str {
        self.name
    }

    fn encode(&self, ds: &Dataset) -> Vec<u8> {
        let mut header = Header::new("bench", ds.pages.clone());
        header.start_unix_ns = 0;
        let mut w = Writer::new(Vec::new(), header, self.opts.clone()).expect("writer on a Vec");
        let mut updates = Vec::with_capacity(ds.pages.len());
        for f in &ds.frames {
            updates.clear();
            updates.extend(
                f.pages
                    .iter()
                    .enumerate()
                    .map(|(page, data)| PageUpdate { page, data }),
            );
            w.write_frame(f.timestamp_ns, f.tick, &updates)
                .expect("frames in time order");
        }
        w.finish().expect("finish on a Vec")
    }

    fn decode_into(
        &self,
        bytes: &[u8],
        _ds: &Dataset,
        sink: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        let rec = Recording::from_bytes(bytes.to_vec())?;
        let mut frames = rec.frames();
        while let Some(f) = frames.next_frame()? {
            for p in f.pages() {
                sink(p);
            }
        }
        Ok(())
    }
}

/// The ksana codecs, packed first (the row the baselines are compared with).
pub fn ksana_codecs() -> Vec<Box<dyn Codec>> {
    vec![
        Box::new(KsanaCodec::packed()),
        Box::new(KsanaCodec::journal()),
    ]
}
