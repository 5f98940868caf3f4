//! When the sampling loop polls a sim that gives no signal when it publishes.
//!
//! Sims publish at a steady rate (ACC's physics at ~333 Hz, iRacing at 60 Hz), but outside
//! iRacing on Windows nothing wakes a reader when they do. Polling at a fixed fraction of the
//! interval costs several wake-ups per update, and on a VM each wake-up costs tens of µs of
//! CPU: that, not compression, was most of the recorder's CPU (docs/BENCHMARKS.md, "Recording
//! cost"). This schedule locks onto the sim's phase instead: it estimates when the last update
//! was published, sleeps until just after the next one is due, and polls in fine steps only
//! when it woke too early. A steady sim costs about one wake-up per update, and an update is
//! seen at most about one fine step after it lands.
//!
//! The estimate is kept honest in both directions: an update found on the first poll pulls the
//! next wake-up slightly earlier, so the schedule keeps probing for the true phase instead of
//! trailing it; an update found after an empty poll fixes the phase to between the two polls.
//! A sim that stops publishing (paused, in a menu) drops the schedule back to plain polling,
//! which backs off as the silence lasts.
//!
//! A sim that keeps a history (iRacing's rotating row buffers, the test pattern's ring) is
//! woken for once per batch of updates, as many as leave 15 ms of slack before the oldest of
//! them would be overwritten; the reader takes the whole batch, each update dated by the sim's
//! own clock.
//!
//! Times are durations since an origin the caller picks, so the schedule is a pure function of
//! what it was told and is tested without a clock.

use std::collections::VecDeque;
use std::time::Duration;

/// Measured intervals kept for the estimate.
const SAMPLES: usize = 5;
/// A batch leaves at least this long for a late wake-up before an update in it is lost.
const BATCH_MARGIN: Duration = Duration::from_millis(15);
/// The longest wait for a batch.
const BATCH_PERIOD: Duration = Duration::from_millis(50);
/// The most history a batch plans with, whatever a reader claims.
const MAX_HISTORY: u32 = 64;
/// Pinned updates kept as bases for measured spans.
const ANCHORS: usize = 8;
/// The shortest interval the schedule assumes.
const MIN_INTERVAL: Duration = Duration::from_micros(50);

/// A measured interval longer than this is a pause, not the sim's rate.
const IDLE_AFTER: Duration = Duration::from_secs(1);
/// The longest plain poll interval, reached after a quarter of a second of silence. The first
/// update after a pause is seen at most this late.
const IDLE_POLL: Duration = Duration::from_millis(5);

/// After this many updates in a row found at the first poll, the next plan is a probe: a poll
/// just before the update is due, which must find nothing. Without it a schedule whose interval
/// is too long (the sim is faster than guessed, and it has no tick to show the updates missed)
/// would find an update at every wake-up and never learn.
const PROBE_AFTER: u32 = 8;

/// A planned first poll for the next update.
#[derive(Clone, Copy, Debug)]
struct Plan {
    /// When to poll.
    wake: Duration,
    /// When the update is assumed to be published.
    assumed: Duration,
    /// A poll placed before `assumed` on purpose, to check the phase.
    probe: bool,
    /// Updates the plan waits for (a batch from the sim's history, else 1); `assumed` is the
    /// publication time of the last of them.
    batch: u64,
}

/// Plans the sampling loop's polls; see the module docs.
#[derive(Clone, Debug)]
pub(crate) struct PollSchedule {
    /// Smoothed interval between the sim's updates.
    interval: Duration,
    /// Updates the sim keeps readable behind the newest ([`ksana_sims::SimReader::history`]).
    history: u32,
    /// The planned first poll for the next update.
    plan: Option<Plan>,
    /// The last update was found by plain polling.
    plain_found: bool,
    /// Updates in a row found at the first poll of their plan.
    streak: u32,
    /// How far the last update's publication time may be off its estimate.
    uncertainty: Duration,
    /// Time of the last poll that found nothing since the last update, if any.
    last_empty: Option<Duration>,
    /// Updates whose publication time was pinned between two polls: time, update count, and
    /// whether the pin was fine (the polls around it a fine step apart). Intervals are measured
    /// between them; the oldest of the last few is the base of each new span, so a sim's jitter
    /// is divided over many updates.
    anchors: VecDeque<(Duration, u64, bool)>,
    /// Whether `samples` come from fine pins only; coarse ones are used until fine ones exist.
    fine: bool,
    /// The last measured intervals, newest last.
    samples: VecDeque<Duration>,
    /// Updates seen (counting those the sim's tick says were missed).
    updates: u64,
    /// Time the last update was seen.
    last_new: Option<Duration>,
}

impl PollSchedule {
    /// A schedule for a sim expected to publish every `nominal` (a guess is fine: it adapts).
    pub(crate) fn new(nominal: Duration, history: u32) -> PollSchedule {
        PollSchedule {
            interval: nominal.max(MIN_INTERVAL),
            history: history.min(MAX_HISTORY),
            plan: None,
            plain_found: false,
            streak: 0,
            uncertainty: Duration::ZERO,
            last_empty: None,
            anchors: VecDeque::new(),
            fine: false,
            samples: VecDeque::new(),
            updates: 0,
            last_new: None,
        }
    }

    /// Stops planning batches: the sim turned out to signal each update (an event on
    /// Windows), so the loop is woken per update anyway and a batch would only add polls.
    pub(crate) fn no_batches(&mut self) {
        self.history = 0;
    }

    /// The smoothed interval between updates.
    #[cfg(test)]
    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    /// Updates to let pass between wake-ups: more than one when the sim keeps a history to
    /// catch up from, as many as leave [`BATCH_MARGIN`] of slack before the oldest of them is
    /// overwritten, within [`BATCH_PERIOD`].
    fn batch(&self) -> u32 {
        // Only once the interval is measured finely and the phase is known: a batch planned on
        // a guess could let an update be overwritten.
        if !self.fine || self.uncertainty * 2 > self.fine_gap() {
            return 1;
        }
        let iv = self.interval.max(MIN_INTERVAL);
        (1..=self.history + 1)
            .rev()
            .find(|&k| iv * (self.history + 2 - k) >= BATCH_MARGIN && iv * k <= BATCH_PERIOD)
            .unwrap_or(1)
    }

    /// The widest gap between two polls that still pins an update finely: two fine steps, or
    /// what a sleep's usual lateness (~0.1 ms on the CI VM) makes of them.
    fn fine_gap(&self) -> Duration {
        (self.step() * 2).max(Duration::from_micros(300))
    }

    /// The fine polling step: what an update's detection may lag behind its publication.
    fn step(&self) -> Duration {
        (self.interval / 32).clamp(Duration::from_micros(50), Duration::from_micros(500))
    }

    /// The plain polling interval, used until the schedule has a phase and after it lost it:
    /// a quarter of the interval (0.1–2 ms), backing off during a silence to a fiftieth of its
    /// length, at most [`IDLE_POLL`], so the first update after a pause is seen late by at most
    /// 2 % of the pause.
    fn plain(&self, now: Duration) -> Duration {
        let base = (self.interval / 4).clamp(Duration::from_micros(100), Duration::from_millis(2));
        match self.last_new {
            Some(t) => (now.saturating_sub(t) / 50).clamp(base, IDLE_POLL.max(base)),
            None => base,
        }
    }

    /// A poll at `now` found a new update, `advanced` updates after the previous one seen (1
    /// unless the sim's tick shows more: missed, or taken from the history in one batch);
    /// returns when to poll next.
    pub(crate) fn on_new(&mut self, now: Duration, advanced: u64) -> Duration {
        let step = self.step();
        let advanced = advanced.max(1);
        // Part of a batch: the last of it is not there yet, which for the plan is an empty
        // poll. Fine polls follow until it is.
        if let Some(p) = self.plan
            && advanced < p.batch
        {
            self.updates += advanced;
            self.last_new = Some(now);
            self.plan = Some(Plan {
                batch: p.batch - advanced,
                ..p
            });
            return self.on_same(now);
        }
        self.updates += advanced;
        let plain_before = std::mem::take(&mut self.plain_found);
        let last_empty = self.last_empty.take();
        let plan = self.plan.take();
        let prev_new = self.last_new.replace(now);
        // The sim's tick says updates were published that this poll did not see: the
        // interval is shorter than thought, and the time since the last update bounds it.
        if advanced > 1
            && let Some(prev) = prev_new
        {
            let bound = now.saturating_sub(prev) / u32::try_from(advanced).unwrap_or(u32::MAX);
            // (A batch from the history advances by several; only a clearly shorter bound
            // says the estimate is wrong.)
            if bound < self.interval - self.interval / 8 {
                self.reset_interval(bound);
            }
        }
        let published = match (last_empty, plan) {
            // An empty poll came before: the update landed between the two polls.
            (Some(empty), _) => {
                let gap = now.saturating_sub(empty);
                let pinned = empty + gap / 2;
                self.uncertainty = gap / 2;
                let fine = gap <= self.fine_gap();
                // The base: the oldest anchor as fine as this pin, else the newest.
                let base = self
                    .anchors
                    .iter()
                    .find(|a| a.2 == fine)
                    .or(self.anchors.back())
                    .copied();
                match base {
                    Some((t, n, base_fine)) => {
                        if let Some(n) = self.updates.checked_sub(n).filter(|&n| n > 0)
                            && pinned > t
                        {
                            let sample = (pinned - t) / u32::try_from(n).unwrap_or(u32::MAX);
                            self.learn(sample, fine && base_fine);
                        }
                    }
                    // No base since the lock was lost: the time since the last update is a
                    // coarse measure, enough to learn a first guess that was far off.
                    None => {
                        if let Some(prev) = prev_new {
                            let gap = now.saturating_sub(prev);
                            self.learn(gap / u32::try_from(advanced.max(1)).unwrap_or(1), false);
                        }
                    }
                }
                if self.anchors.len() == ANCHORS {
                    self.anchors.pop_front();
                }
                self.anchors.push_back((pinned, self.updates, fine));
                self.streak = 0;
                pinned
            }
            // A probe found the update already there: the phase or the interval is wrong.
            // Poll plainly until an update is pinned between two polls again.
            (None, Some(p)) if p.probe => {
                self.streak = 0;
                self.plain_found = true;
                // Most likely the interval is too long (a too short one shows as empty polls):
                // shorten it until updates are pinned between polls again.
                let shorter = self.interval - self.interval / 64;
                self.reset_interval(shorter);
                return now + self.plain(now);
            }
            // Found at the first poll of a plan: it landed no later than now, perhaps well
            // before; assume slightly before the planned time so the next plan probes earlier.
            (None, Some(p)) => {
                self.streak += 1;
                self.uncertainty = step / 2;
                p.assumed.saturating_sub(step / 8).min(now)
            }
            // Plain polling found it: it landed no later than now. Found by two polls in a row
            // with none empty between, updates come at least that often.
            (None, None) => {
                self.plain_found = true;
                if plain_before
                    && let Some(prev) = prev_new
                    && now.saturating_sub(prev) < self.interval / 2
                {
                    self.reset_interval(now.saturating_sub(prev));
                }
                self.uncertainty = self.plain(now);
                now
            }
        };
        let batch = self.batch();
        let assumed = published + self.interval * batch;
        let probe = self.streak >= PROBE_AFTER;
        let wake = if probe {
            self.streak = 0;
            assumed.saturating_sub(step)
        } else if self.uncertainty > step {
            // The phase is known only roughly (found by a coarse poll): start early and pin
            // it with fine polls.
            assumed.saturating_sub(self.uncertainty)
        } else {
            assumed + step / 2
        };
        let wake = wake.max(now + Duration::from_micros(50));
        self.plan = Some(Plan {
            wake,
            assumed,
            probe,
            batch: u64::from(batch),
        });
        wake
    }

    /// Takes one measured interval (a span between two updates pinned between polls, over the
    /// updates in it; `fine` when both pins were a fine step wide). The estimate is the mean of
    /// the middle three of the last five, so one span with a pause or a stall in it never moves
    /// it; coarse spans count only until fine ones exist.
    fn learn(&mut self, sample: Duration, fine: bool) {
        if sample > IDLE_AFTER || sample.is_zero() || (self.fine && !fine) {
            return;
        }
        if fine && !self.fine {
            self.fine = true;
            self.samples.clear();
        }
        if self.samples.len() == SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
        // On the stack: this runs every few updates.
        let mut sorted = [Duration::ZERO; SAMPLES];
        let n = self.samples.len();
        for (slot, s) in sorted.iter_mut().zip(&self.samples) {
            *slot = *s;
        }
        let sorted = &mut sorted[..n];
        sorted.sort_unstable();
        let mid = if n == SAMPLES {
            &sorted[1..SAMPLES - 1]
        } else {
            &sorted[..]
        };
        self.interval = mid.iter().sum::<Duration>() / mid.len() as u32;
    }

    /// Starts the estimate again from `interval`, shown to be at most that.
    fn reset_interval(&mut self, interval: Duration) {
        self.samples.clear();
        self.fine = false;
        self.interval = interval.max(MIN_INTERVAL);
        self.samples.push_back(self.interval);
    }

    /// A poll at `now` found nothing new; returns when to poll next.
    pub(crate) fn on_same(&mut self, now: Duration) -> Duration {
        self.last_empty = Some(now);
        match self.plan {
            // Within an interval of the planned poll: the update is due, poll finely. The plan
            // stays: its wake-up was the one that found nothing.
            Some(p) if now < p.wake + self.interval => {
                self.plan = Some(Plan { probe: false, ..p });
                now + self.step()
            }
            // Later than that: the sim paused or slowed down; poll plainly until it returns.
            _ => {
                // A span over a pause says nothing of the interval: measure afresh.
                if self.plan.take().is_some() {
                    self.anchors.clear();
                }
                now + self.plain(now)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: Duration = Duration::from_micros(1);

    /// Runs a schedule against a sim publishing at `times` (µs), polling exactly when asked
    /// plus `late` µs of wake-up lateness; returns (polls, detection delays in µs of the updates
    /// seen, the schedule). With `ticks` the schedule is told how many updates each poll
    /// advanced (the sim has a tick counter); without, always 1.
    fn run(
        nominal_us: u64,
        times: &[u64],
        late: u64,
        ticks: bool,
    ) -> (Vec<u64>, Vec<u64>, PollSchedule) {
        let (polls, delays, _, s) = run_with_history(nominal_us, times, late, ticks, 0);
        (polls, delays, s)
    }

    /// As [`run`] for a sim keeping `history` updates readable behind the newest; also returns
    /// how many updates were lost (overwritten before a poll read them).
    fn run_with_history(
        nominal_us: u64,
        times: &[u64],
        late: u64,
        ticks: bool,
        history: u32,
    ) -> (Vec<u64>, Vec<u64>, u64, PollSchedule) {
        let mut s = PollSchedule::new(US * nominal_us as u32, history);
        let mut lost = 0u64;
        let mut now = 0u64;
        let mut polls = Vec::new();
        let mut delays = Vec::new();
        let mut next_update = 0usize;
        while next_update < times.len() {
            polls.push(now);
            // Every update published by now; the newest is what the poll sees.
            let mut seen = None;
            let mut advanced = 0u64;
            while next_update < times.len() && times[next_update] <= now {
                seen = Some(times[next_update]);
                next_update += 1;
                advanced += 1;
            }
            lost += advanced.saturating_sub(u64::from(history) + 1);
            let next = match seen {
                Some(t) => {
                    delays.push(now - t);
                    s.on_new(US * now as u32, if ticks { advanced } else { 1 })
                }
                None => s.on_same(US * now as u32),
            };
            now = next.as_micros() as u64 + late;
        }
        if std::env::var_os("SCHEDULE_TRACE").is_some() {
            eprintln!(
                "polls {} updates {} seen {}",
                polls.len(),
                times.len(),
                delays.len()
            );
            eprintln!("delays {:?}", &delays[..delays.len().min(80)]);
            eprintln!("tail {:?}", &delays[delays.len().saturating_sub(40)..]);
            let (i, m) = delays.iter().enumerate().max_by_key(|(_, d)| **d).unwrap();
            eprintln!(
                "max {m} at {i}: {:?}",
                &delays[i.saturating_sub(10)..(i + 10).min(delays.len())]
            );
        }
        (polls, delays, lost, s)
    }

    #[test]
    fn a_steady_sim_costs_about_one_poll_per_update_and_is_seen_within_a_fine_step() {
        // 60 Hz, starting at an odd phase, the recorder guessing 1 ms at first.
        let times: Vec<u64> = (0..600).map(|i| 7_321 + i * 16_667).collect();
        let (polls, delays, s) = run(1_000, &times, 60, false);
        // Ignore the first second while the interval is learnt.
        let steady = &delays[60..];
        let polls_per_update = polls.len() as f64 / times.len() as f64;
        assert!(
            polls_per_update < 1.6,
            "{polls_per_update} polls per update"
        );
        let worst = *steady.iter().max().unwrap();
        // Fine step at 60 Hz: ~1 ms, plus the 60 µs lateness.
        assert!(worst <= 1_100, "detected up to {worst} µs late");
        let iv = s.interval().as_micros() as i64;
        assert!((iv - 16_667).abs() < 200, "interval {iv} µs");
    }

    #[test]
    fn a_fast_sim_with_jitter_loses_nothing_and_stays_within_its_fine_step() {
        // 333 Hz with ±150 µs of deterministic jitter.
        let times: Vec<u64> = (0..3_000u64)
            .map(|i| 1_000 + i * 3_003 + (i * 7_919 % 301))
            .collect();
        let (polls, delays, _) = run(3_003, &times, 60, false);
        assert_eq!(delays.len(), times.len(), "every update seen");
        let steady = &delays[100..];
        let worst = *steady.iter().max().unwrap();
        // Its 300 µs of jitter, a 94 µs fine step, 60 µs lateness.
        assert!(worst <= 500, "detected up to {worst} µs late");
        let polls_per_update = polls.len() as f64 / times.len() as f64;
        assert!(
            polls_per_update < 2.5,
            "{polls_per_update} polls per update"
        );
    }

    #[test]
    fn a_pause_falls_back_to_plain_polling_then_backs_off_and_relocks_after() {
        // 60 Hz for 2 s, silence for 3 s, 60 Hz again.
        let mut times: Vec<u64> = (0..120).map(|i| i * 16_667).collect();
        let resume = 5_000_000u64;
        times.extend((0..120).map(|i| resume + 123 + i * 16_667));
        let (polls, delays, s) = run(16_667, &times, 0, false);
        assert_eq!(delays.len(), times.len());
        // The first update after the pause is seen within the idle poll.
        assert!(delays[120] <= IDLE_POLL.as_micros() as u64);
        // During the 3 s silence, polls back off to 5 ms: ~3 s / 5 ms plus the first quarter
        // second at up to 2 ms (a fine step would be ~6,000).
        let silent = polls
            .iter()
            .filter(|&&t| t > 2_000_000 && t < resume)
            .count();
        assert!(
            (550..800).contains(&silent),
            "{silent} polls in the silence"
        );
        // Relocked: the last second's updates are seen within a fine step.
        assert!(
            delays[180..].iter().all(|&d| d <= 1_100),
            "{:?}",
            &delays[180..]
        );
        let iv = s.interval().as_micros() as i64;
        assert!((iv - 16_667).abs() < 300, "interval {iv} µs");
    }

    #[test]
    fn a_sim_faster_than_guessed_is_followed_with_or_without_a_tick() {
        // Guessed 60 Hz, really 250 Hz.
        let times: Vec<u64> = (0..2_500).map(|i| 500 + i * 4_000).collect();
        for ticks in [true, false] {
            let (_, delays, s) = run(16_667, &times, 30, ticks);
            let iv = s.interval().as_micros() as i64;
            assert!((iv - 4_000).abs() < 100, "ticks {ticks}: interval {iv} µs");
            // Locked: the last 1,000 updates each seen, within the fine step.
            let tail = &delays[delays.len() - 1_000..];
            assert!(
                tail.iter().all(|&d| d <= 400),
                "ticks {ticks}: {:?}",
                tail.iter().max()
            );
            assert!(delays.len() > 2_400, "ticks {ticks}: {} seen", delays.len());
        }
    }

    #[test]
    fn a_sim_with_a_history_is_woken_for_once_per_batch_and_loses_nothing() {
        // iRacing at 60 Hz with one readable row behind the newest: every second update.
        let times: Vec<u64> = (0..1_200).map(|i| 4_321 + i * 16_667).collect();
        let (polls, delays, lost, _) = run_with_history(16_667, &times, 60, true, 1);
        let per_update = polls.len() as f64 / times.len() as f64;
        assert!(per_update < 0.75, "{per_update} polls per update");
        assert_eq!(lost, 0);
        // The first of each pair is taken one interval after it landed, by design (dated by
        // the sim's tick, so its time is exact); nothing waits longer.
        assert!(
            delays[120..].iter().all(|&d| d <= 16_667 + 700),
            "{:?}",
            delays.iter().max()
        );
        // The test pattern at 1 kHz with 30 behind the newest: every 18th (15 ms of slack).
        let times: Vec<u64> = (0..20_000).map(|i| 77 + i * 1_000).collect();
        let (polls, _, lost, _) = run_with_history(1_000, &times, 60, true, 30);
        let per_update = polls.len() as f64 / times.len() as f64;
        assert!(per_update < 0.1, "{per_update} polls per update");
        assert_eq!(lost, 0);
    }
}
