//! `ksana export --format motec -o NAME.ld`: writes NAME.ld and NAME.ldx (lap beacons) through
//! temporary files; never overwrites either; an error leaves neither behind. The files'
//! contents are checked by an independent reader in crates/ksana-export/tests/motec.rs.

use std::path::Path;
use std::process::{Command, Output};

fn ksana(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run ksana")
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

#[test]
fn writes_the_ld_and_its_ldx_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = ksana(
        d,
        &[
            "simulate",
            "--sim",
            "acc",
            "--scenario",
            "laps",
            "--duration",
            "200",
            "--rate",
            "30",
            "-o",
            "rec.ksana",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let args = [
        "export",
        "rec.ksana",
        "--format",
        "motec",
        "-o",
        "run.ld",
        "--channels",
        "speedKmh,gear",
    ];
    let o = ksana(d, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(entries(d), ["rec.ksana", "run.ld", "run.ldx"]);
    let ld = std::fs::read(d.join("run.ld")).unwrap();
    assert_eq!(u32_at(&ld, 0), 0x40, "the .ld marker");
    assert_eq!(u32_at(&ld, 0x56), 3, "Lap Number, speedKmh, gear");
    assert_eq!(
        &ld[0x15E..0x168],
        b"ksana_ring",
        "the venue from the detected session"
    );
    let ldx = std::fs::read_to_string(d.join("run.ldx")).unwrap();
    assert_eq!(
        ldx.matches("<Marker ").count(),
        2,
        "two completed laps: {ldx}"
    );
    assert!(
        ldx.contains("<String Id=\"Fastest Lap\" Value=\"2\"/>"),
        "{ldx}"
    );

    // Never overwrites: neither the .ld nor, alone, the .ldx.
    let o = ksana(d, &args);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("run.ld exists"));
    std::fs::remove_file(d.join("run.ld")).unwrap();
    let o = ksana(d, &args);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("run.ldx exists"));
    assert_eq!(entries(d), ["rec.ksana", "run.ldx"]);
    assert_eq!(std::fs::read_to_string(d.join("run.ldx")).unwrap(), ldx);

    // An error during the export leaves neither file (nor a temporary one).
    std::fs::remove_file(d.join("run.ldx")).unwrap();
    let o = ksana(
        d,
        &[
            "export",
            "rec.ksana",
            "--format",
            "motec",
            "-o",
            "run.ld",
            "--rate",
            "2.5",
        ],
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("whole numbers of Hz"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(entries(d), ["rec.ksana"]);
}

#[test]
fn the_ibt_fixture_exports_every_numeric_variable() {
    let Some(ibt) = ksana_testkit::fixture("iracing/ibt_2024_390rows.ibt") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("ibt.ld");
    let o = Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args([
            "export".as_ref(),
            ibt.as_os_str(),
            "--format".as_ref(),
            "motec".as_ref(),
        ])
        .args(["-o".as_ref(), out.as_os_str()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let list = Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args([
            "export".as_ref(),
            ibt.as_os_str(),
            "--list-channels".as_ref(),
        ])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&list.stdout);
    let numeric = listing
        .lines()
        .skip(1)
        .filter(|l| {
            let ty = l.split_whitespace().nth(1).unwrap_or("");
            !matches!(ty, "string" | "char")
        })
        .count();
    let ld = std::fs::read(&out).unwrap();
    assert_eq!(u32_at(&ld, 0x56) as usize, numeric + 1, "and Lap Number");
    assert!(d.join("ibt.ldx").exists());
}
