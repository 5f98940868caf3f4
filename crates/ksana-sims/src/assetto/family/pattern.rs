//! A protocol-correct stand-in for a family member (`ksana simulate --sim acc|acevo`) and the
//! checker that follows it from another process (`ksana watch-updates`).
//!
//! Every byte the writer publishes is a function of the page's packetId (physics, graphics) or
//! fixed (static), so a copy can be checked on its own: a torn copy — half one update, half
//! another — does not equal the page its packetId gives. Physics is published at whatever rate
//! the caller steps (333 Hz for `ksana simulate --rate 333`), one packetId per step, graphics at
//! 60 Hz of the writer's own clock, static once before anything else (reference §13).

use std::io::Write;
use std::time::{Duration, Instant};

use ksana_shm::{Mapping, ShmNamespace};

use super::packet_id_read_stable;
use super::publisher::{write_page, write_stopped};
use super::{Family, GRAPHICS_STATUS, PACKET_ID, PageDef, PageKind, STATUS_OFF, i32_at};
use crate::protocol::copy_twice_read;
use crate::sim::{SimError, Simulator};

/// Graphics updates per second of the stand-in (a rendered frame rate).
pub const GRAPHICS_HZ: f64 = 60.0;

/// A member's page contents as functions of their packetId.
#[derive(Clone, Copy, Debug)]
pub struct Patterns {
    /// Fills a physics page for packetId `n` (the page is zeroed first).
    pub physics: fn(&mut [u8], i32),
    /// Fills a graphics page for packetId `n` (zeroed first).
    pub graphics: fn(&mut [u8], i32),
    /// Fills the static page (zeroed first).
    pub statics: fn(&mut [u8]),
}

impl Patterns {
    /// The page `def` of `len` bytes should hold for packetId `id` (static: `id` ignored).
    pub fn expected(&self, def: &PageDef, len: usize, id: i32) -> Vec<u8> {
        let mut page = vec![0u8; len];
        match def.kind {
            PageKind::Physics => (self.physics)(&mut page, id),
            PageKind::Graphics => (self.graphics)(&mut page, id),
            PageKind::Static => (self.statics)(&mut page),
        }
        page
    }
}

/// Puts `v` at `o` of `p` (little-endian); does nothing out of range.
pub fn put(p: &mut [u8], o: usize, v: &[u8]) {
    if let Some(d) = p.get_mut(o..o + v.len()) {
        d.copy_from_slice(v);
    }
}

/// Puts an f32.
pub fn put_f32(p: &mut [u8], o: usize, v: f32) {
    put(p, o, &v.to_le_bytes());
}

/// Puts an i32.
pub fn put_i32(p: &mut [u8], o: usize, v: i32) {
    put(p, o, &v.to_le_bytes());
}

/// Puts a UTF-16LE string of at most `max - 1` units (NUL-terminated).
pub fn put_utf16(p: &mut [u8], o: usize, max: usize, s: &str) {
    for (i, u) in s.encode_utf16().take(max - 1).enumerate() {
        put(p, o + 2 * i, &u.to_le_bytes());
    }
}

/// Puts a 1-byte-char string of at most `max - 1` bytes (NUL-terminated).
pub fn put_bytes(p: &mut [u8], o: usize, max: usize, s: &str) {
    let b = s.as_bytes();
    put(p, o, &b[..b.len().min(max - 1)]);
}

/// The 800-byte physics page shared by ACC, AC Rally and AC Evo, for packetId `n`: plausible
/// driving values, each a function of `n`, and `n` itself as a float in the last field
/// (`absVibrations`), so that the start and the end of the page both carry the counter.
pub fn physics_800(p: &mut [u8], n: i32) {
    let m = n.rem_euclid(1_000_000);
    put_i32(p, 0, n);
    put_f32(p, 4, (m % 100) as f32 / 100.0); // gas
    put_f32(p, 12, 60.0 - (m % 100_000) as f32 * 0.0005); // fuel
    put_i32(p, 16, 2 + (m / 1000) % 5); // gear: 2 = 1st
    put_i32(p, 20, 3000 + (m * 7) % 5000); // rpms
    put_f32(p, 24, ((m % 200) - 100) as f32 / 400.0); // steerAngle
    put_f32(p, 28, 80.0 + (m % 1000) as f32 * 0.15); // speedKmh
    for w in 0..4 {
        put_f32(p, 88 + 4 * w, 27.5); // wheelsPressure
        put_f32(p, 152 + 4 * w, 80.0 + w as f32 + (m % 50) as f32 * 0.1); // tyreCoreTemperature
    }
    put_f32(p, 712, 90.0); // waterTemp
    put_f32(p, 796, n as f32); // absVibrations: the counter
}

/// Checks that `page` (a copy of `def`) is what the writer publishes for its packetId.
pub fn check_page(pat: &Patterns, def: &PageDef, page: &[u8]) -> Result<i32, String> {
    if page.len() < def.struct_size {
        return Err(format!(
            "{} is {} bytes, shorter than its {}-byte struct",
            def.name,
            page.len(),
            def.struct_size
        ));
    }
    let id = if def.has_packet_id() {
        i32_at(page, PACKET_ID)
    } else {
        0
    };
    let want = pat.expected(def, page.len(), id);
    match want.iter().zip(page).position(|(a, b)| a != b) {
        None => Ok(id),
        Some(at) => Err(format!(
            "{} packetId {id}: byte {at} is {:#04x}, the update of that packetId has {:#04x}",
            def.name, page[at], want[at]
        )),
    }
}

/// The stand-in writer.
pub struct PatternWriter {
    fam: Family,
    pat: Patterns,
    physics: Mapping,
    graphics: Mapping,
    /// Held open: on Windows a mapping vanishes with its last handle.
    _statics: Mapping,
    phys_page: Vec<u8>,
    gfx_page: Vec<u8>,
    n: i32,
    g: i32,
    started: Instant,
}

impl PatternWriter {
    /// Creates (or opens, never shrinking) the three mappings in `ns` at the capture sizes,
    /// writes the static page, then a first graphics update (status `AC_LIVE`).
    pub fn create(
        fam: &Family,
        pat: Patterns,
        ns: &ShmNamespace,
    ) -> Result<PatternWriter, SimError> {
        let open = |d: &PageDef| -> Result<Mapping, SimError> {
            let (m, _) = Mapping::open_or_create(ns, d.name, d.capture)?;
            Ok(m)
        };
        let statics = open(&fam.statics)?;
        let graphics = open(&fam.graphics)?;
        let physics = open(&fam.physics)?;
        let len = |d: &PageDef, m: &Mapping| m.len().min(d.capture);
        write_page(
            &statics,
            &fam.statics,
            &pat.expected(&fam.statics, len(&fam.statics, &statics), 0),
        )?;
        let mut w = PatternWriter {
            fam: *fam,
            pat,
            phys_page: vec![0; len(&fam.physics, &physics)],
            gfx_page: vec![0; len(&fam.graphics, &graphics)],
            physics,
            graphics,
            _statics: statics,
            n: 0,
            g: 0,
            started: Instant::now(),
        };
        w.publish_graphics()?;
        Ok(w)
    }

    fn publish_graphics(&mut self) -> Result<(), SimError> {
        self.g += 1;
        self.gfx_page.fill(0);
        (self.pat.graphics)(&mut self.gfx_page, self.g);
        write_page(&self.graphics, &self.fam.graphics, &self.gfx_page)
    }
}

impl Simulator for PatternWriter {
    fn step(&mut self) -> Result<(), SimError> {
        self.n = self.n.wrapping_add(1);
        self.phys_page.fill(0);
        (self.pat.physics)(&mut self.phys_page, self.n);
        write_page(&self.physics, &self.fam.physics, &self.phys_page)?;
        // Graphics at 60 Hz of this writer's clock, at most one per physics step.
        if self.started.elapsed().as_secs_f64() * GRAPHICS_HZ >= f64::from(self.g) {
            self.publish_graphics()?;
        }
        Ok(())
    }

    fn stop(&mut self) -> Result<(), SimError> {
        write_stopped(&self.graphics).map(|_| ())
    }
}

/// FNV-1a 64 of `b`: the fingerprint `watch_updates` prints of each copy, so that a test can
/// compare what another process saw with the recording byte for byte.
pub fn fnv64(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Follows a member's pages until graphics `status` goes `AC_OFF` (after at least one update)
/// or `timeout` passes, writing one line per update seen: `physics <packetId> <fnv64>`,
/// `graphics <packetId> <fnv64>`, `static <fnv64>` (each a whole update, checked against the
/// writer's pattern; the FNV-1a 64 of the copied bytes in hex), `TORN <page> <packetId> <fnv64>
/// <why>` for memory that keeps holding a packetId with other bytes than that update's,
/// `LOST <page> <packetId>` for an update overwritten before it could be copied whole. Returns
/// the number of whole updates seen.
pub fn watch_updates(
    fam: &Family,
    pat: &Patterns,
    ns: &ShmNamespace,
    timeout: Duration,
    out: &mut dyn Write,
) -> Result<u64, SimError> {
    let deadline = Instant::now() + timeout;
    // The AC family keeps no history: a reader sees an update only if it is scheduled before
    // the next one overwrites it. Ask for a high priority where the OS grants it (Windows
    // does; Linux needs CAP_SYS_NICE); failing is fine.
    let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Max);
    let wr = |e: std::io::Error| SimError::Layout {
        page: "output".into(),
        detail: e.to_string(),
    };
    // Wait for the pages: all three, or physics alone for a second for members that may
    // publish only physics.
    let mut physics_since: Option<Instant> = None;
    let maps = loop {
        let mut maps = Vec::new();
        for d in fam.pages() {
            if let Some(m) = Mapping::open_read(ns, d.name)?
                && m.len() >= d.struct_size
            {
                maps.push((*d, m));
            }
        }
        let physics = maps.iter().any(|(d, _)| d.kind == PageKind::Physics);
        if physics {
            physics_since.get_or_insert_with(Instant::now);
        }
        let alone_long_enough = fam.physics_only_ok
            && physics_since.is_some_and(|t| t.elapsed() > Duration::from_secs(1));
        if maps.len() == 3 || (physics && alone_long_enough) {
            break maps;
        }
        if Instant::now() > deadline {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let mut last: Vec<Option<i32>> = vec![None; maps.len()];
    let mut bufs: Vec<Vec<u8>> = maps
        .iter()
        .map(|(d, m)| vec![0u8; m.len().min(d.capture)])
        .collect();
    let mut scratch = Vec::new();
    let mut scratch2 = Vec::new();
    let mut seen = 0u64;
    let mut stopping = false;
    let mut last_static = Instant::now() - Duration::from_secs(1);
    let mut last_static_bytes: Vec<u8> = Vec::new();
    let mut final_pass = false;
    loop {
        let now = Instant::now();
        if now > deadline {
            break;
        }
        for (i, (d, m)) in maps.iter().enumerate() {
            let buf = &mut bufs[i];
            if d.kind == PageKind::Static {
                if now - last_static < Duration::from_millis(20) && !stopping {
                    continue;
                }
                last_static = now;
                if !copy_twice_read(m, buf, &mut scratch)? {
                    continue;
                }
                if *buf == last_static_bytes || buf.iter().all(|&b| b == 0) {
                    continue;
                }
                last_static_bytes.clone_from(buf);
                match check_page(pat, d, buf) {
                    Ok(_) => {
                        writeln!(out, "static {:016x}", fnv64(buf)).map_err(wr)?;
                        seen += 1;
                    }
                    Err(e) => writeln!(out, "TORN static {:016x} {e}", fnv64(buf)).map_err(wr)?,
                }
                continue;
            }
            if Some(m.load_i32_acquire(PACKET_ID)?) == last[i] {
                continue;
            }
            let Some(id) = packet_id_read_stable(m, buf, &mut scratch2)? else {
                continue;
            };
            last[i] = Some(id);
            let name = if d.kind == PageKind::Physics {
                "physics"
            } else {
                "graphics"
            };
            if d.kind == PageKind::Graphics && i32_at(buf, GRAPHICS_STATUS) == STATUS_OFF {
                if seen > 0 {
                    stopping = true;
                }
                continue;
            }
            match check_page(pat, d, buf) {
                Ok(_) => {
                    writeln!(out, "{name} {id} {:016x}", fnv64(buf)).map_err(wr)?;
                    seen += 1;
                }
                Err(first) => {
                    // Copied while the next update was being written over it (this reader was
                    // late, not the writer wrong): look again.
                    match packet_id_read_stable(m, buf, &mut scratch2)? {
                        Some(again) if again == id => match check_page(pat, d, buf) {
                            Ok(_) => {
                                writeln!(out, "{name} {id} {:016x}", fnv64(buf)).map_err(wr)?;
                                seen += 1;
                            }
                            Err(e) => writeln!(
                                out,
                                "TORN {name} {id} {:016x} {e} (first copy: {first})",
                                fnv64(buf)
                            )
                            .map_err(wr)?,
                        },
                        _ => writeln!(out, "LOST {name} {id}").map_err(wr)?,
                    }
                }
            }
        }
        if stopping {
            // The stop was written after the last update of every page: one more pass takes
            // whatever of them this pass had already looked at.
            if final_pass {
                break;
            }
            final_pass = true;
            continue;
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    out.flush().map_err(wr)?;
    Ok(seen)
}

/// A lap time in milliseconds as `m:ss.mmm`; `-` for none (≤ 0 or `i32::MAX`, which the games
/// use for "no time").
pub fn lap_ms(ms: i32) -> String {
    if ms <= 0 || ms == i32::MAX {
        return "-".into();
    }
    format!("{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}
