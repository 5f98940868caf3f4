//! Ctrl+C: the first asks the running command to stop cleanly; the second exits at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Installs the handler and returns the flag the first Ctrl+C sets. `second` is printed when
/// the first arrives, telling what a second one does.
pub fn install(second: &'static str) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            eprintln!("\nsecond Ctrl+C: exiting now");
            std::process::exit(130);
        }
        eprintln!("\nstopping… ({second})");
    });
    stop
}
