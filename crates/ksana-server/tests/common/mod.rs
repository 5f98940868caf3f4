//! Test support: a fresh lap database per backend (SQLite file; PostgreSQL schema when
//! `KSANA_TEST_DATABASE_URL` is set, required in CI), the fake sim's recording with its laps
//! detected by the library (what `ksana laps FILE --json` prints), and the server started
//! in-process on 127.0.0.1:0.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ksana_laps::Session;
use ksana_server::{AppState, ServerConfig, WritePolicy};
use ksana_store::{LapStore, StoreSpec, open_store};

/// The test server's PostgreSQL URL variable (as ksana-store's tests).
pub const PG_URL_ENV: &str = "KSANA_TEST_DATABASE_URL";
/// The token the test servers accept.
pub const TOKEN: &str = "t0ken-for-tests";

/// A fresh lap database; its files or schema removed when dropped.
pub struct TestDb {
    /// `sqlite` or `postgres`, for messages.
    pub name: &'static str,
    /// What to open.
    pub spec: StoreSpec,
    /// Temp dir for the SQLite file and the uploads.
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.pg
            && let Ok(mut c) = postgres::Client::connect(base, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

impl TestDb {
    /// Opens a store on it.
    pub fn open(&self) -> Box<dyn LapStore + Send> {
        open_store(&self.spec).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// The upload directory the server uses.
    pub fn uploads(&self) -> PathBuf {
        self.dir.path().join("uploads")
    }
}

/// SQLite always; PostgreSQL when the test server is set (panics in CI when it is not).
pub fn backends() -> Vec<TestDb> {
    let mut v = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    v.push(TestDb {
        name: "sqlite",
        spec: StoreSpec::Sqlite(dir.path().join("ksana.db")),
        dir,
        pg: None,
    });
    match std::env::var(PG_URL_ENV).ok().filter(|u| !u.is_empty()) {
        None if ksana_testkit::in_ci() => {
            panic!("{PG_URL_ENV} is not set; .ci/run starts PostgreSQL and sets it")
        }
        None => eprintln!("PostgreSQL case skipped (no {PG_URL_ENV})"),
        Some(base) => {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .subsec_nanos();
            let schema = format!(
                "ksana_srv_{}_{}_{nanos}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let mut c = postgres::Client::connect(&base, postgres::NoTls).unwrap();
            c.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
            v.push(TestDb {
                name: "postgres",
                spec: StoreSpec::Postgres(url),
                dir: tempfile::tempdir().unwrap(),
                pg: Some((base, schema)),
            });
        }
    }
    v
}

/// The fake sim's ACC `pitstop` scenario as a recording (written once per test binary, at
/// 60 Hz to keep it quick), and the sessions the lap engine detects in it.
pub struct Fixture {
    /// The recording.
    pub path: PathBuf,
    /// Its sessions as `ksana laps FILE --json` reports them.
    pub sessions: Vec<Session>,
    /// Its wall-clock start.
    pub recorded_at: Option<String>,
    _dir: tempfile::TempDir,
}

/// The shared fixture.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pitstop.ksana");
        write_pitstop(&path);
        let rec = ksana_format::Recording::open(&path).unwrap();
        let sessions = ksana_engine::detect_laps(&rec, &path.display().to_string()).unwrap();
        let recorded_at = ksana_engine::rfc3339(rec.header().start_unix_ns);
        Fixture {
            path,
            sessions,
            recorded_at,
            _dir: dir,
        }
    })
}

/// Writes the fake ACC pitstop session to `path`.
pub fn write_pitstop(path: &Path) {
    let sim = ksana_sims::by_id("acc").unwrap();
    let mut o = ksana_engine::FakeOptions::new(sim, std::sync::Arc::new(AtomicBool::new(false)));
    o.scenario = ksana_synth::world::Scenario::PitStop;
    o.rate_hz = Some(60.0);
    ksana_engine::write_fake_recording(&o, path).unwrap();
}

/// A server running in its own thread until dropped.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server on `db` with `writes`.
    pub fn start(db: &TestDb, writes: WritePolicy) -> Server {
        let config = ServerConfig {
            store: db.spec.clone(),
            writes,
            upload_dir: db.uploads(),
            max_upload_bytes: 64 * 1024 * 1024,
        };
        let (tx_addr, rx_addr) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            // Opened outside the runtime: the PostgreSQL client runs its own.
            let state = AppState::open(config).unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx_addr.send(listener.local_addr().unwrap()).unwrap();
                ksana_server::serve(listener, state, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = rx_addr.recv_timeout(Duration::from_secs(30)).unwrap();
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// A full URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// GET `path`: status and JSON body.
    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = client().get(self.url(path)).send().unwrap();
        let status = r.status().as_u16();
        let text = r.text().unwrap();
        let v = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("GET {path}: {status} not JSON ({e}): {text}"));
        (status, v)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        // SSE connections may hold the graceful shutdown; the thread is left to finish.
        drop(self.thread.take());
    }
}

/// A blocking HTTP client with a generous timeout.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}
