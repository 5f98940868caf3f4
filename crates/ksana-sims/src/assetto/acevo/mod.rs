//! Assetto Corsa Evo (≥ v0.6): pages `Local\acevo_pmf_physics` (800 bytes, the ACC layout),
//! `Local\acevo_pmf_graphics` (4900), `Local\acevo_pmf_static` (208), 1-byte strings. Its own
//! names, so detection needs no tie-break; some builds publish physics only, which is recorded
//! (physics alone, with a marker saying so) and played back.

mod fake;
pub mod layout;
mod pattern;
mod timing;
pub mod view;
mod watch;

use std::time::Duration;

use ksana_format::PageSpec;
use ksana_shm::ShmNamespace;

use crate::assetto::family::{self, Family, PageDef, PageKind, Strings};
use crate::assetto::page::Page;
use crate::sim::{
    FakeRenderer, Liveness, Sim, SimError, SimPublisher, SimReader, Simulator, TimingSource,
    Watcher,
};

/// AC Evo as the family code knows it.
pub const FAMILY: Family = Family {
    id: "acevo",
    name: "Assetto Corsa Evo",
    physics: PageDef {
        kind: PageKind::Physics,
        name: "Local\\acevo_pmf_physics",
        struct_size: layout::PHYSICS_SIZE,
        capture: <layout::Physics as Page>::RECORD_LEN,
        layout: "acevo/physics",
        fields: <layout::Physics as Page>::field_runs,
    },
    graphics: PageDef {
        kind: PageKind::Graphics,
        name: "Local\\acevo_pmf_graphics",
        struct_size: layout::GRAPHICS_SIZE,
        capture: <layout::Graphics as Page>::RECORD_LEN,
        layout: "acevo/graphics",
        fields: <layout::Graphics as Page>::field_runs,
    },
    statics: PageDef {
        kind: PageKind::Static,
        name: "Local\\acevo_pmf_static",
        struct_size: layout::STATIC_SIZE,
        capture: <layout::Static as Page>::RECORD_LEN,
        layout: "acevo/static",
        fields: <layout::Static as Page>::field_runs,
    },
    strings: Strings::Bytes,
    processes: &["AssettoCorsaEVO.exe"],
    physics_only_ok: true,
};

/// Assetto Corsa Evo.
pub struct AcEvo;

impl Sim for AcEvo {
    fn id(&self) -> &'static str {
        FAMILY.id
    }

    fn name(&self) -> &'static str {
        FAMILY.name
    }

    fn probe(&self, ns: &ShmNamespace, window: Duration) -> Result<Liveness, SimError> {
        let facts = family::probe_facts(&FAMILY, ns, window)?;
        if let Some(l) = facts.not_publishing(&FAMILY) {
            return Ok(l);
        }
        Ok(Liveness::Live {
            evidence: facts.evidence(),
        })
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

    fn simulator(&self, ns: &ShmNamespace) -> Result<Option<Box<dyn Simulator>>, SimError> {
        Ok(Some(Box::new(family::PatternWriter::create(
            &FAMILY,
            pattern::PATTERNS,
            ns,
        )?)))
    }

    fn watch_updates(
        &self,
        ns: &ShmNamespace,
        timeout: Duration,
        out: &mut dyn std::io::Write,
    ) -> Result<Option<u64>, SimError> {
        family::watch_updates(&FAMILY, &pattern::PATTERNS, ns, timeout, out).map(Some)
    }

    fn watcher(&self, pages: &[PageSpec]) -> Option<Box<dyn Watcher>> {
        watch::EvoWatcher::new(pages).map(|w| Box::new(w) as Box<dyn Watcher>)
    }

    /// Evo's timing facts (`timing.rs`): session id, no sectors, `is_valid_lap` and
    /// `timing_state.is_invalid`.
    fn timing(&self, pages: &[PageSpec]) -> Option<Box<dyn TimingSource>> {
        family::timing::FamilyTiming::new(&FAMILY, pages, timing::facts)
            .map(|t| Box::new(t) as Box<dyn TimingSource>)
    }

    /// AC Evo's physics members, as every family member ([`family::channels::TRACE_CHANNELS`]).
    fn trace_channels(&self) -> Option<crate::channels::TraceChannels> {
        Some(family::channels::TRACE_CHANNELS)
    }

    /// Every member of physics, graphics and static as export channels
    /// ([`family::channels`]); the lap is `total_lap_count` + 1.
    fn channels(&self, pages: &[PageSpec]) -> Option<Box<dyn crate::channels::ChannelSource>> {
        let t = family::channels::ChannelTables {
            physics: layout::PHYSICS_FIELDS,
            graphics: layout::GRAPHICS_FIELDS,
            statics: layout::STATIC_FIELDS,
            lap: Some(("total_lap_count", 1)),
            units: &[],
        };
        family::channels::FamilyChannels::new(&FAMILY, &t, pages)
            .map(|c| Box::new(c) as Box<dyn crate::channels::ChannelSource>)
    }

    /// The fake world as Evo's pages (`fake.rs`).
    fn fake(&self) -> Option<Box<dyn FakeRenderer>> {
        Some(Box::new(family::fake::FamilyFake::new(
            &FAMILY,
            fake::render,
        )))
    }
}

/// The stand-in's page contents (public for tests that check recordings of it).
pub fn patterns() -> family::Patterns {
    pattern::PATTERNS
}
