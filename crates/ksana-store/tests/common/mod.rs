//! Sessions and laps for the store tests, written out by hand (not produced by the code under
//! test), and a fresh database per backend ([`backends`]) so that every case runs against
//! SQLite and PostgreSQL with the same code.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ksana_laps::{Lap, Session};
use ksana_store::{LapStore, SessionMeta, StoreSpec, open_store};

/// A lap that counts for bests with the given sector times.
pub fn clean_lap(number: u32, sectors: [u32; 3]) -> Lap {
    Lap {
        number,
        time_ms: Some(sectors.iter().sum()),
        sectors_ms: sectors.iter().map(|&s| Some(s)).collect(),
        valid: true,
        out_lap: false,
        in_lap: false,
        partial: false,
        invalid_reason: None,
        start_s: 100.0 * f64::from(number),
        end_s: 100.0 * f64::from(number) + 90.5,
    }
}

/// A session with no laps yet.
pub fn session(sim: &str, track: &str, car: &str, start_s: f64) -> Session {
    Session {
        sim: sim.into(),
        track: track.into(),
        car: car.into(),
        driver: "Ana".into(),
        session_type: "practice".into(),
        sector_count: Some(3),
        recording: Some("/rec/a.ksana".into()),
        start_s,
        end_s: start_s + 600.0,
        end_reason: "end_of_recording".into(),
        laps: Vec::new(),
    }
}

/// Where a session came from.
pub fn meta(source: &str, recorded_at: &str) -> SessionMeta {
    SessionMeta {
        source: source.into(),
        recorded_at: Some(recorded_at.into()),
    }
}

/// Environment variable with the URL of a PostgreSQL database the tests may create schemas in
/// (`.ci/run` starts a private server and sets it).
pub const PG_URL_ENV: &str = "KSANA_TEST_DATABASE_URL";

/// Which engine a [`TestDb`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file in a temp dir.
    Sqlite,
    /// A fresh schema in the database of `KSANA_TEST_DATABASE_URL`, dropped afterwards.
    Postgres,
}

/// A fresh, empty lap database of one backend; removed when dropped.
pub struct TestDb {
    /// The engine.
    pub backend: Backend,
    /// What `open_store` opens.
    pub spec: StoreSpec,
    _dir: Option<tempfile::TempDir>,
    pg: Option<PgSchema>,
}

/// A schema created for one test in the test server's database.
struct PgSchema {
    base_url: String,
    name: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base_url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

impl TestDb {
    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let spec = StoreSpec::Sqlite(dir.path().join("ksana.db"));
        Self {
            backend: Backend::Sqlite,
            spec,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh schema on the test server, or `None` after printing that the PostgreSQL case
    /// skipped. Panics in CI when `KSANA_TEST_DATABASE_URL` is not set: CI must run both.
    pub fn postgres() -> Option<Self> {
        let Some(base_url) = std::env::var(PG_URL_ENV).ok().filter(|u| !u.is_empty()) else {
            if ksana_testkit::in_ci() {
                panic!("{PG_URL_ENV} is not set; .ci/run starts PostgreSQL and sets it");
            }
            eprintln!("PostgreSQL case skipped (no {PG_URL_ENV})");
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "ksana_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = postgres::Client::connect(&base_url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to {PG_URL_ENV}: {e:?}"));
        c.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
        let sep = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{sep}options=-c%20search_path%3D{name}");
        Some(Self {
            backend: Backend::Postgres,
            spec: StoreSpec::Postgres(url),
            _dir: None,
            pg: Some(PgSchema { base_url, name }),
        })
    }

    /// Opens a store on this database (a new connection each time).
    pub fn open(&self) -> Box<dyn LapStore + Send> {
        open_store(&self.spec).unwrap_or_else(|e| panic!("{:?}: open: {e}", self.backend))
    }

    /// A plain connection of the backend's own client, to look at or edit the tables
    /// behind the store's back.
    pub fn raw(&self) -> Raw {
        match &self.spec {
            StoreSpec::Sqlite(path) => Raw::Sqlite(rusqlite::Connection::open(path).unwrap()),
            StoreSpec::Postgres(url) => {
                Raw::Pg(postgres::Client::connect(url, postgres::NoTls).unwrap())
            }
        }
    }

    /// A flag's `true` in this backend's SQL (SQLite keeps flags as 0/1).
    pub fn true_(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "1",
            Backend::Postgres => "TRUE",
        }
    }

    /// A flag's `false` in this backend's SQL.
    pub fn false_(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "0",
            Backend::Postgres => "FALSE",
        }
    }

    /// The PostgreSQL schema of this test (`None` for SQLite).
    pub fn pg_schema(&self) -> Option<&str> {
        self.pg.as_ref().map(|p| p.name.as_str())
    }

    /// How the store names this database in errors.
    pub fn shown_name(&self) -> String {
        match (&self.spec, &self.pg) {
            (StoreSpec::Sqlite(path), _) => path.display().to_string(),
            (StoreSpec::Postgres(url), Some(pg)) => {
                format!("PostgreSQL {url} (schema {})", pg.name)
            }
            (StoreSpec::Postgres(_), None) => unreachable!("a Postgres TestDb has a schema"),
        }
    }
}

/// Every backend this run can test: SQLite always, PostgreSQL when the test server is set.
pub fn backends() -> Vec<TestDb> {
    let mut v = vec![TestDb::sqlite()];
    v.extend(TestDb::postgres());
    v
}

/// A direct connection to a [`TestDb`], with the few statements the tests need. The SQL given
/// to these methods must read the same in both dialects.
pub enum Raw {
    /// SQLite.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL.
    Pg(postgres::Client),
}

impl Raw {
    /// Runs statements (no results).
    pub fn exec(&mut self, sql: &str) {
        match self {
            Raw::Sqlite(c) => c.execute_batch(sql).unwrap(),
            Raw::Pg(c) => c.batch_execute(sql).unwrap(),
        }
    }

    /// The single integer a query returns.
    pub fn int(&mut self, sql: &str) -> i64 {
        match self {
            Raw::Sqlite(c) => c.query_row(sql, [], |r| r.get(0)).unwrap(),
            Raw::Pg(c) => c.query_one(sql, &[]).unwrap().get(0),
        }
    }

    /// The integers of a query's first column.
    pub fn ints(&mut self, sql: &str) -> Vec<i64> {
        match self {
            Raw::Sqlite(c) => c
                .prepare(sql)
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap(),
            Raw::Pg(c) => c
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect(),
        }
    }

    /// The names of the tables in the store's schema, sorted.
    pub fn tables(&mut self) -> Vec<String> {
        let mut t: Vec<String> = match self {
            Raw::Sqlite(c) => c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap(),
            Raw::Pg(c) => c
                .query(
                    "SELECT tablename::TEXT FROM pg_catalog.pg_tables
                     WHERE schemaname = current_schema()",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect(),
        };
        t.sort();
        t
    }

    /// Starts a transaction that holds the lock a writer of session `id` needs: SQLite's
    /// write lock (`BEGIN IMMEDIATE`); PostgreSQL's row lock on the session (which a lap's
    /// foreign key check waits for).
    pub fn begin_locking(&mut self, id: i64) {
        match self {
            Raw::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE").unwrap(),
            Raw::Pg(c) => c
                .batch_execute(&format!(
                    "BEGIN; SELECT id FROM sessions WHERE id = {id} FOR UPDATE"
                ))
                .unwrap(),
        }
    }

    /// Starts a plain write transaction.
    pub fn begin(&mut self) {
        match self {
            Raw::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE").unwrap(),
            Raw::Pg(c) => c.batch_execute("BEGIN").unwrap(),
        }
    }

    /// Commits the open transaction.
    pub fn commit(&mut self) {
        self.exec("COMMIT");
    }
}
