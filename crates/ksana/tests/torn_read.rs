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

use reliability::{
    PausedWriter, check_recording_page_tolerating, dump, env_number, serial, shm_root, simulate,
};

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
    /// For a protocol without a lock: recognises the mix a paused sim writer leaves (see
    /// [`paused_writer_mix`]); such frames are counted, reported and bounded, not failed.
    paused_writer: Option<PausedWriter>,
}

/// At most one frame in this many updates may carry a paused writer's mix. The one seen
/// (1 in 3,266, in CI under Wine) is well inside; a reader that copied once instead of twice
/// tears far more often under a running writer.
const PAUSED_WRITER_ONE_IN: u64 = 200;

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

/// The packetId of a physics page that is, byte for byte, a mix of its packetId's update and
/// the next one's, with some of each: what a sim writer leaves when it is paused between
/// writing the next update's body and its packetId (body first, packetId last). The AC family's
/// protocol has no lock, so no reader can see that state: the packetId before and after the
/// copy agree, and two copies agree because nothing moves. Any other damage is not this.
fn paused_writer_mix(
    pat: &ksana_sims::assetto::family::Patterns,
    def: &ksana_sims::assetto::family::PageDef,
    page: &[u8],
) -> Option<u64> {
    let id = i32::from_le_bytes(page.get(..4)?.try_into().ok()?);
    let this = pat.expected(def, page.len(), id);
    let next = pat.expected(def, page.len(), id.checked_add(1)?);
    let from_next = page
        .iter()
        .zip(&next)
        .zip(&this)
        .filter(|((p, n), t)| p == n && n != t)
        .count();
    let mixed = page
        .iter()
        .zip(&this)
        .zip(&next)
        .all(|((p, t), n)| p == t || p == n);
    (mixed && from_next > 0).then_some(id as u64)
}

/// [`paused_writer_mix`] for ACC's physics page.
fn acc_paused_writer(page: &[u8]) -> Option<u64> {
    use ksana_sims::assetto::acc;
    paused_writer_mix(&acc::patterns(), &acc::FAMILY.physics, page)
}

/// [`paused_writer_mix`] for AC Evo's physics page.
fn acevo_paused_writer(page: &[u8]) -> Option<u64> {
    use ksana_sims::assetto::acevo;
    paused_writer_mix(&acevo::patterns(), &acevo::FAMILY.physics, page)
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
            paused_writer: None,
        },
        Protocol {
            name: "packetId re-read (ACC)",
            sim: "acc",
            rate: 333,
            page: 0,
            check: acc_physics,
            min_updates: |s| s * 333 / 2,
            paused_writer: Some(acc_paused_writer),
        },
        Protocol {
            name: "packetId re-read (AC Evo)",
            sim: "acevo",
            rate: 333,
            page: 0,
            check: acevo_physics,
            min_updates: |s| s * 333 / 2,
            paused_writer: Some(acevo_paused_writer),
        },
        // iRacing's row (page 3) at 1 kHz. The recorder polls on its schedule and catches up
        // through the three slots, so it misses ticks only when it is late by more than 3 ms
        // (10–16 of 10,000 in 10 s on a quiet machine); the bound is loose for a loaded one.
        Protocol {
            name: "tick counts (iRacing)",
            sim: "iracing",
            rate: 1000,
            page: 3,
            check: ksana_sims::iracing::pattern::check_row,
            min_updates: |s| s * 200,
            paused_writer: None,
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
        match check_recording_page_tolerating(&path, p.page, p.check, p.paused_writer) {
            Ok(c) => {
                // Updates of the page recorded (frames where only another page changed aside).
                let updates: u64 = c.counters.iter().map(|r| r.len() as u64).sum();
                let expected = (p.min_updates)(seconds);
                let paused = c.paused_writer.len() as u64;
                eprintln!(
                    "{} ({} at {} Hz, {seconds} s): {} frames, {updates} updates of page {}, 0 torn by the reader, {paused} left by a paused writer {:?}, {} updates missed",
                    p.name,
                    p.sim,
                    p.rate,
                    c.frames,
                    p.page,
                    c.paused_writer,
                    c.missed()
                );
                if updates < expected {
                    failures.push(format!("{}: only {updates} updates in {seconds} s", p.name));
                }
                if paused * PAUSED_WRITER_ONE_IN > updates.max(1) {
                    failures.push(format!(
                        "{}: {paused} frames with a paused writer's mix in {updates} updates (at most 1 in {PAUSED_WRITER_ONE_IN})",
                        p.name
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", p.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The paused-writer allowance is narrow: a page half of update P+1's body and half of P's is
/// recognised as P; a page with any byte from neither, or from an update further on, is not.
#[test]
fn only_a_paused_writers_mix_of_two_neighbouring_updates_is_tolerated() {
    use ksana_sims::assetto::acc;
    let (pat, def) = (acc::patterns(), &acc::FAMILY.physics);
    let len = 800;
    let this = pat.expected(def, len, 2436);
    let next = pat.expected(def, len, 2437);
    // The next update's body written up to byte 400, its packetId not yet.
    let mut mix = this.clone();
    mix[4..400].copy_from_slice(&next[4..400]);
    assert_ne!(mix, this, "the two updates must differ in that range");
    assert!(acc_physics(&mix).is_err(), "the check itself sees the tear");
    assert_eq!(acc_paused_writer(&mix), Some(2436));
    // A whole, clean page is not a mix (nothing from the next update).
    assert_eq!(acc_paused_writer(&this), None);
    // A byte from neither update.
    let mut bad = mix.clone();
    bad[600] = bad[600].wrapping_add(1).max(1);
    if bad[600] == this[600] || bad[600] == next[600] {
        bad[600] = bad[600].wrapping_add(1);
    }
    assert_eq!(acc_paused_writer(&bad), None);
    // A body two updates ahead is not the neighbouring update's.
    let later = pat.expected(def, len, 2438);
    let mut far = this.clone();
    far[4..400].copy_from_slice(&later[4..400]);
    assert_eq!(acc_paused_writer(&far), None);
}
