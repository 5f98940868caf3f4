//! `ksana watch`: snapshots of `--once` on the real iRacing fixtures (every value in them was
//! checked by hand against the fixture README and the raw bytes), the same view through a
//! ksana recording, live memory published by `ksana play`, and bad input.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ksana_format::{Header as RecHeader, PageUpdate, Writer, WriterOptions};
use ksana_sims::iracing::layout::{Header, page_specs, parse_var_headers, yaml_text};

fn ksana(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ksana")
}

fn watch_once(path: &Path) -> String {
    let out = ksana(&["watch", path.to_str().unwrap(), "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no escapes when stdout is a pipe");
    text
}

#[test]
fn memdump_2021_once() {
    let Some(p) = ksana_testkit::fixture("iracing/memdump_2021.bin") else {
        return;
    };
    // Checked by hand: Long Beach, Practice (README §5); SessionState 4 = Racing; flags
    // 0x10000000 = startHidden; SessionLapsRemainEx 32767 = unlimited; SessionTimeRemain
    // 4758.77 s = 1:19:18; CamCarIdx = PlayerCarIdx = 63 (#22 Christopher Scott4); Speed
    // 17.387 m/s = 62.6 km/h; Gear 1; RPM 4142.6; CarIdxPosition 1, 2 for cars 0 and 1;
    // CarIdxF2Time 98.6496 and 99.2624 s (gap 0.6128); lap-distance 0.2869, 0.2941, 0.0930;
    // car 63 on pit road, CarIdxTrackSurface 2 (AproachingPits).
    insta::assert_snapshot!("watch_memdump_2021", watch_once(&p));
}

#[test]
fn memdump_2024_once() {
    let Some(p) = ksana_testkit::fixture("iracing/memdump_2024.bin") else {
        return;
    };
    // Checked by hand: Monza, Offline Testing, one driver (README §4); IsReplayPlaying 1;
    // flags 0x10000200 = oneLapToGreen | startHidden; SessionTimeRemain 604800 = unlimited;
    // Speed 0; Gear 0 = N; RPM 300; the only car is not in the world (CarIdxTrackSurface −1).
    insta::assert_snapshot!("watch_memdump_2024", watch_once(&p));
}

#[test]
fn ibt_once_shows_the_player_only() {
    let Some(p) = ksana_testkit::fixture("iracing/ibt_2024_390rows.ibt") else {
        return;
    };
    // Checked by hand: Red Bull Ring, Offline Testing (README §3); last record SessionTime
    // 938.483; Lap 9; LapDistPct 0.0555; LapBestLapTime 68.671; OnPitRoad, PlayerTrackSurface
    // 1 = InPitStall; flags 0x10040200 = oneLapToGreen | servicible | startHidden.
    insta::assert_snapshot!("watch_ibt_2024", watch_once(&p));
}

/// Without `--once`, a file plays at its recorded pace (the `.ibt`: 390 rows, 6.5 s), redrawn
/// at most ten times a second, and the last view is that of the last frame.
#[test]
fn a_file_plays_through_and_ends_on_its_last_frame() {
    let Some(p) = ksana_testkit::fixture("iracing/ibt_2024_390rows.ibt") else {
        return;
    };
    let out = ksana(&["watch", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let title = "iRacing · Red Bull Ring · Offline Testing · Racing\n";
    let views: Vec<&str> = text.split(title).skip(1).collect();
    // The redraw cap (100 ms) skips most of the 390 rows (60 per second); how many views
    // depends on the machine's load, so only "fewer than the rows" is asserted.
    assert!((2..390).contains(&views.len()), "{} views", views.len());
    assert!(
        views[0].starts_with("Session time    0:15:32 (932.000 s)\n"),
        "{}",
        views[0]
    );
    let times: Vec<f64> = views
        .iter()
        .map(|v| {
            let t = v.lines().next().unwrap();
            let s = &t[t.find('(').unwrap() + 1..t.find(" s)").unwrap()];
            s.parse().unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    assert_eq!(*times.last().unwrap(), 938.483);
    let once = watch_once(&p);
    // The views are printed one after another with a blank line between them.
    assert_eq!(format!("{title}{}", views.last().unwrap()), once);
}

/// A one-frame ksana recording of a live dump's newest row, built with the layout module
/// (header page, var headers, YAML, row), shows exactly what the dump shows.
#[test]
fn a_ksana_recording_shows_the_same_view() {
    let Some(p) = ksana_testkit::fixture("iracing/memdump_2021.bin") else {
        return;
    };
    let b = std::fs::read(&p).unwrap();
    let h = Header::parse(&b).unwrap();
    h.validate(b.len()).unwrap();
    let vo = h.var_header_offset as usize;
    let n = h.num_vars as usize;
    let vars = parse_var_headers(&b[vo..], n, h.buf_len as usize).unwrap();
    let yaml = yaml_text(&b[112..112 + h.session_info_len as usize]);
    let newest = h.var_buf[h.newest_buf()];
    let row = &b[newest.buf_offset as usize..][..h.buf_len as usize];
    let specs = page_specs(&vars, h.buf_len as usize, yaml.len());
    let mut w = Writer::new(
        Vec::new(),
        RecHeader::new("iracing", specs),
        WriterOptions::default(),
    )
    .unwrap();
    let header_page = h.to_page();
    w.write_frame(
        0,
        Some(newest.tick_count as u64),
        &[
            PageUpdate {
                page: 0,
                data: &header_page,
            },
            PageUpdate {
                page: 1,
                data: &b[vo..vo + n * 144],
            },
            PageUpdate {
                page: 2,
                data: yaml,
            },
            PageUpdate { page: 3, data: row },
        ],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("one.ksana");
    std::fs::write(&rec, w.finish().unwrap()).unwrap();
    let from_rec = watch_once(&rec);
    assert_eq!(from_rec, watch_once(&p));
    assert!(from_rec.starts_with("iRacing · Long Beach · Practice · Racing\n"));
}

/// Live: `ksana play` publishes the dump into a private namespace; `ksana watch --once`
/// (chosen sim, then auto) finds it and shows its session and drivers.
#[test]
fn live_memory_published_by_play() {
    let Some(p) = ksana_testkit::fixture("iracing/memdump_2021.bin") else {
        return;
    };
    let root = ksana_testkit::shm_root();
    let shm = root.path().to_str().unwrap();
    let mut play = Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(["play", p.to_str().unwrap(), "--loop", "--no-status-server"])
        .args(["--shm-dir", shm])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let result = std::panic::catch_unwind(|| {
        for sim in ["iracing", "auto"] {
            // The player may take a moment to start: retry for up to a minute.
            let deadline = Instant::now() + Duration::from_secs(60);
            let out = loop {
                let out = ksana(&["watch", "--once", "--sim", sim, "--shm-dir", shm]);
                if out.status.success() || Instant::now() > deadline {
                    break out;
                }
                std::thread::sleep(Duration::from_millis(200));
            };
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "{sim}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                text.starts_with("iRacing · Long Beach · Practice · Racing\n"),
                "{text}"
            );
            for name in ["Michael Simmons", "Andre ST-Pierre", "Christopher Scott4"] {
                assert!(text.contains(name), "{name} missing:\n{text}");
            }
            assert!(text.contains("Time remaining  1:19:1"), "{text}");
        }
    });
    let _ = play.kill();
    let _ = play.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn nothing_live_is_an_error_with_once() {
    let root = ksana_testkit::shm_root();
    let out = ksana(&[
        "watch",
        "--once",
        "--shm-dir",
        root.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sim is publishing"));
}

#[test]
fn a_broken_file_names_itself() {
    let Some(p) = ksana_testkit::fixture("iracing/truncated.ibt") else {
        return;
    };
    let out = ksana(&["watch", p.to_str().unwrap(), "--once"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated.ibt"), "{err}");
    assert!(out.stdout.is_empty());
}
