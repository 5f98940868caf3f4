//! `ksana export --format html` opened in headless Chromium (tools/browser/check_html.mjs,
//! playwright-core driving Debian's /usr/bin/chromium): the page loads from file:// with no
//! request but its own file, its lap table shows the times of `ksana laps --json` of the same
//! recording, every lap chart has its four traces drawn, and a screenshot is saved under
//! target/screenshots/. Skipped without node, chromium or `npm ci` in tools/browser locally;
//! required in CI (`.ci/run` installs them).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ksana(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(args)
        .output()
        .expect("run ksana")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `node`, when node, Chromium and tools/browser's packages are all there; `None` after saying
/// the test skipped (panics in CI, where `.ci/run` installs them). Never on Windows (the tests
/// under Wine): the Linux run checks the same page.
fn browser_node() -> Option<PathBuf> {
    if cfg!(windows) {
        eprintln!("SKIPPED: the browser checks run in the Linux test run");
        return None;
    }
    let root = ksana_testkit::repo_root();
    let chromium = std::env::var_os("KSANA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let packages = root
        .join("tools/browser/node_modules/playwright-core")
        .is_dir();
    let missing: Vec<&str> = [
        (!node_ok).then_some("node"),
        (!chromium.is_file()).then_some("chromium (apt-get install chromium)"),
        (!packages).then_some("playwright-core (npm ci in tools/browser)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return Some(PathBuf::from("node"));
    }
    if ksana_testkit::in_ci() {
        panic!(
            "the browser check needs {}; .ci/run installs them",
            missing.join(", ")
        );
    }
    eprintln!("SKIPPED: the browser check needs {}", missing.join(", "));
    None
}

fn check(node: &Path, html: &Path, json: &Path, shot: &str) -> Output {
    Command::new(node)
        .arg(ksana_testkit::repo_root().join("tools/browser/check_html.mjs"))
        .arg(html)
        .arg(json)
        .args(["--screenshot", shot])
        .output()
        .expect("run check_html.mjs")
}

/// Simulates `sim`, exports the HTML report and the laps' JSON; returns (html, json, timed laps).
fn export(dir: &Path, sim: &str) -> (PathBuf, PathBuf, usize) {
    let rec = dir.join(format!("{sim}.ksana"));
    ok(&ksana(&[
        "simulate".as_ref(),
        "--sim".as_ref(),
        sim.as_ref(),
        "--scenario".as_ref(),
        "offtrack".as_ref(),
        "--rate".as_ref(),
        "60".as_ref(),
        "--duration".as_ref(),
        "300".as_ref(),
        "-o".as_ref(),
        rec.as_os_str(),
    ]));
    let json_text = ok(&ksana(&[
        "laps".as_ref(),
        rec.as_os_str(),
        "--json".as_ref(),
    ]));
    let json = dir.join(format!("{sim}.json"));
    std::fs::write(&json, &json_text).unwrap();
    let timed =
        json_text.matches("\"time_ms\": ").count() - json_text.matches("\"time_ms\": null").count();
    let html = dir.join(format!("{sim}.html"));
    let out = ok(&ksana(&[
        "export".as_ref(),
        rec.as_os_str(),
        "--format".as_ref(),
        "html".as_ref(),
        "-o".as_ref(),
        html.as_os_str(),
    ]));
    assert!(
        out.contains(&format!("{timed} lap charts")),
        "one chart per timed lap ({timed}): {out}"
    );
    (html, json, timed)
}

#[test]
fn the_html_report_renders_in_headless_chromium_without_a_request() {
    let Some(node) = browser_node() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for sim in ["acc", "iracing"] {
        let (html, json, timed) = export(dir.path(), sim);
        assert!(
            timed >= 2,
            "{sim}: the fake's 300 s hold at least two timed laps"
        );
        let o = check(&node, &html, &json, &format!("html_report_{sim}"));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{sim}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            out.contains(&format!("{timed} charts drawn, 1 request(s), all its own")),
            "{sim}: {out}"
        );
    }
}

#[test]
fn the_browser_check_fails_on_a_wrong_time_and_on_a_request() {
    let Some(node) = browser_node() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (html, json, _) = export(dir.path(), "acc");
    let page = std::fs::read_to_string(&html).unwrap();

    // A lap time that differs from the JSON by one millisecond.
    let text = std::fs::read_to_string(&json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let t = v["sessions"][0]["laps"][0]["time_ms"].as_u64().unwrap();
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        text.replacen(
            &format!("\"time_ms\": {t}"),
            &format!("\"time_ms\": {}", t + 1),
            1,
        ),
    )
    .unwrap();
    let o = check(&node, &html, &wrong, "html_report_wrong_time");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("FAIL: lap row 0"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // A page that loads an image from the network (the policy removed, as a page without it).
    let leaky = dir.path().join("leaky.html");
    let cut = page
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = cut + page[cut..].find('>').unwrap() + 1;
    let body = format!(
        "{}{}",
        &page[..cut],
        &page[end..].replacen("<body>", "<body><img src=\"http://127.0.0.1:9/x.png\">", 1)
    );
    std::fs::write(&leaky, body).unwrap();
    let o = check(&node, &leaky, &json, "html_report_leaky");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("requests other than the file itself: http://127.0.0.1:9/x.png"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn html_is_listed_and_refuses_the_row_options() {
    let formats = ok(&ksana(&["export".as_ref(), "--list-formats".as_ref()]));
    assert!(
        formats
            .lines()
            .any(|l| l.starts_with("html ") && l.contains("HTML report")),
        "{formats}"
    );
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("a.ksana");
    ok(&ksana(&[
        "simulate".as_ref(),
        "--sim".as_ref(),
        "acc".as_ref(),
        "--duration".as_ref(),
        "3".as_ref(),
        "--rate".as_ref(),
        "20".as_ref(),
        "-o".as_ref(),
        rec.as_os_str(),
    ]));
    let html = dir.path().join("a.html");
    for opt in [["--rate", "5"], ["--segment", "0"], ["--channels", "gas"]] {
        let o = ksana(&[
            "export".as_ref(),
            rec.as_os_str(),
            "--format".as_ref(),
            "html".as_ref(),
            opt[0].as_ref(),
            opt[1].as_ref(),
            "-o".as_ref(),
            html.as_os_str(),
        ]);
        assert!(!o.status.success(), "{opt:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("do not apply to the html report"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!html.exists(), "{opt:?} left a file");
    }
    // Without them: a page, even for 3 s without a timed lap.
    let out = ok(&ksana(&[
        "export".as_ref(),
        rec.as_os_str(),
        "--format".as_ref(),
        "html".as_ref(),
        "-o".as_ref(),
        html.as_os_str(),
    ]));
    assert!(out.contains("0 lap charts"), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    assert!(
        !std::fs::read_dir(dir.path())
            .unwrap()
            .any(|e| { e.unwrap().file_name().to_string_lossy().starts_with(".") }),
        "no temporary file left"
    );
}
