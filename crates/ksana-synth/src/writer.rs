//! Writes a page field by field and records the field map as it goes, so a page's bytes and
//! its `FieldRuns` can never disagree.

use ksana_format::{FieldKind, FieldRuns};

/// Little-endian page builder that also records field kinds.
#[derive(Debug, Default)]
pub(crate) struct PageWriter {
    buf: Vec<u8>,
    runs: FieldRuns,
}

impl PageWriter {
    /// Start an empty page.
    pub(crate) fn new() -> PageWriter {
        PageWriter::default()
    }

    fn run(&mut self, kind: FieldKind, count: u32) {
        if count == 0 {
            return;
        }
        match self.runs.last_mut() {
            Some((k, n)) if *k == kind => *n += count,
            _ => self.runs.push((kind, count)),
        }
    }

    /// A 4-byte float (values arrive as `f64` and are rounded, like a sim's `float` field).
    pub(crate) fn f32(&mut self, v: f64) {
        self.run(FieldKind::F32, 1);
        self.buf.extend_from_slice(&(v as f32).to_le_bytes());
    }

    /// Several 4-byte floats.
    pub(crate) fn f32s(&mut self, vs: &[f64]) {
        for &v in vs {
            self.f32(v);
        }
    }

    /// An 8-byte double.
    pub(crate) fn f64(&mut self, v: f64) {
        self.run(FieldKind::F64, 1);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A 4-byte signed integer.
    pub(crate) fn i32(&mut self, v: i32) {
        self.run(FieldKind::U32, 1);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Several 4-byte signed integers.
    pub(crate) fn i32s(&mut self, vs: &[i32]) {
        for &v in vs {
            self.i32(v);
        }
    }

    /// A 4-byte bit field.
    pub(crate) fn u32(&mut self, v: u32) {
        self.run(FieldKind::U32, 1);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A one-byte bool.
    pub(crate) fn bool(&mut self, v: bool) {
        self.run(FieldKind::U8, 1);
        self.buf.push(v as u8);
    }

    /// A fixed-size UTF-16 string of `chars` code units, NUL-padded (Windows `wchar_t[n]`).
    pub(crate) fn wstr(&mut self, s: &str, chars: usize) {
        self.run(FieldKind::U16, chars as u32);
        let mut units: Vec<u16> = s.encode_utf16().take(chars.saturating_sub(1)).collect();
        units.resize(chars, 0);
        for u in units {
            self.buf.extend_from_slice(&u.to_le_bytes());
        }
    }

    /// A fixed-size byte string of `len` bytes, NUL-padded.
    pub(crate) fn text(&mut self, s: &str, len: usize) {
        self.run(FieldKind::U8, len as u32);
        let bytes = s.as_bytes();
        let n = bytes.len().min(len);
        self.buf.extend_from_slice(&bytes[..n]);
        self.buf.resize(self.buf.len() + (len - n), 0);
    }

    /// `n` bytes of structure padding.
    pub(crate) fn pad(&mut self, n: usize) {
        self.run(FieldKind::U8, n as u32);
        self.buf.resize(self.buf.len() + n, 0);
    }

    /// The page bytes and its field map.
    pub(crate) fn finish(self) -> (Vec<u8>, FieldRuns) {
        (self.buf, self.runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merge_and_cover_bytes() {
        let mut w = PageWriter::new();
        w.f64(1.0);
        w.i32(2);
        w.u32(3);
        w.f32(4.0);
        w.bool(true);
        w.wstr("ab", 4);
        w.pad(2);
        let (bytes, runs) = w.finish();
        assert_eq!(
            runs,
            vec![
                (FieldKind::F64, 1),
                (FieldKind::U32, 2),
                (FieldKind::F32, 1),
                (FieldKind::U8, 1),
                (FieldKind::U16, 4),
                (FieldKind::U8, 2)
            ]
        );
        let covered: usize = runs.iter().map(|(k, n)| k.width() * *n as usize).sum();
        assert_eq!(covered, bytes.len());
        assert_eq!(&bytes[21..25], &[b'a', 0, b'b', 0]);
    }
}
