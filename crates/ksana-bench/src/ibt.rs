//! A minimal reader for iRacing `.ibt` disk telemetry files: enough to turn the records into
//! bench frames with a field map.
//!
//! Layout (all little-endian; `iracing.md` §3, §4.1, §4.3, §12): a 112-byte `irsdk_header`
//! (`numVars` @24, `varHeaderOffset` @28, `numBuf` @32, `bufLen` @36, `varBuf[0].bufOffset`
//! @52), the disk sub-header at 112 (`sessionRecordCount` i32 @140), `numVars` var headers of
//! 144 bytes (`type` @0, `offset` @4, `count` @8, `name[32]` @16), then `sessionRecordCount`
//! contiguous rows of `bufLen` bytes at `bufOffset`. Every offset, length and count read from
//! the file is checked before use: a damaged file gives an [`IbtError`], never a panic.

use crate::{Dataset, Frame};
use ksana_format::{FieldKind, FieldRuns, PageSpec};
use std::path::{Path, PathBuf};

/// Size of `irsdk_header` plus `irsdk_diskSubHeader`.
const HEADERS_LEN: usize = 144;
/// Size of one `irsdk_varHeader`.
const VAR_HEADER_LEN: usize = 144;
/// `IRSDK_MAX_VARS`: more is not a real file.
const MAX_VARS: usize = 4096;
/// Nanoseconds between 60 Hz records (rounded).
pub const RECORD_PERIOD_NS: u64 = 16_666_667;

/// Why an `.ibt` file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IbtError {
    /// The file could not be read from disk.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Shorter than the fixed headers.
    #[error("file is {len} bytes, shorter than the 144-byte headers")]
    TooShort {
        /// File length.
        len: usize,
    },
    /// A header field has a value no real file has.
    #[error("header field {field} = {value} is implausible")]
    BadHeader {
        /// Field name as in the SDK.
        field: &'static str,
        /// The value read.
        value: i64,
    },
    /// A region the header points to lies (partly) outside the file.
    #[error("{what} at {offset}..{end} lies outside the {file_len}-byte file")]
    OutOfBounds {
        /// What the region is.
        what: &'static str,
        /// Start offset.
        offset: u64,
        /// End offset (exclusive).
        end: u64,
        /// File length.
        file_len: usize,
    },
    /// A variable header is invalid.
    #[error("variable #{index} ({name}): {problem}")]
    BadVar {
        /// Index in the var-header table.
        index: usize,
        /// Its name, lossily decoded.
        name: String,
        /// What is wrong.
        problem: String,
    },
}

/// `irsdk_VarType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarType {
    /// 0, one byte.
    Char,
    /// 1, one byte.
    Bool,
    /// 2, `i32`.
    Int,
    /// 3, `u32` bit field.
    BitField,
    /// 4, `f32`.
    Float,
    /// 5, `f64`.
    Double,
}

impl VarType {
    fn from_code(code: i32) -> Option<VarType> {
        Some(match code {
            0 => VarType::Char,
            1 => VarType::Bool,
            2 => VarType::Int,
            3 => VarType::BitField,
            4 => VarType::Float,
            5 => VarType::Double,
            _ => return None,
        })
    }

    /// The codec field kind for this type (`char`/`bool` → U8, `int`/bit field → U32).
    pub fn field_kind(self) -> FieldKind {
        match self {
            VarType::Char | VarType::Bool => FieldKind::U8,
            VarType::Int | VarType::BitField => FieldKind::U32,
            VarType::Float => FieldKind::F32,
            VarType::Double => FieldKind::F64,
        }
    }

    /// Bytes per element.
    pub fn width(self) -> usize {
        self.field_kind().width()
    }
}

/// One variable of the row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    /// Variable name, e.g. `SessionTick`.
    pub name: String,
    /// Element type.
    pub kind: VarType,
    /// Byte offset inside a row.
    pub offset: usize,
    /// Number of elements (arrays > 1).
    pub count: usize,
}

/// A parsed `.ibt` file, holding its bytes.
#[derive(Clone, Debug)]
pub struct IbtFile {
    data: Vec<u8>,
    /// Variables, in file order.
    pub vars: Vec<Var>,
    /// Bytes per record.
    pub buf_len: usize,
    /// Offset of record 0.
    pub buf_offset: usize,
    /// Number of records (from the sub-header, or derived from the file size when it is 0).
    pub record_count: usize,
}

fn read_i32(data: &[u8], at: usize) -> Result<i32, IbtError> {
    data.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map(i32::from_le_bytes)
        .ok_or(IbtError::OutOfBounds {
            what: "header field",
            offset: at as u64,
            end: at as u64 + 4,
            file_len: data.len(),
        })
}

fn positive(field: &'static str, value: i32) -> Result<usize, IbtError> {
    usize::try_from(value)
        .ok()
        .filter(|&v| v > 0)
        .ok_or(IbtError::BadHeader {
            field,
            value: value as i64,
        })
}

fn region(what: &'static str, offset: usize, len: u64, file_len: usize) -> Result<(), IbtError> {
    let end = offset as u64 + len;
    if end > file_len as u64 {
        return Err(IbtError::OutOfBounds {
            what,
            offset: offset as u64,
            end,
            file_len,
        });
    }
    Ok(())
}

impl IbtFile {
    /// Read and parse a file.
    pub fn open(path: &Path) -> Result<IbtFile, IbtError> {
        let data = std::fs::read(path).map_err(|source| IbtError::Io {
            path: path.to_owned(),
            source,
        })?;
        IbtFile::parse(data)
    }

    /// Parse a file's bytes, checking every region against the length.
    pub fn parse(data: Vec<u8>) -> Result<IbtFile, IbtError> {
        let len = data.len();
        if len < HEADERS_LEN {
            return Err(IbtError::TooShort { len });
        }
        let ver = read_i32(&data, 0)?;
        if !(1..=10).contains(&ver) {
            return Err(IbtError::BadHeader {
                field: "ver",
                value: ver as i64,
            });
        }
        let num_vars = positive("numVars", read_i32(&data, 24)?)?;
        if num_vars > MAX_VARS {
            return Err(IbtError::BadHeader {
                field: "numVars",
                value: num_vars as i64,
            });
        }
        let var_header_offset = positive("varHeaderOffset", read_i32(&data, 28)?)?;
        positive("numBuf", read_i32(&data, 32)?)?;
        let buf_len = positive("bufLen", read_i32(&data, 36)?)?;
        let buf_offset = positive("varBuf[0].bufOffset", read_i32(&data, 52)?)?;
        let declared = read_i32(&data, 140)?;
        let declared = usize::try_from(declared).map_err(|_| IbtError::BadHeader {
            field: "sessionRecordCount",
            value: declared as i64,
        })?;
        region(
            "var-header table",
            var_header_offset,
            (num_vars * VAR_HEADER_LEN) as u64,
            len,
        )?;
        region("records", buf_offset, 0, len)?;
        let record_count = if declared == 0 {
            (len - buf_offset) / buf_len
        } else {
            declared
        };
        region(
            "records",
            buf_offset,
            record_count as u64 * buf_len as u64,
            len,
        )?;

        let mut vars = Vec::with_capacity(num_vars);
        for index in 0..num_vars {
            let at = var_header_offset + index * VAR_HEADER_LEN;
            let h = &data[at..at + VAR_HEADER_LEN];
            let raw_name = &h[16..48];
            let end = raw_name
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(raw_name.len());
            let name = String::from_utf8_lossy(&raw_name[..end]).into_owned();
            let bad = |problem: String| IbtError::BadVar {
                index,
                name: name.clone(),
                problem,
            };
            let code = read_i32(h, 0)?;
            let kind =
                VarType::from_code(code).ok_or_else(|| bad(format!("unknown type {code}")))?;
            let offset = read_i32(h, 4)?;
            let offset =
                usize::try_from(offset).map_err(|_| bad(format!("negative offset {offset}")))?;
            let count = read_i32(h, 8)?;
            let count = usize::try_from(count)
                .ok()
                .filter(|&c| c > 0)
                .ok_or_else(|| bad(format!("count {count}")))?;
            let size = count
                .checked_mul(kind.width())
                .ok_or_else(|| bad("size overflows".into()))?;
            if offset.saturating_add(size) > buf_len {
                return Err(bad(format!(
                    "bytes {offset}..{} outside the {buf_len}-byte row",
                    offset as u64 + size as u64
                )));
            }
            vars.push(Var {
                name,
                kind,
                offset,
                count,
            });
        }
        Ok(IbtFile {
            data,
            vars,
            buf_len,
            buf_offset,
            record_count,
        })
    }

    /// Record `i`, `None` past the end.
    pub fn row(&self, i: usize) -> Option<&[u8]> {
        if i >= self.record_count {
            return None;
        }
        let start = self.buf_offset + i * self.buf_len;
        self.data.get(start..start + self.buf_len)
    }

    /// The variable called `name`.
    pub fn var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|v| v.name == name)
    }

    /// An `i32` variable of record `i`.
    pub fn get_i32(&self, i: usize, name: &str) -> Option<i32> {
        let v = self.var(name)?;
        let b = self.row(i)?.get(v.offset..v.offset + 4)?;
        Some(i32::from_le_bytes(b.try_into().ok()?))
    }

    /// An `f64` variable of record `i`.
    pub fn get_f64(&self, i: usize, name: &str) -> Option<f64> {
        let v = self.var(name)?;
        let b = self.row(i)?.get(v.offset..v.offset + 8)?;
        Some(f64::from_le_bytes(b.try_into().ok()?))
    }

    /// The row's field map: variables sorted by offset, arrays expanded, gaps and overlaps
    /// filled with bytes, so that the runs cover exactly `buf_len` bytes.
    pub fn field_runs(&self) -> FieldRuns {
        let mut vars: Vec<&Var> = self.vars.iter().collect();
        vars.sort_by_key(|v| v.offset);
        let mut runs: FieldRuns = Vec::new();
        let mut push = |kind: FieldKind, n: usize| {
            if n == 0 {
                return;
            }
            match runs.last_mut() {
                Some((k, c)) if *k == kind => *c += n as u32,
                _ => runs.push((kind, n as u32)),
            }
        };
        let mut pos = 0usize;
        for v in vars {
            if v.offset < pos {
                // Overlaps the previous variable (not seen in real files): its bytes are
                // already covered.
                continue;
            }
            push(FieldKind::U8, v.offset - pos);
            push(v.kind.field_kind(), v.count);
            pos = v.offset + v.count * v.kind.width();
        }
        push(FieldKind::U8, self.buf_len - pos);
        runs
    }

    /// Every record as one 60 Hz frame with the row as its single page.
    pub fn to_dataset(&self, name: &str) -> Dataset {
        let spec = PageSpec::new("IRSDKMemMapFileName/row", self.buf_len as u32)
            .with_layout("iracing-ibt/row", 1)
            .with_fields(self.field_runs());
        let frames = (0..self.record_count)
            .filter_map(|i| {
                let row = self.row(i)?;
                let tick = self
                    .get_i32(i, "SessionTick")
                    .and_then(|t| u64::try_from(t).ok());
                Some(Frame {
                    timestamp_ns: i as u64 * RECORD_PERIOD_NS,
                    tick: Some(tick.unwrap_or(i as u64)),
                    pages: vec![row.to_vec()],
                })
            })
            .collect();
        Dataset {
            name: name.to_owned(),
            pages: vec![spec],
            frames,
        }
    }
}

/// Where the shared fixtures live: `$KSANA_FIXTURES` as given, else `shared/fixtures` beside
/// the repository (`<repo>/../shared/fixtures`).
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("KSANA_FIXTURES") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

/// The 390-row 2024 `.ibt` fixture's path.
pub fn ibt_fixture() -> PathBuf {
    fixtures_dir().join("iracing/ibt_2024_390rows.ibt")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture, or `None` (printing "skipped") when absent outside CI; in CI a missing
    /// fixture fails the test.
    fn fixture(name: &str) -> Option<Vec<u8>> {
        let path = fixtures_dir().join("iracing").join(name);
        match std::fs::read(&path) {
            Ok(d) => Some(d),
            Err(e) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("fixture {} not readable in CI: {e}", path.display());
                }
                println!("skipped: fixture not found ({})", path.display());
                None
            }
        }
    }

    #[test]
    fn reads_the_2024_fixture() {
        let Some(data) = fixture("ibt_2024_390rows.ibt") else {
            return;
        };
        let f = IbtFile::parse(data).expect("valid fixture");
        assert_eq!(f.vars.len(), 276);
        assert_eq!(f.buf_len, 1072);
        assert_eq!(f.buf_offset, 53_764);
        assert_eq!(f.record_count, 390);
        assert_eq!(f.get_i32(0, "SessionTick"), Some(56_320));
        let t0 = f.get_f64(0, "SessionTime").unwrap();
        assert!((t0 - 932.0).abs() < 1e-3, "{t0}"); // stored as 932.000000635
        assert_eq!(f.get_i32(389, "SessionTick"), Some(56_709));
        assert_eq!(f.get_i32(200, "Lap"), Some(9));
        assert!(f.row(390).is_none());
        let runs = f.field_runs();
        let covered: usize = runs.iter().map(|(k, n)| k.width() * *n as usize).sum();
        assert_eq!(covered, 1072);
        assert_eq!(runs[0], (FieldKind::F64, 1));
        let ds = f.to_dataset("ibt");
        assert_eq!(ds.frames.len(), 390);
        assert_eq!(ds.frames[389].tick, Some(56_709));
        assert_eq!(ds.frames[389].timestamp_ns, 389 * RECORD_PERIOD_NS);
    }

    #[test]
    fn zero_record_count_is_derived_from_size() {
        let Some(mut data) = fixture("ibt_2024_390rows.ibt") else {
            return;
        };
        data[140..144].copy_from_slice(&0i32.to_le_bytes());
        data.truncate(data.len() - 500); // a crashed recording's half-written last row
        let f = IbtFile::parse(data).expect("derivable");
        assert_eq!(f.record_count, 389);
    }

    #[test]
    fn rejects_broken_files() {
        assert!(matches!(
            IbtFile::parse(vec![0; 10]),
            Err(IbtError::TooShort { .. })
        ));
        if let Some(data) = fixture("truncated.ibt") {
            assert!(IbtFile::parse(data).is_err());
        }
        let Some(good) = fixture("ibt_2024_390rows.ibt") else {
            return;
        };
        // Record count beyond the file.
        let mut d = good.clone();
        d[140..144].copy_from_slice(&391i32.to_le_bytes());
        assert!(matches!(
            IbtFile::parse(d),
            Err(IbtError::OutOfBounds { .. })
        ));
        // Var-header table beyond the file.
        let mut d = good.clone();
        d[24..28].copy_from_slice(&4000i32.to_le_bytes());
        d.truncate(60_000);
        assert!(IbtFile::parse(d).is_err());
        // A variable outside the row.
        let mut d = good.clone();
        d[144 + 4..144 + 8].copy_from_slice(&1070i32.to_le_bytes());
        assert!(matches!(IbtFile::parse(d), Err(IbtError::BadVar { .. })));
        // Every truncation of the file is an error or a smaller valid file, never a panic.
        for cut in (0..good.len()).step_by(997) {
            let _ = IbtFile::parse(good[..cut].to_vec());
        }
    }
}
