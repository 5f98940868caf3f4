//! The test pattern's producer, used by `ksana simulate --sim testpattern` and by tests.

use std::time::Instant;

use ksana_shm::{Event, EventReset, Mapping, ShmNamespace};

use super::layout::{self, MAPPING_SIZE, PAGE_NAME, PAGE_SIZE};
use super::ring;
use crate::sim::{SimError, Simulator};

/// Publishes test-pattern updates into the ring and signals each.
pub struct TestPatternWriter {
    map: Mapping,
    ready: Event,
    page: Vec<u8>,
    started: Instant,
    counter: u64,
}

impl TestPatternWriter {
    /// Creates (or opens, never shrinking) the mapping in `ns`.
    pub fn create(ns: &ShmNamespace) -> Result<TestPatternWriter, SimError> {
        let (map, _) = Mapping::open_or_create(ns, PAGE_NAME, MAPPING_SIZE)?;
        let ready = Event::create(ns, layout::EVENT_NAME, EventReset::Auto)?;
        Ok(TestPatternWriter {
            map,
            ready,
            page: vec![0; PAGE_SIZE],
            started: Instant::now(),
            counter: 0,
        })
    }

    /// Publishes update `counter` (counters start at 1 and increase by one).
    pub fn publish(&mut self, counter: u64) -> Result<(), SimError> {
        let now = self.started.elapsed().as_nanos() as u64;
        layout::fill_page(&mut self.page, counter, now);
        ring::publish(&self.map, &self.page, layout::STATUS_RUNNING)?;
        self.ready.set()?;
        Ok(())
    }

    /// Marks the sim stopped.
    pub fn stop(&mut self) -> Result<(), SimError> {
        ring::set_status(&self.map, layout::STATUS_STOPPED)?;
        self.ready.set()?;
        Ok(())
    }
}

impl Simulator for TestPatternWriter {
    fn step(&mut self) -> Result<(), SimError> {
        self.counter += 1;
        self.publish(self.counter)
    }

    fn stop(&mut self) -> Result<(), SimError> {
        TestPatternWriter::stop(self)
    }
}
