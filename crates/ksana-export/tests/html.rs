//! The HTML report of small fake-sim recordings (`ksana simulate -o`, deterministic): a
//! snapshot of the whole page, its lap table against the laps the engine detects, chart
//! bounds, and that the page refers to nothing outside itself. The browser check (the page
//! drawn in headless Chromium, no request) is crates/ksana/tests/html_report.rs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ksana_engine::{FakeOptions, detect_laps, write_fake_recording};
use ksana_export::html::{ReportOptions, ReportSummary, write_report};
use ksana_format::Recording;
use ksana_synth::world::Scenario;

/// A fake recording of `sim`: `secs` of `scenario` at `rate` Hz.
fn fake(dir: &Path, sim: &str, scenario: Scenario, secs: u64, rate: f64) -> PathBuf {
    let path = dir.join(format!("{sim}.ksana"));
    let mut o = FakeOptions::new(
        ksana_sims::by_id(sim).unwrap(),
        Arc::new(AtomicBool::new(false)),
    );
    o.scenario = scenario;
    o.rate_hz = Some(rate);
    o.duration = Some(Duration::from_secs(secs));
    write_fake_recording(&o, &path).unwrap();
    path
}

fn report(rec: &Recording, points: usize) -> (String, ReportSummary) {
    let sessions = detect_laps(rec, "fake.ksana").unwrap();
    let mut out = Vec::new();
    let s = write_report(
        rec,
        "fake.ksana",
        &sessions,
        &mut out,
        &ReportOptions {
            points_per_lap: points,
        },
    )
    .unwrap();
    (String::from_utf8(out).unwrap(), s)
}

/// The page with the recording's wall-clock start (the time `ksana simulate` ran) replaced.
fn without_dates(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<time datetime=\"") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("</time>").unwrap() + i + "</time>".len();
        out.push_str("<time>[recording start]</time>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The text between `from` and the next `to` after it, for each occurrence.
fn between<'a>(s: &'a str, from: &str, to: &str) -> Vec<&'a str> {
    s.split(from)
        .skip(1)
        .map(|p| &p[..p.find(to).unwrap()])
        .collect()
}

#[test]
fn acc_report_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    // 200 s of laps at 5 Hz: an out-lap and a timed lap, charts of 40 points at most.
    let rec = Recording::open(fake(dir.path(), "acc", Scenario::Laps, 200, 5.0)).unwrap();
    let (html, s) = report(&rec, 40);
    assert_eq!(s.sessions, 1);
    assert!(s.charts >= 1 && s.points <= 40 * s.charts, "{s:?}");
    insta::assert_snapshot!("acc_report_html", without_dates(&html));
}

#[test]
fn the_lap_table_is_the_engines_laps_and_the_charts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "iracing", Scenario::Laps, 400, 60.0)).unwrap();
    let sessions = detect_laps(&rec, "fake.ksana").unwrap();
    let (html, s) = report(&rec, 300);
    let laps: Vec<_> = sessions.iter().flat_map(|s| &s.laps).collect();
    let timed: Vec<_> = laps.iter().filter(|l| l.time_ms.is_some()).collect();
    assert!(
        timed.len() >= 3,
        "the fake's 400 s hold at least three timed laps"
    );
    assert_eq!(s.laps, laps.len());
    assert_eq!(s.charts, timed.len());
    // Each table row's time is the engine's, formatted as `ksana laps` prints it.
    let shown = between(&html, "<td class=\"time", "</td>");
    assert_eq!(shown.len(), laps.len());
    for (cell, l) in shown.iter().zip(&laps) {
        let text = &cell[cell.find('>').unwrap() + 1..];
        let want = l.time_ms.map_or("—".to_string(), |t| {
            format!("{}:{:02}.{:03}", t / 60_000, t / 1000 % 60, t % 1000)
        });
        assert_eq!(text, want, "lap {}", l.number);
    }
    // The best lap is marked once, on the fastest counting lap.
    let best = ksana_laps::analyse(&sessions[0]).best_lap.unwrap();
    assert_eq!(html.matches("<td class=\"time best\">").count(), 1);
    assert!(html.contains(&format!(
        "data-lap=\"{}\" data-time-ms=\"{}\"><td class=\"num\"><a href=",
        best.0, best.1
    )));
    // Every chart: four traces, each at most 300 points going forward in distance.
    let figures = between(&html, "<figure class=\"lap-chart\"", "</figure>");
    assert_eq!(figures.len(), timed.len());
    for f in &figures {
        let paths = between(f, "<path class=\"trace ", "\"/>");
        assert_eq!(paths.len(), 4, "{f}");
        for p in paths {
            let d = &p[p.find("d=\"").unwrap() + 3..];
            let n = d.matches(['M', 'L', 'H']).count();
            assert!((100..=300).contains(&n), "{n} points in {}", &p[..20]);
            let xs: Vec<f64> = d
                .split(['M', 'L', 'H'])
                .filter(|t| !t.is_empty())
                .map(|t| t.split([' ', 'V']).next().unwrap().parse().unwrap())
                .collect();
            assert!(
                xs.windows(2).all(|w| w[0] <= w[1]),
                "distance goes back in {}",
                &p[..20]
            );
        }
    }
    // Nothing refers outside the page: the only URL is the SVG namespace.
    let urls = html.matches("://").count();
    assert_eq!(
        urls,
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert_eq!(urls, figures.len());
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("@import"));
}

#[test]
fn names_from_the_recording_are_text_never_markup() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", Scenario::Laps, 120, 5.0)).unwrap();
    let mut sessions = detect_laps(&rec, "x").unwrap();
    let evil = "<script>alert(1)</script>\"'&";
    sessions[0].track = evil.into();
    sessions[0].car = format!("car{evil}");
    sessions[0].driver = evil.into();
    sessions[0].session_type = evil.into();
    sessions[0].laps[0].valid = false;
    sessions[0].laps[0].invalid_reason = Some(evil.into());
    let mut out = Vec::new();
    write_report(
        &rec,
        &format!("/tmp/{evil}.ksana"),
        &sessions,
        &mut out,
        &ReportOptions::default(),
    )
    .unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(!html.contains("<script"), "raw markup in the page");
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;";
    // Title, heading, file row; the session's heading (type, track, car); its summary (track,
    // car, driver, type); the invalid reason.
    assert_eq!(html.matches(escaped).count(), 11, "{html}");
    assert!(html.contains(&format!("<td class=\"flags\" title=\"{escaped}\">")));
}
