//! ksana's lap engine.
//!
//! Sim-neutral: each sim adapter (in `ksana-sims`, one per sim folder) maps its pages to a small
//! [`TimingSample`]; the [`LapTracker`] turns a stream of them, live or from a recording, into
//! [`Session`]s of [`Lap`]s with per-sector times. [`analysis`] finds bests and the theoretical
//! best; [`table`] renders what `ksana laps` prints. The rules (and the faults of the reference
//! tracker they avoid) are written down in docs/LAPS.md.

pub mod analysis;
pub mod engine;
pub mod model;
pub mod sample;
pub mod table;

pub use analysis::{SessionAnalysis, analyse};
pub use engine::{LapEvent, LapTracker};
pub use model::{Lap, LapsReport, Session};
pub use sample::{SessionIdent, SimState, TimingSample};
