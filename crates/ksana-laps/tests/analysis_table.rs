//! Bests exclude laps that do not count; the lap table.

use ksana_laps::analysis::deltas;
use ksana_laps::table::render;
use ksana_laps::{Lap, LapsReport, Session, analyse};

fn lap(number: u32, time: Option<u32>, sectors: [Option<u32>; 3]) -> Lap {
    Lap {
        number,
        time_ms: time,
        sectors_ms: sectors.to_vec(),
        valid: true,
        ..Lap::default()
    }
}

fn session() -> Session {
    let mut laps = vec![
        Lap {
            out_lap: true,
            ..lap(1, Some(80000), [Some(20000), Some(20000), Some(40000)])
        },
        lap(2, Some(90000), [Some(30000), Some(30000), Some(30000)]),
        Lap {
            valid: false,
            invalid_reason: Some("off_track".into()),
            ..lap(3, Some(85000), [Some(28000), Some(28000), Some(29000)])
        },
        Lap {
            partial: true,
            ..lap(4, Some(70000), [None, Some(20000), Some(20000)])
        },
        Lap {
            in_lap: true,
            ..lap(5, Some(88000), [Some(29000), Some(29000), Some(30000)])
        },
        lap(6, Some(89000), [Some(30500), Some(29000), Some(29500)]),
    ];
    laps.push(Lap {
        partial: true,
        ..lap(7, None, [Some(25000), None, None])
    });
    Session {
        sim: "acc".into(),
        track: "monza".into(),
        car: "bmw_m4_gt3".into(),
        driver: "Test Driver".into(),
        session_type: "practice".into(),
        sector_count: Some(3),
        laps,
        ..Session::default()
    }
}

#[test]
fn invalid_out_in_partial_laps_are_excluded_from_bests() {
    let a = analyse(&session());
    assert_eq!(a.best_lap, Some((6, 89000)));
    assert_eq!(
        a.best_sectors,
        vec![Some((2, 30000)), Some((6, 29000)), Some((6, 29500))]
    );
    assert_eq!(a.theoretical_best_ms, Some(88500));
    assert_eq!(a.counted_laps, 2);
    assert_eq!(
        a.deltas_ms,
        vec![
            Some(-9000),
            Some(1000),
            Some(-4000),
            Some(-19000),
            Some(-1000),
            Some(0),
            None
        ]
    );
    assert_eq!(deltas(&session(), None), vec![None; 7]);
}

#[test]
fn no_counting_lap_no_bests() {
    let mut s = session();
    s.laps.retain(|l| !l.counts_for_best());
    let a = analyse(&s);
    assert_eq!(a.best_lap, None);
    assert_eq!(a.theoretical_best_ms, None);
    assert_eq!(a.best_sectors, vec![None, None, None]);
}

#[test]
fn table_plain() {
    let text = render(
        &LapsReport {
            sessions: vec![session()],
        },
        false,
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "acc · monza · bmw_m4_gt3 · practice, Test Driver");
    assert!(lines[1].starts_with("Lap") && lines[1].contains("S3") && lines[1].contains("Δ best"));
    assert!(
        lines[3].contains("1:30.000") && lines[3].contains("30.000") && lines[3].contains("+1.000")
    );
    assert!(lines[4].contains("1:25.000") && lines[4].ends_with("invalid"));
    assert!(lines[2].ends_with("out") && lines[5].ends_with("partial") && lines[6].ends_with("in"));
    assert!(lines[7].contains("1:29.000") && lines[7].contains("+0.000"));
    assert!(lines[8].contains('—') && lines[8].ends_with("unfinished"));
    assert_eq!(lines[9], "theoretical best: 1:28.500 (sum of best sectors)");
    assert!(!text.contains('\x1b'));
}

#[test]
fn table_colour_marks_bests_and_invalid() {
    let text = render(
        &LapsReport {
            sessions: vec![session()],
        },
        true,
    );
    assert!(text.contains("\x1b[1;35m1:29.000\x1b[0m"));
    assert!(text.contains("\x1b[1;35m29.000\x1b[0m"));
    assert!(text.contains("\x1b[31minvalid\x1b[0m"));
    assert!(text.contains("\x1b[2m1:20.000\x1b[0m"));
}
