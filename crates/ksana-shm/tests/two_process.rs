//! Two processes: the test helper binary plays a sim (creates a mapping and an event, writes a counter),
//! this test plays the recorder (read-only view, wait-only event).

use std::process::Command;
use std::time::{Duration, Instant};

use ksana_shm::{Event, EventReset, Mapping, ShmNamespace};

const COUNT: i32 = 200;

#[test]
fn reader_sees_writer_process_counter() {
    let dir = tempfile::tempdir().unwrap();
    let ns = ShmNamespace::with_root(dir.path());
    let pid = std::process::id();
    let map_name = format!("Local\\ksana-2p-map-{pid}");
    let ev_name = format!("Local\\ksana-2p-ev-{pid}");
    let go_name = format!("Local\\ksana-2p-go-{pid}");

    let go = Event::create(&ns, &go_name, EventReset::Auto).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ksana-shm-testpeer"))
        .args([&map_name, &ev_name, &go_name, &COUNT.to_string()])
        .env("KSANA_SHM_DIR", dir.path())
        .spawn()
        .expect("spawn test peer");

    // Wait until the peer has created (and sized) the mapping and the event.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (map, ev) = loop {
        let map = Mapping::open_read(&ns, &map_name).unwrap();
        let ev = Event::open(&ns, &ev_name).unwrap();
        match (map, ev) {
            (Some(m), Some(e)) if m.len() >= 4096 => break (m, e),
            _ => {}
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("peer exited early: {status}");
        }
        assert!(Instant::now() < deadline, "peer never created its objects");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(!map.is_writable());
    assert!(ev.set().is_err(), "a wait-only event must not signal");
    go.set().unwrap();

    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.last() != Some(&COUNT) {
        assert!(Instant::now() < deadline, "timed out; seen {seen:?}");
        if !ev.wait(Duration::from_millis(500)).unwrap() {
            continue;
        }
        let v = map.load_i32_acquire(0).unwrap();
        // The payload is written before the counter, so it is never older than the counter.
        for slot in 0..16 {
            let p = map.read_u32_le(8 + 4 * slot).unwrap();
            assert!(p as i64 >= v as i64, "payload {p} older than counter {v}");
        }
        if seen.last() != Some(&v) {
            seen.push(v);
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "peer failed: {status}");
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "not increasing: {seen:?}"
    );
    assert_eq!(*seen.last().unwrap(), COUNT);
    assert!(seen.len() >= 2, "woke only for {seen:?}");
    // The mapping outlives the writer while this process holds a view.
    assert_eq!(map.load_i32_acquire(0).unwrap(), COUNT);
}
