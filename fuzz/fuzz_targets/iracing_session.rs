//! Fuzz target `iracing_session`: see [`ksana_fuzz::iracing_session`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ksana_fuzz::iracing_session(data));
