//! MoTeC i2 (`--format motec`): a `.ld` log of every numeric channel at its own constant
//! rate, and (when given a second output) the `.ldx` beside it with the lap beacons, so that
//! i2 opens the log with its laps. Layout from the project's reference (§9 of
//! `laps-and-analysis.md`), written field by field ([`layout`]); docs/EXPORT.md describes
//! the choices.
//!
//! - Rates: MoTeC channels have a constant whole rate in Hz. A channel is sampled at its
//!   sim's rate hint rounded (the AC family's physics page 333 Hz, iRacing's 60 Hz),
//!   [`DEFAULT_RATE_HZ`] without a hint, or at `--rate` for every channel when given (then a
//!   whole number of Hz). Sample `k` is at `t0 + k / rate` (t0: the first row) and holds the
//!   latest value at or before that time, up to the last row's time.
//! - Types: floats → f32; integers → i32 (`u32` bit patterns kept, `u64` saturated);
//!   booleans → i16 0/1; text and `char` channels are left out. A missing value is 0.
//! - Names: cut to 31 ASCII bytes, kept unique with `~2`, `~3`… ([`names`]); the `lap`
//!   column is MoTeC's standard `Lap Number`; `time_s` is not a channel (MoTeC's time base
//!   is the sample index).
//! - Memory: samples wait in a temporary file ([`spill`]), the `.ld` is assembled at the end.

pub mod layout;
pub mod ldx;
pub mod names;
pub mod spill;

use std::io::Write;
use std::path::PathBuf;

use ksana_laps::{Lap, Session};
use ksana_sims::channels::{Channel, ChannelType, Row, ValueRef};

use crate::{ExportError, Exporter, Metadata};
use layout::{CLASS_FLOAT, CLASS_INT, ChannelMeta, FileText};

/// Rate of channels whose sim states none (the AC family's graphics and static pages), Hz.
pub const DEFAULT_RATE_HZ: u16 = 60;

/// What the `.ld` header says about the session, from the recording and its detected laps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    /// Wall-clock time of recording time 0, ns since the Unix epoch (the header's date and
    /// time are this plus the first exported row's time, UTC).
    pub start_unix_ns: Option<i64>,
    /// Driver name.
    pub driver: String,
    /// Car.
    pub vehicle: String,
    /// Track.
    pub venue: String,
    /// Session type (`practice`, `race`, …).
    pub session: String,
}

impl Details {
    /// The details of a recording: its start time; driver, car and track of its first
    /// detected session, else its header's `driver`, `car`, `track` metadata.
    pub fn from_recording(header: &ksana_format::Header, sessions: &[Session]) -> Details {
        let meta = |k: &str| {
            header
                .metadata
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let first = sessions.first();
        let pick = |s: Option<&String>, k: &str| match s {
            Some(v) if !v.is_empty() => v.clone(),
            _ => meta(k),
        };
        Details {
            start_unix_ns: Some(header.start_unix_ns),
            driver: pick(first.map(|s| &s.driver), "driver"),
            vehicle: pick(first.map(|s| &s.car), "car"),
            venue: pick(first.map(|s| &s.track), "track"),
            session: first.map(|s| s.session_type.clone()).unwrap_or_default(),
        }
    }
}

impl Details {
    /// Fills the fields of `self` that are unknown or empty from `other`.
    fn fill_from(&mut self, other: &Details) {
        self.start_unix_ns = self.start_unix_ns.or(other.start_unix_ns);
        for (mine, theirs) in [
            (&mut self.driver, &other.driver),
            (&mut self.vehicle, &other.vehicle),
            (&mut self.venue, &other.venue),
            (&mut self.session, &other.session),
        ] {
            if mine.is_empty() {
                mine.clone_from(theirs);
            }
        }
    }
}

/// How a channel's values are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    F32,
    I32,
    I16,
}

impl Kind {
    fn of(ty: ChannelType) -> Option<Kind> {
        match ty {
            ChannelType::F32 | ChannelType::F64 => Some(Kind::F32),
            ChannelType::I32 | ChannelType::U32 | ChannelType::U64 => Some(Kind::I32),
            ChannelType::Bool => Some(Kind::I16),
            ChannelType::Char | ChannelType::Str => None,
        }
    }

    fn size(self) -> usize {
        match self {
            Kind::F32 | Kind::I32 => 4,
            Kind::I16 => 2,
        }
    }

    fn class(self) -> u16 {
        match self {
            Kind::F32 => CLASS_FLOAT,
            Kind::I32 | Kind::I16 => CLASS_INT,
        }
    }

    /// `v` as this kind's little-endian bytes (in the first [`Kind::size`] bytes).
    fn encode(self, v: ValueRef<'_>) -> [u8; 4] {
        let f = |x: f32| x.to_le_bytes();
        let i = |x: i32| x.to_le_bytes();
        let h = |x: i16| {
            let [a, b] = x.to_le_bytes();
            [a, b, 0, 0]
        };
        let int = |v: ValueRef<'_>| -> i64 {
            match v {
                ValueRef::F32(x) => x as i64,
                ValueRef::F64(x) => x as i64,
                ValueRef::I32(x) => i64::from(x),
                ValueRef::U32(x) => i64::from(x as i32),
                ValueRef::U64(x) => i64::try_from(x).unwrap_or(i64::MAX),
                ValueRef::Bool(b) => i64::from(b),
                ValueRef::Char(c) => i64::from(c),
                ValueRef::Missing | ValueRef::Str(_) => 0,
            }
        };
        match self {
            Kind::F32 => f(match v {
                ValueRef::F32(x) => x,
                ValueRef::F64(x) => x as f32,
                other => int(other) as f32,
            }),
            Kind::I32 => i(int(v).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32),
            Kind::I16 => h(int(v).clamp(0, 1) as i16),
        }
    }
}

/// One MoTeC channel: which column feeds it and how.
struct Track {
    column: usize,
    kind: Kind,
    meta: ChannelMeta,
}

/// Channels sharing a rate, and the index of their next sample.
struct Group {
    rate_hz: u16,
    k: u64,
    tracks: Vec<usize>,
}

impl Group {
    fn tick_ns(&self, t0: u64) -> u64 {
        t0 + (self.k as f64 * (1e9 / f64::from(self.rate_hz))).round() as u64
    }
}

/// The state of an export under way.
struct State {
    time_column: usize,
    tracks: Vec<Track>,
    groups: Vec<Group>,
    held: Vec<[u8; 4]>,
    t0_ns: Option<u64>,
    last_ns: u64,
    spill: spill::Spill,
    meta: Metadata,
}

/// The MoTeC exporter: `.ld` to its output, `.ldx` to the second output when given.
pub struct MotecExporter<'a> {
    out: Box<dyn Write + 'a>,
    ldx: Option<(Box<dyn Write + 'a>, Vec<Lap>)>,
    details: Details,
    spill_dir: Option<PathBuf>,
    state: Option<State>,
}

impl<'a> MotecExporter<'a> {
    /// An exporter writing the `.ld` to `out`, without `.ldx`; the header's date, time and
    /// names come from the recording header in [`Metadata::header`] when the driver gives one.
    pub fn new(out: Box<dyn Write + 'a>) -> MotecExporter<'a> {
        MotecExporter {
            out,
            ldx: None,
            details: Details::default(),
            spill_dir: None,
            state: None,
        }
    }

    /// Also writes the `.ldx` to `out`, with a beacon at the end of each lap of `laps` that
    /// has a time and ends inside the log (recording times, as `ksana laps` detects them).
    pub fn with_ldx(mut self, out: Box<dyn Write + 'a>, laps: Vec<Lap>) -> MotecExporter<'a> {
        self.ldx = Some((out, laps));
        self
    }

    /// Fills the header's date, time, driver, vehicle, venue and session from `details`.
    pub fn with_details(mut self, details: Details) -> MotecExporter<'a> {
        self.details = details;
        self
    }

    /// Keeps the temporary sample file in `dir` (e.g. beside the output) instead of the
    /// system's temporary folder.
    pub fn with_spill_dir(mut self, dir: PathBuf) -> MotecExporter<'a> {
        self.spill_dir = Some(dir);
        self
    }

    fn state(&mut self) -> Result<&mut State, ExportError> {
        self.state
            .as_mut()
            .ok_or_else(|| ExportError::Usage("MoTeC export: rows before begin".into()))
    }

    /// The header's text for a log starting at recording time `t0_ns`.
    fn text(&self, meta: &Metadata, t0_ns: u64) -> FileText {
        let d = &self.details;
        let (date, time) = d
            .start_unix_ns
            .and_then(|s| {
                let ns = i128::from(s) + i128::from(t0_ns);
                let z = jiff::Timestamp::from_nanosecond(ns)
                    .ok()?
                    .to_zoned(jiff::tz::TimeZone::UTC);
                Some((
                    z.strftime("%d/%m/%Y").to_string(),
                    z.strftime("%H:%M:%S").to_string(),
                ))
            })
            .unwrap_or_default();
        let source = std::path::Path::new(&meta.source)
            .file_name()
            .map_or(meta.source.clone(), |n| n.to_string_lossy().into_owned());
        FileText {
            date,
            time,
            driver: d.driver.clone(),
            vehicle: d.vehicle.clone(),
            venue: d.venue.clone(),
            event: source,
            session: d.session.clone(),
            short_comment: format!("{} via ksana", meta.sim_name),
            comment: format!("ksana export of {} ({})", meta.source, meta.sim_name),
        }
    }
}

/// The rate of every channel when the export is resampled (`--rate`), checked.
fn forced_rate(meta: &Metadata) -> Result<Option<u16>, ExportError> {
    match meta.rate_hz {
        None => Ok(None),
        Some(r) if r.fract() == 0.0 && (1.0..=65535.0).contains(&r) => Ok(Some(r as u16)),
        Some(r) => Err(ExportError::Usage(format!(
            "MoTeC channel rates are whole numbers of Hz from 1 to 65535; --rate {r} is not"
        ))),
    }
}

/// A channel's MoTeC rate: its hint rounded into 1..=65535 Hz, else [`DEFAULT_RATE_HZ`].
fn native_rate(c: &Channel) -> u16 {
    c.rate_hz
        .filter(|r| r.is_finite() && *r > 0.0)
        .map_or(DEFAULT_RATE_HZ, |r| r.round().clamp(1.0, 65535.0) as u16)
}

impl Exporter for MotecExporter<'_> {
    fn begin(&mut self, columns: &[Channel], meta: &Metadata) -> Result<(), ExportError> {
        let forced = forced_rate(meta)?;
        if let Some(h) = &meta.header {
            self.details.fill_from(&Details::from_recording(h, &[]));
        }
        let time_column = columns
            .iter()
            .position(|c| c.name == "time_s")
            .ok_or_else(|| ExportError::Usage("MoTeC export: no time_s column".into()))?;
        let mut namer = names::Namer::default();
        let mut tracks = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        for (column, c) in columns.iter().enumerate() {
            if column == time_column {
                continue;
            }
            let Some(kind) = Kind::of(c.ty) else { continue };
            let rate_hz = forced.unwrap_or_else(|| native_rate(c));
            let name = namer.name(if c.name == "lap" {
                "Lap Number"
            } else {
                &c.name
            });
            let g = match groups.iter().position(|g| g.rate_hz == rate_hz) {
                Some(g) => g,
                None => {
                    groups.push(Group {
                        rate_hz,
                        k: 0,
                        tracks: Vec::new(),
                    });
                    groups.len() - 1
                }
            };
            groups[g].tracks.push(tracks.len());
            tracks.push(Track {
                column,
                kind,
                meta: ChannelMeta {
                    short_name: names::short_name(&name),
                    name,
                    unit: names::ascii(&c.unit, names::UNIT_MAX),
                    class: kind.class(),
                    size: kind.size() as u16,
                    rate_hz,
                    count: 0,
                },
            });
        }
        if tracks.is_empty() {
            return Err(ExportError::Usage(
                "MoTeC export: no numeric channel to write (text channels are left out)".into(),
            ));
        }
        let spill = spill::Spill::new(self.spill_dir.as_deref(), tracks.len())?;
        self.state = Some(State {
            time_column,
            held: vec![[0; 4]; tracks.len()],
            tracks,
            groups,
            t0_ns: None,
            last_ns: 0,
            spill,
            meta: meta.clone(),
        });
        Ok(())
    }

    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        let st = self.state()?;
        let t = match row.get(st.time_column) {
            ValueRef::F64(s) if s.is_finite() && s >= 0.0 => (s * 1e9).round() as u64,
            _ => {
                return Err(ExportError::Usage(
                    "MoTeC export: a row without a time".into(),
                ));
            }
        };
        let t0 = *st.t0_ns.get_or_insert(t);
        let State {
            groups,
            tracks,
            held,
            spill,
            ..
        } = st;
        for g in groups.iter_mut() {
            while g.tick_ns(t0) < t {
                for &i in &g.tracks {
                    spill.push(i, &held[i][..tracks[i].kind.size()])?;
                }
                g.k += 1;
            }
        }
        for (h, tr) in held.iter_mut().zip(tracks.iter()) {
            *h = tr.kind.encode(row.get(tr.column));
        }
        st.last_ns = t;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ExportError> {
        let Some(mut st) = self.state.take() else {
            return Err(ExportError::Usage(
                "MoTeC export: finished before begin".into(),
            ));
        };
        let Some(t0) = st.t0_ns else {
            return Err(ExportError::Usage("MoTeC export: no rows".into()));
        };
        for g in st.groups.iter_mut() {
            while g.tick_ns(t0) <= st.last_ns {
                for &i in &g.tracks {
                    st.spill.push(i, &st.held[i][..st.tracks[i].kind.size()])?;
                }
                g.k += 1;
            }
        }
        let too_big = || {
            ExportError::Usage(
                "a MoTeC .ld file holds at most 4 GiB; export less (--from/--to, --channels, \
                 --rate)"
                    .into(),
            )
        };
        for (i, tr) in st.tracks.iter_mut().enumerate() {
            let count = st.spill.bytes(i) / tr.kind.size() as u64;
            tr.meta.count = u32::try_from(count).map_err(|_| too_big())?;
        }
        let metas: Vec<ChannelMeta> = st.tracks.iter().map(|t| t.meta.clone()).collect();
        let plan = layout::plan(&metas).ok_or_else(too_big)?;
        let text = self.text(&st.meta, t0);
        self.out.write_all(&layout::prelude(&text, &metas, &plan))?;
        for i in 0..st.tracks.len() {
            st.spill.copy_to(i, &mut self.out)?;
        }
        self.out.flush()?;
        if let Some((out, laps)) = self.ldx.as_mut() {
            let mut ends: Vec<&Lap> = laps
                .iter()
                .filter(|l| {
                    let end = l.end_s * 1e9;
                    l.time_ms.is_some() && end > t0 as f64 && end <= st.last_ns as f64
                })
                .collect();
            ends.sort_by(|a, b| a.end_s.total_cmp(&b.end_s));
            let beacons: Vec<ldx::Beacon> = ends
                .iter()
                .map(|l| ldx::Beacon {
                    time_us: (l.end_s * 1e9 - t0 as f64) / 1e3,
                    best_candidate_ms: l.time_ms.filter(|_| l.counts_for_best()),
                })
                .collect();
            out.write_all(ldx::ldx(&beacons).as_bytes())?;
            out.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksana_sims::channels::Value;

    #[test]
    fn encodings() {
        let b = |k: Kind, v: ValueRef<'_>| k.encode(v);
        assert_eq!(b(Kind::F32, ValueRef::F64(1.5)), 1.5f32.to_le_bytes());
        assert_eq!(b(Kind::F32, ValueRef::I32(-3)), (-3.0f32).to_le_bytes());
        assert_eq!(
            b(Kind::I32, ValueRef::U32(0xFFFF_FFFF)),
            (-1i32).to_le_bytes()
        );
        assert_eq!(
            b(Kind::I32, ValueRef::U64(u64::MAX)),
            i32::MAX.to_le_bytes()
        );
        assert_eq!(b(Kind::I16, ValueRef::Bool(true)), [1, 0, 0, 0]);
        assert_eq!(b(Kind::F32, ValueRef::Missing), 0f32.to_le_bytes());
    }

    #[test]
    fn rates_and_resampling() {
        let mut fast = Channel::new("fast", "m", ChannelType::F32);
        fast.rate_hz = Some(4.0);
        let cols = vec![
            Channel::new("time_s", "s", ChannelType::F64),
            fast,
            Channel::new("slow", "", ChannelType::Bool), // no hint: 60 Hz
            Channel::new("name", "", ChannelType::Str),
        ];
        let mut out = Vec::new();
        {
            let mut e = MotecExporter::new(Box::new(&mut out));
            e.begin(&cols, &Metadata::default()).unwrap();
            let mut r = Row::new();
            // Frames at 0, 0.3 and 1.0 s: 4 Hz ticks 0, .25 | .5, .75, 1.0.
            for (t, v) in [(0.0, 1.0f32), (0.3, 2.0), (1.0, 3.0)] {
                r.clear();
                r.push(Value::F64(t));
                r.push(Value::F32(v));
                r.push(Value::Bool(v > 1.5));
                r.push_str("x");
                e.row(&r).unwrap();
            }
            e.finish().unwrap();
        }
        let u32_at = |at: usize| u32::from_le_bytes(out[at..at + 4].try_into().unwrap());
        assert_eq!(u32_at(0x56), 2, "the text channel is left out");
        let meta = layout::HEADER_LEN as usize + 1160 + 1102 + 1312;
        assert_eq!(u32_at(meta + 12), 5, "4 Hz over 1 s: 5 samples");
        assert_eq!(u32_at(meta + 124 + 12), 61, "60 Hz over 1 s: 61 samples");
        let data = u32_at(meta + 8) as usize;
        let fast: Vec<f32> = (0..5)
            .map(|k| f32::from_le_bytes(out[data + 4 * k..data + 4 * k + 4].try_into().unwrap()))
            .collect();
        assert_eq!(
            fast,
            vec![1.0, 1.0, 2.0, 2.0, 3.0],
            "latest value at each tick"
        );
        let slow = u32_at(meta + 124 + 8) as usize;
        assert_eq!(out.len(), slow + 61 * 2);
        // 60 Hz tick 18 is at 0.3 s: it holds the frame at 0.3 s, tick 17 the one before.
        assert_eq!(&out[slow + 17 * 2..slow + 19 * 2], &[0, 0, 1, 0]);
    }

    #[test]
    fn the_recording_header_fills_what_details_leave_empty() {
        let mut h = ksana_format::Header::new("acc", Vec::new());
        h.start_unix_ns = 1_700_000_000_000_000_000; // 2023-11-14 22:13:20 UTC
        h.metadata = vec![
            ("driver".into(), "Header Driver".into()),
            ("track".into(), "Header Track".into()),
        ];
        let cols = vec![
            Channel::new("time_s", "s", ChannelType::F64),
            Channel::new("v", "", ChannelType::F32),
        ];
        let meta = Metadata {
            header: Some(h),
            ..Metadata::default()
        };
        let mut out = Vec::new();
        {
            let mut e = MotecExporter::new(Box::new(&mut out)).with_details(Details {
                driver: "Given Driver".into(),
                ..Details::default()
            });
            e.begin(&cols, &meta).unwrap();
            let mut r = Row::new();
            r.push(Value::F64(61.0));
            r.push(Value::F32(1.0));
            e.row(&r).unwrap();
            e.finish().unwrap();
        }
        let text = |at: usize, n: usize| String::from_utf8_lossy(&out[at..at + n]).into_owned();
        assert_eq!(text(0x5E, 10), "14/11/2023");
        assert_eq!(
            text(0x7E, 8),
            "22:14:21",
            "the start plus the first row's 61 s"
        );
        assert_eq!(text(0x9E, 12), "Given Driver", "given details win");
        assert_eq!(text(0x15E, 12), "Header Track");
    }

    #[test]
    fn a_rate_that_is_not_whole_hz_is_refused() {
        let cols = vec![
            Channel::new("time_s", "s", ChannelType::F64),
            Channel::new("v", "", ChannelType::F32),
        ];
        let meta = Metadata {
            rate_hz: Some(2.5),
            ..Metadata::default()
        };
        let mut out = Vec::new();
        let mut e = MotecExporter::new(Box::new(&mut out));
        let err = e.begin(&cols, &meta).unwrap_err().to_string();
        assert!(err.contains("--rate 2.5"), "{err}");
    }
}
