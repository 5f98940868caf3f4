//! Fuzz target `recording`: see [`ksana_fuzz::recording`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ksana_fuzz::recording(data));
