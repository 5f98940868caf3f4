//! `testpattern`: a sim that does not exist, with a self-checking page, for proving that
//! recording and playback lose, tear and reorder nothing.
//!
//! The mapping `ksana_testpattern` holds a ring of 4096-byte updates, each under its own
//! seqlock, and a header naming the newest (layout in [`layout`]); like iRacing's rotating
//! buffers, the ring lets a reader that was briefly not scheduled still record every update.
//! `ksana simulate --sim testpattern` publishes it at any rate; every byte of an update is a
//! function of its counter, so any frame can be checked on its own.

pub mod check;
pub mod layout;
mod publisher;
mod reader;
mod ring;
pub mod writer;

use std::time::{Duration, Instant};

use ksana_format::PageSpec;
use ksana_shm::{Mapping, ShmNamespace};

use crate::sim::{Liveness, Sim, SimError, SimPublisher, SimReader, Simulator};
pub use layout::{PAGE_NAME, PAGE_SIZE, check_page, fill_page};
pub use writer::TestPatternWriter;

/// The test-pattern sim.
pub struct TestPattern;

impl Sim for TestPattern {
    fn id(&self) -> &'static str {
        "testpattern"
    }

    fn name(&self) -> &'static str {
        "ksana test pattern"
    }

    fn probe(&self, ns: &ShmNamespace, window: Duration) -> Result<Liveness, SimError> {
        let Some(map) = Mapping::open_read(ns, PAGE_NAME)? else {
            return Ok(Liveness::Absent);
        };
        if map.len() < layout::MAPPING_SIZE {
            return Ok(Liveness::Stale);
        }
        let first = map.load_i32_acquire(layout::SEQ)?;
        let start = Instant::now();
        let mut changes = 0u32;
        let mut last = first;
        while start.elapsed() < window {
            std::thread::sleep(Duration::from_millis(2));
            let s = map.load_i32_acquire(layout::SEQ)?;
            if s != last {
                changes += 1;
                last = s;
            }
        }
        let status = map.read_u32_le(layout::STATUS)?;
        Ok(if changes > 0 && status == layout::STATUS_RUNNING {
            Liveness::Live {
                evidence: format!(
                    "its sequence counter moved {changes} times in {} ms",
                    window.as_millis()
                ),
            }
        } else {
            Liveness::Stale
        })
    }

    fn open_reader(&self, ns: &ShmNamespace) -> Result<Box<dyn SimReader>, SimError> {
        Ok(Box::new(reader::Reader::open(ns)?))
    }

    fn open_publisher(
        &self,
        ns: &ShmNamespace,
        pages: &[PageSpec],
    ) -> Result<Box<dyn SimPublisher>, SimError> {
        Ok(Box::new(publisher::Publisher::open(ns, pages)?))
    }

    fn simulator(&self, ns: &ShmNamespace) -> Result<Option<Box<dyn Simulator>>, SimError> {
        Ok(Some(Box::new(TestPatternWriter::create(ns)?)))
    }

    fn watch_updates(
        &self,
        ns: &ShmNamespace,
        timeout: Duration,
        out: &mut dyn std::io::Write,
    ) -> Result<Option<u64>, SimError> {
        check::watch(ns, timeout, out).map(Some)
    }
}

/// The page declaration recordings of this sim carry.
pub fn page_spec() -> PageSpec {
    layout::page_spec()
}
