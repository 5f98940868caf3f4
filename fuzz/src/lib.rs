//! The bodies of ksana's fuzz targets, one function per reader of outside bytes.
//!
//! Each `fuzz_targets/NAME.rs` calls `ksana_fuzz::NAME(data)`. A body may return early on an
//! error (bad input is expected); what it must never do is panic, hang or allocate without
//! bound. Regression inputs for bugs found live in `fuzz/regressions/NAME/` and are replayed by
//! `cargo test --manifest-path fuzz/Cargo.toml`.
//!
//! To add a reader: a function here, a three-line file in `fuzz_targets/`, a `[[bin]]` in
//! `Cargo.toml`, and its name in `.ci/reliability.sh`'s target list.

use ksana_format::{ReadOptions, Recording};

/// The recording reader as `ksana play` and `inspect` use it: open (header, footer or scan),
/// walk every frame, verify; and again tolerant of damage (`--salvage`), then seek.
pub fn recording(data: &[u8]) {
    for salvage in [false, true] {
        let Ok(rec) = Recording::from_source(
            Box::new(data.to_vec()),
            std::path::Path::new("<fuzz>"),
            ReadOptions { salvage },
        ) else {
            continue;
        };
        let _ = rec.verify();
        let _ = ksana_format::inspect(&rec);
        let mut frames = rec.frames();
        let mut n = 0u64;
        while let Ok(Some(f)) = frames.next_frame() {
            let _ = (f.timestamp_ns(), f.tick(), f.segment());
            for (i, p) in f.pages().iter().enumerate() {
                let _ = (f.changed(i), p.len());
            }
            n += 1;
        }
        assert!(n <= rec.frame_count().max(n), "frame count");
        if let Some((a, b)) = rec.time_range() {
            let mut frames = rec.frames();
            for t in [a, a / 2 + b / 2, b, b.saturating_add(1)] {
                if frames.seek(t).is_ok() {
                    let _ = frames.next_frame();
                }
            }
        }
    }
}

/// Block layout (docs/FORMAT.md §1.4): 16-byte preamble, then blocks of a 16-byte header (tag,
/// body length, body CRC-32C, header CRC-32C) and a body.
const PREAMBLE: usize = 16;
const BLOCK_HEADER: usize = 16;

/// Rewrites every block's checksums so that they hold, walking the chain of blocks from the
/// preamble as far as the declared lengths fit. Mutated inputs would otherwise almost all stop at
/// a checksum; with this they reach the header, segment, chunk and footer decoders behind it.
pub fn fix_checksums(bytes: &mut [u8]) {
    let mut at = PREAMBLE;
    while at + BLOCK_HEADER <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        let body = at + BLOCK_HEADER;
        let Some(end) = body.checked_add(len).filter(|&e| e <= bytes.len()) else {
            break;
        };
        let crc = crc32c::crc32c(&bytes[body..end]);
        bytes[at + 8..at + 12].copy_from_slice(&crc.to_le_bytes());
        let hcrc = crc32c::crc32c(&bytes[at..at + 12]);
        bytes[at + 12..at + 16].copy_from_slice(&hcrc.to_le_bytes());
        at = end;
    }
}

/// [`recording`] after [`fix_checksums`]: the decoders behind the checksums (header, page
/// table, segment, columnar and patch chunk codecs, footer index).
pub fn recording_crc_fixed(data: &[u8]) {
    let mut bytes = data.to_vec();
    fix_checksums(&mut bytes);
    recording(&bytes);
}

/// The test pattern's self-check, run on every recorded frame by the reliability suites.
/// Inputs of a page's size or more are checked as they are; shorter ones describe a near-valid
/// page: counter, clock, then (offset, xor) byte edits applied to the page that counter gives,
/// so the fuzzer explores torn and altered pages, not only wrong lengths.
pub fn testpattern_page(data: &[u8]) {
    use ksana_sims::testpattern::{PAGE_SIZE, check_page, fill_page};
    let page = if data.len() >= PAGE_SIZE {
        data.to_vec()
    } else {
        let word = |i: usize| {
            let mut b = [0u8; 8];
            let s = data.get(i..).unwrap_or(&[]);
            let n = s.len().min(8);
            b[..n].copy_from_slice(&s[..n]);
            u64::from_le_bytes(b)
        };
        let mut page = vec![0u8; PAGE_SIZE];
        fill_page(&mut page, word(0), word(8));
        for edit in data.get(16..).unwrap_or(&[]).chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % PAGE_SIZE;
            page[at] ^= edit[2];
        }
        page
    };
    if let Ok(c) = check_page(&page) {
        // Anything it accepts must be exactly the page its counter gives (bytes 0..4 are the
        // writer's seqlock word, not part of the update).
        let mut expect = vec![0u8; PAGE_SIZE];
        fill_page(
            &mut expect,
            c,
            ksana_sims::testpattern::layout::u64_at(&page, 16),
        );
        assert_eq!(
            expect[4..],
            page[4..PAGE_SIZE],
            "accepted a page it would not write"
        );
    }
}

/// iRacing's layout parsing (`ksana_sims::iracing::layout`): the header, its validation against
/// the size of the bytes, the var-header table it points to, and the page list and field map
/// derived from it; as the live reader and the `.ibt` reader use them on a mapping or a file.
pub fn iracing_layout(data: &[u8]) {
    use ksana_sims::iracing::layout;
    let _ = layout::DiskSubHeader::parse(data.get(layout::HEADER_LEN..).unwrap_or(&[]));
    let Ok(h) = layout::Header::parse(data) else {
        return;
    };
    if h.validate(data.len()).is_err() {
        return;
    }
    let _ = h.newest_buf();
    let table = &data[h.var_header_offset as usize..];
    let Ok(vars) = layout::parse_var_headers(table, h.num_vars as usize, h.buf_len as usize) else {
        return;
    };
    let so = h.session_info_offset as usize;
    let yaml = layout::yaml_text(&data[so..so + h.session_info_len as usize]);
    let pages = layout::page_specs(&vars, h.buf_len as usize, yaml.len());
    let runs = &pages[layout::page_index::ROW].fields;
    let covered: u64 = runs
        .iter()
        .map(|(k, n)| k.width() as u64 * u64::from(*n))
        .sum();
    assert_eq!(
        covered, h.buf_len as u64,
        "row field map must cover the row"
    );
}

/// iRacing's session-info YAML (`ksana_sims::iracing::session`), as read from the live region or
/// an `.ibt`: decoding, the quoting pre-pass, per-section YAML parsing and the typed views.
pub fn iracing_session(data: &[u8]) {
    use ksana_sims::iracing::session::SessionInfoDoc;
    let doc = SessionInfoDoc::parse(data);
    let _ = doc.get_str("WeekendInfo.TrackName");
    let _ = doc.get("DriverInfo.Drivers.0.UserName");
    let _ = doc.driver_by_car(0);
    let _ = doc.session_by_num(0);
    if let Some(w) = &doc.weekend {
        let _ = w.track_length_km();
    }
}

/// The AC family's page views (`ksana_sims::assetto::{ac, acc, acevo}::view`), as the live
/// reader, `watch` and the exporters use them on shared memory or a recorded page: every view
/// of every sim built on the same bytes, and each decoded into its owned snapshot (strings,
/// enums, clamped car lists).
pub fn assetto_pages(data: &[u8]) {
    use ksana_sims::assetto::{ac, acc, acevo};
    macro_rules! views {
        ($($m:ident),*) => {$(
            if let Ok(v) = $m::view::PhysicsView::new(data) {
                let _ = v.snapshot();
            }
            if let Ok(v) = $m::view::GraphicsView::new(data) {
                let _ = v.snapshot();
            }
            if let Ok(v) = $m::view::StaticView::new(data) {
                let _ = v.snapshot();
            }
        )*};
    }
    views!(ac, acc, acevo);
    if let Ok(v) = acc::view::GraphicsView::new(data) {
        let _ = (v.car_coordinates().len(), v.car_ids().len(), v.penalty());
    }
}

/// The iRacing `.ibt` reader (`ksana_sims::iracing::ibt`), strict and salvaging, on disk files
/// and live-memory images: every row, the YAML, and `ksana import`'s conversion into a
/// recording, which must then read back whole.
pub fn ibt(data: &[u8]) {
    use ksana_sims::iracing::ibt::{IbtFile, IbtOptions, import_recording};
    for salvage in [false, true] {
        let Ok(f) = IbtFile::from_bytes(
            data.to_vec(),
            std::path::Path::new("<fuzz>"),
            IbtOptions { salvage },
        ) else {
            continue;
        };
        let _ = (f.kind(), f.vars().len(), f.record_count(), f.notes().len());
        let _ = ksana_sims::iracing::session::SessionInfoDoc::parse(f.yaml());
        let mut rows = f.rows();
        while let Ok(Some(r)) = rows.next_row() {
            assert_eq!(r.len(), f.row_len(), "row length");
        }
        if let Ok((bytes, _)) = import_recording(&f, Vec::new()) {
            let rec = Recording::from_bytes(bytes).expect("an imported .ibt must open");
            let mut frames = rec.frames();
            while frames
                .next_frame()
                .expect("an imported .ibt must decode")
                .is_some()
            {}
        }
    }
}
