//! Exports of ksana recordings (and anything `ksana` reads) as named channels: one
//! [`Exporter`] per file format, one file per format (`csv.rs`, `jsonl.rs`; Parquet, HTML and
//! MoTeC plug in beside them), fed by the [`driver`] that streams a recording's frames through
//! the recording sim's [`ksana_sims::channels::ChannelSource`].
//!
//! The columns are `time_s` (recording time, seconds), `lap` (when the sim has a lap counter)
//! and the sim's channels, every one by default, named as the sim names them. Exports never
//! hold more than one decoded frame (two with `--rate`), whatever the length of the input.
//! docs/EXPORT.md describes the files.

pub mod csv;
pub mod driver;
pub mod html;
pub mod jsonl;
pub mod motec;
pub mod number;
pub mod parquet;

use std::io::Write;

use ksana_sims::channels::{Channel, Row};

pub use driver::{Progress, Selection, Summary, export, segment_channels};

/// Errors of an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the output failed.
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    /// Reading the recording failed (damage, I/O), located in the file.
    #[error(transparent)]
    Recording(#[from] ksana_format::Error),
    /// The sim could not decode a frame (a page that breaks its layout).
    #[error(transparent)]
    Sim(#[from] ksana_sims::SimError),
    /// The export cannot be done as asked (an unknown channel, a sim without channels, an
    /// empty time range, …); the text says why.
    #[error("{0}")]
    Usage(String),
}

/// What an export says about its input, for formats with a header or metadata.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// The recording's sim id (`iracing`, `acc`).
    pub sim_id: String,
    /// The sim's name (`iRacing`).
    pub sim_name: String,
    /// The input's name as the user gave it.
    pub source: String,
    /// The `--rate` of a resampled export, Hz; `None` when every frame is a row.
    pub rate_hz: Option<f64>,
    /// The recording's header (recorder, start time, free-form metadata such as car, track
    /// and `ibt.*`), for formats that carry it (Parquet's key/value metadata); `None` when
    /// unknown.
    pub header: Option<ksana_format::Header>,
}

/// A file format: told the columns once, then given rows in time order, then finished.
pub trait Exporter {
    /// Starts the output: `columns` in row order (`time_s`, `lap` when present, then the
    /// selected channels) and what the input was.
    fn begin(&mut self, columns: &[Channel], meta: &Metadata) -> Result<(), ExportError>;

    /// Writes one row; `row` holds one value per column.
    fn row(&mut self, row: &Row) -> Result<(), ExportError>;

    /// Completes the output and flushes it.
    fn finish(&mut self) -> Result<(), ExportError>;
}

/// A format of this crate: its `--format` id, file extension and a line of description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// `--format` value.
    pub id: &'static str,
    /// Usual extension, without the dot.
    pub extension: &'static str,
    /// One line for help texts.
    pub description: &'static str,
}

/// Every format of this crate.
pub const FORMATS: &[Format] = &[
    Format {
        id: "csv",
        extension: "csv",
        description: "CSV: one row per frame, units in a # comment line (RFC 4180 quoting)",
    },
    Format {
        id: "jsonl",
        extension: "jsonl",
        description: "JSON Lines: one object per frame",
    },
    Format {
        id: "html",
        extension: "html",
        description: "HTML report: summary, lap table, per-lap speed/throttle/brake/gear charts \
                      (one self-contained file)",
    },
    Format {
        id: "parquet",
        extension: "parquet",
        description: "Parquet: typed columns, units and recording metadata in key/value metadata",
    },
    Format {
        id: "motec",
        extension: "ld",
        description: "MoTeC i2 log (.ld, channels at their own rates) and its .ldx (lap beacons)",
    },
];

/// The exporter of format `id` writing to `out`, or `None` when this crate has no such
/// format.
pub fn exporter<'a>(id: &str, out: Box<dyn Write + 'a>) -> Option<Box<dyn Exporter + 'a>> {
    match id {
        "csv" => Some(Box::new(csv::CsvExporter::new(out))),
        "jsonl" => Some(Box::new(jsonl::JsonlExporter::new(out))),
        "parquet" => Some(Box::new(parquet::ParquetExporter::new(out))),
        "motec" => Some(Box::new(motec::MotecExporter::new(out))),
        _ => None,
    }
}
