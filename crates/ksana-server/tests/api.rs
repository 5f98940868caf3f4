//! The JSON API against a store filled by the fake sim, the same code against SQLite and
//! PostgreSQL: list, filters, paging, detail, bests, progress, trace, live events, uploads,
//! authentication and malformed parameters.

mod common;

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use common::{Server, TOKEN, TestDb, backends, client, fixture};
use ksana_laps::{Lap, Session};
use ksana_server::WritePolicy;
use ksana_store::SessionMeta;
use serde_json::Value;

/// Stores the fake recording's sessions (as `ksana laps FILE --save` does) and two sessions
/// written by hand on other tracks and dates; returns the fake session's id.
fn fill(db: &TestDb) -> i64 {
    let f = fixture();
    let mut store = db.open();
    let meta = SessionMeta {
        source: f.path.display().to_string(),
        recorded_at: f.recorded_at.clone(),
    };
    let mut id = 0;
    for s in &f.sessions {
        id = store.save_session(s, &meta).unwrap();
    }
    for (track, date, best) in [
        ("Spa", "2025-03-01T10:00:00Z", 140_000),
        ("Spa", "2025-04-01T10:00:00Z", 138_000),
    ] {
        let s = hand_session(track, &[best + 1500, best, best + 700]);
        let m = SessionMeta {
            source: format!("/nowhere/{track}-{date}.ksana"),
            recorded_at: Some(date.into()),
        };
        store.save_session(&s, &m).unwrap();
    }
    id
}

/// A session on `track` whose laps take `times` ms (three equal-ish sectors each).
fn hand_session(track: &str, times: &[u32]) -> Session {
    let laps = times
        .iter()
        .enumerate()
        .map(|(i, &t)| Lap {
            number: i as u32 + 1,
            time_ms: Some(t),
            sectors_ms: vec![Some(t / 3), Some(t / 3), Some(t - 2 * (t / 3))],
            valid: true,
            out_lap: false,
            in_lap: false,
            partial: false,
            invalid_reason: None,
            start_s: 200.0 * i as f64,
            end_s: 200.0 * i as f64 + f64::from(t) / 1000.0,
        })
        .collect();
    Session {
        sim: "acc".into(),
        track: track.into(),
        car: "bmw_m4_gt3".into(),
        driver: "Ana".into(),
        session_type: "practice".into(),
        sector_count: Some(3),
        recording: Some(format!("/nowhere/{track}.ksana")),
        start_s: 0.0,
        end_s: 1000.0,
        end_reason: "end_of_recording".into(),
        laps,
    }
}

fn ids(v: &Value) -> Vec<i64> {
    v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn sessions_list_filters_and_pages() {
    for db in backends() {
        let fake = fill(&db);
        let srv = Server::start(&db, WritePolicy::Refuse);
        let (st, all) = srv.get("/api/v1/sessions");
        assert_eq!(st, 200, "{}", db.name);
        assert_eq!(all["sessions"].as_array().unwrap().len(), 3, "{}", db.name);
        assert_eq!(all["limit"], 50);
        // Newest first: the fake recording (today), then Spa in April, then March.
        assert_eq!(ids(&all)[0], fake, "{}", db.name);
        let (_, spa) = srv.get("/api/v1/sessions?track=Spa");
        let spa_ids = ids(&spa);
        assert_eq!(spa_ids.len(), 2);
        assert_eq!(spa["sessions"][0]["recorded_at"], "2025-04-01T10:00:00Z");
        let (_, page) = srv.get("/api/v1/sessions?track=Spa&limit=1&offset=1");
        assert_eq!(ids(&page), vec![spa_ids[1]], "{}", db.name);
        let (_, march) = srv.get("/api/v1/sessions?from=2025-03-01&to=2025-03-31");
        assert_eq!(march["sessions"][0]["recorded_at"], "2025-03-01T10:00:00Z");
        assert_eq!(ids(&march).len(), 1);
        let (_, car) = srv.get("/api/v1/sessions?car=ksana_gt3&sim=acc");
        assert_eq!(ids(&car), vec![fake]);
        let (_, driver) = srv.get("/api/v1/sessions?driver=Ana");
        assert_eq!(ids(&driver).len(), 2);
        // Filter text is data, never SQL.
        for evil in ["x'%20OR%20'1'='1", "Spa';%20DROP%20TABLE%20laps;--", "%25"] {
            let (st, v) = srv.get(&format!("/api/v1/sessions?track={evil}"));
            assert_eq!(st, 200, "{evil}");
            assert!(ids(&v).is_empty(), "{evil}: {v}");
        }
        let (_, still) = srv.get("/api/v1/sessions");
        assert_eq!(ids(&still).len(), 3, "{}", db.name);
        let (_, d) = srv.get(&format!("/api/v1/sessions/{fake}"));
        assert!(!d["laps"].as_array().unwrap().is_empty());
    }
}

#[test]
fn session_detail_has_the_detected_laps_and_analysis() {
    let f = fixture();
    let want = &f.sessions[0];
    assert!(
        want.laps.len() >= 4,
        "the pitstop scenario drives several laps"
    );
    for db in backends() {
        let fake = fill(&db);
        let srv = Server::start(&db, WritePolicy::Refuse);
        let (st, d) = srv.get(&format!("/api/v1/sessions/{fake}"));
        assert_eq!(st, 200, "{}", db.name);
        assert_eq!(d["id"], fake);
        assert_eq!(d["track"], want.track.as_str());
        let laps = d["laps"].as_array().unwrap();
        assert_eq!(laps.len(), want.laps.len(), "{}", db.name);
        for (got, w) in laps.iter().zip(&want.laps) {
            assert_eq!(got["number"], w.number);
            assert_eq!(got["time_ms"].as_u64().map(|t| t as u32), w.time_ms);
            let sectors: Vec<Option<u32>> = got["sectors_ms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_u64().map(|t| t as u32))
                .collect();
            assert_eq!(sectors, w.sectors_ms, "lap {}", w.number);
            assert_eq!(got["out_lap"], w.out_lap);
            assert_eq!(got["in_lap"], w.in_lap);
            assert_eq!(got["counts_for_best"], w.counts_for_best());
        }
        // The analysis: best lap = fastest counting lap; theoretical = sum of best sectors.
        let counting: Vec<&Lap> = want.laps.iter().filter(|l| l.counts_for_best()).collect();
        let best = counting.iter().filter_map(|l| l.time_ms).min().unwrap();
        assert_eq!(d["analysis"]["best_lap"]["time_ms"], best, "{}", db.name);
        assert_eq!(d["best_lap_ms"], best);
        let theo: u32 = (0..3)
            .map(|k| {
                counting
                    .iter()
                    .filter_map(|l| l.sectors_ms[k])
                    .min()
                    .unwrap()
            })
            .sum();
        assert_eq!(d["analysis"]["theoretical_best_ms"], theo);
        let best_lap_no = d["analysis"]["best_lap"]["lap"].as_u64().unwrap() as usize;
        let best_row = laps.iter().find(|l| l["number"] == best_lap_no).unwrap();
        assert_eq!(best_row["delta_ms"], 0);
    }
}

#[test]
fn bests_and_progress() {
    for db in backends() {
        fill(&db);
        let srv = Server::start(&db, WritePolicy::Refuse);
        let (st, b) = srv.get("/api/v1/bests?track=Spa");
        assert_eq!(st, 200);
        let bests = b["bests"].as_array().unwrap();
        assert_eq!(bests.len(), 1, "{}", db.name);
        assert_eq!(bests[0]["best_lap_ms"], 138_000);
        assert_eq!(bests[0]["car"], "bmw_m4_gt3");
        // Best sectors over both sessions: 138000/3 = 46000 each (the April session's best).
        assert_eq!(bests[0]["theoretical_best_ms"], 138_000);
        let (_, all) = srv.get("/api/v1/bests");
        assert_eq!(all["bests"].as_array().unwrap().len(), 2);

        let (st, p) = srv.get("/api/v1/progress?sim=acc&track=Spa&car=bmw_m4_gt3");
        assert_eq!(st, 200, "{}", db.name);
        let s = p["sessions"].as_array().unwrap();
        assert_eq!(s.len(), 2);
        // Oldest first; best and median of the three laps.
        assert_eq!(s[0]["date"], "2025-03-01T10:00:00Z");
        assert_eq!(s[0]["best_lap_ms"], 140_000);
        assert_eq!(s[0]["median_lap_ms"], 140_700);
        assert_eq!(s[0]["lap_count"], 3);
        assert_eq!(s[1]["best_lap_ms"], 138_000);
        assert_eq!(s[1]["median_lap_ms"], 138_700);
        let (st, e) = srv.get("/api/v1/progress?track=Spa");
        assert_eq!(st, 400);
        assert!(e["error"].as_str().unwrap().contains("car"));
    }
}

#[test]
fn lap_trace_is_downsampled_and_runs_forward() {
    let f = fixture();
    let lap = f.sessions[0]
        .laps
        .iter()
        .find(|l| l.counts_for_best())
        .unwrap();
    for db in backends() {
        let fake = fill(&db);
        let srv = Server::start(&db, WritePolicy::Refuse);
        let (st, t) = srv.get(&format!(
            "/api/v1/sessions/{fake}/laps/{}/trace?points=100",
            lap.number
        ));
        assert_eq!(st, 200, "{}: {t}", db.name);
        let pts = t["points"].as_array().unwrap();
        assert_eq!(pts.len(), 100, "{}", db.name);
        let dist: Vec<f64> = pts.iter().map(|p| p["dist"].as_f64().unwrap()).collect();
        assert!(dist.windows(2).all(|w| w[0] <= w[1]), "{dist:?}");
        assert!(
            dist[0] < 0.02 && dist[99] > 0.98,
            "{} .. {}",
            dist[0],
            dist[99]
        );
        let lap_s = f64::from(lap.time_ms.unwrap()) / 1000.0;
        let last_t = pts[99]["t"].as_f64().unwrap();
        assert!((last_t - lap_s).abs() < 0.1, "{last_t} vs {lap_s}");
        for p in pts {
            let v = p["speed_kmh"].as_f64().unwrap();
            assert!((20.0..400.0).contains(&v), "speed {v}");
            let thr = p["throttle"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&thr), "throttle {thr}");
            let g = p["gear"].as_i64().unwrap();
            assert!((1..=8).contains(&g), "gear {g}");
            assert!(p["rpm"].as_f64().unwrap() > 1000.0);
        }
        // Default and maximum sizes are honoured.
        let (_, d) = srv.get(&format!(
            "/api/v1/sessions/{fake}/laps/{}/trace",
            lap.number
        ));
        let n = d["points"].as_array().unwrap().len();
        assert!(n > 100 && n <= 500, "{n}");
        // A lap that is not there; a session whose recording is gone.
        let (st, _) = srv.get(&format!("/api/v1/sessions/{fake}/laps/999/trace"));
        assert_eq!(st, 404);
        let (_, spa) = srv.get("/api/v1/sessions?track=Spa");
        let spa_id = ids(&spa)[0];
        let (st, e) = srv.get(&format!("/api/v1/sessions/{spa_id}/laps/1/trace"));
        assert_eq!(st, 404, "{e}");
        assert!(e["error"].as_str().unwrap().contains("gone"), "{e}");
    }
}

#[test]
fn live_stream_sends_laps_stored_after_connecting() {
    for db in backends() {
        let fake = fill(&db);
        let srv = Server::start(&db, WritePolicy::Refuse);
        let resp = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap()
            .get(srv.url("/api/v1/live"))
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        // Wait past one poll so the stream's starting point is settled, then store a lap.
        std::thread::sleep(Duration::from_millis(700));
        let mut writer = db.open();
        let mut lap = hand_session("x", &[91_234]).laps.remove(0);
        lap.number = 42;
        writer.add_lap(fake, &lap).unwrap();
        let started = Instant::now();
        let mut reader = BufReader::new(resp);
        let mut line = String::new();
        let data = loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if let Some(d) = line.strip_prefix("data:") {
                break d.trim().to_string();
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no event");
        };
        let v: Value = serde_json::from_str(&data).unwrap();
        assert_eq!(v["session_id"], fake, "{}", db.name);
        assert_eq!(
            v["lap"]["number"], 42,
            "only the lap stored after connecting"
        );
        assert_eq!(v["lap"]["time_ms"], 91_234);
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}

#[test]
fn uploads_need_the_token_and_a_real_recording() {
    let f = fixture();
    for db in backends() {
        let srv = Server::start(&db, WritePolicy::Token(common::TOKEN.into()));
        let url = srv.url("/api/v1/recordings");
        let c = client();
        let body = std::fs::read(&f.path).unwrap();
        let r = c.post(&url).body(body.clone()).send().unwrap();
        assert_eq!(r.status().as_u16(), 401, "{}", db.name);
        let e: Value = r.json().unwrap();
        assert!(e["error"].as_str().unwrap().contains("Bearer"));
        let r = c
            .post(&url)
            .bearer_auth("wrong")
            .body(body.clone())
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);

        // Random bytes: a clear 4xx, nothing stored, no file left.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let junk: Vec<u8> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let r = c.post(&url).bearer_auth(TOKEN).body(junk).send().unwrap();
        let st = r.status().as_u16();
        assert!((400..500).contains(&st), "{st}");
        let e: Value = r.json().unwrap();
        assert!(
            e["error"]
                .as_str()
                .unwrap()
                .contains("not a ksana recording"),
            "{e}"
        );
        // A damaged recording: bytes in the middle of the real one overwritten (a cut file,
        // by contrast, is a crashed recorder's and is read up to the cut, as everywhere).
        let mut damaged = body.clone();
        let mid = damaged.len() / 2;
        for b in &mut damaged[mid..mid + 256] {
            *b ^= 0x5A;
        }
        let r = c
            .post(&url)
            .bearer_auth(TOKEN)
            .body(damaged)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 422, "{}", db.name);
        let e: Value = r.json().unwrap();
        assert!(e["error"].as_str().unwrap().contains("damaged"), "{e}");
        let (_, list) = srv.get("/api/v1/sessions");
        assert!(ids(&list).is_empty(), "{}: {list}", db.name);
        assert_eq!(std::fs::read_dir(db.uploads()).unwrap().count(), 0);

        // The real recording: 201, its laps stored, the file kept.
        let r = c.post(&url).bearer_auth(TOKEN).body(body).send().unwrap();
        assert_eq!(r.status().as_u16(), 201, "{}", db.name);
        let v: Value = r.json().unwrap();
        let sid = v["session_ids"][0].as_i64().unwrap();
        assert_eq!(v["sim"], "acc");
        let (_, d) = srv.get(&format!("/api/v1/sessions/{sid}"));
        let times: Vec<Option<u64>> = d["laps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["time_ms"].as_u64())
            .collect();
        let want: Vec<Option<u64>> = f.sessions[0]
            .laps
            .iter()
            .map(|l| l.time_ms.map(u64::from))
            .collect();
        assert_eq!(times, want);
        assert_eq!(std::fs::read_dir(db.uploads()).unwrap().count(), 1);
        // Its trace reads the kept file.
        let (st, _) = srv.get(&format!("/api/v1/sessions/{sid}/laps/2/trace?points=10"));
        assert_eq!(st, 200);
    }
}

#[test]
fn without_a_token_writes_are_forbidden() {
    let db = backends().remove(0);
    let srv = Server::start(&db, WritePolicy::Refuse);
    let r = client()
        .post(srv.url("/api/v1/recordings"))
        .bearer_auth(TOKEN)
        .body(vec![1u8; 10])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
}

#[test]
fn malformed_parameters_get_400_and_unknown_ids_404() {
    for db in backends() {
        let fake = fill(&db);
        let srv = Server::start(&db, WritePolicy::Refuse);
        for path in [
            "/api/v1/sessions?limit=abc".to_string(),
            "/api/v1/sessions?limit=0".into(),
            "/api/v1/sessions?limit=501".into(),
            "/api/v1/sessions?offset=-1".into(),
            "/api/v1/sessions?from=yesterday".into(),
            "/api/v1/sessions?trakc=Spa".into(),
            "/api/v1/sessions/xyz".into(),
            "/api/v1/sessions/-3".into(),
            "/api/v1/sessions/99999999999999999999999".into(),
            format!("/api/v1/sessions/{fake}/laps/abc/trace"),
            format!("/api/v1/sessions/{fake}/laps/2/trace?points=0"),
            format!("/api/v1/sessions/{fake}/laps/2/trace?points=-1"),
            format!("/api/v1/sessions/{fake}/laps/2/trace?points=99999999"),
            format!("/api/v1/sessions/{fake}/laps/2/trace?points=1.5"),
        ] {
            let (st, e) = srv.get(&path);
            assert_eq!(st, 400, "{} {path}: {e}", db.name);
            assert!(e["error"].is_string(), "{path}: {e}");
        }
        for path in ["/api/v1/sessions/987654", "/api/v1/nothing"] {
            let (st, e) = srv.get(path);
            assert_eq!(st, 404, "{path}: {e}");
            assert!(e["error"].is_string());
        }
    }
}

#[test]
fn the_ui_is_served_from_the_binary() {
    let db = backends().remove(0);
    let srv = Server::start(&db, WritePolicy::Refuse);
    let r = client().get(srv.url("/")).send().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().unwrap().contains("/api/v1"));
    let r = client().get(srv.url("/assets/no/such.js")).send().unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn iracing_laps_are_traced_with_its_channel_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ir.ksana");
    let sim = ksana_sims::by_id("iracing").unwrap();
    let mut o = ksana_engine::FakeOptions::new(
        sim,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    );
    o.scenario = ksana_synth::world::Scenario::Demo;
    ksana_engine::write_fake_recording(&o, &path).unwrap();
    let rec = ksana_format::Recording::open(&path).unwrap();
    let sessions = ksana_engine::detect_laps(&rec, &path.display().to_string()).unwrap();
    let lap = sessions[0]
        .laps
        .iter()
        .find(|l| l.counts_for_best())
        .unwrap()
        .clone();
    let db = backends().remove(0);
    let mut store = db.open();
    let meta = SessionMeta {
        source: path.display().to_string(),
        recorded_at: None,
    };
    let id = store.save_session(&sessions[0], &meta).unwrap();
    let srv = Server::start(&db, WritePolicy::Refuse);
    let (st, t) = srv.get(&format!(
        "/api/v1/sessions/{id}/laps/{}/trace?points=50",
        lap.number
    ));
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["steering_unit"], "rad");
    let pts = t["points"].as_array().unwrap();
    assert_eq!(pts.len(), 50);
    for p in pts {
        // iRacing's Speed is m/s: shown in km/h like every sim.
        let v = p["speed_kmh"].as_f64().unwrap();
        assert!((20.0..400.0).contains(&v), "speed {v}");
        let g = p["gear"].as_i64().unwrap();
        assert!((1..=8).contains(&g), "gear {g}");
        assert!(p["steering"].as_f64().unwrap().abs() < 10.0);
    }
}
