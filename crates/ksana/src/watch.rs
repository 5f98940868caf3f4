//! `ksana watch`: the key values of a sim, live from shared memory or played through a
//! recording at its recorded pace, redrawn about ten times a second. Sim-neutral: each sim's
//! [`ksana_sims::Watcher`] decodes frames into a [`WatchView`]; this module only lays views
//! out as aligned text and drives the loop.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use ksana_format::PageSpec;
use ksana_sims::{Liveness, Poll, Sim, Snapshot, WatchView, Watcher};

/// Time between redraws.
const REDRAW: Duration = Duration::from_millis(100);

/// Options of `ksana watch`.
#[derive(Args, Clone, Debug)]
pub struct WatchArgs {
    /// A recording, or any file ksana can open (an iRacing `.ibt` or raw memory image);
    /// without it, watch the sim's live shared memory.
    file: Option<PathBuf>,
    /// Live: the sim to watch; `auto` watches whichever registered sim is running.
    #[arg(long, default_value = "auto")]
    sim: String,
    /// Print one view and exit: of the last frame of FILE, or of the first update seen live.
    /// Always plain text, without terminal escapes.
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    shm: crate::ShmArgs,
}

/// Lays a view out as text: the title, the fields as aligned `label  value` lines, then the
/// table with every column padded to its widest cell. No escapes, no trailing spaces.
pub fn render(view: &WatchView) -> String {
    let mut out = String::new();
    out.push_str(&view.title);
    out.push('\n');
    let width = |s: &str| s.chars().count();
    let label_w = view.fields.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    for (k, v) in &view.fields {
        let line = format!("{k}{}  {v}", " ".repeat(label_w - width(k)));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if let Some(t) = &view.table {
        out.push('\n');
        let n = t.columns.len();
        let mut w: Vec<usize> = t.columns.iter().map(|c| width(c)).collect();
        for r in &t.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(width(c));
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate().take(n) {
                if i > 0 {
                    s.push_str("  ");
                }
                s.push_str(c);
                s.push_str(&" ".repeat(w[i] - width(c)));
            }
            s.trim_end().to_string()
        };
        out.push_str(&line(&t.columns));
        out.push('\n');
        for r in &t.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
    }
    out
}

/// A view for frames no sim can decode: which pages the frame holds.
fn fallback_view(sim: &str, pages: &[PageSpec], data: &[&[u8]], tick: Option<u64>) -> WatchView {
    let mut fields = vec![(
        "Tick".to_string(),
        tick.map_or_else(|| "-".into(), |t| t.to_string()),
    )];
    for (p, d) in pages.iter().zip(data) {
        fields.push((p.name.clone(), format!("{} bytes", d.len())));
    }
    WatchView {
        title: format!("{sim} (no decoded view for these pages)"),
        fields,
        table: None,
    }
}

/// Where views go: redrawn in place on a terminal, printed one after another otherwise.
struct Screen {
    tty: bool,
    drawn: bool,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            tty: std::io::stdout().is_terminal(),
            drawn: false,
        }
    }

    fn show(&mut self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        if self.tty {
            use crossterm::cursor::MoveTo;
            use crossterm::terminal::{Clear, ClearType};
            crossterm::queue!(out, MoveTo(0, 0))?;
            for line in text.lines() {
                write!(out, "{line}")?;
                crossterm::queue!(out, Clear(ClearType::UntilNewLine))?;
                write!(out, "\r\n")?;
            }
            crossterm::queue!(out, Clear(ClearType::FromCursorDown))?;
        } else {
            if self.drawn {
                writeln!(out)?;
            }
            write!(out, "{text}")?;
        }
        out.flush()?;
        self.drawn = true;
        Ok(())
    }

    fn begin(&mut self) -> Result<()> {
        if self.tty {
            use crossterm::terminal::{Clear, ClearType};
            crossterm::execute!(std::io::stdout(), Clear(ClearType::All))?;
        }
        Ok(())
    }
}

pub fn run(a: &WatchArgs) -> Result<ExitCode> {
    let stop = crate::interrupt::install("Ctrl+C again exits at once");
    match &a.file {
        Some(f) => watch_file(f, a.once, &stop),
        None => watch_live(a, &stop),
    }
}

/// The decoder for a segment's pages: the recording's sim's watcher, if it has one.
fn watcher_for(sim: Option<&'static dyn Sim>, pages: &[PageSpec]) -> Option<Box<dyn Watcher>> {
    sim.and_then(|s| s.watcher(pages))
}

fn view_of(
    w: &mut Option<Box<dyn Watcher>>,
    sim: &str,
    pages: &[PageSpec],
    data: &[&[u8]],
    tick: Option<u64>,
) -> Result<WatchView> {
    match w {
        Some(w) => Ok(w.view(data)?),
        None => Ok(fallback_view(sim, pages, data, tick)),
    }
}

fn watch_file(path: &Path, once: bool, stop: &Arc<AtomicBool>) -> Result<ExitCode> {
    // The one place a file is opened; input::open takes recordings and sims' own files alike.
    let rec = crate::input::open(path, false)?;
    let sim_id = rec.header().sim.clone();
    let sim = ksana_sims::by_id(&sim_id);
    let sim_name = sim.map_or(sim_id.as_str(), |s| s.name()).to_string();
    let segments = rec.segments().to_vec();
    let pages_of = |seg: u32| -> Result<&[PageSpec]> {
        segments
            .iter()
            .find(|s| s.index == seg)
            .map(|s| s.pages.as_slice())
            .with_context(|| format!("{}: frame of unknown segment {seg}", path.display()))
    };
    let mut frames = rec.frames();
    let mut seg = None;
    let mut watcher: Option<Box<dyn Watcher>> = None;
    let mut screen = Screen::new();
    if once {
        // Only the last frame matters: start near the end.
        if let Some((_, end)) = rec.time_range() {
            frames.seek(end)?;
        }
        let mut last = None;
        while let Some(f) = frames.next_frame()? {
            last = Some(f.to_frame());
        }
        let Some(f) = last else {
            bail!("{}: the recording has no frames", path.display());
        };
        let pages = pages_of(f.segment)?;
        let mut w = watcher_for(sim, pages);
        let data: Vec<&[u8]> = f.pages.iter().map(|p| p.as_slice()).collect();
        let v = view_of(&mut w, &sim_name, pages, &data, f.tick)
            .with_context(|| format!("{}: frame at {} ns", path.display(), f.timestamp_ns))?;
        screen.tty = false;
        screen.show(&render(&v))?;
        return Ok(ExitCode::SUCCESS);
    }
    screen.begin()?;
    let start = Instant::now();
    let mut first_ts = None;
    let mut last_draw: Option<Instant> = None;
    let mut undrawn = None;
    while let Some(f) = frames.next_frame()? {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let first = *first_ts.get_or_insert(f.timestamp_ns());
        let due = start + Duration::from_nanos(f.timestamp_ns().saturating_sub(first));
        // Wait for the frame's time (in short steps, so Ctrl+C is prompt).
        while Instant::now() < due && !stop.load(Ordering::Relaxed) {
            std::thread::sleep((due - Instant::now()).min(REDRAW));
        }
        if seg != Some(f.segment()) {
            seg = Some(f.segment());
            watcher = watcher_for(sim, pages_of(f.segment())?);
        }
        if last_draw.is_some_and(|t| t.elapsed() < REDRAW) {
            // Kept so that the screen ends on the last frame.
            undrawn = Some(f.to_frame());
            continue;
        }
        undrawn = None;
        last_draw = Some(Instant::now());
        let data: Vec<&[u8]> = f.pages().iter().map(|p| p.as_slice()).collect();
        let pages = pages_of(f.segment())?;
        let v = view_of(&mut watcher, &sim_name, pages, &data, f.tick())?;
        screen.show(&render(&v))?;
    }
    if let Some(f) = undrawn
        && !stop.load(Ordering::Relaxed)
    {
        let data: Vec<&[u8]> = f.pages.iter().map(|p| p.as_slice()).collect();
        let v = view_of(&mut watcher, &sim_name, pages_of(f.segment)?, &data, f.tick)?;
        screen.show(&render(&v))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The sim to watch live: the chosen one if it is publishing, else the first live one.
fn find_live(choice: &str, ns: &ksana_shm::ShmNamespace) -> Result<Option<&'static dyn Sim>> {
    let window = Duration::from_millis(150);
    if choice == "auto" {
        for s in ksana_sims::all() {
            if let Liveness::Live { .. } = s.probe(ns, window)? {
                return Ok(Some(*s));
            }
        }
        return Ok(None);
    }
    let s = crate::sim_by_id(choice)?;
    Ok(matches!(s.probe(ns, window)?, Liveness::Live { .. }).then_some(s))
}

fn watch_live(a: &WatchArgs, stop: &Arc<AtomicBool>) -> Result<ExitCode> {
    let ns = a.shm.namespace();
    let mut screen = Screen::new();
    let mut line = crate::term::StatusLine::new();
    let started = Instant::now();
    'wait: while !stop.load(Ordering::Relaxed) {
        let Some(sim) = find_live(&a.sim, &ns)? else {
            if a.once && started.elapsed() > Duration::from_secs(2) {
                line.finish();
                bail!(
                    "no sim is publishing{}",
                    if a.sim == "auto" {
                        String::new()
                    } else {
                        format!(" as {}", a.sim)
                    }
                );
            }
            line.show(&format!(
                "waiting for {} … {:.0} s",
                if a.sim == "auto" { "a sim" } else { &a.sim },
                started.elapsed().as_secs_f64()
            ));
            std::thread::sleep(Duration::from_millis(250));
            continue;
        };
        line.finish();
        let Ok(mut reader) = sim.open_reader(&ns) else {
            continue; // it vanished between the probe and the open
        };
        let mut pages = reader.pages();
        let mut watcher = sim.watcher(&pages);
        let mut snap = Snapshot::with_pages(pages.len());
        let mut have = false;
        let mut last_draw: Option<Instant> = None;
        if !a.once {
            screen.begin()?;
        }
        while !stop.load(Ordering::Relaxed) {
            match reader.poll(&mut snap)? {
                Poll::New => have = true,
                Poll::Same => {
                    if !reader.wait(Duration::from_millis(20)) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                Poll::Stopped => continue 'wait,
                Poll::LayoutChanged => {
                    pages = reader.pages();
                    watcher = sim.watcher(&pages);
                    snap = Snapshot::with_pages(pages.len());
                    have = false;
                    continue;
                }
            }
            if reader.pending() {
                continue;
            }
            if !have || last_draw.is_some_and(|t| t.elapsed() < REDRAW) {
                continue;
            }
            last_draw = Some(Instant::now());
            let data: Vec<&[u8]> = snap.pages.iter().map(|p| p.as_slice()).collect();
            let v = view_of(&mut watcher, sim.name(), &pages, &data, snap.tick)?;
            if a.once {
                screen.tty = false;
                screen.show(&render(&v))?;
                return Ok(ExitCode::SUCCESS);
            }
            screen.show(&render(&v))?;
        }
    }
    line.finish();
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksana_sims::WatchTable;

    #[test]
    fn render_aligns_fields_and_columns() {
        let v = WatchView {
            title: "Sim · Track".into(),
            fields: vec![
                ("Speed".into(), "10 km/h".into()),
                ("Laps remaining".into(), "3".into()),
            ],
            table: Some(WatchTable {
                columns: vec!["Pos".into(), "Driver".into(), "Pit".into()],
                rows: vec![
                    vec!["1".into(), "Zoë Long Name".into(), "".into()],
                    vec!["12".into(), "B".into(), "pit".into()],
                ],
            }),
        };
        assert_eq!(
            render(&v),
            "Sim · Track\n\
             Speed           10 km/h\n\
             Laps remaining  3\n\
             \n\
             Pos  Driver         Pit\n\
             1    Zoë Long Name\n\
             12   B              pit\n"
        );
    }

    #[test]
    fn fallback_lists_pages() {
        let v = fallback_view("X", &[PageSpec::new("p", 4)], &[&[1, 2, 3, 4]], Some(7));
        assert_eq!(
            render(&v),
            "X (no decoded view for these pages)\nTick  7\np     4 bytes\n"
        );
    }
}
