//! Fuzz target `assetto_pages`: see [`ksana_fuzz::assetto_pages`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ksana_fuzz::assetto_pages(data));
