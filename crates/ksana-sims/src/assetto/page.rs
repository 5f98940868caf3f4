//! What the typed pages of AC, ACC, AC Rally and AC Evo share: the [`Page`] trait each raw
//! struct implements, the bounds-checked [`View`] over page bytes, and its error.
//!
//! A view is built from any byte slice — a live copy of the mapping or a recording frame — and
//! never trusts it: a slice shorter than the struct is a [`LayoutError`], a longer one is fine
//! (recordings keep the full mapped size; [`View::bytes`] still has the tail). The struct is
//! borrowed in place when the slice happens to be 4-byte aligned and copied otherwise
//! (`bytemuck`), so unaligned input is never undefined behaviour and no `unsafe` is needed.

use std::borrow::Cow;

use bytemuck::Pod;
use ksana_format::FieldRuns;

/// A raw page struct of the AC family.
pub trait Page: Pod {
    /// `<sim>/<C struct name>`, used in errors, e.g. `acc/SPageFilePhysics`.
    const STRUCT_NAME: &'static str;
    /// Bytes to record of this page: the full mapped size the reference recommends (§13), more
    /// than `size_of::<Self>()` so that fields a newer game appends survive a recording.
    const RECORD_LEN: usize;
    /// The codec's field map of the struct (floats `F32`, integers `U32`, UTF-16 `U16`, bytes
    /// `U8`); bytes past it use the codec's default 4-byte lanes.
    fn field_runs() -> FieldRuns;

    /// The struct's bytes as the page holds them, for writers (a publisher or a test building
    /// a page image).
    fn as_bytes(&self) -> &[u8] {
        bytemuck::bytes_of(self)
    }
}

/// Page bytes that cannot hold the struct.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// The slice ends before the struct does.
    #[error("{page}: page ends at byte {len}, the struct needs {need} bytes")]
    TooShort {
        /// Which struct, e.g. `acc/SPageFilePhysics`.
        page: &'static str,
        /// Bytes given (the offset where the input ends).
        len: usize,
        /// `size_of` the struct.
        need: usize,
    },
}

/// A typed, read-only view of one page. Sim modules add accessors for their page types
/// (`acc::view::PhysicsView` = `View<'a, acc::layout::Physics>` and so on).
#[derive(Clone, Debug)]
pub struct View<'a, T: Page> {
    raw: Cow<'a, T>,
    bytes: &'a [u8],
}

impl<'a, T: Page> View<'a, T> {
    /// Checks the length and reads the struct from the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Result<Self, LayoutError> {
        let need = size_of::<T>();
        let Some(head) = bytes.get(..need) else {
            return Err(LayoutError::TooShort {
                page: T::STRUCT_NAME,
                len: bytes.len(),
                need,
            });
        };
        let raw = match bytemuck::try_from_bytes::<T>(head) {
            Ok(r) => Cow::Borrowed(r),
            Err(_) => Cow::Owned(bytemuck::pod_read_unaligned(head)),
        };
        Ok(View { raw, bytes })
    }

    /// The raw struct, every member as the page holds it.
    pub fn raw(&self) -> &T {
        &self.raw
    }

    /// All bytes the view was built from, including any beyond the struct.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes after the struct (empty when the page was exactly its size).
    pub fn tail(&self) -> &'a [u8] {
        &self.bytes[size_of::<T>()..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assetto::acc::layout::Physics;

    #[test]
    fn short_page_is_an_error_and_unaligned_input_reads() {
        let err = View::<Physics>::new(&[0u8; 799]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "acc/SPageFilePhysics: page ends at byte 799, the struct needs 800 bytes"
        );
        let mut buf = vec![0u8; 1 + 4096];
        buf[1..5].copy_from_slice(&77i32.to_le_bytes());
        buf[1 + 4095] = 9;
        let v = View::<Physics>::new(&buf[1..]).unwrap();
        assert_eq!(v.raw().packet_id, 77);
        assert_eq!(v.tail().len(), 4096 - 800);
        assert_eq!(v.tail()[4096 - 800 - 1], 9);
        assert_eq!(v.bytes().len(), 4096);
    }
}
