//! Random damage to legacy files never panics: every outcome is a recording or an error that
//! names the file and a byte offset. Damage is applied both to the container bytes and to the
//! uncompressed payloads before they are compressed (so the payload readers see it too).

mod spec;

use std::io::Cursor;
use std::path::Path;

use ksana_legacy::{ConvertOptions, convert};
use ksana_sims::import::ImportOptions;
use proptest::prelude::*;
use spec::*;

/// The payloads of a small file of `variant` (0..=6), before compression.
fn payloads(variant: u8) -> (Vec<u8>, Vec<Vec<u8>>, bool) {
    let t = table(&VARS);
    let h = |n: i32| irsdk_header(3, 16, 1, 100 + n, 0);
    let yaml: &[u8] = b"---\nWeekendInfo:\n TrackName: spa\n...\n";
    let irac = |v2: bool| -> Vec<Vec<u8>> {
        (0..3)
            .map(|n| {
                let y = (n == 0).then_some(yaml);
                if v2 {
                    irac_v2(n == 0, &h(n), &t, y, &row(16, n as u32))
                } else {
                    irac_v1(&h(n), &t, y, &row(16, n as u32))
                }
            })
            .collect()
    };
    let ac = |blocks: [usize; 3], statics_every: bool, prefix: bool| -> Vec<Vec<u8>> {
        (0..3)
            .map(|n| {
                let mut f = Vec::new();
                let with = statics_every || n == 0;
                if prefix {
                    f.push(if with { 1 } else { 2 });
                    f.extend([0u8; 15]);
                }
                f.extend(graphics(blocks[0], n));
                f.extend(physics(blocks[1], n));
                if with {
                    f.extend(statics(blocks[2], "1.9", 1));
                }
                f
            })
            .collect()
    };
    match variant {
        0 => (ksana_header(1, 5, b"irac", 0), irac(false), true),
        1 => (ksana_header(2, 5, b"irac", 2), irac(true), true),
        2 => (
            ksana_header(1, 5, b"acsa", 0),
            ac([2048, 1024, 2048], false, false),
            true,
        ),
        3 => (
            ksana_header(2, 5, b"acsa", 2),
            ac([2048, 1024, 2048], false, true),
            true,
        ),
        4 => (shmd_header(5, b"irac"), irac(false), false),
        5 => (
            shmd_header(5, b"accz"),
            ac([1700, 1000, 1000], true, false),
            false,
        ),
        _ => (proto_header(5), irac(false), false),
    }
}

fn build(head: &[u8], frames: &[Vec<u8>], ksana: bool) -> Vec<u8> {
    let mut f = head.to_vec();
    for p in frames {
        f.extend(if ksana {
            ksana_record(p)
        } else {
            shmd_record(p)
        });
    }
    f
}

fn run(bytes: &[u8], salvage: bool) {
    let opts = ConvertOptions {
        import: ImportOptions { salvage },
        modified_unix_ns: None,
    };
    let r = convert(
        Path::new("m.bin"),
        Cursor::new(bytes),
        bytes.len() as u64,
        &opts,
        Vec::new(),
    );
    if let Err(e) = r {
        let s = e.to_string();
        assert!(s.starts_with("m.bin: byte "), "{s}");
    }
}

/// One mutation: (position as a fraction, kind, value).
fn mutation() -> impl Strategy<Value = (f64, u8, u32)> {
    (0.0f64..1.0, 0u8..4, any::<u32>())
}

fn apply(b: &mut Vec<u8>, (at, kind, v): (f64, u8, u32)) {
    if b.is_empty() {
        return;
    }
    let i = ((b.len() as f64 * at) as usize).min(b.len() - 1);
    match kind {
        0 => b[i] ^= (v as u8) | 1,
        1 => {
            // An aligned 32-bit value: lengths, counts, offsets.
            let i = i & !3;
            let end = (i + 4).min(b.len());
            b[i..end].copy_from_slice(&v.to_le_bytes()[..end - i]);
        }
        2 => b.truncate(i),
        _ => b.insert(i, v as u8),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn damaged_containers_never_panic(variant in 0u8..7, muts in prop::collection::vec(mutation(), 1..4), salvage: bool) {
        let (head, frames, ksana) = payloads(variant);
        let mut b = build(&head, &frames, ksana);
        for m in muts {
            apply(&mut b, m);
        }
        run(&b, salvage);
    }

    #[test]
    fn damaged_payloads_never_panic(variant in 0u8..7, frame in 0usize..3, muts in prop::collection::vec(mutation(), 1..4), salvage: bool) {
        let (head, mut frames, ksana) = payloads(variant);
        for m in muts {
            apply(&mut frames[frame], m);
        }
        run(&build(&head, &frames, ksana), salvage);
    }
}

#[test]
fn every_undamaged_variant_imports() {
    for v in 0..7 {
        let (head, frames, ksana) = payloads(v);
        let b = build(&head, &frames, ksana);
        let opts = ConvertOptions::default();
        let (_, done) = convert(
            Path::new("m.bin"),
            Cursor::new(&b),
            b.len() as u64,
            &opts,
            Vec::new(),
        )
        .unwrap_or_else(|e| panic!("variant {v}: {e}"));
        assert_eq!(done.report.frames, 3, "variant {v}");
        let want = if matches!(v, 2 | 3 | 5) {
            "acc"
        } else {
            "iracing"
        };
        assert_eq!(done.sim, want, "variant {v}");
    }
}
