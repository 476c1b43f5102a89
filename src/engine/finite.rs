//! Non-finite values are errors: a run that computes NaN or infinity in a model variable stops
//! with the variable, the time and the equation, unless the caller allows them
//! (`--allow-nonfinite`). Variables whose equation is the literal INF or NAN (models use them
//! for "no limit") are exempt, as are copies of them.

use std::collections::HashMap;

use super::ast::ModelFile;
use super::error::{EngineError, NonFinite, Result};
use super::expr::{Expr, UnOp};
use super::lower::{Body, Lowered};
use super::program::{FinitePolicy, Program};
use super::results::Results;

/// The exemptions of a lowered model (before its names are resolved away).
pub fn policy(model: &ModelFile, lowered: &Lowered) -> FinitePolicy {
    let users = model.variables.len();
    let index: HashMap<&str, usize> = model
        .variables
        .iter()
        .enumerate()
        .map(|(i, v)| (v.ident.as_str(), i))
        .collect();
    let mut exempt = vec![false; users];
    // Copies of copies: a few passes settle any realistic chain.
    for _ in 0..8 {
        let mut changed = false;
        for (i, v) in lowered.vars.iter().take(users).enumerate() {
            let Body::Aux { expr, gf: None, .. } = &v.body else {
                continue;
            };
            let is_exempt = match strip_neg(expr) {
                Expr::Var(name, _) => match index.get(name.as_str()) {
                    Some(&j) => exempt[j],
                    None => name == "inf" || name == "nan",
                },
                _ => false,
            };
            if is_exempt && !exempt[i] {
                exempt[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let equations = model
        .variables
        .iter()
        .map(|v| v.eqn.as_ref().map_or(String::new(), |e| e.text.clone()))
        .collect();
    FinitePolicy {
        allow: false,
        exempt,
        equations,
    }
}

fn strip_neg(e: &Expr) -> &Expr {
    match e {
        Expr::Unary(UnOp::Neg, a) => strip_neg(a),
        other => other,
    }
}

/// Refuses the run's results if a recorded, non-exempt variable is NaN or infinite. Among the
/// variables that turn non-finite first, names one whose inputs were still finite (the cause).
pub fn check(program: &Program, results: &Results) -> Result<()> {
    let policy = &program.finite;
    if policy.allow {
        return Ok(());
    }
    let cols = results.names.len();
    let watched: Vec<usize> = (0..cols)
        .filter(|&c| results.is_recorded(c) && !policy.exempt.get(c).copied().unwrap_or(false))
        .collect();
    let bad = |row: usize, c: usize| !results.value(row, c).is_finite();
    // The common case, every value finite, in one pass over the stored values (the app runs
    // this after every lever change); constant columns are read once.
    let stored_finite = results.stored_values().iter().all(|v| v.is_finite());
    if stored_finite && (results.rows() == 0 || watched.iter().all(|&c| !bad(0, c))) {
        return Ok(());
    }
    for row in 0..results.rows() {
        let first: Vec<usize> = watched.iter().copied().filter(|&c| bad(row, c)).collect();
        let Some(&fallback) = first.first() else {
            continue;
        };
        let cause = first
            .iter()
            .copied()
            .find(|&c| program.vars[c].reads.iter().all(|&r| !first.contains(&r)))
            .unwrap_or(fallback);
        return Err(EngineError::NonFinite(Box::new(NonFinite {
            variable: results.names[cause].clone(),
            value: results.value(row, cause),
            time: results.times[row],
            date: None,
            equation: policy.equations.get(cause).cloned().unwrap_or_default(),
        })));
    }
    Ok(())
}
