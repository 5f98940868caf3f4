//! `ksana serve`: the lap history as a JSON API (docs/API.md) and web UI, on the SQLite file
//! `ksana dump` and `ksana laps --save` write, or on a PostgreSQL server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use ksana_server::{AppState, ServerConfig, WritePolicy};
use ksana_store::StoreSpec;

/// Options of `ksana serve`.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// The SQLite lap database (default: ksana.db in the user's data directory, or $KSANA_DB).
    #[arg(long, value_name = "PATH", conflicts_with = "database_url")]
    db: Option<PathBuf>,
    /// A PostgreSQL lap database instead (postgres://user@host:port/dbname).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Address to listen on. Beyond loopback, anyone who reaches it can read the history.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Token that writes (uploads) must bear as `Authorization: Bearer <token>`; without one,
    /// the server refuses every write.
    #[arg(long, value_name = "T", env = "KSANA_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Where uploaded recordings are kept (default: uploads/ beside the default database).
    #[arg(long, value_name = "DIR")]
    upload_dir: Option<PathBuf>,
    /// Largest upload accepted, MiB.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65536))]
    max_upload_mb: u64,
}

pub fn run(a: &ServeArgs) -> Result<ExitCode> {
    let store = match (&a.database_url, &a.db) {
        (Some(url), _) => StoreSpec::Postgres(url.clone()),
        (None, Some(p)) => StoreSpec::Sqlite(p.clone()),
        (None, None) => StoreSpec::Sqlite(ksana_store::default_db_path()?),
    };
    let upload_dir = match &a.upload_dir {
        Some(d) => d.clone(),
        None => ksana_store::default_db_path()?
            .parent()
            .map(|p| p.join("uploads"))
            .context("the default database has no parent directory")?,
    };
    let token = a.token.clone().filter(|t| !t.is_empty());
    let writes = match token {
        Some(t) => WritePolicy::Token(t),
        None => WritePolicy::Refuse,
    };
    if !ksana_server::is_loopback(&a.bind) && writes == WritePolicy::Refuse {
        eprintln!(
            "warning: serving on {} beyond this machine without a token: anyone who reaches it \
             can read the lap history (uploads are refused without --token)",
            a.bind
        );
    }
    let config = ServerConfig {
        store,
        writes,
        upload_dir,
        max_upload_bytes: a.max_upload_mb * 1024 * 1024,
    };
    let shown = format!("{:?}", config.store);
    let state = AppState::open(config).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(a.bind)
            .await
            .with_context(|| format!("listening on {}", a.bind))?;
        let addr = listener.local_addr()?;
        println!("ksana serve: http://{addr}/ (API under /api/v1, lap database {shown})");
        // Ctrl+C stops accepting and lets requests finish; live streams (SSE) never finish on
        // their own, so after a grace period the server stops regardless.
        let (tx, mut stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = tx.send(true);
        });
        let mut grace = stop.clone();
        let shutdown = async move {
            let _ = stop.changed().await;
        };
        let server = ksana_server::serve(listener, state, shutdown);
        tokio::select! {
            r = server => r.context("serving")?,
            () = async {
                let _ = grace.changed().await;
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            } => eprintln!("ksana serve: closed the connections still open"),
        }
        anyhow::Ok(())
    });
    // Blocking store calls still under way are not waited for long.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    served?;
    Ok(ExitCode::SUCCESS)
}
