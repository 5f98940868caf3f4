//! The iRacing payload `irac` (reference §2.3 and §3): `irsdk_header`, var headers (all,
//! none, or — in shm-debugger files before 2024-03-09 — only the first), the session YAML
//! when it changed, and the newest row. Every length is checked against the frame.

use ksana_sims::iracing::layout::{HEADER_LEN, Header, MAX_VARS, VAR_HEADER_LEN};

/// Frame type of payload version 2: var headers present.
pub const FRAME_FULL: u8 = 0x01;
/// Frame type of payload version 2: var headers absent (unchanged).
pub const FRAME_DATA_ONLY: u8 = 0x02;
/// Length of the payload-version-2 frame header (type byte, 15 reserved bytes).
pub const V2_PREFIX: usize = 16;
/// The largest row accepted (`bufLen`).
pub const MAX_BUF_LEN: usize = 16 << 20;

/// How many var headers a frame holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarHeaders {
    /// `numVars` of them (ksana payload v1; v2 FULL frames).
    All,
    /// None (v2 DATA_ONLY frames).
    None,
    /// `numVars` or exactly one, told by the frame length (shm-debugger).
    Infer,
}

/// One decoded iRacing frame, borrowing from the decompressed bytes.
#[derive(Clone, Debug)]
pub struct IracFrame<'a> {
    /// The header as recorded (verbatim).
    pub header: Header,
    /// The var-header table stored in this frame, if any (`stored_vars` × 144 bytes).
    pub var_headers: Option<&'a [u8]>,
    /// How many var headers the table holds (may be 1 while `numVars` is more).
    pub stored_vars: usize,
    /// The session YAML, when the frame carries it.
    pub yaml: Option<&'a [u8]>,
    /// The row (`bufLen` bytes).
    pub row: &'a [u8],
}

/// A fault inside a frame: offset in the decompressed payload and what.
pub type PayloadError = (usize, String);

fn u64_at(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

/// Decodes a frame of payload `version` (1 or 2); `shm_debugger` selects the inferred
/// var-header count of shm-debugger files.
pub fn parse(
    frame: &[u8],
    version: i32,
    shm_debugger: bool,
) -> Result<IracFrame<'_>, PayloadError> {
    let (body, base, vh) = if version >= 2 {
        let Some(&ty) = frame.first() else {
            return Err((0, "empty frame".into()));
        };
        if frame.len() < V2_PREFIX {
            return Err((
                frame.len(),
                "frame shorter than its 16-byte type header".into(),
            ));
        }
        let vh = match ty {
            FRAME_FULL => VarHeaders::All,
            FRAME_DATA_ONLY => VarHeaders::None,
            t => {
                return Err((
                    0,
                    format!("frame type {t:#04x} (known: 0x01 full, 0x02 data only)"),
                ));
            }
        };
        (&frame[V2_PREFIX..], V2_PREFIX, vh)
    } else if shm_debugger {
        (frame, 0, VarHeaders::Infer)
    } else {
        (frame, 0, VarHeaders::All)
    };
    parse_body(body, vh).map_err(|(o, w)| (o + base, w))
}

fn parse_body(b: &[u8], vh: VarHeaders) -> Result<IracFrame<'_>, PayloadError> {
    let header = Header::parse(b).map_err(|e| (e.offset, e.what))?;
    if !(1..=MAX_VARS as i32).contains(&header.num_vars) {
        return Err((
            24,
            format!("numVars {} (expected 1..=4096)", header.num_vars),
        ));
    }
    if header.buf_len <= 0 || header.buf_len as usize > MAX_BUF_LEN {
        return Err((
            36,
            format!("bufLen {} (expected 1..=16 MiB)", header.buf_len),
        ));
    }
    let n = header.num_vars as usize;
    let tries: &[usize] = match vh {
        VarHeaders::All => &[n],
        VarHeaders::None => &[0],
        VarHeaders::Infer if n == 1 => &[1],
        VarHeaders::Infer => &[n, 1],
    };
    let mut first_err = None;
    for &k in tries {
        match body_with(b, header, k) {
            Ok(f) => return Ok(f),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or((0, "no layout fits".into())))
}

fn body_with(b: &[u8], header: Header, k: usize) -> Result<IracFrame<'_>, PayloadError> {
    let mut at = HEADER_LEN;
    let table_len = k * VAR_HEADER_LEN;
    if b.len() - at < table_len + 8 {
        return Err((
            b.len(),
            format!(
                "{} bytes, {k} var headers and a length need {}",
                b.len(),
                at + table_len + 8
            ),
        ));
    }
    let var_headers = (k > 0).then(|| &b[at..at + table_len]);
    at += table_len;
    let sl = u64_at(b, at);
    at += 8;
    let left = (b.len() - at) as u64;
    if left < 8 {
        return Err((
            at,
            format!("{left} bytes after the session info length, too few for the raw data length"),
        ));
    }
    if sl > left - 8 {
        return Err((
            at - 8,
            format!("session info length {sl}, {left} bytes left in the frame"),
        ));
    }
    let yaml = (sl > 0).then(|| &b[at..at + sl as usize]);
    at += sl as usize;
    let rl = u64_at(b, at);
    at += 8;
    let left = (b.len() - at) as u64;
    if rl != left {
        return Err((
            at - 8,
            format!("raw data length {rl}, but {left} bytes are left in the frame"),
        ));
    }
    if rl != header.buf_len as u64 {
        return Err((
            at - 8,
            format!(
                "raw data length {rl} differs from the header's bufLen {}",
                header.buf_len
            ),
        ));
    }
    Ok(IracFrame {
        header,
        var_headers,
        stored_vars: k,
        yaml,
        row: &b[at..],
    })
}
