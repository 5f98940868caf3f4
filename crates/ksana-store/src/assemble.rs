//! Backend-neutral assembly of query results: personal bests from three grouped queries, and
//! a session's laps with their sectors. Each backend only reads rows; the rules live here once,
//! so SQLite and PostgreSQL cannot disagree on them.

use std::collections::{BTreeMap, HashMap};

use ksana_laps::Lap;

use crate::steps::MAX_SECTORS;
use crate::{PersonalBest, SessionId, StoreError};

/// (sim, track, car).
pub(crate) type Key = (String, String, String);

/// How many sectors a (sim, track, car) has: the most any session declares, and the most any
/// counting lap has stored.
pub(crate) struct SectorCount {
    pub key: Key,
    pub declared: u32,
    pub seen: u32,
}

/// The best time of one sector of a (sim, track, car) over counting laps.
pub(crate) struct BestSector {
    pub key: Key,
    pub idx: u32,
    pub best_ms: u32,
}

/// The fastest counting lap of a (sim, track, car), rows sorted by key.
pub(crate) struct BestLap {
    pub key: Key,
    pub time_ms: u32,
    pub session_id: SessionId,
    pub lap_number: u32,
    pub date: String,
}

/// Personal bests from the three grouped queries' rows, in `laps`' order.
pub(crate) fn personal_bests(
    counts: Vec<SectorCount>,
    best_sectors: Vec<BestSector>,
    best_laps: Vec<BestLap>,
) -> Vec<PersonalBest> {
    let counts: BTreeMap<Key, u32> = counts
        .into_iter()
        .map(|c| (c.key, c.declared.max(c.seen).min(MAX_SECTORS as u32)))
        .collect();
    let mut sectors: BTreeMap<Key, Vec<Option<u32>>> = BTreeMap::new();
    for b in best_sectors {
        let n = counts.get(&b.key).copied().unwrap_or(0);
        if b.idx < n {
            let v = sectors
                .entry(b.key)
                .or_insert_with(|| vec![None; n as usize]);
            v[b.idx as usize] = Some(b.best_ms);
        }
    }
    best_laps
        .into_iter()
        .map(|l| {
            let n = counts.get(&l.key).copied().unwrap_or(0) as usize;
            let best_sectors_ms = sectors.remove(&l.key).unwrap_or_else(|| vec![None; n]);
            let theoretical_best_ms = theoretical(&best_sectors_ms);
            PersonalBest {
                sim: l.key.0,
                track: l.key.1,
                car: l.key.2,
                best_lap_ms: l.time_ms,
                session_id: l.session_id,
                lap_number: l.lap_number,
                date: l.date,
                best_sectors_ms,
                theoretical_best_ms,
            }
        })
        .collect()
}

/// Sum of the best sectors; `None` when there are none, one is missing, or the sum overflows.
fn theoretical(sectors: &[Option<u32>]) -> Option<u32> {
    if sectors.is_empty() {
        return None;
    }
    sectors
        .iter()
        .try_fold(0u32, |sum, s| sum.checked_add((*s)?))
}

/// Puts each sector row `(lap row id, index, time)` into its lap's `sectors_ms` (untimed
/// sectors stay `None`; sectors of unknown laps are skipped). An index past the schema's
/// limit (a hand-edited row) is an error.
pub(crate) fn attach_sectors(
    mut laps: Vec<(i64, Lap)>,
    sectors: impl IntoIterator<Item = (i64, i64, Option<u32>)>,
) -> Result<Vec<Lap>, StoreError> {
    let index: HashMap<i64, usize> = laps
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    for (lap_id, idx, time) in sectors {
        let Some(&at) = index.get(&lap_id) else {
            continue;
        };
        let idx = usize::try_from(idx)
            .ok()
            .filter(|&i| i < MAX_SECTORS)
            .ok_or_else(|| StoreError::BadRow {
                what: format!("lap {lap_id} has sector index {idx}"),
            })?;
        let sectors = &mut laps[at].1.sectors_ms;
        if sectors.len() <= idx {
            sectors.resize(idx + 1, None);
        }
        sectors[idx] = time;
    }
    Ok(laps.into_iter().map(|(_, lap)| lap).collect())
}

/// Laps of several sessions (lap id, session id, lap; in id order) with their sectors
/// attached, for [`crate::LapStore::laps_since`].
pub(crate) fn stored_laps(
    found: Vec<(i64, SessionId, Lap)>,
    sectors: impl IntoIterator<Item = (i64, i64, Option<u32>)>,
) -> Result<Vec<crate::StoredLap>, StoreError> {
    let ids: Vec<(i64, SessionId)> = found.iter().map(|(id, s, _)| (*id, *s)).collect();
    let laps = attach_sectors(
        found.into_iter().map(|(id, _, l)| (id, l)).collect(),
        sectors,
    )?;
    Ok(ids
        .into_iter()
        .zip(laps)
        .map(|((lap_id, session_id), lap)| crate::StoredLap {
            lap_id,
            session_id,
            lap,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::theoretical;

    #[test]
    fn theoretical_needs_every_sector() {
        assert_eq!(
            theoretical(&[Some(30_000), Some(31_500), Some(29_250)]),
            Some(90_750)
        );
        assert_eq!(theoretical(&[Some(30_000), None, Some(29_250)]), None);
        assert_eq!(theoretical(&[]), None);
        assert_eq!(theoretical(&[Some(u32::MAX), Some(1)]), None);
    }
}
