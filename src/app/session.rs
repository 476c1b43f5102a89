//! The model compiled once, and the runs the plots and cards show: baseline and current
//! scenario, with their headline figures. A lever change re-runs; it never recompiles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::analysis::{self, Headlines};
use crate::engine::{EngineError, Results};
use crate::scenario::edit::Window;
use crate::scenario::{Calendar, ModelRef, ModelSetup, Prepared, Scenario};

/// Whether `path` is a model (`.xmile`, `.stmx`, `.xml`) rather than a scenario: the extension
/// decides, as on the command line.
pub fn is_model(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| !e.eq_ignore_ascii_case("ron"))
}

/// The model the app opens `path` on, and the scenario file to open on it: a model file opens
/// on its status quo; a scenario on the model it names (the embedded one by default).
pub fn setup_for(path: Option<&Path>) -> Result<(ModelSetup, Option<PathBuf>), EngineError> {
    match path {
        None => Ok((ModelSetup::embedded()?, None)),
        Some(p) if is_model(p) => Ok((ModelSetup::load(p)?, None)),
        Some(p) => {
            let text = crate::engine::read_text(p)?;
            let scenario = Scenario::parse(&text, &p.display().to_string())?;
            let setup = ModelSetup::for_scenario(&scenario.model, p, &text)?;
            Ok((setup, Some(p.to_path_buf())))
        }
    }
}

/// The scenario a new document starts from: the shipped status quo for the embedded model,
/// else a status quo that names the model file.
pub fn default_scenario(setup: &ModelSetup) -> Result<Scenario, EngineError> {
    let mut scenario = match &setup.path {
        None => Scenario::parse(
            crate::scenario::prepare::DEFAULT_SCENARIO,
            "baseline-2022-10.ron",
        )?,
        Some(model) => {
            let mut s = Scenario::baseline("status quo");
            // Absolute, so that the scenario reads back wherever it is saved.
            let model = model.canonicalize().unwrap_or_else(|_| model.clone());
            s.model = ModelRef::Path(model.display().to_string());
            s
        }
    };
    // Brought to the current format, so that what the app saves reads back unchanged.
    setup.migrate(&mut scenario);
    Ok(scenario)
}

pub struct Session {
    pub setup: std::sync::Arc<ModelSetup>,
    pub calendar: Calendar,
    pub baseline: Results,
    pub baseline_headlines: Option<Headlines>,
    pub current: Results,
    pub headlines: Option<Headlines>,
    pub branch_time: f64,
    /// Recorded history for the plots, by output name.
    pub recorded: BTreeMap<String, Vec<egui_plot::PlotPoint>>,
    /// Milliseconds the last re-run took (levers to overrides to results).
    pub last_run_ms: f64,
    /// Why the current scenario could not run (it is then shown unchanged).
    pub problem: Option<String>,
    /// The current scenario prepared for runs (its ensemble runs from this).
    pub prepared: Option<Prepared>,
    /// The status quo's branch and horizon.
    status_quo_window: Window,
}

impl Session {
    pub fn new(setup: ModelSetup) -> Result<Session, EngineError> {
        let calendar = setup.catalogue.calendar();
        let baseline_scenario = Scenario::baseline("baseline");
        let (overrides, _) = setup.overrides_for(&baseline_scenario, "", "baseline")?;
        let baseline = setup.compiled.program.run(&overrides)?;
        let status_quo_window =
            Window::of(&baseline_scenario, &setup.catalogue).map_err(EngineError::Run)?;
        let branch_time = calendar.record_time().unwrap_or(0.0);
        let description = &setup.description;
        let baseline_headlines =
            analysis::headlines(description, &baseline, &calendar, branch_time, None);
        let recorded = analysis::record::recorded_series(description, &calendar)
            .into_iter()
            .map(|(name, points)| {
                (
                    name,
                    points
                        .into_iter()
                        .map(|(t, v)| egui_plot::PlotPoint::new(t, v))
                        .collect(),
                )
            })
            .collect();
        Ok(Session {
            current: baseline.clone(),
            headlines: baseline_headlines.clone(),
            baseline,
            baseline_headlines,
            calendar,
            branch_time,
            recorded,
            last_run_ms: 0.0,
            problem: None,
            prepared: None,
            status_quo_window,
            setup: std::sync::Arc::new(setup),
        })
    }

    /// The dates a scenario's changes keep to; a branch that does not read falls back to the
    /// status quo's (the run then names the problem).
    pub fn window(&self, scenario: &Scenario) -> Window {
        Window::of(scenario, &self.setup.catalogue).unwrap_or(self.status_quo_window)
    }

    /// Re-runs the whole horizon for `scenario`.
    pub fn rerun(&mut self, scenario: &Scenario) {
        let started = Instant::now();
        const FILE: &str = "current scenario";
        // Errors are located in the scenario's RON text, written only when there is one.
        let checked = self
            .setup
            .overrides_for(scenario, "", FILE)
            .or_else(|_| self.setup.overrides_for(scenario, &scenario.to_ron(), FILE));
        match checked {
            Ok((overrides, timelines)) => match (self.setup.compiled.program.run(&overrides))
                .map_err(|e| e.with_date(|t| self.calendar.date_of(t)))
            {
                Ok(results) => {
                    self.prepared = Some(Prepared {
                        setup: std::sync::Arc::clone(&self.setup),
                        scenario: scenario.clone(),
                        overrides,
                        timelines,
                        notes: Vec::new(),
                    });
                    self.branch_time = self
                        .calendar
                        .time_of_day(self.window(scenario).branch)
                        .unwrap_or(self.branch_time);
                    self.headlines = analysis::headlines(
                        &self.setup.description,
                        &results,
                        &self.calendar,
                        self.branch_time,
                        self.baseline_headlines.as_ref(),
                    );
                    self.current = results;
                    self.problem = None;
                }
                Err(e) => {
                    self.prepared = None;
                    self.problem = Some(e.to_string());
                }
            },
            Err(e) => {
                self.prepared = None;
                self.problem = Some(e.to_string());
            }
        }
        self.last_run_ms = started.elapsed().as_secs_f64() * 1e3;
    }
}
