//! Watching the ring and reporting every whole update seen: the second process of the playback
//! tests (`ksana watch-updates --sim testpattern`), proving that a player publishes every frame, in order,
//! untorn.

use std::io::Write;
use std::time::{Duration, Instant};

use ksana_shm::{Mapping, ShmNamespace};

use super::layout::{self, MAPPING_SIZE, PAGE_NAME, PAGE_SIZE};
use super::ring;
use crate::sim::SimError;

/// Follows the ring until the header says the sim stopped (after at least one update) or
/// `timeout` passes, writing each update's counter as a line to `out`, in ring order: `TORN
/// <why>` for a copy that fails the check, `LOST <n>` for an update gone from the ring before
/// it was read. Returns how many updates were seen.
pub fn watch(ns: &ShmNamespace, timeout: Duration, out: &mut dyn Write) -> Result<u64, SimError> {
    let deadline = Instant::now() + timeout;
    let map = loop {
        if let Some(m) = Mapping::open_read(ns, PAGE_NAME)?
            && m.len() >= MAPPING_SIZE
        {
            break m;
        }
        if Instant::now() > deadline {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let write_err = |e: std::io::Error| SimError::Layout {
        page: "output".into(),
        detail: e.to_string(),
    };
    let mut page = vec![0u8; PAGE_SIZE];
    let mut last: Option<u64> = None;
    let mut seen = 0u64;
    while Instant::now() < deadline {
        let Some((status, newest, _)) = ring::read_header(&map)? else {
            continue;
        };
        if status == layout::STATUS_STOPPED && last.is_some() && last >= Some(newest) {
            break;
        }
        if newest == 0
            || last == Some(newest)
            || (status == layout::STATUS_STOPPED && last.is_none())
        {
            std::thread::sleep(Duration::from_micros(200));
            continue;
        }
        // On first sight, whatever the ring already holds of this run; after that, every
        // update since the last one seen.
        let first = last.is_none();
        let from = last.map_or(ring::oldest(newest), |l| l + 1);
        for c in from..=newest {
            if c < ring::oldest(newest) || !ring::read_update(&map, c, &mut page)? {
                if !first {
                    writeln!(out, "LOST {c}").map_err(write_err)?;
                }
                continue;
            }
            match layout::check_page(&page) {
                Ok(got) if got == c => {
                    writeln!(out, "{c}").map_err(write_err)?;
                    seen += 1;
                }
                Ok(got) => writeln!(out, "TORN slot of {c} holds {got}").map_err(write_err)?,
                Err(e) => writeln!(out, "TORN {e}").map_err(write_err)?,
            }
        }
        last = Some(newest);
    }
    out.flush().map_err(write_err)?;
    Ok(seen)
}
