//! `borderflow doc`: every variable of a model with its equation, unit, source or judgement, the
//! levers that drive it and what it feeds, as Markdown, so a planner can read what the model assumes.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::engine::{Compiled, canonical_name};
use crate::scenario::{Catalogue, text_in};

/// One variable's documentation: what `borderflow doc` prints and the app's model view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct VariableDoc {
    pub name: String,
    /// "stock", "flow" or "aux", with " (non-negative)" where it applies.
    pub kind: String,
    pub unit: String,
    /// "initial value" for stocks, "equation" otherwise.
    pub equation_label: &'static str,
    pub equation: String,
    /// Inflows and outflows of a stock.
    pub flows: Option<(String, String)>,
    pub graphical: Option<String>,
    pub source: String,
    pub driven_by: Vec<String>,
    pub feeds: Vec<String>,
}

/// Every variable of the model, documented, in the file's order.
pub fn variable_docs(compiled: &Compiled, catalogue: Option<&Catalogue>) -> Vec<VariableDoc> {
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
    for v in program.vars() {
        let reader = &model.variables[v.source].name;
        for &r in &v.reads {
            let source = program.vars()[r].source;
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
    model
        .variables
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let stock = v.kind == crate::engine::ast::VarKind::Stock;
            let names = |l: &[(String, crate::engine::Location)]| {
                l.iter()
                    .map(|(n, _)| n.replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            VariableDoc {
                name: v.name.clone(),
                kind: format!(
                    "{}{}",
                    v.kind.as_str(),
                    if v.non_negative {
                        " (non-negative)"
                    } else {
                        ""
                    }
                ),
                unit: v.units.clone().unwrap_or_else(|| "(none)".into()),
                equation_label: if stock { "initial value" } else { "equation" },
                equation: v
                    .eqn
                    .as_ref()
                    .map_or("", |e| e.text.trim())
                    .replace('\n', " "),
                flows: (!v.inflows.is_empty() || !v.outflows.is_empty())
                    .then(|| (names(&v.inflows), names(&v.outflows))),
                graphical: v.gf.as_ref().map(|gf| {
                    gf.xs
                        .iter()
                        .zip(&gf.ys)
                        .map(|(x, y)| format!("({x}, {y})"))
                        .collect::<Vec<_>>()
                        .join(" ")
                }),
                source: v
                    .doc
                    .clone()
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| "(none given)".into()),
                driven_by: levers.get(&v.ident).cloned().unwrap_or_default(),
                feeds: feeds.get(&i).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// The model documentation as Markdown.
pub fn model_doc(compiled: &Compiled, catalogue: Option<&Catalogue>) -> String {
    let model = &compiled.model;
    let mut out = String::new();
    let title = model.name.clone().unwrap_or_else(|| model.file.clone());
    let s = &model.sim_specs;
    let _ = writeln!(out, "# {title}\n");
    let count =
        |k: crate::engine::ast::VarKind| model.variables.iter().filter(|v| v.kind == k).count();
    let _ = writeln!(
        out,
        "Time from {} to {} by {} ({}); {} stocks, {} flows, {} auxes.\n",
        s.start,
        s.stop,
        s.dt,
        s.time_units.as_deref().unwrap_or("time units"),
        count(crate::engine::ast::VarKind::Stock),
        count(crate::engine::ast::VarKind::Flow),
        count(crate::engine::ast::VarKind::Aux),
    );
    for d in variable_docs(compiled, catalogue) {
        let _ = writeln!(out, "## {}\n", d.name);
        let _ = writeln!(out, "- kind: {}", d.kind);
        let _ = writeln!(out, "- unit: {}", d.unit);
        let _ = writeln!(out, "- {}: `{}`", d.equation_label, d.equation);
        if let Some((inflows, outflows)) = &d.flows {
            let _ = writeln!(out, "- inflows: {inflows}; outflows: {outflows}");
        }
        if let Some(g) = &d.graphical {
            let _ = writeln!(out, "- graphical function: {g}");
        }
        let _ = writeln!(out, "- source: {}", d.source);
        if !d.driven_by.is_empty() {
            let _ = writeln!(out, "- driven by: {}", d.driven_by.join(", "));
        }
        if !d.feeds.is_empty() {
            let _ = writeln!(out, "- feeds: {}", d.feeds.join(", "));
        }
        let _ = writeln!(out);
    }
    out
}
