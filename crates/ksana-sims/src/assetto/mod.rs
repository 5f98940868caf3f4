//! The Assetto Corsa family: Assetto Corsa (AC), Assetto Corsa Competizione (ACC), AC Rally and
//! AC Evo. They share page names (`Local\acpmf_physics`, `Local\acpmf_graphics`,
//! `Local\acpmf_static`) and the packetId update protocol, but not layouts. Facts:
//! `../shared/reference/assetto-and-others.md` and `layouts/*.tsv`.
//!
//! [`family`] holds what the four share (page names, packetId reads, detection, reader and
//! publisher); each sim's folder holds its typed layout and its `Sim`.

pub mod ac;
pub mod acc;
pub mod acevo;
pub mod acrally;
pub mod enums;
pub mod family;
pub mod page;
pub mod strings;
