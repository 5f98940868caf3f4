//! The fake ACC and AC Evo (the fake world rendered by `ksana_sims::assetto::{acc,acevo}::fake`
//! and published through the family publisher) as independent readers see them:
//! pyaccsharedmemory and acevo-sdk follow the pages in a private root
//! (`tools/peers/assetto_follow.py`) from the first `AC_LIVE` to the stop, and must read a car
//! driving (speed, rpm), the world's track, car and driver, and laps completing. The pages
//! reach the root live from `ksana simulate --sim acc|acevo`, and through `ksana play` of a
//! recording of the renderer's frames.

/// Writes a recording of the renderer of `sim` on the fake world's laps scenario: `frames`
/// frames 3 ms apart (the sims' 333 Hz), the world advancing `world_dt` s per frame, each frame
/// holding the pages the renderer marked changed.
#[cfg(unix)]
fn record_fake(path: &std::path::Path, sim: &str, frames: u64, world_dt: f64) {
    use ksana_format::{Header, PageUpdate, Writer, WriterOptions};
    use ksana_synth::world::{Scenario, World};

    let sim = ksana_sims::registry::by_id(sim).unwrap();
    let mut fake = sim.fake().expect("a fake renderer");
    let mut w = Writer::create(
        path,
        Header::new(sim.id(), fake.pages()),
        WriterOptions::default(),
    )
    .unwrap();
    let mut world = World::new(Scenario::Laps, 1);
    let mut out = vec![Vec::new(); 3];
    let mut changed = [false; 3];
    for i in 0..frames {
        fake.render(world.step(world_dt), &mut out, &mut changed)
            .unwrap();
        let ups: Vec<PageUpdate> = (0..3)
            .filter(|&p| changed[p])
            .map(|p| PageUpdate {
                page: p,
                data: &out[p],
            })
            .collect();
        w.write_frame(i * 3_000_000, Some(i), &ups).unwrap();
    }
    w.close().unwrap();
}

/// Runs `ksana simulate --sim SIM` for `secs` s at `speed` into a private root while the
/// follower reads it; the follower's JSON summary, or `None` without a peer python.
#[cfg(unix)]
fn follow_simulate(sim: &str, secs: u64, speed: f64) -> Option<serde_json::Value> {
    let root = ksana_testkit::shm_root();
    follow_while(sim, &root, || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ksana"));
        c.args(["simulate", "--sim", sim, "--duration"])
            .arg(secs.to_string())
            .arg("--speed")
            .arg(speed.to_string())
            .arg("--shm-dir")
            .arg(root.path());
        c
    })
}

/// Starts the follower on `root`, runs `cmd` (which publishes `sim` there) to its end, and
/// returns the follower's JSON summary; `None` without a peer python.
#[cfg(unix)]
fn follow_while(
    sim: &str,
    root: &tempfile::TempDir,
    cmd: impl FnOnce() -> std::process::Command,
) -> Option<serde_json::Value> {
    use std::process::Stdio;

    let py = ksana_testkit::peer_python()?;
    let checker = std::process::Command::new(py)
        .arg(ksana_testkit::repo_root().join("tools/peers/assetto_follow.py"))
        .arg(sim)
        .arg(root.path())
        .arg("60")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = cmd().output().unwrap();
    assert!(
        out.status.success(),
        "the publisher failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = checker.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&c.stdout);
    eprintln!("{text}{}", String::from_utf8_lossy(&c.stderr));
    assert!(c.status.success(), "the follower failed");
    Some(serde_json::from_str(text.trim()).unwrap())
}

/// Plays a recording of the fake `sim` (`secs` s, the world at `speed` times real time) into a
/// private root while the follower reads it; the follower's JSON summary, or `None` when no
/// peer python is configured (skipped outside CI).
#[cfg(unix)]
fn follow(sim: &str, secs: u64, speed: f64) -> Option<serde_json::Value> {
    ksana_testkit::peer_python()?;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("fake-{sim}.ksana"));
    record_fake(&file, sim, secs * 333, speed * 0.003);
    let root = ksana_testkit::shm_root();
    follow_while(sim, &root, || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ksana"));
        c.args(["play", "--shm-dir"]).arg(root.path()).arg(&file);
        c
    })
}

#[cfg(unix)]
fn check(r: &serde_json::Value, sm_version: &str) {
    let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("{k} in {r}"));
    // ~6 s followed every 20 ms or so, until the publisher's stop (AC_OFF).
    assert!(f("samples") >= 50.0, "{r}");
    assert_eq!(
        r["stopped"], true,
        "the follower saw AC_OFF at the end: {r}"
    );
    assert_eq!(r["physics_ids_increase"], true, "{r}");
    assert!(f("max_speed_kmh") > 30.0, "{r}");
    let last = &r["last"];
    assert_eq!(last["track"], "ksana_ring", "{r}");
    assert_eq!(last["car"], "ksana_gt3", "{r}");
    assert_eq!(last["player"], "Ksana", "{r}"); // playerName of "Ksana Driver"
    assert_eq!(last["sm_version"], sm_version, "{r}");
    assert!(last["rpm"].as_f64().unwrap() > 0.0, "{r}");
    let laps: Vec<u64> = r["laps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    // 6 s at 30 times real time are 3 minutes of driving: the lap count moves.
    assert!(laps.len() >= 2, "completed laps seen: {laps:?}");
    assert!(
        last["physics_id"].as_u64().unwrap() > r["first"]["physics_id"].as_u64().unwrap(),
        "{r}"
    );
}

#[cfg(unix)]
#[test]
fn pyaccsharedmemory_follows_a_played_recording_of_the_fake_acc() {
    let Some(r) = follow("acc", 6, 30.0) else {
        return;
    };
    check(&r, "1.9");
    assert_eq!(r["last"]["decoder"], "pyaccsharedmemory");
    assert!(
        r["last"]["current_time_str"]
            .as_str()
            .unwrap()
            .contains(':'),
        "{r}"
    );
}

#[cfg(unix)]
#[test]
fn acevo_sdk_follows_a_played_recording_of_the_fake_acevo() {
    let Some(r) = follow("acevo", 6, 30.0) else {
        return;
    };
    check(&r, "1.0");
    // acevo-sdk falls back to heuristics silently: its own structure decoders must have read it.
    assert_eq!(
        r["last"]["decoder"], "ac_structure/ac_evo_graphics/ac_evo_static",
        "{r}"
    );
}

#[cfg(unix)]
#[test]
fn pyaccsharedmemory_follows_ksana_simulate_acc() {
    let Some(r) = follow_simulate("acc", 6, 30.0) else {
        return;
    };
    check(&r, "1.9");
    assert_eq!(r["last"]["decoder"], "pyaccsharedmemory");
}

#[cfg(unix)]
#[test]
fn acevo_sdk_follows_ksana_simulate_acevo() {
    let Some(r) = follow_simulate("acevo", 6, 30.0) else {
        return;
    };
    check(&r, "1.0");
    assert_eq!(
        r["last"]["decoder"], "ac_structure/ac_evo_graphics/ac_evo_static",
        "{r}"
    );
}

/// Detection tells the fake members apart as it tells the games apart (docs/ASSETTO.md,
/// Detection): the fake AC's static says `smVersion` "1.7", the fake AC Rally's tyres are in
/// Kelvin, the fake ACC neither; the fake Evo has its own pages. While `ksana simulate --sim X`
/// runs, only X is live.
#[cfg(unix)]
#[test]
fn detection_names_each_fake_member() {
    use std::time::{Duration, Instant};

    use ksana_sims::Liveness;

    let ids = ["ac", "acc", "acrally", "acevo"];
    for id in ids {
        let root = ksana_testkit::shm_root();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ksana"))
            .args(["simulate", "--sim", id, "--duration", "3", "--shm-dir"])
            .arg(root.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let ns = ksana_shm::ShmNamespace::with_root(root.path());
        let sim = |s: &str| ksana_sims::registry::by_id(s).unwrap();
        // Wait until the sim is seen live (the process has to start and publish first).
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut live = Liveness::Absent;
        while Instant::now() < deadline {
            live = sim(id).probe(&ns, Duration::from_millis(200)).unwrap();
            if matches!(live, Liveness::Live { .. }) {
                break;
            }
        }
        let others: Vec<(&str, Liveness)> = ids
            .iter()
            .filter(|o| **o != id)
            .map(|o| (*o, sim(o).probe(&ns, Duration::from_millis(200)).unwrap()))
            .collect();
        let status = child.wait().unwrap();
        assert!(status.success());
        assert!(matches!(live, Liveness::Live { .. }), "{id}: {live:?}");
        for (o, l) in others {
            assert!(
                !matches!(l, Liveness::Live { .. }),
                "{id} running, {o}: {l:?}"
            );
        }
    }
}
