//! Named events within one process (threads). Private roots and process-unique names, as in mapping.rs.

use std::time::{Duration, Instant};

use ksana_shm::{Event, EventReset, ShmError, ShmNamespace};
use tempfile::TempDir;

fn ns() -> (TempDir, ShmNamespace) {
    let dir = tempfile::tempdir().unwrap();
    let ns = ShmNamespace::with_root(dir.path());
    (dir, ns)
}

fn uniq(tag: &str) -> String {
    format!("Local\\ksana-evtest-{}-{tag}", std::process::id())
}

#[test]
fn open_missing_is_none() {
    let (_d, ns) = ns();
    assert!(Event::open(&ns, &uniq("missing")).unwrap().is_none());
}

#[test]
fn set_then_wait_and_timeout() {
    let (_d, ns) = ns();
    let name = uniq("basic");
    let producer = Event::create(&ns, &name, EventReset::Auto).unwrap();
    let consumer = Event::open(&ns, &name).unwrap().expect("exists");
    assert_eq!(consumer.name(), name);

    let t = Instant::now();
    assert!(!consumer.wait(Duration::from_millis(50)).unwrap());
    assert!(
        t.elapsed() >= Duration::from_millis(30),
        "{:?}",
        t.elapsed()
    );
    assert!(!consumer.wait(Duration::ZERO).unwrap());

    producer.set().unwrap();
    assert!(consumer.wait(Duration::from_secs(5)).unwrap());
    // One set wakes one wait (auto-reset).
    assert!(!consumer.wait(Duration::from_millis(20)).unwrap());
}

#[test]
fn set_from_another_thread_wakes_waiter() {
    let (_d, ns) = ns();
    let name = uniq("thread");
    let producer = Event::create(&ns, &name, EventReset::Auto).unwrap();
    let consumer = Event::open(&ns, &name).unwrap().unwrap();
    let t = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(50));
            producer.set().unwrap();
        });
        assert!(consumer.wait(Duration::from_secs(10)).unwrap());
    });
    assert!(t.elapsed() >= Duration::from_millis(30));

    // Many sets from a thread: every wait until the last one succeeds, and none hangs.
    let n = 50;
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..n {
                producer.set().unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        let mut wakes = 0;
        while consumer.wait(Duration::from_millis(500)).unwrap() {
            wakes += 1;
        }
        assert!((1..=n).contains(&wakes), "{wakes}");
    });
}

#[test]
fn wait_only_handle_cannot_signal() {
    let (_d, ns) = ns();
    let name = uniq("ro");
    let _producer = Event::create(&ns, &name, EventReset::Auto).unwrap();
    let consumer = Event::open(&ns, &name).unwrap().unwrap();
    for r in [consumer.set(), consumer.pulse(), consumer.reset()] {
        assert!(matches!(r, Err(ShmError::ReadOnly { .. })));
    }
}

#[test]
fn bad_names_are_rejected() {
    let (_d, ns) = ns();
    assert!(matches!(
        Event::create(&ns, "Local\\a/b", EventReset::Auto),
        Err(ShmError::InvalidName { .. })
    ));
    assert!(matches!(
        Event::open(&ns, ""),
        Err(ShmError::InvalidName { .. })
    ));
}

#[test]
fn pulse_wakes_a_blocked_waiter() {
    // iRacing's pattern: manual-reset event, pulsed. The waiter is blocked before each pulse; pulse
    // again until it wakes because PulseEvent can be missed on Windows.
    let (_d, ns) = ns();
    let name = uniq("pulse");
    let producer = Event::create(&ns, &name, EventReset::Manual).unwrap();
    let consumer = Event::open(&ns, &name).unwrap().unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
                producer.pulse().unwrap();
            }
        });
        let woke = consumer.wait(Duration::from_secs(10)).unwrap();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(woke);
    });
}

#[cfg(windows)]
#[test]
fn manual_reset_stays_signalled_until_reset() {
    let (_d, ns) = ns();
    let name = uniq("manual");
    let producer = Event::create(&ns, &name, EventReset::Manual).unwrap();
    let consumer = Event::open(&ns, &name).unwrap().unwrap();
    producer.set().unwrap();
    assert!(consumer.wait(Duration::ZERO).unwrap());
    assert!(consumer.wait(Duration::ZERO).unwrap());
    producer.reset().unwrap();
    assert!(!consumer.wait(Duration::from_millis(10)).unwrap());
}

#[cfg(unix)]
#[test]
fn linux_event_is_a_counter_file_under_root() {
    let (d, ns) = ns();
    let producer = Event::create(&ns, "Local\\IRSDKDataValidEvent", EventReset::Manual).unwrap();
    let path = d.path().join("IRSDKDataValidEvent");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 8);
    producer.set().unwrap();
    producer.pulse().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(u64::from_ne_bytes(bytes.try_into().unwrap()), 2);
    // A handle opened now has seen both; a too-short file is "not there yet".
    let late = Event::open(&ns, "IRSDKDataValidEvent").unwrap().unwrap();
    assert!(!late.wait(Duration::from_millis(5)).unwrap());
    std::fs::write(d.path().join("short"), [0u8; 3]).unwrap();
    assert!(Event::open(&ns, "short").unwrap().is_none());
}

#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Event>();
    check::<ksana_shm::Mapping>();
    check::<ShmNamespace>();
}
