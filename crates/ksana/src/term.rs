//! The terminal: a one-line status that rewrites itself, and playback keys in raw mode.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use ksana_engine::Control;

/// A status line on stderr, drawn only when stderr is a terminal.
pub struct StatusLine {
    on: bool,
    width: usize,
}

impl StatusLine {
    /// A status line, silent when stderr is not a terminal.
    pub fn new() -> StatusLine {
        StatusLine {
            on: std::io::stderr().is_terminal(),
            width: 0,
        }
    }

    /// Replaces the line with `text`.
    pub fn show(&mut self, text: &str) {
        if !self.on {
            return;
        }
        let pad = self.width.saturating_sub(text.chars().count());
        self.width = text.chars().count();
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r{text}{}", " ".repeat(pad));
        let _ = e.flush();
    }

    /// Ends the line so later output starts on a fresh one.
    pub fn finish(&mut self) {
        if self.on && self.width > 0 {
            eprintln!();
            self.width = 0;
        }
    }
}

/// Raw-mode keyboard input for `ksana play`: space, ←, →, q. Restores the terminal on drop.
pub struct Keys {
    pub rx: Receiver<Control>,
}

impl Keys {
    /// Starts reading keys when stdin is a terminal; `None` otherwise.
    pub fn start() -> Option<Keys> {
        if !std::io::stdin().is_terminal() || crossterm::terminal::enable_raw_mode().is_err() {
            return None;
        }
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, poll, read};
            loop {
                if !poll(Duration::from_millis(100)).unwrap_or(false) {
                    continue;
                }
                let Ok(Event::Key(k)) = read() else { continue };
                if k.kind == KeyEventKind::Release {
                    continue;
                }
                let c = match k.code {
                    KeyCode::Char(' ') => Control::TogglePause,
                    KeyCode::Left => Control::Seek(-5_000_000_000),
                    KeyCode::Right => Control::Seek(5_000_000_000),
                    KeyCode::Char('q') | KeyCode::Esc => Control::Quit,
                    // Raw mode turns Ctrl+C into a key: treat it as quit.
                    KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        Control::Quit
                    }
                    _ => continue,
                };
                if tx.send(c).is_err() {
                    return;
                }
            }
        });
        Some(Keys { rx })
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Bytes as B / KiB / MiB.
pub fn bytes(n: u64) -> String {
    if n >= 10 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else if n >= 10 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}
