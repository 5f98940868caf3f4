//! Recording the test pattern: every update still in the ring since the last poll, in order,
//! each one frame, timed by the writer's own clock.

use std::time::Duration;

use ksana_format::PageSpec;
use ksana_shm::{Event, Mapping, ShmNamespace};

use super::layout::{self, MAPPING_SIZE, PAGE_NAME, PAGE_SIZE};
use super::ring;
use crate::sim::{Poll, SimError, SimReader, Snapshot};

pub(super) struct Reader {
    map: Mapping,
    /// The last update returned.
    last: Option<u64>,
    /// Newest update and its writer clock, as of the last header read.
    newest: Option<(u64, u64)>,
    ns: ShmNamespace,
    ready: Option<Event>,
    /// The next poll takes the newest update, whatever the backlog.
    skip: bool,
}

impl Reader {
    pub(super) fn open(ns: &ShmNamespace) -> Result<Reader, SimError> {
        let map = Mapping::open_read(ns, PAGE_NAME)?.ok_or_else(|| SimError::Layout {
            page: PAGE_NAME.into(),
            detail: "not present".into(),
        })?;
        if map.len() < MAPPING_SIZE {
            return Err(SimError::Layout {
                page: PAGE_NAME.into(),
                detail: format!("{} bytes, expected {MAPPING_SIZE}", map.len()),
            });
        }
        Ok(Reader {
            map,
            last: None,
            newest: None,
            ns: ns.clone(),
            ready: None,
            skip: false,
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
        // Work through the backlog before looking at the header again.
        let behind = matches!((self.last, self.newest), (Some(l), Some((n, _))) if l < n);
        if !behind {
            let Some((status, newest, newest_ns)) = ring::read_header(&self.map)? else {
                return Ok(Poll::Same);
            };
            if status != layout::STATUS_RUNNING {
                self.last = None;
                self.newest = None;
                return Ok(Poll::Stopped);
            }
            if newest == 0 || self.last == Some(newest) {
                return Ok(Poll::Same);
            }
            self.newest = Some((newest, newest_ns));
        }
        let Some((newest, newest_ns)) = self.newest else {
            return Ok(Poll::Same);
        };
        // The first poll starts at the newest update; later ones at the first not yet seen
        // that the ring still holds (older ones are gone: the tick jump counts them missed).
        let mut next = match self.last {
            None => newest,
            Some(_) if self.skip => newest,
            Some(l) => (l + 1).max(ring::oldest(newest)),
        };
        self.skip = false;
        let page = &mut snap.pages[0];
        page.resize(PAGE_SIZE, 0);
        while !ring::read_update(&self.map, next, page)? {
            // Overwritten while we read: the writer went round the ring. Skip ahead.
            if next >= newest {
                return Ok(Poll::Same);
            }
            next += 1;
        }
        self.last = Some(next);
        snap.changed[0] = true;
        snap.tick = Some(next);
        let published = layout::u64_at(page, layout::PUBLISHED_NS);
        snap.age = Duration::from_nanos(newest_ns.saturating_sub(published));
        Ok(Poll::New)
    }

    fn skip_backlog(&mut self) {
        self.skip = true;
        self.newest = None;
    }

    fn pending(&self) -> bool {
        matches!((self.last, self.newest), (Some(l), Some((n, _))) if l < n)
    }

    fn tick_step(&self) -> Option<u64> {
        Some(1)
    }

    fn history(&self) -> u32 {
        // The ring less the slot being written next.
        (layout::SLOTS - 2) as u32
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
