//! The bad-input matrix (docs/RELIABILITY.md): every command that reads a file, against every
//! kind of bad file. Each must give one clear line on stderr naming the file, exit 2, never
//! panic, and leave no partial output (no output file, no shared memory) behind.
//!
//! A command joins the matrix with one line in [`commands`]; a kind of bad input with one line
//! in [`inputs`].

mod reliability;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ksana_format::{Header, PageUpdate, Recording, Writer, WriterOptions};
use ksana_sims::testpattern::{PAGE_SIZE, fill_page, page_spec};
use reliability::{Rng, ksana};

/// A command under test: its arguments for an input file, an output path it must not leave
/// behind, and a private shared-memory root it must not publish into.
struct Cmd {
    name: &'static str,
    args: fn(input: &Path, output: &Path, shm: &Path) -> Vec<OsString>,
    /// Exit code on a crashed writer's test-pattern recording (readable, incomplete tail): 0
    /// for commands that use what is there; `inspect` exits 2 for any damage and prints its
    /// report anyway; None where a test-pattern recording is not an input the command takes.
    crashed_exit: Option<i32>,
    /// Whether the command must reject a file that starts with the recording magic but is
    /// damaged further in (or of a future version). `watch --once` reads only the frame it shows (the
    /// last), so damage elsewhere is not its business; `import` refuses any recording up front
    /// ("already a ksana recording", exit 1: a usage error); `export` of a test-pattern
    /// recording stops at "cannot be exported" before reading frames.
    deep: bool,
}

fn os(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    parts.iter().map(|p| p.as_ref().to_os_string()).collect()
}

/// Every command that reads a recording or a sim's file. Add a command (`laps`, …) here with one
/// entry; its output path is `o`.
fn commands() -> Vec<Cmd> {
    vec![
        Cmd {
            name: "inspect",
            args: |i, _, _| os(&[&"inspect", &i]),
            crashed_exit: Some(2),
            deep: true,
        },
        Cmd {
            name: "inspect --json",
            args: |i, _, _| os(&[&"inspect", &"--json", &i]),
            crashed_exit: Some(2),
            deep: true,
        },
        Cmd {
            name: "inspect --salvage",
            args: |i, _, _| os(&[&"inspect", &"--salvage", &i]),
            crashed_exit: Some(2),
            deep: true,
        },
        Cmd {
            name: "play",
            args: |i, _, shm| os(&[&"play", &"--shm-dir", &shm, &i]),
            crashed_exit: Some(0),
            deep: true,
        },
        Cmd {
            name: "play -i",
            args: |i, _, shm| os(&[&"play", &"--to", &"0.1", &"--shm-dir", &shm, &"-i", &i]),
            crashed_exit: Some(0),
            deep: true,
        },
        Cmd {
            name: "watch --once",
            args: |i, _, shm| os(&[&"watch", &"--once", &"--shm-dir", &shm, &i]),
            crashed_exit: Some(0),
            deep: false,
        },
        Cmd {
            name: "import",
            args: |i, o, _| os(&[&"import", &"-o", &o, &i]),
            crashed_exit: None,
            deep: false,
        },
        Cmd {
            name: "laps",
            args: |i, _, _| os(&[&"laps", &i]),
            crashed_exit: None,
            // A test-pattern recording has no laps to time: `laps` says so (exit 1) at its
            // first frame, before damage further in is reached.
            deep: false,
        },
        Cmd {
            name: "laps --json --save",
            args: |i, o, _| os(&[&"laps", &"--json", &"--save", &"--db", &o, &i]),
            crashed_exit: None,
            deep: false,
        },
        Cmd {
            name: "export --format ibt",
            args: |i, o, _| os(&[&"export", &"--format", &"ibt", &"-o", &o, &i]),
            crashed_exit: None,
            deep: false,
        },
    ]
}

/// A healthy recording of the test pattern: 3 s at 1 kHz in 1 s chunks, closed with a footer
/// (not re-packed, so there are several chunks to damage).
fn healthy(dir: &Path) -> Vec<u8> {
    let path = dir.join("healthy.ksana");
    let opts = WriterOptions {
        compact_on_close: None,
        ..Default::default()
    };
    let mut w = Writer::create(&path, Header::new("testpattern", vec![page_spec()]), opts).unwrap();
    let mut page = vec![0u8; PAGE_SIZE];
    for c in 1..=3000u64 {
        fill_page(&mut page, c, c * 1_000_000);
        w.write_frame(
            c * 1_000_000,
            Some(c),
            &[PageUpdate {
                page: 0,
                data: &page,
            }],
        )
        .unwrap();
    }
    w.close().unwrap();
    std::fs::read(&path).unwrap()
}

/// Rewrites the block header at `at`: body length `len`, header CRC recomputed so that a reader
/// trusts the length and must bound it itself.
fn declare_body_len(bytes: &mut [u8], at: usize, len: u32) {
    bytes[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
    let crc = crc32c::crc32c(&bytes[at..at + 12]);
    bytes[at + 12..at + 16].copy_from_slice(&crc.to_le_bytes());
}

/// A kind of bad input: its name and how to make it in `dir` from a healthy recording.
type Maker = fn(dir: &Path, good: &[u8], chunks: &[(u64, u64)]) -> PathBuf;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Every kind of bad input. `chunks` are the healthy file's (offset, stored bytes).
fn inputs() -> Vec<(&'static str, Maker)> {
    vec![
        ("empty", |d, _, _| write(d, "empty.ksana", b"")),
        ("truncated in the preamble", |d, g, _| {
            write(d, "trunc-pre.ksana", &g[..10])
        }),
        ("truncated in the header block", |d, g, _| {
            write(d, "trunc-head.ksana", &g[..40])
        }),
        ("wrong magic", |d, g, _| {
            let mut b = g.to_vec();
            b[1] = b'X';
            write(d, "magic.ksana", &b)
        }),
        ("a text file", |d, _, _| {
            write(d, "notes.ksana", b"lap 1 1:42.3\nlap 2 1:41.9\n")
        }),
        ("future major version", |d, g, _| {
            let mut b = g.to_vec();
            b[8..10].copy_from_slice(&2u16.to_le_bytes());
            write(d, "future.ksana", &b)
        }),
        ("bit flipped in the header body", |d, g, _| {
            let mut b = g.to_vec();
            b[16 + 16 + 3] ^= 0x10;
            write(d, "flip-head.ksana", &b)
        }),
        ("bit flipped in a chunk", |d, g, c| {
            let mut b = g.to_vec();
            let (off, len) = c[1];
            b[(off + len / 2) as usize] ^= 0x04;
            write(d, "flip-chunk.ksana", &b)
        }),
        ("random bytes", |d, _, _| {
            let mut rng = Rng::new(7);
            let b: Vec<u8> = (0..65536).map(|_| rng.next_u64() as u8).collect();
            write(d, "random.ksana", &b)
        }),
        ("random bytes after a valid preamble", |d, g, _| {
            let mut rng = Rng::new(8);
            let mut b = g[..16].to_vec();
            b.extend((0..65536).map(|_| rng.next_u64() as u8));
            write(d, "random-body.ksana", &b)
        }),
        ("header block declaring 4 GiB", |d, g, _| {
            let mut b = g.to_vec();
            declare_body_len(&mut b, 16, u32::MAX);
            write(d, "huge-head.ksana", &b)
        }),
        ("header block declaring 512 MiB", |d, g, _| {
            let mut b = g.to_vec();
            declare_body_len(&mut b, 16, 512 << 20);
            write(d, "big-head.ksana", &b)
        }),
        ("chunk declaring 4 GiB", |d, g, c| {
            let mut b = g.to_vec();
            declare_body_len(&mut b, c[1].0 as usize, u32::MAX);
            write(d, "huge-chunk.ksana", &b)
        }),
        ("a directory", |d, _, _| {
            let p = d.join("folder.ksana");
            std::fs::create_dir(&p).unwrap();
            p
        }),
        ("a missing file", |d, _, _| d.join("missing.ksana")),
    ]
}

/// True when `path` is a file that starts with the recording magic.
fn starts_as_recording(path: &Path, good: &[u8]) -> bool {
    std::fs::read(path).is_ok_and(|b| b.len() >= 8 && b[..8] == good[..8])
}

/// Runs `cmd` on `input`; returns a description of everything wrong with how it failed.
fn judge(cmd: &Cmd, input: &Path, dir: &Path) -> Vec<String> {
    judge_with_stderr(cmd, input, dir).0
}

/// [`judge`], also returning the command's stderr.
fn judge_with_stderr(cmd: &Cmd, input: &Path, dir: &Path) -> (Vec<String>, String) {
    let out = dir.join("out.bin");
    let shm = tempfile::tempdir().unwrap();
    let o = ksana()
        .args((cmd.args)(input, &out, shm.path()))
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let mut wrong = Vec::new();
    if o.status.code() != Some(2) {
        wrong.push(format!("exit {:?}, expected 2", o.status.code()));
    }
    if err.contains("panicked") || err.contains("stack backtrace") {
        wrong.push(format!("panicked: {err}"));
    }
    // The error is one line that names the file. `inspect`, which reports what it could read
    // before the damage, may add a `hint:` line and a summary `error:` line, each one line.
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let name = input.file_name().unwrap().to_string_lossy();
    let named = |l: &&str| l.starts_with("error: ") && l.contains(name.as_ref());
    let ok = lines.first().is_some_and(named)
        && lines.iter().all(|l| named(l) || l.starts_with("hint: "));
    if !ok {
        wrong.push(format!(
            "stderr is not an `error: …` line naming {name}: {err:?}"
        ));
    }
    if out.exists() {
        wrong.push("left an output file".into());
        let _ = std::fs::remove_file(&out);
    }
    if std::fs::read_dir(shm.path()).unwrap().next().is_some() {
        wrong.push("created shared memory".into());
    }
    (wrong, err.into_owned())
}

#[test]
fn every_command_rejects_every_bad_input_with_one_clear_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = healthy(dir.path());
    let chunks: Vec<(u64, u64)> = Recording::from_bytes(good.clone())
        .unwrap()
        .chunks()
        .iter()
        .map(|c| (c.offset, c.stored_bytes))
        .collect();
    assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    let mut cases: Vec<(&str, PathBuf)> = inputs()
        .into_iter()
        .map(|(name, make)| (name, make(dir.path(), &good, &chunks)))
        .collect();
    if let Some(p) = unreadable(dir.path(), &good) {
        cases.push(("no read permission", p));
    }
    let mut failures = Vec::new();
    let mut runs = 0;
    for cmd in commands() {
        for (what, path) in &cases {
            if !cmd.deep && starts_as_recording(path, &good) {
                continue;
            }
            runs += 1;
            for w in judge(&cmd, path, dir.path()) {
                failures.push(format!("{} on {what}: {w}", cmd.name));
            }
        }
    }
    eprintln!("{runs} command × input runs, {} problems", failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A copy of the recording this process cannot read, or None (with a note) when permissions do
/// not bind it: root (CAP_DAC_OVERRIDE) reads a mode-000 file, so that case cannot be made.
fn unreadable(dir: &Path, good: &[u8]) -> Option<PathBuf> {
    let p = write(dir, "locked.ksana", good);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::File::open(&p).is_ok() {
            eprintln!(
                "SKIPPED no-permission case: this process reads a mode-000 file (running as root)"
            );
            return None;
        }
        Some(p)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        eprintln!("SKIPPED no-permission case: made with Unix mode bits, not on this OS");
        None
    }
}

/// The other side of the matrix: a file that a crashed writer left (cut inside a chunk, no
/// footer) is not bad input. Every command reads what is there (inspect prints its report and,
/// as for any damage, exits 2), so that the matrix above does not pass by rejecting everything.
#[test]
fn a_crashed_writers_file_is_readable_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let good = healthy(dir.path());
    let rec = Recording::from_bytes(good.clone()).unwrap();
    let last = *rec.chunks().last().unwrap();
    let kept: u32 = rec.chunks().iter().map(|c| c.frame_count).sum::<u32>() - last.frame_count;
    let cut = write(
        dir.path(),
        "crashed.ksana",
        &good[..(last.offset + last.stored_bytes / 2) as usize],
    );
    for cmd in commands() {
        let Some(expected) = cmd.crashed_exit else {
            continue;
        };
        let out = dir.path().join("out.bin");
        let shm = tempfile::tempdir().unwrap();
        let o = ksana()
            .args((cmd.args)(&cut, &out, shm.path()))
            .args(["--speed", "16"].iter().filter(|_| cmd.name == "play"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(expected), "{}: {err}", cmd.name);
        assert!(!err.contains("panicked"), "{}: {err}", cmd.name);
        if cmd.name.starts_with("inspect") {
            // The report covers every whole chunk before the cut.
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(out.contains(&kept.to_string()), "{}: {out}", cmd.name);
        }
    }
}

/// A kind of bad iRacing file: how to make it in `dir` from the 390-row `.ibt` fixture and the
/// 2024 live-memory image (`memdump_2024.bin`). In [`ibt_inputs`] each kind also says whether
/// `inspect --salvage` must read it (rows cut short, or a record count larger than the rows:
/// salvage reads the whole rows there are and exits 0).
type IbtMaker = fn(dir: &Path, ibt: &[u8], live: &[u8]) -> PathBuf;

/// `bytes` with the little-endian i32 at `at` replaced by `v`.
fn put_i32(bytes: &[u8], at: usize, v: i32) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    b
}

/// Offsets in the fixture (its README): var headers at 144, YAML at 39,888, rows of 1,072
/// bytes at 53,764. Header fields: sessionInfoLen @16, sessionInfoOffset @20, numVars @24,
/// bufLen @36, varBuf[n].bufOffset @52+16n, sessionRecordCount @140; a var header's offset @4.
fn ibt_inputs() -> Vec<(&'static str, bool, IbtMaker)> {
    vec![
        ("ibt truncated in the header", false, |d, g, _| {
            write(d, "cut-header.ibt", &g[..60])
        }),
        ("ibt truncated in the var headers", false, |d, g, _| {
            write(d, "cut-vars.ibt", &g[..144 + 144 * 10 + 7])
        }),
        ("ibt truncated in the YAML", false, |d, g, _| {
            write(d, "cut-yaml.ibt", &g[..39_888 + 100])
        }),
        ("ibt truncated in a row", true, |d, g, _| {
            write(d, "cut-row.ibt", &g[..53_764 + 1072 * 5 + 300])
        }),
        ("ibt declaring numVars 2^31-1", false, |d, g, _| {
            write(d, "huge-numvars.ibt", &put_i32(g, 24, i32::MAX))
        }),
        ("ibt declaring numVars -1", false, |d, g, _| {
            write(d, "neg-numvars.ibt", &put_i32(g, 24, -1))
        }),
        ("ibt declaring bufLen 2^31-1", false, |d, g, _| {
            write(d, "huge-buflen.ibt", &put_i32(g, 36, i32::MAX))
        }),
        ("ibt declaring sessionInfoLen 2^31-1", false, |d, g, _| {
            write(d, "huge-yamllen.ibt", &put_i32(g, 16, i32::MAX))
        }),
        ("ibt with the YAML offset past the end", false, |d, g, _| {
            write(d, "yaml-past.ibt", &put_i32(g, 20, g.len() as i32 + 10))
        }),
        (
            "ibt with the rows' offset past the end",
            false,
            |d, g, _| write(d, "rows-past.ibt", &put_i32(g, 52, g.len() as i32 + 4096)),
        ),
        ("ibt with a var offset past the row", false, |d, g, _| {
            write(d, "var-past.ibt", &put_i32(g, 144 + 4, 0x7fff_fff0))
        }),
        ("ibt declaring 2^31-1 records", true, |d, g, _| {
            write(d, "huge-count.ibt", &put_i32(g, 140, i32::MAX))
        }),
        ("live image declaring numVars 100000", false, |d, _, l| {
            write(d, "live-numvars.ibt", &put_i32(l, 24, 100_000))
        }),
        (
            "live image with a row buffer past the end",
            false,
            |d, _, l| {
                write(
                    d,
                    "live-buf-past.ibt",
                    &put_i32(l, 52 + 16, l.len() as i32 + 4096),
                )
            },
        ),
        (
            "live image truncated in the var headers",
            false,
            |d, _, l| write(d, "live-cut.ibt", &l[..524_400 + 144 * 3]),
        ),
    ]
}

/// The iRacing side of the matrix: every command on every broken `.ibt` / live image gives one
/// `error:` line naming the file and the byte where the damage is, exit 2, no output, no
/// shared memory. The unbroken fixtures are read (exit 0), so the matrix cannot pass by
/// rejecting every iRacing file.
#[test]
fn every_command_rejects_every_bad_ibt_with_one_clear_line_and_exit_2() {
    let (Some(ibt), Some(live)) = (
        ksana_testkit::fixture("iracing/ibt_2024_390rows.ibt"),
        ksana_testkit::fixture("iracing/memdump_2024.bin"),
    ) else {
        return;
    };
    let (ibt, live) = (std::fs::read(ibt).unwrap(), std::fs::read(live).unwrap());
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("good.ibt", &ibt), ("good-live.ibt", &live)] {
        let p = write(dir.path(), name, bytes);
        let o = ksana().arg("inspect").arg(&p).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "inspect {name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut failures = Vec::new();
    let mut runs = 0;
    for (what, salvageable, make) in ibt_inputs() {
        let path = make(dir.path(), &ibt, &live);
        for cmd in commands() {
            if salvageable && cmd.name == "inspect --salvage" {
                // Not bad input for salvage: it reads the whole rows there are.
                let o = ksana()
                    .arg("inspect")
                    .arg("--salvage")
                    .arg(&path)
                    .output()
                    .unwrap();
                if o.status.code() != Some(0) {
                    failures.push(format!(
                        "inspect --salvage on {what}: exit {:?}, expected 0 (salvaged): {}",
                        o.status.code(),
                        String::from_utf8_lossy(&o.stderr)
                    ));
                }
                continue;
            }
            runs += 1;
            let (mut wrong, err) = judge_with_stderr(&cmd, &path, dir.path());
            // Where the damage is: `FILE: byte N: …`.
            if !err.contains(&format!("{}: byte ", path.display())) {
                wrong.push(format!("no `FILE: byte N:` in {err:?}"));
            }
            for w in wrong {
                failures.push(format!("{} on {what}: {w}", cmd.name));
            }
        }
    }
    eprintln!(
        "{runs} command × .ibt input runs, {} problems",
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
