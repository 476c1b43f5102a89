//! What each ensemble member draws. Member `i` of an ensemble with seed `s` draws from a ChaCha8
//! generator whose 32-byte seed is `s` (8 bytes, little-endian), then `i` (8 bytes), then zeros:
//! a member's values depend on (s, i) only, never on threads or shards. Latin hypercube sampling
//! also needs each parameter's assignment of strata to members: a permutation drawn from a
//! generator seeded with `s`, the parameter's position `k`, and a 1 in byte 16.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::scenario::{Distribution, Sampling};

fn rng(seed: u64, index: u64, domain: u8) -> ChaCha8Rng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&index.to_le_bytes());
    bytes[16] = domain;
    ChaCha8Rng::from_seed(bytes)
}

/// Member `member`'s generator.
pub fn member_rng(seed: u64, member: u64) -> ChaCha8Rng {
    rng(seed, member, 0)
}

/// The value at cumulative probability `u` (inverse CDF). `u` is kept inside (0, 1) so that
/// unbounded distributions give finite values.
pub fn quantile(dist: &Distribution, u: f64) -> f64 {
    let u = u.clamp(1e-12, 1.0 - 1e-12);
    let z = || Normal::standard().inverse_cdf(u);
    match *dist {
        Distribution::Uniform(low, high) => low + (high - low) * u,
        Distribution::Normal(mean, sd) => {
            if sd == 0.0 {
                mean
            } else {
                mean + sd * z()
            }
        }
        // Of the underlying normal, as numpy's lognormal(mean=mu, sigma=sigma).
        Distribution::LogNormal(mu, sigma) => {
            if sigma == 0.0 {
                mu.exp()
            } else {
                (mu + sigma * z()).exp()
            }
        }
        Distribution::Triangular(low, mode, high) => {
            let width = high - low;
            if width == 0.0 {
                return low;
            }
            let f = (mode - low) / width;
            if u < f {
                low + (u * width * (mode - low)).sqrt()
            } else {
                high - ((1.0 - u) * width * (high - mode)).sqrt()
            }
        }
    }
}

/// Draws members' parameter values.
#[derive(Clone, Debug)]
pub struct Sampler {
    pub members: usize,
    pub seed: u64,
    pub sampling: Sampling,
    pub distributions: Vec<Distribution>,
    /// Latin hypercube: stratum of each member, per parameter.
    strata: Vec<Vec<u32>>,
}

impl Sampler {
    pub fn new(
        members: usize,
        seed: u64,
        sampling: Sampling,
        distributions: Vec<Distribution>,
    ) -> Sampler {
        let strata = match sampling {
            Sampling::Random => Vec::new(),
            Sampling::LatinHypercube => (0..distributions.len())
                .map(|k| {
                    let mut perm: Vec<u32> = (0..members as u32).collect();
                    perm.shuffle(&mut rng(seed, k as u64, 1));
                    perm
                })
                .collect(),
        };
        Sampler {
            members,
            seed,
            sampling,
            distributions,
            strata,
        }
    }

    /// Member `i`'s value of every parameter, in order.
    pub fn draw(&self, i: usize) -> Vec<f64> {
        let mut r = member_rng(self.seed, i as u64);
        self.distributions
            .iter()
            .enumerate()
            .map(|(k, dist)| {
                let jitter: f64 = r.random();
                let u = match self.sampling {
                    Sampling::Random => jitter,
                    Sampling::LatinHypercube => {
                        (f64::from(self.strata[k][i]) + jitter) / self.members as f64
                    }
                };
                quantile(dist, u)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_hand() {
        assert_eq!(quantile(&Distribution::Uniform(2.0, 6.0), 0.25), 3.0);
        // Triangular(0, 1, 2): F(x) = x^2 / 2 below the mode, so F^-1(0.125) = 0.5.
        let tri = Distribution::Triangular(0.0, 1.0, 2.0);
        assert!((quantile(&tri, 0.125) - 0.5).abs() < 1e-12);
        assert!((quantile(&tri, 0.875) - 1.5).abs() < 1e-12);
        // Standard normal: the 97.5th percentile is 1.959964.
        let n = Distribution::Normal(10.0, 2.0);
        assert!((quantile(&n, 0.975) - (10.0 + 2.0 * 1.959_964)).abs() < 1e-5);
        // LogNormal(mu, sigma): the median is exp(mu).
        assert!((quantile(&Distribution::LogNormal(1.0, 0.5), 0.5) - 1f64.exp()).abs() < 1e-9);
        assert_eq!(quantile(&Distribution::Normal(3.0, 0.0), 0.9), 3.0);
    }

    #[test]
    fn latin_hypercube_puts_one_member_in_each_stratum() {
        let s = Sampler::new(
            10,
            7,
            Sampling::LatinHypercube,
            vec![Distribution::Uniform(0.0, 1.0); 3],
        );
        for k in 0..3 {
            let mut strata: Vec<usize> = (0..10).map(|i| (s.draw(i)[k] * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        // A member's draw depends on (seed, i) only.
        assert_eq!(s.draw(4), s.clone().draw(4));
        assert_ne!(s.draw(4), s.draw(5));
    }
}
