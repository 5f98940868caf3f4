//! Torn-read protocols: ways of copying a page that another process may be writing at the
//! same moment, so that a snapshot is never half old, half new. Each sim uses the one its
//! producer follows.

use ksana_shm::Mapping;

use crate::sim::SimError;

/// How many times a read is retried while the writer keeps interfering before giving up on
/// this poll (the next poll tries again).
pub const RETRIES: usize = 64;

/// Seqlock: the writer makes a 32-bit counter odd before writing and even after. Copies
/// `buf.len()` bytes from the start of the mapping when the counter read before and after the
/// copy is the same even value. Returns that value, or `None` if no stable copy was had within
/// [`RETRIES`].
pub fn seqlock_read(
    map: &Mapping,
    seq_offset: usize,
    buf: &mut [u8],
) -> Result<Option<u32>, SimError> {
    seqlock_read_at(map, seq_offset, 0, buf)
}

/// [`seqlock_read`] of `buf.len()` bytes from `offset`.
pub fn seqlock_read_at(
    map: &Mapping,
    seq_offset: usize,
    offset: usize,
    buf: &mut [u8],
) -> Result<Option<u32>, SimError> {
    for _ in 0..RETRIES {
        let s1 = map.load_i32_acquire(seq_offset)? as u32;
        if s1 & 1 == 1 {
            std::hint::spin_loop();
            continue;
        }
        map.read(offset, buf)?;
        let s2 = map.load_i32_acquire(seq_offset)? as u32;
        if s1 == s2 {
            return Ok(Some(s1));
        }
    }
    Ok(None)
}

/// Writes `body` at `offset` under a seqlock whose counter is at `seq_offset`: counter made odd,
/// body written, counter made even, continuing from the counter's current value so that writers
/// taking turns (a simulator, then a player) keep it moving forward. Returns the new counter.
pub fn seqlock_write_at(
    map: &Mapping,
    seq_offset: usize,
    offset: usize,
    body: &[u8],
) -> Result<u32, SimError> {
    let seq = map.load_i32_acquire(seq_offset)? as u32;
    let odd = seq.wrapping_add(1) | 1;
    map.store_i32_release(seq_offset, odd as i32)?;
    map.write(offset, body)?;
    let even = odd.wrapping_add(1);
    map.store_i32_release(seq_offset, even as i32)?;
    Ok(even)
}

/// Packet-id re-read (the Assetto Corsa family): read the id, copy, read the id again; the copy
/// is consistent when both reads agree. Returns the id, or `None` after [`RETRIES`].
pub fn packet_id_read(
    map: &Mapping,
    id_offset: usize,
    buf: &mut [u8],
) -> Result<Option<i32>, SimError> {
    for _ in 0..RETRIES {
        let a = map.load_i32_acquire(id_offset)?;
        map.read(0, buf)?;
        let b = map.load_i32_acquire(id_offset)?;
        if a == b {
            return Ok(Some(a));
        }
    }
    Ok(None)
}

/// Copy-twice-and-compare, for producers with no counter: two copies that agree are taken as
/// consistent. `scratch` is resized to `buf`'s length.
pub fn copy_twice_read(
    map: &Mapping,
    buf: &mut [u8],
    scratch: &mut Vec<u8>,
) -> Result<bool, SimError> {
    scratch.resize(buf.len(), 0);
    for _ in 0..RETRIES {
        map.read(0, buf)?;
        map.read(0, scratch)?;
        if buf == scratch.as_slice() {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksana_shm::ShmNamespace;

    #[test]
    fn seqlock_round_trip_and_odd_counter_means_no_copy() {
        let dir = tempfile::tempdir().unwrap();
        let ns = ShmNamespace::with_root(dir.path());
        let (m, _) = Mapping::open_or_create(&ns, "p", 64).unwrap();
        let s = seqlock_write_at(&m, 0, 8, b"hello").unwrap();
        assert_eq!(s % 2, 0);
        let mut b = [0u8; 5];
        assert_eq!(seqlock_read_at(&m, 0, 8, &mut b).unwrap(), Some(s));
        assert_eq!(&b, b"hello");
        // A writer stuck mid-write: the counter stays odd, so no copy is accepted.
        m.store_i32_release(0, (s + 1) as i32).unwrap();
        assert_eq!(seqlock_read_at(&m, 0, 8, &mut b).unwrap(), None);
        // The next write continues from there.
        assert_eq!(seqlock_write_at(&m, 0, 8, b"world").unwrap(), s + 4);
    }
}
