//! Named "new data" events (iRacing's `Local\IRSDKDataValidEvent`, LMU's `LMU_Data_Event`).

use std::time::Duration;

use crate::error::{Result, ShmError};
use crate::namespace::ShmNamespace;

/// How a Windows event resets after releasing waiters. Linux ignores it (see [`Event`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventReset {
    /// Auto-reset: one wait consumes one signal (LMU's `LMU_Data_Event`).
    Auto,
    /// Manual-reset: stays signalled until reset (iRacing creates its data-valid event like this and
    /// pulses it).
    Manual,
}

/// A named cross-process event that a producer signals when new data is in a mapping.
///
/// Windows: a kernel event (`CreateEventW` / `OpenEventW(SYNCHRONIZE)`). Linux has no standard named
/// event, so ksana uses an 8-byte file `<root>/<name>` holding a sequence counter: [`Event::set`]
/// increments it atomically and [`Event::wait`] polls it every 0.5 ms; each handle reports every advance
/// once ("edge per handle"). This works under a private root and across processes. ksana does **not**
/// create the POSIX semaphore (`/dev/shm/sem.NAME`) that goirsdk waits on. See `docs/SHM.md`.
#[derive(Debug)]
pub struct Event {
    name: String,
    can_signal: bool,
    inner: imp::Inner,
}

impl Event {
    /// Opens the event for signalling, creating it if needed (producer / player side).
    ///
    /// On Windows an existing event keeps the reset mode it was created with.
    pub fn create(ns: &ShmNamespace, name: &str, reset: EventReset) -> Result<Event> {
        Ok(Event {
            name: name.to_owned(),
            can_signal: true,
            inner: imp::Inner::create(ns, name, reset)?,
        })
    }

    /// Opens an existing event for waiting only; `Ok(None)` if it does not exist (consumer / recorder).
    pub fn open(ns: &ShmNamespace, name: &str) -> Result<Option<Event>> {
        Ok(imp::Inner::open(ns, name)?.map(|inner| Event {
            name: name.to_owned(),
            can_signal: false,
            inner,
        }))
    }

    /// The name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn check_signal(&self) -> Result<()> {
        if self.can_signal {
            Ok(())
        } else {
            Err(ShmError::ReadOnly {
                name: self.name.clone(),
            })
        }
    }

    /// Signals the event (`SetEvent`; Linux: bump the sequence counter).
    pub fn set(&self) -> Result<()> {
        self.check_signal()?;
        self.inner.set(&self.name)
    }

    /// Releases current waiters without leaving the event signalled, as iRacing does every tick.
    ///
    /// Windows: calls `PulseEvent`, which Microsoft documents as unreliable (a waiter momentarily taken
    /// off the wait, e.g. by a kernel APC, misses the pulse). ksana calls it anyway to reproduce the real
    /// sim exactly: iRacing's consumers already wait with a timeout and poll `tickCount` after every wake,
    /// so a missed pulse costs them one timeout, not data. Where the sim uses an auto-reset event, prefer
    /// [`Event::set`]. Linux: same as `set` (the counter cannot be missed).
    pub fn pulse(&self) -> Result<()> {
        self.check_signal()?;
        self.inner.pulse(&self.name)
    }

    /// Returns the event to non-signalled (`ResetEvent`, iRacing's shutdown step). No-op on Linux.
    pub fn reset(&self) -> Result<()> {
        self.check_signal()?;
        self.inner.reset(&self.name)
    }

    /// Waits up to `timeout` for a signal: `Ok(true)` if signalled, `Ok(false)` on timeout.
    ///
    /// Linux: `true` when the counter moved since this handle last saw it (or since it was opened), so
    /// several `set`s between two waits collapse into one wake, like an auto-reset event.
    pub fn wait(&self, timeout: Duration) -> Result<bool> {
        self.inner.wait(&self.name, timeout)
    }
}

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use super::EventReset;
    use crate::error::Result;
    use crate::mapping::Mapping;
    use crate::namespace::ShmNamespace;

    /// Size of the event file: one native-endian u64 sequence counter at offset 0.
    const EVENT_FILE_LEN: usize = 8;
    /// Poll period of [`Inner::wait`].
    const POLL: Duration = Duration::from_micros(500);

    #[derive(Debug)]
    pub(super) struct Inner {
        map: Mapping,
        /// The counter value this handle has already reported.
        seen: AtomicU64,
    }

    impl Inner {
        fn new(map: Mapping) -> Result<Inner> {
            let now = map.load_u64_acquire(0)?;
            Ok(Inner {
                map,
                seen: AtomicU64::new(now),
            })
        }

        pub(super) fn create(ns: &ShmNamespace, name: &str, _reset: EventReset) -> Result<Inner> {
            let (map, _) = Mapping::open_or_create(ns, name, EVENT_FILE_LEN)?;
            Inner::new(map)
        }

        pub(super) fn open(ns: &ShmNamespace, name: &str) -> Result<Option<Inner>> {
            match Mapping::open_read(ns, name)? {
                // A file shorter than the counter is one whose creator has not sized it yet.
                Some(map) if map.len() >= EVENT_FILE_LEN => Inner::new(map).map(Some),
                _ => Ok(None),
            }
        }

        pub(super) fn set(&self, _name: &str) -> Result<()> {
            self.map.fetch_add_u64(0, 1).map(drop)
        }

        pub(super) fn pulse(&self, name: &str) -> Result<()> {
            self.set(name)
        }

        pub(super) fn reset(&self, _name: &str) -> Result<()> {
            Ok(())
        }

        pub(super) fn wait(&self, _name: &str, timeout: Duration) -> Result<bool> {
            let deadline = Instant::now().checked_add(timeout);
            loop {
                let now_seq = self.map.load_u64_acquire(0)?;
                let seen = self.seen.load(Ordering::Relaxed);
                if now_seq != seen
                    && self
                        .seen
                        .compare_exchange(seen, now_seq, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                {
                    return Ok(true);
                }
                let left = match deadline {
                    Some(d) => d.saturating_duration_since(Instant::now()),
                    None => POLL,
                };
                if left.is_zero() {
                    return Ok(false);
                }
                std::thread::sleep(left.min(POLL));
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use std::time::Duration;

    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, WAIT_OBJECT_0, WAIT_TIMEOUT};
    use windows_sys::Win32::System::Threading::{
        CreateEventW, OpenEventW, PulseEvent, ResetEvent, SYNCHRONIZATION_SYNCHRONIZE, SetEvent,
        WaitForSingleObject,
    };

    use super::EventReset;
    use crate::error::{Result, ShmError};
    use crate::namespace::ShmNamespace;
    use crate::sys::{OwnedHandle, last_error, os_err, wide};

    #[derive(Debug)]
    pub(super) struct Inner {
        handle: OwnedHandle,
        target: String,
    }

    impl Inner {
        pub(super) fn create(ns: &ShmNamespace, name: &str, reset: EventReset) -> Result<Inner> {
            let target = ns.object_name(name)?;
            let w = wide(&target);
            let manual = i32::from(reset == EventReset::Manual);
            // SAFETY: null security attributes are allowed; `w` is NUL-terminated and outlives the call.
            let h = unsafe { CreateEventW(std::ptr::null(), manual, 0, w.as_ptr()) };
            if h.is_null() {
                return Err(os_err("CreateEventW", name, &target, last_error()));
            }
            Ok(Inner {
                handle: OwnedHandle(h),
                target,
            })
        }

        pub(super) fn open(ns: &ShmNamespace, name: &str) -> Result<Option<Inner>> {
            let target = ns.object_name(name)?;
            let w = wide(&target);
            // SAFETY: `w` is NUL-terminated and outlives the call.
            let h = unsafe { OpenEventW(SYNCHRONIZATION_SYNCHRONIZE, 0, w.as_ptr()) };
            if h.is_null() {
                let err = last_error();
                if err.raw_os_error() == Some(ERROR_FILE_NOT_FOUND as i32) {
                    return Ok(None);
                }
                return Err(os_err("OpenEventW", name, &target, err));
            }
            Ok(Some(Inner {
                handle: OwnedHandle(h),
                target,
            }))
        }

        fn check(&self, ok: i32, op: &'static str, name: &str) -> Result<()> {
            if ok != 0 {
                Ok(())
            } else {
                Err(os_err(op, name, &self.target, last_error()))
            }
        }

        pub(super) fn set(&self, name: &str) -> Result<()> {
            // SAFETY: valid event handle owned by `self`.
            let ok = unsafe { SetEvent(self.handle.0) };
            self.check(ok, "SetEvent", name)
        }

        pub(super) fn pulse(&self, name: &str) -> Result<()> {
            // SAFETY: valid event handle owned by `self`.
            let ok = unsafe { PulseEvent(self.handle.0) };
            self.check(ok, "PulseEvent", name)
        }

        pub(super) fn reset(&self, name: &str) -> Result<()> {
            // SAFETY: valid event handle owned by `self`.
            let ok = unsafe { ResetEvent(self.handle.0) };
            self.check(ok, "ResetEvent", name)
        }

        pub(super) fn wait(&self, name: &str, timeout: Duration) -> Result<bool> {
            // Round up to whole milliseconds; stay below INFINITE (u32::MAX).
            let ms = timeout
                .as_nanos()
                .div_ceil(1_000_000)
                .min(u128::from(u32::MAX - 1)) as u32;
            // SAFETY: valid event handle owned by `self`, opened with SYNCHRONIZE access.
            match unsafe { WaitForSingleObject(self.handle.0, ms) } {
                WAIT_OBJECT_0 => Ok(true),
                WAIT_TIMEOUT => Ok(false),
                _ => Err(ShmError::Os {
                    op: "WaitForSingleObject",
                    name: name.to_owned(),
                    target: self.target.clone(),
                    source: last_error(),
                }),
            }
        }
    }
}
