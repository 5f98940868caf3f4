//! Test helper for `tests/two_process.rs`: the "sim" side of a cross-process test.
//!
//! Usage: `ksana-shm-testpeer MAP_NAME EVENT_NAME GO_EVENT_NAME COUNT` (namespace root from
//! `KSANA_SHM_DIR`). Opens the go event, creates the mapping (4096 bytes) and the data event, waits for
//! the go signal, then COUNT times: fills the payload (offsets 8..72) with the counter value, stores the
//! counter at offset 0 with release ordering and sets the data event. Exit codes: 0 ok, 2 usage,
//! 3 no go event, 4 go timeout, 5 shm error.

use std::process::ExitCode;
use std::time::Duration;

use ksana_shm::{Event, EventReset, Mapping, ShmNamespace};

/// Size of the test mapping.
const MAP_LEN: usize = 4096;
/// Payload slots after the counter: 16 little-endian u32 values at offset 8.
const PAYLOAD_OFF: usize = 8;
const PAYLOAD_SLOTS: usize = 16;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [map_name, ev_name, go_name, count] = args.as_slice() else {
        eprintln!("usage: ksana-shm-testpeer MAP_NAME EVENT_NAME GO_EVENT_NAME COUNT");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<i32>() else {
        eprintln!("COUNT must be an integer");
        return ExitCode::from(2);
    };
    match run(map_name, ev_name, go_name, count) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("testpeer: {e}");
            ExitCode::from(5)
        }
    }
}

fn run(map_name: &str, ev_name: &str, go_name: &str, count: i32) -> ksana_shm::Result<ExitCode> {
    let ns = ShmNamespace::from_env();
    // Open the go event first, so that once the mapping is visible the parent's go signal is not missed.
    let Some(go) = Event::open(&ns, go_name)? else {
        eprintln!("testpeer: go event {go_name:?} does not exist");
        return Ok(ExitCode::from(3));
    };
    let (map, _) = Mapping::open_or_create(&ns, map_name, MAP_LEN)?;
    let ev = Event::create(&ns, ev_name, EventReset::Auto)?;
    if !go.wait(Duration::from_secs(30))? {
        eprintln!("testpeer: no go signal");
        return Ok(ExitCode::from(4));
    }
    for i in 1..=count {
        let payload: Vec<u8> = (0..PAYLOAD_SLOTS)
            .flat_map(|_| (i as u32).to_le_bytes())
            .collect();
        map.write(PAYLOAD_OFF, &payload)?;
        map.store_i32_release(0, i)?;
        ev.set()?;
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(ExitCode::SUCCESS)
}
