//! Opening any input file: a ksana recording (told by its magic), or a sim's own file (an
//! iRacing `.ibt`, …) converted in memory through the sims' import hooks. The CLI never names
//! a sim here: whichever sim recognises the content converts it.

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use ksana_format::{MAGIC, ReadOptions, Recording};
use ksana_sims::SimError;
use ksana_sims::import::{ImportOptions, ImportReport, import_file};

/// True when the file starts with the ksana recording magic.
pub fn is_recording(path: &Path) -> Result<bool, SimError> {
    let mut head = Vec::with_capacity(MAGIC.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(MAGIC.len() as u64).read_to_end(&mut head))
        .map_err(|e| SimError::File {
            path: path.to_path_buf(),
            offset: 0,
            detail: e.to_string(),
        })?;
    Ok(head == MAGIC)
}

/// The error for a file neither ksana nor any sim recognises.
pub fn unknown_format(path: &Path) -> SimError {
    SimError::File {
        path: path.to_path_buf(),
        offset: 0,
        detail: "not a ksana recording, and no sim recognises it as its own file".into(),
    }
}

/// Opens `path` as a recording: directly when it is one, else converted in memory by the sim
/// that recognises it (`salvage` keeps the complete part of a cut file in both cases). Errors
/// name the file and, for a damaged file, the byte offset.
pub fn open(path: &Path, salvage: bool) -> Result<Recording> {
    Ok(open_reporting(path, salvage)?.0)
}

/// [`open`], also returning the import's report when the file was converted.
pub fn open_reporting(path: &Path, salvage: bool) -> Result<(Recording, Option<ImportReport>)> {
    if is_recording(path)? {
        return Ok((Recording::open_with(path, ReadOptions { salvage })?, None));
    }
    // An old ksana or shm-debugger file: converted into an anonymous temporary file (in the
    // system temp dir, removed by the OS when the recording is dropped).
    if ksana_legacy::detect_file(path)
        .map_err(SimError::from)?
        .is_some()
    {
        let mut tmp = tempfile::tempfile()?;
        let done = ksana_legacy::import_file(path, &ImportOptions { salvage }, &mut tmp)
            .map_err(SimError::from)?
            .ok_or_else(|| unknown_format(path))?;
        let src = ksana_format::FileSource::new(tmp)?;
        let rec = Recording::from_source(Box::new(src), path, ReadOptions { salvage })?;
        return Ok((rec, Some(done.report)));
    }
    let mut bytes = Vec::new();
    let Some((_, report)) = import_file(path, &ImportOptions { salvage }, &mut bytes)? else {
        // No sim knows it either: the recording reader says best what it is not (empty, an
        // old ksana file, …).
        Recording::open_with(path, ReadOptions { salvage })?;
        return Err(unknown_format(path).into());
    };
    let rec = Recording::from_source(Box::new(bytes), path, ReadOptions { salvage })?;
    Ok((rec, Some(report)))
}
