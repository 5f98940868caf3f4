//! Which database to open, and opening it behind the [`LapStore`] trait.

use std::path::PathBuf;

use crate::{LapStore, PgStore, SqliteStore, StoreError};

/// A lap database to open: an SQLite file (`--db PATH`, the default) or a PostgreSQL server
/// (`--database-url postgres://…`).
#[derive(Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// An SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user:password@host:port/dbname`, or the
    /// `key=value` form). The tables live in the connection's current schema (the server's
    /// `search_path`, usually `public`; `?options=-c%20search_path%3Dname` picks another).
    Postgres(String),
}

impl StoreSpec {
    /// Reads one string: a `postgres://` or `postgresql://` URL is a server, anything else
    /// the path of an SQLite file.
    pub fn parse(text: &str) -> Self {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Self::Postgres(text.to_string())
        } else {
            Self::Sqlite(PathBuf::from(text))
        }
    }
}

/// Never prints a PostgreSQL password (the spec ends up in logs and error messages).
impl std::fmt::Debug for StoreSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            Self::Postgres(url) => f
                .debug_tuple("Postgres")
                .field(&crate::pg::redact(url))
                .finish(),
        }
    }
}

/// Opens (creating and migrating as needed) the database `spec` names. The result is `Send`,
/// so a server can hand it to a worker thread.
pub fn open_store(spec: &StoreSpec) -> Result<Box<dyn LapStore + Send>, StoreError> {
    Ok(match spec {
        StoreSpec::Sqlite(path) => Box::new(SqliteStore::open(path)?),
        StoreSpec::Postgres(url) => Box::new(PgStore::open(url)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_servers_and_the_rest_are_files() {
        let url = "postgres://ana:secret@db.example:5433/laps";
        assert_eq!(StoreSpec::parse(url), StoreSpec::Postgres(url.into()));
        assert_eq!(
            StoreSpec::parse("PostgreSQL://h/laps"),
            StoreSpec::Postgres("PostgreSQL://h/laps".into())
        );
        assert_eq!(
            StoreSpec::parse("laps/postgres.db"),
            StoreSpec::Sqlite(PathBuf::from("laps/postgres.db"))
        );
        assert_eq!(StoreSpec::parse("é"), StoreSpec::Sqlite(PathBuf::from("é")));
        let shown = format!("{:?}", StoreSpec::parse(url));
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("db.example:5433/laps"), "{shown}");
    }
}
