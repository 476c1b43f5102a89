//! Which uncertain parameter matters most for a headline figure: one-at-a-time swings (a
//! tornado chart), and variance-based Sobol indices (Saltelli sampling, Jansen's estimators).

use std::fmt::Write as _;

use rayon::prelude::*;

use super::Plan;
use super::sampling::{member_rng, quantile};
use crate::analysis::headlines::{headlines, reached_date, show_date};
use crate::engine::{EngineError, Override, Overrides};
use crate::scenario::{Distribution, Prepared};
use rand::RngExt;

/// A headline figure to explain: one of the model description's, by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metric {
    index: usize,
    name: String,
    is_date: bool,
}

impl Metric {
    /// The description's headline figure `name`, or an error listing the names there are.
    pub fn named(
        description: &crate::scenario::Description,
        name: &str,
    ) -> Result<Metric, EngineError> {
        let index = description.headline_index(name).ok_or_else(|| {
            EngineError::Run(format!(
                "--metric {name:?}: expected one of the model's headline figures: {}",
                description.metric_names().join(", ")
            ))
        })?;
        Ok(Metric {
            index,
            name: name.to_string(),
            is_date: description.headlines[index].format
                == crate::scenario::description::Format::Date,
        })
    }

    pub fn index(&self) -> usize {
        self.index
    }

    pub fn is_date(&self) -> bool {
        self.is_date
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The low and high ends a parameter swings between: a Uniform's or Triangular's bounds, the
/// 5th and 95th percentiles of a Normal or LogNormal.
pub fn swing_range(d: &Distribution) -> (f64, f64) {
    match *d {
        Distribution::Uniform(a, b) | Distribution::Triangular(a, _, b) => (a, b),
        _ => (quantile(d, 0.05), quantile(d, 0.95)),
    }
}

/// One parameter's swing.
#[derive(Clone, Debug, PartialEq)]
pub struct Swing {
    pub parameter: String,
    pub low: f64,
    pub high: f64,
    pub at_low: f64,
    pub at_high: f64,
}

impl Swing {
    pub fn width(&self) -> f64 {
        (self.at_high - self.at_low).abs()
    }
}

/// The metric of a run with some constants set.
fn metric_with(
    prepared: &Prepared,
    plan: &Plan,
    settings: &[(usize, f64)],
    metric: &Metric,
) -> Result<f64, EngineError> {
    let program = &prepared.setup.compiled.program;
    let with = |base: &Overrides| -> Result<Overrides, EngineError> {
        let mut o = base.clone();
        for &(var, v) in settings {
            o.set_var(program, var, Override::Constant(v))
                .map_err(EngineError::Run)?;
        }
        Ok(o)
    };
    let lacking = || EngineError::Run("the model lacks the headline outputs".into());
    let status_quo = match &plan.status_quo {
        Some(base) => {
            let r = program.run(&with(base)?)?;
            Some(
                headlines(
                    &plan.description,
                    &r,
                    &plan.calendar,
                    plan.branch_time,
                    None,
                )
                .ok_or_else(lacking)?,
            )
        }
        None => None,
    };
    let r = program.run(&with(&prepared.overrides)?)?;
    let h = headlines(
        &plan.description,
        &r,
        &plan.calendar,
        plan.branch_time,
        status_quo.as_ref(),
    )
    .ok_or_else(lacking)?;
    Ok(h.number(metric.index(), &plan.calendar))
}

/// Swings every sampled parameter from low to high, the others at their model values; widest
/// first. Returns the base value and the swings.
pub fn tornado(
    prepared: &Prepared,
    plan: &Plan,
    metric: &Metric,
) -> Result<(f64, Vec<Swing>), EngineError> {
    let base = metric_with(prepared, plan, &[], metric)?;
    let mut swings = plan
        .parameters
        .par_iter()
        .map(|p| {
            let (low, high) = swing_range(&p.distribution);
            Ok(Swing {
                parameter: p.name.clone(),
                low,
                high,
                at_low: metric_with(prepared, plan, &[(p.var, low)], metric)?,
                at_high: metric_with(prepared, plan, &[(p.var, high)], metric)?,
            })
        })
        .collect::<Result<Vec<_>, EngineError>>()?;
    swings.sort_by(|a, b| {
        b.width()
            .total_cmp(&a.width())
            .then(a.parameter.cmp(&b.parameter))
    });
    Ok((base, swings))
}

/// First-order and total Sobol indices of one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndex {
    pub parameter: String,
    pub first: f64,
    pub total: f64,
}

/// Sobol indices from `n` base samples: matrices A and B drawn independently (random sampling
/// from each distribution, seeded as members are), then A with column i from B for each
/// parameter: n (k + 2) runs. Saltelli et al. (2010) first-order, Jansen (1999) total.
pub fn sobol(
    prepared: &Prepared,
    plan: &Plan,
    metric: &Metric,
    n: usize,
    progress: &super::Progress,
) -> Result<Vec<SobolIndex>, EngineError> {
    let k = plan.parameters.len();
    let draw = |row: usize| -> Vec<f64> {
        let mut r = member_rng(plan.sampler.seed ^ 0x5_0b01, row as u64);
        plan.parameters
            .iter()
            .map(|p| quantile(&p.distribution, r.random()))
            .collect()
    };
    let a: Vec<Vec<f64>> = (0..n).map(draw).collect();
    let b: Vec<Vec<f64>> = (n..2 * n).map(draw).collect();
    // Rows to run: A, B, then A_B^i for each parameter i.
    let mut rows: Vec<Vec<f64>> = a.iter().chain(&b).cloned().collect();
    for i in 0..k {
        for j in 0..n {
            let mut row = a[j].clone();
            row[i] = b[j][i];
            rows.push(row);
        }
    }
    let vars: Vec<usize> = plan.parameters.iter().map(|p| p.var).collect();
    let f: Vec<f64> = rows
        .par_iter()
        .map(|row| {
            let settings: Vec<(usize, f64)> =
                vars.iter().copied().zip(row.iter().copied()).collect();
            let m = metric_with(prepared, plan, &settings, metric);
            progress
                .done
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            m
        })
        .collect::<Result<_, _>>()?;
    let (fa, fb) = (&f[..n], &f[n..2 * n]);
    let all = &f[..2 * n];
    let mean = all.iter().sum::<f64>() / (2 * n) as f64;
    let var = all.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (2 * n) as f64;
    Ok(plan
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let fab = &f[(2 + i) * n..(3 + i) * n];
            let (first, total) = if var > 0.0 {
                // f_B centred on the mean: the same expectation (f_ABi - f_A averages to zero),
                // without the error of a large mean times sampling noise (a metric of hundreds of
                // millions that varies by a few per cent).
                let s1 = (0..n)
                    .map(|j| (fb[j] - mean) * (fab[j] - fa[j]))
                    .sum::<f64>()
                    / n as f64
                    / var;
                let st =
                    (0..n).map(|j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / (2 * n) as f64 / var;
                (s1, st)
            } else {
                (0.0, 0.0)
            };
            SobolIndex {
                parameter: p.name.clone(),
                first,
                total,
            }
        })
        .collect())
}

/// The tornado as CSV: `rank,parameter,low,high,metric_at_low,metric_at_high,swing`, with
/// Sobol indices appended when computed. Dates are written as dates, swings in days.
pub fn csv(
    plan: &Plan,
    metric: &Metric,
    base: f64,
    swings: &[Swing],
    sobol: Option<&[SobolIndex]>,
) -> String {
    let show = |v: f64| {
        if metric.is_date() {
            show_date(&reached_date(&plan.calendar, v), &plan.calendar.horizon_end)
        } else {
            format!("{v:.3}")
        }
    };
    let mut s = format!(
        "rank,parameter,low,high,{m}_at_low,{m}_at_high,swing{}\n",
        if sobol.is_some() {
            ",sobol_first,sobol_total"
        } else {
            ""
        },
        m = metric.name()
    );
    for (i, sw) in swings.iter().enumerate() {
        let _ = write!(
            s,
            "{},{},{},{},{},{},{:.3}",
            i + 1,
            crate::scenario::write::csv_text(&sw.parameter),
            sw.low,
            sw.high,
            show(sw.at_low),
            show(sw.at_high),
            sw.at_high - sw.at_low
        );
        if let Some(ix) = sobol.and_then(|x| x.iter().find(|x| x.parameter == sw.parameter)) {
            let _ = write!(s, ",{:.4},{:.4}", ix.first, ix.total);
        }
        s.push('\n');
    }
    let _ = writeln!(s, "base,,,,{},{},0", show(base), show(base));
    s
}
