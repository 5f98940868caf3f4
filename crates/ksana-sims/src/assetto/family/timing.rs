//! What the four AC-family timing adapters share: finding the three pages in a recording's
//! page list, the status and session-type vocabularies, the cached [`SessionIdent`], and the
//! split conventions (ACC's cumulative `lastSectorTime`, AC's per-sector one turned into a
//! running sum). Each sim's `timing.rs` reads its own layout into [`FrameFacts`]; the
//! [`FamilyTiming`] here turns those into [`TimingSample`]s.

use std::sync::Arc;

use ksana_format::PageSpec;
use ksana_laps::{SessionIdent, SimState, TimingSample};

use super::{Family, STATUS_LIVE};
use crate::sim::{SimError, TimingSource};

/// One frame's physics, graphics and static pages.
pub type Pages3<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// The index of each page in a recording's page list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageIndex {
    /// Physics page.
    pub physics: usize,
    /// Graphics page.
    pub graphics: usize,
    /// Static page.
    pub statics: usize,
}

impl PageIndex {
    /// Finds `fam`'s three pages in `pages`: `None` when one is missing, or a page of the same
    /// name carries another member's layout id (AC, ACC and AC Rally share page names).
    pub fn find(fam: &Family, pages: &[PageSpec]) -> Option<PageIndex> {
        let at = |def: &super::PageDef| {
            pages
                .iter()
                .position(|p| p.name == def.name && (p.layout.is_empty() || p.layout == def.layout))
        };
        Some(PageIndex {
            physics: at(&fam.physics)?,
            graphics: at(&fam.graphics)?,
            statics: at(&fam.statics)?,
        })
    }

    /// The three pages of a frame, physics, graphics, static; an error naming the page when the
    /// frame lacks it.
    pub fn pick<'a>(&self, fam: &Family, pages: &[&'a [u8]]) -> Result<Pages3<'a>, SimError> {
        let get = |i: usize, name: &str| {
            pages.get(i).copied().ok_or_else(|| SimError::Layout {
                page: name.into(),
                detail: format!("missing from the frame (it has {} pages)", pages.len()),
            })
        };
        Ok((
            get(self.physics, fam.physics.name)?,
            get(self.graphics, fam.graphics.name)?,
            get(self.statics, fam.statics.name)?,
        ))
    }
}

/// A page too short for its struct, as a [`SimError`].
pub fn layout_err(page: &str, e: impl std::fmt::Display) -> SimError {
    SimError::Layout {
        page: page.into(),
        detail: e.to_string(),
    }
}

/// Graphics `status` (`AC_OFF` 0, `AC_REPLAY` 1, `AC_LIVE` 2, `AC_PAUSE` 3, the same in all four
/// games) as the lap engine's state; unknown codes are `Off`.
pub fn sim_state(status: i32) -> SimState {
    match status {
        1 => SimState::Replay,
        STATUS_LIVE => SimState::Live,
        3 => SimState::Paused,
        _ => SimState::Off,
    }
}

/// AC / ACC graphics `session` (`AC_SESSION_TYPE`, ACC's additions 7 and 8) normalised.
pub fn ac_session_type(code: i32) -> &'static str {
    match code {
        0 => "practice",
        1 => "qualify",
        2 => "race",
        3 => "hotlap",
        4 => "time_attack",
        5 => "drift",
        6 => "drag",
        7 => "hotstint",
        8 => "superpole",
        _ => "unknown",
    }
}

/// `name` and `surname` as one trimmed name ("Ada Lovelace"; either may be empty).
pub fn full_name(name: &str, surname: &str) -> String {
    format!("{} {}", name.trim(), surname.trim())
        .trim()
        .to_string()
}

/// Track plus layout when the sim names one (`monza`, `ks_nordschleife/touristenfahrten`).
pub fn track_with_layout(track: &str, layout: &str) -> String {
    let (t, l) = (track.trim(), layout.trim());
    if l.is_empty() {
        t.to_string()
    } else {
        format!("{t}/{l}")
    }
}

/// A lap time field: `None` for "no time" (0 or negative, or the `i32::MAX` ACC keeps before
/// the first lap).
pub fn lap_time_ms(v: i32) -> Option<f64> {
    (v > 0 && v != i32::MAX).then_some(v as f64)
}

/// How a member reports the time of the sector last completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// No sector time (AC Evo).
    None,
    /// ACC `lastSectorTime`: the cumulative split from the lap start, ms (reference
    /// laps-and-analysis §5, as reported by SimHub); 0 before the first sector of a lap.
    Cumulative(i32),
    /// AC `lastSectorTime`: the time of the last sector alone, ms; the adapter sums them.
    PerSector(i32),
}

/// One frame's facts, read by a member's own adapter from its layout.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameFacts {
    /// Graphics `status`.
    pub status: i32,
    /// Normalised session type.
    pub session_type: &'static str,
    /// The sim's own identity of the session (ACC: `sessionIndex`).
    pub key: String,
    /// Track (with layout).
    pub track: String,
    /// Car model.
    pub car: String,
    /// Driver name.
    pub driver: String,
    /// The session clock, seconds (see each adapter).
    pub sim_time_s: Option<f64>,
    /// `completedLaps`.
    pub completed_laps: Option<u32>,
    /// `iCurrentTime`.
    pub current_lap_ms: Option<f64>,
    /// `iLastTime`, `None` for no time.
    pub last_lap_ms: Option<f64>,
    /// `normalizedCarPosition`.
    pub lap_dist_pct: Option<f64>,
    /// `currentSectorIndex`.
    pub sector_index: Option<u32>,
    /// Static `sectorCount`.
    pub sector_count: Option<u32>,
    /// `lastSectorTime` in the member's convention.
    pub split: Option<Split>,
    /// The sim says the lap is invalid.
    pub lap_invalid: bool,
    /// Off the track surface.
    pub off_track: bool,
    /// In the pit lane (box included).
    pub in_pit_lane: bool,
    /// In the pit box.
    pub in_pit_box: bool,
}

/// Reads one frame of a member into [`FrameFacts`].
pub type Extract = fn(&[u8], &[u8], &[u8]) -> Result<FrameFacts, SimError>;

/// The timing source of a family member: its page positions, its reader of facts, and the
/// state kept between frames (the session `Arc`, AC's running sector sum).
pub struct FamilyTiming {
    fam: Family,
    index: PageIndex,
    extract: Extract,
    session: Arc<SessionIdent>,
    /// AC: lap count and sector index of the previous frame, and the sum of the lap's sector
    /// times so far.
    per_sector: PerSectorSum,
}

#[derive(Default)]
struct PerSectorSum {
    lap: Option<u32>,
    sector: Option<u32>,
    sum_ms: Option<f64>,
    /// The lap was first seen past its first sector: earlier sectors are unknown, no sum.
    partial: bool,
}

impl PerSectorSum {
    /// Adds AC's per-sector time at each sector change of a lap; resets at a lap change.
    fn update(
        &mut self,
        laps: Option<u32>,
        sector: Option<u32>,
        last_sector_ms: i32,
    ) -> Option<f64> {
        if laps != self.lap {
            // A new lap (or a restart): the sum starts again, if the lap is seen from its start.
            self.sum_ms = None;
            self.partial = sector != Some(0);
        } else if sector != self.sector && sector.is_some_and(|s| s > 0) && last_sector_ms > 0 {
            self.sum_ms = Some(self.sum_ms.unwrap_or(0.0) + last_sector_ms as f64);
        }
        self.lap = laps;
        self.sector = sector;
        if self.partial { None } else { self.sum_ms }
    }
}

impl FamilyTiming {
    /// A source for frames with `pages`, or `None` when they are not `fam`'s three pages.
    pub fn new(fam: &Family, pages: &[PageSpec], extract: Extract) -> Option<FamilyTiming> {
        Some(FamilyTiming {
            fam: *fam,
            index: PageIndex::find(fam, pages)?,
            extract,
            session: Arc::new(SessionIdent::default()),
            per_sector: PerSectorSum::default(),
        })
    }

    /// The cached session, replaced only when a field changed.
    fn session(&mut self, f: &FrameFacts) -> Arc<SessionIdent> {
        let s = &*self.session;
        if s.sim != self.fam.id
            || s.key != f.key
            || s.session_type != f.session_type
            || s.track != f.track
            || s.car != f.car
            || s.driver != f.driver
        {
            self.session = Arc::new(SessionIdent {
                sim: self.fam.id.to_string(),
                key: f.key.clone(),
                session_type: f.session_type.to_string(),
                track: f.track.clone(),
                car: f.car.clone(),
                driver: f.driver.clone(),
            });
        }
        Arc::clone(&self.session)
    }
}

impl TimingSource for FamilyTiming {
    fn sample(
        &mut self,
        rec_time_s: f64,
        pages: &[&[u8]],
    ) -> Result<Option<TimingSample>, SimError> {
        let (p, g, s) = self.index.pick(&self.fam, pages)?;
        let f = (self.extract)(p, g, s)?;
        let sim_split_ms = match f.split {
            Some(Split::Cumulative(ms)) => (ms > 0).then_some(ms as f64),
            Some(Split::PerSector(ms)) => {
                self.per_sector.update(f.completed_laps, f.sector_index, ms)
            }
            Some(Split::None) | None => None,
        };
        Ok(Some(TimingSample {
            rec_time_s,
            sim_time_s: f.sim_time_s,
            state: sim_state(f.status),
            session: self.session(&f),
            completed_laps: f.completed_laps,
            current_lap_ms: f.current_lap_ms,
            last_lap_ms: f.last_lap_ms,
            lap_dist_pct: f.lap_dist_pct,
            sector_index: f.sector_index,
            sector_count: f.sector_count,
            sector_starts: Arc::from(Vec::new()),
            sim_split_ms,
            lap_invalid: f.lap_invalid,
            incidents: None,
            off_track: f.off_track,
            in_pit_lane: f.in_pit_lane,
            in_pit_box: f.in_pit_box,
            reset: false,
        }))
    }
}

/// A non-negative count as `u32`; `None` when negative.
pub fn count(v: i32) -> Option<u32> {
    u32::try_from(v).ok()
}

/// A finite float as f64; `None` for NaN and infinities.
pub fn finite(v: f32) -> Option<f64> {
    v.is_finite().then_some(v as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_sector_times_become_a_running_split_reset_at_the_line() {
        let mut s = PerSectorSum::default();
        assert_eq!(s.update(Some(0), Some(0), 0), None);
        assert_eq!(s.update(Some(0), Some(1), 30_000), Some(30_000.0));
        assert_eq!(s.update(Some(0), Some(1), 30_000), Some(30_000.0));
        assert_eq!(s.update(Some(0), Some(2), 31_500), Some(61_500.0));
        assert_eq!(s.update(Some(1), Some(0), 29_000), None);
        assert_eq!(s.update(Some(1), Some(1), 29_900), Some(29_900.0));
        // A lap first seen in its second sector: its first sector's time is unknown.
        let mut s = PerSectorSum::default();
        assert_eq!(s.update(Some(3), Some(1), 30_000), None);
        assert_eq!(s.update(Some(3), Some(2), 31_000), None);
        assert_eq!(s.update(Some(4), Some(0), 29_000), None);
        assert_eq!(s.update(Some(4), Some(1), 30_100), Some(30_100.0));
    }

    #[test]
    fn vocabularies() {
        assert_eq!(sim_state(0), SimState::Off);
        assert_eq!(sim_state(1), SimState::Replay);
        assert_eq!(sim_state(2), SimState::Live);
        assert_eq!(sim_state(3), SimState::Paused);
        assert_eq!(sim_state(17), SimState::Off);
        assert_eq!(ac_session_type(-1), "unknown");
        assert_eq!(ac_session_type(8), "superpole");
        assert_eq!(ac_session_type(9), "unknown");
        assert_eq!(full_name(" Ada ", "Lovelace "), "Ada Lovelace");
        assert_eq!(full_name("", "Lovelace"), "Lovelace");
        assert_eq!(track_with_layout("monza", ""), "monza");
        assert_eq!(
            track_with_layout("ks_vallelunga", "club"),
            "ks_vallelunga/club"
        );
        assert_eq!(lap_time_ms(i32::MAX), None);
        assert_eq!(lap_time_ms(0), None);
        assert_eq!(lap_time_ms(-5), None);
        assert_eq!(lap_time_ms(90_123), Some(90_123.0));
    }

    /// Outside bytes never panic a timing source: short pages are errors naming the page,
    /// any bytes of the right length (NaN, negative counts, invalid strings) give a sample.
    #[test]
    fn short_or_garbage_pages_are_errors_or_samples_never_panics() {
        use crate::assetto::{ac::Ac, acc::Acc, acevo::AcEvo, acrally::AcRally};
        use crate::sim::Sim;

        let sims: [&dyn Sim; 4] = [&Acc, &Ac, &AcRally, &AcEvo];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for sim in sims {
            let specs = sim.fake().unwrap().pages();
            let mut t = sim.timing(&specs).unwrap();
            let full: Vec<usize> = specs.iter().map(|p| p.size as usize).collect();
            for round in 0..300 {
                let pages: Vec<Vec<u8>> = full
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| {
                        // Some rounds cut one page short of its struct.
                        let len = if round % 3 == 0 && (round / 3) % 3 == i {
                            (next() as usize) % 200
                        } else {
                            n
                        };
                        (0..len).map(|_| next() as u8).collect()
                    })
                    .collect();
                let refs: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
                match t.sample(0.0, &refs) {
                    Ok(s) => {
                        assert!(s.is_some());
                        assert!(round % 3 != 0, "{}: short page accepted", sim.id());
                    }
                    Err(e) => {
                        assert_eq!(round % 3, 0, "{}: {e}", sim.id());
                        assert!(e.to_string().contains("needs"), "{e}");
                    }
                }
            }
            // A frame with fewer pages than the list is an error too.
            assert!(t.sample(0.0, &[]).is_err());
        }
    }
}
