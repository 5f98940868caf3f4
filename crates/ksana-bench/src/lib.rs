//! Codec comparison for ksana: how big and how fast each way of storing telemetry is, on a
//! real iRacing `.ibt` and on long synthetic sessions.
//!
//! The library holds the datasets, the codecs and the measuring loop so tests can drive them;
//! `src/main.rs` is the command line and the table.

pub mod codecs;
pub mod ibt;
pub mod report;

use codecs::Codec;
use ksana_format::PageSpec;
use ksana_synth::{Profile, Session};
use serde::Serialize;
use std::time::{Duration, Instant};

/// One captured sample of every page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Capture time, nanoseconds from the start of the dataset.
    pub timestamp_ns: u64,
    /// The sim's own tick counter when it has one.
    pub tick: Option<u64>,
    /// Full bytes of every page, in the order of [`Dataset::pages`].
    pub pages: Vec<Vec<u8>>,
}

/// A named sequence of frames with its page declarations: what a codec stores.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Name shown in the table and matched by `--dataset`.
    pub name: String,
    /// Page declarations (sizes, field maps).
    pub pages: Vec<PageSpec>,
    /// The frames.
    pub frames: Vec<Frame>,
}

impl Dataset {
    /// `frames` frames of the fake sim (the `laps` scenario: out-lap, then flying laps) as
    /// sim `sim` publishes them, at `rate_hz` of sim time: the pages a recorder of that sim
    /// stores, with the car's channels, timing and counters moving as in a real session.
    pub fn fake(name: &str, sim: &str, rate_hz: f64, frames: usize) -> anyhow::Result<Dataset> {
        use ksana_synth::world::{Scenario, World};
        let Some(mut r) = ksana_sims::by_id(sim).and_then(|s| s.fake()) else {
            anyhow::bail!("no fake sim for {sim}");
        };
        let pages = r.pages();
        let mut cur = vec![Vec::new(); pages.len()];
        let mut changed = vec![false; pages.len()];
        let mut world = World::new(Scenario::Laps, 1);
        let dt = 1.0 / rate_hz;
        let mut out = Vec::with_capacity(frames);
        for i in 0..frames {
            if i > 0 {
                world.step(dt);
            }
            changed.iter_mut().for_each(|c| *c = false);
            r.render(world.state(), &mut cur, &mut changed)?;
            out.push(Frame {
                timestamp_ns: (world.state().time_s * 1e9).round() as u64,
                tick: Some(i as u64),
                pages: cur.clone(),
            });
        }
        Ok(Dataset {
            name: name.to_owned(),
            pages,
            frames: out,
        })
    }

    /// Raw size: every page's bytes in every frame — the full state the sim published.
    pub fn raw_len(&self) -> u64 {
        self.frames
            .iter()
            .flat_map(|f| f.pages.iter())
            .map(|p| p.len() as u64)
            .sum()
    }

    /// `frames` frames of a synthetic session.
    pub fn synthetic(name: &str, profile: Profile, seed: u64, frames: usize) -> Dataset {
        let session = Session::new(profile, seed);
        let pages = session.pages();
        let frames = session
            .take(frames)
            .map(|f| Frame {
                timestamp_ns: f.timestamp_ns,
                tick: Some(f.tick),
                pages: f.pages,
            })
            .collect();
        Dataset {
            name: name.to_owned(),
            pages,
            frames,
        }
    }
}

/// How hard to measure.
#[derive(Clone, Copy, Debug)]
pub struct Effort {
    /// Most timed repetitions of each encode and decode.
    pub max_reps: u32,
    /// Stop repeating once this much time went into one measurement (at least one run).
    pub budget: Duration,
}

impl Effort {
    /// The full run: up to 5 repetitions, about 3 s per measurement.
    pub const FULL: Effort = Effort {
        max_reps: 5,
        budget: Duration::from_secs(3),
    };
    /// CI smoke runs: one repetition.
    pub const QUICK: Effort = Effort {
        max_reps: 1,
        budget: Duration::ZERO,
    };
}

/// One codec's figures on one dataset.
#[derive(Clone, Debug, Serialize)]
pub struct CodecResult {
    /// Codec name.
    pub codec: String,
    /// Raw bytes (same for every codec of a dataset).
    pub raw_bytes: u64,
    /// Encoded bytes.
    pub compressed_bytes: u64,
    /// `raw_bytes / compressed_bytes`.
    pub ratio: f64,
    /// Raw MB (10⁶ bytes) per second of the best encode.
    pub encode_mb_s: f64,
    /// Raw MB per second of the best decode.
    pub decode_mb_s: f64,
    /// Timed repetitions (encode, decode).
    pub reps: (u32, u32),
    /// Whether this is the ksana codec.
    pub is_ksana: bool,
}

/// Every codec's figures on one dataset.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetResult {
    /// Dataset name.
    pub dataset: String,
    /// Number of frames.
    pub frames: usize,
    /// Number of pages per frame.
    pub pages: usize,
    /// Span of the frames' timestamps, seconds.
    pub seconds: f64,
    /// Raw bytes.
    pub raw_bytes: u64,
    /// One entry per codec, ksana first when present.
    pub results: Vec<CodecResult>,
}

/// Run `f` repeatedly within `effort`, returning its last result, the best time and the
/// number of runs.
fn best_of<T>(effort: Effort, mut f: impl FnMut() -> T) -> (T, Duration, u32) {
    let start = Instant::now();
    let mut best = Duration::MAX;
    let mut reps = 0;
    loop {
        let t = Instant::now();
        let out = std::hint::black_box(f());
        best = best.min(t.elapsed());
        reps += 1;
        if reps >= effort.max_reps || start.elapsed() >= effort.budget {
            return (out, best, reps);
        }
        drop(out);
    }
}

/// Check that `codec` gives back exactly the dataset's bytes (outside any timing).
pub fn verify_round_trip(codec: &dyn Codec, ds: &Dataset, encoded: &[u8]) -> anyhow::Result<()> {
    let mut expected = ds
        .frames
        .iter()
        .flat_map(|f| f.pages.iter())
        .flat_map(|p| p.iter());
    let mut pos = 0u64;
    let mut mismatch = None;
    codec.decode_into(encoded, ds, &mut |chunk| {
        for &b in chunk {
            if mismatch.is_none() && expected.next() != Some(&b) {
                mismatch = Some(pos);
            }
            pos += 1;
        }
    })?;
    if let Some(at) = mismatch {
        anyhow::bail!("{}: decoded byte {at} differs from the input", codec.name());
    }
    if pos != ds.raw_len() {
        anyhow::bail!(
            "{}: decoded {pos} bytes, input has {}",
            codec.name(),
            ds.raw_len()
        );
    }
    Ok(())
}

/// Measure one codec on one dataset: encode (timed), check the round trip (untimed), decode
/// (timed, and its byte count checked).
pub fn measure(
    codec: &dyn Codec,
    ds: &Dataset,
    effort: Effort,
    is_ksana: bool,
) -> anyhow::Result<CodecResult> {
    let raw = ds.raw_len();
    let (encoded, enc_time, enc_reps) = best_of(effort, || codec.encode(ds));
    verify_round_trip(codec, ds, &encoded)?;
    let (n, dec_time, dec_reps) = best_of(effort, || codec.decode(&encoded, ds));
    if n != raw {
        anyhow::bail!(
            "{}: decode produced {n} bytes, expected {raw}",
            codec.name()
        );
    }
    let mb_s = |t: Duration| raw as f64 / 1e6 / t.as_secs_f64().max(1e-9);
    Ok(CodecResult {
        codec: codec.name().to_owned(),
        raw_bytes: raw,
        compressed_bytes: encoded.len() as u64,
        ratio: raw as f64 / encoded.len().max(1) as f64,
        encode_mb_s: mb_s(enc_time),
        decode_mb_s: mb_s(dec_time),
        reps: (enc_reps, dec_reps),
        is_ksana,
    })
}

/// Measure every codec (ksana first when available, then the baselines) on `ds`.
pub fn bench_dataset(ds: &Dataset, effort: Effort) -> anyhow::Result<DatasetResult> {
    let mut results = Vec::new();
    // The first ksana row (the re-packed file) is the one the baselines are compared with.
    for (i, k) in codecs::ksana_codecs().iter().enumerate() {
        results.push(measure(k.as_ref(), ds, effort, i == 0)?);
    }
    for c in codecs::baselines() {
        results.push(measure(c.as_ref(), ds, effort, false)?);
    }
    let seconds = match (ds.frames.first(), ds.frames.last()) {
        (Some(a), Some(b)) => (b.timestamp_ns - a.timestamp_ns) as f64 * 1e-9,
        _ => 0.0,
    };
    Ok(DatasetResult {
        dataset: ds.name.clone(),
        frames: ds.frames.len(),
        pages: ds.pages.len(),
        seconds,
        raw_bytes: ds.raw_len(),
        results,
    })
}

/// A dataset the bench knows how to build, by name.
#[derive(Clone, Copy, Debug)]
pub struct DatasetDef {
    /// Name for `--dataset`.
    pub name: &'static str,
    /// What it is.
    pub about: &'static str,
}

/// The datasets of a run, in table order.
pub const DATASETS: [DatasetDef; 5] = [
    DatasetDef {
        name: "ibt-2024",
        about: "real iRacing .ibt, 390 rows of 1072 B at 60 Hz (Red Bull Ring, 2024)",
    },
    DatasetDef {
        name: "synth-iracing",
        about: "ksana-synth IracingLike: 1072 B row + 16 KiB YAML page at 60 Hz",
    },
    DatasetDef {
        name: "synth-acc",
        about: "ksana-synth AccLike: physics 333 Hz + graphics 60 Hz + static page",
    },
    DatasetDef {
        name: "fake-acc",
        about: "the fake sim as ACC: physics, graphics, static pages (4 KiB each) at 333 Hz",
    },
    DatasetDef {
        name: "fake-iracing",
        about: "the fake sim as iRacing: header, var headers, YAML and 89-variable row at 60 Hz",
    },
];

/// Build dataset `name`; `Ok(None)` when its input (the fixture) is missing.
pub fn load_dataset(name: &str, quick: bool) -> anyhow::Result<Option<Dataset>> {
    Ok(Some(match name {
        "ibt-2024" => {
            let path = ibt::ibt_fixture();
            if !path.exists() {
                return Ok(None);
            }
            ibt::IbtFile::open(&path)?.to_dataset(name)
        }
        // 10 minutes at 60 Hz (30 s in quick mode).
        "synth-iracing" => Dataset::synthetic(
            name,
            Profile::IracingLike,
            1,
            if quick { 1_800 } else { 36_000 },
        ),
        // 2 minutes at 333 Hz (10 s in quick mode).
        "synth-acc" => Dataset::synthetic(
            name,
            Profile::AccLike,
            1,
            if quick { 3_330 } else { 39_960 },
        ),
        // 2 minutes at 333 Hz (10 s in quick mode), from the pit box onto the out-lap.
        "fake-acc" => Dataset::fake(name, "acc", 333.0, if quick { 3_330 } else { 39_960 })?,
        // 10 minutes at 60 Hz (30 s in quick mode).
        "fake-iracing" => Dataset::fake(name, "iracing", 60.0, if quick { 1_800 } else { 36_000 })?,
        other => anyhow::bail!("unknown dataset {other:?}"),
    }))
}
