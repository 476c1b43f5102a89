//! Seeded ensembles: many runs of one scenario with its uncertain parameters drawn from
//! distributions, summarised as percentile bands of the outputs and of the headline figures the
//! model description names.
//!
//! [`Plan`] (what to sample, from the scenario's `ensemble` and the model's parameter list) →
//! [`run_members`] (in parallel, each member a pure function of seed and index) → [`Summary`]
//! (percentiles) → CSV. [`shard`] writes and merges member-level results run elsewhere.

pub mod sampling;
pub mod sensitivity;
pub mod shard;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::analysis::headlines::{self, Headlines};
use crate::engine::{EngineError, Override, Overrides, Results, Runner};
use crate::scenario::description::{Description, Format, HeadlineKind};
use crate::scenario::{Calendar, Distribution, Ensemble, Outlook, Prepared, Sampling};
pub use sampling::Sampler;
/// Members' series are kept every 7 days (a week; 627 points over 2019–2030), which keeps
/// 1 000 members in 30 MB. Headline figures come from the daily run, before thinning.
pub const RECORD_EVERY: usize = 7;
/// The percentiles reported, numpy's default linear interpolation.
pub const PERCENTILES: [f64; 5] = [5.0, 25.0, 50.0, 75.0, 95.0];

/// A headline figure as ensemble files write it.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadlineColumn {
    pub id: String,
    pub unit: String,
    /// A date (model times, written as dates) rather than a number.
    pub is_date: bool,
}

impl HeadlineColumn {
    /// The columns of a description's headline figures.
    pub fn of(description: &Description) -> Vec<HeadlineColumn> {
        description
            .headlines
            .iter()
            .map(|h| HeadlineColumn {
                id: h.id.clone(),
                unit: h.unit.clone(),
                is_date: h.format == Format::Date,
            })
            .collect()
    }
}
/// Members when neither the scenario nor the command line says.
pub const DEFAULT_MEMBERS: u32 = 200;

/// One sampled parameter: a model constant and its distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct SampledParameter {
    pub name: String,
    pub var: usize,
    pub distribution: Distribution,
    /// True when the scenario named it; false when it comes from the model's parameter list.
    pub named: bool,
}

/// A listed parameter's distribution: Uniform over its range, or, when the scenario's outlook
/// sets it, Triangular with its mode at the outlook's value over the range (widened to take
/// the value in), so that members spread around the chosen outlook.
fn around_outlook(
    p: &crate::scenario::UncertainParameter,
    outlook: Option<&Outlook>,
) -> Distribution {
    let key = crate::engine::canonical_name(&p.constant);
    let value = outlook.and_then(|o| {
        o.values
            .iter()
            .find(|(name, _)| crate::engine::canonical_name(name) == key)
            .map(|(_, v)| *v)
    });
    match value {
        Some(v) => Distribution::Triangular(p.low.min(v), v, p.high.max(v)),
        None => Distribution::Uniform(p.low, p.high),
    }
}

/// Everything that decides an ensemble's results.
#[derive(Clone, Debug)]
pub struct Plan {
    pub parameters: Vec<SampledParameter>,
    pub sampler: Sampler,
    /// The recorded outputs' names (the description's `ensemble` list).
    pub output_names: Vec<String>,
    /// Each output's variables (an array's elements, summed).
    pub outputs: Vec<Vec<usize>>,
    /// The variables a member's run records: the outputs' and the headline figures'.
    pub recorded: Vec<usize>,
    pub description: Description,
    /// The status quo's overrides, when a headline figure is a difference from it.
    pub status_quo: Option<Overrides>,
    pub calendar: Calendar,
    pub branch_time: f64,
    /// Model times kept per member.
    pub times: Vec<f64>,
}

impl Plan {
    /// The plan for `ensemble` settings (see [`Plan::settings`]). Parameters the settings name
    /// take their distributions; every other listed uncertain parameter is Uniform over its
    /// range, except those the scenario already fixes with an override.
    pub fn new(prepared: &Prepared, ensemble: &Ensemble) -> Result<Plan, EngineError> {
        let program = &prepared.setup.compiled.program;
        let mut parameters = Vec::new();
        for (name, dist) in &ensemble.parameters {
            dist.check()
                .map_err(|m| EngineError::Run(format!("ensemble parameter {name:?}: {m}")))?;
            let var = program.find(name).ok_or_else(|| {
                EngineError::Run(format!("ensemble parameter {name:?}: no such variable"))
            })?;
            parameters.push(SampledParameter {
                name: name.clone(),
                var,
                distribution: dist.clone(),
                named: true,
            });
        }
        let overridden: Vec<usize> = prepared
            .scenario
            .overrides
            .keys()
            .filter_map(|n| program.find(n))
            .collect();
        let outlook = prepared.outlook();
        for p in &prepared.setup.parameters.parameters {
            let Some(var) = program.find(&p.constant) else {
                continue;
            };
            if parameters.iter().any(|s| s.var == var) || overridden.contains(&var) {
                continue;
            }
            parameters.push(SampledParameter {
                name: p.constant.clone(),
                var,
                distribution: around_outlook(p, outlook),
                named: false,
            });
        }
        let description = prepared.setup.description.clone();
        let outputs = description
            .ensemble
            .iter()
            .map(|o| {
                let vars = program.find_all(o);
                if vars.is_empty() {
                    Err(EngineError::Run(format!(
                        "ensembles record {o:?}, which the model does not have"
                    )))
                } else {
                    Ok(vars)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut recorded: Vec<usize> = outputs.iter().flatten().copied().collect();
        for h in &description.headlines {
            let output = match &h.kind {
                HeadlineKind::Reaches { output, .. }
                | HeadlineKind::Loss { output, .. }
                | HeadlineKind::ValueAt { output, .. } => output,
                HeadlineKind::FromStatusQuo { .. } => continue,
            };
            recorded.extend(program.find_all(output));
        }
        recorded.sort_unstable();
        recorded.dedup();
        let status_quo = if description.needs_status_quo() {
            Some(Prepared::status_quo(std::sync::Arc::clone(&prepared.setup))?.overrides)
        } else {
            None
        };
        let steps = program.step_count() as usize / program.save_every() as usize;
        let dt = program.specs().save_step.max(program.specs().dt);
        let times = (0..=steps)
            .step_by(RECORD_EVERY)
            .map(|r| program.specs().start + r as f64 * dt)
            .collect();
        let distributions = parameters.iter().map(|p| p.distribution.clone()).collect();
        Ok(Plan {
            parameters,
            sampler: Sampler::new(
                ensemble.members as usize,
                ensemble.seed,
                ensemble.sampling,
                distributions,
            ),
            output_names: description.ensemble.clone(),
            outputs,
            recorded,
            description,
            status_quo,
            calendar: prepared.calendar(),
            branch_time: prepared.branch_time(),
            times,
        })
    }

    pub fn members(&self) -> usize {
        self.sampler.members
    }

    /// Percentiles over `members` of this plan.
    pub fn summary(&self, members: &[Member]) -> Summary {
        Summary::of(
            &self.calendar,
            &self.times,
            &self.output_names,
            &HeadlineColumn::of(&self.description),
            members,
        )
    }

    /// Ensemble settings from the command line: the scenario's, with members and seed replaced
    /// where given; Latin hypercube sampling when the scenario has no ensemble.
    pub fn settings(prepared: &Prepared, members: Option<u32>, seed: Option<u64>) -> Ensemble {
        let mut e = prepared.scenario.ensemble.clone().unwrap_or(Ensemble {
            members: DEFAULT_MEMBERS,
            seed: 0,
            sampling: Sampling::LatinHypercube,
            parameters: Default::default(),
        });
        if let Some(m) = members {
            e.members = m;
        }
        if let Some(s) = seed {
            e.seed = s;
        }
        e
    }
}

/// One member's results.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub index: usize,
    /// Its parameter values, in the plan's order.
    pub parameters: Vec<f64>,
    /// Output-major: output k's value at plan time j is `series[k * times + j]`.
    pub series: Vec<f64>,
    /// The description's headline figures: dates as model times (the day after the horizon
    /// when not reached), numbers as they are.
    pub headlines: Vec<f64>,
}

/// Runs one member with a reusable runner.
fn run_member(
    prepared: &Prepared,
    plan: &Plan,
    index: usize,
    runner: &mut Runner,
    out: &mut Results,
) -> Result<Member, EngineError> {
    let program = &prepared.setup.compiled.program;
    let values = plan.sampler.draw(index);
    let with_parameters = |base: &Overrides| -> Result<Overrides, EngineError> {
        let mut overrides = base.clone();
        for (p, v) in plan.parameters.iter().zip(&values) {
            overrides
                .set_var(program, p.var, Override::Constant(*v))
                .map_err(|e| EngineError::Run(format!("member {index}: {e}")))?;
        }
        Ok(overrides)
    };
    let lacking = || EngineError::Run("the model lacks the outputs headline figures need".into());
    // A difference from the status quo compares with the status quo of the same member.
    let status_quo = match &plan.status_quo {
        Some(base) => {
            runner.run_into(&with_parameters(base)?, out);
            Some(
                headlines::headlines(
                    &plan.description,
                    out,
                    &plan.calendar,
                    plan.branch_time,
                    None,
                )
                .ok_or_else(lacking)?,
            )
        }
        None => None,
    };
    runner.run_into(&with_parameters(&prepared.overrides)?, out);
    let mut series = Vec::with_capacity(plan.outputs.len() * plan.times.len());
    for vars in &plan.outputs {
        for r in (0..out.rows()).step_by(RECORD_EVERY) {
            series.push(vars.iter().map(|&var| out.value(r, var)).sum());
        }
    }
    let h: Headlines = headlines::headlines(
        &plan.description,
        out,
        &plan.calendar,
        plan.branch_time,
        status_quo.as_ref(),
    )
    .ok_or_else(lacking)?;
    let headlines: Vec<f64> = (0..h.values.len())
        .map(|i| h.number(i, &plan.calendar))
        .collect();
    if let Some(bad) = series.iter().chain(&headlines).position(|v| !v.is_finite()) {
        let described: Vec<String> = plan
            .parameters
            .iter()
            .zip(&values)
            .map(|(p, v)| format!("{} = {v}", p.name))
            .collect();
        return Err(EngineError::Run(format!(
            "member {index} gives a non-finite value (item {bad}) with {}",
            described.join(", ")
        )));
    }
    Ok(Member {
        index,
        parameters: values,
        series,
        headlines,
    })
}

/// Progress and cancellation shared with whoever waits for an ensemble.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicUsize,
    pub cancel: AtomicBool,
}

/// Runs the members `indices` in parallel (rayon). Stops early, returning the members finished
/// so far, when `progress.cancel` is set.
pub fn run_members(
    prepared: &Prepared,
    plan: &Plan,
    indices: &[usize],
    progress: &Progress,
) -> Result<Vec<Member>, EngineError> {
    let program = &prepared.setup.compiled.program;
    // Compile the override pattern's native code once, before the threads race for it.
    if let Some(&first) = indices.first() {
        let mut runner = recording_runner(program, plan)?;
        run_member(prepared, plan, first, &mut runner, &mut Results::default())?;
    }
    let results: Vec<Option<Result<Member, EngineError>>> = indices
        .par_iter()
        .map_init(
            || {
                let runner = recording_runner(program, plan).map_err(|e| e.to_string());
                (runner, Results::default())
            },
            |(runner, out), &i| {
                if progress.cancel.load(Ordering::Relaxed) {
                    return None;
                }
                let runner = match runner {
                    Ok(r) => r,
                    Err(e) => return Some(Err(EngineError::Run(e.clone()))),
                };
                let m = run_member(prepared, plan, i, runner, out);
                progress.done.fetch_add(1, Ordering::Relaxed);
                Some(m)
            },
        )
        .collect();
    results.into_iter().flatten().collect()
}

fn recording_runner<'p>(
    program: &'p crate::engine::Executable,
    plan: &Plan,
) -> Result<Runner<'p>, EngineError> {
    let mut runner = Runner::new(program)?;
    runner.record_only = Some(plan.recorded.clone());
    Ok(runner)
}

/// The `p`th percentile of sorted values, linear interpolation between closest ranks (numpy's
/// default): position `(n - 1) p / 100`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p / 100.0;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

fn percentiles_of(values: &mut [f64]) -> [f64; 5] {
    values.sort_by(f64::total_cmp);
    PERCENTILES.map(|p| percentile(values, p))
}

/// Percentile bands of an ensemble.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub calendar: Calendar,
    pub times: Vec<f64>,
    /// The recorded outputs, in band order.
    pub outputs: Vec<String>,
    /// The headline figures, in percentile order.
    pub headline_columns: Vec<HeadlineColumn>,
    /// Members summarised.
    pub members: usize,
    /// Per output, per percentile, one value per time.
    pub bands: Vec<[Vec<f64>; 5]>,
    /// Per headline figure, its percentiles.
    pub headlines: Vec<[f64; 5]>,
}

impl Summary {
    /// Percentiles over `members` (any order: the result does not depend on it).
    pub fn of(
        calendar: &Calendar,
        times: &[f64],
        outputs: &[String],
        headline_columns: &[HeadlineColumn],
        members: &[Member],
    ) -> Summary {
        let n_times = times.len();
        let bands = (0..outputs.len())
            .into_par_iter()
            .map(|k| {
                let mut band: [Vec<f64>; 5] = Default::default();
                let mut column = Vec::with_capacity(members.len());
                for j in 0..n_times {
                    column.clear();
                    column.extend(members.iter().map(|m| m.series[k * n_times + j]));
                    let ps = percentiles_of(&mut column);
                    for (b, p) in band.iter_mut().zip(ps) {
                        b.push(p);
                    }
                }
                band
            })
            .collect();
        let headlines = (0..headline_columns.len())
            .map(|h| {
                let mut v: Vec<f64> = members.iter().map(|m| m.headlines[h]).collect();
                percentiles_of(&mut v)
            })
            .collect();
        Summary {
            calendar: calendar.clone(),
            times: times.to_vec(),
            outputs: outputs.to_vec(),
            headline_columns: headline_columns.to_vec(),
            members: members.len(),
            bands,
            headlines,
        }
    }

    /// `output,time,date,p5,p25,p50,p75,p95`, one row per output and time.
    pub fn csv(&self) -> String {
        let mut s = String::from("output,time,date,p5,p25,p50,p75,p95\n");
        for (k, band) in self.bands.iter().enumerate() {
            for (j, t) in self.times.iter().enumerate() {
                let _ = write!(
                    s,
                    "{},{t},{}",
                    crate::scenario::write::csv_text(&self.outputs[k]),
                    self.calendar.date_of(*t)
                );
                for b in band {
                    let _ = write!(s, ",{}", number(b[j]));
                }
                s.push('\n');
            }
        }
        s
    }

    /// `headline,unit,p5,p25,p50,p75,p95`: recovery dates as dates ("not by …" past the
    /// horizon), losses as numbers.
    pub fn headlines_csv(&self) -> String {
        let mut s = String::from("headline,unit,p5,p25,p50,p75,p95\n");
        for (column, values) in self.headline_columns.iter().zip(&self.headlines) {
            let _ = write!(
                s,
                "{},{}",
                crate::scenario::write::csv_text(&column.id),
                crate::scenario::write::csv_text(&column.unit)
            );
            for &v in values {
                let cell = if column.is_date {
                    self.date(v)
                } else {
                    number(v)
                };
                let _ = write!(s, ",{cell}");
            }
            s.push('\n');
        }
        s
    }

    /// A recovery time as a date, or "not by <horizon>" when it falls after the horizon.
    fn date(&self, t: f64) -> String {
        headlines::show_date(
            &headlines::reached_date(&self.calendar, t),
            &self.calendar.horizon_end,
        )
    }

    /// Output `k`'s percentile band `b` (0 = p5 … 4 = p95).
    pub fn band(&self, output: &str, b: usize) -> Option<&[f64]> {
        let k = self.outputs.iter().position(|o| o == output)?;
        self.bands.get(k).map(|band| band[b].as_slice())
    }
}

/// Numbers in CSVs: up to 4 decimals, no trailing zeros.
fn number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Runs a whole ensemble and summarises it.
pub fn run(prepared: &Prepared, plan: &Plan) -> Result<(Vec<Member>, Summary), EngineError> {
    let indices: Vec<usize> = (0..plan.members()).collect();
    let members = run_members(prepared, plan, &indices, &Progress::default())?;
    let summary = plan.summary(&members);
    Ok((members, summary))
}

/// Bytes per member kept in memory: its series, parameters and headlines.
pub fn bytes_per_member(plan: &Plan) -> usize {
    8 * (plan.outputs.len() * plan.times.len()
        + plan.parameters.len()
        + plan.description.headlines.len())
        + std::mem::size_of::<Member>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_hand() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 25, 50, 75, 95]) = 1.2, 2, 3, 4, 8.8
        let mut v = vec![10.0, 3.0, 1.0, 4.0, 2.0];
        let p = percentiles_of(&mut v);
        let want = [1.2, 2.0, 3.0, 4.0, 8.8];
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{p:?}");
        }
        assert_eq!(percentile(&[7.0], 95.0), 7.0);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(-0.00001), "0");
        assert_eq!(number(1234.56789), "1234.5679");
    }
}
