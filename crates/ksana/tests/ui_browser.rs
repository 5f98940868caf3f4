//! The web UI of `ksana serve` in a real browser (issue #8): a database filled from fake-sim
//! recordings (`ksana simulate --scenario pitstop` and `offtrack`, `ksana laps --save`), a
//! server on a free loopback port, and `tools/browser/check_ui.mjs` driving headless Chromium
//! through every page. The script asserts that the pages show what `ksana laps --json` of the
//! same recordings says, that the charts are drawn, that laps stored while the live page is open
//! appear, and that no request leaves 127.0.0.1; it saves screenshots to
//! `target/screenshots/ui/` (docs/UI.md).
//!
//! Needs node, Chromium (`/usr/bin/chromium` or `$KSANA_CHROMIUM`) and `npm ci` in
//! tools/browser: skipped without them locally, a failure in CI (`CI=true`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const KSANA: &str = env!("CARGO_BIN_EXE_ksana");

/// Runs `ksana ARGS` and returns its stdout; panics with its output when it fails.
fn ksana(args: &[&str]) -> Vec<u8> {
    let out = Command::new(KSANA).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ksana {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// node and Chromium and the script's packages, or `None` after saying why the test skipped
/// (a panic in CI).
fn browser_tools(repo: &Path) -> Option<(PathBuf, PathBuf)> {
    if cfg!(windows) {
        eprintln!("SKIPPED: the browser check runs in the Linux test run");
        return None;
    }
    let chromium = std::env::var_os("KSANA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let node_ok = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let script = repo.join("tools/browser/check_ui.mjs");
    let packages = repo.join("tools/browser/node_modules/playwright-core");
    let missing: Vec<String> = [
        (!node_ok).then(|| "node".to_owned()),
        (!chromium.is_file()).then(|| format!("Chromium at {}", chromium.display())),
        (!packages.is_dir()).then(|| "playwright-core (npm ci in tools/browser)".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return Some((chromium, script));
    }
    if ksana_testkit::in_ci() {
        panic!(
            "the web UI's browser check needs {}; .ci/run installs them",
            missing.join(", ")
        );
    }
    eprintln!(
        "SKIPPED: the web UI's browser check needs {}",
        missing.join(", ")
    );
    None
}

/// `ksana serve`, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ksana serve` on a free loopback port; returns it and its URL (from its first line).
fn serve(db: &Path, uploads: &Path) -> (Server, String) {
    let mut child = Command::new(KSANA)
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(db)
        .arg("--upload-dir")
        .arg(uploads)
        .env_remove("KSANA_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    // "ksana serve: http://127.0.0.1:PORT/ (API under /api/v1, …)"
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("ksana serve did not say where it listens: {line:?}"))
        .to_owned();
    (server, url)
}

#[test]
fn web_ui_in_headless_chromium_shows_the_laps_of_ksana_laps() {
    let repo = ksana_testkit::repo_root();
    let Some((chromium, script)) = browser_tools(&repo) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    let (pit, off, live, db) = (
        p("pit.ksana"),
        p("off.ksana"),
        p("live.ksana"),
        p("laps.db"),
    );
    for (scenario, out) in [("pitstop", &pit), ("offtrack", &off)] {
        ksana(&[
            "simulate",
            "--sim",
            "acc",
            "--scenario",
            scenario,
            "-o",
            out,
        ]);
    }
    ksana(&["laps", &pit, &off, "--save", "--db", &db]);
    std::fs::write(p("expected.json"), ksana(&["laps", "--json", &pit, &off])).unwrap();
    // The live page's laps: another recording, stored while the page is open.
    std::fs::copy(&off, &live).unwrap();
    std::fs::write(p("live-expected.json"), ksana(&["laps", "--json", &live])).unwrap();
    let live_cmd = serde_json::to_string(&[KSANA, "laps", &live, "--save", "--db", &db]).unwrap();

    let (_server, url) = serve(Path::new(&db), &dir.path().join("uploads"));
    let shots = repo.join("target/screenshots");
    // Last run's screenshots must not pass for this run's.
    let _ = std::fs::remove_dir_all(shots.join("ui"));
    let out = Command::new("node")
        .arg(&script)
        .current_dir(repo.join("tools/browser"))
        .env("KSANA_CHROMIUM", &chromium)
        .env("KSANA_SCREENSHOTS", &shots)
        .env("KSANA_UI_URL", &url)
        .env("KSANA_UI_EXPECTED", p("expected.json"))
        .env("KSANA_UI_LIVE_CMD", &live_cmd)
        .env("KSANA_UI_LIVE_EXPECTED", p("live-expected.json"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "the browser check failed:\n{text}");
    assert!(text.contains("all to 127.0.0.1"), "{text}");
    // The screenshots the docs promise.
    for name in [
        "sessions",
        "session-pit_ksana",
        "session-off_ksana",
        "compare",
        "progress",
        "progress-pick",
        "session-5000-laps",
        "session-phone",
        "compare-phone",
        "live",
    ] {
        let png = shots.join("ui").join(format!("{name}.png"));
        let len = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(len > 1000, "{} missing or empty", png.display());
    }
}
