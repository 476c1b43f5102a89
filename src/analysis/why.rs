//! "Why didn't it move?": which limit holds each traveller type back over a run, from the
//! model's limit outputs that the description's `limits` section names (each the share of
//! demand one limit turns away). The largest share at a time is the limit that holds.

use crate::engine::Results;
use crate::scenario::description::{Description, Limits};

/// Which limit holds each row back at every saved time of one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Strip {
    pub times: Vec<f64>,
    /// One per row of the description's `limits`, in its order.
    pub rows: Vec<StripRow>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StripRow {
    /// Per time: the holding limit's index in `limits.limits` and the share it turns away;
    /// None when every share is below the floor.
    pub holding: Vec<Option<(usize, f64)>>,
}

/// A stretch of time over which one limit (or none) holds a row back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub from: f64,
    pub to: f64,
    pub limit: Option<usize>,
}

impl Strip {
    /// The strip of `results`; None when the description has no `limits` or the run lacks one
    /// of their outputs.
    pub fn of(description: &Description, results: &Results) -> Option<Strip> {
        let limits = description.limits.as_ref()?;
        let mut rows = Vec::with_capacity(limits.rows.len());
        for row in &limits.rows {
            let shares: Vec<Vec<f64>> = limits
                .limits
                .iter()
                .map(|l| results.series_or_sum(&Limits::series(l, row)))
                .collect::<Option<_>>()?;
            let holding = (0..results.times.len())
                .map(|i| largest(shares.iter().map(|s| s[i]), limits.floor))
                .collect();
            rows.push(StripRow { holding });
        }
        Some(Strip {
            times: results.times.clone(),
            rows,
        })
    }

    /// What holds each row back at time `t` (the last saved time at or before it).
    pub fn at(&self, t: f64) -> Vec<Option<(usize, f64)>> {
        let i = self
            .times
            .partition_point(|&x| x <= t + 1e-9)
            .saturating_sub(1);
        self.rows
            .iter()
            .map(|r| r.holding.get(i).copied().flatten())
            .collect()
    }

    /// Row `row` as stretches of one holding limit each, for drawing.
    pub fn spans(&self, row: usize) -> Vec<Span> {
        let Some(r) = self.rows.get(row) else {
            return Vec::new();
        };
        let mut spans: Vec<Span> = Vec::new();
        for (i, h) in r.holding.iter().enumerate() {
            let limit = h.map(|(l, _)| l);
            let to = self
                .times
                .get(i + 1)
                .copied()
                .unwrap_or(self.times[i] + step(&self.times));
            match spans.last_mut() {
                Some(last) if last.limit == limit => last.to = to,
                _ => spans.push(Span {
                    from: self.times[i],
                    to,
                    limit,
                }),
            }
        }
        spans
    }
}

fn step(times: &[f64]) -> f64 {
    if times.len() > 1 {
        times[1] - times[0]
    } else {
        1.0
    }
}

/// The index and value of the largest share at or above `floor` (the first on a tie).
fn largest(shares: impl Iterator<Item = f64>, floor: f64) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in shares.enumerate() {
        if s.is_finite() && s >= floor && best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best
}

/// The rows a lever acts on: those whose outputs its stated effects name.
pub fn rows_moved_by(limits: &Limits, effect_outputs: &[&str]) -> Vec<usize> {
    let key = crate::engine::canonical_name;
    limits
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.outputs
                .iter()
                .any(|o| effect_outputs.iter().any(|e| key(e) == key(o)))
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_share_above_the_floor_holds() {
        assert_eq!(largest([0.1, 0.5, 0.3].into_iter(), 0.01), Some((1, 0.5)));
        assert_eq!(largest([0.005, 0.0].into_iter(), 0.01), None);
        assert_eq!(largest([0.2, 0.2].into_iter(), 0.01), Some((0, 0.2)));
        assert_eq!(largest([f64::NAN, 0.2].into_iter(), 0.01), Some((1, 0.2)));
    }

    #[test]
    fn spans_join_equal_neighbours() {
        let strip = Strip {
            times: vec![0.0, 1.0, 2.0, 3.0],
            rows: vec![StripRow {
                holding: vec![Some((0, 0.5)), Some((0, 0.4)), None, Some((1, 0.2))],
            }],
        };
        let spans = strip.spans(0);
        assert_eq!(
            spans,
            [
                Span {
                    from: 0.0,
                    to: 2.0,
                    limit: Some(0)
                },
                Span {
                    from: 2.0,
                    to: 3.0,
                    limit: None
                },
                Span {
                    from: 3.0,
                    to: 4.0,
                    limit: Some(1)
                },
            ]
        );
        assert_eq!(strip.at(1.5), [Some((0, 0.4))]);
        assert_eq!(strip.at(9.0), [Some((1, 0.2))]);
    }
}
