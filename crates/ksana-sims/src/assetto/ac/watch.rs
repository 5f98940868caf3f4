//! `ksana watch` for Assetto Corsa (AC1 layouts): the values a driver looks at, decoded with
//! the typed layouts from a live copy or a recording frame alike.

use ksana_format::PageSpec;

use super::layout::{Graphics, Physics, Static};
use crate::assetto::acc::{GRAPHICS_NAME, PHYSICS_NAME, STATIC_NAME};
use crate::assetto::enums::{FlagType, Gear, SessionType, Status};
use crate::assetto::family::pattern::lap_ms;
use crate::assetto::page::View;
use crate::assetto::strings::utf16_z;
use crate::sim::{SimError, WatchView, Watcher};

/// Index of each page in the frames, when present.
pub(crate) struct AcWatcher {
    physics: usize,
    graphics: Option<usize>,
    statics: Option<usize>,
    title: &'static str,
}

impl AcWatcher {
    /// A watcher for frames with `pages`, when they hold the physics page.
    pub(crate) fn new(pages: &[PageSpec]) -> Option<AcWatcher> {
        let title = "AC";
        let at = |n: &str| pages.iter().position(|p| p.name == n);
        Some(AcWatcher {
            physics: at(PHYSICS_NAME)?,
            graphics: at(GRAPHICS_NAME),
            statics: at(STATIC_NAME),
            title,
        })
    }
}

fn layout_err(page: &str, e: impl std::fmt::Display) -> SimError {
    SimError::Layout {
        page: page.into(),
        detail: e.to_string(),
    }
}

impl Watcher for AcWatcher {
    fn view(&mut self, pages: &[&[u8]]) -> Result<WatchView, SimError> {
        let page = |i: usize, name: &str| {
            pages
                .get(i)
                .copied()
                .ok_or_else(|| layout_err(name, "missing from the frame"))
        };
        let p = View::<Physics>::new(page(self.physics, PHYSICS_NAME)?)
            .map_err(|e| layout_err(PHYSICS_NAME, e))?;
        let p = p.raw();
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut f = |k: &str, v: String| fields.push((k.to_string(), v));
        let mut title = vec![self.title.to_string()];
        if let Some(i) = self.statics {
            let s = View::<Static>::new(page(i, STATIC_NAME)?)
                .map_err(|e| layout_err(STATIC_NAME, e))?;
            let s = s.raw();
            let track = utf16_z(&s.track);
            if !track.is_empty() {
                title.push(track);
            }
            f("Car", utf16_z(&s.car_model));
        }
        let g = match self.graphics {
            Some(i) => Some(
                View::<Graphics>::new(page(i, GRAPHICS_NAME)?)
                    .map_err(|e| layout_err(GRAPHICS_NAME, e))?
                    .raw()
                    .to_owned(),
            ),
            None => None,
        };
        if let Some(g) = &g {
            title.push(SessionType::from(g.session).to_string());
            title.push(Status::from(g.status).to_string());
        } else {
            title.push("physics only".into());
        }
        f("Speed", format!("{:.1} km/h", p.speed_kmh));
        f("Gear", Gear::from_raw(p.gear).to_string());
        f("RPM", format!("{}", p.rpms));
        f(
            "Throttle / brake",
            format!("{:.0} % / {:.0} %", p.gas * 100.0, p.brake * 100.0),
        );
        f("Fuel", format!("{:.1} l", p.fuel));
        if let Some(g) = &g {
            f("Lap", format!("{}", g.completed_laps.saturating_add(1)));
            f("Lap time", lap_ms(g.i_current_time));
            f("Last lap", lap_ms(g.i_last_time));
            f("Best lap", lap_ms(g.i_best_time));
            f("Position", format!("{}", g.position));
            f("Flag", FlagType::from(g.flag).to_string());
        }
        let t = p.tyre_core_temperature;
        let pr = p.wheels_pressure;
        f(
            "Tyres °C (FL FR RL RR)",
            format!("{:.1} {:.1} {:.1} {:.1}", t[0], t[1], t[2], t[3]),
        );
        f(
            "Tyres psi (FL FR RL RR)",
            format!("{:.1} {:.1} {:.1} {:.1}", pr[0], pr[1], pr[2], pr[3]),
        );
        f("packetId", format!("{}", p.packet_id));
        Ok(WatchView {
            title: title.join(" · "),
            fields,
            table: None,
        })
    }
}
