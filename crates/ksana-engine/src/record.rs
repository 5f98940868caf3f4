//! The recorder: waits for a sim, samples every new update (or at most `--fps`), and streams
//! frames to a writer thread, across sim restarts, until stopped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ksana_format::{
    Closed, CompactReport, Header, Marker, MarkerKind, PageSpec, PageUpdate, Writer, WriterOptions,
};
use ksana_shm::ShmNamespace;
use ksana_sims::{Liveness, Poll, Sim, SimReader, Snapshot};

use crate::error::EngineError;
use crate::pacer::Pacer;
use crate::schedule::PollSchedule;

/// Which sim to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimChoice {
    /// Whichever registered sim is found publishing.
    Auto,
    /// This one.
    Id(String),
}

/// Where the recording goes.
#[derive(Clone, Debug)]
pub enum Output {
    /// This file.
    File(PathBuf),
    /// A file named by [`default_file_name`] in this directory.
    Dir(PathBuf),
}

/// What `ksana dump` was asked to do.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// Which sim.
    pub sim: SimChoice,
    /// Most frames per second to store; `None` stores every update.
    pub fps: Option<u32>,
    /// Output file or directory.
    pub output: Output,
    /// Stop after this long (of recording, waiting included).
    pub max_duration: Option<Duration>,
    /// Stop when the first recorded sim session ends, instead of waiting for the sim again.
    pub once: bool,
    /// Where the sims' shared memory lives.
    pub ns: ShmNamespace,
    /// Metadata for the header (car, track, notes…).
    pub metadata: Vec<(String, String)>,
    /// Chunking and compression.
    pub writer: WriterOptions,
    /// Set to stop recording cleanly (Ctrl+C).
    pub stop: Arc<AtomicBool>,
    /// Sees every frame as it is written and may add markers (live lap detection).
    pub observer: Option<ObserverSlot>,
}

/// Watches the frames the recorder writes, in the writer thread (never delaying a sample),
/// and may add markers at them: `ksana dump`'s live lap detection. Markers it returns are
/// written and the chunk flushed before [`FrameObserver::durable`] is called, so whatever the
/// observer reports from there on survives a crash of the recorder.
pub trait FrameObserver: Send {
    /// The recording was created at `path` with `header` (before any frame).
    fn opened(&mut self, _path: &std::path::Path, _header: &Header) {}
    /// The recorder connected to `sim` (again), whose frames carry `pages`.
    fn segment(&mut self, sim: &'static dyn Sim, pages: &[PageSpec], ts_ns: u64);
    /// One frame: every page's current content. Markers pushed to `markers` are written
    /// after it.
    fn frame(&mut self, ts_ns: u64, pages: &[Vec<u8>], markers: &mut Vec<Marker>);
    /// The sim stopped or vanished at `ts_ns` (the segment ended).
    fn interrupt(&mut self, ts_ns: u64, markers: &mut Vec<Marker>);
    /// Every frame and marker given so far is on disk.
    fn durable(&mut self);
}

/// A [`FrameObserver`] shared between the caller and the writer thread.
#[derive(Clone)]
pub struct ObserverSlot(pub Arc<Mutex<dyn FrameObserver>>);

impl std::fmt::Debug for ObserverSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ObserverSlot")
    }
}

/// A moment of the recorder, for the live status line.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordStatus {
    /// The sim being recorded, or `None` while waiting for one.
    pub sim: Option<&'static str>,
    /// The output file, once created.
    pub path: Option<PathBuf>,
    /// Time since the recorder started.
    pub elapsed: Duration,
    /// Frames stored.
    pub frames: u64,
    /// Frames per second over the last second.
    pub rate_hz: f64,
    /// Bytes written so far.
    pub file_bytes: u64,
    /// Full-state bytes of the frames captured.
    pub raw_bytes: u64,
    /// Updates the sim published that were not captured (for sims with regular ticks, beyond
    /// what `--fps` skips on purpose).
    pub missed: u64,
    /// Every note the sim's data raised so far (a session start, a sim publishing only some
    /// of its pages, …), as stored in the recording's markers: a caller prints the new ones.
    pub notes: Vec<String>,
}

/// What a recording session produced.
#[derive(Clone, Debug)]
pub struct RecordReport {
    /// The file, if a sim was ever found.
    pub path: Option<PathBuf>,
    /// Frames stored.
    pub frames: u64,
    /// Segments (sim connections).
    pub segments: u32,
    /// Frames lost because the writer thread fell behind.
    pub dropped: u64,
    /// Updates not captured because the sampler was not scheduled in time (sims with regular
    /// ticks only; not counting what `--fps` skips on purpose).
    pub missed: u64,
    /// The re-packing at close, when it ran.
    pub compact: Option<CompactReport>,
    /// Why re-packing did not run or failed (the file is complete either way).
    pub compact_error: Option<String>,
}

/// `ksana_<sim>_<YYYYMMDD_HHMMSS>.ksana`, local time.
pub fn default_file_name(sim: &str) -> String {
    let now = jiff::Zoned::now();
    format!("ksana_{sim}_{}.ksana", now.strftime("%Y%m%d_%H%M%S"))
}

enum Msg {
    Frame {
        ts: u64,
        tick: Option<u64>,
        pages: Vec<(usize, Vec<u8>)>,
    },
    Marker(Marker),
    Segment {
        ts: u64,
        pages: Vec<PageSpec>,
        reason: String,
    },
    /// For the observer: the recorder connected to a sim whose frames carry these pages.
    Connected {
        ts: u64,
        sim: &'static dyn Sim,
        pages: Vec<PageSpec>,
    },
    /// For the observer: the sim stopped.
    Disconnected {
        ts: u64,
    },
    Flush,
}

/// The writer thread: encoding and disk I/O off the sampling loop, so a chunk being
/// compressed never delays a sample.
struct WriterThread {
    tx: SyncSender<Msg>,
    handle: JoinHandle<Result<Closed, EngineError>>,
    bytes: Arc<AtomicU64>,
    failed: Arc<Mutex<Option<String>>>,
}

impl WriterThread {
    fn start(
        path: PathBuf,
        header: Header,
        opts: WriterOptions,
        observer: Option<ObserverSlot>,
    ) -> Result<WriterThread, EngineError> {
        if let Some(o) = &observer {
            o.0.lock()
                .unwrap_or_else(|p| p.into_inner())
                .opened(&path, &header);
        }
        let writer = Writer::create(&path, header, opts)?;
        let (tx, rx) = sync_channel::<Msg>(4096);
        let bytes = Arc::new(AtomicU64::new(writer.bytes_written()));
        let failed = Arc::new(Mutex::new(None));
        let (b, f) = (bytes.clone(), failed.clone());
        let handle = std::thread::Builder::new()
            .name("ksana-writer".into())
            .spawn(move || {
                // Normal priority, not the lowest: at the lowest (nice 19) a machine busy with
                // other work gave this thread ~1 % of a core, the queue grew for seconds, and a
                // crash lost up to 3 s instead of at most the 1 s chunk (crash suite,
                // docs/RELIABILITY.md). The sampling loop asks for a higher priority itself.
                writer_loop(writer, rx, b, f, observer)
            })
            .map_err(|e| EngineError::Output {
                path: path.clone(),
                detail: format!("cannot start the writer thread: {e}"),
            })?;
        Ok(WriterThread {
            tx,
            handle,
            bytes,
            failed,
        })
    }

    /// Queues a message; `false` if the queue is full (the frame is dropped and counted).
    fn send(&self, m: Msg) -> bool {
        match self.tx.try_send(m) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => false,
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// Queues a message that must not be lost (markers, segments), waiting if needed.
    fn send_blocking(&self, m: Msg) {
        let _ = self.tx.send(m);
    }

    fn failure(&self) -> Option<String> {
        self.failed.lock().ok().and_then(|f| f.clone())
    }

    fn close(self) -> Result<Closed, EngineError> {
        drop(self.tx);
        self.handle
            .join()
            .map_err(|_| EngineError::Usage("the writer thread panicked".into()))?
    }
}

/// The writer's options with each journal chunk closed one [`WRITER_BATCH`] early: a frame
/// can wait that long in the queue, and a chunk plus a batch must stay within the chunk
/// duration a crash may lose (1 s by default).
fn journal_options(w: &WriterOptions) -> WriterOptions {
    let batch = WRITER_BATCH.as_nanos() as u64;
    WriterOptions {
        chunk_duration_ns: w
            .chunk_duration_ns
            .saturating_sub(batch)
            .max(w.chunk_duration_ns / 2),
        ..w.clone()
    }
}

/// How long the writer thread lets frames gather before it takes them; see [`writer_loop`].
const WRITER_BATCH: Duration = Duration::from_millis(50);

fn writer_loop(
    mut w: Writer<std::fs::File>,
    rx: Receiver<Msg>,
    bytes: Arc<AtomicU64>,
    failed: Arc<Mutex<Option<String>>>,
    observer: Option<ObserverSlot>,
) -> Result<Closed, EngineError> {
    // The observer sees whole frames: the pages' current content, kept here.
    let mut current: Vec<Vec<u8>> = Vec::new();
    let mut markers: Vec<Marker> = Vec::new();
    // Without the path: the recorder reports it as `EngineError::Output`, which names the file.
    let fail = |e: &ksana_format::Error| {
        if let Ok(mut f) = failed.lock() {
            *f = Some(format!("at byte {}: {}", e.offset, e.kind));
        }
    };
    let mut handle = |m: Msg, w: &mut Writer<std::fs::File>| -> ksana_format::Result<()> {
        match m {
            Msg::Frame { ts, tick, pages } => {
                let ups: Vec<PageUpdate<'_>> = pages
                    .iter()
                    .map(|(page, data)| PageUpdate { page: *page, data })
                    .collect();
                let r = w.write_frame(ts, tick, &ups);
                match (&observer, r) {
                    (Some(o), Ok(())) => {
                        for (page, data) in pages {
                            if let Some(slot) = current.get_mut(page) {
                                *slot = data;
                            }
                        }
                        let mut o = o.0.lock().unwrap_or_else(|p| p.into_inner());
                        o.frame(ts, &current, &mut markers);
                        write_observed(w, &mut markers, &mut *o)
                    }
                    (_, r) => r,
                }
            }
            Msg::Marker(m) => w.add_marker(m),
            Msg::Segment { ts, pages, reason } => w.begin_segment(ts, pages, &reason),
            Msg::Connected { ts, sim, pages } => {
                current = vec![Vec::new(); pages.len()];
                if let Some(o) = &observer {
                    let mut o = o.0.lock().unwrap_or_else(|p| p.into_inner());
                    o.segment(sim, &pages, ts);
                }
                Ok(())
            }
            Msg::Disconnected { ts } => match &observer {
                Some(o) => {
                    let mut o = o.0.lock().unwrap_or_else(|p| p.into_inner());
                    o.interrupt(ts, &mut markers);
                    write_observed(w, &mut markers, &mut *o)
                }
                None => Ok(()),
            },
            Msg::Flush => w.flush_chunk(),
        }
    };
    // The writer wakes on a timer and takes whatever frames gathered: one wake-up per batch,
    // and the sampling loop never has to wake it (a context switch per frame, or per
    // hand-over, was a large part of the recorder's CPU). A crash loses at most one batch more
    // than the open chunk.
    loop {
        let mut r = Ok(());
        let mut closed = false;
        while r.is_ok() {
            match rx.try_recv() {
                Ok(m) => r = handle(m, &mut w),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        if let Err(e) = r {
            fail(&e);
            return Err(e.into());
        }
        bytes.store(w.bytes_written(), Ordering::Relaxed);
        if closed {
            break;
        }
        std::thread::sleep(WRITER_BATCH);
    }
    w.close().map_err(|e| {
        fail(&e);
        e.into()
    })
}

/// Writes the markers an observer asked for and makes them durable before telling it so.
fn write_observed(
    w: &mut Writer<std::fs::File>,
    markers: &mut Vec<Marker>,
    o: &mut dyn FrameObserver,
) -> ksana_format::Result<()> {
    if markers.is_empty() {
        return Ok(());
    }
    for m in markers.drain(..) {
        w.add_marker(m)?;
    }
    w.flush_chunk()?;
    o.durable();
    Ok(())
}

/// Finds a sim publishing now: the chosen one, or the first registered that is live.
fn find_sim(
    choice: &SimChoice,
    ns: &ShmNamespace,
) -> Result<Option<&'static dyn Sim>, EngineError> {
    let window = Duration::from_millis(150);
    match choice {
        SimChoice::Id(id) => {
            let sim = ksana_sims::by_id(id).ok_or_else(|| unknown_sim(id))?;
            Ok(matches!(sim.probe(ns, window)?, Liveness::Live { .. }).then_some(sim))
        }
        SimChoice::Auto => {
            for sim in ksana_sims::all() {
                if let Liveness::Live { .. } = sim.probe(ns, window)? {
                    return Ok(Some(*sim));
                }
            }
            Ok(None)
        }
    }
}

pub(crate) fn unknown_sim(id: &str) -> EngineError {
    EngineError::UnknownSim {
        id: id.to_string(),
        known: ksana_sims::all()
            .iter()
            .map(|s| s.id())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Records until `opts.stop` is set or `max_duration` passes. `status` is called about four
/// times a second.
pub fn record(
    opts: &RecordOptions,
    status: &mut dyn FnMut(&RecordStatus),
) -> Result<RecordReport, EngineError> {
    if let Some(f) = opts.fps
        && !(1..=1000).contains(&f)
    {
        return Err(EngineError::Usage(format!(
            "--fps must be between 1 and 1000, got {f}"
        )));
    }
    if let SimChoice::Id(id) = &opts.sim
        && ksana_sims::by_id(id).is_none()
    {
        return Err(unknown_sim(id));
    }
    let started = Instant::now();
    let deadline = opts.max_duration.map(|d| started + d);
    let over =
        || opts.stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d);
    let mut st = RecordStatus {
        sim: None,
        path: None,
        elapsed: Duration::ZERO,
        frames: 0,
        rate_hz: 0.0,
        file_bytes: 0,
        raw_bytes: 0,
        missed: 0,
        notes: Vec::new(),
    };
    let mut writer: Option<WriterThread> = None;
    let mut t0 = started;
    let mut segments = 0u32;
    let mut dropped = 0u64;
    let mut last_status = Instant::now() - Duration::from_secs(1);
    'outer: while !over() {
        // Wait for a sim.
        st.sim = None;
        let sim = loop {
            if over() {
                break 'outer;
            }
            if let Some(s) = find_sim(&opts.sim, &opts.ns)? {
                break s;
            }
            st.elapsed = started.elapsed();
            status(&st);
            std::thread::sleep(Duration::from_millis(250));
        };
        let mut reader = match sim.open_reader(&opts.ns) {
            Ok(r) => r,
            // It vanished between the probe and the open: wait again.
            Err(_) => continue,
        };
        st.sim = Some(sim.id());
        let pages = reader.pages();
        let now_ns = |t0: Instant| Instant::now().saturating_duration_since(t0).as_nanos() as u64;
        match &writer {
            None => {
                let path = match &opts.output {
                    Output::File(p) => p.clone(),
                    Output::Dir(d) => d.join(default_file_name(sim.id())),
                };
                if path.exists() {
                    return Err(EngineError::Output {
                        path,
                        detail: "already exists; ksana never overwrites a recording (choose another name)".into(),
                    });
                }
                // Header::new stamps the wall-clock start time.
                let mut header = Header::new(sim.id(), pages.clone());
                header.metadata = opts.metadata.clone();
                t0 = Instant::now();
                let w = WriterThread::start(
                    path.clone(),
                    header,
                    journal_options(&opts.writer),
                    opts.observer.clone(),
                )?;
                st.path = Some(path);
                writer = Some(w);
            }
            Some(w) => {
                w.send_blocking(Msg::Segment {
                    ts: now_ns(t0),
                    pages: pages.clone(),
                    reason: format!("{} connected again", sim.name()),
                });
                w.send_blocking(Msg::Marker(Marker::new(
                    now_ns(t0),
                    MarkerKind::SegmentStart,
                    sim.id(),
                )));
            }
        }
        segments += 1;
        let Some(w) = writer.as_ref() else { break };
        w.send_blocking(Msg::Connected {
            ts: now_ns(t0),
            sim,
            pages: pages.clone(),
        });
        w.send_blocking(Msg::Marker(Marker::new(
            now_ns(t0),
            MarkerKind::SessionStart,
            format!("{} connected", sim.name()),
        )));
        let end = sample(
            &mut *reader,
            sim,
            opts,
            w,
            t0,
            &over,
            &mut st,
            &mut dropped,
            &mut last_status,
            started,
            status,
        )?;
        w.send_blocking(Msg::Disconnected { ts: now_ns(t0) });
        w.send_blocking(Msg::Marker(Marker::new(
            now_ns(t0),
            MarkerKind::SessionEnd,
            end,
        )));
        if let Some(e) = w.failure() {
            return Err(EngineError::Output {
                path: st.path.clone().unwrap_or_default(),
                detail: e,
            });
        }
        if opts.once {
            break;
        }
    }
    let (path, compact, compact_error) = match writer {
        Some(w) => {
            let closed = w.close()?;
            let (c, e) = match closed.compaction {
                Some(Ok(rep)) => (Some(rep), None),
                Some(Err(e)) => (None, Some(e.to_string())),
                None => (None, None),
            };
            (Some(closed.path), c, e)
        }
        None => (None, None, None),
    };
    Ok(RecordReport {
        path,
        frames: st.frames,
        segments,
        dropped,
        missed: st.missed,
        compact,
        compact_error,
    })
}

/// The sampling loop of one sim connection; returns why it ended.
#[allow(clippy::too_many_arguments)]
fn sample(
    reader: &mut dyn SimReader,
    observed_sim: &'static dyn Sim,
    opts: &RecordOptions,
    w: &WriterThread,
    t0: Instant,
    over: &dyn Fn() -> bool,
    st: &mut RecordStatus,
    dropped: &mut u64,
    last_status: &mut Instant,
    started: Instant,
    status: &mut dyn FnMut(&RecordStatus),
) -> Result<String, EngineError> {
    // A sample missed is a frame lost: ask for a higher priority where the OS grants it
    // (Windows does for a normal user; Linux needs CAP_SYS_NICE). Failing is fine.
    let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Max);
    let pacer = Pacer::new(Duration::from_micros(100));
    let mut snap = Snapshot::with_pages(reader.pages().len());
    let period = opts
        .fps
        .map(|f| Duration::from_secs_f64(1.0 / f64::from(f)));
    let mut next = Instant::now();
    let mut last_frame = Instant::now();
    let origin = Instant::now();
    let mut schedule = PollSchedule::new(
        reader
            .nominal_interval()
            .unwrap_or(Duration::from_millis(1)),
        // A batch needs the tick to tell how many updates a poll took.
        if reader.tick_step().is_some() {
            reader.history()
        } else {
            0
        },
    );
    // Updates since the schedule last heard of one: a batch taken from the sim's history
    // counts as one wake-up.
    let mut batch_advanced = 0u64;
    // The sim has an event that wakes the loop per update (Windows).
    let mut signalled = false;
    let mut next_poll = origin;
    let mut window_start = Instant::now();
    let mut window_frames = 0u64;
    let mut flushed_idle = false;
    let step = reader.tick_step();
    let mut last_tick: Option<u64> = None;
    let mut last_ts = 0u64;
    loop {
        if over() {
            return Ok("recording stopped".into());
        }
        snap.changed.iter_mut().for_each(|c| *c = false);
        snap.events.clear();
        snap.age = Duration::ZERO;
        let poll = match reader.poll(&mut snap) {
            Ok(p) => p,
            Err(e) => return Ok(format!("sim memory unreadable: {e}")),
        };
        let now = Instant::now();
        match poll {
            Poll::New => {
                // Dated by the sim's clock when the reader knows it (catching up through a
                // backlog), never before the previous frame.
                let ts = (now
                    .saturating_duration_since(t0)
                    .saturating_sub(snap.age)
                    .as_nanos() as u64)
                    .max(last_ts);
                last_ts = ts;
                let pages: Vec<(usize, Vec<u8>)> = snap
                    .pages
                    .iter()
                    .zip(&snap.changed)
                    .enumerate()
                    .filter(|(_, (_, c))| **c)
                    .map(|(i, (p, _))| (i, p.clone()))
                    .collect();
                // Updates since the last one seen, by the sim's tick where it counts them.
                let advanced = match (step, last_tick, snap.tick) {
                    (Some(step), Some(prev), Some(t)) if step > 0 && t > prev => (t - prev) / step,
                    _ => 1,
                };
                // Updates missed: a tick jump beyond one step, unless --fps asked to skip.
                if period.is_none() && advanced > 1 {
                    st.missed += advanced - 1;
                }
                batch_advanced += advanced;
                if !reader.pending() {
                    next_poll = origin + schedule.on_new(now - origin, batch_advanced);
                    batch_advanced = 0;
                }
                last_tick = snap.tick;
                for (kind, label) in snap.events.drain(..) {
                    if !label.is_empty() {
                        st.notes.push(label.clone());
                    }
                    w.send_blocking(Msg::Marker(Marker::new(ts, kind, label)));
                }
                if w.send(Msg::Frame {
                    ts,
                    tick: snap.tick,
                    pages,
                }) {
                    st.frames += 1;
                    window_frames += 1;
                    st.raw_bytes += snap.pages.iter().map(|p| p.len() as u64).sum::<u64>();
                } else {
                    *dropped += 1;
                }
                last_frame = now;
                flushed_idle = false;
            }
            Poll::Same => {
                next_poll = origin + schedule.on_same(now - origin);
                // A quiet sim: flush the open chunk so a crash loses nothing older than ~1 s.
                if !flushed_idle && now - last_frame > Duration::from_secs(1) {
                    w.send_blocking(Msg::Flush);
                    flushed_idle = true;
                }
            }
            Poll::Stopped => return Ok("the sim stopped".into()),
            Poll::LayoutChanged => {
                let pages = reader.pages();
                snap = Snapshot::with_pages(pages.len());
                let ts = now.saturating_duration_since(t0).as_nanos() as u64;
                w.send_blocking(Msg::Disconnected { ts });
                w.send_blocking(Msg::Segment {
                    ts,
                    pages: pages.clone(),
                    reason: "the sim changed its layout".into(),
                });
                w.send_blocking(Msg::Connected {
                    ts,
                    sim: observed_sim,
                    pages,
                });
            }
        }
        if now - *last_status >= Duration::from_millis(250) {
            let win = now - window_start;
            if win >= Duration::from_secs(1) {
                st.rate_hz = window_frames as f64 / win.as_secs_f64();
                window_start = now;
                window_frames = 0;
            }
            st.elapsed = now - started;
            st.file_bytes = w.bytes.load(Ordering::Relaxed);
            status(st);
            *last_status = now;
            if w.failure().is_some() {
                return Ok("the writer failed".into());
            }
        }
        if period.is_none() && reader.pending() {
            // Updates already published wait in the sim's history: take them now.
            continue;
        }
        match period {
            Some(p) => {
                // A capped rate samples the latest state, never the history.
                reader.skip_backlog();
                next += p;
                if next < now {
                    next = now;
                }
                pacer.sleep_until(next);
            }
            None => {
                // The schedule knows when the next update is due (docs/RECORD-PLAY.md,
                // "Sampling"); a sim with a signal wakes the loop earlier.
                let wait = next_poll.saturating_duration_since(Instant::now());
                if !wait.is_zero() {
                    if reader.wait(wait) {
                        if !signalled {
                            signalled = true;
                            schedule.no_batches();
                        }
                    } else {
                        std::thread::sleep(wait);
                    }
                }
            }
        }
    }
}
