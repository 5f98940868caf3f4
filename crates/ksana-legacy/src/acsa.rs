//! The AC / ACC payloads (reference §2.4 and §3): ksana's `acsa` (graphics 2048 ‖ physics
//! 1024 ‖ optional static 2048, with a 16-byte type header in payload version 2) and
//! shm-debugger's `accz` (graphics 1700 ‖ physics 1000 ‖ static 1000).

/// ksana block sizes: graphics, physics, static.
pub const KSANA_BLOCKS: [usize; 3] = [2048, 1024, 2048];
/// shm-debugger `accz` block sizes: graphics, physics, static.
pub const ACCZ_BLOCKS: [usize; 3] = [1700, 1000, 1000];
/// Payload version 2 type: statics present.
pub const WITH_STATICS: u8 = 0x01;
/// Payload version 2 type: statics absent (unchanged).
pub const NO_STATICS: u8 = 0x02;

/// One decoded AC-family frame.
#[derive(Clone, Copy, Debug)]
pub struct AcFrame<'a> {
    /// The graphics block.
    pub graphics: &'a [u8],
    /// The physics block.
    pub physics: &'a [u8],
    /// The static block, when the frame carries it.
    pub statics: Option<&'a [u8]>,
}

fn split(b: &[u8], sizes: [usize; 3], with_static: bool) -> AcFrame<'_> {
    let (g, rest) = b.split_at(sizes[0]);
    let (p, rest) = rest.split_at(sizes[1]);
    AcFrame {
        graphics: g,
        physics: p,
        statics: with_static.then(|| &rest[..sizes[2]]),
    }
}

/// Decodes an `acsa` frame of payload `version` (1 or 2). Errors: offset in the frame, what.
pub fn parse_acsa(frame: &[u8], version: i32) -> Result<AcFrame<'_>, (usize, String)> {
    let [g, p, s] = KSANA_BLOCKS;
    if version >= 2 {
        let Some(&ty) = frame.first() else {
            return Err((0, "empty frame".into()));
        };
        let body = frame.get(16..).unwrap_or_default();
        let with = match ty {
            WITH_STATICS => true,
            NO_STATICS => false,
            t => {
                return Err((
                    0,
                    format!("frame type {t:#04x} (known: 0x01 with statics, 0x02 without)"),
                ));
            }
        };
        let want = g + p + if with { s } else { 0 };
        if body.len() != want {
            return Err((
                0,
                format!(
                    "{} bytes, a frame of type {ty:#04x} has {}",
                    frame.len(),
                    want + 16
                ),
            ));
        }
        return Ok(split(body, KSANA_BLOCKS, with));
    }
    match frame.len() {
        5120 => Ok(split(frame, KSANA_BLOCKS, true)),
        3072 => Ok(split(frame, KSANA_BLOCKS, false)),
        n => Err((
            0,
            format!("{n} bytes (an AC frame has 5120, or 3072 without statics)"),
        )),
    }
}

/// Decodes an shm-debugger `accz` frame (always 3700 bytes).
pub fn parse_accz(frame: &[u8]) -> Result<AcFrame<'_>, (usize, String)> {
    if frame.len() != 3700 {
        return Err((0, format!("{} bytes (an accz frame has 3700)", frame.len())));
    }
    Ok(split(frame, ACCZ_BLOCKS, true))
}
