//! Recording iRacing's live mapping: one frame per new tick, each row copied under the torn-read
//! check of its buffer, catching up through the rotating buffers when the recorder was late,
//! the YAML re-read (consistently) whenever `sessionInfoUpdate` moves.
//!
//! Every offset and count comes from the mapping's own header and is validated against the
//! mapping's length before use ([`Header::validate`]), so the version-1 (2015) layout reads as
//! well as today's, and a hostile mapping gives an error, never a panic.

use std::time::Duration;

use ksana_format::PageSpec;
use ksana_shm::{Event, Mapping, ShmNamespace};

use super::layout::{
    self, DATA_VALID_EVENT_NAME, HEADER_LEN, Header, MEMMAP_NAME, STATUS_CONNECTED, VAR_HEADER_LEN,
    VarHeader, page_index,
};
use crate::sim::{Poll, SimError, SimReader, Snapshot};

/// Offset of `sessionInfoUpdate` in the header.
const SESSION_INFO_UPDATE: usize = 12;
/// Offset of `status` in the header.
const STATUS: usize = 4;
/// Attempts at a consistent YAML copy before keeping the previous text for this poll.
const YAML_TRIES: usize = 4;

/// Offset of `varBuf[i].tickCount`.
fn tick_at(i: usize) -> usize {
    48 + 16 * i
}

/// Offset of `varBuf[i].tickCountBegin`.
fn tick_begin_at(i: usize) -> usize {
    48 + 16 * i + 8
}

/// A layout fault of the live mapping as a [`SimError`].
pub(super) fn layout_err(e: layout::LayoutError) -> SimError {
    SimError::Layout {
        page: MEMMAP_NAME.into(),
        detail: e.to_string(),
    }
}

/// The static part of a live layout: what must not change while the sim runs.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Static {
    num_vars: i32,
    buf_len: i32,
    num_buf: i32,
    var_header_offset: i32,
    session_info_offset: i32,
    session_info_len: i32,
    buf_offsets: Vec<i32>,
    var_headers: Vec<u8>,
}

/// Reads and checks the header and var headers of the mapping.
fn read_static(map: &Mapping) -> Result<(Header, Static, Vec<VarHeader>), SimError> {
    if map.len() < HEADER_LEN {
        return Err(layout_err(layout::LayoutError {
            offset: map.len(),
            what: format!("{} bytes, an irsdk_header needs {HEADER_LEN}", map.len()),
        }));
    }
    let mut hb = [0u8; HEADER_LEN];
    map.read(0, &mut hb)?;
    let h = Header::parse(&hb).map_err(layout_err)?;
    h.validate(map.len()).map_err(layout_err)?;
    let table = map.read_vec(
        h.var_header_offset as usize,
        h.num_vars as usize * VAR_HEADER_LEN,
    )?;
    let vars = layout::parse_var_headers(&table, h.num_vars as usize, h.buf_len as usize).map_err(
        |e| {
            layout_err(layout::LayoutError {
                offset: h.var_header_offset as usize + e.offset,
                what: e.what,
            })
        },
    )?;
    let st = Static {
        num_vars: h.num_vars,
        buf_len: h.buf_len,
        num_buf: h.num_buf,
        var_header_offset: h.var_header_offset,
        session_info_offset: h.session_info_offset,
        session_info_len: h.session_info_len,
        buf_offsets: (0..h.num_buf as usize)
            .map(|i| h.var_buf[i].buf_offset)
            .collect(),
        var_headers: table,
    };
    Ok((h, st, vars))
}

/// The live iRacing mapping as a [`SimReader`]: pages of [`layout::page_specs`].
pub struct LiveReader {
    map: Mapping,
    /// Scratch for the var-header table, compared each new tick with the segment's.
    table: Vec<u8>,
    /// The sim marks row writes with `tickCountBegin`, so every slot can be read back.
    checked: bool,
    ns: ShmNamespace,
    st: Static,
    vars: Vec<VarHeader>,
    /// The YAML text (up to its first NUL) and the `sessionInfoUpdate` it was read under.
    yaml: Vec<u8>,
    yaml_update: i32,
    /// The header page of the last frame.
    header_page: [u8; HEADER_LEN],
    /// Tick of the last row returned.
    last: Option<i32>,
    /// Ticks seen in the buffers after the last one returned, as of the last header read.
    backlog: bool,
    /// The next poll takes the newest row, whatever the backlog.
    skip: bool,
    /// The next `New` marks every page changed (first frame, or first after a new layout).
    fresh: bool,
    ready: Option<Event>,
}

impl LiveReader {
    /// Opens the live mapping in `ns` and checks its layout.
    pub fn open(ns: &ShmNamespace) -> Result<LiveReader, SimError> {
        let map = Mapping::open_read(ns, MEMMAP_NAME)?.ok_or_else(|| SimError::Layout {
            page: MEMMAP_NAME.into(),
            detail: "not present".into(),
        })?;
        let (h, st, vars) = read_static(&map)?;
        let mut r = LiveReader {
            map,
            table: Vec::new(),
            checked: false,
            ns: ns.clone(),
            st,
            vars,
            yaml: Vec::new(),
            yaml_update: h.session_info_update,
            header_page: h.to_page(),
            last: None,
            backlog: false,
            skip: false,
            fresh: true,
            ready: None,
        };
        r.read_yaml(None)?;
        Ok(r)
    }

    /// Re-reads the YAML until `sessionInfoUpdate` is the same before and after the copy.
    /// Returns whether the text was (re)read.
    fn read_yaml(&mut self, expected: Option<i32>) -> Result<bool, SimError> {
        for _ in 0..YAML_TRIES {
            let before = self.map.load_i32_acquire(SESSION_INFO_UPDATE)?;
            if expected == Some(before) {
                return Ok(false);
            }
            let region = self.map.read_vec(
                self.st.session_info_offset as usize,
                self.st.session_info_len as usize,
            )?;
            let after = self.map.load_i32_acquire(SESSION_INFO_UPDATE)?;
            if before == after {
                self.yaml = layout::yaml_text(&region).to_vec();
                self.yaml_update = after;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Copies slot `i`'s row into `row` if the slot still holds `tick` unchanged and no write
    /// into it had begun (SDK 1.20 `tickCountBegin`, when the producer fills it).
    fn read_slot(&self, i: usize, tick: i32, row: &mut Vec<u8>) -> Result<bool, SimError> {
        let begin = self.map.load_i32_acquire(tick_begin_at(i))?;
        if self.map.load_i32_acquire(tick_at(i))? != tick || (begin != 0 && begin != tick) {
            return Ok(false);
        }
        row.resize(self.st.buf_len as usize, 0);
        self.map.read(self.st.buf_offsets[i] as usize, row)?;
        let begin = self.map.load_i32_acquire(tick_begin_at(i))?;
        Ok(self.map.load_i32_acquire(tick_at(i))? == tick && (begin == 0 || begin == tick))
    }
}

impl LiveReader {
    /// Whether the header `h` and the var-header table in the mapping are those of this
    /// segment, without parsing the table.
    fn same_layout(&mut self, h: &Header) -> Result<bool, SimError> {
        let st = &self.st;
        let same_header = h.num_vars == st.num_vars
            && h.buf_len == st.buf_len
            && h.num_buf == st.num_buf
            && h.var_header_offset == st.var_header_offset
            && h.session_info_offset == st.session_info_offset
            && h.session_info_len == st.session_info_len
            && st
                .buf_offsets
                .iter()
                .zip(&h.var_buf)
                .all(|(&o, b)| o == b.buf_offset);
        if !same_header {
            return Ok(false);
        }
        // Same offsets and count as the validated layout, so the table is inside the mapping.
        self.table.resize(st.var_headers.len(), 0);
        self.map
            .read(st.var_header_offset as usize, &mut self.table)?;
        Ok(self.table == self.st.var_headers)
    }
}

impl SimReader for LiveReader {
    fn pages(&self) -> Vec<PageSpec> {
        layout::page_specs(&self.vars, self.st.buf_len as usize, self.yaml.len())
    }

    fn poll(&mut self, snap: &mut Snapshot) -> Result<Poll, SimError> {
        if snap.pages.len() != 4 {
            *snap = Snapshot::with_pages(4);
        }
        let mut hb = [0u8; HEADER_LEN];
        self.map.read(0, &mut hb)?;
        let h = Header::parse(&hb).map_err(layout_err)?;
        if h.status & STATUS_CONNECTED == 0 {
            self.last = None;
            self.backlog = false;
            return Ok(Poll::Stopped);
        }
        // The slots holding rows newer than the last returned, oldest first.
        let n = self.st.num_buf as usize;
        let mut slots: Vec<(i32, usize)> = (0..n)
            .map(|i| (h.var_buf[i].tick_count, i))
            .filter(|&(t, _)| t > 0 && self.last.is_none_or(|l| t > l))
            .collect();
        let top = (0..n).map(|i| h.var_buf[i].tick_count).max().unwrap_or(0);
        if self.last.is_some_and(|l| top < l) {
            // The ticks went back (a new producer): start again from its newest row.
            self.last = None;
            return self.poll(snap);
        }
        if slots.is_empty() {
            self.backlog = false;
            return Ok(Poll::Same);
        }
        // A new tick: the layout must be the one this segment declared. Compared as bytes
        // first; parsed (names, types) only when something differs.
        if !self.same_layout(&h)?
            && let (h2, st, vars) = read_static(&self.map)?
            && st != self.st
        {
            self.st = st;
            self.vars = vars;
            self.last = None;
            self.backlog = false;
            self.fresh = true;
            self.read_yaml(None)?;
            self.header_page = h2.to_page();
            return Ok(Poll::LayoutChanged);
        }
        slots.sort_unstable();
        let newest = slots[slots.len() - 1].0;
        // Without `tickCountBegin` a write into a slot cannot be seen until it completes, and
        // the oldest slot is the one the sim writes next: only the newer ones are read back.
        let checked = (0..n).any(|i| h.var_buf[i].tick_count_begin != 0);
        self.checked = checked;
        let oldest_safe = if checked || n < 3 {
            i32::MIN
        } else {
            newest - (n as i32 - 2)
        };
        if self.skip || self.last.is_none() {
            slots.drain(..slots.len() - 1);
        } else {
            slots.retain(|&(t, _)| t >= oldest_safe);
        }
        self.skip = false;
        let mut got = None;
        for (k, &(tick, i)) in slots.iter().enumerate() {
            if self.read_slot(i, tick, &mut snap.pages[page_index::ROW])? {
                got = Some((tick, k + 1 < slots.len()));
                break;
            }
        }
        let Some((tick, more)) = got else {
            // Every candidate was overwritten while we read: the next poll sees newer ones.
            return Ok(Poll::Same);
        };
        self.backlog = more;
        self.last = Some(tick);
        let fresh = std::mem::take(&mut self.fresh);
        let yaml_new = self.read_yaml(Some(self.yaml_update))?;
        let mut cur = h;
        cur.session_info_update = self.yaml_update;
        let page = cur.to_page();
        let header_new = page != self.header_page;
        self.header_page = page;
        snap.pages[page_index::HEADER].clear();
        snap.pages[page_index::HEADER].extend_from_slice(&self.header_page);
        if fresh || yaml_new {
            snap.pages[page_index::SESSION_INFO].clone_from(&self.yaml);
        }
        if fresh {
            snap.pages[page_index::VAR_HEADERS].clone_from(&self.st.var_headers);
        }
        snap.changed[page_index::HEADER] = fresh || header_new;
        snap.changed[page_index::VAR_HEADERS] = fresh;
        snap.changed[page_index::SESSION_INFO] = fresh || yaml_new;
        snap.changed[page_index::ROW] = true;
        snap.tick = Some(tick.max(0) as u64);
        let rate = if h.tick_rate > 0 { h.tick_rate } else { 60 };
        snap.age = Duration::from_secs_f64(f64::from(newest - tick) / f64::from(rate));
        Ok(Poll::New)
    }

    fn nominal_interval(&self) -> Option<Duration> {
        Some(Duration::from_micros(16_667))
    }

    fn pending(&self) -> bool {
        self.backlog
    }

    fn skip_backlog(&mut self) {
        self.skip = true;
        self.backlog = false;
    }

    fn tick_step(&self) -> Option<u64> {
        Some(1)
    }

    /// The rows behind the newest that `poll` reads back: all but the newest with
    /// `tickCountBegin`, else all but the newest and the slot the sim writes next.
    fn history(&self) -> u32 {
        let n = self.st.num_buf.clamp(1, layout::MAX_BUFS as i32) as u32;
        if self.checked {
            n - 1
        } else {
            n.saturating_sub(2)
        }
    }

    /// Waits on `Local\IRSDKDataValidEvent` on Windows, where the sim pulses it every tick. On
    /// Linux an event is a counter file polled every 0.5 ms, no better than the engine's own
    /// paced polling, so the engine polls instead.
    fn wait(&mut self, timeout: Duration) -> bool {
        if !cfg!(windows) {
            return false;
        }
        if self.ready.is_none() {
            self.ready = Event::open(&self.ns, DATA_VALID_EVENT_NAME).ok().flatten();
        }
        match &self.ready {
            Some(ev) => ev.wait(timeout).is_ok(),
            None => false,
        }
    }
}

/// Reads `status` and the newest tick of the mapping, if its header is there.
pub(super) fn status_and_tick(map: &Mapping) -> Result<Option<(i32, i32)>, SimError> {
    if map.len() < HEADER_LEN {
        return Ok(None);
    }
    let status = map.load_i32_acquire(STATUS)?;
    let num_buf = map.load_i32_acquire(32)?.clamp(1, layout::MAX_BUFS as i32) as usize;
    let mut newest = i32::MIN;
    for i in 0..num_buf {
        newest = newest.max(map.load_i32_acquire(tick_at(i))?);
    }
    Ok(Some((status, newest)))
}
