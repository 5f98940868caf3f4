//! iRacing `.ibt` disk telemetry files, both ways, and raw images of the live mapping.
//!
//! * [`IbtFile`] reads an `.ibt` (or a raw 1164 KiB live-memory image, which some tools save
//!   with the `.ibt` extension) treating every byte as hostile: header, disk sub-header, var
//!   headers, YAML and rows are bounds-checked, the record count of the sub-header is
//!   cross-checked with the file size, and rows are streamed in bounded batches.
//! * [`IbtWriter`] writes an `.ibt` the way iRacing's disk writer does: header and a zeroed
//!   sub-header first, rows appended contiguously, the sub-header rewritten at
//!   [`IbtWriter::finish`] — so an export that dies half-way still holds its rows.
//! * [`import_recording`] and [`export_recording`] convert between those files and ksana
//!   recordings (pages of [`super::layout::page_specs`]); the `Sim` hooks use them.
//!
//! Layout facts: `../shared/reference/iracing.md` §12 (`.ibt`), §4.4 (live image), §13.

mod convert;
mod read;
mod write;

use std::path::{Path, PathBuf};

pub use convert::{META_PREFIX, export_recording, import_recording};
pub use read::{IbtFile, IbtOptions, RowReader};
pub use write::IbtWriter;

use super::layout::{
    DISK_SUBHEADER_LEN, HEADER_LEN, Header, LIVE_NUM_BUF, LIVE_SESSION_INFO_OFFSET,
    LIVE_VAR_HEADER_OFFSET,
};

/// Offset of the var-header table in every `.ibt` (right after header and sub-header).
pub const IBT_VAR_HEADER_OFFSET: usize = HEADER_LEN + DISK_SUBHEADER_LEN;
/// Var-header offset of a version-1 (2015, SDK 1.12) live image: 112 + 128 KiB of YAML.
pub const LIVE_V1_VAR_HEADER_OFFSET: usize = LIVE_SESSION_INFO_OFFSET + 0x20000;
/// The longest session YAML accepted from a file (real ones are 10–60 KiB; the live region
/// holds 512 KiB). Anything longer is taken for a corrupt length, not allocated.
pub const MAX_YAML_LEN: usize = 16 * 1024 * 1024;

/// What kind of iRacing file a byte image is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IbtKind {
    /// A disk telemetry file: `numBuf` 1, var headers at 144, rows contiguous.
    Disk,
    /// A raw image of the live mapping: `numBuf` 3, YAML at 112, var headers at 524,400
    /// (131,184 for version 1), three rotating row buffers.
    LiveImage,
}

impl IbtKind {
    /// A short name for reports and metadata: `disk` or `live-image`.
    pub fn name(self) -> &'static str {
        match self {
            IbtKind::Disk => "disk",
            IbtKind::LiveImage => "live-image",
        }
    }
}

/// Recognises an iRacing file by its first [`HEADER_LEN`] bytes (no extension involved):
/// a known header version and either the `.ibt` shape or the live-image shape. `None` for
/// anything else, including a header too short to tell.
pub fn sniff(head: &[u8]) -> Option<IbtKind> {
    let h = Header::parse(head).ok()?;
    if !(1..=super::layout::CURRENT_VER).contains(&h.ver) || h.num_vars <= 0 || h.buf_len <= 0 {
        return None;
    }
    if h.num_buf == 1 && h.var_header_offset as usize == IBT_VAR_HEADER_OFFSET {
        return Some(IbtKind::Disk);
    }
    let live_vho = h.var_header_offset as usize;
    if h.num_buf == LIVE_NUM_BUF as i32
        && h.session_info_offset as usize == LIVE_SESSION_INFO_OFFSET
        && (live_vho == LIVE_VAR_HEADER_OFFSET || live_vho == LIVE_V1_VAR_HEADER_OFFSET)
    {
        return Some(IbtKind::LiveImage);
    }
    None
}

/// Why an iRacing file could not be read or written. Displays as `FILE: byte N: what`.
#[derive(Debug, thiserror::Error)]
#[error("{}: byte {offset}: {kind}", path.display())]
pub struct IbtError {
    /// The file.
    pub path: PathBuf,
    /// Byte offset in the file of the fault (for a truncation: where the file ends or the
    /// first incomplete record starts).
    pub offset: u64,
    /// What is wrong.
    pub kind: IbtErrorKind,
}

/// The kinds of [`IbtError`].
#[derive(Debug, thiserror::Error)]
pub enum IbtErrorKind {
    /// Reading or writing the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A field holds a value iRacing never writes (bad version, count, offset, type …).
    #[error("{0}")]
    Malformed(String),
    /// The file ends before a region its header promises.
    #[error("truncated: {0}")]
    Truncated(String),
    /// Rows handed to the writer do not fit its layout.
    #[error("{0}")]
    Usage(String),
}

impl IbtError {
    pub(crate) fn new(path: &Path, offset: u64, kind: IbtErrorKind) -> IbtError {
        IbtError {
            path: path.to_path_buf(),
            offset,
            kind,
        }
    }

    /// The file-level error as the sim-neutral error the `Sim` hooks return.
    pub fn into_sim_error(self) -> crate::SimError {
        crate::SimError::File {
            path: self.path,
            offset: self.offset,
            detail: self.kind.to_string(),
        }
    }
}

impl From<IbtError> for crate::SimError {
    fn from(e: IbtError) -> crate::SimError {
        e.into_sim_error()
    }
}

/// The formats iRacing recordings export to.
pub const EXPORT_FORMATS: &[crate::import::ExportFormat] = &[crate::import::ExportFormat {
    id: "ibt",
    extension: "ibt",
    description: "iRacing .ibt disk telemetry (readable by iRacing tools and pyirsdk's IBT)",
}];

/// [`crate::Sim::import`] for iRacing: claims a file whose header [`sniff`]s as iRacing, or
/// whose name ends in `.ibt` (so a broken `.ibt` gets the reader's error and byte offset).
pub fn import_hook(
    path: &Path,
    opts: &crate::import::ImportOptions,
    out: &mut dyn ksana_format::Sink,
) -> Result<Option<crate::import::ImportReport>, crate::SimError> {
    use std::io::Read;
    let io = |e: std::io::Error| IbtError::new(path, 0, IbtErrorKind::Io(e));
    let mut head = Vec::with_capacity(HEADER_LEN);
    std::fs::File::open(path)
        .map_err(io)?
        .take(HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let named_ibt = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ibt"));
    if sniff(&head).is_none() && !named_ibt {
        return Ok(None);
    }
    let file = IbtFile::open(
        path,
        IbtOptions {
            salvage: opts.salvage,
        },
    )?;
    let (_, report) = import_recording(&file, out)?;
    Ok(Some(report))
}

/// [`crate::Sim::export`] for iRacing: `ibt` only.
pub fn export_hook(
    rec: &ksana_format::Recording,
    format: &str,
    out: &mut dyn crate::import::ExportSink,
    path: &Path,
    opts: &crate::import::ExportOptions,
) -> Result<crate::import::ExportReport, crate::SimError> {
    if format != "ibt" {
        return Err(crate::SimError::Convert(format!(
            "iRacing recordings cannot be exported as {format:?} (formats: ibt)"
        )));
    }
    let (_, report) = export_recording(rec, out, path, opts)?;
    Ok(report)
}
