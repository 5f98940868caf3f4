//! The AC family's pages as export channels ([`crate::channels`]): every named member of
//! physics, graphics and static, from the generated `*_FIELDS` tables of each member's
//! `layout.rs` (`tools/gen_assetto_layouts.py`).
//!
//! Names are the C struct's member names (AC Evo's embedded structs as `member.field`), arrays
//! expanded as `name[i]` (`name[i][j]` for two dimensions), strings decoded as one text channel.
//! A name found on more than one page (`packetId` is on physics and graphics) is prefixed with
//! its page on every page it is on: `physics.packetId`, `graphics.packetId`. Physics channels
//! carry the family's physics step (333 Hz) as their rate hint; graphics and static none.

use std::collections::HashMap;

use ksana_format::PageSpec;

use super::{Family, PageKind};
use crate::channels::{Channel, ChannelList, ChannelSource, ChannelType, LapRule, Row, Value};
use crate::sim::SimError;

/// The physics step of the family, Hz: the rate hint of physics channels.
pub const PHYSICS_RATE_HZ: f64 = 333.0;

/// The C type of a struct member, as the channel decoder reads it (little-endian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// `int8_t`.
    I8,
    /// `short`.
    I16,
    /// `int`, `int32_t` and enums.
    I32,
    /// `uint8_t`.
    U8,
    /// `unsigned short`.
    U16,
    /// `uint32_t`.
    U32,
    /// `uint64_t`.
    U64,
    /// `float`.
    F32,
    /// C++ `bool` (one byte).
    Bool,
    /// `wchar_t` text (UTF-16LE, NUL-terminated).
    Utf16,
    /// `char` text (one byte per unit, NUL-terminated).
    Utf8,
}

impl FieldType {
    /// Bytes per element (per code unit for text).
    pub fn width(self) -> usize {
        match self {
            FieldType::I8 | FieldType::U8 | FieldType::Bool | FieldType::Utf8 => 1,
            FieldType::I16 | FieldType::U16 | FieldType::Utf16 => 2,
            FieldType::I32 | FieldType::U32 | FieldType::F32 => 4,
            FieldType::U64 => 8,
        }
    }

    /// True for text members (the last dim is the length in code units).
    pub fn is_text(self) -> bool {
        matches!(self, FieldType::Utf16 | FieldType::Utf8)
    }

    /// The channel type of its values.
    pub fn channel_type(self) -> ChannelType {
        match self {
            FieldType::I8 | FieldType::I16 | FieldType::I32 => ChannelType::I32,
            FieldType::U8 | FieldType::U16 | FieldType::U32 => ChannelType::U32,
            FieldType::U64 => ChannelType::U64,
            FieldType::F32 => ChannelType::F32,
            FieldType::Bool => ChannelType::Bool,
            FieldType::Utf16 | FieldType::Utf8 => ChannelType::Str,
        }
    }
}

/// The lap-trace channels every member of the family shares on its physics page
/// (`speedKmh`, `gas`, `brake`, `gear` with 0 = reverse, `steerAngle` −1 to 1, `rpms`).
pub const TRACE_CHANNELS: crate::channels::TraceChannels = crate::channels::TraceChannels {
    speed: "speedKmh",
    speed_to_kmh: 1.0,
    throttle: "gas",
    brake: "brake",
    gear: "gear",
    gear_offset: -1,
    steering: "steerAngle",
    steering_unit: "-1..1",
    rpm: "rpms",
};

/// One named member of a page struct (a row of a generated `*_FIELDS` table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// C member name (`speedKmh`; embedded AC Evo members `tyre_lf.core_temp`).
    pub name: &'static str,
    /// Byte offset in the page.
    pub offset: u32,
    /// C type.
    pub ty: FieldType,
    /// Array dims (empty for a scalar); for text the last dim is the length in code units.
    pub dims: &'static [u32],
    /// Unit when the official documents state one, else empty.
    pub unit: &'static str,
}

/// A member's channel tables: the three pages' fields, the lap counter and unit corrections.
#[derive(Clone, Copy, Debug)]
pub struct ChannelTables {
    /// Fields of the physics page.
    pub physics: &'static [FieldDef],
    /// Fields of the graphics page.
    pub graphics: &'static [FieldDef],
    /// Fields of the static page.
    pub statics: &'static [FieldDef],
    /// The member holding the completed-lap count, and what to add to it for the lap number
    /// (`completedLaps` + 1).
    pub lap: Option<(&'static str, i64)>,
    /// Units that differ from the tables for this member (AC Rally's Kelvin temperatures):
    /// (C member name, unit).
    pub units: &'static [(&'static str, &'static str)],
}

/// How one channel is read.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// Index of the page in the frame.
    page: usize,
    /// Byte offset in the page.
    offset: usize,
    ty: FieldType,
    /// Code units for text.
    len: usize,
}

/// The family's [`ChannelSource`]: fixed channels from the tables, decoded by offset.
pub struct FamilyChannels {
    list: ChannelList,
    slots: Vec<Slot>,
}

fn page_prefix(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Physics => "physics",
        PageKind::Graphics => "graphics",
        PageKind::Static => "static",
    }
}

/// Every index tuple of `dims` in row-major order, as `[i][j]` suffixes.
fn suffixes(dims: &[u32]) -> Vec<String> {
    let mut out = vec![String::new()];
    for &d in dims {
        out = out
            .iter()
            .flat_map(|s| (0..d).map(move |i| format!("{s}[{i}]")))
            .collect();
    }
    out
}

impl FamilyChannels {
    /// A source for frames with `pages`, or `None` unless they are `fam`'s pages (physics,
    /// and graphics and static when present) under its layout ids.
    pub fn new(fam: &Family, tables: &ChannelTables, pages: &[PageSpec]) -> Option<FamilyChannels> {
        let mut found: Vec<(usize, PageKind)> = Vec::new();
        for (i, spec) in pages.iter().enumerate() {
            let def = fam.page_named(&spec.name)?;
            if spec.layout != def.layout || found.iter().any(|(_, k)| *k == def.kind) {
                return None;
            }
            found.push((i, def.kind));
        }
        if !found.iter().any(|(_, k)| *k == PageKind::Physics) {
            return None;
        }
        found.sort_by_key(|(_, k)| match k {
            PageKind::Physics => 0,
            PageKind::Graphics => 1,
            PageKind::Static => 2,
        });
        let table = |k: PageKind| match k {
            PageKind::Physics => tables.physics,
            PageKind::Graphics => tables.graphics,
            PageKind::Static => tables.statics,
        };
        let mut pages_of: HashMap<&str, usize> = HashMap::new();
        for (_, k) in &found {
            for f in table(*k) {
                *pages_of.entry(f.name).or_default() += 1;
            }
        }
        let mut channels = Vec::new();
        let mut slots = Vec::new();
        let mut lap = None;
        for (page, kind) in found {
            for f in table(kind) {
                let base = if pages_of.get(f.name).copied().unwrap_or(0) > 1 {
                    format!("{}.{}", page_prefix(kind), f.name)
                } else {
                    f.name.to_string()
                };
                let unit = tables
                    .units
                    .iter()
                    .find(|(n, _)| *n == f.name)
                    .map_or(f.unit, |(_, u)| u);
                let (array, len) = if f.ty.is_text() {
                    let (last, rest) = f.dims.split_last().map_or((1, &[][..]), |(l, r)| (*l, r));
                    (rest, last as usize)
                } else {
                    (f.dims, 1)
                };
                let step = f.ty.width() * len;
                for (n, sfx) in suffixes(array).into_iter().enumerate() {
                    if let Some((name, add)) = tables.lap
                        && name == f.name
                        && n == 0
                    {
                        lap = Some(LapRule {
                            channel: channels.len(),
                            add,
                        });
                    }
                    channels.push(Channel {
                        name: format!("{base}{sfx}"),
                        unit: unit.to_string(),
                        ty: f.ty.channel_type(),
                        rate_hz: (kind == PageKind::Physics).then_some(PHYSICS_RATE_HZ),
                    });
                    slots.push(Slot {
                        page,
                        offset: f.offset as usize + n * step,
                        ty: f.ty,
                        len,
                    });
                }
            }
        }
        Some(FamilyChannels {
            list: ChannelList { channels, lap },
            slots,
        })
    }
}

fn le<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

impl ChannelSource for FamilyChannels {
    fn channels(&mut self, _pages: &[&[u8]]) -> Result<ChannelList, SimError> {
        Ok(self.list.clone())
    }

    /// A value whose bytes lie outside its page (a missing or short page) is `Missing`.
    fn decode(&mut self, pages: &[&[u8]], row: &mut Row) -> Result<(), SimError> {
        row.clear();
        for s in &self.slots {
            let b = pages.get(s.page).copied().unwrap_or_default();
            let o = s.offset;
            let v = match s.ty {
                FieldType::I8 => le::<1>(b, o).map(|x| Value::I32(i32::from(x[0] as i8))),
                FieldType::U8 => le::<1>(b, o).map(|x| Value::U32(u32::from(x[0]))),
                FieldType::Bool => le::<1>(b, o).map(|x| Value::Bool(x[0] != 0)),
                FieldType::I16 => {
                    le::<2>(b, o).map(|x| Value::I32(i32::from(i16::from_le_bytes(x))))
                }
                FieldType::U16 => {
                    le::<2>(b, o).map(|x| Value::U32(u32::from(u16::from_le_bytes(x))))
                }
                FieldType::I32 => le::<4>(b, o).map(|x| Value::I32(i32::from_le_bytes(x))),
                FieldType::U32 => le::<4>(b, o).map(|x| Value::U32(u32::from_le_bytes(x))),
                FieldType::F32 => le::<4>(b, o).map(|x| Value::F32(f32::from_le_bytes(x))),
                FieldType::U64 => le::<8>(b, o).map(|x| Value::U64(u64::from_le_bytes(x))),
                FieldType::Utf16 | FieldType::Utf8 => {
                    let n = s.len * s.ty.width();
                    match b.get(o..o + n) {
                        None => None,
                        Some(t) if s.ty == FieldType::Utf16 => {
                            let units = t
                                .chunks_exact(2)
                                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                                .take_while(|&u| u != 0);
                            row.push_chars(
                                char::decode_utf16(units)
                                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)),
                            );
                            continue;
                        }
                        Some(t) => {
                            let end = t.iter().position(|&c| c == 0).unwrap_or(t.len());
                            row.push_str(&String::from_utf8_lossy(&t[..end]));
                            continue;
                        }
                    }
                }
            };
            row.push(v.unwrap_or(Value::Missing));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_expand_row_major() {
        assert_eq!(suffixes(&[]), vec![String::new()]);
        assert_eq!(suffixes(&[2]), vec!["[0]", "[1]"]);
        assert_eq!(
            suffixes(&[2, 3]),
            vec!["[0][0]", "[0][1]", "[0][2]", "[1][0]", "[1][1]", "[1][2]"]
        );
    }
}
