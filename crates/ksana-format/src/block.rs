//! The file's framing: the preamble, blocks with checksummed headers, and the trailer.
//!
//! Every structure after the 16-byte preamble is a block: a 16-byte header (tag, body length,
//! body checksum, header checksum) and a body. Checking the header's own checksum before
//! trusting its length is what lets a reader tell a torn tail from a valid block, and resync
//! past damage when salvaging. Layout: docs/FORMAT.md, "Blocks".

use crate::error::{ErrorKind, LocalError, LocalResult};

/// The first 8 bytes of every ksana recording. The high first byte and the CR LF catch
/// transfers that mangle binary files; it differs from the old ksana's `RECROCKS`.
pub const MAGIC: [u8; 8] = [0x89, b'K', b'S', b'A', b'N', b'A', b'\r', b'\n'];
/// The format's major version: a reader refuses any other.
pub const VERSION_MAJOR: u16 = 1;
/// The format's minor version: additions a reader of the same major may ignore.
pub const VERSION_MINOR: u16 = 0;
/// Size of the preamble: magic, major, minor, reserved flags.
pub const PREAMBLE_LEN: usize = 16;
/// Size of a block header.
pub const BLOCK_HEADER_LEN: usize = 16;
/// The last 16 bytes of a cleanly closed file: the footer's offset and this tag.
pub const TRAILER_MAGIC: [u8; 8] = *b"KSANAEND";
/// Size of the trailer.
pub const TRAILER_LEN: usize = 16;
/// Largest block body a reader accepts.
pub const MAX_BLOCK_BODY: u32 = 512 * 1024 * 1024;

/// What a block holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tag {
    /// Recording header: sim, recorder, start time, metadata, segment 0's pages.
    Head,
    /// A new segment's page table.
    Segment,
    /// A chunk of frames.
    Chunk,
    /// The index written at clean close.
    Footer,
    /// A tag a newer minor version added; skipped.
    Unknown([u8; 4]),
}

impl Tag {
    pub(crate) fn bytes(self) -> [u8; 4] {
        match self {
            Tag::Head => *b"HEAD",
            Tag::Segment => *b"SEGM",
            Tag::Chunk => *b"CHNK",
            Tag::Footer => *b"FOOT",
            Tag::Unknown(b) => b,
        }
    }

    pub(crate) fn from_bytes(b: [u8; 4]) -> Tag {
        match &b {
            b"HEAD" => Tag::Head,
            b"SEGM" => Tag::Segment,
            b"CHNK" => Tag::Chunk,
            b"FOOT" => Tag::Footer,
            _ => Tag::Unknown(b),
        }
    }
}

/// The preamble for this version.
pub(crate) fn preamble() -> [u8; PREAMBLE_LEN] {
    let mut p = [0u8; PREAMBLE_LEN];
    p[..8].copy_from_slice(&MAGIC);
    p[8..10].copy_from_slice(&VERSION_MAJOR.to_le_bytes());
    p[10..12].copy_from_slice(&VERSION_MINOR.to_le_bytes());
    p
}

/// Checks a preamble and returns the (major, minor) version.
pub(crate) fn check_preamble(p: &[u8]) -> LocalResult<(u16, u16)> {
    let err = |at, kind| Err(LocalError { at, kind });
    if p.len() < 8 && MAGIC.starts_with(p) {
        return err(
            p.len(),
            ErrorKind::Truncated {
                what: "preamble",
                needed: (PREAMBLE_LEN - p.len()) as u64,
            },
        );
    }
    if p.len() < 8 || p[..8] != MAGIC {
        if p.starts_with(b"RECROCKS") {
            return err(0, ErrorKind::BadMagic("this is an old ksana (RECROCKS) recording; import it with a ksana that converts legacy files".into()));
        }
        let shown: Vec<String> = p.iter().take(8).map(|b| format!("{b:02x}")).collect();
        return err(
            0,
            ErrorKind::BadMagic(format!(
                "first bytes are [{}], expected 89 4b 53 41 4e 41 0d 0a",
                shown.join(" ")
            )),
        );
    }
    if p.len() < PREAMBLE_LEN {
        return err(
            p.len(),
            ErrorKind::Truncated {
                what: "preamble",
                needed: (PREAMBLE_LEN - p.len()) as u64,
            },
        );
    }
    let major = u16::from_le_bytes([p[8], p[9]]);
    let minor = u16::from_le_bytes([p[10], p[11]]);
    if major != VERSION_MAJOR {
        return err(
            8,
            ErrorKind::UnsupportedVersion {
                major,
                minor,
                supported: VERSION_MAJOR,
            },
        );
    }
    Ok((major, minor))
}

/// A block header as read from a file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockHeader {
    pub(crate) tag: Tag,
    pub(crate) body_len: u32,
    pub(crate) body_crc: u32,
}

/// Frames a body into a block, appending header and body to `out`.
pub(crate) fn write_block(out: &mut Vec<u8>, tag: Tag, body: &[u8]) {
    let mut h = [0u8; BLOCK_HEADER_LEN];
    h[..4].copy_from_slice(&tag.bytes());
    h[4..8].copy_from_slice(&(body.len() as u32).to_le_bytes());
    h[8..12].copy_from_slice(&crc32c::crc32c(body).to_le_bytes());
    let hc = crc32c::crc32c(&h[..12]);
    h[12..16].copy_from_slice(&hc.to_le_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(body);
}

/// Parses and checks a block header (16 bytes).
pub(crate) fn parse_block_header(h: &[u8; BLOCK_HEADER_LEN]) -> LocalResult<BlockHeader> {
    let stored = u32::from_le_bytes([h[12], h[13], h[14], h[15]]);
    let computed = crc32c::crc32c(&h[..12]);
    if stored != computed {
        return Err(LocalError {
            at: 0,
            kind: ErrorKind::Checksum {
                what: "block header",
                stored,
                computed,
            },
        });
    }
    let body_len = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    if body_len > MAX_BLOCK_BODY {
        return Err(LocalError {
            at: 4,
            kind: ErrorKind::corrupt(
                "block header",
                format!("body length {body_len} exceeds {MAX_BLOCK_BODY}"),
            ),
        });
    }
    Ok(BlockHeader {
        tag: Tag::from_bytes([h[0], h[1], h[2], h[3]]),
        body_len,
        body_crc: u32::from_le_bytes([h[8], h[9], h[10], h[11]]),
    })
}

/// Checks a body against its header's checksum.
pub(crate) fn check_body(h: &BlockHeader, body: &[u8], what: &'static str) -> LocalResult<()> {
    let computed = crc32c::crc32c(body);
    if computed != h.body_crc {
        return Err(LocalError {
            at: 0,
            kind: ErrorKind::Checksum {
                what,
                stored: h.body_crc,
                computed,
            },
        });
    }
    Ok(())
}

/// The trailer pointing at the footer block.
pub(crate) fn trailer(footer_offset: u64) -> [u8; TRAILER_LEN] {
    let mut t = [0u8; TRAILER_LEN];
    t[..8].copy_from_slice(&footer_offset.to_le_bytes());
    t[8..].copy_from_slice(&TRAILER_MAGIC);
    t
}
