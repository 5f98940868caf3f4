//! `ksana play` of an iRacing recording as a client following the official SDK's rules sees
//! it (reference §8.1: open the mapping and the event, wait, take the newest buffer by
//! tickCount, accept it only when the tick advanced, re-check the tick after the copy), and —
//! on Windows, Wine in CI — a broadcast command sent by another process (`ksana iracing replay
//! speed 16`) reaching the playing one. Elsewhere the broadcast command must refuse with exit 2.
//!
//! The recording is synthesized here with the iRacing layout: three variables, a session YAML
//! and rows whose `KsanaCounter` goes 1, 2, 3, … at 10 Hz.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ksana_format::{Header as FileHeader, PageUpdate, Writer, WriterOptions};
use ksana_shm::{Event, Mapping, ShmNamespace};
use ksana_sims::iracing::layout::{
    self, DATA_VALID_EVENT_NAME, HEADER_LEN, Header, MEMMAP_NAME, STATUS_CONNECTED, VAR_HEADER_LEN,
    VarHeader, VarType,
};

/// Players are real-time processes on a 2-core machine: one test at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn ksana() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
}

const COUNTER: &str = "KsanaCounter";
const TRACK: &str = "ksana-wine-test";
const FRAME_NS: u64 = 100_000_000;

fn var(name: &str, var_type: VarType, offset: u32) -> VarHeader {
    VarHeader {
        var_type,
        offset,
        count: 1,
        count_as_time: false,
        name: name.into(),
        desc: format!("{name} (test)"),
        unit: String::new(),
    }
}

/// Writes an iRacing recording of `frames` rows at 10 Hz to `path`.
fn write_recording(path: &Path, frames: u32) {
    let vars = vec![
        var("SessionTick", VarType::Int, 0),
        var(COUNTER, VarType::Int, 4),
        var("Speed", VarType::Float, 8),
    ];
    let buf_len = 16usize;
    let yaml = format!("---\nWeekendInfo:\n TrackName: {TRACK}\n TrackID: 1\n...\n");
    let header = Header {
        ver: 2,
        status: STATUS_CONNECTED,
        tick_rate: 60,
        session_info_update: 1,
        session_info_len: yaml.len() as i32,
        session_info_offset: HEADER_LEN as i32,
        num_vars: vars.len() as i32,
        var_header_offset: (HEADER_LEN + yaml.len()) as i32,
        num_buf: 3,
        buf_len: buf_len as i32,
        ..Header::default()
    }
    .to_page();
    let var_headers: Vec<u8> = vars.iter().flat_map(|v| v.encode()).collect();
    let pages = layout::page_specs(&vars, buf_len, yaml.len());
    let mut w = Writer::create(
        path,
        FileHeader::new("iracing", pages),
        WriterOptions::default(),
    )
    .unwrap();
    for i in 1..=frames {
        let mut row = vec![0u8; buf_len];
        row[0..4].copy_from_slice(&((i * 6) as i32).to_le_bytes());
        row[4..8].copy_from_slice(&(i as i32).to_le_bytes());
        row[8..12].copy_from_slice(&(20.0f32 + i as f32).to_le_bytes());
        let updates = [
            PageUpdate {
                page: 0,
                data: &header,
            },
            PageUpdate {
                page: 1,
                data: &var_headers,
            },
            PageUpdate {
                page: 2,
                data: yaml.as_bytes(),
            },
            PageUpdate {
                page: 3,
                data: &row,
            },
        ];
        w.write_frame(u64::from(i - 1) * FRAME_NS, Some(u64::from(i)), &updates)
            .unwrap();
    }
    w.close().unwrap();
}

/// What the SDK-rules client saw.
#[derive(Debug, Default)]
struct Seen {
    /// `KsanaCounter` of every accepted update (ticks repeat rows between frames).
    counters: Vec<i32>,
    /// The tick of every accepted update.
    ticks: Vec<i32>,
    /// The session YAML had the test's track name.
    yaml_ok: bool,
    /// `status` went back to 0 after having been connected.
    stopped: bool,
    /// Polls that found the tick lower than the last accepted one (resyncs).
    resyncs: u32,
}

/// The official client's loop (`irsdk_startup`, `irsdk_waitForDataReady`,
/// `irsdk_getNewData`) over ksana-shm's mapping and event, until the producer's `status`
/// drops back to 0 or `deadline`.
fn sdk_client(ns: &ShmNamespace, deadline: Instant) -> Seen {
    let mut seen = Seen::default();
    // irsdk_startup: the mapping and the event must both exist.
    let (map, event) = loop {
        if let (Some(m), Some(e)) = (
            Mapping::open_read(ns, MEMMAP_NAME).unwrap(),
            Event::open(ns, DATA_VALID_EVENT_NAME).unwrap(),
        ) {
            break (m, e);
        }
        assert!(
            Instant::now() < deadline,
            "the player never created the mapping"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut last_tick = i32::MAX;
    let mut connected = false;
    let mut counter_at: Option<(i32, usize)> = None; // (bufLen, offset of KsanaCounter)
    while Instant::now() < deadline {
        event.wait(Duration::from_millis(100)).unwrap();
        let h = Header::parse(&map.read_vec(0, HEADER_LEN).unwrap()).unwrap();
        if h.status & STATUS_CONNECTED == 0 {
            last_tick = i32::MAX;
            if connected {
                seen.stopped = true;
                break;
            }
            continue;
        }
        connected = true;
        // waitForData: a changed bufLen means a new layout; look the variable up again.
        if counter_at.map(|(len, _)| len) != Some(h.buf_len) {
            let vh = map
                .read_vec(
                    h.var_header_offset as usize,
                    h.num_vars as usize * VAR_HEADER_LEN,
                )
                .unwrap();
            let off = vh
                .chunks(VAR_HEADER_LEN)
                .map(|c| VarHeader::parse(c).unwrap())
                .find(|v| v.name == COUNTER)
                .expect("the counter variable is published")
                .offset as usize;
            counter_at = Some((h.buf_len, off));
            let yaml = map
                .read_vec(h.session_info_offset as usize, h.session_info_len as usize)
                .unwrap();
            seen.yaml_ok = String::from_utf8_lossy(layout::yaml_text(&yaml))
                .contains(&format!("TrackName: {TRACK}"));
        }
        let (_, off) = counter_at.unwrap();
        let newest = h.newest_buf();
        let tick = h.var_buf[newest].tick_count;
        if last_tick < tick {
            // Copy, then check the slot still holds that tick (two tries, as the SDK).
            for _ in 0..2 {
                let b = h.var_buf[newest];
                let row = map
                    .read_vec(b.buf_offset as usize, h.buf_len as usize)
                    .unwrap();
                let again = map.read_i32_le(48 + 16 * newest).unwrap();
                if again == tick {
                    seen.counters
                        .push(i32::from_le_bytes(row[off..off + 4].try_into().unwrap()));
                    seen.ticks.push(tick);
                    last_tick = tick;
                    break;
                }
            }
        } else if last_tick > tick {
            if last_tick != i32::MAX {
                seen.resyncs += 1;
            }
            last_tick = tick;
        }
    }
    seen
}

#[test]
fn an_sdk_rules_client_sees_every_frame_of_a_playback() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("counter.ksana");
    let frames = 30;
    write_recording(&rec, frames);
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let deadline = Instant::now() + Duration::from_secs(120);
    let client = std::thread::spawn({
        let ns = ns.clone();
        move || sdk_client(&ns, deadline)
    });
    let out = ksana()
        .arg("play")
        .arg(&rec)
        .arg("--shm-dir")
        .arg(root.path())
        .env_remove("KSANA_IRSDK_STATUS_ADDR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let seen = client.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("played {frames} frames")),
        "{stdout}"
    );
    let mut distinct = seen.counters.clone();
    distinct.dedup();
    assert_eq!(
        distinct,
        (1..=frames as i32).collect::<Vec<_>>(),
        "every frame, in order: {seen:?}"
    );
    assert!(
        seen.ticks.windows(2).all(|w| w[0] < w[1]),
        "ticks only advance: {:?}",
        seen.ticks
    );
    // 30 frames over 2.9 s with a 60 Hz heartbeat: far more ticks than frames.
    assert!(seen.ticks.len() > frames as usize, "{seen:?}");
    assert_eq!(seen.resyncs, 0, "the tick never went backwards");
    assert!(seen.yaml_ok, "the session YAML names the test track");
    assert!(seen.stopped, "the player left status 0 behind");
}

#[cfg(not(windows))]
#[test]
fn broadcast_commands_are_refused_off_windows() {
    let out = ksana()
        .args(["iracing", "replay", "speed", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exist only on Windows"), "{err}");
    assert!(out.stdout.is_empty());
}

/// A broadcast from another process speeds a running playback up: a 30 s recording finishes
/// in well under 30 s only if the command arrived, and the player logs it.
#[cfg(windows)]
#[test]
fn a_broadcast_from_another_process_changes_the_playback_speed() {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;

    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("long.ksana");
    let frames = 300; // 29.9 s at 10 Hz
    write_recording(&rec, frames);
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let started = Instant::now();
    let mut play = ksana()
        .arg("play")
        .arg(&rec)
        .arg("--shm-dir")
        .arg(root.path())
        .env_remove("KSANA_IRSDK_STATUS_ADDR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel::<String>();
    let stderr = play.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Wait until the player publishes (status 1).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let connected = Mapping::open_read(&ns, MEMMAP_NAME)
            .unwrap()
            .map(|m| m.read_i32_le(4).unwrap() & STATUS_CONNECTED != 0)
            .unwrap_or(false);
        if connected {
            break;
        }
        assert!(Instant::now() < deadline, "the player never connected");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut log = Vec::new();
    let mut heard = false;
    for _attempt in 0..3 {
        let sent = ksana()
            .args(["iracing", "replay", "speed", "16"])
            .env("KSANA_SHM_DIR", root.path())
            .output()
            .unwrap();
        assert!(
            sent.status.success(),
            "{}",
            String::from_utf8_lossy(&sent.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&sent.stdout).trim(),
            "sent: replay speed 16"
        );
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(l) = lines.recv_timeout(Duration::from_millis(100)) {
                heard |= l.contains("iRacing broadcast: replay speed 16");
                log.push(l);
            }
            if heard {
                break;
            }
        }
        if heard {
            break;
        }
    }
    assert!(heard, "the player logs the command: {log:?}");
    // At 16× the remaining ~28 s take ~2 s; at 1× the whole file takes 30 s.
    let finish = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = play.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > finish {
            let _ = play.kill();
            panic!("the player did not finish: {log:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    reader.join().unwrap();
    log.extend(lines.try_iter());
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut play.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(status.success(), "{stdout} {log:?}");
    assert!(
        stdout.contains(&format!("played {frames} frames")),
        "{stdout}"
    );
    assert!(
        elapsed < Duration::from_secs(25),
        "a 30 s recording took {elapsed:?} after a speed-16 command: {log:?}"
    );
}

/// `GET /get_sim_status` against `addr`: the body, or `None` when nothing listens.
fn sim_status(addr: std::net::SocketAddr) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /get_sim_status?object=simStatus HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    Some(
        out.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default(),
    )
}

/// While `ksana play` publishes, pyirsdk's status check answers `running:1`; with
/// `--no-status-server` nothing listens. The address comes from `KSANA_IRSDK_STATUS_ADDR` (a
/// free port: tests cannot take 32034).
#[test]
fn play_serves_the_sim_status_unless_told_not_to() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("status.ksana");
    write_recording(&rec, 30);
    for serve in [true, false] {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let root = ksana_testkit::shm_root();
        let ns = ShmNamespace::with_root(root.path());
        let mut cmd = ksana();
        cmd.arg("play")
            .arg(&rec)
            .arg("--shm-dir")
            .arg(root.path())
            .env("KSANA_IRSDK_STATUS_ADDR", addr.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if !serve {
            cmd.arg("--no-status-server");
        }
        let mut play = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut body = None;
        while Instant::now() < deadline && play.try_wait().unwrap().is_none() {
            let connected = Mapping::open_read(&ns, MEMMAP_NAME)
                .unwrap()
                .map(|m| m.read_i32_le(4).unwrap() & STATUS_CONNECTED != 0)
                .unwrap_or(false);
            if connected {
                body = Some(sim_status(addr));
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = play.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        let body = body.expect("the player published");
        if serve {
            assert_eq!(body.as_deref(), Some("running:1\n"), "{err}");
        } else {
            assert_eq!(body, None, "--no-status-server: nothing listens ({err})");
        }
        // After the player exits nothing answers any more.
        assert_eq!(sim_status(addr), None);
    }
}

/// A broadcast `replay speed 0` pauses a playback (consumers still see the tick advance, the
/// row stays), a `replay search to-end` sent while paused waits for the resume, and `replay
/// speed 1` resumes: the seek then ends a 30 s recording at once.
#[cfg(windows)]
#[test]
fn broadcasts_pause_seek_and_resume_a_playback() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("pause.ksana");
    let frames = 300;
    write_recording(&rec, frames);
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let started = Instant::now();
    let play = ksana()
        .arg("play")
        .arg(&rec)
        .arg("--shm-dir")
        .arg(root.path())
        .env_remove("KSANA_IRSDK_STATUS_ADDR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // (newest tick, its KsanaCounter) once connected.
    let newest = || -> Option<(i32, i32)> {
        let m = Mapping::open_read(&ns, MEMMAP_NAME).unwrap()?;
        let h = Header::parse(&m.read_vec(0, HEADER_LEN).unwrap()).unwrap();
        if h.status & STATUS_CONNECTED == 0 {
            return None;
        }
        let b = h.var_buf[h.newest_buf()];
        let c = m.read_i32_le(b.buf_offset as usize + 4).unwrap();
        Some((b.tick_count, c))
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while newest().is_none() {
        assert!(Instant::now() < deadline, "the player never connected");
        std::thread::sleep(Duration::from_millis(20));
    }
    let send = |args: &[&str]| {
        let o = ksana()
            .arg("iracing")
            .args(args)
            .env("KSANA_SHM_DIR", root.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    send(&["replay", "speed", "0"]);
    // Paused once the counter stops moving for a second while the tick goes on.
    let paused_by = Instant::now() + Duration::from_secs(20);
    let (t1, c1) = loop {
        let (t1, c1) = newest().unwrap();
        std::thread::sleep(Duration::from_millis(1000));
        let (t2, c2) = newest().unwrap();
        assert!(
            t2 > t1,
            "heartbeats go on while paused: tick {t1} then {t2}"
        );
        if c1 == c2 {
            break (t2, c2);
        }
        assert!(Instant::now() < paused_by, "the counter never stopped");
    };
    assert!(c1 < frames as i32 / 2, "paused early in the file, at {c1}");
    send(&["replay", "search", "to-end"]);
    std::thread::sleep(Duration::from_millis(1000));
    let (t3, c3) = newest().unwrap();
    assert_eq!(c3, c1, "a seek does not end the pause");
    assert!(t3 > t1);
    send(&["replay", "speed", "1"]);
    let out = play.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{err}");
    for line in [
        "iRacing broadcast: replay speed 0",
        "iRacing broadcast: replay search to-end",
        "iRacing broadcast: replay speed 1",
    ] {
        assert!(err.contains(line), "{line:?} in {err}");
    }
    // The seek skipped the rest: fewer frames than the file has, well before its 30 s.
    let played: u64 = stdout
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(played < u64::from(frames), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(28),
        "took {:?}: {err}",
        started.elapsed()
    );
}
