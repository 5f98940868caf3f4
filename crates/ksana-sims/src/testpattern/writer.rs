//! The test pattern's producer, used by `ksana simulate --sim testpattern` and by tests.

use ksana_shm::{Event, EventReset, Mapping, ShmNamespace};

use super::layout::{self, PAGE_NAME, PAGE_SIZE};
use crate::protocol::seqlock_write;
use crate::sim::SimError;

/// Publishes test-pattern updates under the seqlock.
pub struct TestPatternWriter {
    map: Mapping,
    ready: Event,
    page: Vec<u8>,
    seq: u32,
}

impl TestPatternWriter {
    /// Creates (or opens, never shrinking) the page in `ns`.
    pub fn create(ns: &ShmNamespace) -> Result<TestPatternWriter, SimError> {
        let (map, _) = Mapping::open_or_create(ns, PAGE_NAME, PAGE_SIZE)?;
        let seq = map.load_i32_acquire(layout::SEQ)? as u32 & !1;
        let ready = Event::create(ns, layout::EVENT_NAME, EventReset::Auto)?;
        Ok(TestPatternWriter {
            map,
            ready,
            page: vec![0; PAGE_SIZE],
            seq,
        })
    }

    /// Publishes update `counter`.
    pub fn publish(&mut self, counter: u64) -> Result<(), SimError> {
        layout::fill_page(&mut self.page, counter, layout::STATUS_RUNNING);
        self.seq = seqlock_write(&self.map, layout::SEQ, self.seq, 4, &self.page[4..])?;
        self.ready.set()?;
        Ok(())
    }

    /// Marks the sim stopped.
    pub fn stop(&mut self) -> Result<(), SimError> {
        self.page[4..8].copy_from_slice(&layout::STATUS_STOPPED.to_le_bytes());
        self.seq = seqlock_write(&self.map, layout::SEQ, self.seq, 4, &self.page[4..8])?;
        Ok(())
    }
}
