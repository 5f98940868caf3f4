//! ksana's lap history: detected sessions, laps and sectors kept in a database, with
//! personal bests per sim + track + car and theoretical bests (sum of the best sectors).
//!
//! The operations live in the [`LapStore`] trait so that the CLI (`ksana dump`, `ksana laps`)
//! and the HTTP server never name a backend: [`open_store`] opens a [`StoreSpec`].
//! [`SqliteStore`] is the embedded default (a file in the user's data directory, see
//! [`default_db_path`]); [`PgStore`] keeps the same history on a PostgreSQL server that many
//! drivers' `ksana dump` write to. Both apply the same numbered migrations. docs/STORE.md
//! describes the schema, the migration policy and how writers and readers share a database.

#![warn(missing_docs)]

mod assemble;
mod error;
mod path;
mod pg;
mod spec;
mod sqlite;
mod steps;
mod store;
mod types;

pub use error::StoreError;
pub use path::{DB_ENV, default_db_path};
pub use pg::PgStore;
pub use spec::{StoreSpec, open_store};
pub use sqlite::SqliteStore;
pub use steps::SCHEMA_VERSION;
pub use store::LapStore;
pub use types::{
    PersonalBest, SessionFilter, SessionId, SessionMeta, SessionSummary, StoredLap, StoredSession,
};
