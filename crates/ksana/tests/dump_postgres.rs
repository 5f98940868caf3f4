//! `ksana dump --database-url`: laps recorded live from the fake sim go to a PostgreSQL lap
//! database (a team server), the same laps `ksana laps --json` finds in the recording.
//! Needs `KSANA_TEST_DATABASE_URL` (skipped locally without it, required in CI).
#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ksana_store::{SessionFilter, StoreSpec, open_store};
use serde_json::Value;

fn ksana() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
}

#[test]
fn dump_stores_live_laps_in_postgres() {
    let Some(base) = std::env::var("KSANA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            !ksana_testkit::in_ci(),
            "KSANA_TEST_DATABASE_URL is not set; .ci/run starts PostgreSQL and sets it"
        );
        eprintln!("PostgreSQL case skipped (no KSANA_TEST_DATABASE_URL)");
        return;
    };
    let schema = format!("ksana_dump_{}", std::process::id());
    let mut c = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    ))
    .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");

    let root = ksana_testkit::shm_root();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ksana");
    let mut fake = ksana()
        .args([
            "simulate",
            "--sim",
            "acc",
            "--scenario",
            "demo",
            "--speed",
            "30",
        ])
        .args(["--seed", "7", "--start-delay", "1.5", "--no-status-server"])
        .arg("--shm-dir")
        .arg(root.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let dump = ksana()
        .args(["dump", "--sim", "acc", "--database-url", &url, "--shm-dir"])
        .arg(root.path())
        .arg("-o")
        .arg(&rec)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while fake.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "simulate hangs"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let st = Command::new("kill")
        .args(["-INT", &dump.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = dump.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dump: {stderr}");
    assert!(!stderr.contains("will not be stored"), "{stderr}");

    let laps = ksana().args(["laps", "--json"]).arg(&rec).output().unwrap();
    assert!(laps.status.success());
    let want: Value = serde_json::from_slice(&laps.stdout).unwrap();
    let want_times: Vec<Option<u64>> = want["sessions"][0]["laps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["time_ms"].as_u64())
        .collect();
    assert!(want_times.iter().filter(|t| t.is_some()).count() >= 3);

    let store = open_store(&StoreSpec::Postgres(url)).unwrap();
    let sessions = store.sessions(&SessionFilter::default()).unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0].source, rec.display().to_string());
    let got = store.session(sessions[0].id).unwrap().unwrap();
    let got_times: Vec<Option<u64>> = got
        .session
        .laps
        .iter()
        .map(|l| l.time_ms.map(u64::from))
        .collect();
    assert_eq!(got_times, want_times);
    let _ = c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
}
