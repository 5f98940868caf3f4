//! A protocol-correct iRacing stand-in (`ksana simulate --sim iracing --rate N`) and the
//! checker that follows it from another process like an SDK client (`ksana watch-updates`).
//!
//! The writer publishes through [`LivePublisher`], the player's own write path (reference §9:
//! `status = 0` until header, var headers, YAML and all three slots are laid out; per tick
//! `tickCountBegin`, row, `tickCount`, pulse; YAML changes bump `sessionInfoUpdate`), one tick
//! per step at whatever rate the caller steps; the header's `tickRate` stays 60, iRacing's.
//!
//! Every byte of a row is a function of its tick (`SessionTick`, which equals the slot's
//! `tickCount`), so a copy can be checked on its own ([`check_row`]): a torn copy — half one
//! tick, half another — does not equal the row its `SessionTick` gives. The YAML
//! (WeekendInfo, SessionInfo, DriverInfo) changes every 10 s of the writer's clock.
//!
//! Two var sets: a writer started on a mapping that holds the other set's layout (a previous
//! stand-in, now restarted) takes the other one, as the sim does when the car changes; the
//! publisher then shows the disconnect and pause consumers need before a new layout.

use std::io::Write;
use std::time::{Duration, Instant};

use ksana_shm::{Mapping, ShmNamespace};

use super::layout::{
    self, HEADER_LEN, Header, LIVE_NUM_BUF, MEMMAP_NAME, STATUS_CONNECTED, VAR_HEADER_LEN,
    VarHeader, VarType,
};
use super::publisher::{LivePublisher, PublisherOptions};
use crate::sim::{SimError, Simulator};

/// How often the stand-in's YAML changes, by its own clock.
pub const YAML_EVERY: Duration = Duration::from_secs(10);

/// Cars in the `CarIdx…` arrays (iRacing has 64).
const CARS: u32 = 64;

/// One variable of a set: name, type, count, unit, description.
type Var = (&'static str, VarType, u32, &'static str, &'static str);

/// Set A: a handful of scalars of every type, one array, and `ReplayFrameNum` last so that the
/// end of the row carries the tick as well as its start.
const SET_A: &[Var] = &[
    (
        "SessionTime",
        VarType::Double,
        1,
        "s",
        "Seconds since session start",
    ),
    ("SessionTick", VarType::Int, 1, "", "Current update number"),
    ("SessionNum", VarType::Int, 1, "", "Session number"),
    (
        "SessionState",
        VarType::Int,
        1,
        "irsdk_SessionState",
        "Session state",
    ),
    (
        "SessionFlags",
        VarType::BitField,
        1,
        "irsdk_Flags",
        "Session flags",
    ),
    ("Speed", VarType::Float, 1, "m/s", "GPS vehicle speed"),
    ("RPM", VarType::Float, 1, "revs/min", "Engine rpm"),
    (
        "Gear",
        VarType::Int,
        1,
        "",
        "-1=reverse  0=neutral  1..n=current gear",
    ),
    (
        "Throttle",
        VarType::Float,
        1,
        "%",
        "0=off throttle to 1=full throttle",
    ),
    (
        "Brake",
        VarType::Float,
        1,
        "%",
        "0=brake released to 1=max pedal force",
    ),
    ("Lap", VarType::Int, 1, "", "Laps started count"),
    (
        "LapDistPct",
        VarType::Float,
        1,
        "%",
        "Percentage distance around lap",
    ),
    (
        "IsOnTrack",
        VarType::Bool,
        1,
        "",
        "1=Car on track physics running with player in car",
    ),
    (
        "OnPitRoad",
        VarType::Bool,
        1,
        "",
        "Is the player car on pit road between the cones",
    ),
    (
        "CarIdxLapDistPct",
        VarType::Float,
        CARS,
        "%",
        "Percentage distance around lap by car index",
    ),
    (
        "ReplayFrameNum",
        VarType::Int,
        1,
        "",
        "Integer replay frame number (60 per second)",
    ),
];

/// Set B: set A with fuel and water temperature added and a char flag, another row length.
const SET_B: &[Var] = &[
    (
        "SessionTime",
        VarType::Double,
        1,
        "s",
        "Seconds since session start",
    ),
    ("SessionTick", VarType::Int, 1, "", "Current update number"),
    ("SessionNum", VarType::Int, 1, "", "Session number"),
    (
        "SessionState",
        VarType::Int,
        1,
        "irsdk_SessionState",
        "Session state",
    ),
    (
        "SessionFlags",
        VarType::BitField,
        1,
        "irsdk_Flags",
        "Session flags",
    ),
    ("Speed", VarType::Float, 1, "m/s", "GPS vehicle speed"),
    ("RPM", VarType::Float, 1, "revs/min", "Engine rpm"),
    (
        "Gear",
        VarType::Int,
        1,
        "",
        "-1=reverse  0=neutral  1..n=current gear",
    ),
    (
        "Throttle",
        VarType::Float,
        1,
        "%",
        "0=off throttle to 1=full throttle",
    ),
    (
        "Brake",
        VarType::Float,
        1,
        "%",
        "0=brake released to 1=max pedal force",
    ),
    (
        "FuelLevel",
        VarType::Float,
        1,
        "l",
        "Liters of fuel remaining",
    ),
    ("WaterTemp", VarType::Float, 1, "C", "Engine coolant temp"),
    ("Lap", VarType::Int, 1, "", "Laps started count"),
    (
        "LapDistPct",
        VarType::Float,
        1,
        "%",
        "Percentage distance around lap",
    ),
    (
        "IsOnTrack",
        VarType::Bool,
        1,
        "",
        "1=Car on track physics running with player in car",
    ),
    (
        "OnPitRoad",
        VarType::Bool,
        1,
        "",
        "Is the player car on pit road between the cones",
    ),
    (
        "PitSvFlags",
        VarType::BitField,
        1,
        "irsdk_PitSvFlags",
        "Bitfield of pit service checkboxes",
    ),
    (
        "CarIdxLapDistPct",
        VarType::Float,
        CARS,
        "%",
        "Percentage distance around lap by car index",
    ),
    (
        "CarIdxGear",
        VarType::Int,
        CARS,
        "",
        "Cars gear by car index",
    ),
    (
        "ReplayFrameNum",
        VarType::Int,
        1,
        "",
        "Integer replay frame number (60 per second)",
    ),
];

/// A var set laid out: its var headers and row length.
struct Set {
    /// 0 for set A, 1 for set B (shown in the YAML's `CarScreenName`).
    id: usize,
    vars: Vec<VarHeader>,
    table: Vec<u8>,
    buf_len: usize,
}

fn set(id: usize) -> Set {
    let defs = if id == 0 { SET_A } else { SET_B };
    let mut at = 0usize;
    let mut vars = Vec::new();
    for &(name, var_type, count, unit, desc) in defs {
        at = at.div_ceil(var_type.size()) * var_type.size();
        vars.push(VarHeader {
            var_type,
            offset: at as u32,
            count,
            count_as_time: false,
            name: name.into(),
            desc: desc.into(),
            unit: unit.into(),
        });
        at += var_type.size() * count as usize;
    }
    let table = vars.iter().flat_map(|v| v.encode()).collect();
    Set {
        id,
        vars,
        table,
        buf_len: at.div_ceil(16) * 16,
    }
}

/// The value of element `e` of `name` at `tick`, as the row's little-endian bytes.
fn value(name: &str, ty: VarType, e: u32, tick: i32) -> Vec<u8> {
    let t = tick.rem_euclid(1_000_000);
    let f = |v: f32| v.to_le_bytes().to_vec();
    let i = |v: i32| v.to_le_bytes().to_vec();
    match name {
        "SessionTime" => (f64::from(tick) / 60.0).to_le_bytes().to_vec(),
        "SessionTick" | "ReplayFrameNum" => i(tick),
        "SessionNum" => i(2),
        "SessionState" => i(4),
        "SessionFlags" => i(0x0004_0000 | ((t / 600) & 1) << 2),
        "Speed" => f(40.0 + (t % 1000) as f32 * 0.03),
        "RPM" => f(4000.0 + ((t * 7) % 4000) as f32),
        "Gear" => i(1 + (t / 120) % 6),
        "Throttle" => f((t % 100) as f32 / 100.0),
        "Brake" => f(((t + 50) % 100) as f32 / 200.0),
        "FuelLevel" => f(60.0 - (t % 100_000) as f32 * 0.0005),
        "WaterTemp" => f(85.0 + (t % 50) as f32 * 0.1),
        "Lap" => i(1 + t / 5400),
        "LapDistPct" => f((t % 5400) as f32 / 5400.0),
        "IsOnTrack" => vec![1],
        "OnPitRoad" => vec![u8::from(t % 5400 < 300)],
        "PitSvFlags" => i(0x10),
        "CarIdxLapDistPct" => f(((t + e as i32 * 83) % 5400) as f32 / 5400.0),
        "CarIdxGear" => i((e as i32 + t / 60) % 7),
        _ => vec![0; ty.size()],
    }
}

/// The row set `s` publishes at `tick`.
fn row_for(s: &Set, tick: i32) -> Vec<u8> {
    let mut row = vec![0u8; s.buf_len];
    for v in &s.vars {
        for e in 0..v.count {
            let b = value(&v.name, v.var_type, e, tick);
            let at = v.offset as usize + e as usize * v.var_type.size();
            row[at..at + b.len()].copy_from_slice(&b);
        }
    }
    row
}

/// The YAML set `s` publishes as its `k`-th text (k = 0, 1, … every [`YAML_EVERY`]).
fn yaml_for(s: &Set, k: u32) -> String {
    format!(
        "---\nWeekendInfo:\n TrackName: ksana_ring\n TrackDisplayName: Ksana Test Ring\n \
         TrackLength: 4.20 km\n TrackID: 9001\n SeriesID: 0\n SessionID: 0\n EventType: Race\n \
         Category: Road\n SimMode: full\n\nSessionInfo:\n Sessions:\n - SessionNum: 2\n   \
         SessionLaps: 20\n   SessionTime: 3600.0000 sec\n   SessionType: Race\n   \
         SessionName: RACE\n   ResultsLapsComplete: {k}\n\nDriverInfo:\n DriverCarIdx: 0\n \
         DriverCarFuelMaxLtr: 120.000\n Drivers:\n - CarIdx: 0\n   UserName: Ksana Pattern\n   \
         CarNumber: \"7\"\n   CarScreenName: Pattern car {}\n   IRating: 1350\n\n...\n",
        if s.id == 0 { "A" } else { "B" }
    )
}

/// The revision `k` a stand-in YAML says it is (its `ResultsLapsComplete`).
fn yaml_revision(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("ResultsLapsComplete: "))?
        .parse()
        .ok()
}

/// Which stand-in set a var-header table is, if either.
fn set_of_table(table: &[u8]) -> Option<Set> {
    (0..2).map(set).find(|s| s.table == table)
}

/// Checks that `row` (an `irsdk_row` page of a stand-in recording) is the whole row of one
/// tick: the row its `SessionTick` gives, byte for byte, for the set its length gives.
/// Returns the tick, or which byte (and variable) differs.
pub fn check_row(row: &[u8]) -> Result<u64, String> {
    let s = (0..2)
        .map(set)
        .find(|s| s.buf_len == row.len())
        .ok_or_else(|| format!("a {}-byte row is neither stand-in set's", row.len()))?;
    let tick = i32::from_le_bytes(row[8..12].try_into().expect("4 bytes"));
    let want = row_for(&s, tick);
    match want.iter().zip(row).position(|(a, b)| a != b) {
        None => Ok(u64::try_from(tick).map_err(|_| format!("SessionTick {tick}"))?),
        Some(at) => {
            let var = s
                .vars
                .iter()
                .find(|v| (v.offset as usize..v.offset as usize + v.byte_len()).contains(&at))
                .map_or("padding", |v| v.name.as_str());
            Err(format!(
                "SessionTick {tick}: byte {at} ({var}) is {:#04x}, the row of that tick has {:#04x}",
                row[at], want[at]
            ))
        }
    }
}

/// Which set the mapping in `ns` holds now, if it holds a stand-in's layout.
fn held_set(ns: &ShmNamespace) -> Result<Option<usize>, SimError> {
    let Some(map) = Mapping::open_read(ns, MEMMAP_NAME)? else {
        return Ok(None);
    };
    let Some(h) = map
        .read_vec(0, HEADER_LEN)
        .ok()
        .and_then(|b| Header::parse(&b).ok())
        .filter(|h| h.validate(map.len()).is_ok())
    else {
        return Ok(None);
    };
    let table = map.read_vec(
        h.var_header_offset as usize,
        h.num_vars as usize * VAR_HEADER_LEN,
    )?;
    Ok(set_of_table(&table).map(|s| s.id))
}

/// The stand-in writer: see the module docs.
pub struct PatternWriter {
    publisher: LivePublisher,
    set: Set,
    header: [u8; HEADER_LEN],
    yaml: Vec<u8>,
    row: Vec<u8>,
    started: Instant,
    /// The YAML revision published.
    k: u32,
}

impl PatternWriter {
    /// Opens (or creates) the mapping in `ns`; nothing is published before the first step.
    pub fn create(ns: &ShmNamespace) -> Result<PatternWriter, SimError> {
        let id = match held_set(ns)? {
            Some(0) => 1,
            _ => 0,
        };
        let s = set(id);
        let yaml = yaml_for(&s, 0).into_bytes();
        let pages = layout::page_specs(&s.vars, s.buf_len, yaml.len());
        let publisher = LivePublisher::open_with(ns, &pages, PublisherOptions::default())?;
        let header = Header {
            ver: layout::CURRENT_VER,
            status: STATUS_CONNECTED,
            tick_rate: 60,
            session_info_update: 1,
            num_vars: s.vars.len() as i32,
            num_buf: LIVE_NUM_BUF as i32,
            buf_len: s.buf_len as i32,
            ..Header::default()
        }
        .to_page();
        Ok(PatternWriter {
            publisher,
            header,
            yaml,
            row: Vec::new(),
            set: s,
            started: Instant::now(),
            k: 0,
        })
    }
}

impl Simulator for PatternWriter {
    fn step(&mut self) -> Result<(), SimError> {
        let k = (self.started.elapsed().as_secs_f64() / YAML_EVERY.as_secs_f64()) as u32;
        if k != self.k {
            self.k = k;
            self.yaml = yaml_for(&self.set, k).into_bytes();
        }
        // The publisher's next tick: the first publish fills all three slots with one row
        // under three ticks, each later one takes one tick. The row's SessionTick is that tick.
        let first = self.row.is_empty();
        let ahead = if first { LIVE_NUM_BUF as i32 } else { 1 };
        let tick = self.publisher.last_tick().wrapping_add(ahead);
        self.row = row_for(&self.set, tick);
        self.publisher
            .publish_pages([&self.header, &self.set.table, &self.yaml, &self.row])
    }

    fn stop(&mut self) -> Result<(), SimError> {
        self.publisher.stop_publishing()
    }
}

/// FNV-1a 64 of `b`, the fingerprint printed of each copy.
fn fnv64(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Offset of `varBuf[i].tickCount` and of its `tickCountBegin`.
fn tick_at(i: usize) -> usize {
    48 + 16 * i
}

/// Follows the stand-in like an SDK client until `status` goes 0 after at least one tick, or
/// `timeout` passes: the newest buffer by `tickCount`, its row copied, `tickCount` re-checked
/// (twice, as `irsdk_getNewData` does). One line per tick seen: `tick <n> <fnv64>` for a
/// whole row (checked with [`check_row`], and its `SessionTick` equal to the slot's tick),
/// `TORN <n> <fnv64> <why>` for a copy that passed the re-check yet is not one tick's row,
/// `LOST <n>` for a row overwritten during both copies, `held <n> <fnv64> SessionTick <m>`
/// for the last row republished unchanged under a new tick (the publisher's stop hold); `yaml <sessionInfoUpdate> <fnv64>` for
/// each new YAML (checked against the stand-in's text), `TORN yaml …` otherwise. Returns the
/// number of whole rows seen.
pub fn watch_updates(
    ns: &ShmNamespace,
    timeout: Duration,
    out: &mut dyn Write,
) -> Result<u64, SimError> {
    let deadline = Instant::now() + timeout;
    let wr = |e: std::io::Error| SimError::Layout {
        page: "output".into(),
        detail: e.to_string(),
    };
    let bad = |detail: String| SimError::Layout {
        page: MEMMAP_NAME.into(),
        detail,
    };
    let mut map: Option<Mapping> = None;
    let mut cur: Option<(Header, Set)> = None;
    let mut last_tick: Option<i32> = None;
    let mut last_row: Option<u64> = None;
    let mut last_yaml: Option<i32> = None;
    let mut seen = 0u64;
    let mut row = Vec::new();
    let mut hb = [0u8; HEADER_LEN];
    while Instant::now() < deadline {
        let Some(m) = &map else {
            map = Mapping::open_read(ns, MEMMAP_NAME)?.filter(|m| m.len() >= HEADER_LEN);
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        m.read(0, &mut hb)?;
        let h = Header::parse(&hb).map_err(|e| bad(e.to_string()))?;
        if h.status & STATUS_CONNECTED == 0 {
            if seen > 0 {
                break;
            }
            cur = None;
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        // (Re)connect: the layout, read once as clients cache it.
        if cur.as_ref().is_none_or(|(c, _)| {
            (c.num_vars, c.buf_len, c.var_header_offset)
                != (h.num_vars, h.buf_len, h.var_header_offset)
        }) {
            h.validate(m.len()).map_err(|e| bad(e.to_string()))?;
            let table = m.read_vec(
                h.var_header_offset as usize,
                h.num_vars as usize * VAR_HEADER_LEN,
            )?;
            let s = set_of_table(&table)
                .ok_or_else(|| bad("the var headers are not the stand-in's".into()))?;
            cur = Some((h, s));
            last_yaml = None;
        }
        let Some((c, s)) = &cur else { continue };
        if last_yaml != Some(h.session_info_update) {
            let before = m.load_i32_acquire(12)?;
            let region = m.read_vec(c.session_info_offset as usize, c.session_info_len as usize)?;
            if m.load_i32_acquire(12)? == before {
                last_yaml = Some(before);
                let text = String::from_utf8_lossy(layout::yaml_text(&region)).into_owned();
                let ok = yaml_revision(&text).is_some_and(|k| yaml_for(s, k) == text);
                let fp = fnv64(text.as_bytes());
                if ok {
                    writeln!(out, "yaml {before} {fp:016x}").map_err(wr)?;
                } else {
                    writeln!(out, "TORN yaml {before} {fp:016x} not a stand-in text")
                        .map_err(wr)?;
                }
            }
        }
        let n = (c.num_buf as usize).min(layout::MAX_BUFS);
        let newest = (0..n).max_by_key(|&i| h.var_buf[i].tick_count).unwrap_or(0);
        let tick = h.var_buf[newest].tick_count;
        if tick <= 0 || last_tick.is_some_and(|l| tick <= l) {
            std::thread::sleep(Duration::from_micros(100));
            continue;
        }
        let mut got = false;
        for _ in 0..2 {
            let t = m.load_i32_acquire(tick_at(newest))?;
            if t != tick {
                break;
            }
            row.resize(c.buf_len as usize, 0);
            m.read(c.var_buf[newest].buf_offset as usize, &mut row)?;
            if m.load_i32_acquire(tick_at(newest))? == tick {
                got = true;
                break;
            }
        }
        last_tick = Some(tick);
        if !got {
            writeln!(out, "LOST {tick}").map_err(wr)?;
            continue;
        }
        let fp = fnv64(&row);
        match check_row(&row) {
            Ok(t) if t == tick as u64 => {
                writeln!(out, "tick {tick} {fp:016x}").map_err(wr)?;
                last_row = Some(t);
                seen += 1;
            }
            // The publisher's stop hold (and the player's heartbeat) republishes the last row
            // under new ticks: the same whole row again, not a torn one.
            Ok(t) if Some(t) == last_row => {
                writeln!(out, "held {tick} {fp:016x} SessionTick {t}").map_err(wr)?;
            }
            Ok(t) => {
                writeln!(out, "TORN {tick} {fp:016x} the row says SessionTick {t}").map_err(wr)?
            }
            Err(e) => writeln!(out, "TORN {tick} {fp:016x} {e}").map_err(wr)?,
        }
    }
    out.flush().map_err(wr)?;
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_differ_and_rows_check_themselves() {
        let (a, b) = (set(0), set(1));
        assert_ne!(a.buf_len, b.buf_len);
        assert_eq!(a.vars[0].name, "SessionTime");
        assert_eq!(a.vars[1].offset, 8);
        // CarIdxLapDistPct: 64 floats after the scalars.
        let arr = a.vars.iter().find(|v| v.count == 64).unwrap();
        assert_eq!(arr.byte_len(), 256);
        for s in [&a, &b] {
            let r = row_for(s, 1234);
            assert_eq!(check_row(&r), Ok(1234));
            assert_eq!(&r[0..8], &(1234.0f64 / 60.0).to_le_bytes());
            // Half of tick 1234, half of 1235: torn.
            let next = row_for(s, 1235);
            let mut torn = r.clone();
            let half = s.buf_len / 2;
            torn[half..].copy_from_slice(&next[half..]);
            assert!(check_row(&torn).is_err(), "a torn row passed");
            let mut torn = next.clone();
            torn[half..].copy_from_slice(&r[half..]);
            assert!(check_row(&torn).is_err(), "a torn row passed");
        }
    }

    #[test]
    fn yaml_revisions_parse() {
        let s = set(1);
        let y = yaml_for(&s, 7);
        assert_eq!(yaml_revision(&y), Some(7));
        assert!(y.contains("WeekendInfo:") && y.contains("DriverInfo:"));
        assert!(y.contains("CarScreenName: Pattern car B"));
        let doc = crate::iracing::session::SessionInfoDoc::parse(y.as_bytes());
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let session = &doc.session.unwrap().sessions[0];
        assert_eq!(session.results_laps_complete, Some(7));
        assert_eq!(
            doc.weekend.unwrap().track_name.as_deref(),
            Some("ksana_ring")
        );
        assert_eq!(
            doc.driver.unwrap().drivers[0].car_screen_name.as_deref(),
            Some("Pattern car B")
        );
    }

    #[test]
    fn writer_publishes_checkable_ticks_and_switches_set_on_restart() {
        let root = tempfile::tempdir().unwrap();
        let ns = ShmNamespace::with_root(root.path());
        let mut w = PatternWriter::create(&ns).unwrap();
        assert_eq!(w.set.id, 0);
        for _ in 0..5 {
            w.step().unwrap();
        }
        let mut r = crate::iracing::LiveReader::open(&ns).unwrap();
        let mut snap = crate::sim::Snapshot::with_pages(4);
        use crate::sim::SimReader;
        assert!(matches!(r.poll(&mut snap).unwrap(), crate::sim::Poll::New));
        // Ticks 1..3 for the first row, then 4 more: the newest is 7.
        assert_eq!(check_row(&snap.pages[3]), Ok(7));
        assert_eq!(snap.tick, Some(7));
        w.stop().unwrap();
        drop(w);
        assert_eq!(held_set(&ns).unwrap(), Some(0));
        let w2 = PatternWriter::create(&ns).unwrap();
        assert_eq!(w2.set.id, 1);
    }
}
