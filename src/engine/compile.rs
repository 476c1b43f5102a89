//! Stage 4: compile the resolved model into a flat program over slots of one `Vec<f64>`.
//! Nothing in the time loop looks up a name, hashes or allocates.

use std::collections::HashMap;
use std::ops::Range;

use super::ast::SimSpecs;
use super::expr::{BinOp, UnOp};
use super::program::{
    DT, F1, F3, FIRST_VAR, Op, Program, START, STOP, Slot, StockUpdate, TIME, VarCode, VarInfo,
    for_each_slot, gather_step_ops, var_slot,
};
use super::resolve::{Func, RBody, RExpr, Resolved};

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
                // A NaN condition makes the result NaN (c - c is NaN exactly then), rather
                // than silently taking a branch.
                let t = self.temp();
                self.ops.push(Op::Sub { d: t, a: c, b: c });
                self.ops.push(Op::Add { d, a: d, b: t });
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
    Program {
        constant: r.vars.iter().map(|v| v.constant).collect(),
        finite: Default::default(),
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
