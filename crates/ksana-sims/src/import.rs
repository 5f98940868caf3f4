//! Converting sims' own files to and from ksana recordings, without the caller naming a sim.
//!
//! A sim that has a file format of its own (iRacing's `.ibt`) implements [`Sim::import`] (its
//! file → a recording, recognised by content) and [`Sim::export`] with
//! [`Sim::export_formats`] (a recording of it → its file). The CLI calls [`import_file`] and
//! [`export`] here and never learns which sim answered.

use std::io::{Seek, Write};
use std::path::Path;

use ksana_format::{Recording, Sink};

use crate::sim::{Sim, SimError};

/// How an import treats a damaged file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Keep every complete record of a file whose tail is cut (or otherwise at odds with its
    /// own record count) instead of failing; the report's notes say what was dropped.
    pub salvage: bool,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// What the file was, e.g. `iRacing .ibt disk telemetry`.
    pub format: String,
    /// Frames written to the recording.
    pub frames: u64,
    /// What the reader noticed and worked around (salvaged tail, zero record count, …).
    pub notes: Vec<String>,
}

/// A file format a sim exports to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportFormat {
    /// The name given to `ksana export --format`, e.g. `ibt`.
    pub id: &'static str,
    /// The usual file extension, without the dot.
    pub extension: &'static str,
    /// One line for help texts.
    pub description: &'static str,
}

/// Choices of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Export only this segment of the recording (default: the sim decides, and says so in
    /// the report).
    pub segment: Option<u32>,
}

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Frames (rows, records) written.
    pub frames: u64,
    /// What was left out or derived, for the user.
    pub notes: Vec<String>,
}

/// An output an exporter can write and seek in (a file, or a `Cursor<Vec<u8>>` in tests):
/// formats such as `.ibt` rewrite their header at the end.
pub trait ExportSink: Write + Seek + Send {}

impl<T: Write + Seek + Send> ExportSink for T {}

/// Offers `path` to every registered sim's [`Sim::import`]; the first that recognises it
/// writes the recording into `out`. `Ok(None)`: no sim knows the file (nothing was written).
pub fn import_file(
    path: &Path,
    opts: &ImportOptions,
    out: &mut dyn Sink,
) -> Result<Option<(&'static dyn Sim, ImportReport)>, SimError> {
    for sim in crate::registry::all() {
        if let Some(r) = sim.import(path, opts, &mut *out)? {
            return Ok(Some((*sim, r)));
        }
    }
    Ok(None)
}

/// Every export format of every registered sim, with the sim.
pub fn export_formats() -> Vec<(&'static dyn Sim, ExportFormat)> {
    crate::registry::all()
        .iter()
        .flat_map(|s| s.export_formats().iter().map(move |f| (*s, *f)))
        .collect()
}

/// Exports `rec` as `format` through the sim that recorded it (`rec.header().sim`). Fails with
/// [`SimError::Convert`] when that sim is unknown or has no such format (the message
/// lists the formats it has).
pub fn export(
    rec: &Recording,
    format: &str,
    out: &mut dyn ExportSink,
    path: &Path,
    opts: &ExportOptions,
) -> Result<ExportReport, SimError> {
    let id = rec.header().sim.as_str();
    let Some(sim) = crate::registry::by_id(id) else {
        return Err(SimError::Convert(format!(
            "cannot export as {format:?}: the recording's sim {id:?} is not one ksana knows"
        )));
    };
    if !sim.export_formats().iter().any(|f| f.id == format) {
        let known: Vec<&str> = sim.export_formats().iter().map(|f| f.id).collect();
        return Err(SimError::Convert(format!(
            "{} recordings cannot be exported as {format:?} (formats: {})",
            sim.name(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    sim.export(rec, format, out, path, opts)
}
