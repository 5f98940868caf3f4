//! The PostgreSQL backend: a team server that many drivers' `ksana dump` write to and
//! `ksana serve` reads, with the same numbered migrations and semantics as the SQLite file.
//! Plain TCP or Unix-socket connections (no TLS in this build: keep the server on a trusted
//! network or tunnel it).

mod migrations;
mod ops;
mod sql;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use postgres::{Client, NoTls};

use crate::StoreError;

/// How long connecting may take when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A lap store in a PostgreSQL database, in the connection's current schema. Implements
/// [`crate::LapStore`]; one connection, used by one call at a time.
pub struct PgStore {
    // A mutex, not a RefCell: the trait's reads take `&self` while the client needs `&mut`,
    // and a mutex keeps the store usable from whichever thread holds it.
    client: Mutex<Client>,
    name: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("database", &self.name)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/dbname`, or the `key=value`
    /// form), sets a 5 s lock timeout, and applies any missing migration in one transaction.
    /// Refuses a schema that belongs to another program or has a newer ksana schema.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let shown = redact(url);
        let connect = |source| StoreError::PgConnect {
            url: shown.clone(),
            source,
        };
        let mut config: postgres::Config = url.parse().map_err(connect)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("ksana");
        }
        let mut client = config.connect(NoTls).map_err(connect)?;
        client.batch_execute(sql::SESSION_SETUP)?;
        let schema: Option<String> = client.query_one(sql::CURRENT_SCHEMA, &[])?.try_get(0)?;
        let name = format!(
            "PostgreSQL {shown} (schema {})",
            schema.as_deref().unwrap_or("none")
        );
        migrations::migrate(&mut client, &name)?;
        Ok(Self {
            client: Mutex::new(client),
            name,
        })
    }

    /// The schema the store's tables live in.
    pub fn schema(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .client()
            .query_one(sql::CURRENT_SCHEMA, &[])?
            .try_get(0)?)
    }

    /// The connection, for one call. A panic in an earlier call cannot leave the client
    /// half-used (each call ends or drops its transaction), so a poisoned lock is taken over.
    fn client(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `url` without its password, for messages: the `user:password@` of a URL keeps only the
/// user, and `password=…` parameters (URL query or `key=value` form) show `***`.
pub(crate) fn redact(url: &str) -> String {
    let hide = |kv: &str| {
        if kv.len() >= 9 && kv[..9].eq_ignore_ascii_case("password=") {
            "password=***".to_string()
        } else {
            kv.to_string()
        }
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        // key=value form; a quoted password with spaces is hidden whole.
        let mut out = Vec::new();
        let mut in_password = false;
        for kv in url.split_whitespace() {
            if in_password {
                in_password = !kv.ends_with('\'');
                continue;
            }
            let hidden = hide(kv);
            if hidden != kv {
                let value = &kv[9..];
                in_password =
                    value.starts_with('\'') && (value.len() == 1 || !value.ends_with('\''));
            }
            out.push(hidden);
        }
        return out.join(" ");
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}@{hosts}")
        }
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query.split('&').map(hide).collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://ana:s3cr:et@db:5433/laps?sslmode=disable"),
            "postgres://ana@db:5433/laps?sslmode=disable"
        );
        assert_eq!(
            redact("postgresql://db/laps?user=ana&Password=x&options=-c%20a%3Db"),
            "postgresql://db/laps?user=ana&password=***&options=-c%20a%3Db"
        );
        assert_eq!(redact("postgres://ana@db"), "postgres://ana@db");
        assert_eq!(
            redact("host=db user=ana password='a b c' dbname=laps"),
            "host=db user=ana password=*** dbname=laps"
        );
        assert_eq!(
            redact("host=db password=xyz dbname=laps"),
            "host=db password=*** dbname=laps"
        );
        assert_eq!(redact(""), "");
    }
}
