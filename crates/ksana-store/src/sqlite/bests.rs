//! Personal bests from SQLite: the rows of three grouped queries, assembled by
//! [`crate::assemble::personal_bests`].

use rusqlite::Connection;

use super::sql;
use crate::assemble::{self, BestLap, BestSector, SectorCount};
use crate::{PersonalBest, StoreError};

pub(super) fn personal_bests(conn: &Connection) -> Result<Vec<PersonalBest>, StoreError> {
    let mut stmt = conn.prepare_cached(sql::SECTOR_COUNTS)?;
    let counts = stmt
        .query_map([], |r| {
            Ok(SectorCount {
                key: (r.get(0)?, r.get(1)?, r.get(2)?),
                declared: r.get(3)?,
                seen: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(sql::BEST_SECTORS)?;
    let sectors = stmt
        .query_map([], |r| {
            Ok(BestSector {
                key: (r.get(0)?, r.get(1)?, r.get(2)?),
                idx: r.get(3)?,
                best_ms: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare_cached(sql::BEST_LAPS)?;
    let laps = stmt
        .query_map([], |r| {
            Ok(BestLap {
                key: (r.get(0)?, r.get(1)?, r.get(2)?),
                time_ms: r.get(3)?,
                session_id: r.get(4)?,
                lap_number: r.get(5)?,
                date: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(assemble::personal_bests(counts, sectors, laps))
}
