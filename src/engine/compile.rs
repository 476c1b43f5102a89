//! Stage 4: compile the resolved model into a flat program over slots of one `Vec<f64>`.
//! Nothing in the time loop looks up a name, hashes or allocates.

use std::collections::HashMap;
use std::ops::Range;

use super::ast::{GraphicalFunction, SimSpecs, VarKind};
use super::expr::{BinOp, UnOp};
use super::lower::Dist;
use super::resolve::{Func, GfFn, RBody, RExpr, Resolved};

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

/// Functions of three values (see [`super::run::fn3`]).
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

/// A compiled model: compile once, run many times with different overrides.
#[derive(Clone, Debug)]
pub struct Program {
    pub specs: SimSpecs,
    pub vars: Vec<VarInfo>,
    pub slot_count: usize,
    /// Slots holding literal numbers, with their values.
    pub literals: Vec<(Slot, f64)>,
    pub ops: Vec<Op>,
    /// Every variable's initial computation in dependency order.
    pub init_code: Vec<VarCode>,
    /// Flows and auxes in step order (constant ones included, flagged).
    pub step_code: Vec<VarCode>,
    pub stocks: Vec<StockUpdate>,
    /// (flow slot, sign) lists referenced by `stocks`.
    pub stock_flows: Vec<(Slot, f64)>,
    /// End-of-step copies (state slot, input slot) for PREVIOUS.
    pub samples: Vec<(Slot, Slot)>,
    /// Input slots of pipeline delays, recorded every step.
    pub delay_inputs: Vec<Slot>,
    pub random_sites: usize,
    /// A fixed seed per random call site (its third argument), if given.
    pub random_seeds: Vec<Option<u64>>,
    pub gfs: Vec<GraphicalFunction>,
    /// Number of user variables: slots FIRST_VAR .. FIRST_VAR + user_count are the output columns.
    pub user_count: usize,
    pub index: HashMap<String, usize>,
    /// The per-step code of a run without overrides: non-constant variables only, in one
    /// contiguous list (jumps relocated), so the time loop dispatches straight through it.
    pub default_step_ops: Vec<Op>,
    /// Per variable: an aux that depends on nothing changing during a run.
    pub constant: Vec<bool>,
    /// Native code for `default_step_ops`, where the platform has a Cranelift backend.
    pub jit: Option<std::sync::Arc<super::jit::JitCode>>,
    /// Native code last compiled for an override pattern, shared by every runner of this
    /// program (the app re-runs with the same levers overridden on every change).
    pub override_jit: std::sync::Arc<std::sync::Mutex<Option<std::sync::Arc<super::jit::JitCode>>>>,
}

pub fn var_slot(i: usize) -> Slot {
    FIRST_VAR + i as Slot
}

struct Emitter {
    ops: Vec<Op>,
    literals: Vec<(Slot, f64)>,
    literal_slots: HashMap<u64, Slot>,
    next_slot: Slot,
    temps_used: Slot,
    temps_max: Slot,
    random_seeds: Vec<Option<u64>>,
}

impl Emitter {
    fn literal(&mut self, v: f64) -> Slot {
        if let Some(&s) = self.literal_slots.get(&v.to_bits()) {
            return s;
        }
        let s = self.next_slot;
        self.next_slot += 1;
        self.literals.push((s, v));
        self.literal_slots.insert(v.to_bits(), s);
        s
    }

    fn temp(&mut self) -> Slot {
        let t = self.temps_used;
        self.temps_used += 1;
        self.temps_max = self.temps_max.max(self.temps_used);
        // Temps are numbered from 0 here and relocated once the literal count is known.
        TEMP_TAG | t
    }

    /// Evaluates `e` into some slot (a variable's or literal's own slot when possible).
    fn value(&mut self, e: &RExpr) -> Slot {
        match e {
            RExpr::Var(i) => var_slot(*i),
            RExpr::Num(v) => self.literal(*v),
            RExpr::Time => TIME,
            RExpr::Dt => DT,
            RExpr::Start => START,
            RExpr::Stop => STOP,
            _ => {
                let t = self.temp();
                self.into(e, t);
                t
            }
        }
    }

    /// Evaluates `e` into slot `d`.
    fn into(&mut self, e: &RExpr, d: Slot) {
        let mark = self.temps_used;
        match e {
            RExpr::Var(_) | RExpr::Time | RExpr::Dt | RExpr::Start | RExpr::Stop => {
                let a = self.value(e);
                self.ops.push(Op::Copy { d, a });
            }
            RExpr::Num(v) => self.ops.push(Op::Const { d, v: *v }),
            RExpr::Unary(op, a) => {
                if let (UnOp::Neg, RExpr::Num(v)) = (op, a.as_ref()) {
                    self.ops.push(Op::Const { d, v: -v });
                } else {
                    let a = self.value(a);
                    self.ops.push(match op {
                        UnOp::Neg => Op::Neg { d, a },
                        UnOp::Not => Op::Not { d, a },
                    });
                }
            }
            RExpr::Binary(op, a, b) => {
                if let (Some(x), Some(y)) = (num(a), num(b))
                    && let Some(v) = fold(*op, x, y)
                {
                    self.ops.push(Op::Const { d, v });
                    self.temps_used = mark;
                    return;
                }
                let (a, b) = (self.value(a), self.value(b));
                self.ops.push(match op {
                    BinOp::Add => Op::Add { d, a, b },
                    BinOp::Sub => Op::Sub { d, a, b },
                    BinOp::Mul => Op::Mul { d, a, b },
                    BinOp::Div => Op::Div { d, a, b },
                    BinOp::Pow => Op::Pow { d, a, b },
                    BinOp::Mod => Op::Mod { d, a, b },
                    BinOp::Lt => Op::Lt { d, a, b },
                    BinOp::Le => Op::Le { d, a, b },
                    BinOp::Gt => Op::Gt { d, a, b },
                    BinOp::Ge => Op::Ge { d, a, b },
                    BinOp::Eq => Op::Eq { d, a, b },
                    BinOp::Ne => Op::Ne { d, a, b },
                    BinOp::And => Op::And { d, a, b },
                    BinOp::Or => Op::Or { d, a, b },
                });
            }
            RExpr::If(c, a, b) => {
                let c = self.value(c);
                let jz = self.ops.len();
                self.ops.push(Op::JumpIfZero { c, to: 0 });
                self.into(a, d);
                let j = self.ops.len();
                self.ops.push(Op::Jump { to: 0 });
                let else_at = self.ops.len() as u32;
                self.into(b, d);
                let end = self.ops.len() as u32;
                self.ops[jz] = Op::JumpIfZero { c, to: else_at };
                self.ops[j] = Op::Jump { to: end };
            }
            RExpr::Call(f, args) => self.call(*f, args, d),
            RExpr::Lookup(g, x) => {
                let x = self.value(x);
                self.ops.push(Op::Lookup {
                    d,
                    gf: *g as u32,
                    x,
                });
            }
            RExpr::DelayRead { line, time, init } => {
                let (time, init) = (self.value(time), self.value(init));
                self.ops.push(Op::DelayRead {
                    d,
                    line: *line as u32,
                    time,
                    init,
                });
            }
            RExpr::GfCall { f, gf, a, b } => {
                let (a, b) = (self.value(a), self.value(b));
                self.ops.push(Op::GfFn {
                    d,
                    f: *f,
                    gf: *gf as u32,
                    a,
                    b,
                });
            }
            RExpr::Random {
                site,
                dist,
                params,
                seed,
            } => {
                if self.random_seeds.len() <= *site {
                    self.random_seeds.resize(*site + 1, None);
                }
                self.random_seeds[*site] = *seed;
                let [a, b, c] = &**params;
                let (a, b, c) = (self.value(a), self.value(b), self.value(c));
                self.ops.push(Op::Random {
                    d,
                    site: *site as u32,
                    dist: *dist,
                    a,
                    b,
                    c,
                });
            }
        }
        self.temps_used = mark;
    }

    fn call(&mut self, f: Func, args: &[RExpr], d: Slot) {
        let f1 = match f {
            Func::Abs => Some(F1::Abs),
            Func::Exp => Some(F1::Exp),
            Func::Ln => Some(F1::Ln),
            Func::Log10 => Some(F1::Log10),
            Func::Sqrt => Some(F1::Sqrt),
            Func::Sin => Some(F1::Sin),
            Func::Cos => Some(F1::Cos),
            Func::Tan => Some(F1::Tan),
            Func::Arcsin => Some(F1::Arcsin),
            Func::Arccos => Some(F1::Arccos),
            Func::Arctan => Some(F1::Arctan),
            Func::Int => Some(F1::Int),
            _ => None,
        };
        if let Some(f) = f1 {
            let a = self.value(&args[0]);
            self.ops.push(Op::Fn1 { d, f, a });
            return;
        }
        let f3 = match f {
            Func::RootN => Some(F3::RootN),
            Func::Logistic => Some(F3::Logistic),
            Func::NormalCdf => Some(F3::NormalCdf),
            Func::InvNorm => Some(F3::InvNorm),
            Func::SinWave => Some(F3::SinWave),
            Func::CosWave => Some(F3::CosWave),
            Func::Counter => Some(F3::Counter),
            _ => None,
        };
        if let Some(f) = f3 {
            let a = self.value(&args[0]);
            let b = self.value(&args[1]);
            let c = match args.get(2) {
                Some(x) => self.value(x),
                None => self.literal(0.0),
            };
            self.ops.push(Op::Fn3 { d, f, a, b, c });
            return;
        }
        match f {
            Func::Min | Func::Max => {
                let mut acc = self.value(&args[0]);
                for (k, arg) in args[1..].iter().enumerate() {
                    let b = self.value(arg);
                    let dst = if k + 2 == args.len() { d } else { self.temp() };
                    self.ops.push(if f == Func::Min {
                        Op::Min { d: dst, a: acc, b }
                    } else {
                        Op::Max { d: dst, a: acc, b }
                    });
                    acc = dst;
                }
            }
            Func::Mod => {
                let (a, b) = (self.value(&args[0]), self.value(&args[1]));
                self.ops.push(Op::Mod { d, a, b });
            }
            Func::SafeDiv => {
                let (a, b) = (self.value(&args[0]), self.value(&args[1]));
                let or = match args.get(2) {
                    Some(x) => self.value(x),
                    None => self.literal(0.0),
                };
                self.ops.push(Op::SafeDiv { d, a, b, or });
            }
            Func::Step => {
                let (height, at) = (self.value(&args[0]), self.value(&args[1]));
                self.ops.push(Op::Step { d, height, at });
            }
            Func::Ramp => {
                let (slope, from) = (self.value(&args[0]), self.value(&args[1]));
                let to = match args.get(2) {
                    Some(x) => self.value(x),
                    None => self.literal(f64::INFINITY),
                };
                self.ops.push(Op::Ramp { d, slope, from, to });
            }
            Func::Pulse => {
                let volume = self.value(&args[0]);
                let first = match args.get(1) {
                    Some(x) => self.value(x),
                    None => START,
                };
                let interval = match args.get(2) {
                    Some(x) => self.value(x),
                    None => self.literal(0.0),
                };
                self.ops.push(Op::Pulse {
                    d,
                    volume,
                    first,
                    interval,
                });
            }
            _ => unreachable!("one- and three-argument functions handled above"),
        }
    }
}

const TEMP_TAG: Slot = 1 << 31;

fn num(e: &RExpr) -> Option<f64> {
    match e {
        RExpr::Num(v) => Some(*v),
        _ => None,
    }
}

fn fold(op: BinOp, a: f64, b: f64) -> Option<f64> {
    Some(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Pow => a.powf(b),
        _ => return None,
    })
}

/// Compiles a resolved model.
pub fn compile(specs: &SimSpecs, r: &Resolved) -> Program {
    let n = r.vars.len();
    let mut em = Emitter {
        ops: Vec::new(),
        literals: Vec::new(),
        literal_slots: HashMap::new(),
        next_slot: FIRST_VAR + n as Slot,
        temps_used: 0,
        temps_max: 0,
        random_seeds: Vec::new(),
    };
    let emit_var = |em: &mut Emitter, i: usize, init: bool| -> Range<u32> {
        let start = em.ops.len() as u32;
        let d = var_slot(i);
        match &r.vars[i].body {
            RBody::Stock { init: e, .. } => {
                if init {
                    em.into(e, d);
                }
            }
            RBody::Aux {
                expr,
                non_negative,
                gf,
                init: active_initial,
            } => {
                match active_initial {
                    Some(e) if init => em.into(e, d),
                    _ => em.into(expr, d),
                }
                if let Some(g) = gf {
                    em.ops.push(Op::Lookup {
                        d,
                        gf: *g as u32,
                        x: d,
                    });
                }
                if *non_negative {
                    em.ops.push(Op::ClampZero { d });
                }
            }
        }
        // Jump targets become relative to the variable's first op, so its code runs as a slice.
        for op in &mut em.ops[start as usize..] {
            match op {
                Op::Jump { to } | Op::JumpIfZero { to, .. } => *to -= start,
                _ => {}
            }
        }
        start..em.ops.len() as u32
    };
    let init_code: Vec<VarCode> = r
        .init_order
        .iter()
        .map(|&i| VarCode {
            var: i,
            ops: emit_var(&mut em, i, true),
            constant: r.vars[i].constant,
        })
        .collect();
    let step_code: Vec<VarCode> = r
        .step_order
        .iter()
        .map(|&i| VarCode {
            var: i,
            ops: emit_var(&mut em, i, false),
            constant: r.vars[i].constant,
        })
        .collect();
    // Relocate temps after the literals.
    let base = em.next_slot;
    let fix = |s: &mut Slot| {
        if *s & TEMP_TAG != 0 {
            *s = base + (*s & !TEMP_TAG);
        }
    };
    for op in &mut em.ops {
        for_each_slot(op, &fix);
    }
    let mut stocks = Vec::new();
    let mut stock_flows = Vec::new();
    for (i, v) in r.vars.iter().enumerate() {
        if let RBody::Stock {
            inflows,
            outflows,
            non_negative,
            ..
        } = &v.body
        {
            if inflows.is_empty() && outflows.is_empty() {
                continue;
            }
            let from = stock_flows.len() as u32;
            stock_flows.extend(inflows.iter().map(|&f| (var_slot(f), 1.0)));
            stock_flows.extend(outflows.iter().map(|&f| (var_slot(f), -1.0)));
            stocks.push(StockUpdate {
                slot: var_slot(i),
                flows: from..stock_flows.len() as u32,
                non_negative: *non_negative,
            });
        }
    }
    let vars = r
        .vars
        .iter()
        .map(|v| {
            let mut reads = Vec::new();
            super::resolve::for_each_ref(v.expr(), &mut |d| reads.push(d));
            reads.sort_unstable();
            reads.dedup();
            VarInfo {
                name: v.name.clone(),
                ident: v.ident.clone(),
                kind: v.kind,
                user: v.user,
                source: v.source,
                reads,
            }
        })
        .collect();
    let user_count = r.vars.iter().take_while(|v| v.user).count();
    let mut default_step_ops = Vec::new();
    gather_step_ops(&em.ops, &step_code, &[], &[], &mut default_step_ops);
    let jit = super::jit::compile(
        &default_step_ops,
        &stocks,
        &stock_flows,
        (base + em.temps_max) as usize,
    )
    .map(std::sync::Arc::new);
    Program {
        constant: r.vars.iter().map(|v| v.constant).collect(),
        jit,
        override_jit: Default::default(),
        specs: specs.clone(),
        vars,
        slot_count: (base + em.temps_max) as usize,
        literals: em.literals,
        ops: em.ops,
        init_code,
        step_code,
        stocks,
        stock_flows,
        samples: r
            .samples
            .iter()
            .map(|&(s, i)| (var_slot(s), var_slot(i)))
            .collect(),
        delay_inputs: r.delay_inputs.iter().map(|&i| var_slot(i)).collect(),
        random_sites: r.random_sites,
        random_seeds: {
            let mut s = em.random_seeds.clone();
            s.resize(r.random_sites, None);
            s
        },
        gfs: r.gfs.clone(),
        user_count,
        index: r.index.clone(),
        default_step_ops,
    }
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
