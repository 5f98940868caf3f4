//! `ksana inspect`: the report of `ksana_format::inspect`, as text or as JSON.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, UNIX_EPOCH};

use ksana_format::{IndexSource, Inspection, Recording, inspect};
use serde::Serialize;

use crate::term::bytes;

/// The JSON report. Its shape is a public contract (docs/FORMAT.md, "inspect --json"):
/// fields may be added, never renamed or removed, without changing `schema`.
#[derive(Serialize)]
struct Report {
    schema: &'static str,
    file: String,
    ok: bool,
    error: Option<String>,
    format_version: String,
    sim: String,
    recorder: Recorder,
    start_time_utc: String,
    start_unix_ns: i64,
    metadata: Vec<KeyValue>,
    segments: Vec<SegmentOut>,
    frames: u64,
    first_ns: Option<u64>,
    last_ns: Option<u64>,
    duration_s: f64,
    rate_hz: Option<RateOut>,
    gaps: Vec<GapOut>,
    chunks: usize,
    raw_bytes: u64,
    stored_bytes: u64,
    ratio: f64,
    markers: Vec<MarkerOut>,
    index: IndexOut,
    damage: Vec<DamageOut>,
}

#[derive(Serialize)]
struct Recorder {
    name: String,
    version: String,
}

#[derive(Serialize)]
struct KeyValue {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct SegmentOut {
    index: u32,
    start_s: f64,
    reason: String,
    pages: Vec<PageOut>,
}

#[derive(Serialize)]
struct PageOut {
    name: String,
    size: u32,
    layout: String,
    layout_version: u32,
    field_runs: usize,
}

#[derive(Serialize)]
struct RateOut {
    mean: f64,
    min: f64,
    max: f64,
    median_interval_ms: f64,
}

#[derive(Serialize)]
struct GapOut {
    at_s: f64,
    length_s: f64,
}

#[derive(Serialize)]
struct MarkerOut {
    t_s: f64,
    kind: String,
    label: String,
}

#[derive(Serialize)]
struct IndexOut {
    source: &'static str,
    reason: Option<String>,
}

#[derive(Serialize)]
struct DamageOut {
    offset: u64,
    bytes: u64,
    reason: String,
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

fn utc(ns: i64) -> String {
    let t = if ns >= 0 {
        UNIX_EPOCH + Duration::from_nanos(ns as u64)
    } else {
        UNIX_EPOCH - Duration::from_nanos(ns.unsigned_abs())
    };
    humantime::format_rfc3339_millis(t).to_string()
}

fn build(rec: &Recording, ins: &Inspection) -> Report {
    let h = rec.header();
    let (major, minor) = rec.version();
    let (first, last) = ins.time_range.unzip();
    Report {
        schema: "ksana-inspect/1",
        file: rec.path().display().to_string(),
        ok: ins.is_clean(),
        error: ins.error.as_ref().map(|e| e.to_string()),
        format_version: format!("{major}.{minor}"),
        sim: h.sim.clone(),
        recorder: Recorder {
            name: h.recorder.clone(),
            version: h.recorder_version.clone(),
        },
        start_time_utc: utc(h.start_unix_ns),
        start_unix_ns: h.start_unix_ns,
        metadata: h
            .metadata
            .iter()
            .map(|(k, v)| KeyValue {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
        segments: rec
            .segments()
            .iter()
            .map(|s| SegmentOut {
                index: s.index,
                start_s: secs(s.start_ns),
                reason: s.reason.clone(),
                pages: s
                    .pages
                    .iter()
                    .map(|p| PageOut {
                        name: p.name.clone(),
                        size: p.size,
                        layout: p.layout.clone(),
                        layout_version: p.layout_version,
                        field_runs: p.fields.len(),
                    })
                    .collect(),
            })
            .collect(),
        frames: ins.frames,
        first_ns: first,
        last_ns: last,
        duration_s: ins.time_range.map_or(0.0, |(a, b)| secs(b - a)),
        rate_hz: ins.rates.as_ref().map(|r| RateOut {
            mean: r.mean_hz,
            min: r.min_hz,
            max: r.max_hz,
            median_interval_ms: r.median_interval_ns as f64 / 1e6,
        }),
        gaps: ins
            .gaps
            .iter()
            .map(|g| GapOut {
                at_s: secs(g.at_ns),
                length_s: secs(g.length_ns),
            })
            .collect(),
        chunks: ins.chunks.len(),
        raw_bytes: ins.raw_bytes,
        stored_bytes: ins.stored_bytes,
        ratio: ins.ratio(),
        markers: ins
            .markers
            .iter()
            .map(|m| MarkerOut {
                t_s: secs(m.timestamp_ns),
                kind: m.kind.name(),
                label: m.label.clone(),
            })
            .collect(),
        index: match &ins.index {
            IndexSource::Footer => IndexOut {
                source: "footer",
                reason: None,
            },
            IndexSource::Rebuilt { reason } => IndexOut {
                source: "rebuilt",
                reason: Some(reason.clone()),
            },
        },
        damage: ins
            .damage
            .iter()
            .map(|d| DamageOut {
                offset: d.offset,
                bytes: d.bytes,
                reason: d.reason.clone(),
            })
            .collect(),
    }
}

fn text(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "file        {}", r.file);
    let _ = writeln!(s, "format      ksana {}", r.format_version);
    let _ = writeln!(s, "sim         {}", r.sim);
    let _ = writeln!(s, "recorder    {} {}", r.recorder.name, r.recorder.version);
    let _ = writeln!(s, "start       {}", r.start_time_utc);
    for kv in &r.metadata {
        let _ = writeln!(s, "meta        {} = {}", kv.key, kv.value);
    }
    for seg in &r.segments {
        let why = if seg.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", seg.reason)
        };
        let _ = writeln!(
            s,
            "segment {}   from {:.3} s{}",
            seg.index, seg.start_s, why
        );
        for p in &seg.pages {
            let layout = if p.layout.is_empty() {
                String::new()
            } else {
                format!("  layout {} v{}", p.layout, p.layout_version)
            };
            let _ = writeln!(s, "  page      {} ({} bytes){}", p.name, p.size, layout);
        }
    }
    let _ = writeln!(s, "duration    {:.3} s", r.duration_s);
    let _ = writeln!(s, "frames      {}", r.frames);
    match &r.rate_hz {
        Some(rt) => {
            let _ = writeln!(
                s,
                "rate        mean {:.2} Hz, min {:.2} Hz, max {:.2} Hz (median interval {:.3} ms)",
                rt.mean, rt.min, rt.max, rt.median_interval_ms
            );
        }
        None => {
            let _ = writeln!(s, "rate        n/a (fewer than two distinct timestamps)");
        }
    }
    if r.gaps.is_empty() {
        let _ = writeln!(s, "gaps        none longer than 3x the median interval");
    } else {
        let _ = writeln!(
            s,
            "gaps        {} longer than 3x the median interval:",
            r.gaps.len()
        );
        for g in r.gaps.iter().take(20) {
            let _ = writeln!(s, "  at {:.3} s: {:.3} s", g.at_s, g.length_s);
        }
        if r.gaps.len() > 20 {
            let _ = writeln!(s, "  … {} more (see --json)", r.gaps.len() - 20);
        }
    }
    let _ = writeln!(s, "chunks      {}", r.chunks);
    let _ = writeln!(
        s,
        "size        raw {}, stored {}, ratio {:.2}x",
        bytes(r.raw_bytes),
        bytes(r.stored_bytes),
        r.ratio
    );
    if r.markers.is_empty() {
        let _ = writeln!(s, "markers     none");
    } else {
        let _ = writeln!(s, "markers     {}", r.markers.len());
        for m in r.markers.iter().take(50) {
            let _ = writeln!(s, "  {:>10.3} s  {:<14} {}", m.t_s, m.kind, m.label);
        }
        if r.markers.len() > 50 {
            let _ = writeln!(s, "  … {} more (see --json)", r.markers.len() - 50);
        }
    }
    match &r.index.reason {
        None => {
            let _ = writeln!(s, "index       footer present");
        }
        Some(why) => {
            let _ = writeln!(s, "index       rebuilt by scanning ({why})");
        }
    }
    for d in &r.damage {
        let _ = writeln!(
            s,
            "damage      {} bytes at byte {}: {}",
            d.bytes, d.offset, d.reason
        );
    }
    s
}

/// Runs `ksana inspect`. Exit 0 for a file read entirely; 2 for one that cannot be opened, or
/// has damage (a crashed writer's incomplete tail included) — the report is still printed.
pub fn run(file: &Path, json: bool, salvage: bool) -> ExitCode {
    let rec = match crate::input::open(file, salvage) {
        Ok(r) => r,
        Err(e) => {
            if json {
                let v = serde_json::json!({ "schema": "ksana-inspect/1", "file": file.display().to_string(), "ok": false, "error": format!("{e:#}") });
                println!("{v:#}");
            }
            eprintln!("error: {e:#}");
            return ExitCode::from(crate::EXIT_BAD_FILE);
        }
    };
    let ins = inspect(&rec);
    let report = build(&rec, &ins);
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot encode the report as JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", text(&report));
    }
    if let Some(e) = &ins.error {
        eprintln!("error: {e}");
        if !salvage {
            eprintln!("hint: `ksana inspect --salvage` skips damaged chunks and reads on");
        }
    }
    if !ins.damage.is_empty() {
        eprintln!(
            "error: {}: {} damaged or incomplete region(s); the report covers the readable frames",
            file.display(),
            ins.damage.len()
        );
    }
    if ins.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_BAD_FILE)
    }
}
