//! The text parts of the report: HTML escaping, the page's head and foot, a session's
//! summary and its lap table (times `m:ss.mmm` as `ksana laps` prints them, best lap and best
//! sectors marked, the theoretical best).

use std::fmt::Write as _;

use ksana_laps::table::{format_delta, format_time};
use ksana_laps::{Lap, Session, SessionAnalysis};

/// The style sheet, inlined into the page.
const STYLE: &str = include_str!("report.css");

/// `s` with `&`, `<`, `>`, `"` and `'` escaped, for text and attribute values alike.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// The page up to the body's first element. The content security policy allows inline style
/// and data: images only: the page cannot load anything, nor run a script.
pub fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"ksana export --format html\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(title)
    )
}

/// The end of the page.
pub const FOOT: &str = "<footer>Written by ksana (<code>ksana export --format html</code>); \
                        this file loads nothing from the network.</footer>\n</body>\n</html>\n";

/// A recording time as `m:ss.s` (`h:mm:ss.s` from an hour).
pub fn clock(s: f64) -> String {
    let t = (s.max(0.0) * 10.0).round() as u64;
    let (h, m, sec, tenth) = (t / 36_000, t / 600 % 60, t / 10 % 60, t % 10);
    if h > 0 {
        format!("{h}:{m:02}:{sec:02}.{tenth}")
    } else {
        format!("{m}:{sec:02}.{tenth}")
    }
}

/// A wall-clock time from Unix nanoseconds, as `<time>` (UTC), or `unknown`.
pub fn date(unix_ns: i128) -> String {
    match jiff::Timestamp::from_nanosecond(unix_ns) {
        Ok(t) if unix_ns > 0 => format!(
            "<time datetime=\"{}\">{}</time>",
            t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            t.strftime("%Y-%m-%d %H:%M:%S UTC")
        ),
        _ => "unknown".into(),
    }
}

/// `<tr><th>key</th><td>value</td></tr>` with `value` already HTML.
pub fn row(out: &mut String, key: &str, value_html: &str) {
    let _ = writeln!(out, "<tr><th>{key}</th><td>{value_html}</td></tr>");
}

/// A session's summary table; `start_unix_ns` is the recording's wall-clock start.
pub fn session_summary(out: &mut String, s: &Session, sim_name: &str, start_unix_ns: i128) {
    let or_dash = |v: &str| if v.is_empty() { "—".into() } else { esc(v) };
    let timed = s.laps.iter().filter(|l| l.time_ms.is_some()).count();
    out.push_str("<table class=\"summary\">\n");
    row(out, "sim", &format!("{} ({})", esc(sim_name), esc(&s.sim)));
    row(out, "track", &or_dash(&s.track));
    row(out, "car", &or_dash(&s.car));
    row(out, "driver", &or_dash(&s.driver));
    row(out, "session type", &or_dash(&s.session_type));
    row(
        out,
        "date",
        &date(start_unix_ns.saturating_add((s.start_s.max(0.0) * 1e9) as i128)),
    );
    row(
        out,
        "duration",
        &format!(
            "{} (recording time {} to {}, ended: {})",
            clock(s.end_s - s.start_s),
            clock(s.start_s),
            clock(s.end_s),
            esc(&s.end_reason.replace('_', " "))
        ),
    );
    row(out, "laps", &format!("{} ({timed} timed)", s.laps.len()));
    out.push_str("</table>\n");
}

/// The flags of a lap as `ksana laps` prints them.
pub fn flags(l: &Lap) -> Vec<&'static str> {
    let unfinished = l.time_ms.is_none();
    let mut f = Vec::new();
    if unfinished {
        f.push("unfinished");
    } else if !l.valid {
        f.push("invalid");
    }
    if l.out_lap {
        f.push("out");
    }
    if l.in_lap {
        f.push("in");
    }
    if l.partial && !unfinished {
        f.push("partial");
    }
    f
}

/// The anchor of the chart of lap row `lap` (0-based) of session `session` (0-based): rows,
/// not lap numbers, since a lap restart repeats a number.
pub fn chart_id(session: usize, lap: usize) -> String {
    format!("chart-{}-{}", session + 1, lap + 1)
}

/// The lap table of session number `si` (0-based), with `charted[i]` telling whether lap `i`
/// has a chart to link to.
pub fn lap_table(out: &mut String, si: usize, s: &Session, a: &SessionAnalysis, charted: &[bool]) {
    let n = a
        .best_sectors
        .len()
        .max(s.laps.iter().map(|l| l.sectors_ms.len()).max().unwrap_or(0));
    out.push_str("<table class=\"laps\">\n<thead><tr><th>Lap</th><th>Time</th>");
    for k in 1..=n {
        let _ = write!(out, "<th>S{k}</th>");
    }
    out.push_str("<th>Δ best</th><th>flags</th></tr></thead>\n<tbody>\n");
    for (i, l) in s.laps.iter().enumerate() {
        let counts = l.counts_for_best();
        let best_lap = counts
            && a.best_lap
                .is_some_and(|(num, t)| num == l.number && Some(t) == l.time_ms);
        let _ = write!(
            out,
            "<tr class=\"lap{}\" data-session=\"{}\" data-lap=\"{}\" data-time-ms=\"{}\">",
            if counts { "" } else { " dim" },
            si + 1,
            l.number,
            l.time_ms.map_or(String::new(), |t| t.to_string()),
        );
        let number = if charted.get(i).copied().unwrap_or(false) {
            format!("<a href=\"#{}\">{}</a>", chart_id(si, i), l.number)
        } else {
            l.number.to_string()
        };
        let _ = write!(
            out,
            "<td class=\"num\">{number}</td><td class=\"time{}\">{}</td>",
            if best_lap { " best" } else { "" },
            l.time_ms.map_or("—".into(), format_time)
        );
        for k in 0..n {
            let t = l.sectors_ms.get(k).copied().flatten();
            let best = counts
                && t.is_some()
                && a.best_sectors
                    .get(k)
                    .copied()
                    .flatten()
                    .is_some_and(|(num, b)| num == l.number && Some(b) == t);
            let _ = write!(
                out,
                "<td class=\"sector{}\">{}</td>",
                if best { " best" } else { "" },
                t.map_or(String::new(), |t| format!("{}.{:03}", t / 1000, t % 1000))
            );
        }
        let d = a.deltas_ms.get(i).copied().flatten();
        let fl = flags(l);
        let title = l
            .invalid_reason
            .as_deref()
            .map_or(String::new(), |r| format!(" title=\"{}\"", esc(r)));
        let _ = writeln!(
            out,
            "<td class=\"delta\">{}</td><td class=\"flags\"{title}>{}</td></tr>",
            d.map_or(String::new(), format_delta),
            fl.iter()
                .map(|f| format!("<span class=\"flag {f}\">{f}</span>"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    out.push_str("</tbody>\n</table>\n");
    match a.theoretical_best_ms {
        Some(t) => {
            let _ = writeln!(
                out,
                "<p class=\"theoretical\">Theoretical best: <strong>{}</strong> (sum of the best \
                 sectors){}</p>",
                format_time(t),
                a.best_lap.map_or(String::new(), |(num, b)| format!(
                    "; best lap {num}: {}",
                    format_time(b)
                ))
            );
        }
        None => {
            let _ = writeln!(
                out,
                "<p class=\"theoretical\">{}</p>",
                a.best_lap.map_or(
                    "No lap counts for a best (valid, complete, not out or in).".into(),
                    |(num, b)| format!("Best lap {num}: {}", format_time(b))
                )
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            esc("<a href='x'>\"T&C\"</a>\u{7}"),
            "&lt;a href=&#39;x&#39;&gt;&quot;T&amp;C&quot;&lt;/a&gt;\u{fffd}"
        );
    }

    #[test]
    fn clocks_and_dates() {
        assert_eq!(clock(0.0), "0:00.0");
        assert_eq!(clock(100.36), "1:40.4");
        assert_eq!(clock(3725.0), "1:02:05.0");
        assert_eq!(
            date(1_700_000_000_000_000_000),
            "<time datetime=\"2023-11-14T22:13:20Z\">2023-11-14 22:13:20 UTC</time>"
        );
        assert_eq!(date(0), "unknown");
        assert_eq!(date(i128::MAX), "unknown");
    }
}
