//! Parquet (`--format parquet`): one typed column per channel, rows buffered into row groups
//! and written a row group at a time, so memory stays bounded whatever the input length.
//!
//! Columns keep the channel model's shape: arrays are the expanded `name[i]` columns (one
//! column each, as in CSV), not lists. Every column is `OPTIONAL` (a value missing from a
//! frame is a null). Types: f32 → `FLOAT`, f64 → `DOUBLE`, i32 → `INT32`, u32 → `INT32`
//! annotated unsigned 32-bit, u64 → `INT64` annotated unsigned 64-bit, bool → `BOOLEAN`,
//! char and string → `BYTE_ARRAY` annotated `STRING` (UTF-8; a NUL char is the empty string).
//! Pages are ZSTD-compressed (level 1); dictionary encoding and page statistics are the
//! parquet crate's defaults.
//!
//! Row groups hold [`ROW_GROUP_ROWS`] rows, or fewer when the buffered values reach
//! [`ROW_GROUP_BYTES`] first (wide rows). The file's key/value metadata says what the file is:
//! `ksana.sim`, `ksana.sim_name`, `ksana.source`, `ksana.rate_hz` (with `--rate`),
//! `ksana.units` (a JSON object: column name → unit, in column order, `""` for none), and from
//! the recording's header `ksana.recorder`, `ksana.start_unix_ns` and `ksana.meta.KEY` for each
//! of its free-form entries (car, track, `ibt.*`).
//!
//! The low-level column writer of the `parquet` crate is used without its Arrow layer (a much
//! larger build). It writes into a byte buffer that is drained into the output after every
//! row group, so the output needs no `Send` and no seeking.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical, ZstdLevel};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use ksana_sims::channels::{Channel, ChannelType, Row, ValueRef};

use crate::{ExportError, Exporter, Metadata};

/// Rows of a full row group.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Buffered bytes (values as held in memory, before encoding) that end a row group early.
pub const ROW_GROUP_BYTES: usize = 64 << 20;

/// The Parquet exporter.
pub struct ParquetExporter<W: Write> {
    out: W,
    writer: Option<SerializedFileWriter<Vec<u8>>>,
    columns: Vec<Column>,
    rows: usize,
    bytes: usize,
    max_rows: usize,
    max_bytes: usize,
    finished: bool,
}

/// One column's buffered values of the row group under way.
struct Column {
    name: String,
    ty: ChannelType,
    /// Definition level of each row: 1 value, 0 null.
    defs: Vec<i16>,
    values: Values,
}

/// Non-null values of a column, in Parquet's physical type.
enum Values {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
    /// Text, with the last value kept to share its bytes when the next one is equal (most
    /// text channels hold the same track or car name every frame).
    Text(Vec<ByteArray>, Option<ByteArray>),
}

impl Values {
    fn for_type(ty: ChannelType) -> Values {
        match ty {
            ChannelType::F32 => Values::F32(Vec::new()),
            ChannelType::F64 => Values::F64(Vec::new()),
            ChannelType::I32 | ChannelType::U32 => Values::I32(Vec::new()),
            ChannelType::U64 => Values::I64(Vec::new()),
            ChannelType::Bool => Values::Bool(Vec::new()),
            ChannelType::Char | ChannelType::Str => Values::Text(Vec::new(), None),
        }
    }

    fn clear(&mut self) {
        match self {
            Values::F32(v) => v.clear(),
            Values::F64(v) => v.clear(),
            Values::I32(v) => v.clear(),
            Values::I64(v) => v.clear(),
            Values::Bool(v) => v.clear(),
            Values::Text(v, _) => v.clear(),
        }
    }
}

/// The Parquet type of a channel type: physical type and logical annotation.
fn parquet_type(ty: ChannelType) -> (Physical, Option<LogicalType>) {
    match ty {
        ChannelType::F32 => (Physical::FLOAT, None),
        ChannelType::F64 => (Physical::DOUBLE, None),
        ChannelType::I32 => (Physical::INT32, None),
        ChannelType::U32 => (Physical::INT32, Some(LogicalType::integer(32, false))),
        ChannelType::U64 => (Physical::INT64, Some(LogicalType::integer(64, false))),
        ChannelType::Bool => (Physical::BOOLEAN, None),
        ChannelType::Char | ChannelType::Str => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
    }
}

fn pq_err(e: ParquetError) -> ExportError {
    ExportError::Usage(format!("Parquet: {e}"))
}

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// `{"column":"unit",…}` in column order.
fn units_json(columns: &[Channel]) -> String {
    let mut s = String::from("{");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{}:{}", json_str(&c.name), json_str(&c.unit));
    }
    s.push('}');
    s
}

/// The file's key/value metadata (see the module documentation).
fn key_values(columns: &[Channel], meta: &Metadata) -> Vec<KeyValue> {
    let kv = |k: &str, v: String| KeyValue::new(k.to_string(), v);
    let mut out = vec![
        kv("ksana.sim", meta.sim_id.clone()),
        kv("ksana.sim_name", meta.sim_name.clone()),
        kv("ksana.source", meta.source.clone()),
    ];
    if let Some(r) = meta.rate_hz {
        out.push(kv("ksana.rate_hz", r.to_string()));
    }
    out.push(kv("ksana.units", units_json(columns)));
    if let Some(h) = &meta.header {
        out.push(kv(
            "ksana.recorder",
            format!("{} {}", h.recorder, h.recorder_version),
        ));
        out.push(kv("ksana.start_unix_ns", h.start_unix_ns.to_string()));
        for (k, v) in &h.metadata {
            out.push(kv(&format!("ksana.meta.{k}"), v.clone()));
        }
    }
    out
}

impl<W: Write> ParquetExporter<W> {
    /// An exporter writing to `out`, row groups of [`ROW_GROUP_ROWS`] rows or
    /// [`ROW_GROUP_BYTES`] buffered bytes, whichever comes first.
    pub fn new(out: W) -> ParquetExporter<W> {
        ParquetExporter::with_row_groups(out, ROW_GROUP_ROWS, ROW_GROUP_BYTES)
    }

    /// An exporter with other row group limits (at least one row per group), for tests of
    /// files with many row groups.
    pub fn with_row_groups(out: W, max_rows: usize, max_bytes: usize) -> ParquetExporter<W> {
        ParquetExporter {
            out,
            writer: None,
            columns: Vec::new(),
            rows: 0,
            bytes: 0,
            max_rows: max_rows.max(1),
            max_bytes,
            finished: false,
        }
    }

    /// Writes the buffered rows as one row group and hands its bytes to the output.
    fn flush_row_group(&mut self) -> Result<(), ExportError> {
        let Some(writer) = self.writer.as_mut() else {
            return Err(ExportError::Usage("Parquet: row before begin".into()));
        };
        if self.rows > 0 {
            let mut group = writer.next_row_group().map_err(pq_err)?;
            let mut columns = self.columns.iter_mut();
            while let Some(mut cw) = group.next_column().map_err(pq_err)? {
                let Some(col) = columns.next() else {
                    return Err(ExportError::Usage(
                        "Parquet: more columns than begun".into(),
                    ));
                };
                let defs = Some(col.defs.as_slice());
                let written = match (cw.untyped(), &col.values) {
                    (ColumnWriter::FloatColumnWriter(w), Values::F32(v)) => {
                        w.write_batch(v, defs, None)
                    }
                    (ColumnWriter::DoubleColumnWriter(w), Values::F64(v)) => {
                        w.write_batch(v, defs, None)
                    }
                    (ColumnWriter::Int32ColumnWriter(w), Values::I32(v)) => {
                        w.write_batch(v, defs, None)
                    }
                    (ColumnWriter::Int64ColumnWriter(w), Values::I64(v)) => {
                        w.write_batch(v, defs, None)
                    }
                    (ColumnWriter::BoolColumnWriter(w), Values::Bool(v)) => {
                        w.write_batch(v, defs, None)
                    }
                    (ColumnWriter::ByteArrayColumnWriter(w), Values::Text(v, _)) => {
                        w.write_batch(v, defs, None)
                    }
                    _ => {
                        return Err(ExportError::Usage(format!(
                            "Parquet: column {} has an unexpected writer",
                            col.name
                        )));
                    }
                };
                written.map_err(pq_err)?;
                cw.close().map_err(pq_err)?;
                col.defs.clear();
                col.values.clear();
            }
            group.close().map_err(pq_err)?;
            self.rows = 0;
            self.bytes = 0;
        }
        // The encoded row group sits in the writer's buffer: move it to the output.
        writer.flush()?;
        let buf = writer.inner_mut();
        self.out.write_all(buf)?;
        buf.clear();
        Ok(())
    }
}

impl<W: Write> Exporter for ParquetExporter<W> {
    fn begin(&mut self, columns: &[Channel], meta: &Metadata) -> Result<(), ExportError> {
        if self.writer.is_some() {
            return Err(ExportError::Usage("Parquet: begin called twice".into()));
        }
        let mut fields = Vec::with_capacity(columns.len());
        for c in columns {
            let (physical, logical) = parquet_type(c.ty);
            let t = Type::primitive_type_builder(&c.name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()
                .map_err(pq_err)?;
            fields.push(Arc::new(t));
        }
        let schema = Type::group_type_builder("ksana_export")
            .with_fields(fields)
            .build()
            .map_err(pq_err)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_max_row_group_row_count(Some(self.max_rows))
            .set_key_value_metadata(Some(key_values(columns, meta)))
            .build();
        let writer = SerializedFileWriter::new(Vec::new(), Arc::new(schema), Arc::new(props))
            .map_err(pq_err)?;
        self.writer = Some(writer);
        self.columns = columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                ty: c.ty,
                defs: Vec::new(),
                values: Values::for_type(c.ty),
            })
            .collect();
        // The magic number: the file is a Parquet file from its first bytes on.
        self.flush_row_group()
    }

    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        if self.writer.is_none() {
            return Err(ExportError::Usage("Parquet: row before begin".into()));
        }
        let mut bytes = 0;
        for (i, col) in self.columns.iter_mut().enumerate() {
            let v = row.get(i);
            let present = push(col, v)?;
            col.defs.push(i16::from(present));
            bytes += 2 + value_bytes(v);
        }
        self.rows += 1;
        self.bytes += bytes;
        if self.rows >= self.max_rows || self.bytes >= self.max_bytes {
            self.flush_row_group()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ExportError> {
        if self.finished {
            return Ok(());
        }
        self.flush_row_group()?;
        let Some(writer) = self.writer.take() else {
            return Err(ExportError::Usage("Parquet: finish before begin".into()));
        };
        let tail = writer.into_inner().map_err(pq_err)?;
        self.out.write_all(&tail)?;
        self.out.flush()?;
        self.finished = true;
        Ok(())
    }
}

/// Bytes a value takes in the buffers (for the row group size limit).
fn value_bytes(v: ValueRef<'_>) -> usize {
    match v {
        ValueRef::Missing => 0,
        ValueRef::Bool(_) | ValueRef::Char(_) => 1,
        ValueRef::F32(_) | ValueRef::I32(_) | ValueRef::U32(_) => 4,
        ValueRef::F64(_) | ValueRef::U64(_) => 8,
        ValueRef::Str(s) => s.len() + 16,
    }
}

/// Appends `v` to `col`'s values; `false` when it is a null. A value of another type than
/// the column's is an error (a sim that decodes other types than it declares).
fn push(col: &mut Column, v: ValueRef<'_>) -> Result<bool, ExportError> {
    match (&mut col.values, v) {
        (_, ValueRef::Missing) => return Ok(false),
        (Values::F32(b), ValueRef::F32(x)) => b.push(x),
        (Values::F64(b), ValueRef::F64(x)) => b.push(x),
        (Values::I32(b), ValueRef::I32(x)) if col.ty == ChannelType::I32 => b.push(x),
        // Unsigned 32-bit values are stored as their bit pattern (the annotation says how to
        // read them back).
        (Values::I32(b), ValueRef::U32(x)) if col.ty == ChannelType::U32 => {
            b.push(i32::from_ne_bytes(x.to_ne_bytes()))
        }
        (Values::I64(b), ValueRef::U64(x)) => b.push(i64::from_ne_bytes(x.to_ne_bytes())),
        (Values::Bool(b), ValueRef::Bool(x)) => b.push(x),
        (Values::Text(b, last), ValueRef::Char(c)) => {
            let mut s = String::new();
            if c != 0 {
                s.push(char::from(c));
            }
            push_text(b, last, &s);
        }
        (Values::Text(b, last), ValueRef::Str(s)) => push_text(b, last, s),
        (_, v) => {
            return Err(ExportError::Usage(format!(
                "Parquet: column {} is {} but a row holds {v:?}",
                col.name,
                col.ty.name()
            )));
        }
    }
    Ok(true)
}

/// Appends text, sharing the bytes of the previous value when equal.
fn push_text(values: &mut Vec<ByteArray>, last: &mut Option<ByteArray>, s: &str) {
    let v = match last {
        Some(l) if l.data() == s.as_bytes() => l.clone(),
        _ => {
            let v = ByteArray::from(s.as_bytes().to_vec());
            *last = Some(v.clone());
            v
        }
    };
    values.push(v);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksana_sims::channels::Value;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    fn columns() -> Vec<Channel> {
        vec![
            Channel::new("time_s", "s", ChannelType::F64),
            Channel::new("v", "m/s", ChannelType::F32),
            Channel::new("n", "", ChannelType::I32),
            Channel::new("flags", "irsdk_Flags", ChannelType::U32),
            Channel::new("id", "", ChannelType::U64),
            Channel::new("b", "", ChannelType::Bool),
            Channel::new("c", "", ChannelType::Char),
            Channel::new("track \"q\"", "", ChannelType::Str),
        ]
    }

    /// Row `k` of the test file: every type, extremes, NaN, nulls every third row.
    fn row(k: usize, r: &mut Row) {
        r.clear();
        r.push(Value::F64(k as f64 / 60.0));
        r.push(match k % 4 {
            0 => Value::F32(0.1),
            1 => Value::F32(f32::NAN),
            2 => Value::F32(-0.0),
            _ => Value::F32(f32::MAX),
        });
        r.push(if k % 3 == 2 {
            Value::Missing
        } else {
            Value::I32(i32::MIN + k as i32)
        });
        r.push(Value::U32(u32::MAX - k as u32));
        r.push(Value::U64(u64::MAX - k as u64));
        r.push(Value::Bool(k.is_multiple_of(2)));
        r.push(Value::Char(if k.is_multiple_of(2) { 0 } else { 0xe9 }));
        if k % 3 == 1 {
            r.push(Value::Missing);
        } else {
            r.push_str(if k < 5 { "Spa, \"é\"" } else { "Monza" });
        }
    }

    fn write(rows: usize, group_rows: usize, meta: &Metadata) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        {
            let mut e = ParquetExporter::with_row_groups(file.as_file_mut(), group_rows, 1 << 30);
            e.begin(&columns(), meta).unwrap();
            let mut r = Row::new();
            for k in 0..rows {
                row(k, &mut r);
                e.row(&r).unwrap();
            }
            e.finish().unwrap();
        }
        file
    }

    /// What row `k` reads back as, in the parquet crate's record fields.
    fn expected(k: usize) -> Vec<Field> {
        let mut r = Row::new();
        row(k, &mut r);
        (0..r.len())
            .map(|i| match r.get(i) {
                ValueRef::Missing => Field::Null,
                ValueRef::F64(v) => Field::Double(v),
                ValueRef::F32(v) => Field::Float(v),
                ValueRef::I32(v) => Field::Int(v),
                ValueRef::U32(v) => Field::UInt(v),
                ValueRef::U64(v) => Field::ULong(v),
                ValueRef::Bool(v) => Field::Bool(v),
                ValueRef::Char(0) => Field::Str(String::new()),
                ValueRef::Char(c) => Field::Str(char::from(c).to_string()),
                ValueRef::Str(s) => Field::Str(s.to_string()),
            })
            .collect()
    }

    fn same(a: &Field, b: &Field) -> bool {
        match (a, b) {
            (Field::Float(x), Field::Float(y)) => x.to_bits() == y.to_bits(),
            (Field::Double(x), Field::Double(y)) => x.to_bits() == y.to_bits(),
            _ => a == b,
        }
    }

    #[test]
    fn every_type_reads_back_bit_exact_across_row_groups() {
        let file = write(10, 4, &Metadata::default());
        let reader = SerializedFileReader::new(file.reopen().unwrap()).unwrap();
        let md = reader.metadata();
        assert_eq!(md.file_metadata().num_rows(), 10);
        let groups: Vec<i64> = md.row_groups().iter().map(|g| g.num_rows()).collect();
        assert_eq!(groups, vec![4, 4, 2]);
        let names: Vec<String> = md
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let cols: Vec<String> = columns().iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, cols);
        let mut n = 0;
        for (k, r) in reader.get_row_iter(None).unwrap().enumerate() {
            let r = r.unwrap();
            let got: Vec<Field> = r.get_column_iter().map(|(_, f)| f.clone()).collect();
            let want = expected(k);
            assert_eq!(got.len(), want.len());
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(same(g, w), "row {k} column {i}: {g:?} != {w:?}");
            }
            n += 1;
        }
        assert_eq!(n, 10);
    }

    #[test]
    fn metadata_holds_sim_source_rate_units_and_header() {
        let mut h = ksana_format::Header::new("iracing", Vec::new());
        h.start_unix_ns = 1_719_258_336_000_000_000;
        h.metadata = vec![
            ("track".into(), "Spa".into()),
            ("ibt.records".into(), "390".into()),
        ];
        let meta = Metadata {
            sim_id: "iracing".into(),
            sim_name: "iRacing".into(),
            source: "lap.ibt".into(),
            rate_hz: Some(20.0),
            header: Some(h),
        };
        let file = write(1, 4, &meta);
        let reader = SerializedFileReader::new(file.reopen().unwrap()).unwrap();
        let kv: Vec<(String, String)> = reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .unwrap()
            .iter()
            .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
            .collect();
        let get = |k: &str| kv.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        assert_eq!(get("ksana.sim"), Some("iracing"));
        assert_eq!(get("ksana.sim_name"), Some("iRacing"));
        assert_eq!(get("ksana.source"), Some("lap.ibt"));
        assert_eq!(get("ksana.rate_hz"), Some("20"));
        assert_eq!(
            get("ksana.recorder"),
            Some(format!("ksana {}", env!("CARGO_PKG_VERSION")).as_str())
        );
        assert_eq!(get("ksana.start_unix_ns"), Some("1719258336000000000"));
        assert_eq!(get("ksana.meta.track"), Some("Spa"));
        assert_eq!(get("ksana.meta.ibt.records"), Some("390"));
        assert_eq!(
            get("ksana.units"),
            Some(
                r#"{"time_s":"s","v":"m/s","n":"","flags":"irsdk_Flags","id":"","b":"","c":"","track \"q\"":""}"#
            )
        );
        let units: serde_json::Value = serde_json::from_str(get("ksana.units").unwrap()).unwrap();
        assert_eq!(units["v"], "m/s");
    }

    #[test]
    fn row_groups_end_early_on_the_byte_limit() {
        // About 45 bytes a row: a 100-byte limit closes a group every third row.
        let mut out = Vec::new();
        {
            let mut e = ParquetExporter::with_row_groups(&mut out, 1000, 100);
            e.begin(&columns(), &Metadata::default()).unwrap();
            let mut r = Row::new();
            for k in 0..7 {
                row(k, &mut r);
                e.row(&r).unwrap();
            }
            e.finish().unwrap();
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&out).unwrap();
        let reader = SerializedFileReader::new(file.reopen().unwrap()).unwrap();
        let groups: Vec<i64> = reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(groups.iter().sum::<i64>(), 7);
        assert!(groups.len() >= 3, "{groups:?}");
        assert!(out.starts_with(b"PAR1") && out.ends_with(b"PAR1"));
    }

    #[test]
    fn a_value_of_another_type_is_an_error_not_a_panic() {
        let mut e = ParquetExporter::new(Vec::new());
        assert!(e.row(&Row::new()).is_err(), "row before begin");
        e.begin(&columns()[..2], &Metadata::default()).unwrap();
        let mut r = Row::new();
        r.push(Value::F64(0.0));
        r.push(Value::I32(3));
        let err = e.row(&r).unwrap_err().to_string();
        assert!(err.contains("column v is f32"), "{err}");
        assert!(e.begin(&columns(), &Metadata::default()).is_err());
    }
}
