//! Peer check of `ksana export --format parquet`: the Parquet file of the real `.ibt` fixture,
//! read with pyarrow, equals what pyirsdk's `IBT` reader returns for every variable of every
//! record, in columns of each variable's own type (`tools/peers/parquet_vs_ibt.py`); a file
//! with one value changed by one ulp is caught by the same check.

use std::path::Path;
use std::process::{Command, Output};

const IBT: &str = "iracing/ibt_2024_390rows.ibt";

fn ksana(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ksana"))
        .args(args)
        .output()
        .expect("run ksana")
}

fn checker(py: &Path, parquet: &Path, ibt: &Path) -> Output {
    Command::new(py)
        .arg(ksana_testkit::repo_root().join("tools/peers/parquet_vs_ibt.py"))
        .arg(parquet)
        .arg(ibt)
        .output()
        .expect("run the peer checker")
}

/// Rewrites `src` into `dst` with pyarrow, `Speed` of the first row moved by one float32 ulp
/// (schema and key/value metadata kept).
const NUDGE: &str = r#"
import sys
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
i = t.column_names.index("Speed")
v = t.column(i).to_numpy().copy()
v[0] = np.nextafter(v[0], np.float32(np.inf))
t = t.set_column(i, t.schema.field(i), pa.array(v, type=pa.float32()))
pq.write_table(t, sys.argv[2])
"#;

#[test]
fn parquet_of_the_ibt_equals_pyirsdk_through_pyarrow() {
    let Some(ibt) = ksana_testkit::fixture(IBT) else {
        return;
    };
    let Some(py) = ksana_testkit::peer_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.parquet");
    let o = ksana(&[
        "export".as_ref(),
        ibt.as_os_str(),
        "--format".as_ref(),
        "parquet".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("390 rows × 283 columns as parquet"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let c = checker(&py, &out, &ibt);
    let text = String::from_utf8_lossy(&c.stdout);
    assert!(
        c.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&c.stderr)
    );
    assert!(
        text.contains("ok: 276 variables, 283 columns, 390 rows, 109590 values equal"),
        "{text}"
    );

    // The check can fail: one float32 ulp on Speed in the first row.
    let bad = dir.path().join("bad.parquet");
    let n = Command::new(&py)
        .args(["-c", NUDGE])
        .arg(&out)
        .arg(&bad)
        .output()
        .expect("run python");
    assert!(n.status.success(), "{}", String::from_utf8_lossy(&n.stderr));
    let c = checker(&py, &bad, &ibt);
    let text = String::from_utf8_lossy(&c.stdout);
    assert!(!c.status.success(), "{text}");
    assert!(text.contains("row 0 Speed"), "{text}");
}
