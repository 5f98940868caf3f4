//! One lap's trace, down-sampled by lap distance while the frames stream by: the lap is cut
//! into `buckets` equal slices of distance and each slice keeps the mean of its first
//! samples (up to [`SAMPLES_PER_POINT`]: speed, throttle, brake; the last gear of those), so a
//! lap never holds more than `buckets` points whatever the sim's rate.

/// Most samples averaged into one point: more add little and cost a decoded frame each.
pub const SAMPLES_PER_POINT: u32 = 4;

/// One point of a trace: lap distance and the values there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TracePoint {
    /// Lap distance, 0 at the line to 1.
    pub dist: f64,
    /// Speed, km/h.
    pub speed_kmh: f64,
    /// Throttle, 0 to 1.
    pub throttle: f64,
    /// Brake, 0 to 1.
    pub brake: f64,
    /// Gear, −1 reverse, 0 neutral, 1 first.
    pub gear: i64,
}

/// Builds the down-sampled trace of one lap from its frames in time order.
#[derive(Debug)]
pub struct LapTrace {
    buckets: usize,
    /// The lap began at the line: samples before the line (distance still near 1) are dropped.
    from_line: bool,
    points: Vec<TracePoint>,
    /// The bucket being summed, its sums and count.
    bucket: Option<usize>,
    sum: [f64; 4],
    count: u32,
    gear: i64,
}

impl LapTrace {
    /// A trace of at most `buckets` points (at least 2); `from_line` when the lap was observed
    /// from its line crossing (not a partial lap joined mid-way).
    pub fn new(buckets: usize, from_line: bool) -> LapTrace {
        LapTrace {
            buckets: buckets.max(2),
            from_line,
            points: Vec::new(),
            bucket: None,
            sum: [0.0; 4],
            count: 0,
            gear: 0,
        }
    }

    /// Whether a sample at distance `dist` would still be used: false once its slice has
    /// [`SAMPLES_PER_POINT`] samples, or when it lies behind the slice being summed, so the
    /// caller can skip decoding the frame's channels (a 333 Hz sim has ~30 frames per slice).
    pub fn wants(&self, dist: f64) -> bool {
        if !dist.is_finite() {
            return false;
        }
        let b = ((dist.clamp(0.0, 1.0) * self.buckets as f64) as usize).min(self.buckets - 1);
        match self.bucket {
            Some(cur) => b > cur || (b == cur && self.count < SAMPLES_PER_POINT),
            None => true,
        }
    }

    /// Adds one frame's sample. Samples that go back in distance (the lap distance wrapping a
    /// frame or two before the lap count moves, jitter) and non-finite values are ignored.
    pub fn push(&mut self, p: TracePoint) {
        if !(p.dist.is_finite()
            && (0.0..=1.0).contains(&p.dist)
            && p.speed_kmh.is_finite()
            && p.throttle.is_finite()
            && p.brake.is_finite())
        {
            return;
        }
        let started = self.bucket.is_some() || !self.points.is_empty();
        if self.from_line && !started && p.dist > 0.5 {
            return; // still before the line
        }
        let b = ((p.dist * self.buckets as f64) as usize).min(self.buckets - 1);
        match self.bucket {
            Some(cur) if b < cur => return,
            Some(cur) if b == cur => {}
            _ => {
                self.flush();
                self.bucket = Some(b);
            }
        }
        self.sum[0] += p.dist;
        self.sum[1] += p.speed_kmh;
        self.sum[2] += p.throttle;
        self.sum[3] += p.brake;
        self.count += 1;
        self.gear = p.gear;
    }

    fn flush(&mut self) {
        if self.count > 0 {
            let n = f64::from(self.count);
            self.points.push(TracePoint {
                dist: self.sum[0] / n,
                speed_kmh: self.sum[1] / n,
                throttle: self.sum[2] / n,
                brake: self.sum[3] / n,
                gear: self.gear,
            });
        }
        self.sum = [0.0; 4];
        self.count = 0;
    }

    /// The points, in increasing distance.
    pub fn finish(mut self) -> Vec<TracePoint> {
        self.flush();
        self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(dist: f64, speed: f64, gear: i64) -> TracePoint {
        TracePoint {
            dist,
            speed_kmh: speed,
            throttle: 1.0,
            brake: 0.0,
            gear,
        }
    }

    #[test]
    fn averages_per_bucket_and_keeps_the_last_gear() {
        let mut t = LapTrace::new(4, true);
        t.push(p(0.99, 500.0, 9)); // before the line
        t.push(p(0.0, 100.0, 2));
        t.push(p(0.2, 200.0, 3));
        t.push(p(0.3, 110.0, 3));
        t.push(p(0.1, 999.0, 9)); // backwards: ignored
        t.push(p(0.9, 150.0, 4));
        t.push(p(0.01, 999.0, 9)); // the wrap before the lap count moves: ignored
        t.push(p(f64::NAN, 1.0, 1));
        let pts = t.finish();
        assert_eq!(pts.len(), 3);
        assert_eq!(pts[0], p(0.1, 150.0, 3));
        assert_eq!(pts[1], p(0.3, 110.0, 3));
        assert_eq!(pts[2], p(0.9, 150.0, 4));
    }

    #[test]
    fn a_slice_wants_at_most_four_samples() {
        let mut t = LapTrace::new(10, true);
        assert!(t.wants(0.95), "nothing summed yet");
        for i in 0..4 {
            assert!(t.wants(0.11));
            t.push(p(0.11, f64::from(i), 1));
        }
        assert!(!t.wants(0.12), "the slice is full");
        assert!(!t.wants(0.05), "behind the slice");
        assert!(!t.wants(f64::NAN));
        assert!(t.wants(0.2));
        t.push(p(0.2, 10.0, 2));
        let pts = t.finish();
        assert_eq!(pts, vec![p(0.11, 1.5, 1), p(0.2, 10.0, 2)]);
    }

    #[test]
    fn a_partial_lap_starts_where_it_was_joined_and_stays_bounded() {
        let mut t = LapTrace::new(1000, false);
        for i in 0..100_000 {
            t.push(p(0.7 + 0.3 * f64::from(i) / 100_000.0, 100.0, 3));
        }
        let pts = t.finish();
        assert!(pts.len() <= 301 && pts.len() >= 299, "{}", pts.len());
        assert!(pts[0].dist >= 0.7 && pts[0].dist < 0.701, "{}", pts[0].dist);
        assert!(pts.windows(2).all(|w| w[0].dist < w[1].dist));
    }
}
