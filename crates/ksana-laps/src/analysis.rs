//! (being written)
/// placeholder
pub struct SessionAnalysis;
/// placeholder
pub fn analyse() {}
