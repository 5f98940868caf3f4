//! Where the database lives when no `--db PATH` is given.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// Environment variable naming the database file; it overrides the data directory.
pub const DB_ENV: &str = "KSANA_DB";

/// The database file to use by default: `$KSANA_DB` when set, else `ksana/ksana.db` in the
/// user's data directory (`$XDG_DATA_HOME`, else `~/.local/share` on Linux and other Unix;
/// `~/Library/Application Support` on macOS; `%LOCALAPPDATA%` on Windows). Creates the
/// parent directory so that opening the file next succeeds.
pub fn default_db_path() -> Result<PathBuf, StoreError> {
    let env = |name: &str| std::env::var_os(name);
    let path = db_path_from(env, std::env::home_dir(), Platform::current())
        .ok_or(StoreError::NoDataDir)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir(parent)?;
    }
    Ok(path)
}

fn create_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })
}

/// Which convention the data directory follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Platform {
    Windows,
    MacOs,
    /// Linux and other Unix: the XDG base directories.
    Xdg,
}

impl Platform {
    fn current() -> Self {
        if cfg!(windows) {
            Self::Windows
        } else if cfg!(target_os = "macos") {
            Self::MacOs
        } else {
            Self::Xdg
        }
    }
}

/// The rules of [`default_db_path`] over a given environment and home directory (pure, so
/// tests need not change the process environment). Empty variables count as unset; a
/// relative `XDG_DATA_HOME` is ignored, as the XDG specification says.
fn db_path_from(
    env: impl Fn(&str) -> Option<OsString>,
    home: Option<PathBuf>,
    platform: Platform,
) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(p) = var(DB_ENV) {
        return Some(p);
    }
    let home = home.filter(|h| !h.as_os_str().is_empty());
    let data = match platform {
        Platform::Windows => var("LOCALAPPDATA"),
        Platform::MacOs => home.map(|h| h.join("Library").join("Application Support")),
        Platform::Xdg => var("XDG_DATA_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| home.map(|h| h.join(".local").join("share"))),
    }?;
    Some(data.join("ksana").join("ksana.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn ksana_db_wins() {
        let env = env_of(&[("KSANA_DB", "/tmp/x/laps.db"), ("XDG_DATA_HOME", "/data")]);
        assert_eq!(
            db_path_from(env, Some("/home/a".into()), Platform::Xdg),
            Some(PathBuf::from("/tmp/x/laps.db"))
        );
    }

    /// An absolute directory on the machine running the test (the XDG rule asks the host
    /// whether a path is absolute: `/data` is not on Windows, where the tests also run).
    const ABS_DATA: &str = if cfg!(windows) { "C:/data" } else { "/data" };

    #[test]
    fn xdg_data_home_then_local_share() {
        let home = Some(PathBuf::from("/home/a"));
        let xdg = env_of(&[("XDG_DATA_HOME", ABS_DATA)]);
        assert_eq!(
            db_path_from(xdg, home.clone(), Platform::Xdg),
            Some(PathBuf::from(ABS_DATA).join("ksana").join("ksana.db"))
        );
        let relative = env_of(&[("XDG_DATA_HOME", "data"), ("KSANA_DB", "")]);
        let want = PathBuf::from("/home/a")
            .join(".local")
            .join("share")
            .join("ksana")
            .join("ksana.db");
        assert_eq!(
            db_path_from(relative, home.clone(), Platform::Xdg),
            Some(want.clone())
        );
        assert_eq!(db_path_from(env_of(&[]), home, Platform::Xdg), Some(want));
        assert_eq!(db_path_from(env_of(&[]), None, Platform::Xdg), None);
    }

    #[test]
    fn windows_uses_local_app_data() {
        let env = env_of(&[("LOCALAPPDATA", "C:/Users/a/AppData/Local")]);
        let want = PathBuf::from("C:/Users/a/AppData/Local")
            .join("ksana")
            .join("ksana.db");
        assert_eq!(
            db_path_from(env, Some("C:/Users/a".into()), Platform::Windows),
            Some(want)
        );
        assert_eq!(
            db_path_from(env_of(&[]), Some("C:/Users/a".into()), Platform::Windows),
            None
        );
    }

    #[test]
    fn macos_uses_application_support() {
        let want = PathBuf::from("/Users/a/Library/Application Support/ksana/ksana.db");
        assert_eq!(
            db_path_from(env_of(&[]), Some("/Users/a".into()), Platform::MacOs),
            Some(want)
        );
    }
}
