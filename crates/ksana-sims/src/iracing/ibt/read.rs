//! Reading `.ibt` files and live-memory images: validation up front, rows streamed.

use std::fs::File;
use std::path::{Path, PathBuf};

use ksana_format::{FileSource, Source};

use super::{IBT_VAR_HEADER_OFFSET, IbtError, IbtErrorKind, IbtKind, MAX_YAML_LEN, sniff};
use crate::iracing::layout::{
    DISK_SUBHEADER_LEN, DiskSubHeader, HEADER_LEN, Header, VAR_HEADER_LEN, VarHeader,
    parse_var_headers, yaml_text,
};

/// How [`IbtFile`] treats a damaged file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IbtOptions {
    /// When the rows do not match the record count (the file was cut, or has bytes after its
    /// last record), read every complete row the count allows instead of failing. The
    /// dropped bytes are described in [`IbtFile::notes`].
    pub salvage: bool,
}

/// Rows read per batch by [`RowReader`]: bounds memory whatever the file's size.
const BATCH_BYTES: usize = 256 * 1024;

/// An opened, validated iRacing file. Header, sub-header, var headers and YAML are in memory
/// (at most 4096 × 144 bytes and [`MAX_YAML_LEN`]); rows are read on demand by [`RowReader`].
pub struct IbtFile {
    path: PathBuf,
    src: Box<dyn Source>,
    kind: IbtKind,
    header: Header,
    sub_header: Option<DiskSubHeader>,
    var_header_bytes: Vec<u8>,
    vars: Vec<VarHeader>,
    yaml: Vec<u8>,
    /// Disk: offset of record 0. Live image: unused.
    rows_at: u64,
    /// Live image: the buffers' offsets and tick counts, oldest first.
    live_rows: Vec<(u64, i32)>,
    record_count: u64,
    notes: Vec<String>,
}

impl std::fmt::Debug for IbtFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IbtFile")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("header", &self.header)
            .field("sub_header", &self.sub_header)
            .field("vars", &self.vars.len())
            .field("yaml", &self.yaml.len())
            .field("record_count", &self.record_count)
            .finish()
    }
}

impl IbtFile {
    /// Opens and validates `path` (an `.ibt` or a live-memory image, told apart by content).
    pub fn open(path: impl AsRef<Path>, opts: IbtOptions) -> Result<IbtFile, IbtError> {
        let path = path.as_ref();
        let io = |e: std::io::Error| IbtError::new(path, 0, IbtErrorKind::Io(e));
        let src = FileSource::new(File::open(path).map_err(io)?).map_err(io)?;
        IbtFile::from_source(Box::new(src), path, opts)
    }

    /// Validates an image held in memory; `name` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, name: &Path, opts: IbtOptions) -> Result<IbtFile, IbtError> {
        IbtFile::from_source(Box::new(bytes), name, opts)
    }

    /// Validates the file behind any byte source; `path` names it in errors.
    pub fn from_source(
        src: Box<dyn Source>,
        path: &Path,
        opts: IbtOptions,
    ) -> Result<IbtFile, IbtError> {
        let len = src.len();
        let malformed = |off: u64, m: String| IbtError::new(path, off, IbtErrorKind::Malformed(m));
        if len < HEADER_LEN as u64 {
            return Err(IbtError::new(
                path,
                len,
                IbtErrorKind::Truncated(format!("{len} bytes, an irsdk_header needs {HEADER_LEN}")),
            ));
        }
        let mut head = [0u8; HEADER_LEN];
        read_at(&*src, path, 0, &mut head)?;
        let header = Header::parse(&head).map_err(|e| malformed(e.offset as u64, e.what))?;
        let Some(kind) = sniff(&head) else {
            // Say what is wrong in the layout's own words when the values are impossible,
            // else why it is neither shape.
            header.validate(usize::MAX / 4).map_err(|e| {
                malformed(e.offset as u64, format!("{}: not an iRacing file", e.what))
            })?;
            return Err(malformed(
                28,
                format!(
                    "numBuf {}, varHeaderOffset {}, sessionInfoOffset {}: neither an .ibt \
                     (numBuf 1, var headers at 144) nor a live-memory image (numBuf 3, YAML at \
                     112, var headers at 524400)",
                    header.num_buf, header.var_header_offset, header.session_info_offset
                ),
            ));
        };
        // Values first (the regions are checked against the real length below, as truncations).
        header
            .validate(usize::MAX / 4)
            .map_err(|e| malformed(e.offset as u64, e.what))?;
        let mut f = IbtFile {
            path: path.to_path_buf(),
            src,
            kind,
            header,
            sub_header: None,
            var_header_bytes: Vec::new(),
            vars: Vec::new(),
            yaml: Vec::new(),
            rows_at: 0,
            live_rows: Vec::new(),
            record_count: 0,
            notes: Vec::new(),
        };
        if kind == IbtKind::Disk {
            let mut sub = [0u8; DISK_SUBHEADER_LEN];
            f.read_region(HEADER_LEN as u64, &mut sub, "the disk sub-header")?;
            f.sub_header = Some(
                DiskSubHeader::parse(&sub)
                    .map_err(|e| malformed((HEADER_LEN + e.offset) as u64, e.what))?,
            );
        }
        f.read_var_headers()?;
        f.read_yaml()?;
        match kind {
            IbtKind::Disk => f.count_disk_rows(opts)?,
            IbtKind::LiveImage => f.find_live_rows()?,
        }
        Ok(f)
    }

    fn read_region(&self, at: u64, buf: &mut [u8], what: &str) -> Result<(), IbtError> {
        let len = self.src.len();
        let end = at.saturating_add(buf.len() as u64);
        if end > len {
            return Err(IbtError::new(
                &self.path,
                len,
                IbtErrorKind::Truncated(format!(
                    "{what} spans bytes {at}..{end}, the file ends at {len}"
                )),
            ));
        }
        read_at(&*self.src, &self.path, at, buf)
    }

    fn read_var_headers(&mut self) -> Result<(), IbtError> {
        let n = self.header.num_vars as usize; // validated: 1..=4096
        let at = self.header.var_header_offset as u64;
        let mut table = vec![0u8; n * VAR_HEADER_LEN];
        self.read_region(at, &mut table, &format!("the table of {n} var headers"))?;
        self.vars = parse_var_headers(&table, n, self.header.buf_len as usize).map_err(|e| {
            IbtError::new(
                &self.path,
                at + e.offset as u64,
                IbtErrorKind::Malformed(e.what),
            )
        })?;
        self.var_header_bytes = table;
        Ok(())
    }

    fn read_yaml(&mut self) -> Result<(), IbtError> {
        let n = self.header.session_info_len as usize; // validated: >= 0
        if n > MAX_YAML_LEN {
            return Err(IbtError::new(
                &self.path,
                16,
                IbtErrorKind::Malformed(format!(
                    "sessionInfoLen {n}: longer than the {MAX_YAML_LEN} bytes accepted"
                )),
            ));
        }
        let mut yaml = vec![0u8; n];
        let at = self.header.session_info_offset as u64;
        self.read_region(at, &mut yaml, "the session-info YAML")?;
        if self.kind == IbtKind::LiveImage {
            let used = yaml_text(&yaml).len();
            yaml.truncate(used);
        }
        self.yaml = yaml;
        Ok(())
    }

    /// Record count from the sub-header, cross-checked with the file size.
    fn count_disk_rows(&mut self, opts: IbtOptions) -> Result<(), IbtError> {
        let len = self.src.len();
        let buf_len = self.header.buf_len as u64;
        let at = self.header.var_buf[0].buf_offset as u64; // validated: >= 0
        if at < IBT_VAR_HEADER_OFFSET as u64 {
            return Err(IbtError::new(
                &self.path,
                52,
                IbtErrorKind::Malformed(format!(
                    "varBuf[0].bufOffset {at}: the records would overlap the headers"
                )),
            ));
        }
        if at > len {
            return Err(IbtError::new(
                &self.path,
                len,
                IbtErrorKind::Truncated(format!(
                    "the records start at byte {at}, the file ends at {len}"
                )),
            ));
        }
        self.rows_at = at;
        let stated = self.sub_header.map_or(0, |s| s.session_record_count);
        if stated < 0 {
            return Err(IbtError::new(
                &self.path,
                140,
                IbtErrorKind::Malformed(format!("sessionRecordCount {stated}")),
            ));
        }
        let stated = stated as u64;
        let whole = (len - at) / buf_len;
        let rest = (len - at) % buf_len;
        let cut_at = at + whole * buf_len;
        if stated == 0 {
            // The writer did not close the file: the rows on disk are all there is.
            if whole > 0 {
                self.notes.push(format!(
                    "sessionRecordCount is 0 (the writer did not close the file): {whole} \
                     records derived from the file size"
                ));
            }
            if rest > 0 {
                let what = format!(
                    "record {whole} is incomplete: {rest} of {buf_len} bytes at byte {cut_at}"
                );
                if !opts.salvage {
                    return Err(IbtError::new(
                        &self.path,
                        cut_at,
                        IbtErrorKind::Truncated(what),
                    ));
                }
                self.notes.push(format!("salvaged: {what} dropped"));
            }
            self.record_count = whole;
        } else if stated > whole {
            let what = format!(
                "sessionRecordCount {stated} needs {} bytes, the file has {len}: it ends in \
                 record {whole}",
                at as u128 + stated as u128 * buf_len as u128
            );
            if !opts.salvage {
                return Err(IbtError::new(
                    &self.path,
                    cut_at,
                    IbtErrorKind::Truncated(what),
                ));
            }
            self.notes.push(format!(
                "salvaged: {what}; read the {whole} complete records"
            ));
            self.record_count = whole;
        } else if stated < whole || rest > 0 {
            let end = at + stated * buf_len;
            let what = format!(
                "sessionRecordCount {stated} ends at byte {end}, but the file has {} more bytes",
                len - end
            );
            if !opts.salvage {
                return Err(IbtError::new(
                    &self.path,
                    end,
                    IbtErrorKind::Malformed(what),
                ));
            }
            self.notes.push(format!(
                "salvaged: {what}; read the {stated} records it states"
            ));
            self.record_count = stated;
        } else {
            self.record_count = stated;
        }
        Ok(())
    }

    /// The three rotating buffers of a live image, oldest tick first.
    fn find_live_rows(&mut self) -> Result<(), IbtError> {
        let n = self.header.num_buf as usize;
        let mut rows = Vec::with_capacity(n);
        let len = self.src.len();
        for (i, vb) in self.header.var_buf.iter().take(n).enumerate() {
            let at = vb.buf_offset as u64;
            let end = at + self.header.buf_len as u64;
            if end > len {
                return Err(IbtError::new(
                    &self.path,
                    len,
                    IbtErrorKind::Truncated(format!(
                        "row buffer {i} spans bytes {at}..{end}, the file ends at {len}"
                    )),
                ));
            }
            rows.push((at, vb.tick_count));
        }
        rows.sort_by_key(|&(_, t)| t);
        self.record_count = rows.len() as u64;
        self.live_rows = rows;
        Ok(())
    }

    /// The file's name in errors and reports.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Disk file or live-memory image.
    pub fn kind(&self) -> IbtKind {
        self.kind
    }

    /// The `irsdk_header` as read.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The disk sub-header (`None` for a live image, which has none).
    pub fn sub_header(&self) -> Option<&DiskSubHeader> {
        self.sub_header.as_ref()
    }

    /// The var-header table, `numVars` × 144 bytes exactly as in the file.
    pub fn var_header_bytes(&self) -> &[u8] {
        &self.var_header_bytes
    }

    /// The parsed var headers.
    pub fn vars(&self) -> &[VarHeader] {
        &self.vars
    }

    /// The session-info YAML: all `sessionInfoLen` bytes of an `.ibt`; a live image's text up
    /// to its first NUL.
    pub fn yaml(&self) -> &[u8] {
        &self.yaml
    }

    /// Bytes per row (`bufLen`).
    pub fn row_len(&self) -> usize {
        self.header.buf_len as usize
    }

    /// Rows the file holds: the sub-header's count when the file agrees, else derived from
    /// its size (see [`IbtFile::notes`]); 3 for a live image.
    pub fn record_count(&self) -> u64 {
        self.record_count
    }

    /// A live image's buffer tick counts, oldest first (empty for a disk file).
    pub fn live_ticks(&self) -> Vec<i32> {
        self.live_rows.iter().map(|&(_, t)| t).collect()
    }

    /// What the reader noticed and worked around: a zero record count, salvaged rows.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The var header named `name`.
    pub fn var(&self, name: &str) -> Option<&VarHeader> {
        self.vars.iter().find(|v| v.name == name)
    }

    /// Byte offset in the file of row `i` (`i < record_count`).
    pub fn row_offset(&self, i: u64) -> u64 {
        match self.kind {
            IbtKind::Disk => self.rows_at + i * self.header.buf_len as u64,
            IbtKind::LiveImage => self.live_rows[i as usize].0,
        }
    }

    /// Streams the rows in order (a live image's by tick), in bounded batches.
    pub fn rows(&self) -> RowReader<'_> {
        let row_len = self.row_len();
        let per_batch = (BATCH_BYTES / row_len).max(1);
        RowReader {
            file: self,
            next: 0,
            batch: Vec::new(),
            batch_first: 0,
            batch_rows: 0,
            per_batch,
        }
    }
}

/// Reads rows of an [`IbtFile`] one by one; memory is one batch of at most 256 KiB (or one
/// row, if larger).
pub struct RowReader<'f> {
    file: &'f IbtFile,
    next: u64,
    batch: Vec<u8>,
    batch_first: u64,
    batch_rows: u64,
    per_batch: usize,
}

impl RowReader<'_> {
    /// The next row, or `None` after the last. The slice is valid until the next call.
    pub fn next_row(&mut self) -> Result<Option<&[u8]>, IbtError> {
        let f = self.file;
        if self.next >= f.record_count {
            return Ok(None);
        }
        let row_len = f.row_len();
        if self.next >= self.batch_first + self.batch_rows {
            let n = match f.kind {
                IbtKind::Disk => (f.record_count - self.next).min(self.per_batch as u64),
                IbtKind::LiveImage => 1,
            };
            self.batch.resize(n as usize * row_len, 0);
            let at = f.row_offset(self.next);
            read_at(&*f.src, &f.path, at, &mut self.batch)?;
            self.batch_first = self.next;
            self.batch_rows = n;
        }
        let k = (self.next - self.batch_first) as usize;
        self.next += 1;
        Ok(Some(&self.batch[k * row_len..(k + 1) * row_len]))
    }

    /// Index of the row the next call returns.
    pub fn position(&self) -> u64 {
        self.next
    }
}

fn read_at(src: &dyn Source, path: &Path, at: u64, buf: &mut [u8]) -> Result<(), IbtError> {
    src.read_at(at, buf)
        .map_err(|e| IbtError::new(path, at, IbtErrorKind::Io(e)))
}
