//! Real-looking drives with lost frames and interleaved pause/replay frames: laps that count
//! for bests always carry the true lap time, and sim-split sectors the true sector times.

mod common;

use common::Drive;
use ksana_laps::{LapTracker, SimState, TimingSample};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn counted_laps_are_true_under_lost_frames(
        laps in proptest::collection::vec(60.0f64..120.0, 2..5),
        sim_splits in any::<bool>(),
        holes in proptest::collection::vec((0usize..5000, 1usize..400), 0..5),
        noise in proptest::collection::vec((0usize..5000, 0u8..2, 0u32..9), 0..20),
        count_lag in prop_oneof![Just(0.0), 0.0f64..0.35],
        offs in proptest::collection::vec((0.0f64..480.0, 0.0f64..1.0), 0..4),
    ) {
        let mut d = Drive::new(&laps);
        d.sim_splits = sim_splits;
        d.count_lag = count_lag;
        let mut samples: Vec<TimingSample> = d.all();
        for s in &mut samples {
            s.off_track = offs.iter().any(|(at, len)| (*at..at + len).contains(&s.rec_time_s));
        }
        // True lap of a recording time.
        let bounds: Vec<f64> = laps.iter().scan(0.0, |acc, l| { *acc += l; Some(*acc) }).collect();
        let lap_of = |t: f64| bounds.iter().position(|&b| t < b).map_or(u32::MAX, |j| j as u32 + 1);
        let n = samples.len();
        let mut keep = vec![true; n];
        for (at, len) in &holes {
            for k in keep.iter_mut().skip(*at).take(*len) {
                *k = false;
            }
        }
        let mut stream = Vec::new();
        for (i, s) in samples.drain(..).enumerate() {
            for (at, kind, laps_shown) in &noise {
                if *at == i {
                    stream.push(TimingSample {
                        state: if *kind == 0 { SimState::Paused } else { SimState::Replay },
                        completed_laps: Some(*laps_shown),
                        current_lap_ms: Some(1234.0),
                        last_lap_ms: Some(55_555.0),
                        sim_time_s: Some(3.0),
                        lap_invalid: true,
                        reset: true,
                        ..s.clone()
                    });
                }
            }
            if keep[i] {
                stream.push(s);
            }
        }
        let mut off_laps: Vec<u32> = stream
            .iter()
            .filter(|s| s.state == SimState::Live && s.off_track)
            .map(|s| lap_of(s.rec_time_s))
            .collect();
        off_laps.dedup();
        let mut tr = LapTracker::new();
        for s in &stream {
            tr.push(s);
        }
        let sessions = tr.finish();
        prop_assert!(sessions.len() <= 1);
        for s in &sessions {
            for l in s.laps.iter().filter(|l| l.time_ms.is_some() && !l.partial) {
                prop_assert_eq!(l.valid, !off_laps.contains(&l.number), "{:?} off in {:?}", l, off_laps);
            }
            for l in s.laps.iter().filter(|l| l.counts_for_best()) {
                let len = laps[l.number as usize - 1];
                prop_assert_eq!(l.time_ms, Some((len * 1000.0).round() as u32), "{:?}", l);
                if sim_splits {
                    let truth = [0.3 * len, 0.35 * len, 0.35 * len];
                    for (k, got) in l.sectors_ms.iter().enumerate() {
                        if let Some(got) = got {
                            prop_assert!((f64::from(*got) - truth[k] * 1000.0).abs() <= 1.0, "lap {:?} sector {}", l, k);
                        }
                    }
                }
            }
        }
    }
}
