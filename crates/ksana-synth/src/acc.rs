//! The `AccLike` profile: Assetto Corsa Competizione's three shared-memory pages
//! (`acpmf_physics` 800 B at 333 Hz, `acpmf_graphics` 1588 B at 60 Hz, `acpmf_static` 820 B
//! written once), field for field in ACC 1.8's order, types and sizes.

use crate::car::{AIR_TEMP, Car, MAX_FUEL, MAX_RPM, ROAD_TEMP, WHEEL_RADIUS};
use crate::track::G;
use crate::writer::PageWriter;

/// Number of cars on track (the player is car 0).
pub(crate) const ACTIVE_CARS: usize = 24;

/// The other cars: lap-distance offset (m) and pace relative to the player.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    cars: Vec<(f64, f64)>,
}

impl Field {
    pub(crate) fn new(car: &mut Car) -> Field {
        let len = car.track.length;
        let cars = (1..ACTIVE_CARS)
            .map(|_| (car.unit() * len, 0.97 + 0.06 * car.unit()))
            .collect();
        Field { cars }
    }
}

/// `m:ss.mmm`, the way ACC prints lap times.
pub(crate) fn lap_string(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round().max(0.0) as u64;
    format!("{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}

/// `acpmf_physics` (800 bytes).
pub(crate) fn physics(car: &mut Car, packet: i32, w: &mut PageWriter) {
    let v = car.speed;
    let heading = car.track.heading(car.dist);
    let (x, y, z) = car.track.position(car.dist);
    w.i32(packet);
    let gas = (car.throttle + car.noise(0.002)).clamp(0.0, 1.0);
    w.f32(gas);
    w.f32(car.brake);
    w.f32(car.fuel);
    w.i32(car.gear_number() + 1); // ACC: 0 = R, 1 = N, 2 = 1st
    let rpm = car.rpm + car.noise(8.0);
    w.i32(rpm as i32);
    let steer = car.steer / 4.2 + car.noise(0.001);
    w.f32(steer);
    w.f32(v * 3.6 + car.noise(0.02));
    let vel = [v * heading.cos(), -v * car.pitch.sin(), v * heading.sin()];
    for c in vel {
        w.f32(c + car.noise(0.01));
    }
    let acc_g = [
        car.accel_lat / G + car.noise(0.01),
        car.noise(0.03),
        car.accel_long / G + car.noise(0.01),
    ];
    w.f32s(&acc_g);
    let slip = [0.0, 0.0, 0.02 * car.throttle, 0.02 * car.throttle];
    for s in slip {
        w.f32(s + car.noise(0.002).abs());
    }
    for i in 0..4 {
        let load = 3500.0 + car.susp_travel[i] * 20_000.0 + car.noise(15.0);
        w.f32(load);
    }
    for i in 0..4 {
        w.f32(car.tyre_pressure[i] + car.noise(0.002));
    }
    for i in 0..4 {
        w.f32(car.wheel_speed[i] + car.noise(0.05));
    }
    let wear = car.tyre_wear;
    w.f32s(&wear);
    w.f32s(&[0.0; 4]); // tyreDirtyLevel
    let core = car.tyre_core;
    w.f32s(&core);
    let camber = [-0.061 + car.roll, -0.061 - car.roll, -0.042, -0.042];
    w.f32s(&camber);
    for i in 0..4 {
        w.f32(car.susp_travel[i] + car.noise(0.0002));
    }
    w.f32(0.0); // drs
    w.f32(0.0); // tc
    w.f32(heading.rem_euclid(std::f64::consts::TAU) - std::f64::consts::PI);
    w.f32(car.pitch + car.noise(0.0005));
    w.f32(car.roll + car.noise(0.0005));
    w.f32(0.31 + car.noise(0.001)); // cgHeight
    w.f32s(&[0.0; 5]); // carDamage
    w.i32(0); // numberOfTyresOut
    w.i32(0); // pitLimiterOn
    w.f32(0.0); // abs
    w.f32(0.0); // kersCharge
    w.f32(0.0); // kersInput
    w.i32(1); // autoShifterOn
    w.f32s(&[0.062 - 0.004 * car.accel_long / G, 0.078]); // rideHeight
    w.f32(0.0); // turboBoost
    w.f32(0.0); // ballast
    w.f32(1.18); // airDensity
    w.f32(AIR_TEMP);
    w.f32(ROAD_TEMP);
    let ang = [
        car.noise(0.01),
        car.yaw_rate + car.noise(0.005),
        car.noise(0.01),
    ];
    w.f32s(&ang);
    w.f32((car.steer * 0.4 + car.noise(0.01)).clamp(-1.0, 1.0)); // finalFF
    w.f32(car.noise(0.05)); // performanceMeter
    w.i32s(&[0, 0, 0, 0, 0]); // engineBrake, ers*
    w.f32(0.0); // kersCurrentKJ
    w.i32s(&[0, 0]); // drsAvailable, drsEnabled
    let bt = car.brake_temp;
    w.f32s(&bt);
    w.f32(0.0); // clutch
    for zone in 0..3 {
        for i in 0..4 {
            let t = car.tyre_surface[i][zone] + car.noise(0.05);
            w.f32(t);
        }
    }
    w.i32(0); // isAIControlled
    for i in 0..4 {
        // Wheel offsets along (fore) and across (side) the car, in the ground plane; ACC's
        // world axes are x, y = up, z.
        let (fore, side) = ([1.3, 1.3, -1.3, -1.3][i], [-0.8, 0.8, -0.8, 0.8][i]);
        let (c, s) = (heading.cos(), heading.sin());
        w.f32s(&[x + fore * c - side * s, z, y + fore * s + side * c]);
    }
    for _ in 0..4 {
        let n = [car.noise(0.002), 1.0, car.noise(0.002)];
        w.f32s(&n);
    }
    for _ in 0..4 {
        w.f32s(&[heading.cos(), 0.0, heading.sin()]);
    }
    w.f32(0.58); // brakeBias
    let lv = [car.noise(0.02), car.noise(0.01), v];
    w.f32s(&lv);
    w.i32s(&[0, 0]); // P2P
    w.i32(MAX_RPM as i32); // currentMaxRpm
    for _ in 0..4 {
        let mz = car.accel_lat * 4.0 + car.noise(1.0);
        w.f32(mz);
    }
    for i in 0..4 {
        let fx = if i >= 2 {
            car.accel_long * 300.0
        } else {
            -car.brake * 3000.0
        } + car.noise(20.0);
        w.f32(fx);
    }
    for _ in 0..4 {
        let fy = car.accel_lat * 320.0 + car.noise(20.0);
        w.f32(fy);
    }
    for i in 0..4 {
        let sr = car.wheel_speed[i] * WHEEL_RADIUS / v.max(1.0) - 1.0 + car.noise(0.001);
        w.f32(sr);
    }
    for _ in 0..4 {
        let sa = car.curvature * 2.0 + car.noise(0.002);
        w.f32(sa);
    }
    w.i32(0); // tcinAction
    w.i32(0); // absInAction
    w.f32s(&[0.0; 4]); // suspensionDamage
    for i in 0..4 {
        w.f32(car.tyre_surface[i][1]);
    }
    w.f32(car.water_temp + car.noise(0.01));
    let bp = car.brake;
    w.f32s(&[bp, bp, bp * 0.8, bp * 0.8]);
    w.i32(1); // frontBrakeCompound
    w.i32(1); // rearBrakeCompound
    let pad = 29.0 - car.total_dist * 1e-6;
    w.f32s(&[pad, pad, pad + 0.4, pad + 0.4]);
    let disc = 32.0 - car.total_dist * 4e-7;
    w.f32s(&[disc; 4]);
    w.i32s(&[1, 0, 1]); // ignitionOn, starterEngineOn, isEngineRunning
    let vib = [
        0.0,
        (0.02 * car.throttle).max(0.0),
        car.accel_lat.abs() / 60.0,
        0.0,
    ];
    w.f32s(&vib);
}

/// `acpmf_graphics` (1588 bytes).
pub(crate) fn graphics(car: &mut Car, field: &Field, packet: i32, w: &mut PageWriter) {
    let len = car.track.length;
    w.i32(packet);
    w.i32(2); // status: live
    w.i32(0); // session: practice
    w.wstr(&lap_string(car.current_lap_time()), 15);
    w.wstr(&lap_string(car.last_lap), 15);
    w.wstr(&lap_string(car.best_lap), 15);
    w.wstr("", 15); // split
    w.i32(car.laps as i32);
    w.i32(7); // position
    w.i32((car.current_lap_time() * 1000.0) as i32);
    w.i32((car.last_lap * 1000.0) as i32);
    w.i32(if car.best_lap > 0.0 {
        (car.best_lap * 1000.0) as i32
    } else {
        i32::MAX
    });
    w.f32(3600.0 - car.time);
    w.f32(car.total_dist);
    w.i32(0); // isInPit
    w.i32(((car.dist / len) * 3.0) as i32); // currentSectorIndex
    w.i32(0); // lastSectorTime
    w.i32(0); // numberOfLaps
    w.wstr("dry_compound", 33);
    w.pad(2);
    w.f32(1.0); // replayTimeMultiplier
    w.f32(car.dist / len);
    w.i32(ACTIVE_CARS as i32);
    let mut coords = Vec::with_capacity(60 * 3);
    let (x, y, z) = car.track.position(car.dist);
    coords.extend_from_slice(&[x, z, y]);
    for &(offset, pace) in &field.cars {
        let d = (offset + car.total_dist * pace).rem_euclid(len);
        let (x, y, z) = car.track.position(d);
        coords.extend_from_slice(&[x, z, y]);
    }
    coords.resize(60 * 3, 0.0);
    w.f32s(&coords);
    let ids: Vec<i32> = (0..60)
        .map(|i| if i < ACTIVE_CARS as i32 { 1000 + i } else { 0 })
        .collect();
    w.i32s(&ids);
    w.i32(1000); // playerCarID
    w.f32(0.0); // penaltyTime
    w.i32(0); // flag
    w.i32(0); // penalty
    w.i32(0); // idealLineOn
    w.i32(0); // isInPitLane
    w.f32(0.99); // surfaceGrip
    w.i32(0); // mandatoryPitDone
    w.f32(2.5 + car.noise(0.01)); // windSpeed
    w.f32(210.0); // windDirection
    w.i32(0); // isSetupMenuVisible
    w.i32s(&[0, 0]); // display indices
    w.i32s(&[3, 2, 1, 2]); // TC, TCCut, EngineMap, ABS
    w.f32(2.9); // fuelXLap
    w.i32s(&[0, 0, 1]); // rainLights, flashingLights, lightsStage
    let exhaust = 520.0 + 180.0 * car.throttle + car.noise(0.5);
    w.f32(exhaust); // exhaustTemperature
    w.i32(0); // wiperLV
    w.i32((3_600_000.0 - car.time * 1000.0) as i32); // DriverStintTotalTimeLeft
    w.i32((3_600_000.0 - car.time * 1000.0) as i32); // DriverStintTimeLeft
    w.i32(0); // rainTyres
    w.i32(0); // sessionIndex
    w.f32(crate::car::START_FUEL - car.fuel);
    let delta = (car.current_lap_time() - car.dist / len * car.best_lap.max(88.0)) * 0.1;
    w.wstr(&format!("{delta:+.3}"), 15);
    w.pad(2);
    w.i32((delta * 1000.0) as i32);
    w.wstr(&lap_string(car.best_lap.max(88.0)), 15);
    w.pad(2);
    w.i32((car.best_lap.max(88.0) * 1000.0) as i32);
    w.i32((delta > 0.0) as i32);
    w.i32(0); // iSplit
    w.i32(1); // isValidLap
    w.f32(car.fuel / 2.9);
    w.wstr("OPTIMUM", 33);
    w.pad(2);
    w.i32(0); // missingMandatoryPits
    w.f32(14.0 * 3600.0 + car.time); // Clock
    w.i32s(&[0, 0]); // direction lights
    w.i32s(&[0, 0, 0, 0, 0, 1, 0, 0]); // Global flags (green)
    w.i32(1); // mfdTyreSet
    w.f32(0.0); // mfdFuelToAdd
    w.f32s(&[26.5, 26.5, 26.2, 26.2]);
    w.i32(2); // trackGripStatus
    w.i32s(&[0, 0, 0]); // rain intensity now / 10 / 30 min
    w.i32s(&[1, 1]); // current / strategy tyre set
    w.i32(1830); // gapAhead
    w.i32(2410); // gapBehind
}

/// `acpmf_static` (820 bytes): written once, never changes.
pub(crate) fn static_page(car: &Car, w: &mut PageWriter) {
    w.wstr("1.9", 15);
    w.wstr("1.9.8", 15);
    w.i32(1); // numberOfSessions
    w.i32(ACTIVE_CARS as i32);
    w.wstr("porsche_992_gt3_r", 33);
    w.wstr("synth_ring", 33);
    w.wstr("Sam", 33);
    w.wstr("Synth", 33);
    w.wstr("SYN", 33);
    w.pad(2);
    w.i32(3); // sectorCount
    w.f32(480.0); // maxTorque
    w.f32(370.0); // maxPower
    w.i32(MAX_RPM as i32);
    w.f32(MAX_FUEL);
    w.f32s(&[0.12, 0.12, 0.14, 0.14]);
    w.f32s(&[WHEEL_RADIUS, WHEEL_RADIUS, 0.345, 0.345]);
    w.f32(0.0); // maxTurboBoost
    w.f32s(&[0.0, 0.0]); // deprecated
    w.i32(1); // penaltiesEnabled
    w.f32s(&[1.0, 1.0, 1.0]); // aidFuelRate, aidTireRate, aidMechanicalDamage
    w.i32(1); // aidAllowTyreBlankets
    w.f32(0.0); // aidStability
    w.i32s(&[0, 1, 0, 0, 0]); // aidAutoClutch, aidAutoBlip, hasDRS, hasERS, hasKERS
    w.f32(0.0); // kersMaxJ
    w.i32s(&[0, 0]); // engineBrakeSettingsCount, ersPowerControllerCount
    w.f32(car.track.length);
    w.wstr("", 33); // trackConfiguration
    w.pad(2);
    w.f32(0.0); // ersMaxJ
    w.i32s(&[0, 0]); // isTimedRace, hasExtraLap
    w.wstr("synth_livery_07", 33);
    w.pad(2);
    w.i32s(&[0, 0, 0, 0]); // reversedGridPositions, PitWindowStart/End, isOnline
    w.wstr("DHE", 33);
    w.wstr("WH", 33);
}
