//! The export loop: streams a recording's frames through the recording sim's
//! [`ChannelSource`] into an [`Exporter`], applying the user's selection (channels, time
//! range, segment, resampling). Holds one decoded frame at a time, so memory does not grow
//! with the input.

use ksana_format::{PageSpec, Recording};
use ksana_sims::Sim;
use ksana_sims::channels::{Channel, ChannelList, ChannelSource, ChannelType, Row, Value};

use crate::{ExportError, Exporter, Metadata};

/// What to export of a recording.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// Channels to write, by exact name, in this order; `None`: every channel. `time_s` and
    /// `lap` are always written and may be listed or not.
    pub channels: Option<Vec<String>>,
    /// First recording time to export, ns (inclusive).
    pub from_ns: Option<u64>,
    /// Last recording time to export, ns (inclusive).
    pub to_ns: Option<u64>,
    /// Resample: one row every 1/rate s from the start of the range, each the latest frame at
    /// or before that time; `None`: one row per frame.
    pub rate_hz: Option<f64>,
    /// Export only this segment (its channels may differ from the others').
    pub segment: Option<u32>,
}

/// Where an export is, for a progress display.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Recording time of the last frame read, ns.
    pub position_ns: u64,
    /// Recording time where the export ends (`to`, else the last frame), ns.
    pub end_ns: u64,
    /// Recording time where it starts, ns.
    pub start_ns: u64,
    /// Rows written so far.
    pub rows: u64,
}

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rows written.
    pub rows: u64,
    /// Frames read and decoded.
    pub frames: u64,
    /// Columns of each row.
    pub columns: usize,
}

/// The pages of segment `index` (the header's for 0).
fn segment_pages(rec: &Recording, index: u32) -> Vec<PageSpec> {
    rec.segments()
        .iter()
        .find(|s| s.index == index)
        .map(|s| s.pages.clone())
        .unwrap_or_else(|| rec.header().pages.clone())
}

fn sim_of(rec: &Recording) -> Result<&'static dyn Sim, ExportError> {
    let id = rec.header().sim.as_str();
    ksana_sims::by_id(id).ok_or_else(|| {
        ExportError::Usage(format!(
            "{}: recorded from sim {id:?}, which ksana does not know",
            rec.path().display()
        ))
    })
}

fn source_for(
    sim: &dyn Sim,
    rec: &Recording,
    segment: u32,
) -> Result<Box<dyn ChannelSource>, ExportError> {
    sim.channels(&segment_pages(rec, segment)).ok_or_else(|| {
        ExportError::Usage(format!(
            "{}: ksana cannot read the pages of segment {segment} as {} channels",
            rec.path().display(),
            sim.name()
        ))
    })
}

/// Pages of a frame as slices, on the stack for up to 16 pages.
fn with_pages<R>(pages: &[Vec<u8>], f: impl FnOnce(&[&[u8]]) -> R) -> R {
    const N: usize = 16;
    if pages.len() <= N {
        let mut a: [&[u8]; N] = [&[]; N];
        for (s, p) in a.iter_mut().zip(pages) {
            *s = p.as_slice();
        }
        f(&a[..pages.len()])
    } else {
        let v: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
        f(&v)
    }
}

/// The channels of the first frame of segment `segment` (default: the first frame), for
/// listings (`ksana export --list-channels`).
pub fn segment_channels(rec: &Recording, segment: Option<u32>) -> Result<ChannelList, ExportError> {
    let sim = sim_of(rec)?;
    let mut frames = rec.frames();
    while let Some(f) = frames.next_frame()? {
        if segment.is_some_and(|s| s != f.segment()) {
            continue;
        }
        let mut src = source_for(sim, rec, f.segment())?;
        return Ok(with_pages(f.pages(), |p| src.channels(p))?);
    }
    Err(ExportError::Usage(format!(
        "{}: no frames{}",
        rec.path().display(),
        segment.map_or(String::new(), |s| format!(" in segment {s}"))
    )))
}

/// Indices of `names` in `list`, or an error naming each unknown name with the closest
/// channel names.
fn pick(list: &ChannelList, names: &[String]) -> Result<Vec<usize>, ExportError> {
    let mut picks = Vec::new();
    let mut unknown = Vec::new();
    for n in names {
        if n == "time_s" || n == "lap" {
            continue;
        }
        match list.channels.iter().position(|c| &c.name == n) {
            Some(i) => picks.push(i),
            None => unknown.push(format!("{n:?}{}", close_matches(list, n))),
        }
    }
    if unknown.is_empty() {
        Ok(picks)
    } else {
        Err(ExportError::Usage(format!(
            "unknown channel(s): {} (`ksana export FILE --list-channels` lists them)",
            unknown.join("; ")
        )))
    }
}

/// ` (did you mean A, B?)` with up to five channel names like `name`, or nothing.
fn close_matches(list: &ChannelList, name: &str) -> String {
    let lower = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> = list
        .channels
        .iter()
        .map(|c| {
            let cl = c.name.to_lowercase();
            let mut s = strsim::jaro_winkler(&lower, &cl);
            if cl == lower {
                s = 2.0;
            } else if cl.contains(&lower) || (cl.len() >= 3 && lower.contains(&cl)) {
                s = s.max(0.9);
            }
            (s, c.name.as_str())
        })
        .filter(|(s, _)| *s >= 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.truncate(5);
    if scored.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = scored.iter().map(|(_, n)| *n).collect();
        format!(" (did you mean {}?)", names.join(", "))
    }
}

/// The decoding state of the segment under way.
struct Decoding {
    segment: u32,
    source: Box<dyn ChannelSource>,
}

/// The output columns and how to fill them from a decoded row.
struct Columns {
    list: ChannelList,
    picks: Vec<usize>,
    columns: Vec<Channel>,
}

impl Columns {
    fn new(list: ChannelList, sel: &Selection) -> Result<Columns, ExportError> {
        let picks = match &sel.channels {
            Some(names) => pick(&list, names)?,
            None => (0..list.channels.len()).collect(),
        };
        let mut columns = vec![Channel::new("time_s", "s", ChannelType::F64)];
        if let Some(l) = list.lap {
            let mut c = Channel::new("lap", "", ChannelType::I32);
            c.rate_hz = list.channels.get(l.channel).and_then(|c| c.rate_hz);
            columns.push(c);
        }
        columns.extend(picks.iter().map(|&i| list.channels[i].clone()));
        Ok(Columns {
            list,
            picks,
            columns,
        })
    }

    /// `out` := time, lap, picked values of `full`.
    fn fill(&self, out: &mut Row, time_ns: u64, full: &Row) {
        out.clear();
        out.push(Value::F64(time_ns as f64 / 1e9));
        if let Some(l) = self.list.lap {
            let v = full
                .get(l.channel)
                .as_i64()
                .and_then(|n| i32::try_from(n.saturating_add(l.add)).ok());
            out.push(v.map_or(Value::Missing, Value::I32));
        }
        for &i in &self.picks {
            out.push_from(full, i);
        }
    }
}

/// Resampling steps: step `k` is at `start + round(k / rate)` s.
struct Steps {
    start_ns: u64,
    period_ns: f64,
    k: u64,
}

impl Steps {
    fn at(&self) -> u64 {
        self.start_ns + (self.k as f64 * self.period_ns).round() as u64
    }
}

/// Exports the frames of `rec` selected by `sel` through `ex`; `source` names the input in
/// the output's metadata. Calls `progress` now and then (every 1024 frames and at the end).
/// Fails before writing anything when the sim has no channels, a channel name is unknown or
/// the selection holds no frame.
pub fn export(
    rec: &Recording,
    source: &str,
    sel: &Selection,
    ex: &mut dyn Exporter,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Summary, ExportError> {
    let sim = sim_of(rec)?;
    if let Some(r) = sel.rate_hz
        && !(r.is_finite() && r > 0.0 && r <= 1e6)
    {
        return Err(ExportError::Usage(format!(
            "--rate must be a positive number of Hz up to 1000000, got {r}"
        )));
    }
    if let (Some(a), Some(b)) = (sel.from_ns, sel.to_ns)
        && a > b
    {
        return Err(ExportError::Usage("--from is after --to".into()));
    }
    let (first_ns, last_ns) = rec.time_range().unwrap_or((0, 0));
    let mut prog = Progress {
        start_ns: sel.from_ns.unwrap_or(first_ns),
        end_ns: sel.to_ns.unwrap_or(last_ns).min(last_ns),
        ..Progress::default()
    };
    let meta = Metadata {
        sim_id: sim.id().to_string(),
        sim_name: sim.name().to_string(),
        source: source.to_string(),
        rate_hz: sel.rate_hz,
        header: Some(rec.header().clone()),
    };
    let mut frames = rec.frames();
    if let Some(from) = sel.from_ns {
        frames.seek(from)?;
    }
    let mut dec: Option<Decoding> = None;
    let mut cols: Option<Columns> = None;
    let mut full = Row::new();
    let mut out = Row::new();
    let mut steps: Option<Steps> = None;
    let mut held = false;
    let mut summary = Summary::default();
    let mut last_ts = None;
    while let Some(f) = frames.next_frame()? {
        let ts = f.timestamp_ns();
        if sel.to_ns.is_some_and(|to| ts > to) {
            break;
        }
        let seg = f.segment();
        if let Some(s) = sel.segment {
            if seg < s {
                continue;
            }
            if seg > s {
                break;
            }
        }
        if dec.as_ref().is_none_or(|d| d.segment != seg) {
            let mut src = source_for(sim, rec, seg)?;
            let list = with_pages(f.pages(), |p| src.channels(p))?;
            match &cols {
                None => {
                    let c = Columns::new(list, sel)?;
                    ex.begin(&c.columns, &meta)?;
                    summary.columns = c.columns.len();
                    cols = Some(c);
                }
                Some(c) if c.list != list => {
                    return Err(ExportError::Usage(format!(
                        "{}: segment {seg} has other channels than the segments before it; \
                         export it alone with --segment {seg}",
                        rec.path().display()
                    )));
                }
                Some(_) => {}
            }
            dec = Some(Decoding {
                segment: seg,
                source: src,
            });
        }
        let (Some(d), Some(c)) = (dec.as_mut(), cols.as_ref()) else {
            continue;
        };
        match sel.rate_hz {
            None => {
                with_pages(f.pages(), |p| d.source.decode(p, &mut full))?;
                c.fill(&mut out, ts, &full);
                ex.row(&out)?;
                summary.rows += 1;
            }
            Some(rate) => {
                let st = steps.get_or_insert(Steps {
                    start_ns: sel.from_ns.unwrap_or(ts),
                    period_ns: 1e9 / rate,
                    k: 0,
                });
                while st.at() < ts {
                    if held {
                        c.fill(&mut out, st.at(), &full);
                        ex.row(&out)?;
                        summary.rows += 1;
                    }
                    st.k += 1;
                }
                with_pages(f.pages(), |p| d.source.decode(p, &mut full))?;
                held = true;
            }
        }
        summary.frames += 1;
        last_ts = Some(ts);
        if summary.frames % 1024 == 0 {
            prog.position_ns = ts;
            prog.rows = summary.rows;
            progress(&prog);
        }
    }
    let Some(c) = cols.as_ref() else {
        return Err(ExportError::Usage(format!(
            "{}: no frames to export{}",
            rec.path().display(),
            match (sel.segment, sel.from_ns, sel.to_ns) {
                (None, None, None) => String::new(),
                _ => " in the selected range".to_string(),
            }
        )));
    };
    if let (Some(st), true) = (steps.as_mut(), held) {
        let end = sel.to_ns.or(last_ts).unwrap_or(0);
        while st.at() <= end {
            c.fill(&mut out, st.at(), &full);
            ex.row(&out)?;
            summary.rows += 1;
            st.k += 1;
        }
    }
    ex.finish()?;
    prog.position_ns = last_ts.unwrap_or(prog.end_ns);
    prog.rows = summary.rows;
    progress(&prog);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[&str]) -> ChannelList {
        ChannelList {
            channels: names
                .iter()
                .map(|n| Channel::new(*n, "", ChannelType::F32))
                .collect(),
            lap: None,
        }
    }

    #[test]
    fn picks_by_exact_name_and_suggests_close_ones() {
        let l = list(&[
            "Speed",
            "RPM",
            "SteeringWheelAngle",
            "LapDist",
            "LapDistPct",
        ]);
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            pick(&l, &names(&["RPM", "time_s", "Speed"])).unwrap(),
            vec![1, 0]
        );
        let e = pick(&l, &names(&["speed", "LapDst", "Zzz"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"speed\" (did you mean Speed?)"), "{e}");
        assert!(e.contains("\"LapDst\" (did you mean LapDist"), "{e}");
        assert!(
            e.contains("\"Zzz\";")
                || e.ends_with("\"Zzz\" (`ksana export FILE --list-channels` lists them)"),
            "{e}"
        );
        assert!(!e.contains("Zzz\" (did"), "{e}");
    }

    #[test]
    fn steps_do_not_drift() {
        let s = Steps {
            start_ns: 5,
            period_ns: 1e9 / 3.0,
            k: 3_000_000,
        };
        assert_eq!(s.at(), 5 + 1_000_000_000_000_000);
    }
}
