//! Platform shared memory for ksana: named mappings and named "new data" events.
//!
//! Sims (iRacing, Assetto Corsa, ACC, RaceRoom, rFactor 2, LMU, …) publish telemetry in named shared
//! memory. ksana's recorder reads those pages ([`Mapping::open_read`]) and its player writes them back
//! ([`Mapping::open_or_create`], [`Event::set`]) so that real consumers believe a sim is running.
//!
//! One API, two backends:
//! - **Windows**: pagefile-backed named file mappings and kernel events, names used as given
//!   (`Local\` added if there is no prefix).
//! - **Linux**: regular files `<root>/<name>` (root `/dev/shm` by default, `KSANA_SHM_DIR` or
//!   [`ShmNamespace::with_root`] to override), the `Local\`/`Global\` prefix dropped — the convention of
//!   Proton bridges and Linux-native readers. Events are sequence-counter files (see [`Event`]).
//!
//! All unsafe code of ksana's platform layer lives in this crate. Access to shared bytes is always by
//! copy or by a single atomic operation; no reference into memory another process writes is held.
//! Decisions are recorded in `docs/SHM.md`.

mod error;
mod event;
mod mapping;
mod namespace;

#[cfg(unix)]
#[path = "sys_unix.rs"]
mod sys;
#[cfg(windows)]
#[path = "sys_windows.rs"]
mod sys;

pub use error::{Result, ShmError};
pub use event::{Event, EventReset};
pub use mapping::{Created, Mapping};
pub use namespace::{DEFAULT_SHM_DIR, SHM_DIR_ENV, ShmNamespace};
