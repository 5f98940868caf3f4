//! The traits every sim implements.

use std::time::Duration;

use ksana_format::{FrameRef, MarkerKind, PageSpec};
use ksana_shm::ShmNamespace;

/// Errors of sim adapters: the shared-memory layer's, or a page that breaks the sim's layout.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Opening, reading or writing shared memory failed.
    #[error(transparent)]
    Shm(#[from] ksana_shm::ShmError),
    /// A page's bytes cannot be what the sim publishes (too short, impossible header, …).
    #[error("{page}: {detail}")]
    Layout {
        /// The page.
        page: String,
        /// What is wrong.
        detail: String,
    },
    /// A recording cannot be published as this sim (its pages do not match).
    #[error("cannot publish this recording as {sim}: {detail}")]
    Incompatible {
        /// The sim id.
        sim: &'static str,
        /// Why.
        detail: String,
    },
    /// A sim's own file (an iRacing `.ibt`, …) cannot be read or written: `FILE: byte N: what`.
    #[error("{}: byte {offset}: {detail}", path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// Byte offset of the fault in the file.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// An import or export that cannot be done: an unknown format, a recording without the
    /// sim's pages, … (the text says which).
    #[error("{0}")]
    Convert(String),
    /// Reading or writing a ksana recording failed during an import or export.
    #[error(transparent)]
    Recording(#[from] ksana_format::Error),
}

/// What a probe of a sim's shared memory found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// None of its mappings exist.
    Absent,
    /// Mappings exist but nothing is being published (the sim exited, or a bridge or tool
    /// keeps them open). A player may take them over.
    Stale,
    /// Someone is publishing right now; `evidence` says how that was seen.
    Live {
        /// E.g. "packetId advanced 12 times in 300 ms".
        evidence: String,
    },
}

/// The outcome of one [`SimReader::poll`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll {
    /// A new update was captured into the snapshot.
    New,
    /// Nothing new since the last poll.
    Same,
    /// The sim says it stopped (or its memory vanished): end the segment.
    Stopped,
    /// The pages' layout changed (e.g. iRacing's variable list): start a new segment with
    /// [`SimReader::pages`].
    LayoutChanged,
}

/// One consistent capture of a sim's pages, filled in place by [`SimReader::poll`].
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Current content of every page, in the order of [`SimReader::pages`].
    pub pages: Vec<Vec<u8>>,
    /// Which pages the last `New` poll changed (the engine stores only those).
    pub changed: Vec<bool>,
    /// The sim's own update counter for this capture, when it has one.
    pub tick: Option<u64>,
    /// Events the sim's data showed in this capture (session change, lap start), for markers.
    pub events: Vec<(MarkerKind, String)>,
    /// How long before this poll the sim published the captured update, by the sim's own
    /// clock, when it says (a reader catching up on a backlog); zero otherwise. The recorder
    /// dates the frame that much earlier.
    pub age: Duration,
}

impl Snapshot {
    /// A snapshot for `n` pages, all empty.
    pub fn with_pages(n: usize) -> Snapshot {
        Snapshot {
            pages: vec![Vec::new(); n],
            changed: vec![false; n],
            tick: None,
            events: Vec::new(),
            age: Duration::ZERO,
        }
    }
}

/// A sim: its identity, and how to read it live or publish a recording of it.
pub trait Sim: Send + Sync {
    /// Short id stored in recordings and used on the command line, e.g. `acc`.
    fn id(&self) -> &'static str;

    /// Human name, e.g. `Assetto Corsa Competizione`.
    fn name(&self) -> &'static str;

    /// Whether the sim is publishing in `ns` now. May watch the memory for up to `window` to
    /// see its counters move; mappings merely existing is not enough.
    fn probe(&self, ns: &ShmNamespace, window: Duration) -> Result<Liveness, SimError>;

    /// Connects a reader for recording. Fails if the sim's memory is not there.
    fn open_reader(&self, ns: &ShmNamespace) -> Result<Box<dyn SimReader>, SimError>;

    /// Opens (or creates, never shrinking) the sim's memory to publish frames of a recording
    /// whose pages are `pages`. The caller has checked [`Sim::probe`] first.
    fn open_publisher(
        &self,
        ns: &ShmNamespace,
        pages: &[PageSpec],
    ) -> Result<Box<dyn SimPublisher>, SimError>;

    /// [`Sim::open_publisher`] with the player's [`PublisherOptions`]. The player calls this
    /// one; sims with nothing to configure keep the default, which ignores `opts`.
    fn open_publisher_with(
        &self,
        ns: &ShmNamespace,
        pages: &[PageSpec],
        _opts: &PublisherOptions,
    ) -> Result<Box<dyn SimPublisher>, SimError> {
        self.open_publisher(ns, pages)
    }

    /// A generated stand-in for the sim (`ksana simulate`), publishing into `ns` as the sim
    /// would; `None` for sims that have none yet.
    fn simulator(&self, _ns: &ShmNamespace) -> Result<Option<Box<dyn Simulator>>, SimError> {
        Ok(None)
    }

    /// Follows the sim's memory from another process until the sim stops or `timeout` passes,
    /// writing one line per update seen to `out`: the proof, for tests, that a publisher lost,
    /// tore and reordered nothing. Only sims whose updates can be checked on their own
    /// implement it (`None` otherwise); returns the number of updates seen.
    fn watch_updates(
        &self,
        _ns: &ShmNamespace,
        _timeout: Duration,
        _out: &mut dyn std::io::Write,
    ) -> Result<Option<u64>, SimError> {
        Ok(None)
    }

    /// A decoder of frames with these pages into what `ksana watch` shows (the key values a
    /// driver or tool author looks at), or `None` when the sim has no view or the pages are
    /// not its layout. It may keep state between frames (parsed session info, say).
    fn watcher(&self, _pages: &[PageSpec]) -> Option<Box<dyn Watcher>> {
        None
    }

    /// A mapper of frames with these pages to timing samples for the lap engine, or `None`
    /// when the sim has none or the pages are not its layout.
    fn timing(&self, _pages: &[PageSpec]) -> Option<Box<dyn TimingSource>> {
        None
    }

    /// A decoder of frames with these pages into named, typed channels (`ksana export` CSV,
    /// JSON Lines, …): every value of every page, named as the sim names it; `None` when the
    /// sim has none or the pages are not its layout.
    fn channels(&self, _pages: &[PageSpec]) -> Option<Box<dyn crate::channels::ChannelSource>> {
        None
    }

    /// The channels (names from [`Sim::channels`]) a lap trace reads: speed, pedals, gear,
    /// steering, RPM; `None` when the sim has no such map yet.
    fn trace_channels(&self) -> Option<crate::channels::TraceChannels> {
        None
    }

    /// The fake sim's renderer for this sim (`ksana simulate`), or `None` when the sim has
    /// none yet.
    fn fake(&self) -> Option<Box<dyn FakeRenderer>> {
        None
    }

    /// Converts a file in this sim's own format (not a ksana recording) into a recording
    /// written to `out`. The file is recognised by its content, not its name; `Ok(None)` (with
    /// nothing written) when it is not this sim's. Errors name the file and byte offset.
    fn import(
        &self,
        _path: &std::path::Path,
        _opts: &crate::import::ImportOptions,
        _out: &mut dyn ksana_format::Sink,
    ) -> Result<Option<crate::import::ImportReport>, SimError> {
        Ok(None)
    }

    /// The file formats of its own this sim exports recordings of it to (`ksana export
    /// --format`); none by default.
    fn export_formats(&self) -> &'static [crate::import::ExportFormat] {
        &[]
    }

    /// Writes `rec` (a recording of this sim) as `format`, one of [`Sim::export_formats`], to
    /// `out`, positioned at its start; `path` names the output in errors.
    fn export(
        &self,
        _rec: &ksana_format::Recording,
        format: &str,
        _out: &mut dyn crate::import::ExportSink,
        _path: &std::path::Path,
        _opts: &crate::import::ExportOptions,
    ) -> Result<crate::import::ExportReport, SimError> {
        Err(SimError::Convert(format!(
            "{} recordings cannot be exported as {format:?}",
            self.name()
        )))
    }
}

/// Maps a sim's frames to the lap engine's sim-neutral [`ksana_laps::TimingSample`]s (what
/// `ksana laps`, `ksana dump` and the store know of a sim). Made by [`Sim::timing`] for one
/// page list; may keep state between frames (parsed session info, per-sector sums).
pub trait TimingSource: Send {
    /// The sample of one frame (`pages` in the order of the page list the source was made
    /// for), or `None` when the frame says nothing about timing (pages still empty, say).
    /// `rec_time_s` is the frame's recording time, copied into the sample.
    fn sample(
        &mut self,
        rec_time_s: f64,
        pages: &[&[u8]],
    ) -> Result<Option<ksana_laps::TimingSample>, SimError>;
}

/// Renders the fake sim's world ([`ksana_synth::world::WorldState`]) into a sim's pages, byte
/// for byte as the sim lays them out, for `ksana simulate`: the pages are then published with
/// the sim's own publisher or written straight into a recording.
pub trait FakeRenderer: Send {
    /// The pages rendered, as a recording of the sim declares them (the recorder's
    /// [`SimReader::pages`] for this sim).
    fn pages(&self) -> Vec<PageSpec>;

    /// Writes the pages for `world` into `out` (one buffer per page, in the order of
    /// [`FakeRenderer::pages`], each resized to its page's size) and sets `changed[i]` for
    /// every page whose update this is (a sim that updates a page at a lower rate leaves it
    /// unchanged on the other steps; the first call marks every page).
    fn render(
        &mut self,
        world: &ksana_synth::world::WorldState,
        out: &mut [Vec<u8>],
        changed: &mut [bool],
    ) -> Result<(), SimError>;

    /// How often the real sim publishes its fastest page, Hz (ACC physics 333, iRacing 60):
    /// `ksana simulate`'s default rate.
    fn nominal_rate_hz(&self) -> f64;
}

/// Turns frames into a [`WatchView`] for `ksana watch`, from live memory or a recording alike.
pub trait Watcher: Send {
    /// The view of one frame; `pages` are in the order of the pages the watcher was made for.
    fn view(&mut self, pages: &[&[u8]]) -> Result<WatchView, SimError>;
}

/// What `ksana watch` prints for one frame: a title, labelled values, and optionally a table
/// (e.g. the running order). Plain text; the CLI lays it out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchView {
    /// One line, e.g. `ACC · Monza · Race · LIVE`.
    pub title: String,
    /// Labelled values in display order, e.g. `("Speed", "212.4 km/h")`.
    pub fields: Vec<(String, String)>,
    /// Column headers and rows, when the sim has a table to show.
    pub table: Option<WatchTable>,
}

/// A table of a [`WatchView`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchTable {
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// Publishes generated updates as the sim would, for trying and testing without the game.
pub trait Simulator: Send {
    /// Publishes the next update.
    fn step(&mut self) -> Result<(), SimError>;

    /// Publishes the sim's "stopped" state.
    fn stop(&mut self) -> Result<(), SimError>;
}

/// Reads a running sim.
pub trait SimReader: Send {
    /// The pages this reader captures, as the recording declares them.
    fn pages(&self) -> Vec<PageSpec>;

    /// Takes one consistent snapshot if the sim published a new update, following the sim's
    /// torn-read protocol; never returns a half-written page.
    fn poll(&mut self, snapshot: &mut Snapshot) -> Result<Poll, SimError>;

    /// The interval at which the sim is known to publish, when it has a fixed one; the engine
    /// polls faster than this.
    fn nominal_interval(&self) -> Option<Duration> {
        None
    }

    /// True when updates already published wait to be returned by the next [`SimReader::poll`]
    /// (a reader catching up through a sim's history); the engine then polls again at once.
    fn pending(&self) -> bool {
        false
    }

    /// Forget any backlog: the next poll returns the newest update (the recorder samples at a
    /// capped rate with `--fps` and wants the latest state, not the history).
    fn skip_backlog(&mut self) {}

    /// When the sim's tick advances by exactly this much per update, a larger jump between two
    /// captures means updates were published that the recorder did not see; the engine counts
    /// them. `None` when ticks are not that regular.
    fn tick_step(&self) -> Option<u64> {
        None
    }

    /// How many updates before the newest the sim keeps readable (iRacing's rotating row
    /// buffers; 0 for a sim with one page). With a history the engine may wake once per few
    /// updates and take them all, dated by [`Snapshot::age`], instead of once per update.
    fn history(&self) -> u32 {
        0
    }

    /// Blocks until the sim signals new data or `timeout` passes; returns false without
    /// waiting when the sim has no signal (the engine then paces its polls itself).
    fn wait(&mut self, _timeout: Duration) -> bool {
        false
    }
}

/// Where a frame stands in playback, for sims whose counters must keep increasing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PublishContext {
    /// Frames published so far in this playback, across seeks and loops.
    pub sequence: u64,
    /// True for the first frame after a start, seek or loop: counters may need a jump.
    pub discontinuity: bool,
}

/// Publishes a recording into shared memory as the sim would.
pub trait SimPublisher: Send {
    /// Writes one frame so that consumers see a consistent, new update.
    fn publish(&mut self, frame: &FrameRef<'_>, ctx: PublishContext) -> Result<(), SimError>;

    /// Publishes the sim's "stopped" state so consumers disconnect cleanly.
    fn stop(&mut self) -> Result<(), SimError>;

    /// The longest a consumer may go without a new update before it takes the sim for gone
    /// (iRacing: a tick at least every 1/60 s). The player calls [`SimPublisher::heartbeat`]
    /// when no frame was published for that long, also while paused. `None`: no such need.
    fn heartbeat_interval(&self) -> Option<Duration> {
        None
    }

    /// Republishes the last frame as a new update (new counters, same values).
    fn heartbeat(&mut self) -> Result<(), SimError> {
        Ok(())
    }

    /// What consumers asked of the player since the last call (a sim's own remote-control
    /// messages, e.g. iRacing's replay broadcasts) and notices for the user; the player drains
    /// it between frames and while paused. Default: nothing.
    fn commands(&mut self) -> Vec<PlayerCommand> {
        Vec::new()
    }
}

/// How the player wants a sim's publisher set up, beyond the pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublisherOptions {
    /// Also serve the side channels some consumers check before reading shared memory
    /// (iRacing: the HTTP sim-status endpoint on 127.0.0.1:32034). `ksana play
    /// --no-status-server` turns it off.
    pub status_server: bool,
}

impl Default for PublisherOptions {
    /// Everything a consumer may check is served.
    fn default() -> PublisherOptions {
        PublisherOptions {
            status_server: true,
        }
    }
}

/// Where a [`PlayerCommand::Seek`] offset counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekAnchor {
    /// The start of the played range (`--from`, else the recording's first frame).
    Start,
    /// The position of the last published frame.
    Current,
    /// The end of the played range (`--to`, else the last frame).
    End,
}

/// A request from a consumer to the player, or a notice for the user, returned by
/// [`SimPublisher::commands`].
#[derive(Clone, Debug, PartialEq)]
pub enum PlayerCommand {
    /// Jump to `anchor` + `offset_ns` of recording time (clamped to the played range).
    Seek {
        /// Where the offset counts from.
        anchor: SeekAnchor,
        /// Nanoseconds after (negative: before) the anchor.
        offset_ns: i64,
    },
    /// Play at this speed (clamped to 0.1–16), resuming if paused.
    Speed(f64),
    /// Pause (a no-op when paused).
    Pause,
    /// Resume at the current speed (a no-op when playing).
    Resume,
    /// Something the user should read (a command that cannot act on a recording, a side
    /// channel that could not start); the player shows it and goes on.
    Notice(String),
}
