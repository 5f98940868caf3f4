//! Legacy files written byte by byte from the reference tables
//! (shared/reference/legacy-formats.md §2–§3), independently of the crate's readers.

#![allow(dead_code)]

use std::io::Write;

/// zlib (RFC 1950) of `b`, as both old tools wrote each frame.
pub fn zlib(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn le32(v: &mut Vec<u8>, x: i32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// §2.1: ksana file header, 72 bytes.
pub fn ksana_header(version: i32, fps: i32, id: &[u8; 4], payload_version: i32) -> Vec<u8> {
    let mut v = b"RECROCKS".to_vec();
    le32(&mut v, version);
    le32(&mut v, fps);
    v.extend_from_slice(id);
    if version >= 2 {
        le32(&mut v, payload_version);
    }
    v.resize(72, 0);
    v
}

/// §3: shm-debugger header with id, 72 bytes.
pub fn shmd_header(fps: i32, id: &[u8; 4]) -> Vec<u8> {
    let mut v = b"RECROCKS".to_vec();
    le32(&mut v, fps);
    v.extend_from_slice(id);
    v.resize(72, 0);
    v
}

/// §3: the prototype header: magic, fps, 15 zero i32.
pub fn proto_header(fps: i32) -> Vec<u8> {
    let mut v = b"RECROCKS".to_vec();
    le32(&mut v, fps);
    v.resize(72, 0);
    v
}

/// §2.2: ksana record: i32 header_size 12, u32 clen, u32 raw_len, zlib.
pub fn ksana_record(payload: &[u8]) -> Vec<u8> {
    let z = zlib(payload);
    let mut v = Vec::new();
    le32(&mut v, 12);
    v.extend_from_slice(&(z.len() as u32).to_le_bytes());
    v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    v.extend_from_slice(&z);
    v
}

/// §3: shm-debugger record: u32 clen, u32 raw_len, zlib.
pub fn shmd_record(payload: &[u8]) -> Vec<u8> {
    let z = zlib(payload);
    let mut v = Vec::new();
    v.extend_from_slice(&(z.len() as u32).to_le_bytes());
    v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    v.extend_from_slice(&z);
    v
}

/// An iRacing variable for [`var_header`].
#[derive(Clone, Copy)]
pub struct Var {
    pub ty: i32,
    pub offset: i32,
    pub count: i32,
    pub name: &'static str,
}

/// §2.3: `irsdk_varHeader`, 144 bytes.
pub fn var_header(v: &Var) -> Vec<u8> {
    let mut b = Vec::new();
    le32(&mut b, v.ty);
    le32(&mut b, v.offset);
    le32(&mut b, v.count);
    b.push(0); // countAsTime
    b.extend_from_slice(&[0; 3]);
    let mut name = v.name.as_bytes().to_vec();
    name.resize(32, 0);
    b.extend_from_slice(&name);
    let mut desc = format!("the {}", v.name).into_bytes();
    desc.resize(64, 0);
    b.extend_from_slice(&desc);
    let mut unit = b"s".to_vec();
    unit.resize(32, 0);
    b.extend_from_slice(&unit);
    assert_eq!(b.len(), 144);
    b
}

/// The default variable set: SessionTime (double) at 0, SessionTick (int) at 8, Speed
/// (float) at 12; a row of 16 bytes.
pub const VARS: [Var; 3] = [
    Var {
        ty: 5,
        offset: 0,
        count: 1,
        name: "SessionTime",
    },
    Var {
        ty: 2,
        offset: 8,
        count: 1,
        name: "SessionTick",
    },
    Var {
        ty: 4,
        offset: 12,
        count: 1,
        name: "Speed",
    },
];

/// A second variable set (an extra variable: row of 20 bytes).
pub const VARS2: [Var; 4] = [
    Var {
        ty: 5,
        offset: 0,
        count: 1,
        name: "SessionTime",
    },
    Var {
        ty: 2,
        offset: 8,
        count: 1,
        name: "SessionTick",
    },
    Var {
        ty: 4,
        offset: 12,
        count: 1,
        name: "Speed",
    },
    Var {
        ty: 4,
        offset: 16,
        count: 1,
        name: "RPM",
    },
];

/// §2.3: `irsdk_header`, 112 bytes, live values: ver 2, status 1, tickRate 60, the given
/// sessionInfoUpdate, numVars, bufLen; 3 buffers, the newest (index `newest`) at `tick`.
pub fn irsdk_header(num_vars: i32, buf_len: i32, update: i32, tick: i32, newest: usize) -> Vec<u8> {
    let mut b = Vec::new();
    for x in [
        2, 1, 60, update, 524_288, 112, num_vars, 524_400, 3, buf_len,
    ] {
        le32(&mut b, x);
    }
    le32(&mut b, 0); // pad1[0] (SDK 1.20 curBufTickCount)
    le32(&mut b, 0); // pad1[1]
    for i in 0..4 {
        let t = if i == newest {
            tick
        } else if i < 3 {
            tick - 1 - i as i32
        } else {
            0
        };
        le32(&mut b, t);
        le32(&mut b, 1_114_224 + 24_576 * i as i32);
        le32(&mut b, 0);
        le32(&mut b, 0);
    }
    assert_eq!(b.len(), 112);
    b
}

/// A row of `len` bytes for frame `n`: SessionTime n/5, SessionTick 100 + n, the rest a
/// pattern.
pub fn row(len: usize, n: u32) -> Vec<u8> {
    let mut r: Vec<u8> = (0..len).map(|i| (i as u32 * 7 + n * 13) as u8).collect();
    r[0..8].copy_from_slice(&(f64::from(n) / 5.0).to_le_bytes());
    r[8..12].copy_from_slice(&(100 + n as i32).to_le_bytes());
    r
}

/// §2.3 payload v1 / shm-debugger: header ‖ var headers ‖ u64 sl ‖ YAML ‖ u64 rl ‖ raw.
pub fn irac_v1(header: &[u8], vhs: &[u8], yaml: Option<&[u8]>, raw: &[u8]) -> Vec<u8> {
    let mut v = header.to_vec();
    v.extend_from_slice(vhs);
    let y = yaml.unwrap_or_default();
    v.extend_from_slice(&(y.len() as u64).to_le_bytes());
    v.extend_from_slice(y);
    v.extend_from_slice(&(raw.len() as u64).to_le_bytes());
    v.extend_from_slice(raw);
    v
}

/// §2.3 payload v2: type, 15 zero bytes, then as v1 with var headers only for type 0x01.
pub fn irac_v2(full: bool, header: &[u8], vhs: &[u8], yaml: Option<&[u8]>, raw: &[u8]) -> Vec<u8> {
    let mut v = vec![if full { 0x01 } else { 0x02 }];
    v.extend_from_slice(&[0; 15]);
    v.extend_from_slice(&irac_v1(header, if full { vhs } else { &[] }, yaml, raw));
    v
}

/// The concatenated var headers of `vars`.
pub fn table(vars: &[Var]) -> Vec<u8> {
    vars.iter().flat_map(var_header).collect()
}

/// A graphics block of `len` bytes: packetId, status AC_LIVE (2), a pattern.
pub fn graphics(len: usize, packet: i32) -> Vec<u8> {
    let mut g: Vec<u8> = (0..len).map(|i| (i as i32 * 3 + packet) as u8).collect();
    g[0..4].copy_from_slice(&packet.to_le_bytes());
    g[4..8].copy_from_slice(&2i32.to_le_bytes());
    g
}

/// A physics block of `len` bytes: packetId, then a pattern (tyre temperatures in °C range
/// are not Kelvin: bytes 152..168 are zeroed).
pub fn physics(len: usize, packet: i32) -> Vec<u8> {
    let mut p: Vec<u8> = (0..len).map(|i| (i as i32 * 5 + packet) as u8).collect();
    p[0..4].copy_from_slice(&packet.to_le_bytes());
    p[152..168].fill(0);
    p
}

/// A static block of `len` bytes: smVersion as UTF-16 at 0 (15 wchar), then a pattern.
pub fn statics(len: usize, sm_version: &str, salt: u8) -> Vec<u8> {
    let mut s: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(salt)).collect();
    s[..30].fill(0);
    for (i, u) in sm_version.encode_utf16().enumerate() {
        s[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    s
}

/// `b` zero-padded to `len`.
pub fn padded(b: &[u8], len: usize) -> Vec<u8> {
    let mut v = b.to_vec();
    v.resize(len, 0);
    v
}
