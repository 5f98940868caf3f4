//! `ksana watch` for iRacing: the view of a frame of the iRacing page set
//! ([`super::layout`]): session, flags, what remains, the player's car and the running order
//! of [`super::race_state`].
//!
//! The var headers are parsed once per layout (the page never changes within a segment, but
//! a changed page is noticed and re-parsed), the YAML only when its page changes.

use ksana_format::PageSpec;

use super::flags::describe_flags;
use super::layout::{
    self, HEADER_LEN, Header, LAYOUT, PAGE_HEADER, PAGE_ROW, PAGE_SESSION_INFO, PAGE_VAR_HEADERS,
    page_index, parse_var_headers,
};
use super::race_state::{CarState, RaceState, RaceVars};
use super::session::{Limit, SessionInfoDoc};
use super::vars::{Var, VarIndex};
use crate::sim::{SimError, WatchTable, WatchView, Watcher};

/// A watcher for frames with `pages`, or `None` unless they are the iRacing page set of
/// [`layout::page_specs`] (names, order and layout name).
pub(crate) fn watcher(pages: &[PageSpec]) -> Option<Box<dyn Watcher>> {
    let names = [PAGE_HEADER, PAGE_VAR_HEADERS, PAGE_SESSION_INFO, PAGE_ROW];
    let ok = pages.len() == names.len()
        && pages
            .iter()
            .zip(names)
            .all(|(p, n)| p.name == n && p.layout == LAYOUT);
    ok.then(|| Box::new(IracingWatcher::default()) as Box<dyn Watcher>)
}

/// The player-car values shown besides the running order.
#[derive(Clone, Debug)]
struct PlayerVars {
    speed: Option<Var<f32>>,
    gear: Option<Var<i32>>,
    rpm: Option<Var<f32>>,
    replay: Option<Var<bool>>,
}

impl PlayerVars {
    fn new(index: &VarIndex) -> PlayerVars {
        PlayerVars {
            speed: index.get("Speed").ok(),
            gear: index.get("Gear").ok(),
            rpm: index.get("RPM").ok(),
            replay: index.get("IsReplayPlaying").ok(),
        }
    }
}

/// Parsed layout and session info, kept between frames.
#[derive(Default)]
struct IracingWatcher {
    var_page: Vec<u8>,
    vars: Option<(RaceVars, PlayerVars)>,
    yaml_page: Vec<u8>,
    doc: SessionInfoDoc,
}

fn layout_err(page: &str, e: impl std::fmt::Display) -> SimError {
    SimError::Layout {
        page: page.into(),
        detail: e.to_string(),
    }
}

impl Watcher for IracingWatcher {
    fn view(&mut self, pages: &[&[u8]]) -> Result<WatchView, SimError> {
        let page = |i: usize, name: &str| {
            pages
                .get(i)
                .copied()
                .ok_or_else(|| layout_err(name, "missing from the frame"))
        };
        let header_page = page(page_index::HEADER, PAGE_HEADER)?;
        let header = Header::parse(header_page).map_err(|e| layout_err(PAGE_HEADER, e))?;
        if header_page.len() < HEADER_LEN {
            return Err(layout_err(PAGE_HEADER, "too short"));
        }
        let var_page = page(page_index::VAR_HEADERS, PAGE_VAR_HEADERS)?;
        if self.vars.is_none() || self.var_page != var_page {
            let num_vars = usize::try_from(header.num_vars)
                .map_err(|_| layout_err(PAGE_HEADER, format!("numVars {}", header.num_vars)))?;
            let buf_len = usize::try_from(header.buf_len)
                .map_err(|_| layout_err(PAGE_HEADER, format!("bufLen {}", header.buf_len)))?;
            let vars = parse_var_headers(var_page, num_vars, buf_len)
                .map_err(|e| layout_err(PAGE_VAR_HEADERS, e))?;
            let index = VarIndex::new(&vars);
            self.vars = Some((RaceVars::new(&index), PlayerVars::new(&index)));
            self.var_page = var_page.to_vec();
        }
        let yaml_page = page(page_index::SESSION_INFO, PAGE_SESSION_INFO)?;
        if self.yaml_page != yaml_page || self.doc.raw.is_empty() {
            self.doc = SessionInfoDoc::parse(layout::yaml_text(yaml_page));
            self.yaml_page = yaml_page.to_vec();
        }
        let row = page(page_index::ROW, PAGE_ROW)?;
        let (race_vars, player_vars) = self.vars.as_ref().expect("parsed above");
        let st = RaceState::from_frame(race_vars, row, &self.doc);
        Ok(view_of(&st, player_vars, row, &self.doc))
    }
}

/// `m:ss.sss` for a lap time.
fn lap_time(t: Option<f32>) -> String {
    match t {
        Some(t) => {
            let ms = (f64::from(t) * 1000.0).round() as i64;
            format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
        }
        None => "-".into(),
    }
}

/// `h:mm:ss` for a duration in seconds.
fn clock(s: f64) -> String {
    let t = s.max(0.0).floor() as i64;
    format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

fn gap(g: Option<f64>) -> String {
    match g {
        Some(g) => format!("+{g:.3}"),
        None => "-".into(),
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".into(), |v| v.to_string())
}

fn car_label(st: &RaceState, doc: &SessionInfoDoc, idx: i32) -> String {
    let from_table = st.cars.iter().find(|c| c.car_idx == idx);
    let d = doc.driver_by_car(i64::from(idx));
    let number = from_table
        .and_then(|c| c.car_number.clone())
        .or_else(|| d.and_then(|d| d.car_number.clone()));
    let name = from_table
        .and_then(|c| c.driver.clone())
        .or_else(|| d.and_then(|d| d.user_name.clone()));
    match (number, name) {
        (Some(n), Some(m)) => format!("#{n} {m} (car {idx})"),
        (None, Some(m)) => format!("{m} (car {idx})"),
        (Some(n), None) => format!("#{n} (car {idx})"),
        (None, None) => format!("car {idx}"),
    }
}

fn row_of(c: &CarState, focused: Option<i32>) -> Vec<String> {
    vec![
        if Some(c.car_idx) == focused { ">" } else { "" }.into(),
        opt(c.position),
        opt(c.class_position),
        c.car_number.clone().unwrap_or_else(|| "-".into()),
        c.driver.clone().unwrap_or_else(|| "-".into()),
        c.class.clone().unwrap_or_else(|| "-".into()),
        opt(c.lap),
        c.lap_dist_pct
            .map_or_else(|| "-".into(), |p| format!("{:.1}%", f64::from(p) * 100.0)),
        if c.position == Some(1) {
            "leader".into()
        } else {
            gap(c.gap_to_leader)
        },
        gap(c.gap_to_ahead),
        lap_time(c.last_lap),
        lap_time(c.best_lap),
        match c.on_pit_road {
            Some(true) => "pit".into(),
            Some(false) => "".into(),
            None => "-".into(),
        },
        opt(c.track_surface.map(|s| s.name())),
    ]
}

/// The view of a race state: the title, the fields and the running order.
fn view_of(st: &RaceState, pv: &PlayerVars, row: &[u8], doc: &SessionInfoDoc) -> WatchView {
    let w = doc.weekend.as_ref();
    let track = w
        .and_then(|w| {
            w.track_display_name
                .clone()
                .or_else(|| w.track_name.clone())
        })
        .unwrap_or_else(|| "unknown track".into());
    let replay = pv.replay.and_then(|v| v.read(row)) == Some(true);
    let mut title = vec!["iRacing".to_string(), track];
    if let Some(t) = &st.session_type {
        title.push(t.clone());
    }
    if let Some(s) = st.session_state {
        title.push(s.name());
    }
    if replay {
        title.push("REPLAY".into());
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut f = |k: &str, v: String| fields.push((k.to_string(), v));
    if let Some(t) = st.session_time {
        f("Session time", format!("{} ({t:.3} s)", clock(t)));
    }
    if let Some(n) = st.session_num {
        f("Session", n.to_string());
    }
    if let Some(fl) = st.session_flags {
        f(
            "Flags",
            format!("{} (0x{:08x})", describe_flags(fl), fl.bits()),
        );
    }
    match st.laps_remaining {
        Some(Limit::Unlimited) => f("Laps remaining", "unlimited".into()),
        Some(Limit::Value(l)) => f("Laps remaining", l.to_string()),
        None => {}
    }
    match st.time_remaining {
        Some(Limit::Unlimited) => f("Time remaining", "unlimited".into()),
        Some(Limit::Value(t)) => f("Time remaining", clock(t)),
        None => {}
    }
    if let Some(c) = st.focused_car {
        f("Camera on", car_label(st, doc, c));
    }
    if let Some(c) = st.player_car {
        f("Player", car_label(st, doc, c));
    }
    if let Some(v) = pv.speed.and_then(|v| v.read(row)) {
        f("Speed", format!("{:.1} km/h", f64::from(v) * 3.6));
    }
    if let Some(g) = pv.gear.and_then(|v| v.read(row)) {
        f(
            "Gear",
            match g {
                -1 => "R".into(),
                0 => "N".into(),
                g => g.to_string(),
            },
        );
    }
    if let Some(r) = pv.rpm.and_then(|v| v.read(row)) {
        f("RPM", format!("{r:.0}"));
    }
    if !st.per_car_data {
        f(
            "Cars",
            "player only (no CarIdx* variables in this layout)".into(),
        );
    }
    let columns = [
        "", "Pos", "Cls", "#", "Driver", "Class", "Lap", "Lap%", "Gap", "Ahead", "Last", "Best",
        "Pit", "Where",
    ];
    WatchView {
        title: title.join(" · "),
        fields,
        table: Some(WatchTable {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: st.cars.iter().map(|c| row_of(c, st.focused_car)).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iracing::layout::page_specs;
    use crate::iracing::race_state::tests::fixture_frame;

    fn pages_of(name: &str, record: usize) -> Option<(Vec<PageSpec>, Vec<Vec<u8>>)> {
        let (h, vars, yaml, row) = fixture_frame(name, record)?;
        let specs = page_specs(&vars, h.buf_len as usize, yaml.len());
        let var_bytes: Vec<u8> = vars.iter().flat_map(|v| v.encode()).collect();
        Some((specs, vec![h.to_page().to_vec(), var_bytes, yaml, row]))
    }

    #[test]
    fn only_the_iracing_page_set_gets_a_watcher() {
        assert!(watcher(&[]).is_none());
        assert!(watcher(&[PageSpec::new("irsdk_header", 112)]).is_none());
        let specs = page_specs(&[], 8, 0);
        assert!(watcher(&specs).is_some());
        let mut wrong = specs.clone();
        wrong[3].layout = "acc".into();
        assert!(watcher(&wrong).is_none());
    }

    #[test]
    fn memdump_2021_view() {
        let Some((specs, pages)) = pages_of("memdump_2021.bin", 0) else {
            return;
        };
        let mut w = watcher(&specs).unwrap();
        let refs: Vec<&[u8]> = pages.iter().map(|p| p.as_slice()).collect();
        let v = w.view(&refs).unwrap();
        assert_eq!(v.title, "iRacing · Long Beach · Practice · Racing");
        let field = |k: &str| {
            v.fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(field("Flags"), Some("start_hidden (0x10000000)"));
        assert_eq!(field("Laps remaining"), Some("unlimited"));
        assert_eq!(field("Time remaining"), Some("1:19:18"));
        assert_eq!(field("Camera on"), Some("#22 Christopher Scott4 (car 63)"));
        assert_eq!(field("Speed"), Some("62.6 km/h"));
        let t = v.table.unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0][4], "Michael Simmons");
        assert_eq!(t.rows[0][8], "leader");
        assert_eq!(t.rows[1][8], "+0.613");
        assert_eq!(t.rows[1][11], "1:39.262");
        assert_eq!(t.rows[2][0], ">");
        assert_eq!(t.rows[2][12], "pit");
        // A second frame with the same pages reuses the parsed layout and YAML.
        assert_eq!(w.view(&refs).unwrap().title, v.title);
        // A frame without its row page is a typed error, not a panic.
        assert!(w.view(&refs[..3]).is_err());
        let short: Vec<&[u8]> = vec![refs[0], refs[1], refs[2], &refs[3][..20]];
        assert!(w.view(&short).is_ok());
    }

    #[test]
    fn hostile_pages_are_errors() {
        let specs = page_specs(&[], 8, 0);
        let mut w = watcher(&specs).unwrap();
        assert!(w.view(&[&[0u8; 10], &[], &[], &[]]).is_err());
        let mut h = [0u8; HEADER_LEN];
        h[24] = 5; // numVars 5 but no var headers
        h[36] = 8;
        assert!(w.view(&[&h, &[], &[], &[]]).is_err());
    }
}
