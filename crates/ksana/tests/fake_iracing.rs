//! The fake iRacing (`ksana simulate --sim iracing`, the fake world rendered by
//! `ksana_sims::iracing::fake`) as an SDK client sees it: pyirsdk follows the live mapping in a
//! private root and reads a running sim (values advancing, ticks and event pulses, the YAML
//! with the world's track, driver, car and sectors), then the stop.

#[cfg(unix)]
use std::io::{BufRead, BufReader, Read};
#[cfg(unix)]
use std::process::{Command, Stdio};

/// Linux only: pyirsdk reaches live memory there through `test_file` mode (reference §8.4).
#[cfg(unix)]
#[test]
fn pyirsdk_follows_the_fake_iracing() {
    let Some(py) = ksana_testkit::peer_python() else {
        return;
    };
    let root = ksana_testkit::shm_root();
    let mapping = root.path().join("IRSDKMemMapFileName");
    let mut checker = Command::new(py)
        .arg(ksana_testkit::repo_root().join("tools/peers/iracing_fake.py"))
        .arg("--mapping")
        .arg(&mapping)
        .args(["--timeout", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(checker.stderr.take().unwrap());
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 && !line.contains("READY") {}
    assert!(line.contains("READY"), "checker failed to start: {line}");
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        rest
    });
    let sim = Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args([
            "simulate",
            "--sim",
            "iracing",
            "--duration",
            "4",
            "--speed",
            "10",
        ])
        .arg("--no-status-server")
        .arg("--shm-dir")
        .arg(root.path())
        .output()
        .unwrap();
    assert!(
        sim.status.success(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    let c = checker.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&c.stdout);
    eprintln!("{text}{}", drain.join().unwrap());
    assert!(c.status.success(), "the checker failed");
    let r: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
    assert_eq!(r["connected"], true);
    assert_eq!(r["track_name"], "ksana_ring");
    assert_eq!(r["track_display_name"], "Ksana Ring");
    assert!(
        r["track_length"]
            .as_str()
            .is_some_and(|s| s.ends_with(" km")),
        "{r}"
    );
    assert_eq!(r["driver"], "Ksana Driver");
    assert_eq!(r["car"], "Ksana GT3");
    assert!(
        !r["session_types"].as_array().unwrap().is_empty(),
        "SessionInfo.Sessions lists the session: {r}"
    );
    let starts: Vec<f64> = r["sector_starts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(starts.len() >= 2 && starts[0] == 0.0, "{starts:?}");
    assert!(
        starts.windows(2).all(|w| w[0] < w[1] && w[1] < 1.0),
        "{starts:?}"
    );
    // About 4 s sampled every 10 ms or so.
    assert!(n("samples") >= 100, "{r}");
    assert!(n("session_time_advances") >= 50, "{r}");
    assert_eq!(n("session_time_backwards"), 0, "{r}");
    assert!(n("speed_changes") >= 50, "{r}");
    assert!(n("lap_dist_changes") >= 50, "{r}");
    assert!(r["speed_max"].as_f64().unwrap() > 10.0, "{r}");
    assert!(n("tick_advances") >= 50, "{r}");
    assert!(n("event_pulses") >= 50, "{r}");
    assert!(n("on_track_samples") >= 50, "{r}");
    assert_eq!(n("car_idx_len"), 64);
    assert!(n("car_idx0_matches") * 10 >= n("samples") * 9, "{r}");
    // At 10x for 4 s the session clock runs about 40 s.
    let first = r["first_session_time"].as_f64().unwrap();
    let last = r["last_session_time"].as_f64().unwrap();
    assert!(last - first > 25.0, "{first}..{last}");
    assert!(n("session_info_update_first") >= 1);
    assert_eq!(n("status_at_end"), 0, "the stop reached pyirsdk");
}
