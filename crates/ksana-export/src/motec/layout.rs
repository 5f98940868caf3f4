//! The byte layout of a MoTeC i2 `.ld` file before its samples: the file header, the event,
//! venue and vehicle blocks and the list of channel descriptions. Written from the field
//! tables in the project's reference (`laps-and-analysis.md` §9.2–9.4), not from a sample
//! file. Little-endian; text fields fixed-width and zero-padded.
//!
//! ```text
//! 0x0000  file header            1762 bytes
//! 0x06E2  event block            1160 bytes (name, session, comment, venue ptr, weather ptr)
//! 0x0B6A  venue block            1102 bytes (name, …, vehicle ptr at +1098)
//! 0x0FB8  vehicle block          1312 bytes (id, …, type "Car", …)
//! 0x14D8  channel descriptions   124 bytes each, a doubly linked list in channel order
//!         samples                one contiguous array per channel, in channel order
//! ```
//! The venue and vehicle pointers stay below 65536 because some readers read them as u16.

/// Length of the file header.
pub const HEADER_LEN: u32 = 0x6E2;
/// Length of the event block as written (name 64, session 64, comment 1024, venue pointer
/// u32, weather pointer u32).
pub const EVENT_LEN: u32 = 64 + 64 + 1024 + 4 + 4;
/// Length of the venue block as written (name 64, 2 unknown, length i32, best lap i32,
/// 1024 unknown, vehicle pointer u32).
pub const VENUE_LEN: u32 = 64 + 2 + 4 + 4 + 1024 + 4;
/// Length of the vehicle block as written.
pub const VEHICLE_LEN: u32 = 64 * 3 + 2 + 2 + 32 + 32 + 22 + 2 + 2 + 2 + 1024;
/// Length of one channel description.
pub const META_LEN: u32 = 124;

/// The file marker at offset 0 (readers check it).
pub const LD_MARKER: u32 = 0x40;
/// The constants of the header's device fields, as the known-good writers set them.
const SIG1: u32 = 1_000_000;
const DEVICE_SERIAL: u32 = 12007;
const DEVICE_TYPE: &str = "ADL";
const DEVICE_VERSION: u16 = 420;
const SIG2: u16 = 0x0080;
/// The channel description flag of an ordinary (non-beacon) channel.
const CHANNEL_FLAG: u16 = 0x0004;

/// Sample class of 32-bit floats.
pub const CLASS_FLOAT: u16 = 0x07;
/// Sample class of integers.
pub const CLASS_INT: u16 = 0x03;

/// The text of the header and the event, venue and vehicle blocks (ASCII, cut to fit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileText {
    /// `dd/mm/yyyy`.
    pub date: String,
    /// `HH:MM:SS`.
    pub time: String,
    /// Driver name.
    pub driver: String,
    /// Vehicle id (the car).
    pub vehicle: String,
    /// Venue (the track).
    pub venue: String,
    /// Event name.
    pub event: String,
    /// Session (practice, race, …).
    pub session: String,
    /// Short comment (64 bytes).
    pub short_comment: String,
    /// Long comment of the event block (1024 bytes).
    pub comment: String,
}

/// One channel's description: what the samples at its data pointer are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelMeta {
    /// Name (≤ 31 bytes ASCII).
    pub name: String,
    /// Short name (≤ 7 bytes).
    pub short_name: String,
    /// Unit (≤ 11 bytes).
    pub unit: String,
    /// Sample class ([`CLASS_FLOAT`], [`CLASS_INT`]).
    pub class: u16,
    /// Bytes per sample (2 or 4).
    pub size: u16,
    /// Samples per second.
    pub rate_hz: u16,
    /// Number of samples.
    pub count: u32,
}

/// Where the parts of a file go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Offset of the event block.
    pub event: u32,
    /// Offset of the venue block.
    pub venue: u32,
    /// Offset of the vehicle block.
    pub vehicle: u32,
    /// Offset of the first channel description.
    pub meta: u32,
    /// Offset of each channel's samples.
    pub data: Vec<u32>,
    /// Length of the whole file.
    pub file_len: u64,
}

/// The offsets of a file with `channels`, or `None` when it would pass 4 GiB (the format's
/// pointers are 32-bit).
pub fn plan(channels: &[ChannelMeta]) -> Option<Plan> {
    let event = HEADER_LEN;
    let venue = event + EVENT_LEN;
    let vehicle = venue + VENUE_LEN;
    let meta = vehicle + VEHICLE_LEN;
    let mut at = u64::from(meta) + u64::from(META_LEN) * channels.len() as u64;
    let mut data = Vec::with_capacity(channels.len());
    for c in channels {
        data.push(u32::try_from(at).ok()?);
        at += u64::from(c.count) * u64::from(c.size);
    }
    u32::try_from(at).ok()?;
    Some(Plan {
        event,
        venue,
        vehicle,
        meta,
        data,
        file_len: at,
    })
}

/// A zero-filled buffer written at fixed offsets.
struct Buf(Vec<u8>);

impl Buf {
    fn u16(&mut self, at: u32, v: u16) {
        self.bytes(at, &v.to_le_bytes());
    }
    fn u32(&mut self, at: u32, v: u32) {
        self.bytes(at, &v.to_le_bytes());
    }
    fn bytes(&mut self, at: u32, b: &[u8]) {
        let at = at as usize;
        self.0[at..at + b.len()].copy_from_slice(b);
    }
    /// `s` in a field of `width` bytes, keeping a terminating zero.
    fn text(&mut self, at: u32, width: u32, s: &str) {
        let s = super::names::ascii(s, width as usize - 1);
        self.bytes(at, s.as_bytes());
    }
}

/// Everything before the samples: header, event, venue, vehicle and channel descriptions,
/// laid out as `plan` says.
pub fn prelude(text: &FileText, channels: &[ChannelMeta], plan: &Plan) -> Vec<u8> {
    let n = channels.len() as u32;
    let mut b = Buf(vec![0; (plan.meta + META_LEN * n) as usize]);
    // File header (reference §9.2).
    b.u32(0x000, LD_MARKER);
    b.u32(0x008, if n == 0 { 0 } else { plan.meta });
    b.u32(0x00C, plan.data.first().copied().unwrap_or(0));
    b.u32(0x024, plan.event);
    b.u32(0x042, SIG1);
    b.u32(0x046, DEVICE_SERIAL);
    b.text(0x04A, 8, DEVICE_TYPE);
    b.u16(0x052, DEVICE_VERSION);
    b.u16(0x054, SIG2);
    b.u32(0x056, n);
    b.text(0x05E, 16, &text.date);
    b.text(0x07E, 16, &text.time);
    b.text(0x09E, 64, &text.driver);
    b.text(0x0DE, 64, &text.vehicle);
    b.text(0x15E, 64, &text.venue);
    b.text(0x5E4, 64, &text.session);
    b.text(0x624, 64, &text.short_comment);
    // Event block (§9.3).
    let e = plan.event;
    b.text(e, 64, &text.event);
    b.text(e + 64, 64, &text.session);
    b.text(e + 128, 1024, &text.comment);
    b.u32(e + 1152, plan.venue);
    // Venue block.
    let v = plan.venue;
    b.text(v, 64, &text.venue);
    b.u32(v + 1098, plan.vehicle);
    // Vehicle block.
    let h = plan.vehicle;
    b.text(h, 64, &text.vehicle);
    b.text(h + 196, 32, "Car");
    // Channel descriptions (§9.4).
    for (i, c) in channels.iter().enumerate() {
        let i = i as u32;
        let at = plan.meta + META_LEN * i;
        b.u32(at, if i == 0 { 0 } else { at - META_LEN });
        b.u32(at + 4, if i + 1 == n { 0 } else { at + META_LEN });
        b.u32(at + 8, plan.data[i as usize]);
        b.u32(at + 12, c.count);
        b.u16(at + 16, CHANNEL_FLAG);
        b.u16(at + 18, c.class);
        b.u16(at + 20, c.size);
        b.u16(at + 22, c.rate_hz);
        b.u16(at + 24, 0); // shift
        b.u16(at + 26, 1); // mul
        b.u16(at + 28, 1); // scale
        b.u16(at + 30, 0); // decimal places
        b.text(at + 32, 32, &c.name);
        b.text(at + 64, 8, &c.short_name);
        b.text(at + 72, 12, &c.unit);
    }
    b.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str, count: u32, size: u16) -> ChannelMeta {
        ChannelMeta {
            name: name.into(),
            short_name: name.into(),
            unit: "m/s".into(),
            class: CLASS_FLOAT,
            size,
            rate_hz: 60,
            count,
        }
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn block_offsets_match_the_reference() {
        assert_eq!(HEADER_LEN, 1762);
        assert_eq!(VEHICLE_LEN, 1312);
        let chans = [meta("a", 10, 4), meta("b", 3, 2)];
        let p = plan(&chans).unwrap();
        assert_eq!(
            (p.event, p.venue, p.vehicle, p.meta),
            (1762, 2922, 4024, 5336)
        );
        assert_eq!(p.data, vec![5336 + 248, 5336 + 248 + 40]);
        assert_eq!(p.file_len, 5336 + 248 + 40 + 6);
        let text = FileText {
            date: "01/02/2026".into(),
            venue: "Monza".into(),
            ..FileText::default()
        };
        let b = prelude(&text, &chans, &p);
        assert_eq!(b.len(), 5336 + 248);
        assert_eq!(u32_at(&b, 0), 0x40);
        assert_eq!(u32_at(&b, 8), 5336);
        assert_eq!(u32_at(&b, 0x0C), 5584);
        assert_eq!(u32_at(&b, 0x24), 1762);
        assert_eq!(&b[0x42..0x46], &[0x40, 0x42, 0x0F, 0x00]);
        assert_eq!(u32_at(&b, 0x56), 2);
        assert_eq!(&b[0x5E..0x68], b"01/02/2026");
        assert_eq!(u32_at(&b, 1762 + 1152), 2922);
        assert_eq!(&b[2922..2927], b"Monza");
        assert_eq!(u32_at(&b, 2922 + 1098), 4024);
        // The linked list: a → b.
        assert_eq!(u32_at(&b, 5336), 0);
        assert_eq!(u32_at(&b, 5336 + 4), 5336 + 124);
        assert_eq!(u32_at(&b, 5336 + 124), 5336);
        assert_eq!(u32_at(&b, 5336 + 124 + 4), 0);
        assert_eq!(u32_at(&b, 5336 + 124 + 12), 3);
    }

    #[test]
    fn files_past_4_gib_are_refused() {
        assert!(plan(&[meta("a", u32::MAX, 4)]).is_none());
        assert!(plan(&[meta("a", 1 << 20, 4)]).is_some());
    }
}
