//! The harness in quick mode on tiny synthetic datasets: every baseline round-trips and the
//! report renders.

use ksana_bench::codecs;
use ksana_bench::{Dataset, Effort, bench_dataset, report, verify_round_trip};
use ksana_synth::Profile;

fn tiny() -> Vec<Dataset> {
    vec![
        Dataset::synthetic("tiny-acc", Profile::AccLike, 9, 700),
        Dataset::synthetic("tiny-iracing", Profile::IracingLike, 9, 130),
    ]
}

#[test]
fn every_baseline_round_trips() {
    for ds in tiny() {
        for c in codecs::baselines() {
            let enc = c.encode(&ds);
            verify_round_trip(c.as_ref(), &ds, &enc).unwrap();
            assert_eq!(c.decode(&enc, &ds), ds.raw_len(), "{}", c.name());
            assert!(
                enc.len() < ds.raw_len() as usize / 2,
                "{} barely compresses",
                c.name()
            );
        }
    }
}

#[test]
fn corrupted_input_is_detected() {
    let ds = &tiny()[0];
    for c in codecs::baselines() {
        let mut enc = c.encode(ds);
        let mid = enc.len() / 2;
        enc[mid] ^= 0x5A;
        enc.truncate(enc.len() - 3);
        assert!(
            verify_round_trip(c.as_ref(), ds, &enc).is_err(),
            "{}",
            c.name()
        );
    }
}

#[test]
fn quick_run_reports_every_baseline() {
    for ds in tiny() {
        let r = bench_dataset(&ds, Effort::QUICK).unwrap();
        let names: Vec<&str> = r.results.iter().map(|r| r.codec.as_str()).collect();
        assert_eq!(
            names,
            [
                "ksana",
                "ksana-1s-journal",
                "zlib-per-frame",
                "lz4-stream",
                "zstd-3",
                "zstd-3-1s"
            ]
        );
        for c in &r.results {
            assert_eq!(c.raw_bytes, ds.raw_len());
            assert!(c.ratio > 1.0 && c.encode_mb_s > 0.0 && c.decode_mb_s > 0.0);
        }
        let table = report::table(&r, "tiny");
        assert!(table.contains("zstd-3-1s"));
        let summary = report::summary(std::slice::from_ref(&r));
        // The ksana row is the reference the others are compared with.
        assert!(summary.contains("ksana ×"), "{summary}");
        assert!(
            table.contains("vs ksana") || table.contains("ksana:"),
            "{table}"
        );
        serde_json::to_string(&r).unwrap();
    }
}
