//! iRacing frames as export channels ([`crate::channels`]): every variable of the var-header
//! page, named as iRacing names it (`Speed`, `CarIdxLapDistPct[3]` for array elements), with
//! the var header's unit and the header's tick rate as the rate hint. Types follow
//! `irsdk_VarType`: float → f32, double → f64, int → i32, bitField → u32, bool, char.
//! The lap number is the `Lap` variable when the file has it.
//!
//! The variable list is data (the var-header page of the segment's first frame); a later
//! frame whose var-header page differs is refused rather than decoded with the wrong offsets.

use ksana_format::PageSpec;

use super::layout::{
    Header, LAYOUT, PAGE_HEADER, PAGE_ROW, PAGE_SESSION_INFO, PAGE_VAR_HEADERS, VarType,
    page_index, parse_var_headers,
};
use crate::channels::{Channel, ChannelList, ChannelSource, ChannelType, LapRule, Row, Value};
use crate::sim::SimError;

/// A source for frames with `pages`, or `None` unless they are the iRacing page set of
/// [`super::layout::page_specs`] (names, order and layout name).
pub(crate) fn channels(pages: &[PageSpec]) -> Option<Box<dyn ChannelSource>> {
    let names = [PAGE_HEADER, PAGE_VAR_HEADERS, PAGE_SESSION_INFO, PAGE_ROW];
    let ok = pages.len() == names.len()
        && pages
            .iter()
            .zip(names)
            .all(|(p, n)| p.name == n && p.layout == LAYOUT);
    ok.then(|| Box::new(IracingChannels::default()) as Box<dyn ChannelSource>)
}

/// One channel's place in the row.
#[derive(Clone, Copy, Debug)]
struct Slot {
    offset: usize,
    ty: VarType,
}

/// The var-header page the channels were made from, and how to read each channel.
#[derive(Default)]
struct IracingChannels {
    var_page: Vec<u8>,
    slots: Vec<Slot>,
}

fn layout_err(page: &str, e: impl std::fmt::Display) -> SimError {
    SimError::Layout {
        page: page.into(),
        detail: e.to_string(),
    }
}

fn page<'a>(pages: &[&'a [u8]], i: usize, name: &str) -> Result<&'a [u8], SimError> {
    pages
        .get(i)
        .copied()
        .ok_or_else(|| layout_err(name, "missing from the frame"))
}

fn channel_type(t: VarType) -> ChannelType {
    match t {
        VarType::Char => ChannelType::Char,
        VarType::Bool => ChannelType::Bool,
        VarType::Int => ChannelType::I32,
        VarType::BitField => ChannelType::U32,
        VarType::Float => ChannelType::F32,
        VarType::Double => ChannelType::F64,
    }
}

impl ChannelSource for IracingChannels {
    fn channels(&mut self, pages: &[&[u8]]) -> Result<ChannelList, SimError> {
        let header = Header::parse(page(pages, page_index::HEADER, PAGE_HEADER)?)
            .map_err(|e| layout_err(PAGE_HEADER, e))?;
        let num_vars = usize::try_from(header.num_vars)
            .map_err(|_| layout_err(PAGE_HEADER, format!("numVars {}", header.num_vars)))?;
        let buf_len = usize::try_from(header.buf_len)
            .map_err(|_| layout_err(PAGE_HEADER, format!("bufLen {}", header.buf_len)))?;
        let var_page = page(pages, page_index::VAR_HEADERS, PAGE_VAR_HEADERS)?;
        let vars = parse_var_headers(var_page, num_vars, buf_len)
            .map_err(|e| layout_err(PAGE_VAR_HEADERS, e))?;
        let rate = (header.tick_rate > 0).then_some(f64::from(header.tick_rate));
        let mut channels = Vec::new();
        let mut lap = None;
        self.slots.clear();
        for v in &vars {
            if v.name == "Lap" && v.count == 1 && v.var_type == VarType::Int {
                lap = Some(LapRule {
                    channel: channels.len(),
                    add: 0,
                });
            }
            for i in 0..v.count as usize {
                channels.push(Channel {
                    name: if v.count == 1 {
                        v.name.clone()
                    } else {
                        format!("{}[{i}]", v.name)
                    },
                    unit: v.unit.clone(),
                    ty: channel_type(v.var_type),
                    rate_hz: rate,
                });
                self.slots.push(Slot {
                    offset: v.offset as usize + i * v.var_type.size(),
                    ty: v.var_type,
                });
            }
        }
        self.var_page = var_page.to_vec();
        Ok(ChannelList { channels, lap })
    }

    /// A value past the end of a short row is `Missing`.
    fn decode(&mut self, pages: &[&[u8]], row: &mut Row) -> Result<(), SimError> {
        let var_page = page(pages, page_index::VAR_HEADERS, PAGE_VAR_HEADERS)?;
        if var_page != self.var_page.as_slice() {
            return Err(layout_err(
                PAGE_VAR_HEADERS,
                "the variable list changed within a segment; export the segments one by one",
            ));
        }
        let b = page(pages, page_index::ROW, PAGE_ROW)?;
        row.clear();
        for s in &self.slots {
            let o = s.offset;
            let bytes = b.get(o..o.saturating_add(s.ty.size()));
            let v = match (s.ty, bytes) {
                (_, None) => Value::Missing,
                (VarType::Char, Some(x)) => Value::Char(x[0]),
                (VarType::Bool, Some(x)) => Value::Bool(x[0] != 0),
                (VarType::Int, Some(x)) => Value::I32(i32::from_le_bytes([x[0], x[1], x[2], x[3]])),
                (VarType::BitField, Some(x)) => {
                    Value::U32(u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
                }
                (VarType::Float, Some(x)) => {
                    Value::F32(f32::from_le_bytes([x[0], x[1], x[2], x[3]]))
                }
                (VarType::Double, Some(x)) => {
                    Value::F64(f64::from_le_bytes(x.try_into().unwrap_or([0; 8])))
                }
            };
            row.push(v);
        }
        Ok(())
    }
}
