#![no_main]
//! The record decoder; the checks are in `premia_events::codec::fuzzing`.
libfuzzer_sys::fuzz_target!(|input: &[u8]| premia_events::codec::fuzzing::run(input));
