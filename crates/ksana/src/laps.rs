//! `ksana laps [FILE...]`: laps and sectors detected in recordings (and sims' own files), as a
//! table or JSON; `--save` keeps them in the lap store; without files, the stored history.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use ksana_laps::LapsReport;
use ksana_store::{LapStore, SessionFilter, SessionMeta, SqliteStore};

/// Options of `ksana laps`.
#[derive(Args, Clone, Debug)]
pub struct LapsArgs {
    /// Recordings (or .ibt files) to detect laps in; none: show the stored history.
    files: Vec<PathBuf>,
    /// Print JSON (docs/LAPS.md) instead of a table.
    #[arg(long)]
    json: bool,
    /// Store the detected sessions and laps in the lap database.
    #[arg(long)]
    save: bool,
    /// The lap database (default: ksana.db in the user's data directory, or $KSANA_DB).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Keep the readable part of a damaged recording instead of stopping at the damage.
    #[arg(long)]
    salvage: bool,
}

/// The lap database to use: `--db`, else the default one.
pub fn open_store(db: Option<&PathBuf>) -> Result<SqliteStore> {
    let path = match db {
        Some(p) => p.clone(),
        None => ksana_store::default_db_path()?,
    };
    SqliteStore::open(&path).with_context(|| format!("opening the lap database {}", path.display()))
}

/// The lap database `--database-url` names (PostgreSQL), else `--db` or the default SQLite
/// file, behind the backend-neutral trait.
pub fn open_any_store(
    db: Option<&PathBuf>,
    database_url: Option<&str>,
) -> Result<Box<dyn LapStore + Send>> {
    let spec = match (database_url, db) {
        (Some(url), _) => ksana_store::StoreSpec::Postgres(url.to_string()),
        (None, Some(p)) => ksana_store::StoreSpec::Sqlite(p.clone()),
        (None, None) => ksana_store::StoreSpec::Sqlite(ksana_store::default_db_path()?),
    };
    ksana_store::open_store(&spec).with_context(|| format!("opening the lap database {spec:?}"))
}

pub fn run(a: &LapsArgs) -> Result<ExitCode> {
    if a.files.is_empty() {
        return history(a);
    }
    let mut report = LapsReport::default();
    let mut found: Vec<(&PathBuf, Vec<ksana_laps::Session>, Option<String>)> = Vec::new();
    let mut failed: Option<anyhow::Error> = None;
    for file in &a.files {
        match detect(file, a.salvage) {
            Ok((sessions, recorded_at)) => found.push((file, sessions, recorded_at)),
            // One file: its error is the command's. Several: each error is said as it comes,
            // the other files are still worth their laps, and the exit code says one failed.
            Err(e) if a.files.len() == 1 => return Err(e),
            Err(e) => {
                eprintln!("error: {e:#}");
                failed.get_or_insert(e);
            }
        }
    }
    // The database is opened only when there is something to store in it.
    let store = if a.save && found.iter().any(|(_, s, _)| !s.is_empty()) {
        let mut store = open_store(a.db.as_ref())?;
        for (file, sessions, recorded_at) in &found {
            let source = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
            let meta = SessionMeta {
                source: source.display().to_string(),
                recorded_at: recorded_at.clone(),
            };
            for s in sessions {
                store
                    .save_session(s, &meta)
                    .with_context(|| format!("storing the laps of {}", file.display()))?;
            }
        }
        Some(store)
    } else {
        None
    };
    for (_, sessions, _) in found {
        report.sessions.extend(sessions);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!(
            "{}",
            ksana_laps::table::render(&report, std::io::stdout().is_terminal())
        );
        if let (Some(store), true) = (&store, !report.sessions.is_empty())
            && let Some(p) = store.path()
        {
            println!("saved to {}", p.display());
        }
    }
    match failed {
        Some(e) => Err(e.context("some files could not be read")),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// Sessions of one file, and the wall-clock start of its recording (RFC 3339).
fn detect(
    file: &std::path::Path,
    salvage: bool,
) -> Result<(Vec<ksana_laps::Session>, Option<String>)> {
    let rec = crate::input::open(file, salvage)?;
    let name = file.display().to_string();
    let sessions = ksana_engine::detect_laps(&rec, &name)
        .with_context(|| format!("detecting laps in {}", file.display()))?;
    let recorded_at = ksana_engine::rfc3339(rec.header().start_unix_ns);
    Ok((sessions, recorded_at))
}

/// `ksana laps` without files: the stored sessions and the bests per track and car.
fn history(a: &LapsArgs) -> Result<ExitCode> {
    let store = open_store(a.db.as_ref())?;
    let sessions = store.sessions(&SessionFilter::default())?;
    let bests = store.personal_bests()?;
    if a.json {
        let v = serde_json::json!({ "sessions": sessions, "personal_bests": bests });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(p) = store.path() {
        println!("lap database: {}", p.display());
    }
    if sessions.is_empty() {
        println!("no sessions stored yet (`ksana laps FILE --save`, `ksana dump`, `ksana demo`)");
        return Ok(ExitCode::SUCCESS);
    }
    println!();
    println!("{} sessions, newest first:", sessions.len());
    for s in &sessions {
        println!(
            "  #{:<5} {:<25} {:<10} {:<20} {:<20} {:>3} laps  best {}",
            s.id,
            s.recorded_at.as_deref().unwrap_or("-"),
            s.session_type,
            s.track,
            s.car,
            s.lap_count,
            s.best_lap_ms
                .map_or("-".to_string(), ksana_engine::lap_time_text)
        );
    }
    println!();
    println!("personal bests (valid laps only):");
    for b in &bests {
        println!(
            "  {:<8} {:<20} {:<20} best {}  theoretical {}",
            b.sim,
            b.track,
            b.car,
            ksana_engine::lap_time_text(b.best_lap_ms),
            b.theoretical_best_ms
                .map_or("-".to_string(), ksana_engine::lap_time_text),
        );
    }
    Ok(ExitCode::SUCCESS)
}
