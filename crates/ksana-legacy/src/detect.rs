//! Telling the legacy containers apart by their first bytes (reference §4), never by the
//! file's extension.

/// The magic both old tools write at offset 0.
pub const LEGACY_MAGIC: &[u8; 8] = b"RECROCKS";
/// Length of the file header of every variant.
pub const FILE_HEADER_LEN: usize = 72;

/// Which legacy container a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyKind {
    /// The old ksana (`.bin` / `.ksr`): file version at 8, fps at 12, sim id at 16.
    Ksana,
    /// shm-debugger with a sim id: fps at 8, sim id (`irac` / `accz`) at 12.
    ShmDebugger,
    /// shm-debugger's first days (2023-06-23 → 25): fps at 8, no sim id.
    ShmDebuggerPrototype,
}

impl LegacyKind {
    /// A short name for reports and metadata.
    pub fn name(self) -> &'static str {
        match self {
            LegacyKind::Ksana => "ksana-legacy",
            LegacyKind::ShmDebugger => "shm-debugger",
            LegacyKind::ShmDebuggerPrototype => "shm-debugger-prototype",
        }
    }
}

/// Recognises a legacy file from its first bytes (pass at least [`FILE_HEADER_LEN`] when the
/// file has them). `None` when the magic is not there. A prefix with the magic but too short
/// to tell more is classed as [`LegacyKind::Ksana`], whose reader then reports the short
/// header precisely.
pub fn detect(prefix: &[u8]) -> Option<LegacyKind> {
    if prefix.get(..8)? != LEGACY_MAGIC {
        return None;
    }
    if let Some(id) = prefix.get(12..16)
        && id.iter().all(u8::is_ascii_alphabetic)
    {
        return Some(LegacyKind::ShmDebugger);
    }
    if let Some(z) = prefix.get(12..20)
        && z.iter().all(|&b| b == 0)
    {
        return Some(LegacyKind::ShmDebuggerPrototype);
    }
    Some(LegacyKind::Ksana)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(rest: &[u8]) -> Vec<u8> {
        let mut v = LEGACY_MAGIC.to_vec();
        v.extend_from_slice(rest);
        v.resize(FILE_HEADER_LEN, 0);
        v
    }

    #[test]
    fn the_three_headers_are_told_apart() {
        // ksana v1, fps 1: `01 00 00 00` at 12 is not letters.
        assert_eq!(
            detect(&head(&[1, 0, 0, 0, 1, 0, 0, 0, b'a', b'c', b's', b'a'])),
            Some(LegacyKind::Ksana)
        );
        assert_eq!(
            detect(&head(&[5, 0, 0, 0, b'i', b'r', b'a', b'c'])),
            Some(LegacyKind::ShmDebugger)
        );
        assert_eq!(
            detect(&head(&[5, 0, 0, 0])),
            Some(LegacyKind::ShmDebuggerPrototype)
        );
        assert_eq!(detect(b"RECROCK"), None);
        assert_eq!(detect(b"\x89KSANA\r\n12345678"), None);
        assert_eq!(detect(b"RECROCKS"), Some(LegacyKind::Ksana));
    }
}
