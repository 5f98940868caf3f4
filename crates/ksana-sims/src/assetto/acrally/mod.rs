//! AC Rally (Early Access, undocumented; reference §3.6): the `Local\acpmf_*` names of AC and
//! ACC, physics exactly the 800-byte ACC layout, graphics and static taken as ACC's, tyre and
//! brake temperatures in Kelvin, the static page often written late or not at all. Told apart
//! from ACC by the process `acr.exe` (Windows) or, without a process list, by Kelvin tyre
//! temperatures. Some builds publish physics only: that is recorded (physics alone, with a
//! marker saying so) and played back.

use std::time::Duration;

use ksana_format::PageSpec;
use ksana_shm::ShmNamespace;

use crate::assetto::acc::{self, probe_acpmf};
use crate::assetto::family::{self, Family, PageDef};
use crate::sim::{
    FakeRenderer, Liveness, Sim, SimError, SimPublisher, SimReader, TimingSource, Watcher,
};

/// AC Rally as the family code knows it: ACC's pages under other layout ids.
pub const FAMILY: Family = Family {
    id: "acrally",
    name: "Assetto Corsa Rally",
    physics: PageDef {
        layout: "acrally/physics",
        ..acc::FAMILY.physics
    },
    graphics: PageDef {
        layout: "acrally/graphics",
        ..acc::FAMILY.graphics
    },
    statics: PageDef {
        layout: "acrally/static",
        ..acc::FAMILY.statics
    },
    strings: acc::FAMILY.strings,
    processes: &["acr.exe"],
    physics_only_ok: true,
};

/// Assetto Corsa Rally.
pub struct AcRally;

impl Sim for AcRally {
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

    /// ACC's view: AC Rally's pages are ACC's (temperatures in Kelvin).
    fn watcher(&self, pages: &[PageSpec]) -> Option<Box<dyn Watcher>> {
        acc::watch::AccWatcher::with_title(pages, "AC Rally")
            .map(|w| Box::new(w) as Box<dyn Watcher>)
    }

    /// ACC's timing facts on AC Rally's pages (ACC's layout).
    fn timing(&self, pages: &[PageSpec]) -> Option<Box<dyn TimingSource>> {
        family::timing::FamilyTiming::new(&FAMILY, pages, acc::timing::facts)
            .map(|t| Box::new(t) as Box<dyn TimingSource>)
    }

    /// Every member of physics, graphics and static as export channels
    /// ([`family::channels`]); the lap is `completedLaps` + 1.
    fn channels(&self, pages: &[PageSpec]) -> Option<Box<dyn crate::channels::ChannelSource>> {
        let t = family::channels::ChannelTables {
            physics: acc::layout::PHYSICS_FIELDS,
            graphics: acc::layout::GRAPHICS_FIELDS,
            statics: acc::layout::STATIC_FIELDS,
            lap: Some(("completedLaps", 1)),
            units: &[
                ("tyreCoreTemperature", "K"),
                ("brakeTemp", "K"),
                ("tyreTempI", "K"),
                ("tyreTempM", "K"),
                ("tyreTempO", "K"),
                ("tyreTemp", "K"),
            ],
        };
        family::channels::FamilyChannels::new(&FAMILY, &t, pages)
            .map(|c| Box::new(c) as Box<dyn crate::channels::ChannelSource>)
    }

    /// The fake world as AC Rally's pages: ACC's, temperatures in Kelvin.
    fn fake(&self) -> Option<Box<dyn FakeRenderer>> {
        Some(Box::new(family::fake::FamilyFake::new(
            &FAMILY,
            acc::fake::render_acrally,
        )))
    }
}
