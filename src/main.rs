//! The `premia` binary. Everything lives in the library half (`premia::main_entry`).

#![forbid(unsafe_code)]

/// mimalloc instead of the system allocator: decoding and folding events allocate many small
/// strings, and mimalloc made replay measurably faster here (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    premia::main_entry()
}
