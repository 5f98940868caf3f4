//! Requests from consumers that reach the player through its publisher
//! ([`SimPublisher::commands`], e.g. iRacing's replay broadcasts), turned into the player's own
//! controls, and notices for the user.

use std::collections::VecDeque;

use ksana_sims::{PlayerCommand, SeekAnchor, SimPublisher};

use crate::play::{Control, PlayStatus};

/// The speed range `ksana play` accepts.
pub(crate) const SPEEDS: std::ops::RangeInclusive<f64> = 0.1..=16.0;

/// Pending consumer requests, in arrival order.
#[derive(Default)]
pub(crate) struct Remote {
    queue: VecDeque<PlayerCommand>,
    /// The speed changed: the schedule must be re-anchored at the current position.
    rebase: bool,
}

impl Remote {
    /// Takes what the publisher received since the last call.
    pub(crate) fn fetch(&mut self, publisher: &mut Option<Box<dyn SimPublisher>>) {
        if let Some(p) = publisher.as_mut() {
            self.queue.extend(p.commands());
        }
    }

    /// True once after a speed change.
    pub(crate) fn take_rebase(&mut self) -> bool {
        std::mem::take(&mut self.rebase)
    }

    /// While paused: true if a queued command resumes playback (`Resume`, or a `Speed`, which
    /// is applied to `speed`). Other commands stay queued for after the pause.
    pub(crate) fn resumes(&mut self, speed: &mut f64) -> bool {
        let Some(i) = self
            .queue
            .iter()
            .position(|c| matches!(c, PlayerCommand::Resume | PlayerCommand::Speed(_)))
        else {
            return false;
        };
        if let Some(PlayerCommand::Speed(s)) = self.queue.remove(i) {
            self.set_speed(s, speed);
        }
        true
    }

    fn set_speed(&mut self, wanted: f64, speed: &mut f64) {
        let s = if wanted.is_finite() {
            wanted.clamp(*SPEEDS.start(), *SPEEDS.end())
        } else {
            1.0
        };
        if s != wanted {
            self.queue.push_front(PlayerCommand::Notice(format!(
                "speed {wanted} is outside 0.1–16: playing at {s}"
            )));
        }
        *speed = s;
        self.rebase = true;
    }

    /// The next queued request as a control for the playing loop (`st` not paused, the range
    /// `from..=to`). Speed changes are applied to `speed` (see [`Remote::take_rebase`]) and
    /// notices shown through `status` on the way.
    pub(crate) fn next(
        &mut self,
        st: &PlayStatus,
        (from, to): (u64, u64),
        speed: &mut f64,
        status: &mut dyn FnMut(&PlayStatus),
    ) -> Option<Control> {
        while let Some(c) = self.queue.pop_front() {
            match c {
                PlayerCommand::Seek { anchor, offset_ns } => {
                    let at = match anchor {
                        SeekAnchor::Start => from,
                        SeekAnchor::Current => st.position_ns,
                        SeekAnchor::End => to,
                    };
                    let target = (at as i64)
                        .saturating_add(offset_ns)
                        .clamp(from as i64, to as i64);
                    return Some(Control::Seek(target - st.position_ns as i64));
                }
                PlayerCommand::Speed(s) => self.set_speed(s, speed),
                PlayerCommand::Pause if !st.paused => return Some(Control::TogglePause),
                PlayerCommand::Pause | PlayerCommand::Resume => {}
                PlayerCommand::Notice(n) => status(&PlayStatus {
                    notice: Some(n),
                    ..st.clone()
                }),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(position_ns: u64) -> PlayStatus {
        PlayStatus {
            position_ns,
            frames: 0,
            loops: 0,
            paused: false,
            notice: None,
        }
    }

    #[test]
    fn commands_become_controls() {
        let mut r = Remote::default();
        let mut speed = 1.0;
        let mut notices = Vec::new();
        let mut status = |s: &PlayStatus| notices.extend(s.notice.clone());
        r.queue.extend([
            PlayerCommand::Notice("hello".into()),
            PlayerCommand::Speed(2.0),
            PlayerCommand::Seek {
                anchor: SeekAnchor::Start,
                offset_ns: 3_000,
            },
            PlayerCommand::Seek {
                anchor: SeekAnchor::End,
                offset_ns: 50_000,
            },
            PlayerCommand::Seek {
                anchor: SeekAnchor::Current,
                offset_ns: -2_000,
            },
            PlayerCommand::Pause,
            PlayerCommand::Speed(100.0),
        ]);
        let range = (1_000, 10_000);
        // Range 1000..=10000, position 5000.
        let c = r.next(&st(5_000), range, &mut speed, &mut status);
        assert_eq!(c, Some(Control::Seek(4_000 - 5_000)));
        assert_eq!(speed, 2.0);
        assert!(r.take_rebase());
        assert!(!r.take_rebase());
        // End + 50000 is clamped to the end.
        let c = r.next(&st(5_000), range, &mut speed, &mut status);
        assert_eq!(c, Some(Control::Seek(10_000 - 5_000)));
        let c = r.next(&st(5_000), range, &mut speed, &mut status);
        assert_eq!(c, Some(Control::Seek(-2_000)));
        let c = r.next(&st(5_000), range, &mut speed, &mut status);
        assert_eq!(c, Some(Control::TogglePause));
        // 100× is clamped to 16× with a notice.
        assert_eq!(r.next(&st(5_000), range, &mut speed, &mut status), None);
        assert_eq!(speed, 16.0);
        assert_eq!(
            notices,
            vec![
                "hello".to_string(),
                "speed 100 is outside 0.1–16: playing at 16".to_string()
            ]
        );
    }

    #[test]
    fn only_resume_or_speed_ends_a_pause() {
        let mut r = Remote::default();
        let mut speed = 1.0;
        r.queue.push_back(PlayerCommand::Seek {
            anchor: SeekAnchor::Start,
            offset_ns: 0,
        });
        assert!(!r.resumes(&mut speed));
        r.queue.push_back(PlayerCommand::Speed(0.5));
        assert!(r.resumes(&mut speed));
        assert_eq!(speed, 0.5);
        // The seek is still there for after the pause.
        assert_eq!(r.queue.len(), 1);
        r.queue.push_back(PlayerCommand::Resume);
        assert!(r.resumes(&mut speed));
        assert_eq!(speed, 0.5);
    }
}
