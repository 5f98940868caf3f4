//! Sessions and laps for the store tests, written out by hand (not produced by the code under test).

#![allow(dead_code)]

use ksana_laps::{Lap, Session};
use ksana_store::SessionMeta;

/// A lap that counts for bests with the given sector times.
pub fn clean_lap(number: u32, sectors: [u32; 3]) -> Lap {
    Lap {
        number,
        time_ms: Some(sectors.iter().sum()),
        sectors_ms: sectors.iter().map(|&s| Some(s)).collect(),
        valid: true,
        out_lap: false,
        in_lap: false,
        partial: false,
        invalid_reason: None,
        start_s: 100.0 * f64::from(number),
        end_s: 100.0 * f64::from(number) + 90.5,
    }
}

/// A session with no laps yet.
pub fn session(sim: &str, track: &str, car: &str, start_s: f64) -> Session {
    Session {
        sim: sim.into(),
        track: track.into(),
        car: car.into(),
        driver: "Ana".into(),
        session_type: "practice".into(),
        sector_count: Some(3),
        recording: Some("/rec/a.ksana".into()),
        start_s,
        end_s: start_s + 600.0,
        end_reason: "end_of_recording".into(),
        laps: Vec::new(),
    }
}

/// Where a session came from.
pub fn meta(source: &str, recorded_at: &str) -> SessionMeta {
    SessionMeta {
        source: source.into(),
        recorded_at: Some(recorded_at.into()),
    }
}
