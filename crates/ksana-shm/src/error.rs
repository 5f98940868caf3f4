//! The crate's error type.

use std::io;

/// Everything that can go wrong when opening, mapping, reading or signalling shared memory.
///
/// Every variant names the shared-memory object (as the caller spelled it) and, for OS failures, the
/// resolved target (a file path on Linux, a kernel object name on Windows) and the OS error, so a log line
/// alone is enough to tell which sim page failed and why.
#[derive(Debug, thiserror::Error)]
pub enum ShmError {
    /// The name cannot be used: empty, contains `/`, `\` (after a `Local\`/`Global\` prefix) or NUL, or is
    /// `.`/`..`. Rejected before any system call, so a bad name can never escape the namespace root.
    #[error("invalid shared-memory name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// Which rule it broke.
        reason: &'static str,
    },

    /// A size of zero (or one that does not fit the address space) was requested for a mapping.
    #[error("invalid size {size} for shared-memory object {name:?}")]
    InvalidSize {
        /// The name as given.
        name: String,
        /// The requested size.
        size: u64,
    },

    /// The object exists but is not something that can be mapped (e.g. a directory under the root).
    #[error("shared-memory object {name:?} at {target} is not a regular file")]
    NotAFile {
        /// The name as given.
        name: String,
        /// The resolved path.
        target: String,
    },

    /// An operating-system call failed.
    #[error("{op} failed for shared-memory object {name:?} ({target}): {source}")]
    Os {
        /// The operation that failed, e.g. `"open"`, `"ftruncate"`, `"MapViewOfFile"`.
        op: &'static str,
        /// The name as given.
        name: String,
        /// The resolved path (Linux) or kernel object name (Windows).
        target: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },

    /// An access outside the mapped view. Returned instead of panicking or touching memory past the view.
    #[error(
        "access of {len} bytes at offset {offset} is out of range for shared-memory object {name:?} of {size} bytes"
    )]
    OutOfRange {
        /// The name as given.
        name: String,
        /// Requested start offset.
        offset: usize,
        /// Requested length.
        len: usize,
        /// Size of the view.
        size: usize,
    },

    /// An atomic access at an offset that is not a multiple of the value's size.
    #[error("offset {offset} is not {align}-byte aligned in shared-memory object {name:?}")]
    Misaligned {
        /// The name as given.
        name: String,
        /// Requested offset.
        offset: usize,
        /// Required alignment.
        align: usize,
    },

    /// A write (or event signal) through a handle that was opened read-only / wait-only.
    #[error("shared-memory object {name:?} was opened read-only")]
    ReadOnly {
        /// The name as given.
        name: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = ShmError> = std::result::Result<T, E>;
