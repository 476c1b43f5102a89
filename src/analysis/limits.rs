//! Counts and sizes the analyses accept, checked before anything is allocated for them. The
//! README's "Limits" section lists these with the engine's ([`crate::engine::limits`]).

use crate::engine::EngineError;

/// Ensemble members (also the scenario file's limit).
pub const MAX_MEMBERS: usize = crate::scenario::file::MAX_MEMBERS as usize;
/// Shards an ensemble may be split into.
pub const MAX_SHARDS: usize = 10_000;
/// `bench --runs`.
pub const MAX_BENCH_RUNS: usize = 1_000_000;
/// `sensitivity --sobol N`: base samples (the runs are N (k + 2)).
pub const MAX_SOBOL_N: usize = 100_000;
/// `calibrate --starts`.
pub const MAX_STARTS: usize = 1_000;
/// `calibrate --iterations` per start.
pub const MAX_ITERATIONS: u64 = 1_000_000;
/// Memory one ensemble or Sobol analysis may keep for its member results: 1 GB.
pub const MAX_ENSEMBLE_BYTES: usize = 1_000_000_000;

fn refuse(what: &str, found: impl std::fmt::Display, limit: impl std::fmt::Display) -> EngineError {
    EngineError::Run(format!("{what}: expected at most {limit}, found {found}"))
}

/// Checks `value` against `limit` (and that it is at least 1).
pub fn count(what: &str, value: usize, limit: usize) -> Result<(), EngineError> {
    if value == 0 {
        return Err(EngineError::Run(format!(
            "{what}: expected at least 1, found 0"
        )));
    }
    if value > limit {
        return Err(refuse(what, value, limit));
    }
    Ok(())
}

/// Checks that `items` of `bytes_each` fit within [`MAX_ENSEMBLE_BYTES`].
pub fn memory(what: &str, items: usize, bytes_each: usize) -> Result<(), EngineError> {
    let total = items.saturating_mul(bytes_each);
    if total > MAX_ENSEMBLE_BYTES {
        return Err(EngineError::Run(format!(
            "{what} would keep {} MB of results in memory; the limit is {} MB (use fewer members, or shards)",
            total / 1_000_000,
            MAX_ENSEMBLE_BYTES / 1_000_000
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_memory_are_bounded() {
        assert!(count("--runs", 1, MAX_BENCH_RUNS).is_ok());
        assert!(count("--runs", 0, MAX_BENCH_RUNS).is_err());
        let e = count("--runs", usize::MAX, MAX_BENCH_RUNS).expect_err("refused");
        assert!(e.to_string().contains("at most 1000000"), "{e}");
        assert!(memory("ensemble", usize::MAX, 2).is_err());
        assert!(memory("ensemble", 1000, 1000).is_ok());
    }
}
