//! Runs the fake sim (`ksana simulate`, `ksana demo`): the sim-neutral world of
//! `ksana_synth::world` rendered into one sim's pages by that sim's [`FakeRenderer`], then
//! published into shared memory through the sim's own publisher (the same protocol-correct
//! writer `ksana play` uses), or written straight into a recording.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ksana_format::{FrameRef, Header, PageUpdate, Writer, WriterOptions};
use ksana_shm::ShmNamespace;
use ksana_sims::{FakeRenderer, Liveness, PublishContext, PublisherOptions, Sim, SimPublisher};
use ksana_synth::world::{Scenario, Truth, World, WorldStatus};

use crate::{EngineError, Pacer};

/// Highest publish rate the fake sim picks by itself: the recorder follows 1 kHz writers
/// without loss (docs/RELIABILITY.md), faster would only measure the machine.
const MAX_AUTO_RATE_HZ: f64 = 1000.0;

/// What the fake sim runs and how.
#[derive(Clone)]
pub struct FakeOptions {
    /// Which sim's pages to render.
    pub sim: &'static dyn Sim,
    /// The scripted events.
    pub scenario: Scenario,
    /// Seed of the driver's pace noise: the same seed drives the same laps.
    pub seed: u64,
    /// Sim seconds per wall second.
    pub speed: f64,
    /// Updates per wall second; `None`: the sim's own rate × speed, at most 1 kHz.
    pub rate_hz: Option<f64>,
    /// Stop after this much wall time (live) or sim time (file); `None`: when the scenario
    /// ends (the endless `laps` scenario needs it for a file).
    pub duration: Option<Duration>,
    /// Wall time the car waits in its box, clock stopped, before the session starts, so that
    /// a recorder started alongside sees the session from its first moment.
    pub start_delay: Duration,
    /// Set to stop early.
    pub stop: Arc<AtomicBool>,
}

impl FakeOptions {
    /// Defaults for `sim`: scenario `laps`, seed 1, real time, no start delay.
    pub fn new(sim: &'static dyn Sim, stop: Arc<AtomicBool>) -> FakeOptions {
        FakeOptions {
            sim,
            scenario: Scenario::Laps,
            seed: 1,
            speed: 1.0,
            rate_hz: None,
            duration: None,
            start_delay: Duration::ZERO,
            stop,
        }
    }
}

/// What a run of the fake sim did.
#[derive(Clone, Debug)]
pub struct FakeReport {
    /// Updates rendered.
    pub steps: u64,
    /// Sim seconds driven.
    pub sim_seconds: f64,
    /// The world's own book of sessions and laps (what `ksana laps` should find).
    pub truth: Truth,
}

fn renderer(sim: &dyn Sim) -> Result<Box<dyn FakeRenderer>, EngineError> {
    sim.fake().ok_or_else(|| {
        EngineError::Usage(format!(
            "ksana simulate has no fake world for {} (its self-checking writer: --pattern)",
            sim.name()
        ))
    })
}

fn check(opts: &FakeOptions, nominal: f64) -> Result<(f64, f64), EngineError> {
    if !(opts.speed > 0.0 && opts.speed <= 100.0) {
        return Err(EngineError::Usage(format!(
            "--speed must be above 0 and at most 100, got {}",
            opts.speed
        )));
    }
    let rate = opts
        .rate_hz
        .unwrap_or((nominal * opts.speed).min(MAX_AUTO_RATE_HZ));
    if !(rate > 0.0 && rate <= 10_000.0) {
        return Err(EngineError::Usage(format!(
            "--rate must be above 0 and at most 10000, got {rate}"
        )));
    }
    let dt = opts.speed / rate;
    if dt > 0.1 {
        return Err(EngineError::Usage(format!(
            "--speed {} at --rate {rate} Hz makes sim steps of {:.0} ms; the world steps at most 100 ms (raise --rate)",
            opts.speed,
            dt * 1e3
        )));
    }
    Ok((rate, dt))
}

/// Publishes the fake sim into `ns` until the scenario ends, `duration` passes or `stop` is
/// set. Refuses to write over a sim that is live there. `status` is called about four times a
/// second with the world's current state.
pub fn run_fake_live(
    opts: &FakeOptions,
    ns: &ShmNamespace,
    publisher_opts: &PublisherOptions,
    status: &mut dyn FnMut(&ksana_synth::world::WorldState),
) -> Result<FakeReport, EngineError> {
    let mut r = renderer(opts.sim)?;
    let (rate, dt) = check(opts, r.nominal_rate_hz())?;
    if let Liveness::Live { evidence } = opts.sim.probe(ns, Duration::from_millis(150))? {
        return Err(EngineError::LiveSim {
            sim: opts.sim.id().to_string(),
            evidence,
        });
    }
    let specs = r.pages();
    let mut publisher: Box<dyn SimPublisher> =
        opts.sim.open_publisher_with(ns, &specs, publisher_opts)?;
    let mut pages = vec![Vec::new(); specs.len()];
    let mut changed = vec![false; specs.len()];
    let mut world = World::new(opts.scenario, opts.seed);
    let period = Duration::from_secs_f64(1.0 / rate);
    let pacer = Pacer::default();
    let start = Instant::now();
    // The world waits (clock stopped, car in its box) until then: at the start, and again
    // when a session loads after the menu, as a real sim does while loading, so that a
    // recorder that follows the sim sees each session from its first moment.
    let mut hold_until = start + opts.start_delay;
    let mut steps = 0u64;
    let mut sequence = 0u64;
    let mut stopped = false;
    let mut discontinuity = true;
    let mut last_status = start;
    let result: Result<(), EngineError> = loop {
        if opts.stop.load(Ordering::Relaxed)
            || opts.duration.is_some_and(|d| start.elapsed() >= d)
            || world.finished()
        {
            break Ok(());
        }
        let now = Instant::now();
        if now >= hold_until && steps > 0 {
            let was_menu = world.state().status == WorldStatus::Menu;
            world.step(dt);
            if was_menu && world.state().status != WorldStatus::Menu {
                hold_until = now + opts.start_delay;
            }
        }
        let state = world.state();
        changed.iter_mut().for_each(|c| *c = false);
        if let Err(e) = r.render(state, &mut pages, &mut changed) {
            break Err(e.into());
        }
        if state.status == WorldStatus::Menu {
            // In the menu the sim says it stopped; consumers (and a recorder) see it leave
            // and come back, as with the real game.
            if !stopped {
                publisher.stop()?;
                stopped = true;
            }
        } else {
            if stopped {
                stopped = false;
                discontinuity = true;
                // The next frame must carry every page again.
                changed.iter_mut().for_each(|c| *c = true);
            }
            let ts = now.saturating_duration_since(start).as_nanos() as u64;
            let frame = FrameRef::new(ts, Some(sequence), 0, &pages, &changed);
            publisher.publish(
                &frame,
                PublishContext {
                    sequence,
                    discontinuity,
                },
            )?;
            sequence += 1;
            discontinuity = false;
        }
        steps += 1;
        if now.duration_since(last_status) >= Duration::from_millis(250) {
            last_status = now;
            status(world.state());
        }
        let due = (start + period.mul_f64(steps as f64)).max(Instant::now() + period / 2);
        pacer.sleep_until(due);
    };
    let stop = publisher.stop();
    result?;
    stop?;
    Ok(FakeReport {
        steps,
        sim_seconds: world.state().time_s,
        truth: world.truth(),
    })
}

/// Writes the fake sim straight into a recording at `path` (no shared memory): frames at the
/// rate the sim publishes, timestamped by sim time, as fast as the machine goes. Deterministic
/// for a given scenario, seed and rate.
pub fn write_fake_recording(opts: &FakeOptions, path: &Path) -> Result<FakeReport, EngineError> {
    let mut r = renderer(opts.sim)?;
    let nominal = r.nominal_rate_hz();
    // Sim time, not wall time: the file holds the sim's own rate whatever --speed says.
    let rate = opts.rate_hz.unwrap_or(nominal);
    if !(rate > 0.0 && rate <= 10_000.0) {
        return Err(EngineError::Usage(format!(
            "--rate must be above 0 and at most 10000, got {rate}"
        )));
    }
    let dt = 1.0 / rate;
    if opts.duration.is_none() && opts.scenario == Scenario::Laps {
        return Err(EngineError::Usage(
            "the `laps` scenario never ends: give --duration to write a file".into(),
        ));
    }
    if path.exists() {
        return Err(EngineError::Output {
            path: path.to_path_buf(),
            detail: "already exists; ksana never overwrites a recording (choose another name)"
                .into(),
        });
    }
    let specs = r.pages();
    let mut header = Header::new(opts.sim.id(), specs.clone());
    header.metadata = vec![
        ("generator".into(), "ksana simulate".into()),
        ("scenario".into(), opts.scenario.name().into()),
        ("seed".into(), opts.seed.to_string()),
    ];
    let mut w = Writer::create(path, header, WriterOptions::default())?;
    let mut pages = vec![Vec::new(); specs.len()];
    let mut changed = vec![false; specs.len()];
    let mut world = World::new(opts.scenario, opts.seed);
    let limit = opts.duration.map(|d| d.as_secs_f64());
    let mut steps = 0u64;
    while !world.finished() && !limit.is_some_and(|l| world.state().time_s >= l) {
        if opts.stop.load(Ordering::Relaxed) {
            break;
        }
        if steps > 0 {
            world.step(dt);
        }
        let state = world.state();
        changed.iter_mut().for_each(|c| *c = false);
        r.render(state, &mut pages, &mut changed)?;
        let ups: Vec<PageUpdate<'_>> = pages
            .iter()
            .zip(&changed)
            .enumerate()
            .filter(|(_, (_, c))| **c)
            .map(|(page, (data, _))| PageUpdate { page, data })
            .collect();
        let ts = (state.time_s * 1e9).round() as u64;
        w.write_frame(ts, Some(steps), &ups)?;
        steps += 1;
    }
    let sim_seconds = world.state().time_s;
    w.close()?;
    Ok(FakeReport {
        steps,
        sim_seconds,
        truth: world.truth(),
    })
}
