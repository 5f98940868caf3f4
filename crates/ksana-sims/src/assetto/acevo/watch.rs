//! `ksana watch` for AC Evo: the values a driver looks at, decoded with the typed layouts.

use ksana_format::PageSpec;

use super::FAMILY;
use super::layout::{Graphics, Physics, Static};
use crate::assetto::enums::{EvoFlagType, EvoSessionType, Gear, Status};
use crate::assetto::family::pattern::lap_ms;
use crate::assetto::page::View;
use crate::assetto::strings::utf8_z;
use crate::sim::{SimError, WatchView, Watcher};

pub(crate) struct EvoWatcher {
    physics: usize,
    graphics: Option<usize>,
    statics: Option<usize>,
}

impl EvoWatcher {
    /// A watcher for frames with `pages`, when they hold the Evo physics page.
    pub(crate) fn new(pages: &[PageSpec]) -> Option<EvoWatcher> {
        let at = |n: &str| pages.iter().position(|p| p.name == n);
        Some(EvoWatcher {
            physics: at(FAMILY.physics.name)?,
            graphics: at(FAMILY.graphics.name),
            statics: at(FAMILY.statics.name),
        })
    }
}

fn layout_err(page: &str, e: impl std::fmt::Display) -> SimError {
    SimError::Layout {
        page: page.into(),
        detail: e.to_string(),
    }
}

impl Watcher for EvoWatcher {
    fn view(&mut self, pages: &[&[u8]]) -> Result<WatchView, SimError> {
        let page = |i: usize, name: &str| {
            pages
                .get(i)
                .copied()
                .ok_or_else(|| layout_err(name, "missing from the frame"))
        };
        let p = View::<Physics>::new(page(self.physics, FAMILY.physics.name)?)
            .map_err(|e| layout_err(FAMILY.physics.name, e))?;
        let p = p.raw();
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut f = |k: &str, v: String| fields.push((k.to_string(), v));
        let mut title = vec!["AC Evo".to_string()];
        if let Some(i) = self.statics {
            let s = View::<Static>::new(page(i, FAMILY.statics.name)?)
                .map_err(|e| layout_err(FAMILY.statics.name, e))?;
            let s = s.raw();
            let track = utf8_z(&s.track);
            if !track.is_empty() {
                title.push(track);
            }
            title.push(EvoSessionType::from(s.session).to_string());
        }
        let g = match self.graphics {
            Some(i) => Some(
                View::<Graphics>::new(page(i, FAMILY.graphics.name)?)
                    .map_err(|e| layout_err(FAMILY.graphics.name, e))?
                    .raw()
                    .to_owned(),
            ),
            None => None,
        };
        match &g {
            Some(g) => title.push(Status::from(g.status).to_string()),
            None => title.push("physics only".into()),
        }
        f("Speed", format!("{:.1} km/h", p.speed_kmh));
        f("Gear", Gear::from_raw(p.gear).to_string());
        f("RPM", format!("{}", p.rpms));
        f(
            "Throttle / brake",
            format!("{:.0} % / {:.0} %", p.gas * 100.0, p.brake * 100.0),
        );
        if let Some(g) = &g {
            f("Car", utf8_z(&g.car_model));
            f(
                "Driver",
                format!("{} {}", utf8_z(&g.driver_name), utf8_z(&g.driver_surname)),
            );
            f("Fuel", format!("{:.1} l", g.fuel_liter_current_quantity));
            f("Lap", format!("{}", g.total_lap_count.saturating_add(1)));
            f("Lap time", lap_ms(g.current_lap_time_ms));
            f("Last lap", lap_ms(g.last_laptime_ms));
            f("Best lap", lap_ms(g.best_laptime_ms));
            f(
                "Position",
                format!("{} of {}", g.current_pos, g.total_drivers),
            );
            f("Flag", EvoFlagType::from(g.flag).to_string());
        } else {
            f("Fuel", format!("{:.1} l", p.fuel));
        }
        let t = p.tyre_core_temperature;
        f(
            "Tyres °C (FL FR RL RR)",
            format!("{:.1} {:.1} {:.1} {:.1}", t[0], t[1], t[2], t[3]),
        );
        f("packetId", format!("{}", p.packet_id));
        Ok(WatchView {
            title: title.join(" · "),
            fields,
            table: None,
        })
    }
}
