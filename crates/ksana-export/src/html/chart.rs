//! A lap's chart as inline SVG: four panels sharing the lap-distance axis (speed, throttle,
//! brake, gear), each a `<path class="trace KIND">` over a grid with labelled axes. Pure
//! text: no script, no font or image, so the report draws the same offline in any browser.

use std::fmt::Write as _;

use super::trace::TracePoint;

/// Width of the drawing, SVG units.
const WIDTH: f64 = 1000.0;
/// Left margin (the value labels).
const LEFT: f64 = 56.0;
/// Right margin.
const RIGHT: f64 = 12.0;
/// Gap between panels.
const GAP: f64 = 10.0;
/// Top margin.
const TOP: f64 = 8.0;
/// Bottom margin (the distance labels).
const BOTTOM: f64 = 26.0;

/// A panel: what it shows, its height and its value range.
struct Panel {
    kind: &'static str,
    label: &'static str,
    height: f64,
    min: f64,
    max: f64,
    /// Value labels: (value, text).
    ticks: Vec<(f64, String)>,
    /// Drawn as steps (gear) rather than a line.
    steps: bool,
}

fn value(p: &TracePoint, kind: &str) -> f64 {
    match kind {
        "speed" => p.speed_kmh,
        "throttle" => p.throttle * 100.0,
        "brake" => p.brake * 100.0,
        _ => p.gear as f64,
    }
}

fn gear_name(g: i64) -> String {
    match g {
        ..=-1 => "R".into(),
        0 => "N".into(),
        g => g.to_string(),
    }
}

fn panels(points: &[TracePoint]) -> Vec<Panel> {
    let top_speed = points.iter().map(|p| p.speed_kmh).fold(0.0, f64::max);
    let speed_max = ((top_speed / 50.0).ceil() * 50.0).clamp(50.0, 1000.0);
    let speed_ticks = (0..)
        .map(|k| f64::from(k) * 50.0)
        .take_while(|v| *v <= speed_max)
        .filter(|v| speed_max <= 200.0 || (*v as i64) % 100 == 0 || *v == speed_max)
        .map(|v| (v, format!("{v:.0}")))
        .collect();
    let gmin = points
        .iter()
        .map(|p| p.gear)
        .min()
        .unwrap_or(0)
        .clamp(-1, 0);
    let gmax = points
        .iter()
        .map(|p| p.gear)
        .max()
        .unwrap_or(1)
        .clamp(1, 12);
    let pct = |label| Panel {
        kind: label,
        label: if label == "throttle" {
            "throttle %"
        } else {
            "brake %"
        },
        height: 70.0,
        min: 0.0,
        max: 100.0,
        ticks: vec![(0.0, "0".into()), (100.0, "100".into())],
        steps: false,
    };
    vec![
        Panel {
            kind: "speed",
            label: "speed km/h",
            height: 150.0,
            min: 0.0,
            max: speed_max,
            ticks: speed_ticks,
            steps: false,
        },
        pct("throttle"),
        pct("brake"),
        Panel {
            kind: "gear",
            label: "gear",
            height: 80.0,
            min: gmin as f64 - 0.5,
            max: gmax as f64 + 0.5,
            ticks: (gmin..=gmax).map(|g| (g as f64, gear_name(g))).collect(),
            steps: true,
        },
    ]
}

/// The SVG of one lap's `points` (at least two); `title` is its accessible name (escaped by
/// the caller).
pub fn svg(points: &[TracePoint], title: &str) -> String {
    let panels = panels(points);
    let plot_w = WIDTH - LEFT - RIGHT;
    let height = TOP
        + panels.iter().map(|p| p.height).sum::<f64>()
        + GAP * (panels.len() - 1) as f64
        + BOTTOM;
    let mut s = String::with_capacity(points.len() * 60 + 4096);
    let _ = writeln!(
        s,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{title}</title>"
    );
    let x = |d: f64| LEFT + d.clamp(0.0, 1.0) * plot_w;
    let mut y0 = TOP;
    for p in &panels {
        let y =
            |v: f64| y0 + p.height - (v.clamp(p.min, p.max) - p.min) / (p.max - p.min) * p.height;
        let _ = write!(
            s,
            "<g class=\"panel {}\"><rect class=\"frame\" x=\"{LEFT}\" y=\"{y0}\" width=\"{plot_w}\" \
             height=\"{}\"/>",
            p.kind, p.height
        );
        for d in 1..10 {
            let gx = x(f64::from(d) / 10.0);
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{gx:.1}\" y1=\"{y0}\" x2=\"{gx:.1}\" y2=\"{}\"/>",
                y0 + p.height
            );
        }
        for (v, t) in &p.ticks {
            let ty = y(*v);
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{ty:.1}\" x2=\"{}\" y2=\"{ty:.1}\"/>\
                 <text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{t}</text>",
                LEFT + plot_w,
                LEFT - 6.0,
                ty + 4.0
            );
        }
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{}\" y=\"{}\">{}</text>",
            LEFT + 6.0,
            y0 + 14.0,
            p.label
        );
        let _ = write!(s, "<path class=\"trace {}\" d=\"", p.kind);
        for (i, pt) in points.iter().enumerate() {
            let (px, py) = (x(pt.dist), y(value(pt, p.kind)));
            if i == 0 {
                let _ = write!(s, "M{px:.1} {py:.1}");
            } else if p.steps {
                let _ = write!(s, "H{px:.1}V{py:.1}");
            } else {
                let _ = write!(s, "L{px:.1} {py:.1}");
            }
        }
        s.push_str("\"/></g>\n");
        y0 += p.height + GAP;
    }
    let base = y0 - GAP;
    for d in 0..=10 {
        let _ = write!(
            s,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}%</text>",
            x(f64::from(d) / 10.0),
            base + 16.0,
            if d == 10 { "end" } else { "middle" },
            d * 10
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_paths_through_every_point() {
        let pts: Vec<TracePoint> = (0..=4)
            .map(|i| TracePoint {
                dist: f64::from(i) / 4.0,
                speed_kmh: 50.0 * f64::from(i),
                throttle: 1.0,
                brake: 0.0,
                gear: i64::from(i) - 1,
            })
            .collect();
        let s = svg(&pts, "Lap 1");
        assert_eq!(s.matches("<path class=\"trace ").count(), 4);
        // Speed 0..200 km/h over 150 units from y = 8: the first point at the bottom, the last at the top.
        assert!(
            s.contains("d=\"M56.0 158.0L289.0 120.5L522.0 83.0L755.0 45.5L988.0 8.0\""),
            "{s}"
        );
        // Throttle at 100 % on the panel's top edge (y = 8 + 150 + 10).
        assert!(s.contains("d=\"M56.0 168.0L289.0 168.0"), "{s}");
        // Gear as steps from R to 3.
        assert!(s.contains(">R</text>") && s.contains(">3</text>"));
        let gear = s.split("<path class=\"trace gear\" d=\"").nth(1).unwrap();
        let gear = &gear[..gear.find('"').unwrap()];
        assert!(gear.starts_with("M56.0 "), "{gear}");
        assert_eq!(gear.matches('H').count(), 4, "{gear}");
        assert_eq!(gear.matches('V').count(), 4, "{gear}");
    }
}
