//! JSON Lines (`--format jsonl`): one JSON object per frame, one line each, keys the column
//! names in column order. Floats in their shortest round-trip form ([`crate::number`]);
//! NaN, infinities and missing values are `null` (JSON has no other spelling for them);
//! booleans `true`/`false`; text and `char` values as JSON strings. Units are not in the file
//! (every line is a frame): `ksana export --list-channels` prints them.

use std::io::{BufWriter, Write};

use ksana_sims::channels::{Channel, Row, ValueRef};

use crate::number::{push_f32, push_f64};
use crate::{ExportError, Exporter, Metadata};

/// The JSON Lines exporter.
pub struct JsonlExporter<W: Write> {
    out: BufWriter<W>,
    /// `"name":` of each column, escaped once.
    keys: Vec<String>,
    line: String,
    text: Vec<u8>,
}

impl<W: Write> JsonlExporter<W> {
    /// An exporter writing to `out` (buffered internally).
    pub fn new(out: W) -> JsonlExporter<W> {
        JsonlExporter {
            out: BufWriter::new(out),
            keys: Vec::new(),
            line: String::new(),
            text: Vec::new(),
        }
    }
}

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

impl<W: Write> Exporter for JsonlExporter<W> {
    fn begin(&mut self, columns: &[Channel], _meta: &Metadata) -> Result<(), ExportError> {
        self.keys = columns
            .iter()
            .map(|c| format!("{}:", json_str(&c.name)))
            .collect();
        Ok(())
    }

    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        use std::fmt::Write as _;
        let JsonlExporter {
            out,
            keys,
            line: l,
            text,
        } = self;
        l.clear();
        l.push('{');
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                l.push(',');
            }
            l.push_str(key);
            match row.get(i) {
                ValueRef::Missing => l.push_str("null"),
                ValueRef::F32(v) => {
                    if push_f32(l, v).is_none() {
                        l.push_str("null");
                    }
                }
                ValueRef::F64(v) => {
                    if push_f64(l, v).is_none() {
                        l.push_str("null");
                    }
                }
                ValueRef::I32(v) => {
                    let _ = write!(l, "{v}");
                }
                ValueRef::U32(v) => {
                    let _ = write!(l, "{v}");
                }
                ValueRef::U64(v) => {
                    let _ = write!(l, "{v}");
                }
                ValueRef::Bool(v) => l.push_str(if v { "true" } else { "false" }),
                ValueRef::Char(0) => l.push_str("\"\""),
                ValueRef::Char(c) => {
                    let mut b = [0u8; 4];
                    l.push_str(&json_str(char::from(c).encode_utf8(&mut b)));
                }
                ValueRef::Str(s) => {
                    // serde_json escapes into the line without an intermediate value.
                    text.clear();
                    serde_json::to_writer(&mut *text, s).map_err(std::io::Error::from)?;
                    l.push_str(std::str::from_utf8(text).unwrap_or("null"));
                }
            }
        }
        l.push_str("}\n");
        out.write_all(l.as_bytes())?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ExportError> {
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksana_sims::channels::{ChannelType, Value};

    #[test]
    fn lines_are_json_objects_with_exact_values() {
        let cols = vec![
            Channel::new("time_s", "s", ChannelType::F64),
            Channel::new("na\"me", "", ChannelType::Str),
            Channel::new("v", "", ChannelType::F32),
            Channel::new("b", "", ChannelType::Bool),
            Channel::new("u", "", ChannelType::U64),
        ];
        let mut out = Vec::new();
        let mut e = JsonlExporter::new(&mut out);
        e.begin(&cols, &Metadata::default()).unwrap();
        let mut r = Row::new();
        r.push(Value::F64(0.25));
        r.push_str("é\n\"q\"");
        r.push(Value::F32(0.1));
        r.push(Value::Bool(true));
        r.push(Value::U64(u64::MAX));
        e.row(&r).unwrap();
        r.clear();
        r.push(Value::F64(1.0));
        r.push(Value::Missing);
        r.push(Value::F32(f32::NAN));
        r.push(Value::Bool(false));
        r.push(Value::U64(0));
        e.row(&r).unwrap();
        e.finish().unwrap();
        drop(e);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "{\"time_s\":0.25,\"na\\\"me\":\"é\\n\\\"q\\\"\",\"v\":0.1,\"b\":true,\"u\":18446744073709551615}\n\
             {\"time_s\":1,\"na\\\"me\":null,\"v\":null,\"b\":false,\"u\":0}\n"
        );
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v.is_object());
        }
    }
}
