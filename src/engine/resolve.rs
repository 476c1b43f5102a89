//! Stage 3: resolve names to variable indices and sort the equations by dependency.
//! An algebraic loop is an error naming the variables of the cycle. Sorting is iterative, so a
//! 200 000-variable chain cannot overflow the stack.

use std::collections::HashMap;

use super::ast::{GraphicalFunction, ModelFile, VarKind};
use super::error::{Diagnostic, EngineError, Location, Result};
use super::expr::{BinOp, Expr, Span, UnOp};
use super::lower::{Body, DELAY_READ, Dist, Lowered, RANDOM};

/// Pure functions of one or more values, after resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
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
    Min,
    Max,
    Mod,
    SafeDiv,
    Step,
    Ramp,
    Pulse,
    /// ROOTN(x, n).
    RootN,
    /// LOGISTIC(x, slope, midpoint).
    Logistic,
    /// NORMALCDF(x, mean, sd).
    NormalCdf,
    /// INVNORM(p, mean, sd).
    InvNorm,
    /// SINWAVE(amplitude, period), resolved with TIME as a third argument.
    SinWave,
    /// COSWAVE(amplitude, period), resolved with TIME as a third argument.
    CosWave,
    /// COUNTER(start, end), resolved with TIME - STARTTIME as a third argument.
    Counter,
}

/// Built-ins that read a graphical function over a range rather than at one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GfFn {
    /// LOOKUPINV(gf, y): the x at which the graphical function first reaches y.
    Inverse,
    /// LOOKUPAREA(gf, x1, x2): the area under the graphical function from x1 to x2.
    Area,
    /// LOOKUPMEAN(gf, x1, x2): its mean value from x1 to x2 (area / (x2 - x1)).
    Mean,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RExpr {
    Num(f64),
    Var(usize),
    Time,
    Dt,
    Start,
    Stop,
    Unary(UnOp, Box<RExpr>),
    Binary(BinOp, Box<RExpr>, Box<RExpr>),
    If(Box<RExpr>, Box<RExpr>, Box<RExpr>),
    Call(Func, Vec<RExpr>),
    Lookup(usize, Box<RExpr>),
    GfCall {
        f: GfFn,
        gf: usize,
        a: Box<RExpr>,
        b: Box<RExpr>,
    },
    DelayRead {
        line: usize,
        time: Box<RExpr>,
        init: Box<RExpr>,
    },
    /// A draw from `dist` with up to three parameters (unused ones are zero).
    Random {
        site: usize,
        dist: Dist,
        params: Box<[RExpr; 3]>,
        seed: Option<u64>,
    },
}

#[derive(Clone, Debug)]
pub enum RBody {
    Stock {
        init: RExpr,
        inflows: Vec<usize>,
        outflows: Vec<usize>,
        non_negative: bool,
    },
    Aux {
        expr: RExpr,
        non_negative: bool,
        gf: Option<usize>,
        /// ACTIVE INITIAL: computed instead of `expr` at initialisation.
        init: Option<RExpr>,
    },
}

#[derive(Clone, Debug)]
pub struct RVar {
    pub name: String,
    pub ident: String,
    pub kind: VarKind,
    pub body: RBody,
    pub source: usize,
    pub user: bool,
    /// Depends on nothing that changes during a run.
    pub constant: bool,
}

impl RVar {
    /// The equation this variable computes: a stock's initial value, an aux's or flow's value.
    pub fn expr(&self) -> &RExpr {
        match &self.body {
            RBody::Stock { init, .. } => init,
            RBody::Aux { expr, .. } => expr,
        }
    }

    /// The equation computed at initialisation.
    pub fn init_expr(&self) -> &RExpr {
        match &self.body {
            RBody::Stock { init, .. } => init,
            RBody::Aux {
                init: Some(init), ..
            } => init,
            RBody::Aux { expr, .. } => expr,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Resolved {
    pub vars: Vec<RVar>,
    pub gfs: Vec<GraphicalFunction>,
    /// All variables in the order their initial values can be computed.
    pub init_order: Vec<usize>,
    /// Flows and auxes in the order they are computed every step.
    pub step_order: Vec<usize>,
    pub samples: Vec<(usize, usize)>,
    pub delay_inputs: Vec<usize>,
    pub random_sites: usize,
    pub index: HashMap<String, usize>,
}

struct Resolver<'a> {
    model: &'a ModelFile,
    index: HashMap<String, usize>,
    gf_index: HashMap<String, usize>,
    gfs: Vec<GraphicalFunction>,
    errors: Vec<Diagnostic>,
}

/// Resolves names and sorts the lowered model.
pub fn resolve(model: &ModelFile, lowered: Lowered) -> Result<Resolved> {
    let mut r = Resolver {
        model,
        index: HashMap::with_capacity(lowered.vars.len()),
        gf_index: HashMap::new(),
        gfs: Vec::new(),
        errors: Vec::new(),
    };
    for (i, v) in lowered.vars.iter().enumerate() {
        if let Some(&first) = r.index.get(&v.ident) {
            let first_loc = model.variables[lowered.vars[first].source].location;
            r.push(
                model.variables[v.source].location,
                format!(
                    "duplicate name {:?}: already defined at line {}",
                    v.name, first_loc.line
                ),
            );
        } else {
            r.index.insert(v.ident.clone(), i);
        }
    }
    for g in &model.named_gfs {
        if r.index.contains_key(&g.ident) || r.gf_index.contains_key(&g.ident) {
            r.push(
                g.location,
                format!(
                    "duplicate name {:?}: a variable or graphical function has it already",
                    g.name
                ),
            );
            continue;
        }
        r.gf_index.insert(g.ident.clone(), r.gfs.len());
        r.gfs.push(g.gf.clone());
    }
    let mut vars = Vec::with_capacity(lowered.vars.len());
    for v in &lowered.vars {
        let loc = |r: &Resolver| r.var_location(v.source);
        let body = match &v.body {
            Body::Stock {
                init,
                inflows,
                outflows,
                non_negative,
            } => {
                let init = r.expr(init, v.source);
                let mut flows = |list: &[(String, Location)], dir: &str| -> Vec<usize> {
                    let mut out = Vec::new();
                    for (name, at) in list {
                        let at = if at.line == 0 { loc(&r) } else { *at };
                        match r.index.get(name) {
                            Some(&f) if lowered.vars[f].kind == VarKind::Flow => out.push(f),
                            Some(_) => r.push(at, format!("stock {:?}: {dir} {name:?} is not a flow", v.name)),
                            None => r.push(at, format!("stock {:?}: {dir} {name:?} is not defined: expected a <flow> with that name", v.name)),
                        }
                    }
                    out
                };
                let inflows = flows(inflows, "inflow");
                let outflows = flows(outflows, "outflow");
                RBody::Stock {
                    init,
                    inflows,
                    outflows,
                    non_negative: *non_negative,
                }
            }
            Body::Aux {
                expr,
                non_negative,
                gf,
                init,
            } => {
                let expr = r.expr(expr, v.source);
                let init = init.as_ref().map(|i| r.expr(i, v.source));
                let gf = gf.as_ref().map(|g| {
                    r.gfs.push(g.clone());
                    r.gfs.len() - 1
                });
                RBody::Aux {
                    expr,
                    non_negative: *non_negative,
                    gf,
                    init,
                }
            }
        };
        vars.push(RVar {
            name: v.name.clone(),
            ident: v.ident.clone(),
            kind: v.kind,
            body,
            source: v.source,
            user: v.user,
            constant: false,
        });
    }
    let lookup = |r: &Resolver, name: &str| r.index.get(name).copied();
    let samples = lowered
        .samples
        .iter()
        .filter_map(|(s, i)| Some((lookup(&r, s)?, lookup(&r, i)?)))
        .collect();
    let delay_inputs = lowered
        .delays
        .iter()
        .filter_map(|d| lookup(&r, &d.input))
        .collect();
    if !r.errors.is_empty() {
        return Err(many(r.errors));
    }
    let step_order = sort(model, &vars, false)?;
    let init_order = sort(model, &vars, true)?;
    mark_constants(&mut vars, &step_order);
    Ok(Resolved {
        vars,
        gfs: r.gfs,
        init_order,
        step_order,
        samples,
        delay_inputs,
        random_sites: lowered.random_sites,
        index: r.index,
    })
}

fn many(mut errors: Vec<Diagnostic>) -> EngineError {
    if errors.len() == 1 {
        EngineError::Model(errors.remove(0))
    } else {
        EngineError::Many(errors)
    }
}

impl Resolver<'_> {
    fn var_location(&self, source: usize) -> Location {
        self.model.variables[source].location
    }

    fn push(&mut self, location: Location, message: String) {
        self.errors.push(Diagnostic {
            file: self.model.file.clone(),
            location,
            message,
        });
    }

    fn at(&mut self, source: usize, span: Span, message: String) {
        let v = &self.model.variables[source];
        let location = match (&v.eqn, span.end) {
            (Some(eqn), end) if end > 0 => eqn.location_of(span.start),
            _ => v.location,
        };
        self.push(
            location,
            format!("in the equation of {:?}: {message}", v.name),
        );
    }

    fn expr(&mut self, e: &Expr, source: usize) -> RExpr {
        let sub = |r: &mut Self, e: &Expr| Box::new(r.expr(e, source));
        match e {
            Expr::Subscript(..) => unreachable!("flatten removes every subscript"),
            Expr::Num(v) => RExpr::Num(*v),
            Expr::Var(name, span) => {
                if let Some(&i) = self.index.get(name) {
                    return RExpr::Var(i);
                }
                match name.as_str() {
                    "time" => RExpr::Time,
                    "dt" => RExpr::Dt,
                    "starttime" => RExpr::Start,
                    "stoptime" => RExpr::Stop,
                    "pi" => RExpr::Num(std::f64::consts::PI),
                    "inf" => RExpr::Num(f64::INFINITY),
                    "nan" => RExpr::Num(f64::NAN),
                    _ => {
                        let hint = if self.gf_index.contains_key(name) {
                            " (it is a graphical function: call it as name(x))"
                        } else {
                            ""
                        };
                        self.at(source, *span, format!("unknown variable '{name}'{hint}"));
                        RExpr::Num(0.0)
                    }
                }
            }
            Expr::Unary(op, a) => RExpr::Unary(*op, sub(self, a)),
            Expr::Binary(op, a, b) => RExpr::Binary(*op, sub(self, a), sub(self, b)),
            Expr::If(c, a, b) => RExpr::If(sub(self, c), sub(self, a), sub(self, b)),
            Expr::Call(name, args, span) => self.call(name, args, *span, source),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], span: Span, source: usize) -> RExpr {
        let arg = |r: &mut Self, i: usize| Box::new(r.expr(&args[i], source));
        let func = match name {
            "ABS" => Func::Abs,
            "EXP" => Func::Exp,
            "LN" => Func::Ln,
            "LOG10" => Func::Log10,
            "SQRT" => Func::Sqrt,
            "SIN" => Func::Sin,
            "COS" => Func::Cos,
            "TAN" => Func::Tan,
            "ARCSIN" => Func::Arcsin,
            "ARCCOS" => Func::Arccos,
            "ARCTAN" => Func::Arctan,
            "INT" => Func::Int,
            "MIN" => Func::Min,
            "MAX" => Func::Max,
            "MOD" => Func::Mod,
            "SAFEDIV" => Func::SafeDiv,
            "STEP" => Func::Step,
            "RAMP" => Func::Ramp,
            "PULSE" => Func::Pulse,
            "PI" => return RExpr::Num(std::f64::consts::PI),
            "TIME" => return RExpr::Time,
            "DT" => return RExpr::Dt,
            "STARTTIME" => return RExpr::Start,
            "STOPTIME" => return RExpr::Stop,
            "IF_THEN_ELSE" => return RExpr::If(arg(self, 0), arg(self, 1), arg(self, 2)),
            "ROOTN" => Func::RootN,
            "LOGISTIC" | "NORMALCDF" | "INVNORM" => {
                // LOGISTIC(x, slope 1, midpoint 0); NORMALCDF/INVNORM(x, mean 0, sd 1).
                let defaults = if name == "LOGISTIC" {
                    [1.0, 0.0]
                } else {
                    [0.0, 1.0]
                };
                let mut full: Vec<RExpr> = args.iter().map(|a| self.expr(a, source)).collect();
                for &d in &defaults[full.len() - 1..] {
                    full.push(RExpr::Num(d));
                }
                let f = match name {
                    "LOGISTIC" => Func::Logistic,
                    "NORMALCDF" => Func::NormalCdf,
                    _ => Func::InvNorm,
                };
                return RExpr::Call(f, full);
            }
            "SINWAVE" | "COSWAVE" | "COUNTER" => {
                let clock = if name == "COUNTER" {
                    RExpr::Binary(BinOp::Sub, Box::new(RExpr::Time), Box::new(RExpr::Start))
                } else {
                    RExpr::Time
                };
                let f = match name {
                    "SINWAVE" => Func::SinWave,
                    "COSWAVE" => Func::CosWave,
                    _ => Func::Counter,
                };
                return RExpr::Call(f, vec![*arg(self, 0), *arg(self, 1), clock]);
            }
            "PERCENT" => {
                return RExpr::Binary(BinOp::Mul, arg(self, 0), Box::new(RExpr::Num(100.0)));
            }
            "INF" => return RExpr::Num(f64::INFINITY),
            "NAN" => return RExpr::Num(f64::NAN),
            "LOOKUP" | "LOOKUPINV" | "LOOKUPAREA" | "LOOKUPMEAN" => {
                let Some(g) = self.graphical_function(&args[0], name, span, source) else {
                    return RExpr::Num(0.0);
                };
                let (x0, x1) = {
                    let xs = &self.gfs[g].xs;
                    (
                        xs.first().copied().unwrap_or(f64::NAN),
                        xs.last().copied().unwrap_or(f64::NAN),
                    )
                };
                let (f, a, b) = match (name, args.len()) {
                    ("LOOKUP", _) => return RExpr::Lookup(g, arg(self, 1)),
                    ("LOOKUPINV", _) => (GfFn::Inverse, arg(self, 1), Box::new(RExpr::Num(0.0))),
                    ("LOOKUPAREA", _) => (GfFn::Area, arg(self, 1), arg(self, 2)),
                    // LOOKUPMEAN(gf): over all its x; LOOKUPMEAN(gf, x): from its first x to x.
                    (_, 1) => (
                        GfFn::Mean,
                        Box::new(RExpr::Num(x0)),
                        Box::new(RExpr::Num(x1)),
                    ),
                    (_, 2) => (GfFn::Mean, Box::new(RExpr::Num(x0)), arg(self, 1)),
                    _ => (GfFn::Mean, arg(self, 1), arg(self, 2)),
                };
                return RExpr::GfCall { f, gf: g, a, b };
            }
            DELAY_READ => {
                let line = match args[0] {
                    Expr::Num(v) => v as usize,
                    _ => unreachable!("lowering writes the line number"),
                };
                return RExpr::DelayRead {
                    line,
                    time: arg(self, 1),
                    init: arg(self, 2),
                };
            }
            RANDOM => {
                let (site, dist, seed) = match (&args[0], &args[1], args.get(5)) {
                    (Expr::Num(s), Expr::Num(k), seed) => (
                        *s as usize,
                        Dist::ALL[*k as usize],
                        seed.map(|e| match e {
                            Expr::Num(v) => *v as u64,
                            _ => unreachable!("lowering writes constant seeds"),
                        }),
                    ),
                    _ => unreachable!("lowering writes site and distribution"),
                };
                return RExpr::Random {
                    site,
                    dist,
                    params: Box::new([*arg(self, 2), *arg(self, 3), *arg(self, 4)]),
                    seed,
                };
            }
            other => unreachable!("lowering checked the function name {other}"),
        };
        let args = args.iter().map(|a| self.expr(a, source)).collect();
        RExpr::Call(func, args)
    }
}

impl Resolver<'_> {
    /// The graphical function a LOOKUP-family call names: a `<gf>` of its own, or a variable's.
    fn graphical_function(
        &mut self,
        table: &Expr,
        func: &str,
        span: Span,
        source: usize,
    ) -> Option<usize> {
        let table = match table {
            Expr::Var(n, _) => n.clone(),
            _ => String::new(),
        };
        let gf = if let Some(&g) = self.gf_index.get(&table) {
            Some(g)
        } else if let Some(&v) = self.index.get(&table) {
            self.model
                .variables
                .get(v)
                .and_then(|mv| mv.gf.clone())
                .map(|g| {
                    self.gfs.push(g);
                    self.gfs.len() - 1
                })
        } else {
            None
        };
        if gf.is_none() {
            let message = if table.is_empty() {
                format!("{func}: expected the name of a graphical function as first argument")
            } else {
                format!("{func}: '{table}' is not a graphical function")
            };
            self.at(source, span, message);
        }
        gf
    }
}

/// Visits every variable an expression reads at the same instant.
pub fn for_each_ref(e: &RExpr, f: &mut impl FnMut(usize)) {
    match e {
        RExpr::Var(i) => f(*i),
        RExpr::Num(_) | RExpr::Time | RExpr::Dt | RExpr::Start | RExpr::Stop => {}
        RExpr::Unary(_, a) | RExpr::Lookup(_, a) => for_each_ref(a, f),
        RExpr::Binary(_, a, b) => {
            for_each_ref(a, f);
            for_each_ref(b, f);
        }
        RExpr::If(c, a, b) => {
            for_each_ref(c, f);
            for_each_ref(a, f);
            for_each_ref(b, f);
        }
        RExpr::Call(_, args) => args.iter().for_each(|a| for_each_ref(a, f)),
        RExpr::DelayRead { time, init, .. } => {
            for_each_ref(time, f);
            for_each_ref(init, f);
        }
        RExpr::GfCall { a, b, .. } => {
            for_each_ref(a, f);
            for_each_ref(b, f);
        }
        RExpr::Random { params, .. } => params.iter().for_each(|a| for_each_ref(a, f)),
    }
}

fn is_stock(v: &RVar) -> bool {
    matches!(v.body, RBody::Stock { .. })
}

/// Topological order (Kahn). `init`: all variables by their initial-value dependencies;
/// otherwise flows and auxes by same-step dependencies (stocks are known at the start of a step).
fn sort(model: &ModelFile, vars: &[RVar], init: bool) -> Result<Vec<usize>> {
    let n = vars.len();
    let included: Vec<bool> = vars.iter().map(|v| init || !is_stock(v)).collect();
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pending = vec![0usize; n];
    for (i, v) in vars.iter().enumerate() {
        if !included[i] {
            continue;
        }
        let e = if init { v.init_expr() } else { v.expr() };
        let mut deps = Vec::new();
        for_each_ref(e, &mut |d| {
            if included[d] && (init || !is_stock(&vars[d])) {
                deps.push(d);
            }
        });
        deps.sort_unstable();
        deps.dedup();
        pending[i] = deps.len();
        for d in deps {
            users[d].push(i);
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut ready: Vec<usize> = (0..n)
        .rev()
        .filter(|&i| included[i] && pending[i] == 0)
        .collect();
    while let Some(i) = ready.pop() {
        order.push(i);
        for &u in users[i].iter().rev() {
            pending[u] -= 1;
            if pending[u] == 0 {
                ready.push(u);
            }
        }
    }
    let expected = included.iter().filter(|&&b| b).count();
    if order.len() == expected {
        return Ok(order);
    }
    let cycle = find_cycle(vars, &pending, init);
    let names: Vec<String> = cycle
        .iter()
        .map(|&i| format!("{:?}", vars[i].name))
        .collect();
    let first = &model.variables[vars[cycle[0]].source];
    let what = if init {
        "initial values form a loop"
    } else {
        "algebraic loop (no stock on it)"
    };
    Err(EngineError::at(
        &model.file,
        first.location,
        format!("{what}: {} -> {}", names.join(" -> "), names[0]),
    ))
}

/// Among the variables left with unmet dependencies, walks dependencies until one repeats.
fn find_cycle(vars: &[RVar], pending: &[usize], init: bool) -> Vec<usize> {
    let start = pending.iter().position(|&p| p > 0).unwrap_or(0);
    let mut path = vec![start];
    let mut seen_at = std::collections::HashMap::new();
    seen_at.insert(start, 0usize);
    let mut cur = start;
    loop {
        let e = if init {
            vars[cur].init_expr()
        } else {
            vars[cur].expr()
        };
        let mut next = None;
        for_each_ref(e, &mut |d| {
            if next.is_none() && pending[d] > 0 && (init || !is_stock(&vars[d])) {
                next = Some(d);
            }
        });
        let Some(n) = next else { return path };
        if let Some(&at) = seen_at.get(&n) {
            return path[at..].to_vec();
        }
        seen_at.insert(n, path.len());
        path.push(n);
        cur = n;
    }
}

fn time_varying(e: &RExpr) -> bool {
    match e {
        RExpr::Time | RExpr::DelayRead { .. } | RExpr::Random { .. } => true,
        RExpr::Call(
            Func::Step | Func::Ramp | Func::Pulse | Func::SinWave | Func::CosWave | Func::Counter,
            _,
        ) => true,
        RExpr::Num(_) | RExpr::Var(_) | RExpr::Dt | RExpr::Start | RExpr::Stop => false,
        RExpr::Unary(_, a) | RExpr::Lookup(_, a) => time_varying(a),
        RExpr::Binary(_, a, b) | RExpr::GfCall { a, b, .. } => time_varying(a) || time_varying(b),
        RExpr::If(c, a, b) => time_varying(c) || time_varying(a) || time_varying(b),
        RExpr::Call(_, args) => args.iter().any(time_varying),
    }
}

fn mark_constants(vars: &mut [RVar], step_order: &[usize]) {
    for &i in step_order {
        let RBody::Aux { expr, init, .. } = &vars[i].body else {
            continue;
        };
        // An ACTIVE INITIAL aux computes another equation after initialisation.
        let mut constant = !time_varying(expr) && init.is_none();
        for_each_ref(expr, &mut |d| constant &= vars[d].constant);
        vars[i].constant = constant;
    }
}
