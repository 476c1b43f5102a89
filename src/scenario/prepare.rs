//! From a scenario to engine overrides: each lever's timeline (history before the branch, the
//! scenario's entries after it) becomes a piecewise-constant schedule of the constants it drives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::calendar::Calendar;
use super::catalogue::Catalogue;
use super::description::{Description, description_path};
use super::edit;
use super::file::{Ensemble, MAX_MEMBERS, ModelRef, Scenario};
use super::outlook::{EMBEDDED_OUTLOOKS, Outlook, Outlooks};
use super::parameters::{EMBEDDED_PARAMETERS, ParameterList};
use super::{LeverValue, locate, located};
use crate::engine::ast::VarKind;
use crate::engine::{self, Compiled, EngineError, Override, Overrides, Results};

pub const EMBEDDED_MODEL: &str = include_str!("../../assets/models/szhk.xmile");
pub const EMBEDDED_CATALOGUE: &str = include_str!("../../assets/models/szhk.levers.ron");
pub const EMBEDDED_DESCRIPTION: &str = include_str!("../../assets/models/szhk.model.ron");
/// The data files the embedded description names, by the path it names them with.
const EMBEDDED_DATA: [(&str, &str); 1] = [(
    "../data/hk_daily_passenger_traffic.csv",
    include_str!("../../assets/data/hk_daily_passenger_traffic.csv"),
)];
/// The default scenario: the status quo of 10 October 2022.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/baseline-2022-10.ron");

/// A model compiled once with its catalogue: scenarios are applied to it without recompiling.
#[derive(Clone, Debug)]
pub struct ModelSetup {
    pub compiled: Compiled,
    pub catalogue: Catalogue,
    /// Uncertain parameters with their ranges (empty when the model has no list beside it).
    pub parameters: ParameterList,
    /// Named outlooks (empty when the model has no outlooks file beside it).
    pub outlooks: Outlooks,
    /// What a planner reads of the model (empty when it has no description beside it).
    pub description: Description,
    /// The model file (None: the embedded model).
    pub path: Option<PathBuf>,
}

/// The catalogue path beside a model: `m.xmile` → `m.levers.ron`.
pub fn catalogue_path(model: &Path) -> PathBuf {
    model.with_extension("levers.ron")
}

/// The outlooks beside a model: `m.xmile` → `m.outlooks.ron`.
pub fn outlooks_path(model: &Path) -> PathBuf {
    model.with_extension("outlooks.ron")
}

/// The uncertain-parameter list beside a model: `m.xmile` → `m.calibration.ron`.
pub fn parameters_path(model: &Path) -> PathBuf {
    model.with_extension("calibration.ron")
}

impl ModelSetup {
    /// Loads the model a scenario names; `scenario_path` resolves relative paths.
    pub fn for_scenario(
        model: &ModelRef,
        scenario_path: &Path,
        scenario_text: &str,
    ) -> Result<ModelSetup, EngineError> {
        match model {
            ModelRef::Embedded => ModelSetup::embedded(),
            ModelRef::Path(p) => {
                let base = scenario_path.parent().unwrap_or(Path::new("."));
                let model = base.join(p);
                if let Some(why) = engine::limits::refuse_input(&model) {
                    return Err(located(
                        &scenario_path.display().to_string(),
                        locate(scenario_text, &["model", p]),
                        format!(
                            "model file {} {why} (paths are relative to the scenario file)",
                            model.display()
                        ),
                    ));
                }
                ModelSetup::load(&model)
            }
        }
    }

    /// The embedded Shenzhen–Hong Kong model and its catalogue.
    pub fn embedded() -> Result<ModelSetup, EngineError> {
        let compiled = engine::compile_str(EMBEDDED_MODEL, "szhk.xmile (embedded)")?;
        let catalogue = Catalogue::parse(
            EMBEDDED_CATALOGUE,
            "szhk.levers.ron (embedded)",
            &compiled.program,
        )?;
        let parameters = ParameterList::parse(
            EMBEDDED_PARAMETERS,
            "szhk.calibration.ron (embedded)",
            &compiled.program,
            &catalogue,
        )?;
        let outlooks = Outlooks::parse(
            EMBEDDED_OUTLOOKS,
            "szhk.outlooks.ron (embedded)",
            &compiled.program,
            &catalogue,
        )?;
        let description = Description::parse(
            EMBEDDED_DESCRIPTION,
            "szhk.model.ron (embedded)",
            &compiled.program,
            &|name| {
                EMBEDDED_DATA
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, text)| text.to_string())
                    .ok_or_else(|| EngineError::Run(format!("{name}: not embedded in the program")))
            },
        )?;
        description.check_names(
            EMBEDDED_DESCRIPTION,
            "szhk.model.ron (embedded)",
            &compiled.program,
            &sectors(&compiled),
            &elements(&compiled),
        )?;
        Ok(ModelSetup {
            compiled,
            catalogue,
            parameters,
            outlooks,
            description,
            path: None,
        })
    }

    /// Compiles the model at `path` and reads the catalogue beside it.
    pub fn load(path: &Path) -> Result<ModelSetup, EngineError> {
        let compiled = engine::compile_file(path)?;
        let catalogue = Catalogue::load(&catalogue_path(path), &compiled.program)?;
        let list = parameters_path(path);
        let parameters = if list.exists() {
            ParameterList::load(&list, &compiled.program, &catalogue)?
        } else {
            ParameterList::default()
        };
        let outlooks_file = outlooks_path(path);
        let outlooks = if outlooks_file.exists() {
            Outlooks::load(&outlooks_file, &compiled.program, &catalogue)?
        } else {
            Outlooks::default()
        };
        let description_file = description_path(path);
        let description = if description_file.exists() {
            let description = Description::load(&description_file, &compiled.program)?;
            if !description.names.is_empty() {
                description.check_names(
                    &engine::read_text(&description_file)?,
                    &description_file.display().to_string(),
                    &compiled.program,
                    &sectors(&compiled),
                    &elements(&compiled),
                )?;
            }
            description
        } else {
            Description::default()
        };
        Ok(ModelSetup {
            compiled,
            catalogue,
            parameters,
            outlooks,
            description,
            path: Some(path.to_path_buf()),
        })
    }

    /// Whether a scenario at `scenario_path` naming `model` runs on this setup's model.
    pub fn runs(&self, model: &ModelRef, scenario_path: &Path) -> bool {
        match (model, &self.path) {
            (ModelRef::Embedded, None) => true,
            (ModelRef::Path(p), Some(mine)) => {
                let base = scenario_path.parent().unwrap_or(Path::new("."));
                let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                };
                same(&base.join(p), mine)
            }
            _ => false,
        }
    }

    /// Brings a scenario read in an older format up to date for this model; one note per
    /// change made (see `migrate`).
    pub fn migrate(&self, scenario: &mut Scenario) -> Vec<String> {
        super::migrate::migrate(scenario, &self.catalogue, &self.compiled.program)
    }

    /// The outlook a scenario runs under (None: the model has no outlooks).
    pub fn outlook_of(&self, scenario: &Scenario) -> Result<Option<&Outlook>, String> {
        self.outlooks.select(scenario.outlook.as_deref())
    }

    /// Checks a scenario against this model and turns it into overrides. `text` and `file` are
    /// the scenario's source, for locating errors.
    pub fn overrides_for(
        &self,
        scenario: &Scenario,
        text: &str,
        file: &str,
    ) -> Result<(Overrides, Timelines), EngineError> {
        let cat = &self.catalogue;
        let cal = cat.calendar();
        let program = &self.compiled.program;
        let err = |needles: &[&str], msg: String| located(file, locate(text, needles), msg);
        cal.horizon_time().map_err(|e| err(&[], e))?;
        let window = edit::Window::of(scenario, cat).map_err(|e| err(&["branch"], e))?;
        let day = |d: NaiveDate| cal.time_of_day(d).map_err(|e| err(&[], e));
        for id in scenario.levers.keys() {
            if cat.lever(id).is_none() {
                let known: Vec<&str> = cat.levers.iter().map(|l| l.id.as_str()).collect();
                return Err(err(
                    &[&format!("\"{id}\"")],
                    format!("unknown lever {id:?}: expected one of {}", known.join(", ")),
                ));
            }
        }
        let mut timelines = Timelines::new();
        let mut schedules: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
        for lever in &cat.levers {
            let own = match scenario.levers.get(&lever.id) {
                Some(entries) => {
                    let checked = edit::check_entries(&lever.id, entries, window).map_err(|e| {
                        let date = format!("\"{}\"", entries[e.index].0);
                        err(&[&format!("\"{}\"", lever.id), &date], e.message)
                    })?;
                    for (date, value) in &checked {
                        lever.resolve(value).map_err(|m| {
                            err(
                                &[
                                    &format!("\"{}\"", lever.id),
                                    &format!("\"{}\"", edit::date_text(*date)),
                                ],
                                m,
                            )
                        })?;
                    }
                    Some(checked)
                }
                None => None,
            };
            let timeline = edit::effective(lever, own.as_deref(), window.branch);
            for (date, value) in &timeline {
                let t = day(*date)?;
                let values = lever.resolve(value).map_err(|e| err(&[&lever.id], e))?;
                for (constant, v) in values {
                    schedules
                        .entry(constant.to_string())
                        .or_default()
                        .push((t, v));
                }
            }
            timelines.insert(
                lever.id.clone(),
                timeline
                    .into_iter()
                    .map(|(d, v)| (edit::date_text(d), v.clone()))
                    .collect(),
            );
        }
        let mut overrides = Overrides::new();
        for (constant, points) in schedules {
            overrides
                .set(program, &constant, Override::Schedule(points))
                .map_err(|e| err(&[], e))?;
        }
        // The outlook first, so that a scenario's own override of the same constant wins.
        let chosen = scenario.outlook.as_deref().map(|id| format!("\"{id}\""));
        let outlook_at = ["outlook:", chosen.as_deref().unwrap_or("outlook:")];
        if let Some(outlook) = self.outlook_of(scenario).map_err(|e| err(&outlook_at, e))? {
            for (name, value) in &outlook.values {
                overrides
                    .set(program, name, Override::Constant(*value))
                    .map_err(|e| err(&outlook_at, format!("outlook {:?}: {e}", outlook.id)))?;
            }
        }
        for (name, value) in &scenario.overrides {
            overrides
                .set(program, name, Override::Constant(*value))
                .map_err(|e| {
                    err(
                        &["overrides", &format!("\"{name}\"")],
                        format!("override {name:?}: {e}"),
                    )
                })?;
        }
        if let Some(ensemble) = &scenario.ensemble {
            self.check_ensemble(ensemble, text, file)?;
        }
        Ok((overrides, timelines))
    }

    /// An ensemble's members and distributions make sense, and each parameter it samples is a
    /// constant of the model that no lever drives.
    fn check_ensemble(&self, e: &Ensemble, text: &str, file: &str) -> Result<(), EngineError> {
        let program = &self.compiled.program;
        let err = |needles: &[&str], msg: String| located(file, locate(text, needles), msg);
        if e.members == 0 || e.members > MAX_MEMBERS {
            return Err(err(
                &["ensemble", "members"],
                format!(
                    "ensemble members: expected 1 ..= {MAX_MEMBERS}, found {}",
                    e.members
                ),
            ));
        }
        for (name, dist) in &e.parameters {
            let at = |msg: String| err(&["ensemble", &format!("\"{name}\"")], msg);
            let var = program.find(name).ok_or_else(|| {
                at(format!(
                    "ensemble parameter {name:?}: no such variable in the model"
                ))
            })?;
            if !program.is_constant(var) || program.vars()[var].kind == VarKind::Stock {
                return Err(at(format!(
                    "ensemble parameter {name:?} is not a constant of the model"
                )));
            }
            let key = crate::engine::canonical_name(name);
            if let Some(lever) = self.catalogue.levers.iter().find(|l| {
                l.constants()
                    .iter()
                    .any(|c| crate::engine::canonical_name(c) == key)
            }) {
                return Err(at(format!(
                    "ensemble parameter {name:?} is set by lever {:?}: vary the lever in another scenario instead",
                    lever.id
                )));
            }
            dist.check()
                .map_err(|m| at(format!("ensemble parameter {name:?}: {m}")))?;
        }
        Ok(())
    }
}

/// Each lever's effective timeline: dated values from the origin on.
pub type Timelines = BTreeMap<String, Vec<(String, LeverValue)>>;

/// A scenario checked against its model, ready to run as often as wanted.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Shared: the app's background ensembles run the same compiled model.
    pub setup: std::sync::Arc<ModelSetup>,
    pub scenario: Scenario,
    pub overrides: Overrides,
    pub timelines: Timelines,
    /// What loading changed in an older scenario (empty for a current one), for the user.
    pub notes: Vec<String>,
}

/// A run with its calendar dates.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    pub results: Results,
    pub dates: Vec<String>,
}

/// Reads, checks and prepares the scenario file at `path`.
pub fn prepare(path: &Path) -> Result<Prepared, EngineError> {
    let text = crate::engine::read_text(path)?;
    prepare_str(&text, path)
}

/// Reads and prepares a scenario file that must run on `setup` as it is (the app's embedded
/// model): a scenario naming another model file is refused at its `model` line.
pub fn prepare_embedded(
    setup: &std::sync::Arc<ModelSetup>,
    path: &Path,
) -> Result<Prepared, EngineError> {
    let file = path.display().to_string();
    let text = crate::engine::read_text(path)?;
    let mut scenario = Scenario::parse(&text, &file)?;
    if !setup.runs(&scenario.model, path) {
        let open = match &setup.path {
            None => "the embedded Shenzhen–Hong Kong model".to_string(),
            Some(p) => p.display().to_string(),
        };
        return Err(located(
            &file,
            locate(&text, &["model"]),
            format!(
                "expected the model open in the app ({open}): its comparisons and stories run that model"
            ),
        ));
    }
    let notes = setup.migrate(&mut scenario);
    let (overrides, timelines) = setup.overrides_for(&scenario, &text, &file)?;
    Ok(Prepared {
        setup: std::sync::Arc::clone(setup),
        scenario,
        overrides,
        timelines,
        notes,
    })
}

/// Checks and prepares scenario text; `path` names it in errors and resolves a model path.
pub fn prepare_str(text: &str, path: &Path) -> Result<Prepared, EngineError> {
    let file = path.display().to_string();
    let mut scenario = Scenario::parse(text, &file)?;
    let setup = ModelSetup::for_scenario(&scenario.model, path, text)?;
    let notes = setup.migrate(&mut scenario);
    let (overrides, timelines) = setup.overrides_for(&scenario, text, &file)?;
    Ok(Prepared {
        setup: std::sync::Arc::new(setup),
        scenario,
        overrides,
        timelines,
        notes,
    })
}

impl Prepared {
    /// The status quo (a scenario that changes no lever) on `setup`.
    pub fn status_quo(setup: std::sync::Arc<ModelSetup>) -> Result<Prepared, EngineError> {
        let scenario = Scenario::baseline("status quo");
        let (overrides, timelines) = setup.overrides_for(&scenario, "", "status quo")?;
        Ok(Prepared {
            setup,
            scenario,
            overrides,
            timelines,
            notes: Vec::new(),
        })
    }

    pub fn calendar(&self) -> Calendar {
        self.setup.catalogue.calendar()
    }

    /// Model time of the branch date (the catalogue's record_end unless the scenario sets one).
    pub fn branch_time(&self) -> f64 {
        let cal = self.calendar();
        cal.time_of(edit::branch_text(&self.scenario, &self.setup.catalogue))
            .unwrap_or(0.0)
    }

    /// The outlook the scenario runs under (None: the model has no outlooks).
    pub fn outlook(&self) -> Option<&Outlook> {
        self.setup.outlook_of(&self.scenario).ok().flatten()
    }

    /// Runs with the scenario's overrides plus `extra` ones (e.g. the CLI's `--set`).
    pub fn run_with(&self, extra: &[(String, f64)]) -> Result<ScenarioRun, EngineError> {
        let mut overrides = self.overrides.clone();
        for (name, v) in extra {
            overrides
                .set(&self.setup.compiled.program, name, Override::Constant(*v))
                .map_err(EngineError::Run)?;
        }
        let cal = self.calendar();
        let results = (self.setup.compiled.program.run(&overrides))
            .map_err(|e| e.with_date(|t| cal.date_of(t)))?;
        let dates = results.times.iter().map(|&t| cal.date_of(t)).collect();
        Ok(ScenarioRun { results, dates })
    }
}

/// The diagram's sector names (its `<group>`s), which the description may name.
/// The element names of the model's arrays (as the description may name them).
pub fn elements(compiled: &engine::Compiled) -> Vec<&str> {
    compiled
        .source
        .dimensions
        .iter()
        .flat_map(|d| &d.elements)
        .map(String::as_str)
        .collect()
}

pub fn sectors(compiled: &engine::Compiled) -> Vec<&str> {
    compiled
        .model
        .views
        .iter()
        .flat_map(|v| &v.elements)
        .filter(|e| e.kind == "group")
        .map(|e| e.name.as_str())
        .collect()
}
