//! Writing and reading the ring: shared by the simulator, the player and the readers.

use ksana_shm::Mapping;

use super::layout::{self, PAGE_SIZE, SEQ, SLOTS, slot_offset};
use crate::protocol::{seqlock_read_at, seqlock_write_at};
use crate::sim::SimError;

/// Writes one whole update (a [`PAGE_SIZE`] slot image whose counter is at
/// [`layout::COUNTER`]) into its slot, then makes it the newest in the header.
pub(super) fn publish(map: &Mapping, page: &[u8], status: u32) -> Result<(), SimError> {
    let counter = layout::u64_at(page, layout::COUNTER);
    let published_ns = layout::u64_at(page, layout::PUBLISHED_NS);
    let slot = slot_offset(counter);
    seqlock_write_at(map, slot + SEQ, slot + 4, &page[4..PAGE_SIZE])?;
    seqlock_write_at(
        map,
        SEQ,
        4,
        &layout::header(status, counter, published_ns)[4..],
    )?;
    Ok(())
}

/// Sets the header's status, keeping its newest update.
pub(super) fn set_status(map: &Mapping, status: u32) -> Result<(), SimError> {
    let mut h = [0u8; 28];
    if seqlock_read_at(map, SEQ, 0, &mut h)?.is_none() {
        return Err(SimError::Layout {
            page: layout::PAGE_NAME.into(),
            detail: "header never stable".into(),
        });
    }
    seqlock_write_at(
        map,
        SEQ,
        4,
        &layout::header(status, layout::u64_at(&h, 8), layout::u64_at(&h, 16))[4..],
    )?;
    Ok(())
}

/// The header: (status, newest counter, writer clock of the newest), or `None` if no stable
/// copy was had.
pub(super) fn read_header(map: &Mapping) -> Result<Option<(u32, u64, u64)>, SimError> {
    let mut h = [0u8; 28];
    Ok(seqlock_read_at(map, SEQ, 0, &mut h)?.map(|_| {
        (
            layout::u32_at(&h, layout::STATUS),
            layout::u64_at(&h, layout::COUNTER),
            layout::u64_at(&h, layout::PUBLISHED_NS),
        )
    }))
}

/// Copies update `counter` out of the ring into `page`; `false` if it is no longer there (the
/// writer has gone round the ring since) or no stable copy was had.
pub(super) fn read_update(map: &Mapping, counter: u64, page: &mut [u8]) -> Result<bool, SimError> {
    let slot = slot_offset(counter);
    if seqlock_read_at(map, slot + SEQ, slot, &mut page[..PAGE_SIZE])?.is_none() {
        return Ok(false);
    }
    Ok(layout::u64_at(page, layout::COUNTER) == counter)
}

/// The oldest counter still in the ring when `newest` is the newest.
pub(super) fn oldest(newest: u64) -> u64 {
    newest.saturating_sub(SLOTS - 1).max(1)
}
