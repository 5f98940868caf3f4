//! The columnar transform: a page's versions within a chunk, turned into per-field residual byte
//! planes that zstd compresses far better than the raw rows.
//!
//! Telemetry fields move smoothly or not at all, so each field gets the predictor that makes its
//! residuals smallest over the chunk (constant, delta, delta-of-delta or XOR), and residual bytes
//! of equal significance are stored together: the high planes of most fields are runs of zeros.
//! The transform is lossless for any bytes; the field map only steers how well it compresses.
//! Layout: docs/FORMAT.md, "Columnar page encoding".

use super::fields::Field;
use crate::error::{ErrorKind, LocalError, LocalResult};
use crate::wire::Cursor;

/// Field predictor codes as stored in the file.
pub(crate) const PRED_CONST: u8 = 0;
pub(crate) const PRED_DELTA: u8 = 1;
pub(crate) const PRED_DELTA2: u8 = 2;
pub(crate) const PRED_XOR: u8 = 3;

/// Reads a `w`-byte little-endian value; one match per width so each is a single load.
#[inline]
fn load(row: &[u8], off: usize, w: usize) -> u64 {
    fn arr<const N: usize>(row: &[u8], off: usize) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&row[off..off + N]);
        a
    }
    match w {
        1 => u64::from(row[off]),
        2 => u64::from(u16::from_le_bytes(arr(row, off))),
        4 => u64::from(u32::from_le_bytes(arr(row, off))),
        _ => u64::from_le_bytes(arr(row, off)),
    }
}

/// Writes the low `w` bytes of `v` little-endian.
#[inline]
fn store(row: &mut [u8], off: usize, w: usize, v: u64) {
    match w {
        1 => row[off] = v as u8,
        2 => row[off..off + 2].copy_from_slice(&(v as u16).to_le_bytes()),
        4 => row[off..off + 4].copy_from_slice(&(v as u32).to_le_bytes()),
        _ => row[off..off + 8].copy_from_slice(&v.to_le_bytes()),
    }
}

#[inline]
fn mask(w: usize) -> u64 {
    if w == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * w)) - 1
    }
}

/// Zigzag of a `w`-byte two's-complement difference.
#[inline]
fn zz(d: u64, w: usize) -> u64 {
    let sh = 64 - 8 * w as u32;
    let s = ((d << sh) as i64) >> sh;
    ((s << 1) ^ (s >> 63)) as u64 & mask(w)
}

#[inline]
fn unzz(z: u64) -> u64 {
    ((z >> 1) as i64 ^ -((z & 1) as i64)) as u64
}

#[inline]
fn bits(v: u64) -> u32 {
    64 - v.leading_zeros()
}

/// Appends the columnar encoding of `versions` (all the same length) to `out`.
///
/// `scratch` is reused between calls to keep the encoder free of per-chunk allocations.
pub(crate) fn encode(
    versions: &[&[u8]],
    fields: &[Field],
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
) {
    let k = versions.len();
    debug_assert!(k >= 1);
    out.extend_from_slice(versions[0]);
    if k == 1 {
        return;
    }
    let n = k - 1;
    let Scratch { preds, resid, vals } = scratch;
    preds.clear();
    resid.clear();
    for f in fields {
        let off = f.offset as usize;
        let w = f.kind.width();
        let m = mask(w);
        vals.clear();
        vals.extend(versions.iter().map(|v| load(v, off, w)));
        // Most fields do not move within a chunk: settle those before pricing predictors.
        let v0 = vals[0];
        if vals.iter().all(|&v| v == v0) {
            preds.push(PRED_CONST);
            continue;
        }
        let (mut c_d1, mut c_d2, mut c_x) = (0u32, 0u32, 0u32);
        let mut prev_d = 0u64;
        for j in 1..k {
            let d = vals[j].wrapping_sub(vals[j - 1]) & m;
            c_d1 += bits(zz(d, w));
            let d2 = if j == 1 {
                d
            } else {
                d.wrapping_sub(prev_d) & m
            };
            c_d2 += bits(zz(d2, w));
            c_x += bits(vals[j] ^ vals[j - 1]);
            prev_d = d;
        }
        let pred = if c_d1 <= c_d2 && c_d1 <= c_x {
            PRED_DELTA
        } else if c_d2 <= c_x {
            PRED_DELTA2
        } else {
            PRED_XOR
        };
        preds.push(pred);
        let mut prev_d = 0u64;
        for j in 1..k {
            let d = vals[j].wrapping_sub(vals[j - 1]) & m;
            let r = match pred {
                PRED_DELTA => zz(d, w),
                PRED_DELTA2 => {
                    let d2 = if j == 1 {
                        d
                    } else {
                        d.wrapping_sub(prev_d) & m
                    };
                    zz(d2, w)
                }
                _ => vals[j] ^ vals[j - 1],
            };
            prev_d = d;
            resid.push(r);
        }
    }
    out.extend_from_slice(preds);
    // Byte planes, least significant first; within a plane, fields in order, versions in order.
    // Sized once and filled by index: this loop runs over every residual byte.
    let mut plane_len = [0usize; 8];
    for (f, &p) in fields.iter().zip(preds.iter()) {
        if p != PRED_CONST {
            for pl in plane_len.iter_mut().take(f.kind.width()) {
                *pl += n;
            }
        }
    }
    let mut base = [0usize; 8];
    let mut at = out.len();
    for b in 0..8 {
        base[b] = at;
        at += plane_len[b];
    }
    out.resize(at, 0);
    let mut ri = 0;
    for (f, &p) in fields.iter().zip(preds.iter()) {
        if p == PRED_CONST {
            continue;
        }
        let r = &resid[ri..ri + n];
        for (b, pos) in base.iter_mut().enumerate().take(f.kind.width()) {
            let dst = &mut out[*pos..*pos + n];
            for (d, &v) in dst.iter_mut().zip(r) {
                *d = (v >> (8 * b)) as u8;
            }
            *pos += n;
        }
        ri += n;
    }
}

/// Reusable buffers of the columnar encoder.
#[derive(Default)]
pub(crate) struct Scratch {
    preds: Vec<u8>,
    resid: Vec<u64>,
    vals: Vec<u64>,
}

/// Decodes `k` versions of `size` bytes from `cur`, appending them row after row to `out`.
pub(crate) fn decode(
    cur: &mut Cursor<'_>,
    k: usize,
    size: usize,
    fields: &[Field],
    out: &mut Vec<u8>,
) -> LocalResult<()> {
    let start = out.len();
    let key = cur.take(size, "columnar key version")?;
    out.extend_from_slice(key);
    if k == 1 {
        return Ok(());
    }
    let n = k - 1;
    let pred_at = cur.pos();
    let preds = cur.take(fields.len(), "columnar predictor table")?;
    // Plane sizes: how many residual bytes each plane holds.
    let mut plane_len = [0usize; 8];
    for (f, &p) in fields.iter().zip(preds) {
        if p > PRED_XOR {
            return Err(LocalError {
                at: pred_at,
                kind: ErrorKind::corrupt(
                    "columnar predictor table",
                    format!("unknown predictor {p}"),
                ),
            });
        }
        if p != PRED_CONST {
            for pl in plane_len.iter_mut().take(f.kind.width()) {
                *pl += n;
            }
        }
    }
    let mut planes: [&[u8]; 8] = [&[]; 8];
    for (b, len) in plane_len.iter().enumerate() {
        planes[b] = cur.take(*len, "columnar residual plane")?;
    }
    // Every version starts as a copy of the key version: constant fields are then done.
    out.reserve(n * size);
    for _ in 0..n {
        out.extend_from_slice(key);
    }
    let rows = &mut out[start..];
    let mut pos = [0usize; 8];
    let mut r = vec![0u64; n];
    for (f, &p) in fields.iter().zip(preds) {
        if p == PRED_CONST {
            continue;
        }
        let w = f.kind.width();
        let m = mask(w);
        r.iter_mut().for_each(|x| *x = 0);
        for b in 0..w {
            let plane = &planes[b][pos[b]..pos[b] + n];
            for (x, &byte) in r.iter_mut().zip(plane) {
                *x |= u64::from(byte) << (8 * b);
            }
            pos[b] += n;
        }
        let off = f.offset as usize;
        let mut prev = load(rows, off, w);
        let mut prev_d = 0u64;
        for (j, &res) in r.iter().enumerate() {
            let v = match p {
                PRED_DELTA => prev.wrapping_add(unzz(res)) & m,
                PRED_DELTA2 => {
                    let d = if j == 0 {
                        unzz(res)
                    } else {
                        prev_d.wrapping_add(unzz(res))
                    } & m;
                    prev_d = d;
                    prev.wrapping_add(d) & m
                }
                _ => prev ^ res,
            };
            store(rows, (j + 1) * size + off, w, v);
            prev = v;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::fields::expand;
    use super::*;
    use crate::page::FieldKind;
    use proptest::prelude::*;

    fn round_trip(versions: &[Vec<u8>], runs: &[(FieldKind, u32)]) {
        let size = versions[0].len();
        let fields = expand(runs, size);
        let refs: Vec<&[u8]> = versions.iter().map(|v| v.as_slice()).collect();
        let mut enc = Vec::new();
        encode(&refs, &fields, &mut enc, &mut Scratch::default());
        let mut out = Vec::new();
        let mut cur = Cursor::new(&enc);
        decode(&mut cur, versions.len(), size, &fields, &mut out).unwrap();
        assert_eq!(cur.remaining(), 0);
        assert_eq!(out, versions.concat());
    }

    fn kind() -> impl Strategy<Value = FieldKind> {
        prop_oneof![
            Just(FieldKind::U8),
            Just(FieldKind::U16),
            Just(FieldKind::U32),
            Just(FieldKind::F32),
            Just(FieldKind::U64),
            Just(FieldKind::F64)
        ]
    }

    proptest! {
        #[test]
        fn any_bytes_round_trip(size in 0usize..64, k in 1usize..12, seed: Vec<u8>,
                                runs in proptest::collection::vec((kind(), 0u32..6), 0..8)) {
            let versions: Vec<Vec<u8>> = (0..k)
                .map(|j| (0..size).map(|i| seed.get((i * 7 + j * 13) % seed.len().max(1)).copied().unwrap_or(0).wrapping_add((j * i) as u8)).collect())
                .collect();
            round_trip(&versions, &runs);
        }

        #[test]
        fn smooth_floats_round_trip(start in -1e6f32..1e6, step in -10f32..10.0, k in 1usize..80) {
            let versions: Vec<Vec<u8>> = (0..k).map(|j| {
                let mut v = Vec::new();
                v.extend_from_slice(&(start + step * j as f32).to_le_bytes());
                v.extend_from_slice(&(f64::from(start) * (j as f64).sin()).to_le_bytes());
                v.extend_from_slice(&[j as u8, 7]);
                v
            }).collect();
            round_trip(&versions, &[(FieldKind::F32, 1), (FieldKind::F64, 1), (FieldKind::U8, 2)]);
        }
    }

    #[test]
    fn extremes_of_every_width_round_trip() {
        let a = vec![0u8; 23];
        let b = vec![0xffu8; 23];
        let mut c = vec![0u8; 23];
        c[0] = 0x80;
        c[22] = 0x7f;
        round_trip(
            &[a.clone(), b.clone(), a, c, b],
            &[
                (FieldKind::F64, 1),
                (FieldKind::U16, 3),
                (FieldKind::U64, 1),
                (FieldKind::U8, 1),
            ],
        );
    }

    #[test]
    fn truncated_encoding_is_an_error_not_a_panic() {
        let versions = [vec![1u8; 16], vec![2u8; 16], vec![9u8; 16]];
        let refs: Vec<&[u8]> = versions.iter().map(|v| v.as_slice()).collect();
        let fields = expand(&[], 16);
        let mut enc = Vec::new();
        encode(&refs, &fields, &mut enc, &mut Scratch::default());
        for cut in 0..enc.len() {
            let mut out = Vec::new();
            assert!(decode(&mut Cursor::new(&enc[..cut]), 3, 16, &fields, &mut out).is_err());
        }
    }
}
