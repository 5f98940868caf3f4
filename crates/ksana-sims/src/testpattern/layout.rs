//! The test-pattern page, byte by byte.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | `seq`: u32 seqlock counter, odd while the writer writes |
//! | 4 | 4 | `status`: 1 running, 0 stopped |
//! | 8 | 8 | `counter`: u64 update number, from 1 |
//! | 16 | 4064 | pattern: xorshift64 stream seeded by `counter`, 8 bytes at a time |
//! | 4080 | 8 | FNV-1a 64 of bytes 8..4080 |
//! | 4088 | 8 | `counter` again |

use ksana_format::{FieldKind, PageSpec};

/// Name of the page (Windows `Local\ksana_testpattern`, Linux `<root>/ksana_testpattern`).
pub const PAGE_NAME: &str = "Local\\ksana_testpattern";
/// Auto-reset event set after every update, as iRacing and LMU signal theirs.
pub const EVENT_NAME: &str = "Local\\ksana_testpattern_ready";
/// Size of the page.
pub const PAGE_SIZE: usize = 4096;
/// Offset of the seqlock counter.
pub const SEQ: usize = 0;
/// Offset of the status word.
pub const STATUS: usize = 4;
/// Offset of the update counter.
pub const COUNTER: usize = 8;
const PATTERN: usize = 16;
const CHECKSUM: usize = 4080;
const COUNTER_END: usize = 4088;
/// Status while publishing.
pub const STATUS_RUNNING: u32 = 1;
/// Status after a clean stop.
pub const STATUS_STOPPED: u32 = 0;

/// The page declaration, with its field map.
pub fn page_spec() -> PageSpec {
    PageSpec::new(PAGE_NAME, PAGE_SIZE as u32)
        .with_layout("ksana-testpattern", 1)
        .with_fields(vec![
            (FieldKind::U32, 2),
            (FieldKind::U64, 1),
            (FieldKind::U64, 508),
            (FieldKind::U64, 2),
        ])
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Fills `page` (at least [`PAGE_SIZE`] bytes) with update `counter`'s content; `seq` is left
/// for the seqlock writer.
pub fn fill_page(page: &mut [u8], counter: u64, status: u32) {
    page[STATUS..STATUS + 4].copy_from_slice(&status.to_le_bytes());
    page[COUNTER..COUNTER + 8].copy_from_slice(&counter.to_le_bytes());
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
    let u64_at = |o: usize| u64::from_le_bytes(page[o..o + 8].try_into().unwrap_or_default());
    let counter = u64_at(COUNTER);
    let end = u64_at(COUNTER_END);
    if counter != end {
        return Err(format!(
            "torn: counter {counter} at the start, {end} at the end"
        ));
    }
    if fnv(&page[COUNTER..CHECKSUM]) != u64_at(CHECKSUM) {
        return Err(format!("torn: checksum of update {counter} does not match"));
    }
    let mut expect = vec![0u8; PAGE_SIZE];
    fill_page(
        &mut expect,
        counter,
        u32::from_le_bytes(page[STATUS..STATUS + 4].try_into().unwrap_or_default()),
    );
    if expect[PATTERN..] != page[PATTERN..PAGE_SIZE] {
        return Err(format!(
            "pattern of update {counter} is not the one its counter gives"
        ));
    }
    Ok(counter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_page_checks_and_a_torn_one_does_not() {
        let mut a = vec![0u8; PAGE_SIZE];
        fill_page(&mut a, 41, STATUS_RUNNING);
        assert_eq!(check_page(&a), Ok(41));
        let mut b = vec![0u8; PAGE_SIZE];
        fill_page(&mut b, 42, STATUS_RUNNING);
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
}
