//! The AC family on live shared memory under a private root: detection (which of AC, ACC,
//! AC Rally, AC Evo publishes, and when the pages are only stale), the recorder's reader, the
//! player's publisher, and hostile pages. Page bytes that stand for a game are written here at
//! the offsets of `shared/reference/layouts/*.tsv`, not with the code under test.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ksana_format::{Header, PageSpec, PageUpdate, Recording, Writer, WriterOptions};
use ksana_shm::{Mapping, ShmNamespace};
use ksana_sims::assetto::{ac, acc, acevo, acrally, family};
use ksana_sims::{Liveness, Poll, PublishContext, Sim, SimError, Snapshot};

const PHYS: &str = "Local\\acpmf_physics";
const GFX: &str = "Local\\acpmf_graphics";
const STAT: &str = "Local\\acpmf_static";
const WINDOW: Duration = Duration::from_millis(150);

fn ns() -> (tempfile::TempDir, ShmNamespace) {
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    (root, ns)
}

fn utf16(p: &mut [u8], off: usize, s: &str) {
    for (i, u) in s.encode_utf16().enumerate() {
        p[off + 2 * i..off + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
}

/// A hand-made game: pages of `sizes` (physics, graphics, static; 0 = not created), static
/// written once, graphics `status`, physics packetId advancing every 3 ms in a thread with
/// tyre core temperatures `temp` (°C or K). Stops and joins on drop. Holds its mappings open
/// (on Windows a mapping vanishes with its last handle).
struct FakeGame {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _pages: Vec<Mapping>,
}

impl FakeGame {
    fn start(
        ns: &ShmNamespace,
        names: [&str; 3],
        sizes: [usize; 3],
        sm_version: &str,
        status: i32,
        temp: f32,
        advance: bool,
    ) -> FakeGame {
        let open = |i: usize| {
            (sizes[i] > 0).then(|| Mapping::open_or_create(ns, names[i], sizes[i]).unwrap().0)
        };
        let (phys, gfx, stat) = (open(0), open(1), open(2));
        if let Some(s) = &stat {
            let mut b = vec![0u8; 60];
            utf16(&mut b, 0, sm_version);
            s.write(0, &b).unwrap();
        }
        if let Some(g) = &gfx {
            g.write(4, &status.to_le_bytes()).unwrap();
            g.store_i32_release(0, 1).unwrap();
        }
        let phys = phys.unwrap();
        for w in 0..4 {
            phys.write(152 + 4 * w, &temp.to_le_bytes()).unwrap();
        }
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut id = 1;
            while !s.load(Ordering::Relaxed) {
                if advance {
                    id += 1;
                    phys.write(28, &(id as f32).to_le_bytes()).unwrap();
                    phys.store_i32_release(0, id).unwrap();
                }
                std::thread::sleep(Duration::from_millis(3));
            }
        });
        FakeGame {
            stop,
            thread: Some(thread),
            _pages: [gfx, stat].into_iter().flatten().collect(),
        }
    }

    fn acpmf(ns: &ShmNamespace, sm: &str, status: i32, temp: f32) -> FakeGame {
        FakeGame::start(ns, [PHYS, GFX, STAT], [2048; 3], sm, status, temp, true)
    }
}

impl Drop for FakeGame {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn verdicts(ns: &ShmNamespace) -> [&'static str; 4] {
    let sims: [&dyn Sim; 4] = [&ac::Ac, &acc::Acc, &acrally::AcRally, &acevo::AcEvo];
    sims.map(|s| match s.probe(ns, WINDOW).unwrap() {
        Liveness::Absent => "absent",
        Liveness::Stale => "stale",
        Liveness::Live { .. } => "live",
    })
}

// Order of verdicts: ac, acc, acrally, acevo.

#[test]
fn nothing_there_is_absent_for_all_four() {
    let (_r, ns) = ns();
    assert_eq!(verdicts(&ns), ["absent"; 4]);
}

#[test]
fn acc_pages_with_sm_version_1_9_are_acc_only() {
    let (_r, ns) = ns();
    let _g = FakeGame::acpmf(&ns, "1.9", 2, 85.0);
    assert_eq!(verdicts(&ns), ["stale", "live", "stale", "absent"]);
    match acc::Acc.probe(&ns, WINDOW).unwrap() {
        Liveness::Live { evidence } => {
            assert!(evidence.contains("packetId advanced"), "{evidence}");
            assert!(evidence.contains("\"1.9\""), "{evidence}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn sm_version_1_7_is_assetto_corsa() {
    let (_r, ns) = ns();
    let _g = FakeGame::acpmf(&ns, "1.7", 2, 85.0);
    assert_eq!(verdicts(&ns), ["live", "stale", "stale", "absent"]);
}

#[test]
fn kelvin_tyres_are_ac_rally_even_with_physics_only() {
    let (_r, ns) = ns();
    {
        let _g = FakeGame::acpmf(&ns, "1.9", 2, 301.5);
        assert_eq!(verdicts(&ns), ["stale", "stale", "live", "absent"]);
    }
    let (_r, ns) = self::ns();
    let _g = FakeGame::start(&ns, [PHYS, GFX, STAT], [2048, 0, 0], "", 0, 301.5, true);
    // AC Rally may publish physics alone; ACC and AC never do.
    assert_eq!(verdicts(&ns), ["stale", "stale", "live", "absent"]);
}

#[test]
fn pages_that_do_not_advance_or_say_off_are_stale() {
    let (_r, ns) = ns();
    // A bridge's zero-filled files: present, nothing moves.
    let _bridge: Vec<Mapping> = [PHYS, GFX, STAT]
        .map(|n| Mapping::open_or_create(&ns, n, 2048).unwrap().0)
        .into();
    assert_eq!(verdicts(&ns), ["stale", "stale", "stale", "absent"]);
    // packetId advancing but graphics status AC_OFF (menus).
    let (_r, ns) = self::ns();
    let _g = FakeGame::acpmf(&ns, "1.9", 0, 85.0);
    assert_eq!(verdicts(&ns), ["stale", "stale", "stale", "absent"]);
    // Status LIVE but a frozen packetId (paused, or the game exited).
    let (_r, ns) = self::ns();
    let _g = FakeGame::start(&ns, [PHYS, GFX, STAT], [2048; 3], "1.9", 2, 85.0, false);
    assert_eq!(verdicts(&ns), ["stale", "stale", "stale", "absent"]);
}

#[test]
fn ac_evo_has_its_own_pages_and_may_publish_physics_only() {
    let names = [
        "Local\\acevo_pmf_physics",
        "Local\\acevo_pmf_graphics",
        "Local\\acevo_pmf_static",
    ];
    let (_r, ns) = ns();
    let _g = FakeGame::start(&ns, names, [4096, 8192, 4096], "", 2, 80.0, true);
    assert_eq!(verdicts(&ns), ["absent", "absent", "absent", "live"]);
    let (_r, ns) = self::ns();
    let _g = FakeGame::start(&ns, names, [4096, 0, 0], "", 0, 80.0, true);
    assert_eq!(verdicts(&ns), ["absent", "absent", "absent", "live"]);
    let mut r = acevo::AcEvo.open_reader(&ns).unwrap();
    let pages = r.pages();
    assert_eq!(pages.len(), 1, "physics only");
    assert_eq!(pages[0].name, names[0]);
    assert_eq!(pages[0].size, 4096);
    let mut snap = Snapshot::default();
    let deadline = Instant::now() + Duration::from_secs(5);
    while r.poll(&mut snap).unwrap() != Poll::New {
        assert!(Instant::now() < deadline);
    }
    // The recording says that only physics was published.
    let (_, label) = snap
        .events
        .iter()
        .find(|(_, l)| l.contains("physics"))
        .expect("a marker about the missing pages");
    assert!(
        label.contains("acevo_pmf_graphics") && label.contains("acevo_pmf_static"),
        "{label}"
    );
}

/// Linux only: Windows views are page-granular, so a 700-byte section reads as 4096 bytes.
#[cfg(unix)]
#[test]
fn short_mappings_are_stale_and_refused_by_the_reader_without_panic() {
    let (_r, ns) = ns();
    let _g = FakeGame::start(
        &ns,
        [PHYS, GFX, STAT],
        [700, 2048, 2048],
        "1.9",
        2,
        85.0,
        true,
    );
    // 700 bytes cannot hold ACC's 800-byte physics.
    assert_eq!(acc::Acc.probe(&ns, WINDOW).unwrap(), Liveness::Stale);
    match acc::Acc.open_reader(&ns) {
        Err(SimError::Layout { page, detail }) => {
            assert_eq!(page, PHYS);
            assert!(detail.contains("700 bytes"), "{detail}");
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a 700-byte physics page was accepted"),
    }
}

/// Runs the ACC stand-in for `d` at ~333 Hz in a thread.
fn run_simulator(sim: &dyn Sim, ns: &ShmNamespace, d: Duration) -> JoinHandle<()> {
    let mut s = sim.simulator(ns).unwrap().expect("a simulator");
    std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < d {
            s.step().unwrap();
            std::thread::sleep(Duration::from_micros(3000));
        }
        s.stop().unwrap();
    })
}

#[test]
fn the_reader_captures_whole_updates_each_page_on_its_own_counter() {
    for sim in [&acc::Acc as &dyn Sim, &acevo::AcEvo] {
        let (_r, ns) = ns();
        let t = run_simulator(sim, &ns, Duration::from_millis(1500));
        std::thread::sleep(Duration::from_millis(50));
        assert!(matches!(
            sim.probe(&ns, WINDOW).unwrap(),
            Liveness::Live { .. }
        ));
        let mut r = sim.open_reader(&ns).unwrap();
        let pages = r.pages();
        let fam = if sim.id() == "acc" {
            acc::FAMILY
        } else {
            acevo::FAMILY
        };
        let pat = if sim.id() == "acc" {
            acc::patterns()
        } else {
            acevo::patterns()
        };
        assert_eq!(
            pages.iter().map(|p| p.size).collect::<Vec<_>>(),
            if sim.id() == "acc" {
                vec![4096, 4096, 4096]
            } else {
                vec![4096, 8192, 4096]
            },
            "the full mapped size is recorded"
        );
        let mut snap = Snapshot::default();
        let (mut phys, mut gfx, mut stat) = (Vec::new(), Vec::new(), 0);
        let mut stopped = false;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            match r.poll(&mut snap).unwrap() {
                Poll::New => {
                    for (i, def) in fam.pages().iter().enumerate() {
                        if snap.changed[i] {
                            let id = family::check_page(&pat, def, &snap.pages[i])
                                .unwrap_or_else(|e| panic!("torn capture: {e}"));
                            match i {
                                0 => phys.push(id),
                                1 => gfx.push(id),
                                _ => stat += 1,
                            }
                        }
                    }
                    assert_eq!(snap.tick, Some(*phys.last().unwrap() as u64));
                }
                Poll::Same => std::thread::sleep(Duration::from_micros(300)),
                Poll::Stopped => {
                    stopped = true;
                    break;
                }
                Poll::LayoutChanged => panic!("layout changed"),
            }
        }
        t.join().unwrap();
        assert!(stopped, "{}: status AC_OFF ends the capture", sim.id());
        assert_eq!(stat, 1, "static is captured once (it never changes)");
        assert!(phys.len() > 200, "{} physics updates", phys.len());
        assert!(phys.windows(2).all(|w| w[1] > w[0]));
        assert!(gfx.len() > 30, "{} graphics updates", gfx.len());
        assert!(gfx.windows(2).all(|w| w[1] > w[0]));
        // Graphics moves at 60 Hz, physics several times faster.
        assert!(
            phys.len() > 2 * gfx.len(),
            "{} vs {}",
            phys.len(),
            gfx.len()
        );
    }
}

/// A recording in memory of `pages` with the given frames (page index, bytes).
fn recording(sim: &str, pages: Vec<PageSpec>, frames: &[Vec<(usize, Vec<u8>)>]) -> Recording {
    let mut w = Writer::new(
        Vec::new(),
        Header::new(sim, pages),
        WriterOptions::default(),
    )
    .unwrap();
    for (i, f) in frames.iter().enumerate() {
        let ups: Vec<PageUpdate<'_>> = f
            .iter()
            .map(|(p, d)| PageUpdate { page: *p, data: d })
            .collect();
        w.write_frame(i as u64 * 3_000_000, None, &ups).unwrap();
    }
    Recording::from_bytes(w.finish().unwrap()).unwrap()
}

fn acc_specs() -> Vec<PageSpec> {
    vec![
        PageSpec::new(PHYS, 4096).with_layout("acc/physics", 1),
        PageSpec::new(GFX, 4096).with_layout("acc/graphics", 1),
        PageSpec::new(STAT, 4096).with_layout("acc/static", 1),
    ]
}

#[test]
fn the_publisher_writes_the_recorded_bytes_never_shrinks_and_says_off_at_the_end() {
    let (root, ns) = ns();
    // A bridge's larger file is already there: it must keep its size.
    let _bridge = Mapping::open_or_create(&ns, PHYS, 8192).unwrap();
    let page = |id: i32, fill: u8| {
        let mut p = vec![fill; 4096];
        p[0..4].copy_from_slice(&id.to_le_bytes());
        p
    };
    let mut g = page(7, 0x22);
    g[4..8].copy_from_slice(&2i32.to_le_bytes());
    let rec = recording(
        "acc",
        acc_specs(),
        &[
            vec![(0, page(100, 0x11)), (1, g.clone()), (2, vec![0x33; 4096])],
            vec![(0, page(101, 0x44))],
        ],
    );
    let mut p = acc::Acc
        .open_publisher(&ns, &rec.segments()[0].pages)
        .unwrap();
    let mut frames = rec.frames();
    let mut seq = 0;
    while let Some(f) = frames.next_frame().unwrap() {
        p.publish(
            &f,
            PublishContext {
                sequence: seq,
                discontinuity: seq == 0,
            },
        )
        .unwrap();
        seq += 1;
    }
    let read = |n: &str| Mapping::open_read(&ns, n).unwrap().unwrap();
    let phys = read(PHYS);
    assert_eq!(phys.len(), 8192, "an existing larger mapping is not shrunk");
    assert_eq!(phys.read_vec(0, 4096).unwrap(), page(101, 0x44));
    assert_eq!(read(GFX).read_vec(0, 4096).unwrap(), g);
    assert_eq!(read(STAT).read_vec(0, 4096).unwrap(), vec![0x33; 4096]);
    p.stop().unwrap();
    let gfx = read(GFX);
    assert_eq!(gfx.read_i32_le(4).unwrap(), 0, "AC_OFF after stop");
    assert_eq!(gfx.read_i32_le(0).unwrap(), 8, "a new graphics packetId");
    if cfg!(unix) {
        assert_eq!(
            std::fs::metadata(root.path().join("acpmf_physics"))
                .unwrap()
                .len(),
            8192
        );
    }
}

#[test]
fn recordings_of_other_pages_are_incompatible() {
    let (_r, ns) = ns();
    let cases: Vec<(&dyn Sim, Vec<PageSpec>, &str)> = vec![
        (
            &acc::Acc,
            vec![PageSpec::new("Local\\ksana_testpattern", 4096)],
            "not one of",
        ),
        (
            &acc::Acc,
            vec![PageSpec::new(PHYS, 4096)],
            "publishes physics, graphics and static",
        ),
        (
            &acc::Acc,
            vec![
                PageSpec::new(PHYS, 580),
                PageSpec::new(GFX, 4096),
                PageSpec::new(STAT, 4096),
            ],
            "shorter than the 800-byte struct",
        ),
        (&acevo::AcEvo, acc_specs(), "not one of"),
        (&ac::Ac, acc_specs(), "layout"),
    ];
    for (sim, pages, why) in cases {
        match sim.open_publisher(&ns, &pages) {
            Err(SimError::Incompatible { sim: id, detail }) => {
                assert_eq!(id, sim.id());
                assert!(detail.contains(why), "{}: {detail}", sim.id());
            }
            Err(e) => panic!("{}: {e}", sim.id()),
            Ok(_) => panic!("{} accepted {pages:?}", sim.id()),
        }
    }
    // AC Rally and Evo accept physics alone.
    acrally::AcRally
        .open_publisher(&ns, &[PageSpec::new(PHYS, 4096)])
        .unwrap();
}

#[test]
fn hostile_frames_are_errors_not_panics() {
    let (_r, ns) = ns();
    // A recording whose declared pages are fine but whose frame carries a 100-byte physics page.
    let rec = recording(
        "acc",
        acc_specs(),
        &[vec![
            (0, vec![1; 100]),
            (1, vec![2; 4096]),
            (2, vec![3; 4096]),
        ]],
    );
    let mut p = acc::Acc
        .open_publisher(&ns, &rec.segments()[0].pages)
        .unwrap();
    let mut frames = rec.frames();
    let f = frames.next_frame().unwrap().unwrap();
    let err = p
        .publish(
            &f,
            PublishContext {
                sequence: 0,
                discontinuity: true,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("100 bytes"), "{err}");
    // Watchers given garbage or short pages answer, or fail with an error.
    for sim in [
        &acc::Acc as &dyn Sim,
        &acevo::AcEvo,
        &acrally::AcRally,
        &ac::Ac,
    ] {
        let pages = match sim.id() {
            "acevo" => vec![
                acevo::FAMILY.physics.spec(4096),
                acevo::FAMILY.graphics.spec(8192),
                acevo::FAMILY.statics.spec(4096),
            ],
            _ => acc_specs(),
        };
        let mut w = sim
            .watcher(&pages)
            .unwrap_or_else(|| panic!("{} has a watcher", sim.id()));
        let garbage: Vec<u8> = (0..8192u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let v = w
            .view(&[&garbage[..4096], &garbage, &garbage[..4096]])
            .unwrap();
        assert!(v.fields.iter().any(|(k, _)| k == "Speed"));
        let short = w.view(&[&garbage[..10], &garbage, &garbage]);
        assert!(short.is_err(), "{}: a 10-byte physics page", sim.id());
        assert!(w.view(&[]).is_err());
    }
}

#[test]
fn the_acc_watcher_shows_the_key_values() {
    let mut phys = vec![0u8; 4096];
    phys[0..4].copy_from_slice(&12345i32.to_le_bytes());
    phys[16..20].copy_from_slice(&4i32.to_le_bytes()); // gear 4 = 3rd
    phys[20..24].copy_from_slice(&7321i32.to_le_bytes());
    phys[28..32].copy_from_slice(&201.5f32.to_le_bytes());
    phys[12..16].copy_from_slice(&42.3f32.to_le_bytes());
    phys[152..156].copy_from_slice(&85.5f32.to_le_bytes());
    let mut gfx = vec![0u8; 4096];
    gfx[4..8].copy_from_slice(&2i32.to_le_bytes());
    gfx[8..12].copy_from_slice(&2i32.to_le_bytes());
    gfx[132..136].copy_from_slice(&3i32.to_le_bytes());
    gfx[136..140].copy_from_slice(&5i32.to_le_bytes());
    gfx[140..144].copy_from_slice(&83456i32.to_le_bytes());
    gfx[252..256].copy_from_slice(&20i32.to_le_bytes());
    gfx[1224..1228].copy_from_slice(&2i32.to_le_bytes());
    let mut stat = vec![0u8; 4096];
    utf16(&mut stat, 0, "1.9");
    utf16(&mut stat, 68, "porsche_992_gt3_r");
    utf16(&mut stat, 134, "monza");
    let mut w = acc::Acc.watcher(&acc_specs()).unwrap();
    let v = w.view(&[&phys, &gfx, &stat]).unwrap();
    assert_eq!(v.title, "ACC · monza · AC_RACE · AC_LIVE");
    let get = |k: &str| {
        v.fields
            .iter()
            .find(|(n, _)| n == k)
            .unwrap_or_else(|| panic!("no {k} in {:?}", v.fields))
            .1
            .clone()
    };
    assert_eq!(get("Speed"), "201.5 km/h");
    assert_eq!(get("Gear"), "3");
    assert_eq!(get("RPM"), "7321");
    assert_eq!(get("Lap"), "4");
    assert_eq!(get("Lap time"), "1:23.456");
    assert_eq!(get("Position"), "5 of 20");
    assert_eq!(get("Fuel"), "42.3 l");
    assert_eq!(get("Flag"), "AC_YELLOW_FLAG");
    assert!(get("Tyres °C (FL FR RL RR)").starts_with("85.5 "));
    assert_eq!(get("Car"), "porsche_992_gt3_r");
}
