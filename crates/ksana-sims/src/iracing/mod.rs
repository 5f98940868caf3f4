//! iRacing: the live mapping `Local\IRSDKMemMapFileName` with its rotating row buffers and
//! session-info YAML, `.ibt` files, typed access to variables, race state and broadcast
//! commands. Facts: `../shared/reference/iracing.md`.
//!
//! Modules: [`layout`] (bytes), [`vars`] and [`flags`] (typed variables), [`session`] (the
//! YAML), [`race_state`] (who is where), [`ibt`] (disk files), `reader`/`publisher` (record and
//! play live memory), `status_server` (the HTTP sim-status check), [`broadcast`] (commands),
//! [`pattern`] (the self-checking stand-in of `ksana simulate`), [`timing`] (frames as lap-engine
//! samples), [`fake`] (the fake sim's world as iRacing pages).

pub mod broadcast;
mod channels;
pub mod fake;
pub mod flags;
pub mod ibt;
pub mod layout;
pub mod pattern;
mod publisher;
pub mod race_state;
mod reader;
pub mod session;
pub mod status_server;
pub mod timing;
pub mod vars;
mod watch;

use std::time::{Duration, Instant};

use ksana_format::PageSpec;
use ksana_shm::{Mapping, ShmNamespace};

use crate::sim::{Liveness, Sim, SimError, SimPublisher, SimReader};
pub use publisher::{LivePublisher, PublisherOptions, status_server_for};
pub use reader::LiveReader;

/// iRacing.
pub struct Iracing;

impl Sim for Iracing {
    fn id(&self) -> &'static str {
        "iracing"
    }

    fn name(&self) -> &'static str {
        "iRacing"
    }

    /// Session, flags, what remains and the running order ([`watch`]).
    fn watcher(&self, pages: &[PageSpec]) -> Option<Box<dyn crate::sim::Watcher>> {
        watch::watcher(pages)
    }

    /// Timing samples for the lap engine ([`timing`]).
    fn timing(&self, pages: &[PageSpec]) -> Option<Box<dyn crate::sim::TimingSource>> {
        timing::timing(pages)
    }

    /// Every variable of the var headers as export channels (`channels.rs`).
    fn channels(&self, pages: &[PageSpec]) -> Option<Box<dyn crate::channels::ChannelSource>> {
        channels::channels(pages)
    }

    /// iRacing's telemetry variables: `Speed` (m/s), `Throttle`, `Brake`, `Gear` (−1 =
    /// reverse), `SteeringWheelAngle` (rad), `RPM`.
    fn trace_channels(&self) -> Option<crate::channels::TraceChannels> {
        Some(crate::channels::TraceChannels {
            speed: "Speed",
            speed_to_kmh: 3.6,
            throttle: "Throttle",
            brake: "Brake",
            gear: "Gear",
            gear_offset: 0,
            steering: "SteeringWheelAngle",
            steering_unit: "rad",
            rpm: "RPM",
        })
    }

    /// The fake sim's world as iRacing pages ([`fake`]).
    fn fake(&self) -> Option<Box<dyn crate::sim::FakeRenderer>> {
        Some(Box::new(fake::IracingFake::new()))
    }

    /// Live when the mapping exists, `status == 1` and a buffer's tick advances within
    /// `window`; a mapping that merely exists (a consumer created it, the sim exited) is stale.
    fn probe(&self, ns: &ShmNamespace, window: Duration) -> Result<Liveness, SimError> {
        let Some(map) = Mapping::open_read(ns, layout::MEMMAP_NAME)? else {
            return Ok(Liveness::Absent);
        };
        let Some((_, first)) = reader::status_and_tick(&map)? else {
            return Ok(Liveness::Stale);
        };
        let start = Instant::now();
        let (mut moves, mut last) = (0u32, first);
        while start.elapsed() < window {
            std::thread::sleep(Duration::from_millis(2));
            if let Some((_, t)) = reader::status_and_tick(&map)?
                && t != last
            {
                moves += 1;
                last = t;
            }
        }
        let status = reader::status_and_tick(&map)?.map_or(0, |(s, _)| s);
        Ok(if moves > 0 && status == layout::STATUS_CONNECTED {
            Liveness::Live {
                evidence: format!(
                    "its tickCount advanced {moves} times in {} ms",
                    window.as_millis()
                ),
            }
        } else {
            Liveness::Stale
        })
    }

    /// The self-checking stand-in ([`pattern`]): one tick per step, through the player's
    /// write path.
    fn simulator(
        &self,
        ns: &ShmNamespace,
    ) -> Result<Option<Box<dyn crate::sim::Simulator>>, SimError> {
        Ok(Some(Box::new(pattern::PatternWriter::create(ns)?)))
    }

    /// Follows the stand-in like an SDK client ([`pattern::watch_updates`]).
    fn watch_updates(
        &self,
        ns: &ShmNamespace,
        timeout: Duration,
        out: &mut dyn std::io::Write,
    ) -> Result<Option<u64>, SimError> {
        pattern::watch_updates(ns, timeout, out).map(Some)
    }

    fn open_reader(&self, ns: &ShmNamespace) -> Result<Box<dyn SimReader>, SimError> {
        Ok(Box::new(LiveReader::open(ns)?))
    }

    fn open_publisher(
        &self,
        ns: &ShmNamespace,
        pages: &[PageSpec],
    ) -> Result<Box<dyn SimPublisher>, SimError> {
        Ok(Box::new(LivePublisher::open(ns, pages)?))
    }

    /// The player's options: `status_server` turns the HTTP sim-status endpoint on or off.
    /// The player's publisher also takes broadcast commands (Windows; see `broadcast`).
    fn open_publisher_with(
        &self,
        ns: &ShmNamespace,
        pages: &[PageSpec],
        opts: &crate::sim::PublisherOptions,
    ) -> Result<Box<dyn SimPublisher>, SimError> {
        let o = PublisherOptions {
            status_server: opts.status_server,
            ..PublisherOptions::default()
        };
        let live = LivePublisher::open_with(ns, pages, o)?;
        Ok(Box::new(broadcast::LinkedPublisher::new(live, ns)))
    }

    /// `.ibt` disk telemetry files and raw live-memory images, recognised by their header
    /// (`ibt::sniff`); a file named `*.ibt` is also claimed, so that a broken one gets the
    /// reader's error (with its byte offset) rather than "unknown format".
    fn import(
        &self,
        path: &std::path::Path,
        opts: &crate::import::ImportOptions,
        out: &mut dyn ksana_format::Sink,
    ) -> Result<Option<crate::import::ImportReport>, SimError> {
        ibt::import_hook(path, opts, out)
    }

    fn export_formats(&self) -> &'static [crate::import::ExportFormat] {
        ibt::EXPORT_FORMATS
    }

    fn export(
        &self,
        rec: &ksana_format::Recording,
        format: &str,
        out: &mut dyn crate::import::ExportSink,
        path: &std::path::Path,
        opts: &crate::import::ExportOptions,
    ) -> Result<crate::import::ExportReport, SimError> {
        ibt::export_hook(rec, format, out, path, opts)
    }
}
