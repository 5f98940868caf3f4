//! Looking at a family member's pages for a moment: what exists, what advances, what the
//! static page says. Each sim's `probe` decides from these facts (reference §3.5): mappings
//! existing is not enough; graphics `status` must not be `AC_OFF` and the physics packetId must
//! advance; AC, ACC and AC Rally share names and are told apart by `smVersion`, the process
//! list (Windows) and Kelvin temperatures.

use std::time::{Duration, Instant};

use ksana_shm::ShmNamespace;

use super::{Family, GRAPHICS_STATUS, PACKET_ID, open_page, string_at};
use crate::sim::{Liveness, SimError};

/// What one look at a member's pages found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProbeFacts {
    /// The physics mapping exists and is at least the struct's size.
    pub physics: bool,
    /// The graphics mapping exists and is at least the struct's size.
    pub graphics: bool,
    /// The static mapping exists and is at least the struct's size.
    pub statics: bool,
    /// A mapping exists but is shorter than its struct (not this sim's layout).
    pub short: Option<String>,
    /// Graphics `status` at the end of the window.
    pub status: Option<i32>,
    /// Times the physics packetId changed during the window.
    pub physics_moves: u32,
    /// Times the graphics packetId changed during the window.
    pub graphics_moves: u32,
    /// Static `smVersion` / `sm_version`.
    pub sm_version: String,
    /// The physics tyre core temperatures look like Kelvin.
    pub kelvin: bool,
    /// How long the pages were watched.
    pub window: Duration,
}

impl ProbeFacts {
    /// True when no mapping of the member exists.
    pub fn absent(&self) -> bool {
        !self.physics && !self.graphics && !self.statics && self.short.is_none()
    }

    /// The common part of the verdict: `Some(Stale)` / `Some(Absent)` when the pages are not
    /// being published (nothing advances, status `AC_OFF`, mappings too short), `None` when they
    /// are and the sim-specific rule decides.
    pub fn not_publishing(&self, fam: &Family) -> Option<Liveness> {
        if self.absent() {
            return Some(Liveness::Absent);
        }
        if !self.physics || self.short.is_some() {
            return Some(Liveness::Stale);
        }
        if self.graphics && self.status == Some(super::STATUS_OFF) {
            return Some(Liveness::Stale);
        }
        if !self.graphics && !fam.physics_only_ok {
            return Some(Liveness::Stale);
        }
        if self.physics_moves == 0 {
            return Some(Liveness::Stale);
        }
        None
    }

    /// "physics packetId advanced N times in W ms (graphics status S)".
    pub fn evidence(&self) -> String {
        let mut s = format!(
            "physics packetId advanced {} times in {} ms",
            self.physics_moves,
            self.window.as_millis()
        );
        match self.status {
            Some(st) => s.push_str(&format!(", graphics status {st}")),
            None => s.push_str(", no graphics page (physics only)"),
        }
        if !self.sm_version.is_empty() {
            s.push_str(&format!(", smVersion {:?}", self.sm_version));
        }
        s
    }
}

/// Watches `fam`'s pages in `ns` for `window` and reports what it saw.
pub fn probe_facts(
    fam: &Family,
    ns: &ShmNamespace,
    window: Duration,
) -> Result<ProbeFacts, SimError> {
    let mut f = ProbeFacts {
        window,
        ..ProbeFacts::default()
    };
    let mut open = |page: &super::PageDef, present: &mut bool| -> Result<_, SimError> {
        let m = open_page(ns, page)?;
        Ok(match m {
            Some(m) if m.len() >= page.struct_size => {
                *present = true;
                Some(m)
            }
            Some(m) => {
                f.short = Some(format!(
                    "{} is {} bytes, shorter than its {}-byte struct",
                    page.name,
                    m.len(),
                    page.struct_size
                ));
                None
            }
            None => None,
        })
    };
    let mut has = [false; 3];
    let phys = open(&fam.physics, &mut has[0])?;
    let gfx = open(&fam.graphics, &mut has[1])?;
    let stat = open(&fam.statics, &mut has[2])?;
    (f.physics, f.graphics, f.statics) = (has[0], has[1], has[2]);
    let Some(phys) = phys else {
        return Ok(f);
    };
    let mut last_p = phys.load_i32_acquire(PACKET_ID)?;
    let mut last_g = match &gfx {
        Some(g) => Some(g.load_i32_acquire(PACKET_ID)?),
        None => None,
    };
    let start = Instant::now();
    loop {
        let p = phys.load_i32_acquire(PACKET_ID)?;
        if p != last_p {
            f.physics_moves += 1;
            last_p = p;
        }
        if let (Some(g), Some(lg)) = (&gfx, last_g.as_mut()) {
            let v = g.load_i32_acquire(PACKET_ID)?;
            if v != *lg {
                f.graphics_moves += 1;
                *lg = v;
            }
        }
        if start.elapsed() >= window {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    if let Some(g) = &gfx {
        f.status = Some(g.read_i32_le(GRAPHICS_STATUS)?);
    }
    if let Some(s) = &stat {
        let head = s.read_vec(0, 64.min(s.len()))?;
        f.sm_version = string_at(&head, 0, 15, fam.strings);
    }
    let body = phys.read_vec(0, fam.physics.struct_size)?;
    f.kelvin = super::temperatures_in_kelvin(&body);
    Ok(f)
}
