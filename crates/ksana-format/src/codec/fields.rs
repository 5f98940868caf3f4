//! Expands a page's field map into the concrete list of fields the columnar transform walks.

use crate::page::FieldKind;

/// One field at a byte offset inside a page version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) offset: u32,
    pub(crate) kind: FieldKind,
}

/// The fields covering exactly `size` bytes, following `runs` from byte 0.
///
/// The rule (docs/FORMAT.md, "Field map"): fields are taken from the runs in order while they
/// fit; a field that would cross `size` ends the map; the rest of the page is covered by 4-byte
/// integer lanes and a 1–3 byte tail of single bytes. The result depends only on `runs` and
/// `size`, so the decoder rebuilds the same list. Work is bounded by `size`, whatever the runs
/// claim.
pub(crate) fn expand(runs: &[(FieldKind, u32)], size: usize) -> Vec<Field> {
    let mut out = Vec::new();
    let mut off = 0usize;
    'runs: for &(kind, count) in runs {
        let w = kind.width();
        for _ in 0..count {
            if off + w > size {
                break 'runs;
            }
            out.push(Field {
                offset: off as u32,
                kind,
            });
            off += w;
        }
    }
    while off + 4 <= size {
        out.push(Field {
            offset: off as u32,
            kind: FieldKind::U32,
        });
        off += 4;
    }
    while off < size {
        out.push(Field {
            offset: off as u32,
            kind: FieldKind::U8,
        });
        off += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldKind::*;

    fn covered(fields: &[Field]) -> usize {
        fields.iter().map(|f| f.kind.width()).sum()
    }

    #[test]
    fn empty_map_is_four_byte_lanes_and_a_tail() {
        let f = expand(&[], 10);
        assert_eq!(f.len(), 4);
        assert_eq!(
            f[2],
            Field {
                offset: 8,
                kind: U8
            }
        );
        assert_eq!(covered(&f), 10);
    }

    #[test]
    fn map_longer_than_page_stops_at_the_field_that_does_not_fit() {
        let f = expand(&[(F64, 1), (U32, 2), (F64, 5)], 21);
        // 8 + 4 + 4 = 16; the next double does not fit, so 4-byte lane + 1 byte.
        assert_eq!(
            f[3],
            Field {
                offset: 16,
                kind: U32
            }
        );
        assert_eq!(
            f[4],
            Field {
                offset: 20,
                kind: U8
            }
        );
        assert_eq!(covered(&f), 21);
    }

    #[test]
    fn huge_run_counts_cost_only_the_page_size() {
        let f = expand(&[(U8, u32::MAX), (U8, u32::MAX)], 3);
        assert_eq!(f.len(), 3);
    }
}
