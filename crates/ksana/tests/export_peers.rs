//! Peer check of `ksana export --format csv`: the CSV of the real `.ibt` fixture, read with
//! pandas, equals what pyirsdk's `IBT` reader returns for every variable of every record
//! (`tools/peers/csv_vs_ibt.py`); a CSV with one value changed is caught by the same check.

use std::path::Path;
use std::process::{Command, Output};

const IBT: &str = "iracing/ibt_2024_390rows.ibt";

fn ksana(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(args)
        .output()
        .expect("run ksana")
}

fn checker(py: &Path, csv: &Path, ibt: &Path) -> Output {
    Command::new(py)
        .arg(ksana_testkit::repo_root().join("tools/peers/csv_vs_ibt.py"))
        .arg(csv)
        .arg(ibt)
        .output()
        .expect("run the peer checker")
}

#[test]
fn csv_of_the_ibt_equals_pyirsdk_through_pandas() {
    let Some(ibt) = ksana_testkit::fixture(IBT) else {
        return;
    };
    let Some(py) = ksana_testkit::peer_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out.csv");
    let o = ksana(&[
        "export".as_ref(),
        ibt.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
        "-o".as_ref(),
        csv.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("390 rows × 283 columns as csv"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let c = checker(&py, &csv, &ibt);
    let out = String::from_utf8_lossy(&c.stdout);
    assert!(
        c.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&c.stderr)
    );
    assert!(
        out.contains("ok: 276 variables, 283 columns, 390 rows, 109590 values equal"),
        "{out}"
    );

    // The check can fail: change the last digit of Speed in the first data row.
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[2].split(',').collect();
    let col = header.iter().position(|h| *h == "Speed").unwrap();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_owned).collect();
    let cell = &mut cells[col];
    let last = cell.pop().unwrap();
    cell.push(if last == '1' { '2' } else { '1' });
    lines[3] = cells.join(",");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let c = checker(&py, &bad, &ibt);
    let out = String::from_utf8_lossy(&c.stdout);
    assert!(!c.status.success(), "{out}");
    assert!(out.contains("row 0 Speed"), "{out}");
}
