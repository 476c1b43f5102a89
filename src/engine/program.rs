//! The compiled program as data: slots, ops, and the [`Program`] that holds them. A leaf of the
//! run stages: [`super::compile`] writes a `Program`, [`super::jit`] translates its ops and
//! [`super::run`] runs it; none of them is needed to read one.

use std::collections::HashMap;
use std::ops::Range;

use super::ast::{GraphicalFunction, SimSpecs, VarKind};
use super::error::{EngineError, Result};
use super::limits::short;
use super::lower::Dist;
use super::resolve::GfFn;

/// Runs whose stored values (save steps × variables) would exceed this are refused before they
/// start: 50 million values is 400 MB.
pub const MAX_STORED_VALUES: u64 = 50_000_000;
/// Runs with more time steps than this are refused before they start.
pub const MAX_STEPS: u64 = 20_000_000;

pub type Slot = u32;

pub const TIME: Slot = 0;
pub const DT: Slot = 1;
pub const START: Slot = 2;
pub const STOP: Slot = 3;
/// Variable `i` lives in slot `FIRST_VAR + i`.
pub const FIRST_VAR: Slot = 4;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum F1 {
    Abs,
    Exp,
    Ln,
    Log10,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Int,
}

/// Functions of three values (see [`super::interp::fn3`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum F3 {
    RootN,
    Logistic,
    NormalCdf,
    InvNorm,
    SinWave,
    CosWave,
    Counter,
}

impl F3 {
    pub const ALL: [F3; 7] = [
        F3::RootN,
        F3::Logistic,
        F3::NormalCdf,
        F3::InvNorm,
        F3::SinWave,
        F3::CosWave,
        F3::Counter,
    ];
}

/// One instruction: reads slots, writes slot `d`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Const {
        d: Slot,
        v: f64,
    },
    Copy {
        d: Slot,
        a: Slot,
    },
    Neg {
        d: Slot,
        a: Slot,
    },
    Not {
        d: Slot,
        a: Slot,
    },
    Add {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Sub {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Mul {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Div {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Pow {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Mod {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Lt {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Le {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Gt {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Ge {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Eq {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Ne {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    And {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Or {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Min {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    Max {
        d: Slot,
        a: Slot,
        b: Slot,
    },
    SafeDiv {
        d: Slot,
        a: Slot,
        b: Slot,
        or: Slot,
    },
    Fn1 {
        d: Slot,
        f: F1,
        a: Slot,
    },
    /// A function of three values; two-argument ones read a third slot all the same.
    Fn3 {
        d: Slot,
        f: F3,
        a: Slot,
        b: Slot,
        c: Slot,
    },
    /// A graphical function read over a range (LOOKUPINV, LOOKUPAREA, LOOKUPMEAN).
    GfFn {
        d: Slot,
        f: GfFn,
        gf: u32,
        a: Slot,
        b: Slot,
    },
    /// Jump to `to` when slot `c` is zero. Targets are relative to the start of the code being
    /// run (a variable's code, or the gathered step code).
    JumpIfZero {
        c: Slot,
        to: u32,
    },
    Jump {
        to: u32,
    },
    Step {
        d: Slot,
        height: Slot,
        at: Slot,
    },
    Ramp {
        d: Slot,
        slope: Slot,
        from: Slot,
        to: Slot,
    },
    Pulse {
        d: Slot,
        volume: Slot,
        first: Slot,
        interval: Slot,
    },
    Lookup {
        d: Slot,
        gf: u32,
        x: Slot,
    },
    DelayRead {
        d: Slot,
        line: u32,
        time: Slot,
        init: Slot,
    },
    Random {
        d: Slot,
        site: u32,
        dist: Dist,
        a: Slot,
        b: Slot,
        c: Slot,
    },
    ClampZero {
        d: Slot,
    },
}

/// One stock's integration: its slot and the flows that fill and drain it.
#[derive(Clone, Debug)]
pub struct StockUpdate {
    pub slot: Slot,
    pub flows: Range<u32>,
    pub non_negative: bool,
}

/// The code that computes one variable, and whether it is constant during a run.
#[derive(Clone, Debug)]
pub struct VarCode {
    pub var: usize,
    pub ops: Range<u32>,
    pub constant: bool,
}

/// Description of a variable for callers (names, kind, output column).
#[derive(Clone, Debug)]
pub struct VarInfo {
    pub name: String,
    pub ident: String,
    pub kind: VarKind,
    pub user: bool,
    pub source: usize,
    /// Variables this one reads (same step), by index.
    pub reads: Vec<usize>,
}

/// A compiled model: compile once, run many times with different overrides. Data only: the
/// native code for it lives beside it, in [`super::run::Executable`].
#[derive(Clone, Debug)]
pub struct Program {
    pub(super) specs: SimSpecs,
    pub(super) vars: Vec<VarInfo>,
    pub(super) slot_count: usize,
    /// Slots holding literal numbers, with their values.
    pub(super) literals: Vec<(Slot, f64)>,
    pub(super) ops: Vec<Op>,
    /// Every variable's initial computation in dependency order.
    pub(super) init_code: Vec<VarCode>,
    /// Flows and auxes in step order (constant ones included, flagged).
    pub(super) step_code: Vec<VarCode>,
    pub(super) stocks: Vec<StockUpdate>,
    /// (flow slot, sign) lists referenced by `stocks`.
    pub(super) stock_flows: Vec<(Slot, f64)>,
    /// End-of-step copies (state slot, input slot) for PREVIOUS.
    pub(super) samples: Vec<(Slot, Slot)>,
    /// Input slots of pipeline delays, recorded every step.
    pub(super) delay_inputs: Vec<Slot>,
    pub(super) random_sites: usize,
    /// A fixed seed per random call site (its third argument), if given.
    pub(super) random_seeds: Vec<Option<u64>>,
    pub(super) gfs: Vec<GraphicalFunction>,
    /// Number of user variables: slots FIRST_VAR .. FIRST_VAR + user_count are the output columns.
    pub(super) user_count: usize,
    pub(super) index: HashMap<String, usize>,
    /// The per-step code of a run without overrides: non-constant variables only, in one
    /// contiguous list (jumps relocated), so the time loop dispatches straight through it.
    pub(super) default_step_ops: Vec<Op>,
    /// Per variable: an aux that depends on nothing changing during a run.
    pub(super) constant: Vec<bool>,
    /// What runs do with NaN and infinity (set by `compile_model`).
    pub(super) finite: FinitePolicy,
}

/// What a program does with non-finite values; per user variable, in output-column order
/// (built and applied by [`super::finite`]).
#[derive(Clone, Debug, Default)]
pub struct FinitePolicy {
    /// Let non-finite values through (for exploration).
    pub allow: bool,
    /// Variables whose equation is INF or NAN, or a copy of one.
    pub exempt: Vec<bool>,
    /// Each variable's equation text, for the error.
    pub equations: Vec<String>,
}

impl Program {
    /// The simulation specs (start, stop, dt, save step, method).
    pub fn specs(&self) -> &SimSpecs {
        &self.specs
    }

    /// Every variable, user variables first (their index is their output column).
    pub fn vars(&self) -> &[VarInfo] {
        &self.vars
    }

    /// The number of user variables (the output columns).
    pub fn user_count(&self) -> usize {
        self.user_count
    }

    /// True for an aux that depends on nothing changing during a run.
    pub fn is_constant(&self, var: usize) -> bool {
        self.constant.get(var).copied().unwrap_or(false)
    }

    /// Lets runs go on through NaN and infinity (`--allow-nonfinite`).
    pub fn allow_nonfinite(&mut self, allow: bool) {
        self.finite.allow = allow;
    }

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
}

pub fn var_slot(i: usize) -> Slot {
    FIRST_VAR + i as Slot
}

/// Writes into `out` the code to run every step: every non-constant variable plus those marked
/// in `varying`, minus those marked in `skip` (both indexed by variable; missing means false).
/// Jumps are relocated to the new positions.
pub fn gather_step_ops(
    ops: &[Op],
    step_code: &[VarCode],
    varying: &[bool],
    skip: &[bool],
    out: &mut Vec<Op>,
) {
    let flag = |v: &[bool], i: usize| v.get(i).copied().unwrap_or(false);
    out.clear();
    for vc in step_code {
        if (vc.constant && !flag(varying, vc.var)) || flag(skip, vc.var) {
            continue;
        }
        let base = out.len() as u32;
        for op in &ops[vc.ops.start as usize..vc.ops.end as usize] {
            out.push(match *op {
                Op::Jump { to } => Op::Jump { to: to + base },
                Op::JumpIfZero { c, to } => Op::JumpIfZero { c, to: to + base },
                other => other,
            });
        }
    }
}

/// Calls `fix` on every slot an op reads or writes.
pub fn for_each_slot(op: &mut Op, fix: &impl Fn(&mut Slot)) {
    match op {
        Op::Const { d, .. } | Op::ClampZero { d } => fix(d),
        Op::Copy { d, a } | Op::Neg { d, a } | Op::Not { d, a } | Op::Fn1 { d, a, .. } => {
            fix(d);
            fix(a);
        }
        Op::Add { d, a, b }
        | Op::Sub { d, a, b }
        | Op::Mul { d, a, b }
        | Op::Div { d, a, b }
        | Op::Pow { d, a, b }
        | Op::Mod { d, a, b }
        | Op::Lt { d, a, b }
        | Op::Le { d, a, b }
        | Op::Gt { d, a, b }
        | Op::Ge { d, a, b }
        | Op::Eq { d, a, b }
        | Op::Ne { d, a, b }
        | Op::And { d, a, b }
        | Op::Or { d, a, b }
        | Op::Min { d, a, b }
        | Op::Max { d, a, b }
        | Op::GfFn { d, a, b, .. } => {
            fix(d);
            fix(a);
            fix(b);
        }
        Op::Fn3 { d, a, b, c, .. } | Op::Random { d, a, b, c, .. } => {
            fix(d);
            fix(a);
            fix(b);
            fix(c);
        }
        Op::SafeDiv { d, a, b, or } => {
            fix(d);
            fix(a);
            fix(b);
            fix(or);
        }
        Op::JumpIfZero { c, .. } => fix(c),
        Op::Jump { .. } => {}
        Op::Step { d, height, at } => {
            fix(d);
            fix(height);
            fix(at);
        }
        Op::Ramp { d, slope, from, to } => {
            fix(d);
            fix(slope);
            fix(from);
            fix(to);
        }
        Op::Pulse {
            d,
            volume,
            first,
            interval,
        } => {
            fix(d);
            fix(volume);
            fix(first);
            fix(interval);
        }
        Op::Lookup { d, x, .. } => {
            fix(d);
            fix(x);
        }
        Op::DelayRead { d, time, init, .. } => {
            fix(d);
            fix(time);
            fix(init);
        }
    }
}
