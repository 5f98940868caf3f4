//! Rendering results: the comparison table, the plain-text summary, JSON.

use crate::{CodecResult, DatasetResult};
use std::fmt::Write as _;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The "vs" cell: the ksana row's figures against this baseline's.
fn vs_cell(r: &CodecResult, ksana: Option<&CodecResult>) -> String {
    match ksana {
        None => "—".to_owned(),
        Some(k) if r.is_ksana => format!("(ksana: ratio ×{:.1})", k.ratio),
        Some(k) => format!(
            "ratio ×{:.1} ({}: ×{:.1}) = {:.2}× smaller; enc {:.2}×, dec {:.2}× as fast",
            k.ratio,
            r.codec,
            r.ratio,
            k.ratio / r.ratio,
            k.encode_mb_s / r.encode_mb_s,
            k.decode_mb_s / r.decode_mb_s
        ),
    }
}

/// One dataset's table.
pub fn table(d: &DatasetResult, about: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "== {} — {about}", d.dataset);
    let _ = writeln!(
        s,
        "   {} frames × {} page(s), {:.1} s, raw {} bytes ({:.1} MB)",
        thousands(d.frames as u64),
        d.pages,
        d.seconds,
        thousands(d.raw_bytes),
        d.raw_bytes as f64 / 1e6
    );
    let ksana = d.results.iter().find(|r| r.is_ksana);
    let _ = writeln!(
        s,
        "   {:<15} {:>14} {:>9} {:>10} {:>10}   vs ksana",
        "codec", "compressed B", "ratio", "enc MB/s", "dec MB/s"
    );
    for r in &d.results {
        let _ = writeln!(
            s,
            "   {:<15} {:>14} {:>9} {:>10.1} {:>10.1}   {}",
            r.codec,
            thousands(r.compressed_bytes),
            format!("×{:.1}", r.ratio),
            r.encode_mb_s,
            r.decode_mb_s,
            vs_cell(r, ksana)
        );
    }
    s
}

fn best_by(d: &DatasetResult, key: impl Fn(&CodecResult) -> f64) -> Option<&CodecResult> {
    d.results.iter().max_by(|a, b| key(a).total_cmp(&key(b)))
}

/// The closing plain-text summary.
pub fn summary(all: &[DatasetResult]) -> String {
    let mut s = String::from("Summary\n");
    for d in all {
        let (Some(ratio), Some(enc), Some(dec)) = (
            best_by(d, |r| r.ratio),
            best_by(d, |r| r.encode_mb_s),
            best_by(d, |r| r.decode_mb_s),
        ) else {
            continue;
        };
        let _ = write!(
            s,
            "  - {}: smallest {} (×{:.1}); fastest encode {} ({:.0} MB/s); fastest decode {} ({:.0} MB/s)",
            d.dataset,
            ratio.codec,
            ratio.ratio,
            enc.codec,
            enc.encode_mb_s,
            dec.codec,
            dec.decode_mb_s
        );
        let find = |name: &str| d.results.iter().find(|r| r.codec == name);
        if let (Some(stream), Some(chunked)) = (find("zstd-3"), find("zstd-3-1s")) {
            let _ = write!(
                s,
                "; 1-s chunks cost {:+.1}% size vs one zstd stream",
                (chunked.compressed_bytes as f64 / stream.compressed_bytes as f64 - 1.0) * 100.0
            );
        }
        if let (Some(old), Some(stream)) = (find("zlib-per-frame"), find("zstd-3")) {
            let _ = write!(
                s,
                "; zstd-3 is {:.1}× smaller than the old per-frame zlib",
                old.compressed_bytes as f64 / stream.compressed_bytes as f64
            );
        }
        if let Some(k) = d.results.iter().find(|r| r.is_ksana)
            && let Some(z) = find("zstd-3")
        {
            let _ = write!(s, "; ksana ×{:.1} vs zstd-3 ×{:.1}", k.ratio, z.ratio);
        }
        s.push_str(".\n");
    }
    s.push_str("  (MB = 10^6 raw bytes; speeds are the best of the timed repetitions on one core; every codec was checked to round-trip byte-exactly.)\n");
    s
}
