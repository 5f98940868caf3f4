//! Sector times: the sim's cumulative splits differenced; distance interpolation.

mod common;

use common::{Drive, run};
use ksana_laps::engine::interp::{crossing_time, wrap_crossing_time};

#[test]
fn cumulative_sim_splits_are_differenced_even_when_late() {
    let d = Drive::new(&[90.0, 91.2, 30.0]);
    let mut samples = d.all();
    // The split arrives two samples after the sector index changes (lap 1 only).
    let mut held: Option<f64> = None;
    let mut lag = 0;
    for s in samples.iter_mut().filter(|s| s.rec_time_s < 90.0) {
        if s.sim_split_ms != held && lag < 2 {
            lag += 1;
            s.sim_split_ms = held;
            continue;
        }
        lag = 0;
        held = s.sim_split_ms;
    }
    let (_, sessions) = run(&samples);
    let l = &sessions[0].laps;
    assert_eq!(l[0].sectors_ms, vec![Some(27000), Some(31500), Some(31500)]);
    assert_eq!(l[1].sectors_ms, vec![Some(27360), Some(31920), Some(31920)]);
    assert_eq!(
        l[1].sectors_ms.iter().map(|s| s.unwrap()).sum::<u32>(),
        91200
    );
}

#[test]
fn a_missing_split_blanks_its_sector_and_the_next() {
    let d = Drive::new(&[90.0, 91.2, 30.0]);
    let mut samples = d.all();
    // Lap 2's first split never changes (the sim keeps the old value).
    for s in samples
        .iter_mut()
        .filter(|s| (90.0..140.0).contains(&s.rec_time_s))
    {
        s.sim_split_ms = Some(58500.0);
    }
    let (_, sessions) = run(&samples);
    assert_eq!(
        sessions[0].laps[1].sectors_ms,
        vec![None, None, Some(31920)]
    );
    assert_eq!(sessions[0].laps[1].time_ms, Some(91200));
}

#[test]
fn interpolation_is_exact_on_a_constant_speed_stream() {
    // 90 s laps sampled at 60 Hz from an offset, so no boundary falls on a sample.
    let lap_s = 90.0;
    let dt = 1.0 / 60.0;
    let starts = [0.3, 0.65];
    let mut checked = 0;
    for i in 0..(60 * 200) {
        let t0 = 0.0037 + f64::from(i) * dt;
        let t1 = t0 + dt;
        let p0 = (t0 / lap_s).fract();
        let p1 = (t1 / lap_s).fract();
        let lap0 = (t0 / lap_s).floor();
        for b in starts {
            if let Some(t) = crossing_time(p0, t0, p1, t1, b) {
                let exact = (lap0 + b) * lap_s;
                assert!(((t - exact) * 1000.0).abs() < 1e-6, "b {b}: {t} vs {exact}");
                checked += 1;
            }
        }
        if let Some(t) = wrap_crossing_time(p0, t0, p1, t1) {
            let exact = (lap0 + 1.0) * lap_s;
            assert!(((t - exact) * 1000.0).abs() < 1e-6, "line: {t} vs {exact}");
            checked += 1;
        }
    }
    // Boundaries at 27, 58.5, 117, 148.5 s; the line at 90 and 180 s.
    assert_eq!(checked, 6);
    assert_eq!(crossing_time(0.5, 1.0, 0.4, 2.0, 0.45), None);
    assert_eq!(wrap_crossing_time(0.5, 1.0, 0.05, 2.0), None);
}

#[test]
fn sectors_by_distance_in_the_engine() {
    let mut d = Drive::new(&[90.0, 91.2, 89.7, 30.0]);
    d.sim_splits = false;
    d.dt = 0.07;
    let (_, sessions) = run(&d.all());
    let s = &sessions[0];
    assert_eq!(s.sector_count, Some(3));
    // Lap 1 began with the session (no line crossing seen): its start comes from the sim's
    // lap timer (sim time − current lap time), so S1 = 0.3 × 90 s.
    assert_eq!(
        s.laps[0].sectors_ms,
        vec![Some(27000), Some(31500), Some(31500)]
    );
    assert_eq!(
        s.laps[1].sectors_ms,
        vec![Some(27360), Some(31920), Some(31920)]
    );
    assert_eq!(
        s.laps[2].sectors_ms,
        vec![Some(26910), Some(31395), Some(31395)]
    );
}

#[test]
fn lap_time_from_line_crossings_when_the_sim_gives_none() {
    let mut d = Drive::new(&[90.0, 91.2, 89.7, 30.0]);
    d.sim_splits = false;
    d.dt = 0.07;
    let mut samples = d.all();
    samples.iter_mut().for_each(|s| s.last_lap_ms = None);
    let (_, sessions) = run(&samples);
    let s = &sessions[0];
    assert_eq!(s.laps[1].time_ms, Some(91200));
    assert_eq!(s.laps[2].time_ms, Some(89700));
    assert_eq!(
        s.laps[1].sectors_ms,
        vec![Some(27360), Some(31920), Some(31920)]
    );
}

#[test]
fn pit_lane_samples_reject_distance_crossings() {
    let mut d = Drive::new(&[90.0, 91.2, 89.7, 30.0]);
    d.sim_splits = false;
    let mut samples = d.all();
    for s in samples.iter_mut() {
        // In the pit lane around the first boundary of lap 2 (90 + 0.3·91.2 = 117.36 s).
        s.in_pit_lane = (117.0..117.8).contains(&s.rec_time_s);
    }
    let (_, sessions) = run(&samples);
    assert_eq!(
        sessions[0].laps[1].sectors_ms,
        vec![None, None, Some(31920)]
    );
}
