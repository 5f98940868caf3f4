//! The `.ldx` companion of a `.ld` file: XML that gives i2 the lap beacons (one marker per
//! lap end, microseconds from the start of the log) and the log's lap details (total laps,
//! fastest valid lap). Structure from the project's reference (`laps-and-analysis.md` §9.7).

use std::fmt::Write as _;

/// One lap end in the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Beacon {
    /// Time of the line crossing, µs from the first sample of the log.
    pub time_us: f64,
    /// Time of the lap that ends here, ms, when it counts for bests (complete, valid, not an
    /// in- or out-lap); `None` otherwise.
    pub best_candidate_ms: Option<u32>,
}

/// `ms` as `mm:ss.sss`.
fn lap_time(ms: u32) -> String {
    format!("{:02}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
}

/// The `.ldx` text for a log with `beacons` (in time order). i2 counts laps from the start
/// of the log: lap 1 ends at the first beacon, lap `k + 1` at beacon `k` (0-based), and the
/// part after the last beacon is one more lap; `Fastest Lap` uses that numbering.
pub fn ldx(beacons: &[Beacon]) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" ?>\n");
    s.push_str(
        "<LDXFile locale=\"English_United Kingdom.1252\" DefaultLocale=\"C\" Version=\"1.6\">\n",
    );
    s.push_str(" <Layers>\n  <Layer>\n   <MarkerBlock>\n");
    if !beacons.is_empty() {
        let _ = writeln!(
            s,
            "    <MarkerGroup Name=\"Beacons\" Index=\"{}\">",
            beacons.len() - 1
        );
        for (i, b) in beacons.iter().enumerate() {
            let _ = writeln!(
                s,
                "     <Marker Version=\"100\" ClassName=\"BCN\" Name=\"Manual.{}\" Flags=\"77\" \
                 Time=\"{:.2}\"/>",
                i + 1,
                b.time_us
            );
        }
        s.push_str("    </MarkerGroup>\n");
    }
    s.push_str("   </MarkerBlock>\n  </Layer>\n  <Details>\n");
    let _ = writeln!(
        s,
        "   <String Id=\"Total Laps\" Value=\"{}\"/>",
        beacons.len() + 1
    );
    let mut best: Option<(usize, u32)> = None;
    for (i, b) in beacons.iter().enumerate() {
        if let Some(ms) = b.best_candidate_ms
            && best.is_none_or(|(_, m)| ms < m)
        {
            best = Some((i, ms));
        }
    }
    if let Some((i, ms)) = best {
        let _ = writeln!(
            s,
            "   <String Id=\"Fastest Time\" Value=\"{}\"/>",
            lap_time(ms)
        );
        let _ = writeln!(s, "   <String Id=\"Fastest Lap\" Value=\"{}\"/>", i + 1);
    }
    s.push_str("  </Details>\n </Layers>\n</LDXFile>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beacons_and_fastest_lap() {
        let b = |t: f64, ms: Option<u32>| Beacon {
            time_us: t,
            best_candidate_ms: ms,
        };
        let x = ldx(&[
            b(30_000_000.0, None),
            b(120_500_000.256, Some(90_500)),
            b(210_000_000.0, Some(89_499)),
            b(300_000_000.0, Some(89_499)),
        ]);
        assert_eq!(x.matches("<Marker ").count(), 4);
        assert!(x.contains("Name=\"Beacons\" Index=\"3\""), "{x}");
        assert!(x.contains("Time=\"120500000.26\""), "{x}");
        assert!(x.contains("Id=\"Total Laps\" Value=\"5\""), "{x}");
        assert!(x.contains("Id=\"Fastest Time\" Value=\"01:29.499\""), "{x}");
        assert!(
            x.contains("Id=\"Fastest Lap\" Value=\"3\""),
            "first of equal bests: {x}"
        );
    }

    #[test]
    fn no_laps() {
        let x = ldx(&[]);
        assert!(!x.contains("MarkerGroup"), "{x}");
        assert!(x.contains("Id=\"Total Laps\" Value=\"1\""), "{x}");
        assert!(!x.contains("Fastest"), "{x}");
    }
}
