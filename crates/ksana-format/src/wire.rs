//! Little-endian primitives and LEB128 varints over byte buffers, bounds-checked.
//!
//! Hand-written rather than taken from a crate: the parser must report the exact offset of
//! every short or impossible field, and the varint encoder sits on the codec's hot path.

use crate::error::{ErrorKind, LocalError, LocalResult};

/// Appends little-endian values and varints to a `Vec<u8>`.
pub(crate) trait Put {
    fn put_u8(&mut self, v: u8);
    fn put_u16(&mut self, v: u16);
    fn put_u32(&mut self, v: u32);
    fn put_u64(&mut self, v: u64);
    fn put_i64(&mut self, v: i64);
    fn put_var(&mut self, v: u64);
    /// A string as u32 length + UTF-8 bytes.
    fn put_str(&mut self, s: &str);
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, v: u8) {
        self.push(v);
    }
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_i64(&mut self, v: i64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    fn put_var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.push(v as u8);
    }
    fn put_str(&mut self, s: &str) {
        self.put_u32(s.len() as u32);
        self.extend_from_slice(s.as_bytes());
    }
}

/// Reads little-endian values from a buffer, remembering its position for error offsets.
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Cursor<'a> {
        Cursor { buf, pos: 0 }
    }

    /// Current position within the buffer.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// An error located at the current position.
    pub(crate) fn err(&self, kind: ErrorKind) -> LocalError {
        LocalError { at: self.pos, kind }
    }

    /// A `Corrupt` error at the current position.
    pub(crate) fn corrupt(&self, what: &'static str, detail: impl Into<String>) -> LocalError {
        self.err(ErrorKind::corrupt(what, detail))
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> LocalResult<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.err(ErrorKind::Truncated {
                what,
                needed: (n - self.remaining()) as u64,
            }));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> LocalResult<[u8; N]> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> LocalResult<u8> {
        Ok(self.array::<1>(what)?[0])
    }
    pub(crate) fn u16(&mut self, what: &'static str) -> LocalResult<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    pub(crate) fn u32(&mut self, what: &'static str) -> LocalResult<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    pub(crate) fn u64(&mut self, what: &'static str) -> LocalResult<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    pub(crate) fn i64(&mut self, what: &'static str) -> LocalResult<i64> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// An unsigned LEB128 varint of at most 10 bytes.
    #[inline]
    pub(crate) fn var(&mut self, what: &'static str) -> LocalResult<u64> {
        let mut v: u64 = 0;
        let mut shift = 0u32;
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(self.err(ErrorKind::Truncated { what, needed: 1 }));
            };
            self.pos += 1;
            if shift == 63 && b > 1 {
                return Err(self.corrupt(what, "varint overflows 64 bits"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(self.corrupt(what, "varint longer than 10 bytes"));
            }
        }
    }

    /// A varint that must fit in `usize` and not exceed `max`.
    pub(crate) fn var_len(&mut self, what: &'static str, max: usize) -> LocalResult<usize> {
        let at = self.pos;
        let v = self.var(what)?;
        if v > max as u64 {
            return Err(LocalError {
                at,
                kind: ErrorKind::corrupt(what, format!("{v} exceeds the limit {max}")),
            });
        }
        Ok(v as usize)
    }

    /// A u32-length-prefixed UTF-8 string of at most `max` bytes.
    pub(crate) fn str(&mut self, what: &'static str, max: usize) -> LocalResult<String> {
        let at = self.pos;
        let len = self.u32(what)? as usize;
        if len > max {
            return Err(LocalError {
                at,
                kind: ErrorKind::corrupt(what, format!("string length {len} exceeds {max}")),
            });
        }
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| LocalError {
            at: at + 4,
            kind: ErrorKind::corrupt(what, "string is not valid UTF-8"),
        })
    }
}

/// Zigzag-encodes a signed value so that small magnitudes become small unsigned numbers.
#[inline]
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Inverse of [`zigzag`].
#[inline]
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varint_round_trips(v: u64) {
            let mut b = Vec::new();
            b.put_var(v);
            let mut c = Cursor::new(&b);
            prop_assert_eq!(c.var("v").unwrap(), v);
            prop_assert_eq!(c.remaining(), 0);
        }

        #[test]
        fn zigzag_round_trips(v: i64) {
            prop_assert_eq!(unzigzag(zigzag(v)), v);
        }

        #[test]
        fn varint_reader_never_panics(bytes: Vec<u8>) {
            let mut c = Cursor::new(&bytes);
            let _ = c.var("v");
        }
    }

    #[test]
    fn overlong_varint_is_an_error() {
        let b = [0xffu8; 11];
        assert!(Cursor::new(&b).var("v").is_err());
        let b = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert!(Cursor::new(&b).var("v").is_err());
    }

    #[test]
    fn short_read_reports_position_and_need() {
        let b = [1u8, 2, 3];
        let mut c = Cursor::new(&b);
        c.u8("a").unwrap();
        let e = c.u32("b").unwrap_err();
        assert_eq!(e.at, 1);
        assert!(matches!(e.kind, ErrorKind::Truncated { needed: 2, .. }));
    }
}
