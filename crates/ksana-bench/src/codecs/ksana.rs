//! The ksana codec itself, measured against the baselines once the `ksana-format` writer and
//! reader land. Until then [`ksana_codec`] returns `None` and the table omits the row.

use super::Codec;
use crate::Dataset;

/// ksana's own format (chunked, field-predicted, zstd). To be wired to
/// `ksana_format`'s writer (encode) and reader (decode) by the format's author.
#[derive(Clone, Copy, Debug, Default)]
pub struct KsanaCodec;

impl Codec for KsanaCodec {
    fn name(&self) -> &str {
        "ksana"
    }

    fn encode(&self, _ds: &Dataset) -> Vec<u8> {
        // TODO(lead): write `ds.pages` as the segment's page declarations and every frame
        // through the ksana-format writer into a Vec<u8>.
        unimplemented!("ksana-format writer not wired yet")
    }

    fn decode_into(
        &self,
        _bytes: &[u8],
        _ds: &Dataset,
        _sink: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        // TODO(lead): read frames back with the ksana-format reader; pass every page's full
        // bytes to `sink` in frame, then page, order.
        anyhow::bail!("ksana-format reader not wired yet")
    }
}

/// The ksana codec when it is available, `None` while the format is still being written.
pub fn ksana_codec() -> Option<Box<dyn Codec>> {
    None
}
