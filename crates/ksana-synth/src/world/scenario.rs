//! The scripted scenarios of the fake sim (`--scenario`) and the stages each one plays.
//!
//! A script is a list of stages run in order: each waits for its [`Trigger`] and then applies
//! its [`Action`]. Triggers are "at or past" conditions (lap 2 at 40 % also fires if the car is
//! already on lap 3), so a coarse step never skips a stage.

use super::SessionKind;

/// A scripted scenario: what the fake sim's driver does and which events happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// Practice, endless: an out-lap from the box, then flying laps. Never finishes.
    Laps,
    /// Out-lap, three flying laps, an in-lap, and a stop in the box.
    Demo,
    /// An off-track excursion in the middle of lap 2 invalidates it.
    Offtrack,
    /// An off-track excursion in the last second before the line invalidates lap 2.
    OfftrackLate,
    /// An in-lap, a 5 s stop in the box, and an out-lap.
    PitStop,
    /// The session restarts before the first lap is complete.
    Restart,
    /// Practice becomes qualifying in the middle of lap 3.
    SessionChange,
    /// The sim is paused for 5 s during lap 2.
    Pause,
    /// A 6 s replay of earlier driving during lap 2.
    Replay,
    /// Quitting to the menu in the middle of lap 3, then a new session.
    Menu,
    /// The sim starts in the middle of the session (two laps done, lap 3 under way).
    MidSession,
    /// A one-lap session.
    Short,
}

const ALL: [Scenario; 12] = [
    Scenario::Laps,
    Scenario::Demo,
    Scenario::Offtrack,
    Scenario::OfftrackLate,
    Scenario::PitStop,
    Scenario::Restart,
    Scenario::SessionChange,
    Scenario::Pause,
    Scenario::Replay,
    Scenario::Menu,
    Scenario::MidSession,
    Scenario::Short,
];

impl Scenario {
    /// Every scenario, in the order `--help` lists them.
    pub fn all() -> &'static [Scenario] {
        &ALL
    }

    /// The kebab-case name used on the command line (`offtrack-late`, `pitstop`, …).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Laps => "laps",
            Scenario::Demo => "demo",
            Scenario::Offtrack => "offtrack",
            Scenario::OfftrackLate => "offtrack-late",
            Scenario::PitStop => "pitstop",
            Scenario::Restart => "restart",
            Scenario::SessionChange => "session-change",
            Scenario::Pause => "pause",
            Scenario::Replay => "replay",
            Scenario::Menu => "menu",
            Scenario::MidSession => "midsession",
            Scenario::Short => "short",
        }
    }

    /// One line saying what the scenario scripts (for `--help` and listings).
    pub fn description(self) -> &'static str {
        match self {
            Scenario::Laps => "practice, endless: out-lap from the box, then flying laps",
            Scenario::Demo => {
                "out-lap, laps 2-4 flying, lap 5 in-lap, lap 6 stops in the box, then the menu"
            }
            Scenario::Offtrack => "lap 2 off-track at ~50 % for ~1 s (invalid), lap 3 valid",
            Scenario::OfftrackLate => {
                "lap 2 off-track from 0.6 s to 0.2 s before the line (invalid), lap 3 valid"
            }
            Scenario::PitStop => {
                "lap 2 flying, lap 3 in-lap, lap 4 out-lap with a 5 s stop, lap 5 flying"
            }
            Scenario::Restart => {
                "restart at ~60 % of lap 1; the new session has an out-lap and a flying lap"
            }
            Scenario::SessionChange => {
                "practice laps 1-2, at ~30 % of lap 3 qualifying begins: out-lap, flying lap"
            }
            Scenario::Pause => "lap 2 paused at ~40 % for 5 s (lap time excludes the pause)",
            Scenario::Replay => "lap 2: a ~6 s replay of earlier driving at ~30 %, laps unaffected",
            Scenario::Menu => {
                "quit to the menu at ~50 % of lap 3 for ~3 s, then a new practice session"
            }
            Scenario::MidSession => {
                "starts at ~45 % of lap 3 with two laps done; lap 3 completes, lap 4 flying"
            }
            Scenario::Short => "a one-lap session: out-lap, then the menu 2 s into lap 2",
        }
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a scenario; the message lists the valid names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownScenario(pub String);

impl std::fmt::Display for UnknownScenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = ALL.iter().map(|s| s.name()).collect();
        write!(
            f,
            "unknown scenario {:?} (expected one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownScenario {}

impl std::str::FromStr for Scenario {
    type Err = UnknownScenario;

    fn from_str(s: &str) -> Result<Scenario, UnknownScenario> {
        ALL.iter()
            .copied()
            .find(|sc| sc.name() == s)
            .ok_or_else(|| UnknownScenario(s.to_string()))
    }
}

/// When a stage fires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Trigger {
    /// The car is on lap `lap` (1-based) at `pct` of the lap or further, or on a later lap.
    AtLap { lap: u32, pct: f64 },
    /// On lap `lap`, the car would reach the line within `secs` at its current speed (or the
    /// car is already on a later lap).
    BeforeLine { lap: u32, secs: f64 },
    /// The current lap number is `lap` and it has run for `secs` of session time (or later).
    IntoLap { lap: u32, secs: f64 },
    /// `secs` of world time after the previous stage fired.
    After { secs: f64 },
    /// The car stands in its box.
    InBox,
}

/// What a stage does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Action {
    /// Nothing (a stage that only waits).
    Nothing,
    /// Enter the pit lane at the end of this lap and stop in the box for `stop_s` seconds
    /// (`None`: stay there until the script moves on).
    Pit { stop_s: Option<f64> },
    /// Run wide off the track (until `OffTrackEnd`).
    OffTrackStart,
    /// Back on the track.
    OffTrackEnd,
    /// Pause the sim.
    Pause,
    /// Resume from the pause.
    Resume,
    /// Start showing a replay of the driving `back_s` seconds ago (session time).
    ReplayStart { back_s: f64 },
    /// End the replay; live again where it left.
    ReplayEnd,
    /// Quit to the menu (the last session's values stay).
    Menu,
    /// Leave the menu into a new session of `kind`.
    NewSession(SessionKind),
    /// Restart the session (same kind, next index).
    Restart,
    /// The session becomes `kind` (next index), the car goes back to its box.
    ChangeSession(SessionKind),
    /// The script is done.
    Finish,
}

/// One stage of a script.
pub(crate) type Stage = (Trigger, Action);

/// The usual ending: ~1 s into the lap after `last_lap`, the menu for ~1 s, done.
fn ending(last_lap: u32) -> [Stage; 2] {
    [
        (
            Trigger::IntoLap {
                lap: last_lap + 1,
                secs: 1.0,
            },
            Action::Menu,
        ),
        (Trigger::After { secs: 1.0 }, Action::Finish),
    ]
}

/// How many laps of the first session the warm-up drives before a mid-session start, and at
/// which fraction of the next lap the sim starts.
pub(crate) const MIDSESSION_START: (u32, f64) = (3, 0.45);

/// The stages `scenario` plays, in order.
pub(crate) fn script(scenario: Scenario) -> Vec<Stage> {
    use Action as A;
    use Trigger as T;
    let mut s: Vec<Stage> = Vec::new();
    match scenario {
        Scenario::Laps => return s,
        Scenario::Demo => {
            s.push((T::AtLap { lap: 5, pct: 0.5 }, A::Pit { stop_s: None }));
            s.push((T::InBox, A::Nothing));
            s.push((T::After { secs: 2.0 }, A::Menu));
            s.push((T::After { secs: 1.0 }, A::Finish));
            return s;
        }
        Scenario::Offtrack => {
            s.push((T::AtLap { lap: 2, pct: 0.5 }, A::OffTrackStart));
            s.push((T::After { secs: 1.0 }, A::OffTrackEnd));
            s.extend(ending(3));
        }
        Scenario::OfftrackLate => {
            s.push((T::BeforeLine { lap: 2, secs: 0.6 }, A::OffTrackStart));
            s.push((T::BeforeLine { lap: 2, secs: 0.2 }, A::OffTrackEnd));
            s.extend(ending(3));
        }
        Scenario::PitStop => {
            s.push((T::AtLap { lap: 3, pct: 0.5 }, A::Pit { stop_s: Some(5.0) }));
            s.extend(ending(5));
        }
        Scenario::Restart => {
            s.push((T::AtLap { lap: 1, pct: 0.6 }, A::Restart));
            s.extend(ending(2));
        }
        Scenario::SessionChange => {
            s.push((
                T::AtLap { lap: 3, pct: 0.3 },
                A::ChangeSession(SessionKind::Qualify),
            ));
            s.extend(ending(2));
        }
        Scenario::Pause => {
            s.push((T::AtLap { lap: 2, pct: 0.4 }, A::Pause));
            s.push((T::After { secs: 5.0 }, A::Resume));
            s.extend(ending(3));
        }
        Scenario::Replay => {
            s.push((
                T::AtLap { lap: 2, pct: 0.3 },
                A::ReplayStart { back_s: 30.0 },
            ));
            s.push((T::After { secs: 6.0 }, A::ReplayEnd));
            s.extend(ending(3));
        }
        Scenario::Menu => {
            s.push((T::AtLap { lap: 3, pct: 0.5 }, A::Menu));
            s.push((T::After { secs: 3.0 }, A::NewSession(SessionKind::Practice)));
            s.extend(ending(2));
        }
        Scenario::MidSession => s.extend(ending(4)),
        Scenario::Short => {
            s.push((T::IntoLap { lap: 2, secs: 2.0 }, A::Menu));
            s.push((T::After { secs: 1.0 }, A::Finish));
        }
    }
    s
}
