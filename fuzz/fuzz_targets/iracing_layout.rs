//! Fuzz target `iracing_layout`: see [`ksana_fuzz::iracing_layout`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ksana_fuzz::iracing_layout(data));
