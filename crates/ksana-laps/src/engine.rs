//! (being written)
/// placeholder
pub struct LapTracker;
/// placeholder
pub enum LapEvent {}
