//! Page declarations: what a recording holds besides frames — which pages, how big, and a
//! field map that tells the codec where the numbers are.

/// The numeric shape of one field inside a page.
///
/// The codec uses it only to choose how to predict a field's next value from its previous ones;
/// a wrong kind costs compression ratio, never correctness (the transform is lossless for any
/// bytes). Float kinds are predicted on their bit patterns as integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FieldKind {
    /// One byte: `u8`, `i8`, `bool`, `char`.
    U8,
    /// Two bytes, integer.
    U16,
    /// Four bytes, integer or bit field.
    U32,
    /// Four bytes, IEEE 754 single.
    F32,
    /// Eight bytes, integer.
    U64,
    /// Eight bytes, IEEE 754 double.
    F64,
}

impl FieldKind {
    /// Width of the field in bytes.
    pub const fn width(self) -> usize {
        match self {
            FieldKind::U8 => 1,
            FieldKind::U16 => 2,
            FieldKind::U32 | FieldKind::F32 => 4,
            FieldKind::U64 | FieldKind::F64 => 8,
        }
    }

    /// The code stored in the file (docs/FORMAT.md, "Field map").
    pub const fn code(self) -> u8 {
        match self {
            FieldKind::U8 => 1,
            FieldKind::U16 => 2,
            FieldKind::U32 => 3,
            FieldKind::F32 => 4,
            FieldKind::U64 => 5,
            FieldKind::F64 => 6,
        }
    }

    /// The kind for a stored code, `None` for a code this version does not know.
    pub const fn from_code(code: u8) -> Option<FieldKind> {
        Some(match code {
            1 => FieldKind::U8,
            2 => FieldKind::U16,
            3 => FieldKind::U32,
            4 => FieldKind::F32,
            5 => FieldKind::U64,
            6 => FieldKind::F64,
            _ => return None,
        })
    }
}

/// A page's field map as runs of equal kinds, packed from byte 0 with no gaps.
///
/// `[(F64, 1), (U32, 3)]` says: bytes 0..8 hold a double, bytes 8..20 three 4-byte integers.
/// Bytes past the end of the map are treated as 4-byte integers (and a 1–3 byte tail as
/// bytes), which is also the whole map of a page declared without one.
pub type FieldRuns = Vec<(FieldKind, u32)>;

/// One page a recording holds: a named block of bytes that the sim publishes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PageSpec {
    /// The sim's name for the page, e.g. `acpmf_physics` or `IRSDKMemMapFileName`.
    pub name: String,
    /// Size in bytes when the segment starts. Frames may carry the page at another size.
    pub size: u32,
    /// Which layout the bytes follow, e.g. `acc-1.8/physics`; empty when unknown.
    pub layout: String,
    /// Version of that layout, so readers can tell revisions apart.
    pub layout_version: u32,
    /// Field map for the codec; empty means "4-byte lanes".
    pub fields: FieldRuns,
}

impl PageSpec {
    /// A page with no layout information.
    pub fn new(name: impl Into<String>, size: u32) -> PageSpec {
        PageSpec {
            name: name.into(),
            size,
            layout: String::new(),
            layout_version: 0,
            fields: Vec::new(),
        }
    }

    /// Builder: attach a field map.
    pub fn with_fields(mut self, fields: FieldRuns) -> PageSpec {
        self.fields = fields;
        self
    }

    /// Builder: name the layout and its version.
    pub fn with_layout(mut self, layout: impl Into<String>, version: u32) -> PageSpec {
        self.layout = layout.into();
        self.layout_version = version;
        self
    }
}

/// The same field map with adjacent runs of one kind merged and empty runs dropped: what a
/// recording stores, and what a reader gets back.
pub fn merge_runs(runs: &[(FieldKind, u32)]) -> FieldRuns {
    let mut out: FieldRuns = Vec::with_capacity(runs.len());
    for &(k, n) in runs {
        if n == 0 {
            continue;
        }
        match out.last_mut() {
            Some((lk, ln)) if *lk == k && ln.checked_add(n).is_some() => *ln += n,
            _ => out.push((k, n)),
        }
    }
    out
}
