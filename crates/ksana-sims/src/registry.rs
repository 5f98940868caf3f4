//! Every sim ksana knows. Adding a sim: its folder, and one line here.

use crate::sim::Sim;

static SIMS: &[&dyn Sim] = &[
    &crate::testpattern::TestPattern,
    &crate::iracing::Iracing,
    // The AC family: Evo has its own page names; AC, ACC and AC Rally share `acpmf_*` and each
    // probe is live only for the member that owns them (process, smVersion, Kelvin), so their
    // order does not decide, but the most common comes first.
    &crate::assetto::acevo::AcEvo,
    &crate::assetto::acc::Acc,
    &crate::assetto::acrally::AcRally,
    &crate::assetto::ac::Ac,
];

/// All registered sims, in the order `--sim auto` probes them.
pub fn all() -> &'static [&'static dyn Sim] {
    SIMS
}

/// The sim with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Sim> {
    SIMS.iter().copied().find(|s| s.id() == id)
}
