//! `ksana-ibt-read-bench`: time to decode every variable of every row of an `.ibt` file into
//! values, ksana's reader (`IbtFile` + `VarIndex::value_of`, one column of `Value`s per
//! variable) next to pyirsdk's `IBT().open(f)` + `get_all(name)` for every variable, timed
//! inside Python with `time.perf_counter` — both measured in the same run, best of `--runs`.
//!
//! Files: the 390-row 2024 fixture and a synthetic one made of its rows repeated `--repeat`
//! times, written with `IbtWriter` into a temporary directory. Both sides also count the
//! elements they decoded and sum every int/bitfield element; the bench fails if they disagree,
//! so the two read the same values. Skips (with a message) when the fixture or the python is
//! missing; under `CI=true` it fails instead.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use ksana_bench::ibt::ibt_fixture;
use ksana_sims::iracing::ibt::{IbtFile, IbtOptions, IbtWriter};
use ksana_sims::iracing::vars::{Value, VarIndex};

#[derive(Parser, Debug)]
#[command(about = ".ibt read: ksana's reader vs pyirsdk IBT.get_all over every variable")]
struct Args {
    /// Rows of the fixture repeated this many times for the large synthetic file.
    #[arg(long, default_value_t = 100)]
    repeat: u32,
    /// Runs per reader and file; the best is printed.
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// 10× synthetic file, one run (CI smoke run).
    #[arg(long)]
    quick: bool,
}

fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
}

/// Skips with a message, or fails in CI.
fn skip(why: String) -> Result<()> {
    if in_ci() {
        bail!("{why} (CI must have it)");
    }
    println!("SKIPPED: {why}");
    Ok(())
}

/// The peer python: `$KSANA_PYTHON`, else the CI venv in the workspace's `target/`.
fn peer_python() -> Option<PathBuf> {
    let p = std::env::var_os("KSANA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ci-venv/bin/python")
        });
    p.exists().then_some(p)
}

/// What one reader decoded: the cross-checks.
#[derive(Debug, PartialEq, Eq)]
struct Check {
    rows: u64,
    vars: usize,
    elements: u64,
    int_sum: i128,
}

/// Opens `path` and decodes every variable of every row into one column of values per
/// variable (the shape `get_all` returns).
fn read_all(path: &Path) -> Result<Vec<Vec<Value>>> {
    let file = IbtFile::open(path, IbtOptions::default())?;
    let index = VarIndex::new(file.vars());
    let rows = file.record_count() as usize;
    let mut columns: Vec<Vec<Value>> = index
        .headers()
        .iter()
        .map(|_| Vec::with_capacity(rows))
        .collect();
    let mut reader = file.rows();
    while let Some(row) = reader.next_row()? {
        for (col, h) in columns.iter_mut().zip(index.headers()) {
            col.push(
                index
                    .value_of(h, row)
                    .with_context(|| format!("{}: variable {}", path.display(), h.name))?,
            );
        }
    }
    Ok(columns)
}

fn check(columns: &[Vec<Value>]) -> Check {
    fn add(v: &Value, elements: &mut u64, int_sum: &mut i128) {
        match v {
            Value::Array(a) => a.iter().for_each(|e| add(e, elements, int_sum)),
            Value::Int(i) => {
                *elements += 1;
                *int_sum += i128::from(*i);
            }
            Value::BitField(u) => {
                *elements += 1;
                *int_sum += i128::from(*u);
            }
            _ => *elements += 1,
        }
    }
    let (mut elements, mut int_sum) = (0, 0);
    for col in columns {
        for v in col {
            add(v, &mut elements, &mut int_sum);
        }
    }
    Check {
        rows: columns.first().map_or(0, |c| c.len() as u64),
        vars: columns.len(),
        elements,
        int_sum,
    }
}

fn ours(path: &Path, runs: u32) -> Result<(Duration, Check)> {
    let mut best = Duration::MAX;
    let mut last = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let columns = read_all(path)?;
        best = best.min(t0.elapsed());
        last = columns;
    }
    Ok((best, check(&last)))
}

fn pyirsdk(python: &Path, path: &Path, runs: u32) -> Result<(Duration, Check)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/peers/ibt_read_bench.py");
    let out = Command::new(python)
        .arg(&script)
        .arg(path)
        .arg(runs.to_string())
        .output()
        .with_context(|| format!("running {}", python.display()))?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("{} printed no JSON", script.display()))?;
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("{} printed no {k}", script.display()))
    };
    let int_sum: i128 = v["int_sum"]
        .to_string()
        .parse()
        .context("int_sum is not an integer")?;
    Ok((
        Duration::from_secs_f64(num("seconds")?),
        Check {
            rows: num("rows")? as u64,
            vars: num("vars")? as usize,
            elements: num("elements")? as u64,
            int_sum,
        },
    ))
}

/// Writes the fixture's rows `repeat` times over into `out`.
fn synthetic(fixture: &Path, out: &Path, repeat: u32) -> Result<()> {
    let src = IbtFile::open(fixture, IbtOptions::default())?;
    let mut rows = Vec::new();
    let mut r = src.rows();
    while let Some(row) = r.next_row()? {
        rows.push(row.to_vec());
    }
    let mut w = IbtWriter::new(
        File::create(out)?,
        out,
        src.header(),
        src.var_header_bytes(),
        src.yaml(),
    )?;
    for _ in 0..repeat {
        for row in &rows {
            w.write_row(row)?;
        }
    }
    let start = src.sub_header().map_or(0, |s| s.session_start_date);
    w.finish(start, None)?;
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let (repeat, runs) = if args.quick {
        (10, 1)
    } else {
        (args.repeat, args.runs.max(1))
    };
    let fixture = ibt_fixture();
    if !fixture.is_file() {
        return skip(format!("fixture {} not found", fixture.display()));
    }
    let Some(python) = peer_python() else {
        return skip("no peer python (set KSANA_PYTHON to a python with pyirsdk)".into());
    };
    let dir = tempfile::tempdir()?;
    let big = dir.path().join(format!("ibt_2024_390rows_x{repeat}.ibt"));
    synthetic(&fixture, &big, repeat).context("writing the synthetic .ibt")?;
    println!(
        ".ibt read: open + decode every variable of every row into values, best of {runs} (python: {})",
        python.display()
    );
    println!(
        "{:<28} {:>7} {:>5} {:>11} {:>11} {:>12} {:>9}",
        "file", "rows", "vars", "values", "ksana ms", "pyirsdk ms", "speedup"
    );
    for (name, path) in [
        ("ibt_2024_390rows.ibt".to_string(), fixture.as_path()),
        (format!("fixture rows x{repeat}"), big.as_path()),
    ] {
        let (t_ours, c_ours) = ours(path, runs)?;
        let (t_py, c_py) = pyirsdk(&python, path, runs)?;
        if c_ours != c_py {
            bail!("{name}: the readers disagree: ksana {c_ours:?}, pyirsdk {c_py:?}");
        }
        println!(
            "{:<28} {:>7} {:>5} {:>11} {:>11.2} {:>12.2} {:>8.1}x",
            name,
            c_ours.rows,
            c_ours.vars,
            c_ours.elements,
            t_ours.as_secs_f64() * 1e3,
            t_py.as_secs_f64() * 1e3,
            t_py.as_secs_f64() / t_ours.as_secs_f64().max(1e-9)
        );
    }
    println!(
        "(both decoded the same element count and int/bitfield sum; speedup = pyirsdk / ksana)"
    );
    Ok(())
}
