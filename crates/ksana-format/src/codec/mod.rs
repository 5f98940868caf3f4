//! The chunk codec: frames grouped into a self-contained, transformed, zstd-compressed payload.

pub(crate) mod chunk;
pub(crate) mod columnar;
pub(crate) mod fields;
pub(crate) mod patch;
