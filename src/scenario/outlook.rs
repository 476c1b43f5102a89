//! Outlooks (`<model>.outlooks.ron`, beside the model): the conditions no government sets (the
//! epidemic, the economy) after the end of the record, as named sets of model constants. Every
//! scenario runs under the file's default outlook unless it selects another (`outlook: "…"`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::catalogue::{Catalogue, ron_error};
use super::{Text, locate, located};
use crate::engine::ast::VarKind;
use crate::engine::{EngineError, Program, canonical_name};

pub const EMBEDDED_OUTLOOKS: &str = include_str!("../../assets/models/szhk.outlooks.ron");

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outlooks {
    /// The outlook a scenario runs under when it names none.
    pub default: String,
    pub outlooks: Vec<Outlook>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outlook {
    pub id: String,
    pub label: Text,
    #[serde(default)]
    pub description: Text,
    /// What the outlook rests on (sources published by the end of the record).
    pub source: String,
    /// Model constants (by their names in the model) set for the whole run.
    pub values: BTreeMap<String, f64>,
}

impl Outlooks {
    pub fn get(&self, id: &str) -> Option<&Outlook> {
        self.outlooks.iter().find(|o| o.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.outlooks.iter().map(|o| o.id.as_str()).collect()
    }

    /// The outlook a scenario selecting `choice` runs under: None when the model has no outlooks
    /// and the scenario names none; an error naming the known ones for an unknown id.
    pub fn select(&self, choice: Option<&str>) -> Result<Option<&Outlook>, String> {
        let id = match choice {
            Some(id) => id,
            None if self.outlooks.is_empty() => return Ok(None),
            None => self.default.as_str(),
        };
        match self.get(id) {
            Some(o) => Ok(Some(o)),
            None if self.outlooks.is_empty() => Err(format!(
                "outlook {id:?}: this model has no outlooks file (<model>.outlooks.ron)"
            )),
            None => Err(format!(
                "unknown outlook {id:?}: expected one of {}",
                self.ids().join(", ")
            )),
        }
    }

    /// Parses outlooks text and checks it against the model and its lever catalogue.
    pub fn parse(
        text: &str,
        file: &str,
        program: &Program,
        catalogue: &Catalogue,
    ) -> Result<Outlooks, EngineError> {
        let outlooks: Outlooks = super::ron_options()
            .from_str(text)
            .map_err(|e| ron_error(file, &e))?;
        outlooks.validate(text, file, program, catalogue)?;
        Ok(outlooks)
    }

    /// Reads the outlooks file at `path`.
    pub fn load(
        path: &std::path::Path,
        program: &Program,
        catalogue: &Catalogue,
    ) -> Result<Outlooks, EngineError> {
        let file = path.display().to_string();
        let text = crate::engine::read_text(path)?;
        Outlooks::parse(&text, &file, program, catalogue)
    }

    fn validate(
        &self,
        text: &str,
        file: &str,
        program: &Program,
        catalogue: &Catalogue,
    ) -> Result<(), EngineError> {
        let at = |needles: &[&str], msg: String| located(file, locate(text, needles), msg);
        if self.outlooks.is_empty() {
            return Err(at(&["outlooks"], "expected at least one outlook".into()));
        }
        let mut ids = BTreeSet::new();
        for outlook in &self.outlooks {
            let id_at = format!("id: \"{}\"", outlook.id);
            let here = |extra: &[&str], msg: String| {
                let mut needles = vec![id_at.as_str()];
                needles.extend_from_slice(extra);
                at(&needles, msg)
            };
            if outlook.id.trim().is_empty() || !ids.insert(outlook.id.as_str()) {
                return Err(here(
                    &[],
                    format!(
                        "outlook id {:?}: expected a unique, non-empty id",
                        outlook.id
                    ),
                ));
            }
            if outlook.label.values().all(|t| t.trim().is_empty()) {
                return Err(here(
                    &["label"],
                    format!("outlook {:?}: expected a label in en or zh", outlook.id),
                ));
            }
            if outlook.source.trim().is_empty() {
                return Err(here(
                    &["source"],
                    format!(
                        "outlook {:?}: expected a source (what published material it rests on)",
                        outlook.id
                    ),
                ));
            }
            for (name, value) in &outlook.values {
                let value_at = |msg: String| here(&["values", &format!("\"{name}\"")], msg);
                let Some(var) = program.find(name) else {
                    return Err(value_at(format!(
                        "outlook {:?}: {name:?} is not a variable of the model",
                        outlook.id
                    )));
                };
                if program.vars()[var].kind == VarKind::Stock || !program.is_constant(var) {
                    return Err(value_at(format!(
                        "outlook {:?}: {name:?} is not a constant: expected a number in the model",
                        outlook.id
                    )));
                }
                let key = canonical_name(name);
                if let Some(lever) = catalogue
                    .levers
                    .iter()
                    .find(|l| l.constants().iter().any(|c| canonical_name(c) == key))
                {
                    return Err(value_at(format!(
                        "outlook {:?}: {name:?} is set by lever {:?}; an outlook sets only what no government sets",
                        outlook.id, lever.id
                    )));
                }
                if !value.is_finite() {
                    return Err(value_at(format!(
                        "outlook {:?}: {name:?} = {value}: expected a finite number",
                        outlook.id
                    )));
                }
            }
        }
        if self.get(&self.default).is_none() {
            return Err(at(
                &["default"],
                format!(
                    "default outlook {:?} is not in the file: expected one of {}",
                    self.default,
                    self.ids().join(", ")
                ),
            ));
        }
        Ok(())
    }
}
