//! The model's uncertain parameters (`<model>.calibration.ron`, beside the model): constants
//! whose values are judgements or estimates, each with its unit, plausible range and why it is
//! uncertain. Calibration fits those marked `fitted`; ensembles and sensitivity sweep them all.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::catalogue::{Catalogue, ron_error};
use super::{locate, located};
use crate::engine::ast::VarKind;
use crate::engine::{EngineError, Program};

pub const EMBEDDED_PARAMETERS: &str = include_str!("../../assets/models/szhk.calibration.ron");

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterList {
    pub parameters: Vec<UncertainParameter>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertainParameter {
    /// The model constant (display name).
    pub constant: String,
    pub unit: String,
    pub low: f64,
    pub high: f64,
    /// Whether the 2020–22 record can pin it down (calibration fits it); otherwise it only
    /// carries its range into ensembles and sensitivity.
    pub fitted: bool,
    /// Why the value is uncertain, and where the range comes from.
    pub why: String,
}

impl ParameterList {
    /// Parses the list and checks it against the compiled model: each entry names a constant
    /// (not a stock, not driven by an equation of other variables), once, with low < high.
    pub fn parse(
        text: &str,
        file: &str,
        program: &Program,
        catalogue: &Catalogue,
    ) -> Result<ParameterList, EngineError> {
        let list: ParameterList = super::ron_options()
            .from_str(text)
            .map_err(|e| ron_error(file, &e))?;
        let mut seen = BTreeSet::new();
        for p in &list.parameters {
            let name_at = format!("\"{}\"", p.constant);
            let at = |extra: &[&str], msg: String| {
                let mut needles = vec![name_at.as_str()];
                needles.extend_from_slice(extra);
                located(file, locate(text, &needles), msg)
            };
            let Some(var) = program.find(&p.constant) else {
                return Err(at(
                    &[],
                    format!("{:?} is not a variable of the model", p.constant),
                ));
            };
            if program.vars()[var].kind == VarKind::Stock || !program.is_constant(var) {
                return Err(at(
                    &[],
                    format!(
                        "{:?} is not a constant: expected a number in the model",
                        p.constant
                    ),
                ));
            }
            let key = crate::engine::canonical_name(&p.constant);
            if let Some(lever) = catalogue.levers.iter().find(|l| {
                l.constants()
                    .iter()
                    .any(|c| crate::engine::canonical_name(c) == key)
            }) {
                return Err(at(
                    &[],
                    format!(
                        "{:?} is set by lever {:?}: a policy, not an uncertain parameter",
                        p.constant, lever.id
                    ),
                ));
            }
            if !seen.insert(var) {
                // Point at the second mention.
                return Err(at(&[&name_at], format!("{:?} is listed twice", p.constant)));
            }
            if !(p.low.is_finite() && p.high.is_finite() && p.low < p.high) {
                return Err(at(
                    &["low"],
                    format!(
                        "{:?}: expected finite low < high, found {} .. {}",
                        p.constant, p.low, p.high
                    ),
                ));
            }
            if p.why.trim().is_empty() || p.unit.trim().is_empty() {
                return Err(at(
                    &[],
                    format!("{:?}: expected a unit and a reason (why)", p.constant),
                ));
            }
        }
        Ok(list)
    }

    /// Reads the list at `path`.
    pub fn load(
        path: &std::path::Path,
        program: &Program,
        catalogue: &Catalogue,
    ) -> Result<ParameterList, EngineError> {
        let file = path.display().to_string();
        let text = crate::engine::read_text(path)?;
        ParameterList::parse(&text, &file, program, catalogue)
    }

    pub fn fitted(&self) -> impl Iterator<Item = &UncertainParameter> {
        self.parameters.iter().filter(|p| p.fitted)
    }

    pub fn get(&self, constant: &str) -> Option<&UncertainParameter> {
        let key = crate::engine::canonical_name(constant);
        self.parameters
            .iter()
            .find(|p| crate::engine::canonical_name(&p.constant) == key)
    }
}
