//! Playing the test pattern back: each recorded update written into its ring slot, then made
//! the newest.

use ksana_format::{FrameRef, PageSpec};
use ksana_shm::{Event, EventReset, Mapping, ShmNamespace};

use super::layout::{self, MAPPING_SIZE, PAGE_NAME, PAGE_SIZE};
use super::ring;
use crate::sim::{PublishContext, SimError, SimPublisher};

pub(super) struct Publisher {
    map: Mapping,
    ready: Event,
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
        let (map, _) = Mapping::open_or_create(ns, PAGE_NAME, MAPPING_SIZE)?;
        let ready = Event::create(ns, layout::EVENT_NAME, EventReset::Auto)?;
        Ok(Publisher { map, ready })
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
        ring::publish(&self.map, page, layout::STATUS_RUNNING)?;
        self.ready.set()?;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), SimError> {
        ring::set_status(&self.map, layout::STATUS_STOPPED)?;
        self.ready.set()?;
        Ok(())
    }
}
