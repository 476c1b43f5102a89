//! What the fit aims at: the recorded daily series and single published figures, each with its
//! weight and source, as the model description lists them. Only figures dated on or before the
//! fit window's end take part in a fit.

use std::collections::BTreeMap;

use crate::analysis::record::recorded_series;
use crate::engine::Results;
use crate::scenario::{Calendar, Description, TargetSpec};

/// Recorded `(model time, value)` series by output name. Days without data (the gap
/// 2020-11-16 .. 2020-12-31) are absent, never zero.
pub type Observed = BTreeMap<String, Vec<(f64, f64)>>;

/// The daily record the model description names (its `recorded` section).
pub fn observed_record(description: &Description, calendar: &Calendar) -> Observed {
    recorded_series(description, calendar)
}

/// A span of model time, both ends included.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start: f64,
    pub end: f64,
}

impl Window {
    pub fn contains(&self, t: f64) -> bool {
        self.start <= t && t <= self.end
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TargetKind {
    /// A recorded daily output, compared day by day inside the fit window.
    Daily { output: String },
    /// The model's mean of `variable` over `from..=to` (times `scale`, e.g. 365 for an annual
    /// total) against a published `value`.
    Mean {
        variable: String,
        from: f64,
        to: f64,
        scale: f64,
        value: f64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub name: String,
    pub kind: TargetKind,
    pub weight: f64,
    pub source: String,
    /// Model time the observation ends: a fit to an earlier date leaves the target out.
    pub ends: f64,
}

/// The fit targets the model description lists (its `calibration` section), with dates turned
/// into model time. Daily series are compared as squared differences of ln(1 + value), averaged
/// over the days; single figures are squared log ratios.
pub fn targets(description: &Description, cal: &Calendar) -> Vec<Target> {
    // The description's dates were checked when it was read.
    let t = |d: &str| cal.time_of(d).unwrap_or(f64::NAN);
    let record_end = cal.record_time().unwrap_or(f64::NAN);
    description
        .calibration
        .iter()
        .map(|c| {
            let (kind, ends) = match &c.kind {
                TargetSpec::Daily { output } => (
                    TargetKind::Daily {
                        output: output.clone(),
                    },
                    record_end,
                ),
                TargetSpec::Mean {
                    output,
                    from,
                    to,
                    scale,
                    value,
                } => {
                    let to = t(to.as_deref().unwrap_or(from));
                    let kind = TargetKind::Mean {
                        variable: output.clone(),
                        from: t(from),
                        to,
                        scale: *scale,
                        value: *value,
                    };
                    (kind, to)
                }
            };
            Target {
                name: c.name.clone(),
                kind,
                weight: c.weight,
                source: c.source.clone(),
                ends,
            }
        })
        .collect()
}

/// Row of model time `t` in a run saved at regular steps.
fn row_of(results: &Results, t: f64) -> Option<usize> {
    let times = &results.times;
    let first = *times.first()?;
    let step = if times.len() > 1 {
        times[1] - first
    } else {
        1.0
    };
    let r = ((t - first) / step).round();
    (r >= 0.0 && (r as usize) < times.len()).then_some(r as usize)
}

impl Target {
    /// `(model, data)` pairs this target compares within `window`: every recorded day for a
    /// daily series, one pair for a single figure.
    pub fn pairs(&self, results: &Results, observed: &Observed, window: Window) -> Vec<(f64, f64)> {
        match &self.kind {
            TargetKind::Daily { output } => {
                let (Some(col), Some(points)) =
                    (results.column_index(output), observed.get(output))
                else {
                    return Vec::new();
                };
                points
                    .iter()
                    .filter(|(t, _)| window.contains(*t))
                    .filter_map(|&(t, d)| row_of(results, t).map(|r| (results.value(r, col), d)))
                    .collect()
            }
            TargetKind::Mean { value, .. } => self
                .model_value(results)
                .map(|m| vec![(m, *value)])
                .unwrap_or_default(),
        }
    }

    /// The model's value of a single-figure target.
    pub fn model_value(&self, results: &Results) -> Option<f64> {
        let TargetKind::Mean {
            variable,
            from,
            to,
            scale,
            ..
        } = &self.kind
        else {
            return None;
        };
        let col = results.column_index(variable)?;
        let (a, b) = (row_of(results, *from)?, row_of(results, *to)?);
        let sum: f64 = (a..=b).map(|r| results.value(r, col)).sum();
        Some(scale * sum / (b - a + 1) as f64)
    }

    /// Mean squared log error of this target within `window` (NaN when there is nothing to compare).
    pub fn squared_log_error(&self, results: &Results, observed: &Observed, window: Window) -> f64 {
        let pairs = self.pairs(results, observed, window);
        let log = |x: f64| match self.kind {
            TargetKind::Daily { .. } => (1.0 + x.max(0.0)).ln(),
            TargetKind::Mean { .. } => x.max(1e-9).ln(),
        };
        let n = pairs.len() as f64;
        pairs
            .iter()
            .map(|&(m, d)| (log(m) - log(d)).powi(2))
            .sum::<f64>()
            / n
    }
}
