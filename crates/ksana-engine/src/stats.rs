//! Publish-time errors of the player: how far from its scheduled time each frame went out.

use std::time::Duration;

/// Absolute differences |publish time − scheduled time|, kept whole for exact percentiles.
#[derive(Clone, Debug, Default)]
pub struct LatencyStats {
    samples_ns: Vec<u64>,
}

impl LatencyStats {
    /// Adds one frame's error.
    pub fn add(&mut self, error: Duration) {
        self.samples_ns
            .push(error.as_nanos().min(u128::from(u64::MAX)) as u64);
    }

    /// Frames measured.
    pub fn count(&self) -> usize {
        self.samples_ns.len()
    }

    /// The `p`-th percentile (0–100, nearest rank), or zero with no samples.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.samples_ns.is_empty() {
            return Duration::ZERO;
        }
        let mut v = self.samples_ns.clone();
        v.sort_unstable();
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        Duration::from_nanos(v[rank.min(v.len()) - 1])
    }

    /// The error of the most recent frame: at the end of a playback, its drift.
    pub fn last(&self) -> Duration {
        Duration::from_nanos(self.samples_ns.last().copied().unwrap_or(0))
    }

    /// The largest error.
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.samples_ns.iter().copied().max().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = LatencyStats::default();
        for us in 1..=100u64 {
            s.add(Duration::from_micros(us));
        }
        assert_eq!(s.percentile(50.0), Duration::from_micros(50));
        assert_eq!(s.percentile(99.0), Duration::from_micros(99));
        assert_eq!(s.max(), Duration::from_micros(100));
        assert_eq!(s.last(), Duration::from_micros(100));
        assert_eq!(LatencyStats::default().percentile(50.0), Duration::ZERO);
    }
}
