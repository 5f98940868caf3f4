//! Errors of reading and writing recordings.
//!
//! Every read error names the file and the byte offset where the bad bytes begin, so that a user
//! can report or salvage a damaged recording, and a tool can act on the [`ErrorKind`].

use std::path::PathBuf;

/// A failure to read or write a recording, located in a file.
#[derive(Debug, thiserror::Error)]
#[error("{}: at byte {offset}: {kind}", path.display())]
pub struct Error {
    /// The file (or `<memory>` for an in-memory recording).
    pub path: PathBuf,
    /// Absolute byte offset in the file where the problem was found.
    pub offset: u64,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong, independent of where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operating system refused a read or write.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The file is empty.
    #[error("the file is empty (0 bytes); not a ksana recording")]
    Empty,
    /// The first bytes are not the ksana magic.
    #[error("not a ksana recording: {0}")]
    BadMagic(String),
    /// The file was written by a newer, incompatible format.
    #[error(
        "format version {major}.{minor} is newer than this ksana can read (it reads major version {supported}); upgrade ksana"
    )]
    UnsupportedVersion {
        /// Major version found in the file.
        major: u16,
        /// Minor version found in the file.
        minor: u16,
        /// Major version this library reads.
        supported: u16,
    },
    /// The data ends before a structure that should be complete.
    #[error("truncated: needed {needed} more bytes for {what}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// How many bytes were missing.
        needed: u64,
    },
    /// A stored checksum does not match the bytes.
    #[error("checksum mismatch in {what}: stored {stored:#010x}, computed {computed:#010x}")]
    Checksum {
        /// Which structure.
        what: &'static str,
        /// The checksum in the file.
        stored: u32,
        /// The checksum of the bytes read.
        computed: u32,
    },
    /// The bytes are well framed but their content is impossible.
    #[error("corrupt {what}: {detail}")]
    Corrupt {
        /// Which structure.
        what: &'static str,
        /// What is impossible about it.
        detail: String,
    },
    /// The caller asked for something the writer cannot do.
    #[error("invalid use: {0}")]
    Usage(String),
}

impl ErrorKind {
    /// Shorthand for [`ErrorKind::Corrupt`].
    pub(crate) fn corrupt(what: &'static str, detail: impl Into<String>) -> ErrorKind {
        ErrorKind::Corrupt {
            what,
            detail: detail.into(),
        }
    }
}

/// Result of this crate's fallible operations.
pub type Result<T> = std::result::Result<T, Error>;

/// An error whose location is relative to a buffer, before the caller knows the file and
/// the buffer's absolute position.
#[derive(Debug)]
pub(crate) struct LocalError {
    pub(crate) at: usize,
    pub(crate) kind: ErrorKind,
}

impl LocalError {
    /// Place the error in a file: `base` is the absolute offset of the buffer's byte 0.
    pub(crate) fn at(self, path: &std::path::Path, base: u64) -> Error {
        Error {
            path: path.to_path_buf(),
            offset: base + self.at as u64,
            kind: self.kind,
        }
    }
}

/// Result of parsing a buffer.
pub(crate) type LocalResult<T> = std::result::Result<T, LocalError>;
