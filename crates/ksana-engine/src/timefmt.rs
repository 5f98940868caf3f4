//! Times on the command line: `83.5`, `1:23.5`, `1:02:03`.

/// Parses seconds (`83.5`), minutes:seconds (`1:23.5`) or hours:minutes:seconds (`1:02:03.25`)
/// into nanoseconds.
pub fn parse_time(s: &str) -> Result<u64, String> {
    let bad = || format!("{s:?} is not a time: use seconds (83.5), m:ss (1:23.5) or h:mm:ss");
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.is_empty() || parts.len() > 3 {
        return Err(bad());
    }
    let (last, whole) = parts.split_last().ok_or_else(bad)?;
    let secs: f64 = last.parse().map_err(|_| bad())?;
    if !secs.is_finite() || secs < 0.0 || (!whole.is_empty() && secs >= 60.0) {
        return Err(bad());
    }
    let mut total = 0u64;
    for (i, p) in whole.iter().enumerate() {
        let v: u64 = p.parse().map_err(|_| bad())?;
        if i > 0 && v >= 60 {
            return Err(bad());
        }
        total = total
            .checked_mul(60)
            .and_then(|t| t.checked_add(v))
            .ok_or_else(bad)?;
    }
    let ns = (total as f64 * 60.0 + secs) * 1e9;
    if ns > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(ns.round() as u64)
}

/// Parses a duration: a time as [`parse_time`] takes it, or a number with a unit `s`, `m` or
/// `h` (`30s`, `5m`, `1.5h`), as the original ksana's `--max-duration` took it.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let unit = match t.chars().last() {
        Some('s') => 1.0,
        Some('m') => 60.0,
        Some('h') => 3600.0,
        _ => return parse_time(t).map(std::time::Duration::from_nanos),
    };
    let v: f64 = t[..t.len() - 1]
        .parse()
        .map_err(|_| format!("{s:?} is not a duration: use 30s, 5m, 1.5h, 90 or 1:30"))?;
    if !v.is_finite() || v < 0.0 || v * unit > 1e9 {
        return Err(format!(
            "{s:?} is not a duration: use 30s, 5m, 1.5h, 90 or 1:30"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(v * unit))
}

/// Formats nanoseconds as `m:ss.sss` (or `h:mm:ss.sss`).
pub fn format_time(ns: u64) -> String {
    let ms = ns / 1_000_000;
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{milli:03}")
    } else {
        format!("{m}:{s:02}.{milli:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        assert_eq!(parse_time("83.5"), Ok(83_500_000_000));
        assert_eq!(parse_time("1:23.5"), Ok(83_500_000_000));
        assert_eq!(parse_time("1:02:03"), Ok(3_723_000_000_000));
        assert_eq!(parse_time("0"), Ok(0));
    }

    #[test]
    fn rejected_forms() {
        for s in ["", "-1", "1:60", "1:61:00", "a", "1:2:3:4", "nan", "1e400"] {
            assert!(parse_time(s).is_err(), "{s}");
        }
    }

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1:30"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("xs").is_err());
        assert!(parse_duration("-1m").is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_time(83_500_000_000), "1:23.500");
        assert_eq!(format_time(3_723_000_000_000), "1:02:03.000");
    }
}
