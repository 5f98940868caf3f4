//! The lap table `ksana laps` prints: per session a header line and a table of laps with
//! sector times, delta to the best and flags; bests highlighted when in colour.

use std::fmt::Write as _;

use crate::analysis::analyse;
use crate::model::{LapsReport, Session};

const BEST: &str = "\x1b[1;35m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

/// Renders every session of `report` as text; `color` adds ANSI styles (bold magenta bests,
/// dim laps that do not count, red "invalid").
pub fn render(report: &LapsReport, color: bool) -> String {
    let mut out = String::new();
    for (i, s) in report.sessions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_session(&mut out, s, color);
    }
    out
}

/// `m:ss.mmm`.
pub fn format_time(ms: u32) -> String {
    format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
}

/// A delta in ms as `+s.mmm` / `-s.mmm`.
pub fn format_delta(d: i64) -> String {
    let sign = if d < 0 { '-' } else { '+' };
    let a = d.unsigned_abs();
    format!("{sign}{}.{:03}", a / 1000, a % 1000)
}

/// A table cell: its text and the style it is shown in when in colour.
struct Cell {
    text: String,
    style: Option<&'static str>,
}

fn render_session(out: &mut String, s: &Session, color: bool) {
    let mut head = format!("{} · {} · {} · {}", s.sim, s.track, s.car, s.session_type);
    if !s.driver.is_empty() {
        let _ = write!(head, ", {}", s.driver);
    }
    out.push_str(&head);
    out.push('\n');
    let a = analyse(s);
    let n = a
        .best_sectors
        .len()
        .max(s.laps.iter().map(|l| l.sectors_ms.len()).max().unwrap_or(0));
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut header = vec!["Lap".to_owned(), "Time".to_owned()];
    header.extend((1..=n).map(|k| format!("S{k}")));
    header.extend(["Δ best".to_owned(), "flags".to_owned()]);
    rows.push(
        header
            .into_iter()
            .map(|text| Cell { text, style: None })
            .collect(),
    );
    for (i, l) in s.laps.iter().enumerate() {
        let counts = l.counts_for_best();
        let base = if counts { None } else { Some(DIM) };
        let mut row = vec![Cell {
            text: l.number.to_string(),
            style: base,
        }];
        let is_best = counts
            && a.best_lap
                .is_some_and(|(num, t)| num == l.number && Some(t) == l.time_ms);
        row.push(Cell {
            text: l.time_ms.map_or("—".to_owned(), format_time),
            style: if is_best { Some(BEST) } else { base },
        });
        for k in 0..n {
            let t = l.sectors_ms.get(k).copied().flatten();
            let best = counts
                && t.is_some()
                && a.best_sectors
                    .get(k)
                    .copied()
                    .flatten()
                    .is_some_and(|(num, b)| num == l.number && Some(b) == t);
            row.push(Cell {
                text: t.map_or(String::new(), |t| format!("{}.{:03}", t / 1000, t % 1000)),
                style: if best { Some(BEST) } else { base },
            });
        }
        let d = a.deltas_ms.get(i).copied().flatten();
        row.push(Cell {
            text: d.map_or(String::new(), format_delta),
            style: base,
        });
        // An unfinished lap is said so once (it is also invalid and partial by definition).
        let unfinished = l.time_ms.is_none();
        let mut flags: Vec<&str> = Vec::new();
        if unfinished {
            flags.push("unfinished");
        } else if !l.valid {
            flags.push("invalid");
        }
        if l.out_lap {
            flags.push("out");
        }
        if l.in_lap {
            flags.push("in");
        }
        if l.partial && !unfinished {
            flags.push("partial");
        }
        row.push(Cell {
            text: flags.join(" "),
            style: if l.valid || unfinished {
                base
            } else {
                Some(RED)
            },
        });
        rows.push(row);
    }
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].text.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = widths[c].saturating_sub(cell.text.chars().count());
            // Right-aligned numbers; the flags column (last) is left as is.
            let padded = if c + 1 == cols {
                cell.text.clone()
            } else {
                format!("{}{}", " ".repeat(pad), cell.text)
            };
            match (color, cell.style) {
                (true, Some(st)) if !cell.text.is_empty() => {
                    let _ = write!(line, "{st}{padded}{RESET}");
                }
                _ => line.push_str(&padded),
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if let Some(t) = a.theoretical_best_ms {
        let _ = writeln!(
            out,
            "theoretical best: {} (sum of best sectors)",
            format_time(t)
        );
    }
}
