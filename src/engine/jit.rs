//! Native code for the per-step program, with Cranelift. The interpreter in [`super::interp`] is
//! the reference semantics: the JIT emits the same ops one by one (operands loaded from slots,
//! results stored to slots). Arithmetic, STEP, RAMP, PULSE and lookups on sorted points are
//! emitted inline, operation for operation as the interpreter computes them; everything else
//! calls the interpreter's own functions, so both paths compute the same numbers. Tests run
//! every conformance model through both.

use std::collections::BTreeSet;

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{AbiParam, Block, InstBuilder, MemFlagsData, Signature, Value, types};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module};

use super::ast::{GfKind, GraphicalFunction};
use super::interp::{self, Ctx};
use super::lower::Dist;
use super::program::{DT, F1, F3, Op, Slot, StockUpdate, TIME, for_each_slot};
use super::resolve::GfFn;

/// Signature of compiled step code: `(slots, ctx, time, integrate)`. With `integrate` nonzero it
/// first moves every stock one Euler step; then it sets TIME and runs the step ops. One call
/// per time step, and the stocks just computed stay in registers for the ops that read them.
type StepFn = unsafe extern "C" fn(*mut f64, *mut Ctx<'static>, f64, u32);
/// Signature of compiled Euler integration: `(slots)`.
type EulerFn = unsafe extern "C" fn(*mut f64);

/// A compiled step program, valid as long as this value lives.
pub struct JitCode {
    _module: JITModule,
    step: StepFn,
    euler: EulerFn,
    /// The ops this was compiled from (to reuse the code for the same override pattern).
    pub source: Vec<Op>,
    /// Slots the code may touch; callers must pass at least this many.
    slot_count: usize,
    /// Segment tables of the graphical functions read inline (see [`LookupTable`]); the code
    /// holds their addresses, so they live as long as it.
    _tables: Vec<Box<[f64]>>,
}

// SAFETY: after `finalize_definitions` the module is never mutated; the code reads and writes
// only the buffers passed to each call, so calls from several threads at once are independent.
unsafe impl Send for JitCode {}
unsafe impl Sync for JitCode {}

impl std::fmt::Debug for JitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JitCode({} ops)", self.source.len())
    }
}

impl JitCode {
    /// Sets TIME to `time` and runs the step code on `slots`.
    pub(super) fn step(&self, slots: &mut [f64], ctx: &mut Ctx, time: f64) {
        self.call_step(slots, ctx, time, false);
    }

    /// One Euler step of every stock, then TIME set to `time` and the step code: the same as
    /// [`Self::euler`] followed by [`Self::step`].
    pub(super) fn euler_and_step(&self, slots: &mut [f64], ctx: &mut Ctx, time: f64) {
        self.call_step(slots, ctx, time, true);
    }

    fn call_step(&self, slots: &mut [f64], ctx: &mut Ctx, time: f64, integrate: bool) {
        assert!(
            slots.len() >= self.slot_count,
            "slot buffer smaller than the program"
        );
        // SAFETY: the code only touches slots below `slot_count` (checked when compiled) and
        // calls helpers with the ctx pointer it was given, which outlives the call.
        unsafe {
            (self.step)(
                slots.as_mut_ptr(),
                (ctx as *mut Ctx).cast(),
                time,
                u32::from(integrate),
            )
        }
    }

    /// Integrates every stock over one Euler step.
    pub(super) fn euler(&self, slots: &mut [f64]) {
        assert!(
            slots.len() >= self.slot_count,
            "slot buffer smaller than the program"
        );
        // SAFETY: as for `step`.
        unsafe { (self.euler)(slots.as_mut_ptr()) }
    }
}

extern "C" fn h_pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}
extern "C" fn h_mod(a: f64, b: f64) -> f64 {
    a - b * (a / b).floor()
}
extern "C" fn h_fn1(f: u32, x: f64) -> f64 {
    const ALL: [F1; 12] = [
        F1::Abs,
        F1::Exp,
        F1::Ln,
        F1::Log10,
        F1::Sqrt,
        F1::Sin,
        F1::Cos,
        F1::Tan,
        F1::Arcsin,
        F1::Arccos,
        F1::Arctan,
        F1::Int,
    ];
    interp::fn1(ALL[f as usize], x)
}
fn fn1_code(f: F1) -> i64 {
    f as i64
}
/// # Safety
/// `ctx` is the live context passed to the step code.
unsafe extern "C" fn h_lookup(ctx: *mut Ctx<'static>, gf: u32, x: f64) -> f64 {
    let ctx = unsafe { &*ctx };
    ctx.gfs
        .get(gf as usize)
        .map_or(f64::NAN, |g| interp::lookup(g, x))
}
/// # Safety
/// As for `h_lookup`; `s` points at the run's slot buffer.
unsafe extern "C" fn h_delay(
    ctx: *mut Ctx<'static>,
    s: *const f64,
    line: u32,
    delay: f64,
    init: f64,
) -> f64 {
    let ctx = unsafe { &*ctx };
    interp::delay_read(
        ctx,
        unsafe { std::slice::from_raw_parts(s, 4) },
        line,
        delay,
        init,
    )
}
/// # Safety
/// As for `h_lookup`.
unsafe extern "C" fn h_random(
    ctx: *mut Ctx<'static>,
    site: u32,
    dist: u32,
    a: f64,
    b: f64,
    c: f64,
) -> f64 {
    let ctx = unsafe { &mut *ctx };
    interp::random(ctx, site, Dist::ALL[dist as usize], [a, b, c])
}
extern "C" fn h_fn3(f: u32, a: f64, b: f64, c: f64) -> f64 {
    interp::fn3(F3::ALL[f as usize], a, b, c)
}
const GF_FNS: [GfFn; 3] = [GfFn::Inverse, GfFn::Area, GfFn::Mean];
/// # Safety
/// As for `h_lookup`.
unsafe extern "C" fn h_gf_fn(ctx: *mut Ctx<'static>, gf: u32, f: u32, a: f64, b: f64) -> f64 {
    let ctx = unsafe { &*ctx };
    ctx.gfs
        .get(gf as usize)
        .map_or(f64::NAN, |g| interp::gf_fn(g, GF_FNS[f as usize], a, b))
}

/// The helpers the code may call: name, address, parameter types (P = pointer, I = i32, F = f64).
/// Calls name them by these indices.
const HELPERS: [(&str, &str); 8] = [
    ("bf_pow", "FF"),
    ("bf_mod", "FF"),
    ("bf_fn1", "IF"),
    ("bf_lookup", "PIF"),
    ("bf_delay", "PPIFF"),
    ("bf_random", "PIIFFF"),
    ("bf_fn3", "IFFF"),
    ("bf_gf_fn", "PIIFF"),
];
const POW: usize = 0;
const MOD: usize = 1;
const FN1: usize = 2;
const LOOKUP: usize = 3;
const DELAY: usize = 4;
const RANDOM: usize = 5;
const FN3: usize = 6;
const GF_FN: usize = 7;

fn helper_addresses() -> [*const u8; 8] {
    [
        h_pow as *const u8,
        h_mod as *const u8,
        h_fn1 as *const u8,
        h_lookup as *const u8,
        h_delay as *const u8,
        h_random as *const u8,
        h_fn3 as *const u8,
        h_gf_fn as *const u8,
    ]
}

/// Compiles step ops and the Euler update. None when this platform has no Cranelift backend or
/// compilation fails; callers then interpret.
pub fn compile(
    ops: &[Op],
    stocks: &[StockUpdate],
    stock_flows: &[(Slot, f64)],
    gfs: &[GraphicalFunction],
    slot_count: usize,
) -> Option<JitCode> {
    let max_slot = ops
        .iter()
        .flat_map(op_slots)
        .chain(stock_flows.iter().map(|f| f.0))
        .max()
        .unwrap_or(0);
    if max_slot as usize >= slot_count || stocks.iter().any(|s| s.slot as usize >= slot_count) {
        return None;
    }
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").ok()?;
    let isa = cranelift_native::builder()
        .ok()?
        .finish(settings::Flags::new(flags))
        .ok()?;
    let mut jb = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
    for ((name, _), addr) in HELPERS.iter().zip(helper_addresses()) {
        jb.symbol(*name, addr);
    }
    let mut module = JITModule::new(jb);
    let ptr = module.target_config().pointer_type();
    let mut helper_ids = Vec::new();
    for (name, params) in HELPERS {
        let mut sig = module.make_signature();
        for p in params.chars() {
            sig.params.push(AbiParam::new(match p {
                'P' => ptr,
                'I' => types::I32,
                _ => types::F64,
            }));
        }
        sig.returns.push(AbiParam::new(types::F64));
        helper_ids.push(module.declare_function(name, Linkage::Import, &sig).ok()?);
    }

    let tables: Vec<Option<LookupTable>> = gfs.iter().map(LookupTable::of).collect();
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(ptr));
    sig.params.push(AbiParam::new(ptr));
    sig.params.push(AbiParam::new(types::F64));
    sig.params.push(AbiParam::new(types::I32));
    let step_id = define(&mut module, "bf_step_code", sig, |b, m, params| {
        let s = &Slots::new(params[0]);
        let integrate = b.create_block();
        let body = b.create_block();
        b.ins().brif(params[3], integrate, &[], body, &[]);
        b.switch_to_block(integrate);
        emit_euler(b, stocks, stock_flows, s);
        b.ins().jump(body, &[]);
        b.switch_to_block(body);
        s.new_block();
        store(b, s, TIME, params[2]);
        emit_step(b, m, &helper_ids, ops, &tables, s, params[1]);
    })?;
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(ptr));
    let euler_id = define(&mut module, "bf_euler", sig, |b, _, params| {
        emit_euler(b, stocks, stock_flows, &Slots::new(params[0]));
    })?;
    module.finalize_definitions().ok()?;
    // SAFETY: the functions were defined with exactly these signatures.
    let step: StepFn = unsafe { std::mem::transmute(module.get_finalized_function(step_id)) };
    let euler: EulerFn = unsafe { std::mem::transmute(module.get_finalized_function(euler_id)) };
    Some(JitCode {
        _module: module,
        step,
        euler,
        source: ops.to_vec(),
        slot_count,
        _tables: tables.into_iter().flatten().map(|t| t.segments).collect(),
    })
}

fn define(
    module: &mut JITModule,
    name: &str,
    sig: Signature,
    body: impl FnOnce(&mut FunctionBuilder, &mut JITModule, &[Value]),
) -> Option<FuncId> {
    let id = module.declare_function(name, Linkage::Local, &sig).ok()?;
    let mut ctx = module.make_context();
    ctx.func.signature = sig;
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        body(&mut b, module, &params);
        b.ins().return_(&[]);
        b.seal_all_blocks();
        b.finalize(module.target_config());
    }
    module.define_function(id, &mut ctx).ok()?;
    module.clear_context(&mut ctx);
    Some(id)
}

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// The slot buffer as seen by generated code: its base pointer, and the value each slot last
/// received in the current block, so that a slot written and then read costs no reload (and no
/// store-to-load round trip on the critical path). Cleared at every block start.
struct Slots {
    base: Value,
    known: std::cell::RefCell<std::collections::HashMap<Slot, Value>>,
}

impl Slots {
    fn new(base: Value) -> Self {
        Slots {
            base,
            known: Default::default(),
        }
    }

    fn new_block(&self) {
        self.known.borrow_mut().clear();
    }
}

fn load(b: &mut FunctionBuilder, s: &Slots, slot: Slot) -> Value {
    if let Some(&v) = s.known.borrow().get(&slot) {
        return v;
    }
    let v = b.ins().load(types::F64, flags(), s.base, (slot as i32) * 8);
    s.known.borrow_mut().insert(slot, v);
    v
}

fn store(b: &mut FunctionBuilder, s: &Slots, slot: Slot, v: Value) {
    b.ins().store(flags(), v, s.base, (slot as i32) * 8);
    s.known.borrow_mut().insert(slot, v);
}

fn emit_euler(b: &mut FunctionBuilder, stocks: &[StockUpdate], flows: &[(Slot, f64)], s: &Slots) {
    let dt = load(b, s, DT);
    for st in stocks {
        let mut net = b.ins().f64const(0.0);
        for &(f, sign) in &flows[st.flows.start as usize..st.flows.end as usize] {
            let v = load(b, s, f);
            net = if sign > 0.0 {
                b.ins().fadd(net, v)
            } else {
                b.ins().fsub(net, v)
            };
        }
        let old = load(b, s, st.slot);
        let change = b.ins().fmul(dt, net);
        let mut new = b.ins().fadd(old, change);
        if st.non_negative {
            new = max_zero(b, new);
        }
        store(b, s, st.slot, new);
    }
}

/// A graphical function read inline: its points as constants, and per segment k (points k and
/// k + 1) the four numbers `interp::lookup` computes with, in memory the code indexes.
struct LookupTable {
    kind: GfKind,
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// Per segment: x_k, y_k, y_{k+1} - y_k, x_{k+1} - x_k.
    segments: Box<[f64]>,
}

/// Graphical functions with more points than this are read through `interp::lookup`.
const MAX_INLINE_POINTS: usize = 64;

impl LookupTable {
    /// None when the points are too many, too few, or not in non-decreasing order of x (where
    /// `interp::lookup`'s binary search is not a count of the points at or left of x).
    fn of(g: &GraphicalFunction) -> Option<LookupTable> {
        let n = g.xs.len();
        let sorted = g.xs.windows(2).all(|w| w[0] <= w[1]) && g.xs.iter().all(|x| !x.is_nan());
        if !(2..=MAX_INLINE_POINTS).contains(&n) || g.ys.len() != n || !sorted {
            return None;
        }
        let segments = (0..n - 1)
            .flat_map(|k| {
                let (x, y) = (&g.xs, &g.ys);
                [x[k], y[k], y[k + 1] - y[k], x[k + 1] - x[k]]
            })
            .collect();
        Some(LookupTable {
            kind: g.kind,
            xs: g.xs.clone(),
            ys: g.ys.clone(),
            segments,
        })
    }

    /// `interp::lookup`'s straight line through points i and j, at x.
    fn line(&self, b: &mut FunctionBuilder, i: usize, j: usize, x: Value) -> Value {
        let dx = self.xs[j] - self.xs[i];
        if dx == 0.0 {
            return b.ins().f64const(self.ys[j]);
        }
        let (xi, yi, dy) = (self.xs[i], self.ys[i], self.ys[j] - self.ys[i]);
        let (xi, yi, dy, dx) = (
            b.ins().f64const(xi),
            b.ins().f64const(yi),
            b.ins().f64const(dy),
            b.ins().f64const(dx),
        );
        segment_value(b, x, xi, yi, dy, dx)
    }
}

/// `y_i + (x - x_i) * dy / dx`, in the order `interp::lookup` computes it.
fn segment_value(
    b: &mut FunctionBuilder,
    x: Value,
    xi: Value,
    yi: Value,
    dy: Value,
    dx: Value,
) -> Value {
    let run = b.ins().fsub(x, xi);
    let rise = b.ins().fmul(run, dy);
    let rise = b.ins().fdiv(rise, dx);
    b.ins().fadd(yi, rise)
}

/// `interp::lookup` without a call: the segment is the count of inner points at or left of x
/// (binary search's answer on sorted points), its numbers are loaded from the table, and the
/// ends and NaN are chosen by select, as the interpreter's branches choose them.
fn emit_lookup(b: &mut FunctionBuilder, ptr: types::Type, t: &LookupTable, x: Value) -> Value {
    let n = t.xs.len();
    let mut k = b.ins().iconst(ptr, 0);
    for &xm in &t.xs[1..n - 1] {
        let xm = b.ins().f64const(xm);
        let at_or_left = b.ins().fcmp(FloatCC::LessThanOrEqual, xm, x);
        let one = b.ins().uextend(ptr, at_or_left);
        k = b.ins().iadd(k, one);
    }
    let offset = b.ins().imul_imm_u(k, 32);
    let base = b.ins().iconst(ptr, t.segments.as_ptr() as i64);
    let at = b.ins().iadd(base, offset);
    let field = |b: &mut FunctionBuilder, i: i32| b.ins().load(types::F64, flags(), at, i * 8);
    let (xi, yi) = (field(b, 0), field(b, 1));
    let inner = if t.kind == GfKind::Discrete {
        yi
    } else {
        let (dy, dx) = (field(b, 2), field(b, 3));
        segment_value(b, x, xi, yi, dy, dx)
    };
    let (first, last) = if t.kind == GfKind::Extrapolate {
        (t.line(b, 0, 1, x), t.line(b, n - 2, n - 1, x))
    } else {
        (b.ins().f64const(t.ys[0]), b.ins().f64const(t.ys[n - 1]))
    };
    let x_last = b.ins().f64const(t.xs[n - 1]);
    let beyond = b.ins().fcmp(FloatCC::GreaterThanOrEqual, x, x_last);
    let v = b.ins().select(beyond, last, inner);
    let x_first = b.ins().f64const(t.xs[0]);
    let before = b.ins().fcmp(FloatCC::LessThanOrEqual, x, x_first);
    let v = b.ins().select(before, first, v);
    let nan = b.ins().f64const(f64::NAN);
    let is_nan = b.ins().fcmp(FloatCC::Unordered, x, x);
    b.ins().select(is_nan, nan, v)
}

/// TIME plus the tolerance of `interp::time_eps` (DT × 1e-6), computed as the interpreter does.
fn time_plus_eps(b: &mut FunctionBuilder, s: &Slots) -> Value {
    let (t, dt) = (load(b, s, TIME), load(b, s, DT));
    let scale = b.ins().f64const(1e-6);
    let eps = b.ins().fmul(dt, scale);
    b.ins().fadd(t, eps)
}

/// PULSE inline, operation for operation as `interp::pulse` (so bit for bit): `volume / DT`
/// during the step at `first` and every `interval` after it (none when `interval` ≤ 0).
fn emit_pulse(
    b: &mut FunctionBuilder,
    s: &Slots,
    volume: Value,
    first: Value,
    interval: Value,
) -> Value {
    let (t, dt) = (load(b, s, TIME), load(b, s, DT));
    let scale = b.ins().f64const(1e-6);
    let eps = b.ins().fmul(dt, scale);
    let t_eps = b.ins().fadd(t, eps);
    let zero = b.ins().f64const(0.0);
    // last = first + floor((t - first + eps) / interval) * interval, or first when interval ≤ 0.
    let since = b.ins().fsub(t, first);
    let since = b.ins().fadd(since, eps);
    let periods = b.ins().fdiv(since, interval);
    let periods = b.ins().floor(periods);
    let back = b.ins().fmul(periods, interval);
    let repeated = b.ins().fadd(first, back);
    let repeats = b.ins().fcmp(FloatCC::GreaterThan, interval, zero);
    let last = b.ins().select(repeats, repeated, first);
    let end = b.ins().fadd(last, dt);
    let started = b.ins().fcmp(FloatCC::GreaterThanOrEqual, t_eps, last);
    let not_over = b.ins().fcmp(FloatCC::LessThan, t_eps, end);
    let on = b.ins().band(started, not_over);
    let before_first = b.ins().fcmp(FloatCC::LessThan, t_eps, first);
    let rate = b.ins().fdiv(volume, dt);
    let v = b.ins().select(on, rate, zero);
    b.ins().select(before_first, zero, v)
}

/// `max(v, 0)` as the interpreter's `clamp_zero`: NaN stays NaN.
fn max_zero(b: &mut FunctionBuilder, v: Value) -> Value {
    let zero = b.ins().f64const(0.0);
    let lt = b.ins().fcmp(FloatCC::LessThan, v, zero);
    b.ins().select(lt, zero, v)
}

fn bool_to_f64(b: &mut FunctionBuilder, c: Value) -> Value {
    let one = b.ins().f64const(1.0);
    let zero = b.ins().f64const(0.0);
    b.ins().select(c, one, zero)
}

fn is_true(b: &mut FunctionBuilder, v: Value) -> Value {
    let zero = b.ins().f64const(0.0);
    b.ins().fcmp(FloatCC::NotEqual, v, zero)
}

/// MIN/MAX as the interpreter's: NaN in either operand gives NaN (Cranelift's fmin/fmax).
fn min_max(b: &mut FunctionBuilder, x: Value, y: Value, min: bool) -> Value {
    if min {
        b.ins().fmin(x, y)
    } else {
        b.ins().fmax(x, y)
    }
}

fn emit_step(
    b: &mut FunctionBuilder,
    m: &mut JITModule,
    helpers: &[FuncId],
    ops: &[Op],
    tables: &[Option<LookupTable>],
    s: &Slots,
    ctx: Value,
) {
    // A block starts at every jump target and after every jump.
    let mut starts = BTreeSet::new();
    for (i, op) in ops.iter().enumerate() {
        match *op {
            Op::Jump { to } | Op::JumpIfZero { to, .. } => {
                starts.insert(to as usize);
                starts.insert(i + 1);
            }
            _ => {}
        }
    }
    let blocks: std::collections::BTreeMap<usize, Block> = starts
        .iter()
        .filter(|&&i| i < ops.len())
        .map(|&i| (i, b.create_block()))
        .collect();
    let end_block = b.create_block();
    let target = |i: usize| blocks.get(&i).copied().unwrap_or(end_block);
    let mut refs = Vec::new();
    for id in helpers {
        refs.push(m.declare_func_in_func(*id, b.func));
    }
    let call = |b: &mut FunctionBuilder, h: usize, args: &[Value]| -> Value {
        let inst = b.ins().call(refs[h], args);
        b.inst_results(inst)[0]
    };
    let mut terminated = false;
    for (i, op) in ops.iter().enumerate() {
        if let Some(&blk) = blocks.get(&i) {
            if !terminated {
                b.ins().jump(blk, &[]);
            }
            b.switch_to_block(blk);
            s.new_block();
            terminated = false;
        }
        let bin = |b: &mut FunctionBuilder,
                   d: Slot,
                   x: Slot,
                   y: Slot,
                   f: &dyn Fn(&mut FunctionBuilder, Value, Value) -> Value| {
            let (x, y) = (load(b, s, x), load(b, s, y));
            let v = f(b, x, y);
            store(b, s, d, v);
        };
        let cmp = |cc: FloatCC| {
            move |b: &mut FunctionBuilder, x: Value, y: Value| {
                let c = b.ins().fcmp(cc, x, y);
                bool_to_f64(b, c)
            }
        };
        match *op {
            Op::Const { d, v } => {
                let c = b.ins().f64const(v);
                store(b, s, d, c);
            }
            Op::Copy { d, a } => {
                let v = load(b, s, a);
                store(b, s, d, v);
            }
            Op::Neg { d, a } => {
                let v = load(b, s, a);
                let v = b.ins().fneg(v);
                store(b, s, d, v);
            }
            Op::Not { d, a } => {
                let v = load(b, s, a);
                let zero = b.ins().f64const(0.0);
                let c = b.ins().fcmp(FloatCC::Equal, v, zero);
                let v = bool_to_f64(b, c);
                store(b, s, d, v);
            }
            Op::Add { d, a, b: y } => bin(b, d, a, y, &|b, x, y| b.ins().fadd(x, y)),
            Op::Sub { d, a, b: y } => bin(b, d, a, y, &|b, x, y| b.ins().fsub(x, y)),
            Op::Mul { d, a, b: y } => bin(b, d, a, y, &|b, x, y| b.ins().fmul(x, y)),
            Op::Div { d, a, b: y } => bin(b, d, a, y, &|b, x, y| b.ins().fdiv(x, y)),
            Op::Pow { d, a, b: y } => {
                let (x, y) = (load(b, s, a), load(b, s, y));
                let v = call(b, POW, &[x, y]);
                store(b, s, d, v);
            }
            Op::Mod { d, a, b: y } => {
                let (x, y) = (load(b, s, a), load(b, s, y));
                let v = call(b, MOD, &[x, y]);
                store(b, s, d, v);
            }
            Op::Lt { d, a, b: y } => bin(b, d, a, y, &cmp(FloatCC::LessThan)),
            Op::Le { d, a, b: y } => bin(b, d, a, y, &cmp(FloatCC::LessThanOrEqual)),
            Op::Gt { d, a, b: y } => bin(b, d, a, y, &cmp(FloatCC::GreaterThan)),
            Op::Ge { d, a, b: y } => bin(b, d, a, y, &cmp(FloatCC::GreaterThanOrEqual)),
            Op::Eq { d, a, b: y } => bin(b, d, a, y, &cmp(FloatCC::Equal)),
            Op::Ne { d, a, b: y } => bin(b, d, a, y, &cmp(FloatCC::NotEqual)),
            Op::And { d, a, b: y } => bin(b, d, a, y, &|b, x, y| {
                let (x, y) = (is_true(b, x), is_true(b, y));
                let c = b.ins().band(x, y);
                bool_to_f64(b, c)
            }),
            Op::Or { d, a, b: y } => bin(b, d, a, y, &|b, x, y| {
                let (x, y) = (is_true(b, x), is_true(b, y));
                let c = b.ins().bor(x, y);
                bool_to_f64(b, c)
            }),
            Op::Min { d, a, b: y } => bin(b, d, a, y, &|b, x, y| min_max(b, x, y, true)),
            Op::Max { d, a, b: y } => bin(b, d, a, y, &|b, x, y| min_max(b, x, y, false)),
            Op::SafeDiv { d, a, b: y, or } => {
                let (x, y, o) = (load(b, s, a), load(b, s, y), load(b, s, or));
                let q = b.ins().fdiv(x, y);
                let zero = b.ins().f64const(0.0);
                let is_zero = b.ins().fcmp(FloatCC::Equal, y, zero);
                let v = b.ins().select(is_zero, o, q);
                store(b, s, d, v);
            }
            Op::Fn1 { d, f, a } => {
                let x = load(b, s, a);
                let v = match f {
                    F1::Abs => b.ins().fabs(x),
                    F1::Sqrt => b.ins().sqrt(x),
                    F1::Int => b.ins().floor(x),
                    other => {
                        let code = b.ins().iconst(types::I32, fn1_code(other));
                        call(b, FN1, &[code, x])
                    }
                };
                store(b, s, d, v);
            }
            Op::JumpIfZero { c, to } => {
                let v = load(b, s, c);
                let t = is_true(b, v);
                let next = target(i + 1);
                b.ins().brif(t, next, &[], target(to as usize), &[]);
                terminated = true;
            }
            Op::Jump { to } => {
                b.ins().jump(target(to as usize), &[]);
                terminated = true;
            }
            Op::Step { d, height, at } => {
                // Inline, as interp::step: `height` once TIME + eps reaches `at`, else 0.
                let (h, a) = (load(b, s, height), load(b, s, at));
                let t_eps = time_plus_eps(b, s);
                let reached = b.ins().fcmp(FloatCC::GreaterThanOrEqual, t_eps, a);
                let zero = b.ins().f64const(0.0);
                let v = b.ins().select(reached, h, zero);
                store(b, s, d, v);
            }
            Op::Ramp { d, slope, from, to } => {
                // Inline, as interp::ramp: 0 before `from`, then slope * (min(t, to) - from), with
                // f64::min's rule (a NaN `to` gives t).
                let (x, y, z) = (load(b, s, slope), load(b, s, from), load(b, s, to));
                let t = load(b, s, TIME);
                let to_first = b.ins().fcmp(FloatCC::LessThan, z, t);
                let m = b.ins().select(to_first, z, t);
                let run = b.ins().fsub(m, y);
                let v = b.ins().fmul(x, run);
                let before = b.ins().fcmp(FloatCC::LessThan, t, y);
                let zero = b.ins().f64const(0.0);
                let v = b.ins().select(before, zero, v);
                store(b, s, d, v);
            }
            Op::Pulse {
                d,
                volume,
                first,
                interval,
            } => {
                let (x, y, z) = (load(b, s, volume), load(b, s, first), load(b, s, interval));
                let v = emit_pulse(b, s, x, y, z);
                store(b, s, d, v);
            }
            Op::Lookup { d, gf, x } => {
                let x = load(b, s, x);
                let v = match tables.get(gf as usize) {
                    Some(Some(table)) => {
                        let ptr = b.func.dfg.value_type(s.base);
                        emit_lookup(b, ptr, table, x)
                    }
                    _ => {
                        let g = b.ins().iconst(types::I32, gf as i64);
                        call(b, LOOKUP, &[ctx, g, x])
                    }
                };
                store(b, s, d, v);
            }
            Op::DelayRead {
                d,
                line,
                time,
                init,
            } => {
                let l = b.ins().iconst(types::I32, line as i64);
                let (t, i0) = (load(b, s, time), load(b, s, init));
                let v = call(b, DELAY, &[ctx, s.base, l, t, i0]);
                store(b, s, d, v);
            }
            Op::Random {
                d,
                site,
                dist,
                a,
                b: y,
                c,
            } => {
                let site = b.ins().iconst(types::I32, site as i64);
                let code = Dist::ALL.iter().position(|x| *x == dist).unwrap_or(0);
                let dist = b.ins().iconst(types::I32, code as i64);
                let (x, y, z) = (load(b, s, a), load(b, s, y), load(b, s, c));
                let v = call(b, RANDOM, &[ctx, site, dist, x, y, z]);
                store(b, s, d, v);
            }
            Op::Fn3 { d, f, a, b: y, c } => {
                let code = F3::ALL.iter().position(|x| *x == f).unwrap_or(0);
                let code = b.ins().iconst(types::I32, code as i64);
                let (x, y, z) = (load(b, s, a), load(b, s, y), load(b, s, c));
                let v = call(b, FN3, &[code, x, y, z]);
                store(b, s, d, v);
            }
            Op::GfFn { d, f, gf, a, b: y } => {
                let g = b.ins().iconst(types::I32, gf as i64);
                let code = GF_FNS.iter().position(|x| *x == f).unwrap_or(0);
                let code = b.ins().iconst(types::I32, code as i64);
                let (x, y) = (load(b, s, a), load(b, s, y));
                let v = call(b, GF_FN, &[ctx, g, code, x, y]);
                store(b, s, d, v);
            }
            Op::ClampZero { d } => {
                let v = load(b, s, d);
                let v = max_zero(b, v);
                store(b, s, d, v);
            }
        }
    }
    if !terminated {
        b.ins().jump(end_block, &[]);
    }
    b.switch_to_block(end_block);
}

/// Every slot an op reads or writes.
fn op_slots(op: &Op) -> Vec<Slot> {
    let found = std::cell::RefCell::new(Vec::new());
    let mut copy = *op;
    for_each_slot(&mut copy, &|s: &mut Slot| found.borrow_mut().push(*s));
    found.into_inner()
}
