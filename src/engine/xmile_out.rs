//! XMILE out: a model written back as a standard XMILE 1.0 file, as read (arrays, modules and
//! macros kept) or flattened (one scalar variable per array element, module variable and macro
//! copy), for tools without arrays, modules or macros.
//!
//! Flattened names, reversibly: element `e1, e2` of array `x` is `x__e1__e2`; variable `v` of
//! module `m` is `m__v` (nested: `m__n__v`); macro copies are `macro__NAME__N__v`; spaces (and
//! `\n` line breaks) become underscores. Reading a
//! flattened name back: split at `__`; the first part is a module if the original model has a
//! module of that name, otherwise the array, and the rest are its elements. Two original names
//! that would flatten to the same name are refused.

use std::collections::HashMap;
use std::fmt::Write;

use super::ast::*;
use super::expr::{BinOp, Expr, Index, UnOp};
use super::flatten::ACTIVE_INITIAL;

/// XML text with the five special characters escaped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A number in the shortest form that reads back to the same f64.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NAN".into()
    } else if v == f64::INFINITY {
        "INF".into()
    } else if v == f64::NEG_INFINITY {
        "-INF".into()
    } else {
        format!("{v:?}")
    }
}

fn header(out: &mut String, model: &ModelFile) {
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(
        "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n",
    );
    out.push_str("  <header>\n    <vendor>Borderflow</vendor>\n    <product version=\"");
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str("\">Borderflow</product>\n");
    if let Some(name) = &model.name {
        let _ = writeln!(out, "    <name>{}</name>", esc(name));
    }
    out.push_str("  </header>\n");
    let s = &model.sim_specs;
    let method = match s.method {
        Method::Euler => "Euler",
        Method::Rk4 => "RK4",
    };
    let units = s
        .time_units
        .as_ref()
        .map(|u| format!(" time_units=\"{}\"", esc(u)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  <sim_specs method=\"{method}\"{units}>\n    <start>{}</start>\n    <stop>{}</stop>\n    <dt>{}</dt>\n    <save_step>{}</save_step>\n  </sim_specs>",
        number(s.start),
        number(s.stop),
        number(s.dt),
        number(s.save_step)
    );
    if !model.units.is_empty() {
        out.push_str("  <model_units>\n");
        for u in &model.units {
            let _ = write!(out, "    <unit name=\"{}\">", esc(&u.name));
            if let Some(e) = &u.eqn {
                let _ = write!(out, "<eqn>{}</eqn>", esc(e));
            }
            for a in &u.aliases {
                let _ = write!(out, "<alias>{}</alias>", esc(a));
            }
            out.push_str("</unit>\n");
        }
        out.push_str("  </model_units>\n");
    }
}

fn gf(out: &mut String, g: &GraphicalFunction, indent: &str, name: Option<&str>) {
    let kind = match g.kind {
        GfKind::Continuous => "continuous",
        GfKind::Extrapolate => "extrapolate",
        GfKind::Discrete => "discrete",
    };
    let name = name
        .map(|n| format!(" name=\"{}\"", esc(n)))
        .unwrap_or_default();
    let join = |v: &[f64]| v.iter().map(|x| number(*x)).collect::<Vec<_>>().join(",");
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("min=\"{}\" max=\"{}\"", number(lo), number(hi))
    };
    // An x scale only where the points are evenly spaced: a reader that finds one (PySD) spaces
    // the points evenly and ignores <xpts>.
    let n = g.xs.len();
    let even = n >= 2
        && g.xs.iter().enumerate().all(|(i, &x)| {
            let lo = g.xs[0];
            let hi = g.xs[n - 1];
            x == lo + (hi - lo) * i as f64 / (n - 1) as f64
        });
    let xscale = if even {
        format!("<xscale {}/>", range(&g.xs))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{indent}<gf{name} type=\"{kind}\">{xscale}<yscale {}/><xpts>{}</xpts><ypts>{}</ypts></gf>",
        range(&g.ys),
        join(&g.xs),
        join(&g.ys)
    );
}

fn tag(kind: VarKind) -> &'static str {
    kind.as_str()
}

/// One variable as read (dimensions, element equations and all).
fn variable(out: &mut String, v: &Variable, indent: &str) {
    let access = match v.access {
        Access::Private => "",
        Access::Input => " access=\"input\"",
        Access::Output => " access=\"output\"",
    };
    let _ = writeln!(
        out,
        "{indent}<{} name=\"{}\"{access}>",
        tag(v.kind),
        esc(&v.name)
    );
    let inner = format!("{indent}  ");
    if !v.dims.is_empty() {
        let _ = write!(out, "{inner}<dimensions>");
        for d in &v.dims {
            let _ = write!(out, "<dim name=\"{}\"/>", esc(d));
        }
        out.push_str("</dimensions>\n");
    }
    if let Some(e) = &v.eqn {
        let _ = writeln!(out, "{inner}<eqn>{}</eqn>", esc(&e.text));
    }
    if let Some(e) = &v.init_eqn {
        let _ = writeln!(out, "{inner}<init_eqn>{}</init_eqn>", esc(&e.text));
    }
    for el in &v.elements {
        let _ = writeln!(
            out,
            "{inner}<element subscript=\"{}\">",
            esc(&el.subscript.join(", "))
        );
        if let Some(e) = &el.eqn {
            let _ = writeln!(out, "{inner}  <eqn>{}</eqn>", esc(&e.text));
        }
        if let Some(g) = &el.gf {
            gf(out, g, &format!("{inner}  "), None);
        }
        let _ = writeln!(out, "{inner}</element>");
    }
    if let Some(g) = &v.gf {
        gf(out, g, &inner, None);
    }
    flows_units_doc(out, v, &inner);
    let _ = writeln!(out, "{indent}</{}>", tag(v.kind));
}

fn flows_units_doc(out: &mut String, v: &Variable, inner: &str) {
    for (f, _) in &v.inflows {
        let _ = writeln!(out, "{inner}<inflow>{}</inflow>", esc(f));
    }
    for (f, _) in &v.outflows {
        let _ = writeln!(out, "{inner}<outflow>{}</outflow>", esc(f));
    }
    if v.non_negative && v.kind != VarKind::Aux {
        let _ = writeln!(out, "{inner}<non_negative/>");
    }
    if let Some(u) = &v.units {
        let _ = writeln!(out, "{inner}<units>{}</units>", esc(u));
    }
    if let Some(d) = &v.doc {
        let _ = writeln!(out, "{inner}<doc>{}</doc>", esc(d));
    }
}

fn variables(out: &mut String, vars: &[Variable], gfs: &[NamedGf], modules: &[Module]) {
    out.push_str("    <variables>\n");
    for g in gfs {
        gf(out, &g.gf, "      ", Some(&g.name));
    }
    for v in vars {
        variable(out, v, "      ");
    }
    for m in modules {
        let model = if canonical_name(&m.model) == m.ident {
            String::new()
        } else {
            format!(" model=\"{}\"", esc(&m.model))
        };
        let _ = writeln!(out, "      <module name=\"{}\"{model}>", esc(&m.name));
        for (to, from, _) in &m.connects {
            let _ = writeln!(
                out,
                "        <connect to=\"{}\" from=\"{}\"/>",
                esc(to),
                esc(from)
            );
        }
        out.push_str("      </module>\n");
    }
    out.push_str("    </variables>\n");
}

fn views(out: &mut String, views: &[View]) {
    if views.is_empty() {
        return;
    }
    out.push_str("    <views>\n");
    for view in views {
        out.push_str("      <view>\n");
        for e in &view.elements {
            let size = match (e.width, e.height) {
                (Some(w), Some(h)) => format!(" width=\"{}\" height=\"{}\"", number(w), number(h)),
                _ => String::new(),
            };
            let _ = write!(
                out,
                "        <{} name=\"{}\" x=\"{}\" y=\"{}\"{size}",
                e.kind,
                esc(&e.name),
                number(e.x),
                number(e.y)
            );
            if e.points.is_empty() {
                out.push_str("/>\n");
            } else {
                out.push_str("><pts>");
                for (x, y) in &e.points {
                    let _ = write!(out, "<pt x=\"{}\" y=\"{}\"/>", number(*x), number(*y));
                }
                let _ = writeln!(out, "</pts></{}>", e.kind);
            }
        }
        for l in &view.links {
            let _ = writeln!(
                out,
                "        <connector><from>{}</from><to>{}</to></connector>",
                esc(&l.from),
                esc(&l.to)
            );
        }
        out.push_str("      </view>\n");
    }
    out.push_str("    </views>\n");
}

/// The model as read: dimensions, arrays, modules and macros kept, equations as written.
pub fn write(model: &ModelFile) -> String {
    let mut out = String::new();
    header(&mut out, model);
    if !model.dimensions.is_empty() {
        out.push_str("  <dimensions>\n");
        for d in &model.dimensions {
            let maps = d
                .maps_to
                .as_ref()
                .map(|m| format!(" maps_to=\"{}\"", esc(m)))
                .unwrap_or_default();
            if d.numbered {
                let _ = writeln!(
                    out,
                    "    <dim name=\"{}\" size=\"{}\"{maps}/>",
                    esc(&d.name),
                    d.elements.len()
                );
            } else {
                let _ = write!(out, "    <dim name=\"{}\"{maps}>", esc(&d.name));
                for e in &d.elements {
                    let _ = write!(out, "<elem name=\"{}\"/>", esc(e));
                }
                out.push_str("</dim>\n");
            }
        }
        out.push_str("  </dimensions>\n");
    }
    for m in &model.macros {
        let _ = writeln!(out, "  <macro name=\"{}\">", esc(&m.name));
        for p in &m.parms {
            let _ = writeln!(out, "    <parm>{}</parm>", esc(p));
        }
        let _ = writeln!(out, "    <eqn>{}</eqn>", esc(&m.eqn.text));
        if !m.variables.is_empty() {
            variables(&mut out, &m.variables, &[], &[]);
        }
        out.push_str("  </macro>\n");
    }
    out.push_str("  <model>\n");
    variables(&mut out, &model.variables, &model.named_gfs, &model.modules);
    views(&mut out, &model.views);
    out.push_str("  </model>\n");
    for sub in &model.submodels {
        let _ = writeln!(out, "  <model name=\"{}\">", esc(&sub.name));
        variables(&mut out, &sub.variables, &sub.named_gfs, &sub.modules);
        out.push_str("  </model>\n");
    }
    out.push_str("</xmile>\n");
    out
}

/// The flattened name of a flattened variable's identifier or display name.
pub fn flat_name(name: &str) -> String {
    if let Some(rest) = name.strip_prefix('\u{0}') {
        // A macro copy: `\0name#n.var`.
        let rest = rest.replace(['#', '.'], "__");
        return format!("macro__{rest}");
    }
    let mut out = String::with_capacity(name.len());
    for ch in name.replace("\\n", " ").chars() {
        match ch {
            '.' | '[' | ',' => out.push_str("__"),
            ']' => {}
            // Underscores, not spaces: names are also written bare in <inflow> and equations.
            c if c.is_whitespace() => out.push('_'),
            _ => out.push(ch),
        }
    }
    out
}

/// The flattened model (see [`super::flatten`]) written without arrays, modules or macros.
/// Errors when two variables would get the same flattened name.
pub fn write_flat(flat: &ModelFile) -> std::result::Result<String, String> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for v in &flat.variables {
        let name = if v.ident.starts_with('\u{0}') {
            flat_name(&v.ident)
        } else {
            flat_name(&v.name)
        };
        if let Some(other) = seen.insert(canonical_name(&name), v.name.clone()) {
            return Err(format!(
                "{:?} and {other:?} would both be written as {name:?}",
                v.name
            ));
        }
        names.insert(v.ident.clone(), name);
    }
    for g in &flat.named_gfs {
        names.insert(g.ident.clone(), flat_name(&g.name));
        names.insert(call_key(&g.ident), flat_name(&g.name));
    }
    // A variable with a graphical function that equations call (`g(x)`, LOOKUP(g, x)) also gets
    // a standalone <gf> of its own, which the calls use: readers differ on calling a variable.
    let mut tables = Vec::new();
    for v in flat.variables.iter().filter(|v| v.gf.is_some()) {
        let name = format!("{}__lookup", names[&v.ident]);
        if seen.contains_key(&canonical_name(&name)) {
            return Err(format!(
                "{name:?} is taken: the table of {:?} cannot be written",
                v.name
            ));
        }
        names.insert(call_key(&v.ident), name.clone());
        tables.push((name, v.gf.clone().expect("filtered")));
    }
    let mut out = String::new();
    header(&mut out, flat);
    out.push_str("  <model>\n    <variables>\n");
    for g in &flat.named_gfs {
        gf(&mut out, &g.gf, "      ", Some(&flat_name(&g.name)));
    }
    for (name, table) in &tables {
        gf(&mut out, table, "      ", Some(name));
    }
    for v in &flat.variables {
        let name = &names[&v.ident];
        let _ = writeln!(out, "      <{} name=\"{}\">", tag(v.kind), esc(name));
        let e = v.parsed.as_ref().expect("flatten parses every equation");
        let (active, initial) = match e {
            Expr::Call(f, args, _) if f == ACTIVE_INITIAL && args.len() == 2 => {
                (&args[0], Some(&args[1]))
            }
            other => (other, None),
        };
        let _ = writeln!(out, "        <eqn>{}</eqn>", esc(&print(active, &names)));
        if let Some(i) = initial {
            let _ = writeln!(
                out,
                "        <init_eqn>{}</init_eqn>",
                esc(&print(i, &names))
            );
        }
        if let Some(g) = &v.gf {
            gf(&mut out, g, "        ", None);
        }
        let mut renamed = v.clone();
        let rename = |list: &[(String, super::error::Location)]| {
            list.iter()
                .map(|(f, l)| {
                    let ident = canonical_name(f);
                    (names.get(&ident).cloned().unwrap_or(ident), *l)
                })
                .collect()
        };
        renamed.inflows = rename(&v.inflows);
        renamed.outflows = rename(&v.outflows);
        flows_units_doc(&mut out, &renamed, "        ");
        let _ = writeln!(out, "      </{}>", tag(v.kind));
    }
    out.push_str("    </variables>\n  </model>\n</xmile>\n");
    Ok(out)
}

/// An expression in XMILE syntax, every operation parenthesised, names mapped through `names`.
pub fn print(e: &Expr, names: &HashMap<String, String>) -> String {
    let mut out = String::new();
    print_into(&mut out, e, names);
    out
}

fn print_into(out: &mut String, e: &Expr, names: &HashMap<String, String>) {
    match e {
        Expr::Num(v) if *v < 0.0 => {
            let _ = write!(out, "({})", number(*v));
        }
        Expr::Num(v) => out.push_str(&number(*v)),
        Expr::Var(ident, _) => match names.get(ident) {
            Some(n) => quoted(out, n),
            // PI as its value: not every reader knows the constant.
            None if ident == "pi" => out.push_str(&number(std::f64::consts::PI)),
            None => out.push_str(&ident.to_ascii_uppercase()),
        },
        Expr::Unary(op, a) => {
            out.push_str(match op {
                UnOp::Neg => "(-",
                UnOp::Not => "(NOT ",
            });
            print_into(out, a, names);
            out.push(')');
        }
        Expr::Binary(op, a, b) => {
            out.push('(');
            print_into(out, a, names);
            out.push_str(match op {
                BinOp::Add => " + ",
                BinOp::Sub => " - ",
                BinOp::Mul => " * ",
                BinOp::Div => " / ",
                BinOp::Pow => " ^ ",
                // Lower case: PySD's grammar knows only `mod`.
                BinOp::Mod => " mod ",
                BinOp::Lt => " < ",
                BinOp::Le => " <= ",
                BinOp::Gt => " > ",
                BinOp::Ge => " >= ",
                BinOp::Eq => " = ",
                BinOp::Ne => " <> ",
                BinOp::And => " AND ",
                BinOp::Or => " OR ",
            });
            print_into(out, b, names);
            out.push(')');
        }
        Expr::If(c, a, b) => {
            out.push_str("(IF ");
            print_into(out, c, names);
            out.push_str(" THEN ");
            print_into(out, a, names);
            out.push_str(" ELSE ");
            print_into(out, b, names);
            out.push(')');
        }
        Expr::Call(f, args, _) => {
            // A graphical function is called by its name, `table(x)` (PySD reads no LOOKUP);
            // LOOKUP(table, x) only when the name needs quotes.
            let (table, rest) = match (names.get(&call_key(f)), f.as_str(), args.as_slice()) {
                (Some(n), _, _) => (Some(n.clone()), args.as_slice()),
                (None, "LOOKUP", [Expr::Var(t, _), rest @ ..]) => match names.get(&call_key(t)) {
                    Some(n) => (Some(n.clone()), rest),
                    None => (None, args.as_slice()),
                },
                _ => (None, args.as_slice()),
            };
            match &table {
                Some(n) if is_plain(n) => {
                    out.push_str(n);
                    out.push('(');
                }
                Some(n) => {
                    out.push_str("LOOKUP(");
                    quoted(out, n);
                    if !rest.is_empty() {
                        out.push_str(", ");
                    }
                }
                None => {
                    out.push_str(&f.to_ascii_uppercase());
                    out.push('(');
                }
            }
            for (k, a) in rest.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                print_into(out, a, names);
            }
            out.push(')');
        }
        Expr::Subscript(name, idx, _) => {
            quoted(out, name);
            out.push('[');
            for (k, i) in idx.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                match i {
                    Index::Star => out.push('*'),
                    Index::At(e) => print_into(out, e, names),
                    Index::Range(a, b) => {
                        print_into(out, a, names);
                        out.push(':');
                        print_into(out, b, names);
                    }
                }
            }
            out.push(']');
        }
    }
}

/// The key under which a graphical function's callable table name is kept.
fn call_key(ident: &str) -> String {
    format!("\u{1}call:{ident}")
}

fn is_plain(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// A name as an equation writes it: bare when it is a plain identifier, quoted otherwise.
fn quoted(out: &mut String, name: &str) {
    if is_plain(name) {
        out.push_str(name);
    } else {
        let _ = write!(out, "\"{name}\"");
    }
}
