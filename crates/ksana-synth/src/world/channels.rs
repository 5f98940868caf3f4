//! Every [`CarState`] channel derived from the driven motion, so channels agree with each other:
//! pedals follow the acceleration, steering the curvature, gear and rpm the speed, wheel speeds
//! the speed and the corner, temperatures and fuel the load over time.

use super::CarState;
use super::driver::{Driver, PIT_ENTRY, PIT_EXIT};
use crate::car::{
    AIR_TEMP, HALF_TRACK, IDLE_RPM, MAX_FUEL, MAX_RPM, RATIOS, ROAD_TEMP, SHIFT_UP_RPM, START_FUEL,
    WHEEL_RADIUS, rpm_for,
};
use crate::rng::SplitMix64;
use crate::track::{G, Track};

/// Pit lane offset from the centre line, metres (to the right of the main straight).
const PIT_OFFSET_M: f64 = 14.0;
/// How far the car runs wide when off the track, metres.
const OFF_TRACK_OFFSET_M: f64 = 6.0;

/// The filtered channel state carried between updates.
#[derive(Clone, Debug)]
pub(crate) struct Channels {
    car: CarState,
    /// Gear index, 0 = 1st (when moving).
    gear_ix: usize,
    /// Lateral offset from the centre line, metres (filtered).
    offset: f64,
    /// How far the track's integrated centre line misses its own start after one lap (x, y);
    /// spread linearly over the lap so the world's map closes.
    closure: (f64, f64),
    noise: SplitMix64,
}

impl Channels {
    /// Channels of a car standing in its box with a fresh tank.
    pub(crate) fn new(track: &Track, driver: &Driver, seed: u64) -> Channels {
        let mut c = Channels {
            car: CarState {
                clutch: 0.0,
                max_rpm: MAX_RPM,
                rpm: IDLE_RPM,
                fuel_l: START_FUEL,
                fuel_max_l: MAX_FUEL,
                tyre_temp: [45.0; 4],
                tyre_pressure: [25.0; 4],
                brake_temp: [120.0; 4],
                water_temp: 80.0,
                oil_temp: 85.0,
                air_temp: AIR_TEMP,
                road_temp: ROAD_TEMP,
                ..CarState::default()
            },
            gear_ix: 0,
            offset: PIT_OFFSET_M,
            closure: closure_gap(track),
            noise: SplitMix64::new(seed ^ 0x6368_616E_6E65_6C73),
        };
        c.place(track, driver);
        c
    }

    /// The current channels.
    pub(crate) fn car(&self) -> &CarState {
        &self.car
    }

    /// Sets position, heading and offset from the driver's coordinate (no filtering).
    fn place(&mut self, track: &Track, driver: &Driver) {
        let target = lateral_target(track, driver);
        self.offset = target;
        self.set_position(track, driver.d);
        if driver.in_box() {
            self.car.gear = 0;
        }
    }

    /// The closed centre line at lap coordinate `d`: (east, north, elevation), metres.
    ///
    /// The track's frame turns its angle up in right-hand corners, so it is the mirror of a
    /// map: its (x, y) is (east, south); north is -y. Its integrated centre line misses its
    /// own start after a lap; the miss is spread linearly over the lap so the map closes.
    fn centre(&self, track: &Track, d: f64) -> (f64, f64, f64) {
        let l = track.length;
        let dd = d.rem_euclid(l);
        let (x, y, z) = if dd > l - 1.0 {
            // The tables wrap to the start within the last metre: extend the last metre instead.
            let (x, y, z) = track.position(l - 1.0);
            let h = track.heading(l - 1.0);
            let k = dd - (l - 1.0);
            (x + h.cos() * k, y + h.sin() * k, z)
        } else {
            track.position(dd)
        };
        let frac = dd / l;
        (x - frac * self.closure.0, -(y - frac * self.closure.1), z)
    }

    /// Direction of travel along the closed centre line at `d`: radians counterclockwise
    /// from east, seen from above.
    fn direction(&self, track: &Track, d: f64) -> f64 {
        let (e0, n0, _) = self.centre(track, d - 1.0);
        let (e1, n1, _) = self.centre(track, d + 1.0);
        (n1 - n0).atan2(e1 - e0)
    }

    fn set_position(&mut self, track: &Track, d: f64) {
        let (e, n, z) = self.centre(track, d);
        let h = self.direction(track, d);
        // Right of the direction (cos h, sin h) is (sin h, -cos h).
        let (oe, on) = (h.sin() * self.offset, -h.cos() * self.offset);
        self.car.pos = [e + oe, z, n + on];
        self.car.heading_rad = h;
    }

    /// Brings every channel up to date after `dt` seconds of driving (`v0` = speed before).
    pub(crate) fn update(&mut self, track: &Track, driver: &Driver, v0: f64, dt: f64) {
        let lag = |tau: f64| (dt / tau).min(1.0);
        let v = driver.v;
        let k = track.curvature(driver.d);
        let c = &mut self.car;
        c.speed_ms = v;
        let raw_long = (v - v0) / dt;
        c.accel_long += (raw_long - c.accel_long) * lag(0.04);
        c.accel_lat += (v * v * k - c.accel_lat) * lag(0.04);

        let (throttle, brake) = if driver.in_box() {
            (0.0, 0.3)
        } else if raw_long > 0.3 {
            ((0.55 + raw_long / 8.0).min(1.0), 0.0)
        } else if raw_long < -1.5 {
            (0.0, (-raw_long / 18.0).clamp(0.05, 1.0))
        } else {
            ((0.25 + 0.25 * (v / 80.0)).min(1.0), 0.0)
        };
        c.throttle += (throttle - c.throttle) * lag(0.05);
        c.brake += (brake - c.brake) * lag(0.04);
        c.steer_rad = (2.7 * k).atan() * 13.0 + self.noise.normal() * 0.002;

        // Gearbox: neutral when standing in the box, 1st to pull away, up/down with hysteresis.
        if driver.in_box() && v == 0.0 {
            c.gear = 0;
            self.gear_ix = 0;
            c.rpm += (IDLE_RPM - c.rpm) * lag(0.3);
            c.clutch = 0.0;
        } else {
            if rpm_for(v, self.gear_ix) > SHIFT_UP_RPM && self.gear_ix + 1 < RATIOS.len() {
                self.gear_ix += 1;
            } else if self.gear_ix > 0
                && rpm_for(v, self.gear_ix) < 4500.0
                && rpm_for(v, self.gear_ix - 1) < SHIFT_UP_RPM - 600.0
            {
                self.gear_ix -= 1;
            }
            c.gear = self.gear_ix as i32 + 1;
            let rpm = rpm_for(v, self.gear_ix);
            // Pulling away: the clutch slips until the wheels carry the engine above idle.
            c.clutch = if rpm < IDLE_RPM * 1.2 && self.gear_ix == 0 {
                1.0 - rpm / (IDLE_RPM * 1.2)
            } else {
                0.0
            };
            c.rpm = rpm.max(IDLE_RPM + 800.0 * c.clutch);
        }
        c.fuel_l = (c.fuel_l - (0.02 + c.throttle) * c.rpm * 8.5e-6 * dt).max(0.0);

        let base = v / WHEEL_RADIUS;
        let side = k * HALF_TRACK;
        let rear_slip = 1.0 + 0.01 * c.throttle;
        let front_slip = 1.0 - 0.02 * c.brake;
        c.wheel_speed = [
            base * (1.0 + side) * front_slip,
            base * (1.0 - side) * front_slip,
            base * (1.0 + side) * rear_slip,
            base * (1.0 - side) * rear_slip,
        ];
        let lt = c.accel_long / G;
        let lat = c.accel_lat / G;
        let load = [
            1.0 - 0.25 * lt + 0.3 * lat,
            1.0 - 0.25 * lt - 0.3 * lat,
            1.0 + 0.25 * lt + 0.3 * lat,
            1.0 + 0.25 * lt - 0.3 * lat,
        ];
        for (w, l) in load.iter().enumerate() {
            let target = ROAD_TEMP + 12.0 + 40.0 * l.max(0.0) * (v / 60.0).min(1.3);
            c.tyre_temp[w] += (target - c.tyre_temp[w]) * lag(25.0);
            c.tyre_pressure[w] = 25.0 + (c.tyre_temp[w] - 45.0) * 0.04;
            let heat = c.brake * v * if w < 2 { 2.6 } else { 1.8 };
            let cool = (c.brake_temp[w] - AIR_TEMP) * (0.008 + 0.0005 * v);
            c.brake_temp[w] += (heat - cool) * dt;
        }
        c.water_temp += (84.0 + 8.0 * c.throttle - c.water_temp) * lag(40.0);
        c.oil_temp += (92.0 + 12.0 * c.throttle - c.oil_temp) * lag(60.0);
        c.tyres_out = if driver.off_track { 4 } else { 0 };

        let target = lateral_target(track, driver);
        self.offset += (target - self.offset) * lag(0.6);
        self.set_position(track, driver.d);
        // Heading counts counterclockwise: a right-hand corner turns it down.
        let turn = wrap_angle(
            self.direction(track, driver.d + 0.5) - self.direction(track, driver.d - 0.5),
        );
        self.car.yaw_rate = v * turn;
    }

    /// The car was put back in its box (restart / new session): position and gear reset,
    /// temperatures and fuel carry on.
    pub(crate) fn reset_to_box(&mut self, track: &Track, driver: &Driver) {
        self.car.speed_ms = 0.0;
        self.car.throttle = 0.0;
        self.car.accel_long = 0.0;
        self.car.accel_lat = 0.0;
        self.car.yaw_rate = 0.0;
        self.car.wheel_speed = [0.0; 4];
        self.car.tyres_out = 0;
        self.car.rpm = IDLE_RPM;
        self.gear_ix = 0;
        self.place(track, driver);
    }
}

/// `a` in `[-π, π)`.
fn wrap_angle(a: f64) -> f64 {
    use std::f64::consts::{PI, TAU};
    (a + PI).rem_euclid(TAU) - PI
}

/// Where the centre line, integrated over one lap, ends relative to where it started.
fn closure_gap(track: &Track) -> (f64, f64) {
    let l = track.length;
    let (x0, y0, _) = track.position(0.0);
    let (x, y, _) = track.position(l - 1.0);
    let h = track.heading(l - 1.0);
    (x + h.cos() - x0, y + h.sin() - y0)
}

/// Where across the track the car is heading: the pit lane, the grass, or the racing line.
fn lateral_target(track: &Track, driver: &Driver) -> f64 {
    if driver.in_pit_lane() {
        // The pit lane runs beside the main straight; at entry and exit it joins the track.
        let pct = driver.pct();
        let from_entry = (pct - PIT_ENTRY).rem_euclid(1.0);
        let to_exit = (PIT_EXIT - pct).rem_euclid(1.0);
        let ramp = (from_entry.min(to_exit) * track.length / 60.0).min(1.0);
        PIT_OFFSET_M * ramp
    } else if driver.off_track {
        let k = track.curvature(driver.d);
        // Runs wide: outside of the corner (left in a right-hander).
        if k >= 0.0 {
            -OFF_TRACK_OFFSET_M
        } else {
            OFF_TRACK_OFFSET_M
        }
    } else {
        0.0
    }
}
