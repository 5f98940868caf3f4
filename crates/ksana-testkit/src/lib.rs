//! Test support shared by ksana's crates (dev-dependency only).
//!
//! The rule for outside material: a test that needs a fixture or a peer checker and cannot find
//! it **fails** in CI (`CI=true`) and **says it skipped** elsewhere, so a developer without the
//! shared folder can still run the suite, and CI can never pass by skipping.

use std::path::PathBuf;

/// True when running in CI (`CI=true` or `CI=1`).
pub fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
}

/// Where the shared fixtures live: `$KSANA_FIXTURES`, else `../shared/fixtures` beside the
/// repository.
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("KSANA_FIXTURES") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

/// The fixture at `rel` (e.g. `iracing/memdump_2024.bin`), or `None` after printing that the
/// test skipped. Panics in CI when it is missing.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    let p = fixtures_dir().join(rel);
    if p.is_file() {
        return Some(p);
    }
    if in_ci() {
        panic!(
            "fixture {} not found (KSANA_FIXTURES={:?}); CI must have it",
            p.display(),
            std::env::var_os("KSANA_FIXTURES")
        );
    }
    eprintln!(
        "SKIPPED: fixture {} not found; set KSANA_FIXTURES",
        p.display()
    );
    None
}

/// The Python interpreter of the peer-check virtualenv (`$KSANA_PYTHON`, set by `.ci/run`,
/// which installs pyirsdk, pyaccsharedmemory, acevo-sdk, pandas and pyarrow into it), or
/// `None` after printing that the test skipped. Panics in CI when it is not set.
///
/// On Windows (tests under Wine in CI) it is always `None`: the checkers are Linux Python
/// programs reading Linux files, and the Linux run of the same tests is where they run.
pub fn peer_python() -> Option<PathBuf> {
    if cfg!(windows) {
        eprintln!(
            "SKIPPED: peer checks run in the Linux test run (Python checkers on Linux files)"
        );
        return None;
    }
    if let Some(p) = std::env::var_os("KSANA_PYTHON") {
        let p = PathBuf::from(p);
        if p.exists() {
            return Some(p);
        }
    }
    if in_ci() {
        panic!("KSANA_PYTHON is not set to the peer-check virtualenv's python; .ci/run sets it");
    }
    eprintln!(
        "SKIPPED: peer check needs KSANA_PYTHON (a python with the packages of tools/requirements.txt)"
    );
    None
}

/// A private shared-memory root for one test: a fresh directory under `/dev/shm` when it
/// exists (memory-backed, like the real thing), else under the temp dir. Deleted on drop.
pub fn shm_root() -> tempfile::TempDir {
    let base = std::path::Path::new("/dev/shm");
    if cfg!(unix) && base.is_dir() {
        tempfile::Builder::new()
            .prefix("ksana-test-")
            .tempdir_in(base)
            .expect("create a private root in /dev/shm")
    } else {
        tempfile::Builder::new()
            .prefix("ksana-test-")
            .tempdir()
            .expect("create a private root")
    }
}

/// The repository root (for `tools/…` scripts).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}
