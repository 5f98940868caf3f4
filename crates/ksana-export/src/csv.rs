//! CSV (`--format csv`): two `#` comment lines (what the file is; the unit of each column),
//! a header row of column names, then one row per frame. Fields are quoted as RFC 4180 says
//! (only when they hold a comma, a quote or a line break; quotes doubled), lines end in `\n`.
//!
//! Values: floats in their shortest round-trip form ([`crate::number`]), `NaN`, `inf`,
//! `-inf`; integers in decimal; booleans `1`/`0`; text as is; a missing value is an empty
//! field. pandas reads the file with `pd.read_csv(path, comment="#")` (or `skiprows=2` when a
//! text value may hold a `#`).

use std::fmt::Write as _;
use std::io::Write;

use ksana_sims::channels::{Channel, Row, ValueRef};

use crate::number::{push_f32, push_f64};
use crate::{ExportError, Exporter, Metadata};

/// The CSV exporter.
pub struct CsvExporter<W: Write> {
    /// The sink until [`Exporter::begin`] has written the comment lines.
    raw: Option<W>,
    out: Option<csv::Writer<W>>,
    columns: usize,
    field: String,
}

impl<W: Write> CsvExporter<W> {
    /// An exporter writing to `out` (buffered internally).
    pub fn new(out: W) -> CsvExporter<W> {
        CsvExporter {
            raw: Some(out),
            out: None,
            columns: 0,
            field: String::new(),
        }
    }
}

fn csv_err(e: csv::Error) -> ExportError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => ExportError::Io(e),
        k => ExportError::Usage(format!("CSV: {k:?}")),
    }
}

/// One line of text: control characters (line breaks) replaced, so a file name cannot end the
/// comment line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

impl<W: Write> Exporter for CsvExporter<W> {
    fn begin(&mut self, columns: &[Channel], meta: &Metadata) -> Result<(), ExportError> {
        let rate = meta
            .rate_hz
            .map_or(String::new(), |r| format!(", resampled at {r} Hz"));
        // The comment lines go straight to the writer's sink, before any record.
        let mut units = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(Vec::new());
        units
            .write_record(columns.iter().map(|c| one_line(&c.unit)))
            .map_err(csv_err)?;
        let units = units
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        let Some(mut sink) = self.raw.take() else {
            return Err(ExportError::Usage("CSV: begin called twice".into()));
        };
        writeln!(
            sink,
            "# ksana export of {} ({}{rate}); the next line holds the unit of each column",
            one_line(&meta.source),
            one_line(&meta.sim_name)
        )?;
        sink.write_all(b"# units: ")?;
        sink.write_all(&units)?;
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(sink);
        out.write_record(columns.iter().map(|c| c.name.as_str()))
            .map_err(csv_err)?;
        self.out = Some(out);
        self.columns = columns.len();
        Ok(())
    }

    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        let Some(out) = self.out.as_mut() else {
            return Err(ExportError::Usage("CSV: row before begin".into()));
        };
        for i in 0..self.columns {
            let f = &mut self.field;
            f.clear();
            match row.get(i) {
                ValueRef::Missing => {}
                ValueRef::F32(v) => {
                    if push_f32(f, v).is_none() {
                        f.push_str(non_finite(f64::from(v)));
                    }
                }
                ValueRef::F64(v) => {
                    if push_f64(f, v).is_none() {
                        f.push_str(non_finite(v));
                    }
                }
                ValueRef::I32(v) => {
                    let _ = write!(f, "{v}");
                }
                ValueRef::U32(v) => {
                    let _ = write!(f, "{v}");
                }
                ValueRef::U64(v) => {
                    let _ = write!(f, "{v}");
                }
                ValueRef::Bool(v) => f.push(if v { '1' } else { '0' }),
                ValueRef::Char(0) => {}
                ValueRef::Char(c) => f.push(char::from(c)),
                ValueRef::Str(s) => f.push_str(s),
            }
            out.write_field(f.as_bytes()).map_err(csv_err)?;
        }
        out.write_record(None::<&[u8]>).map_err(csv_err)?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ExportError> {
        if let Some(out) = self.out.as_mut() {
            out.flush()?;
        }
        Ok(())
    }
}

/// `NaN`, `inf` or `-inf` (what pandas and Python's `float()` read).
fn non_finite(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksana_sims::channels::{ChannelType, Value};

    #[test]
    fn quoting_units_and_values() {
        let cols = vec![
            Channel::new("time_s", "s", ChannelType::F64),
            Channel::new("name", "", ChannelType::Str),
            Channel::new("v", "m/s, \"true\"", ChannelType::F32),
            Channel::new("n", "", ChannelType::I32),
            Channel::new("b", "", ChannelType::Bool),
            Channel::new("c", "", ChannelType::Char),
        ];
        let mut out = Vec::new();
        let mut e = CsvExporter::new(&mut out);
        let meta = Metadata {
            sim_id: "x".into(),
            sim_name: "X".into(),
            source: "a\nb.ksana".into(),
            rate_hz: None,
            header: None,
        };
        e.begin(&cols, &meta).unwrap();
        let mut r = Row::new();
        r.push(Value::F64(0.5));
        r.push_str("Doe, \"JD\"\nline");
        r.push(Value::F32(f32::NAN));
        r.push(Value::I32(i32::MIN));
        r.push(Value::Bool(true));
        r.push(Value::Char(b'x'));
        e.row(&r).unwrap();
        r.clear();
        r.push(Value::F64(1e20));
        r.push_str("plain");
        r.push(Value::F32(f32::NEG_INFINITY));
        r.push(Value::Missing);
        r.push(Value::Bool(false));
        r.push(Value::Char(0));
        e.row(&r).unwrap();
        e.finish().unwrap();
        drop(e);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# ksana export of a?b.ksana (X); the next line holds the unit of each column\n\
             # units: s,,\"m/s, \"\"true\"\"\",,,\n\
             time_s,name,v,n,b,c\n\
             0.5,\"Doe, \"\"JD\"\"\nline\",NaN,-2147483648,1,x\n\
             1e20,plain,-inf,,0,\n"
        );
    }
}
