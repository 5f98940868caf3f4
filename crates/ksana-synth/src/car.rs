//! The simulated car: follows the track's speed profile with a per-lap pace variation and
//! derives every other channel (pedals, gear, rpm, g-forces, wheels, temperatures, fuel, laps)
//! from it, so the channels are consistent with each other the way real telemetry is.

use crate::rng::SplitMix64;
use crate::track::{G, Track};

/// Gear ratios, 1st..6th, and final drive.
pub(crate) const RATIOS: [f64; 6] = [3.2, 2.4, 1.9, 1.55, 1.3, 1.12];
const FINAL_DRIVE: f64 = 3.0;
/// Tyre rolling radius, metres.
pub(crate) const WHEEL_RADIUS: f64 = 0.34;
/// Half the track width (left/right wheel spacing), metres.
pub(crate) const HALF_TRACK: f64 = 0.8;
pub(crate) const SHIFT_UP_RPM: f64 = 7600.0;
pub(crate) const IDLE_RPM: f64 = 2400.0;
/// Max rpm, as published by the sim.
pub(crate) const MAX_RPM: f64 = 8000.0;
/// Ambient and track temperatures, °C.
pub(crate) const AIR_TEMP: f64 = 24.0;
pub(crate) const ROAD_TEMP: f64 = 31.0;
/// Fuel at the start, litres; tank size.
pub(crate) const START_FUEL: f64 = 80.0;
pub(crate) const MAX_FUEL: f64 = 120.0;

pub(crate) fn rpm_for(v: f64, gear: usize) -> f64 {
    v / WHEEL_RADIUS * RATIOS[gear] * FINAL_DRIVE * 60.0 / std::f64::consts::TAU
}

/// Wheel order everywhere: FL, FR, RL, RR.
#[derive(Clone, Debug)]
pub(crate) struct Car {
    pub(crate) track: Track,
    /// Session time, seconds.
    pub(crate) time: f64,
    /// Lap distance, metres.
    pub(crate) dist: f64,
    /// Total distance driven, metres.
    pub(crate) total_dist: f64,
    /// Completed laps.
    pub(crate) laps: u32,
    pub(crate) lap_start: f64,
    pub(crate) last_lap: f64,
    pub(crate) best_lap: f64,
    pace: f64,
    pub(crate) speed: f64,
    /// Longitudinal and lateral acceleration, m/s² (filtered).
    pub(crate) accel_long: f64,
    pub(crate) accel_lat: f64,
    pub(crate) throttle: f64,
    pub(crate) brake: f64,
    /// Steering wheel angle, radians (positive = right).
    pub(crate) steer: f64,
    /// Gear index 0 = 1st.
    pub(crate) gear: usize,
    pub(crate) rpm: f64,
    pub(crate) fuel: f64,
    pub(crate) tyre_core: [f64; 4],
    /// Inner, middle, outer surface temperature per wheel.
    pub(crate) tyre_surface: [[f64; 3]; 4],
    pub(crate) tyre_pressure: [f64; 4],
    pub(crate) tyre_wear: [f64; 4],
    pub(crate) brake_temp: [f64; 4],
    /// Wheel angular speed, rad/s.
    pub(crate) wheel_speed: [f64; 4],
    pub(crate) susp_travel: [f64; 4],
    pub(crate) water_temp: f64,
    pub(crate) oil_temp: f64,
    pub(crate) yaw_rate: f64,
    pub(crate) pitch: f64,
    pub(crate) roll: f64,
    /// Curvature at the car, 1/m.
    pub(crate) curvature: f64,
    rng: SplitMix64,
}

impl Car {
    /// A car sitting on the start line at `speed` of the profile (a flying lap start).
    pub(crate) fn new(seed: u64) -> Car {
        let track = Track::standard();
        let mut rng = SplitMix64::new(seed);
        let start = rng.unit() * track.length;
        let speed = track.speed(start);
        Car {
            time: 0.0,
            dist: start,
            total_dist: 0.0,
            laps: 0,
            lap_start: 0.0,
            last_lap: 0.0,
            best_lap: 0.0,
            pace: 0.97 + 0.02 * rng.unit(),
            speed,
            accel_long: 0.0,
            accel_lat: 0.0,
            throttle: 0.5,
            brake: 0.0,
            steer: 0.0,
            gear: 3,
            rpm: 6000.0,
            fuel: START_FUEL,
            tyre_core: [62.0, 63.0, 60.0, 61.0],
            tyre_surface: [[62.0; 3]; 4],
            tyre_pressure: [26.0; 4],
            tyre_wear: [1.0; 4],
            brake_temp: [300.0; 4],
            wheel_speed: [speed / WHEEL_RADIUS; 4],
            susp_travel: [0.03; 4],
            water_temp: 86.0,
            oil_temp: 95.0,
            yaw_rate: 0.0,
            pitch: 0.0,
            roll: 0.0,
            curvature: 0.0,
            rng,
            track,
        }
    }

    /// Current lap time, seconds.
    pub(crate) fn current_lap_time(&self) -> f64 {
        self.time - self.lap_start
    }

    /// Gear as a 1-based number (1st = 1).
    pub(crate) fn gear_number(&self) -> i32 {
        self.gear as i32 + 1
    }

    /// Advance the simulation by `dt` seconds.
    pub(crate) fn step(&mut self, dt: f64) {
        let old_speed = self.speed;
        self.time += dt;
        self.speed = self.track.speed(self.dist) * self.pace;
        let step = self.speed * dt;
        self.dist += step;
        self.total_dist += step;
        if self.dist >= self.track.length {
            self.dist -= self.track.length;
            self.laps += 1;
            self.last_lap = self.time - self.lap_start;
            if self.best_lap == 0.0 || self.last_lap < self.best_lap {
                self.best_lap = self.last_lap;
            }
            self.lap_start = self.time;
            self.pace = 0.97 + 0.02 * self.rng.unit();
        }
        let lag = |tau: f64| (dt / tau).min(1.0);
        let raw_long = (self.speed - old_speed) / dt;
        self.accel_long += (raw_long - self.accel_long) * lag(0.04);
        self.curvature = self.track.curvature(self.dist);
        let raw_lat = self.speed * self.speed * self.curvature;
        self.accel_lat += (raw_lat - self.accel_lat) * lag(0.04);
        self.yaw_rate = self.speed * self.curvature;

        // Pedals: full throttle when accelerating, brake in proportion to deceleration,
        // part throttle to hold speed through corners.
        let (throttle_target, brake_target) = if self.accel_long > 0.4 {
            ((0.75 + self.accel_long / 8.0).min(1.0), 0.0)
        } else if self.accel_long < -1.5 {
            (0.0, (-self.accel_long / 16.0).clamp(0.0, 1.0))
        } else {
            (0.35 + 0.2 * (self.speed / 80.0), 0.0)
        };
        self.throttle += (throttle_target - self.throttle) * lag(0.06);
        self.brake += (brake_target - self.brake) * lag(0.04);
        self.steer = (2.7 * self.curvature).atan() * 13.0;

        // Gearbox with hysteresis.
        if rpm_for(self.speed, self.gear) > SHIFT_UP_RPM && self.gear + 1 < RATIOS.len() {
            self.gear += 1;
        } else if self.gear > 0
            && rpm_for(self.speed, self.gear) < 4500.0
            && rpm_for(self.speed, self.gear - 1) < SHIFT_UP_RPM - 600.0
        {
            self.gear -= 1;
        }
        self.rpm = rpm_for(self.speed, self.gear).max(IDLE_RPM);

        self.fuel -= (0.02 + self.throttle) * self.rpm * 8.5e-6 * dt;

        // Wheels: inner/outer speed from curvature, rear slip under power, front under brakes.
        let base = self.speed / WHEEL_RADIUS;
        let side = self.curvature * HALF_TRACK;
        let rear_slip =
            1.0 + 0.03 * self.throttle * (self.gear == 0) as u8 as f64 + 0.01 * self.throttle;
        let front_slip = 1.0 - 0.02 * self.brake;
        self.wheel_speed = [
            base * (1.0 + side) * front_slip,
            base * (1.0 - side) * front_slip,
            base * (1.0 + side) * rear_slip,
            base * (1.0 - side) * rear_slip,
        ];

        // Loads: longitudinal and lateral transfer.
        let lt = self.accel_long / G;
        let lat = self.accel_lat / G;
        let load = [
            1.0 - 0.25 * lt + 0.3 * lat,
            1.0 - 0.25 * lt - 0.3 * lat,
            1.0 + 0.25 * lt + 0.3 * lat,
            1.0 + 0.25 * lt - 0.3 * lat,
        ];
        let road = self.rng.normal() * 0.0008;
        #[allow(clippy::needless_range_loop)] // five parallel per-wheel arrays
        for w in 0..4 {
            let target_core =
                70.0 + 22.0 * load[w].max(0.0) * (self.speed / 60.0) + 0.3 * (w as f64);
            self.tyre_core[w] += (target_core - self.tyre_core[w]) * lag(25.0);
            for (z, t) in self.tyre_surface[w].iter_mut().enumerate() {
                let camber = [6.0, 3.0, 0.0][z];
                let target = self.tyre_core[w] + camber + 8.0 * (load[w] - 1.0);
                *t += (target - *t) * lag(1.5);
            }
            self.tyre_pressure[w] = 26.0 + (self.tyre_core[w] - 70.0) * 0.035;
            self.tyre_wear[w] -= 2e-7 * load[w].abs() * self.speed * dt;
            let heat = self.brake * self.speed * if w < 2 { 2.6 } else { 1.8 };
            let cool = (self.brake_temp[w] - AIR_TEMP) * (0.008 + 0.0005 * self.speed);
            self.brake_temp[w] += (heat - cool) * dt;
            let target_travel = 0.035 * load[w] + road;
            self.susp_travel[w] += (target_travel - self.susp_travel[w]) * lag(0.05);
        }
        self.water_temp += (84.0 + 8.0 * self.throttle - self.water_temp) * lag(40.0);
        self.oil_temp += (92.0 + 12.0 * self.throttle - self.oil_temp) * lag(60.0);
        self.pitch = -self.track.slope(self.dist).atan() + 0.004 * lt;
        self.roll = 0.012 * lat;
    }

    /// A gaussian sample for sensor noise, scaled.
    pub(crate) fn noise(&mut self, scale: f64) -> f64 {
        self.rng.normal() * scale
    }

    /// A uniform sample in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        self.rng.unit()
    }
}
