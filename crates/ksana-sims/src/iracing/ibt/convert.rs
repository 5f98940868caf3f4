//! `.ibt` / live image → ksana recording, and ksana recording → `.ibt`.
//!
//! The mapping (docs/FORMAT.md, "iRacing recordings and .ibt"): one frame per row, the pages of
//! [`layout::page_specs`], timestamps from `SessionTime`, tick from `SessionTick`, and what the
//! pages cannot hold (the disk sub-header, `varBuf[0].tickCount`, the source file's name) in
//! header metadata under [`META_PREFIX`].

use std::collections::BTreeMap;
use std::io::{Seek, Write};
use std::path::Path;

use ksana_format::{PageUpdate, Recording, Sink, Writer, WriterOptions};

use super::{IbtFile, IbtKind, IbtWriter};
use crate::SimError;
use crate::import::{ExportOptions, ExportReport, ImportReport};
use crate::iracing::layout::{
    self, HEADER_LEN, Header, LAYOUT, PAGE_HEADER, PAGE_ROW, PAGE_SESSION_INFO, PAGE_VAR_HEADERS,
    VAR_HEADER_LEN, VarType, page_index, parse_var_headers,
};

/// Prefix of the header metadata keys an import writes (`ibt.source`, `ibt.kind`,
/// `ibt.session_start_date`, …; docs/FORMAT.md lists them).
pub const META_PREFIX: &str = "ibt.";

const SIM_ID: &str = "iracing";

fn meta_key(k: &str) -> String {
    format!("{META_PREFIX}{k}")
}

/// Nanoseconds per tick at `tick_rate` (60 when the header says something impossible).
fn tick_ns(tick_rate: i32) -> u64 {
    let rate = if (1..=100_000).contains(&tick_rate) {
        tick_rate as u64
    } else {
        60
    };
    1_000_000_000 / rate
}

/// Writes `file` as a ksana recording into `out`: one frame per row (a live image's three
/// buffers oldest first, one tick apart), all four pages in the first frame, the row page
/// after. Returns the sink and what was done.
pub fn import_recording<W: Sink>(file: &IbtFile, out: W) -> Result<(W, ImportReport), SimError> {
    let h = file.header();
    let mut header = ksana_format::Header::new(
        SIM_ID,
        layout::page_specs(file.vars(), file.row_len(), file.yaml().len()),
    );
    let name = file.path().file_name().map_or_else(
        || file.path().display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let meta = &mut header.metadata;
    meta.push((meta_key("source"), name));
    meta.push((meta_key("kind"), file.kind().name().into()));
    meta.push((meta_key("records"), file.record_count().to_string()));
    meta.push((
        meta_key("var_buf0_tick_count"),
        h.var_buf[0].tick_count.to_string(),
    ));
    if let Some(s) = file.sub_header() {
        meta.push((
            meta_key("session_start_date"),
            s.session_start_date.to_string(),
        ));
        meta.push((
            meta_key("session_start_time"),
            s.session_start_time.to_string(),
        ));
        meta.push((meta_key("session_end_time"), s.session_end_time.to_string()));
        meta.push((
            meta_key("session_lap_count"),
            s.session_lap_count.to_string(),
        ));
        meta.push((
            meta_key("session_record_count"),
            s.session_record_count.to_string(),
        ));
        if s.session_start_date > 0 {
            header.start_unix_ns = s.session_start_date.saturating_mul(1_000_000_000);
        }
    }
    if file.kind() == IbtKind::LiveImage {
        let ticks: Vec<String> = file.live_ticks().iter().map(|t| t.to_string()).collect();
        meta.push((meta_key("live_tick_counts"), ticks.join(",")));
    }
    if !file.notes().is_empty() {
        meta.push((meta_key("notes"), file.notes().join("; ")));
    }
    let opts = WriterOptions {
        chunk_duration_ns: 8_000_000_000,
        chunk_bytes: 2 << 20,
        sync_every_chunk: false,
        compact_on_close: None,
        ..WriterOptions::default()
    };
    let mut w = Writer::new(out, header, opts)?;
    let period = tick_ns(h.tick_rate);
    let disk = file.kind() == IbtKind::Disk;
    let time_at = file
        .var("SessionTime")
        .filter(|v| v.var_type == VarType::Double)
        .map(|v| v.offset as usize);
    let tick_at = file
        .var("SessionTick")
        .filter(|v| v.var_type == VarType::Int)
        .map(|v| v.offset as usize);
    let live_ticks = file.live_ticks();
    let head_page = h.to_page();
    let mut rows = file.rows();
    let mut t0: Option<f64> = None;
    let mut last_ts: Option<u64> = None;
    let mut paced = 0u64;
    let mut frames = 0u64;
    while let Some(row) = rows.next_row()? {
        let i = frames;
        let next = last_ts.map_or(0, |t| t.saturating_add(period));
        let ts = match (disk, time_at) {
            (true, Some(at)) => {
                let t = f64::from_le_bytes(row[at..at + 8].try_into().expect("8 bytes"));
                let base = *t0.get_or_insert(t);
                let d = (t - base) * 1e9;
                match last_ts {
                    None => 0,
                    Some(prev) if d.is_finite() && d >= prev as f64 && d < 1e18 => d.round() as u64,
                    Some(_) => {
                        paced += 1;
                        next
                    }
                }
            }
            _ => next,
        };
        last_ts = Some(ts);
        let tick = if disk {
            tick_at.and_then(|at| {
                let t = i32::from_le_bytes(row[at..at + 4].try_into().expect("4 bytes"));
                u64::try_from(t).ok()
            })
        } else {
            u64::try_from(live_ticks[i as usize]).ok()
        };
        let mut updates = vec![PageUpdate {
            page: page_index::ROW,
            data: row,
        }];
        if i == 0 {
            updates.push(PageUpdate {
                page: page_index::HEADER,
                data: &head_page,
            });
            updates.push(PageUpdate {
                page: page_index::VAR_HEADERS,
                data: file.var_header_bytes(),
            });
            updates.push(PageUpdate {
                page: page_index::SESSION_INFO,
                data: file.yaml(),
            });
        }
        w.write_frame(ts, tick, &updates)?;
        frames += 1;
    }
    let out = w.finish()?;
    let mut notes = file.notes().to_vec();
    if disk && time_at.is_none() {
        notes.push(format!(
            "no SessionTime variable: rows placed {period} ns apart"
        ));
    }
    if paced > 0 {
        notes.push(format!(
            "{paced} rows whose SessionTime went backwards or was not a number were placed one \
             tick after the row before"
        ));
    }
    let format = match file.kind() {
        IbtKind::Disk => "iRacing .ibt disk telemetry",
        IbtKind::LiveImage => "iRacing live-memory image",
    };
    Ok((
        out,
        ImportReport {
            format: format.into(),
            frames,
            notes,
        },
    ))
}

/// Where the iRacing pages are in one segment's page list.
#[derive(Clone, Copy, Debug)]
struct Pages {
    header: usize,
    var_headers: usize,
    session_info: usize,
    row: usize,
}

fn find_pages(pages: &[ksana_format::PageSpec]) -> Option<Pages> {
    let at = |name: &str| {
        pages
            .iter()
            .position(|p| p.name == name && p.layout == LAYOUT)
    };
    Some(Pages {
        header: at(PAGE_HEADER)?,
        var_headers: at(PAGE_VAR_HEADERS)?,
        session_info: at(PAGE_SESSION_INFO)?,
        row: at(PAGE_ROW)?,
    })
}

/// What the first pass learns about each segment.
#[derive(Default)]
struct SegScan {
    rows: u64,
    last_yaml: Vec<u8>,
    other_layout: bool,
}

/// Writes the iRacing frames of `rec` as an `.ibt` to `out` (positioned at its start; `path`
/// names it in errors): one row per frame, the var-header table of the first iRacing segment
/// (or of `opts.segment`), the last session YAML seen, and a sub-header from the rows (the
/// start date and lap count from the `ibt.*` metadata of an imported `.ibt` when present).
///
/// Several segments: those whose var-header table equals the first's are concatenated, the
/// others are left out and named in the report's notes (`--segment N` exports one of them).
pub fn export_recording<W: Write + Seek>(
    rec: &Recording,
    out: W,
    path: &Path,
    opts: &ExportOptions,
) -> Result<(W, ExportReport), SimError> {
    let incompatible = SimError::Convert;
    let layouts: BTreeMap<u32, Pages> = rec
        .segments()
        .iter()
        .filter_map(|s| find_pages(&s.pages).map(|p| (s.index, p)))
        .collect();
    if let Some(s) = opts.segment
        && !layouts.contains_key(&s)
    {
        return Err(incompatible(format!(
            "segment {s} does not exist or has no iRacing pages (segments with them: {:?})",
            layouts.keys().collect::<Vec<_>>()
        )));
    }
    let wanted = |seg: u32| opts.segment.is_none_or(|s| s == seg) && layouts.contains_key(&seg);

    // Pass 1: the layout, the last YAML, which segments share the layout.
    let mut first: Option<(u32, Vec<u8>, Vec<u8>)> = None; // segment, var headers, header page
    let mut scans: BTreeMap<u32, SegScan> = BTreeMap::new();
    let mut frames = rec.frames();
    while let Some(f) = frames.next_frame()? {
        let seg = f.segment();
        if !wanted(seg) {
            continue;
        }
        let p = layouts[&seg];
        let vh = f.page(p.var_headers);
        let (_, first_vh, _) =
            first.get_or_insert_with(|| (seg, vh.to_vec(), f.page(p.header).to_vec()));
        let same = vh == first_vh.as_slice();
        let scan = scans.entry(seg).or_default();
        scan.other_layout |= !same;
        scan.rows += 1;
        if scan.rows == 1 || f.changed(p.session_info) {
            scan.last_yaml.clear();
            scan.last_yaml.extend_from_slice(f.page(p.session_info));
        }
    }
    let Some((first_seg, var_headers, head_page)) = first else {
        return Err(incompatible(
            "the recording has no frame with the iRacing pages (irsdk_header, \
             irsdk_var_headers, irsdk_session_info, irsdk_row)"
                .into(),
        ));
    };
    let included: Vec<u32> = scans
        .iter()
        .filter(|(_, s)| !s.other_layout)
        .map(|(&k, _)| k)
        .collect();
    let mut notes = Vec::new();
    let left_out: Vec<String> = scans
        .iter()
        .filter(|(_, s)| s.other_layout)
        .map(|(k, s)| format!("{k} ({} frames)", s.rows))
        .collect();
    if !left_out.is_empty() {
        notes.push(format!(
            "segments {} have another variable layout than segment {first_seg} and were left \
             out; export one with --segment N",
            left_out.join(", ")
        ));
    }
    let yaml = included
        .last()
        .map(|k| scans[k].last_yaml.clone())
        .unwrap_or_default();

    let mut template = Header::parse(&head_page).map_err(|e| SimError::Layout {
        page: PAGE_HEADER.into(),
        detail: e.to_string(),
    })?;
    if head_page.len() != HEADER_LEN {
        return Err(SimError::Layout {
            page: PAGE_HEADER.into(),
            detail: format!("{} bytes, expected {HEADER_LEN}", head_page.len()),
        });
    }
    let num_vars = var_headers.len() / VAR_HEADER_LEN;
    parse_var_headers(&var_headers, num_vars, template.buf_len.max(0) as usize).map_err(|e| {
        SimError::Layout {
            page: PAGE_VAR_HEADERS.into(),
            detail: e.to_string(),
        }
    })?;
    let meta = |k: &str| rec.header().meta(&meta_key(k));
    template.var_buf[0].tick_count = meta("var_buf0_tick_count")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);

    // Pass 2: the rows.
    let mut w = IbtWriter::new(out, path, &template, &var_headers, &yaml)?;
    let mut frames = rec.frames();
    while let Some(f) = frames.next_frame()? {
        let seg = f.segment();
        if !wanted(seg) || !included.contains(&seg) {
            continue;
        }
        w.write_row(f.page(layouts[&seg].row))?;
    }
    let rows = w.rows();
    let start_date = meta("session_start_date")
        .and_then(|v| v.parse().ok())
        .unwrap_or(rec.header().start_unix_ns.div_euclid(1_000_000_000));
    let same_rows = meta("records").and_then(|v| v.parse::<u64>().ok()) == Some(rows);
    let lap_count = meta("session_lap_count")
        .filter(|_| same_rows)
        .and_then(|v| v.parse().ok());
    let (out, _sub) = w.finish(start_date, lap_count)?;
    Ok((
        out,
        ExportReport {
            frames: rows,
            notes,
        },
    ))
}
