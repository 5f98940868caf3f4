//! Playing a family member back: the sim's write order (static first, then graphics, then
//! physics; in each page the body first and the packetId last, as a release store), onto
//! mappings opened without shrinking them, and graphics `status` set to `AC_OFF` at the end.

use ksana_format::{FrameRef, PageSpec};
use ksana_shm::{Mapping, ShmNamespace};

use super::{Family, GRAPHICS_STATUS, PACKET_ID, PageDef, PageKind, STATUS_OFF};
use crate::sim::{PublishContext, SimError, SimPublisher};

/// How long the last published frame stays up before `AC_OFF` (one 60 Hz graphics frame).
const STOP_GRACE: std::time::Duration = std::time::Duration::from_millis(20);

struct Out {
    def: PageDef,
    map: Mapping,
    /// Index of this page in the recording's frames.
    index: usize,
}

/// The player's publisher of a family member.
pub struct FamilyPublisher {
    fam: Family,
    /// In write order: static, graphics, physics.
    out: Vec<Out>,
    /// Nothing published yet: the first frame writes every page.
    fresh: bool,
    /// The graphics packetId [`SimPublisher::stop`] wrote with `AC_OFF`, until the next
    /// publish: publishing again after a stop (`ksana simulate` leaving the menu) writes every
    /// page (frames published in between may have changed static) and must not reuse it.
    stopped_id: Option<i32>,
    /// Added to every graphics packetId published after a stop whose packetId the next frame
    /// would have repeated: readers keyed on "packetId ≠ last" would miss that frame's `AC_LIVE`.
    graphics_bump: i32,
}

impl FamilyPublisher {
    /// Checks that `pages` are this member's (physics required; graphics and static optional
    /// only for members that publish physics alone in some builds; each at least its struct)
    /// and opens or creates their mappings, never shrinking an existing one.
    pub fn open(
        fam: &Family,
        ns: &ShmNamespace,
        pages: &[PageSpec],
    ) -> Result<FamilyPublisher, SimError> {
        let bad = |detail: String| SimError::Incompatible {
            sim: fam.id,
            detail,
        };
        let mut found: Vec<(usize, PageDef, usize)> = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            let def = fam.page_named(&p.name).ok_or_else(|| {
                bad(format!(
                    "page {:?} is not one of {}'s ({}, {}, {})",
                    p.name, fam.name, fam.physics.name, fam.graphics.name, fam.statics.name
                ))
            })?;
            if found.iter().any(|(_, d, _)| d.name == def.name) {
                return Err(bad(format!("page {} appears twice", p.name)));
            }
            if (p.size as usize) < def.struct_size {
                return Err(bad(format!(
                    "page {} is {} bytes, shorter than the {}-byte struct",
                    p.name, p.size, def.struct_size
                )));
            }
            if !p.layout.is_empty() && p.layout != def.layout {
                return Err(bad(format!(
                    "page {} has layout {:?}, expected {:?}",
                    p.name, p.layout, def.layout
                )));
            }
            found.push((i, *def, p.size as usize));
        }
        if !found.iter().any(|(_, d, _)| d.kind == PageKind::Physics) {
            return Err(bad(format!("no {} page", fam.physics.name)));
        }
        if found.len() < 3 && !fam.physics_only_ok {
            return Err(bad(format!(
                "{} publishes physics, graphics and static; the recording has {}",
                fam.name,
                found.len()
            )));
        }
        // Write order: static, graphics, physics.
        found.sort_by_key(|(_, d, _)| match d.kind {
            PageKind::Static => 0,
            PageKind::Graphics => 1,
            PageKind::Physics => 2,
        });
        let mut out = Vec::new();
        for (index, def, size) in found {
            let (map, _) = Mapping::open_or_create(ns, def.name, size.max(def.capture))?;
            if map.len() < def.struct_size {
                return Err(SimError::Layout {
                    page: def.name.into(),
                    detail: format!(
                        "the existing mapping is {} bytes, shorter than the {}-byte struct",
                        map.len(),
                        def.struct_size
                    ),
                });
            }
            out.push(Out { def, map, index });
        }
        Ok(FamilyPublisher {
            fam: *fam,
            out,
            fresh: true,
            stopped_id: None,
            graphics_bump: 0,
        })
    }
}

/// Writes `page` into `map` the way the sim does: for pages with a packetId the body after
/// it first, then the packetId with a release store; static pages whole.
pub fn write_page(map: &Mapping, def: &PageDef, page: &[u8]) -> Result<(), SimError> {
    write_page_as(map, def, page, super::i32_at(page, PACKET_ID))
}

/// [`write_page`] with `id` as the packetId instead of the page's own (ignored for static).
pub fn write_page_as(map: &Mapping, def: &PageDef, page: &[u8], id: i32) -> Result<(), SimError> {
    let n = page.len().min(map.len());
    if n < def.struct_size {
        return Err(SimError::Layout {
            page: def.name.into(),
            detail: format!(
                "recorded page is {} bytes, shorter than the {}-byte struct",
                page.len(),
                def.struct_size
            ),
        });
    }
    if def.has_packet_id() {
        map.write(4, &page[4..n])?;
        map.store_i32_release(PACKET_ID, id)?;
    } else {
        map.write(0, &page[..n])?;
    }
    Ok(())
}

/// Marks the sim stopped: graphics `status` `AC_OFF`, then a new graphics packetId so that
/// readers keyed on it see the change. Returns that packetId.
pub fn write_stopped(map: &Mapping) -> Result<i32, SimError> {
    let id = map.load_i32_acquire(PACKET_ID)?.wrapping_add(1);
    map.write(GRAPHICS_STATUS, &STATUS_OFF.to_le_bytes())?;
    map.store_i32_release(PACKET_ID, id)?;
    Ok(id)
}

impl SimPublisher for FamilyPublisher {
    fn publish(&mut self, frame: &FrameRef<'_>, ctx: PublishContext) -> Result<(), SimError> {
        for o in &self.out {
            if o.index >= frame.pages().len() {
                return Err(SimError::Incompatible {
                    sim: self.fam.id,
                    detail: format!("frame has no page {}", o.index),
                });
            }
            let after_stop = self.stopped_id.is_some();
            if self.fresh || after_stop || ctx.discontinuity || frame.changed(o.index) {
                let page = frame.page(o.index);
                let mut id = super::i32_at(page, PACKET_ID);
                if o.def.kind == PageKind::Graphics {
                    if self.stopped_id == Some(id.wrapping_add(self.graphics_bump)) {
                        self.graphics_bump = self.graphics_bump.wrapping_add(1);
                    }
                    id = id.wrapping_add(self.graphics_bump);
                }
                write_page_as(&o.map, &o.def, page, id)?;
            }
        }
        self.fresh = false;
        self.stopped_id = None;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), SimError> {
        // The last frame stays up for one graphics interval before the stop replaces it:
        // written microseconds after it, `AC_OFF` would hide it from every reader.
        if !self.fresh {
            std::thread::sleep(STOP_GRACE);
        }
        for o in &self.out {
            if o.def.kind == PageKind::Graphics {
                self.stopped_id = Some(write_stopped(&o.map)?);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use ksana_format::FrameRef;

    use super::*;
    use crate::assetto::acc::FAMILY;

    fn frame_pages(pid: i32, gid: i32, status: i32, track: u8) -> Vec<Vec<u8>> {
        let mut p = vec![0u8; 4096];
        p[..4].copy_from_slice(&pid.to_le_bytes());
        let mut g = vec![0u8; 4096];
        g[..4].copy_from_slice(&gid.to_le_bytes());
        g[4..8].copy_from_slice(&status.to_le_bytes());
        let mut s = vec![0u8; 4096];
        s[134] = track;
        vec![p, g, s]
    }

    #[test]
    fn publishing_again_after_a_stop_is_seen_live_with_a_new_packet_id() {
        let root = ksana_testkit::shm_root();
        let ns = ShmNamespace::with_root(root.path());
        let specs: Vec<PageSpec> = FAMILY.pages().iter().map(|d| d.spec(d.capture)).collect();
        let mut publ = FamilyPublisher::open(&FAMILY, &ns, &specs).unwrap();
        let read = |name: &str| {
            let m = Mapping::open_read(&ns, name).unwrap().unwrap();
            let mut b = vec![0u8; 4096];
            m.read(0, &mut b).unwrap();
            b
        };
        let gname = FAMILY.graphics.name;
        let pages = frame_pages(10, 10, 2, b'a');
        let all = [true, true, true];
        let ctx = PublishContext::default();
        publ.publish(&FrameRef::new(0, None, 0, &pages, &all), ctx)
            .unwrap();
        assert_eq!(super::super::i32_at(&read(gname), GRAPHICS_STATUS), 2);
        publ.stop().unwrap();
        let g = read(gname);
        assert_eq!(super::super::i32_at(&g, GRAPHICS_STATUS), STATUS_OFF);
        assert_eq!(super::super::i32_at(&g, PACKET_ID), 11);
        // Back from the menu: the next frame carries packetId 11 (the stop's) and a static page
        // changed by a frame that was not published; changed flags say only physics+graphics.
        let pages = frame_pages(11, 11, 2, b'b');
        let some = [true, true, false];
        publ.publish(&FrameRef::new(1, None, 0, &pages, &some), ctx)
            .unwrap();
        let g = read(gname);
        assert_eq!(super::super::i32_at(&g, GRAPHICS_STATUS), 2, "live again");
        assert_eq!(
            super::super::i32_at(&g, PACKET_ID),
            12,
            "a packetId the reader has not seen"
        );
        assert_eq!(
            read(FAMILY.statics.name)[134],
            b'b',
            "static rewritten after the stop"
        );
        assert_eq!(
            super::super::i32_at(&read(FAMILY.physics.name), PACKET_ID),
            11
        );
        // Later frames keep the offset, so the graphics packetId keeps increasing.
        let pages = frame_pages(12, 12, 2, b'c');
        publ.publish(&FrameRef::new(2, None, 0, &pages, &some), ctx)
            .unwrap();
        assert_eq!(super::super::i32_at(&read(gname), PACKET_ID), 13);
        assert_eq!(
            read(FAMILY.statics.name)[134],
            b'b',
            "unchanged static not rewritten"
        );
        // A frame whose packetId differs from the stop's is published as it is.
        publ.stop().unwrap();
        assert_eq!(super::super::i32_at(&read(gname), PACKET_ID), 14);
        let pages = frame_pages(40, 40, 2, b'c');
        publ.publish(&FrameRef::new(3, None, 0, &pages, &some), ctx)
            .unwrap();
        assert_eq!(super::super::i32_at(&read(gname), PACKET_ID), 41);
    }
}
