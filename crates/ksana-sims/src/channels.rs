//! Frames as named, typed channels: the sim-neutral model behind `ksana export` (CSV, JSON
//! Lines, …).
//!
//! A sim describes its pages as a list of [`Channel`]s (named as the sim names them, arrays
//! expanded as `name[i]`) through [`crate::Sim::channels`]; its [`ChannelSource`] decodes each
//! frame into a [`Row`] of [`Value`]s, one per channel, in channel order. Exporters see only
//! these types and never a sim. A row is cleared and refilled for every frame, so decoding
//! allocates nothing once the row's buffers have grown to the frame's size.

use crate::sim::SimError;

/// The type of a channel's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelType {
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 32-bit signed integer (enums and narrower signed integers too).
    I32,
    /// 32-bit unsigned integer (bit fields and narrower unsigned integers too).
    U32,
    /// 64-bit unsigned integer (AC Evo's car ids).
    U64,
    /// True or false.
    Bool,
    /// One byte of text (iRacing's `char` variables).
    Char,
    /// Text (a fixed-length string field of a page, decoded).
    Str,
}

impl ChannelType {
    /// The lower-case name used in documents and listings (`f32`, `string`, …).
    pub fn name(self) -> &'static str {
        match self {
            ChannelType::F32 => "f32",
            ChannelType::F64 => "f64",
            ChannelType::I32 => "i32",
            ChannelType::U32 => "u32",
            ChannelType::U64 => "u64",
            ChannelType::Bool => "bool",
            ChannelType::Char => "char",
            ChannelType::Str => "string",
        }
    }
}

/// One channel: a named value every frame has.
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    /// Name as the sim names it (`Speed`, `wheelSlip[2]`, `physics.packetId`).
    pub name: String,
    /// Unit as the sim states it (`m/s`, `km/h`), empty when it states none.
    pub unit: String,
    /// Type of the values.
    pub ty: ChannelType,
    /// How often the sim updates the value, Hz, when known (iRacing's tick rate, the AC
    /// family's physics step); `None` for values written once or at an unknown rate.
    pub rate_hz: Option<f64>,
}

impl Channel {
    /// A channel with no rate hint.
    pub fn new(name: impl Into<String>, unit: impl Into<String>, ty: ChannelType) -> Channel {
        Channel {
            name: name.into(),
            unit: unit.into(),
            ty,
            rate_hz: None,
        }
    }
}

/// Where a sim's lap number is among its channels: the value of channel `channel` plus `add`
/// (iRacing `Lap` as is; the AC family's `completedLaps` + 1), so that exports can add a
/// `lap` column without knowing the sim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LapRule {
    /// Index of the channel holding the count.
    pub channel: usize,
    /// Added to its value.
    pub add: i64,
}

/// The channels of a segment of frames, and the lap rule when the sim has a lap counter.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelList {
    /// Every channel, in the order decoded rows hold them.
    pub channels: Vec<Channel>,
    /// How to read the lap number from a row, when the sim has one.
    pub lap: Option<LapRule>,
}

/// One decoded value. Text lives in the [`Row`]'s text buffer; read values with [`Row::get`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// No value in this frame (the page is missing or shorter than the field).
    Missing,
    /// A 32-bit float.
    F32(f32),
    /// A 64-bit float.
    F64(f64),
    /// A 32-bit signed integer.
    I32(i32),
    /// A 32-bit unsigned integer.
    U32(u32),
    /// A 64-bit unsigned integer.
    U64(u64),
    /// A boolean.
    Bool(bool),
    /// One byte of text (0 = none).
    Char(u8),
    /// Text: bytes `start..end` of the row's text buffer.
    Str {
        /// First byte.
        start: u32,
        /// One past the last byte.
        end: u32,
    },
}

/// A value read from a [`Row`], text borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// See [`Value::Missing`].
    Missing,
    /// See [`Value::F32`].
    F32(f32),
    /// See [`Value::F64`].
    F64(f64),
    /// See [`Value::I32`].
    I32(i32),
    /// See [`Value::U32`].
    U32(u32),
    /// See [`Value::U64`].
    U64(u64),
    /// See [`Value::Bool`].
    Bool(bool),
    /// See [`Value::Char`].
    Char(u8),
    /// Text.
    Str(&'a str),
}

impl ValueRef<'_> {
    /// The value as an integer, when it is one (for lap numbers).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            ValueRef::I32(v) => Some(i64::from(v)),
            ValueRef::U32(v) => Some(i64::from(v)),
            ValueRef::U64(v) => i64::try_from(v).ok(),
            _ => None,
        }
    }
}

/// The values of one frame, one per channel, reused from frame to frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    values: Vec<Value>,
    text: String,
}

impl Row {
    /// An empty row.
    pub fn new() -> Row {
        Row::default()
    }

    /// Empties the row, keeping its buffers.
    pub fn clear(&mut self) {
        self.values.clear();
        self.text.clear();
    }

    /// Appends a value (not text: use [`Row::push_str`]).
    pub fn push(&mut self, v: Value) {
        self.values.push(v);
    }

    /// Appends a text value.
    pub fn push_str(&mut self, s: &str) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        self.values.push(Value::Str {
            start,
            end: self.text.len() as u32,
        });
    }

    /// Appends a text value made of `chars` (no intermediate `String`).
    pub fn push_chars(&mut self, chars: impl Iterator<Item = char>) {
        let start = self.text.len() as u32;
        self.text.extend(chars);
        self.values.push(Value::Str {
            start,
            end: self.text.len() as u32,
        });
    }

    /// Appends the value `i` of `other` (text copied into this row's buffer).
    pub fn push_from(&mut self, other: &Row, i: usize) {
        match other.get(i) {
            ValueRef::Str(s) => self.push_str(s),
            _ => self.push(other.values.get(i).copied().unwrap_or(Value::Missing)),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the row holds no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Value `i` (`Missing` past the end).
    pub fn get(&self, i: usize) -> ValueRef<'_> {
        match self.values.get(i) {
            None | Some(Value::Missing) => ValueRef::Missing,
            Some(Value::F32(v)) => ValueRef::F32(*v),
            Some(Value::F64(v)) => ValueRef::F64(*v),
            Some(Value::I32(v)) => ValueRef::I32(*v),
            Some(Value::U32(v)) => ValueRef::U32(*v),
            Some(Value::U64(v)) => ValueRef::U64(*v),
            Some(Value::Bool(v)) => ValueRef::Bool(*v),
            Some(Value::Char(v)) => ValueRef::Char(*v),
            Some(Value::Str { start, end }) => ValueRef::Str(
                self.text
                    .get(*start as usize..*end as usize)
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Decodes a sim's frames into rows of channel values. Made by [`crate::Sim::channels`] for
/// one page list (a recording segment).
pub trait ChannelSource: Send {
    /// The channels of frames like `pages` (the first frame of the segment; pages in the
    /// order of the page list the source was made for). Sims whose variable list is data
    /// (iRacing's var headers) read it from these pages; the channels then stay fixed, and
    /// [`ChannelSource::decode`] fails on a frame whose layout differs.
    fn channels(&mut self, pages: &[&[u8]]) -> Result<ChannelList, SimError>;

    /// Clears `row` and fills it with one value per channel of [`ChannelSource::channels`]
    /// (which must have been called first), in channel order.
    fn decode(&mut self, pages: &[&[u8]], row: &mut Row) -> Result<(), SimError>;
}

/// Which of a sim's channels a lap trace (the server's speed/throttle/brake/… plot against lap
/// distance) reads, and how to bring them to common units. Given by [`crate::Sim::trace_channels`]
/// in each sim's folder, since only the sim knows its names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceChannels {
    /// Channel of the car's speed.
    pub speed: &'static str,
    /// Factor from that channel's unit to km/h (1.0 for km/h, 3.6 for m/s).
    pub speed_to_kmh: f64,
    /// Throttle pedal, 0 to 1.
    pub throttle: &'static str,
    /// Brake pedal, 0 to 1.
    pub brake: &'static str,
    /// Gear channel.
    pub gear: &'static str,
    /// Added to the gear value so that −1 is reverse, 0 neutral, 1 first.
    pub gear_offset: i64,
    /// Steering channel (as the sim gives it: see `steering_unit`).
    pub steering: &'static str,
    /// Unit of the steering channel (`rad`, or `-1..1` for a normalised input).
    pub steering_unit: &'static str,
    /// Engine speed, revolutions per minute.
    pub rpm: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_text_apart_and_reuse_buffers() {
        let mut r = Row::new();
        r.push(Value::F32(1.5));
        r.push_str("Monza");
        r.push_chars("ab".chars());
        r.push(Value::Missing);
        assert_eq!(r.len(), 4);
        assert_eq!(r.get(0), ValueRef::F32(1.5));
        assert_eq!(r.get(1), ValueRef::Str("Monza"));
        assert_eq!(r.get(2), ValueRef::Str("ab"));
        assert_eq!(r.get(3), ValueRef::Missing);
        assert_eq!(r.get(9), ValueRef::Missing);
        let cap = (r.values.capacity(), r.text.capacity());
        r.clear();
        assert!(r.is_empty());
        r.push_str("Spa");
        assert_eq!(r.get(0), ValueRef::Str("Spa"));
        assert_eq!((r.values.capacity(), r.text.capacity()), cap);
        let mut o = Row::new();
        o.push_from(&r, 0);
        o.push_from(&r, 5);
        assert_eq!(o.get(0), ValueRef::Str("Spa"));
        assert_eq!(o.get(1), ValueRef::Missing);
    }

    #[test]
    fn integers_read_as_lap_numbers() {
        assert_eq!(ValueRef::I32(-3).as_i64(), Some(-3));
        assert_eq!(ValueRef::U32(7).as_i64(), Some(7));
        assert_eq!(ValueRef::U64(u64::MAX).as_i64(), None);
        assert_eq!(ValueRef::F32(1.0).as_i64(), None);
    }
}
