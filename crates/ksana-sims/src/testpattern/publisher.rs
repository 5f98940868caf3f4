//! Playing the test pattern back: each recorded page written under the seqlock.

use ksana_format::{FrameRef, PageSpec};
use ksana_shm::{Event, EventReset, Mapping, ShmNamespace};

use super::layout::{self, PAGE_NAME, PAGE_SIZE};
use crate::protocol::seqlock_write;
use crate::sim::{PublishContext, SimError, SimPublisher};

pub(super) struct Publisher {
    map: Mapping,
    ready: Event,
    seq: u32,
}

impl Publisher {
    pub(super) fn open(ns: &ShmNamespace, pages: &[PageSpec]) -> Result<Publisher, SimError> {
        if pages.len() != 1 || pages[0].name != PAGE_NAME {
            return Err(SimError::Incompatible {
                sim: "testpattern",
                detail: format!(
                    "expected the single page {PAGE_NAME}, found {:?}",
                    pages.iter().map(|p| &p.name).collect::<Vec<_>>()
                ),
            });
        }
        let (map, _) = Mapping::open_or_create(ns, PAGE_NAME, PAGE_SIZE)?;
        let seq = map.load_i32_acquire(layout::SEQ)? as u32 & !1;
        let ready = Event::create(ns, layout::EVENT_NAME, EventReset::Auto)?;
        Ok(Publisher { map, ready, seq })
    }
}

impl SimPublisher for Publisher {
    fn publish(&mut self, frame: &FrameRef<'_>, _ctx: PublishContext) -> Result<(), SimError> {
        let page = frame.page(0);
        if page.len() < PAGE_SIZE {
            return Err(SimError::Layout {
                page: PAGE_NAME.into(),
                detail: format!("recorded page is {} bytes", page.len()),
            });
        }
        // The recorded seq is the recorder's observation; the live counter is ours.
        self.seq = seqlock_write(&self.map, layout::SEQ, self.seq, 4, &page[4..PAGE_SIZE])?;
        self.ready.set()?;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), SimError> {
        self.seq = seqlock_write(
            &self.map,
            layout::SEQ,
            self.seq,
            layout::STATUS,
            &layout::STATUS_STOPPED.to_le_bytes(),
        )?;
        Ok(())
    }
}
