//! The sim-neutral engines behind `ksana dump` and `ksana play`.
//!
//! The recorder samples a sim through [`ksana_sims::SimReader`] and streams frames to a
//! [`ksana_format::Writer`] on its own thread; the player publishes a [`ksana_format::Recording`]
//! through a [`ksana_sims::SimPublisher`] at the recorded times. Neither knows any sim.

mod error;
mod fake;
mod laps;
mod pacer;
mod play;
mod record;
mod remote;
mod schedule;
mod stats;
mod timefmt;

pub use error::EngineError;
pub use fake::{FakeOptions, FakeReport, run_fake_live, write_fake_recording};
pub use laps::{LiveLapEvent, LiveLaps, detect_laps, lap_time_text, rfc3339};
pub use pacer::Pacer;
pub use play::{Control, PlayOptions, PlayReport, PlayStatus, StopReason, play};
pub use record::{
    FrameObserver, ObserverSlot, Output, RecordOptions, RecordReport, RecordStatus, SimChoice,
    default_file_name, record,
};
pub use stats::LatencyStats;
pub use timefmt::{format_time, parse_duration, parse_time};
