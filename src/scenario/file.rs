//! Scenario files (RON, `version: 2`; version 1 still reads, see `migrate`): strict reading,
//! safe writing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::catalogue::ron_error;
use super::{LeverValue, Text, locate, located, ron_options};
use crate::engine::EngineError;

/// The scenario format this Borderflow reads and writes.
pub const VERSION: u32 = 2;

/// Which model a scenario runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum ModelRef {
    /// The model built into Borderflow.
    #[default]
    Embedded,
    /// An XMILE file, relative to the scenario file.
    Path(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sampling {
    Random,
    LatinHypercube,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Distribution {
    Uniform(f64, f64),
    Normal(f64, f64),
    LogNormal(f64, f64),
    Triangular(f64, f64, f64),
}

impl Distribution {
    /// Why the parameters do not make a distribution, if they do not. A zero-width range (or a
    /// zero spread) is allowed: the parameter is then fixed.
    pub fn check(&self) -> Result<(), String> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        match *self {
            Distribution::Uniform(low, high) if finite(&[low, high]) && low <= high => Ok(()),
            Distribution::Uniform(..) => Err("Uniform(low, high) needs finite low <= high".into()),
            Distribution::Normal(mean, sd) if finite(&[mean, sd]) && sd >= 0.0 => Ok(()),
            Distribution::Normal(..) => {
                Err("Normal(mean, sd) needs a finite mean and sd >= 0".into())
            }
            Distribution::LogNormal(mu, sigma) if finite(&[mu, sigma]) && sigma >= 0.0 => Ok(()),
            Distribution::LogNormal(..) => {
                Err("LogNormal(mu, sigma) needs a finite mu and sigma >= 0".into())
            }
            Distribution::Triangular(low, mode, high)
                if finite(&[low, mode, high]) && low <= mode && mode <= high =>
            {
                Ok(())
            }
            Distribution::Triangular(..) => {
                Err("Triangular(low, mode, high) needs finite low <= mode <= high".into())
            }
        }
    }
}

/// Most members an ensemble may ask for.
pub const MAX_MEMBERS: u32 = 100_000;

/// Ensemble settings (read and kept here; run by the uncertainty layer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ensemble {
    pub members: u32,
    pub seed: u64,
    pub sampling: Sampling,
    #[serde(default, deserialize_with = "super::unique::map")]
    pub parameters: BTreeMap<String, Distribution>,
}

/// A scenario: levers on dates and constant overrides, branching from a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    #[serde(deserialize_with = "super::unique::map")]
    pub title: Text,
    #[serde(default, deserialize_with = "super::unique::map")]
    pub description: Text,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub model: ModelRef,
    /// Levers follow history before this date (default: the catalogue's record_end).
    #[serde(default)]
    pub branch: Option<String>,
    /// The named outlook (epidemic, economy) the scenario runs under (default: the model's
    /// default outlook). Version 2 on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlook: Option<String>,
    #[serde(default, deserialize_with = "super::unique::map")]
    pub levers: BTreeMap<String, Vec<(String, LeverValue)>>,
    #[serde(default, deserialize_with = "super::unique::map")]
    pub overrides: BTreeMap<String, f64>,
    #[serde(default)]
    pub ensemble: Option<Ensemble>,
}

impl Scenario {
    /// The status quo: every lever follows its history and stays at its last value.
    pub fn baseline(title: &str) -> Scenario {
        Scenario {
            version: VERSION,
            title: Text::from([("en".to_string(), title.to_string())]),
            description: Text::new(),
            author: String::new(),
            created: String::new(),
            model: ModelRef::Embedded,
            branch: None,
            outlook: None,
            levers: BTreeMap::new(),
            overrides: BTreeMap::new(),
            ensemble: None,
        }
    }

    /// Reads scenario text: the version first (a newer one is refused), then strictly.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, EngineError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            #[serde(default)]
            version: u32,
        }
        let probe: VersionOnly = ron_options()
            .from_str(text)
            .map_err(|e| ron_error(file, &e))?;
        match probe.version {
            0 => {
                return Err(located(
                    file,
                    locate(text, &["("]),
                    format!("expected `version: {VERSION}` in the scenario"),
                ));
            }
            v if v > VERSION => {
                return Err(located(
                    file,
                    locate(text, &["version"]),
                    format!(
                        "made by a newer Borderflow: scenario version {v}, this Borderflow reads version {VERSION}"
                    ),
                ));
            }
            _ => {}
        }
        let scenario: Scenario = ron_options()
            .from_str(text)
            .map_err(|e| ron_error(file, &e))?;
        if scenario.version < 2 && scenario.outlook.is_some() {
            return Err(located(
                file,
                locate(text, &["outlook:"]),
                "`outlook` needs `version: 2` (version 1 scenarios run under the default outlook)",
            ));
        }
        if scenario.title.values().all(|t| t.trim().is_empty()) {
            return Err(located(
                file,
                locate(text, &["title"]),
                "expected a title in en or zh",
            ));
        }
        Ok(scenario)
    }

    /// The scenario as RON text.
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new()
            .depth_limit(4)
            .struct_names(false);
        ron::ser::to_string_pretty(self, config).expect("a scenario always serializes")
    }
}

/// Reads the scenario at `path`.
pub fn load_scenario(path: &Path) -> Result<Scenario, EngineError> {
    let file = path.display().to_string();
    let text = crate::engine::read_text(path)?;
    Scenario::parse(&text, &file)
}

/// Writes the scenario atomically (see [`super::write`]): a crash never leaves half a scenario.
pub fn save_scenario(scenario: &Scenario, path: &Path) -> Result<(), EngineError> {
    super::write::write_atomic(path, scenario.to_ron().as_bytes())
}
