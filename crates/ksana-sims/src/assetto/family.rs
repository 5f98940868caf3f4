//! What the four AC-family sims share: three pages (physics, graphics, static), the packetId
//! update protocol, detection, the recorder's reader, the player's publisher, and a
//! protocol-correct stand-in writer with its checker. Each sim describes itself with a
//! [`Family`] value; the code here is parameterised by it.
//!
//! Facts: `shared/reference/assetto-and-others.md` §3, §4, §9, §13.

pub mod channels;
pub mod fake;
pub mod pattern;
mod probe;
mod publisher;
mod reader;
pub mod timing;

use ksana_format::{FieldRuns, PageSpec};
use ksana_shm::{Mapping, ShmNamespace};

use crate::sim::SimError;

pub use pattern::{PatternWriter, Patterns, check_page, watch_updates};
pub use probe::{ProbeFacts, probe_facts};
pub use publisher::FamilyPublisher;
pub use reader::FamilyReader;

/// `AC_STATUS` / `ACEVO_STATUS` value `AC_OFF` (graphics `status`).
pub const STATUS_OFF: i32 = 0;
/// `AC_LIVE`.
pub const STATUS_LIVE: i32 = 2;
/// Offset of `packetId` in physics and graphics (int32).
pub const PACKET_ID: usize = 0;
/// Offset of graphics `status` (int32) in every family member.
pub const GRAPHICS_STATUS: usize = 4;
/// Offset of physics `tyreCoreTemperature[4]` (float) in the 800-byte ACC / AC Rally / Evo
/// physics layout (and AC1's first 416 bytes).
pub const PHYSICS_TYRE_CORE_TEMP: usize = 152;

/// Which of the three pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// `SPageFilePhysics`: packetId, ~333 Hz.
    Physics,
    /// `SPageFileGraphic(Evo)`: packetId, status, per rendered frame.
    Graphics,
    /// `SPageFileStatic(Evo)`: no counter, written at session load.
    Static,
}

/// How a member's strings are encoded (static `smVersion` and friends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strings {
    /// `wchar_t` on Windows: UTF-16LE (AC, ACC, AC Rally).
    Utf16,
    /// 1-byte `char`, NUL-terminated (AC Evo).
    Bytes,
}

/// One page of a family member.
#[derive(Clone, Copy, Debug)]
pub struct PageDef {
    /// Which page.
    pub kind: PageKind,
    /// Mapping name, e.g. `Local\acpmf_physics`.
    pub name: &'static str,
    /// `sizeof` the struct: a mapping shorter than this is not the sim's.
    pub struct_size: usize,
    /// Bytes a recording captures when the mapping is at least that long (reference §13:
    /// page-rounded lengths that cover every known revision of the struct).
    pub capture: usize,
    /// Layout id stored in recordings, e.g. `acc/physics`.
    pub layout: &'static str,
    /// Codec field map of the captured bytes.
    pub fields: fn() -> FieldRuns,
}

impl PageDef {
    /// How many bytes to capture from a mapping of `len` bytes: [`PageDef::capture`], or all
    /// of a shorter mapping (Linux bridges create 2048-byte `acpmf_*` files), but never less
    /// than the struct.
    pub fn capture_len(&self, len: usize) -> Result<usize, SimError> {
        if len < self.struct_size {
            return Err(SimError::Layout {
                page: self.name.into(),
                detail: format!(
                    "mapping is {len} bytes, shorter than the {}-byte struct",
                    self.struct_size
                ),
            });
        }
        Ok(len.min(self.capture))
    }

    /// The page declaration for a capture of `size` bytes.
    pub fn spec(&self, size: usize) -> PageSpec {
        let mut fields = (self.fields)();
        // The map must not claim more bytes than the page holds.
        let mut covered = 0usize;
        fields.retain(|(k, n)| {
            covered += k.width() * *n as usize;
            covered <= size
        });
        PageSpec::new(self.name, size as u32)
            .with_layout(self.layout, 1)
            .with_fields(fields)
    }

    /// True for pages whose int32 at 0 is a packetId.
    pub fn has_packet_id(&self) -> bool {
        self.kind != PageKind::Static
    }
}

/// A member of the family, as the shared code needs to know it.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    /// Sim id, e.g. `acc`.
    pub id: &'static str,
    /// Human name.
    pub name: &'static str,
    /// Physics page.
    pub physics: PageDef,
    /// Graphics page.
    pub graphics: PageDef,
    /// Static page.
    pub statics: PageDef,
    /// String encoding of the static page.
    pub strings: Strings,
    /// Process names of the game (Windows), for detection.
    pub processes: &'static [&'static str],
    /// True when some builds publish only physics (AC Rally, AC Evo): a recording without
    /// graphics and static is then accepted and says so.
    pub physics_only_ok: bool,
}

impl Family {
    /// The three pages, physics first (the order of a recording's pages).
    pub fn pages(&self) -> [&PageDef; 3] {
        [&self.physics, &self.graphics, &self.statics]
    }

    /// The page with this mapping name.
    pub fn page_named(&self, name: &str) -> Option<&PageDef> {
        self.pages().into_iter().find(|p| p.name == name)
    }
}

/// Opens `page` read-only when it exists; `Ok(None)` when it does not, or when it is an
/// empty (not yet sized) bridge file.
pub fn open_page(ns: &ShmNamespace, page: &PageDef) -> Result<Option<Mapping>, SimError> {
    Ok(Mapping::open_read(ns, page.name)?.filter(|m| !m.is_empty()))
}

/// The packetId read of the AC family made safer: packetId, two copies, packetId again; the
/// copy counts only when both ids agree **and** both copies do. The plain re-read
/// ([`crate::protocol::packet_id_read`]) cannot see a writer that is rewriting the body of the
/// next update while the old packetId is still in place (the games write the body first and
/// the packetId last); two copies taken during such a write differ. Returns the packetId, or
/// `None` after [`crate::protocol::RETRIES`] attempts. `scratch` is resized to `buf`'s length.
pub fn packet_id_read_stable(
    map: &Mapping,
    buf: &mut [u8],
    scratch: &mut Vec<u8>,
) -> Result<Option<i32>, SimError> {
    scratch.resize(buf.len(), 0);
    for _ in 0..crate::protocol::RETRIES {
        let a = map.load_i32_acquire(PACKET_ID)?;
        map.read(0, buf)?;
        map.read(0, scratch)?;
        let b = map.load_i32_acquire(PACKET_ID)?;
        if a == b && buf == scratch.as_slice() && i32_at(buf, PACKET_ID) == a {
            return Ok(Some(a));
        }
        std::hint::spin_loop();
    }
    Ok(None)
}

/// Decodes a NUL-terminated string of `max` code units at `off` of `b` (lossy; empty when out
/// of range).
pub fn string_at(b: &[u8], off: usize, max: usize, enc: Strings) -> String {
    match enc {
        Strings::Utf16 => {
            let Some(s) = b.get(off..off.saturating_add(max * 2)) else {
                return String::new();
            };
            let units: Vec<u16> = s
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0)
                .collect();
            String::from_utf16_lossy(&units)
        }
        Strings::Bytes => {
            let Some(s) = b.get(off..off.saturating_add(max)) else {
                return String::new();
            };
            let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
            String::from_utf8_lossy(&s[..end]).into_owned()
        }
    }
}

/// Little-endian i32 at `o` of `b`, 0 when out of range.
pub fn i32_at(b: &[u8], o: usize) -> i32 {
    b.get(o..o.saturating_add(4))
        .and_then(|s| s.try_into().ok())
        .map_or(0, i32::from_le_bytes)
}

/// Little-endian f32 at `o` of `b`, 0 when out of range.
pub fn f32_at(b: &[u8], o: usize) -> f32 {
    f32::from_bits(i32_at(b, o) as u32)
}

/// A `major.minor` version string ("1.7", "1.9") as a pair; `None` when it is not one.
pub fn parse_version(s: &str) -> Option<(u32, u32)> {
    let mut it = s.trim().split('.');
    let major = it.next()?.trim().parse().ok()?;
    let minor = it
        .next()
        .map(|m| {
            m.trim()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
        })
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    Some((major, minor))
}

/// True when a physics page's tyre core temperatures look like Kelvin (AC Rally publishes
/// Kelvin, the others Celsius): all four finite and between 200 and 1000, which no tyre in °C
/// reaches.
pub fn temperatures_in_kelvin(physics: &[u8]) -> bool {
    (0..4).all(|w| {
        let t = f32_at(physics, PHYSICS_TYRE_CORE_TEMP + 4 * w);
        t.is_finite() && (200.0..1000.0).contains(&t)
    })
}

/// The names of the processes running now, where the OS lets ksana list them (Windows);
/// `None` elsewhere. Used to tell AC, ACC and AC Rally apart, which share page names.
pub fn running_processes() -> Option<Vec<String>> {
    ksana_shm::process_names()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(parse_version("1.7"), Some((1, 7)));
        assert_eq!(parse_version("1.9"), Some((1, 9)));
        assert_eq!(parse_version("1.10.2"), Some((1, 10)));
        assert!(parse_version("1.7").unwrap() < (1, 8));
        assert_eq!(parse_version(""), None);
        assert_eq!(parse_version("abc"), None);
    }

    #[test]
    fn strings_decode_both_encodings_and_survive_short_input() {
        let mut b = vec![0u8; 40];
        for (i, u) in "1.9".encode_utf16().enumerate() {
            b[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        assert_eq!(string_at(&b, 0, 15, Strings::Utf16), "1.9");
        assert_eq!(string_at(&b, 30, 15, Strings::Utf16), "");
        let c = b"monza\0xx";
        assert_eq!(string_at(c, 0, 8, Strings::Bytes), "monza");
        assert_eq!(string_at(c, 4, 8, Strings::Bytes), "");
    }

    #[test]
    fn kelvin_heuristic() {
        let mut p = vec![0u8; 800];
        assert!(!temperatures_in_kelvin(&p));
        for w in 0..4 {
            p[152 + 4 * w..156 + 4 * w].copy_from_slice(&310.5f32.to_le_bytes());
        }
        assert!(temperatures_in_kelvin(&p));
        p[152..156].copy_from_slice(&85.0f32.to_le_bytes());
        assert!(!temperatures_in_kelvin(&p));
        assert!(!temperatures_in_kelvin(&p[..10]));
    }
}
