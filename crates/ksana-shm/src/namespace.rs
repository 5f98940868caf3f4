//! Where shared-memory names live and how a sim's Windows name maps to an OS object.

use std::path::{Path, PathBuf};

use crate::error::{Result, ShmError};

/// Environment variable that overrides the default Linux root directory (`/dev/shm`).
pub const SHM_DIR_ENV: &str = "KSANA_SHM_DIR";

/// Default Linux root directory: where Linux-native sim bridges and readers expect the files.
pub const DEFAULT_SHM_DIR: &str = "/dev/shm";

/// The namespace that shared-memory names are resolved in.
///
/// Sims name their pages the Windows way (`Local\acpmf_physics`, `$R3E`). On Linux the same page is the
/// file `<root>/<name>` with the `Local\`/`Global\` prefix dropped (case and `$` kept), which is what
/// Proton bridges and Linux readers use; a private root lets tests and side-by-side runs stay out of the
/// real `/dev/shm`. On Windows names go to the kernel object namespace as given (`Local\` added when
/// there is no prefix); a namespace made with an explicit root (or `KSANA_SHM_DIR`) is private there
/// too: its names get a prefix derived from the root (`Local\ksana-<hash>-<name>`), so that tests
/// and side-by-side runs under one Windows session do not meet. Sims never use such names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShmNamespace {
    root: PathBuf,
    private: bool,
}

impl Default for ShmNamespace {
    /// Same as [`ShmNamespace::from_env`].
    fn default() -> Self {
        Self::from_env()
    }
}

impl ShmNamespace {
    /// The root from `KSANA_SHM_DIR` if set and non-empty, otherwise `/dev/shm`.
    pub fn from_env() -> Self {
        match std::env::var_os(SHM_DIR_ENV) {
            Some(dir) if !dir.is_empty() => Self::with_root(dir),
            _ => Self {
                root: PathBuf::from(DEFAULT_SHM_DIR),
                private: false,
            },
        }
    }

    /// An explicit root directory (Linux; it must already exist). On Windows it makes the
    /// namespace private: object names get a prefix derived from `root`.
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        // The real /dev/shm is not private, however it was named.
        let private = root != Path::new(DEFAULT_SHM_DIR);
        Self { root, private }
    }

    /// True when names are kept apart from the sims' own (a root other than `/dev/shm`).
    pub fn is_private(&self) -> bool {
        self.private
    }

    /// The root directory this namespace resolves Linux names under.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Validates `name` and returns its base name (without `Local\`/`Global\`), e.g. `Local\$R3E` → `$R3E`.
    ///
    /// Errors with [`ShmError::InvalidName`] for an empty base name, `/`, `\` or NUL in it, or `.`/`..`.
    pub fn base_name(name: &str) -> Result<&str> {
        let bad = |reason| ShmError::InvalidName {
            name: name.to_owned(),
            reason,
        };
        let base = strip_prefix(name).unwrap_or(name);
        if base.is_empty() {
            return Err(bad("empty name"));
        }
        if base.contains('\0') {
            return Err(bad("contains NUL"));
        }
        if base.contains('/') || base.contains('\\') {
            return Err(bad(
                "contains a path separator after the Local\\/Global\\ prefix",
            ));
        }
        if base == "." || base == ".." {
            return Err(bad("is a relative path component"));
        }
        Ok(base)
    }

    /// The file that backs `name` on Linux: `<root>/<base name>`.
    pub fn path_of(&self, name: &str) -> Result<PathBuf> {
        Ok(self.root.join(Self::base_name(name)?))
    }

    /// The Windows kernel object name for `name`: as given if it has a `Local\` or `Global\` prefix,
    /// otherwise `Local\<name>`.
    pub fn object_name(&self, name: &str) -> Result<String> {
        let base = Self::base_name(name)?;
        if self.private {
            // FNV-1a of the root: short, stable, and valid in a kernel object name.
            let mut h: u32 = 0x811c_9dc5;
            for b in self.root.to_string_lossy().bytes() {
                h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
            return Ok(format!("Local\\ksana-{h:08x}-{base}"));
        }
        if strip_prefix(name).is_some() {
            Ok(name.to_owned())
        } else {
            Ok(format!("Local\\{name}"))
        }
    }
}

/// `Some(rest)` if `name` starts with `Local\` or `Global\` (ASCII case-insensitive, as Windows treats it).
fn strip_prefix(name: &str) -> Option<&str> {
    ["Local\\", "Global\\"].iter().find_map(|p| {
        let head = name.get(..p.len())?;
        head.eq_ignore_ascii_case(p).then(|| &name[p.len()..])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(ShmNamespace::base_name("Local\\$R3E").unwrap(), "$R3E");
        assert_eq!(
            ShmNamespace::base_name("Global\\acpmf_physics").unwrap(),
            "acpmf_physics"
        );
        assert_eq!(
            ShmNamespace::base_name("local\\LMU_Data").unwrap(),
            "LMU_Data"
        );
        assert_eq!(ShmNamespace::base_name("$pcars2$").unwrap(), "$pcars2$");
        assert_eq!(
            ShmNamespace::base_name("Local\\$rFactor2SMMP_Telemetry$").unwrap(),
            "$rFactor2SMMP_Telemetry$"
        );
        // A name that merely contains two dots is harmless once separators are rejected.
        assert_eq!(ShmNamespace::base_name("a..b").unwrap(), "a..b");
    }

    #[test]
    fn bad_names() {
        for bad in [
            "",
            "Local\\",
            "Global\\",
            "a/b",
            "Local\\a\\b",
            "Local\\..",
            "..",
            ".",
            "a\0b",
            "../x",
            "Local\\a/b",
        ] {
            assert!(
                matches!(
                    ShmNamespace::base_name(bad),
                    Err(ShmError::InvalidName { .. })
                ),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn linux_paths() {
        let ns = ShmNamespace::with_root("/dev/shm");
        assert_eq!(
            ns.path_of("Local\\$R3E").unwrap(),
            Path::new("/dev/shm/$R3E")
        );
        assert_eq!(
            ns.path_of("Local\\acpmf_physics").unwrap(),
            Path::new("/dev/shm/acpmf_physics")
        );
        let ns = ShmNamespace::with_root("/tmp/x");
        assert_eq!(
            ns.path_of("IRSDKMemMapFileName").unwrap(),
            Path::new("/tmp/x/IRSDKMemMapFileName")
        );
    }

    #[test]
    fn windows_names() {
        let ns = ShmNamespace::with_root(DEFAULT_SHM_DIR);
        assert!(!ns.is_private());
        assert_eq!(ns.object_name("Local\\$R3E").unwrap(), "Local\\$R3E");
        assert_eq!(ns.object_name("Global\\x").unwrap(), "Global\\x");
        assert_eq!(ns.object_name("LMU_Data").unwrap(), "Local\\LMU_Data");
        assert!(ns.object_name("a\\b").is_err());
    }

    #[test]
    fn private_roots_prefix_windows_names() {
        let a = ShmNamespace::with_root("/tmp/a");
        let b = ShmNamespace::with_root("/tmp/b");
        assert!(a.is_private());
        let na = a.object_name("Local\\acpmf_physics").unwrap();
        let nb = b.object_name("acpmf_physics").unwrap();
        assert!(
            na.starts_with("Local\\ksana-") && na.ends_with("-acpmf_physics"),
            "{na}"
        );
        assert_ne!(na, nb);
        assert_eq!(na, a.object_name("acpmf_physics").unwrap());
    }
}
