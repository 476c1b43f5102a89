//! Stage 5: run a compiled program. A run resets state, integrates over the whole horizon
//! (Euler or RK4) and stores every model variable at every save step.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::ast::{Method, VarKind};
use super::error::Result;
use super::interp::{Ctx, clamp_zero, exec};
use super::jit::{self, JitCode};
use super::program::{DT, Op, Program, START, STOP, Slot, TIME, gather_step_ops, var_slot};
use super::results::{Column, Results};

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

/// A program with its native code: what callers run. Clones share the code. Reads as the
/// [`Program`] it holds (names, variables, specs).
#[derive(Clone, Debug)]
pub struct Executable {
    program: Program,
    /// Native code for the program's default step ops, where the platform has a Cranelift
    /// backend.
    native: Option<Arc<JitCode>>,
    /// Native code last compiled for an override pattern, shared by every runner of this
    /// program (the app re-runs with the same levers overridden on every change).
    override_native: Arc<Mutex<Option<Arc<JitCode>>>>,
}

impl Executable {
    /// Compiles the program's step code to native code (where the platform allows).
    pub fn new(program: Program) -> Executable {
        let native = jit::compile(
            &program.default_step_ops,
            &program.stocks,
            &program.stock_flows,
            &program.gfs,
            program.slot_count,
        )
        .map(Arc::new);
        Executable {
            program,
            native,
            override_native: Default::default(),
        }
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// True when runs without overrides execute native code.
    pub fn has_native_code(&self) -> bool {
        self.native.is_some()
    }

    /// Lets runs go on through NaN and infinity (`--allow-nonfinite`).
    pub fn allow_nonfinite(&mut self, allow: bool) {
        self.program.allow_nonfinite(allow);
    }

    /// Runs once with the given overrides.
    pub fn run(&self, overrides: &Overrides) -> Result<Results> {
        let mut out = Results::default();
        Runner::new(self)?.run_into(overrides, &mut out);
        super::finite::check(&self.program, &out)?;
        Ok(out)
    }

    /// Native code for `step_ops`: the program's own, or one compiled for this override
    /// pattern (kept for the next run with the same pattern).
    fn native_for(&self, step_ops: &[Op]) -> Option<Arc<JitCode>> {
        if step_ops == self.program.default_step_ops.as_slice() {
            return self.native.clone();
        }
        let mut cached = self
            .override_native
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if cached
            .as_ref()
            .is_none_or(|j| j.source.as_slice() != step_ops)
        {
            let p = &self.program;
            *cached = jit::compile(step_ops, &p.stocks, &p.stock_flows, &p.gfs, p.slot_count)
                .map(Arc::new);
        }
        cached.clone()
    }
}

impl std::ops::Deref for Executable {
    type Target = Program;

    fn deref(&self) -> &Program {
        &self.program
    }
}

/// A schedule being applied during a run: its slot, its points, and the current point.
type ActiveSchedule<'a> = (Slot, &'a [(f64, f64)], usize);

/// Reusable buffers for running one program many times.
pub struct Runner<'p> {
    executable: &'p Executable,
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

impl<'p> Runner<'p> {
    pub fn new(executable: &'p Executable) -> Result<Self> {
        let program = &executable.program;
        program.check_size()?;
        let stride = program.step_count() as usize + 1;
        let n_stocks = program.stocks.len();
        let rk = program.specs.method == Method::Rk4;
        let k_len = if rk { n_stocks } else { 0 };
        Ok(Runner {
            executable,
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
        // Held outside `self` during the run, so that helpers may borrow `self`.
        let mut gathered = std::mem::take(&mut self.step_ops);
        let step_ops: &[Op] = if overrides.is_empty() {
            &p.default_step_ops
        } else {
            gather_step_ops(
                &p.ops,
                &p.step_code,
                &self.varying,
                &overridden,
                &mut gathered,
            );
            &gathered
        };
        let jit = if self.use_jit {
            self.executable.native_for(step_ops)
        } else {
            None
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
        let stored = out.stored;
        let rows = steps / save_every + 1;
        // Sized to the run, not cleared: callers that run again into the same results (the app,
        // ensembles, bench) keep them at that size, and a row is a copy into place.
        out.times.resize(rows, 0.0);
        out.values.resize(rows * stored, 0.0);

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
        // Euler steps run as one native call that integrates and then steps; PREVIOUS (which
        // samples around the integration) and due schedule changes (applied between the two)
        // take the long way.
        let fused = jit.filter(|_| spec.method == Method::Euler && p.samples.is_empty());
        let mut row = 0;
        let mut save_countdown = 1;
        for n in 0..=steps {
            let t = spec.start + n as f64 * spec.dt;
            if n > 0 {
                let schedule_due = t + 1e-9 >= next_change;
                match fused {
                    Some(code) if !schedule_due => {
                        let mut ctx = Ctx {
                            gfs: &p.gfs,
                            history: &self.history,
                            stride: self.stride,
                            recorded: n,
                            rngs: &mut self.rngs,
                        };
                        code.euler_and_step(&mut self.slots, &mut ctx, t);
                    }
                    _ => {
                        self.integrate(n - 1, step_ops, jit);
                        let s = &mut self.slots;
                        s[TIME as usize] = t;
                        if schedule_due {
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
                            Some(code) => code.step(s, &mut ctx, t),
                            None => exec(step_ops, s, &mut ctx),
                        }
                    }
                }
            }
            let s = &self.slots;
            for (line, &input) in p.delay_inputs.iter().enumerate() {
                self.history[line * self.stride + n] = s[input as usize];
            }
            save_countdown -= 1;
            if save_countdown == 0 {
                save_countdown = save_every;
                out.times[row] = t;
                let dest = &mut out.values[row * stored..(row + 1) * stored];
                match &contiguous {
                    Some(range) => dest.copy_from_slice(&s[range.clone()]),
                    None => {
                        for (v, &slot) in dest.iter_mut().zip(&self.stored_slots) {
                            *v = s[slot as usize];
                        }
                    }
                }
                row += 1;
            }
        }
        self.step_ops = gathered;
    }

    /// Moves the stocks from step `n` to step `n + 1` (Euler or RK4), with PREVIOUS's samples
    /// taken before and restored after.
    fn integrate(&mut self, n: usize, step_ops: &[Op], jit: Option<&JitCode>) {
        let p = self.program;
        let s = &mut self.slots;
        for (k, &(_, input)) in p.samples.iter().enumerate() {
            self.sample_scratch[k] = s[input as usize];
        }
        match p.specs.method {
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
                let t = p.specs.start + n as f64 * p.specs.dt;
                rk4(p, s, step_ops, &mut self.stage, &mut self.k, t, &mut ctx);
            }
        }
        for (k, &(state, _)) in p.samples.iter().enumerate() {
            s[state as usize] = self.sample_scratch[k];
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
