//! Fixed-size string fields of the AC family, decoded and encoded.
//!
//! AC and ACC declare strings as `wchar_t name[N]`, which on Windows is UTF-16LE (`[u16; N]` in
//! Rust; Linux's 4-byte `wchar_t` does not apply). AC Evo declares `char name[N]`: 1-byte,
//! NUL-terminated, ASCII/UTF-8. Both may fill the whole array without a NUL; both are decoded
//! lossily (invalid units become U+FFFD) because the bytes come from outside.

/// Decodes a NUL-terminated UTF-16 array: everything before the first 0 unit (or the whole
/// array when it has none), unpaired surrogates replaced by U+FFFD.
pub fn utf16_z(units: &[u16]) -> String {
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    char::decode_utf16(units[..end].iter().copied())
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Decodes a NUL-terminated 1-byte string: the bytes before the first 0 (or all of them) as
/// UTF-8, invalid sequences replaced by U+FFFD.
pub fn utf8_z(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Writes `s` into a `wchar_t[N]` field as UTF-16, NUL-padded. Text that does not fit is cut at
/// a character boundary (a surrogate pair is never split); the array is filled without a NUL
/// only when the text fills it exactly, as the games do. Returns the units written.
pub fn write_utf16_z(dst: &mut [u16], s: &str) -> usize {
    let mut n = 0;
    let mut buf = [0u16; 2];
    for c in s.chars() {
        let enc = c.encode_utf16(&mut buf);
        if n + enc.len() > dst.len() {
            break;
        }
        dst[n..n + enc.len()].copy_from_slice(enc);
        n += enc.len();
    }
    dst[n..].fill(0);
    n
}

/// Writes `s` into a `char[N]` field as UTF-8, NUL-padded, cut at a character boundary when it
/// does not fit. Returns the bytes written.
pub fn write_utf8_z(dst: &mut [u8], s: &str) -> usize {
    let mut n = 0;
    for c in s.chars() {
        let w = c.len_utf8();
        if n + w > dst.len() {
            break;
        }
        c.encode_utf8(&mut dst[n..n + w]);
        n += w;
    }
    dst[n..].fill(0);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_stops_at_nul_and_takes_a_full_array() {
        let mut a = [0u16; 8];
        a[..3].copy_from_slice(&[0x4E, 0xFC, 0x72]); // "Nür"
        a[4] = 0x41; // after the NUL: ignored
        assert_eq!(utf16_z(&a), "Nür");
        let full: Vec<u16> = "abcdefgh".encode_utf16().collect();
        assert_eq!(utf16_z(&full), "abcdefgh");
        assert_eq!(utf16_z(&[]), "");
        assert_eq!(utf16_z(&[0, 0x41]), "");
    }

    #[test]
    fn utf16_surrogates() {
        // U+1F3CE (racing car) as a pair, then a lone high surrogate.
        assert_eq!(
            utf16_z(&[0xD83C, 0xDFCE, 0x20, 0xD800, 0x41]),
            "\u{1F3CE} \u{FFFD}A"
        );
    }

    #[test]
    fn utf8_lossy() {
        assert_eq!(utf8_z(b"\xC5\xA0koda\0junk"), "Škoda");
        assert_eq!(utf8_z(b"ab\xFFc"), "ab\u{FFFD}c");
        assert_eq!(utf8_z(b"full"), "full");
    }

    #[test]
    fn writers_cut_at_char_boundaries() {
        let mut w = [0xFFFFu16; 3];
        assert_eq!(write_utf16_z(&mut w, "a\u{1F3CE}b"), 3);
        assert_eq!(w, [0x61, 0xD83C, 0xDFCE]);
        let mut w = [0xFFFFu16; 2];
        assert_eq!(write_utf16_z(&mut w, "a\u{1F3CE}"), 1);
        assert_eq!(w, [0x61, 0]);
        let mut b = [0xFFu8; 4];
        assert_eq!(write_utf8_z(&mut b, "aŠkoda"), 4);
        assert_eq!(&b, b"a\xC5\xA0k");
        let mut b = [0xFFu8; 3];
        assert_eq!(write_utf8_z(&mut b, "ab\u{4E2D}"), 2);
        assert_eq!(&b, b"ab\0");
    }
}
