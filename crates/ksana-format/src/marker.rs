//! Markers: a typed event stream stored alongside frames (session start and end, laps, user
//! notes), so tools can jump to what matters without decoding telemetry.

/// What a marker says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MarkerKind {
    /// A sim session began (green flag, new session type, sim connected).
    SessionStart,
    /// A sim session ended.
    SessionEnd,
    /// The car crossed the line and a lap began; the label holds the lap number.
    LapStart,
    /// A note the user asked for (hotkey, command line).
    User,
    /// A new segment began: the sim restarted or changed its page layout.
    SegmentStart,
    /// A kind written by a newer ksana; kept so nothing is lost.
    Unknown(u16),
}

impl MarkerKind {
    /// The code stored in the file.
    pub const fn code(self) -> u16 {
        match self {
            MarkerKind::SessionStart => 1,
            MarkerKind::SessionEnd => 2,
            MarkerKind::LapStart => 3,
            MarkerKind::User => 4,
            MarkerKind::SegmentStart => 5,
            MarkerKind::Unknown(c) => c,
        }
    }

    /// The kind for a stored code.
    pub const fn from_code(c: u16) -> MarkerKind {
        match c {
            1 => MarkerKind::SessionStart,
            2 => MarkerKind::SessionEnd,
            3 => MarkerKind::LapStart,
            4 => MarkerKind::User,
            5 => MarkerKind::SegmentStart,
            c => MarkerKind::Unknown(c),
        }
    }

    /// A short lower-case name for reports.
    pub fn name(self) -> String {
        match self {
            MarkerKind::SessionStart => "session_start".into(),
            MarkerKind::SessionEnd => "session_end".into(),
            MarkerKind::LapStart => "lap_start".into(),
            MarkerKind::User => "user".into(),
            MarkerKind::SegmentStart => "segment_start".into(),
            MarkerKind::Unknown(c) => format!("unknown_{c}"),
        }
    }
}

/// One marker: when, what, and a free-form UTF-8 label.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Marker {
    /// Nanoseconds since the recording's start, on the same clock as frames.
    pub timestamp_ns: u64,
    /// What happened.
    pub kind: MarkerKind,
    /// Details: a lap number, a note, a reason.
    pub label: String,
}

impl Marker {
    /// A marker at `timestamp_ns`.
    pub fn new(timestamp_ns: u64, kind: MarkerKind, label: impl Into<String>) -> Marker {
        Marker {
            timestamp_ns,
            kind,
            label: label.into(),
        }
    }
}
