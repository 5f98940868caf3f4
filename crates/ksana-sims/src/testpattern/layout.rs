//! The test-pattern mapping, byte by byte.
//!
//! The mapping holds a header and a ring of [`SLOTS`] update slots, like iRacing's rotating
//! buffers: a reader that was not scheduled for a while finds the updates it did not see still
//! in the ring (up to [`SLOTS`] of them), so it can record every one.
//!
//! Header, at 0 (one 4096-byte block):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `seq`: u32 seqlock counter of the header, odd while it is written |
//! | 4 | 4 | `status`: 1 running, 0 stopped |
//! | 8 | 8 | `newest`: counter of the newest complete update |
//! | 16 | 8 | `newest_ns`: writer's clock at that update (ns since the writer started) |
//! | 24 | 4 | number of slots ([`SLOTS`]) |
//!
//! Update slot for counter c, at `4096 × (1 + c mod SLOTS)`, [`PAGE_SIZE`] bytes — the page a
//! recording stores:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `seq`: u32 seqlock counter of the slot |
//! | 4 | 4 | `status`: 1 |
//! | 8 | 8 | `counter`: update number, from 1 |
//! | 16 | 8 | `published_ns`: writer's clock at this update |
//! | 24 | 4056 | pattern: xorshift64 stream seeded by `counter`, 8 bytes at a time |
//! | 4080 | 8 | FNV-1a 64 of bytes 8..4080 |
//! | 4088 | 8 | `counter` again |

use ksana_format::{FieldKind, PageSpec};

/// Name of the mapping (Windows `Local\ksana_testpattern`, Linux `<root>/ksana_testpattern`).
pub const PAGE_NAME: &str = "Local\\ksana_testpattern";
/// Auto-reset event set after every update, as iRacing and LMU signal theirs.
pub const EVENT_NAME: &str = "Local\\ksana_testpattern_ready";
/// Size of one update (a slot, and the page a recording stores).
pub const PAGE_SIZE: usize = 4096;
/// Slots in the ring.
pub const SLOTS: u64 = 32;
/// Size of the whole mapping: header block and ring.
pub const MAPPING_SIZE: usize = PAGE_SIZE * (1 + SLOTS as usize);
/// Offset of a seqlock counter (header and slots alike).
pub const SEQ: usize = 0;
/// Offset of the status word.
pub const STATUS: usize = 4;
/// Offset of the update counter (slot) or newest counter (header).
pub const COUNTER: usize = 8;
/// Offset of the writer's clock (slot: this update; header: the newest).
pub const PUBLISHED_NS: usize = 16;
const SLOT_COUNT: usize = 24;
const PATTERN: usize = 24;
const CHECKSUM: usize = 4080;
const COUNTER_END: usize = 4088;
/// Status while publishing.
pub const STATUS_RUNNING: u32 = 1;
/// Status after a clean stop.
pub const STATUS_STOPPED: u32 = 0;

/// Offset of the slot holding update `counter`.
pub fn slot_offset(counter: u64) -> usize {
    PAGE_SIZE * (1 + (counter % SLOTS) as usize)
}

/// The page declaration (one update), with its field map.
pub fn page_spec() -> PageSpec {
    PageSpec::new(PAGE_NAME, PAGE_SIZE as u32)
        .with_layout("ksana-testpattern", 2)
        .with_fields(vec![
            (FieldKind::U32, 2),
            (FieldKind::U64, 2),
            (FieldKind::U64, 507),
            (FieldKind::U64, 2),
        ])
}

/// The header block's bytes after its seqlock word: status, newest counter and clock, slots.
pub fn header(status: u32, newest: u64, newest_ns: u64) -> [u8; 28] {
    let mut h = [0u8; 28];
    h[STATUS..STATUS + 4].copy_from_slice(&status.to_le_bytes());
    h[COUNTER..COUNTER + 8].copy_from_slice(&newest.to_le_bytes());
    h[PUBLISHED_NS..PUBLISHED_NS + 8].copy_from_slice(&newest_ns.to_le_bytes());
    h[SLOT_COUNT..SLOT_COUNT + 4].copy_from_slice(&(SLOTS as u32).to_le_bytes());
    h
}

/// Reads a little-endian u64 at `o` of `b` (0 when out of range).
pub fn u64_at(b: &[u8], o: usize) -> u64 {
    b.get(o..o + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// Reads a little-endian u32 at `o` of `b` (0 when out of range).
pub fn u32_at(b: &[u8], o: usize) -> u32 {
    b.get(o..o + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Fills `page` (at least [`PAGE_SIZE`] bytes) with update `counter`'s content, published at
/// `published_ns`; `seq` is left for the seqlock writer.
pub fn fill_page(page: &mut [u8], counter: u64, published_ns: u64) {
    page[STATUS..STATUS + 4].copy_from_slice(&STATUS_RUNNING.to_le_bytes());
    page[COUNTER..COUNTER + 8].copy_from_slice(&counter.to_le_bytes());
    page[PUBLISHED_NS..PUBLISHED_NS + 8].copy_from_slice(&published_ns.to_le_bytes());
    let mut x = counter.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for chunk in page[PATTERN..CHECKSUM].chunks_exact_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes());
    }
    let sum = fnv(&page[COUNTER..CHECKSUM]);
    page[CHECKSUM..CHECKSUM + 8].copy_from_slice(&sum.to_le_bytes());
    page[COUNTER_END..COUNTER_END + 8].copy_from_slice(&counter.to_le_bytes());
}

/// Checks that `page` is one whole update: both counters equal, checksum right, pattern the
/// one its counter gives. Returns the counter, or what is wrong.
pub fn check_page(page: &[u8]) -> Result<u64, String> {
    if page.len() < PAGE_SIZE {
        return Err(format!(
            "page is {} bytes, expected {PAGE_SIZE}",
            page.len()
        ));
    }
    let counter = u64_at(page, COUNTER);
    let end = u64_at(page, COUNTER_END);
    if counter != end {
        return Err(format!(
            "torn: counter {counter} at the start, {end} at the end"
        ));
    }
    if fnv(&page[COUNTER..CHECKSUM]) != u64_at(page, CHECKSUM) {
        return Err(format!("torn: checksum of update {counter} does not match"));
    }
    let mut expect = vec![0u8; PAGE_SIZE];
    fill_page(&mut expect, counter, u64_at(page, PUBLISHED_NS));
    if expect[STATUS..] != page[STATUS..PAGE_SIZE] {
        return Err(format!("update {counter} is not the one its counter gives"));
    }
    Ok(counter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_page_checks_and_a_torn_one_does_not() {
        let mut a = vec![0u8; PAGE_SIZE];
        fill_page(&mut a, 41, 1000);
        assert_eq!(check_page(&a), Ok(41));
        let mut b = vec![0u8; PAGE_SIZE];
        fill_page(&mut b, 42, 2000);
        // Half of update 41, half of 42.
        let mut torn = a.clone();
        torn[2048..].copy_from_slice(&b[2048..]);
        assert!(check_page(&torn).unwrap_err().contains("torn"));
        assert!(check_page(&a[..100]).is_err());
    }

    #[test]
    fn field_map_covers_the_page() {
        let spec = page_spec();
        let covered: usize = spec
            .fields
            .iter()
            .map(|(k, n)| k.width() * *n as usize)
            .sum();
        assert_eq!(covered, PAGE_SIZE);
    }

    #[test]
    fn slots_follow_the_counter_and_stay_inside_the_mapping() {
        assert_eq!(slot_offset(1), 2 * PAGE_SIZE);
        assert_eq!(slot_offset(SLOTS), PAGE_SIZE);
        assert!(slot_offset(SLOTS - 1) + PAGE_SIZE <= MAPPING_SIZE);
    }
}
