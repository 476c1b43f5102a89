//! Stage 5: run a compiled program. A run resets state, integrates over the whole horizon
//! (Euler or RK4) and stores every model variable at every save step.

use std::ops::Range;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, LogNormal, Normal, Pareto, Poisson, Triangular, Weibull};
use statrs::distribution::ContinuousCDF;

use super::ast::{GfKind, GraphicalFunction, Method, VarKind};
use super::compile::{DT, F1, F3, Op, Program, START, STOP, Slot, TIME, gather_step_ops, var_slot};
use super::error::{EngineError, Result};
use super::jit::{self, JitCode};
use super::limits::short;
use super::lower::Dist;
use super::resolve::GfFn;

/// Runs whose stored values (save steps × variables) would exceed this are refused before they
/// start: 50 million values is 400 MB.
pub const MAX_STORED_VALUES: u64 = 50_000_000;
/// Runs with more time steps than this are refused before they start.
pub const MAX_STEPS: u64 = 20_000_000;

/// What replaces a variable's equation for one run.
#[derive(Clone, Debug, PartialEq)]
pub enum Override {
    /// A constant value (for a stock: its initial value).
    Constant(f64),
    /// Piecewise-constant `(time, value)` pairs sorted by time: each value holds from its time
    /// until the next; before the first time the first value holds.
    Schedule(Vec<(f64, f64)>),
}

/// Overrides resolved against one program: cheap to apply at the start of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    entries: Vec<(usize, Override)>,
}

impl Overrides {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets an override by variable name (display or canonical form).
    pub fn set(
        &mut self,
        program: &Program,
        name: &str,
        value: Override,
    ) -> std::result::Result<(), String> {
        let vars = program.find_all(name);
        if vars.is_empty() {
            return Err(format!("no variable named {name:?} in the model"));
        }
        // An array's name sets every element.
        for var in vars {
            self.set_var(program, var, value.clone())?;
        }
        Ok(())
    }

    /// Sets an override by variable index.
    pub fn set_var(
        &mut self,
        program: &Program,
        var: usize,
        value: Override,
    ) -> std::result::Result<(), String> {
        let info = &program.vars[var];
        match &value {
            Override::Constant(v) if !v.is_finite() => {
                return Err(format!(
                    "{:?}: expected a finite number, found {v}",
                    info.name
                ));
            }
            Override::Schedule(points) => {
                if info.kind == VarKind::Stock {
                    return Err(format!(
                        "{:?} is a stock: only its initial value can be set",
                        info.name
                    ));
                }
                if points.is_empty() {
                    return Err(format!(
                        "{:?}: a schedule needs at least one (time, value) pair",
                        info.name
                    ));
                }
                if points.iter().any(|(t, v)| !t.is_finite() || !v.is_finite()) {
                    return Err(format!(
                        "{:?}: schedule times and values must be finite numbers",
                        info.name
                    ));
                }
                if points.windows(2).any(|w| w[1].0 < w[0].0) {
                    return Err(format!(
                        "{:?}: schedule times must be in increasing order",
                        info.name
                    ));
                }
            }
            _ => {}
        }
        // A schedule that never changes value is a constant: cheaper to run and to store.
        let value = match value {
            Override::Schedule(points) if points.iter().all(|p| p.1 == points[0].1) => {
                Override::Constant(points[0].1)
            }
            other => other,
        };
        self.entries.retain(|(v, _)| *v != var);
        self.entries.push((var, value));
        Ok(())
    }
}

/// The stored output of a run: one row per save step, one column per model variable. Columns that
/// cannot change during the run (constants, constant overrides) are stored once, not per row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results {
    pub names: Vec<String>,
    pub times: Vec<f64>,
    columns: Vec<Column>,
    /// Row-major values of the stored (time-varying) columns.
    values: Vec<f64>,
    stored: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Column {
    /// Index among the stored columns.
    Stored(usize),
    Constant(f64),
    /// Varying, but the runner was told to record other variables only.
    Unrecorded,
}

impl Results {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Some(i);
        }
        let ident = super::ast::canonical_name(name);
        self.names
            .iter()
            .position(|n| super::ast::canonical_name(n) == ident)
    }

    /// The column `name`, or the columns of every element of the array `name`.
    pub fn columns_named(&self, name: &str) -> Vec<usize> {
        if let Some(i) = self.column_index(name) {
            return vec![i];
        }
        let prefix = format!("{}[", super::ast::canonical_name(name));
        (0..self.names.len())
            .filter(|&i| super::ast::canonical_name(&self.names[i]).starts_with(&prefix))
            .collect()
    }

    /// The series of `name`, or for an array's name the sum of its elements' series (None if
    /// nothing is recorded under that name).
    pub fn series_or_sum(&self, name: &str) -> Option<Vec<f64>> {
        let cols = self.columns_named(name);
        if cols.is_empty() || !cols.iter().all(|&c| self.is_recorded(c)) {
            return None;
        }
        Some(
            (0..self.times.len())
                .map(|row| cols.iter().map(|&c| self.value(row, c)).sum())
                .collect(),
        )
    }

    /// Results made from whole columns (for analyses and tests that build series by hand).
    pub fn from_columns(names: Vec<String>, times: Vec<f64>, columns: &[Vec<f64>]) -> Results {
        let rows = times.len();
        let stored = columns.len();
        let mut values = Vec::with_capacity(rows * stored);
        for row in 0..rows {
            values.extend(columns.iter().map(|c| c[row]));
        }
        Results {
            names,
            times,
            columns: (0..stored).map(Column::Stored).collect(),
            values,
            stored,
        }
    }

    /// The series of one variable, by name.
    pub fn series(&self, name: &str) -> Option<Vec<f64>> {
        let col = self.column_index(name)?;
        self.is_recorded(col).then(|| self.column(col))
    }

    /// False for a varying column the run did not record (see [`Runner::record_only`]).
    /// Every stored (time-varying) value, row-major: for scans that need no column.
    pub fn stored_values(&self) -> &[f64] {
        &self.values
    }

    pub fn is_recorded(&self, col: usize) -> bool {
        !matches!(self.columns[col], Column::Unrecorded)
    }

    /// The series of column `col`, one value per row.
    pub fn column(&self, col: usize) -> Vec<f64> {
        (0..self.rows()).map(|row| self.value(row, col)).collect()
    }

    /// The value of column `col` at row `row`.
    pub fn value(&self, row: usize, col: usize) -> f64 {
        match self.columns[col] {
            Column::Stored(k) => self.values[row * self.stored + k],
            Column::Constant(v) => v,
            Column::Unrecorded => f64::NAN,
        }
    }

    pub fn rows(&self) -> usize {
        self.times.len()
    }
}

impl Program {
    /// The index of a variable by display or canonical name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(&super::ast::canonical_name(name)).copied()
    }

    /// The variable `name`, or every element of the array `name` (in element order).
    pub fn find_all(&self, name: &str) -> Vec<usize> {
        if let Some(i) = self.find(name) {
            return vec![i];
        }
        let prefix = format!("{}[", super::ast::canonical_name(name));
        let mut found: Vec<usize> = self
            .vars
            .iter()
            .enumerate()
            .filter(|(_, v)| v.user && v.ident.starts_with(&prefix))
            .map(|(i, _)| i)
            .collect();
        found.sort_unstable();
        found
    }

    /// The number of time steps of a run.
    pub fn step_count(&self) -> u64 {
        let s = &self.specs;
        ((s.stop - s.start) / s.dt + 1e-9).floor() as u64
    }

    pub fn save_every(&self) -> u64 {
        ((self.specs.save_step / self.specs.dt).round() as u64).max(1)
    }

    /// Refuses runs too large to store, before any work is done.
    pub fn check_size(&self) -> Result<()> {
        let steps = self.step_count();
        if steps > MAX_STEPS {
            return Err(EngineError::Run(format!(
                "the run would take {steps} time steps (from {} to {} by {}); the limit is {MAX_STEPS}",
                short(self.specs.start),
                short(self.specs.stop),
                short(self.specs.dt)
            )));
        }
        let rows = steps / self.save_every() + 1;
        let values = rows.saturating_mul(self.user_count.max(1) as u64);
        if values > MAX_STORED_VALUES {
            return Err(EngineError::Run(format!(
                "the run would store {rows} save steps x {} variables = {values} values; the limit is {MAX_STORED_VALUES}",
                self.user_count
            )));
        }
        Ok(())
    }

    /// Runs once with the given overrides.
    pub fn run(&self, overrides: &Overrides) -> Result<Results> {
        let mut out = Results::default();
        Runner::new(self)?.run_into(overrides, &mut out);
        super::finite::check(self, &out)?;
        Ok(out)
    }
}

/// A schedule being applied during a run: its slot, its points, and the current point.
type ActiveSchedule<'a> = (Slot, &'a [(f64, f64)], usize);

/// Reusable buffers for running one program many times.
pub struct Runner<'p> {
    program: &'p Program,
    slots: Vec<f64>,
    history: Vec<f64>,
    stride: usize,
    rngs: Vec<ChaCha8Rng>,
    stage: Vec<f64>,
    k: [Vec<f64>; 4],
    sample_scratch: Vec<f64>,
    step_ops: Vec<Op>,
    varying: Vec<bool>,
    stored_slots: Vec<Slot>,
    /// Run native code where the platform allows (false: always interpret).
    pub use_jit: bool,
    /// Seed for random call sites without their own seed.
    pub seed: u64,
    /// Record only these variables' series (by index); the other varying columns are left
    /// unrecorded (NaN). For ensembles, which keep a few outputs of many runs.
    pub record_only: Option<Vec<usize>>,
}

/// What stateful ops need besides the slots.
pub(super) struct Ctx<'a> {
    pub(super) gfs: &'a [GraphicalFunction],
    history: &'a [f64],
    stride: usize,
    recorded: usize,
    rngs: &'a mut [ChaCha8Rng],
}

impl<'p> Runner<'p> {
    pub fn new(program: &'p Program) -> Result<Self> {
        program.check_size()?;
        let stride = program.step_count() as usize + 1;
        let n_stocks = program.stocks.len();
        let rk = program.specs.method == Method::Rk4;
        let k_len = if rk { n_stocks } else { 0 };
        Ok(Runner {
            program,
            slots: vec![0.0; program.slot_count],
            history: vec![0.0; stride * program.delay_inputs.len()],
            stride,
            rngs: Vec::new(),
            stage: vec![0.0; if rk { n_stocks } else { 0 }],
            k: [
                vec![0.0; k_len],
                vec![0.0; k_len],
                vec![0.0; k_len],
                vec![0.0; k_len],
            ],
            sample_scratch: vec![0.0; program.samples.len()],
            step_ops: Vec::new(),
            varying: Vec::new(),
            stored_slots: Vec::new(),
            use_jit: true,
            seed: 0,
            record_only: None,
        })
    }

    /// Runs with `overrides`, writing into `out` (its buffers are reused).
    pub fn run_into(&mut self, overrides: &Overrides, out: &mut Results) {
        let p = self.program;
        let spec = &p.specs;
        let steps = p.step_count() as usize;
        let save_every = p.save_every() as usize;
        let user = p.user_count;

        // Plan the overrides: which variables they replace and which code must then run.
        let mut overridden = vec![
            false;
            if overrides.is_empty() {
                0
            } else {
                p.vars.len()
            }
        ];
        let mut schedules: Vec<ActiveSchedule> = Vec::new();
        for (var, o) in &overrides.entries {
            overridden[*var] = true;
            if let Override::Schedule(points) = o {
                schedules.push((var_slot(*var), points, 0));
            }
        }
        // Which variables can change during this run, and the code that computes them each step.
        plan_varying(p, overrides, &overridden, &mut self.varying);
        let step_ops: &[Op] = if overrides.is_empty() {
            &p.default_step_ops
        } else {
            gather_step_ops(
                &p.ops,
                &p.step_code,
                &self.varying,
                &overridden,
                &mut self.step_ops,
            );
            &self.step_ops
        };
        // Native code for these ops: the program's own, or one compiled for this override
        // pattern (kept in the program for the next run with the same pattern).
        let jit: Option<std::sync::Arc<JitCode>> = if !self.use_jit {
            None
        } else if step_ops == p.default_step_ops.as_slice() {
            p.jit.clone()
        } else {
            let mut cached = p.override_jit.lock().unwrap_or_else(|e| e.into_inner());
            if cached
                .as_ref()
                .is_none_or(|j| j.source.as_slice() != step_ops)
            {
                *cached = jit::compile(step_ops, &p.stocks, &p.stock_flows, p.slot_count)
                    .map(std::sync::Arc::new);
            }
            cached.clone()
        };
        let jit = jit.as_deref();

        // Reset state.
        let s = &mut self.slots;
        s.fill(0.0);
        for &(slot, v) in &p.literals {
            s[slot as usize] = v;
        }
        s[TIME as usize] = spec.start;
        s[DT as usize] = spec.dt;
        s[START as usize] = spec.start;
        s[STOP as usize] = spec.stop;
        self.rngs.clear();
        for site in 0..p.random_sites {
            let seed = p
                .random_seeds
                .get(site)
                .copied()
                .flatten()
                .unwrap_or_else(|| self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ site as u64);
            self.rngs.push(ChaCha8Rng::seed_from_u64(seed));
        }
        for (var, o) in &overrides.entries {
            s[var_slot(*var) as usize] = match o {
                Override::Constant(v) => *v,
                Override::Schedule(points) => points[0].1,
            };
        }
        for sch in &mut schedules {
            apply_schedule(s, sch, spec.start);
        }
        // Schedules change value on few days: look at them only when one is due.
        let mut next_change = next_schedule_change(&schedules);
        let mut ctx = Ctx {
            gfs: &p.gfs,
            history: &self.history,
            stride: self.stride,
            recorded: 0,
            rngs: &mut self.rngs,
        };
        for vc in &p.init_code {
            if overridden.get(vc.var).copied().unwrap_or(false) {
                continue;
            }
            exec(
                &p.ops[vc.ops.start as usize..vc.ops.end as usize],
                s,
                &mut ctx,
            );
        }

        let names = p.vars[..user].iter().map(|v| v.name.as_str());
        if !out.names.iter().map(String::as_str).eq(names.clone()) {
            out.names = names.map(str::to_string).collect();
        }
        // Time-varying user columns are stored every row; the rest once, after initialisation.
        self.stored_slots.clear();
        out.columns.clear();
        for (i, &varying) in self.varying[..user].iter().enumerate() {
            let wanted = self.record_only.as_ref().is_none_or(|r| r.contains(&i));
            out.columns.push(if varying && !wanted {
                Column::Unrecorded
            } else if varying {
                self.stored_slots.push(var_slot(i));
                Column::Stored(self.stored_slots.len() - 1)
            } else {
                Column::Constant(s[var_slot(i) as usize])
            });
        }
        out.stored = self.stored_slots.len();
        out.times.clear();
        out.values.clear();
        let rows = steps / save_every + 1;
        out.times.reserve(rows);
        out.values.reserve(rows * out.stored);

        // Stored slots are usually one run of consecutive slots: then a row is one slice copy.
        let contiguous = self
            .stored_slots
            .windows(2)
            .all(|w| w[1] == w[0] + 1)
            .then(
                || match (self.stored_slots.first(), self.stored_slots.last()) {
                    (Some(&a), Some(&b)) => a as usize..b as usize + 1,
                    _ => 0..0,
                },
            );
        let mut save_countdown = 1;
        for n in 0..=steps {
            let t = spec.start + n as f64 * spec.dt;
            if n > 0 {
                s[TIME as usize] = t;
                if t + 1e-9 >= next_change {
                    for sch in &mut schedules {
                        apply_schedule(s, sch, t);
                    }
                    next_change = next_schedule_change(&schedules);
                }
                let mut ctx = Ctx {
                    gfs: &p.gfs,
                    history: &self.history,
                    stride: self.stride,
                    recorded: n,
                    rngs: &mut self.rngs,
                };
                match jit {
                    Some(code) => code.step(s, &mut ctx),
                    None => exec(step_ops, s, &mut ctx),
                }
            }
            for (line, &input) in p.delay_inputs.iter().enumerate() {
                self.history[line * self.stride + n] = s[input as usize];
            }
            save_countdown -= 1;
            if save_countdown == 0 {
                save_countdown = save_every;
                out.times.push(t);
                match &contiguous {
                    Some(range) => out.values.extend_from_slice(&s[range.clone()]),
                    None => out
                        .values
                        .extend(self.stored_slots.iter().map(|&slot| s[slot as usize])),
                }
            }
            if n == steps {
                break;
            }
            for (k, &(_, input)) in p.samples.iter().enumerate() {
                self.sample_scratch[k] = s[input as usize];
            }
            match spec.method {
                Method::Euler => match jit {
                    Some(code) => code.euler(s),
                    None => euler(p, s),
                },
                Method::Rk4 => {
                    let mut ctx = Ctx {
                        gfs: &p.gfs,
                        history: &self.history,
                        stride: self.stride,
                        recorded: n,
                        rngs: &mut self.rngs,
                    };
                    rk4(p, s, step_ops, &mut self.stage, &mut self.k, t, &mut ctx);
                }
            }
            for (k, &(state, _)) in p.samples.iter().enumerate() {
                s[state as usize] = self.sample_scratch[k];
            }
        }
    }
}

/// Marks in `varying` (one flag per variable) what can change during a run with `overrides`:
/// stocks, time-dependent auxes, scheduled variables and constants that read them (directly or
/// not); a variable a constant override fixes cannot change.
fn plan_varying(p: &Program, overrides: &Overrides, overridden: &[bool], varying: &mut Vec<bool>) {
    varying.clear();
    varying.extend(p.constant.iter().map(|c| !c));
    for (var, o) in &overrides.entries {
        match o {
            Override::Schedule(_) => varying[*var] = true,
            Override::Constant(_) if p.vars[*var].kind != VarKind::Stock => varying[*var] = false,
            Override::Constant(_) => {}
        }
    }
    if overrides.is_empty() {
        return;
    }
    for vc in &p.step_code {
        let fixed = overridden.get(vc.var).copied().unwrap_or(false);
        if vc.constant && !fixed && p.vars[vc.var].reads.iter().any(|&r| varying[r]) {
            varying[vc.var] = true;
        }
    }
}

/// The earliest time any schedule moves to its next value (infinity when none will).
fn next_schedule_change(schedules: &[ActiveSchedule]) -> f64 {
    schedules
        .iter()
        .filter_map(|(_, points, cursor)| points.get(cursor + 1).map(|p| p.0))
        .fold(f64::INFINITY, f64::min)
}

fn apply_schedule(s: &mut [f64], sch: &mut ActiveSchedule, t: f64) {
    let (slot, points, cursor) = sch;
    while *cursor + 1 < points.len() && points[*cursor + 1].0 <= t + 1e-9 {
        *cursor += 1;
    }
    s[*slot as usize] = points[*cursor].1;
}

fn net_flow(p: &Program, s: &[f64], flows: &Range<u32>) -> f64 {
    p.stock_flows[flows.start as usize..flows.end as usize]
        .iter()
        .map(|&(f, sign)| sign * s[f as usize])
        .sum()
}

fn euler(p: &Program, s: &mut [f64]) {
    let dt = s[DT as usize];
    for st in &p.stocks {
        let v = s[st.slot as usize] + dt * net_flow(p, s, &st.flows);
        s[st.slot as usize] = if st.non_negative { clamp_zero(v) } else { v };
    }
}

fn rk4(
    p: &Program,
    s: &mut [f64],
    step_ops: &[Op],
    stage: &mut [f64],
    k: &mut [Vec<f64>; 4],
    t: f64,
    ctx: &mut Ctx,
) {
    let dt = s[DT as usize];
    for (i, st) in p.stocks.iter().enumerate() {
        stage[i] = s[st.slot as usize];
        k[0][i] = net_flow(p, s, &st.flows);
    }
    let weights = [0.5, 0.5, 1.0];
    for j in 0..3 {
        for (i, st) in p.stocks.iter().enumerate() {
            s[st.slot as usize] = stage[i] + weights[j] * dt * k[j][i];
        }
        s[TIME as usize] = t + weights[j] * dt;
        exec(step_ops, s, ctx);
        for (i, st) in p.stocks.iter().enumerate() {
            k[j + 1][i] = net_flow(p, s, &st.flows);
        }
    }
    for (i, st) in p.stocks.iter().enumerate() {
        let v = stage[i] + dt / 6.0 * (k[0][i] + 2.0 * k[1][i] + 2.0 * k[2][i] + k[3][i]);
        s[st.slot as usize] = if st.non_negative { clamp_zero(v) } else { v };
    }
    s[TIME as usize] = t;
}

/// Negative values become 0; NaN stays NaN so that the non-finite check sees it.
pub(super) fn clamp_zero(v: f64) -> f64 {
    if v < 0.0 { 0.0 } else { v }
}

/// MIN and MAX propagate NaN (`f64::min` would return the other operand and hide it).
fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn truth(v: f64) -> bool {
    v != 0.0
}

fn b(v: bool) -> f64 {
    if v { 1.0 } else { 0.0 }
}

/// A tolerance for comparing times that are sums of dt.
fn time_eps(s: &[f64]) -> f64 {
    s[DT as usize] * 1e-6
}

/// Runs a list of ops (jump targets are indices into `ops`).
fn exec(ops: &[Op], s: &mut [f64], ctx: &mut Ctx) {
    let mut pc = 0;
    while let Some(op) = ops.get(pc) {
        match *op {
            Op::Const { d, v } => s[d as usize] = v,
            Op::Copy { d, a } => s[d as usize] = s[a as usize],
            Op::Neg { d, a } => s[d as usize] = -s[a as usize],
            Op::Not { d, a } => s[d as usize] = b(!truth(s[a as usize])),
            Op::Add { d, a, b: c } => s[d as usize] = s[a as usize] + s[c as usize],
            Op::Sub { d, a, b: c } => s[d as usize] = s[a as usize] - s[c as usize],
            Op::Mul { d, a, b: c } => s[d as usize] = s[a as usize] * s[c as usize],
            Op::Div { d, a, b: c } => s[d as usize] = s[a as usize] / s[c as usize],
            Op::Pow { d, a, b: c } => s[d as usize] = s[a as usize].powf(s[c as usize]),
            Op::Mod { d, a, b: c } => {
                let (x, y) = (s[a as usize], s[c as usize]);
                s[d as usize] = x - y * (x / y).floor();
            }
            Op::Lt { d, a, b: c } => s[d as usize] = b(s[a as usize] < s[c as usize]),
            Op::Le { d, a, b: c } => s[d as usize] = b(s[a as usize] <= s[c as usize]),
            Op::Gt { d, a, b: c } => s[d as usize] = b(s[a as usize] > s[c as usize]),
            Op::Ge { d, a, b: c } => s[d as usize] = b(s[a as usize] >= s[c as usize]),
            Op::Eq { d, a, b: c } => s[d as usize] = b(s[a as usize] == s[c as usize]),
            Op::Ne { d, a, b: c } => s[d as usize] = b(s[a as usize] != s[c as usize]),
            Op::And { d, a, b: c } => {
                s[d as usize] = b(truth(s[a as usize]) && truth(s[c as usize]))
            }
            Op::Or { d, a, b: c } => {
                s[d as usize] = b(truth(s[a as usize]) || truth(s[c as usize]))
            }
            Op::Min { d, a, b: c } => s[d as usize] = nan_min(s[a as usize], s[c as usize]),
            Op::Max { d, a, b: c } => s[d as usize] = nan_max(s[a as usize], s[c as usize]),
            Op::SafeDiv { d, a, b: c, or } => {
                let den = s[c as usize];
                s[d as usize] = if den == 0.0 {
                    s[or as usize]
                } else {
                    s[a as usize] / den
                };
            }
            Op::Fn1 { d, f, a } => s[d as usize] = fn1(f, s[a as usize]),
            Op::Fn3 { d, f, a, b: y, c } => {
                s[d as usize] = fn3(f, s[a as usize], s[y as usize], s[c as usize]);
            }
            Op::GfFn { d, f, gf, a, b: y } => {
                s[d as usize] = gf_fn(&ctx.gfs[gf as usize], f, s[a as usize], s[y as usize]);
            }
            Op::JumpIfZero { c, to } => {
                if !truth(s[c as usize]) {
                    pc = to as usize;
                    continue;
                }
            }
            Op::Jump { to } => {
                pc = to as usize;
                continue;
            }
            Op::Step { d, height, at } => {
                s[d as usize] = step(s, s[height as usize], s[at as usize])
            }
            Op::Ramp { d, slope, from, to } => {
                s[d as usize] = ramp(s, s[slope as usize], s[from as usize], s[to as usize]);
            }
            Op::Pulse {
                d,
                volume,
                first,
                interval,
            } => {
                s[d as usize] = pulse(
                    s,
                    s[volume as usize],
                    s[first as usize],
                    s[interval as usize],
                );
            }
            Op::Lookup { d, gf, x } => s[d as usize] = lookup(&ctx.gfs[gf as usize], s[x as usize]),
            Op::DelayRead {
                d,
                line,
                time,
                init,
            } => {
                s[d as usize] = delay_read(ctx, s, line, s[time as usize], s[init as usize]);
            }
            Op::Random {
                d,
                site,
                dist,
                a,
                b: y,
                c,
            } => {
                let params = [s[a as usize], s[y as usize], s[c as usize]];
                s[d as usize] = random(ctx, site, dist, params);
            }
            Op::ClampZero { d } => s[d as usize] = clamp_zero(s[d as usize]),
        }
        pc += 1;
    }
}

pub(super) fn step(s: &[f64], height: f64, at: f64) -> f64 {
    if s[TIME as usize] + time_eps(s) >= at {
        height
    } else {
        0.0
    }
}

pub(super) fn ramp(s: &[f64], slope: f64, from: f64, to: f64) -> f64 {
    let t = s[TIME as usize];
    if t < from {
        0.0
    } else {
        slope * (t.min(to) - from)
    }
}

/// DELAY: the input as recorded `delay` ago; `init` before the run has that much history.
pub(super) fn delay_read(ctx: &Ctx, s: &[f64], line: u32, delay: f64, init: f64) -> f64 {
    let target = s[TIME as usize] - delay;
    let start = s[START as usize];
    if ctx.recorded == 0 || target < start - time_eps(s) {
        return init;
    }
    let idx = (((target - start) / s[DT as usize]) + 1e-6).floor() as usize;
    // Never panics: native code calls this, and a panic cannot unwind through it.
    ctx.history
        .get(line as usize * ctx.stride + idx.min(ctx.recorded - 1))
        .copied()
        .unwrap_or(init)
}

/// One draw from `site`'s generator (see [`Dist`] for the parameters and the seed rule).
/// Parameters a distribution cannot take (a negative standard deviation, p outside (0, 1], ...)
/// give NaN, except NORMAL, which has always read its sd as |sd|.
pub(super) fn random(ctx: &mut Ctx, site: u32, dist: Dist, [a, b, c]: [f64; 3]) -> f64 {
    let Some(rng) = ctx.rngs.get_mut(site as usize) else {
        return a;
    };
    let draw = |d: Option<f64>| d.unwrap_or(f64::NAN);
    match dist {
        Dist::Normal => match Normal::new(a, b.abs()) {
            Ok(dist) => dist.sample(rng),
            Err(_) => a,
        },
        Dist::Uniform => {
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            a + (b - a) * u
        }
        Dist::LogNormal if b == 0.0 && a > 0.0 => a,
        Dist::LogNormal => draw(
            LogNormal::from_mean_cv(a, b / a)
                .ok()
                .filter(|_| a > 0.0)
                .map(|d| d.sample(rng)),
        ),
        Dist::Poisson => poisson(rng, a),
        Dist::Triangular => draw(Triangular::new(a, c, b).ok().map(|d| d.sample(rng))),
        Dist::Weibull => draw(Weibull::new(b, a).ok().map(|d| d.sample(rng))),
        Dist::Pareto => draw(Pareto::new(b, a).ok().map(|d| d.sample(rng))),
        // A Poisson draw whose mean is a gamma draw (shape = successes, scale = (1 - p) / p) has
        // the negative binomial distribution.
        Dist::NegBinomial if b == 1.0 && a > 0.0 => 0.0,
        Dist::NegBinomial => {
            let gamma = (b > 0.0 && b < 1.0)
                .then(|| Gamma::new(a, (1.0 - b) / b).ok())
                .flatten();
            match gamma {
                Some(g) => {
                    let mean = g.sample(rng);
                    poisson(rng, mean)
                }
                None => f64::NAN,
            }
        }
    }
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    if mean == 0.0 {
        return 0.0;
    }
    Poisson::new(mean).map_or(f64::NAN, |d| d.sample(rng))
}

/// ROOTN, LOGISTIC, NORMALCDF, INVNORM, SINWAVE, COSWAVE and COUNTER.
pub(super) fn fn3(f: F3, a: f64, b: f64, c: f64) -> f64 {
    match f {
        // The real n-th root: odd roots of negative numbers are negative.
        F3::RootN => {
            if a < 0.0 && b.fract() == 0.0 && b.rem_euclid(2.0) == 1.0 {
                -(-a).powf(1.0 / b)
            } else {
                a.powf(1.0 / b)
            }
        }
        F3::Logistic => 1.0 / (1.0 + (-b * (a - c)).exp()),
        F3::NormalCdf => statrs::distribution::Normal::new(b, c).map_or(f64::NAN, |n| n.cdf(a)),
        F3::InvNorm => match statrs::distribution::Normal::new(b, c) {
            Ok(n) if (0.0..=1.0).contains(&a) => n.inverse_cdf(a),
            _ => f64::NAN,
        },
        F3::SinWave => a * (2.0 * std::f64::consts::PI * c / b).sin(),
        F3::CosWave => a * (2.0 * std::f64::consts::PI * c / b).cos(),
        // Time elapsed `c` counted from `a`, starting again at `a` on reaching `b`. The tolerance
        // keeps a sum of DTs that lands a hair below the end from showing the end itself.
        F3::Counter => {
            let span = b - a;
            if span.is_nan() || span <= 0.0 {
                return a;
            }
            let wraps = (c / span + 1e-9).floor();
            a + (c - wraps * span).max(0.0)
        }
    }
}

/// LOOKUPINV, LOOKUPAREA and LOOKUPMEAN on one graphical function.
pub(super) fn gf_fn(g: &GraphicalFunction, f: GfFn, a: f64, b: f64) -> f64 {
    match f {
        GfFn::Inverse => lookup_inverse(g, a),
        GfFn::Area => area_to(g, b) - area_to(g, a),
        GfFn::Mean if a == b => lookup(g, a),
        GfFn::Mean => (area_to(g, b) - area_to(g, a)) / (b - a),
    }
}

/// The x at which the graphical function's points, joined by straight lines, first reach `y`;
/// a `y` beyond every point gives the x of the nearer end (by y).
pub fn lookup_inverse(g: &GraphicalFunction, y: f64) -> f64 {
    let (xs, ys) = (&g.xs, &g.ys);
    if xs.is_empty() || y.is_nan() {
        return f64::NAN;
    }
    for i in 0..xs.len() - 1 {
        let (y0, y1) = (ys[i], ys[i + 1]);
        if (y0 <= y && y <= y1) || (y1 <= y && y <= y0) {
            return if y0 == y1 {
                xs[i]
            } else {
                xs[i] + (y - y0) * (xs[i + 1] - xs[i]) / (y1 - y0)
            };
        }
    }
    let last = xs.len() - 1;
    if (y - ys[0]).abs() <= (y - ys[last]).abs() {
        xs[0]
    } else {
        xs[last]
    }
}

/// The signed area under the graphical function from its first x to `x`, read as `lookup`
/// reads it: straight lines (steps for a discrete one) between points, and beyond the ends the
/// end value (or the end segment's line for an extrapolating one).
pub fn area_to(g: &GraphicalFunction, x: f64) -> f64 {
    let (xs, ys) = (&g.xs, &g.ys);
    let n = xs.len();
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    let discrete = g.kind == GfKind::Discrete;
    // The area over [from, to] within one piece: a trapezoid, or a step for a discrete one.
    let piece = |from: f64, y_from: f64, to: f64, y_to: f64| {
        if discrete {
            y_from * (to - from)
        } else {
            (y_from + y_to) / 2.0 * (to - from)
        }
    };
    if x <= xs[0] || n == 1 {
        return (x - xs[0]) * (ys[0] + lookup(g, x)) / 2.0;
    }
    let mut area = 0.0;
    for i in 1..n {
        if xs[i] <= x {
            area += piece(xs[i - 1], ys[i - 1], xs[i], ys[i]);
        } else {
            return area + piece(xs[i - 1], ys[i - 1], x, lookup(g, x));
        }
    }
    area + (x - xs[n - 1]) * (ys[n - 1] + lookup(g, x)) / 2.0
}

pub(super) fn fn1(f: F1, x: f64) -> f64 {
    match f {
        F1::Abs => x.abs(),
        F1::Exp => x.exp(),
        F1::Ln => x.ln(),
        F1::Log10 => x.log10(),
        F1::Sqrt => x.sqrt(),
        F1::Sin => x.sin(),
        F1::Cos => x.cos(),
        F1::Tan => x.tan(),
        F1::Arcsin => x.asin(),
        F1::Arccos => x.acos(),
        F1::Arctan => x.atan(),
        F1::Int => x.floor(),
    }
}

/// PULSE: `volume / DT` during the step at `first` and every `interval` after (none if ≤ 0),
/// so that a flow carries exactly `volume` per pulse.
pub(super) fn pulse(s: &[f64], volume: f64, first: f64, interval: f64) -> f64 {
    let (t, dt, eps) = (s[TIME as usize], s[DT as usize], time_eps(s));
    if t + eps < first {
        return 0.0;
    }
    let last = if interval > 0.0 {
        first + ((t - first + eps) / interval).floor() * interval
    } else {
        first
    };
    if t + eps >= last && t + eps < last + dt {
        volume / dt
    } else {
        0.0
    }
}

/// Evaluates a graphical function at `x`.
pub fn lookup(g: &GraphicalFunction, x: f64) -> f64 {
    let (xs, ys) = (&g.xs, &g.ys);
    let n = xs.len();
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    if n == 1 {
        return ys[0];
    }
    let line = |i: usize, j: usize| {
        let dx = xs[j] - xs[i];
        if dx == 0.0 {
            ys[j]
        } else {
            ys[i] + (x - xs[i]) * (ys[j] - ys[i]) / dx
        }
    };
    if x <= xs[0] {
        return if g.kind == GfKind::Extrapolate {
            line(0, 1)
        } else {
            ys[0]
        };
    }
    if x >= xs[n - 1] {
        return if g.kind == GfKind::Extrapolate {
            line(n - 2, n - 1)
        } else {
            ys[n - 1]
        };
    }
    let j = xs.partition_point(|&v| v <= x);
    match g.kind {
        GfKind::Discrete => ys[j - 1],
        _ => line(j - 1, j),
    }
}
