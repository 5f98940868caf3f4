//! What `ksana simulate --sim acc` publishes: every value a function of the page's packetId
//! (offsets from `shared/reference/layouts/acc_*.tsv`), so a reader can check each copy.

use crate::assetto::family::Patterns;
use crate::assetto::family::pattern::{physics_800, put_f32, put_i32, put_utf16};

/// The stand-in's pages.
pub(super) const PATTERNS: Patterns = Patterns {
    physics: physics_800,
    graphics,
    statics,
};

/// Graphics updates per simulated lap (90 s at 60 Hz).
const LAP: i32 = 5400;

fn lap_time(ms: i32) -> String {
    format!("{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}

/// Graphics for packetId `g` (60 Hz): a car lapping in 90 s, live, green flag.
fn graphics(p: &mut [u8], g: i32) {
    let g0 = g.max(0);
    let laps = g0 / LAP;
    let in_lap = g0 % LAP;
    let now_ms = in_lap * 50 / 3;
    put_i32(p, 0, g);
    put_i32(p, 4, 2); // status: ACC_LIVE
    put_i32(p, 8, 2); // session: ACC_RACE
    put_utf16(p, 12, 15, &lap_time(now_ms)); // currentTime
    let last = if laps > 0 { 90_000 } else { 0 };
    put_utf16(p, 42, 15, &lap_time(last)); // lastTime
    put_utf16(p, 72, 15, &lap_time(last)); // bestTime
    put_i32(p, 132, laps); // completedLaps
    put_i32(p, 136, 1 + laps % 3); // position
    put_i32(p, 140, now_ms); // iCurrentTime
    put_i32(p, 144, last); // iLastTime
    put_i32(p, 148, last); // iBestTime
    put_f32(p, 152, 1_800_000.0 - g0 as f32 * 16.0); // sessionTimeLeft (ms)
    put_f32(p, 156, g0 as f32 * 0.9); // distanceTraveled
    put_i32(p, 164, in_lap * 3 / LAP); // currentSectorIndex
    put_utf16(p, 176, 33, "dry_compound"); // tyreCompound
    put_f32(p, 248, in_lap as f32 / LAP as f32); // normalizedCarPosition
    put_i32(p, 252, 1); // activeCars
    put_i32(p, 976, 1); // carID[0]
    put_i32(p, 1216, 1); // playerCarID
    put_i32(p, 1224, 7); // flag: ACC_GREEN_FLAG
    put_f32(p, 1240, 1.0); // surfaceGrip
    put_i32(p, 1268, 3); // TC
    put_i32(p, 1276, 1); // EngineMap
    put_i32(p, 1280, 2); // ABS
    put_f32(p, 1284, 2.5); // fuelXLap
    put_f32(p, 1324, g0 as f32 * 0.0005); // usedFuel
    put_i32(p, 1408, 1); // isValidLap
    put_f32(p, 1412, 20.0); // fuelEstimatedLaps
    put_utf16(p, 1416, 33, "OPTIMUM"); // trackStatus
    put_f32(p, 1488, 14.0 * 3600.0 + g0 as f32 / 60.0); // Clock
    put_i32(p, 1556, 2); // trackGripStatus: OPTIMUM
    put_i32(p, 1580, 1500); // gapAhead
    put_i32(p, 1584, 1200); // gapBehind
}

/// The static page: a Porsche at Monza, SM version 1.9.
fn statics(p: &mut [u8]) {
    put_utf16(p, 0, 15, "1.9"); // smVersion
    put_utf16(p, 30, 15, "1.10.2"); // acVersion
    put_i32(p, 60, 1); // numberOfSessions
    put_i32(p, 64, 1); // numCars
    put_utf16(p, 68, 33, "porsche_992_gt3_r"); // carModel
    put_utf16(p, 134, 33, "monza"); // track
    put_utf16(p, 200, 33, "Ada"); // playerName
    put_utf16(p, 266, 33, "Lovelace"); // playerSurname
    put_utf16(p, 332, 33, "ADA"); // playerNick
    put_i32(p, 400, 3); // sectorCount
    put_i32(p, 412, 9250); // maxRpm
    put_f32(p, 416, 120.0); // maxFuel
    put_f32(p, 520, 5793.0); // trackSPlineLength
    put_i32(p, 596, 1); // isTimedRace
    put_utf16(p, 688, 33, "DHE2023"); // dryTyresName
    put_utf16(p, 754, 33, "WH2023"); // wetTyresName
}
