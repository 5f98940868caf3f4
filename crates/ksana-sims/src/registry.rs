//! Every sim ksana knows. Adding a sim: its folder, and one line here.

use crate::sim::Sim;

static SIMS: &[&dyn Sim] = &[&crate::testpattern::TestPattern, &crate::iracing::Iracing];

/// All registered sims, in the order `--sim auto` probes them.
pub fn all() -> &'static [&'static dyn Sim] {
    SIMS
}

/// The sim with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Sim> {
    SIMS.iter().copied().find(|s| s.id() == id)
}
