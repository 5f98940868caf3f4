//! Torn-read suite (docs/RELIABILITY.md): a writer updates its page at 1 kHz with a
//! self-checking pattern while `ksana dump` records it at the sim's native rate; every recorded
//! frame must be one whole update. One row per torn-read protocol (crates/ksana-sims/src/
//! protocol.rs): the seqlock (test pattern), the AC family's packetId re-read (ACC and AC
//! Evo stand-ins) and iRacing's tick counts (its stand-in at 1 kHz, 16 times the sim's own
//! rate: its three row slots then hold only 3 ms of history for the recorder to catch up
//! through).
//!
//! `KSANA_TORN_SECONDS` (default 10) sets the recording length; the full run is
//! `KSANA_TORN_SECONDS=60 cargo test -p ksana --test torn_read -- --nocapture`.

mod reliability;

use std::process::Stdio;

use reliability::{check_recording_page, dump, env_number, serial, shm_root, simulate};

/// A sim whose `simulate` writer publishes pages that can each be checked on their own.
struct Protocol {
    /// The torn-read protocol the sim's reader uses.
    name: &'static str,
    /// The sim id for `simulate` and `dump`.
    sim: &'static str,
    /// The writer's update rate (Hz) for `simulate --rate`.
    rate: u32,
    /// The page of a frame that carries the checkable update.
    page: usize,
    /// Checks that page: the update's counter, or why it is torn.
    check: fn(&[u8]) -> Result<u64, String>,
    /// Fewest updates of that page a recording of `s` seconds must hold.
    min_updates: fn(u64) -> u64,
}

/// ACC's physics page (page 0 of its recordings) as the stand-in writer publishes it for its
/// packetId.
fn acc_physics(page: &[u8]) -> Result<u64, String> {
    use ksana_sims::assetto::{acc, family};
    family::check_page(&acc::patterns(), &acc::FAMILY.physics, page).map(|id| id as u64)
}

/// AC Evo's physics page, likewise.
fn acevo_physics(page: &[u8]) -> Result<u64, String> {
    use ksana_sims::assetto::{acevo, family};
    family::check_page(&acevo::patterns(), &acevo::FAMILY.physics, page).map(|id| id as u64)
}

/// Every protocol with a self-checking writer.
fn protocols() -> Vec<Protocol> {
    vec![
        Protocol {
            name: "seqlock",
            sim: "testpattern",
            rate: 1000,
            page: 0,
            check: ksana_sims::testpattern::check_page,
            min_updates: |s| s * 1000 / 2,
        },
        Protocol {
            name: "packetId re-read (ACC)",
            sim: "acc",
            rate: 333,
            page: 0,
            check: acc_physics,
            min_updates: |s| s * 333 / 2,
        },
        Protocol {
            name: "packetId re-read (AC Evo)",
            sim: "acevo",
            rate: 333,
            page: 0,
            check: acevo_physics,
            min_updates: |s| s * 333 / 2,
        },
        // iRacing's row (page 3) at 1 kHz. The recorder polls at a quarter of the update
        // interval it observes and catches up through the three slots, so it misses ticks only when it is late by
        // more than 3 ms (13 of 10,000 in 10 s on a quiet machine); the bound is loose for a
        // loaded one.
        Protocol {
            name: "tick counts (iRacing)",
            sim: "iracing",
            rate: 1000,
            page: 3,
            check: ksana_sims::iracing::pattern::check_row,
            min_updates: |s| s * 200,
        },
    ]
}

#[test]
fn no_torn_frame_for_any_protocol_under_a_full_rate_writer() {
    let _serial = serial();
    let seconds = env_number("KSANA_TORN_SECONDS", 10);
    let mut failures = Vec::new();
    for p in protocols() {
        let root = shm_root();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{}.ksana", p.sim));
        let mut sim = simulate(p.sim, root.path(), p.rate, seconds as f64 + 5.0);
        let o = dump(
            p.sim,
            root.path(),
            &path,
            &["--max-duration", &seconds.to_string()],
        )
        .stdout(Stdio::null())
        .output()
        .unwrap();
        let _ = sim.kill();
        let _ = sim.wait();
        let err = String::from_utf8_lossy(&o.stderr);
        if !o.status.success() {
            failures.push(format!("{}: dump failed: {err}", p.name));
            continue;
        }
        match check_recording_page(&path, p.page, p.check) {
            Ok(c) => {
                // Updates of the page recorded (frames where only another page changed aside).
                let updates: u64 = c.counters.iter().map(|r| r.len() as u64).sum();
                let expected = (p.min_updates)(seconds);
                eprintln!(
                    "{} ({} at {} Hz, {seconds} s): {} frames, {updates} updates of page {}, 0 torn, {} updates missed",
                    p.name,
                    p.sim,
                    p.rate,
                    c.frames,
                    p.page,
                    c.missed()
                );
                if updates < expected {
                    failures.push(format!("{}: only {updates} updates in {seconds} s", p.name));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", p.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
