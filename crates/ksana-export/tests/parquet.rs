//! Parquet exports of small fake-sim recordings (`ksana simulate`, deterministic): a snapshot
//! of a stable description of the file (schema, row groups, key/value metadata, values read
//! back with the parquet crate's reader — not the bytes, which name the parquet crate's
//! version), and a round trip of every channel of every frame against the rows the driver
//! produced.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ksana_engine::{FakeOptions, write_fake_recording};
use ksana_export::parquet::ParquetExporter;
use ksana_export::{ExportError, Exporter, Metadata, Progress, Selection, export, exporter};
use ksana_format::Recording;
use ksana_sims::channels::{Channel, Row, ValueRef};
use ksana_synth::world::Scenario;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// A fake recording of `sim`: `secs` of the `laps` scenario at `rate` Hz.
fn fake(dir: &Path, sim: &str, secs: u64, rate: f64) -> PathBuf {
    let path = dir.join(format!("{sim}.ksana"));
    let mut o = FakeOptions::new(
        ksana_sims::by_id(sim).unwrap(),
        Arc::new(AtomicBool::new(false)),
    );
    o.scenario = Scenario::Laps;
    o.rate_hz = Some(rate);
    o.duration = Some(Duration::from_secs(secs));
    write_fake_recording(&o, &path).unwrap();
    path
}

fn names(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| s.to_string()).collect())
}

/// Exports `rec` through `ex` into a file; returns the file.
fn export_to_file(
    rec: &Recording,
    sel: &Selection,
    make: impl FnOnce(&mut std::fs::File) -> Box<dyn Exporter + '_>,
) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    {
        let mut ex = make(file.as_file_mut());
        export(rec, "fake.ksana", sel, ex.as_mut(), &mut |_: &Progress| {}).unwrap();
    }
    file
}

/// A stable description of a Parquet file: what a reader sees, not the bytes.
fn describe(path: &Path, rows_shown: &[usize]) -> String {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let md = reader.metadata();
    let fm = md.file_metadata();
    let mut schema = Vec::new();
    parquet::schema::printer::print_schema(&mut schema, fm.schema());
    let mut s = String::from_utf8(schema).unwrap();
    s.push_str(&format!("rows: {}\n", fm.num_rows()));
    let groups: Vec<String> = md
        .row_groups()
        .iter()
        .map(|g| g.num_rows().to_string())
        .collect();
    s.push_str(&format!("row groups: {}\n", groups.join(", ")));
    let codecs: std::collections::BTreeSet<String> = md
        .row_groups()
        .iter()
        .flat_map(|g| g.columns().iter().map(|c| format!("{:?}", c.compression())))
        .collect();
    s.push_str(&format!(
        "compression: {}\n",
        codecs.into_iter().collect::<Vec<_>>().join(", ")
    ));
    s.push_str("key/value metadata:\n");
    for kv in fm.key_value_metadata().into_iter().flatten() {
        // The fake recording's start is the wall clock of the test run.
        // The fake recording's start is the wall clock of the test run; its recorder names
        // the workspace version.
        let v = if kv.key == "ksana.start_unix_ns" {
            "[time]".to_string()
        } else {
            kv.value
                .clone()
                .unwrap_or_default()
                .replace(env!("CARGO_PKG_VERSION"), "[version]")
        };
        s.push_str(&format!("  {} = {}\n", kv.key, v));
    }
    for (k, row) in reader.get_row_iter(None).unwrap().enumerate() {
        if rows_shown.contains(&k) {
            s.push_str(&format!("row {k}: {}\n", row.unwrap()));
        }
    }
    s
}

#[test]
fn acc_parquet_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "acc", 2, 20.0)).unwrap();
    let sel = Selection {
        channels: names(&[
            "speedKmh",
            "gear",
            "rpms",
            "completedLaps",
            "wheelSlip[0]",
            "graphics.packetId",
            "isInPit",
            "track",
            "playerName",
        ]),
        rate_hz: Some(4.0),
        ..Selection::default()
    };
    // Row groups of 3 rows, to show several.
    let file = export_to_file(&rec, &sel, |f| {
        Box::new(ParquetExporter::with_row_groups(f, 3, 1 << 20))
    });
    insta::assert_snapshot!("acc_4hz_parquet", describe(file.path(), &[0, 1, 8]));
}

#[test]
fn iracing_parquet_snapshot_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recording::open(fake(dir.path(), "iracing", 1, 10.0)).unwrap();
    let sel = Selection {
        channels: names(&[
            "SessionTime",
            "Speed",
            "Gear",
            "OnPitRoad",
            "SessionFlags",
            "CarIdxLapDistPct[0]",
        ]),
        ..Selection::default()
    };
    let file = export_to_file(&rec, &sel, |f| exporter("parquet", Box::new(f)).unwrap());
    insta::assert_snapshot!(
        "iracing_10hz_parquet",
        describe(file.path(), &[0, 1, 2, 3, 4, 5])
    );
}

/// Collects the rows the driver hands an exporter (the values the file must hold).
#[derive(Default)]
struct Collect {
    columns: Vec<Channel>,
    rows: Vec<Row>,
}

impl Exporter for Collect {
    fn begin(&mut self, columns: &[Channel], _meta: &Metadata) -> Result<(), ExportError> {
        self.columns = columns.to_vec();
        Ok(())
    }
    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        self.rows.push(row.clone());
        Ok(())
    }
    fn finish(&mut self) -> Result<(), ExportError> {
        Ok(())
    }
}

/// Whether the read-back field is the value the driver gave, bit for bit.
fn same(f: &Field, v: ValueRef<'_>) -> bool {
    match (f, v) {
        (Field::Null, ValueRef::Missing) => true,
        (Field::Float(a), ValueRef::F32(b)) => a.to_bits() == b.to_bits(),
        (Field::Double(a), ValueRef::F64(b)) => a.to_bits() == b.to_bits(),
        (Field::Int(a), ValueRef::I32(b)) => *a == b,
        (Field::UInt(a), ValueRef::U32(b)) => *a == b,
        (Field::ULong(a), ValueRef::U64(b)) => *a == b,
        (Field::Bool(a), ValueRef::Bool(b)) => *a == b,
        (Field::Str(a), ValueRef::Char(0)) => a.is_empty(),
        (Field::Str(a), ValueRef::Char(c)) => *a == char::from(c).to_string(),
        (Field::Str(a), ValueRef::Str(b)) => a == b,
        _ => false,
    }
}

#[test]
fn every_channel_of_every_frame_reads_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    for sim in ["acc", "iracing", "acevo"] {
        let rec = Recording::open(fake(dir.path(), sim, 2, 30.0)).unwrap();
        let sel = Selection::default();
        let mut want = Collect::default();
        export(&rec, "fake.ksana", &sel, &mut want, &mut |_: &Progress| {}).unwrap();
        // Through `exporter()` as the CLI does, default row groups.
        let file = export_to_file(&rec, &sel, |f| exporter("parquet", Box::new(f)).unwrap());
        let reader = SerializedFileReader::new(file.reopen().unwrap()).unwrap();
        let fm = reader.metadata().file_metadata();
        assert_eq!(fm.num_rows() as usize, want.rows.len(), "{sim}");
        let cols: Vec<&str> = fm
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name())
            .collect();
        let want_cols: Vec<&str> = want.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cols, want_cols, "{sim}");
        let mut compared = 0;
        for (k, row) in reader.get_row_iter(None).unwrap().enumerate() {
            let row = row.unwrap();
            for (i, (name, f)) in row.get_column_iter().enumerate() {
                let v = want.rows[k].get(i);
                assert!(same(f, v), "{sim} row {k} {name}: {f:?} vs {v:?}");
                compared += 1;
            }
        }
        assert_eq!(compared, want.rows.len() * want.columns.len(), "{sim}");
        assert!(compared > 10_000, "{sim}: {compared}");
    }
}
