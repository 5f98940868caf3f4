//! [`LapStore`] for [`SqliteStore`]: writes in immediate transactions (the write lock is taken
//! at BEGIN, so a busy file is waited for under the busy timeout instead of failing on a
//! read-to-write upgrade), reads into the row types.

use ksana_laps::{Lap, Session};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::{SqliteStore, bests, sql};
use crate::assemble::attach_sectors;
use crate::{
    LapStore, PersonalBest, SessionFilter, SessionId, SessionMeta, SessionSummary, StoreError,
    StoredLap, StoredSession,
};

impl LapStore for SqliteStore {
    fn save_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let same: Vec<SessionId> = {
            let mut stmt = tx.prepare_cached(sql::FIND_SAME_SESSION)?;
            let rows = stmt.query_map(
                params![
                    meta.source,
                    s.sim,
                    s.start_s,
                    s.session_type,
                    s.track,
                    s.car
                ],
                |r| r.get(0),
            )?;
            rows.collect::<Result<_, _>>()?
        };
        let id = match same.split_first() {
            Some((&keep, others)) => {
                for other in others {
                    tx.execute(sql::DELETE_SESSION, [other])?;
                }
                tx.execute(sql::DELETE_LAPS, [keep])?;
                let mut p = session_params(s, meta);
                p.push(Box::new(keep));
                tx.execute(sql::UPDATE_SESSION, rusqlite::params_from_iter(p))?;
                keep
            }
            None => insert_session(&tx, s, meta)?,
        };
        for lap in &s.laps {
            insert_lap(&tx, id, lap)?;
        }
        tx.commit()?;
        Ok(id)
    }

    fn begin_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError> {
        insert_session(&self.conn, s, meta)
    }

    fn add_lap(&mut self, id: SessionId, lap: &Lap) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: i64 = tx.query_row(sql::SESSION_EXISTS, [id], |r| r.get(0))?;
        if exists == 0 {
            return Err(StoreError::UnknownSession(id));
        }
        insert_lap(&tx, id, lap)?;
        tx.commit()?;
        Ok(())
    }

    fn end_session(&mut self, id: SessionId, end_s: f64, reason: &str) -> Result<(), StoreError> {
        match self
            .conn
            .execute(sql::END_SESSION, params![id, end_s, reason])?
        {
            0 => Err(StoreError::UnknownSession(id)),
            _ => Ok(()),
        }
    }

    fn sessions(&self, f: &SessionFilter) -> Result<Vec<SessionSummary>, StoreError> {
        let limit = f.limit.map_or(-1, i64::from);
        let mut stmt = self.conn.prepare_cached(sql::LIST_SESSIONS)?;
        let rows = stmt.query_map(
            params![
                f.sim,
                f.track,
                f.car,
                f.driver,
                f.from,
                f.to,
                limit,
                i64::from(f.offset)
            ],
            summary_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn session(&self, id: SessionId) -> Result<Option<StoredSession>, StoreError> {
        // One read transaction: the row, laps and sectors come from the same snapshot even
        // while `ksana dump` adds laps.
        let snapshot = self.conn.unchecked_transaction()?;
        let found = snapshot
            .query_row(sql::GET_SESSION, [id], |r| {
                let summary = summary_from_row(r)?;
                let session = Session {
                    sim: summary.sim.clone(),
                    track: summary.track.clone(),
                    car: summary.car.clone(),
                    driver: summary.driver.clone(),
                    session_type: summary.session_type.clone(),
                    sector_count: r.get(11)?,
                    recording: r.get(12)?,
                    start_s: r.get(13)?,
                    end_s: r.get(14)?,
                    end_reason: r.get(15)?,
                    laps: Vec::new(),
                };
                Ok(StoredSession { summary, session })
            })
            .optional()?;
        let Some(mut stored) = found else {
            return Ok(None);
        };
        stored.session.laps = read_laps(&snapshot, id)?;
        Ok(Some(stored))
    }

    fn personal_bests(&self) -> Result<Vec<PersonalBest>, StoreError> {
        // One snapshot for the three grouped queries (see `session`).
        let snapshot = self.conn.unchecked_transaction()?;
        bests::personal_bests(&snapshot)
    }

    fn laps_since(&self, after_lap_id: i64, limit: u32) -> Result<Vec<StoredLap>, StoreError> {
        let snapshot = self.conn.unchecked_transaction()?;
        let mut stmt = snapshot.prepare_cached(sql::LAPS_SINCE)?;
        let rows = stmt.query_map(params![after_lap_id, i64::from(limit)], |r| {
            let id: i64 = r.get(0)?;
            let session: SessionId = r.get(1)?;
            let lap = Lap {
                number: r.get(2)?,
                time_ms: r.get(3)?,
                sectors_ms: Vec::new(),
                valid: r.get(4)?,
                out_lap: r.get(5)?,
                in_lap: r.get(6)?,
                partial: r.get(7)?,
                invalid_reason: r.get(8)?,
                start_s: r.get(9)?,
                end_s: r.get(10)?,
            };
            Ok((id, session, lap))
        })?;
        let found: Vec<(i64, SessionId, Lap)> = rows.collect::<Result<_, _>>()?;
        let Some(&(last, _, _)) = found.last() else {
            return Ok(Vec::new());
        };
        let mut stmt = snapshot.prepare_cached(sql::SECTORS_BETWEEN)?;
        let sectors: Vec<(i64, i64, Option<u32>)> = stmt
            .query_map(params![after_lap_id, last], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        crate::assemble::stored_laps(found, sectors)
    }

    fn last_lap_id(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(sql::LAST_LAP_ID, [], |r| r.get(0))?)
    }

    fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(sql::SCHEMA_VERSION, [], |r| r.get(0))?)
    }

    fn describe(&self) -> String {
        match &self.path {
            Some(p) => format!("SQLite {}", p.display()),
            None => "SQLite in memory".into(),
        }
    }
}

/// The twelve values of a session row, in the order of `INSERT_SESSION` / `UPDATE_SESSION`.
fn session_params(s: &Session, meta: &SessionMeta) -> Vec<Box<dyn rusqlite::ToSql>> {
    vec![
        Box::new(s.sim.clone()),
        Box::new(s.track.clone()),
        Box::new(s.car.clone()),
        Box::new(s.driver.clone()),
        Box::new(s.session_type.clone()),
        Box::new(s.sector_count),
        Box::new(s.recording.clone()),
        Box::new(meta.source.clone()),
        Box::new(meta.recorded_at.clone()),
        Box::new(s.start_s),
        Box::new(s.end_s),
        Box::new(s.end_reason.clone()),
    ]
}

fn insert_session(
    conn: &Connection,
    s: &Session,
    meta: &SessionMeta,
) -> Result<SessionId, StoreError> {
    conn.execute(
        sql::INSERT_SESSION,
        rusqlite::params_from_iter(session_params(s, meta)),
    )?;
    Ok(conn.last_insert_rowid())
}

fn insert_lap(conn: &Connection, session: SessionId, lap: &Lap) -> Result<(), StoreError> {
    conn.prepare_cached(sql::INSERT_LAP)?.execute(params![
        session,
        lap.number,
        lap.time_ms,
        lap.valid,
        lap.out_lap,
        lap.in_lap,
        lap.partial,
        lap.invalid_reason,
        lap.start_s,
        lap.end_s,
        lap.counts_for_best(),
    ])?;
    let lap_id = conn.last_insert_rowid();
    let mut stmt = conn.prepare_cached(sql::INSERT_SECTOR)?;
    for (idx, time) in lap.sectors_ms.iter().enumerate() {
        stmt.execute(params![lap_id, idx as i64, time])?;
    }
    Ok(())
}

/// Reads the summary columns 0..=10 of `LIST_SESSIONS` / `GET_SESSION`.
fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<SessionSummary> {
    Ok(SessionSummary {
        id: r.get(0)?,
        sim: r.get(1)?,
        track: r.get(2)?,
        car: r.get(3)?,
        driver: r.get(4)?,
        session_type: r.get(5)?,
        source: r.get(6)?,
        recorded_at: r.get(7)?,
        created_at: r.get(8)?,
        lap_count: r.get(9)?,
        best_lap_ms: r.get(10)?,
    })
}

fn read_laps(conn: &Connection, session: SessionId) -> Result<Vec<Lap>, StoreError> {
    let mut stmt = conn.prepare_cached(sql::GET_LAPS)?;
    let rows = stmt.query_map([session], |r| {
        let id: i64 = r.get(0)?;
        let lap = Lap {
            number: r.get(1)?,
            time_ms: r.get(2)?,
            sectors_ms: Vec::new(),
            valid: r.get(3)?,
            out_lap: r.get(4)?,
            in_lap: r.get(5)?,
            partial: r.get(6)?,
            invalid_reason: r.get(7)?,
            start_s: r.get(8)?,
            end_s: r.get(9)?,
        };
        Ok((id, lap))
    })?;
    let laps: Vec<(i64, Lap)> = rows.collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(sql::GET_SECTORS)?;
    let sectors: Vec<(i64, i64, Option<u32>)> = stmt
        .query_map([session], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    attach_sectors(laps, sectors)
}
