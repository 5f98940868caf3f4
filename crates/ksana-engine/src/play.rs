//! The player: publishes a recording's frames at their recorded times (scaled by speed), with
//! seek, pause, loop and a range, then leaves the sim's memory in its "stopped" state.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use ksana_format::Recording;
use ksana_shm::ShmNamespace;
use ksana_sims::{Liveness, PublishContext, PublisherOptions, Sim, SimError, SimPublisher};

use crate::error::EngineError;
use crate::pacer::Pacer;
use crate::record::unknown_sim;
use crate::remote::Remote;
use crate::stats::LatencyStats;

/// A command from the user while playing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Pause, or resume when paused.
    TogglePause,
    /// Jump by this many nanoseconds of recording time (negative: back).
    Seek(i64),
    /// Stop now.
    Quit,
}

/// What `ksana play` was asked to do.
#[derive(Clone, Debug)]
pub struct PlayOptions {
    /// Playback speed, 0.1–16.
    pub speed: f64,
    /// Start again from `from` at the end.
    pub looping: bool,
    /// Recording time to start at (ns since its start).
    pub from_ns: Option<u64>,
    /// Recording time to stop at.
    pub to_ns: Option<u64>,
    /// Publish even if another process is publishing live data.
    pub force: bool,
    /// Where to publish.
    pub ns: ShmNamespace,
    /// How long to watch the memory for a live sim before publishing.
    pub probe_window: Duration,
    /// Set to stop (Ctrl+C).
    pub stop: Arc<AtomicBool>,
    /// Passed to the sim's publisher (e.g. whether to serve iRacing's sim-status endpoint).
    pub publisher: PublisherOptions,
}

impl PlayOptions {
    /// Defaults: speed 1, no loop, whole recording, no force, 300 ms probe.
    pub fn new(ns: ShmNamespace, stop: Arc<AtomicBool>) -> PlayOptions {
        PlayOptions {
            speed: 1.0,
            looping: false,
            from_ns: None,
            to_ns: None,
            force: false,
            ns,
            probe_window: Duration::from_millis(300),
            stop,
            publisher: PublisherOptions::default(),
        }
    }
}

/// A moment of playback, for the status line.
#[derive(Clone, Debug, PartialEq)]
pub struct PlayStatus {
    /// Recording time of the last published frame.
    pub position_ns: u64,
    /// Frames published.
    pub frames: u64,
    /// Completed loops.
    pub loops: u32,
    /// True while paused.
    pub paused: bool,
    /// A message for the user (a consumer's request the player cannot follow, a side channel
    /// that could not start); set on the one call that carries it.
    pub notice: Option<String>,
}

/// Why playback ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The end (or `to`) was reached without `--loop`.
    End,
    /// The user quit.
    Quit,
    /// Stopped from outside (Ctrl+C).
    Stopped,
}

/// What a playback did.
#[derive(Clone, Debug)]
pub struct PlayReport {
    /// Frames published.
    pub frames: u64,
    /// Loops completed.
    pub loops: u32,
    /// |publish time − scheduled time| of every frame.
    pub timing: LatencyStats,
    /// Why it ended.
    pub reason: StopReason,
}

/// Plays `rec` into shared memory. Checks the whole file first (a damaged recording is refused
/// before anything is published) and refuses to overwrite a live sim unless forced.
pub fn play(
    rec: &Recording,
    opts: &PlayOptions,
    controls: Option<&Receiver<Control>>,
    status: &mut dyn FnMut(&PlayStatus),
) -> Result<PlayReport, EngineError> {
    if !(0.1..=16.0).contains(&opts.speed) {
        return Err(EngineError::Usage(format!(
            "--speed must be between 0.1 and 16, got {}",
            opts.speed
        )));
    }
    let sim: &dyn Sim =
        ksana_sims::by_id(&rec.header().sim).ok_or_else(|| unknown_sim(&rec.header().sim))?;
    rec.verify()?;
    let Some((first_ns, last_ns)) = rec.time_range() else {
        return Err(EngineError::Usage(format!(
            "{}: the recording holds no frames",
            rec.path().display()
        )));
    };
    let from = opts.from_ns.unwrap_or(first_ns).max(first_ns);
    let to = opts.to_ns.unwrap_or(last_ns).min(last_ns);
    if from > to {
        return Err(EngineError::Usage(format!(
            "--from {} is after --to {} (the recording spans {}–{})",
            crate::format_time(from),
            crate::format_time(to),
            crate::format_time(first_ns),
            crate::format_time(last_ns)
        )));
    }
    if let Liveness::Live { evidence } = sim.probe(&opts.ns, opts.probe_window)?
        && !opts.force
    {
        return Err(EngineError::LiveSim {
            sim: sim.id().to_string(),
            evidence,
        });
    }
    let mut segment = u32::MAX;
    let mut publisher: Option<Box<dyn SimPublisher>> = None;
    let pacer = Pacer::default();
    let mut timing = LatencyStats::default();
    let mut st = PlayStatus {
        position_ns: from,
        frames: 0,
        loops: 0,
        paused: false,
        notice: None,
    };
    let mut frames = rec.frames();
    frames.seek(from)?;
    // Recording time `media` is published at `base + (ts − media) / speed`.
    let mut base = Instant::now();
    let mut media = from;
    let mut discontinuity = true;
    let mut last_status = Instant::now();
    let mut pending: Option<Control> = None;
    // When playback runs late, frames still go out spaced by at least a quarter of their
    // recorded interval: two frames written back to back would look like one to any consumer,
    // while a reader polling four times per interval (as `ksana dump` does) sees each.
    let mut last_publish: Option<(Instant, u64)> = None;
    let mut hb = Heartbeat::default();
    // Requests of consumers, through the publisher; they may change the speed.
    let mut remote = Remote::default();
    let mut speed = opts.speed;
    let resume = Cell::new(false);
    let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Max);
    let reason = 'play: loop {
        if opts.stop.load(Ordering::Relaxed) {
            break StopReason::Stopped;
        }
        remote.fetch(&mut publisher);
        while let Some(c) = pending
            .take()
            .or_else(|| controls.and_then(|rx| rx.try_recv().ok()))
            .or_else(|| remote.next(&st, (from, to), &mut speed, status))
        {
            match c {
                Control::Quit => break 'play StopReason::Quit,
                Control::TogglePause => {
                    let r = pause(&mut st, status, controls, &opts.stop, &resume, &mut || {
                        remote.fetch(&mut publisher);
                        if remote.resumes(&mut speed) {
                            resume.set(true);
                        }
                        hb.beat(&mut publisher)
                    });
                    hb.check()?;
                    match r {
                        Ok(paused) => base += paused,
                        Err(r) => break 'play r,
                    }
                }
                Control::Seek(delta) => {
                    let target = (st.position_ns as i64)
                        .saturating_add(delta)
                        .clamp(from as i64, to as i64) as u64;
                    frames.seek(target)?;
                    base = Instant::now();
                    media = target;
                    st.position_ns = target;
                    discontinuity = true;
                }
            }
        }
        if remote.take_rebase() {
            base = Instant::now();
            media = st.position_ns;
        }
        let Some(f) = frames.next_frame()?.filter(|f| f.timestamp_ns() <= to) else {
            if opts.looping {
                frames.seek(from)?;
                base = Instant::now();
                media = from;
                discontinuity = true;
                st.loops += 1;
                continue;
            }
            break StopReason::End;
        };
        if f.segment() != segment {
            if let Some(mut p) = publisher.take() {
                p.stop()?;
            }
            segment = f.segment();
            let pages = &rec.segments()[segment as usize].pages;
            publisher = Some(sim.open_publisher_with(&opts.ns, pages, &opts.publisher)?);
        }
        let mut offset =
            Duration::from_secs_f64(f.timestamp_ns().saturating_sub(media) as f64 / 1e9 / speed);
        // Sleep in slices so that a stop or a key is noticed within 50 ms, even across a long
        // pause in the recording.
        loop {
            if remote.take_rebase() {
                base = Instant::now();
                media = st.position_ns;
                offset = Duration::from_secs_f64(
                    f.timestamp_ns().saturating_sub(media) as f64 / 1e9 / speed,
                );
            }
            let due = base + offset;
            if due <= Instant::now() + Duration::from_millis(60) {
                break;
            }
            if opts.stop.load(Ordering::Relaxed) {
                break 'play StopReason::Stopped;
            }
            let next = controls.and_then(|rx| rx.try_recv().ok()).or_else(|| {
                remote.fetch(&mut publisher);
                remote.next(&st, (from, to), &mut speed, status)
            });
            match next {
                Some(Control::Quit) => break 'play StopReason::Quit,
                Some(Control::TogglePause) => {
                    let r = pause(&mut st, status, controls, &opts.stop, &resume, &mut || {
                        remote.fetch(&mut publisher);
                        if remote.resumes(&mut speed) {
                            resume.set(true);
                        }
                        hb.beat(&mut publisher)
                    });
                    hb.check()?;
                    match r {
                        Ok(paused) => base += paused,
                        Err(r) => break 'play r,
                    }
                }
                Some(seek) => {
                    // This frame is skipped: the seek replaces it.
                    pending = Some(seek);
                    continue 'play;
                }
                None => {
                    hb.sleep_until(&mut publisher, Instant::now() + Duration::from_millis(50));
                    hb.check()?;
                }
            }
        }
        let due = base + offset;
        let spaced = match last_publish {
            Some((at, ts)) if !discontinuity => {
                let gap = f.timestamp_ns().saturating_sub(ts) as f64 / 1e9 / speed / 4.0;
                due.max(at + Duration::from_secs_f64(gap.min(0.05)))
            }
            _ => due,
        };
        // Heartbeats until shortly before the frame, then the precise wait.
        if hb.every.is_some()
            && let Some(until) = spaced.checked_sub(HEARTBEAT_MARGIN)
        {
            hb.sleep_until(&mut publisher, until);
            hb.check()?;
        }
        pacer.sleep_until(spaced);
        let ctx = PublishContext {
            sequence: st.frames,
            discontinuity,
        };
        let started = Instant::now();
        if let Some(p) = publisher.as_mut() {
            p.publish(&f, ctx)?;
            hb.published(p.as_ref());
        }
        let done = Instant::now();
        // A publisher that had to block (iRacing keeps its status 0 for 2 s before a new
        // layout) shifts the schedule, as a pause does, instead of leaving a backlog.
        let blocked = done - started;
        if blocked > BLOCKED_PUBLISH {
            base += blocked;
            timing.add(started.saturating_duration_since(due));
        } else {
            timing.add(done.saturating_duration_since(due));
        }
        last_publish = Some((done, f.timestamp_ns()));
        discontinuity = false;
        st.frames += 1;
        st.position_ns = f.timestamp_ns();
        if done - last_status >= Duration::from_millis(250) {
            status(&st);
            last_status = done;
        }
    };
    // A consumer that only takes an update once the tick advanced (the iRacing SDK client)
    // would never see the last frame if the stop followed it at once: hold it a few beats.
    if reason == StopReason::End
        && let Some(every) = hb.every
    {
        hb.sleep_until(&mut publisher, Instant::now() + every * END_HOLD_BEATS);
        hb.check()?;
    }
    if let Some(mut p) = publisher.take() {
        p.stop()?;
    }
    Ok(PlayReport {
        frames: st.frames,
        loops: st.loops,
        timing,
        reason,
    })
}

/// Heartbeats that keep the last frame up at the end, before the stopped state.
const END_HOLD_BEATS: u32 = 6;
/// No heartbeat this close before a frame is due: the frame itself is the next update.
const HEARTBEAT_MARGIN: Duration = Duration::from_millis(2);
/// A publish taking longer than this blocked on purpose and shifts the schedule.
const BLOCKED_PUBLISH: Duration = Duration::from_millis(100);

/// Keeps consumers of a sim convinced it runs while no frame is due (between sparse frames,
/// while paused): [`SimPublisher::heartbeat`] whenever nothing was published for the
/// publisher's [`SimPublisher::heartbeat_interval`]. A failed heartbeat is kept and returned by
/// [`Heartbeat::check`], so the waits that beat need not return errors.
#[derive(Default)]
struct Heartbeat {
    every: Option<Duration>,
    last: Option<Instant>,
    error: Option<SimError>,
}

impl Heartbeat {
    /// A frame was just published by `p`.
    fn published(&mut self, p: &dyn SimPublisher) {
        self.every = p.heartbeat_interval();
        self.last = Some(Instant::now());
    }

    /// When the next heartbeat is due, if the publisher wants them.
    fn due(&self) -> Option<Instant> {
        Some(self.last? + self.every?)
    }

    /// Beats if due; returns how long until the next one (at most 50 ms).
    fn beat(&mut self, publisher: &mut Option<Box<dyn SimPublisher>>) -> Duration {
        const MAX: Duration = Duration::from_millis(50);
        let (Some(due), Some(every), Some(p)) = (self.due(), self.every, publisher.as_mut()) else {
            return MAX;
        };
        let now = Instant::now();
        if now >= due && self.error.is_none() {
            if let Err(e) = p.heartbeat() {
                self.error = Some(e);
                return MAX;
            }
            // Keep the cadence, unless the thread was held up for longer than a beat.
            self.last = Some(if now - due > every { now } else { due });
        }
        self.due().map_or(MAX, |d| {
            d.saturating_duration_since(Instant::now()).min(MAX)
        })
    }

    /// Sleeps until `until`, beating on time on the way.
    fn sleep_until(&mut self, publisher: &mut Option<Box<dyn SimPublisher>>, until: Instant) {
        loop {
            let now = Instant::now();
            if now >= until {
                return;
            }
            let next = self.beat(publisher);
            let now = Instant::now();
            std::thread::sleep(next.min(until.saturating_duration_since(now)));
        }
    }

    /// The error of a failed heartbeat, once.
    fn check(&mut self) -> Result<(), EngineError> {
        match self.error.take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

/// Blocks while paused, showing it and calling `beat` (which returns how long until it wants
/// to be called again); returns how long the pause lasted, or why playback must end instead of
/// resuming.
fn pause(
    st: &mut PlayStatus,
    status: &mut dyn FnMut(&PlayStatus),
    controls: Option<&Receiver<Control>>,
    stop: &AtomicBool,
    resume: &Cell<bool>,
    beat: &mut dyn FnMut() -> Duration,
) -> Result<Duration, StopReason> {
    st.paused = true;
    status(st);
    let started = Instant::now();
    let r = wait_for_resume(controls, stop, resume, beat);
    st.paused = false;
    match r {
        Some(reason) => Err(reason),
        None => Ok(started.elapsed()),
    }
}

/// Blocks while paused until a key or `resume` (set by `beat` when a consumer asks) says so;
/// `Some(reason)` if playback must end instead of resuming.
fn wait_for_resume(
    controls: Option<&Receiver<Control>>,
    stop: &AtomicBool,
    resume: &Cell<bool>,
    beat: &mut dyn FnMut() -> Duration,
) -> Option<StopReason> {
    loop {
        if stop.load(Ordering::Relaxed) {
            return Some(StopReason::Stopped);
        }
        let wait = beat();
        if resume.take() {
            return None;
        }
        match controls {
            Some(rx) => match rx.recv_timeout(wait) {
                Ok(Control::TogglePause) => return None,
                Ok(Control::Quit) => return Some(StopReason::Quit),
                _ => {}
            },
            None => std::thread::sleep(wait),
        }
    }
}
