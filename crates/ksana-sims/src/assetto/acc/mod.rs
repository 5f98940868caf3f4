//! Assetto Corsa Competizione: pages `Local\acpmf_physics` (800 bytes), `Local\acpmf_graphics`
//! (1588), `Local\acpmf_static` (820), shared with AC and AC Rally; told apart by `smVersion`
//! ≥ "1.8" and, on Windows, the process `AC2-Win64-Shipping.exe`.

pub(crate) mod fake;
pub mod layout;
mod pattern;
pub(crate) mod timing;
pub mod view;
pub(crate) mod watch;

use std::time::Duration;

use ksana_format::PageSpec;
use ksana_shm::ShmNamespace;

use crate::assetto::family::{self, Family, PageDef, PageKind, Strings};
use crate::assetto::page::Page;
use crate::sim::{
    FakeRenderer, Liveness, Sim, SimError, SimPublisher, SimReader, Simulator, TimingSource,
    Watcher,
};

/// Mapping name of the physics page (AC, ACC, AC Rally).
pub const PHYSICS_NAME: &str = "Local\\acpmf_physics";
/// Mapping name of the graphics page.
pub const GRAPHICS_NAME: &str = "Local\\acpmf_graphics";
/// Mapping name of the static page.
pub const STATIC_NAME: &str = "Local\\acpmf_static";

/// ACC as the family code knows it.
pub const FAMILY: Family = Family {
    id: "acc",
    name: "Assetto Corsa Competizione",
    physics: PageDef {
        kind: PageKind::Physics,
        name: PHYSICS_NAME,
        struct_size: layout::PHYSICS_SIZE,
        capture: <layout::Physics as Page>::RECORD_LEN,
        layout: "acc/physics",
        fields: <layout::Physics as Page>::field_runs,
    },
    graphics: PageDef {
        kind: PageKind::Graphics,
        name: GRAPHICS_NAME,
        struct_size: layout::GRAPHICS_SIZE,
        capture: <layout::Graphics as Page>::RECORD_LEN,
        layout: "acc/graphics",
        fields: <layout::Graphics as Page>::field_runs,
    },
    statics: PageDef {
        kind: PageKind::Static,
        name: STATIC_NAME,
        struct_size: layout::STATIC_SIZE,
        capture: <layout::Static as Page>::RECORD_LEN,
        layout: "acc/static",
        fields: <layout::Static as Page>::field_runs,
    },
    strings: Strings::Utf16,
    processes: &["AC2-Win64-Shipping.exe"],
    physics_only_ok: false,
};

/// Assetto Corsa Competizione.
pub struct Acc;

/// Which of AC, ACC and AC Rally publishes the shared `acpmf_*` pages, from a probe's facts
/// and the process list when there is one (reference §3.5): a game's process decides; without
/// one, `smVersion` below "1.8" is AC, Kelvin tyre temperatures are AC Rally, anything else
/// (≥ "1.8", or a static page not written yet) is ACC.
pub fn acpmf_owner(facts: &family::ProbeFacts, processes: Option<&[String]>) -> &'static str {
    if let Some(ps) = processes {
        let has = |exe: &str| ps.iter().any(|p| p.eq_ignore_ascii_case(exe));
        for (fam, id) in [
            (&FAMILY, "acc"),
            (&crate::assetto::ac::FAMILY, "ac"),
            (&crate::assetto::acrally::FAMILY, "acrally"),
        ] {
            if fam.processes.iter().any(|e| has(e)) {
                return id;
            }
        }
    }
    if facts.kelvin {
        return "acrally";
    }
    match family::parse_version(&facts.sm_version) {
        Some(v) if v < (1, 8) => "ac",
        _ => "acc",
    }
}

/// The shared probe of the three `acpmf_*` members: live only for the member that owns them.
pub fn probe_acpmf(
    fam: &Family,
    ns: &ShmNamespace,
    window: Duration,
) -> Result<Liveness, SimError> {
    let facts = family::probe_facts(fam, ns, window)?;
    if let Some(l) = facts.not_publishing(fam) {
        return Ok(l);
    }
    let procs = family::running_processes();
    let owner = acpmf_owner(&facts, procs.as_deref());
    Ok(if owner == fam.id {
        Liveness::Live {
            evidence: facts.evidence(),
        }
    } else {
        // Another member is publishing: for this one the pages are someone else's.
        Liveness::Stale
    })
}

impl Sim for Acc {
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
        watch::AccWatcher::new(pages).map(|w| Box::new(w) as Box<dyn Watcher>)
    }

    /// ACC's timing facts (`timing.rs`): session index, cumulative `lastSectorTime`,
    /// `isValidLap`.
    fn timing(&self, pages: &[PageSpec]) -> Option<Box<dyn TimingSource>> {
        family::timing::FamilyTiming::new(&FAMILY, pages, timing::facts)
            .map(|t| Box::new(t) as Box<dyn TimingSource>)
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

    /// ACC's physics members: `speedKmh`, `gas`, `brake`, `gear` (0 = reverse, 1 = neutral),
    /// `steerAngle` (−1 to 1), `rpms`.
    fn trace_channels(&self) -> Option<crate::channels::TraceChannels> {
        Some(family::channels::TRACE_CHANNELS)
    }

    /// The fake world as ACC's pages (`fake.rs`).
    fn fake(&self) -> Option<Box<dyn FakeRenderer>> {
        Some(Box::new(family::fake::FamilyFake::new(
            &FAMILY,
            fake::render_acc,
        )))
    }
}

/// The stand-in's page contents (public for tests that check recordings of it).
pub fn patterns() -> family::Patterns {
    pattern::PATTERNS
}
