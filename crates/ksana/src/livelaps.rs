//! Live laps for `ksana dump` and `ksana demo`: each lap the recorder's observer reports is
//! stored in the lap database (committed before it is printed) and queued for the terminal.

use std::sync::{Arc, Mutex};

use ksana_engine::{LiveLapEvent, LiveLaps, lap_time_text};
use ksana_laps::Lap;
use ksana_store::{LapStore, SessionId, SessionMeta};

/// Lines for the terminal, filled by the recorder's writer thread, printed by the status
/// callback.
pub type Lines = Arc<Mutex<Vec<String>>>;

/// An observer that stores laps in `store` (SQLite or PostgreSQL; none: `--no-db`) and queues
/// one line per lap in `lines`.
pub fn observer<S: LapStore + Send + 'static>(
    mut store: Option<S>,
    lines: Lines,
) -> Arc<Mutex<LiveLaps>> {
    let mut ids: Vec<Option<SessionId>> = Vec::new();
    let sink = move |e: LiveLapEvent| {
        let say = |s: String| {
            if let Ok(mut l) = lines.lock() {
                l.push(s);
            }
        };
        match e {
            LiveLapEvent::SessionStarted {
                index,
                session,
                recorded_at,
            } => {
                say(format!(
                    "session: {} · {} · {} · {}",
                    session.session_type, session.track, session.car, session.driver
                ));
                let id = store.as_mut().and_then(|st| {
                    let meta = SessionMeta {
                        source: session.recording.clone().unwrap_or_else(|| "live".into()),
                        recorded_at,
                    };
                    match st.begin_session(&session, &meta) {
                        Ok(id) => Some(id),
                        Err(err) => {
                            say(format!(
                                "warning: the lap database refused the session: {err}"
                            ));
                            None
                        }
                    }
                });
                if ids.len() <= index {
                    ids.resize(index + 1, None);
                }
                ids[index] = id;
            }
            LiveLapEvent::Lap { index, lap } => {
                if let (Some(st), Some(Some(id))) = (store.as_mut(), ids.get(index))
                    && let Err(err) = st.add_lap(*id, &lap)
                {
                    say(format!(
                        "warning: the lap database refused lap {}: {err}",
                        lap.number
                    ));
                }
                say(lap_line(&lap));
            }
            LiveLapEvent::SessionEnded {
                index,
                end_s,
                reason,
            } => {
                if let (Some(st), Some(Some(id))) = (store.as_mut(), ids.get(index)) {
                    let _ = st.end_session(*id, end_s, &reason);
                }
            }
        }
    };
    Arc::new(Mutex::new(LiveLaps::new(Box::new(sink))))
}

/// `lap 3  1:31.234  S1 0:30.101  S2 …  invalid out`.
pub fn lap_line(lap: &Lap) -> String {
    let mut s = format!(
        "lap {:<3} {}",
        lap.number,
        lap.time_ms.map_or("unfinished".to_string(), lap_time_text)
    );
    for (i, t) in lap.sectors_ms.iter().enumerate() {
        s.push_str(&format!(
            "  S{} {}",
            i + 1,
            t.map_or("-".to_string(), lap_time_text)
        ));
    }
    for (flag, on) in [
        ("invalid", !lap.valid && lap.time_ms.is_some()),
        ("out", lap.out_lap),
        ("in", lap.in_lap),
        ("partial", lap.partial && lap.time_ms.is_some()),
    ] {
        if on {
            s.push_str("  ");
            s.push_str(flag);
        }
    }
    s
}

/// Prints the queued lines (the status line is cleared first).
pub fn print(lines: &Lines, line: &mut crate::term::StatusLine) {
    let drained: Vec<String> = match lines.lock() {
        Ok(mut l) => l.drain(..).collect(),
        Err(_) => Vec::new(),
    };
    if !drained.is_empty() {
        line.finish();
        for l in drained {
            println!("{l}");
        }
    }
}
