//! Laps: numbering, times, late lap times, jumps, restarts, the last lap on Off.

mod common;

use common::{Drive, run, times};
use ksana_laps::{LapEvent, LapTracker, SimState, TimingSample};

#[test]
fn normal_laps_have_the_sims_times_and_sectors() {
    let (ev, sessions) = run(&Drive::new(&[90.0, 91.2, 89.7, 30.0]).all());
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(
        times(s),
        vec![
            (1, Some(90000)),
            (2, Some(91200)),
            (3, Some(89700)),
            (4, None)
        ]
    );
    assert_eq!(
        s.laps[0].sectors_ms,
        vec![Some(27000), Some(31500), Some(31500)]
    );
    assert_eq!(
        s.laps[1].sectors_ms,
        vec![Some(27360), Some(31920), Some(31920)]
    );
    assert!(
        s.laps[..3]
            .iter()
            .all(|l| l.valid && !l.partial && !l.out_lap && !l.in_lap)
    );
    assert!(s.laps[3].partial && s.laps[3].time_ms.is_none());
    assert_eq!(s.end_reason, "end_of_recording");
    assert_eq!(s.sector_count, Some(3));
    // Lap ranges are contiguous and start at the line crossings.
    assert!((s.laps[1].start_s - 90.0).abs() < 0.11 && (s.laps[1].end_s - 181.2).abs() < 0.11);
    assert_eq!(s.laps[0].end_s, s.laps[1].start_s);
    let finished = ev
        .iter()
        .filter(|e| matches!(e, LapEvent::LapFinished { .. }))
        .count();
    assert_eq!(finished, 3);
    assert!(matches!(ev[0], LapEvent::SessionStarted { session: 0 }));
}

#[test]
fn mid_session_start_gives_a_partial_first_lap_numbered_by_the_sim() {
    let d = Drive::new(&[90.0, 91.2, 89.7, 90.5, 30.0]);
    let (_, sessions) = run(&d.range(200.0, f64::INFINITY));
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(
        times(s),
        vec![(3, Some(89700)), (4, Some(90500)), (5, None)]
    );
    let first = &s.laps[0];
    assert!(first.partial);
    // Sector 1 was joined in the middle; sectors 2 and 3 were observed end to end.
    assert_eq!(first.sectors_ms, vec![None, Some(31395), Some(31395)]);
    assert!(!s.laps[1].partial);
    assert!(s.laps[1].counts_for_best());
}

#[test]
fn late_last_lap_time_is_waited_for() {
    // iRacing: the last lap time updates ~0.8 s after the lap count.
    let d = Drive::new(&[90.0, 91.2, 91.2, 30.0]);
    let mut samples = d.all();
    for s in &mut samples {
        let t = s.rec_time_s;
        if (90.0..90.8).contains(&t) {
            s.last_lap_ms = None;
        }
        if (181.2..182.0).contains(&t) {
            s.last_lap_ms = Some(90000.0);
        }
    }
    let mut tr = LapTracker::new();
    let mut finished_at = Vec::new();
    for s in &samples {
        for e in tr.push(s) {
            if let LapEvent::LapFinished { lap, .. } = e {
                finished_at.push((lap.number, lap.time_ms, s.rec_time_s));
            }
        }
    }
    assert_eq!(finished_at.len(), 3);
    assert_eq!((finished_at[0].0, finished_at[0].1), (1, Some(90000)));
    assert!((finished_at[0].2 - 90.8).abs() < 0.11, "{finished_at:?}");
    assert_eq!((finished_at[1].0, finished_at[1].1), (2, Some(91200)));
    assert!((finished_at[1].2 - 182.0).abs() < 0.11, "{finished_at:?}");
    // Lap 3 has the same time as lap 2: the unchanged value is taken after 1.5 s.
    assert_eq!((finished_at[2].0, finished_at[2].1), (3, Some(91200)));
    assert!(
        (finished_at[2].2 - (272.4 + 1.5)).abs() < 0.21,
        "{finished_at:?}"
    );
    let sessions = tr.finish();
    assert_eq!(sessions[0].laps[1].end_s, sessions[0].laps[2].start_s);
    assert!((sessions[0].laps[1].end_s - 181.2).abs() < 0.11);
}

#[test]
fn completed_laps_jump_closes_the_lap_partial_and_skips_the_missing() {
    let d = Drive::new(&[90.0, 91.2, 89.7, 90.5, 30.0]);
    let samples: Vec<_> = d
        .all()
        .into_iter()
        .filter(|s| !(100.0..280.0).contains(&s.rec_time_s))
        .collect();
    let (_, sessions) = run(&samples);
    let s = &sessions[0];
    assert_eq!(
        times(s),
        vec![
            (1, Some(90000)),
            (2, Some(89700)),
            (4, Some(90500)),
            (5, None)
        ]
    );
    assert!(!s.laps[0].partial);
    assert!(s.laps[1].partial && s.laps[2].partial);
    assert_eq!(s.laps[1].sectors_ms[2], None);
    assert_eq!(s.laps[2].sectors_ms[0], None);
    assert!(!s.laps[1].counts_for_best() && !s.laps[2].counts_for_best());
}

#[test]
fn final_lap_completed_on_the_off_sample_is_kept() {
    let d = Drive::new(&[90.0, 91.2, 30.0]);
    let mut samples = d.range(0.0, 181.2);
    samples.push(TimingSample {
        rec_time_s: 181.25,
        state: SimState::Off,
        completed_laps: Some(2),
        last_lap_ms: Some(91200.0),
        ..TimingSample::default()
    });
    let (ev, sessions) = run(&samples);
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        times(&sessions[0]),
        vec![(1, Some(90000)), (2, Some(91200))]
    );
    assert_eq!(sessions[0].end_reason, "menu");
    assert!(matches!(ev.last(), Some(LapEvent::SessionEnded { reason, .. }) if reason == "menu"));
}

/// The car goes back to the pits at 40 s: the lap timer restarts with the same lap count.
fn reset_stream(flag: bool) -> Vec<TimingSample> {
    let mut samples = Drive::new(&[90.0, 30.0]).range(0.0, 40.0);
    let mut again = Drive::new(&[92.0, 10.0]);
    again.sim_offset = 40.0;
    for (i, mut s) in again.all().into_iter().enumerate() {
        s.rec_time_s += 40.0;
        s.in_pit_lane = s.rec_time_s < 43.0;
        s.reset = flag && i == 0;
        samples.push(s);
    }
    samples
}

#[test]
fn lap_timer_restart_without_increment_abandons_the_lap() {
    let (ev, sessions) = run(&reset_stream(false));
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(times(s), vec![(1, None), (1, Some(92000)), (2, None)]);
    let gone = &s.laps[0];
    assert!(gone.partial && !gone.valid);
    assert_eq!(gone.invalid_reason.as_deref(), Some("reset"));
    assert!(s.laps[1].out_lap && s.laps[1].valid);
    assert_eq!(s.laps[1].start_s, 40.0);
    assert!(
        ev.iter()
            .any(|e| matches!(e, LapEvent::LapAbandoned { lap, .. } if lap.number == 1))
    );
}

#[test]
fn reset_flag_restarts_the_lap_at_once() {
    let samples = reset_stream(true);
    let mut tr = LapTracker::new();
    let mut abandoned_at = None;
    for s in &samples {
        for e in tr.push(s) {
            if let LapEvent::LapAbandoned { lap, .. } = e {
                abandoned_at.get_or_insert((s.rec_time_s, lap));
            }
        }
    }
    let (at, lap) = abandoned_at.expect("abandoned");
    assert_eq!(at, 40.0);
    assert_eq!(lap.invalid_reason.as_deref(), Some("reset"));
    let sessions = tr.finish();
    assert_eq!(
        times(&sessions[0]),
        vec![(1, None), (1, Some(92000)), (2, None)]
    );
}

#[test]
fn without_a_lap_count_the_distance_wrap_is_the_line() {
    let mut samples = Drive::new(&[90.0, 91.2, 30.0]).all();
    samples.iter_mut().for_each(|s| s.completed_laps = None);
    let (_, sessions) = run(&samples);
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        times(&sessions[0]),
        vec![(1, Some(90000)), (2, Some(91200)), (3, None)]
    );
    assert!(sessions[0].laps[1].counts_for_best());
}

#[test]
fn lap_count_before_the_timer_reset_is_not_a_restart() {
    // The lap count goes up at the line; the lap timer shows the old lap for two more samples.
    let mut samples = Drive::new(&[90.0, 91.2, 30.0]).all();
    for s in samples
        .iter_mut()
        .filter(|s| (90.0..90.25).contains(&s.rec_time_s))
    {
        s.current_lap_ms = Some(90_000.0 + (s.rec_time_s - 90.0) * 1000.0);
    }
    let (ev, sessions) = run(&samples);
    assert_eq!(
        times(&sessions[0]),
        vec![(1, Some(90000)), (2, Some(91200)), (3, None)]
    );
    assert!(sessions[0].laps[1].valid && !sessions[0].laps[1].partial);
    let abandoned = ev
        .iter()
        .filter(|e| matches!(e, LapEvent::LapAbandoned { .. }))
        .count();
    assert_eq!(
        abandoned, 0,
        "only the final lap, abandoned by finish(), which reports no events"
    );
}

#[test]
fn sessions_shows_the_current_session_while_it_runs() {
    let mut tr = LapTracker::new();
    for s in Drive::new(&[90.0, 30.0]).range(0.0, 95.0) {
        tr.push(&s);
    }
    assert_eq!(tr.sessions().len(), 1);
    assert_eq!(times(&tr.sessions()[0]), vec![(1, Some(90000))]);
    assert!(tr.sessions()[0].end_reason.is_empty());
}

#[test]
fn placeholder_last_lap_time_is_not_a_time() {
    let mut samples = Drive::new(&[90.0, 91.2, 30.0]).all();
    samples
        .iter_mut()
        .filter(|s| s.rec_time_s < 181.2)
        .for_each(|s| s.last_lap_ms = Some(2_147_483_647.0));
    let (_, sessions) = run(&samples);
    // Lap 1's time is computed from the observed crossings (sample times: 0.0 to 90.0 s).
    assert_eq!(
        times(&sessions[0])[..2],
        [(1, Some(90000)), (2, Some(91200))]
    );
}
