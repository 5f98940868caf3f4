//! `ksana import`, `inspect`, `export` and `play` argument handling on legacy files (old ksana
//! `RECROCKS` v1/v2 and shm-debugger), built here byte by byte from
//! shared/reference/legacy-formats.md §2–§3 (zlib as stored deflate blocks, RFC 1950/1951).

use std::path::Path;
use std::process::{Command, Output};

fn ksana(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(args)
        .output()
        .expect("run ksana")
}

fn os(x: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(x)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// RFC 1950 zlib of `data` with stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut v = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(65_535).collect()
    };
    for (i, c) in chunks.iter().enumerate() {
        v.push(u8::from(i + 1 == chunks.len())); // BFINAL, BTYPE 00
        let n = c.len() as u16;
        v.extend_from_slice(&n.to_le_bytes());
        v.extend_from_slice(&(!n).to_le_bytes());
        v.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    v.extend_from_slice(&((b << 16) | a).to_be_bytes());
    v
}

/// A ksana file header (§2.1) and records (§2.2) of `frames`.
fn ksana_file(version: i32, fps: i32, id: &[u8; 4], frames: &[Vec<u8>]) -> Vec<u8> {
    let mut f = b"RECROCKS".to_vec();
    f.extend_from_slice(&version.to_le_bytes());
    f.extend_from_slice(&fps.to_le_bytes());
    f.extend_from_slice(id);
    if version >= 2 {
        f.extend_from_slice(&2i32.to_le_bytes());
    }
    f.resize(72, 0);
    for p in frames {
        let z = zlib_stored(p);
        f.extend_from_slice(&12i32.to_le_bytes());
        f.extend_from_slice(&(z.len() as u32).to_le_bytes());
        f.extend_from_slice(&(p.len() as u32).to_le_bytes());
        f.extend_from_slice(&z);
    }
    f
}

/// An ACC frame of ksana payload v1 (§2.4): graphics 2048 ‖ physics 1024 ‖ static 2048.
fn acc_frame(n: i32) -> Vec<u8> {
    let mut g = vec![0u8; 2048];
    g[0..4].copy_from_slice(&n.to_le_bytes());
    g[4..8].copy_from_slice(&2i32.to_le_bytes()); // AC_LIVE
    let mut p = vec![0u8; 1024];
    p[0..4].copy_from_slice(&(100 + n).to_le_bytes());
    p[20..24].copy_from_slice(&(n as f32 * 1.5).to_le_bytes());
    let mut s = vec![0u8; 2048];
    for (i, u) in "1.9".encode_utf16().enumerate() {
        s[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    [g, p, s].concat()
}

/// An iRacing frame of payload v1 (§2.3) with one variable (SessionTime, double) and a YAML
/// in the first frame.
fn irac_frame(n: i32, yaml: &[u8]) -> Vec<u8> {
    let mut h = Vec::new();
    for x in [2, 1, 60, 1, 524_288, 112, 1, 524_400, 3, 8, 0, 0] {
        h.extend_from_slice(&i32::to_le_bytes(x));
    }
    for i in 0..4 {
        for x in [if i == 0 { 10 + n } else { 0 }, 1_114_224, 0, 0] {
            h.extend_from_slice(&i32::to_le_bytes(x));
        }
    }
    let mut vh = Vec::new();
    for x in [5, 0, 1] {
        vh.extend_from_slice(&i32::to_le_bytes(x));
    }
    vh.extend_from_slice(&[0; 4]);
    let mut name = b"SessionTime".to_vec();
    name.resize(32 + 64 + 32, 0);
    vh.extend_from_slice(&name);
    assert_eq!((h.len(), vh.len()), (112, 144));
    let mut f = [h, vh].concat();
    f.extend_from_slice(&(yaml.len() as u64).to_le_bytes());
    f.extend_from_slice(yaml);
    f.extend_from_slice(&8u64.to_le_bytes());
    f.extend_from_slice(&(f64::from(n) / 5.0).to_le_bytes());
    f
}

#[test]
fn import_inspect_export_of_legacy_files() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("ksana_acsa_20260319_09_16_39.bin");
    let frames: Vec<Vec<u8>> = (0..3).map(acc_frame).collect();
    std::fs::write(&old, ksana_file(1, 5, b"acsa", &frames)).unwrap();

    // inspect OLD directly.
    let o = ksana(&[os("inspect"), os("--json"), old.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["frames"], 3);
    assert_eq!(v["sim"], "acc");
    assert_eq!(v["last_ns"], 400_000_000);
    let meta = |v: &serde_json::Value, k: &str| {
        v["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .find(|kv| kv["key"] == k)
            .map(|kv| kv["value"].as_str().unwrap().to_string())
    };
    assert_eq!(meta(&v, "legacy.fps").as_deref(), Some("5"));
    assert_eq!(meta(&v, "legacy.format").as_deref(), Some("ksana-legacy"));

    // import OLD -o new.ksana, then the new file is an ordinary recording.
    let new = dir.path().join("new.ksana");
    let o = ksana(&[os("import"), old.as_os_str(), os("-o"), new.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("3 frames of Assetto Corsa Competizione"),
        "{}",
        text(&o.stdout)
    );
    let o = ksana(&[os("inspect"), os("--json"), new.as_os_str()]);
    assert_eq!(o.status.code(), Some(0));
    let w: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(w["frames"], 3);
    assert_eq!(w["index"]["source"], "footer");
    assert_eq!(
        meta(&w, "legacy.timestamps").as_deref(),
        Some(ksana_legacy_note())
    );

    // An iRacing v1 file exports as .ibt directly.
    let yaml = b"---\nWeekendInfo:\n TrackName: spa\n...\n";
    let old_ir = dir.path().join("ir.ksr");
    let frames: Vec<Vec<u8>> = (0..3)
        .map(|n| irac_frame(n, if n == 0 { yaml } else { b"" }))
        .collect();
    std::fs::write(&old_ir, ksana_file(1, 5, b"irac", &frames)).unwrap();
    let ibt = dir.path().join("ir.ibt");
    let o = ksana(&[
        os("export"),
        old_ir.as_os_str(),
        os("--format"),
        os("ibt"),
        os("-o"),
        ibt.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // header 112 + sub-header 32 + 1 var header + YAML + 3 rows of 8 bytes.
    let b = std::fs::read(&ibt).unwrap();
    assert_eq!(b.len(), 144 + 144 + yaml.len() + 3 * 8);
    assert_eq!(&b[b.len() - 8..], &(2.0f64 / 5.0).to_le_bytes());
}

/// The `legacy.timestamps` text (docs/LEGACY.md).
fn ksana_legacy_note() -> &'static str {
    "synthesised from the header fps: frame n at n/fps s (the legacy file stores no time)"
}

#[test]
fn corrupt_legacy_files_exit_2_with_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    // A v2 AC frame of an unknown type.
    let mut f = vec![7u8];
    f.resize(3088, 0);
    let bad = dir.path().join("bad.ksr");
    std::fs::write(&bad, ksana_file(2, 5, b"acsa", &[f])).unwrap();
    let x = dir.path().join("x.ksana");
    for args in [
        vec![os("inspect"), bad.as_os_str()],
        vec![os("import"), bad.as_os_str(), os("-o"), x.as_os_str()],
    ] {
        let o = ksana(&args);
        assert_eq!(o.status.code(), Some(2), "{:?}: {}", args, text(&o.stderr));
        let e = text(&o.stderr);
        assert!(
            e.contains("bad.ksr: byte 72: frame 0: payload byte 0: frame type 0x07"),
            "{e}"
        );
    }
    assert!(!x.exists(), "a failed import leaves no output");
    // Only the header of a file.
    let short = dir.path().join("short.bin");
    std::fs::write(&short, &ksana_file(1, 5, b"irac", &[])[..72]).unwrap();
    let o = ksana(&[os("inspect"), short.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("short.bin: byte 72: no frames after the header"));
}

#[test]
fn a_cut_legacy_file_imports_its_complete_frames_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let frames: Vec<Vec<u8>> = (0..3).map(acc_frame).collect();
    let whole = ksana_file(1, 5, b"acsa", &frames);
    let old = dir.path().join("cut.ksr");
    std::fs::write(&old, &whole[..whole.len() - 100]).unwrap();
    let new = dir.path().join("cut.ksana");
    let o = ksana(&[os("import"), old.as_os_str(), os("-o"), new.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains(": 2 frames of"));
    assert!(text(&o.stderr).contains("note: cut last frame dropped"));
    assert!(Path::new(&new).exists());
}

#[test]
fn play_publishes_a_legacy_file() {
    let dir = tempfile::tempdir().unwrap();
    let shm = tempfile::tempdir().unwrap();
    let old = dir.path().join("acc.ksr");
    let frames: Vec<Vec<u8>> = (0..6).map(acc_frame).collect();
    std::fs::write(&old, ksana_file(1, 20, b"acsa", &frames)).unwrap();
    let o = ksana(&[
        os("play"),
        os("--shm-dir"),
        shm.path().as_os_str(),
        old.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("played 6 frames"),
        "{}",
        text(&o.stdout)
    );
    // The last frame's physics stays in the page: packetId 105, the float 7.5 at 20. (Linux:
    // the mapping is a file that outlives the player; a Windows mapping goes with it.)
    if let Some(p) = shm_file(shm.path(), "acpmf_physics") {
        assert_eq!(p.len(), 4096);
        assert_eq!(&p[0..4], &105i32.to_le_bytes());
        assert_eq!(&p[20..24], &7.5f32.to_le_bytes());
    }

    // iRacing: the var header and the YAML land where the SDK reads them.
    let yaml = b"---\nWeekendInfo:\n TrackName: spa\n...\n";
    let old = dir.path().join("ir.ksr");
    let frames: Vec<Vec<u8>> = (0..4)
        .map(|n| irac_frame(n, if n == 0 { yaml } else { b"" }))
        .collect();
    std::fs::write(&old, ksana_file(1, 20, b"irac", &frames)).unwrap();
    let shm = tempfile::tempdir().unwrap();
    let o = ksana(&[
        os("play"),
        os("--shm-dir"),
        shm.path().as_os_str(),
        old.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let Some(m) = shm_file(shm.path(), "IRSDKMemMapFileName") else {
        return;
    };
    let vho = i32::from_le_bytes(m[28..32].try_into().unwrap()) as usize;
    let sio = i32::from_le_bytes(m[20..24].try_into().unwrap()) as usize;
    assert_eq!(&m[vho + 16..vho + 27], b"SessionTime");
    assert_eq!(&m[sio..sio + yaml.len()], yaml);
}

/// A mapping's bytes after its publisher exited: Linux keeps it as a file under the root; on
/// Windows a named mapping ends with its last handle (`None`).
fn shm_file(root: &Path, name: &str) -> Option<Vec<u8>> {
    if cfg!(unix) {
        Some(std::fs::read(root.join(name)).unwrap())
    } else {
        None
    }
}
