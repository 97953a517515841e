//! A seeded, deterministic simulated market that emits frames in real exchange wire formats.
