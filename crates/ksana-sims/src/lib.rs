//! ksana's sim adapters.
//!
//! Everything that differs between sims lives here, one folder per sim, behind the traits of
//! [`sim`]: which pages a sim publishes, how to tell it is running, how to take one consistent
//! snapshot (its torn-read protocol), how to tell a new update from a repeat, and how to publish
//! a recorded frame back the way its consumers expect. The record and play engines
//! (`ksana-engine`) know only these traits. Adding a sim is one folder and one line in
//! [`registry`].

pub mod assetto;
pub mod channels;
pub mod import;
pub mod iracing;
pub mod protocol;
pub mod registry;
pub mod sim;
pub mod testpattern;

pub use registry::{all, by_id};
pub use sim::{
    FakeRenderer, Liveness, PlayerCommand, Poll, PublishContext, PublisherOptions, SeekAnchor, Sim,
    SimError, SimPublisher, SimReader, Simulator, Snapshot, TimingSource, WatchTable, WatchView,
    Watcher,
};
