//! Personal bests: the best counting lap, best sectors and theoretical best per
//! (sim, track, car), assembled from three grouped queries.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::sql;
use crate::{PersonalBest, StoreError};

type Key = (String, String, String);

/// Most sectors a theoretical best is built from (as the schema's CHECK on `sectors.idx`).
const MAX_SECTORS: u32 = 256;

pub(super) fn personal_bests(conn: &Connection) -> Result<Vec<PersonalBest>, StoreError> {
    let mut counts: BTreeMap<Key, u32> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(sql::SECTOR_COUNTS)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (declared, seen): (u32, u32) = (r.get(3)?, r.get(4)?);
        counts.insert(
            (r.get(0)?, r.get(1)?, r.get(2)?),
            declared.max(seen).min(MAX_SECTORS),
        );
    }

    let mut sectors: BTreeMap<Key, Vec<Option<u32>>> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(sql::BEST_SECTORS)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let key: Key = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (idx, best): (u32, u32) = (r.get(3)?, r.get(4)?);
        let n = counts.get(&key).copied().unwrap_or(0);
        if idx < n {
            let v = sectors.entry(key).or_insert_with(|| vec![None; n as usize]);
            v[idx as usize] = Some(best);
        }
    }

    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(sql::BEST_LAPS)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let key: Key = (r.get(0)?, r.get(1)?, r.get(2)?);
        let n = counts.get(&key).copied().unwrap_or(0) as usize;
        let best_sectors_ms = sectors.remove(&key).unwrap_or_else(|| vec![None; n]);
        let theoretical_best_ms = theoretical(&best_sectors_ms);
        out.push(PersonalBest {
            sim: key.0,
            track: key.1,
            car: key.2,
            best_lap_ms: r.get(3)?,
            session_id: r.get(4)?,
            lap_number: r.get(5)?,
            date: r.get(6)?,
            best_sectors_ms,
            theoretical_best_ms,
        });
    }
    Ok(out)
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
