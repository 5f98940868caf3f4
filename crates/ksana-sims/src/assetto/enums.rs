//! The enums of the AC family's pages (reference §3.3 and §4.2), each with an `Unknown(i32)`
//! catch-all so that any value a page holds decodes, and [`Gear`] for AC's gear convention.
//!
//! AC and ACC share one set of values (ACC adds a few); AC Evo renumbered session types and
//! flags, so those have their own `Evo*` types. Status values are the same in all of them.

use std::fmt;

/// Declares an `i32`-valued page enum with an `Unknown(i32)` variant, `From<i32>`, `value()`,
/// `name()` (the header's constant) and `Display`. Hand-written rather than strum: the
/// catch-all variant and the exact header names are the point, and this is all of it.
macro_rules! page_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $cname:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the reference does not list (a newer game version, or garbage).
            Unknown(i32),
        }

        impl $name {
            /// Every listed variant, in value order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as the page stores it.
            pub const fn value(self) -> i32 {
                match self {
                    $( $name::$variant => $value, )+
                    $name::Unknown(v) => v,
                }
            }

            /// The header's name of the value (`"UNKNOWN"` for [`Self::Unknown`]).
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $cname, )+
                    $name::Unknown(_) => "UNKNOWN",
                }
            }
        }

        impl From<i32> for $name {
            fn from(v: i32) -> $name {
                match v {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for i32 {
            fn from(v: $name) -> i32 {
                v.value()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $name::Unknown(v) => write!(f, "UNKNOWN({v})"),
                    other => f.write_str(other.name()),
                }
            }
        }
    };
}

page_enum! {
    /// `AC_STATUS` / `ACC_STATUS` / `ACEVO_STATUS` (graphics `status` @4): is the sim live?
    pub enum Status {
        /// Not in a session.
        Off = 0 => "AC_OFF",
        /// Watching a replay.
        Replay = 1 => "AC_REPLAY",
        /// Driving.
        Live = 2 => "AC_LIVE",
        /// Paused.
        Pause = 3 => "AC_PAUSE",
    }
}

page_enum! {
    /// `AC_SESSION_TYPE` / `ACC_SESSION_TYPE` (AC/ACC graphics `session` @8).
    pub enum SessionType {
        /// No session known.
        Unset = -1 => "AC_UNKNOWN",
        /// Practice.
        Practice = 0 => "AC_PRACTICE",
        /// Qualifying.
        Qualify = 1 => "AC_QUALIFY",
        /// Race.
        Race = 2 => "AC_RACE",
        /// Hotlap.
        Hotlap = 3 => "AC_HOTLAP",
        /// Time attack.
        TimeAttack = 4 => "AC_TIME_ATTACK",
        /// Drift.
        Drift = 5 => "AC_DRIFT",
        /// Drag.
        Drag = 6 => "AC_DRAG",
        /// ACC only: hot stint.
        HotStint = 7 => "ACC_HOTSTINT",
        /// ACC only: hot stint superpole.
        HotStintSuperpole = 8 => "ACC_HOTSTINTSUPERPOLE",
    }
}

page_enum! {
    /// `AC_FLAG_TYPE` / `ACC_FLAG_TYPE` (AC/ACC graphics `flag`).
    pub enum FlagType {
        /// No flag.
        None = 0 => "AC_NO_FLAG",
        /// Blue flag.
        Blue = 1 => "AC_BLUE_FLAG",
        /// Yellow flag.
        Yellow = 2 => "AC_YELLOW_FLAG",
        /// Black flag.
        Black = 3 => "AC_BLACK_FLAG",
        /// White flag.
        White = 4 => "AC_WHITE_FLAG",
        /// Chequered flag.
        Checkered = 5 => "AC_CHECKERED_FLAG",
        /// Penalty flag.
        Penalty = 6 => "AC_PENALTY_FLAG",
        /// ACC only: green flag.
        Green = 7 => "ACC_GREEN_FLAG",
        /// ACC only: orange (meatball) flag.
        Orange = 8 => "ACC_ORANGE_FLAG",
    }
}

page_enum! {
    /// `ACC_PENALTY_TYPE` (ACC graphics `penalty` @1228).
    pub enum PenaltyType {
        /// No penalty.
        None = 0 => "None",
        /// Drive-through for cutting.
        DriveThroughCutting = 1 => "DriveThrough_Cutting",
        /// 10 s stop-and-go for cutting.
        StopAndGo10Cutting = 2 => "StopAndGo_10_Cutting",
        /// 20 s stop-and-go for cutting.
        StopAndGo20Cutting = 3 => "StopAndGo_20_Cutting",
        /// 30 s stop-and-go for cutting.
        StopAndGo30Cutting = 4 => "StopAndGo_30_Cutting",
        /// Disqualified for cutting.
        DisqualifiedCutting = 5 => "Disqualified_Cutting",
        /// Best lap time removed for cutting.
        RemoveBestLaptimeCutting = 6 => "RemoveBestLaptime_Cutting",
        /// Drive-through for pit speeding.
        DriveThroughPitSpeeding = 7 => "DriveThrough_PitSpeeding",
        /// 10 s stop-and-go for pit speeding.
        StopAndGo10PitSpeeding = 8 => "StopAndGo_10_PitSpeeding",
        /// 20 s stop-and-go for pit speeding.
        StopAndGo20PitSpeeding = 9 => "StopAndGo_20_PitSpeeding",
        /// 30 s stop-and-go for pit speeding.
        StopAndGo30PitSpeeding = 10 => "StopAndGo_30_PitSpeeding",
        /// Disqualified for pit speeding.
        DisqualifiedPitSpeeding = 11 => "Disqualified_PitSpeeding",
        /// Best lap time removed for pit speeding.
        RemoveBestLaptimePitSpeeding = 12 => "RemoveBestLaptime_PitSpeeding",
        /// Disqualified for ignoring the mandatory pit stop.
        DisqualifiedIgnoredMandatoryPit = 13 => "Disqualified_IgnoredMandatoryPit",
        /// Post-race time penalty.
        PostRaceTime = 14 => "PostRaceTime",
        /// Disqualified for trolling.
        DisqualifiedTrolling = 15 => "Disqualified_Trolling",
        /// Disqualified at pit entry.
        DisqualifiedPitEntry = 16 => "Disqualified_PitEntry",
        /// Disqualified at pit exit.
        DisqualifiedPitExit = 17 => "Disqualified_PitExit",
        /// Disqualified for driving the wrong way.
        DisqualifiedWrongway = 18 => "Disqualified_Wrongway",
        /// Drive-through for ignoring the driver stint.
        DriveThroughIgnoredDriverStint = 19 => "DriveThrough_IgnoredDriverStint",
        /// Disqualified for ignoring the driver stint.
        DisqualifiedIgnoredDriverStint = 20 => "Disqualified_IgnoredDriverStint",
        /// Disqualified for exceeding the driver stint limit.
        DisqualifiedExceededDriverStintLimit = 21 => "Disqualified_ExceededDriverStintLimit",
    }
}

page_enum! {
    /// `ACC_TRACK_GRIP_STATUS` (ACC graphics `trackGripStatus` @1556).
    pub enum TrackGripStatus {
        /// Green track.
        Green = 0 => "ACC_GREEN",
        /// Fast.
        Fast = 1 => "ACC_FAST",
        /// Optimum.
        Optimum = 2 => "ACC_OPTIMUM",
        /// Greasy.
        Greasy = 3 => "ACC_GREASY",
        /// Damp.
        Damp = 4 => "ACC_DAMP",
        /// Wet.
        Wet = 5 => "ACC_WET",
        /// Flooded.
        Flooded = 6 => "ACC_FLOODED",
    }
}

page_enum! {
    /// `ACC_RAIN_INTENSITY` (ACC graphics `rainIntensity*` @1560..1572).
    pub enum RainIntensity {
        /// No rain.
        NoRain = 0 => "ACC_NO_RAIN",
        /// Drizzle.
        Drizzle = 1 => "ACC_DRIZZLE",
        /// Light rain.
        LightRain = 2 => "ACC_LIGHT_RAIN",
        /// Medium rain.
        MediumRain = 3 => "ACC_MEDIUM_RAIN",
        /// Heavy rain.
        HeavyRain = 4 => "ACC_HEAVY_RAIN",
        /// Thunderstorm.
        Thunderstorm = 5 => "ACC_THUNDERSTORM",
    }
}

page_enum! {
    /// `ACEVO_SESSION_TYPE` (Evo static `session` @32); numbered differently from AC's.
    pub enum EvoSessionType {
        /// No session known.
        Unset = -1 => "AC_UNKNOWN",
        /// Time attack.
        TimeAttack = 0 => "AC_TIME_ATTACK",
        /// Race.
        Race = 1 => "AC_RACE",
        /// Hot stint.
        HotStint = 2 => "AC_HOT_STINT",
        /// Cruise.
        Cruise = 3 => "AC_CRUISE",
    }
}

page_enum! {
    /// `ACEVO_FLAG_TYPE` (Evo graphics `flag` @2404 and `global_flag` @2408).
    pub enum EvoFlagType {
        /// No flag.
        None = 0 => "AC_NO_FLAG",
        /// White flag.
        White = 1 => "AC_WHITE_FLAG",
        /// Green flag.
        Green = 2 => "AC_GREEN_FLAG",
        /// Red flag.
        Red = 3 => "AC_RED_FLAG",
        /// Blue flag.
        Blue = 4 => "AC_BLUE_FLAG",
        /// Yellow flag.
        Yellow = 5 => "AC_YELLOW_FLAG",
        /// Black flag.
        Black = 6 => "AC_BLACK_FLAG",
        /// Black-and-white flag.
        BlackWhite = 7 => "AC_BLACK_WHITE_FLAG",
        /// Chequered flag.
        Checkered = 8 => "AC_CHECKERED_FLAG",
        /// Orange-circle (meatball) flag.
        OrangeCircle = 9 => "AC_ORANGE_CIRCLE_FLAG",
        /// Red-yellow striped (slippery surface) flag.
        RedYellowStripes = 10 => "AC_RED_YELLOW_STRIPES_FLAG",
    }
}

page_enum! {
    /// `ACEVO_CAR_LOCATION` (Evo graphics `car_location` @1388).
    pub enum EvoCarLocation {
        /// Not known yet.
        Unassigned = 0 => "ACEVO_UNASSIGNED",
        /// In the pit lane.
        Pitlane = 1 => "ACEVO_PITLANE",
        /// At the pit entry.
        PitEntry = 2 => "ACEVO_PITENTRY",
        /// At the pit exit.
        PitExit = 3 => "ACEVO_PITEXIT",
        /// On track.
        Track = 4 => "ACEVO_TRACK",
    }
}

page_enum! {
    /// `ACEVO_ENGINE_TYPE` (Evo graphics `engine_type` @2416).
    pub enum EvoEngineType {
        /// Combustion engine.
        InternalCombustion = 0 => "ACEVO_INTERNAL_COMBUSTION",
        /// Electric motor.
        ElectricMotor = 1 => "ACEVO_ELECTRIC_MOTOR",
    }
}

page_enum! {
    /// `ACEVO_STARTING_GRIP` (Evo static `starting_grip` @72).
    pub enum EvoStartingGrip {
        /// Green track.
        Green = 0 => "ACEVO_GREEN",
        /// Fast.
        Fast = 1 => "ACEVO_FAST",
        /// Optimum.
        Optimum = 2 => "ACEVO_OPTIMUM",
    }
}

/// A gear as AC, ACC, AC Rally and Evo write it in physics `gear`: 0 = reverse, 1 = neutral,
/// 2 = first (reference §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Gear {
    /// Reverse (raw 0).
    Reverse,
    /// Neutral (raw 1).
    Neutral,
    /// Forward gear `n` ≥ 1 (raw `n + 1`).
    Forward(u32),
    /// A negative raw value, which the convention does not define.
    Unknown(i32),
}

impl Gear {
    /// Decodes the raw page value.
    pub const fn from_raw(raw: i32) -> Gear {
        match raw {
            0 => Gear::Reverse,
            1 => Gear::Neutral,
            n if n >= 2 => Gear::Forward(n as u32 - 1),
            n => Gear::Unknown(n),
        }
    }

    /// The raw page value (inverse of [`Gear::from_raw`]; saturates at `i32::MAX`).
    pub const fn raw(self) -> i32 {
        match self {
            Gear::Reverse => 0,
            Gear::Neutral => 1,
            Gear::Forward(n) => {
                if n >= i32::MAX as u32 {
                    i32::MAX
                } else {
                    n as i32 + 1
                }
            }
            Gear::Unknown(n) => n,
        }
    }

    /// The gear as dashboards count it: −1 reverse, 0 neutral, 1.. forward; `None` if unknown.
    pub const fn number(self) -> Option<i32> {
        match self {
            Gear::Reverse => Some(-1),
            Gear::Neutral => Some(0),
            Gear::Forward(n) => Some(n as i32),
            Gear::Unknown(_) => None,
        }
    }
}

impl fmt::Display for Gear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gear::Reverse => f.write_str("R"),
            Gear::Neutral => f.write_str("N"),
            Gear::Forward(n) => write!(f, "{n}"),
            Gear::Unknown(n) => write!(f, "?({n})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_unknown_is_kept() {
        assert_eq!(SessionType::from(-1), SessionType::Unset);
        assert_eq!(SessionType::from(8), SessionType::HotStintSuperpole);
        assert_eq!(SessionType::from(9), SessionType::Unknown(9));
        assert_eq!(EvoFlagType::from(10).value(), 10);
        assert_eq!(PenaltyType::ALL.len(), 22);
        for (i, p) in PenaltyType::ALL.iter().enumerate() {
            assert_eq!(p.value(), i as i32);
        }
        assert_eq!(Status::from(i32::MIN), Status::Unknown(i32::MIN));
        assert_eq!(Status::Live.to_string(), "AC_LIVE");
        assert_eq!(Status::Unknown(7).to_string(), "UNKNOWN(7)");
    }

    #[test]
    fn gear_convention() {
        assert_eq!(Gear::from_raw(0), Gear::Reverse);
        assert_eq!(Gear::from_raw(1), Gear::Neutral);
        assert_eq!(Gear::from_raw(2), Gear::Forward(1));
        assert_eq!(Gear::from_raw(8).number(), Some(7));
        assert_eq!(Gear::from_raw(-1), Gear::Unknown(-1));
        assert_eq!(Gear::from_raw(i32::MAX), Gear::Forward(i32::MAX as u32 - 1));
        assert_eq!(Gear::from_raw(i32::MAX).raw(), i32::MAX);
        assert_eq!(Gear::Reverse.number(), Some(-1));
        assert_eq!(Gear::from_raw(2).to_string(), "1");
    }
}
