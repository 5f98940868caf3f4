//! One lap's trace: speed, pedals, gear, steering and RPM against lap distance, read from the
//! lap's recording over its time range and down-sampled to a requested number of points.
//! Channels come from the sim's [`ksana_sims::channels::ChannelSource`] under the names its
//! [`ksana_sims::Sim::trace_channels`] gives; distance from its timing source's
//! `lap_dist_pct`. Nothing here names a sim.

use ksana_format::{PageSpec, Recording};
use ksana_sims::channels::{ChannelList, ChannelSource, Row, TraceChannels, ValueRef};
use ksana_sims::{Sim, TimingSource};
use serde::Serialize;

/// One point of a trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TracePoint {
    /// Position on the lap, 0.0 at the line to 1.0.
    pub dist: f64,
    /// Seconds since the lap's start.
    pub t: f64,
    /// Speed, km/h.
    pub speed_kmh: Option<f64>,
    /// Throttle, 0 to 1.
    pub throttle: Option<f64>,
    /// Brake, 0 to 1.
    pub brake: Option<f64>,
    /// Gear: −1 reverse, 0 neutral, 1 first.
    pub gear: Option<i64>,
    /// Steering, in the unit the trace reports (`steering_unit`).
    pub steering: Option<f64>,
    /// Engine speed, revolutions per minute.
    pub rpm: Option<f64>,
}

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The recording's sim has no trace map, channels or timing.
    #[error("{0}")]
    Unsupported(String),
    /// The recording could not be decoded.
    #[error("{0}")]
    Read(String),
}

/// Indices of the trace channels in a channel list (`None` when the sim lacks one).
struct Slots {
    speed: Option<usize>,
    throttle: Option<usize>,
    brake: Option<usize>,
    gear: Option<usize>,
    steering: Option<usize>,
    rpm: Option<usize>,
}

/// The channel named `name`, or else the one named `<page>.<name>` (channel lists prefix a
/// name that several pages share).
fn find(list: &ChannelList, name: &str) -> Option<usize> {
    list.channels
        .iter()
        .position(|c| c.name == name)
        .or_else(|| {
            list.channels.iter().position(|c| {
                c.name
                    .rsplit_once('.')
                    .is_some_and(|(_, tail)| tail == name)
            })
        })
}

fn number(v: ValueRef<'_>) -> Option<f64> {
    match v {
        ValueRef::F32(x) if x.is_finite() => Some(f64::from(x)),
        ValueRef::F64(x) if x.is_finite() => Some(x),
        ValueRef::I32(x) => Some(f64::from(x)),
        ValueRef::U32(x) => Some(f64::from(x)),
        ValueRef::U64(x) => Some(x as f64),
        ValueRef::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// Per segment: the timing and channel decoders.
struct Decoders {
    timing: Box<dyn TimingSource>,
    channels: Box<dyn ChannelSource>,
    slots: Option<Slots>,
}

fn segment_pages(rec: &Recording, index: u32) -> Vec<PageSpec> {
    rec.segments()
        .iter()
        .find(|s| s.index == index)
        .map(|s| s.pages.clone())
        .unwrap_or_else(|| rec.header().pages.clone())
}

/// The trace of the lap between `start_s` and `end_s` (recording time) in `rec`, at most
/// `points` points (at least 2), distance non-decreasing. Also returns the steering unit.
pub fn lap_trace(
    rec: &Recording,
    start_s: f64,
    end_s: f64,
    points: usize,
) -> Result<(Vec<TracePoint>, &'static str), TraceError> {
    let sim: &dyn Sim = ksana_sims::by_id(&rec.header().sim)
        .ok_or_else(|| TraceError::Unsupported(format!("unknown sim {:?}", rec.header().sim)))?;
    let map: TraceChannels = sim.trace_channels().ok_or_else(|| {
        TraceError::Unsupported(format!("ksana has no lap trace for {} yet", sim.name()))
    })?;
    let read = |e: &dyn std::fmt::Display| TraceError::Read(e.to_string());
    let mut frames = rec.frames();
    let start_ns = (start_s.max(0.0) * 1e9) as u64;
    frames.seek(start_ns).map_err(|e| read(&e))?;
    let mut segment = u32::MAX;
    let mut dec: Option<Decoders> = None;
    let mut row = Row::new();
    let mut all: Vec<TracePoint> = Vec::new();
    while let Some(f) = frames.next_frame().map_err(|e| read(&e))? {
        let t = f.timestamp_ns() as f64 / 1e9;
        if t > end_s {
            break;
        }
        let pages: Vec<&[u8]> = f.pages().iter().map(|p| p.as_slice()).collect();
        if f.segment() != segment {
            segment = f.segment();
            let specs = segment_pages(rec, segment);
            dec = match (sim.timing(&specs), sim.channels(&specs)) {
                (Some(timing), Some(channels)) => Some(Decoders {
                    timing,
                    channels,
                    slots: None,
                }),
                _ => None,
            };
        }
        let Some(d) = dec.as_mut() else { continue };
        if d.slots.is_none() {
            let list = d.channels.channels(&pages).map_err(|e| read(&e))?;
            d.slots = Some(Slots {
                speed: find(&list, map.speed),
                throttle: find(&list, map.throttle),
                brake: find(&list, map.brake),
                gear: find(&list, map.gear),
                steering: find(&list, map.steering),
                rpm: find(&list, map.rpm),
            });
        }
        let Some(sample) = d.timing.sample(t, &pages).map_err(|e| read(&e))? else {
            continue;
        };
        let Some(dist) = sample.lap_dist_pct.filter(|x| x.is_finite()) else {
            continue;
        };
        d.channels.decode(&pages, &mut row).map_err(|e| read(&e))?;
        let Some(s) = &d.slots else { continue };
        let get = |i: Option<usize>| i.and_then(|i| number(row.get(i)));
        all.push(TracePoint {
            dist,
            t: t - start_s,
            speed_kmh: get(s.speed).map(|v| v * map.speed_to_kmh),
            throttle: get(s.throttle),
            brake: get(s.brake),
            gear: get(s.gear).map(|g| g as i64 + map.gear_offset),
            steering: get(s.steering),
            rpm: get(s.rpm),
        });
    }
    Ok((downsample(monotonic(all), points), map.steering_unit))
}

/// Keeps the part of the samples that runs forward over one lap: from the first sample in the
/// lap's first half (the lap may begin with a few samples still reading ~1.0 before the line),
/// dropping samples that go back, and stopping at a wrap to the next lap.
fn monotonic(all: Vec<TracePoint>) -> Vec<TracePoint> {
    let mut out: Vec<TracePoint> = Vec::with_capacity(all.len());
    let first = all.iter().position(|p| p.dist < 0.5).unwrap_or(all.len());
    for p in all.into_iter().skip(first) {
        match out.last() {
            Some(last) if p.dist + 0.5 < last.dist => break,
            Some(last) if p.dist < last.dist => continue,
            _ => out.push(p),
        }
    }
    out
}

/// At most `n` points, evenly spaced by index, first and last kept.
fn downsample(v: Vec<TracePoint>, n: usize) -> Vec<TracePoint> {
    let n = n.max(2);
    if v.len() <= n {
        return v;
    }
    let last = v.len() - 1;
    (0..n)
        .map(|i| v[(i * last + (n - 1) / 2) / (n - 1)].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(dist: f64) -> TracePoint {
        TracePoint {
            dist,
            t: 0.0,
            speed_kmh: None,
            throttle: None,
            brake: None,
            gear: None,
            steering: None,
            rpm: None,
        }
    }

    #[test]
    fn forward_over_one_lap_only() {
        let d = |v: Vec<TracePoint>| v.iter().map(|p| p.dist).collect::<Vec<_>>();
        let got = monotonic(vec![
            p(0.999),
            p(0.0005),
            p(0.2),
            p(0.19),
            p(0.6),
            p(0.9995),
            p(0.001),
        ]);
        assert_eq!(d(got), vec![0.0005, 0.2, 0.6, 0.9995]);
    }

    #[test]
    fn downsampling_keeps_ends_and_count() {
        let v: Vec<TracePoint> = (0..1001).map(|i| p(i as f64 / 1000.0)).collect();
        let got = downsample(v, 11);
        assert_eq!(got.len(), 11);
        assert_eq!(got[0].dist, 0.0);
        assert_eq!(got[10].dist, 1.0);
        assert_eq!(got[5].dist, 0.5);
        assert_eq!(downsample(vec![p(0.1), p(0.2)], 500).len(), 2);
    }
}
