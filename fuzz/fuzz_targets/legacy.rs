//! Fuzz target `legacy`: the legacy readers of `ksana-legacy` (old ksana `RECROCKS` v1/v2,
//! shm-debugger) and the conversion into a recording.
//!
//! Input byte 0 picks the mode. Even: the rest is the file, as is (container and header
//! faults). Odd: a valid three-frame file of one of seven variants is built here from the
//! reference layout, the rest patches its uncompressed payloads (4-byte patches: frame,
//! offset, offset, value; frame bit 7 = cut the frame there), and each payload is zlib
//! compressed into its record, so the payload readers see the damage behind a valid stream.
//! A conversion that succeeds must open and decode as a recording with as many frames as it
//! reports; one that fails must name the file and a byte offset.
#![no_main]

use std::io::{Cursor, Write};
use std::path::Path;

use ksana_format::Recording;
use ksana_legacy::{ConvertOptions, convert};
use ksana_sims::import::ImportOptions;

fn zlib(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).expect("in memory");
    e.finish().expect("in memory")
}

fn i32s(v: &mut Vec<u8>, xs: &[i32]) {
    for x in xs {
        v.extend_from_slice(&x.to_le_bytes());
    }
}

/// irsdk header (112) with 2 vars and a 12-byte row.
fn irac_payload(n: i32, v2: Option<bool>) -> Vec<u8> {
    let mut f = Vec::new();
    if let Some(full) = v2 {
        f.push(if full { 1 } else { 2 });
        f.extend_from_slice(&[0; 15]);
    }
    i32s(&mut f, &[2, 1, 60, 1, 524_288, 112, 2, 524_400, 3, 12, 0, 0]);
    for i in 0..4 {
        i32s(&mut f, &[if i == 0 { 10 + n } else { 0 }, 1_114_224, 0, 0]);
    }
    if v2 != Some(false) {
        for (ty, off, name) in [(5, 0, &b"SessionTime"[..]), (2, 8, &b"SessionTick"[..])] {
            i32s(&mut f, &[ty, off, 1, 0]);
            let mut s = name.to_vec();
            s.resize(128, 0);
            f.extend_from_slice(&s);
        }
    }
    let yaml: &[u8] = if n == 0 { b"---\nWeekendInfo:\n TrackName: x\n...\n" } else { b"" };
    f.extend_from_slice(&(yaml.len() as u64).to_le_bytes());
    f.extend_from_slice(yaml);
    f.extend_from_slice(&12u64.to_le_bytes());
    f.extend_from_slice(&f64::from(n).to_le_bytes());
    f.extend_from_slice(&n.to_le_bytes());
    f
}

fn ac_payload(n: i32, blocks: [usize; 3], statics: bool, v2: bool) -> Vec<u8> {
    let mut f = Vec::new();
    if v2 {
        f.push(if statics { 1 } else { 2 });
        f.extend_from_slice(&[0; 15]);
    }
    let mut g = vec![0u8; blocks[0]];
    g[0..4].copy_from_slice(&n.to_le_bytes());
    g[4..8].copy_from_slice(&2i32.to_le_bytes());
    let mut p = vec![0u8; blocks[1]];
    p[0..4].copy_from_slice(&(100 + n).to_le_bytes());
    f.extend(g);
    f.extend(p);
    if statics {
        let mut s = vec![0u8; blocks[2]];
        s[0..6].copy_from_slice(&[b'1', 0, b'.', 0, b'9', 0]);
        f.extend(s);
    }
    f
}

fn header(variant: u8) -> (Vec<u8>, bool) {
    let mut h = b"RECROCKS".to_vec();
    let ksana = variant < 4;
    match variant {
        0 => i32s(&mut h, &[1, 5, i32::from_le_bytes(*b"irac")]),
        1 => i32s(&mut h, &[2, 5, i32::from_le_bytes(*b"irac"), 2]),
        2 => i32s(&mut h, &[1, 5, i32::from_le_bytes(*b"acsa")]),
        3 => i32s(&mut h, &[2, 5, i32::from_le_bytes(*b"acsa"), 2]),
        4 => i32s(&mut h, &[5, i32::from_le_bytes(*b"irac")]),
        5 => i32s(&mut h, &[5, i32::from_le_bytes(*b"accz")]),
        _ => i32s(&mut h, &[5]),
    }
    h.resize(72, 0);
    (h, ksana)
}

fn build(variant: u8, patches: &[u8]) -> Vec<u8> {
    let mut frames: Vec<Vec<u8>> = (0..3)
        .map(|n| match variant {
            0 | 4 | 6 => irac_payload(n, None),
            1 => irac_payload(n, Some(n == 0)),
            2 => ac_payload(n, [2048, 1024, 2048], n == 0, false),
            3 => ac_payload(n, [2048, 1024, 2048], n == 0, true),
            _ => ac_payload(n, [1700, 1000, 1000], true, false),
        })
        .collect();
    for p in patches.chunks_exact(4) {
        let f = &mut frames[usize::from(p[0] & 0x7f) % 3];
        if f.is_empty() {
            continue;
        }
        let at = usize::from(u16::from_le_bytes([p[1], p[2]])) % f.len();
        if p[0] & 0x80 != 0 {
            f.truncate(at);
        } else {
            f[at] = p[3];
        }
    }
    let (mut file, ksana) = header(variant);
    for f in &frames {
        let z = zlib(f);
        if ksana {
            file.extend_from_slice(&12i32.to_le_bytes());
        }
        file.extend_from_slice(&(z.len() as u32).to_le_bytes());
        file.extend_from_slice(&(f.len() as u32).to_le_bytes());
        file.extend_from_slice(&z);
    }
    file
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        build((mode >> 1) % 7, rest)
    };
    for salvage in [false, true] {
        let opts = ConvertOptions {
            import: ImportOptions { salvage },
            modified_unix_ns: Some(0),
        };
        match convert(Path::new("<fuzz>"), Cursor::new(&file), file.len() as u64, &opts, Vec::new()) {
            Ok((bytes, done)) => {
                let rec = Recording::from_bytes(bytes).expect("a converted legacy file must open");
                assert_eq!(rec.frame_count(), done.report.frames, "frame count");
                let mut frames = rec.frames();
                while frames.next_frame().expect("a converted legacy file must decode").is_some() {}
            }
            Err(e) => {
                let s = e.to_string();
                assert!(s.starts_with("<fuzz>: byte "), "{s}");
            }
        }
    }
});
