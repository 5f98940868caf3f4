//! The `RECROCKS` containers: the 72-byte file header and the stream of zlib frame records
//! (reference §2.1, §2.2, §3). Streaming and bounded: a record's length is checked against
//! what is left of the file and against fixed limits before anything is allocated.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use flate2::{Decompress, FlushDecompress, Status};

use crate::detect::{FILE_HEADER_LEN, LegacyKind, detect};
use crate::error::{ErrorKind, LegacyError};

/// The largest compressed frame accepted (the old writers' frames are a few KiB to ~1 MiB).
pub const MAX_COMPRESSED: u64 = 256 << 20;
/// The largest decompressed frame accepted (an iRacing frame is at most ~34 MiB: 4096 var
/// headers, a 16 MiB YAML and a 16 MiB row).
pub const MAX_RAW: usize = 64 << 20;
/// The largest ksana record header accepted (writers always wrote 12).
pub const MAX_RECORD_HEADER: i32 = 12 + 65_536;
/// Frame rates accepted from a header (the old tools wrote 1..=60).
pub const FPS_RANGE: std::ops::RangeInclusive<i32> = 1..=1000;

/// What the 72-byte header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileHeader {
    /// Which container.
    pub kind: LegacyKind,
    /// ksana file version (1 or 2); 0 for shm-debugger, which has none.
    pub version: i32,
    /// Frames per second the file was recorded at.
    pub fps: i32,
    /// Sim id: `irac`, `acsa` (ksana AC/ACC), `accz` (shm-debugger ACC); zeros for the
    /// shm-debugger prototype, whose payload tells.
    pub sim_id: [u8; 4],
    /// Sim payload version: 1 for file version 1 and shm-debugger, `i32@20` for version 2.
    pub payload_version: i32,
}

fn i32_at(b: &[u8], o: usize) -> i32 {
    i32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

impl FileHeader {
    /// Parses and checks the header at the start of `b` (`path` names the file in errors).
    pub fn parse(path: &Path, b: &[u8]) -> Result<FileHeader, LegacyError> {
        let Some(kind) = detect(b) else {
            return Err(LegacyError::malformed(path, 0, "no RECROCKS magic"));
        };
        if b.len() < FILE_HEADER_LEN {
            return Err(LegacyError::file(
                path,
                b.len() as u64,
                ErrorKind::Truncated(format!(
                    "{} bytes, the file header of an old ksana or shm-debugger (RECROCKS) file \
                     has {FILE_HEADER_LEN}",
                    b.len()
                )),
            ));
        }
        let mut sim_id = [0u8; 4];
        let (version, fps, fps_at, payload_version) = match kind {
            LegacyKind::Ksana => {
                let version = i32_at(b, 8);
                if !(1..=2).contains(&version) {
                    return Err(LegacyError::malformed(
                        path,
                        8,
                        format!("ksana file version {version} (known: 1, 2)"),
                    ));
                }
                sim_id.copy_from_slice(&b[16..20]);
                if &sim_id != b"irac" && &sim_id != b"acsa" {
                    return Err(LegacyError::malformed(
                        path,
                        16,
                        format!(
                            "sim id {:?} (known: irac, acsa)",
                            String::from_utf8_lossy(&sim_id)
                        ),
                    ));
                }
                let pv = if version >= 2 { i32_at(b, 20) } else { 1 };
                if !(1..=2).contains(&pv) {
                    return Err(LegacyError::malformed(
                        path,
                        20,
                        format!("payload version {pv} (known: 1, 2)"),
                    ));
                }
                (version, i32_at(b, 12), 12, pv)
            }
            LegacyKind::ShmDebugger => {
                sim_id.copy_from_slice(&b[12..16]);
                if &sim_id != b"irac" && &sim_id != b"accz" {
                    return Err(LegacyError::malformed(
                        path,
                        12,
                        format!(
                            "sim id {:?} (known: irac, accz)",
                            String::from_utf8_lossy(&sim_id)
                        ),
                    ));
                }
                (0, i32_at(b, 8), 8, 1)
            }
            LegacyKind::ShmDebuggerPrototype => (0, i32_at(b, 8), 8, 1),
        };
        if !FPS_RANGE.contains(&fps) {
            return Err(LegacyError::malformed(
                path,
                fps_at,
                format!("fps {fps} (expected 1..=1000): frames cannot be placed in time"),
            ));
        }
        Ok(FileHeader {
            kind,
            version,
            fps,
            sim_id,
            payload_version,
        })
    }
}

/// One frame record, its payload still compressed.
#[derive(Clone, Debug)]
pub struct RawRecord {
    /// Offset of the record in the file.
    pub offset: u64,
    /// Offset of the compressed bytes.
    pub data_offset: u64,
    /// The uncompressed size the record claims (not trusted: a capacity hint).
    pub raw_len: u32,
    /// The zlib stream (empty when the record was only skipped).
    pub compressed: Vec<u8>,
}

/// What the next read of the record stream found.
#[derive(Debug)]
pub enum Next {
    /// A complete record.
    Record(RawRecord),
    /// The file ends exactly after the last record.
    End,
    /// The file ends inside a record (a recorder killed before its final flush): the
    /// description says where; the record is dropped.
    Truncated(String),
}

/// Reads the records after the file header one at a time.
pub struct Records<'p, R> {
    r: R,
    path: &'p Path,
    pos: u64,
    len: u64,
    ksana: bool,
}

impl<'p, R: Read + Seek> Records<'p, R> {
    /// Starts after the file header of a file of `len` bytes; `ksana` selects the ksana record
    /// header (`header_size`, lengths) over shm-debugger's (lengths only).
    pub fn new(mut r: R, path: &'p Path, len: u64, ksana: bool) -> Result<Self, LegacyError> {
        r.seek(SeekFrom::Start(FILE_HEADER_LEN as u64))
            .map_err(|e| LegacyError::file(path, FILE_HEADER_LEN as u64, e.into()))?;
        Ok(Records {
            r,
            path,
            pos: FILE_HEADER_LEN as u64,
            len,
            ksana,
        })
    }

    fn io(&self, e: std::io::Error) -> LegacyError {
        LegacyError::file(self.path, self.pos, e.into())
    }

    /// Reads the next record; with `body` false its payload is skipped (a scan).
    pub fn next(&mut self, body: bool) -> Result<Next, LegacyError> {
        let start = self.pos;
        let left = self.len.saturating_sub(start);
        if left == 0 {
            return Ok(Next::End);
        }
        let head_len: u64 = if self.ksana { 12 } else { 8 };
        if left < head_len {
            return Ok(Next::Truncated(format!(
                "the record at byte {start} has {left} of its {head_len} header bytes"
            )));
        }
        let mut h = [0u8; 12];
        self.r
            .read_exact(&mut h[..head_len as usize])
            .map_err(|e| self.io(e))?;
        let (extra, lens) = if self.ksana {
            let header_size = i32_at(&h, 0);
            if !(12..=MAX_RECORD_HEADER).contains(&header_size) {
                return Err(LegacyError::malformed(
                    self.path,
                    start,
                    format!("record header size {header_size} (expected 12)"),
                ));
            }
            (header_size as u64 - 12, &h[4..12])
        } else {
            (0, &h[0..8])
        };
        let clen = u64::from(u32::from_le_bytes([lens[0], lens[1], lens[2], lens[3]]));
        let raw_len = u32::from_le_bytes([lens[4], lens[5], lens[6], lens[7]]);
        let len_at = start + if self.ksana { 4 } else { 0 };
        if clen > MAX_COMPRESSED {
            return Err(LegacyError::malformed(
                self.path,
                len_at,
                format!("compressed length {clen} (at most {MAX_COMPRESSED} accepted)"),
            ));
        }
        if clen == 0 {
            return Err(LegacyError::malformed(
                self.path,
                len_at,
                "compressed length 0 (every frame is a zlib stream)",
            ));
        }
        let data_offset = start + head_len + extra;
        let end = data_offset + clen;
        if end > self.len {
            return Ok(Next::Truncated(format!(
                "the record at byte {start} needs {} bytes, {left} are left",
                end - start
            )));
        }
        let mut compressed = Vec::new();
        if body {
            if extra > 0 {
                self.r
                    .seek(SeekFrom::Start(data_offset))
                    .map_err(|e| self.io(e))?;
            }
            compressed.resize(clen as usize, 0);
            self.r.read_exact(&mut compressed).map_err(|e| self.io(e))?;
        } else {
            self.r.seek(SeekFrom::Start(end)).map_err(|e| self.io(e))?;
        }
        self.pos = end;
        Ok(Next::Record(RawRecord {
            offset: start,
            data_offset,
            raw_len,
            compressed,
        }))
    }
}

/// Decompresses one record's zlib stream (RFC 1950, checksum verified) into at most
/// [`MAX_RAW`] bytes. The error says what is wrong; the caller adds file and offset.
pub fn inflate(rec: &RawRecord) -> Result<Vec<u8>, String> {
    let src = &rec.compressed;
    let mut d = Decompress::new(true);
    let mut out: Vec<u8> = Vec::with_capacity((rec.raw_len as usize).clamp(64, 1 << 20));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= MAX_RAW {
                return Err(format!(
                    "the frame inflates to more than {MAX_RAW} bytes (its header says {})",
                    rec.raw_len
                ));
            }
            let grow = out.len().clamp(64, MAX_RAW - out.len());
            out.reserve_exact(grow);
        }
        let (in_before, out_before) = (d.total_in(), out.len());
        let at = in_before as usize;
        let st = d
            .decompress_vec(&src[at..], &mut out, FlushDecompress::None)
            .map_err(|e| format!("bad zlib stream: {e}"))?;
        match st {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                let stuck = d.total_in() == in_before && out.len() == out_before;
                if stuck && out.len() < out.capacity() {
                    return Err(format!(
                        "the zlib stream ends early ({} of {} bytes used, no end marker)",
                        d.total_in(),
                        src.len()
                    ));
                }
            }
        }
    }
    let used = d.total_in() as usize;
    if used != src.len() {
        return Err(format!(
            "{} bytes follow the zlib stream inside the record",
            src.len() - used
        ));
    }
    Ok(out)
}
