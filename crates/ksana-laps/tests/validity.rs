//! Validity latched per lap, with ACC's ordering at the line; out-laps and in-laps.

mod common;

use common::{Drive, run, times};
use ksana_laps::{TimingSample, analyse};

/// Three laps (line at 90.0 and 181.2); `edit` changes samples by recording time.
fn drive(edit: impl Fn(&mut TimingSample)) -> Vec<ksana_laps::Session> {
    let mut samples = Drive::new(&[90.0, 91.2, 89.7, 30.0]).all();
    samples.iter_mut().for_each(edit);
    run(&samples).1
}

/// ACC at the line of lap 2 (181.2 s): the lap timer and lap_invalid reset at 181.2, the lap
/// count follows two samples later.
fn acc_line(s: &mut TimingSample) {
    let t = s.rec_time_s;
    if (181.15..181.35).contains(&t) {
        s.completed_laps = Some(1);
        s.last_lap_ms = Some(90000.0);
    }
}

#[test]
fn invalidation_mid_lap_sticks_to_that_lap() {
    let sessions = drive(|s| {
        s.off_track = (40.0..40.5).contains(&s.rec_time_s);
    });
    let l = &sessions[0].laps;
    assert!(!l[0].valid);
    assert_eq!(l[0].invalid_reason.as_deref(), Some("off_track"));
    assert!(l[1].valid && l[2].valid);
}

#[test]
fn invalidation_in_the_last_half_second_sticks_with_acc_ordering() {
    let sessions = drive(|s| {
        acc_line(s);
        s.lap_invalid = (180.75..181.15).contains(&s.rec_time_s);
    });
    let s = &sessions[0];
    assert_eq!(
        times(s)[..3],
        [(1, Some(90000)), (2, Some(91200)), (3, Some(89700))]
    );
    assert!(!s.laps[1].valid);
    assert_eq!(s.laps[1].invalid_reason.as_deref(), Some("sim"));
    assert!(s.laps[2].valid, "{:?}", s.laps[2]);
    // Lap 3 began at the timer's reset, before the lap count went up.
    assert!(
        (s.laps[2].start_s - 181.2).abs() < 0.06,
        "{}",
        s.laps[2].start_s
    );
    assert_eq!(s.laps[1].end_s, s.laps[2].start_s);
}

#[test]
fn invalidation_right_after_the_line_does_not_mark_the_previous_lap() {
    let sessions = drive(|s| {
        acc_line(s);
        s.lap_invalid = (181.15..181.35).contains(&s.rec_time_s);
    });
    let s = &sessions[0];
    assert!(s.laps[1].valid, "{:?}", s.laps[1]);
    assert!(!s.laps[2].valid);
    assert_eq!(s.laps[2].number, 3);
}

#[test]
fn incident_increase_invalidates_the_lap_it_happens_in() {
    let sessions = drive(|s| {
        s.incidents = Some(if s.rec_time_s >= 100.0 { 2 } else { 0 });
    });
    let l = &sessions[0].laps;
    assert!(l[0].valid);
    assert_eq!(l[1].invalid_reason.as_deref(), Some("incident"));
    assert!(l[2].valid);
}

#[test]
fn out_lap_and_in_lap() {
    // Laps end at 90.0, 181.2, 270.9. Start in the box; pit entry before the line of lap 3;
    // lap 4 starts in the pit lane.
    let sessions = drive(|s| {
        let t = s.rec_time_s;
        s.in_pit_box = t < 3.0;
        s.in_pit_lane = !(5.0..268.0).contains(&t);
    });
    let l = &sessions[0].laps;
    assert!(l[0].out_lap && !l[0].in_lap);
    assert!(!l[1].out_lap && !l[1].in_lap);
    assert!(l[2].in_lap && !l[2].out_lap);
    assert!(l[3].out_lap);
    let a = analyse(&sessions[0]);
    assert_eq!(a.best_lap, Some((2, 91200)));
    assert_eq!(a.counted_laps, 1);
}
