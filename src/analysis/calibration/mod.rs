//! Calibration: fit the model's uncertain parameters marked `fitted` to the record up to
//! 10 October 2022, with the recorded policy history as input, and say how well it fits.
//!
//! Pipeline: [`targets`] (what the record says, with weights) → [`fit`] (Nelder–Mead from
//! several starts in parallel, argmin) → [`stats`] (MAPE, R², Theil) → [`report`] / [`plot`].

pub mod plot;
pub mod report;
pub mod stats;
mod targets;

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use targets::{Observed, Target, TargetKind, Window, observed_record, targets};

use crate::engine::{EngineError, Override, Overrides, Results, Runner};
use crate::scenario::{Prepared, UncertainParameter};

/// How hard the optimiser works.
#[derive(Clone, Copy, Debug)]
pub struct FitOptions {
    /// Nelder–Mead runs from different starting points (the first from the model's values).
    pub starts: usize,
    /// Iterations per run.
    pub max_iters: u64,
    /// Seed of the random starting points.
    pub seed: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            starts: 6,
            max_iters: 800,
            seed: 1,
        }
    }
}

/// A fitted parameter: where it started and where the fit put it.
#[derive(Clone, Debug, PartialEq)]
pub struct FittedValue {
    pub parameter: UncertainParameter,
    pub prior: f64,
    pub fitted: f64,
}

impl FittedValue {
    /// Within 1% of the range of a bound: the data push against the plausible range.
    pub fn at_bound(&self) -> bool {
        let p = &self.parameter;
        let tol = 0.01 * (p.high - p.low);
        self.fitted <= p.low + tol || self.fitted >= p.high - tol
    }
}

#[derive(Clone, Debug)]
pub struct Fit {
    pub window: Window,
    pub values: Vec<FittedValue>,
    /// Weighted objective at the prior values and at the fit.
    pub prior_cost: f64,
    pub cost: f64,
    /// Model runs the optimiser made.
    pub evaluations: usize,
}

impl Fit {
    /// The fitted values as constant settings.
    pub fn settings(&self) -> Vec<(String, f64)> {
        self.values
            .iter()
            .map(|v| (v.parameter.constant.clone(), v.fitted))
            .collect()
    }
}

/// The weighted fit objective over a window, for given parameter values.
pub struct Objective<'a> {
    prepared: &'a Prepared,
    params: Vec<(usize, UncertainParameter)>,
    targets: Vec<Target>,
    observed: &'a Observed,
    window: Window,
}

impl<'a> Objective<'a> {
    /// The objective of `prepared`'s fitted parameters against `observed` within `window`.
    pub fn new(
        prepared: &'a Prepared,
        observed: &'a Observed,
        window: Window,
    ) -> Result<Objective<'a>, EngineError> {
        let program = &prepared.setup.compiled.program;
        let mut params = Vec::new();
        for p in prepared.setup.parameters.fitted() {
            let var = program.find(&p.constant).ok_or_else(|| {
                EngineError::Run(format!("no constant {:?} in the model", p.constant))
            })?;
            params.push((var, p.clone()));
        }
        if params.is_empty() {
            return Err(EngineError::Run(
                "the model lists no fitted parameters (<model>.calibration.ron)".into(),
            ));
        }
        if prepared.setup.description.calibration.is_empty() {
            return Err(EngineError::Run(
                "the model description lists no calibration targets (<model>.model.ron, `calibration`)"
                    .into(),
            ));
        }
        let targets: Vec<Target> = targets(&prepared.setup.description, &prepared.calendar())
            .into_iter()
            // Daily series are clipped to the window; single figures dated after it are left out.
            .filter(|t| matches!(t.kind, TargetKind::Daily { .. }) || t.ends <= window.end)
            .collect();
        for t in &targets {
            let (variable, has_data) = match &t.kind {
                TargetKind::Daily { output } => (
                    output.as_str(),
                    observed
                        .get(output)
                        .is_some_and(|s| s.iter().any(|(time, _)| window.contains(*time))),
                ),
                TargetKind::Mean { variable, .. } => (variable.as_str(), true),
            };
            if program.find(variable).is_none() {
                return Err(EngineError::Run(format!(
                    "calibration target {:?} needs the variable {variable:?}, which the model does not have",
                    t.name
                )));
            }
            if !has_data {
                return Err(EngineError::Run(format!(
                    "calibration target {:?} has no recorded data between {} and {}",
                    t.name,
                    prepared.calendar().date_of(window.start),
                    prepared.calendar().date_of(window.end)
                )));
            }
        }
        Ok(Objective {
            prepared,
            params,
            targets,
            observed,
            window,
        })
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Overrides for a run at these parameter values.
    pub fn overrides(&self, values: &[f64]) -> Overrides {
        let program = &self.prepared.setup.compiled.program;
        let mut o = self.prepared.overrides.clone();
        for ((var, _), v) in self.params.iter().zip(values) {
            // Values come from the parameters' finite ranges, so this cannot fail.
            let _ = o.set_var(program, *var, Override::Constant(*v));
        }
        o
    }

    /// Parameter values from the optimiser's unbounded coordinates: a triangle wave folds each
    /// coordinate into its range, continuous so that the simplex never meets a wall.
    fn values_of(&self, u: &[f64]) -> Vec<f64> {
        self.params
            .iter()
            .zip(u)
            .map(|((_, p), &x)| {
                let folded = 1.0 - ((x.rem_euclid(2.0)) - 1.0).abs();
                p.low + (p.high - p.low) * folded
            })
            .collect()
    }

    fn coords_of(&self, values: &[f64]) -> Vec<f64> {
        self.params
            .iter()
            .zip(values)
            .map(|((_, p), v)| ((v - p.low) / (p.high - p.low)).clamp(0.0, 1.0))
            .collect()
    }

    /// The weighted objective of a finished run.
    pub fn cost_of(&self, results: &Results) -> f64 {
        self.targets
            .iter()
            .map(|t| t.weight * t.squared_log_error(results, self.observed, self.window))
            .sum()
    }

    pub fn run(&self, runner: &mut Runner, values: &[f64], out: &mut Results) {
        runner.run_into(&self.overrides(values), out);
    }
}

/// One Nelder–Mead run's view of the objective: its own runner and output buffers.
struct Start<'o, 'a> {
    objective: &'o Objective<'a>,
    runner: RefCell<Runner<'a>>,
    out: RefCell<Results>,
    evaluations: &'o AtomicUsize,
}

impl CostFunction for Start<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, u: &Self::Param) -> Result<f64, argmin::core::Error> {
        let values = self.objective.values_of(u);
        let mut out = self.out.borrow_mut();
        self.objective
            .run(&mut self.runner.borrow_mut(), &values, &mut out);
        self.evaluations.fetch_add(1, Ordering::Relaxed);
        let c = self.objective.cost_of(&out);
        Ok(if c.is_finite() { c } else { f64::MAX })
    }
}

/// Fits the fitted parameters of `prepared` to `observed` within `window`: Nelder–Mead from the
/// model's own values and from `starts - 1` random points, in parallel; the best run wins, then
/// one more run restarts from it with a smaller simplex. Deterministic for a given seed.
pub fn fit(
    prepared: &Prepared,
    observed: &Observed,
    window: Window,
    options: FitOptions,
) -> Result<Fit, EngineError> {
    let objective = Objective::new(prepared, observed, window)?;
    let program = &prepared.setup.compiled.program;
    let prior: Vec<f64> = {
        let base = program.run(&prepared.overrides)?;
        objective
            .params
            .iter()
            .map(|(_, p)| base.series(&p.constant).map_or(f64::NAN, |s| s[0]))
            .collect()
    };
    let mut runner = Runner::new(program)?;
    let mut out = Results::default();
    objective.run(&mut runner, &prior, &mut out);
    let prior_cost = objective.cost_of(&out);
    if !prior_cost.is_finite() {
        return Err(EngineError::Run(format!(
            "calibration: the objective at the model's own values is {prior_cost}: a target cannot be computed"
        )));
    }
    let n = objective.params.len();
    let mut starts = vec![objective.coords_of(&prior)];
    for i in 1..options.starts.max(1) {
        let mut rng =
            ChaCha8Rng::seed_from_u64(options.seed.wrapping_mul(1000).wrapping_add(i as u64));
        starts.push((0..n).map(|_| rng.random::<f64>()).collect());
    }
    let evaluations = AtomicUsize::new(0);
    let run_from = |u0: &Vec<f64>, size: f64| -> Result<(Vec<f64>, f64), EngineError> {
        let start = Start {
            objective: &objective,
            runner: RefCell::new(Runner::new(program)?),
            out: RefCell::new(Results::default()),
            evaluations: &evaluations,
        };
        let mut simplex = vec![u0.clone()];
        for k in 0..n {
            let mut v = u0.clone();
            v[k] += if v[k] + size <= 1.0 { size } else { -size };
            simplex.push(v);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(1e-7)
            .map_err(|e| EngineError::Run(e.to_string()))?;
        let result = Executor::new(start, solver)
            .configure(|s| s.max_iters(options.max_iters))
            .run()
            .map_err(|e| EngineError::Run(format!("optimiser: {e}")))?;
        let best = result
            .state()
            .get_best_param()
            .cloned()
            .unwrap_or(u0.clone());
        Ok((best, result.state().get_best_cost()))
    };
    let runs: Vec<(Vec<f64>, f64)> = starts
        .par_iter()
        .map(|u0| run_from(u0, 0.15))
        .collect::<Result<_, _>>()?;
    let (best_u, _) = runs
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .cloned()
        .unwrap_or((starts[0].clone(), f64::MAX));
    let (polished, cost) = run_from(&best_u, 0.03)?;
    let fitted = objective.values_of(&polished);

    Ok(Fit {
        window,
        values: objective
            .params
            .iter()
            .zip(prior.iter().zip(&fitted))
            .map(|((_, p), (&prior, &fitted))| FittedValue {
                parameter: p.clone(),
                prior,
                fitted,
            })
            .collect(),
        prior_cost,
        cost,
        evaluations: evaluations.into_inner(),
    })
}

/// Fit statistics of one series under one fit, in or out of the fitted sample.
#[derive(Clone, Debug)]
pub struct StatsRow {
    pub series: String,
    /// "model as shipped before fitting", "fit to 2022-10-10", "fit to 2021-12-31".
    pub fit: String,
    pub out_of_sample: bool,
    pub window: Window,
    pub stats: stats::FitStats,
}

/// A single-figure target: the data, the model before and after the full fit.
#[derive(Clone, Debug)]
pub struct FigureRow {
    pub target: Target,
    pub prior: f64,
    pub fitted: f64,
}

/// One daily output over the record, as recorded and as each run has it.
#[derive(Clone, Debug)]
pub struct PlotSeries {
    pub output: String,
    pub observed: Vec<(f64, f64)>,
    pub prior: Vec<(f64, f64)>,
    pub full: Vec<(f64, f64)>,
    pub split: Vec<(f64, f64)>,
}

/// Everything `borderflow calibrate` reports: the fit to the whole record, the fit to the part
/// before the split date with its out-of-sample check, and the parameters left unfitted.
#[derive(Clone, Debug)]
pub struct Calibration {
    pub scenario: String,
    pub calendar: crate::scenario::Calendar,
    pub record: Window,
    pub split_date: String,
    pub full: Fit,
    pub split: Fit,
    pub targets: Vec<Target>,
    pub rows: Vec<StatsRow>,
    pub figures: Vec<FigureRow>,
    /// Parameters the record cannot pin down, at their model values.
    pub unfitted: Vec<(UncertainParameter, f64)>,
    pub plots: Vec<PlotSeries>,
    pub options: FitOptions,
}

/// First and last day of the daily record.
pub fn record_window(observed: &Observed) -> Option<Window> {
    let times = observed.values().flat_map(|s| s.iter().map(|p| p.0));
    let (mut start, mut end) = (f64::INFINITY, f64::NEG_INFINITY);
    for t in times {
        start = start.min(t);
        end = end.max(t);
    }
    (start <= end).then_some(Window { start, end })
}

/// Fits to the whole record and to the record before `split_date`, and measures both fits in
/// and out of sample.
pub fn calibrate(
    prepared: &Prepared,
    scenario: &str,
    observed: &Observed,
    split_date: &str,
    options: FitOptions,
) -> Result<Calibration, EngineError> {
    let calendar = prepared.calendar();
    let record = record_window(observed)
        .ok_or_else(|| EngineError::Run("the record holds no daily data".into()))?;
    let split_end = calendar
        .time_of(split_date)
        .map_err(|e| EngineError::Run(format!("split date: {e}")))?;
    if !(record.start < split_end && split_end < record.end) {
        return Err(EngineError::Run(format!(
            "split date {split_date} must fall inside the record {} .. {}",
            calendar.date_of(record.start),
            calendar.date_of(record.end)
        )));
    }
    let in_split = Window {
        start: record.start,
        end: split_end - 1.0,
    };
    let out_split = Window {
        start: split_end,
        end: record.end,
    };
    let full = fit(prepared, observed, record, options)?;
    let split = fit(prepared, observed, in_split, options)?;

    let run = |settings: &[(String, f64)]| prepared.run_with(settings).map(|r| r.results);
    let prior_run = run(&[])?;
    let full_run = run(&full.settings())?;
    let split_run = run(&split.settings())?;
    let all_targets = targets(&prepared.setup.description, &calendar);
    let mut rows = Vec::new();
    for target in &all_targets {
        let TargetKind::Daily { output } = &target.kind else {
            continue;
        };
        let cases = [
            ("model as shipped before fitting", &prior_run, record, false),
            ("fit to the whole record", &full_run, record, false),
            ("fit before the split", &split_run, in_split, false),
            ("fit before the split", &split_run, out_split, true),
        ];
        for (label, results, window, out_of_sample) in cases {
            if let Some(stats) = stats::fit_stats(&target.pairs(results, observed, window)) {
                rows.push(StatsRow {
                    series: output.clone(),
                    fit: label.to_string(),
                    out_of_sample,
                    window,
                    stats,
                });
            }
        }
    }
    let figures = all_targets
        .iter()
        .filter(|t| matches!(t.kind, TargetKind::Mean { .. }))
        .map(|t| FigureRow {
            target: t.clone(),
            prior: t.model_value(&prior_run).unwrap_or(f64::NAN),
            fitted: t.model_value(&full_run).unwrap_or(f64::NAN),
        })
        .collect();
    let unfitted = prepared
        .setup
        .parameters
        .parameters
        .iter()
        .filter(|p| !p.fitted)
        .map(|p| {
            let v = prior_run.series(&p.constant).map_or(f64::NAN, |s| s[0]);
            (p.clone(), v)
        })
        .collect();
    let plots = all_targets
        .iter()
        .filter_map(|t| match &t.kind {
            TargetKind::Daily { output } => Some(output.clone()),
            _ => None,
        })
        .map(|output| {
            let daily = |r: &Results| -> Vec<(f64, f64)> {
                let Some(s) = r.series(&output) else {
                    return Vec::new();
                };
                r.times
                    .iter()
                    .zip(s)
                    .filter(|(t, _)| record.contains(**t))
                    .map(|(t, v)| (*t, v))
                    .collect()
            };
            PlotSeries {
                observed: observed.get(&output).cloned().unwrap_or_default(),
                prior: daily(&prior_run),
                full: daily(&full_run),
                split: daily(&split_run),
                output,
            }
        })
        .collect();
    Ok(Calibration {
        scenario: scenario.to_string(),
        calendar,
        record,
        split_date: split_date.to_string(),
        full,
        split,
        targets: all_targets,
        rows,
        figures,
        unfitted,
        plots,
        options,
    })
}

/// The edits `--write` makes to the model: each fitted constant's equation becomes its fitted
/// value (4 significant digits), its documentation says so and keeps the earlier note.
pub fn model_edits(
    calibration: &Calibration,
    model: &crate::engine::ModelFile,
) -> Vec<crate::engine::edit::ConstantEdit> {
    calibration
        .full
        .values
        .iter()
        .map(|v| {
            let p = &v.parameter;
            let eqn = significant(v.fitted, 4);
            let key = crate::engine::canonical_name(&p.constant);
            let note = model
                .variables
                .iter()
                .find(|var| crate::engine::canonical_name(&var.name) == key)
                .and_then(|var| var.doc.clone())
                .unwrap_or_default();
            let previous = calibration_note_removed(&note);
            crate::engine::edit::ConstantEdit {
                name: p.constant.clone(),
                eqn,
                doc: Some(
                    format!(
                        "{CALIBRATED_PREFIX} {} .. {} (borderflow calibrate; range {} .. {} {}).",
                        calibration.calendar.date_of(calibration.full.window.start),
                        calibration.calendar.date_of(calibration.full.window.end),
                        p.low,
                        p.high,
                        p.unit
                    ) + &format!(" Before calibration: {previous}"),
                ),
            }
        })
        .collect()
}

const CALIBRATED_PREFIX: &str = "Calibrated on the daily record and single figures";

/// A note without an earlier "Calibrated on ..." sentence, so rewriting does not stack them.
fn calibration_note_removed(note: &str) -> String {
    match note.strip_prefix(CALIBRATED_PREFIX) {
        Some(rest) => rest
            .split_once("Before calibration: ")
            .map_or("", |x| x.1)
            .to_string(),
        None => note.to_string(),
    }
}

/// `x` with `digits` significant digits, as plain decimal text.
pub fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let scale = 10f64.powi(digits - 1 - magnitude);
    let rounded = (x * scale).round() / scale;
    format!("{rounded:.decimals$}")
}
