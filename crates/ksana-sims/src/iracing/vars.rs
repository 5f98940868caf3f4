//! Typed access to iRacing variables: look a variable up by name once, get a typed handle, and
//! read it from any row (live memory, an `.ibt` record, a recording frame).
//!
//! ```
//! use ksana_sims::iracing::layout::{VarHeader, VarType};
//! use ksana_sims::iracing::vars::VarIndex;
//! let speed = VarHeader { var_type: VarType::Float, offset: 4, count: 1, count_as_time: false,
//!     name: "Speed".into(), desc: String::new(), unit: "m/s".into() };
//! let index = VarIndex::new(&[speed]);
//! let var = index.get::<f32>("Speed").unwrap();
//! let mut row = vec![0u8; 8];
//! row[4..8].copy_from_slice(&17.5f32.to_le_bytes());
//! assert_eq!(var.read(&row), Some(17.5));
//! assert_eq!(var.read(&row[..6]), None); // a short row is no panic
//! assert!(index.get::<f64>("Speed").is_err()); // wrong type, said once at lookup
//! ```
//!
//! Types: `irsdk_char` reads as `u8`, `irsdk_bool` as `bool`, `irsdk_int` as `i32` (or an enum
//! of [`super::flags`]), `irsdk_bitField` as `u32` (or a flag set of [`super::flags`]),
//! `irsdk_float` as `f32`, `irsdk_double` as `f64`. Arrays: `[T; N]` when the length is known,
//! `Vec<T>`, or an [`ArrayVar`] to read single elements (`CarIdxLapDistPct[i]`).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use super::layout::{VarHeader, VarType};

/// Why a variable cannot be had as the type asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VarError {
    /// No variable of that name in this layout (an `.ibt` lacks the `CarIdx*` arrays, say).
    #[error("no variable {0:?} in this layout")]
    NotFound(String),
    /// The variable exists with another element type.
    #[error("variable {name:?} is {found:?}, not {wanted}")]
    WrongType {
        /// The variable.
        name: String,
        /// Its type.
        found: VarType,
        /// What was asked for.
        wanted: String,
    },
    /// The variable exists with another array length.
    #[error("variable {name:?} has {found} element(s), not {wanted}")]
    WrongCount {
        /// The variable.
        name: String,
        /// Its count.
        found: u32,
        /// What was asked for.
        wanted: String,
    },
}

/// One element type a variable can be read as.
pub trait Scalar: Sized + Copy {
    /// Name for error messages, e.g. `f32`.
    fn scalar_what() -> String;
    /// Whether a variable of element type `t` reads as `Self`.
    fn scalar_accepts(t: VarType) -> bool;
    /// Decodes one element; `b` holds exactly `t.size()` bytes.
    fn decode_scalar(b: &[u8], t: VarType) -> Option<Self>;
}

fn le4(b: &[u8]) -> Option<[u8; 4]> {
    b.get(..4)?.try_into().ok()
}

impl Scalar for f32 {
    fn scalar_what() -> String {
        "f32 (irsdk_float)".into()
    }
    fn scalar_accepts(t: VarType) -> bool {
        t == VarType::Float
    }
    fn decode_scalar(b: &[u8], _: VarType) -> Option<f32> {
        Some(f32::from_le_bytes(le4(b)?))
    }
}

impl Scalar for f64 {
    fn scalar_what() -> String {
        "f64 (irsdk_double)".into()
    }
    fn scalar_accepts(t: VarType) -> bool {
        t == VarType::Double
    }
    fn decode_scalar(b: &[u8], _: VarType) -> Option<f64> {
        Some(f64::from_le_bytes(b.get(..8)?.try_into().ok()?))
    }
}

impl Scalar for i32 {
    fn scalar_what() -> String {
        "i32 (irsdk_int or irsdk_bitField)".into()
    }
    fn scalar_accepts(t: VarType) -> bool {
        matches!(t, VarType::Int | VarType::BitField)
    }
    fn decode_scalar(b: &[u8], _: VarType) -> Option<i32> {
        Some(i32::from_le_bytes(le4(b)?))
    }
}

impl Scalar for u32 {
    fn scalar_what() -> String {
        "u32 (irsdk_bitField or irsdk_int)".into()
    }
    fn scalar_accepts(t: VarType) -> bool {
        matches!(t, VarType::Int | VarType::BitField)
    }
    fn decode_scalar(b: &[u8], _: VarType) -> Option<u32> {
        Some(u32::from_le_bytes(le4(b)?))
    }
}

impl Scalar for bool {
    fn scalar_what() -> String {
        "bool (irsdk_bool)".into()
    }
    fn scalar_accepts(t: VarType) -> bool {
        t == VarType::Bool
    }
    fn decode_scalar(b: &[u8], _: VarType) -> Option<bool> {
        Some(*b.first()? != 0)
    }
}

impl Scalar for u8 {
    fn scalar_what() -> String {
        "u8 (irsdk_char or irsdk_bool)".into()
    }
    fn scalar_accepts(t: VarType) -> bool {
        matches!(t, VarType::Char | VarType::Bool)
    }
    fn decode_scalar(b: &[u8], _: VarType) -> Option<u8> {
        b.first().copied()
    }
}

/// What a [`Var`] reads: a [`Scalar`] (count 1), `[T; N]` (count N) or `Vec<T>` (any count).
pub trait VarValue: Sized {
    /// Name for error messages.
    fn what() -> String;
    /// Whether a variable of type `t` reads as `Self` (elements only).
    fn accepts(t: VarType) -> bool;
    /// Whether a variable of `count` elements reads as `Self`.
    fn count_ok(count: u32) -> bool;
    /// Decodes the variable's bytes (`t.size() * count` of them).
    fn decode(b: &[u8], t: VarType, count: u32) -> Option<Self>;
}

impl<T: Scalar> VarValue for T {
    fn what() -> String {
        T::scalar_what()
    }
    fn accepts(t: VarType) -> bool {
        T::scalar_accepts(t)
    }
    fn count_ok(count: u32) -> bool {
        count == 1
    }
    fn decode(b: &[u8], t: VarType, _: u32) -> Option<T> {
        T::decode_scalar(b, t)
    }
}

impl<T: Scalar, const N: usize> VarValue for [T; N] {
    fn what() -> String {
        format!("[{}; {N}]", T::scalar_what())
    }
    fn accepts(t: VarType) -> bool {
        T::scalar_accepts(t)
    }
    fn count_ok(count: u32) -> bool {
        count as usize == N
    }
    fn decode(b: &[u8], t: VarType, _: u32) -> Option<[T; N]> {
        let v: Vec<T> = b
            .chunks_exact(t.size())
            .take(N)
            .map(|e| T::decode_scalar(e, t))
            .collect::<Option<_>>()?;
        v.try_into().ok()
    }
}

impl<T: Scalar> VarValue for Vec<T> {
    fn what() -> String {
        format!("Vec<{}>", T::scalar_what())
    }
    fn accepts(t: VarType) -> bool {
        T::scalar_accepts(t)
    }
    fn count_ok(_: u32) -> bool {
        true
    }
    fn decode(b: &[u8], t: VarType, count: u32) -> Option<Vec<T>> {
        b.chunks_exact(t.size())
            .take(count as usize)
            .map(|e| T::decode_scalar(e, t))
            .collect()
    }
}

/// A variable looked up once: where it is in a row and how to read it as `T`.
#[derive(Debug)]
pub struct Var<T> {
    offset: usize,
    count: u32,
    var_type: VarType,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Var<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Var<T> {}

impl<T: VarValue> Var<T> {
    /// Reads the variable from a row; `None` when the row is too short for it (a hostile or
    /// truncated row never panics).
    pub fn read(&self, row: &[u8]) -> Option<T> {
        let len = self.var_type.size().checked_mul(self.count as usize)?;
        let b = row.get(self.offset..self.offset.checked_add(len)?)?;
        T::decode(b, self.var_type, self.count)
    }

    /// Offset of the variable within a row.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Number of elements.
    pub fn count(&self) -> u32 {
        self.count
    }
}

/// An array variable looked up once, read element by element (e.g. `CarIdxLapDistPct[i]`).
#[derive(Debug)]
pub struct ArrayVar<T> {
    offset: usize,
    count: u32,
    var_type: VarType,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for ArrayVar<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ArrayVar<T> {}

impl<T: Scalar> ArrayVar<T> {
    /// Number of elements (64 for the live `CarIdx*` arrays).
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True for an array of no elements (iRacing never declares one).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Element `i`; `None` past the end or when the row is too short.
    pub fn get(&self, row: &[u8], i: usize) -> Option<T> {
        if i >= self.count as usize {
            return None;
        }
        let size = self.var_type.size();
        let at = self.offset.checked_add(i.checked_mul(size)?)?;
        T::decode_scalar(row.get(at..at.checked_add(size)?)?, self.var_type)
    }

    /// All elements; `None` when the row is too short.
    pub fn read(&self, row: &[u8]) -> Option<Vec<T>> {
        let len = self.var_type.size().checked_mul(self.count as usize)?;
        let b = row.get(self.offset..self.offset.checked_add(len)?)?;
        Vec::<T>::decode(b, self.var_type, self.count)
    }
}

/// One variable's value of any type, for generic display and iteration.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Value {
    /// `irsdk_char`.
    Char(u8),
    /// `irsdk_bool`.
    Bool(bool),
    /// `irsdk_int`.
    Int(i32),
    /// `irsdk_bitField`.
    BitField(u32),
    /// `irsdk_float`.
    Float(f32),
    /// `irsdk_double`.
    Double(f64),
    /// An array variable (count > 1), one value per element.
    Array(Vec<Value>),
}

impl Value {
    /// Decodes one element of type `t` from exactly `t.size()` bytes.
    fn element(b: &[u8], t: VarType) -> Option<Value> {
        Some(match t {
            VarType::Char => Value::Char(u8::decode_scalar(b, t)?),
            VarType::Bool => Value::Bool(bool::decode_scalar(b, t)?),
            VarType::Int => Value::Int(i32::decode_scalar(b, t)?),
            VarType::BitField => Value::BitField(u32::decode_scalar(b, t)?),
            VarType::Float => Value::Float(f32::decode_scalar(b, t)?),
            VarType::Double => Value::Double(f64::decode_scalar(b, t)?),
        })
    }

    /// The value as a number, for scalars of any numeric type (bool as 0/1).
    pub fn as_f64(&self) -> Option<f64> {
        Some(match *self {
            Value::Char(c) => f64::from(c),
            Value::Bool(b) => f64::from(u8::from(b)),
            Value::Int(i) => f64::from(i),
            Value::BitField(u) => f64::from(u),
            Value::Float(f) => f64::from(f),
            Value::Double(d) => d,
            Value::Array(_) => return None,
        })
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Char(c) => write!(f, "{}", char::from(*c)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::BitField(u) => write!(f, "0x{u:08x}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Double(x) => write!(f, "{x}"),
            Value::Array(v) => {
                write!(f, "[")?;
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{e}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// The variables of one layout by name: built once from the var headers, then hands out
/// typed handles.
#[derive(Clone, Debug, Default)]
pub struct VarIndex {
    vars: Vec<VarHeader>,
    by_name: HashMap<String, usize>,
}

impl VarIndex {
    /// Indexes `vars` (the first of two variables with one name wins, as in the SDK's lookup).
    pub fn new(vars: &[VarHeader]) -> VarIndex {
        let mut by_name = HashMap::with_capacity(vars.len());
        for (i, v) in vars.iter().enumerate() {
            by_name.entry(v.name.clone()).or_insert(i);
        }
        VarIndex {
            vars: vars.to_vec(),
            by_name,
        }
    }

    /// The var headers, in layout order.
    pub fn headers(&self) -> &[VarHeader] {
        &self.vars
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// True when the layout has no variables.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// The header of the variable called `name`.
    pub fn header(&self, name: &str) -> Option<&VarHeader> {
        self.by_name.get(name).map(|&i| &self.vars[i])
    }

    /// True when the layout has a variable called `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// A handle reading `name` as `T`, after checking its type and count.
    pub fn get<T: VarValue>(&self, name: &str) -> Result<Var<T>, VarError> {
        let h = self
            .header(name)
            .ok_or_else(|| VarError::NotFound(name.to_string()))?;
        if !T::accepts(h.var_type) {
            return Err(VarError::WrongType {
                name: name.to_string(),
                found: h.var_type,
                wanted: T::what(),
            });
        }
        if !T::count_ok(h.count) {
            return Err(VarError::WrongCount {
                name: name.to_string(),
                found: h.count,
                wanted: T::what(),
            });
        }
        Ok(Var {
            offset: h.offset as usize,
            count: h.count,
            var_type: h.var_type,
            _t: PhantomData,
        })
    }

    /// A handle reading the elements of `name` (an array of any length, or a scalar as a
    /// one-element array) as `T`.
    pub fn array<T: Scalar>(&self, name: &str) -> Result<ArrayVar<T>, VarError> {
        let h = self
            .header(name)
            .ok_or_else(|| VarError::NotFound(name.to_string()))?;
        if !T::scalar_accepts(h.var_type) {
            return Err(VarError::WrongType {
                name: name.to_string(),
                found: h.var_type,
                wanted: T::scalar_what(),
            });
        }
        Ok(ArrayVar {
            offset: h.offset as usize,
            count: h.count,
            var_type: h.var_type,
            _t: PhantomData,
        })
    }

    /// The value of `header`'s variable in `row`, whatever its type; `None` when the row is
    /// too short.
    pub fn value_of(&self, header: &VarHeader, row: &[u8]) -> Option<Value> {
        let size = header.var_type.size();
        let start = header.offset as usize;
        let b = row.get(start..start.checked_add(size.checked_mul(header.count as usize)?)?)?;
        if header.count == 1 {
            Value::element(b, header.var_type)
        } else {
            b.chunks_exact(size)
                .map(|e| Value::element(e, header.var_type))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array)
        }
    }

    /// The value of the variable called `name` in `row`.
    pub fn value(&self, name: &str, row: &[u8]) -> Option<Value> {
        self.value_of(self.header(name)?, row)
    }
}

/// An owned row with the index to read it: one moment of telemetry, self-contained.
#[derive(Clone, Debug)]
pub struct Telemetry {
    index: Arc<VarIndex>,
    row: Vec<u8>,
}

impl Telemetry {
    /// The row `row` of the layout `index`.
    pub fn new(index: Arc<VarIndex>, row: Vec<u8>) -> Telemetry {
        Telemetry { index, row }
    }

    /// The layout's index.
    pub fn index(&self) -> &Arc<VarIndex> {
        &self.index
    }

    /// The row bytes.
    pub fn row(&self) -> &[u8] {
        &self.row
    }

    /// Reads a handle's variable.
    pub fn read<T: VarValue>(&self, var: &Var<T>) -> Option<T> {
        var.read(&self.row)
    }

    /// Looks `name` up and reads it as `T` (for one-off reads; keep a [`Var`] for repeated ones).
    pub fn get<T: VarValue>(&self, name: &str) -> Result<Option<T>, VarError> {
        Ok(self.index.get::<T>(name)?.read(&self.row))
    }

    /// The value of `name`, whatever its type.
    pub fn get_by_name(&self, name: &str) -> Option<Value> {
        self.index.value(name, &self.row)
    }

    /// Every variable with its value, in layout order (variables the row is too short for are
    /// left out).
    pub fn iter(&self) -> impl Iterator<Item = (&str, Value)> + '_ {
        self.index
            .headers()
            .iter()
            .filter_map(|h| Some((h.name.as_str(), self.index.value_of(h, &self.row)?)))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Telemetry {
    /// A map of variable name to [`Value`], in layout order.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str, t: VarType, offset: u32, count: u32) -> VarHeader {
        VarHeader {
            var_type: t,
            offset,
            count,
            count_as_time: false,
            name: name.into(),
            desc: String::new(),
            unit: String::new(),
        }
    }

    /// A hand-made row: SessionTime f64 @0, Lap i32 @8, Flags bitfield @12, OnPit bool @16,
    /// Gear char @17, Pct [f32; 3] @18.
    fn sample() -> (VarIndex, Vec<u8>) {
        let vars = [
            h("SessionTime", VarType::Double, 0, 1),
            h("Lap", VarType::Int, 8, 1),
            h("Flags", VarType::BitField, 12, 1),
            h("OnPit", VarType::Bool, 16, 1),
            h("Gear", VarType::Char, 17, 1),
            h("Pct", VarType::Float, 18, 3),
        ];
        let mut row = vec![0u8; 30];
        row[0..8].copy_from_slice(&932.5f64.to_le_bytes());
        row[8..12].copy_from_slice(&(-3i32).to_le_bytes());
        row[12..16].copy_from_slice(&0x8000_0004u32.to_le_bytes());
        row[16] = 1;
        row[17] = b'N';
        for (i, x) in [0.25f32, 0.5, 0.75].iter().enumerate() {
            row[18 + 4 * i..22 + 4 * i].copy_from_slice(&x.to_le_bytes());
        }
        (VarIndex::new(&vars), row)
    }

    #[test]
    fn every_type_reads_back() {
        let (ix, row) = sample();
        assert_eq!(
            ix.get::<f64>("SessionTime").unwrap().read(&row),
            Some(932.5)
        );
        assert_eq!(ix.get::<i32>("Lap").unwrap().read(&row), Some(-3));
        assert_eq!(
            ix.get::<u32>("Flags").unwrap().read(&row),
            Some(0x8000_0004)
        );
        assert_eq!(ix.get::<bool>("OnPit").unwrap().read(&row), Some(true));
        assert_eq!(ix.get::<u8>("Gear").unwrap().read(&row), Some(b'N'));
        assert_eq!(
            ix.get::<[f32; 3]>("Pct").unwrap().read(&row),
            Some([0.25, 0.5, 0.75])
        );
        assert_eq!(
            ix.get::<Vec<f32>>("Pct").unwrap().read(&row),
            Some(vec![0.25, 0.5, 0.75])
        );
        let a = ix.array::<f32>("Pct").unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a.get(&row, 1), Some(0.5));
        assert_eq!(a.get(&row, 3), None);
    }

    #[test]
    fn lookups_check_name_type_and_count() {
        let (ix, _) = sample();
        assert_eq!(
            ix.get::<f32>("Nope").unwrap_err(),
            VarError::NotFound("Nope".into())
        );
        assert!(matches!(
            ix.get::<f32>("SessionTime").unwrap_err(),
            VarError::WrongType {
                found: VarType::Double,
                ..
            }
        ));
        assert!(matches!(
            ix.get::<f32>("Pct").unwrap_err(),
            VarError::WrongCount { found: 3, .. }
        ));
        assert!(matches!(
            ix.get::<[f32; 4]>("Pct").unwrap_err(),
            VarError::WrongCount { found: 3, .. }
        ));
    }

    #[test]
    fn short_rows_give_none_not_panics() {
        let (ix, row) = sample();
        for n in 0..row.len() {
            let short = &row[..n];
            let _ = ix.get::<f64>("SessionTime").unwrap().read(short);
            let pct = ix.get::<[f32; 3]>("Pct").unwrap();
            assert_eq!(pct.read(short).is_some(), n >= 30);
            assert_eq!(
                ix.array::<f32>("Pct").unwrap().get(short, 2).is_some(),
                n >= 30
            );
            let t = Telemetry::new(Arc::new(ix.clone()), short.to_vec());
            assert!(t.iter().count() <= 6);
        }
        assert_eq!(ix.get::<i32>("Lap").unwrap().read(&row[..11]), None);
        assert_eq!(ix.get::<i32>("Lap").unwrap().read(&row[..12]), Some(-3));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn telemetry_serialises_as_a_map_of_typed_values() {
        let (ix, row) = sample();
        let t = Telemetry::new(Arc::new(ix), row);
        let j = serde_json::to_value(&t).unwrap();
        assert_eq!(j["SessionTime"], serde_json::json!({ "Double": 932.5 }));
        assert_eq!(j["Lap"], serde_json::json!({ "Int": -3 }));
        assert_eq!(j["OnPit"], serde_json::json!({ "Bool": true }));
        assert_eq!(
            j["Pct"],
            serde_json::json!({ "Array": [{ "Float": 0.25 }, { "Float": 0.5 }, { "Float": 0.75 }] })
        );
        let back: Value = serde_json::from_value(j["Flags"].clone()).unwrap();
        assert_eq!(back, Value::BitField(0x8000_0004));
    }

    proptest::proptest! {
        /// Hand-made headers may say anything (var_headers from `parse_var_headers` are
        /// bounded by the row, but `VarIndex::new` takes any): reads never panic, and a read
        /// succeeds exactly when the row holds the whole variable.
        #[test]
        fn any_header_and_row_reads_without_panic(
            t in 0i32..6,
            offset in proptest::prop_oneof![0u32..64, proptest::num::u32::ANY],
            count in proptest::prop_oneof![1u32..20, proptest::num::u32::ANY],
            len in 0usize..128,
        ) {
            let var_type = VarType::from_i32(t).unwrap();
            let ix = VarIndex::new(&[h("V", var_type, offset, count)]);
            let row = vec![7u8; len];
            let fits = (offset as u128) + (var_type.size() as u128) * (count as u128) <= len as u128;
            let t = Telemetry::new(Arc::new(ix.clone()), row.clone());
            proptest::prop_assert_eq!(t.get_by_name("V").is_some(), fits);
            if let Ok(a) = ix.array::<u8>("V") {
                let _ = a.get(&row, usize::MAX);
                proptest::prop_assert_eq!(a.read(&row).is_some(), fits);
            }
            if let Ok(v) = ix.get::<Vec<f32>>("V") {
                proptest::prop_assert_eq!(v.read(&row).is_some(), fits);
            }
        }
    }

    #[test]
    fn telemetry_iterates_values_by_name() {
        let (ix, row) = sample();
        let t = Telemetry::new(Arc::new(ix), row);
        assert_eq!(t.get_by_name("Lap"), Some(Value::Int(-3)));
        assert_eq!(t.get_by_name("Flags"), Some(Value::BitField(0x8000_0004)));
        assert_eq!(t.get::<bool>("OnPit").unwrap(), Some(true));
        let all: Vec<(String, String)> = t.iter().map(|(k, v)| (k.into(), v.to_string())).collect();
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], ("SessionTime".into(), "932.5".into()));
        assert_eq!(all[2], ("Flags".into(), "0x80000004".into()));
        assert_eq!(all[4], ("Gear".into(), "N".into()));
        assert_eq!(all[5], ("Pct".into(), "[0.25, 0.5, 0.75]".into()));
        assert_eq!(Value::Int(-3).as_f64(), Some(-3.0));
    }
}
