//! The error of every legacy reader: `FILE: byte N: what`.

use std::path::{Path, PathBuf};

/// Why a legacy file could not be read or converted. Displays as `FILE: byte N: what`.
#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    /// The legacy file is unreadable at `offset`.
    #[error("{}: byte {offset}: {kind}", path.display())]
    File {
        /// The legacy file.
        path: PathBuf,
        /// Byte offset in the file of the fault (the start of the record for a bad frame).
        offset: u64,
        /// What is wrong.
        kind: ErrorKind,
    },
    /// Writing the new recording failed.
    #[error(transparent)]
    Output(#[from] ksana_format::Error),
}

/// The kinds of [`LegacyError::File`].
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// Reading the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A field holds a value the old writers never wrote.
    #[error("{0}")]
    Malformed(String),
    /// The file ends before a structure that must be complete (the 72-byte header).
    #[error("truncated: {0}")]
    Truncated(String),
}

impl LegacyError {
    /// A [`LegacyError::File`].
    pub fn file(path: &Path, offset: u64, kind: ErrorKind) -> LegacyError {
        LegacyError::File {
            path: path.to_path_buf(),
            offset,
            kind,
        }
    }

    /// A [`ErrorKind::Malformed`] fault at `offset` of `path`.
    pub fn malformed(path: &Path, offset: u64, what: impl Into<String>) -> LegacyError {
        LegacyError::file(path, offset, ErrorKind::Malformed(what.into()))
    }
}

impl From<LegacyError> for ksana_sims::SimError {
    /// File faults become [`ksana_sims::SimError::File`] (the CLI's exit code 2), output
    /// faults [`ksana_sims::SimError::Recording`].
    fn from(e: LegacyError) -> ksana_sims::SimError {
        match e {
            LegacyError::File { path, offset, kind } => ksana_sims::SimError::File {
                path,
                offset,
                detail: kind.to_string(),
            },
            LegacyError::Output(e) => ksana_sims::SimError::Recording(e),
        }
    }
}
