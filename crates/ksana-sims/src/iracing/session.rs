//! The session-info YAML (`../shared/reference/iracing.md` §5) as typed structs:
//! [`WeekendInfo`], [`SessionInfo`], [`DriverInfo`], [`SplitTimeInfo`], [`CameraInfo`].
//!
//! iRacing's YAML is not quite YAML, so parsing goes in three steps, each tolerant:
//!
//! 1. **Text.** The bytes up to the first NUL, as UTF-8 when they are valid UTF-8 (iRacing
//!    with `irsdkUTF8SessionStr=1`), otherwise as Windows-1252 (iRacing's default).
//! 2. **Quoting pre-pass** (like pyirsdk's, but for every value rather than a list of keys):
//!    iRacing writes values unquoted, so a team or driver name such as `Team: Fast`, `@home`,
//!    `*Star*`, `#1 Racing` or `Joe's` would break a YAML parser. Every `Key: value` and
//!    `- value` line has its value single-quoted (values already written as `"…"`, like
//!    `CarNumber`, are kept), and control characters are dropped. All scalars are therefore
//!    strings; the typed structs parse numbers from them.
//! 3. **Sections one by one.** Each top-level section (`WeekendInfo:`, `SessionInfo:`, …) is
//!    parsed on its own, so a broken section leaves the others usable; what failed is listed
//!    in [`SessionInfoDoc::errors`]. Every field is an `Option` (or an empty `Vec`): a missing
//!    field or section is `None`, never a failure.
//!
//! Values with units (`3.14 km`, `25.00 C`, `7200.0000 sec`) are kept as the text iRacing
//! wrote; [`number_with_unit`] splits them, and [`Limit`] reads `unlimited` laps and times.

use serde_norway::Value;

/// One part of the session info that could not be parsed (the rest still was).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("session info section {section} (line {line}): {detail}")]
pub struct SessionError {
    /// The top-level section, e.g. `DriverInfo`.
    pub section: String,
    /// 1-based line of the section's start in the text.
    pub line: usize,
    /// The YAML parser's message.
    pub detail: String,
}

/// A count or duration that iRacing may call unlimited (`SessionLaps: unlimited`,
/// `SessionTime: unlimited`, `IncidentLimit: unlimited`).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Limit<T> {
    /// No limit.
    Unlimited,
    /// This many (laps, seconds, incidents).
    Value(T),
}

impl Limit<i64> {
    /// Reads `unlimited` (any case) or an integer.
    pub fn parse_count(s: &str) -> Option<Limit<i64>> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("unlimited") {
            return Some(Limit::Unlimited);
        }
        s.parse().ok().map(Limit::Value)
    }
}

impl Limit<f64> {
    /// Reads `unlimited` (any case) or a number with an optional unit (`7200.0000 sec`).
    pub fn parse_seconds(s: &str) -> Option<Limit<f64>> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("unlimited") {
            return Some(Limit::Unlimited);
        }
        number_with_unit(s).map(|(n, _)| Limit::Value(n))
    }
}

/// Splits a value such as `3.14 km`, `-118.187240 m`, `46 %` or `0.750` into its number and
/// unit (empty when there is none). `None` when it does not start with a number.
pub fn number_with_unit(s: &str) -> Option<(f64, &str)> {
    let s = s.trim();
    let (num, unit) = match s.find(' ') {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    num.parse::<f64>().ok().map(|n| (n, unit))
}

/// The session info, parsed: the typed sections plus the text and the generic YAML tree for
/// anything the structs do not name (`CarSetup`, `RadioInfo`, …).
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SessionInfoDoc {
    /// The decoded text, exactly as iRacing wrote it (before the quoting pre-pass).
    pub raw: String,
    /// `WeekendInfo`, when present and parseable.
    pub weekend: Option<WeekendInfo>,
    /// `SessionInfo`.
    pub session: Option<SessionInfo>,
    /// `DriverInfo`.
    pub driver: Option<DriverInfo>,
    /// `SplitTimeInfo`.
    pub split_time: Option<SplitTimeInfo>,
    /// `CameraInfo`.
    pub camera: Option<CameraInfo>,
    /// Sections that could not be parsed.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub errors: Vec<SessionError>,
    /// Every parsed top-level section by name (scalars as strings).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub sections: Vec<(String, Value)>,
}

impl SessionInfoDoc {
    /// Parses the YAML bytes of the live region (up to the first NUL) or of an `.ibt`. Never
    /// fails as a whole: unparseable sections are listed in [`SessionInfoDoc::errors`].
    pub fn parse(bytes: &[u8]) -> SessionInfoDoc {
        let raw = decode_text(bytes);
        let mut doc = SessionInfoDoc {
            raw,
            ..SessionInfoDoc::default()
        };
        for (name, line, text) in split_sections(&doc.raw) {
            match serde_norway::from_str::<Value>(&sanitise(&text)) {
                Ok(v) => {
                    let inner = v.get(name.as_str()).cloned().unwrap_or(Value::Null);
                    doc.sections.push((name, inner));
                }
                Err(e) => doc.errors.push(SessionError {
                    section: name,
                    line,
                    detail: e.to_string(),
                }),
            }
        }
        doc.weekend = doc.section("WeekendInfo").map(WeekendInfo::from_value);
        doc.session = doc.section("SessionInfo").map(SessionInfo::from_value);
        doc.driver = doc.section("DriverInfo").map(DriverInfo::from_value);
        doc.split_time = doc.section("SplitTimeInfo").map(SplitTimeInfo::from_value);
        doc.camera = doc.section("CameraInfo").map(CameraInfo::from_value);
        doc
    }

    /// A top-level section's YAML tree.
    pub fn section(&self, name: &str) -> Option<&Value> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// A value by path: section, keys and list indices separated by dots, e.g.
    /// `DriverInfo.Drivers.0.UserName` or `CarSetup.TiresAero.TireCompound.TireCompound`.
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut v = self.section(parts.next()?)?;
        for p in parts {
            v = match p.parse::<usize>() {
                Ok(i) if v.is_sequence() => v.get(i)?,
                _ => v.get(p)?,
            };
        }
        Some(v)
    }

    /// [`SessionInfoDoc::get`] as text (every scalar is text after the pre-pass).
    pub fn get_str(&self, path: &str) -> Option<&str> {
        self.get(path)?.as_str()
    }

    /// The driver in car `car_idx`.
    pub fn driver_by_car(&self, car_idx: i64) -> Option<&Driver> {
        self.driver
            .as_ref()?
            .drivers
            .iter()
            .find(|d| d.car_idx == Some(car_idx))
    }

    /// The session numbered `num` (the `SessionNum` variable).
    pub fn session_by_num(&self, num: i64) -> Option<&Session> {
        self.session
            .as_ref()?
            .sessions
            .iter()
            .find(|s| s.session_num == Some(num))
    }
}

/// The text of the YAML bytes: up to the first NUL, UTF-8 when valid, else Windows-1252.
pub fn decode_text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let b = &bytes[..end];
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(b)
            .0
            .into_owned(),
    }
}

/// Cuts the text into top-level sections: (name, 1-based first line, text). A section starts
/// at a line `Name:` in column 0 and runs to the next one; `---` and `...` are dropped.
fn split_sections(text: &str) -> Vec<(String, usize, String)> {
    let mut out: Vec<(String, usize, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim_end_matches('\r');
        if l == "---" || l == "..." {
            continue;
        }
        let top = !l.starts_with([' ', '\t', '-'])
            && l.ends_with(':')
            && l[..l.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if top && l.len() > 1 {
            out.push((l[..l.len() - 1].to_string(), n + 1, format!("{l}\n")));
        } else if let Some(last) = out.last_mut() {
            last.2.push_str(l);
            last.2.push('\n');
        }
    }
    out
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The quoting pre-pass (see the module docs): every scalar value single-quoted.
pub fn sanitise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let indent = line.len() - line.trim_start_matches(' ').len();
        let mut rest = &line[indent..];
        out.push_str(&line[..indent]);
        let mut item = false;
        if let Some(r) = rest.strip_prefix("- ") {
            out.push_str("- ");
            rest = r;
            item = true;
        } else if rest == "-" {
            out.push_str("-\n");
            continue;
        }
        let key_len = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
        let after = &rest[key_len..];
        if key_len > 0 && (after == ":" || after.starts_with(": ")) {
            out.push_str(&rest[..key_len]);
            out.push(':');
            let value = after[1..].trim();
            if !value.is_empty() {
                out.push(' ');
                push_quoted(&mut out, value);
            }
        } else if item && !rest.trim().is_empty() {
            // A bare list item: `- value`.
            push_quoted(&mut out, rest.trim());
        } else {
            out.push_str(rest);
        }
        out.push('\n');
    }
    out
}

/// Appends `v` as a YAML scalar that reads back as exactly `v` (without control characters):
/// kept when it is already a complete double-quoted scalar, single-quoted otherwise.
fn push_quoted(out: &mut String, v: &str) {
    let clean: String = v.chars().filter(|c| !c.is_control()).collect();
    let dq = clean.len() >= 2
        && clean.starts_with('"')
        && clean.ends_with('"')
        && !clean[1..clean.len() - 1].contains(['"', '\\']);
    if dq {
        out.push_str(&clean);
    } else {
        out.push('\'');
        out.push_str(&clean.replace('\'', "''"));
        out.push('\'');
    }
}

// Lenient field getters over the (all-string) YAML tree.

fn s(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn i(v: &Value, k: &str) -> Option<i64> {
    let t = s(v, k)?;
    let t = t.trim();
    t.parse::<i64>().ok().or_else(|| {
        // Some integers carry a unit or a decimal point (`1.000`): take the number part.
        number_with_unit(t)
            .map(|(n, _)| n)
            .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
            .map(|n| n as i64)
    })
}

fn f(v: &Value, k: &str) -> Option<f64> {
    number_with_unit(&s(v, k)?).map(|(n, _)| n)
}

fn b(v: &Value, k: &str) -> Option<bool> {
    let t = s(v, k)?;
    match t.trim() {
        "1" | "true" | "True" => Some(true),
        "0" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn list<T>(v: &Value, k: &str, each: impl Fn(&Value) -> T) -> Vec<T> {
    v.get(k)
        .and_then(Value::as_sequence)
        .map(|items| items.iter().map(each).collect())
        .unwrap_or_default()
}

/// `WeekendInfo`: the track, the series and the weekend's options.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WeekendInfo {
    /// Internal track name, e.g. `monza full`.
    pub track_name: Option<String>,
    /// Track id.
    pub track_id: Option<i64>,
    /// Length as written, e.g. `5.79 km`.
    pub track_length: Option<String>,
    /// Display name, e.g. `Autodromo Nazionale Monza`.
    pub track_display_name: Option<String>,
    /// Short display name.
    pub track_display_short_name: Option<String>,
    /// Configuration, e.g. `Grand Prix` (often empty).
    pub track_config_name: Option<String>,
    /// City.
    pub track_city: Option<String>,
    /// Country.
    pub track_country: Option<String>,
    /// E.g. `road course`.
    pub track_type: Option<String>,
    /// Surface temperature as written, e.g. `40.20 C`.
    pub track_surface_temp: Option<String>,
    /// Air temperature as written.
    pub track_air_temp: Option<String>,
    /// Sky, e.g. `Partly Cloudy`.
    pub track_skies: Option<String>,
    /// Series id.
    pub series_id: Option<i64>,
    /// Season id.
    pub season_id: Option<i64>,
    /// Session id.
    pub session_id: Option<i64>,
    /// Subsession id.
    pub sub_session_id: Option<i64>,
    /// League id (0 when none).
    pub league_id: Option<i64>,
    /// Official session.
    pub official: Option<bool>,
    /// Week of the season.
    pub race_week: Option<i64>,
    /// E.g. `Practice`, `Race`, `Test`.
    pub event_type: Option<String>,
    /// E.g. `Road`, `Oval`.
    pub category: Option<String>,
    /// E.g. `full`, `replay`.
    pub sim_mode: Option<String>,
    /// Team racing.
    pub team_racing: Option<bool>,
    /// Number of car classes.
    pub num_car_classes: Option<i64>,
    /// Sim build, e.g. `2024.05.28.01`.
    pub build_version: Option<String>,
    /// `WeekendOptions.NumStarters`.
    pub num_starters: Option<i64>,
    /// `WeekendOptions.IncidentLimit` (`unlimited` or a number).
    pub incident_limit: Option<String>,
    /// `WeekendOptions.Date`.
    pub date: Option<String>,
    /// `WeekendOptions.TimeOfDay`, e.g. `2:05 pm`.
    pub time_of_day: Option<String>,
}

impl WeekendInfo {
    fn from_value(v: &Value) -> WeekendInfo {
        let o = v.get("WeekendOptions").cloned().unwrap_or(Value::Null);
        WeekendInfo {
            track_name: s(v, "TrackName"),
            track_id: i(v, "TrackID"),
            track_length: s(v, "TrackLength"),
            track_display_name: s(v, "TrackDisplayName"),
            track_display_short_name: s(v, "TrackDisplayShortName"),
            track_config_name: s(v, "TrackConfigName"),
            track_city: s(v, "TrackCity"),
            track_country: s(v, "TrackCountry"),
            track_type: s(v, "TrackType"),
            track_surface_temp: s(v, "TrackSurfaceTemp"),
            track_air_temp: s(v, "TrackAirTemp"),
            track_skies: s(v, "TrackSkies"),
            series_id: i(v, "SeriesID"),
            season_id: i(v, "SeasonID"),
            session_id: i(v, "SessionID"),
            sub_session_id: i(v, "SubSessionID"),
            league_id: i(v, "LeagueID"),
            official: b(v, "Official"),
            race_week: i(v, "RaceWeek"),
            event_type: s(v, "EventType"),
            category: s(v, "Category"),
            sim_mode: s(v, "SimMode"),
            team_racing: b(v, "TeamRacing"),
            num_car_classes: i(v, "NumCarClasses"),
            build_version: s(v, "BuildVersion"),
            num_starters: i(&o, "NumStarters"),
            incident_limit: s(&o, "IncidentLimit"),
            date: s(&o, "Date"),
            time_of_day: s(&o, "TimeOfDay"),
        }
    }

    /// The track length in km, from `TrackLength` (`5.79 km`).
    pub fn track_length_km(&self) -> Option<f64> {
        let (n, unit) = number_with_unit(self.track_length.as_deref()?)?;
        match unit {
            "km" | "" => Some(n),
            "mi" => Some(n * 1.609_344),
            _ => None,
        }
    }
}

/// `SessionInfo`: the sessions of the weekend with their results.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SessionInfo {
    /// `Sessions`, in order.
    pub sessions: Vec<Session>,
}

impl SessionInfo {
    fn from_value(v: &Value) -> SessionInfo {
        SessionInfo {
            sessions: list(v, "Sessions", Session::from_value),
        }
    }
}

/// One entry of `SessionInfo.Sessions`.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Session {
    /// `SessionNum` (matches the `SessionNum` variable).
    pub session_num: Option<i64>,
    /// Laps as written: a number or `unlimited`; see [`Session::laps`].
    pub session_laps: Option<String>,
    /// Time as written, e.g. `7200.0000 sec` or `unlimited`; see [`Session::time`].
    pub session_time: Option<String>,
    /// E.g. `Practice`, `Lone Qualify`, `Race`, `Offline Testing`.
    pub session_type: Option<String>,
    /// E.g. `PRACTICE`.
    pub session_name: Option<String>,
    /// Sub-type (often empty).
    pub session_sub_type: Option<String>,
    /// Skipped session.
    pub session_skipped: Option<bool>,
    /// E.g. `moderately high usage`.
    pub session_track_rubber_state: Option<String>,
    /// `ResultsPositions` (empty until someone sets a time; absent in some sessions).
    pub results_positions: Vec<ResultPosition>,
    /// `ResultsLapsComplete`.
    pub results_laps_complete: Option<i64>,
    /// `ResultsOfficial`.
    pub results_official: Option<bool>,
}

impl Session {
    fn from_value(v: &Value) -> Session {
        Session {
            session_num: i(v, "SessionNum"),
            session_laps: s(v, "SessionLaps"),
            session_time: s(v, "SessionTime"),
            session_type: s(v, "SessionType"),
            session_name: s(v, "SessionName"),
            session_sub_type: s(v, "SessionSubType"),
            session_skipped: b(v, "SessionSkipped"),
            session_track_rubber_state: s(v, "SessionTrackRubberState"),
            results_positions: list(v, "ResultsPositions", ResultPosition::from_value),
            results_laps_complete: i(v, "ResultsLapsComplete"),
            results_official: b(v, "ResultsOfficial"),
        }
    }

    /// The session's laps: a count or [`Limit::Unlimited`].
    pub fn laps(&self) -> Option<Limit<i64>> {
        Limit::parse_count(self.session_laps.as_deref()?)
    }

    /// The session's length in seconds or [`Limit::Unlimited`].
    pub fn time(&self) -> Option<Limit<f64>> {
        Limit::parse_seconds(self.session_time.as_deref()?)
    }
}

/// One entry of `ResultsPositions`: a car's standing in a session.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ResultPosition {
    /// Overall position, from 1.
    pub position: Option<i64>,
    /// Position in class, from 0 as iRacing writes it.
    pub class_position: Option<i64>,
    /// The car.
    pub car_idx: Option<i64>,
    /// Current lap.
    pub lap: Option<i64>,
    /// Time, s.
    pub time: Option<f64>,
    /// Lap of the fastest lap.
    pub fastest_lap: Option<i64>,
    /// Fastest lap time, s (−1 when none).
    pub fastest_time: Option<f64>,
    /// Last lap time, s (−1 when none).
    pub last_time: Option<f64>,
    /// Laps led.
    pub laps_led: Option<i64>,
    /// Laps complete.
    pub laps_complete: Option<i64>,
    /// Laps driven.
    pub laps_driven: Option<f64>,
    /// Incidents.
    pub incidents: Option<i64>,
    /// Why out (0 running).
    pub reason_out_id: Option<i64>,
    /// E.g. `Running`.
    pub reason_out_str: Option<String>,
}

impl ResultPosition {
    fn from_value(v: &Value) -> ResultPosition {
        ResultPosition {
            position: i(v, "Position"),
            class_position: i(v, "ClassPosition"),
            car_idx: i(v, "CarIdx"),
            lap: i(v, "Lap"),
            time: f(v, "Time"),
            fastest_lap: i(v, "FastestLap"),
            fastest_time: f(v, "FastestTime"),
            last_time: f(v, "LastTime"),
            laps_led: i(v, "LapsLed"),
            laps_complete: i(v, "LapsComplete"),
            laps_driven: f(v, "LapsDriven"),
            incidents: i(v, "Incidents"),
            reason_out_id: i(v, "ReasonOutId"),
            reason_out_str: s(v, "ReasonOutStr"),
        }
    }
}

/// `DriverInfo`: the player's car and every driver in the session.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DriverInfo {
    /// The player's car index.
    pub driver_car_idx: Option<i64>,
    /// The player's user id.
    pub driver_user_id: Option<i64>,
    /// The pace car's index (−1 when none).
    pub pace_car_idx: Option<i64>,
    /// Idle RPM of the player's car.
    pub driver_car_idle_rpm: Option<f64>,
    /// Red line RPM.
    pub driver_car_red_line: Option<f64>,
    /// Fuel tank capacity, litres.
    pub driver_car_fuel_max_ltr: Option<f64>,
    /// Shift-light shift RPM.
    pub driver_car_sl_shift_rpm: Option<f64>,
    /// Estimated lap time, s.
    pub driver_car_est_lap_time: Option<f64>,
    /// Setup file name.
    pub driver_setup_name: Option<String>,
    /// The player's incident count.
    pub driver_incident_count: Option<i64>,
    /// `Drivers`.
    pub drivers: Vec<Driver>,
}

impl DriverInfo {
    fn from_value(v: &Value) -> DriverInfo {
        DriverInfo {
            driver_car_idx: i(v, "DriverCarIdx"),
            driver_user_id: i(v, "DriverUserID"),
            pace_car_idx: i(v, "PaceCarIdx"),
            driver_car_idle_rpm: f(v, "DriverCarIdleRPM"),
            driver_car_red_line: f(v, "DriverCarRedLine"),
            driver_car_fuel_max_ltr: f(v, "DriverCarFuelMaxLtr"),
            driver_car_sl_shift_rpm: f(v, "DriverCarSLShiftRPM"),
            driver_car_est_lap_time: f(v, "DriverCarEstLapTime"),
            driver_setup_name: s(v, "DriverSetupName"),
            driver_incident_count: i(v, "DriverIncidentCount"),
            drivers: list(v, "Drivers", Driver::from_value),
        }
    }
}

/// One entry of `DriverInfo.Drivers`.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Driver {
    /// Car index (the index into the `CarIdx*` arrays).
    pub car_idx: Option<i64>,
    /// Driver name.
    pub user_name: Option<String>,
    /// E.g. `Simmons, M`.
    pub abbrev_name: Option<String>,
    /// Initials.
    pub initials: Option<String>,
    /// User id.
    pub user_id: Option<i64>,
    /// Team id.
    pub team_id: Option<i64>,
    /// Team name.
    pub team_name: Option<String>,
    /// Car number as shown, e.g. `822` or `007` (text: leading zeros matter).
    pub car_number: Option<String>,
    /// Car number as an integer.
    pub car_number_raw: Option<i64>,
    /// Car folder, e.g. `rt2000`.
    pub car_path: Option<String>,
    /// Car class id.
    pub car_class_id: Option<i64>,
    /// Car id.
    pub car_id: Option<i64>,
    /// The pace car.
    pub car_is_pace_car: Option<bool>,
    /// An AI driver.
    pub car_is_ai: Option<bool>,
    /// Car name.
    pub car_screen_name: Option<String>,
    /// Short car name.
    pub car_screen_name_short: Option<String>,
    /// Class short name (may be empty in single-class sessions).
    pub car_class_short_name: Option<String>,
    /// Class relative speed.
    pub car_class_rel_speed: Option<i64>,
    /// Class colour as written, e.g. `0xffffff`.
    pub car_class_color: Option<String>,
    /// Class estimated lap time, s.
    pub car_class_est_lap_time: Option<f64>,
    /// iRating.
    pub i_rating: Option<i64>,
    /// Licence, e.g. `D 2.88`.
    pub lic_string: Option<String>,
    /// A spectator, not a driver.
    pub is_spectator: Option<bool>,
    /// Club.
    pub club_name: Option<String>,
    /// Division.
    pub division_name: Option<String>,
    /// Incidents of this driver (−1 when hidden).
    pub cur_driver_incident_count: Option<i64>,
    /// Incidents of the team (−1 when hidden).
    pub team_incident_count: Option<i64>,
}

impl Driver {
    fn from_value(v: &Value) -> Driver {
        Driver {
            car_idx: i(v, "CarIdx"),
            user_name: s(v, "UserName"),
            abbrev_name: s(v, "AbbrevName"),
            initials: s(v, "Initials"),
            user_id: i(v, "UserID"),
            team_id: i(v, "TeamID"),
            team_name: s(v, "TeamName"),
            car_number: s(v, "CarNumber"),
            car_number_raw: i(v, "CarNumberRaw"),
            car_path: s(v, "CarPath"),
            car_class_id: i(v, "CarClassID"),
            car_id: i(v, "CarID"),
            car_is_pace_car: b(v, "CarIsPaceCar"),
            car_is_ai: b(v, "CarIsAI"),
            car_screen_name: s(v, "CarScreenName"),
            car_screen_name_short: s(v, "CarScreenNameShort"),
            car_class_short_name: s(v, "CarClassShortName"),
            car_class_rel_speed: i(v, "CarClassRelSpeed"),
            car_class_color: s(v, "CarClassColor"),
            car_class_est_lap_time: f(v, "CarClassEstLapTime"),
            i_rating: i(v, "IRating"),
            lic_string: s(v, "LicString"),
            is_spectator: b(v, "IsSpectator"),
            club_name: s(v, "ClubName"),
            division_name: s(v, "DivisionName"),
            cur_driver_incident_count: i(v, "CurDriverIncidentCount"),
            team_incident_count: i(v, "TeamIncidentCount"),
        }
    }
}

/// `SplitTimeInfo`: the track's sectors.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SplitTimeInfo {
    /// `Sectors`, in order.
    pub sectors: Vec<Sector>,
}

impl SplitTimeInfo {
    fn from_value(v: &Value) -> SplitTimeInfo {
        SplitTimeInfo {
            sectors: list(v, "Sectors", |e| Sector {
                sector_num: i(e, "SectorNum"),
                sector_start_pct: f(e, "SectorStartPct"),
            }),
        }
    }
}

/// One sector.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sector {
    /// Sector number, from 0.
    pub sector_num: Option<i64>,
    /// Where it starts, as a fraction of the lap.
    pub sector_start_pct: Option<f64>,
}

/// `CameraInfo`: the camera groups a broadcast command can switch to.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CameraInfo {
    /// `Groups`, in order.
    pub groups: Vec<CameraGroup>,
}

impl CameraInfo {
    fn from_value(v: &Value) -> CameraInfo {
        CameraInfo {
            groups: list(v, "Groups", |g| CameraGroup {
                group_num: i(g, "GroupNum"),
                group_name: s(g, "GroupName"),
                is_scenic: b(g, "IsScenic").unwrap_or(false),
                cameras: list(g, "Cameras", |c| Camera {
                    camera_num: i(c, "CameraNum"),
                    camera_name: s(c, "CameraName"),
                }),
            }),
        }
    }
}

/// One camera group.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CameraGroup {
    /// Group number (the `CamGroupNumber` variable).
    pub group_num: Option<i64>,
    /// E.g. `Nose`, `TV1`.
    pub group_name: Option<String>,
    /// `IsScenic: true` (absent otherwise).
    pub is_scenic: bool,
    /// The group's cameras.
    pub cameras: Vec<Camera>,
}

/// One camera of a group.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Camera {
    /// Camera number within the group.
    pub camera_num: Option<i64>,
    /// E.g. `CamNose`.
    pub camera_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-written YAML with iRacing's quirks: unquoted names with `: `, leading `@ * & ! %
    /// # ' [ { |`, an apostrophe, a quoted car number, `unlimited`, values with units, an empty
    /// value, a Windows-1252 byte (0xE9 = é, 0x80 = €), a missing section and a broken one.
    const QUIRKY: &[u8] = b"---\nWeekendInfo:\n TrackName: spa up\n TrackLength: 6.93 km\n TrackSurfaceTemp: 25.00 C\n TrackConfigName: \n TrackDisplayName: Circuit de Spa: Francorchamps\n TrackCity: Stavelot \xe9\x80\n WeekendOptions:\n  IncidentLimit: UNLIMITED\n\nSessionInfo:\n Sessions:\n - SessionNum: 0\n   SessionLaps: UNLIMITED\n   SessionTime: unlimited\n   SessionType: Race\n   ResultsPositions:\n - SessionNum: 1\n   SessionLaps: 25\n   SessionTime: 3600.0000 sec\n\nDriverInfo:\n DriverCarIdx: 1\n Drivers:\n - CarIdx: 0\n   UserName: @home racer\n   TeamName: Team: Fast & Furious\n   CarNumber: \"007\"\n   CarIsPaceCar: 1\n - CarIdx: 1\n   UserName: *Star* O'Neil\n   TeamName: #1 Racing\n   AbbrevName: !bang\n   Initials: %p\n   ClubName: [club]\n   DivisionName: {div}\n   CarScreenName: | pipe\n   CarNumber: 12\n   CarIsPaceCar: 0\n - CarIdx: 2\n   UserName: 'Quote start\n   TeamName: \"half\" quoted\n\nSplitTimeInfo:\n Sectors:\n - SectorNum: 0\n   SectorStartPct: 0.000000\n - SectorNum: 1\n   SectorStartPct: 0.5\n\n...\n";

    #[test]
    fn quirky_yaml_parses_field_by_field() {
        let doc = SessionInfoDoc::parse(QUIRKY);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let w = doc.weekend.as_ref().unwrap();
        assert_eq!(w.track_name.as_deref(), Some("spa up"));
        assert_eq!(
            w.track_display_name.as_deref(),
            Some("Circuit de Spa: Francorchamps")
        );
        assert_eq!(w.track_city.as_deref(), Some("Stavelot é€"));
        assert_eq!(w.track_config_name, None);
        assert_eq!(w.track_length_km(), Some(6.93));
        assert_eq!(number_with_unit("25.00 C"), Some((25.0, "C")));
        assert_eq!(w.track_surface_temp.as_deref(), Some("25.00 C"));
        assert_eq!(w.incident_limit.as_deref(), Some("UNLIMITED"));
        let ss = &doc.session.as_ref().unwrap().sessions;
        assert_eq!(ss.len(), 2);
        assert_eq!(ss[0].laps(), Some(Limit::Unlimited));
        assert_eq!(ss[0].time(), Some(Limit::Unlimited));
        assert!(ss[0].results_positions.is_empty());
        assert_eq!(ss[1].laps(), Some(Limit::Value(25)));
        assert_eq!(ss[1].time(), Some(Limit::Value(3600.0)));
        let d = &doc.driver.as_ref().unwrap().drivers;
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].user_name.as_deref(), Some("@home racer"));
        assert_eq!(d[0].team_name.as_deref(), Some("Team: Fast & Furious"));
        assert_eq!(d[0].car_number.as_deref(), Some("007"));
        assert_eq!(d[0].car_is_pace_car, Some(true));
        assert_eq!(d[1].user_name.as_deref(), Some("*Star* O'Neil"));
        assert_eq!(d[1].team_name.as_deref(), Some("#1 Racing"));
        assert_eq!(d[1].abbrev_name.as_deref(), Some("!bang"));
        assert_eq!(d[1].initials.as_deref(), Some("%p"));
        assert_eq!(d[1].club_name.as_deref(), Some("[club]"));
        assert_eq!(d[1].division_name.as_deref(), Some("{div}"));
        assert_eq!(d[1].car_screen_name.as_deref(), Some("| pipe"));
        assert_eq!(d[1].car_number.as_deref(), Some("12"));
        assert_eq!(d[2].user_name.as_deref(), Some("'Quote start"));
        assert_eq!(d[2].team_name.as_deref(), Some("\"half\" quoted"));
        assert_eq!(
            doc.driver_by_car(1).unwrap().initials.as_deref(),
            Some("%p")
        );
        let sec = &doc.split_time.as_ref().unwrap().sectors;
        assert_eq!(sec[1].sector_start_pct, Some(0.5));
        assert!(doc.camera.is_none());
        assert_eq!(
            doc.get_str("DriverInfo.Drivers.1.TeamName"),
            Some("#1 Racing")
        );
        assert!(
            doc.raw
                .starts_with("---\nWeekendInfo:\n TrackName: spa up\n")
        );
    }

    #[test]
    fn a_broken_section_leaves_the_others() {
        // A tab-indented mapping line inside DriverInfo is not YAML even after quoting.
        let y = b"WeekendInfo:\n TrackName: x\n\nDriverInfo:\n Drivers:\n - CarIdx: 0\n\t  bad: [\n\nCameraInfo:\n Groups:\n - GroupNum: 1\n   GroupName: Nose\n";
        let doc = SessionInfoDoc::parse(y);
        assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
        assert_eq!(doc.errors[0].section, "DriverInfo");
        assert_eq!(doc.errors[0].line, 4);
        assert!(doc.driver.is_none());
        assert_eq!(doc.weekend.unwrap().track_name.as_deref(), Some("x"));
        assert_eq!(
            doc.camera.unwrap().groups[0].group_name.as_deref(),
            Some("Nose")
        );
    }

    #[test]
    fn empty_and_garbage_input_give_empty_docs() {
        let doc = SessionInfoDoc::parse(b"");
        assert!(doc.weekend.is_none() && doc.errors.is_empty());
        let doc = SessionInfoDoc::parse(&[0xff, 0xfe, 0x00, 0x41]);
        assert!(doc.weekend.is_none());
        assert_eq!(doc.raw, "\u{ff}\u{fe}");
    }

    proptest::proptest! {
        /// Any value iRacing could write after `Key: ` (printable text, any punctuation) reads
        /// back as itself, trimmed: the quoting pre-pass leaves nothing for YAML to interpret.
        /// Quotes are made likely, to hit the double-quoted case.
        #[test]
        fn any_printable_value_reads_back(v in "(\"|[ -~\u{a0}-\u{17f}]){0,40}") {
            let y = format!("DriverInfo:\n Drivers:\n - CarIdx: 0\n   UserName: {v}\n");
            let doc = SessionInfoDoc::parse(y.as_bytes());
            proptest::prop_assert!(doc.errors.is_empty(), "{:?}", doc.errors);
            let mut want = v.trim();
            // A complete double-quoted scalar (iRacing's `CarNumber: "822"`) is YAML's.
            if want.len() >= 2 && want.starts_with('"') && want.ends_with('"')
                && !want[1..want.len() - 1].contains(['"', '\\'])
            {
                want = &want[1..want.len() - 1];
            }
            let got = doc.driver.unwrap().drivers[0].user_name.clone();
            if v.trim().is_empty() {
                proptest::prop_assert_eq!(got, None);
            } else {
                proptest::prop_assert_eq!(got.as_deref(), Some(want));
            }
        }

        /// Arbitrary bytes never panic the parser.
        #[test]
        fn arbitrary_bytes_do_not_panic(b in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = SessionInfoDoc::parse(&b);
        }
    }

    /// The YAML of a real file: live dumps at offset 112 up to the first NUL, an `.ibt` at
    /// `sessionInfoOffset` for `sessionInfoLen` bytes.
    fn fixture_yaml(name: &str) -> Option<Vec<u8>> {
        use crate::iracing::layout::{Header, yaml_text};
        let path = ksana_testkit::fixture(&format!("iracing/{name}"))?;
        let bytes = std::fs::read(path).unwrap();
        let h = Header::parse(&bytes).unwrap();
        h.validate(bytes.len()).unwrap();
        let at = h.session_info_offset as usize;
        let region = &bytes[at..at + h.session_info_len as usize];
        Some(yaml_text(region).to_vec())
    }

    #[test]
    fn memdump_2024_session_info() {
        let Some(y) = fixture_yaml("memdump_2024.bin") else {
            return;
        };
        assert_eq!(y.len(), 15_146);
        let doc = SessionInfoDoc::parse(&y);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let w = doc.weekend.as_ref().unwrap();
        assert_eq!(w.track_name.as_deref(), Some("monza full"));
        assert_eq!(
            w.track_display_name.as_deref(),
            Some("Autodromo Nazionale Monza")
        );
        let s = &doc.session.as_ref().unwrap().sessions;
        assert_eq!(s[0].session_type.as_deref(), Some("Offline Testing"));
        let d = &doc.driver.as_ref().unwrap().drivers;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].car_is_pace_car, Some(false));
        assert!(!doc.camera.as_ref().unwrap().groups.is_empty());
        assert!(!doc.split_time.as_ref().unwrap().sectors.is_empty());
    }

    #[test]
    #[allow(clippy::approx_constant)] // Long Beach is 3.14 km long; not π
    fn memdump_2021_session_info() {
        let Some(y) = fixture_yaml("memdump_2021.bin") else {
            return;
        };
        assert_eq!(y.len(), 17_180);
        let doc = SessionInfoDoc::parse(&y);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let w = doc.weekend.as_ref().unwrap();
        assert_eq!(w.track_name.as_deref(), Some("longbeach"));
        assert_eq!(w.track_display_name.as_deref(), Some("Long Beach"));
        assert_eq!(w.track_length_km(), Some(3.14));
        assert_eq!(w.incident_limit.as_deref(), Some("unlimited"));
        let s = &doc.session.as_ref().unwrap().sessions;
        assert_eq!(s[0].session_type.as_deref(), Some("Practice"));
        assert_eq!(s[0].laps(), Some(Limit::Unlimited));
        assert_eq!(s[0].time(), Some(Limit::Value(7200.0)));
        assert_eq!(s[0].results_positions[1].car_idx, Some(1));
        assert_eq!(s[0].results_positions[1].fastest_time, Some(99.2624));
        let di = doc.driver.as_ref().unwrap();
        assert_eq!(di.driver_car_idx, Some(63));
        assert_eq!(di.drivers.len(), 3);
        assert!(di.drivers.iter().all(|d| d.car_is_pace_car == Some(false)));
        assert_eq!(di.drivers[0].user_name.as_deref(), Some("Michael Simmons"));
        assert_eq!(di.drivers[0].car_number.as_deref(), Some("822"));
        let cam = doc.camera.as_ref().unwrap();
        assert_eq!(cam.groups[0].group_name.as_deref(), Some("Nose"));
        assert!(cam.groups[9].is_scenic);
        assert_eq!(
            doc.get_str("CarSetup.Suspension.LeftFront.ColdPressure"),
            Some("172 kPa")
        );
    }

    #[test]
    fn ibt_session_info() {
        let Some(y) = fixture_yaml("ibt_2024_390rows.ibt") else {
            return;
        };
        assert_eq!(y.len(), 13_876);
        let doc = SessionInfoDoc::parse(&y);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        let w = doc.weekend.as_ref().unwrap();
        assert_eq!(w.track_name.as_deref(), Some("spielberg gp"));
        assert_eq!(w.track_display_name.as_deref(), Some("Red Bull Ring"));
        let s = &doc.session.as_ref().unwrap().sessions;
        assert_eq!(s[0].session_type.as_deref(), Some("Offline Testing"));
        assert!(!doc.driver.as_ref().unwrap().drivers.is_empty());
        assert_eq!(
            doc.get_str("CarSetup.TiresAero.TireCompound.TireCompound"),
            Some("Medium")
        );
    }
}
