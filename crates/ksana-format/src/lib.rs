//! The ksana recording format (work in progress).
mod page;
pub use page::{FieldKind, FieldRuns, PageSpec};
