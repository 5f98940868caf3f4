//! A recording's vital signs: what `ksana inspect` prints, computed by reading every frame's
//! timestamp once.

use crate::header::ChunkInfo;
use crate::marker::Marker;
use crate::reader::{Damage, IndexSource, Recording};

/// An interval between consecutive frames much longer than usual (more than 3× the median):
/// the sim paused, the recorder stalled, or frames were lost.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Gap {
    /// Timestamp of the frame before the gap, in nanoseconds.
    pub at_ns: u64,
    /// Length of the gap, in nanoseconds.
    pub length_ns: u64,
}

/// Update rates derived from frame intervals.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rates {
    /// Frames per second over the whole recording: (frames − 1) / duration.
    pub mean_hz: f64,
    /// The rate the longest interval corresponds to.
    pub min_hz: f64,
    /// The rate the shortest non-zero interval corresponds to.
    pub max_hz: f64,
    /// Median interval, in nanoseconds.
    pub median_interval_ns: u64,
}

/// Everything `inspect` reports about one recording.
#[derive(Debug)]
pub struct Inspection {
    /// Frames read.
    pub frames: u64,
    /// First and last frame timestamps.
    pub time_range: Option<(u64, u64)>,
    /// Rates, when there are at least two frames with distinct timestamps.
    pub rates: Option<Rates>,
    /// Intervals longer than 3× the median.
    pub gaps: Vec<Gap>,
    /// Readable chunks.
    pub chunks: Vec<ChunkInfo>,
    /// Full-state bytes of all frames.
    pub raw_bytes: u64,
    /// File size.
    pub stored_bytes: u64,
    /// Markers.
    pub markers: Vec<Marker>,
    /// Footer or rebuilt index.
    pub index: IndexSource,
    /// Damage found while opening and reading (chunks skipped in salvage mode included).
    pub damage: Vec<Damage>,
    /// The error that stopped reading, when not salvaging; the figures cover what came before.
    pub error: Option<crate::Error>,
}

impl Inspection {
    /// True when the whole file was usable.
    pub fn is_clean(&self) -> bool {
        self.damage.is_empty() && self.error.is_none()
    }

    /// raw / stored, or 0 for an empty file.
    pub fn ratio(&self) -> f64 {
        if self.stored_bytes == 0 {
            0.0
        } else {
            self.raw_bytes as f64 / self.stored_bytes as f64
        }
    }
}

/// Reads every frame of `rec` and summarises it. Never fails: a read error ends the reading
/// and is reported in [`Inspection::error`].
pub fn inspect(rec: &Recording) -> Inspection {
    let mut frames = rec.frames();
    let mut n = 0u64;
    let mut first = None;
    let mut last = 0u64;
    let mut intervals: Vec<u64> = Vec::new();
    let mut error = None;
    loop {
        match frames.next_frame() {
            Ok(Some(f)) => {
                let t = f.timestamp_ns();
                if first.is_none() {
                    first = Some(t);
                } else {
                    intervals.push(t - last);
                }
                last = t;
                n += 1;
            }
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let mut damage = rec.damage().to_vec();
    damage.extend(frames.skipped().iter().cloned());
    if let Some(e) = &error
        && let Some(c) = rec
            .chunks()
            .iter()
            .find(|c| (c.offset..c.offset + c.stored_bytes).contains(&e.offset))
    {
        damage.push(Damage {
            offset: c.offset,
            bytes: c.stored_bytes,
            reason: format!("chunk unreadable: {}", e.kind),
            incomplete_tail: false,
        });
    }
    // Only chunks actually decoded count: the index may list chunks that turned out damaged.
    let mut read = frames.decoded_chunks().to_vec();
    read.sort_unstable();
    read.dedup();
    let chunks: Vec<ChunkInfo> = read
        .iter()
        .filter_map(|&i| rec.chunks().get(i).copied())
        .collect();
    let time_range = first.map(|f| (f, last));
    let mut gaps = Vec::new();
    let rates = rates(&intervals, time_range);
    if let Some(r) = &rates {
        let limit = r.median_interval_ns.saturating_mul(3);
        let mut t = first.unwrap_or(0);
        for &d in &intervals {
            if d > limit && limit > 0 {
                gaps.push(Gap {
                    at_ns: t,
                    length_ns: d,
                });
            }
            t += d;
        }
    }
    Inspection {
        frames: n,
        time_range,
        rates,
        gaps,
        raw_bytes: chunks.iter().map(|c| c.raw_bytes).sum(),
        chunks,
        stored_bytes: rec.file_bytes(),
        markers: rec.markers().to_vec(),
        index: rec.index_source().clone(),
        damage,
        error,
    }
}

fn rates(intervals: &[u64], range: Option<(u64, u64)>) -> Option<Rates> {
    let (first, last) = range?;
    if last == first || intervals.is_empty() {
        return None;
    }
    let mut sorted = intervals.to_vec();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let max_iv = *sorted.last()?;
    let min_pos = sorted.iter().copied().find(|&d| d > 0)?;
    Some(Rates {
        mean_hz: intervals.len() as f64 / ((last - first) as f64 / 1e9),
        min_hz: 1e9 / max_iv as f64,
        max_hz: 1e9 / min_pos as f64,
        median_interval_ns: median,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Header, PageSpec, PageUpdate, Writer, WriterOptions};

    #[test]
    fn rates_and_gaps_of_a_100_hz_recording_with_one_pause() {
        let mut w = Writer::new(
            Vec::new(),
            Header::new("t", vec![PageSpec::new("p", 4)]),
            WriterOptions::default(),
        )
        .unwrap();
        let mut t = 0u64;
        for i in 0..300u32 {
            // One 0.5 s pause after frame 100.
            t += if i == 101 {
                500_000_000
            } else if i == 0 {
                0
            } else {
                10_000_000
            };
            w.write_frame(
                t,
                None,
                &[PageUpdate {
                    page: 0,
                    data: &i.to_le_bytes(),
                }],
            )
            .unwrap();
        }
        let rec = Recording::from_bytes(w.finish().unwrap()).unwrap();
        let r = inspect(&rec);
        assert!(r.is_clean());
        assert_eq!(r.frames, 300);
        let rates = r.rates.unwrap();
        assert_eq!(rates.median_interval_ns, 10_000_000);
        assert!((rates.max_hz - 100.0).abs() < 1e-9);
        assert!((rates.min_hz - 2.0).abs() < 1e-9);
        assert_eq!(
            r.gaps,
            vec![Gap {
                at_ns: 1_000_000_000,
                length_ns: 500_000_000
            }]
        );
        assert_eq!(r.raw_bytes, 1200);
    }
}
