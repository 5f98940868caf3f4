//! Sessions: menu, pause and replay, restarts, session changes.

mod common;

use common::{Drive, ident, run, times};
use ksana_laps::{LapTracker, SimState, TimingSample};

fn shifted(samples: Vec<TimingSample>, rec: f64) -> Vec<TimingSample> {
    samples
        .into_iter()
        .map(|mut s| {
            s.rec_time_s += rec;
            s
        })
        .collect()
}

#[test]
fn menu_ends_the_session_and_driving_again_starts_a_new_one() {
    let mut samples = Drive::new(&[90.0, 91.2, 30.0]).range(0.0, 190.0);
    for i in 0..50 {
        samples.push(TimingSample {
            rec_time_s: 190.0 + f64::from(i) * 0.1,
            state: SimState::Off,
            ..TimingSample::default()
        });
    }
    samples.extend(shifted(Drive::new(&[95.0, 20.0]).all(), 200.0));
    let (_, sessions) = run(&samples);
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].end_reason, "menu");
    assert_eq!(
        times(&sessions[0]),
        vec![(1, Some(90000)), (2, Some(91200)), (3, None)]
    );
    assert_eq!(times(&sessions[1]), vec![(1, Some(95000)), (2, None)]);
    assert_eq!(sessions[1].end_reason, "end_of_recording");
    assert!((sessions[0].end_s - 189.9).abs() < 1e-6);
    assert!((sessions[1].start_s - 200.0).abs() < 1e-6);
}

#[test]
fn off_without_a_session_does_nothing() {
    let mut tr = LapTracker::new();
    let ev = tr.push(&TimingSample {
        state: SimState::Off,
        completed_laps: Some(5),
        ..TimingSample::default()
    });
    assert!(ev.is_empty());
    assert!(tr.finish().is_empty());
}

#[test]
fn pause_and_replay_are_ignored() {
    let d = Drive::new(&[90.0, 91.2, 30.0]);
    let mut samples = d.range(0.0, 50.0);
    let paused = d.at(50.0).unwrap();
    for i in 0..20 {
        samples.push(TimingSample {
            rec_time_s: 50.0 + f64::from(i) * 0.1,
            state: SimState::Paused,
            ..paused.clone()
        });
    }
    // A replay of the session's start: fewer laps, earlier times, invalid laps.
    for i in 0..30 {
        let f = f64::from(i) * 0.1;
        samples.push(TimingSample {
            rec_time_s: 52.0 + f,
            sim_time_s: Some(10.0 + f),
            state: SimState::Replay,
            completed_laps: Some(if i < 15 { 0 } else { 3 }),
            current_lap_ms: Some(10_000.0 + f * 1000.0),
            last_lap_ms: Some(12_345.0),
            lap_invalid: true,
            lap_dist_pct: Some(0.1),
            ..paused.clone()
        });
    }
    samples.extend(shifted(d.range(50.0, f64::INFINITY), 5.0));
    let (_, sessions) = run(&samples);
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        times(&sessions[0]),
        vec![(1, Some(90000)), (2, Some(91200)), (3, None)]
    );
    assert!(sessions[0].laps[0].valid);
}

#[test]
fn restart_before_the_first_lap_completes_is_a_new_session() {
    let mut samples = Drive::new(&[90.0]).range(0.0, 30.0);
    samples.extend(shifted(Drive::new(&[92.0, 10.0]).all(), 30.0));
    let (_, sessions) = run(&samples);
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].end_reason, "restart");
    assert_eq!(times(&sessions[0]), vec![(1, None)]);
    assert_eq!(times(&sessions[1]), vec![(1, Some(92000)), (2, None)]);
}

#[test]
fn fewer_completed_laps_is_a_restart() {
    let d = Drive::new(&[90.0, 91.2, 30.0]);
    let mut samples = d.range(0.0, 100.0);
    let mut back = d.at(100.0).unwrap();
    back.rec_time_s = 100.0;
    back.completed_laps = Some(0);
    samples.push(back);
    let (_, sessions) = run(&samples);
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].end_reason, "restart");
    assert_eq!(times(&sessions[0]), vec![(1, Some(90000)), (2, None)]);
}

#[test]
fn session_type_change_with_no_laps_gives_two_sessions() {
    let mut samples = Vec::new();
    for (k, ty) in ["practice", "qualify"].into_iter().enumerate() {
        let id = ident(ty);
        for i in 0..100 {
            let t = k as f64 * 10.0 + f64::from(i) * 0.1;
            samples.push(TimingSample {
                rec_time_s: t,
                sim_time_s: Some(f64::from(i) * 0.1),
                state: SimState::Live,
                session: id.clone(),
                completed_laps: Some(0),
                current_lap_ms: Some(0.0),
                in_pit_lane: true,
                in_pit_box: true,
                lap_dist_pct: Some(0.93),
                ..TimingSample::default()
            });
        }
    }
    let (_, sessions) = run(&samples);
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].session_type, "practice");
    assert_eq!(sessions[1].session_type, "qualify");
    assert_eq!(sessions[0].end_reason, "session_change");
    assert!(
        sessions
            .iter()
            .all(|s| s.laps.iter().all(|l| l.time_ms.is_none()))
    );
    assert_eq!(sessions[1].track, "monza");
    assert_eq!(sessions[1].driver, "Test Driver");
}

#[test]
fn recording_name_and_interrupt() {
    let mut tr = LapTracker::with_recording("a.ksana");
    for s in Drive::new(&[90.0, 30.0]).range(0.0, 100.0) {
        tr.push(&s);
    }
    let ev = tr.interrupt(100.0);
    assert!(
        matches!(ev.last(), Some(ksana_laps::LapEvent::SessionEnded { reason, .. }) if reason == "disconnected")
    );
    let sessions = tr.finish();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].recording.as_deref(), Some("a.ksana"));
    assert_eq!(sessions[0].end_reason, "disconnected");
}
