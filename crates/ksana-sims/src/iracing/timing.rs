//! iRacing frames as the lap engine's [`TimingSample`]s (`Sim::timing`).
//!
//! Reads the iRacing page set of [`super::layout`]: the var headers are looked up once per
//! layout (re-parsed only when the page changes), the YAML only when its page changes.
//!
//! | sample field | from |
//! |---|---|
//! | `state` | `Off` when the header's `status` lacks bit 0 (a recorded header keeps bytes 0..40, `status` among them), or when the layout has `IsOnTrack`/`IsOnTrackCar` and both are false without a replay (garage, spectating, loading); `Replay` when `IsReplayPlaying`; else `Live`. iRacing has no pause flag: a paused session simply stops its clock. |
//! | `session` | sim `iracing`; key `SessionID/SubSessionID/SessionNum` (WeekendInfo, the `SessionNum` variable); type from `SessionInfo.Sessions[SessionNum].SessionType` normalised ([`normalise_session_type`]); track `TrackDisplayName` (` - TrackConfigName` when there is one); car and driver from `DriverInfo.Drivers[DriverCarIdx]` (`CarScreenName`, `UserName`). A YAML that does not parse keeps the last good ident. |
//! | `sim_time_s` | `SessionTime` |
//! | `completed_laps` | `LapCompleted` (negative → `None`) |
//! | `current_lap_ms`, `last_lap_ms` | `LapCurrentLapTime`, `LapLastLapTime` × 1000 (last ≤ 0 → `None`) |
//! | `lap_dist_pct` | `LapDistPct` |
//! | `sector_starts`, `sector_count` | `SplitTimeInfo.Sectors[].SectorStartPct`, sorted, the first forced to 0.0; `sector_index` stays `None` (iRacing times sectors by distance) |
//! | `incidents` | `PlayerCarMyIncidentCount` |
//! | `off_track` | `PlayerTrackSurface == 0` (OffTrack) |
//! | `in_pit_lane` | `OnPitRoad`, or `PlayerTrackSurface == 1` (InPitStall). `AproachingPits` (2) alone is not the pit lane: iRacing reports it on the racing surface before the pit entry, too |
//! | `in_pit_box` | `PlayerTrackSurface == 1` or `PlayerCarInPitStall` |
//! | `reset` | `PlayerCarTowTime > 0` (being towed) |
//!
//! Missing variables give `None` / `false`, never an error; a short or hostile page is a
//! [`SimError::Layout`].

use std::sync::Arc;

use ksana_format::PageSpec;
use ksana_laps::{SessionIdent, SimState, TimingSample};

use super::layout::{
    self, HEADER_LEN, Header, LAYOUT, PAGE_HEADER, PAGE_ROW, PAGE_SESSION_INFO, PAGE_VAR_HEADERS,
    STATUS_CONNECTED, page_index, parse_var_headers,
};
use super::session::SessionInfoDoc;
use super::vars::{Var, VarIndex};
use crate::sim::{SimError, TimingSource};

/// `irsdk_TrkLoc` values used here.
const TRK_OFF_TRACK: i32 = 0;
const TRK_IN_PIT_STALL: i32 = 1;

/// A timing source for frames with `pages`, or `None` unless they are the iRacing page set.
pub(crate) fn timing(pages: &[PageSpec]) -> Option<Box<dyn TimingSource>> {
    let names = [PAGE_HEADER, PAGE_VAR_HEADERS, PAGE_SESSION_INFO, PAGE_ROW];
    let ok = pages.len() == names.len()
        && pages
            .iter()
            .zip(names)
            .all(|(p, n)| p.name == n && p.layout == LAYOUT);
    ok.then(|| Box::new(IracingTiming::default()) as Box<dyn TimingSource>)
}

/// iRacing's session type in the lap engine's words: `Practice`/`Open Practice` → practice,
/// `Lone Qualify`/`Open Qualify`/`Qualify` → qualify, `Race` → race, `Warmup` → warmup,
/// `Offline Testing` → testing, anything else → unknown.
pub fn normalise_session_type(t: &str) -> &'static str {
    match t.trim() {
        "Practice" | "Open Practice" => "practice",
        "Lone Qualify" | "Open Qualify" | "Qualify" => "qualify",
        "Race" => "race",
        "Warmup" => "warmup",
        "Offline Testing" => "testing",
        _ => "unknown",
    }
}

/// The variables a sample reads, looked up once per layout.
#[derive(Clone, Copy, Debug, Default)]
struct TimingVars {
    session_time: Option<Var<f64>>,
    session_num: Option<Var<i32>>,
    on_track: Option<Var<bool>>,
    on_track_car: Option<Var<bool>>,
    replay: Option<Var<bool>>,
    lap_completed: Option<Var<i32>>,
    lap_current: Option<Var<f32>>,
    lap_last: Option<Var<f32>>,
    lap_dist_pct: Option<Var<f32>>,
    incidents: Option<Var<i32>>,
    surface: Option<Var<i32>>,
    on_pit_road: Option<Var<bool>>,
    in_pit_stall: Option<Var<bool>>,
    tow_time: Option<Var<f32>>,
}

impl TimingVars {
    fn new(index: &VarIndex) -> TimingVars {
        TimingVars {
            session_time: index.get("SessionTime").ok(),
            session_num: index.get("SessionNum").ok(),
            on_track: index.get("IsOnTrack").ok(),
            on_track_car: index.get("IsOnTrackCar").ok(),
            replay: index.get("IsReplayPlaying").ok(),
            lap_completed: index.get("LapCompleted").ok(),
            lap_current: index.get("LapCurrentLapTime").ok(),
            lap_last: index.get("LapLastLapTime").ok(),
            lap_dist_pct: index.get("LapDistPct").ok(),
            incidents: index.get("PlayerCarMyIncidentCount").ok(),
            surface: index.get("PlayerTrackSurface").ok(),
            on_pit_road: index.get("OnPitRoad").ok(),
            in_pit_stall: index.get("PlayerCarInPitStall").ok(),
            tow_time: index.get("PlayerCarTowTime").ok(),
        }
    }
}

fn read<T: super::vars::VarValue>(v: Option<Var<T>>, row: &[u8]) -> Option<T> {
    v.and_then(|v| v.read(row))
}

/// What the YAML says, kept between frames (and across a YAML that does not parse).
#[derive(Clone, Debug, Default)]
struct YamlFacts {
    session_id: Option<i64>,
    sub_session_id: Option<i64>,
    /// `(SessionNum, SessionType)` of every session listed.
    sessions: Vec<(i64, String)>,
    track: String,
    car: String,
    driver: String,
    sector_starts: Arc<[f64]>,
}

impl YamlFacts {
    /// The facts of a parsed document, or `None` when it is unusable (sections broken or no
    /// `WeekendInfo`): the caller keeps the last good ones.
    fn of(doc: &SessionInfoDoc) -> Option<YamlFacts> {
        if !doc.errors.is_empty() {
            return None;
        }
        let w = doc.weekend.as_ref()?;
        let display = w
            .track_display_name
            .clone()
            .or_else(|| w.track_name.clone())
            .unwrap_or_default();
        let track = match w.track_config_name.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => format!("{display} - {c}"),
            _ => display,
        };
        let me = doc
            .driver
            .as_ref()
            .and_then(|d| d.driver_car_idx)
            .and_then(|i| doc.driver_by_car(i));
        let mut starts: Vec<f64> = doc
            .split_time
            .as_ref()
            .map(|s| {
                s.sectors
                    .iter()
                    .filter_map(|x| x.sector_start_pct)
                    .filter(|p| p.is_finite() && (0.0..1.0).contains(p))
                    .collect()
            })
            .unwrap_or_default();
        starts.sort_by(f64::total_cmp);
        starts.dedup();
        if let Some(first) = starts.first_mut() {
            *first = 0.0;
        }
        Some(YamlFacts {
            session_id: w.session_id,
            sub_session_id: w.sub_session_id,
            sessions: doc
                .session
                .as_ref()
                .map(|s| {
                    s.sessions
                        .iter()
                        .filter_map(|x| Some((x.session_num?, x.session_type.clone()?)))
                        .collect()
                })
                .unwrap_or_default(),
            track,
            car: me
                .and_then(|d| d.car_screen_name.clone())
                .unwrap_or_default(),
            driver: me.and_then(|d| d.user_name.clone()).unwrap_or_default(),
            sector_starts: starts.into(),
        })
    }

    fn ident(&self, session_num: Option<i32>) -> SessionIdent {
        let opt = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
        let num = session_num.map(i64::from);
        let session_type = num
            .and_then(|n| self.sessions.iter().find(|(s, _)| *s == n))
            .map_or("unknown", |(_, t)| normalise_session_type(t));
        SessionIdent {
            sim: "iracing".into(),
            key: format!(
                "{}/{}/{}",
                opt(self.session_id),
                opt(self.sub_session_id),
                opt(num)
            ),
            session_type: session_type.into(),
            track: self.track.clone(),
            car: self.car.clone(),
            driver: self.driver.clone(),
        }
    }
}

/// The iRacing [`TimingSource`]: see the module docs.
#[derive(Default)]
pub struct IracingTiming {
    var_page: Vec<u8>,
    vars: Option<TimingVars>,
    yaml_page: Vec<u8>,
    yaml_seen: bool,
    facts: YamlFacts,
    ident: Arc<SessionIdent>,
    /// The `SessionNum` `ident` was made for (`None`: make it again), so it is built once per
    /// session rather than per frame.
    ident_for: Option<Option<i32>>,
}

fn layout_err(page: &str, e: impl std::fmt::Display) -> SimError {
    SimError::Layout {
        page: page.into(),
        detail: e.to_string(),
    }
}

impl TimingSource for IracingTiming {
    fn sample(
        &mut self,
        rec_time_s: f64,
        pages: &[&[u8]],
    ) -> Result<Option<TimingSample>, SimError> {
        let page = |i: usize, name: &str| {
            pages
                .get(i)
                .copied()
                .ok_or_else(|| layout_err(name, "missing from the frame"))
        };
        let header_page = page(page_index::HEADER, PAGE_HEADER)?;
        let row = page(page_index::ROW, PAGE_ROW)?;
        if header_page.len() < HEADER_LEN || row.is_empty() {
            // Pages still empty (nothing published yet): nothing to say.
            return Ok(None);
        }
        let header = Header::parse(header_page).map_err(|e| layout_err(PAGE_HEADER, e))?;
        let var_page = page(page_index::VAR_HEADERS, PAGE_VAR_HEADERS)?;
        if self.vars.is_none() || self.var_page != var_page {
            let num_vars = usize::try_from(header.num_vars)
                .map_err(|_| layout_err(PAGE_HEADER, format!("numVars {}", header.num_vars)))?;
            let buf_len = usize::try_from(header.buf_len)
                .map_err(|_| layout_err(PAGE_HEADER, format!("bufLen {}", header.buf_len)))?;
            let vars = parse_var_headers(var_page, num_vars, buf_len)
                .map_err(|e| layout_err(PAGE_VAR_HEADERS, e))?;
            self.vars = Some(TimingVars::new(&VarIndex::new(&vars)));
            self.var_page = var_page.to_vec();
        }
        let yaml_page = page(page_index::SESSION_INFO, PAGE_SESSION_INFO)?;
        if !self.yaml_seen || self.yaml_page != yaml_page {
            let doc = SessionInfoDoc::parse(layout::yaml_text(yaml_page));
            if let Some(f) = YamlFacts::of(&doc) {
                self.facts = f;
                self.ident_for = None;
            }
            self.yaml_page = yaml_page.to_vec();
            self.yaml_seen = true;
        }
        let v = self.vars.unwrap_or_default();
        let session_num = read(v.session_num, row);
        if self.ident_for != Some(session_num) {
            let ident = self.facts.ident(session_num);
            if *self.ident != ident {
                self.ident = Arc::new(ident);
            }
            self.ident_for = Some(session_num);
        }
        let replay = read(v.replay, row) == Some(true);
        let on_track = read(v.on_track, row);
        let on_track_car = read(v.on_track_car, row);
        let in_car = on_track.is_none() && on_track_car.is_none()
            || on_track == Some(true)
            || on_track_car == Some(true);
        let state = if header.status & STATUS_CONNECTED == 0 {
            SimState::Off
        } else if replay {
            SimState::Replay
        } else if in_car {
            SimState::Live
        } else {
            SimState::Off
        };
        let surface = read(v.surface, row);
        let on_pit_road = read(v.on_pit_road, row) == Some(true);
        let in_stall = surface == Some(TRK_IN_PIT_STALL) || read(v.in_pit_stall, row) == Some(true);
        let finite = |x: f32| Some(f64::from(x)).filter(|x| x.is_finite());
        Ok(Some(TimingSample {
            rec_time_s,
            sim_time_s: read(v.session_time, row).filter(|t| t.is_finite()),
            state,
            session: Arc::clone(&self.ident),
            completed_laps: read(v.lap_completed, row).and_then(|n| u32::try_from(n).ok()),
            current_lap_ms: read(v.lap_current, row)
                .and_then(finite)
                .map(|s| s * 1000.0),
            last_lap_ms: read(v.lap_last, row)
                .and_then(finite)
                .filter(|&s| s > 0.0)
                .map(|s| s * 1000.0),
            lap_dist_pct: read(v.lap_dist_pct, row).and_then(finite),
            sector_index: None,
            sector_count: (!self.facts.sector_starts.is_empty())
                .then(|| self.facts.sector_starts.len() as u32),
            sector_starts: Arc::clone(&self.facts.sector_starts),
            sim_split_ms: None,
            lap_invalid: false,
            incidents: read(v.incidents, row).and_then(|n| u32::try_from(n).ok()),
            off_track: surface == Some(TRK_OFF_TRACK),
            in_pit_lane: on_pit_road || in_stall,
            in_pit_box: in_stall,
            reset: read(v.tow_time, row).is_some_and(|t| t > 0.0),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iracing::fake::IracingFake;
    use crate::iracing::fake::tests::{render, world};
    use crate::sim::FakeRenderer;
    use ksana_synth::world::WorldStatus;

    fn source() -> Box<dyn TimingSource> {
        timing(&IracingFake::new().pages()).expect("the iRacing page set")
    }

    fn sample(t: &mut dyn TimingSource, p: &[Vec<u8>]) -> TimingSample {
        let refs: Vec<&[u8]> = p.iter().map(Vec::as_slice).collect();
        t.sample(1.5, &refs).unwrap().unwrap()
    }

    #[test]
    fn a_rendered_world_samples_as_the_world() {
        let w = world();
        let mut f = IracingFake::new();
        let (p, _) = render(&mut f, &w);
        let mut t = source();
        let s = sample(t.as_mut(), &p);
        assert_eq!(s.rec_time_s, 1.5);
        assert_eq!(s.state, SimState::Live);
        assert_eq!(s.sim_time_s, Some(w.session.elapsed_s));
        assert_eq!(
            *s.session,
            SessionIdent {
                sim: "iracing".into(),
                key: "424242/4242420/1".into(),
                session_type: "practice".into(),
                track: "Ksana Ring".into(),
                car: "Ksana GT3".into(),
                driver: "Ksana Driver".into(),
            }
        );
        assert_eq!(s.completed_laps, Some(2));
        let close = |a: Option<f64>, b: f64, tol: f64| {
            assert!(a.is_some_and(|a| (a - b).abs() < tol), "{a:?} vs {b}")
        };
        close(s.current_lap_ms, w.timing.current_lap_ms, 0.01);
        close(s.last_lap_ms, w.timing.last_lap_ms.unwrap(), 0.01);
        close(s.lap_dist_pct, w.timing.lap_dist_pct, 1e-7);
        assert_eq!(s.sector_count, Some(3));
        assert_eq!(&*s.sector_starts, &[0.0, 0.35, 0.7]);
        assert_eq!(s.sector_index, None);
        assert_eq!(s.incidents, Some(3));
        assert!(!s.off_track && !s.in_pit_lane && !s.in_pit_box && !s.reset);

        // Pit lane, box, off track, replay, menu, other session kinds.
        let mut w2 = w.clone();
        w2.timing.in_pit_lane = true;
        let s = sample(t.as_mut(), &render(&mut f, &w2).0);
        assert!(s.in_pit_lane && !s.in_pit_box, "AproachingPits + OnPitRoad");
        w2.timing.in_pit_box = true;
        let s = sample(t.as_mut(), &render(&mut f, &w2).0);
        assert!(s.in_pit_lane && s.in_pit_box);
        let mut w3 = w.clone();
        w3.timing.off_track = true;
        assert!(sample(t.as_mut(), &render(&mut f, &w3).0).off_track);
        w3.status = WorldStatus::Replay;
        assert_eq!(
            sample(t.as_mut(), &render(&mut f, &w3).0).state,
            SimState::Replay
        );
        w3.status = WorldStatus::Menu;
        assert_eq!(
            sample(t.as_mut(), &render(&mut f, &w3).0).state,
            SimState::Off
        );
        w3.status = WorldStatus::Paused;
        assert_eq!(
            sample(t.as_mut(), &render(&mut f, &w3).0).state,
            SimState::Live
        );
        for (kind, name) in [
            (ksana_synth::world::SessionKind::Qualify, "qualify"),
            (ksana_synth::world::SessionKind::Race, "race"),
            (ksana_synth::world::SessionKind::Hotlap, "testing"),
        ] {
            let mut w4 = w.clone();
            w4.session.index += 1 + kind as u32;
            w4.session.kind = kind;
            let s = sample(t.as_mut(), &render(&mut f, &w4).0);
            assert_eq!(s.session.session_type, name);
            assert_eq!(
                s.session.key,
                format!("424242/4242420/{}", w4.session.index)
            );
        }
    }

    /// Every scenario of the fake world, rendered and sampled at 10 Hz for up to 20 minutes:
    /// each sample says what the world's state says (times through f32 as iRacing's are).
    #[test]
    fn every_scenario_samples_as_its_world() {
        use ksana_synth::world::{Scenario, SessionKind, World};
        for &sc in Scenario::all() {
            let mut world = World::new(sc, 7);
            let mut f = IracingFake::new();
            let mut t = source();
            let mut keys = std::collections::BTreeSet::new();
            let mut indexes = std::collections::BTreeSet::new();
            for i in 0..12_000 {
                let w = world.step(0.1).clone();
                let s = sample(t.as_mut(), &render(&mut f, &w).0);
                let at = format!("{} step {i}", sc.name());
                let want_state = match w.status {
                    WorldStatus::Menu => SimState::Off,
                    WorldStatus::Live | WorldStatus::Paused => SimState::Live,
                    WorldStatus::Replay => SimState::Replay,
                };
                assert_eq!(s.state, want_state, "{at}");
                assert_eq!(s.sim_time_s, Some(w.session.elapsed_s), "{at}");
                let tm = &w.timing;
                assert_eq!(s.completed_laps, Some(tm.completed_laps), "{at}");
                let near =
                    |a: Option<f64>, b: f64, tol: f64| a.is_some_and(|a| (a - b).abs() <= tol);
                assert!(
                    near(s.current_lap_ms, tm.current_lap_ms, 0.05),
                    "{at}: {s:?}"
                );
                match tm.last_lap_ms {
                    Some(l) => assert!(near(s.last_lap_ms, l, 0.05), "{at}"),
                    None => assert_eq!(s.last_lap_ms, None, "{at}"),
                }
                assert!(near(s.lap_dist_pct, tm.lap_dist_pct, 1e-6), "{at}");
                assert_eq!(s.incidents, Some(tm.incidents), "{at}");
                if w.status != WorldStatus::Menu {
                    assert_eq!(s.off_track, tm.off_track && !tm.in_pit_lane, "{at}");
                    assert_eq!(s.in_pit_lane, tm.in_pit_lane, "{at}");
                    assert_eq!(s.in_pit_box, tm.in_pit_box, "{at}");
                }
                assert!(!s.reset);
                let kind = match w.session.kind {
                    SessionKind::Practice => "practice",
                    SessionKind::Qualify => "qualify",
                    SessionKind::Race => "race",
                    SessionKind::Hotlap => "testing",
                };
                assert_eq!(s.session.session_type, kind, "{at}");
                assert_eq!(s.session.track, w.session.track_name, "{at}");
                assert_eq!(s.session.car, w.session.car_name, "{at}");
                assert_eq!(s.session.driver, w.session.driver_name, "{at}");
                assert_eq!(s.sector_starts.len(), w.session.sector_starts.len(), "{at}");
                for (a, b) in s.sector_starts.iter().zip(&w.session.sector_starts) {
                    assert!((a - b).abs() <= 5e-7, "{at}: {a} vs {b}");
                }
                keys.insert(s.session.key.clone());
                indexes.insert(w.session.index);
                if world.finished() {
                    break;
                }
            }
            assert_eq!(
                keys.len(),
                indexes.len(),
                "{}: one key per world session",
                sc.name()
            );
        }
    }

    #[test]
    fn the_ident_is_shared_until_it_changes_and_survives_broken_yaml() {
        let mut f = IracingFake::new();
        let (mut p, _) = render(&mut f, &world());
        let mut t = source();
        let a = sample(t.as_mut(), &p);
        let b = sample(t.as_mut(), &p);
        assert!(Arc::ptr_eq(&a.session, &b.session));
        for broken in [
            &b"---\nWeekendInfo:\n\tTrackName: x\n\tTrackID: [1\n\n...\n"[..],
            b"---\nDriverInfo:\n DriverCarIdx: 0\n", // cut before WeekendInfo
            b"\xff\xfe\x00garbage",
        ] {
            p[2] = broken.to_vec();
            let c = sample(t.as_mut(), &p);
            assert_eq!(
                c.session, a.session,
                "broken YAML keeps the last good ident"
            );
            assert_eq!(&*c.sector_starts, &[0.0, 0.35, 0.7]);
        }
    }

    #[test]
    fn missing_vars_and_short_pages_never_panic() {
        let mut f = IracingFake::new();
        let (p, _) = render(&mut f, &world());
        let mut t = source();
        // A row cut short: every variable past the cut reads as missing.
        let mut cut = p.clone();
        cut[3].truncate(16);
        let refs: Vec<&[u8]> = cut.iter().map(Vec::as_slice).collect();
        let s = t.sample(0.0, &refs).unwrap().unwrap();
        assert_eq!(s.sim_time_s, Some(321.25));
        assert_eq!(
            (s.completed_laps, s.lap_dist_pct, s.incidents),
            (None, None, None)
        );
        // Empty pages: nothing to say.
        let empty: Vec<&[u8]> = vec![&[], &[], &[], &[]];
        assert_eq!(source().sample(0.0, &empty).unwrap(), None);
        // Too few pages, garbage var headers: errors.
        assert!(source().sample(0.0, &[&p[0]]).is_err());
        let junk = vec![0xffu8; p[1].len()];
        let refs: Vec<&[u8]> = vec![&p[0], &junk, &p[2], &p[3]];
        assert!(source().sample(0.0, &refs).is_err());
        // One variable only (SessionTime): the rest is None / false.
        let h = Header::parse(&p[0]).unwrap();
        let vars = parse_var_headers(&p[1], h.num_vars as usize, h.buf_len as usize).unwrap();
        let mut hp = h;
        hp.num_vars = 1;
        let hpage = hp.to_page();
        let refs: Vec<&[u8]> = vec![&hpage, &p[1][..144], b"", &p[3]];
        let s = source().sample(0.0, &refs).unwrap().unwrap();
        assert_eq!(vars[0].name, "SessionTime");
        assert_eq!(s.sim_time_s, Some(321.25));
        assert_eq!(s.state, SimState::Live);
        assert_eq!(
            (s.completed_laps, s.lap_dist_pct, s.incidents),
            (None, None, None)
        );
        assert_eq!(s.session.key, "-/-/-");
        assert!(!s.in_pit_lane && !s.off_track);
    }

    #[test]
    fn other_page_sets_have_no_timing() {
        assert!(timing(&[PageSpec::new("physics", 100)]).is_none());
    }

    /// The real `.ibt` (Red Bull Ring, offline testing, 390 rows in the pit stall on lap 9).
    #[test]
    fn the_ibt_fixture_samples_in_the_pit_stall_on_lap_nine() {
        let Some(fx) = ksana_testkit::fixture("iracing/ibt_2024_390rows.ibt") else {
            return;
        };
        let mut bytes: Vec<u8> = Vec::new();
        crate::iracing::ibt::import_hook(&fx, &crate::import::ImportOptions::default(), &mut bytes)
            .unwrap()
            .expect("an .ibt");
        let rec = ksana_format::Recording::from_bytes(bytes).unwrap();
        let mut t = timing(&rec.segments()[0].pages).expect("iRacing pages");
        let mut fr = rec.frames();
        let mut n = 0;
        let mut last_time = f64::MIN;
        while let Some(f) = fr.next_frame().unwrap() {
            let refs: Vec<&[u8]> = f.pages().iter().map(Vec::as_slice).collect();
            let s = t
                .sample(f.timestamp_ns() as f64 / 1e9, &refs)
                .unwrap()
                .unwrap();
            assert_eq!(s.state, SimState::Live);
            assert_eq!(s.session.track, "Red Bull Ring - Grand Prix");
            assert_eq!(s.session.session_type, "testing");
            assert_eq!(s.session.sim, "iracing");
            assert_eq!(s.session.key, "0/0/0", "SessionID/SubSessionID/SessionNum");
            assert_eq!(
                s.completed_laps,
                Some(8),
                "lap 9 under way, LapCompleted never moves"
            );
            assert!(
                s.in_pit_lane && s.in_pit_box,
                "in the stall (PlayerTrackSurface 1)"
            );
            assert!(!s.off_track && !s.reset);
            assert_eq!(s.last_lap_ms, None, "LapLastLapTime is -1");
            assert_eq!(s.incidents, Some(12));
            assert!(
                s.sector_count.is_some_and(|c| c >= 2),
                "{:?}",
                s.sector_starts
            );
            assert_eq!(s.sector_starts[0], 0.0);
            let st = s.sim_time_s.unwrap();
            assert!(st > last_time && (931.9..938.5).contains(&st), "{st}");
            last_time = st;
            let pct = s.lap_dist_pct.unwrap();
            assert!((0.055..0.056).contains(&pct), "{pct}");
            n += 1;
        }
        assert_eq!(n, 390);
    }
}
