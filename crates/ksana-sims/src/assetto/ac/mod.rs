//! Assetto Corsa (AC1, shared memory "1.7"): pages `Local\acpmf_physics` (580 bytes),
//! `Local\acpmf_graphics` (296), `Local\acpmf_static` (684), shared with ACC and AC Rally; told
//! apart by `smVersion` below "1.8" and, on Windows, the process `acs.exe`.

mod fake;
pub mod layout;
mod timing;
pub mod view;
mod watch;

use std::time::Duration;

use ksana_format::PageSpec;
use ksana_shm::ShmNamespace;

use crate::assetto::acc::{GRAPHICS_NAME, PHYSICS_NAME, STATIC_NAME, probe_acpmf};
use crate::assetto::family::{self, Family, PageDef, PageKind, Strings};
use crate::assetto::page::Page;
use crate::sim::{
    FakeRenderer, Liveness, Sim, SimError, SimPublisher, SimReader, TimingSource, Watcher,
};

/// AC as the family code knows it.
pub const FAMILY: Family = Family {
    id: "ac",
    name: "Assetto Corsa",
    physics: PageDef {
        kind: PageKind::Physics,
        name: PHYSICS_NAME,
        struct_size: layout::PHYSICS_SIZE,
        capture: <layout::Physics as Page>::RECORD_LEN,
        layout: "ac/physics",
        fields: <layout::Physics as Page>::field_runs,
    },
    graphics: PageDef {
        kind: PageKind::Graphics,
        name: GRAPHICS_NAME,
        struct_size: layout::GRAPHICS_SIZE,
        capture: <layout::Graphics as Page>::RECORD_LEN,
        layout: "ac/graphics",
        fields: <layout::Graphics as Page>::field_runs,
    },
    statics: PageDef {
        kind: PageKind::Static,
        name: STATIC_NAME,
        struct_size: layout::STATIC_SIZE,
        capture: <layout::Static as Page>::RECORD_LEN,
        layout: "ac/static",
        fields: <layout::Static as Page>::field_runs,
    },
    strings: Strings::Utf16,
    processes: &["acs.exe", "acs_x86.exe"],
    physics_only_ok: false,
};

/// Assetto Corsa.
pub struct Ac;

impl Sim for Ac {
    fn id(&self) -> &'static str {
        FAMILY.id
    }

    fn name(&self) -> &'static str {
        FAMILY.name
    }

    fn probe(&self, ns: &ShmNamespace, window: Duration) -> Result<Liveness, SimError> {
        probe_acpmf(&FAMILY, ns, window)
    }

    fn open_reader(&self, ns: &ShmNamespace) -> Result<Box<dyn SimReader>, SimError> {
        Ok(Box::new(family::FamilyReader::open(&FAMILY, ns)?))
    }

    fn open_publisher(
        &self,
        ns: &ShmNamespace,
        pages: &[PageSpec],
    ) -> Result<Box<dyn SimPublisher>, SimError> {
        Ok(Box::new(family::FamilyPublisher::open(&FAMILY, ns, pages)?))
    }

    fn watcher(&self, pages: &[PageSpec]) -> Option<Box<dyn Watcher>> {
        watch::AcWatcher::new(pages).map(|w| Box::new(w) as Box<dyn Watcher>)
    }

    /// AC's timing facts (`timing.rs`): per-sector `lastSectorTime` summed into splits, no
    /// validity field.
    fn timing(&self, pages: &[PageSpec]) -> Option<Box<dyn TimingSource>> {
        family::timing::FamilyTiming::new(&FAMILY, pages, timing::facts)
            .map(|t| Box::new(t) as Box<dyn TimingSource>)
    }

    /// AC's physics members, as every family member ([`family::channels::TRACE_CHANNELS`]).
    fn trace_channels(&self) -> Option<crate::channels::TraceChannels> {
        Some(family::channels::TRACE_CHANNELS)
    }

    /// Every member of physics, graphics and static as export channels
    /// ([`family::channels`]); the lap is `completedLaps` + 1.
    fn channels(&self, pages: &[PageSpec]) -> Option<Box<dyn crate::channels::ChannelSource>> {
        let t = family::channels::ChannelTables {
            physics: layout::PHYSICS_FIELDS,
            graphics: layout::GRAPHICS_FIELDS,
            statics: layout::STATIC_FIELDS,
            lap: Some(("completedLaps", 1)),
            units: &[],
        };
        family::channels::FamilyChannels::new(&FAMILY, &t, pages)
            .map(|c| Box::new(c) as Box<dyn crate::channels::ChannelSource>)
    }

    /// The fake world as AC's pages (`fake.rs`).
    fn fake(&self) -> Option<Box<dyn FakeRenderer>> {
        Some(Box::new(family::fake::FamilyFake::new(
            &FAMILY,
            fake::render,
        )))
    }
}
