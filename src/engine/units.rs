//! Dimensional consistency. Each variable's `<units>` is parsed into base units with integer
//! exponents; each equation's units are inferred and compared with the declared ones, and each
//! stock's flows must be in the stock's units per time unit. Findings are warnings (the CLI's
//! `--strict-units` makes them errors). Numbers adapt to any unit; undeclared units are unknown
//! and never reported.

use std::collections::{BTreeMap, HashMap};

use super::ast::ModelFile;
use super::error::Diagnostic;
use super::expr::{BinOp, UnOp};
use super::resolve::{Func, RBody, RExpr, Resolved};

/// Base unit name → exponent. Empty is dimensionless.
pub type Dims = BTreeMap<String, i32>;

#[derive(Clone, Debug, PartialEq)]
enum U {
    /// A number or anything we cannot tell: matches every unit.
    Any,
    Known(Dims),
}

/// Parses a unit expression such as `people/day`, `RMB * 1e6 / year`, `dmnl`, `1/day^2`.
pub fn parse_units(text: &str, aliases: &HashMap<String, String>) -> Option<Dims> {
    let text = text.replace(" per ", "/");
    let mut dims = Dims::new();
    let mut sign = 1;
    let mut token = String::new();
    let flush = |token: &mut String, sign: i32, dims: &mut Dims| -> Option<()> {
        let t = token.trim().to_lowercase();
        token.clear();
        if t.is_empty() {
            return Some(());
        }
        let (name, power) = match t.split_once('^') {
            Some((n, p)) => (n.trim().to_string(), p.trim().parse::<i32>().ok()?),
            None => (t, 1),
        };
        if name.parse::<f64>().is_ok()
            || matches!(
                name.as_str(),
                "dmnl" | "dimensionless" | "unitless" | "fraction" | "percent" | "index"
            )
        {
            return Some(());
        }
        let base = aliases
            .get(&name)
            .cloned()
            .unwrap_or_else(|| singular(&name));
        *dims.entry(base).or_insert(0) += sign * power;
        Some(())
    };
    for ch in text.chars() {
        match ch {
            '*' => {
                flush(&mut token, sign, &mut dims)?;
                sign = 1;
            }
            '/' => {
                flush(&mut token, sign, &mut dims)?;
                sign = -1;
            }
            '(' | ')' => {}
            c => token.push(c),
        }
    }
    flush(&mut token, sign, &mut dims)?;
    dims.retain(|_, p| *p != 0);
    Some(dims)
}

/// `days` → `day`, `people` → `person`; leaves other names alone.
fn singular(name: &str) -> String {
    match name {
        "people" | "persons" => "person".into(),
        "days" | "months" | "years" | "weeks" | "hours" | "minutes" | "seconds" | "trucks"
        | "trips" | "visitors" | "projects" | "drivers" | "items" => {
            name[..name.len() - 1].to_string()
        }
        _ => name.to_string(),
    }
}

fn show(d: &Dims) -> String {
    if d.is_empty() {
        return "dimensionless".into();
    }
    let part = |pos: bool| {
        d.iter()
            .filter(|(_, p)| (**p > 0) == pos)
            .map(|(n, p)| {
                if p.abs() == 1 {
                    n.clone()
                } else {
                    format!("{n}^{}", p.abs())
                }
            })
            .collect::<Vec<_>>()
            .join("*")
    };
    let (num, den) = (part(true), part(false));
    match (num.is_empty(), den.is_empty()) {
        (_, true) => num,
        (true, false) => format!("1/{den}"),
        _ => format!("{num}/{den}"),
    }
}

fn combine(a: &Dims, b: &Dims, sign: i32) -> Dims {
    let mut out = a.clone();
    for (n, p) in b {
        *out.entry(n.clone()).or_insert(0) += sign * p;
    }
    out.retain(|_, p| *p != 0);
    out
}

struct Checker<'a> {
    declared: Vec<Option<Dims>>,
    time: Option<Dims>,
    r: &'a Resolved,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn same(&mut self, a: U, b: U, what: &str) -> U {
        match (a, b) {
            (U::Known(x), U::Known(y)) if x != y => {
                self.problems
                    .push(format!("{what}: {} and {} differ", show(&x), show(&y)));
                U::Known(x)
            }
            (U::Known(x), _) | (_, U::Known(x)) => U::Known(x),
            _ => U::Any,
        }
    }

    fn dimensionless(&mut self, a: U, what: &str) {
        if let U::Known(d) = a
            && !d.is_empty()
        {
            self.problems.push(format!(
                "{what} expects a dimensionless argument, found {}",
                show(&d)
            ));
        }
    }

    fn time(&self) -> U {
        self.time.clone().map_or(U::Any, U::Known)
    }

    fn infer(&mut self, e: &RExpr) -> U {
        match e {
            RExpr::Num(_) | RExpr::Random { .. } => U::Any,
            RExpr::Var(i) => match &self.declared[*i] {
                Some(d) => U::Known(d.clone()),
                None => U::Any,
            },
            RExpr::Time | RExpr::Dt | RExpr::Start | RExpr::Stop => self.time(),
            RExpr::Unary(UnOp::Neg, a) => self.infer(a),
            RExpr::Unary(UnOp::Not, _) => U::Known(Dims::new()),
            RExpr::Binary(op, a, b) => {
                let (x, y) = (self.infer(a), self.infer(b));
                match op {
                    BinOp::Add | BinOp::Sub => self.same(x, y, "adding or subtracting"),
                    BinOp::Mul | BinOp::Div => match (x, y) {
                        (U::Known(x), U::Known(y)) => {
                            U::Known(combine(&x, &y, if *op == BinOp::Mul { 1 } else { -1 }))
                        }
                        _ => U::Any,
                    },
                    BinOp::Pow => match (x, b.as_ref()) {
                        (U::Known(d), RExpr::Num(p)) if p.fract() == 0.0 => U::Known(
                            d.iter()
                                .map(|(n, e)| (n.clone(), e * *p as i32))
                                .filter(|(_, e)| *e != 0)
                                .collect(),
                        ),
                        (x, _) => {
                            self.dimensionless(x, "a power with a non-integer exponent");
                            U::Any
                        }
                    },
                    BinOp::Mod => x,
                    _ => {
                        if !matches!(op, BinOp::And | BinOp::Or) {
                            self.same(x, y, "comparing");
                        }
                        U::Known(Dims::new())
                    }
                }
            }
            RExpr::If(_, a, b) => {
                let (x, y) = (self.infer(a), self.infer(b));
                self.same(x, y, "the branches of IF THEN ELSE")
            }
            RExpr::Call(f, args) => {
                let units: Vec<U> = args.iter().map(|a| self.infer(a)).collect();
                match f {
                    Func::Abs | Func::Int => units[0].clone(),
                    Func::Min | Func::Max => {
                        let mut acc = units[0].clone();
                        for u in &units[1..] {
                            acc = self.same(acc, u.clone(), "MIN/MAX arguments");
                        }
                        acc
                    }
                    Func::Exp
                    | Func::Ln
                    | Func::Log10
                    | Func::Sin
                    | Func::Cos
                    | Func::Tan
                    | Func::Arcsin
                    | Func::Arccos
                    | Func::Arctan => {
                        self.dimensionless(units[0].clone(), "a transcendental function");
                        U::Known(Dims::new())
                    }
                    Func::Sqrt => match &units[0] {
                        U::Known(d) if d.values().all(|p| p % 2 == 0) => {
                            U::Known(d.iter().map(|(n, p)| (n.clone(), p / 2)).collect())
                        }
                        _ => U::Any,
                    },
                    Func::Mod => units[0].clone(),
                    Func::SafeDiv => match (&units[0], &units[1]) {
                        (U::Known(x), U::Known(y)) => U::Known(combine(x, y, -1)),
                        _ => U::Any,
                    },
                    Func::Step => units[0].clone(),
                    Func::Ramp => match (&units[0], self.time()) {
                        (U::Known(s), U::Known(t)) => U::Known(combine(s, &t, 1)),
                        _ => U::Any,
                    },
                    Func::Pulse => match (&units[0], self.time()) {
                        (U::Known(v), U::Known(t)) => U::Known(combine(v, &t, -1)),
                        _ => U::Any,
                    },
                    // x^(1/n): known when n is a whole number that divides every exponent.
                    Func::RootN => match (&units[0], &args[1]) {
                        (U::Known(d), RExpr::Num(n))
                            if n.fract() == 0.0
                                && *n != 0.0
                                && d.values().all(|p| p % (*n as i32) == 0) =>
                        {
                            U::Known(d.iter().map(|(k, p)| (k.clone(), p / *n as i32)).collect())
                        }
                        (U::Known(d), _) if d.is_empty() => U::Known(Dims::new()),
                        _ => U::Any,
                    },
                    // slope * (x - midpoint) is a number: slope in 1/(units of x).
                    Func::Logistic => {
                        self.same(
                            units[0].clone(),
                            units[2].clone(),
                            "LOGISTIC's x and midpoint",
                        );
                        U::Known(Dims::new())
                    }
                    Func::NormalCdf => {
                        let x =
                            self.same(units[0].clone(), units[1].clone(), "NORMALCDF's x and mean");
                        self.same(x, units[2].clone(), "NORMALCDF's x and sd");
                        U::Known(Dims::new())
                    }
                    Func::InvNorm => {
                        self.dimensionless(units[0].clone(), "INVNORM's probability");
                        self.same(units[1].clone(), units[2].clone(), "INVNORM's mean and sd")
                    }
                    Func::SinWave | Func::CosWave => {
                        let t = self.time();
                        self.same(units[1].clone(), t, "the wave's period and time");
                        units[0].clone()
                    }
                    Func::Counter => self.same(
                        units[0].clone(),
                        units[1].clone(),
                        "COUNTER's start and end",
                    ),
                }
            }
            // A graphical function's output takes the units of the variable it defines.
            RExpr::Lookup(..) | RExpr::GfCall { .. } => U::Any,
            RExpr::DelayRead { init, .. } => self.infer(init),
        }
    }
}

/// Checks every equation of the model; returns one warning per inconsistency.
pub fn check(model: &ModelFile, r: &Resolved) -> Vec<Diagnostic> {
    let mut aliases = HashMap::new();
    for u in &model.units {
        let base = u.name.trim().to_lowercase();
        for a in &u.aliases {
            aliases.insert(a.trim().to_lowercase(), base.clone());
        }
    }
    let parse = |text: &str| parse_units(text, &aliases);
    let declared: Vec<Option<Dims>> = r
        .vars
        .iter()
        .map(|v| {
            if v.user {
                model.variables[v.source].units.as_deref().and_then(parse)
            } else {
                None
            }
        })
        .collect();
    let time = model.sim_specs.time_units.as_deref().and_then(parse);
    let mut c = Checker {
        declared,
        time,
        r,
        problems: Vec::new(),
    };
    let mut out = Vec::new();
    for (i, v) in c.r.vars.iter().enumerate() {
        if !v.user {
            continue;
        }
        let mv = &model.variables[v.source];
        let Some(want) = c.declared[i].clone() else {
            continue;
        };
        let mut found = Vec::new();
        match &v.body {
            RBody::Stock {
                init,
                inflows,
                outflows,
                ..
            } => {
                let got = c.infer(init);
                if let U::Known(g) = got
                    && g != want
                {
                    found.push(format!(
                        "initial value is in {}, the stock in {}",
                        show(&g),
                        show(&want)
                    ));
                }
                if let Some(t) = c.time.clone() {
                    let rate = combine(&want, &t, -1);
                    for &f in inflows.iter().chain(outflows) {
                        if let Some(fd) = &c.declared[f]
                            && *fd != rate
                        {
                            found.push(format!(
                                "flow {:?} is in {}, expected {} (stock units per time)",
                                c.r.vars[f].name,
                                show(fd),
                                show(&rate)
                            ));
                        }
                    }
                }
            }
            RBody::Aux { expr, gf, .. } => {
                if gf.is_none()
                    && let U::Known(g) = c.infer(expr)
                    && g != want
                {
                    found.push(format!(
                        "equation is in {}, declared {}",
                        show(&g),
                        show(&want)
                    ));
                }
            }
        }
        found.append(&mut c.problems);
        for message in found {
            out.push(Diagnostic {
                file: model.file.clone(),
                location: mv.eqn.as_ref().map_or(mv.location, |e| e.start),
                message: format!("units of {} {:?}: {message}", mv.kind.as_str(), mv.name),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_expressions_parse_to_base_exponents() {
        let aliases = HashMap::from([("pax".to_string(), "person".to_string())]);
        let d = parse_units("people/day", &aliases).unwrap();
        assert_eq!(d, Dims::from([("person".into(), 1), ("day".into(), -1)]));
        assert_eq!(parse_units("pax per days", &aliases).unwrap(), d);
        assert_eq!(parse_units("dmnl", &aliases).unwrap(), Dims::new());
        assert_eq!(
            parse_units("1/day^2", &aliases).unwrap(),
            Dims::from([("day".into(), -2)])
        );
        assert!(parse_units("day^x", &aliases).is_none());
    }
}
