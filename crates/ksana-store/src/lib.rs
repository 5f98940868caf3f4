//! ksana's lap history: detected sessions, laps and sectors kept in a database, with
//! personal bests per sim + track + car and theoretical bests (sum of the best sectors).
//!
//! The operations live in the [`LapStore`] trait so that the CLI (`ksana dump`, `ksana laps`)
//! and the HTTP server never name a backend; [`SqliteStore`] is the embedded default (a file
//! in the user's data directory, see [`default_db_path`]). docs/STORE.md describes the
//! schema, the migration policy and how a writer and readers share one file.

#![warn(missing_docs)]

mod error;
mod path;
mod sqlite;
mod store;
mod types;

pub use error::StoreError;
pub use path::{DB_ENV, default_db_path};
pub use sqlite::{SCHEMA_VERSION, SqliteStore};
pub use store::LapStore;
pub use types::{
    PersonalBest, SessionFilter, SessionId, SessionMeta, SessionSummary, StoredSession,
};
