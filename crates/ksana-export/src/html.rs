//! HTML report (`--format html`): one self-contained file that opens from disk in any browser
//! and loads nothing (no script, font, image or style sheet from anywhere; a content security
//! policy says so): the recording and each session's summary (sim, track, car, driver, session
//! type, date, duration, laps), the lap table (times, sectors, Δ best, flags, best lap and best
//! sectors marked, theoretical best; the same laps as `ksana laps`), and per finished lap a
//! chart of speed, throttle, brake and gear against lap distance (inline SVG).
//!
//! Not a row [`crate::Exporter`]: the report needs the laps first. The caller detects them
//! (`ksana_engine::detect_laps`) and [`write_report`] makes one more pass over the frames for
//! the traces, writing each lap's chart as soon as the lap's frames have passed: memory holds
//! one lap's down-sampled points (at most [`ReportOptions::points_per_lap`]) whatever the
//! recording's length.

mod chart;
mod page;
mod trace;

use std::io::Write;

use ksana_format::{PageSpec, Recording};
use ksana_laps::{Session, analyse};
use ksana_sims::Sim;
use ksana_sims::channels::{ChannelList, ChannelSource, Row, TraceChannels, ValueRef};
use ksana_sims::sim::TimingSource;

use crate::ExportError;
use trace::{LapTrace, TracePoint};

/// The `--format` id of the report.
pub const FORMAT_ID: &str = "html";

/// How the report is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// Most points of a lap's chart (the lap is cut into this many slices of distance).
    pub points_per_lap: usize,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            points_per_lap: 1000,
        }
    }
}

/// What a report holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportSummary {
    /// Sessions shown.
    pub sessions: usize,
    /// Laps in the tables.
    pub laps: usize,
    /// Lap charts drawn.
    pub charts: usize,
    /// Points of all charts.
    pub points: usize,
    /// Frames read for the traces.
    pub frames: u64,
}

/// A finished lap to chart: where it is and when.
struct Charted {
    session: usize,
    lap: usize,
    start_s: f64,
    end_s: f64,
    partial: bool,
}

/// The decoders of the segment under way and where the trace channels are in its rows.
struct Decoders {
    segment: u32,
    timing: Option<Box<dyn TimingSource>>,
    channels: Option<Box<dyn ChannelSource>>,
    /// Row indices of speed, throttle, brake, gear.
    picks: Option<[usize; 4]>,
}

/// The pages of segment `index` (the header's for 0).
fn segment_pages(rec: &Recording, index: u32) -> Vec<PageSpec> {
    rec.segments()
        .iter()
        .find(|s| s.index == index)
        .map(|s| s.pages.clone())
        .unwrap_or_else(|| rec.header().pages.clone())
}

fn picks(list: &ChannelList, t: &TraceChannels) -> Option<[usize; 4]> {
    let find = |n: &str| list.channels.iter().position(|c| c.name == n);
    Some([
        find(t.speed)?,
        find(t.throttle)?,
        find(t.brake)?,
        find(t.gear)?,
    ])
}

fn number(v: ValueRef<'_>) -> Option<f64> {
    match v {
        ValueRef::F32(x) => Some(f64::from(x)),
        ValueRef::F64(x) => Some(x),
        ValueRef::I32(x) => Some(f64::from(x)),
        ValueRef::U32(x) => Some(f64::from(x)),
        ValueRef::U64(x) => Some(x as f64),
        ValueRef::Bool(b) => Some(f64::from(u8::from(b))),
        _ => None,
    }
}

/// The report's writer: the sessions and their analysis, and the part of the page written.
struct Report<'a> {
    out: &'a mut dyn Write,
    sessions: &'a [Session],
    sim_name: &'a str,
    start_unix_ns: i128,
    /// Sessions whose section has been opened.
    opened: usize,
    charted: Vec<Charted>,
    summary: ReportSummary,
    /// Why laps have no chart, when it is the sim's or the recording's fault.
    trace_note: Option<String>,
}

impl Report<'_> {
    /// Opens the sections of every session up to and including `upto`, closing the one before.
    fn open_sessions(&mut self, upto: usize) -> Result<(), ExportError> {
        while self.opened <= upto && self.opened < self.sessions.len() {
            let si = self.opened;
            let s = &self.sessions[si];
            let mut h = String::new();
            if si > 0 {
                h.push_str("</div>\n</section>\n");
            }
            h.push_str(&format!(
                "<section class=\"session\" id=\"session-{}\">\n<h2>Session {}: {} · {} · {}</h2>\n",
                si + 1,
                si + 1,
                page::esc(&s.session_type),
                page::esc(&s.track),
                page::esc(&s.car)
            ));
            page::session_summary(&mut h, s, self.sim_name, self.start_unix_ns);
            h.push_str("<h3>Laps</h3>\n");
            if s.laps.is_empty() {
                h.push_str("<p class=\"note\">No lap was started in this session.</p>\n");
            } else {
                let mut has_chart = vec![false; s.laps.len()];
                for c in self.charted.iter().filter(|c| c.session == si) {
                    has_chart[c.lap] = true;
                }
                page::lap_table(&mut h, si, s, &analyse(s), &has_chart);
            }
            h.push_str("<h3>Charts</h3>\n");
            if let Some(n) = &self.trace_note {
                h.push_str(&format!("<p class=\"note\">{}</p>\n", page::esc(n)));
            }
            h.push_str("<div class=\"charts\">\n");
            self.out.write_all(h.as_bytes())?;
            self.opened += 1;
        }
        Ok(())
    }

    /// Writes the chart of charted lap `k` from its `points`.
    fn chart(&mut self, k: usize, points: Vec<TracePoint>) -> Result<(), ExportError> {
        let (si, li) = (self.charted[k].session, self.charted[k].lap);
        self.open_sessions(si)?;
        let lap = &self.sessions[si].laps[li];
        let time = lap
            .time_ms
            .map_or("—".into(), ksana_laps::table::format_time);
        let flags = page::flags(lap).join(" ");
        let caption = format!(
            "Lap {} · {time}{}{flags}",
            lap.number,
            if flags.is_empty() { "" } else { " · " }
        );
        let mut h = format!(
            "<figure class=\"lap-chart\" id=\"{}\" data-session=\"{}\" data-lap=\"{}\" \
             data-points=\"{}\">\n<figcaption>{caption}</figcaption>\n",
            page::chart_id(si, li),
            si + 1,
            lap.number,
            points.len()
        );
        if points.len() >= 2 {
            h.push_str(&chart::svg(
                &points,
                &format!("Speed, throttle, brake and gear of lap {}", lap.number),
            ));
            self.summary.charts += 1;
            self.summary.points += points.len();
        } else {
            h.push_str("<p class=\"note\">No trace: the frames of this lap give no lap distance or channel values.</p>");
        }
        h.push_str("\n</figure>\n");
        self.out.write_all(h.as_bytes())?;
        Ok(())
    }
}

/// Writes the report of `rec` (named `source` in it) with its `sessions` (from
/// `ksana_engine::detect_laps`, in time order) to `out`. Only the recording's own data goes
/// into the file (no time of the export), so the same input always gives the same bytes.
pub fn write_report(
    rec: &Recording,
    source: &str,
    sessions: &[Session],
    out: &mut dyn Write,
    opts: &ReportOptions,
) -> Result<ReportSummary, ExportError> {
    let hdr = rec.header();
    let sim = ksana_sims::by_id(&hdr.sim);
    let sim_name = sim.map_or(hdr.sim.as_str(), |s| s.name());
    let mut charted: Vec<Charted> = sessions
        .iter()
        .enumerate()
        .flat_map(|(si, s)| {
            s.laps.iter().enumerate().filter_map(move |(li, l)| {
                l.time_ms.is_some().then_some(Charted {
                    session: si,
                    lap: li,
                    start_s: l.start_s,
                    end_s: l.end_s,
                    partial: l.partial,
                })
            })
        })
        .collect();
    let trace_channels = sim.and_then(|s| s.trace_channels());
    let trace_note = match (sim, trace_channels) {
        (None, _) => Some(format!(
            "ksana does not know the sim {:?}: no charts.",
            hdr.sim
        )),
        (Some(s), None) => Some(format!(
            "ksana has no trace channels for {}: no charts.",
            s.name()
        )),
        _ => None,
    };
    if trace_note.is_some() {
        charted.clear();
    }
    let mut r = Report {
        out,
        sessions,
        sim_name,
        start_unix_ns: i128::from(hdr.start_unix_ns),
        opened: 0,
        charted,
        summary: ReportSummary {
            sessions: sessions.len(),
            laps: sessions.iter().map(|s| s.laps.len()).sum(),
            ..ReportSummary::default()
        },
        trace_note,
    };
    let title = format!("ksana report: {source}");
    let mut h = page::head(&title);
    h.push_str(&format!(
        "<header>\n<h1>{}</h1>\n<table class=\"summary\">\n",
        page::esc(&title)
    ));
    page::row(&mut h, "file", &page::esc(source));
    page::row(
        &mut h,
        "sim",
        &format!("{} ({})", page::esc(sim_name), page::esc(&hdr.sim)),
    );
    page::row(
        &mut h,
        "recorded",
        &page::date(i128::from(hdr.start_unix_ns)),
    );
    let (first, last) = rec.time_range().unwrap_or((0, 0));
    page::row(
        &mut h,
        "duration",
        &page::clock(last.saturating_sub(first) as f64 / 1e9),
    );
    page::row(
        &mut h,
        "sessions",
        &format!("{} ({} laps)", sessions.len(), r.summary.laps),
    );
    h.push_str("</table>\n</header>\n");
    if sessions.is_empty() {
        h.push_str("<p class=\"note\">No session: the recording holds no live driving ksana can time.</p>\n");
    }
    r.out.write_all(h.as_bytes())?;

    if let (Some(sim), Some(tc)) = (sim, trace_channels)
        && !r.charted.is_empty()
    {
        trace_pass(rec, sim, &tc, &mut r, opts)?;
    }
    // Sessions after the last chart (or all of them, without charts) get their sections.
    if !sessions.is_empty() {
        r.open_sessions(sessions.len() - 1)?;
        r.out.write_all(b"</div>\n</section>\n")?;
    }
    r.out.write_all(page::FOOT.as_bytes())?;
    r.out.flush()?;
    Ok(r.summary)
}

/// The frames pass: each charted lap's frames into its trace, its chart written when the lap
/// is over.
fn trace_pass(
    rec: &Recording,
    sim: &dyn Sim,
    tc: &TraceChannels,
    r: &mut Report<'_>,
    opts: &ReportOptions,
) -> Result<(), ExportError> {
    let mut k = 0usize;
    let mut cur: Option<LapTrace> = None;
    let mut dec: Option<Decoders> = None;
    let mut row = Row::new();
    let mut frames = rec.frames();
    if let Some(c) = r.charted.first() {
        frames.seek((c.start_s.max(0.0) * 1e9) as u64)?;
    }
    while let Some(f) = frames.next_frame()? {
        let t = f.timestamp_ns() as f64 / 1e9;
        while k < r.charted.len() && t >= r.charted[k].end_s {
            let pts = cur.take().map(LapTrace::finish).unwrap_or_default();
            r.chart(k, pts)?;
            k += 1;
        }
        if k >= r.charted.len() {
            break;
        }
        let pages: Vec<&[u8]> = f.pages().iter().map(|p| p.as_slice()).collect();
        if dec.as_ref().is_none_or(|d| d.segment != f.segment()) {
            let specs = segment_pages(rec, f.segment());
            let mut channels = sim.channels(&specs);
            let picks = match channels.as_mut() {
                Some(c) => picks(&c.channels(&pages)?, tc),
                None => None,
            };
            dec = Some(Decoders {
                segment: f.segment(),
                timing: sim.timing(&specs),
                channels,
                picks,
            });
        }
        let Some(d) = dec.as_mut() else { continue };
        // Every frame goes through the timing source (it may keep state between frames).
        let sample = match d.timing.as_mut() {
            Some(ts) => ts.sample(t, &pages)?,
            None => None,
        };
        r.summary.frames += 1;
        let c = &r.charted[k];
        if t < c.start_s {
            continue;
        }
        let (Some(dist), Some(src), Some(p)) = (
            sample.and_then(|s| s.lap_dist_pct),
            d.channels.as_mut(),
            d.picks,
        ) else {
            continue;
        };
        let trace = cur.get_or_insert_with(|| LapTrace::new(opts.points_per_lap, !c.partial));
        if !trace.wants(dist) {
            continue; // its slice is full: no need to decode the frame
        }
        src.decode(&pages, &mut row)?;
        let v = |i: usize| number(row.get(p[i]));
        let (Some(speed), Some(thr), Some(brk), Some(gear)) = (v(0), v(1), v(2), v(3)) else {
            continue;
        };
        trace.push(TracePoint {
            dist,
            speed_kmh: speed * tc.speed_to_kmh,
            throttle: thr,
            brake: brk,
            gear: (gear as i64).saturating_add(tc.gear_offset),
        });
    }
    while k < r.charted.len() {
        let pts = cur.take().map(LapTrace::finish).unwrap_or_default();
        r.chart(k, pts)?;
        k += 1;
    }
    Ok(())
}
