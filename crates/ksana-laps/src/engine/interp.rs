//! Linear interpolation of line and sector-boundary crossings from two samples of lap
//! distance and sim time (docs/LAPS.md "Sectors", source 2).

/// Sim time at which the car crossed lap fraction `b`, between a sample at `(p0, t0)` and the
/// next at `(p1, t1)`: `t0 + (b − p0)/(p1 − p0)·(t1 − t0)`. `None` unless `p0 < b ≤ p1` (and the
/// inputs are finite), so a caller never extrapolates.
pub fn crossing_time(p0: f64, t0: f64, p1: f64, t1: f64, b: f64) -> Option<f64> {
    if !(p0 < b && b <= p1 && t0.is_finite() && t1.is_finite()) {
        return None;
    }
    let t = t0 + (b - p0) / (p1 - p0) * (t1 - t0);
    t.is_finite().then_some(t)
}

/// Sim time of the start/finish line crossing between two samples when the lap distance wraps
/// (`p0 > 0.9`, `p1 < 0.1`): `p1` is taken as `p1 + 1` and the boundary as 1. `None` when the
/// samples do not wrap.
pub fn wrap_crossing_time(p0: f64, t0: f64, p1: f64, t1: f64) -> Option<f64> {
    if p0 > 0.9 && p0 <= 1.0 && (0.0..0.1).contains(&p1) {
        crossing_time(p0, t0, p1 + 1.0, t1, 1.0)
    } else {
        None
    }
}
