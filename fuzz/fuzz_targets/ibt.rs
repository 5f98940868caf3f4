//! Fuzz target `ibt`: see [`ksana_fuzz::ibt`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ksana_fuzz::ibt(data));
