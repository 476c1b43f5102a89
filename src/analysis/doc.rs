//! `borderflow doc`: every variable of a model with its equation, unit, source or judgement, the
//! levers that drive it and what it feeds, as Markdown, so a planner can read what the model assumes.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::engine::{Compiled, canonical_name};
use crate::scenario::{Catalogue, text_in};

/// The model documentation as Markdown.
pub fn model_doc(compiled: &Compiled, catalogue: Option<&Catalogue>) -> String {
    let model = &compiled.model;
    let program = &compiled.program;
    let mut levers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(cat) = catalogue {
        for lever in &cat.levers {
            for c in lever.constants() {
                levers.entry(canonical_name(c)).or_default().push(format!(
                    "`{}` ({})",
                    lever.id,
                    text_in(&lever.label, "en")
                ));
            }
        }
    }
    // Who reads each user variable, through any built-in structure in between.
    let mut feeds: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for v in &program.vars {
        let reader = &model.variables[v.source].name;
        for &r in &v.reads {
            let source = program.vars[r].source;
            let name = &model.variables[source].name;
            if source != v.source {
                let list = feeds.entry(source).or_default();
                if !list.contains(reader) && name != reader {
                    list.push(reader.clone());
                }
            }
        }
    }
    for (i, v) in model.variables.iter().enumerate() {
        if let crate::engine::ast::VarKind::Stock = v.kind {
            for (f, _) in v.inflows.iter().chain(&v.outflows) {
                if let Some(fi) = model
                    .variables
                    .iter()
                    .position(|x| x.ident == canonical_name(f))
                {
                    let list = feeds.entry(fi).or_default();
                    if !list.contains(&v.name) {
                        list.push(v.name.clone());
                    }
                }
            }
            let _ = i;
        }
    }
    let mut out = String::new();
    let title = model.name.clone().unwrap_or_else(|| model.file.clone());
    let s = &model.sim_specs;
    let _ = writeln!(out, "# {title}\n");
    let _ = writeln!(
        out,
        "Time from {} to {} by {} ({}); {} stocks, {} flows, {} auxes.\n",
        s.start,
        s.stop,
        s.dt,
        s.time_units.as_deref().unwrap_or("time units"),
        model
            .variables
            .iter()
            .filter(|v| v.kind == crate::engine::ast::VarKind::Stock)
            .count(),
        model
            .variables
            .iter()
            .filter(|v| v.kind == crate::engine::ast::VarKind::Flow)
            .count(),
        model
            .variables
            .iter()
            .filter(|v| v.kind == crate::engine::ast::VarKind::Aux)
            .count(),
    );
    for (i, v) in model.variables.iter().enumerate() {
        let _ = writeln!(out, "## {}\n", v.name);
        let _ = writeln!(
            out,
            "- kind: {}{}",
            v.kind.as_str(),
            if v.non_negative {
                " (non-negative)"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "- unit: {}", v.units.as_deref().unwrap_or("(none)"));
        let eqn = v.eqn.as_ref().map_or("", |e| e.text.trim());
        let label = if v.kind == crate::engine::ast::VarKind::Stock {
            "initial value"
        } else {
            "equation"
        };
        let _ = writeln!(out, "- {label}: `{}`", eqn.replace('\n', " "));
        if !v.inflows.is_empty() || !v.outflows.is_empty() {
            let names = |l: &[(String, crate::engine::Location)]| {
                l.iter()
                    .map(|(n, _)| n.replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                out,
                "- inflows: {}; outflows: {}",
                names(&v.inflows),
                names(&v.outflows)
            );
        }
        if let Some(gf) = &v.gf {
            let pts: Vec<String> = gf
                .xs
                .iter()
                .zip(&gf.ys)
                .map(|(x, y)| format!("({x}, {y})"))
                .collect();
            let _ = writeln!(out, "- graphical function: {}", pts.join(" "));
        }
        let _ = writeln!(
            out,
            "- source: {}",
            v.doc
                .as_deref()
                .filter(|d| !d.is_empty())
                .unwrap_or("(none given)")
        );
        if let Some(l) = levers.get(&v.ident) {
            let _ = writeln!(out, "- driven by: {}", l.join(", "));
        }
        if let Some(f) = feeds.get(&i) {
            let _ = writeln!(out, "- feeds: {}", f.join(", "));
        }
        let _ = writeln!(out);
    }
    out
}
