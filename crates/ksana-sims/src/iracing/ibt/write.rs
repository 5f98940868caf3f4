//! Writing `.ibt` files as iRacing's disk writer does (`irsdk_diskserver.cpp`: header and a
//! zeroed sub-header at open, rows appended, sub-header rewritten at close).

use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{IBT_VAR_HEADER_OFFSET, IbtError, IbtErrorKind, MAX_YAML_LEN};
use crate::iracing::layout::{
    DISK_SUBHEADER_LEN, DiskSubHeader, HEADER_LEN, Header, MAX_BUFS, VAR_HEADER_LEN, VarBuf,
    VarType, parse_var_headers,
};

/// Streams rows into an `.ibt`. The file is valid for readers that derive the record count
/// from the size (ksana's [`super::IbtFile`]) after every [`IbtWriter::write_row`]; readers
/// that trust the sub-header (pyirsdk) need [`IbtWriter::finish`].
pub struct IbtWriter<W: Write + Seek> {
    out: BufWriter<W>,
    path: PathBuf,
    pos: u64,
    buf_len: usize,
    rows: u64,
    session_time_at: Option<usize>,
    lap_at: Option<usize>,
    first_time: Option<f64>,
    last_time: f64,
    laps: i32,
    last_lap: Option<i32>,
}

impl<W: Write + Seek> IbtWriter<W> {
    /// Writes header, zeroed sub-header, the var-header table (`var_headers`, `numVars` × 144
    /// bytes, kept byte for byte) and the YAML (its exact length, no NUL) to `out`, which
    /// must be positioned at its start. From `template` it takes `ver`, `status`, `tickRate`,
    /// `bufLen` and `varBuf[0].tickCount`; everything else is what an `.ibt` has (numBuf 1,
    /// var headers at 144, YAML after them, rows after the YAML, sessionInfoUpdate 0).
    /// `path` names the output in errors.
    pub fn new(
        out: W,
        path: &Path,
        template: &Header,
        var_headers: &[u8],
        yaml: &[u8],
    ) -> Result<IbtWriter<W>, IbtError> {
        let usage = |m: String| IbtError::new(path, 0, IbtErrorKind::Usage(m));
        if var_headers.is_empty() || !var_headers.len().is_multiple_of(VAR_HEADER_LEN) {
            return Err(usage(format!(
                "a var-header table of {} bytes is not a whole number of 144-byte headers",
                var_headers.len()
            )));
        }
        let num_vars = var_headers.len() / VAR_HEADER_LEN;
        if template.buf_len <= 0 {
            return Err(usage(format!("bufLen {}", template.buf_len)));
        }
        let buf_len = template.buf_len as usize;
        let vars = parse_var_headers(var_headers, num_vars, buf_len)
            .map_err(|e| usage(format!("var-header table, byte {}: {}", e.offset, e.what)))?;
        if yaml.len() > MAX_YAML_LEN {
            return Err(usage(format!("a YAML of {} bytes", yaml.len())));
        }
        let yaml_at = IBT_VAR_HEADER_OFFSET + var_headers.len();
        let rows_at = yaml_at + yaml.len();
        let rows_at_i32 = i32::try_from(rows_at)
            .map_err(|_| usage(format!("rows would start at byte {rows_at}")))?;
        let mut var_buf = [VarBuf::default(); MAX_BUFS];
        var_buf[0] = VarBuf {
            tick_count: template.var_buf[0].tick_count,
            buf_offset: rows_at_i32,
            tick_count_begin: 0,
        };
        let header = Header {
            ver: template.ver,
            status: template.status,
            tick_rate: template.tick_rate,
            session_info_update: 0,
            session_info_len: yaml.len() as i32,
            session_info_offset: yaml_at as i32,
            num_vars: num_vars as i32,
            var_header_offset: IBT_VAR_HEADER_OFFSET as i32,
            num_buf: 1,
            buf_len: template.buf_len,
            cur_buf_tick_count: 0,
            cur_buf: 0,
            var_buf,
        };
        let find = |name: &str, t: VarType| {
            vars.iter()
                .find(|v| v.name == name && v.var_type == t)
                .map(|v| v.offset as usize)
        };
        let mut w = IbtWriter {
            out: BufWriter::with_capacity(256 * 1024, out),
            path: path.to_path_buf(),
            pos: 0,
            buf_len,
            rows: 0,
            session_time_at: find("SessionTime", VarType::Double),
            lap_at: find("Lap", VarType::Int),
            first_time: None,
            last_time: 0.0,
            laps: 0,
            last_lap: None,
        };
        let mut head = [0u8; HEADER_LEN];
        header.write(&mut head);
        w.put(&head)?;
        w.put(&[0u8; DISK_SUBHEADER_LEN])?;
        w.put(var_headers)?;
        w.put(yaml)?;
        Ok(w)
    }

    fn put(&mut self, b: &[u8]) -> Result<(), IbtError> {
        self.out
            .write_all(b)
            .map_err(|e| IbtError::new(&self.path, self.pos, IbtErrorKind::Io(e)))?;
        self.pos += b.len() as u64;
        Ok(())
    }

    /// Appends one row of exactly `bufLen` bytes.
    pub fn write_row(&mut self, row: &[u8]) -> Result<(), IbtError> {
        if row.len() != self.buf_len {
            return Err(IbtError::new(
                &self.path,
                self.pos,
                IbtErrorKind::Usage(format!(
                    "row {} has {} bytes, the layout's rows have {}",
                    self.rows,
                    row.len(),
                    self.buf_len
                )),
            ));
        }
        if self.rows >= i32::MAX as u64 {
            return Err(IbtError::new(
                &self.path,
                self.pos,
                IbtErrorKind::Usage("more rows than sessionRecordCount can count".into()),
            ));
        }
        if let Some(at) = self.session_time_at {
            let t = f64::from_le_bytes(row[at..at + 8].try_into().expect("8 bytes"));
            self.first_time.get_or_insert(t);
            self.last_time = t;
        }
        if let Some(at) = self.lap_at {
            let lap = i32::from_le_bytes(row[at..at + 4].try_into().expect("4 bytes"));
            if self.last_lap != Some(lap) {
                self.laps += 1;
                self.last_lap = Some(lap);
            }
        }
        self.put(row)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The sub-header [`IbtWriter::finish`] would write now: `start_date` (Unix seconds),
    /// `SessionTime` of the first and last row, the number of distinct consecutive `Lap`
    /// values (1 + lap changes; `lap_count` overrides it) and the row count.
    pub fn sub_header(&self, start_date: i64, lap_count: Option<i32>) -> DiskSubHeader {
        DiskSubHeader {
            session_start_date: start_date,
            session_start_time: self.first_time.unwrap_or(0.0),
            session_end_time: if self.first_time.is_some() {
                self.last_time
            } else {
                0.0
            },
            session_lap_count: lap_count.unwrap_or(self.laps),
            session_record_count: self.rows as i32,
        }
    }

    /// Rewrites the sub-header (see [`IbtWriter::sub_header`]), flushes, and returns the
    /// output and the sub-header written.
    pub fn finish(
        mut self,
        start_date: i64,
        lap_count: Option<i32>,
    ) -> Result<(W, DiskSubHeader), IbtError> {
        let sub = self.sub_header(start_date, lap_count);
        let path = self.path.clone();
        let io = |at: u64| {
            let path = path.clone();
            move |e: std::io::Error| IbtError::new(&path, at, IbtErrorKind::Io(e))
        };
        let end = self.pos;
        self.out.flush().map_err(io(end))?;
        self.out
            .seek(SeekFrom::Start(HEADER_LEN as u64))
            .map_err(io(HEADER_LEN as u64))?;
        self.out
            .write_all(&sub.encode())
            .map_err(io(HEADER_LEN as u64))?;
        self.out.seek(SeekFrom::Start(end)).map_err(io(end))?;
        self.out.flush().map_err(io(end))?;
        let out = self
            .out
            .into_inner()
            .map_err(|e| IbtError::new(&self.path, end, IbtErrorKind::Io(e.into_error())))?;
        Ok((out, sub))
    }
}
