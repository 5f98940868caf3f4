//! Playing an iRacing recording back into the live mapping exactly as the sim's own server
//! (`irsdkMemServer`) does, so that pyirsdk, the official SDK client, goirsdk and the Rust
//! crates accept it. Every rule of `../shared/reference/iracing.md` §9, in order:
//!
//! * **Mapping** `Local\IRSDKMemMapFileName` of at least 1,191,936 bytes (consumers map that
//!   view); larger only when a layout needs it (more than 4096 variables, rows over 24 KiB).
//!   Existing mappings are never shrunk. The layout is always today's live one (YAML region of
//!   512 KiB at 112, var headers at 524,400, three 24 KiB row slots from 1,114,224), whatever
//!   the recording came from (live memory of any version, an `.ibt`): consumers read the offsets
//!   from the header.
//! * **Order.** `status = 0` from the moment the publisher opens; the header, var headers, YAML
//!   and all three row slots (each holding the first row, with ticks ≥ 1) are written before
//!   `status = 1` and the first pulse.
//! * **Per tick** (triple buffering): next slot, `tickCountBegin`, row, barrier, `tickCount`,
//!   `curBuf`, `curBufTickCount`, pulse of the manual-reset event `Local\IRSDKDataValidEvent`.
//! * **Counters** are the publisher's own: ticks and `sessionInfoUpdate` keep increasing across
//!   seeks, loops and segments (a new publisher continues from what the mapping holds).
//! * **YAML change**: zero the region, write, barrier, `sessionInfoUpdate += 1`.
//! * **Heartbeat** at 60 Hz ([`SimPublisher::heartbeat`]): the last row again under a new tick,
//!   so a 6 fps recording or a paused player looks like a running sim.
//! * **Layout change** (a new segment with other variables): `status = 0`, a pause (2 s by
//!   default, [`PublisherOptions::layout_pause`]) so consumers drop their cached var headers,
//!   rewrite, `status = 1`.
//! * **Stop**: the last row stays published (still ticking) for 100 ms, then `status = 0`, one
//!   pulse.

use std::time::{Duration, Instant};

use ksana_format::{FrameRef, PageSpec};
use ksana_shm::{Created, Event, EventReset, Mapping, ShmNamespace};

use super::layout::{
    self, DATA_VALID_EVENT_NAME, HEADER_LEN, Header, LIVE_BUF_STRIDE, LIVE_MAP_SIZE, LIVE_NUM_BUF,
    LIVE_SESSION_INFO_LEN, LIVE_SESSION_INFO_OFFSET, MAX_BUFS, MAX_VARS, MEMMAP_NAME, PAGE_HEADER,
    PAGE_ROW, PAGE_SESSION_INFO, PAGE_VAR_HEADERS, STATUS_CONNECTED, VAR_HEADER_LEN, VarBuf,
    page_index,
};
use super::status_server::{ADDR_ENV, StatusServer};
use crate::sim::{PublishContext, SimError, SimPublisher};

const SIM: &str = "iracing";
/// Header offsets written atomically.
const STATUS: usize = 4;
const SESSION_INFO_UPDATE: usize = 12;
const CUR_BUF_TICK_COUNT: usize = 40;
const CUR_BUF: usize = 44;
/// iRacing's tick: consumers expect a new one at least this often (pyirsdk waits 32 ms).
pub const TICK: Duration = Duration::from_nanos(16_666_667);
/// How long the last row stays published, ticking, before `stop` sets status 0.
const STOP_HOLD: Duration = Duration::from_millis(100);
/// The largest mapping a recording may ask for.
const MAX_MAP: usize = 256 << 20;

/// How a [`LivePublisher`] behaves where the reference leaves a choice.
#[derive(Clone, Debug)]
pub struct PublisherOptions {
    /// How long `status` stays 0 before a different var layout is published (reference §9.8:
    /// at least 2 s, so that clients polling at 1 Hz see the disconnect and drop their cached
    /// var headers). Default 2 s.
    pub layout_pause: Duration,
    /// Serve the HTTP sim-status check (see [`status_server_for`]). Default true.
    pub status_server: bool,
}

impl Default for PublisherOptions {
    fn default() -> PublisherOptions {
        PublisherOptions {
            layout_pause: Duration::from_secs(2),
            status_server: true,
        }
    }
}

/// Where things are in the live mapping this publisher writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Live {
    num_vars: usize,
    buf_len: usize,
    yaml_cap: usize,
    var_header_offset: usize,
    buf0: usize,
    stride: usize,
    size: usize,
}

impl Live {
    /// Today's live layout, grown only where these sizes do not fit it.
    fn new(num_vars: usize, buf_len: usize, yaml_len: usize) -> Result<Live, SimError> {
        let yaml_cap = LIVE_SESSION_INFO_LEN.max(yaml_len.div_ceil(4096) * 4096);
        let var_header_offset = LIVE_SESSION_INFO_OFFSET + yaml_cap;
        let stride = buf_len.max(LIVE_BUF_STRIDE).div_ceil(16) * 16;
        let buf0 = var_header_offset + num_vars.max(MAX_VARS) * VAR_HEADER_LEN;
        let size = LIVE_MAP_SIZE.max(buf0 + LIVE_NUM_BUF * stride);
        if size > MAX_MAP {
            return Err(SimError::Incompatible {
                sim: SIM,
                detail: format!(
                    "{num_vars} variables, {buf_len}-byte rows and {yaml_len} bytes of YAML need a {size}-byte mapping"
                ),
            });
        }
        Ok(Live {
            num_vars,
            buf_len,
            yaml_cap,
            var_header_offset,
            buf0,
            stride,
            size,
        })
    }

    fn buf_offset(&self, slot: usize) -> usize {
        self.buf0 + slot * self.stride
    }
}

/// What the mapping held when the publisher opened it, if it was an iRacing layout.
struct Previous {
    num_vars: i32,
    buf_len: i32,
    var_headers: Vec<u8>,
    tick: i32,
    session_info_update: i32,
}

fn previous(map: &Mapping) -> Option<Previous> {
    let hb = map.read_vec(0, HEADER_LEN).ok()?;
    let h = Header::parse(&hb).ok()?;
    h.validate(map.len()).ok()?;
    let vh = map
        .read_vec(
            h.var_header_offset as usize,
            h.num_vars as usize * VAR_HEADER_LEN,
        )
        .ok()?;
    let n = h.num_buf as usize;
    Some(Previous {
        num_vars: h.num_vars,
        buf_len: h.buf_len,
        var_headers: vh,
        tick: (0..n).map(|i| h.var_buf[i].tick_count).max().unwrap_or(0),
        session_info_update: h.session_info_update,
    })
}

/// The HTTP sim-status endpoint for a player in `ns`: on the default namespace at its
/// configured address ([`ADDR_ENV`] or 127.0.0.1:32034); under a private root (tests,
/// side-by-side runs) only when [`ADDR_ENV`] names an address, so that parallel players never
/// fight over the one global port. `ADDR_ENV=off` disables it. Failing to bind is not fatal:
/// a warning on stderr, and consumers that do not check it still connect.
pub fn status_server_for(ns: &ShmNamespace) -> Option<StatusServer> {
    let env = std::env::var(ADDR_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty());
    if env.as_deref().map(str::trim) == Some("off") || (ns.is_private() && env.is_none()) {
        return None;
    }
    match StatusServer::configured_addr().and_then(StatusServer::start) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("ksana: warning: {e}");
            None
        }
    }
}

/// Publishes iRacing recordings into the live mapping; see the module docs.
pub struct LivePublisher {
    map: Mapping,
    event: Event,
    ns: ShmNamespace,
    opts: PublisherOptions,
    lay: Live,
    prev: Option<Previous>,
    opened: Instant,
    /// The last tick published (ticks of the next start after it).
    tick: i32,
    session_info_update: i32,
    var_headers: Vec<u8>,
    yaml: Vec<u8>,
    row: Vec<u8>,
    /// The static layout is in place and `status` is 1.
    live: bool,
    /// When the last tick was published.
    last_write: Option<Instant>,
    status: Option<StatusServer>,
}

fn incompatible(detail: String) -> SimError {
    SimError::Incompatible { sim: SIM, detail }
}

fn page_err(page: &str, detail: String) -> SimError {
    SimError::Layout {
        page: page.into(),
        detail,
    }
}

impl LivePublisher {
    /// Opens the mapping and event for a segment with these pages, default options.
    pub fn open(ns: &ShmNamespace, pages: &[PageSpec]) -> Result<LivePublisher, SimError> {
        LivePublisher::open_with(ns, pages, PublisherOptions::default())
    }

    /// Opens (or creates, never shrinking) the mapping for a segment with these pages and sets
    /// `status = 0` until the first frame has laid out everything.
    pub fn open_with(
        ns: &ShmNamespace,
        pages: &[PageSpec],
        opts: PublisherOptions,
    ) -> Result<LivePublisher, SimError> {
        let names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
        if names != [PAGE_HEADER, PAGE_VAR_HEADERS, PAGE_SESSION_INFO, PAGE_ROW] {
            return Err(incompatible(format!(
                "expected the pages {PAGE_HEADER}, {PAGE_VAR_HEADERS}, {PAGE_SESSION_INFO}, {PAGE_ROW}; found {names:?}"
            )));
        }
        let vh = pages[page_index::VAR_HEADERS].size as usize;
        if vh == 0 || !vh.is_multiple_of(VAR_HEADER_LEN) {
            return Err(incompatible(format!(
                "{PAGE_VAR_HEADERS} is {vh} bytes, not a whole number of {VAR_HEADER_LEN}-byte var headers"
            )));
        }
        let buf_len = pages[page_index::ROW].size as usize;
        if buf_len == 0 {
            return Err(incompatible(format!("{PAGE_ROW} is empty")));
        }
        let lay = Live::new(
            vh / VAR_HEADER_LEN,
            buf_len,
            pages[page_index::SESSION_INFO].size as usize,
        )?;
        let (map, created) = Mapping::open_or_create(ns, MEMMAP_NAME, lay.size)?;
        if map.len() < lay.size {
            return Err(page_err(
                MEMMAP_NAME,
                format!(
                    "the existing mapping has {} bytes, this recording needs {}; close the programs holding it (or restart them) and play again",
                    map.len(),
                    lay.size
                ),
            ));
        }
        let prev = match created {
            Created::New => None,
            Created::Existing => previous(&map),
        };
        map.store_i32_release(STATUS, 0)?;
        let event = Event::create(ns, DATA_VALID_EVENT_NAME, EventReset::Manual)?;
        Ok(LivePublisher {
            tick: prev.as_ref().map_or(0, |p| p.tick.max(0)),
            session_info_update: prev.as_ref().map_or(0, |p| p.session_info_update.max(0)),
            map,
            event,
            ns: ns.clone(),
            opts,
            lay,
            prev,
            opened: Instant::now(),
            var_headers: Vec::new(),
            yaml: Vec::new(),
            row: Vec::new(),
            live: false,
            last_write: None,
            status: None,
        })
    }

    /// The mapping's size.
    pub fn mapping_len(&self) -> usize {
        self.map.len()
    }

    /// The last tick published.
    pub fn last_tick(&self) -> i32 {
        self.tick
    }

    /// Lays out everything from one frame's pages while `status` is 0, then sets it to 1.
    fn install(&mut self, pages: &[&[u8]; 4], pause_from: Instant) -> Result<(), SimError> {
        let [hp, vh, yaml, row] = *pages;
        let h = Header::parse(hp).map_err(|e| page_err(PAGE_HEADER, e.to_string()))?;
        if !(1..=layout::CURRENT_VER).contains(&h.ver) {
            return Err(page_err(
                PAGE_HEADER,
                format!("byte 0: header version {} (known: 1, 2)", h.ver),
            ));
        }
        if vh.is_empty() || !vh.len().is_multiple_of(VAR_HEADER_LEN) {
            return Err(page_err(
                PAGE_VAR_HEADERS,
                format!("{} bytes, not whole var headers", vh.len()),
            ));
        }
        let num_vars = vh.len() / VAR_HEADER_LEN;
        if h.buf_len as usize != row.len() || h.num_vars as usize != num_vars {
            return Err(page_err(
                PAGE_HEADER,
                format!(
                    "says numVars {} and bufLen {}, the frame has {num_vars} var headers and a {}-byte row",
                    h.num_vars,
                    h.buf_len,
                    row.len()
                ),
            ));
        }
        layout::parse_var_headers(vh, num_vars, row.len())
            .map_err(|e| page_err(PAGE_VAR_HEADERS, e.to_string()))?;
        let lay = Live::new(num_vars, row.len(), yaml.len().max(self.lay.yaml_cap))?;
        if lay.size > self.map.len() {
            return Err(page_err(
                MEMMAP_NAME,
                format!(
                    "the layout needs {} bytes, the mapping has {}",
                    lay.size,
                    self.map.len()
                ),
            ));
        }
        self.map.store_i32_release(STATUS, 0)?;
        self.live = false;
        // Consumers cache var headers: a different layout needs a visible disconnect first.
        let differs = match &self.prev {
            Some(p) => {
                p.num_vars as usize != num_vars
                    || p.buf_len as usize != row.len()
                    || p.var_headers != vh
            }
            None => false,
        };
        if differs {
            let until = pause_from + self.opts.layout_pause;
            let now = Instant::now();
            if until > now {
                std::thread::sleep(until - now);
            }
        }
        self.lay = lay;
        let zeros = vec![0u8; self.map.len() - HEADER_LEN];
        self.map.write(HEADER_LEN, &zeros)?;
        self.map.write(LIVE_SESSION_INFO_OFFSET, yaml)?;
        self.map.write(lay.var_header_offset, vh)?;
        for slot in 0..LIVE_NUM_BUF {
            self.map.write(lay.buf_offset(slot), row)?;
        }
        // Three ticks, each slot holding the first row, all ≥ 1.
        let base = self.tick;
        let last = base
            .checked_add(LIVE_NUM_BUF as i32)
            .ok_or_else(|| page_err(MEMMAP_NAME, "tick counter exhausted".into()))?;
        let mut var_buf = [VarBuf::default(); MAX_BUFS];
        for t in base + 1..=last {
            let slot = t as usize % LIVE_NUM_BUF;
            var_buf[slot] = VarBuf {
                tick_count: t,
                buf_offset: lay.buf_offset(slot) as i32,
                tick_count_begin: t,
            };
        }
        // Consumers re-read the YAML only when this grows: continue above what the mapping
        // held; a fresh mapping starts at the recorded value (so a dump of a dump matches).
        self.session_info_update = match &self.prev {
            Some(_) => self.session_info_update.checked_add(1).unwrap_or(1),
            None => h.session_info_update.max(1),
        };
        let header = Header {
            ver: h.ver,
            status: 0,
            tick_rate: if h.tick_rate > 0 { h.tick_rate } else { 60 },
            session_info_update: self.session_info_update,
            session_info_len: lay.yaml_cap as i32,
            session_info_offset: LIVE_SESSION_INFO_OFFSET as i32,
            num_vars: num_vars as i32,
            var_header_offset: lay.var_header_offset as i32,
            num_buf: LIVE_NUM_BUF as i32,
            buf_len: row.len() as i32,
            cur_buf_tick_count: last,
            cur_buf: (last as usize % LIVE_NUM_BUF) as u8,
            var_buf,
        };
        let mut hb = [0u8; HEADER_LEN];
        header.write(&mut hb);
        self.map.write(0, &hb)?;
        self.map.store_i32_release(STATUS, STATUS_CONNECTED)?;
        self.event.pulse()?;
        self.last_write = Some(Instant::now());
        self.tick = last;
        self.var_headers = vh.to_vec();
        self.yaml = yaml.to_vec();
        self.row = row.to_vec();
        self.prev = Some(Previous {
            num_vars: num_vars as i32,
            buf_len: row.len() as i32,
            var_headers: self.var_headers.clone(),
            tick: last,
            session_info_update: self.session_info_update,
        });
        self.live = true;
        if self.opts.status_server && self.status.is_none() {
            self.status = status_server_for(&self.ns);
        }
        if let Some(s) = &self.status {
            s.set_running(true);
        }
        Ok(())
    }

    /// Zero the region, write the text, barrier, `sessionInfoUpdate += 1`.
    fn write_yaml(&mut self, yaml: &[u8]) -> Result<(), SimError> {
        if yaml.len() > self.lay.yaml_cap {
            return Err(page_err(
                PAGE_SESSION_INFO,
                format!(
                    "{} bytes of YAML do not fit the {}-byte region",
                    yaml.len(),
                    self.lay.yaml_cap
                ),
            ));
        }
        self.map
            .write(LIVE_SESSION_INFO_OFFSET, &vec![0u8; self.lay.yaml_cap])?;
        self.map.write(LIVE_SESSION_INFO_OFFSET, yaml)?;
        self.session_info_update = self.session_info_update.checked_add(1).unwrap_or(1);
        self.map
            .store_i32_release(SESSION_INFO_UPDATE, self.session_info_update)?;
        self.yaml.clear();
        self.yaml.extend_from_slice(yaml);
        Ok(())
    }

    /// One tick: the next slot gets `row`, then the tick, then the pulse.
    fn write_row(&mut self) -> Result<(), SimError> {
        let t = self
            .tick
            .checked_add(1)
            .ok_or_else(|| page_err(MEMMAP_NAME, "tick counter exhausted".into()))?;
        let slot = t as usize % LIVE_NUM_BUF;
        let at = 48 + 16 * slot;
        self.map.store_i32_release(at + 8, t)?;
        self.map.write(self.lay.buf_offset(slot), &self.row)?;
        self.map.store_i32_release(at, t)?;
        self.map.store_i32_release(CUR_BUF, slot as i32)?;
        self.map.store_i32_release(CUR_BUF_TICK_COUNT, t)?;
        self.event.pulse()?;
        self.tick = t;
        self.last_write = Some(Instant::now());
        Ok(())
    }
}

impl SimPublisher for LivePublisher {
    fn publish(&mut self, frame: &FrameRef<'_>, _ctx: PublishContext) -> Result<(), SimError> {
        let all = frame.pages();
        if all.len() != 4 {
            return Err(incompatible(format!(
                "a frame with {} pages, iRacing has 4",
                all.len()
            )));
        }
        self.publish_pages([
            all[0].as_slice(),
            all[1].as_slice(),
            all[2].as_slice(),
            all[3].as_slice(),
        ])
    }

    fn stop(&mut self) -> Result<(), SimError> {
        self.stop_publishing()
    }

    fn heartbeat_interval(&self) -> Option<Duration> {
        Some(TICK)
    }

    fn heartbeat(&mut self) -> Result<(), SimError> {
        if self.live {
            self.write_row()?;
        }
        Ok(())
    }
}

impl LivePublisher {
    /// Publishes one frame's four pages (header, var headers, YAML, row) as the next tick:
    /// the player's path, also taken by the `ksana simulate` stand-in (`pattern`).
    pub(super) fn publish_pages(&mut self, pages: [&[u8]; 4]) -> Result<(), SimError> {
        if !self.live {
            return self.install(&pages, self.opened);
        }
        let [_, vh, yaml, row] = pages;
        if vh != self.var_headers.as_slice() || row.len() != self.lay.buf_len {
            // A new layout inside a segment: disconnect, pause, rewrite.
            self.map.store_i32_release(STATUS, 0)?;
            self.event.pulse()?;
            return self.install(&pages, Instant::now());
        }
        if yaml != self.yaml.as_slice() {
            self.write_yaml(yaml)?;
        }
        self.row.clear();
        self.row.extend_from_slice(row);
        self.write_row()
    }

    /// The stop sequence of [`SimPublisher::stop`].
    pub(super) fn stop_publishing(&mut self) -> Result<(), SimError> {
        // The last row stays current a little while, still ticking: a consumer or recorder
        // polling at its own pace (or briefly descheduled) must get to read it before status 0.
        if self.live
            && let Some(at) = self.last_write
        {
            while at.elapsed() < STOP_HOLD {
                std::thread::sleep(TICK);
                self.write_row()?;
            }
        }
        self.live = false;
        if let Some(s) = &self.status {
            s.set_running(false);
        }
        self.map.store_i32_release(STATUS, 0)?;
        self.event.pulse()?;
        Ok(())
    }
}
