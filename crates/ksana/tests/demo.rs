//! `ksana demo`, README's first command: the fake sim, the recorder through (private) shared
//! memory, live laps into a database, the lap table. Runs on Linux and under Wine.

use std::process::Command;

use ksana_store::LapStore;

#[test]
fn demo_records_and_stores_at_least_three_laps() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(["demo", "--speed", "40", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The table: rows `  N  m:ss.mmm  …` for the timed laps.
    let timed: Vec<&str> = text
        .lines()
        .filter(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.len() >= 2
                && w[0].parse::<u32>().is_ok()
                && w[1].len() == 8
                && w[1].as_bytes()[1] == b':'
                && w[1].as_bytes()[4] == b'.'
        })
        .collect();
    assert!(timed.len() >= 3, "fewer than 3 timed laps:\n{text}");
    assert!(text.contains("theoretical best"), "{text}");
    // The files it names exist, and the database holds the laps the table shows.
    let db = dir.path().join("demo.db");
    assert!(text.contains(&db.display().to_string()), "{text}");
    let store = ksana_store::SqliteStore::open(&db).unwrap();
    let sessions = store.sessions(&Default::default()).unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let stored = store.session(sessions[0].id).unwrap().unwrap();
    let stored_timed = stored
        .session
        .laps
        .iter()
        .filter(|l| l.time_ms.is_some())
        .count();
    assert_eq!(stored_timed, timed.len(), "{stored:?}\n{text}");
    let rec = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "ksana"))
        .expect("a recording");
    assert!(text.contains(&rec.display().to_string()), "{text}");
    // Re-detecting the recording gives the same laps as were stored live.
    let out = Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(["laps", "--json"])
        .arg(&rec)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let laps = v["sessions"][0]["laps"].as_array().unwrap();
    let times: Vec<Option<u64>> = laps.iter().map(|l| l["time_ms"].as_u64()).collect();
    let stored_times: Vec<Option<u64>> = stored
        .session
        .laps
        .iter()
        .map(|l| l.time_ms.map(u64::from))
        .collect();
    assert_eq!(times, stored_times);
}
