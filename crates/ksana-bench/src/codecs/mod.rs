//! The codecs under comparison, all behind [`Codec`].

mod ksana;
mod lz4_stream;
mod zlib_per_frame;
mod zstd_chunked;
mod zstd_stream;

pub use ksana::{KsanaCodec, ksana_codecs};
pub use lz4_stream::Lz4Stream;
pub use zlib_per_frame::ZlibPerFrame;
pub use zstd_chunked::ZstdChunked;
pub use zstd_stream::ZstdStream;

use crate::Dataset;

/// A way of storing a dataset's frames, measured by the bench.
///
/// `encode` must keep everything needed to give back every page byte of every frame;
/// `decode_into` must really decompress and hand each piece of reconstructed raw bytes, in
/// frame and page order, to `sink`. `ds` is available to both so a codec may use the page specs
/// (field maps, sizes), as the real ksana format does from its own header.
pub trait Codec {
    /// Name shown in the table, e.g. `zstd-3`.
    fn name(&self) -> &str;

    /// Compress the whole dataset.
    fn encode(&self, ds: &Dataset) -> Vec<u8>;

    /// Decompress `bytes` (this codec's own output for `ds`), passing the reconstructed raw bytes
    /// to `sink` in order.
    fn decode_into(
        &self,
        bytes: &[u8],
        ds: &Dataset,
        sink: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()>;

    /// Decompress and return the number of raw bytes produced (what the timed loop runs).
    ///
    /// Panics if `bytes` is not this codec's output: the bench only feeds codecs their own.
    fn decode(&self, bytes: &[u8], ds: &Dataset) -> u64 {
        let mut n = 0u64;
        let mut check = 0u8;
        self.decode_into(bytes, ds, &mut |b| {
            n += b.len() as u64;
            // Touch the data so the work cannot be skipped.
            check ^= b.last().copied().unwrap_or(0);
        })
        .unwrap_or_else(|e| panic!("{}: decoding its own output failed: {e:#}", self.name()));
        std::hint::black_box(check);
        n
    }
}

/// Every baseline, in table order (the ksana codec is added separately when available).
pub fn baselines() -> Vec<Box<dyn Codec>> {
    vec![
        Box::new(ZlibPerFrame::default()),
        Box::new(Lz4Stream),
        Box::new(ZstdStream::default()),
        Box::new(ZstdChunked::default()),
    ]
}
