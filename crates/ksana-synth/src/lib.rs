//! Deterministic synthetic telemetry: realistic-looking frames of a sim's shared-memory pages,
//! with no game running.
//!
//! Used by tests (known content), benchmarks (compression figures that mean something need
//! data that behaves like the real thing) and the first-run demo. A simulated car laps a
//! ≈90 s circuit; every channel (speed, pedals, gear, rpm, g-forces, wheel speeds, temperatures,
//! fuel, lap timing) is derived from one consistent vehicle state, with sensor noise in the low
//! mantissa bits, many constant fields, and counters — the mix real pages have.
//!
//! ```
//! use ksana_synth::{Profile, Session};
//! let session = Session::new(Profile::AccLike, 42);
//! let specs = session.pages();
//! for frame in session.take(10) {
//!     assert_eq!(frame.pages.len(), specs.len());
//! }
//! ```

mod acc;
mod car;
mod iracing;
mod rng;
mod track;
pub mod world;
mod writer;

use car::Car;
use ksana_format::PageSpec;
use writer::PageWriter;

/// One sample of every page, as a recorder would capture it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthFrame {
    /// Capture time in nanoseconds since the session started (strictly increasing).
    pub timestamp_ns: u64,
    /// Frame counter at the profile's base rate, from 0.
    pub tick: u64,
    /// Full contents of every page, in the order of [`Session::pages`]. A page that did not
    /// update in this frame carries the same bytes as in the previous frame.
    pub pages: Vec<Vec<u8>>,
}

/// Which sim a session imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Assetto Corsa Competizione: `acpmf_physics` (800 B) at 333 Hz, `acpmf_graphics`
    /// (1588 B) at 60 Hz, `acpmf_static` (820 B) written once. Frames come at 333 Hz.
    AccLike,
    /// iRacing: one 1072-byte telemetry row at 60 Hz (packed f64/f32/i32/bool variables in the
    /// order of a real 2024 `.ibt` row), plus a 16 KiB session-info YAML page rewritten when a
    /// lap completes.
    IracingLike,
}

impl Profile {
    /// Frames per second of the profile's fastest page (the session's frame rate).
    pub const fn rate_hz(self) -> u32 {
        match self {
            Profile::AccLike => 333,
            Profile::IracingLike => 60,
        }
    }

    /// Short lowercase name, for dataset labels and command lines.
    pub const fn name(self) -> &'static str {
        match self {
            Profile::AccLike => "acc-like",
            Profile::IracingLike => "iracing-like",
        }
    }
}

/// An endless, deterministic stream of [`SynthFrame`]s for one profile and seed.
///
/// Use `take(n)` to bound it. Two sessions with the same profile and seed yield the same bytes.
#[derive(Clone, Debug)]
pub struct Session {
    profile: Profile,
    car: Car,
    tick: u64,
    specs: Vec<PageSpec>,
    pages: Vec<Vec<u8>>,
    field: acc::Field,
    physics_packet: i32,
    graphics_packet: i32,
    graphics_slot: u64,
    drivers: Vec<String>,
    yaml_update: u32,
    yaml_laps: u32,
}

impl Session {
    /// A new session at time 0. The seed picks the start position on the lap, the per-lap pace
    /// variations, the other cars and all sensor noise.
    pub fn new(profile: Profile, seed: u64) -> Session {
        let mut car = Car::new(seed);
        let field = acc::Field::new(&mut car);
        let mut session = Session {
            profile,
            tick: 0,
            specs: Vec::new(),
            pages: Vec::new(),
            field,
            physics_packet: 0,
            graphics_packet: 0,
            graphics_slot: 0,
            drivers: iracing::driver_names(seed),
            yaml_update: 0,
            yaml_laps: 0,
            car,
        };
        // Write every page once, on a scratch copy so that building the specs consumes no
        // randomness of the real stream, to learn sizes and field maps.
        let mut scratch = session.clone();
        let layouts: Vec<(&str, &str, PageWriter)> = match profile {
            Profile::AccLike => {
                let (mut p, mut g, mut s) =
                    (PageWriter::new(), PageWriter::new(), PageWriter::new());
                acc::physics(&mut scratch.car, 0, &mut p);
                acc::graphics(&mut scratch.car, &scratch.field, 0, &mut g);
                acc::static_page(&scratch.car, &mut s);
                vec![
                    ("acpmf_physics", "synth-acc/physics", p),
                    ("acpmf_graphics", "synth-acc/graphics", g),
                    ("acpmf_static", "synth-acc/static", s),
                ]
            }
            Profile::IracingLike => {
                let mut r = PageWriter::new();
                iracing::row(&mut scratch.car, 0, &mut r);
                let mut y = PageWriter::new();
                y.text("", iracing::YAML_PAGE_SIZE);
                vec![
                    ("IRSDKMemMapFileName/row", "synth-iracing/row", r),
                    ("IRSDKMemMapFileName/session-info", "synth-iracing/yaml", y),
                ]
            }
        };
        for (name, layout, w) in layouts {
            let (bytes, runs) = w.finish();
            session.specs.push(
                PageSpec::new(name, bytes.len() as u32)
                    .with_layout(layout, 1)
                    .with_fields(runs),
            );
            session.pages.push(vec![0; bytes.len()]);
        }
        match profile {
            Profile::AccLike => {
                let mut s = PageWriter::new();
                acc::static_page(&session.car, &mut s);
                session.pages[2] = s.finish().0;
            }
            Profile::IracingLike => {
                iracing::session_yaml(&session.car, &session.drivers, 0, &mut session.pages[1]);
            }
        }
        session
    }

    /// The profile this session imitates.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The pages every frame carries, in order, with sizes, layout names and field maps.
    pub fn pages(&self) -> Vec<PageSpec> {
        self.specs.clone()
    }

    fn timestamp(&self, tick: u64) -> u64 {
        // Integer arithmetic so 333 Hz does not drift: t = tick · 10⁹ / rate.
        ((tick as u128 * 1_000_000_000) / self.profile.rate_hz() as u128) as u64
    }
}

impl Iterator for Session {
    type Item = SynthFrame;

    fn next(&mut self) -> Option<SynthFrame> {
        let tick = self.tick;
        let ts = self.timestamp(tick);
        if tick > 0 {
            let dt = (ts - self.timestamp(tick - 1)) as f64 * 1e-9;
            self.car.step(dt);
        }
        match self.profile {
            Profile::AccLike => {
                self.physics_packet = self.physics_packet.wrapping_add(1);
                let mut p = PageWriter::new();
                acc::physics(&mut self.car, self.physics_packet, &mut p);
                self.pages[0] = p.finish().0;
                let slot = ts * 60 / 1_000_000_000;
                if tick == 0 || slot != self.graphics_slot {
                    self.graphics_slot = slot;
                    self.graphics_packet = self.graphics_packet.wrapping_add(1);
                    let mut g = PageWriter::new();
                    acc::graphics(&mut self.car, &self.field, self.graphics_packet, &mut g);
                    self.pages[1] = g.finish().0;
                }
            }
            Profile::IracingLike => {
                let mut r = PageWriter::new();
                iracing::row(&mut self.car, tick, &mut r);
                self.pages[0] = r.finish().0;
                if self.car.laps != self.yaml_laps {
                    self.yaml_laps = self.car.laps;
                    self.yaml_update += 1;
                    iracing::session_yaml(
                        &self.car,
                        &self.drivers,
                        self.yaml_update,
                        &mut self.pages[1],
                    );
                }
            }
        }
        self.tick += 1;
        Some(SynthFrame {
            timestamp_ns: ts,
            tick,
            pages: self.pages.clone(),
        })
    }
}

#[cfg(test)]
mod tests;
