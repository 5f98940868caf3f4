//! Scenario tests: each scenario's book (sessions, lap numbers, flags) is asserted against what
//! the brief scripts, lap times against plausible bounds, the published timing against the
//! book, and the run against itself (determinism) and other step sizes (stability).

use super::*;

/// Steps until the scenario finishes (or `max_s` of world time), collecting every state.
fn run(scenario: Scenario, seed: u64, dt: f64, max_s: f64) -> (World, Vec<WorldState>) {
    let mut w = World::new(scenario, seed);
    let mut states = vec![w.state().clone()];
    while !w.finished() && w.state().time_s < max_s {
        states.push(w.step(dt).clone());
    }
    (w, states)
}

/// (number, finished, valid, out_lap, in_lap, partial) per lap.
type Shape = (u32, bool, bool, bool, bool, bool);

fn shape(s: &TruthSession) -> Vec<Shape> {
    s.laps
        .iter()
        .map(|l| {
            (
                l.number,
                l.time_ms.is_some(),
                l.valid,
                l.out_lap,
                l.in_lap,
                l.partial,
            )
        })
        .collect()
}

// Shorthands for lap shapes.
const fn out(n: u32) -> Shape {
    (n, true, true, true, false, false)
}
const fn flying(n: u32) -> Shape {
    (n, true, true, false, false, false)
}
const fn invalid(n: u32) -> Shape {
    (n, true, false, false, false, false)
}
const fn inlap(n: u32) -> Shape {
    (n, true, true, false, true, false)
}
const fn unfinished(n: u32, out_lap: bool) -> Shape {
    (n, false, false, out_lap, false, true)
}

/// Runs `scenario` at `dt` and checks the book's shape: one entry per session, (type, laps).
fn check_shape(scenario: Scenario, dt: f64, expected: &[(&str, Vec<Shape>)]) -> Truth {
    let (w, _) = run(scenario, 7, dt, 2000.0);
    assert!(w.finished(), "{scenario} did not finish");
    let truth = w.truth();
    assert_eq!(
        truth.sessions.len(),
        expected.len(),
        "{scenario}: {truth:#?}"
    );
    for (s, (kind, laps)) in truth.sessions.iter().zip(expected) {
        assert_eq!(s.session_type, *kind, "{scenario}");
        assert_eq!(s.track, "Ksana Ring");
        assert_eq!(s.car, "Ksana GT3");
        assert_eq!(&shape(s), laps, "{scenario} at dt {dt}: {s:#?}");
    }
    check_times(scenario, &truth);
    truth
}

/// Lap times plausible, sectors of every fully seen finished lap sum to the lap time.
fn check_times(scenario: Scenario, truth: &Truth) {
    for s in &truth.sessions {
        for l in &s.laps {
            assert_eq!(l.sectors_ms.len(), 3);
            let Some(t) = l.time_ms else {
                assert!(l.partial && !l.valid, "{scenario}: {l:?}");
                continue;
            };
            if !l.out_lap && !l.in_lap {
                assert!((80_000.0..100_000.0).contains(&t), "{scenario}: lap {l:?}");
            } else {
                assert!((85_000.0..160_000.0).contains(&t), "{scenario}: lap {l:?}");
            }
            if !l.partial {
                let sum: f64 = l.sectors_ms.iter().map(|s| s.unwrap()).sum();
                assert!((sum - t).abs() < 1e-6, "{scenario}: {sum} vs {t}");
                assert!(l.sectors_ms.iter().all(|s| s.unwrap() > 20_000.0));
            }
        }
    }
}

#[test]
fn scenario_names_round_trip_and_unknown_names_list_the_valid_ones() {
    assert_eq!(Scenario::all().len(), 12);
    for &s in Scenario::all() {
        assert_eq!(s.name().parse::<Scenario>(), Ok(s));
        assert!(!s.description().is_empty());
    }
    assert_eq!("offtrack-late".parse(), Ok(Scenario::OfftrackLate));
    let err = "nope".parse::<Scenario>().unwrap_err().to_string();
    assert!(err.contains("\"nope\""), "{err}");
    assert!(
        err.contains("session-change") && err.contains("midsession"),
        "{err}"
    );
}

#[test]
fn initial_state_is_the_car_in_its_box() {
    let w = World::new(Scenario::Laps, 1);
    let s = w.state();
    assert_eq!((s.step, s.time_s, s.status), (0, 0.0, WorldStatus::Live));
    assert_eq!(s.session.track_id, "ksana_ring");
    assert_eq!(s.session.car_id, "ksana_gt3");
    assert_eq!(s.session.driver_name, "Ksana Driver");
    assert_eq!(s.session.sector_starts, vec![0.0, 0.33, 0.67]);
    assert_eq!(s.session.time_left_s, 3600.0);
    assert_eq!(s.timing.completed_laps, 0);
    assert_eq!(s.timing.current_lap_ms, 0.0);
    assert!(s.timing.in_pit_lane && s.timing.in_pit_box && s.timing.lap_valid);
    assert!((s.timing.lap_dist_pct - 0.015).abs() < 1e-9);
    assert_eq!((s.car.gear, s.car.speed_ms), (0, 0.0));
}

#[test]
fn laps_is_endless_with_an_out_lap_then_flying_laps() {
    let (w, states) = run(Scenario::Laps, 3, 0.02, 500.0);
    assert!(!w.finished());
    let truth = w.truth();
    assert_eq!(truth.sessions.len(), 1);
    let laps = &truth.sessions[0].laps;
    assert!(laps.len() >= 5, "{laps:?}");
    assert_eq!(shape(&truth.sessions[0])[0], out(1));
    for (i, l) in laps.iter().enumerate().skip(1).take(laps.len() - 2) {
        assert_eq!(shape(&truth.sessions[0])[i], flying(i as u32 + 1));
        assert!((80_000.0..100_000.0).contains(&l.time_ms.unwrap()));
    }
    // Laps differ (per-lap pace noise).
    let times: Vec<f64> = laps[1..4].iter().map(|l| l.time_ms.unwrap()).collect();
    assert!(times[0] != times[1] && times[1] != times[2], "{times:?}");
    check_times(Scenario::Laps, &truth);
    // Physics sanity: speed within the track's bounds, gears 1..6 while driving.
    for s in &states[200..] {
        assert!(s.car.speed_ms <= 80.0);
        assert!((0..=6).contains(&s.car.gear));
        assert!(s.car.rpm <= s.car.max_rpm + 1.0);
        if !s.timing.in_pit_lane {
            assert!(s.car.gear >= 1 && s.car.speed_ms > 10.0, "{:?}", s.car);
        }
    }
}

#[test]
fn demo() {
    check_shape(
        Scenario::Demo,
        0.01,
        &[(
            "practice",
            vec![
                out(1),
                flying(2),
                flying(3),
                flying(4),
                inlap(5),
                unfinished(6, true),
            ],
        )],
    );
}

#[test]
fn offtrack() {
    let t = check_shape(
        Scenario::Offtrack,
        0.01,
        &[(
            "practice",
            vec![out(1), invalid(2), flying(3), unfinished(4, false)],
        )],
    );
    // The off-track lap is slower than the clean one.
    let laps = &t.sessions[0].laps;
    assert!(laps[1].time_ms.unwrap() > laps[2].time_ms.unwrap() - 500.0);
}

#[test]
fn offtrack_late() {
    // The excursion lies within the last second before the line of lap 2.
    let (_, states) = run(Scenario::OfftrackLate, 7, 0.01, 2000.0);
    let off: Vec<&WorldState> = states.iter().filter(|s| s.timing.off_track).collect();
    assert!(off.len() >= 30, "{}", off.len());
    for s in &off {
        let to_line = (1.0 - s.timing.lap_dist_pct) * s.session.track_length_m / s.car.speed_ms;
        assert_eq!(s.timing.completed_laps, 1);
        assert!((0.15..0.65).contains(&to_line), "{to_line}");
    }
    check_shape(
        Scenario::OfftrackLate,
        0.01,
        &[(
            "practice",
            vec![out(1), invalid(2), flying(3), unfinished(4, false)],
        )],
    );
}

#[test]
fn pitstop() {
    let t = check_shape(
        Scenario::PitStop,
        0.01,
        &[(
            "practice",
            vec![
                out(1),
                flying(2),
                inlap(3),
                out(4),
                flying(5),
                unfinished(6, false),
            ],
        )],
    );
    let laps = &t.sessions[0].laps;
    // The out-lap with a 5 s stop is much longer than a flying lap.
    assert!(laps[3].time_ms.unwrap() > laps[1].time_ms.unwrap() + 15_000.0);
}

#[test]
fn restart() {
    let t = check_shape(
        Scenario::Restart,
        0.01,
        &[
            ("practice", vec![unfinished(1, true)]),
            ("practice", vec![out(1), flying(2), unfinished(3, false)]),
        ],
    );
    // The restarted lap got through S1 (60 % > 33 %): S1 known, the rest not.
    let lap = &t.sessions[0].laps[0];
    assert!(lap.sectors_ms[0].unwrap() > 20_000.0);
    assert_eq!(&lap.sectors_ms[1..], &[None, None]);
}

#[test]
fn session_change() {
    check_shape(
        Scenario::SessionChange,
        0.01,
        &[
            ("practice", vec![out(1), flying(2), unfinished(3, false)]),
            ("qualify", vec![out(1), flying(2), unfinished(3, false)]),
        ],
    );
}

#[test]
fn pause() {
    check_shape(
        Scenario::Pause,
        0.01,
        &[(
            "practice",
            vec![out(1), flying(2), flying(3), unfinished(4, false)],
        )],
    );
}

#[test]
fn replay() {
    check_shape(
        Scenario::Replay,
        0.01,
        &[(
            "practice",
            vec![out(1), flying(2), flying(3), unfinished(4, false)],
        )],
    );
}

#[test]
fn menu() {
    check_shape(
        Scenario::Menu,
        0.01,
        &[
            ("practice", vec![out(1), flying(2), unfinished(3, false)]),
            ("practice", vec![out(1), flying(2), unfinished(3, false)]),
        ],
    );
}

#[test]
fn midsession() {
    let t = check_shape(
        Scenario::MidSession,
        0.01,
        &[(
            "practice",
            vec![
                (3, true, true, false, false, true),
                flying(4),
                unfinished(5, false),
            ],
        )],
    );
    let lap3 = &t.sessions[0].laps[0];
    assert_eq!(lap3.sectors_ms[0], None);
    assert_eq!(lap3.sectors_ms[1], None);
    assert!(lap3.sectors_ms[2].unwrap() > 20_000.0);
    let w = World::new(Scenario::MidSession, 7);
    let s = w.state();
    assert_eq!((s.step, s.time_s), (0, 0.0));
    assert_eq!(s.timing.completed_laps, 2);
    assert_eq!(s.timing.sector_index, 1);
    assert!(s.timing.last_lap_ms.is_some() && s.timing.best_lap_ms.is_some());
    assert!(s.timing.last_split_ms.unwrap() > 20_000.0);
    assert!((0.45..0.46).contains(&s.timing.lap_dist_pct));
    assert!(s.timing.current_lap_ms > s.timing.last_split_ms.unwrap());
    assert!(s.session.elapsed_s > 180.0);
    assert!(
        (s.session.elapsed_s + s.session.time_left_s - 3600.0).abs() < 1e-9,
        "{:?}",
        s.session
    );
}

#[test]
fn short() {
    check_shape(
        Scenario::Short,
        0.01,
        &[("practice", vec![out(1), unfinished(2, false)])],
    );
}

/// Every published timing field agrees with the book, step by step.
#[test]
fn published_timing_agrees_with_the_book() {
    for scenario in [
        Scenario::PitStop,
        Scenario::Offtrack,
        Scenario::OfftrackLate,
    ] {
        let (w, states) = run(scenario, 11, 1.0 / 60.0, 2000.0);
        let truth = w.truth();
        let laps = &truth.sessions[0].laps;
        let mut prev_completed = 0;
        let mut saw_off = false;
        let mut saw_box = false;
        for s in states.iter().filter(|s| s.status == WorldStatus::Live) {
            let t = &s.timing;
            let lap = &laps[t.completed_laps as usize];
            assert_eq!(lap.number, t.completed_laps + 1);
            if t.completed_laps != prev_completed {
                let done = &laps[prev_completed as usize];
                assert_eq!(t.completed_laps, prev_completed + 1);
                assert_eq!(t.last_lap_ms, done.time_ms, "{scenario}");
                assert_eq!(t.last_sector_ms, done.sectors_ms[2]);
                assert_eq!(t.last_split_ms, done.time_ms);
                let best = laps[..t.completed_laps as usize]
                    .iter()
                    .filter(|l| l.valid && !l.out_lap && !l.in_lap)
                    .filter_map(|l| l.time_ms)
                    .min_by(f64::total_cmp);
                assert_eq!(t.best_lap_ms, best, "{scenario}");
                assert!(t.lap_valid, "a new lap starts valid");
                prev_completed = t.completed_laps;
            }
            if t.sector_index == 1 {
                assert_eq!(t.last_sector_ms, lap.sectors_ms[0]);
                assert_eq!(t.last_split_ms, lap.sectors_ms[0]);
            }
            if t.sector_index == 2 {
                let s1 = lap.sectors_ms[0].unwrap();
                assert_eq!(t.last_sector_ms, lap.sectors_ms[1]);
                assert!((t.last_split_ms.unwrap() - s1 - lap.sectors_ms[1].unwrap()).abs() < 1e-6);
            }
            let pct = t.lap_dist_pct;
            let sector = if pct >= 0.67 {
                2
            } else if pct >= 0.33 {
                1
            } else {
                0
            };
            assert_eq!(t.sector_index, sector, "{scenario} {t:?}");
            if t.off_track {
                saw_off = true;
                assert!(!t.lap_valid && !lap.valid);
                assert_eq!(t.incidents, 1);
                assert_eq!(s.car.tyres_out, 4);
            }
            if let Some(time) = lap.time_ms {
                assert!(t.current_lap_ms <= time + 1e-6);
            }
            if t.in_pit_box {
                saw_box = true;
                assert!(t.in_pit_lane);
                assert_eq!(s.car.speed_ms, 0.0);
            }
            if t.in_pit_lane && !t.in_pit_box {
                assert!(s.car.speed_ms <= 80.0 / 3.6 + 1e-9);
            }
        }
        match scenario {
            Scenario::PitStop => assert!(saw_box),
            _ => assert!(saw_off, "{scenario}"),
        }
    }
}

#[test]
fn runs_are_deterministic_and_seeds_differ() {
    let (a, sa) = run(Scenario::PitStop, 5, 0.013, 2000.0);
    let (b, sb) = run(Scenario::PitStop, 5, 0.013, 2000.0);
    assert_eq!(sa, sb);
    assert_eq!(a.truth(), b.truth());
    let (c, _) = run(Scenario::PitStop, 6, 0.013, 2000.0);
    assert_ne!(a.truth(), c.truth());
}

#[test]
fn step_sizes_give_the_same_book_within_a_few_ms() {
    for scenario in [Scenario::Demo, Scenario::PitStop, Scenario::Restart] {
        let reference = run(scenario, 9, 0.001, 2000.0).0.truth();
        for dt in [1.0 / 60.0, 0.04, 0.1] {
            let (w, _) = run(scenario, 9, dt, 2000.0);
            let t = w.truth();
            assert_eq!(
                t.sessions.len(),
                reference.sessions.len(),
                "{scenario} {dt}"
            );
            for (s, r) in t.sessions.iter().zip(&reference.sessions) {
                assert_eq!(shape(s), shape(r), "{scenario} {dt}");
                for (l, rl) in s.laps.iter().zip(&r.laps) {
                    if let (Some(a), Some(b)) = (l.time_ms, rl.time_ms) {
                        assert!((a - b).abs() < 5.0, "{scenario} dt {dt}: {a} vs {b}");
                    }
                    for (x, y) in l.sectors_ms.iter().zip(&rl.sectors_ms) {
                        if let (Some(x), Some(y)) = (x, y) {
                            assert!((x - y).abs() < 5.0, "{scenario} dt {dt}: {x} vs {y}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn every_scenario_keeps_its_shape_at_coarse_and_fine_steps() {
    for &scenario in Scenario::all() {
        if scenario == Scenario::Laps {
            continue;
        }
        let fine = run(scenario, 4, 1.0 / 60.0, 2000.0).0.truth();
        let coarse = run(scenario, 4, 0.1, 2000.0).0.truth();
        let shapes = |t: &Truth| t.sessions.iter().map(shape).collect::<Vec<_>>();
        assert_eq!(shapes(&fine), shapes(&coarse), "{scenario}");
    }
}

#[test]
fn replay_shows_earlier_driving_and_live_resumes_where_it_left() {
    let (_, states) = run(Scenario::Replay, 2, 0.02, 2000.0);
    let first = states
        .iter()
        .position(|s| s.status == WorldStatus::Replay)
        .unwrap();
    let before = &states[first - 1];
    let replay: Vec<&WorldState> = states[first..]
        .iter()
        .take_while(|s| s.status == WorldStatus::Replay)
        .collect();
    let seconds = replay.last().unwrap().time_s - before.time_s;
    assert!((5.9..6.1).contains(&seconds), "{seconds}");
    assert!(replay[0].timing.completed_laps < before.timing.completed_laps);
    assert_ne!(
        replay[0].timing.current_lap_ms,
        before.timing.current_lap_ms
    );
    for s in &replay {
        assert_eq!(s.session.elapsed_s, before.session.elapsed_s);
    }
    // The replayed car moves.
    assert_ne!(replay[0].car.pos, replay.last().unwrap().car.pos);
    let after = &states[first + replay.len()];
    assert_eq!(after.status, WorldStatus::Live);
    assert!((after.session.elapsed_s - before.session.elapsed_s - 0.02).abs() < 1e-9);
    assert_eq!(after.timing.completed_laps, before.timing.completed_laps);
    assert!(after.timing.current_lap_ms > before.timing.current_lap_ms);
    assert!(after.timing.current_lap_ms - before.timing.current_lap_ms < 21.0);
}

#[test]
fn pause_freezes_the_session_clock_car_and_timing() {
    let (w, states) = run(Scenario::Pause, 2, 0.02, 2000.0);
    let paused: Vec<&WorldState> = states
        .iter()
        .filter(|s| s.status == WorldStatus::Paused)
        .collect();
    assert!(paused.len() > 200);
    let first = paused[0];
    for s in &paused {
        assert_eq!(s.session.elapsed_s, first.session.elapsed_s);
        assert_eq!(s.car, first.car);
        assert_eq!(s.timing, first.timing);
    }
    let world_span = paused.last().unwrap().time_s - first.time_s;
    assert!(world_span > 4.9, "{world_span}");
    // Lap 2's time excludes the pause: it is a normal flying lap.
    let lap2 = w.truth().sessions[0].laps[1].time_ms.unwrap();
    assert!((80_000.0..100_000.0).contains(&lap2), "{lap2}");
    // World time minus session time = the pause and the ~1 s of menu at the end.
    let end = states.last().unwrap();
    assert!(end.time_s - end.session.elapsed_s > 5.0);
}

#[test]
fn menu_keeps_the_last_values_and_the_new_session_starts_in_the_box() {
    let (_, states) = run(Scenario::Menu, 2, 0.02, 2000.0);
    let first = states
        .iter()
        .position(|s| s.status == WorldStatus::Menu)
        .unwrap();
    let in_menu: Vec<&WorldState> = states[first..]
        .iter()
        .take_while(|s| s.status == WorldStatus::Menu)
        .collect();
    let span = in_menu.last().unwrap().time_s - states[first - 1].time_s;
    assert!((2.9..3.1).contains(&span), "{span}");
    for s in &in_menu {
        assert_eq!(s.session, states[first - 1].session);
        assert_eq!(s.timing, states[first - 1].timing);
    }
    let next = &states[first + in_menu.len()];
    assert_eq!(next.status, WorldStatus::Live);
    assert_eq!(next.session.index, 1);
    assert_eq!(next.timing.completed_laps, 0);
    assert!(next.timing.in_pit_box);
    assert!(next.session.elapsed_s < 0.05);
}

#[test]
fn bad_step_sizes_do_not_panic() {
    let mut w = World::new(Scenario::Laps, 1);
    for dt in [0.0, -1.0, f64::NAN, f64::INFINITY, 5.0] {
        w.step(dt);
    }
    assert_eq!(w.state().step, 5);
    // 5.0 was cut to 0.1 s.
    assert!((w.state().time_s - 0.1).abs() < 1e-12);
    assert!(w.state().car.speed_ms.is_finite());
}

#[test]
fn the_map_closes_and_the_car_moves_continuously() {
    let (_, states) = run(Scenario::Laps, 1, 0.01, 300.0);
    for w in states.windows(2) {
        let (a, b) = (&w[0].car, &w[1].car);
        let step = ((b.pos[0] - a.pos[0]).powi(2) + (b.pos[2] - a.pos[2]).powi(2)).sqrt();
        // At most 0.8 m per 10 ms at 80 m/s, plus the pit lane / racing line drift.
        assert!(step < 1.0, "jump of {step} m at {:?}", w[1].timing);
    }
}

#[test]
fn heading_yaw_rate_and_position_agree() {
    // Over 0.5 s the position moves along the published heading (x east, z north,
    // heading counterclockwise from east), and the heading changes by yaw_rate·dt.
    let (_, states) = run(Scenario::Laps, 1, 0.01, 300.0);
    let mut checked = 0;
    for w in states[2000..].windows(51).step_by(50) {
        let (a, b) = (&w[0], &w[50]);
        if a.timing.in_pit_lane || b.timing.in_pit_lane || a.car.speed_ms < 20.0 {
            continue;
        }
        let (dx, dz) = (b.car.pos[0] - a.car.pos[0], b.car.pos[2] - a.car.pos[2]);
        let travel = dz.atan2(dx);
        let mid = w[25].car.heading_rad;
        let diff = (travel - mid + 3.0 * std::f64::consts::PI).rem_euclid(std::f64::consts::TAU)
            - std::f64::consts::PI;
        assert!(diff.abs() < 0.1, "travel {travel} vs heading {mid}");
        let turned: f64 = w[1..].iter().map(|s| s.car.yaw_rate * 0.01).sum::<f64>();
        let dh = (b.car.heading_rad - a.car.heading_rad + 3.0 * std::f64::consts::PI)
            .rem_euclid(std::f64::consts::TAU)
            - std::f64::consts::PI;
        assert!(
            (turned - dh).abs() < 0.05,
            "yaw {turned} vs heading change {dh}"
        );
        // Right-hand corner (steer > 0): heading turns clockwise, lateral g positive.
        if w[25].car.steer_rad > 0.2 {
            assert!(w[25].car.yaw_rate < 0.0 && w[25].car.accel_lat > 0.0);
        }
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}
