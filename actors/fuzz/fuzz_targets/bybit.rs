#![no_main]
//! Bybit's codec and book sync; the checks are in `premia_actors::exchanges::fuzzing`.
libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    premia_actors::exchanges::fuzzing::run(premia_events::Exchange::Bybit, input)
});
