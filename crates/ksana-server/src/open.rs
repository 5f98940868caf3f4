//! Opening an uploaded or referenced file as a recording, treating it as hostile: a ksana
//! recording (told by its magic), an old ksana / shm-debugger file (converted by
//! `ksana-legacy`), or a sim's own file (an `.ibt`, converted by the sim that recognises it).
//! The same order as the CLI's `input::open`.

use std::io::Read;
use std::path::Path;

use ksana_format::{MAGIC, ReadOptions, Recording};
use ksana_sims::SimError;
use ksana_sims::import::{ImportOptions, import_file};

/// Why a file could not be opened as a recording.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Neither ksana nor any sim recognises the content.
    #[error("{0}: not a ksana recording, and no sim recognises it as its own file")]
    Unknown(String),
    /// Recognised, but damaged or malformed (the message names the byte offset).
    #[error("{0}")]
    Invalid(String),
    /// The file could not be read at all.
    #[error("{0}")]
    Io(String),
}

/// Opens `path` as a recording (converted in memory or in an anonymous temp file when it is
/// not one). Never panics on any content; errors say what the file is not.
pub fn open_any(path: &Path) -> Result<Recording, OpenError> {
    let opts = ReadOptions { salvage: false };
    let mut head = Vec::with_capacity(MAGIC.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAGIC.len() as u64).read_to_end(&mut head))
        .map_err(|e| OpenError::Io(format!("{}: {e}", path.display())))?;
    if head == MAGIC {
        return Recording::open_with(path, opts).map_err(|e| OpenError::Invalid(e.to_string()));
    }
    let invalid = |e: SimError| OpenError::Invalid(e.to_string());
    if ksana_legacy::detect_file(path)
        .map_err(|e| invalid(SimError::from(e)))?
        .is_some()
    {
        let mut tmp = tempfile::tempfile().map_err(|e| OpenError::Io(e.to_string()))?;
        ksana_legacy::import_file(path, &ImportOptions { salvage: false }, &mut tmp)
            .map_err(|e| invalid(SimError::from(e)))?
            .ok_or_else(|| OpenError::Unknown(path.display().to_string()))?;
        let src = ksana_format::FileSource::new(tmp).map_err(|e| OpenError::Io(e.to_string()))?;
        return Recording::from_source(Box::new(src), path, opts)
            .map_err(|e| OpenError::Invalid(e.to_string()));
    }
    let mut bytes = Vec::new();
    match import_file(path, &ImportOptions { salvage: false }, &mut bytes).map_err(invalid)? {
        Some(_) => Recording::from_source(Box::new(bytes), path, opts)
            .map_err(|e| OpenError::Invalid(e.to_string())),
        None => Err(OpenError::Unknown(path.display().to_string())),
    }
}
