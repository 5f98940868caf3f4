//! Legacy file → ksana recording: one frame per legacy frame at `n / fps`, the pages ksana's
//! own recorder writes for the sim (iRacing's four `irsdk_*` pages; the AC family's physics,
//! graphics, static), and header metadata under [`META_PREFIX`] saying where the file came
//! from and that its timestamps were synthesised.

use std::io::{Read, Seek};
use std::path::Path;

use ksana_format::{PageSpec, PageUpdate, Sink, Writer, WriterOptions};
use ksana_sims::assetto::{ac, acc, acrally, family};
use ksana_sims::import::{ImportOptions, ImportReport};
use ksana_sims::iracing::layout::{self, VAR_HEADER_LEN, page_index};

use crate::acsa::{self, AcFrame};
use crate::container::{FileHeader, Next, RawRecord, Records, inflate};
use crate::detect::{FILE_HEADER_LEN, LegacyKind};
use crate::error::{ErrorKind, LegacyError};
use crate::irac;

/// Prefix of the metadata keys a legacy import writes (`legacy.source`, `legacy.fps`, …;
/// docs/LEGACY.md lists them).
pub const META_PREFIX: &str = "legacy.";

/// What the timestamps of an imported legacy file are, as the `legacy.timestamps` value says.
pub const TIMESTAMPS_NOTE: &str =
    "synthesised from the header fps: frame n at n/fps s (the legacy file stores no time)";

/// What [`convert`] is told besides the file.
#[derive(Clone, Debug, Default)]
pub struct ConvertOptions {
    /// Salvage: keep the frames before a bad one instead of failing.
    pub import: ImportOptions,
    /// The legacy file's modification time (ns since the Unix epoch): the end of the
    /// recording, since the old writers flushed once, at the end. The start is this minus the
    /// recording's duration. `None`: the import's own time is used, and metadata says so.
    pub modified_unix_ns: Option<i64>,
}

/// The sim a legacy file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Payload {
    Irac,
    Acsa,
    Accz,
}

/// Timestamp of frame `n` at `fps`: `n / fps` seconds in ns, rounded to the nearest.
pub fn frame_ns(n: u64, fps: i32) -> u64 {
    let fps = u128::from(fps.max(1) as u32);
    ((u128::from(n) * 1_000_000_000 + fps / 2) / fps).min(u128::from(u64::MAX)) as u64
}

fn meta(h: &mut ksana_format::Header, k: &str, v: impl Into<String>) {
    h.metadata.push((format!("{META_PREFIX}{k}"), v.into()));
}

fn writer_options() -> WriterOptions {
    WriterOptions {
        chunk_duration_ns: 8_000_000_000,
        chunk_bytes: 2 << 20,
        sync_every_chunk: false,
        compact_on_close: None,
        ..WriterOptions::default()
    }
}

/// Reads the header and scans the records (no decompression): the file header, the record
/// count, and a note when the last record is cut.
fn scan<R: Read + Seek>(
    path: &Path,
    file: &mut R,
    len: u64,
) -> Result<(FileHeader, u64, Option<String>), LegacyError> {
    let io = |e: std::io::Error| LegacyError::file(path, 0, ErrorKind::Io(e));
    file.rewind().map_err(io)?;
    let mut head = Vec::with_capacity(FILE_HEADER_LEN);
    (&mut *file)
        .take(FILE_HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let fh = FileHeader::parse(path, &head)?;
    let mut recs = Records::new(&mut *file, path, len, fh.kind == LegacyKind::Ksana)?;
    let mut n = 0u64;
    loop {
        match recs.next(false)? {
            Next::Record(_) => n += 1,
            Next::End => return Ok((fh, n, None)),
            Next::Truncated(why) => {
                return Ok((fh, n, Some(format!("cut last frame dropped: {why}"))));
            }
        }
    }
}

/// A frame's fault as an error at its record.
fn bad_frame(path: &Path, i: u64, rec: &RawRecord, what: &str) -> LegacyError {
    LegacyError::malformed(path, rec.offset, format!("frame {i}: {what}"))
}

/// What a conversion did.
#[derive(Clone, Debug)]
pub struct Converted {
    /// The sim id of the new recording (`iracing`, `acc`, `ac`, …).
    pub sim: &'static str,
    /// Frames written, the source format, notes.
    pub report: ImportReport,
}

/// Converts the legacy file `file` (`len` bytes, named `path` in errors and metadata) into a
/// ksana recording written to `out`. Returns the sink and what was done.
pub fn convert<R: Read + Seek, W: Sink>(
    path: &Path,
    mut file: R,
    len: u64,
    opts: &ConvertOptions,
    out: W,
) -> Result<(W, Converted), LegacyError> {
    let (fh, frames, tail) = scan(path, &mut file, len)?;
    if frames == 0 {
        return Err(LegacyError::malformed(
            path,
            FILE_HEADER_LEN as u64,
            match &tail {
                Some(t) => format!("no complete frame ({t})"),
                None => "no frames after the header".into(),
            },
        ));
    }
    let mut recs = Records::new(&mut file, path, len, fh.kind == LegacyKind::Ksana)?;
    let Next::Record(rec0) = recs.next(true)? else {
        return Err(LegacyError::malformed(
            path,
            FILE_HEADER_LEN as u64,
            "the first frame vanished",
        ));
    };
    let raw0 = inflate(&rec0).map_err(|w| bad_frame(path, 0, &rec0, &w))?;
    let payload = match &fh.sim_id {
        b"irac" => Payload::Irac,
        b"acsa" => Payload::Acsa,
        b"accz" => Payload::Accz,
        // The prototype has no id: an ACC frame is always 3700 bytes.
        _ if raw0.len() == 3700 => Payload::Accz,
        _ => Payload::Irac,
    };
    let mut ctx = Ctx {
        path,
        fh,
        frames,
        tail,
        opts,
        notes: Vec::new(),
        written: 0,
    };
    let (out, (sim, mut report)) = match payload {
        Payload::Irac => ctx.irac(&mut recs, rec0, raw0, out)?,
        Payload::Acsa | Payload::Accz => ctx.assetto(&mut recs, rec0, raw0, payload, out)?,
    };
    report.notes = ctx.notes;
    Ok((out, Converted { sim, report }))
}

/// The state of one conversion.
struct Ctx<'a> {
    path: &'a Path,
    fh: FileHeader,
    frames: u64,
    tail: Option<String>,
    opts: &'a ConvertOptions,
    notes: Vec<String>,
    written: u64,
}

impl Ctx<'_> {
    fn format_name(&self, sim: &str) -> String {
        let what = match self.fh.kind {
            LegacyKind::Ksana => format!(
                "old ksana recording, file version {} (payload {})",
                self.fh.version, self.fh.payload_version
            ),
            LegacyKind::ShmDebugger => "shm-debugger recording".into(),
            LegacyKind::ShmDebuggerPrototype => "shm-debugger prototype recording".into(),
        };
        format!("{what}, {sim}, {} fps", self.fh.fps)
    }

    /// The recording header with the `legacy.*` metadata known before the first frame.
    fn header(
        &mut self,
        sim: &str,
        pages: Vec<PageSpec>,
        early: &[String],
    ) -> ksana_format::Header {
        let mut h = ksana_format::Header::new(sim, pages);
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        meta(&mut h, "source", name);
        meta(&mut h, "format", self.fh.kind.name());
        if self.fh.kind == LegacyKind::Ksana {
            meta(&mut h, "file_version", self.fh.version.to_string());
        }
        meta(
            &mut h,
            "payload_version",
            self.fh.payload_version.to_string(),
        );
        meta(
            &mut h,
            "sim_id",
            String::from_utf8_lossy(&self.fh.sim_id).trim_end_matches('\0'),
        );
        meta(&mut h, "fps", self.fh.fps.to_string());
        meta(&mut h, "frames", self.frames.to_string());
        meta(&mut h, "timestamps", TIMESTAMPS_NOTE);
        let duration = frame_ns(self.frames.saturating_sub(1), self.fh.fps);
        match self.opts.modified_unix_ns {
            Some(m) => {
                h.start_unix_ns = m.saturating_sub(duration.min(i64::MAX as u64) as i64);
                meta(
                    &mut h,
                    "start_time",
                    "the file's modification time minus its duration",
                );
            }
            None => meta(&mut h, "start_time", "unknown (the import's time)"),
        }
        let mut notes: Vec<String> = early.to_vec();
        if let Some(t) = &self.tail {
            notes.push(t.clone());
        }
        if !notes.is_empty() {
            meta(&mut h, "notes", notes.join("; "));
        }
        self.notes.extend(notes);
        h
    }

    /// The next record's decompressed bytes; `None` at the end (or, salvaging, after a bad
    /// record, with a note).
    fn next_raw<R: Read + Seek>(
        &mut self,
        recs: &mut Records<'_, R>,
        i: u64,
    ) -> Result<Option<(RawRecord, Vec<u8>)>, LegacyError> {
        if i >= self.frames {
            return Ok(None);
        }
        let rec = match recs.next(true)? {
            Next::Record(r) => r,
            _ => return Ok(None),
        };
        match inflate(&rec) {
            Ok(raw) => Ok(Some((rec, raw))),
            Err(w) => self
                .fail(bad_frame(self.path, i, &rec, &w), i)
                .map(|_| None),
        }
    }

    /// A bad frame `i`: the error, or when salvaging a note and the end of the import.
    fn fail(&mut self, e: LegacyError, i: u64) -> Result<(), LegacyError> {
        if !self.opts.import.salvage || i == 0 {
            return Err(e);
        }
        self.notes.push(format!(
            "salvage: {e}; it and the {} frames after it were dropped",
            self.frames - i - 1
        ));
        Ok(())
    }

    fn report(&self, sim: &str) -> ImportReport {
        ImportReport {
            format: self.format_name(sim),
            frames: self.written,
            notes: Vec::new(),
        }
    }

    fn irac<R: Read + Seek, W: Sink>(
        &mut self,
        recs: &mut Records<'_, R>,
        rec0: RawRecord,
        raw0: Vec<u8>,
        out: W,
    ) -> Result<(W, (&'static str, ImportReport)), LegacyError> {
        let shmd = self.fh.kind != LegacyKind::Ksana;
        let pv = self.fh.payload_version;
        let path = self.path;
        let payload_err = |i: u64, rec: &RawRecord, (o, w): (usize, String)| {
            bad_frame(path, i, rec, &format!("payload byte {o}: {w}"))
        };
        let f0 = irac::parse(&raw0, pv, shmd).map_err(|e| payload_err(0, &rec0, e))?;
        let Some(table0) = f0.var_headers else {
            return Err(bad_frame(
                path,
                0,
                &rec0,
                "the first frame has no var headers (type 0x02)",
            ));
        };
        let buf_len0 = f0.header.buf_len as usize;
        let vars0 = layout::parse_var_headers(table0, f0.stored_vars, buf_len0)
            .map_err(|e| payload_err(0, &rec0, (e.offset + 112, e.what)))?;
        let mut early = Vec::new();
        if (f0.stored_vars as i32) < f0.header.num_vars {
            early.push(format!(
                "the file stores only the first of {} var headers (shm-debugger before \
                 2024-03-09): the header page says numVars {}",
                f0.header.num_vars, f0.stored_vars
            ));
        }
        let yaml0 = f0.yaml.unwrap_or_default();
        let header = self.header(
            "iracing",
            layout::page_specs(&vars0, buf_len0, yaml0.len()),
            &early,
        );
        let mut w = Writer::new(out, header, writer_options())?;
        let mut table: Vec<u8> = table0.to_vec();
        let mut buf_len = buf_len0;
        let mut yaml: Vec<u8> = yaml0.to_vec();
        let mut lossy_yaml = false;
        let mut segments = 0u32;
        let mut next = Some((rec0, raw0));
        let mut i = 0u64;
        while let Some((rec, raw)) = next.take() {
            let f = match irac::parse(&raw, pv, shmd) {
                Ok(f) => f,
                Err(e) => {
                    self.fail(payload_err(i, &rec, e), i)?;
                    break;
                }
            };
            let ts = frame_ns(i, self.fh.fps);
            let stored = f.var_headers.unwrap_or(&table);
            let nvars = stored.len() / VAR_HEADER_LEN;
            if f.var_headers.is_none() && f.header.num_vars as usize != nvars {
                let e = bad_frame(
                    path,
                    i,
                    &rec,
                    &format!(
                        "numVars {} in a frame without var headers, the last ones hold {nvars}",
                        f.header.num_vars
                    ),
                );
                self.fail(e, i)?;
                break;
            }
            let new_layout = stored != table.as_slice() || f.header.buf_len as usize != buf_len;
            if let Some(y) = f.yaml {
                yaml.clear();
                yaml.extend_from_slice(y);
                lossy_yaml |= y.windows(3).any(|t| t == [0xEF, 0xBF, 0xBD]);
            }
            if i > 0 && new_layout {
                let vars = match layout::parse_var_headers(stored, nvars, f.header.buf_len as usize)
                {
                    Ok(v) => v,
                    Err(e) => {
                        self.fail(payload_err(i, &rec, (e.offset + 112, e.what)), i)?;
                        break;
                    }
                };
                table = stored.to_vec();
                buf_len = f.header.buf_len as usize;
                w.begin_segment(
                    ts,
                    layout::page_specs(&vars, buf_len, yaml.len()),
                    "the legacy file's var headers changed",
                )?;
                segments += 1;
            }
            let mut h = f.header;
            h.num_vars = nvars as i32;
            let head_page = h.to_page();
            let mut updates = vec![
                PageUpdate {
                    page: page_index::HEADER,
                    data: &head_page,
                },
                PageUpdate {
                    page: page_index::ROW,
                    data: f.row,
                },
            ];
            let fresh = i == 0 || new_layout;
            if fresh {
                updates.push(PageUpdate {
                    page: page_index::VAR_HEADERS,
                    data: &table,
                });
            }
            if (fresh && !yaml.is_empty()) || f.yaml.is_some() {
                updates.push(PageUpdate {
                    page: page_index::SESSION_INFO,
                    data: &yaml,
                });
            }
            let nb = h.newest_buf();
            let tick = u64::try_from(f.header.var_buf[nb].tick_count).ok();
            w.write_frame(ts, tick, &updates)?;
            self.written += 1;
            i += 1;
            next = self.next_raw(recs, i)?;
        }
        let out = w.finish()?;
        if lossy_yaml {
            self.notes.push(
                "the session YAML holds U+FFFD: written by ksana 0.1/0.2, which replaced \
                 non-ASCII bytes when recording"
                    .into(),
            );
        }
        if segments > 0 {
            self.notes.push(format!(
                "{segments} var-header changes started new segments"
            ));
        }
        Ok((out, ("iracing", self.report("iRacing"))))
    }

    fn assetto<R: Read + Seek, W: Sink>(
        &mut self,
        recs: &mut Records<'_, R>,
        rec0: RawRecord,
        raw0: Vec<u8>,
        payload: Payload,
        out: W,
    ) -> Result<(W, (&'static str, ImportReport)), LegacyError> {
        let pv = self.fh.payload_version;
        let path = self.path;
        fn parse(raw: &[u8], payload: Payload, pv: i32) -> Result<AcFrame<'_>, (usize, String)> {
            match payload {
                Payload::Accz => acsa::parse_accz(raw),
                _ => acsa::parse_acsa(raw, pv),
            }
        }
        let payload_err = |i: u64, rec: &RawRecord, (o, w): (usize, String)| {
            bad_frame(path, i, rec, &format!("payload byte {o}: {w}"))
        };
        let f0 = parse(&raw0, payload, pv).map_err(|e| payload_err(0, &rec0, e))?;
        let mut early = Vec::new();
        let fam = if payload == Payload::Accz {
            &acc::FAMILY
        } else {
            let sm = f0
                .statics
                .map(|s| family::string_at(s, 0, 15, family::Strings::Utf16))
                .unwrap_or_default();
            let facts = family::ProbeFacts {
                sm_version: sm.clone(),
                kelvin: family::temperatures_in_kelvin(f0.physics),
                ..Default::default()
            };
            let fam = match acc::acpmf_owner(&facts, None) {
                "ac" => &ac::FAMILY,
                "acrally" => &acrally::FAMILY,
                _ => &acc::FAMILY,
            };
            early.push(format!(
                "acsa (AC or ACC) taken as {} from the static page's smVersion {sm:?}",
                fam.id
            ));
            fam
        };
        let defs = [&fam.physics, &fam.graphics, &fam.statics];
        let specs: Vec<PageSpec> = defs.iter().map(|d| d.spec(d.capture)).collect();
        let header = self.header(fam.id, specs, &early);
        let mut w = Writer::new(out, header, writer_options())?;
        let pad = |d: &family::PageDef, b: &[u8]| {
            let mut v = b[..b.len().min(d.capture)].to_vec();
            v.resize(d.capture, 0);
            v
        };
        let mut next = Some((rec0, raw0));
        let mut i = 0u64;
        while let Some((rec, raw)) = next.take() {
            let f = match parse(&raw, payload, pv) {
                Ok(f) => f,
                Err(e) => {
                    self.fail(payload_err(i, &rec, e), i)?;
                    break;
                }
            };
            let phys = pad(defs[0], f.physics);
            let gfx = pad(defs[1], f.graphics);
            let st = f.statics.map(|s| pad(defs[2], s));
            let mut updates = vec![
                PageUpdate {
                    page: 0,
                    data: &phys,
                },
                PageUpdate {
                    page: 1,
                    data: &gfx,
                },
            ];
            if let Some(s) = &st {
                updates.push(PageUpdate { page: 2, data: s });
            }
            let tick = Some(u64::from(u32::from_le_bytes([
                f.physics[0],
                f.physics[1],
                f.physics[2],
                f.physics[3],
            ])));
            w.write_frame(frame_ns(i, self.fh.fps), tick, &updates)?;
            self.written += 1;
            i += 1;
            next = self.next_raw(recs, i)?;
        }
        let out = w.finish()?;
        Ok((out, (fam.id, self.report(fam.name))))
    }
}
