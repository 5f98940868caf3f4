//! A closed circuit and the speed a quick driver can carry around it.
//!
//! The track is a list of straights and constant-angle corners, smoothed so curvature never
//! steps. The speed profile is the classic quasi-steady-state lap simulation: the corner limit
//! `sqrt(a_lat / |k|)`, then a forward pass limited by engine power and drag and a backward pass
//! limited by braking, both run twice around so the lap closes on itself.

/// Grid step of every per-metre table, in metres.
const DS: f64 = 1.0;
/// Lateral grip, m/s² (≈1.7 g, a GT3 car).
const A_LAT: f64 = 16.5;
/// Top speed cap, m/s (≈290 km/h).
const V_TOP: f64 = 80.0;
/// Stretch applied to every segment so the ideal lap lands near 90 s.
const LENGTH_SCALE: f64 = 1.37;
/// Standard gravity, m/s².
pub(crate) const G: f64 = 9.80665;

/// Straights and corners: (length in metres, heading change in degrees; positive = right).
const SEGMENTS: &[(f64, f64)] = &[
    (620.0, 0.0),
    (90.0, 90.0),
    (360.0, 0.0),
    (60.0, 100.0),
    (720.0, 0.0),
    (150.0, 45.0),
    (250.0, 0.0),
    (80.0, -45.0),
    (200.0, 0.0),
    (100.0, 90.0),
    (300.0, 0.0),
    (120.0, 75.0),
    (150.0, 0.0),
    (70.0, -30.0),
    (400.0, 0.0),
    (120.0, 35.0),
];

/// Per-metre tables describing one lap.
#[derive(Clone, Debug)]
pub(crate) struct Track {
    /// Lap length in metres.
    pub(crate) length: f64,
    curvature: Vec<f64>,
    speed: Vec<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    heading: Vec<f64>,
    /// Lap time of the ideal speed profile, seconds (checked by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) ideal_lap_time: f64,
}

/// Engine-limited acceleration at speed `v` (370 kW, 1300 kg, traction-limited below ~40 m/s)
/// minus aerodynamic drag.
pub(crate) fn accel_limit(v: f64) -> f64 {
    (370_000.0 / (1300.0 * v.max(1.0))).min(9.0) - 0.00037 * v * v
}

/// Braking deceleration at speed `v`: tyres plus aero downforce.
fn brake_limit(v: f64) -> f64 {
    14.0 + 0.0006 * v * v
}

impl Track {
    /// The one built-in circuit (≈3.8 km, ≈90 s lap).
    pub(crate) fn standard() -> Track {
        let mut raw = Vec::new();
        for &(len, deg) in SEGMENTS {
            let len = len * LENGTH_SCALE;
            let n = (len / DS).round() as usize;
            let k = deg.to_radians() / len;
            raw.extend(std::iter::repeat_n(k, n));
        }
        let n = raw.len();
        // Smooth curvature with a 40 m circular moving average (corner entry/exit transitions).
        let w = 20isize;
        let curvature: Vec<f64> = (0..n as isize)
            .map(|i| {
                let mut s = 0.0;
                for j in -w..=w {
                    s += raw[(i + j).rem_euclid(n as isize) as usize];
                }
                s / (2 * w + 1) as f64
            })
            .collect();
        let limit: Vec<f64> = curvature
            .iter()
            .map(|k| (A_LAT / k.abs().max(1e-9)).sqrt().min(V_TOP))
            .collect();
        let mut speed = limit.clone();
        for _ in 0..2 {
            for i in 0..n {
                let prev = speed[(i + n - 1) % n];
                let reach = (prev * prev + 2.0 * accel_limit(prev) * DS).sqrt();
                speed[i] = speed[i].min(reach);
            }
        }
        for _ in 0..2 {
            for i in (0..n).rev() {
                let next = speed[(i + 1) % n];
                let reach = (next * next + 2.0 * brake_limit(next) * DS).sqrt();
                speed[i] = speed[i].min(reach);
            }
        }
        let (mut x, mut y, mut heading) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut px, mut py, mut ph) = (0.0f64, 0.0f64, 0.0f64);
        for &k in &curvature {
            x.push(px);
            y.push(py);
            heading.push(ph);
            px += ph.cos() * DS;
            py += ph.sin() * DS;
            ph += k * DS;
        }
        let ideal_lap_time = speed.iter().map(|v| DS / v).sum();
        Track {
            length: n as f64 * DS,
            curvature,
            speed,
            x,
            y,
            heading,
            ideal_lap_time,
        }
    }

    fn lerp(table: &[f64], dist: f64) -> f64 {
        let n = table.len();
        let p = dist.rem_euclid(n as f64 * DS) / DS;
        let i = p.floor() as usize % n;
        let f = p - p.floor();
        table[i] * (1.0 - f) + table[(i + 1) % n] * f
    }

    /// Curvature (1/m, positive = turning right) at lap distance `dist`.
    pub(crate) fn curvature(&self, dist: f64) -> f64 {
        Self::lerp(&self.curvature, dist)
    }

    /// Ideal speed (m/s) at lap distance `dist`.
    pub(crate) fn speed(&self, dist: f64) -> f64 {
        Self::lerp(&self.speed, dist)
    }

    /// World position (x, y, z) in metres at lap distance `dist`; z is a gentle elevation profile.
    pub(crate) fn position(&self, dist: f64) -> (f64, f64, f64) {
        let u = dist / self.length * std::f64::consts::TAU;
        let z = 12.0 * u.sin() + 3.0 * (3.0 * u + 0.5).sin();
        (Self::lerp(&self.x, dist), Self::lerp(&self.y, dist), z)
    }

    /// Track slope (rise over run) at `dist`, from the elevation profile.
    pub(crate) fn slope(&self, dist: f64) -> f64 {
        let u = dist / self.length * std::f64::consts::TAU;
        let dz_du = 12.0 * u.cos() + 9.0 * (3.0 * u + 0.5).cos();
        dz_du * std::f64::consts::TAU / self.length
    }

    /// Heading (radians) at `dist`.
    pub(crate) fn heading(&self, dist: f64) -> f64 {
        let n = self.heading.len();
        let i = (dist.rem_euclid(self.length) / DS) as usize % n;
        self.heading[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lap_is_about_ninety_seconds() {
        let t = Track::standard();
        assert!(
            (85.0..95.0).contains(&t.ideal_lap_time),
            "{}",
            t.ideal_lap_time
        );
        assert!(t.speed.iter().all(|v| (10.0..=V_TOP).contains(v)));
    }
}
