//! The `IracingLike` profile: one 60 Hz telemetry row laid out like the variables of a 2024
//! iRacing `.ibt` disk row (1072 bytes, packed with no alignment, `SessionTime` f64 @0,
//! `SessionTick` i32 @8, …), plus the session-info YAML page (16 KiB, NUL-padded) that is
//! rewritten when a lap completes.

use crate::car::{AIR_TEMP, Car, MAX_FUEL, MAX_RPM, ROAD_TEMP};
use crate::rng::SplitMix64;
use crate::track::G;
use crate::writer::PageWriter;
use std::fmt::Write as _;

/// Size of the session-info page in bytes.
pub(crate) const YAML_PAGE_SIZE: usize = 16 * 1024;
/// First `SessionTick` of a synthetic session (iRacing sessions rarely start at 0).
pub(crate) const FIRST_TICK: i32 = 56_320;

fn tyre_corner(car: &mut Car, w: &mut PageWriter, i: usize) {
    w.f32(car.wheel_speed[i] + car.noise(0.05)); // speed
    w.f32(car.tyre_pressure[i] * 6.894_76 + car.noise(0.01)); // pressure, kPa
    w.f32(165.0); // coldPressure
    for z in 0..3 {
        w.f32(car.tyre_surface[i][z]); // tempL/M/R
    }
    for z in 0..3 {
        w.f32(car.tyre_surface[i][z] - 4.0); // tempCL/CM/CR (carcass)
    }
    for _ in 0..3 {
        w.f32(car.tyre_wear[i]); // wearL/M/R
    }
}

/// The telemetry row (1072 bytes).
pub(crate) fn row(car: &mut Car, tick: u64, w: &mut PageWriter) {
    let len = car.track.length;
    let v = car.speed;
    w.f64(car.time + 932.0); // SessionTime
    w.i32(FIRST_TICK + tick as i32); // SessionTick
    w.i32s(&[0, 4, 1]); // SessionNum, SessionState, SessionUniqueID
    w.u32(0x0004_0000); // SessionFlags
    w.f64(604_800.0); // SessionTimeRemain (unlimited)
    w.i32s(&[32_767, 32_767]); // SessionLapsRemain, ...Ex
    w.f64(604_800.0); // SessionTimeTotal
    w.i32s(&[32_767, 0]); // SessionLapsTotal, SessionJokerLapsRemain
    w.bool(false); // SessionOnJokerLap
    w.f32(50_400.0 + car.time); // SessionTimeOfDay
    for _ in 0..5 {
        w.bool(false); // DriverMarker, PushToTalk, PushToPass, ManualBoost, ManualNoBoost
    }
    w.bool(true); // IsOnTrack
    let fps = 144.0 + car.noise(3.0);
    w.f32(fps); // FrameRate
    let cpu = 0.35 + car.noise(0.02);
    w.f32(cpu);
    let gpu = 0.71 + car.noise(0.02);
    w.f32(gpu);
    w.f32s(&[0.0; 4]); // Chan* (offline)
    let bg = 0.12 + car.noise(0.01);
    w.f32(bg); // CpuUsageBG
    w.f32(0.0); // ChanClockSkew
    w.f32s(&[0.0, 0.0]); // MemPageFaultSec, MemSoftPageFaultSec
    w.i32s(&[0, 0, 4011, 3, 2, 0, 0, 0, 0]); // PlayerCar*
    w.f32s(&[0.0, 0.0]); // weight penalty, power adjust
    w.i32(0); // PlayerCarDryTireSetLimit
    w.f32(0.0); // PlayerCarTowTime
    w.bool(false); // PlayerCarInPitStall
    w.i32s(&[0, 0, 0, 4]); // PitSvStatus, TireCompound, FastRepairsUsed, PaceMode
    w.bool(false); // OnPitRoad
    let steer = -car.steer + car.noise(0.002);
    w.f32(steer); // SteeringWheelAngle (iRacing: positive = left)
    let thr = (car.throttle + car.noise(0.002)).clamp(0.0, 1.0);
    w.f32(thr);
    w.f32(car.brake);
    w.f32(1.0); // Clutch (1 = engaged in iRacing)
    w.i32(car.gear_number());
    let rpm = car.rpm + car.noise(5.0);
    w.f32(rpm);
    w.i32(car.laps as i32 + 1); // Lap
    w.i32(car.laps as i32); // LapCompleted
    w.f32(car.dist);
    w.f32(car.dist / len);
    w.i32(car.laps.saturating_sub(1) as i32); // LapBestLap
    w.f32(car.best_lap);
    w.f32(car.last_lap);
    w.f32(car.current_lap_time());
    w.i32(car.laps as i32); // LapLasNLapSeq
    w.f32(car.last_lap);
    w.i32(car.laps.saturating_sub(1) as i32);
    w.f32(car.best_lap);
    let reference = car.best_lap.max(88.0) * car.dist / len;
    for k in 0..5 {
        let d = car.current_lap_time() - reference + 0.05 * k as f64;
        w.f32(d);
        w.f32(0.01 * d); // _DD
        w.bool(car.laps > 0); // _OK
    }
    w.f32(v + car.noise(0.005)); // Speed
    let heading = car.track.heading(car.dist);
    w.f32(heading);
    w.f32(heading + 0.31); // YawNorth
    w.f32(car.pitch);
    w.f32(car.roll);
    w.i32(0); // EnterExitReset
    let (x, y, z) = car.track.position(car.dist);
    w.f64(47.2197 + y / 111_320.0); // Lat
    w.f64(14.7647 + x / 75_600.0); // Lon
    w.f32(z + 680.0); // Alt
    w.f32s(&[ROAD_TEMP, ROAD_TEMP, AIR_TEMP]); // TrackTemp, TrackTempCrew, AirTemp
    w.i32s(&[1, 1]); // TrackWetness, Skies
    w.f32s(&[1.16, 94_100.0, 1.2, 3.9, 0.45, 0.0, 0.0, 0.61, 2.3]); // weather
    w.bool(false); // WeatherDeclaredWet
    w.bool(true); // PitsOpen
    w.f32s(&[0.0, 0.0]); // PitRepairLeft, PitOptRepairLeft
    w.bool(false); // PitstopActive
    w.i32s(&[0, 1]); // FastRepairUsed, FastRepairAvailable
    w.i32s(&[0; 9]); // tires used
    w.i32s(&[255; 9]); // tires available
    w.bool(true); // IsOnTrackCar
    w.f32(7.85); // SteeringWheelAngleMax
    w.f32(0.93); // ShiftPowerPct
    w.f32(0.0); // ShiftGrindRPM
    w.f32(thr); // ThrottleRaw
    w.f32(car.brake); // BrakeRaw
    w.f32(1.0); // ClutchRaw
    w.f32(0.0); // HandbrakeRaw
    w.bool(false); // BrakeABSactive
    w.f32(0.0); // BrakeABScutPct
    w.u32(0); // EngineWarnings
    w.f32(car.fuel / MAX_FUEL);
    w.u32(0); // PitSvFlags
    w.f32s(&[165.0, 165.0, 165.0, 165.0, 0.0]); // PitSv pressures, fuel
    w.i32(0); // PitSvTireCompound
    let torque_pct = (car.steer * 0.3).abs() + car.noise(0.005).abs();
    w.f32s(&[torque_pct, torque_pct, 0.0, 1.0, 0.0, 0.0, 0.0, 15.0]);
    w.bool(false); // SteeringWheelUseLinear
    w.f32((car.rpm / MAX_RPM - 0.85).max(0.0) * 6.0); // ShiftIndicatorPct
    w.f32s(&[0.0; 4]); // rumble
    for _ in 0..6 {
        let t = car.steer * 3.5 + car.noise(0.15);
        w.f32(t); // SteeringWheelTorque_ST (360 Hz sub-samples)
    }
    let t = car.steer * 3.5 + car.noise(0.15);
    w.f32(t);
    let vz = car.noise(0.02);
    w.f32(vz);
    let vy = car.noise(0.05);
    w.f32(vy);
    w.f32(v); // VelocityX
    w.f32(car.yaw_rate + car.noise(0.003));
    let pr = car.noise(0.01);
    w.f32(pr);
    let rr = car.noise(0.01);
    w.f32(rr);
    let vert = G + car.noise(0.3);
    w.f32(vert);
    let lat = car.accel_lat + car.noise(0.1);
    w.f32(lat);
    let long = car.accel_long + car.noise(0.1);
    w.f32(long);
    for _ in 0..4 {
        w.bool(false); // dc toggles
    }
    w.f32s(&[0.0, 0.0, 3.0, 56.0, 0.0, 0.0, 0.0, 6.0]); // dp/dc settings
    w.f32s(&[165.0; 4]); // cold pressures
    w.f32s(&[1.0, 1.0, 5.0, 3.0, 7.0]); // MGU-K, dash, diff
    w.i32(0); // DRS_Status
    tyre_corner(car, w, 1); // RF
    tyre_corner(car, w, 0); // LF
    let fuel_per_hour = (0.02 + car.throttle) * car.rpm * 8.5e-6 * 3600.0 * 0.75;
    w.f32(fuel_per_hour);
    let volt = 13.8 + car.noise(0.01);
    w.f32(volt);
    w.f32(car.water_temp);
    w.f32(1.0); // WaterLevel
    w.f32(3.2); // FuelPress
    w.f32(car.oil_temp);
    let oilp = 2.0 + car.rpm / 2000.0 + car.noise(0.01);
    w.f32(oilp);
    w.f32(1.0); // OilLevel
    let manifold = 0.3 + 0.7 * car.throttle + car.noise(0.002);
    w.f32(manifold);
    w.f32s(&[0.0; 7]); // MGU-K/H, ERS
    w.f32(car.fuel * 0.75); // FuelLevel (kg-ish litres in iRacing)
    w.f32(rpm); // Engine0_RPM
    tyre_corner(car, w, 3); // RR
    tyre_corner(car, w, 2); // LR
    for i in 0..4 {
        let defl = car.susp_travel[i] + car.noise(0.0003);
        w.f32(defl);
        let vel = car.noise(0.02);
        w.f32(vel);
    }
    for i in 0..4 {
        let h = 0.055 + (0.035 - car.susp_travel[i]) + car.noise(0.0002);
        w.f32(h);
    }
    let cf = 0.058 + car.noise(0.0002);
    w.f32(cf); // CFSRrideHeight
}

/// Deterministic driver names for the YAML.
pub(crate) fn driver_names(seed: u64) -> Vec<String> {
    const FIRST: &[&str] = &[
        "Alex", "Maria", "Jonas", "Aiko", "Pedro", "Lena", "Tom", "Nina", "Omar", "Eva",
    ];
    const LAST: &[&str] = &[
        "Berg", "Costa", "Dahl", "Ito", "Kovac", "Lind", "Moreau", "Novak", "Ruiz", "Weber",
    ];
    let mut r = SplitMix64::new(seed ^ 0x005E_ED0F_D41E);
    (0..24)
        .map(|_| {
            let f = FIRST[(r.next_u64() % FIRST.len() as u64) as usize];
            let l = LAST[(r.next_u64() % LAST.len() as u64) as usize];
            format!("{f} {l}")
        })
        .collect()
}

/// The session-info page: YAML text, NUL-padded to [`YAML_PAGE_SIZE`].
pub(crate) fn session_yaml(car: &Car, names: &[String], update: u32, page: &mut Vec<u8>) {
    let mut s = String::with_capacity(YAML_PAGE_SIZE);
    let _ = write!(
        s,
        "---\nWeekendInfo:\n TrackName: synth ring\n TrackID: 9001\n TrackLength: {:.2} km\n \
         TrackDisplayName: Synthetic Ring\n TrackCity: Nowhere\n TrackCountry: Austria\n \
         TrackAltitude: 680.00 m\n TrackNumTurns: 8\n TrackType: road course\n \
         TrackWeatherType: Static\n TrackSkies: Partly Cloudy\n TrackSurfaceTemp: {ROAD_TEMP:.2} C\n \
         TrackAirTemp: {AIR_TEMP:.2} C\n SeriesID: 0\n SessionID: 0\n SubSessionID: 0\n \
         Official: 0\n EventType: Test\n Category: Road\n SimMode: full\n NumCarClasses: 1\n \
         NumCarTypes: 1\n WeekendOptions:\n  NumStarters: 0\n  StartingGrid: single file\n  \
         QualifyScoring: best lap\n  IsFixedSetup: 0\n TelemetryOptions:\n  TelemetryDiskFile: \"\"\n\n\
         SessionInfo:\n Sessions:\n - SessionNum: 0\n   SessionLaps: unlimited\n   \
         SessionTime: unlimited\n   SessionType: Offline Testing\n   SessionName: TESTING\n   \
         ResultsPositions:\n",
        car.track.length / 1000.0
    );
    for i in 0..names.len() {
        let laps = car.laps.saturating_sub((i % 3) as u32);
        let fast = if car.best_lap > 0.0 {
            car.best_lap + 0.137 * i as f64
        } else {
            -1.0
        };
        let _ = write!(
            s,
            "   - Position: {}\n     ClassPosition: {}\n     CarIdx: {}\n     Lap: {}\n     \
             Time: {:.4}\n     FastestLap: {}\n     FastestTime: {:.4}\n     LastTime: {:.4}\n     \
             LapsLed: 0\n     LapsComplete: {}\n     LapsDriven: {:.3}\n     Incidents: {}\n     \
             ReasonOutId: 0\n     ReasonOutStr: Running\n",
            i + 1,
            i,
            i,
            laps,
            fast,
            laps.saturating_sub(1),
            fast,
            car.last_lap,
            laps,
            laps as f64,
            i % 4
        );
    }
    let _ = write!(
        s,
        "\nDriverInfo:\n DriverCarIdx: 0\n DriverUserID: 123456\n DriverCarIdleRPM: 2400.000\n \
         DriverCarRedLine: {MAX_RPM:.3}\n DriverCarFuelMaxLtr: {MAX_FUEL:.3}\n Drivers:\n"
    );
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            s,
            " - CarIdx: {i}\n   UserName: {name}\n   UserID: {}\n   CarNumber: \"{}\"\n   \
             CarScreenName: Synth GT3\n   CarClassID: 4011\n   IRating: {}\n   LicString: A 3.{:02}\n",
            100_000 + i * 7919,
            i + 2,
            1500 + i * 97,
            i * 3 % 100
        );
    }
    let _ = write!(
        s,
        "\nCarSetup:\n UpdateCount: {update}\n TiresAero:\n  LeftFront:\n   StartingPressure: 165.0 kPa\n  \
         RightFront:\n   StartingPressure: 165.0 kPa\n Chassis:\n  Front:\n   ArbBlades: 3\n   \
         BrakeBias: 56.0%\n\n...\n"
    );
    page.clear();
    page.extend_from_slice(s.as_bytes());
    page.resize(YAML_PAGE_SIZE, 0);
}
