//! Byte-range patches: how a large page that changes a little between frames is stored.

/// Gaps shorter than this between changed bytes are stored as changed, because a new range
/// costs more (two varints) than a few repeated bytes that zstd squeezes anyway.
const MERGE_GAP: usize = 16;

/// The ranges `(offset, len)` where `new` differs from `old` (same length), merged across short
/// gaps. Compares 8 bytes at a time: large pages are mostly unchanged.
pub(crate) fn diff(old: &[u8], new: &[u8], out: &mut Vec<(usize, usize)>) {
    debug_assert_eq!(old.len(), new.len());
    out.clear();
    let n = new.len();
    let mut i = 0;
    while i < n {
        // Skip equal words.
        while i + 8 <= n && old[i..i + 8] == new[i..i + 8] {
            i += 8;
        }
        while i < n && old[i] == new[i] {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        let mut end = i + 1;
        let mut j = end;
        while j < n {
            if old[j] != new[j] {
                end = j + 1;
                j += 1;
            } else if j - end >= MERGE_GAP {
                break;
            } else {
                j += 1;
            }
        }
        match out.last_mut() {
            Some((s, l)) if start - (*s + *l) < MERGE_GAP => *l = end - *s,
            _ => out.push((start, end - start)),
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn applying_the_diff_gives_the_new_bytes(old: Vec<u8>, edits: Vec<(usize, u8)>) {
            let mut new = old.clone();
            for (i, b) in edits {
                if !new.is_empty() {
                    let n = new.len();
                    new[i % n] = b;
                }
            }
            let mut ranges = Vec::new();
            diff(&old, &new, &mut ranges);
            let mut rebuilt = old.clone();
            let mut last_end = 0;
            for &(s, l) in &ranges {
                prop_assert!(s >= last_end && l > 0);
                rebuilt[s..s + l].copy_from_slice(&new[s..s + l]);
                last_end = s + l;
            }
            prop_assert_eq!(rebuilt, new);
        }
    }

    #[test]
    fn equal_pages_have_no_ranges() {
        let mut r = vec![(1, 1)];
        diff(&[5; 100], &[5; 100], &mut r);
        assert!(r.is_empty());
    }
}
