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
        })
    }
}

/// Writes `page` into `map` the way the sim does: for pages with a packetId the body after
/// it first, then the packetId with a release store; static pages whole.
pub fn write_page(map: &Mapping, def: &PageDef, page: &[u8]) -> Result<(), SimError> {
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
        map.store_i32_release(PACKET_ID, super::i32_at(page, PACKET_ID))?;
    } else {
        map.write(0, &page[..n])?;
    }
    Ok(())
}

/// Marks the sim stopped: graphics `status` `AC_OFF`, then a new graphics packetId so that
/// readers keyed on it see the change.
pub fn write_stopped(map: &Mapping) -> Result<(), SimError> {
    let id = map.load_i32_acquire(PACKET_ID)?;
    map.write(GRAPHICS_STATUS, &STATUS_OFF.to_le_bytes())?;
    map.store_i32_release(PACKET_ID, id.wrapping_add(1))?;
    Ok(())
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
            if self.fresh || ctx.discontinuity || frame.changed(o.index) {
                write_page(&o.map, &o.def, frame.page(o.index))?;
            }
        }
        self.fresh = false;
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
                write_stopped(&o.map)?;
            }
        }
        Ok(())
    }
}
