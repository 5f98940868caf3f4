//! Recording the test pattern: seqlock snapshots, one frame per new counter.

use std::time::Duration;

use ksana_format::PageSpec;
use ksana_shm::{Event, Mapping, ShmNamespace};

use super::layout::{self, PAGE_NAME, PAGE_SIZE};
use crate::protocol::seqlock_read;
use crate::sim::{Poll, SimError, SimReader, Snapshot};

pub(super) struct Reader {
    map: Mapping,
    last: Option<u64>,
    ns: ShmNamespace,
    ready: Option<Event>,
}

impl Reader {
    pub(super) fn open(ns: &ShmNamespace) -> Result<Reader, SimError> {
        let map = Mapping::open_read(ns, PAGE_NAME)?.ok_or_else(|| SimError::Layout {
            page: PAGE_NAME.into(),
            detail: "not present".into(),
        })?;
        if map.len() < PAGE_SIZE {
            return Err(SimError::Layout {
                page: PAGE_NAME.into(),
                detail: format!("{} bytes, expected {PAGE_SIZE}", map.len()),
            });
        }
        Ok(Reader {
            map,
            last: None,
            ns: ns.clone(),
            ready: None,
        })
    }
}

impl SimReader for Reader {
    fn pages(&self) -> Vec<PageSpec> {
        vec![layout::page_spec()]
    }

    fn poll(&mut self, snap: &mut Snapshot) -> Result<Poll, SimError> {
        if snap.pages.len() != 1 {
            *snap = Snapshot::with_pages(1);
        }
        let page = &mut snap.pages[0];
        page.resize(PAGE_SIZE, 0);
        if seqlock_read(&self.map, layout::SEQ, page)?.is_none() {
            return Ok(Poll::Same);
        }
        let status = u32::from_le_bytes([page[4], page[5], page[6], page[7]]);
        if status != layout::STATUS_RUNNING {
            self.last = None;
            return Ok(Poll::Stopped);
        }
        let counter = u64::from_le_bytes(page[8..16].try_into().unwrap_or_default());
        if self.last == Some(counter) {
            return Ok(Poll::Same);
        }
        self.last = Some(counter);
        snap.changed[0] = true;
        snap.tick = Some(counter);
        Ok(Poll::New)
    }

    fn nominal_interval(&self) -> Option<Duration> {
        None
    }

    fn tick_step(&self) -> Option<u64> {
        Some(1)
    }

    /// Waits on the writer's event on Windows, where it is a kernel event that wakes the
    /// reader the moment an update lands. On Linux an event is a counter file polled every
    /// 0.5 ms, no better than the engine's own paced polling, so the engine polls instead.
    fn wait(&mut self, timeout: Duration) -> bool {
        if !cfg!(windows) {
            return false;
        }
        if self.ready.is_none() {
            self.ready = Event::open(&self.ns, layout::EVENT_NAME).ok().flatten();
        }
        match &self.ready {
            Some(ev) => ev.wait(timeout).is_ok(),
            None => false,
        }
    }
}
