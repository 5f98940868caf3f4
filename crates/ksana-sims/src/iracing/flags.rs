//! iRacing's bit fields as typed flag sets and its enumerations as enums
//! (`../shared/reference/iracing.md` §11, SDK 1.12 plus the 1.19 additions).
//!
//! Flag sets keep bits they do not name (`from_bits_retain`), so a newer sim's flags survive a
//! round trip; enums have an `Unknown(i32)` catch-all for the same reason. All of them read
//! straight from a row through [`super::vars`]: `index.get::<SessionFlags>("SessionFlags")`,
//! `index.array::<TrkLoc>("CarIdxTrackSurface")`.

use super::layout::VarType;
use super::vars::Scalar;

bitflags::bitflags! {
    /// `irsdk_Flags`: the `SessionFlags` and `CarIdxSessionFlags[]` variables.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
    pub struct SessionFlags: u32 {
        /// Checkered flag.
        const CHECKERED = 0x1;
        /// White flag (last lap).
        const WHITE = 0x2;
        /// Green flag.
        const GREEN = 0x4;
        /// Yellow flag.
        const YELLOW = 0x8;
        /// Red flag.
        const RED = 0x10;
        /// Blue flag.
        const BLUE = 0x20;
        /// Debris flag.
        const DEBRIS = 0x40;
        /// Crossed flags.
        const CROSSED = 0x80;
        /// Waving yellow.
        const YELLOW_WAVING = 0x100;
        /// One lap to green.
        const ONE_LAP_TO_GREEN = 0x200;
        /// Green held.
        const GREEN_HELD = 0x400;
        /// Ten laps to go.
        const TEN_TO_GO = 0x800;
        /// Five laps to go.
        const FIVE_TO_GO = 0x1000;
        /// Random waving.
        const RANDOM_WAVING = 0x2000;
        /// Caution.
        const CAUTION = 0x4000;
        /// Waving caution.
        const CAUTION_WAVING = 0x8000;
        /// Black flag (driver).
        const BLACK = 0x10000;
        /// Disqualified.
        const DISQUALIFY = 0x20000;
        /// Car may be serviced.
        const SERVICIBLE = 0x40000;
        /// Furled black flag.
        const FURLED = 0x80000;
        /// Meatball (repair).
        const REPAIR = 0x100000;
        /// Scoring invalid (SDK 1.19).
        const DQ_SCORING_INVALID = 0x200000;
        /// Start lights hidden.
        const START_HIDDEN = 0x1000_0000;
        /// Start lights: ready.
        const START_READY = 0x2000_0000;
        /// Start lights: set.
        const START_SET = 0x4000_0000;
        /// Start lights: go.
        const START_GO = 0x8000_0000;
    }
}

bitflags::bitflags! {
    /// `irsdk_EngineWarnings`: the `EngineWarnings` variable.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
    pub struct EngineWarnings: u32 {
        /// Water temperature.
        const WATER_TEMP = 0x1;
        /// Fuel pressure.
        const FUEL_PRESSURE = 0x2;
        /// Oil pressure.
        const OIL_PRESSURE = 0x4;
        /// Engine stalled.
        const ENGINE_STALLED = 0x8;
        /// Pit speed limiter on.
        const PIT_SPEED_LIMITER = 0x10;
        /// Rev limiter active.
        const REV_LIMITER_ACTIVE = 0x20;
        /// Oil temperature.
        const OIL_TEMP = 0x40;
        /// Mandatory repair needed.
        const MAND_REP_NEEDED = 0x80;
        /// Optional repair needed.
        const OPT_REP_NEEDED = 0x100;
    }
}

bitflags::bitflags! {
    /// `irsdk_CameraState`: the `CamCameraState` variable.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
    pub struct CameraState: u32 {
        /// The session screen is shown.
        const IS_SESSION_SCREEN = 0x1;
        /// The scenic camera is active.
        const IS_SCENIC_ACTIVE = 0x2;
        /// The camera tool is active.
        const CAM_TOOL_ACTIVE = 0x4;
        /// The UI is hidden.
        const UI_HIDDEN = 0x8;
        /// Automatic shot selection.
        const USE_AUTO_SHOT_SELECTION = 0x10;
        /// Temporary edits.
        const USE_TEMPORARY_EDITS = 0x20;
        /// Key acceleration.
        const USE_KEY_ACCELERATION = 0x40;
        /// 10× key acceleration.
        const USE_KEY_10X_ACCELERATION = 0x80;
        /// Mouse aim mode.
        const USE_MOUSE_AIM_MODE = 0x100;
    }
}

bitflags::bitflags! {
    /// `irsdk_PitSvFlags`: the `PitSvFlags` variable (service requested at the next stop).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
    pub struct PitSvFlags: u32 {
        /// Change the left-front tyre.
        const LF_TIRE_CHANGE = 0x1;
        /// Change the right-front tyre.
        const RF_TIRE_CHANGE = 0x2;
        /// Change the left-rear tyre.
        const LR_TIRE_CHANGE = 0x4;
        /// Change the right-rear tyre.
        const RR_TIRE_CHANGE = 0x8;
        /// Fill fuel.
        const FUEL_FILL = 0x10;
        /// Windshield tear-off.
        const WINDSHIELD_TEAROFF = 0x20;
        /// Fast repair.
        const FAST_REPAIR = 0x40;
    }
}

bitflags::bitflags! {
    /// `irsdk_PaceFlags`: the `PaceFlags` and `CarIdxPaceFlags[]` variables.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
    pub struct PaceFlags: u32 {
        /// End of the line.
        const END_OF_LINE = 0x1;
        /// Free pass.
        const FREE_PASS = 0x2;
        /// Waved around.
        const WAVED_AROUND = 0x4;
    }
}

/// Flag sets read from `irsdk_bitField` (or `irsdk_int`) variables, keeping unknown bits.
macro_rules! flag_scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            fn scalar_what() -> String {
                concat!(stringify!($t), " (irsdk_bitField)").into()
            }
            fn scalar_accepts(t: VarType) -> bool {
                matches!(t, VarType::BitField | VarType::Int)
            }
            fn decode_scalar(b: &[u8], t: VarType) -> Option<Self> {
                Some(<$t>::from_bits_retain(u32::decode_scalar(b, t)?))
            }
        }
    )*};
}
flag_scalar!(
    SessionFlags,
    EngineWarnings,
    CameraState,
    PitSvFlags,
    PaceFlags
);

/// The names of the set bits of a flag set, unknown bits as hex: `green | 0x10000000`.
pub fn describe_flags<F: bitflags::Flags<Bits = u32>>(f: F) -> String {
    let mut parts: Vec<String> = f
        .iter_names()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    let unknown = f.bits() & !F::all().bits();
    if unknown != 0 {
        parts.push(format!("0x{unknown:x}"));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" | ")
    }
}

/// Defines an `irsdk_int` enumeration with an `Unknown(i32)` catch-all.
macro_rules! int_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $n:expr => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub enum $name {
            $($(#[$vm])* $v,)*
            /// A value this version of ksana does not know.
            Unknown(i32),
        }

        impl $name {
            /// The enum for an SDK value.
            pub fn from_i32(v: i32) -> $name {
                match v {
                    $($n => $name::$v,)*
                    other => $name::Unknown(other),
                }
            }

            /// The SDK value.
            pub fn to_i32(self) -> i32 {
                match self {
                    $($name::$v => $n,)*
                    $name::Unknown(v) => v,
                }
            }

            /// The SDK's name of the value (`Unknown(7)` for others).
            pub fn name(self) -> String {
                match self {
                    $($name::$v => $s.to_string(),)*
                    $name::Unknown(v) => format!("Unknown({v})"),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.name())
            }
        }

        impl Scalar for $name {
            fn scalar_what() -> String {
                concat!(stringify!($name), " (irsdk_int)").into()
            }
            fn scalar_accepts(t: VarType) -> bool {
                matches!(t, VarType::Int | VarType::BitField)
            }
            fn decode_scalar(b: &[u8], t: VarType) -> Option<Self> {
                Some($name::from_i32(i32::decode_scalar(b, t)?))
            }
        }
    };
}

int_enum!(
    /// `irsdk_SessionState`: the `SessionState` variable.
    SessionState {
        /// 0.
        Invalid = 0 => "Invalid",
        /// 1: drivers get in their cars.
        GetInCar = 1 => "GetInCar",
        /// 2.
        Warmup = 2 => "Warmup",
        /// 3.
        ParadeLaps = 3 => "ParadeLaps",
        /// 4.
        Racing = 4 => "Racing",
        /// 5.
        Checkered = 5 => "Checkered",
        /// 6.
        CoolDown = 6 => "CoolDown",
    }
);

int_enum!(
    /// `irsdk_TrkLoc`: where a car is (`PlayerTrackSurface`, `CarIdxTrackSurface[]`).
    TrkLoc {
        /// −1: not in the world (no car, or in the garage).
        NotInWorld = -1 => "NotInWorld",
        /// 0.
        OffTrack = 0 => "OffTrack",
        /// 1.
        InPitStall = 1 => "InPitStall",
        /// 2: on pit road or approaching it (the SDK spells it `AproachingPits`).
        ApproachingPits = 2 => "AproachingPits",
        /// 3.
        OnTrack = 3 => "OnTrack",
    }
);

int_enum!(
    /// `irsdk_TrkSurf`: the surface under a car (`PlayerTrackSurfaceMaterial`,
    /// `CarIdxTrackSurfaceMaterial[]`).
    TrkSurf {
        /// −1.
        NotInWorld = -1 => "NotInWorld",
        /// 0.
        Undefined = 0 => "Undefined",
        /// 1.
        Asphalt1 = 1 => "Asphalt1",
        /// 2.
        Asphalt2 = 2 => "Asphalt2",
        /// 3.
        Asphalt3 = 3 => "Asphalt3",
        /// 4.
        Asphalt4 = 4 => "Asphalt4",
        /// 5.
        Concrete1 = 5 => "Concrete1",
        /// 6.
        Concrete2 = 6 => "Concrete2",
        /// 7.
        RacingDirt1 = 7 => "RacingDirt1",
        /// 8.
        RacingDirt2 = 8 => "RacingDirt2",
        /// 9.
        Paint1 = 9 => "Paint1",
        /// 10.
        Paint2 = 10 => "Paint2",
        /// 11.
        Rumble1 = 11 => "Rumble1",
        /// 12.
        Rumble2 = 12 => "Rumble2",
        /// 13.
        Rumble3 = 13 => "Rumble3",
        /// 14.
        Rumble4 = 14 => "Rumble4",
        /// 15.
        Grass1 = 15 => "Grass1",
        /// 16.
        Grass2 = 16 => "Grass2",
        /// 17.
        Grass3 = 17 => "Grass3",
        /// 18.
        Grass4 = 18 => "Grass4",
        /// 19.
        Dirt1 = 19 => "Dirt1",
        /// 20.
        Dirt2 = 20 => "Dirt2",
        /// 21.
        Dirt3 = 21 => "Dirt3",
        /// 22.
        Dirt4 = 22 => "Dirt4",
        /// 23.
        Sand = 23 => "Sand",
        /// 24.
        Gravel1 = 24 => "Gravel1",
        /// 25.
        Gravel2 = 25 => "Gravel2",
        /// 26.
        Grasscrete = 26 => "Grasscrete",
        /// 27.
        Astroturf = 27 => "Astroturf",
    }
);

int_enum!(
    /// `irsdk_PitSvStatus`: the `PlayerCarPitSvStatus` variable.
    PitSvStatus {
        /// 0.
        None = 0 => "None",
        /// 1.
        InProgress = 1 => "InProgress",
        /// 2.
        Complete = 2 => "Complete",
        /// 100.
        TooFarLeft = 100 => "TooFarLeft",
        /// 101.
        TooFarRight = 101 => "TooFarRight",
        /// 102.
        TooFarForward = 102 => "TooFarForward",
        /// 103.
        TooFarBack = 103 => "TooFarBack",
        /// 104.
        BadAngle = 104 => "BadAngle",
        /// 105.
        CantFixThat = 105 => "CantFixThat",
    }
);

int_enum!(
    /// `irsdk_CarLeftRight`: the spotter's `CarLeftRight` variable.
    CarLeftRight {
        /// 0.
        Off = 0 => "Off",
        /// 1.
        Clear = 1 => "Clear",
        /// 2.
        CarLeft = 2 => "CarLeft",
        /// 3.
        CarRight = 3 => "CarRight",
        /// 4.
        CarLeftRight = 4 => "CarLeftRight",
        /// 5.
        TwoCarsLeft = 5 => "2CarsLeft",
        /// 6.
        TwoCarsRight = 6 => "2CarsRight",
    }
);

int_enum!(
    /// `irsdk_PaceMode`: the `PaceMode` variable.
    PaceMode {
        /// 0.
        SingleFileStart = 0 => "SingleFileStart",
        /// 1.
        DoubleFileStart = 1 => "DoubleFileStart",
        /// 2.
        SingleFileRestart = 2 => "SingleFileRestart",
        /// 3.
        DoubleFileRestart = 3 => "DoubleFileRestart",
        /// 4.
        NotPacing = 4 => "NotPacing",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iracing::layout::VarHeader;
    use crate::iracing::vars::VarIndex;

    #[test]
    fn values_match_the_sdk() {
        assert_eq!(SessionFlags::GREEN.bits(), 0x4);
        assert_eq!(SessionFlags::CAUTION_WAVING.bits(), 0x8000);
        assert_eq!(SessionFlags::DQ_SCORING_INVALID.bits(), 0x20_0000);
        assert_eq!(SessionFlags::START_GO.bits(), 0x8000_0000);
        assert_eq!(EngineWarnings::PIT_SPEED_LIMITER.bits(), 0x10);
        assert_eq!(CameraState::USE_MOUSE_AIM_MODE.bits(), 0x100);
        assert_eq!(PitSvFlags::FAST_REPAIR.bits(), 0x40);
        assert_eq!(PaceFlags::WAVED_AROUND.bits(), 0x4);
        assert_eq!(TrkLoc::from_i32(-1), TrkLoc::NotInWorld);
        assert_eq!(TrkLoc::from_i32(3), TrkLoc::OnTrack);
        assert_eq!(TrkSurf::from_i32(27), TrkSurf::Astroturf);
        assert_eq!(TrkSurf::from_i32(23), TrkSurf::Sand);
        assert_eq!(SessionState::from_i32(4), SessionState::Racing);
        assert_eq!(PitSvStatus::from_i32(105), PitSvStatus::CantFixThat);
        assert_eq!(CarLeftRight::from_i32(5).name(), "2CarsLeft");
        assert_eq!(PaceMode::from_i32(4), PaceMode::NotPacing);
        assert_eq!(PaceMode::from_i32(9), PaceMode::Unknown(9));
        assert_eq!(PaceMode::Unknown(9).to_i32(), 9);
        assert_eq!(SessionState::Unknown(42).to_string(), "Unknown(42)");
    }

    #[test]
    fn unknown_bits_survive_and_are_shown() {
        let f = SessionFlags::from_bits_retain(0x0400_0004);
        assert_eq!(f.bits(), 0x0400_0004);
        assert!(f.contains(SessionFlags::GREEN));
        assert_eq!(describe_flags(f), "green | 0x4000000");
        assert_eq!(describe_flags(SessionFlags::empty()), "none");
        assert_eq!(
            describe_flags(SessionFlags::SERVICIBLE | SessionFlags::START_HIDDEN),
            "servicible | start_hidden"
        );
    }

    #[test]
    fn typed_handles_read_flags_and_enums_from_rows() {
        let h = |name: &str, t, offset, count| VarHeader {
            var_type: t,
            offset,
            count,
            count_as_time: false,
            name: name.into(),
            desc: String::new(),
            unit: String::new(),
        };
        let ix = VarIndex::new(&[
            h("SessionFlags", VarType::BitField, 0, 1),
            h("SessionState", VarType::Int, 4, 1),
            h("CarIdxTrackSurface", VarType::Int, 8, 2),
        ]);
        let mut row = vec![0u8; 16];
        row[0..4].copy_from_slice(&0x1004_0000u32.to_le_bytes());
        row[4..8].copy_from_slice(&4i32.to_le_bytes());
        row[8..12].copy_from_slice(&(-1i32).to_le_bytes());
        row[12..16].copy_from_slice(&1i32.to_le_bytes());
        let f = ix.get::<SessionFlags>("SessionFlags").unwrap();
        assert_eq!(
            f.read(&row),
            Some(SessionFlags::SERVICIBLE | SessionFlags::START_HIDDEN)
        );
        let s = ix.get::<SessionState>("SessionState").unwrap();
        assert_eq!(s.read(&row), Some(SessionState::Racing));
        let surf = ix.array::<TrkLoc>("CarIdxTrackSurface").unwrap();
        assert_eq!(surf.get(&row, 0), Some(TrkLoc::NotInWorld));
        assert_eq!(surf.get(&row, 1), Some(TrkLoc::InPitStall));
        assert!(ix.get::<SessionFlags>("CarIdxTrackSurface").is_err());
    }
}
