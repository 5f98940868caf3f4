//! Errors of the engines.

use std::path::PathBuf;

/// Why recording or playback could not go on.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The recording could not be read or written.
    #[error(transparent)]
    Format(#[from] ksana_format::Error),
    /// The sim adapter failed.
    #[error(transparent)]
    Sim(#[from] ksana_sims::SimError),
    /// No registered sim has this id.
    #[error("unknown sim {id:?}; ksana knows: {known}")]
    UnknownSim {
        /// The id asked for.
        id: String,
        /// The ids ksana knows, comma-separated.
        known: String,
    },
    /// Another process is publishing the sim's memory: playing would overwrite live data.
    #[error(
        "a live {sim} is publishing in this shared memory ({evidence}); refusing to overwrite it. Stop it first, or pass --force"
    )]
    LiveSim {
        /// The sim id.
        sim: String,
        /// How it was seen to be live.
        evidence: String,
    },
    /// The output file could not be created or the writer thread failed.
    #[error("{}: {detail}", path.display())]
    Output {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// Options that cannot work together.
    #[error("{0}")]
    Usage(String),
}
