//! Watching the page as fast as possible and reporting every whole update seen: the second
//! process of the playback tests (`ksana testpattern-check`), proving that a player publishes
//! every frame, in order, untorn.

use std::io::Write;
use std::time::{Duration, Instant};

use ksana_shm::{Mapping, ShmNamespace};

use super::layout::{self, PAGE_NAME, PAGE_SIZE};
use crate::protocol::seqlock_read;
use crate::sim::SimError;

/// Busy-reads the page until it says the sim stopped (after at least one update) or `timeout`
/// passes, writing each new update's counter as a line to `out` (`TORN <why>` for a copy that
/// fails the check). Spins a core while it runs: for tests only.
pub fn watch(ns: &ShmNamespace, timeout: Duration, out: &mut dyn Write) -> Result<u64, SimError> {
    let deadline = Instant::now() + timeout;
    let map = loop {
        if let Some(m) = Mapping::open_read(ns, PAGE_NAME)?
            && m.len() >= PAGE_SIZE
        {
            break m;
        }
        if Instant::now() > deadline {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let mut page = vec![0u8; PAGE_SIZE];
    let mut last: Option<u64> = None;
    let mut seen = 0u64;
    let write_err = |e: std::io::Error| SimError::Layout {
        page: "output".into(),
        detail: e.to_string(),
    };
    while Instant::now() < deadline {
        if seqlock_read(&map, layout::SEQ, &mut page)?.is_none() {
            continue;
        }
        let status = u32::from_le_bytes([page[4], page[5], page[6], page[7]]);
        if status == layout::STATUS_STOPPED {
            if last.is_some() {
                break;
            }
            continue;
        }
        match layout::check_page(&page) {
            Ok(c) if Some(c) != last => {
                writeln!(out, "{c}").map_err(write_err)?;
                last = Some(c);
                seen += 1;
            }
            Ok(_) => {}
            Err(e) => writeln!(out, "TORN {e}").map_err(write_err)?,
        }
        // Give the CPU to the publisher if it shares our core; come straight back otherwise.
        std::thread::yield_now();
    }
    out.flush().map_err(write_err)?;
    Ok(seen)
}
