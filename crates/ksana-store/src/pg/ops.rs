//! [`LapStore`] for [`PgStore`]: writes in transactions (each committed before the call
//! returns), reads of one session or of the bests in one read-only repeatable-read snapshot.
//! Integers travel as BIGINT and are checked back into `u32` ([`StoreError::BadRow`] for a
//! hand-edited value out of range, never a panic).

use ksana_laps::{Lap, Session};
use postgres::types::ToSql;
use postgres::{GenericClient, IsolationLevel, Row, Transaction};

use super::{PgStore, sql};
use crate::assemble::{self, BestLap, BestSector, SectorCount, attach_sectors};
use crate::{
    LapStore, PersonalBest, SessionFilter, SessionId, SessionMeta, SessionSummary, StoreError,
    StoredLap, StoredSession,
};

impl LapStore for PgStore {
    fn save_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        tx.execute(sql::SAVE_LOCK, &[])?;
        let same: Vec<SessionId> = tx
            .query(
                sql::FIND_SAME_SESSION,
                &[
                    &meta.source,
                    &s.sim,
                    &s.start_s,
                    &s.session_type,
                    &s.track,
                    &s.car,
                ],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let id = match same.split_first() {
            Some((&keep, others)) => {
                for other in others {
                    tx.execute(sql::DELETE_SESSION, &[other])?;
                }
                tx.execute(sql::DELETE_LAPS, &[&keep])?;
                let v = SessionValues::new(s, meta);
                let mut p = v.params();
                p.push(&keep);
                tx.execute(sql::UPDATE_SESSION, &p)?;
                keep
            }
            None => insert_session(&mut tx, s, meta)?,
        };
        for lap in &s.laps {
            insert_lap(&mut tx, id, lap)?;
        }
        tx.commit()?;
        Ok(id)
    }

    fn begin_session(&mut self, s: &Session, meta: &SessionMeta) -> Result<SessionId, StoreError> {
        // One statement: committed when it returns.
        insert_session(&mut *self.client(), s, meta)
    }

    fn add_lap(&mut self, id: SessionId, lap: &Lap) -> Result<(), StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let exists: i64 = tx.query_one(sql::SESSION_EXISTS, &[&id])?.try_get(0)?;
        if exists == 0 {
            return Err(StoreError::UnknownSession(id));
        }
        insert_lap(&mut tx, id, lap)?;
        tx.commit()?;
        Ok(())
    }

    fn end_session(&mut self, id: SessionId, end_s: f64, reason: &str) -> Result<(), StoreError> {
        match self
            .client()
            .execute(sql::END_SESSION, &[&id, &end_s, &reason])?
        {
            0 => Err(StoreError::UnknownSession(id)),
            _ => Ok(()),
        }
    }

    fn sessions(&self, f: &SessionFilter) -> Result<Vec<SessionSummary>, StoreError> {
        let limit = f.limit.map(i64::from);
        let offset = i64::from(f.offset);
        let rows = self.client().query(
            sql::LIST_SESSIONS,
            &[
                &f.sim, &f.track, &f.car, &f.driver, &f.from, &f.to, &limit, &offset,
            ],
        )?;
        rows.iter().map(summary_from_row).collect()
    }

    fn session(&self, id: SessionId) -> Result<Option<StoredSession>, StoreError> {
        let mut client = self.client();
        // One snapshot: the row, laps and sectors agree even while `ksana dump` adds laps.
        let mut tx = snapshot(&mut client)?;
        let Some(r) = tx.query_opt(sql::GET_SESSION, &[&id])? else {
            return Ok(None);
        };
        let summary = summary_from_row(&r)?;
        let sector_count: Option<i64> = r.try_get(11)?;
        let session = Session {
            sim: summary.sim.clone(),
            track: summary.track.clone(),
            car: summary.car.clone(),
            driver: summary.driver.clone(),
            session_type: summary.session_type.clone(),
            sector_count: sector_count
                .map(|n| to_u32(n, "sessions.sector_count"))
                .transpose()?,
            recording: r.try_get(12)?,
            start_s: r.try_get(13)?,
            end_s: r.try_get(14)?,
            end_reason: r.try_get(15)?,
            laps: read_laps(&mut tx, id)?,
        };
        tx.commit()?;
        Ok(Some(StoredSession { summary, session }))
    }

    fn personal_bests(&self) -> Result<Vec<PersonalBest>, StoreError> {
        let mut client = self.client();
        let mut tx = snapshot(&mut client)?;
        let key = |r: &Row| -> Result<assemble::Key, StoreError> {
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        };
        let counts = tx
            .query(sql::SECTOR_COUNTS, &[])?
            .iter()
            .map(|r| {
                Ok(SectorCount {
                    key: key(r)?,
                    declared: u32_at(r, 3, "sessions.sector_count")?,
                    seen: u32_at(r, 4, "sectors.idx")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let sectors = tx
            .query(sql::BEST_SECTORS, &[])?
            .iter()
            .map(|r| {
                Ok(BestSector {
                    key: key(r)?,
                    idx: u32_at(r, 3, "sectors.idx")?,
                    best_ms: u32_at(r, 4, "sectors.time_ms")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let laps = tx
            .query(sql::BEST_LAPS, &[])?
            .iter()
            .map(|r| {
                Ok(BestLap {
                    key: key(r)?,
                    time_ms: u32_at(r, 3, "laps.time_ms")?,
                    session_id: r.try_get(4)?,
                    lap_number: u32_at(r, 5, "laps.number")?,
                    date: r.try_get(6)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        tx.commit()?;
        Ok(assemble::personal_bests(counts, sectors, laps))
    }

    fn laps_since(&self, after_lap_id: i64, limit: u32) -> Result<Vec<StoredLap>, StoreError> {
        let mut client = self.client();
        let mut tx = snapshot(&mut client)?;
        let found = tx
            .query(sql::LAPS_SINCE, &[&after_lap_id, &i64::from(limit)])?
            .iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let session: SessionId = r.try_get(1)?;
                let lap = Lap {
                    number: u32_at(r, 2, "laps.number")?,
                    time_ms: opt_u32_at(r, 3, "laps.time_ms")?,
                    sectors_ms: Vec::new(),
                    valid: r.try_get(4)?,
                    out_lap: r.try_get(5)?,
                    in_lap: r.try_get(6)?,
                    partial: r.try_get(7)?,
                    invalid_reason: r.try_get(8)?,
                    start_s: r.try_get(9)?,
                    end_s: r.try_get(10)?,
                };
                Ok((id, session, lap))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let Some(&(last, _, _)) = found.last() else {
            return Ok(Vec::new());
        };
        let sectors = tx
            .query(sql::SECTORS_BETWEEN, &[&after_lap_id, &last])?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    opt_u32_at(r, 2, "sectors.time_ms")?,
                ))
            })
            .collect::<Result<Vec<(i64, i64, Option<u32>)>, StoreError>>()?;
        assemble::stored_laps(found, sectors)
    }

    fn last_lap_id(&self) -> Result<i64, StoreError> {
        Ok(self.client().query_one(sql::LAST_LAP_ID, &[])?.try_get(0)?)
    }

    fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .client()
            .query_one(sql::SCHEMA_VERSION, &[])?
            .try_get(0)?)
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// A read-only transaction that sees one snapshot for all its statements.
fn snapshot(client: &mut postgres::Client) -> Result<Transaction<'_>, StoreError> {
    Ok(client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?)
}

/// The twelve values of a session row as PostgreSQL types, in the order of `INSERT_SESSION`
/// / `UPDATE_SESSION`.
struct SessionValues<'a> {
    s: &'a Session,
    meta: &'a SessionMeta,
    sector_count: Option<i64>,
}

impl<'a> SessionValues<'a> {
    fn new(s: &'a Session, meta: &'a SessionMeta) -> Self {
        Self {
            s,
            meta,
            sector_count: s.sector_count.map(i64::from),
        }
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let (s, meta) = (self.s, self.meta);
        vec![
            &s.sim,
            &s.track,
            &s.car,
            &s.driver,
            &s.session_type,
            &self.sector_count,
            &s.recording,
            &meta.source,
            &meta.recorded_at,
            &s.start_s,
            &s.end_s,
            &s.end_reason,
        ]
    }
}

fn insert_session(
    client: &mut impl GenericClient,
    s: &Session,
    meta: &SessionMeta,
) -> Result<SessionId, StoreError> {
    let v = SessionValues::new(s, meta);
    Ok(client
        .query_one(sql::INSERT_SESSION, &v.params())?
        .try_get(0)?)
}

fn insert_lap(tx: &mut Transaction<'_>, session: SessionId, lap: &Lap) -> Result<(), StoreError> {
    let lap_id: i64 = tx
        .query_one(
            sql::INSERT_LAP,
            &[
                &session,
                &i64::from(lap.number),
                &lap.time_ms.map(i64::from),
                &lap.valid,
                &lap.out_lap,
                &lap.in_lap,
                &lap.partial,
                &lap.invalid_reason,
                &lap.start_s,
                &lap.end_s,
                &lap.counts_for_best(),
            ],
        )?
        .try_get(0)?;
    if !lap.sectors_ms.is_empty() {
        let times: Vec<Option<i64>> = lap.sectors_ms.iter().map(|t| t.map(i64::from)).collect();
        tx.execute(sql::INSERT_SECTORS, &[&lap_id, &times])?;
    }
    Ok(())
}

/// A BIGINT column that must fit a `u32` (a lap number, a time in ms).
fn u32_at(r: &Row, idx: usize, what: &str) -> Result<u32, StoreError> {
    to_u32(r.try_get(idx)?, what)
}

/// An optional BIGINT column that must fit a `u32`.
fn opt_u32_at(r: &Row, idx: usize, what: &str) -> Result<Option<u32>, StoreError> {
    r.try_get::<_, Option<i64>>(idx)?
        .map(|v| to_u32(v, what))
        .transpose()
}

fn to_u32(v: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| StoreError::BadRow {
        what: format!("{what} = {v} is out of range"),
    })
}

/// Reads the summary columns 0..=10 of `LIST_SESSIONS` / `GET_SESSION`.
fn summary_from_row(r: &Row) -> Result<SessionSummary, StoreError> {
    Ok(SessionSummary {
        id: r.try_get(0)?,
        sim: r.try_get(1)?,
        track: r.try_get(2)?,
        car: r.try_get(3)?,
        driver: r.try_get(4)?,
        session_type: r.try_get(5)?,
        source: r.try_get(6)?,
        recorded_at: r.try_get(7)?,
        created_at: r.try_get(8)?,
        lap_count: u32_at(r, 9, "lap count")?,
        best_lap_ms: opt_u32_at(r, 10, "laps.time_ms")?,
    })
}

fn read_laps(tx: &mut Transaction<'_>, session: SessionId) -> Result<Vec<Lap>, StoreError> {
    let laps = tx
        .query(sql::GET_LAPS, &[&session])?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            let lap = Lap {
                number: u32_at(r, 1, "laps.number")?,
                time_ms: opt_u32_at(r, 2, "laps.time_ms")?,
                sectors_ms: Vec::new(),
                valid: r.try_get(3)?,
                out_lap: r.try_get(4)?,
                in_lap: r.try_get(5)?,
                partial: r.try_get(6)?,
                invalid_reason: r.try_get(7)?,
                start_s: r.try_get(8)?,
                end_s: r.try_get(9)?,
            };
            Ok((id, lap))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let sectors = tx
        .query(sql::GET_SECTORS, &[&session])?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                opt_u32_at(r, 2, "sectors.time_ms")?,
            ))
        })
        .collect::<Result<Vec<(i64, i64, Option<u32>)>, StoreError>>()?;
    attach_sectors(laps, sectors)
}
