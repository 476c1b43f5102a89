//! Stage 2b: parse every equation and lower the stateful built-ins (SMTH1/3/N, DELAY1/3/N,
//! TREND, FORCST, INIT, PREVIOUS, DELAY, NPV, ENDVAL) into small standard stock-and-flow
//! structures, so that later stages see only stocks, flows and auxes with pure expressions.
//! Random draws get a call site each (see [`Dist`] for the seed rule); PMT becomes arithmetic.

use std::collections::HashSet;

use super::ast::{Equation, GraphicalFunction, ModelFile, VarKind};
use super::error::{Diagnostic, EngineError, Location, Result};
use super::expr::{self, BinOp, Expr, Span};
use super::flatten::ACTIVE_INITIAL;

/// A variable after lowering: a user variable or one that a built-in introduced.
#[derive(Clone, Debug)]
pub struct LVar {
    pub name: String,
    pub ident: String,
    pub kind: VarKind,
    pub body: Body,
    /// Index of the model variable this came from (the variable itself, or its owner).
    pub source: usize,
    /// True for variables written in the file (these are the output columns).
    pub user: bool,
}

#[derive(Clone, Debug)]
pub enum Body {
    Stock {
        init: Expr,
        inflows: Vec<(String, Location)>,
        outflows: Vec<(String, Location)>,
        non_negative: bool,
    },
    Aux {
        expr: Expr,
        non_negative: bool,
        gf: Option<GraphicalFunction>,
        /// ACTIVE INITIAL: the value at initialisation, when it differs from `expr`.
        init: Option<Expr>,
    },
}

/// A pipeline delay: its input is recorded every step into a history buffer.
#[derive(Clone, Debug)]
pub struct DelayLine {
    pub input: String,
}

#[derive(Clone, Debug)]
pub struct Lowered {
    pub vars: Vec<LVar>,
    /// `(state, input)`: at the end of every step, `state` takes the value of `input` (PREVIOUS).
    pub samples: Vec<(String, String)>,
    pub delays: Vec<DelayLine>,
    /// Number of random-draw call sites.
    pub random_sites: usize,
}

/// The distribution of a random draw. Every call site (each RANDOM, UNIFORM, NORMAL, ...
/// written in the model) has its own generator, which gives one draw each time the equation is
/// evaluated (once per DT with Euler, four times with RK4). Seed rule: with a seed argument (a
/// constant), the site's generator starts from that seed, so the same seed gives the same
/// sequence in every run, and two sites given the same seed give the same sequence. Without one,
/// it starts from the run's seed (`Runner::seed`, `--seed`) mixed with the site's index (its order
/// in the file), so sites are independent of one another and a run repeats for a given run seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dist {
    /// NORMAL(mean, sd [, seed]).
    Normal,
    /// UNIFORM(min, max [, seed]) and RANDOM(min, max [, seed]): in [min, max).
    Uniform,
    /// LOGNORMAL(mean, sd [, seed]): mean and standard deviation of the draws themselves
    /// (not of their logarithm), as Stella documents.
    LogNormal,
    /// POISSON(mean [, seed]): a whole number of events with that mean.
    Poisson,
    /// TRIANGULAR(min, mode, max [, seed]).
    Triangular,
    /// WEIBULL(shape, scale [, seed]): mean scale * Γ(1 + 1/shape).
    Weibull,
    /// PARETO(shape, scale [, seed]): at least scale; mean shape * scale / (shape - 1).
    Pareto,
    /// NEGBINOMIAL(successes, p [, seed]): failures before the given number of successes, each
    /// trial succeeding with probability p; mean successes * (1 - p) / p.
    NegBinomial,
}

impl Dist {
    pub const ALL: [Dist; 8] = [
        Dist::Normal,
        Dist::Uniform,
        Dist::LogNormal,
        Dist::Poisson,
        Dist::Triangular,
        Dist::Weibull,
        Dist::Pareto,
        Dist::NegBinomial,
    ];

    /// The distribution a built-in name draws from, with its number of parameters.
    pub fn of(name: &str) -> Option<(Dist, usize)> {
        Some(match name {
            "NORMAL" => (Dist::Normal, 2),
            "UNIFORM" | "RANDOM" => (Dist::Uniform, 2),
            "LOGNORMAL" => (Dist::LogNormal, 2),
            "POISSON" => (Dist::Poisson, 1),
            "TRIANGULAR" => (Dist::Triangular, 3),
            "WEIBULL" => (Dist::Weibull, 2),
            "PARETO" => (Dist::Pareto, 2),
            "NEGBINOMIAL" => (Dist::NegBinomial, 2),
            _ => return None,
        })
    }
}

/// Internal call that reads a delay line: `DELAY_READ(line, delay time, initial)`.
pub const DELAY_READ: &str = "\u{0}DELAY_READ";
/// Internal call for a random draw: `RANDOM(site, distribution index in Dist::ALL, p1, p2, p3,
/// seed?)`, parameters padded with zeros to three.
pub const RANDOM: &str = "\u{0}RANDOM";

/// Pure built-ins and their arity (min, max).
pub fn pure_arity(name: &str) -> Option<(usize, usize)> {
    Some(match name {
        "ABS" | "EXP" | "LN" | "LOG10" | "SQRT" | "SIN" | "COS" | "TAN" | "ARCSIN" | "ARCCOS"
        | "ARCTAN" | "INT" | "PERCENT" => (1, 1),
        "MIN" | "MAX" => (2, usize::MAX),
        "ROOTN" | "SINWAVE" | "COSWAVE" | "COUNTER" => (2, 2),
        "LOGISTIC" | "NORMALCDF" | "INVNORM" => (1, 3),
        "LOOKUPINV" => (2, 2),
        "LOOKUPAREA" => (3, 3),
        "LOOKUPMEAN" => (1, 3),
        "MOD" => (2, 2),
        "SAFEDIV" => (2, 3),
        "STEP" => (2, 2),
        "RAMP" => (2, 3),
        "PULSE" => (1, 3),
        "LOOKUP" => (2, 2),
        "IF_THEN_ELSE" => (3, 3),
        "PI" | "TIME" | "DT" | "STARTTIME" | "STOPTIME" | "INF" | "NAN" => (0, 0),
        _ => return None,
    })
}

fn stateful_arity(name: &str) -> Option<(usize, usize)> {
    Some(match name {
        "INIT" => (1, 1),
        "PREVIOUS" => (1, 2),
        "SMTH1" | "SMTH3" | "DELAY" | "DELAY1" | "DELAY3" | "TREND" => (2, 3),
        "SMTHN" | "DELAYN" | "FORCST" => (3, 4),
        "NPV" => (2, 4),
        "PMT" => (3, 5),
        "ENDVAL" => (1, 2),
        _ => match Dist::of(name) {
            Some((_, params)) => (params, params + 1),
            None => return None,
        },
    })
}

/// Built-ins whose first argument names a graphical function rather than giving a value.
fn takes_gf(name: &str) -> bool {
    matches!(name, "LOOKUP" | "LOOKUPINV" | "LOOKUPAREA" | "LOOKUPMEAN")
}

fn num(v: f64) -> Expr {
    Expr::Num(v)
}
fn var(ident: &str) -> Expr {
    Expr::Var(ident.to_string(), Span { start: 0, end: 0 })
}
fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

struct Lowerer<'m> {
    model: &'m ModelFile,
    out: Lowered,
    /// Which model variable's equation is being lowered (for locations and names).
    current: usize,
    /// Identifiers of the model's variables, and of those callable as graphical functions.
    variable_idents: HashSet<String>,
    gf_idents: HashSet<String>,
    counter: usize,
    errors: Vec<Diagnostic>,
}

/// Parses every equation of `model` and lowers stateful built-ins.
pub fn lower(model: &ModelFile) -> Result<Lowered> {
    let mut l = Lowerer {
        model,
        out: Lowered {
            vars: Vec::new(),
            samples: Vec::new(),
            delays: Vec::new(),
            random_sites: 0,
        },
        current: 0,
        variable_idents: model.variables.iter().map(|v| v.ident.clone()).collect(),
        gf_idents: model
            .named_gfs
            .iter()
            .map(|g| g.ident.clone())
            .chain(
                model
                    .variables
                    .iter()
                    .filter(|v| v.gf.is_some())
                    .map(|v| v.ident.clone()),
            )
            .collect(),
        counter: 0,
        errors: Vec::new(),
    };
    // User variables first, in file order: their indices are the output columns.
    let mut parsed = Vec::with_capacity(model.variables.len());
    for (i, v) in model.variables.iter().enumerate() {
        let e = match (&v.parsed, &v.eqn) {
            (Some(e), _) => Some(e.clone()),
            (None, Some(eqn)) => match super::limits::parse_equation(&eqn.text) {
                Ok(e) => Some(e),
                Err(err) => {
                    l.errors.push(Diagnostic {
                        file: model.file.clone(),
                        location: eqn.location_of(err.offset),
                        message: format!("in the equation of {:?}: {}", v.name, err.message),
                    });
                    None
                }
            },
            (None, None) => unreachable!("flatten gives every variable an equation"),
        };
        parsed.push(e);
        l.out.vars.push(LVar {
            name: v.name.clone(),
            ident: v.ident.clone(),
            kind: v.kind,
            body: Body::Aux {
                expr: num(0.0),
                non_negative: false,
                gf: None,
                init: None,
            },
            source: i,
            user: !super::flatten::is_hidden(v),
        });
    }
    for (i, e) in parsed.into_iter().enumerate() {
        let Some(e) = e else { continue };
        l.current = i;
        let e = l.expr(e);
        let v = &model.variables[i];
        l.out.vars[i].body = match v.kind {
            VarKind::Stock => Body::Stock {
                init: e,
                inflows: v
                    .inflows
                    .iter()
                    .map(|(n, loc)| (super::ast::canonical_name(n), *loc))
                    .collect(),
                outflows: v
                    .outflows
                    .iter()
                    .map(|(n, loc)| (super::ast::canonical_name(n), *loc))
                    .collect(),
                non_negative: v.non_negative,
            },
            _ => {
                let (expr, init) = match e {
                    Expr::Call(name, mut args, _) if name == ACTIVE_INITIAL && args.len() == 2 => {
                        let initial = args.pop().expect("two");
                        (args.pop().expect("two"), Some(initial))
                    }
                    other => (other, None),
                };
                Body::Aux {
                    expr,
                    non_negative: v.non_negative && v.kind == VarKind::Flow,
                    gf: v.gf.clone(),
                    init,
                }
            }
        };
    }
    match l.errors.len() {
        0 => Ok(l.out),
        1 => Err(EngineError::Model(l.errors.remove(0))),
        _ => Err(EngineError::Many(l.errors)),
    }
}

impl Lowerer<'_> {
    fn equation(&self) -> Option<&Equation> {
        self.model.variables[self.current].eqn.as_ref()
    }

    fn error(&mut self, span: Span, message: String) {
        let v = &self.model.variables[self.current];
        let location = match self.equation() {
            Some(eqn) => eqn.location_of(span.start),
            None => v.location,
        };
        self.errors.push(Diagnostic {
            file: self.model.file.clone(),
            location,
            message: format!("in the equation of {:?}: {message}", v.name),
        });
    }

    fn fresh(&mut self, what: &str) -> (String, String) {
        self.counter += 1;
        let owner = &self.model.variables[self.current];
        let ident = format!("\u{0}{}.{}{}", owner.ident, what, self.counter);
        let name = format!("{} ({} #{})", owner.name, what, self.counter);
        (ident, name)
    }

    fn push(&mut self, ident: &str, name: String, kind: VarKind, body: Body) {
        self.out.vars.push(LVar {
            name,
            ident: ident.to_string(),
            kind,
            body,
            source: self.current,
            user: false,
        });
    }

    fn aux(&mut self, what: &str, e: Expr) -> String {
        let (ident, name) = self.fresh(what);
        self.push(
            &ident,
            name,
            VarKind::Aux,
            Body::Aux {
                expr: e,
                non_negative: false,
                gf: None,
                init: None,
            },
        );
        ident
    }

    fn flow(&mut self, what: &str, e: Expr) -> String {
        let (ident, name) = self.fresh(what);
        self.push(
            &ident,
            name,
            VarKind::Flow,
            Body::Aux {
                expr: e,
                non_negative: false,
                gf: None,
                init: None,
            },
        );
        ident
    }

    fn stock(&mut self, what: &str, init: Expr, inflows: &[&str], outflows: &[&str]) -> String {
        let (ident, name) = self.fresh(what);
        let list = |v: &[&str]| {
            v.iter()
                .map(|s| (s.to_string(), Location::default()))
                .collect()
        };
        self.push(
            &ident,
            name,
            VarKind::Stock,
            Body::Stock {
                init,
                inflows: list(inflows),
                outflows: list(outflows),
                non_negative: false,
            },
        );
        ident
    }

    /// An argument used more than once becomes a variable of its own, so it is computed once.
    fn hoist(&mut self, what: &str, e: Expr) -> Expr {
        match e {
            Expr::Num(_) | Expr::Var(..) => e,
            other => var(&self.aux(what, other)),
        }
    }

    /// Like `hoist`, but always yields a variable's slot (not TIME or another built-in name), for
    /// built-ins that record their input every step.
    fn hoist_to_variable(&mut self, what: &str, e: Expr) -> Expr {
        match &e {
            Expr::Num(_) => e,
            Expr::Var(name, _) if self.variable_idents.contains(name) => e,
            _ => var(&self.aux(what, e)),
        }
    }

    fn expr(&mut self, e: Expr) -> Expr {
        match e {
            // SELF (Stella) names the variable whose equation it is, unless a variable has that name.
            Expr::Var(name, span) if name == "self" && !self.variable_idents.contains("self") => {
                Expr::Var(self.model.variables[self.current].ident.clone(), span)
            }
            Expr::Num(_) | Expr::Var(..) => e,
            Expr::Unary(op, a) => Expr::Unary(op, Box::new(self.expr(*a))),
            Expr::Binary(op, a, b) => {
                let a = self.expr(*a);
                let b = self.expr(*b);
                Expr::Binary(op, Box::new(a), Box::new(b))
            }
            Expr::If(c, a, b) => {
                let c = self.expr(*c);
                let a = self.expr(*a);
                let b = self.expr(*b);
                Expr::If(Box::new(c), Box::new(a), Box::new(b))
            }
            Expr::Call(name, args, span) if name == ACTIVE_INITIAL => {
                let args = args.into_iter().map(|a| self.expr(a)).collect();
                Expr::Call(name, args, span)
            }
            Expr::Call(name, args, span) => self.call(name, args, span),
            Expr::Subscript(name, _, span) => {
                self.error(span, format!("'{name}' takes no subscript here"));
                num(0.0)
            }
        }
    }

    fn call(&mut self, name: String, args: Vec<Expr>, span: Span) -> Expr {
        let upper = name.to_ascii_uppercase();
        let ident = super::ast::canonical_name(&name);
        let is_gf = self.gf_idents.contains(&ident);
        // LOOKUP's first argument names a graphical function, not a value: it stays a name.
        let args: Vec<Expr> = args
            .into_iter()
            .enumerate()
            .map(|(k, a)| {
                if k == 0 && takes_gf(&upper) {
                    a
                } else {
                    self.expr(a)
                }
            })
            .collect();
        if pure_arity(&upper).is_none() && stateful_arity(&upper).is_none() && is_gf {
            if args.len() != 1 {
                self.error(
                    span,
                    format!(
                        "graphical function '{name}' takes 1 argument, found {}",
                        args.len()
                    ),
                );
                return num(0.0);
            }
            return Expr::Call(
                "LOOKUP".into(),
                vec![
                    Expr::Var(ident, span),
                    args.into_iter().next().expect("one"),
                ],
                span,
            );
        }
        let arity = pure_arity(&upper).or_else(|| stateful_arity(&upper));
        let Some((lo, hi)) = arity else {
            self.error(span, format!("unknown function '{name}'"));
            return num(0.0);
        };
        if args.len() < lo || args.len() > hi {
            let expected = if lo == hi {
                format!("{lo}")
            } else if hi == usize::MAX {
                format!("at least {lo}")
            } else {
                format!("{lo} to {hi}")
            };
            self.error(
                span,
                format!("{upper} takes {expected} arguments, found {}", args.len()),
            );
            return num(0.0);
        }
        if pure_arity(&upper).is_some() {
            return Expr::Call(upper, args, span);
        }
        self.stateful(&upper, args, span)
    }

    fn order(&mut self, e: &Expr, fname: &str, span: Span) -> Option<usize> {
        match const_value(e) {
            Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 1000.0 => Some(n as usize),
            _ => {
                self.error(span, format!("{fname}: the order must be a whole number from 1 to 1000 written as a constant"));
                None
            }
        }
    }

    fn stateful(&mut self, f: &str, args: Vec<Expr>, span: Span) -> Expr {
        let mut it = args.into_iter();
        let mut next = || it.next();
        match f {
            "INIT" => {
                let x = next().expect("arity checked");
                var(&self.stock("init", x, &[], &[]))
            }
            "PREVIOUS" => {
                let x = self.hoist_to_variable("previous input", next().expect("arity checked"));
                // Without an initial value, PREVIOUS starts at 0 (as the corpus's reference
                // outputs from Simlin show: vector_snapshot_operand's `captured`).
                let init = next().unwrap_or(num(0.0));
                let state = self.stock("previous", init, &[], &[]);
                let Expr::Var(input, _) = x else {
                    // A number: its previous value is itself (after the first step).
                    return x;
                };
                self.out.samples.push((state.clone(), input));
                var(&state)
            }
            "SMTH1" | "SMTH3" | "SMTHN" => {
                let input = self.hoist("smooth input", next().expect("arity checked"));
                let time = self.hoist("smooth time", next().expect("arity checked"));
                let n = match f {
                    "SMTH1" => 1,
                    "SMTH3" => 3,
                    _ => match self.order(&next().expect("arity checked"), f, span) {
                        Some(n) => n,
                        None => return num(0.0),
                    },
                };
                let init = next()
                    .map(|e| self.hoist("smooth initial", e))
                    .unwrap_or_else(|| input.clone());
                self.smooth_chain(input, time, n, init)
            }
            "DELAY1" | "DELAY3" | "DELAYN" => {
                let input = self.hoist("delay input", next().expect("arity checked"));
                let time = self.hoist("delay time", next().expect("arity checked"));
                let n = match f {
                    "DELAY1" => 1,
                    "DELAY3" => 3,
                    _ => match self.order(&next().expect("arity checked"), f, span) {
                        Some(n) => n,
                        None => return num(0.0),
                    },
                };
                let init = next()
                    .map(|e| self.hoist("delay initial", e))
                    .unwrap_or_else(|| input.clone());
                self.material_delay(input, time, n, init)
            }
            "DELAY" => {
                let input = self.hoist_to_variable("delay input", next().expect("arity checked"));
                let time = next().expect("arity checked");
                let (input, init) = match (input, next()) {
                    // A constant delayed is the same constant, once the initial value has run out.
                    (Expr::Num(v), Some(init)) => (var(&self.aux("delay input", num(v))), init),
                    (input, init) => {
                        let init = init.unwrap_or_else(|| input.clone());
                        (input, init)
                    }
                };
                let Expr::Var(input_ident, _) = input else {
                    return input; // a constant delayed without an initial value is itself
                };
                let init_state = self.stock("delay initial", init, &[], &[]);
                let line = self.out.delays.len();
                self.out.delays.push(DelayLine { input: input_ident });
                Expr::Call(
                    DELAY_READ.into(),
                    vec![num(line as f64), time, var(&init_state)],
                    span,
                )
            }
            "TREND" | "FORCST" => {
                let input = self.hoist("trend input", next().expect("arity checked"));
                let time = self.hoist("trend time", next().expect("arity checked"));
                let horizon = if f == "FORCST" {
                    Some(next().expect("arity checked"))
                } else {
                    None
                };
                let initial_trend = next().unwrap_or(num(0.0));
                // average = SMTH1(input, time, input / (1 + initial trend * time))
                let avg_init = bin(
                    BinOp::Div,
                    input.clone(),
                    bin(
                        BinOp::Add,
                        num(1.0),
                        bin(BinOp::Mul, initial_trend, time.clone()),
                    ),
                );
                let avg_init = self.hoist("trend initial", avg_init);
                let average = self.smooth_chain(input.clone(), time.clone(), 1, avg_init);
                let trend = Expr::Call(
                    "SAFEDIV".into(),
                    vec![
                        bin(BinOp::Sub, input.clone(), average.clone()),
                        bin(BinOp::Mul, time, average),
                    ],
                    span,
                );
                match horizon {
                    None => trend,
                    Some(h) => bin(
                        BinOp::Mul,
                        input,
                        bin(BinOp::Add, num(1.0), bin(BinOp::Mul, trend, h)),
                    ),
                }
            }
            "NPV" => {
                let stream = next().expect("arity checked");
                let rate = next().expect("arity checked");
                let initial = next().unwrap_or(num(0.0));
                let factor = next().unwrap_or(num(1.0));
                self.npv(stream, rate, initial, factor)
            }
            "PMT" => {
                let rate = next().expect("arity checked");
                let periods = next().expect("arity checked");
                let present = next().expect("arity checked");
                let future = next().unwrap_or(num(0.0));
                let due = next().unwrap_or(num(0.0));
                self.pmt(rate, periods, present, future, due, span)
            }
            "ENDVAL" => {
                // A single run has no previous run to take the end value from: the default, or
                // else the value the variable starts with.
                let x = next().expect("arity checked");
                match next() {
                    Some(default) => default,
                    None => var(&self.stock("endval", x, &[], &[])),
                }
            }
            _ => {
                let (dist, params) = Dist::of(f).expect("stateful_arity lists exactly these");
                let site = self.out.random_sites;
                self.out.random_sites += 1;
                let code = Dist::ALL.iter().position(|d| *d == dist).expect("listed");
                let mut args = vec![num(site as f64), num(code as f64)];
                for _ in 0..params {
                    args.push(next().expect("arity checked"));
                }
                args.resize(5, num(0.0));
                if let Some(seed) = next() {
                    match const_value(&seed) {
                        Some(s) if s.is_finite() => args.push(num(s)),
                        _ => {
                            self.error(
                                span,
                                format!("{f}: the seed must be a number written as a constant"),
                            );
                            return num(0.0);
                        }
                    }
                }
                Expr::Call(RANDOM.into(), args, span)
            }
        }
    }

    /// NPV as Vensim and PySD build it: a discount factor `df` that starts at 1 and falls by the
    /// factor 1 / (1 + rate * DT) every step, an accumulator of `stream * df` that starts at
    /// `initial`, and the result `(accumulated + stream * df * DT) * factor`, which counts the
    /// stream up to and including the current step.
    fn npv(&mut self, stream: Expr, rate: Expr, initial: Expr, factor: Expr) -> Expr {
        let stream = self.hoist("npv stream", stream);
        let rate = self.hoist("npv rate", rate);
        let dt = || Expr::Call("DT".into(), Vec::new(), Span { start: 0, end: 0 });
        let (df_ident, df_name) = self.fresh("npv discount factor");
        let discounting = bin(
            BinOp::Div,
            bin(BinOp::Mul, var(&df_ident), rate.clone()),
            bin(BinOp::Add, num(1.0), bin(BinOp::Mul, rate, dt())),
        );
        let discounting = self.flow("npv discounting", discounting);
        self.push(
            &df_ident,
            df_name,
            VarKind::Stock,
            Body::Stock {
                init: num(1.0),
                inflows: Vec::new(),
                outflows: vec![(discounting, Location::default())],
                non_negative: false,
            },
        );
        let discounted = bin(BinOp::Mul, stream, var(&df_ident));
        let discounted = self.hoist("npv discounted stream", discounted);
        let inflow = self.flow("npv inflow", discounted.clone());
        let accumulated = self.stock("npv accumulated", initial, &[&inflow], &[]);
        bin(
            BinOp::Mul,
            bin(
                BinOp::Add,
                var(&accumulated),
                bin(BinOp::Mul, discounted, dt()),
            ),
            factor,
        )
    }

    /// PMT as in spreadsheets: the payment per period that pays off `present` (and leaves
    /// `future`) over `periods` periods at `rate` per period, paid at the end of each period
    /// (`due` = 0) or at the start (`due` = 1); negative for a positive loan.
    /// PMT = -(rate * (present * (1 + rate)^periods + future)) /
    ///       ((1 + rate * due) * ((1 + rate)^periods - 1)), and -(present + future) / periods at
    /// a zero rate.
    fn pmt(
        &mut self,
        rate: Expr,
        periods: Expr,
        present: Expr,
        future: Expr,
        due: Expr,
        span: Span,
    ) -> Expr {
        let rate = self.hoist("pmt rate", rate);
        let periods = self.hoist("pmt periods", periods);
        let present = self.hoist("pmt present value", present);
        let future = self.hoist("pmt future value", future);
        let growth = bin(
            BinOp::Pow,
            bin(BinOp::Add, num(1.0), rate.clone()),
            periods.clone(),
        );
        let growth = self.hoist("pmt growth", growth);
        let neg = |e: Expr| Expr::Unary(expr::UnOp::Neg, Box::new(e));
        let with_rate = bin(
            BinOp::Div,
            neg(bin(
                BinOp::Mul,
                rate.clone(),
                bin(
                    BinOp::Add,
                    bin(BinOp::Mul, present.clone(), growth.clone()),
                    future.clone(),
                ),
            )),
            bin(
                BinOp::Mul,
                bin(BinOp::Add, num(1.0), bin(BinOp::Mul, rate.clone(), due)),
                bin(BinOp::Sub, growth, num(1.0)),
            ),
        );
        let without_rate = bin(BinOp::Div, neg(bin(BinOp::Add, present, future)), periods);
        Expr::Call(
            "IF_THEN_ELSE".into(),
            vec![bin(BinOp::Eq, rate, num(0.0)), without_rate, with_rate],
            span,
        )
    }

    /// n first-order smooths in cascade, each with time `time / n`; returns the last stage.
    fn smooth_chain(&mut self, input: Expr, time: Expr, n: usize, init: Expr) -> Expr {
        let stage_time = if n == 1 {
            time
        } else {
            bin(BinOp::Div, time, num(n as f64))
        };
        let stage_time = self.hoist("smooth stage time", stage_time);
        let mut upstream = input;
        for _ in 0..n {
            let (stock_ident, stock_name) = self.fresh("smooth stage");
            let change = bin(
                BinOp::Div,
                bin(BinOp::Sub, upstream.clone(), var(&stock_ident)),
                stage_time.clone(),
            );
            let flow = self.flow("smooth change", change);
            self.push(
                &stock_ident,
                stock_name,
                VarKind::Stock,
                Body::Stock {
                    init: init.clone(),
                    inflows: vec![(flow, Location::default())],
                    outflows: Vec::new(),
                    non_negative: false,
                },
            );
            upstream = var(&stock_ident);
        }
        upstream
    }

    /// n stocks in series, each holding `time / n` of throughput; returns the outflow of the last.
    fn material_delay(&mut self, input: Expr, time: Expr, n: usize, init: Expr) -> Expr {
        let stage_time = if n == 1 {
            time
        } else {
            bin(BinOp::Div, time, num(n as f64))
        };
        let stage_time = self.hoist("delay stage time", stage_time);
        let mut inflow = self.flow("delay inflow", input);
        for _ in 0..n {
            let (stock_ident, stock_name) = self.fresh("delay stage");
            let outflow = self.flow(
                "delay outflow",
                bin(BinOp::Div, var(&stock_ident), stage_time.clone()),
            );
            self.push(
                &stock_ident,
                stock_name,
                VarKind::Stock,
                Body::Stock {
                    init: bin(BinOp::Mul, init.clone(), stage_time.clone()),
                    inflows: vec![(inflow, Location::default())],
                    outflows: vec![(outflow.clone(), Location::default())],
                    non_negative: false,
                },
            );
            inflow = outflow;
        }
        var(&inflow)
    }
}

/// The value of an expression made only of numbers and arithmetic.
pub fn const_value(e: &Expr) -> Option<f64> {
    match e {
        Expr::Num(v) => Some(*v),
        Expr::Unary(expr::UnOp::Neg, a) => const_value(a).map(|v| -v),
        Expr::Binary(op, a, b) => {
            let (a, b) = (const_value(a)?, const_value(b)?);
            match op {
                BinOp::Add => Some(a + b),
                BinOp::Sub => Some(a - b),
                BinOp::Mul => Some(a * b),
                BinOp::Div => Some(a / b),
                _ => None,
            }
        }
        _ => None,
    }
}
