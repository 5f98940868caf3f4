//! Recording a family member: one frame per new physics packetId (the physics step, ~333 Hz),
//! graphics when its own packetId moves, static when its bytes change. Each page is copied by
//! the sim's protocol: packetId, copy, packetId again (physics, graphics; with a second copy
//! that must agree, see [`super::packet_id_read_stable`]); two equal copies (static, which has
//! no counter).

use std::time::{Duration, Instant};

use ksana_format::{MarkerKind, PageSpec};
use ksana_shm::{Mapping, ShmNamespace};

use super::packet_id_read_stable;
use super::{Family, GRAPHICS_STATUS, PACKET_ID, PageDef, STATUS_OFF, i32_at, open_page};
use crate::protocol::copy_twice_read;
use crate::sim::{Poll, SimError, SimReader, Snapshot};

/// How often the static page is compared (it changes at session load only).
const STATIC_EVERY: Duration = Duration::from_millis(100);
/// How often the reader checks that its mappings still exist, and whether missing pages
/// appeared.
const PRESENCE_EVERY: Duration = Duration::from_millis(500);

struct Page {
    def: PageDef,
    map: Mapping,
    len: usize,
    last_id: Option<i32>,
}

/// The recorder's reader of a family member.
pub struct FamilyReader {
    fam: Family,
    ns: ShmNamespace,
    pages: Vec<Page>,
    scratch: Vec<u8>,
    last_static: Instant,
    last_presence: Instant,
    first: bool,
}

impl FamilyReader {
    /// Opens the member's pages in `ns`. Physics must exist (and be at least its struct);
    /// graphics and static are recorded when they exist, and may be missing only for members
    /// that publish physics alone in some builds.
    pub fn open(fam: &Family, ns: &ShmNamespace) -> Result<FamilyReader, SimError> {
        let mut pages = Vec::new();
        for def in fam.pages() {
            match open_page(ns, def)? {
                Some(map) => {
                    let len = def.capture_len(map.len())?;
                    pages.push(Page {
                        def: *def,
                        map,
                        len,
                        last_id: None,
                    });
                }
                None if def.kind == super::PageKind::Physics => {
                    return Err(SimError::Layout {
                        page: def.name.into(),
                        detail: "not present".into(),
                    });
                }
                None if !fam.physics_only_ok => {
                    return Err(SimError::Layout {
                        page: def.name.into(),
                        detail: format!("not present ({} publishes all three pages)", fam.name),
                    });
                }
                None => {}
            }
        }
        let now = Instant::now();
        Ok(FamilyReader {
            fam: *fam,
            ns: ns.clone(),
            pages,
            scratch: Vec::new(),
            last_static: now - STATIC_EVERY,
            last_presence: now,
            first: true,
        })
    }

    /// True when only some of the three pages are recorded.
    pub fn partial(&self) -> bool {
        self.pages.len() < 3
    }

    fn note(&self) -> String {
        let missing: Vec<&str> = self
            .fam
            .pages()
            .iter()
            .filter(|d| !self.pages.iter().any(|p| p.def.name == d.name))
            .map(|d| d.name)
            .collect();
        format!(
            "{}: recording {} only; not published: {}",
            self.fam.name,
            self.pages
                .iter()
                .map(|p| p.def.name)
                .collect::<Vec<_>>()
                .join(", "),
            missing.join(", ")
        )
    }
}

impl SimReader for FamilyReader {
    fn pages(&self) -> Vec<PageSpec> {
        self.pages.iter().map(|p| p.def.spec(p.len)).collect()
    }

    fn poll(&mut self, snap: &mut Snapshot) -> Result<Poll, SimError> {
        let n = self.pages.len();
        if snap.pages.len() != n {
            *snap = Snapshot::with_pages(n);
        }
        snap.changed.iter_mut().for_each(|c| *c = false);
        if self.last_presence.elapsed() >= PRESENCE_EVERY {
            self.last_presence = Instant::now();
            // Memory vanished (Linux: the file was removed; the sim exited and a bridge
            // cleaned up): the sim stopped.
            if !Mapping::exists(&self.ns, self.fam.physics.name) {
                return Ok(Poll::Stopped);
            }
            // A page that was missing appeared: start a segment that records it too.
            if self.partial()
                && self
                    .fam
                    .pages()
                    .iter()
                    .filter(|d| !self.pages.iter().any(|p| p.def.name == d.name))
                    .any(|d| matches!(open_page(&self.ns, d), Ok(Some(m)) if m.len() >= d.struct_size))
            {
                *self = FamilyReader::open(&self.fam, &self.ns)?;
                return Ok(Poll::LayoutChanged);
            }
        }
        let mut any = false;
        let mut tick = snap.tick;
        for (i, p) in self.pages.iter_mut().enumerate() {
            let buf = &mut snap.pages[i];
            buf.resize(p.len, 0);
            match p.def.kind {
                super::PageKind::Physics | super::PageKind::Graphics => {
                    let id = p.map.load_i32_acquire(PACKET_ID)?;
                    if !self.first && Some(id) == p.last_id {
                        continue;
                    }
                    let Some(id) = packet_id_read_stable(&p.map, buf, &mut self.scratch)? else {
                        // The writer kept interfering: try again at the next poll.
                        continue;
                    };
                    if p.def.kind == super::PageKind::Graphics
                        && i32_at(buf, GRAPHICS_STATUS) == STATUS_OFF
                        && !self.first
                    {
                        return Ok(Poll::Stopped);
                    }
                    if p.def.kind == super::PageKind::Physics {
                        tick = Some(u64::from(id as u32));
                    }
                    p.last_id = Some(id);
                    snap.changed[i] = true;
                    any = true;
                }
                super::PageKind::Static => {
                    if !self.first && self.last_static.elapsed() < STATIC_EVERY {
                        continue;
                    }
                    self.last_static = Instant::now();
                    let mut fresh = vec![0u8; p.len];
                    if copy_twice_read(&p.map, &mut fresh, &mut self.scratch)?
                        && (self.first || fresh != *buf)
                    {
                        *buf = fresh;
                        snap.changed[i] = true;
                        any = true;
                    }
                }
            }
        }
        if self.first && !snap.changed[0] {
            // The first frame must hold physics (the page every frame is keyed on).
            snap.changed.iter_mut().for_each(|c| *c = false);
            return Ok(Poll::Same);
        }
        if self.first && any {
            for c in snap.changed.iter_mut() {
                *c = true;
            }
            if self.partial() {
                snap.events.push((MarkerKind::SessionStart, self.note()));
            }
        }
        if !any {
            return Ok(Poll::Same);
        }
        self.first = false;
        snap.tick = tick;
        Ok(Poll::New)
    }

    fn nominal_interval(&self) -> Option<Duration> {
        // The physics step (reference §3.1: ~333 Hz).
        Some(Duration::from_micros(3003))
    }

    /// packetId "increments on every write" (reference §3.4), by one: a jump of more than one
    /// between two captures counts the physics updates the recorder did not see (the AC family
    /// keeps no history, so a recorder that was not scheduled for a moment misses them).
    fn tick_step(&self) -> Option<u64> {
        Some(1)
    }
}
