//! iRacing live memory: the publisher writes what the reference (iracing.md §4, §6, §9) says
//! the sim writes, the reader reads it back page for page, and hostile mappings give errors.
//!
//! Recordings here are built from the real live-memory images (`memdump_2024.bin`,
//! `memdump_2021.bin`): their three buffered rows, oldest first, as three frames.

use std::time::{Duration, Instant};

use ksana_format::{Header as RecHeader, PageSpec, PageUpdate, Recording, Writer, WriterOptions};
use ksana_shm::{Event, Mapping, ShmNamespace};
use ksana_sims::iracing::layout::{
    self, HEADER_LEN, Header, LIVE_BUF_STRIDE, LIVE_BUF0_OFFSET, LIVE_MAP_SIZE,
    LIVE_SESSION_INFO_LEN, LIVE_VAR_HEADER_OFFSET, MEMMAP_NAME, VAR_HEADER_LEN, VarHeader, VarType,
};
use ksana_sims::iracing::{Iracing, LivePublisher, LiveReader, PublisherOptions};
use ksana_sims::{
    Liveness, Poll, PublishContext, Sim, SimError, SimPublisher, SimReader, Snapshot,
};

/// A live image taken apart by the layout module: header page, var headers, YAML text, and
/// the rows of its buffers oldest first.
struct Image {
    header: Header,
    var_headers: Vec<u8>,
    yaml: Vec<u8>,
    rows: Vec<Vec<u8>>,
    specs: Vec<PageSpec>,
}

fn image(bytes: &[u8]) -> Image {
    let header = Header::parse(bytes).unwrap();
    header.validate(bytes.len()).unwrap();
    let vho = header.var_header_offset as usize;
    let n = header.num_vars as usize;
    let var_headers = bytes[vho..vho + n * VAR_HEADER_LEN].to_vec();
    let vars = layout::parse_var_headers(&var_headers, n, header.buf_len as usize).unwrap();
    let sio = header.session_info_offset as usize;
    let yaml = layout::yaml_text(&bytes[sio..sio + header.session_info_len as usize]).to_vec();
    let mut slots: Vec<usize> = (0..header.num_buf as usize).collect();
    slots.sort_by_key(|&i| header.var_buf[i].tick_count);
    let rows = slots
        .iter()
        .map(|&i| {
            let o = header.var_buf[i].buf_offset as usize;
            bytes[o..o + header.buf_len as usize].to_vec()
        })
        .collect();
    let specs = layout::page_specs(&vars, header.buf_len as usize, yaml.len());
    Image {
        header,
        var_headers,
        yaml,
        rows,
        specs,
    }
}

fn load(rel: &str) -> Option<Image> {
    let p = ksana_testkit::fixture(rel)?;
    Some(image(&std::fs::read(p).unwrap()))
}

/// A recording of `frames` (each: header page, var headers, YAML, row), 1/60 s apart.
fn recording(specs: &[PageSpec], frames: &[[Vec<u8>; 4]]) -> Recording {
    let mut w = Writer::new(
        Vec::new(),
        RecHeader::new("iracing", specs.to_vec()),
        WriterOptions::default(),
    )
    .unwrap();
    for (i, f) in frames.iter().enumerate() {
        let ups: Vec<PageUpdate<'_>> = f
            .iter()
            .enumerate()
            .map(|(page, data)| PageUpdate { page, data })
            .collect();
        w.write_frame(i as u64 * 16_666_667, Some(i as u64), &ups)
            .unwrap();
    }
    Recording::from_bytes(w.finish().unwrap()).unwrap()
}

fn frames_of(img: &Image) -> Vec<[Vec<u8>; 4]> {
    img.rows
        .iter()
        .map(|r| {
            [
                img.header.to_page().to_vec(),
                img.var_headers.clone(),
                img.yaml.clone(),
                r.clone(),
            ]
        })
        .collect()
}

fn quiet() -> PublisherOptions {
    PublisherOptions {
        layout_pause: Duration::from_millis(300),
        status_server: false,
    }
}

/// Publishes every frame of `rec` in order.
fn publish_all(p: &mut dyn SimPublisher, rec: &Recording, seq: &mut u64) {
    let mut fr = rec.frames();
    while let Some(f) = fr.next_frame().unwrap() {
        p.publish(
            &f,
            PublishContext {
                sequence: *seq,
                discontinuity: *seq == 0,
            },
        )
        .unwrap();
        *seq += 1;
    }
}

fn i32_at(b: &[u8], o: usize) -> i32 {
    i32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}

fn mapping_bytes(ns: &ShmNamespace) -> Vec<u8> {
    let m = Mapping::open_read(ns, MEMMAP_NAME).unwrap().unwrap();
    m.read_vec(0, m.len()).unwrap()
}

fn poll(r: &mut LiveReader, snap: &mut Snapshot) -> Poll {
    snap.changed.iter_mut().for_each(|c| *c = false);
    r.poll(snap).unwrap()
}

#[test]
fn published_memdump_matches_the_real_mapping_and_reads_back_page_for_page() {
    for fixture in ["iracing/memdump_2024.bin", "iracing/memdump_2021.bin"] {
        let Some(path) = ksana_testkit::fixture(fixture) else {
            return;
        };
        let real = std::fs::read(&path).unwrap();
        let img = image(&real);
        let rec = recording(&img.specs, &frames_of(&img));
        let root = ksana_testkit::shm_root();
        let ns = ShmNamespace::with_root(root.path());
        let mut p = LivePublisher::open_with(&ns, &img.specs, quiet()).unwrap();
        // Before the first frame nothing claims to be connected.
        assert_eq!(i32_at(&mapping_bytes(&ns), 4), 0);

        let mut fr = rec.frames();
        let f0 = fr.next_frame().unwrap().unwrap();
        p.publish(&f0, PublishContext::default()).unwrap();
        let mut r = LiveReader::open(&ns).unwrap();
        assert_eq!(r.pages(), img.specs);
        let mut snap = Snapshot::with_pages(4);
        assert_eq!(poll(&mut r, &mut snap), Poll::New);
        assert_eq!(snap.changed, vec![true; 4]);
        assert_eq!(snap.pages[0], img.header.to_page().to_vec());
        assert_eq!(snap.pages[1], img.var_headers);
        assert_eq!(snap.pages[2], img.yaml);
        assert_eq!(snap.pages[3], img.rows[0]);
        // All three slots hold the first row under ticks 1..=3; the reader starts at the newest.
        assert_eq!(snap.tick, Some(3));
        let m = mapping_bytes(&ns);
        for slot in 0..3 {
            let t = i32_at(&m, 48 + 16 * slot);
            assert!((1..=3).contains(&t));
            assert_eq!(t as usize % 3, slot);
            let o = LIVE_BUF0_OFFSET + slot * LIVE_BUF_STRIDE;
            assert_eq!(&m[o..o + img.rows[0].len()], img.rows[0].as_slice());
        }
        assert_eq!(poll(&mut r, &mut snap), Poll::Same);

        // Two more ticks while the recorder looks away: it catches up, oldest first.
        for f in 1..3u64 {
            let fr_ = fr.next_frame().unwrap().unwrap();
            p.publish(
                &fr_,
                PublishContext {
                    sequence: f,
                    discontinuity: false,
                },
            )
            .unwrap();
        }
        assert_eq!(poll(&mut r, &mut snap), Poll::New);
        assert_eq!(
            (snap.tick, snap.pages[3].as_slice()),
            (Some(4), img.rows[1].as_slice())
        );
        assert_eq!(snap.changed, vec![false, false, false, true]);
        assert!(r.pending());
        assert!(snap.age >= Duration::from_millis(16));
        assert_eq!(poll(&mut r, &mut snap), Poll::New);
        assert_eq!(
            (snap.tick, snap.pages[3].as_slice()),
            (Some(5), img.rows[2].as_slice())
        );
        assert!(!r.pending());

        // The mapping is the real one outside the buffer bookkeeping: same size, same header
        // fields, YAML region, var headers and zero gaps byte for byte.
        let m = mapping_bytes(&ns);
        assert_eq!(m.len(), LIVE_MAP_SIZE);
        assert_eq!(m.len(), real.len());
        assert_eq!(&m[..40], &real[..40], "{fixture}: header fields");
        assert_eq!(&m[112..LIVE_BUF0_OFFSET], &real[112..LIVE_BUF0_OFFSET]);
        assert!(
            m[LIVE_BUF0_OFFSET + 3 * LIVE_BUF_STRIDE..]
                .iter()
                .all(|&b| b == 0)
        );
        let h = Header::parse(&m).unwrap();
        assert_eq!(h.cur_buf_tick_count, 5);
        assert_eq!(h.cur_buf as usize, 5 % 3);
        for slot in 0..3 {
            assert_eq!(h.var_buf[slot].tick_count_begin, h.var_buf[slot].tick_count);
            assert_eq!(
                h.var_buf[slot].buf_offset as usize,
                LIVE_BUF0_OFFSET + slot * LIVE_BUF_STRIDE
            );
        }
        assert_eq!(h.var_buf[3], Default::default());
        p.stop().unwrap();
        assert_eq!(poll(&mut r, &mut snap), Poll::Stopped);
    }
}

/// Whether `ev` was signalled while `f` ran, seen by a thread already waiting on it (a pulse
/// of a Windows manual-reset event wakes only current waiters).
fn pulsed(ev: &Event, f: impl FnOnce()) -> bool {
    std::thread::scope(|s| {
        let waiter = s.spawn(|| ev.wait(Duration::from_secs(5)).unwrap());
        std::thread::sleep(Duration::from_millis(100));
        f();
        waiter.join().unwrap()
    })
}

#[test]
fn heartbeat_yaml_change_loop_and_stop() {
    let Some(img) = load("iracing/memdump_2024.bin") else {
        return;
    };
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let mut frames = frames_of(&img);
    // A later frame with a shorter YAML: no stale tail may survive it.
    let short = b"---\nWeekendInfo:\n TrackName: x\n\n...\n".to_vec();
    frames[2][2] = short.clone();
    let rec = recording(&img.specs, &frames);
    let mut p = LivePublisher::open_with(&ns, &img.specs, quiet()).unwrap();
    assert_eq!(
        p.heartbeat_interval(),
        Some(Duration::from_nanos(16_666_667))
    );
    let ev = Event::open(&ns, layout::DATA_VALID_EVENT_NAME)
        .unwrap()
        .unwrap();
    let mut seq = 0;
    let mut fr = rec.frames();
    let f0 = fr.next_frame().unwrap().unwrap();
    assert!(
        pulsed(&ev, || p.publish(&f0, PublishContext::default()).unwrap()),
        "pulsed on start"
    );
    seq += 1;
    let mut r = LiveReader::open(&ns).unwrap();
    let mut snap = Snapshot::with_pages(4);
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    let t0 = snap.tick.unwrap();

    // Heartbeat: the same row under the next tick, and a pulse.
    assert!(pulsed(&ev, || p.heartbeat().unwrap()));
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    assert_eq!(snap.tick, Some(t0 + 1));
    assert_eq!(snap.pages[3], img.rows[0]);

    let su0 = i32_at(&mapping_bytes(&ns), 12);
    assert_eq!(su0, img.header.session_info_update);
    drop(fr);
    let mut fr = rec.frames();
    fr.next_frame().unwrap();
    for _ in 1..3 {
        let f = fr.next_frame().unwrap().unwrap();
        p.publish(
            &f,
            PublishContext {
                sequence: seq,
                discontinuity: false,
            },
        )
        .unwrap();
        seq += 1;
    }
    let m = mapping_bytes(&ns);
    assert_eq!(
        i32_at(&m, 12),
        su0 + 1,
        "sessionInfoUpdate += 1 on a YAML change"
    );
    let region = &m[112..112 + LIVE_SESSION_INFO_LEN];
    assert_eq!(&region[..short.len()], short.as_slice());
    assert!(
        region[short.len()..].iter().all(|&b| b == 0),
        "region zeroed"
    );
    let mut saw_yaml = false;
    while poll(&mut r, &mut snap) == Poll::New {
        if snap.changed[2] {
            assert_eq!(snap.pages[2], short);
            assert!(snap.changed[0], "the header page carries sessionInfoUpdate");
            assert_eq!(i32_at(&snap.pages[0], 12), su0 + 1);
            saw_yaml = true;
        }
    }
    assert!(saw_yaml);

    // A loop back to the first frame: ticks go on, the old YAML is a new update again.
    let before = p.last_tick();
    let mut fr = rec.frames();
    let f = fr.next_frame().unwrap().unwrap();
    p.publish(
        &f,
        PublishContext {
            sequence: seq,
            discontinuity: true,
        },
    )
    .unwrap();
    assert_eq!(p.last_tick(), before + 1);
    assert_eq!(i32_at(&mapping_bytes(&ns), 12), su0 + 2);
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    assert_eq!(snap.pages[2], img.yaml);

    // Stop right after a tick: the last row stays published, still ticking, for a while.
    let mut held = 0;
    assert!(
        pulsed(&ev, || {
            p.heartbeat().unwrap();
            held = p.last_tick();
            p.stop().unwrap()
        }),
        "pulsed on stop"
    );
    assert!(
        p.last_tick() >= held + 3,
        "the last row kept ticking before status 0"
    );
    assert_eq!(i32_at(&mapping_bytes(&ns), 4), 0);
    // A heartbeat after stop publishes nothing.
    let t = p.last_tick();
    p.heartbeat().unwrap();
    assert_eq!(p.last_tick(), t);
    assert_eq!(poll(&mut r, &mut snap), Poll::Stopped);
}

#[test]
fn probe_tells_absent_stale_and_live() {
    let Some(img) = load("iracing/memdump_2024.bin") else {
        return;
    };
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let win = Duration::from_millis(200);
    assert_eq!(Iracing.probe(&ns, win).unwrap(), Liveness::Absent);
    let rec = recording(&img.specs, &frames_of(&img)[..1]);
    let mut p = LivePublisher::open_with(&ns, &img.specs, quiet()).unwrap();
    assert_eq!(Iracing.probe(&ns, win).unwrap(), Liveness::Stale);
    let mut seq = 0;
    publish_all(&mut p, &rec, &mut seq);
    // Connected but no tick moving: still stale (a paused player without heartbeats).
    assert_eq!(Iracing.probe(&ns, win).unwrap(), Liveness::Stale);
    let beating = std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(3);
        while Instant::now() < end {
            p.heartbeat().unwrap();
            std::thread::sleep(Duration::from_millis(16));
        }
        p.stop().unwrap();
        p
    });
    std::thread::sleep(Duration::from_millis(50));
    assert!(matches!(
        Iracing.probe(&ns, win).unwrap(),
        Liveness::Live { .. }
    ));
    // Stopped, the mapping still open (a Windows section lives as long as a handle).
    let p = beating.join().unwrap();
    assert_eq!(Iracing.probe(&ns, win).unwrap(), Liveness::Stale);
    drop(p);
}

#[test]
fn a_new_layout_goes_through_status_0_and_counters_keep_growing() {
    let (Some(a), Some(b)) = (
        load("iracing/memdump_2024.bin"),
        load("iracing/memdump_2021.bin"),
    ) else {
        return;
    };
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let mut seq = 0;
    let mut pa = LivePublisher::open_with(&ns, &a.specs, quiet()).unwrap();
    publish_all(&mut pa, &recording(&a.specs, &frames_of(&a)), &mut seq);
    let mut r = LiveReader::open(&ns).unwrap();
    let mut snap = Snapshot::with_pages(4);
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    pa.stop().unwrap();
    let (tick_a, su_a) = (pa.last_tick(), i32_at(&mapping_bytes(&ns), 12));
    drop(pa);
    assert_eq!(poll(&mut r, &mut snap), Poll::Stopped);

    let rec_b = recording(&b.specs, &frames_of(&b));
    let mut pb = LivePublisher::open_with(&ns, &b.specs, quiet()).unwrap();
    let t = Instant::now();
    let mut fr = rec_b.frames();
    let f = fr.next_frame().unwrap().unwrap();
    pb.publish(&f, PublishContext::default()).unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "status 0 held for the pause"
    );
    assert_eq!(
        pb.last_tick(),
        tick_a + 3,
        "ticks continue across publishers"
    );
    let m = mapping_bytes(&ns);
    assert_eq!(i32_at(&m, 12), su_a + 1);
    assert_eq!(i32_at(&m, 4), 1);
    // Var headers of the old, longer layout do not linger past the new table.
    let end_b = LIVE_VAR_HEADER_OFFSET + b.var_headers.len();
    assert!(m[end_b..LIVE_BUF0_OFFSET].iter().all(|&x| x == 0));
    assert_eq!(poll(&mut r, &mut snap), Poll::LayoutChanged);
    assert_eq!(r.pages(), b.specs);
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    assert_eq!(snap.changed, vec![true; 4]);
    assert_eq!(snap.pages[1], b.var_headers);
    assert_eq!(snap.pages[3], b.rows[0]);
    assert!(snap.tick.unwrap() > tick_a as u64);

    // Same layout again: no pause.
    drop(fr);
    pb.stop().unwrap();
    let mut pc = LivePublisher::open_with(&ns, &b.specs, quiet()).unwrap();
    let t = Instant::now();
    let mut fr = rec_b.frames();
    pc.publish(
        &fr.next_frame().unwrap().unwrap(),
        PublishContext::default(),
    )
    .unwrap();
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[test]
fn reads_the_version_1_layout_from_its_own_offsets() {
    let Some(img) = load("iracing/memdump_2024.bin") else {
        return;
    };
    // The 2015 layout (iracing.md §4.4, §4.5): ver 1, a 128 KiB YAML region, var headers at
    // 131,184, buffers at 721,008 + 24,576·i, 794,736 bytes in all.
    let (yaml_len, vho, buf0, total) = (131_072usize, 131_184usize, 721_008usize, 794_736usize);
    let mut m = vec![0u8; total];
    let mut h = img.header;
    h.ver = 1;
    h.session_info_len = yaml_len as i32;
    h.var_header_offset = vho as i32;
    for i in 0..3 {
        h.var_buf[i].buf_offset = (buf0 + i * LIVE_BUF_STRIDE) as i32;
        h.var_buf[i].tick_count = 40_430 + i as i32;
        let o = buf0 + i * LIVE_BUF_STRIDE;
        m[o..o + img.rows[i].len()].copy_from_slice(&img.rows[i]);
    }
    h.write(&mut m[..HEADER_LEN]);
    m[112..112 + img.yaml.len()].copy_from_slice(&img.yaml);
    m[vho..vho + img.var_headers.len()].copy_from_slice(&img.var_headers);
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let _w = mapping_of(&ns, &m);
    let mut r = LiveReader::open(&ns).unwrap();
    let mut snap = Snapshot::with_pages(4);
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    assert_eq!(snap.tick, Some(40_432));
    assert_eq!(snap.pages[0], h.to_page().to_vec());
    assert_eq!(i32_at(&snap.pages[0], 0), 1);
    assert_eq!(i32_at(&snap.pages[0], 28), vho as i32);
    assert_eq!(snap.pages[1], img.var_headers);
    assert_eq!(snap.pages[2], img.yaml);
    assert_eq!(snap.pages[3], img.rows[2]);
}

/// Creates the live mapping in `ns` holding `m` (a file on Linux, a section on Windows, which
/// lives as long as the returned handle).
fn mapping_of(ns: &ShmNamespace, m: &[u8]) -> Mapping {
    let (w, _) = Mapping::open_or_create(ns, MEMMAP_NAME, m.len()).unwrap();
    w.write(0, m).unwrap();
    w
}

/// Writes `m` as the mapping and expects the reader to refuse it with a layout error.
fn refused(m: &[u8], what: &str) {
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let _w = mapping_of(&ns, m);
    match LiveReader::open(&ns) {
        Err(SimError::Layout { detail, .. }) => eprintln!("{what}: {detail}"),
        Err(e) => panic!("{what}: unexpected error {e}"),
        Ok(_) => panic!("{what}: accepted"),
    }
}

#[test]
fn hostile_mappings_are_errors_not_panics() {
    let Some(p) = ksana_testkit::fixture("iracing/memdump_2024.bin") else {
        return;
    };
    let real = std::fs::read(p).unwrap();
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut m = real.clone();
        f(&mut m);
        m
    };
    let put = |m: &mut Vec<u8>, o: usize, v: i32| m[o..o + 4].copy_from_slice(&v.to_le_bytes());
    refused(&real[..100], "shorter than a header");
    refused(&vec![0u8; LIVE_MAP_SIZE], "all zero");
    refused(&real[..LIVE_BUF0_OFFSET], "buffers cut off");
    refused(&with(&|m| put(m, 24, 1_000_000)), "numVars 1e6");
    refused(&with(&|m| put(m, 24, -5)), "numVars negative");
    refused(
        &with(&|m| put(m, 28, i32::MAX - 10)),
        "var headers past the end",
    );
    refused(&with(&|m| put(m, 20, -1)), "YAML offset negative");
    refused(&with(&|m| put(m, 16, i32::MAX)), "YAML region past the end");
    refused(&with(&|m| put(m, 36, 0)), "bufLen 0");
    refused(&with(&|m| put(m, 32, 9)), "numBuf 9");
    refused(&with(&|m| put(m, 52, 1_191_000)), "row buffer past the end");
    refused(
        &with(&|m| put(m, LIVE_VAR_HEADER_OFFSET + 4, 9_000)),
        "a variable outside the row",
    );
    refused(
        &with(&|m| put(m, LIVE_VAR_HEADER_OFFSET, 77)),
        "unknown var type",
    );

    // Valid when opened, hostile at the next tick: an error from poll, not a panic.
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let w = mapping_of(&ns, &real);
    let mut r = LiveReader::open(&ns).unwrap();
    let mut snap = Snapshot::with_pages(4);
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    w.write(24, &50_000i32.to_le_bytes()).unwrap();
    w.write(48 + 16, &9_999i32.to_le_bytes()).unwrap();
    assert!(matches!(r.poll(&mut snap), Err(SimError::Layout { .. })));
}

#[test]
fn recordings_of_other_pages_are_incompatible_and_big_layouts_grow_the_mapping() {
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    let other = [PageSpec::new("physics", 800)];
    assert!(matches!(
        LivePublisher::open_with(&ns, &other, quiet()),
        Err(SimError::Incompatible { .. })
    ));
    assert!(!Mapping::exists(&ns, MEMMAP_NAME), "nothing created");

    // 5000 variables and 30,000-byte rows: beyond the 4096 × 24 KiB the live layout reserves.
    let vars: Vec<VarHeader> = (0..5000u32)
        .map(|i| VarHeader {
            var_type: VarType::Int,
            offset: i * 6,
            count: 1,
            count_as_time: false,
            name: format!("V{i}"),
            desc: String::new(),
            unit: String::new(),
        })
        .collect();
    let buf_len = 30_000usize;
    let vh: Vec<u8> = vars.iter().flat_map(|v| v.encode()).collect();
    let yaml = b"---\nWeekendInfo:\n TrackName: big\n\n...\n".to_vec();
    let specs = layout::page_specs(&vars, buf_len, yaml.len());
    let mut h = Header {
        ver: 2,
        status: 1,
        tick_rate: 60,
        session_info_update: 1,
        num_vars: 5000,
        buf_len: buf_len as i32,
        num_buf: 1,
        ..Default::default()
    };
    h.var_buf[0].buf_offset = 0;
    let row: Vec<u8> = (0..buf_len).map(|i| (i % 251) as u8 + 1).collect();
    let rec = recording(
        &specs,
        &[[h.to_page().to_vec(), vh.clone(), yaml.clone(), row.clone()]],
    );
    let mut p = LivePublisher::open_with(&ns, &specs, quiet()).unwrap();
    let mut seq = 0;
    publish_all(&mut p, &rec, &mut seq);
    let m = mapping_bytes(&ns);
    let buf0 = LIVE_VAR_HEADER_OFFSET + 5000 * VAR_HEADER_LEN;
    assert_eq!(p.mapping_len(), buf0 + 3 * 30_000);
    assert!(m.len() >= p.mapping_len() && m.len() > LIVE_MAP_SIZE);
    let got = Header::parse(&m).unwrap();
    got.validate(m.len())
        .expect_err("ksana's reader caps numVars at 4096");
    assert_eq!(got.num_vars, 5000);
    assert_eq!(got.var_header_offset as usize, LIVE_VAR_HEADER_OFFSET);
    for slot in 0..3 {
        let o = buf0 + slot * 30_000;
        assert_eq!(got.var_buf[slot].buf_offset as usize, o);
        assert_eq!(&m[o..o + buf_len], row.as_slice());
    }
    assert_eq!(
        &m[LIVE_VAR_HEADER_OFFSET..LIVE_VAR_HEADER_OFFSET + vh.len()],
        vh.as_slice()
    );
}

#[test]
fn without_tick_count_begin_only_the_two_newest_buffers_are_read_back() {
    let Some(p) = ksana_testkit::fixture("iracing/memdump_2024.bin") else {
        return;
    };
    let real = std::fs::read(p).unwrap();
    let root = ksana_testkit::shm_root();
    let ns = ShmNamespace::with_root(root.path());
    // The real sim (2024) leaves tickCountBegin at 0: a write into a slot is invisible until its
    // tickCount changes, and the oldest slot is the one it writes next.
    let w = mapping_of(&ns, &real);
    let mut r = LiveReader::open(&ns).unwrap();
    let mut snap = Snapshot::with_pages(4);
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    assert_eq!(snap.tick, Some(2005));
    // Three more ticks while the recorder looks away, the sim's way: slot = tick % 3.
    let bl = 8154;
    for t in 2006..=2008i32 {
        let slot = (t % 3) as usize;
        let o = LIVE_BUF0_OFFSET + slot * LIVE_BUF_STRIDE;
        w.write(o, &vec![t as u8; bl]).unwrap();
        w.store_i32_release(48 + 16 * slot, t).unwrap();
    }
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    assert_eq!(
        snap.tick,
        Some(2007),
        "2006 sits in the slot written next: skipped"
    );
    assert_eq!(snap.pages[3], vec![2007i32 as u8; bl]);
    assert!(r.pending());
    assert_eq!(poll(&mut r, &mut snap), Poll::New);
    assert_eq!(snap.tick, Some(2008));
    assert_eq!(snap.pages[3], vec![2008i32 as u8; bl]);
    assert_eq!(poll(&mut r, &mut snap), Poll::Same);
}
