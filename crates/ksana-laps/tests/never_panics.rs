//! Random sample streams never panic, and every lap reported is a lap stored.

mod common;

use std::sync::Arc;

use ksana_laps::{LapEvent, LapTracker, SimState, TimingSample};
use proptest::prelude::*;

fn sample() -> impl Strategy<Value = TimingSample> {
    let ids = [common::ident("practice"), common::ident("race")];
    (
        (
            0u8..4,
            0usize..2,
            proptest::option::of(-10.0f64..400.0),
            proptest::option::of(0u32..6),
        ),
        (
            proptest::option::of(-2000.0f64..120_000.0),
            proptest::option::of(prop_oneof![Just(f64::NAN), 0.0f64..120_000.0]),
        ),
        (
            proptest::option::of(-0.1f64..1.1),
            proptest::option::of(0u32..4),
            proptest::option::of(0.0f64..100_000.0),
        ),
        (
            any::<[bool; 6]>(),
            proptest::option::of(0u32..4),
            0.0f64..2.0,
        ),
    )
        .prop_map(
            move |((st, id, sim, laps), (cur, last), (pct, sec, split), (flags, inc, dt))| {
                TimingSample {
                    rec_time_s: dt,
                    sim_time_s: sim,
                    state: [
                        SimState::Off,
                        SimState::Live,
                        SimState::Paused,
                        SimState::Replay,
                    ][st as usize],
                    session: ids[id].clone(),
                    completed_laps: laps,
                    current_lap_ms: cur,
                    last_lap_ms: last,
                    lap_dist_pct: pct,
                    sector_index: sec,
                    sector_count: Some(3),
                    sector_starts: if flags[5] {
                        Arc::from(vec![0.0, 0.3, 0.65])
                    } else {
                        Arc::from(Vec::new())
                    },
                    sim_split_ms: split,
                    lap_invalid: flags[0],
                    incidents: inc,
                    off_track: flags[1],
                    in_pit_lane: flags[2],
                    in_pit_box: flags[3],
                    reset: flags[4],
                }
            },
        )
}

proptest! {
    #[test]
    fn random_streams_never_panic(mut samples in proptest::collection::vec(sample(), 0..300)) {
        let mut rec = 0.0;
        for s in &mut samples {
            rec += s.rec_time_s;
            s.rec_time_s = rec;
        }
        let mut tr = LapTracker::new();
        let mut laps_reported = 0usize;
        let mut started = 0usize;
        for s in &samples {
            for e in tr.push(s) {
                match e {
                    LapEvent::LapFinished { .. } => laps_reported += 1,
                    LapEvent::LapAbandoned { lap, .. } => {
                        prop_assert!(lap.partial && lap.time_ms.is_none());
                        laps_reported += 1;
                    }
                    LapEvent::SessionStarted { .. } => started += 1,
                    LapEvent::SessionEnded { .. } => {}
                }
            }
        }
        for e in tr.interrupt(rec + 1.0) {
            if matches!(e, LapEvent::LapFinished { .. } | LapEvent::LapAbandoned { .. }) {
                laps_reported += 1;
            }
        }
        let sessions = tr.finish();
        prop_assert_eq!(sessions.len(), started);
        prop_assert_eq!(sessions.iter().map(|s| s.laps.len()).sum::<usize>(), laps_reported);
        for s in &sessions {
            prop_assert!(!s.end_reason.is_empty());
            for l in &s.laps {
                prop_assert!(l.sectors_ms.len() <= 3);
                prop_assert!(l.start_s <= l.end_s, "{:?}", l);
                prop_assert!(s.start_s <= l.start_s && l.end_s <= s.end_s, "{:?} in {} to {}", l, s.start_s, s.end_s);
            }
            for w in s.laps.windows(2) {
                prop_assert!(w[0].start_s <= w[1].start_s, "{:?}", w);
            }
        }
    }
}
