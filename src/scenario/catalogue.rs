//! The lever catalogue (`<model>.levers.ron`, beside the model): the model's calendar and one
//! entry per lever — labels, group, range or presets, what it drives, and its recorded history.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::calendar::{Calendar, parse_date};
use super::{LeverValue, Text, UnitsIn, bad_unit_in, locate, located};
use crate::engine::ast::VarKind;
use crate::engine::{EngineError, Program};

/// A heading the lever panel groups levers under, in the catalogue's order (the SZ–HK model's
/// are the report's three circles: commuting, finance, innovation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverGroup {
    pub id: String,
    #[serde(deserialize_with = "super::unique::map")]
    pub title: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub origin: String,
    pub horizon_end: String,
    pub record_end: String,
    /// The lever panel's headings; every lever names one.
    pub groups: Vec<LeverGroup>,
    pub levers: Vec<Lever>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lever {
    /// Stable snake_case identifier, used in scenario files.
    pub id: String,
    #[serde(deserialize_with = "super::unique::map")]
    pub label: Text,
    #[serde(default, deserialize_with = "super::unique::map")]
    pub help: Text,
    /// The id of the catalogue group it is listed under.
    pub group: String,
    /// Unit shown beside the value (empty for categorical levers).
    #[serde(default)]
    pub unit: String,
    /// The unit another language writes instead, with the factor values take there.
    #[serde(
        default,
        deserialize_with = "super::unique::map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub unit_in: UnitsIn,
    pub kind: LeverKind,
    /// What happened, from the origin to the end of the record.
    pub history: Vec<HistoryEntry>,
    /// The lever's most open setting (`borderflow effects` opens it to this). Required: a
    /// catalogue without it is refused.
    #[serde(default)]
    pub most_open: Option<LeverValue>,
    /// What opening the lever is expected to do. Required (at least one).
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// For a lever that honestly does not bind in the status quo: a scenario (path relative to
    /// scenarios/) in which it must move its outputs.
    #[serde(default)]
    pub stress: Option<String>,
}

/// An expected effect of moving a lever to its most open setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// A variable of the model.
    pub output: String,
    pub direction: Direction,
    /// One line: the causal path.
    pub why: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    /// `+` or `-`.
    pub fn sign(self) -> f64 {
        match self {
            Direction::Up => 1.0,
            Direction::Down => -1.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LeverKind {
    /// A number within `min..=max` that sets one model constant; optional named values, and
    /// optionally the constant's value for `Unlimited`.
    Numeric {
        constant: String,
        min: f64,
        max: f64,
        step: f64,
        #[serde(default)]
        presets: Vec<(String, f64)>,
        #[serde(default)]
        unlimited: Option<f64>,
    },
    /// Named presets only, each setting one or more constants (quarantine "7+3" → 7 hotel days
    /// and 3 surveillance days).
    Categorical { presets: Vec<CategoricalPreset> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoricalPreset {
    pub name: String,
    #[serde(deserialize_with = "super::unique::map")]
    pub values: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    pub date: String,
    pub value: LeverValue,
    /// A row of the shared data, a press release, or a stated judgement.
    pub source: String,
}

impl Lever {
    /// The model constants this lever drives.
    pub fn constants(&self) -> Vec<&str> {
        match &self.kind {
            LeverKind::Numeric { constant, .. } => vec![constant.as_str()],
            LeverKind::Categorical { presets } => {
                let set: BTreeSet<&str> = presets
                    .iter()
                    .flat_map(|p| p.values.keys().map(String::as_str))
                    .collect();
                set.into_iter().collect()
            }
        }
    }

    /// The constant values a lever value stands for, or why it is not a value of this lever.
    pub fn resolve(&self, value: &LeverValue) -> Result<Vec<(&str, f64)>, String> {
        match (&self.kind, value) {
            (
                LeverKind::Numeric {
                    constant, min, max, ..
                },
                LeverValue::Value(v),
            ) => {
                if !v.is_finite() || *v < *min || *v > *max {
                    return Err(format!("lever {:?}: {v} is outside {min}..{max}", self.id));
                }
                Ok(vec![(constant, *v)])
            }
            (
                LeverKind::Numeric {
                    constant, presets, ..
                },
                LeverValue::Preset(name),
            ) => presets
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| vec![(constant.as_str(), *v)])
                .ok_or_else(|| self.unknown_preset(name)),
            (
                LeverKind::Numeric {
                    constant,
                    unlimited: Some(v),
                    ..
                },
                LeverValue::Unlimited,
            ) => Ok(vec![(constant, *v)]),
            (LeverKind::Numeric { .. }, LeverValue::Unlimited) => {
                Err(format!("lever {:?} cannot be Unlimited", self.id))
            }
            (LeverKind::Categorical { presets }, LeverValue::Preset(name)) => presets
                .iter()
                .find(|p| &p.name == name)
                .map(|p| p.values.iter().map(|(c, v)| (c.as_str(), *v)).collect())
                .ok_or_else(|| self.unknown_preset(name)),
            (LeverKind::Categorical { .. }, other) => Err(format!(
                "lever {:?} takes a Preset (one of {}), found {other}",
                self.id,
                self.preset_names().join(", ")
            )),
        }
    }

    pub fn preset_names(&self) -> Vec<&str> {
        match &self.kind {
            LeverKind::Numeric { presets, .. } => presets.iter().map(|(n, _)| n.as_str()).collect(),
            LeverKind::Categorical { presets } => presets.iter().map(|p| p.name.as_str()).collect(),
        }
    }

    fn unknown_preset(&self, name: &str) -> String {
        format!(
            "lever {:?} has no preset {name:?}: expected one of {}",
            self.id,
            self.preset_names().join(", ")
        )
    }
}

impl Catalogue {
    pub fn calendar(&self) -> Calendar {
        Calendar {
            origin: self.origin.clone(),
            horizon_end: self.horizon_end.clone(),
            record_end: self.record_end.clone(),
        }
    }

    pub fn lever(&self, id: &str) -> Option<&Lever> {
        self.levers.iter().find(|l| l.id == id)
    }

    /// Parses catalogue text and checks it against the compiled model.
    pub fn parse(text: &str, file: &str, program: &Program) -> Result<Catalogue, EngineError> {
        let cat: Catalogue = super::ron_options()
            .from_str(text)
            .map_err(|e| ron_error(file, &e))?;
        cat.validate(text, file, program)?;
        cat.validate_effects(text, file, program)?;
        Ok(cat)
    }

    /// Reads the catalogue at `path`.
    pub fn load(path: &std::path::Path, program: &Program) -> Result<Catalogue, EngineError> {
        let file = path.display().to_string();
        let text = crate::engine::read_text(path)?;
        Catalogue::parse(&text, &file, program)
    }

    fn validate(&self, text: &str, file: &str, program: &Program) -> Result<(), EngineError> {
        let at = |needles: &[&str], msg: String| located(file, locate(text, needles), msg);
        let cal = self.calendar();
        for (field, date) in [
            ("origin", &self.origin),
            ("horizon_end", &self.horizon_end),
            ("record_end", &self.record_end),
        ] {
            parse_date(date).map_err(|e| at(&[field], format!("{field}: {e}")))?;
        }
        let (record, horizon) = (
            cal.record_time().unwrap_or(0.0),
            cal.horizon_time().unwrap_or(0.0),
        );
        if !(0.0 < record && record <= horizon) {
            return Err(at(
                &["record_end"],
                "expected origin < record_end <= horizon_end".into(),
            ));
        }
        let mut group_ids = BTreeSet::new();
        for g in &self.groups {
            if !group_ids.insert(g.id.as_str()) {
                return Err(at(
                    &[
                        "groups",
                        &format!("id: \"{}\"", g.id),
                        &format!("id: \"{}\"", g.id),
                    ],
                    format!("group id {:?} is used twice", g.id),
                ));
            }
        }
        let mut ids = BTreeSet::new();
        let mut driven: BTreeMap<String, &str> = BTreeMap::new();
        for lever in &self.levers {
            let id_at = format!("id: \"{}\"", lever.id);
            let here = |extra: &[&str], msg: String| {
                let mut needles = vec![id_at.as_str()];
                needles.extend_from_slice(extra);
                at(&needles, msg)
            };
            if lever.id.is_empty()
                || !lever
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(here(
                    &[],
                    format!("lever id {:?}: expected snake_case (a-z, 0-9, _)", lever.id),
                ));
            }
            if let Some((lang, msg)) = bad_unit_in(&lever.unit_in) {
                return Err(here(
                    &["unit_in", &format!("\"{lang}\""), "times"],
                    format!("lever {:?}: {msg}", lever.id),
                ));
            }
            if !self.groups.iter().any(|g| g.id == lever.group) {
                let ids: Vec<&str> = self.groups.iter().map(|g| g.id.as_str()).collect();
                return Err(here(
                    &["group"],
                    format!(
                        "lever {:?}: group {:?} is not one of the catalogue's groups ({})",
                        lever.id,
                        lever.group,
                        ids.join(", ")
                    ),
                ));
            }
            if !ids.insert(lever.id.as_str()) {
                return Err(here(&[], format!("lever id {:?} is used twice", lever.id)));
            }
            if lever.label.values().all(|t| t.trim().is_empty()) {
                return Err(here(
                    &["label"],
                    format!("lever {:?}: expected a label in en or zh", lever.id),
                ));
            }
            match &lever.kind {
                LeverKind::Numeric {
                    min,
                    max,
                    step,
                    presets,
                    ..
                } => {
                    let sane = min.is_finite() && max.is_finite() && min <= max && *step > 0.0;
                    if !sane {
                        return Err(here(
                            &["min"],
                            format!("lever {:?}: expected min <= max and step > 0", lever.id),
                        ));
                    }
                    for (name, v) in presets {
                        if v < min || v > max {
                            return Err(here(
                                &[&format!("\"{name}\"")],
                                format!(
                                    "lever {:?}: preset {name:?} = {v} is outside {min}..{max}",
                                    lever.id
                                ),
                            ));
                        }
                    }
                }
                LeverKind::Categorical { presets } => {
                    let Some(first) = presets.first() else {
                        return Err(here(
                            &["presets"],
                            format!("lever {:?}: a categorical lever needs presets", lever.id),
                        ));
                    };
                    for p in presets {
                        if p.values.keys().ne(first.values.keys()) {
                            return Err(here(
                                &[&format!("\"{}\"", p.name)],
                                format!(
                                    "lever {:?}: preset {:?} must set the same constants as {:?}",
                                    lever.id, p.name, first.name
                                ),
                            ));
                        }
                    }
                }
            }
            for constant in lever.constants() {
                if let Some(other) =
                    driven.insert(crate::engine::canonical_name(constant), &lever.id)
                {
                    return Err(here(
                        &[&format!("\"{constant}\"")],
                        format!(
                            "lever {:?} drives {constant:?}, which lever {other:?} drives already",
                            lever.id
                        ),
                    ));
                }
                match program.find(constant) {
                    Some(v) if program.vars()[v].kind != VarKind::Stock => {}
                    Some(_) => {
                        return Err(here(
                            &[&format!("\"{constant}\"")],
                            format!(
                                "lever {:?} drives {constant:?}, a stock: expected a constant",
                                lever.id
                            ),
                        ));
                    }
                    None => {
                        return Err(here(
                            &[&format!("\"{constant}\"")],
                            format!(
                                "lever {:?} drives {constant:?}, which the model does not have",
                                lever.id
                            ),
                        ));
                    }
                }
            }
            let Some(first) = lever.history.first() else {
                return Err(here(
                    &["history"],
                    format!(
                        "lever {:?}: expected a history starting at origin {}",
                        lever.id, self.origin
                    ),
                ));
            };
            if cal.time_of(&first.date).ok() != Some(0.0) {
                return Err(here(
                    &["history", &first.date],
                    format!(
                        "lever {:?}: history must start at origin {}, found {}",
                        lever.id, self.origin, first.date
                    ),
                ));
            }
            let mut last = -1.0;
            for entry in &lever.history {
                let entry_at =
                    |msg: String| here(&["history", &format!("\"{}\"", entry.date)], msg);
                let t = cal
                    .time_of(&entry.date)
                    .map_err(|e| entry_at(format!("lever {:?}: {e}", lever.id)))?;
                if t > record {
                    return Err(entry_at(format!(
                        "lever {:?}: history entry {} is after record_end {}",
                        lever.id, entry.date, self.record_end
                    )));
                }
                if t <= last {
                    return Err(entry_at(format!(
                        "lever {:?}: history dates must increase, {} does not",
                        lever.id, entry.date
                    )));
                }
                last = t;
                lever.resolve(&entry.value).map_err(&entry_at)?;
                if entry.source.trim().is_empty() {
                    return Err(entry_at(format!(
                        "lever {:?}: history entry {} needs a source or a stated judgement",
                        lever.id, entry.date
                    )));
                }
            }
        }
        Ok(())
    }
}

impl Catalogue {
    /// Each lever states its most open setting and at least one expected effect on a variable of
    /// the model, with a reason.
    fn validate_effects(
        &self,
        text: &str,
        file: &str,
        program: &Program,
    ) -> Result<(), EngineError> {
        for lever in &self.levers {
            let id_at = format!("id: \"{}\"", lever.id);
            let here = |extra: &[&str], msg: String| {
                let mut needles = vec![id_at.as_str()];
                needles.extend_from_slice(extra);
                located(file, locate(text, &needles), msg)
            };
            let Some(most_open) = &lever.most_open else {
                return Err(here(
                    &[],
                    format!(
                        "lever {:?}: expected `most_open: Value(…)` or `most_open: Preset(\"…\")`, its most open setting",
                        lever.id
                    ),
                ));
            };
            lever
                .resolve(most_open)
                .map_err(|e| here(&["most_open"], format!("most_open: {e}")))?;
            if lever.effects.is_empty() {
                return Err(here(
                    &[],
                    format!(
                        "lever {:?}: expected `effects: [(output: \"…\", direction: Up, why: \"…\")]`, what opening it does",
                        lever.id
                    ),
                ));
            }
            for effect in &lever.effects {
                let at = |msg: String| here(&["effects", &format!("\"{}\"", effect.output)], msg);
                if program.find(&effect.output).is_none() {
                    return Err(at(format!(
                        "lever {:?}: effect on {:?}, which the model does not have",
                        lever.id, effect.output
                    )));
                }
                if effect.why.trim().is_empty() {
                    return Err(at(format!(
                        "lever {:?}: effect on {:?} needs a why (the causal path)",
                        lever.id, effect.output
                    )));
                }
            }
            if let Some(stress) = &lever.stress {
                let path = std::path::Path::new(stress);
                if stress.trim().is_empty() || path.is_absolute() {
                    return Err(here(
                        &["stress"],
                        format!(
                            "lever {:?}: stress {stress:?}: expected a scenario path relative to scenarios/",
                            lever.id
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A RON error with its position.
pub fn ron_error(file: &str, e: &ron::error::SpannedError) -> EngineError {
    let pos = e.span.start;
    located(
        file,
        crate::engine::Location::new(pos.line as u32, pos.col as u32),
        e.code.to_string(),
    )
}
