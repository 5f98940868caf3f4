//! iRacing's memory layout, byte by byte (`../shared/reference/iracing.md` §2–§4, §12): the
//! 112-byte `irsdk_header`, its four `irsdk_varBuf` slots, the 144-byte `irsdk_varHeader`, the
//! `.ibt` disk sub-header, and the pages an iRacing recording stores.
//!
//! Every parser here takes bytes from outside (live memory, an `.ibt`, a recording) and checks
//! every offset, length and count before trusting it; errors carry the byte offset.
//!
//! # What an iRacing recording holds
//!
//! | page | bytes | changes |
//! |---|---|---|
//! | [`PAGE_HEADER`] | the 112-byte `irsdk_header` with bytes 40..112 (`curBufTickCount`, `curBuf`, `varBuf[4]`) zeroed: the buffer bookkeeping belongs to the publisher, the tick to the frame | on a YAML update (`sessionInfoUpdate`) |
//! | [`PAGE_VAR_HEADERS`] | `numVars` × 144 bytes of var headers | never within a segment (a new layout is a new segment) |
//! | [`PAGE_SESSION_INFO`] | the session-info YAML as text, up to its first NUL (live) or its exact length (`.ibt`); the page's size follows the text | when `sessionInfoUpdate` changes |
//! | [`PAGE_ROW`] | one variable row, `bufLen` bytes, field map from the var headers | every tick |
//!
//! The frame's tick is the live `varBuf[].tickCount` of the row (an `.ibt` row's `SessionTick`).

use ksana_format::{FieldKind, FieldRuns, PageSpec, merge_runs};

/// The live mapping, `Local\IRSDKMemMapFileName`.
pub const MEMMAP_NAME: &str = "Local\\IRSDKMemMapFileName";
/// The data-valid event, `Local\IRSDKDataValidEvent` (manual reset, pulsed every tick).
pub const DATA_VALID_EVENT_NAME: &str = "Local\\IRSDKDataValidEvent";
/// `RegisterWindowMessage` name of the broadcast message.
pub const BROADCAST_MSG_NAME: &str = "IRSDK_BROADCASTMSG";

/// Size of `irsdk_header`.
pub const HEADER_LEN: usize = 112;
/// Size of `irsdk_diskSubHeader` (`.ibt` only, at offset 112).
pub const DISK_SUBHEADER_LEN: usize = 32;
/// Size of one `irsdk_varHeader`.
pub const VAR_HEADER_LEN: usize = 144;
/// Number of `varBuf` slots in the header (iRacing uses 3).
pub const MAX_BUFS: usize = 4;
/// `IRSDK_MAX_VARS`: var-header slots the live mapping reserves.
pub const MAX_VARS: usize = 4096;
/// `IRSDK_MAX_STRING`: bytes of a var name or unit.
pub const MAX_STRING: usize = 32;
/// `IRSDK_MAX_DESC`: bytes of a var description.
pub const MAX_DESC: usize = 64;
/// `irsdk_stConnected`.
pub const STATUS_CONNECTED: i32 = 1;
/// The current header version; version 1 (2015) has the same header with a smaller YAML region.
pub const CURRENT_VER: i32 = 2;

/// The view size consumers hard-code (pyirsdk, goirsdk): 1164 KiB.
pub const LIVE_MAP_SIZE: usize = 1_191_936;
/// Live: offset of the YAML region.
pub const LIVE_SESSION_INFO_OFFSET: usize = 112;
/// Live: capacity of the YAML region (512 KiB; 128 KiB in version 1).
pub const LIVE_SESSION_INFO_LEN: usize = 524_288;
/// Live: offset of the var-header table.
pub const LIVE_VAR_HEADER_OFFSET: usize = LIVE_SESSION_INFO_OFFSET + LIVE_SESSION_INFO_LEN;
/// Live: stride between row buffers (`IRSDK_MAX_VARS × 6`).
pub const LIVE_BUF_STRIDE: usize = MAX_VARS * 6;
/// Live: offset of row buffer 0.
pub const LIVE_BUF0_OFFSET: usize = LIVE_VAR_HEADER_OFFSET + MAX_VARS * VAR_HEADER_LEN;
/// Live: number of rotating row buffers.
pub const LIVE_NUM_BUF: usize = 3;

/// Recording page: the header with its buffer bookkeeping zeroed.
pub const PAGE_HEADER: &str = "irsdk_header";
/// Recording page: the var-header table.
pub const PAGE_VAR_HEADERS: &str = "irsdk_var_headers";
/// Recording page: the session-info YAML text.
pub const PAGE_SESSION_INFO: &str = "irsdk_session_info";
/// Recording page: one variable row.
pub const PAGE_ROW: &str = "irsdk_row";
/// Layout name the pages of an iRacing recording carry.
pub const LAYOUT: &str = "irsdk";
/// Version of the recording page set described in this module.
pub const LAYOUT_VERSION: u32 = 1;

/// A layout field that cannot be what iRacing writes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset}: {what}")]
pub struct LayoutError {
    /// Byte offset (in the buffer that was parsed) of the offending field.
    pub offset: usize,
    /// What is wrong.
    pub what: String,
}

fn err(offset: usize, what: impl Into<String>) -> LayoutError {
    LayoutError {
        offset,
        what: what.into(),
    }
}

fn i32_at(b: &[u8], off: usize) -> i32 {
    i32::from_le_bytes(b[off..off + 4].try_into().expect("4 bytes"))
}

fn put_i32(b: &mut [u8], off: usize, v: i32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}

/// One `irsdk_varBuf`: which tick a row buffer holds and where it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VarBuf {
    /// Tick of the row, written after the row is complete.
    pub tick_count: i32,
    /// Absolute offset of the row in the mapping.
    pub buf_offset: i32,
    /// SDK 1.20: tick written before the row write starts (0 in all real dumps).
    pub tick_count_begin: i32,
}

/// `irsdk_header`, the 112 bytes at offset 0 of the mapping and of an `.ibt`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Header {
    /// Header version: 2 today, 1 in 2015.
    pub ver: i32,
    /// Status bits; [`STATUS_CONNECTED`] while the sim runs.
    pub status: i32,
    /// Ticks per second (60).
    pub tick_rate: i32,
    /// Incremented whenever the YAML changes (0 in an `.ibt`).
    pub session_info_update: i32,
    /// Live: capacity of the YAML region; `.ibt`: exact YAML length.
    pub session_info_len: i32,
    /// Offset of the YAML.
    pub session_info_offset: i32,
    /// Number of var headers.
    pub num_vars: i32,
    /// Offset of the var-header table.
    pub var_header_offset: i32,
    /// Row buffers in use: 3 live, 1 in an `.ibt`.
    pub num_buf: i32,
    /// Bytes per row.
    pub buf_len: i32,
    /// SDK 1.20: tick of the newest buffer (0 in real dumps).
    pub cur_buf_tick_count: i32,
    /// SDK 1.20: index of the newest buffer (0 in real dumps).
    pub cur_buf: u8,
    /// The four buffer slots.
    pub var_buf: [VarBuf; MAX_BUFS],
}

impl Header {
    /// Reads the header from the first [`HEADER_LEN`] bytes of `b`, checking only that they are
    /// there; [`Header::validate`] checks the values.
    pub fn parse(b: &[u8]) -> Result<Header, LayoutError> {
        if b.len() < HEADER_LEN {
            return Err(err(
                b.len(),
                format!("{} bytes, an irsdk_header needs {HEADER_LEN}", b.len()),
            ));
        }
        let mut var_buf = [VarBuf::default(); MAX_BUFS];
        for (i, vb) in var_buf.iter_mut().enumerate() {
            let o = 48 + 16 * i;
            *vb = VarBuf {
                tick_count: i32_at(b, o),
                buf_offset: i32_at(b, o + 4),
                tick_count_begin: i32_at(b, o + 8),
            };
        }
        Ok(Header {
            ver: i32_at(b, 0),
            status: i32_at(b, 4),
            tick_rate: i32_at(b, 8),
            session_info_update: i32_at(b, 12),
            session_info_len: i32_at(b, 16),
            session_info_offset: i32_at(b, 20),
            num_vars: i32_at(b, 24),
            var_header_offset: i32_at(b, 28),
            num_buf: i32_at(b, 32),
            buf_len: i32_at(b, 36),
            cur_buf_tick_count: i32_at(b, 40),
            cur_buf: b[44],
            var_buf,
        })
    }

    /// Checks that the header describes a layout that fits in `total` bytes (the mapping or
    /// file): a known version, sane counts, and every region inside. Returns the first fault.
    pub fn validate(&self, total: usize) -> Result<(), LayoutError> {
        if !(1..=CURRENT_VER).contains(&self.ver) {
            return Err(err(0, format!("header version {} (known: 1, 2)", self.ver)));
        }
        if !(1..=MAX_BUFS as i32).contains(&self.num_buf) {
            return Err(err(32, format!("numBuf {} (expected 1..=4)", self.num_buf)));
        }
        if !(1..=MAX_VARS as i32).contains(&self.num_vars) {
            return Err(err(
                24,
                format!("numVars {} (expected 1..=4096)", self.num_vars),
            ));
        }
        if self.buf_len <= 0 || self.buf_len as usize > 16 * 1024 * 1024 {
            return Err(err(36, format!("bufLen {}", self.buf_len)));
        }
        region(
            28,
            "var-header table",
            self.var_header_offset,
            self.num_vars as i64 * VAR_HEADER_LEN as i64,
            total,
        )?;
        region(
            20,
            "session info",
            self.session_info_offset,
            self.session_info_len as i64,
            total,
        )?;
        for i in 0..self.num_buf as usize {
            region(
                52 + 16 * i,
                &format!("row buffer {i}"),
                self.var_buf[i].buf_offset,
                self.buf_len as i64,
                total,
            )?;
        }
        Ok(())
    }

    /// Writes the header into the first [`HEADER_LEN`] bytes of `b` (which must be that long).
    pub fn write(&self, b: &mut [u8]) {
        put_i32(b, 0, self.ver);
        put_i32(b, 4, self.status);
        put_i32(b, 8, self.tick_rate);
        put_i32(b, 12, self.session_info_update);
        put_i32(b, 16, self.session_info_len);
        put_i32(b, 20, self.session_info_offset);
        put_i32(b, 24, self.num_vars);
        put_i32(b, 28, self.var_header_offset);
        put_i32(b, 32, self.num_buf);
        put_i32(b, 36, self.buf_len);
        put_i32(b, 40, self.cur_buf_tick_count);
        b[44] = self.cur_buf;
        b[45..48].fill(0);
        for (i, vb) in self.var_buf.iter().enumerate() {
            let o = 48 + 16 * i;
            put_i32(b, o, vb.tick_count);
            put_i32(b, o + 4, vb.buf_offset);
            put_i32(b, o + 8, vb.tick_count_begin);
            put_i32(b, o + 12, 0);
        }
    }

    /// The header as a recording stores it ([`PAGE_HEADER`]): bytes 40..112 zeroed.
    pub fn to_page(&self) -> [u8; HEADER_LEN] {
        let mut h = *self;
        h.cur_buf_tick_count = 0;
        h.cur_buf = 0;
        h.var_buf = [VarBuf::default(); MAX_BUFS];
        let mut b = [0u8; HEADER_LEN];
        h.write(&mut b);
        b
    }

    /// The index of the buffer slot holding the newest row (highest tick count) among the
    /// first `numBuf` slots.
    pub fn newest_buf(&self) -> usize {
        let n = (self.num_buf.clamp(1, MAX_BUFS as i32)) as usize;
        (0..n)
            .max_by_key(|&i| self.var_buf[i].tick_count)
            .unwrap_or(0)
    }
}

/// Checks that `[offset, offset + len)` lies within `total`.
fn region(
    field_offset: usize,
    what: &str,
    offset: i32,
    len: i64,
    total: usize,
) -> Result<(), LayoutError> {
    if offset < 0 || len < 0 || offset as i64 + len > total as i64 {
        return Err(err(
            field_offset,
            format!("{what} at {offset}, {len} bytes, outside the {total} bytes available"),
        ));
    }
    Ok(())
}

/// `irsdk_diskSubHeader`: what an `.ibt` says about its session (offset 112, 32 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DiskSubHeader {
    /// Wall clock when the file was opened, Unix seconds.
    pub session_start_date: i64,
    /// `SessionTime` of the first record.
    pub session_start_time: f64,
    /// `SessionTime` of the last record.
    pub session_end_time: f64,
    /// Laps in the file.
    pub session_lap_count: i32,
    /// Records in the file (0 when the writer crashed before closing).
    pub session_record_count: i32,
}

impl DiskSubHeader {
    /// Reads the sub-header from the first [`DISK_SUBHEADER_LEN`] bytes of `b`.
    pub fn parse(b: &[u8]) -> Result<DiskSubHeader, LayoutError> {
        if b.len() < DISK_SUBHEADER_LEN {
            return Err(err(
                b.len(),
                format!(
                    "{} bytes, a disk sub-header needs {DISK_SUBHEADER_LEN}",
                    b.len()
                ),
            ));
        }
        Ok(DiskSubHeader {
            session_start_date: i64::from_le_bytes(b[0..8].try_into().expect("8")),
            session_start_time: f64::from_le_bytes(b[8..16].try_into().expect("8")),
            session_end_time: f64::from_le_bytes(b[16..24].try_into().expect("8")),
            session_lap_count: i32_at(b, 24),
            session_record_count: i32_at(b, 28),
        })
    }

    /// The 32 bytes of the sub-header.
    pub fn encode(&self) -> [u8; DISK_SUBHEADER_LEN] {
        let mut b = [0u8; DISK_SUBHEADER_LEN];
        b[0..8].copy_from_slice(&self.session_start_date.to_le_bytes());
        b[8..16].copy_from_slice(&self.session_start_time.to_le_bytes());
        b[16..24].copy_from_slice(&self.session_end_time.to_le_bytes());
        put_i32(&mut b, 24, self.session_lap_count);
        put_i32(&mut b, 28, self.session_record_count);
        b
    }
}

/// `irsdk_VarType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum VarType {
    /// 0: one byte of text.
    Char,
    /// 1: one byte, 0 or 1.
    Bool,
    /// 2: 32-bit signed integer (enums too).
    Int,
    /// 3: 32-bit bit field (flag sets).
    BitField,
    /// 4: 32-bit float.
    Float,
    /// 5: 64-bit float.
    Double,
}

impl VarType {
    /// The type for an `irsdk_VarType` value.
    pub fn from_i32(v: i32) -> Option<VarType> {
        Some(match v {
            0 => VarType::Char,
            1 => VarType::Bool,
            2 => VarType::Int,
            3 => VarType::BitField,
            4 => VarType::Float,
            5 => VarType::Double,
            _ => return None,
        })
    }

    /// The `irsdk_VarType` value.
    pub fn to_i32(self) -> i32 {
        match self {
            VarType::Char => 0,
            VarType::Bool => 1,
            VarType::Int => 2,
            VarType::BitField => 3,
            VarType::Float => 4,
            VarType::Double => 5,
        }
    }

    /// Bytes per element (`irsdk_VarTypeBytes`).
    pub fn size(self) -> usize {
        match self {
            VarType::Char | VarType::Bool => 1,
            VarType::Int | VarType::BitField | VarType::Float => 4,
            VarType::Double => 8,
        }
    }

    /// How the recording codec predicts this type.
    pub fn field_kind(self) -> FieldKind {
        match self {
            VarType::Char | VarType::Bool => FieldKind::U8,
            VarType::Int | VarType::BitField => FieldKind::U32,
            VarType::Float => FieldKind::F32,
            VarType::Double => FieldKind::F64,
        }
    }
}

/// One `irsdk_varHeader`: a variable's name, type, place in the row and documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VarHeader {
    /// Element type.
    pub var_type: VarType,
    /// Offset within a row.
    pub offset: u32,
    /// Array length (1 for scalars).
    pub count: u32,
    /// True for the 360 Hz `_ST` variables and similar.
    pub count_as_time: bool,
    /// Name, e.g. `Speed`.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Unit, e.g. `m/s` or `irsdk_Flags`.
    pub unit: String,
}

/// Text of a NUL-padded fixed field; bytes that are not UTF-8 are read as Latin-1 (iRacing
/// writes cp1252).
fn c_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let s = &b[..end];
    match std::str::from_utf8(s) {
        Ok(t) => t.to_owned(),
        Err(_) => s.iter().map(|&c| char::from(c)).collect(),
    }
}

fn put_c_string(b: &mut [u8], s: &str) {
    let bytes = s.as_bytes();
    let n = bytes.len().min(b.len() - 1);
    b[..n].copy_from_slice(&bytes[..n]);
    b[n..].fill(0);
}

impl VarHeader {
    /// Reads one var header from `b` (at least [`VAR_HEADER_LEN`] bytes).
    pub fn parse(b: &[u8]) -> Result<VarHeader, LayoutError> {
        if b.len() < VAR_HEADER_LEN {
            return Err(err(
                b.len(),
                format!("{} bytes, a var header needs {VAR_HEADER_LEN}", b.len()),
            ));
        }
        let t = i32_at(b, 0);
        let var_type = VarType::from_i32(t).ok_or_else(|| err(0, format!("var type {t}")))?;
        let offset = i32_at(b, 4);
        let count = i32_at(b, 8);
        if offset < 0 {
            return Err(err(4, format!("var offset {offset}")));
        }
        if count < 1 {
            return Err(err(8, format!("var count {count}")));
        }
        Ok(VarHeader {
            var_type,
            offset: offset as u32,
            count: count as u32,
            count_as_time: b[12] != 0,
            name: c_string(&b[16..48]),
            desc: c_string(&b[48..112]),
            unit: c_string(&b[112..144]),
        })
    }

    /// The 144 bytes of the var header.
    pub fn encode(&self) -> [u8; VAR_HEADER_LEN] {
        let mut b = [0u8; VAR_HEADER_LEN];
        put_i32(&mut b, 0, self.var_type.to_i32());
        put_i32(&mut b, 4, self.offset as i32);
        put_i32(&mut b, 8, self.count as i32);
        b[12] = u8::from(self.count_as_time);
        put_c_string(&mut b[16..48], &self.name);
        put_c_string(&mut b[48..112], &self.desc);
        put_c_string(&mut b[112..144], &self.unit);
        b
    }

    /// Bytes the variable takes in a row.
    pub fn byte_len(&self) -> usize {
        self.var_type.size() * self.count as usize
    }
}

/// Reads `num_vars` var headers from `table` and checks each lies inside a row of `buf_len`
/// bytes. Offsets in errors are relative to the start of `table`.
pub fn parse_var_headers(
    table: &[u8],
    num_vars: usize,
    buf_len: usize,
) -> Result<Vec<VarHeader>, LayoutError> {
    let need = num_vars
        .checked_mul(VAR_HEADER_LEN)
        .ok_or_else(|| err(0, "var count overflows"))?;
    if table.len() < need {
        return Err(err(
            table.len(),
            format!(
                "{num_vars} var headers need {need} bytes, {} available",
                table.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(num_vars);
    for i in 0..num_vars {
        let at = i * VAR_HEADER_LEN;
        let v = VarHeader::parse(&table[at..at + VAR_HEADER_LEN]).map_err(|e| LayoutError {
            offset: at + e.offset,
            what: format!("var header {i}: {}", e.what),
        })?;
        let end = v.offset as usize + v.byte_len();
        if end > buf_len {
            return Err(err(
                at + 4,
                format!(
                    "var header {i} ({}) ends at byte {end} of a {buf_len}-byte row",
                    v.name
                ),
            ));
        }
        out.push(v);
    }
    Ok(out)
}

/// The codec's field map of a row: each variable's kind at its offset, gaps as bytes.
pub fn row_field_runs(vars: &[VarHeader], buf_len: usize) -> FieldRuns {
    let mut sorted: Vec<&VarHeader> = vars.iter().collect();
    sorted.sort_by_key(|v| v.offset);
    let mut runs = Vec::new();
    let mut at = 0usize;
    for v in sorted {
        let off = v.offset as usize;
        if off < at {
            continue; // overlapping variables: the first one mapped wins
        }
        if off > at {
            runs.push((FieldKind::U8, (off - at) as u32));
        }
        runs.push((v.var_type.field_kind(), v.count));
        at = off + v.byte_len();
    }
    if buf_len > at {
        runs.push((FieldKind::U8, (buf_len - at) as u32));
    }
    merge_runs(&runs)
}

/// The pages of an iRacing recording segment for this layout (see the module docs).
pub fn page_specs(vars: &[VarHeader], buf_len: usize, yaml_len: usize) -> Vec<PageSpec> {
    vec![
        PageSpec::new(PAGE_HEADER, HEADER_LEN as u32).with_layout(LAYOUT, LAYOUT_VERSION),
        PageSpec::new(PAGE_VAR_HEADERS, (vars.len() * VAR_HEADER_LEN) as u32)
            .with_layout(LAYOUT, LAYOUT_VERSION)
            .with_fields(vec![(FieldKind::U8, (vars.len() * VAR_HEADER_LEN) as u32)]),
        PageSpec::new(PAGE_SESSION_INFO, yaml_len as u32)
            .with_layout(LAYOUT, LAYOUT_VERSION)
            .with_fields(vec![(FieldKind::U8, yaml_len as u32)]),
        PageSpec::new(PAGE_ROW, buf_len as u32)
            .with_layout(LAYOUT, LAYOUT_VERSION)
            .with_fields(row_field_runs(vars, buf_len)),
    ]
}

/// Index of each page in [`page_specs`].
pub mod page_index {
    /// [`super::PAGE_HEADER`].
    pub const HEADER: usize = 0;
    /// [`super::PAGE_VAR_HEADERS`].
    pub const VAR_HEADERS: usize = 1;
    /// [`super::PAGE_SESSION_INFO`].
    pub const SESSION_INFO: usize = 2;
    /// [`super::PAGE_ROW`].
    pub const ROW: usize = 3;
}

/// The YAML text of a live region: the bytes before the first NUL.
pub fn yaml_text(region: &[u8]) -> &[u8] {
    let end = region.iter().position(|&c| c == 0).unwrap_or(region.len());
    &region[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    // The live layout, checked at compile time against the real dumps (iracing.md §4.4).
    const _: () = assert!(LIVE_VAR_HEADER_OFFSET == 524_400);
    const _: () = assert!(LIVE_BUF0_OFFSET == 1_114_224);
    const _: () = assert!(LIVE_BUF0_OFFSET + 3 * LIVE_BUF_STRIDE == 1_187_952);
    const _: () = assert!(LIVE_MAP_SIZE >= LIVE_BUF0_OFFSET + 3 * LIVE_BUF_STRIDE);

    #[test]
    fn header_and_var_header_round_trip() {
        let mut h = Header {
            ver: 2,
            status: 1,
            tick_rate: 60,
            session_info_update: 3,
            session_info_len: LIVE_SESSION_INFO_LEN as i32,
            session_info_offset: 112,
            num_vars: 1,
            var_header_offset: LIVE_VAR_HEADER_OFFSET as i32,
            num_buf: 3,
            buf_len: 8,
            cur_buf_tick_count: 7,
            cur_buf: 1,
            var_buf: [VarBuf::default(); MAX_BUFS],
        };
        for i in 0..3 {
            h.var_buf[i].buf_offset = (LIVE_BUF0_OFFSET + i * LIVE_BUF_STRIDE) as i32;
            h.var_buf[i].tick_count = 10 + i as i32;
        }
        let mut b = [0u8; HEADER_LEN];
        h.write(&mut b);
        assert_eq!(Header::parse(&b).unwrap(), h);
        assert_eq!(h.newest_buf(), 2);
        h.validate(LIVE_MAP_SIZE).unwrap();
        assert_eq!(h.validate(1000).unwrap_err().offset, 28);

        let v = VarHeader {
            var_type: VarType::Double,
            offset: 0,
            count: 1,
            count_as_time: false,
            name: "SessionTime".into(),
            desc: "Seconds since session start".into(),
            unit: "s".into(),
        };
        let enc = v.encode();
        assert_eq!(VarHeader::parse(&enc).unwrap(), v);
        assert_eq!(parse_var_headers(&enc, 1, 8).unwrap(), vec![v.clone()]);
        let e = parse_var_headers(&enc, 1, 7).unwrap_err();
        assert_eq!(e.offset, 4);
        assert_eq!(
            row_field_runs(&[v], 12),
            vec![(FieldKind::F64, 1), (FieldKind::U8, 4)]
        );
    }

    #[test]
    fn hostile_headers_are_refused_with_the_offset() {
        assert_eq!(Header::parse(&[0u8; 50]).unwrap_err().offset, 50);
        let h = Header::parse(&[0u8; HEADER_LEN]).unwrap();
        assert_eq!(h.validate(LIVE_MAP_SIZE).unwrap_err().offset, 0);
        let mut b = [0u8; VAR_HEADER_LEN];
        b[0] = 9;
        assert_eq!(VarHeader::parse(&b).unwrap_err().offset, 0);
        assert!(parse_var_headers(&b, usize::MAX / 2, 10).is_err());
    }
}
