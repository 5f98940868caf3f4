//! Lap detection over recordings and live: the sim's [`TimingSource`] (its folder in
//! `ksana-sims`) turns frames into samples, the sim-neutral [`LapTracker`] (`ksana-laps`)
//! turns samples into sessions and laps.

use ksana_format::{Marker, MarkerKind, PageSpec, Recording};
use ksana_laps::{Lap, LapEvent, LapTracker, Session};
use ksana_sims::{Sim, TimingSource};

use crate::EngineError;
use crate::record::FrameObserver;

/// The sessions and laps in `rec`, whose frames are decoded end to end. `name` is stored in
/// each session as the recording it came from. A segment boundary (the sim stopped, or
/// changed its layout) ends the session under way. Fails when the recording's sim has no
/// timing adapter; a damaged chunk ends the detection with an error naming the byte offset.
pub fn detect_laps(rec: &Recording, name: &str) -> Result<Vec<Session>, EngineError> {
    let sim: &dyn Sim = ksana_sims::by_id(&rec.header().sim)
        .ok_or_else(|| crate::record::unknown_sim(&rec.header().sim))?;
    let mut tracker = LapTracker::with_recording(name);
    let mut segment = u32::MAX;
    let mut source: Option<Box<dyn TimingSource>> = None;
    let mut frames = rec.frames();
    while let Some(f) = frames.next_frame()? {
        let t = f.timestamp_ns() as f64 / 1e9;
        if f.segment() != segment {
            if segment != u32::MAX {
                tracker.interrupt(t);
            }
            segment = f.segment();
            let pages = segment_pages(rec, segment);
            source = sim.timing(&pages);
            if source.is_none() {
                return Err(EngineError::Usage(format!(
                    "{}: ksana cannot time laps of {} from these pages",
                    rec.path().display(),
                    sim.name()
                )));
            }
        }
        let Some(src) = source.as_mut() else { continue };
        let pages: Vec<&[u8]> = f.pages().iter().map(|p| p.as_slice()).collect();
        if let Some(s) = src.sample(t, &pages)? {
            tracker.push(&s);
        }
    }
    Ok(tracker.finish())
}

/// The pages of segment `index` (the header's for 0).
fn segment_pages(rec: &Recording, index: u32) -> Vec<PageSpec> {
    rec.segments()
        .iter()
        .find(|s| s.index == index)
        .map(|s| s.pages.clone())
        .unwrap_or_else(|| rec.header().pages.clone())
}

/// Something that happened to the laps of a live recording, told once it is on disk.
#[derive(Clone, Debug)]
pub enum LiveLapEvent {
    /// A session began; `session` holds its identity (no laps yet).
    SessionStarted {
        /// Index of the session in this recording.
        index: usize,
        /// The session as detected so far (its `recording` names the file).
        session: Session,
        /// Wall-clock start of the recording, RFC 3339.
        recorded_at: Option<String>,
    },
    /// A lap finished (or was abandoned: then its time is `None`).
    Lap {
        /// Index of its session.
        index: usize,
        /// The lap.
        lap: Lap,
    },
    /// A session ended.
    SessionEnded {
        /// Index of the session.
        index: usize,
        /// Recording time of its end, seconds.
        end_s: f64,
        /// Why (`menu`, `restart`, …).
        reason: String,
    },
}

/// `ksana dump`'s live lap detection: a [`FrameObserver`] that detects laps as frames are
/// written, marks each lap start in the recording and, once the marker is on disk, hands
/// the events to `sink` (which stores and prints them).
pub struct LiveLaps {
    tracker: LapTracker,
    source: Option<Box<dyn TimingSource>>,
    pending: Vec<LiveLapEvent>,
    sink: Box<dyn FnMut(LiveLapEvent) + Send>,
    recorded_at: Option<String>,
}

impl LiveLaps {
    /// Detection reporting to `sink`; the recording's name comes with
    /// [`FrameObserver::opened`].
    pub fn new(sink: Box<dyn FnMut(LiveLapEvent) + Send>) -> LiveLaps {
        LiveLaps {
            tracker: LapTracker::new(),
            source: None,
            pending: Vec::new(),
            sink,
            recorded_at: None,
        }
    }

    /// The sessions detected so far.
    pub fn sessions(&self) -> &[Session] {
        self.tracker.sessions()
    }

    fn take(&mut self, ts_ns: u64, events: Vec<LapEvent>, markers: &mut Vec<Marker>) {
        for e in events {
            match e {
                LapEvent::SessionStarted { session } => {
                    let s = self
                        .tracker
                        .sessions()
                        .get(session)
                        .cloned()
                        .unwrap_or_default();
                    markers.push(Marker::new(
                        ts_ns,
                        MarkerKind::SessionStart,
                        format!("{} · {} · {}", s.session_type, s.track, s.car),
                    ));
                    self.pending.push(LiveLapEvent::SessionStarted {
                        index: session,
                        session: s,
                        recorded_at: self.recorded_at.clone(),
                    });
                }
                LapEvent::LapFinished { session, lap }
                | LapEvent::LapAbandoned { session, lap } => {
                    let label = match lap.time_ms {
                        Some(ms) => format!("lap {} {}", lap.number, lap_time_text(ms)),
                        None => format!("lap {} unfinished", lap.number),
                    };
                    markers.push(Marker::new(ts_ns, MarkerKind::LapStart, label));
                    self.pending.push(LiveLapEvent::Lap {
                        index: session,
                        lap,
                    });
                }
                LapEvent::SessionEnded { session, reason } => {
                    let end_s = self
                        .tracker
                        .sessions()
                        .get(session)
                        .map_or(ts_ns as f64 / 1e9, |s| s.end_s);
                    markers.push(Marker::new(ts_ns, MarkerKind::SessionEnd, reason.clone()));
                    self.pending.push(LiveLapEvent::SessionEnded {
                        index: session,
                        end_s,
                        reason,
                    });
                }
            }
        }
    }
}

/// Unix nanoseconds as RFC 3339, `None` for 0 or out of range.
pub fn rfc3339(unix_ns: i64) -> Option<String> {
    (unix_ns > 0)
        .then(|| jiff::Timestamp::from_nanosecond(i128::from(unix_ns)).ok())
        .flatten()
        .map(|t| t.to_string())
}

/// `m:ss.mmm`.
pub fn lap_time_text(ms: u32) -> String {
    format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
}

impl FrameObserver for LiveLaps {
    fn opened(&mut self, path: &std::path::Path, header: &ksana_format::Header) {
        self.tracker = LapTracker::with_recording(path.display().to_string());
        self.recorded_at = rfc3339(header.start_unix_ns);
    }

    fn segment(&mut self, sim: &'static dyn Sim, pages: &[PageSpec], _ts_ns: u64) {
        // A sim without a timing adapter is recorded as ever, with no laps.
        self.source = sim.timing(pages);
    }

    fn frame(&mut self, ts_ns: u64, pages: &[Vec<u8>], markers: &mut Vec<Marker>) {
        let Some(src) = self.source.as_mut() else {
            return;
        };
        let refs: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
        // A frame the adapter cannot read says nothing about laps; the recording keeps it.
        if let Ok(Some(s)) = src.sample(ts_ns as f64 / 1e9, &refs) {
            let events = self.tracker.push(&s);
            self.take(ts_ns, events, markers);
        }
    }

    fn interrupt(&mut self, ts_ns: u64, markers: &mut Vec<Marker>) {
        let events = self.tracker.interrupt(ts_ns as f64 / 1e9);
        self.take(ts_ns, events, markers);
    }

    fn durable(&mut self) {
        for e in self.pending.drain(..) {
            (self.sink)(e);
        }
    }
}
