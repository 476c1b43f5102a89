//! Scenarios: policies on dates. A scenario (RON) names a model, sets levers on dates and
//! overrides constants; the model's lever catalogue (`<model>.levers.ron`) says what each lever
//! drives and what really happened up to the end of the record. Built on the engine: levers
//! compile to the engine's schedule overrides, one compile of the model, then runs.

pub mod calendar;
pub mod catalogue;
pub mod description;
pub mod edit;
pub mod file;
pub mod migrate;
pub mod outlook;
pub mod parameters;
pub mod prepare;
pub mod story;
pub mod targets;
pub mod unique;
pub mod write;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use calendar::Calendar;
pub use catalogue::{Catalogue, Direction, Effect, Lever, LeverGroup, LeverKind};
pub use description::{Description, description_path};
pub use file::{
    Distribution, Ensemble, ModelRef, Sampling, Scenario, load_scenario, save_scenario,
};
pub use outlook::{Outlook, Outlooks};
pub use parameters::{ParameterList, UncertainParameter};
pub use prepare::{
    ModelSetup, Prepared, ScenarioRun, Timelines, catalogue_path, outlooks_path, parameters_path,
    prepare, prepare_embedded, prepare_str,
};
pub use targets::{CalibrationTarget, TargetSpec};

use crate::engine::{Diagnostic, EngineError, Location};

/// How Borderflow reads RON: `branch: "2022-10-10"` for an optional field, as people write it.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Text in several languages, keyed by language code (`en`, `zh`).
pub type Text = BTreeMap<String, String>;

/// A unit as one language writes it, and what values are multiplied by to be written in it:
/// RMB bn is 亿元 in Chinese, `(unit: "亿元/日", times: 10.0)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    pub unit: String,
    /// A power of ten, so that round values and steps stay round.
    pub times: f64,
}

/// Units by language (`unit_in: {"zh": (…)}` in catalogues and descriptions).
pub type UnitsIn = BTreeMap<String, UnitIn>;

/// The first language whose factor in `units` is not a power of ten, with the message.
pub fn bad_unit_in(units: &UnitsIn) -> Option<(&str, String)> {
    units.iter().find_map(|(lang, u)| {
        let power = u.times.log10();
        (!(u.times > 0.0 && (power - power.round()).abs() < 1e-9)).then(|| {
            (
                lang.as_str(),
                format!(
                    "expected times in {lang:?} to be a power of ten, got {}",
                    u.times
                ),
            )
        })
    })
}

/// The text in `lang`, else in the other language, else empty.
pub fn text_in<'a>(text: &'a Text, lang: &str) -> &'a str {
    text.get(lang)
        .or_else(|| text.get(if lang == "en" { "zh" } else { "en" }))
        .or_else(|| text.values().next())
        .map_or("", String::as_str)
}

/// A policy lever's value on a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LeverValue {
    Value(f64),
    Preset(String),
    /// No limit (only for levers whose catalogue entry says what "unlimited" means).
    Unlimited,
}

impl std::fmt::Display for LeverValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LeverValue::Value(v) => write!(f, "{v}"),
            LeverValue::Preset(p) => write!(f, "{p}"),
            LeverValue::Unlimited => write!(f, "unlimited"),
        }
    }
}

/// A located error in a scenario or catalogue file.
pub fn located(file: &str, location: Location, message: impl Into<String>) -> EngineError {
    EngineError::Model(Diagnostic {
        file: file.to_string(),
        location,
        message: message.into(),
    })
}

/// Where `needles` occur in `text`, one after another: the location of the last one found, so
/// that a semantic error points at the value it is about (e.g. a lever id, then a date in it).
pub fn locate(text: &str, needles: &[&str]) -> Location {
    let mut from = 0;
    let mut found = None;
    for needle in needles {
        if let Some(i) = text[from..].find(needle) {
            found = Some(from + i);
            from += i + needle.len();
        }
    }
    let at = found.unwrap_or(0);
    let before = &text[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Location::new(line, col)
}
