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
//!
//! ```
//! use ksana_shm::{Created, Event, EventReset, Mapping, ShmNamespace};
//! # let dir = tempfile::tempdir().unwrap();
//! # let name = format!("Local\\ksana-doc-{}", std::process::id());
//! # let ev_name = format!("{name}-ev");
//! // Player side: a private root here; `ShmNamespace::from_env()` in real use (/dev/shm on Linux).
//! let ns = ShmNamespace::with_root(dir.path());
//! let (page, created) = Mapping::open_or_create(&ns, &name, 2048)?;
//! assert_eq!(created, Created::New);
//! let ready = Event::create(&ns, &ev_name, EventReset::Auto)?;
//!
//! // Recorder side: read-only view and wait-only event.
//! let seen = Mapping::open_read(&ns, &name)?.expect("the player created it");
//! let wake = Event::open(&ns, &ev_name)?.expect("the player created it");
//!
//! page.write(4, b"body")?;
//! page.store_i32_release(0, 1)?; // packetId last
//! ready.set()?;
//! assert!(wake.wait(std::time::Duration::from_secs(1))?);
//! assert_eq!(seen.load_i32_acquire(0)?, 1);
//! assert_eq!(seen.read_vec(4, 4)?, b"body");
//! assert!(seen.read_vec(seen.len(), 1).is_err()); // out of range: an error, not a panic
//! # Ok::<(), ksana_shm::ShmError>(())
//! ```

#![warn(missing_docs, clippy::undocumented_unsafe_blocks)]

mod error;
mod event;
mod mapping;
mod namespace;
mod process;

#[cfg(unix)]
#[path = "sys_unix.rs"]
mod sys;
#[cfg(windows)]
#[path = "sys_windows.rs"]
mod sys;
/// Registered window messages broadcast between processes (Windows only).
#[cfg(windows)]
pub mod winmsg;

pub use error::{Result, ShmError};
pub use event::{Event, EventReset};
pub use mapping::{Created, Mapping};
pub use namespace::{DEFAULT_SHM_DIR, SHM_DIR_ENV, ShmNamespace};
pub use process::process_names;
