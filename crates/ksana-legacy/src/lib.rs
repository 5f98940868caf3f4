//! Reading the recordings of the tools ksana replaces — the old ksana (`RECROCKS` file
//! versions 1 and 2: 0.1/0.2 `.bin`, 0.3 and 0.4 `.ksr`) and shm-debugger (`shmd_dump_*.bin`,
//! including its prototype header and its early single-var-header iRacing frames) — and
//! converting them into ksana recordings.
//!
//! * [`detect`] tells the containers apart by content (reference §4), never by extension.
//! * [`container`] reads the 72-byte header and the zlib frame records, streaming and
//!   bounds-checked; a cut last record is dropped with a note, not a failure.
//! * [`irac`] and [`acsa`] decode the sims' payloads.
//! * [`convert()`] writes a recording with the pages ksana's own recorder writes for the sim,
//!   timestamps `n / fps` and `legacy.*` metadata saying so.
//!
//! The byte layouts read here are in docs/LEGACY.md.

pub mod acsa;
pub mod container;
pub mod convert;
pub mod detect;
pub mod error;
pub mod irac;

use std::io::{BufReader, Read};
use std::path::Path;

pub use convert::{ConvertOptions, Converted, META_PREFIX, TIMESTAMPS_NOTE, convert, frame_ns};
pub use detect::{FILE_HEADER_LEN, LEGACY_MAGIC, LegacyKind, detect};
pub use error::{ErrorKind, LegacyError};

use ksana_format::Sink;
use ksana_sims::import::ImportOptions;

/// The first [`FILE_HEADER_LEN`] bytes of `path` (fewer when the file is shorter).
fn prefix(path: &Path) -> Result<Vec<u8>, LegacyError> {
    let io = |e: std::io::Error| LegacyError::file(path, 0, ErrorKind::Io(e));
    let mut head = Vec::with_capacity(FILE_HEADER_LEN);
    std::fs::File::open(path)
        .map_err(io)?
        .take(FILE_HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    Ok(head)
}

/// Which legacy container `path` is, by its content; `None` when it is not one.
pub fn detect_file(path: &Path) -> Result<Option<LegacyKind>, LegacyError> {
    Ok(detect(&prefix(path)?))
}

/// Converts `path` into a recording written to `out` when it is a legacy file; `Ok(None)`
/// (nothing written) when it is not. The start time is the file's modification time minus
/// the recording's duration.
pub fn import_file(
    path: &Path,
    opts: &ImportOptions,
    out: &mut dyn Sink,
) -> Result<Option<Converted>, LegacyError> {
    if detect(&prefix(path)?).is_none() {
        return Ok(None);
    }
    let io = |e: std::io::Error| LegacyError::file(path, 0, ErrorKind::Io(e));
    let file = std::fs::File::open(path).map_err(io)?;
    let md = file.metadata().map_err(io)?;
    let modified_unix_ns = md
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_nanos()).ok());
    let copts = ConvertOptions {
        import: *opts,
        modified_unix_ns,
    };
    let (_, done) = convert(path, BufReader::new(file), md.len(), &copts, out)?;
    Ok(Some(done))
}
