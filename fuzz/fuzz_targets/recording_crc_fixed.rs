//! Fuzz target `recording_crc_fixed`: see [`ksana_fuzz::recording_crc_fixed`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ksana_fuzz::recording_crc_fixed(data));
