//! Channel names, short names and units as MoTeC stores them: fixed-width, zero-terminated
//! ASCII fields (name 32 bytes, short name 8, unit 12, each keeping one byte for the
//! terminating zero). Long names are cut deterministically and kept unique.

use std::collections::HashSet;

/// Longest channel name, bytes (the field is 32 with its terminating zero).
pub const NAME_MAX: usize = 31;
/// Longest short name, bytes.
pub const SHORT_MAX: usize = 7;
/// Longest unit, bytes.
pub const UNIT_MAX: usize = 11;

/// `s` in ASCII (`°` → `deg`, `µ` → `u`, `²`/`³` → `2`/`3`, other non-ASCII or control
/// characters → `?`), cut to `max` bytes.
pub fn ascii(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    for c in s.chars() {
        let rep: &str = match c {
            ' '..='~' => {
                let mut b = [0u8; 4];
                let piece = c.encode_utf8(&mut b);
                if out.len() + 1 > max {
                    break;
                }
                out.push_str(piece);
                continue;
            }
            '°' => "deg",
            'µ' | 'μ' => "u",
            '²' => "2",
            '³' => "3",
            _ => "?",
        };
        if out.len() + rep.len() > max {
            break;
        }
        out.push_str(rep);
    }
    out
}

/// Gives every channel a MoTeC name: [`ascii`] cut to [`NAME_MAX`]; when that name is taken
/// (ignoring case) by an earlier channel, its end is replaced by `~2`, `~3`, … (the first
/// free one), so that names stay unique and the same input always gives the same names.
#[derive(Debug, Default)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    /// The MoTeC name of the next channel, named `name` by the sim.
    pub fn name(&mut self, name: &str) -> String {
        let mut n = ascii(name, NAME_MAX);
        if n.is_empty() {
            n = "channel".into();
        }
        let mut k = 2u32;
        while self.taken.contains(&n.to_ascii_lowercase()) {
            let suffix = format!("~{k}");
            n = format!("{}{suffix}", ascii(name, NAME_MAX - suffix.len()));
            k += 1;
        }
        self.taken.insert(n.to_ascii_lowercase());
        n
    }
}

/// The short name of a channel named `motec_name`: its first [`SHORT_MAX`] bytes (not
/// necessarily unique; i2 shows it where space is short).
pub fn short_name(motec_name: &str) -> String {
    ascii(motec_name, SHORT_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_replaces_and_cuts() {
        assert_eq!(ascii("°C", 11), "degC");
        assert_eq!(ascii("m/s²", 11), "m/s2");
        assert_eq!(ascii("é\u{1}x", 11), "??x");
        assert_eq!(ascii("abcdef", 3), "abc");
        assert_eq!(
            ascii("ab°", 4),
            "ab",
            "a replacement that does not fit is left out"
        );
    }

    #[test]
    fn names_are_cut_and_unique() {
        let mut n = Namer::default();
        let long = "physics.suspensionTravelOfTheWheel[0]";
        let a = n.name(long);
        assert_eq!(a, "physics.suspensionTravelOfTheWh");
        assert_eq!(a.len(), NAME_MAX);
        let b = n.name("physics.suspensionTravelOfTheWheel[1]");
        assert_eq!(b, "physics.suspensionTravelOfThe~2");
        let c = n.name("physics.suspensionTravelOfTheWheel[2]");
        assert_eq!(c, "physics.suspensionTravelOfThe~3");
        assert_eq!(n.name("Speed"), "Speed");
        assert_eq!(
            n.name("speed"),
            "speed~2",
            "names differing only by case collide"
        );
        assert_eq!(n.name(""), "channel");
        assert_eq!(short_name("Ground Speed"), "Ground ");
    }
}
