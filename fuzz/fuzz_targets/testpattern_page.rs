//! Fuzz target `testpattern_page`: see [`ksana_fuzz::testpattern_page`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ksana_fuzz::testpattern_page(data));
