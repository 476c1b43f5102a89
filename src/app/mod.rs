//! The desktop app: levers on the left, headline cards on top, recovery plots in the middle, a
//! status bar below. Panels return commands; `apply` carries them out in one place. The model is
//! compiled once; every change re-runs the whole horizon within the frame.

pub mod cards;
pub mod command;
pub mod compare;
pub mod document;
pub mod examples;
pub mod export;
pub mod files;
pub mod i18n;
pub mod levers;
pub mod model_view;
pub mod plots;
pub mod presentation;
pub mod sensitivity;
pub mod session;
pub mod shortcuts;
pub mod timeline;
pub mod uncertainty;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use command::{Command, Gesture, TimelineEdit};
use document::Document;
use i18n::{fill, tr};
use plots::PlotData;
use session::Session;

use crate::engine::EngineError;
use crate::scenario::{self, LeverValue, Scenario, save_scenario};

/// How often the working scenario is written to the data folder.
pub const AUTOSAVE_EVERY: Duration = Duration::from_secs(30);
const RECENT_KEY: &str = "recent files";
const LANGUAGE_KEY: &str = "language";
const LAYOUT_KEY: &str = "layout generation";
const WELCOME_KEY: &str = "welcome seen";
/// The lever panel's default width, and the narrowest it and the plots may be made.
pub const LEVERS_WIDTH: f32 = 340.0;
const MIN_LEVERS_WIDTH: f32 = 220.0;
const MIN_PLOTS_WIDTH: f32 = 480.0;

/// The Simplified Chinese font (Noto Sans CJK SC cut to GB2312; assets/fonts/README.md).
const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-GB2312.otf");

/// The language saved by the last session, if it is one the app speaks; else English.
pub fn remembered_language(storage: Option<&dyn eframe::Storage>) -> String {
    storage
        .and_then(|s| eframe::get_value::<String>(s, LANGUAGE_KEY))
        .filter(|l| i18n::LANGUAGES.iter().any(|(code, _)| code == l))
        .unwrap_or_else(|| "en".into())
}

/// egui's fonts with the Chinese face as a fallback for every family.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "noto_sans_sc".into(),
        std::sync::Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("noto_sans_sc".into());
    }
    ctx.set_fonts(fonts);
}
const MAX_RECENT: usize = 8;

/// A written screenshot's path and outcome, from the integration's thread.
type PngResult = std::sync::Arc<std::sync::Mutex<Option<(PathBuf, Result<(), EngineError>)>>>;

/// Something waiting for "discard unsaved changes?".
#[derive(Clone, Debug, PartialEq)]
enum Pending {
    New,
    Open(Option<PathBuf>),
    Example(String),
    Close,
}

pub struct BorderflowApp {
    pub session: Session,
    pub doc: Document,
    current_plot: PlotData,
    baseline_plot: PlotData,
    ran_generation: Option<u64>,
    levers: levers::LeversPanel,
    plots: plots::PlotsPanel,
    cards: cards::HeadlineCards,
    pub uncertainty: uncertainty::Uncertainty,
    pub sensitivity: sensitivity::SensitivityWindow,
    /// The document generation the running ensemble is for.
    ensemble_generation: Option<u64>,
    /// The last error to show (a file that failed to open, a failed save).
    pub error: Option<String>,
    pub recent: Vec<PathBuf>,
    /// Presenting a story (or the current scenario) full screen.
    pub presentation: Option<presentation::Presentation>,
    /// The slide whose scenario the session last ran.
    presented: Option<usize>,
    pub help_open: bool,
    /// `--screenshot`: where to save the window once everything has run, then close.
    pub screenshot_and_quit: Option<PathBuf>,
    quit_after_export: bool,
    /// A drag's undo step has been taken (reset by each pointer press).
    gesture_open: bool,
    pub compare: compare::ComparePanel,
    pub timeline: timeline::TimelineWindow,
    pub model_view: model_view::ModelView,
    /// A one-line message for the status bar (an export written).
    pub notice: Option<String>,
    /// Set when presentation mode starts (zoom and full screen on the next frame), and the zoom
    /// to restore when it ends.
    entering_presentation: bool,
    leaving_presentation: Option<f32>,
    /// Where the next screenshot goes, and what became of the last one.
    pending_png: Option<PathBuf>,
    png_result: PngResult,
    data_dir: PathBuf,
    last_autosave: Instant,
    pub restore_offer: Option<(Scenario, Option<PathBuf>)>,
    pending: Option<Pending>,
    close_confirmed: bool,
    last_frame_ms: f32,
    /// `BORDERFLOW_LOG_FRAMES` set: print each frame's time (for measuring with a real drag).
    log_frames: bool,
    pub lang: String,
    /// Part of the lever panel's id: a reset layout starts a fresh panel at its default size
    /// (egui keeps a panel's dragged size under its id). Remembered with the layout.
    layout_generation: u64,
    /// Window places are forgotten on the next frame (they live in egui's memory).
    reset_areas: bool,
    /// The lever panel's width in the last frame.
    pub levers_width: f32,
    /// The example scenarios for File → Examples.
    examples: Vec<examples::ScenarioExample>,
    /// The first-launch welcome is showing (dismissed once, remembered).
    pub welcome: bool,
    /// The window title last sent (sending it every frame costs a repaint).
    sent_title: Option<String>,
}

impl BorderflowApp {
    /// The app on the default scenario, or on `path`; `cc` gives stored state when there is one.
    pub fn new(
        cc: Option<&eframe::CreationContext<'_>>,
        path: Option<&Path>,
    ) -> Result<Self, String> {
        Self::new_in(cc, path, files::data_dir())
    }

    /// As `new`, keeping autosaves in `data_dir`.
    pub fn new_in(
        cc: Option<&eframe::CreationContext<'_>>,
        path: Option<&Path>,
        data_dir: PathBuf,
    ) -> Result<Self, String> {
        // A model file opens on its status quo; a scenario on the model it names.
        let (setup, path) = session::setup_for(path).map_err(|e| e.to_string())?;
        let session = Session::new(setup).map_err(|e| e.to_string())?;
        let default = session::default_scenario(&session.setup).map_err(|e| e.to_string())?;
        let baseline_plot = PlotData::from(&session.baseline, &session.setup.description);
        let docs = crate::analysis::doc::variable_docs(
            &session.setup.compiled,
            Some(&session.setup.catalogue),
        );
        let model_view =
            model_view::ModelView::new(docs, session.setup.compiled.model.views.first());
        let recent = cc
            .and_then(|cc| cc.storage)
            .and_then(|s| eframe::get_value::<Vec<PathBuf>>(s, RECENT_KEY))
            .unwrap_or_default();
        let restore_offer = files::leftover(&data_dir);
        let lang = remembered_language(cc.and_then(|cc| cc.storage));
        // Only a real first launch greets: tests and runs without storage do not.
        let welcome = cc
            .and_then(|cc| cc.storage)
            .is_some_and(|s| eframe::get_value::<bool>(s, WELCOME_KEY).is_none());
        let layout_generation = cc
            .and_then(|cc| cc.storage)
            .and_then(|s| eframe::get_value::<u64>(s, LAYOUT_KEY))
            .unwrap_or_default();
        if let Some(cc) = cc {
            install_fonts(&cc.egui_ctx);
        }
        let mut app = BorderflowApp {
            current_plot: baseline_plot.clone(),
            baseline_plot,
            session,
            doc: Document::new(default, None),
            ran_generation: None,
            levers: levers::LeversPanel::default(),
            plots: plots::PlotsPanel,
            cards: cards::HeadlineCards,
            uncertainty: uncertainty::Uncertainty::new(),
            sensitivity: sensitivity::SensitivityWindow::default(),
            ensemble_generation: None,
            error: None,
            recent,
            presentation: None,
            presented: None,
            help_open: false,
            gesture_open: false,
            screenshot_and_quit: None,
            quit_after_export: false,
            compare: compare::ComparePanel::default(),
            timeline: timeline::TimelineWindow::default(),
            model_view,
            notice: None,
            pending_png: None,
            png_result: Default::default(),
            entering_presentation: false,
            leaving_presentation: None,
            data_dir,
            last_autosave: Instant::now(),
            restore_offer,
            pending: None,
            close_confirmed: false,
            last_frame_ms: 0.0,
            log_frames: std::env::var_os("BORDERFLOW_LOG_FRAMES").is_some(),
            lang,
            layout_generation,
            reset_areas: false,
            levers_width: LEVERS_WIDTH,
            sent_title: None,
            examples: examples::scenarios(),
            welcome,
        };
        if let Some(p) = &path {
            app.open(p);
        }
        app.rerun_if_needed();
        Ok(app)
    }

    fn rerun_if_needed(&mut self) {
        if self.ran_generation != Some(self.doc.generation) {
            self.session.rerun(&self.doc.scenario);
            self.current_plot =
                PlotData::from(&self.session.current, &self.session.setup.description);
            self.ran_generation = Some(self.doc.generation);
        }
    }

    /// Opens a scenario file; on failure the error is shown and the current work stays.
    pub fn open(&mut self, path: &Path) {
        let result = scenario::prepare_embedded(&self.session.setup, path);
        match result {
            Ok(p) => {
                self.doc = Document::new(p.scenario, Some(path.to_path_buf()));
                self.doc.changed();
                self.remember(path);
                // What migrating an older file changed, shown once (None for a current file).
                self.error = (!p.notes.is_empty()).then(|| p.notes.join("\n"));
            }
            Err(e) => {
                self.error = Some(fill(
                    tr(
                        &self.lang,
                        "Could not open the scenario; your work is unchanged.\n\n{}",
                    ),
                    &[&e.to_string()],
                ))
            }
        }
    }

    /// One undo step per gesture: a click is a step; a drag is one step from its first change,
    /// even when that change arrives as `Continue` (the pointer press ends any earlier gesture).
    fn checkpoint_for(&mut self, gesture: Gesture) {
        match gesture {
            Gesture::Single => {
                self.doc.checkpoint();
                self.gesture_open = false;
            }
            Gesture::Start => {
                self.doc.checkpoint();
                self.gesture_open = true;
            }
            Gesture::Continue => {
                if !self.gesture_open {
                    self.doc.checkpoint();
                    self.gesture_open = true;
                }
            }
        }
    }

    /// Applies a timeline edit: dates stay in order, on or after the branch, within the horizon.
    fn edit_timeline(&mut self, id: String, edit: TimelineEdit, gesture: Gesture) {
        let cal = self.session.calendar.clone();
        let branch = cal
            .time_of(&self.session.branch_date(&self.doc.scenario))
            .unwrap_or(0.0);
        let horizon = cal.horizon_time().unwrap_or(f64::MAX);
        let time = |d: &str| cal.time_of(d).unwrap_or(branch);
        let current = self
            .doc
            .scenario
            .levers
            .get(&id)
            .cloned()
            .unwrap_or_default();
        let mut entries = current.clone();
        match edit {
            TimelineEdit::Add { date, value } => {
                let t = time(&date);
                if t < branch || t > horizon {
                    return;
                }
                match entries.iter().position(|(d, _)| time(d) >= t) {
                    Some(i) if time(&entries[i].0) == t => entries[i].1 = value,
                    Some(i) => entries.insert(i, (date, value)),
                    None => entries.push((date, value)),
                }
            }
            TimelineEdit::Move { index, date } => {
                let Some(_) = entries.get(index) else { return };
                let low = index
                    .checked_sub(1)
                    .map_or(branch, |i| time(&entries[i].0) + 1.0)
                    .max(branch);
                let high = entries
                    .get(index + 1)
                    .map_or(horizon, |(d, _)| time(d) - 1.0);
                if low > high {
                    return;
                }
                entries[index].0 = cal.date_of(time(&date).clamp(low, high));
            }
            TimelineEdit::SetValue { index, value } => match entries.get_mut(index) {
                Some(e) => e.1 = value,
                None => return,
            },
            TimelineEdit::Remove { index } => {
                if index >= entries.len() {
                    return;
                }
                entries.remove(index);
            }
        }
        if entries == current {
            return;
        }
        self.checkpoint_for(gesture);
        if entries.is_empty() {
            self.doc.scenario.levers.remove(&id);
        } else {
            self.doc.scenario.levers.insert(id, entries);
        }
        self.doc.changed();
    }

    /// Enters presentation mode on a story file, or on the current scenario alone.
    fn present(&mut self, story: Option<PathBuf>) {
        let slides = match story {
            Some(path) => match scenario::story::load_story(&path, &self.session.setup) {
                Ok(slides) => slides,
                Err(e) => {
                    self.error = Some(e.to_string());
                    return;
                }
            },
            None => vec![scenario::story::LoadedSlide {
                scenario: self.doc.scenario.clone(),
                caption: Default::default(),
            }],
        };
        self.presentation = Some(presentation::Presentation {
            slides,
            index: 0,
            previous_zoom: 1.0,
        });
        self.presented = None;
        self.entering_presentation = true;
    }

    fn slide(&mut self, step: presentation::Step) {
        let Some(p) = &mut self.presentation else {
            return;
        };
        if step == presentation::Step::End {
            self.leaving_presentation = Some(p.previous_zoom);
            self.presentation = None;
            self.presented = None;
            // Back to the document's own run.
            self.ran_generation = None;
        } else {
            p.step(step);
        }
    }

    /// Runs the current slide's scenario when the slide changed.
    fn run_slide(&mut self) {
        let Some(p) = &self.presentation else {
            return;
        };
        if self.presented == Some(p.index) {
            return;
        }
        let scenario = p.slide().scenario.clone();
        self.presented = Some(p.index);
        self.session.rerun(&scenario);
        self.current_plot = PlotData::from(&self.session.current, &self.session.setup.description);
    }

    /// The presentation: caption, cards and two plots, large.
    fn presentation_frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.entering_presentation {
            self.entering_presentation = false;
            if let Some(p) = &mut self.presentation {
                p.previous_zoom = ctx.zoom_factor();
            }
            ctx.set_zoom_factor(presentation::PRESENTATION_ZOOM);
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        }
        if let Some(step) = presentation::Presentation::keys(&ctx) {
            self.apply(Command::Slide(step));
        }
        // The language can change mid-talk; other shortcuts wait for the workbench.
        for c in shortcuts::pressed(&ctx) {
            if c == Command::NextLanguage {
                self.apply(c);
            }
        }
        if self.presentation.is_none() {
            return;
        }
        self.run_slide();
        egui::Panel::top("slide").show(ui, |ui| {
            if let Some(p) = &self.presentation {
                p.header(ui, &self.lang);
            }
            if let Some(problem) = &self.session.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
        });
        egui::Panel::top("slide cards").show(ui, |ui| self.show_cards(ui, false));
        let plots = self.session.setup.description.presentation.plots.clone();
        egui::CentralPanel::default().show(ui, |ui| self.show_plots(ui, &plots, false));
    }

    /// The headline cards; with `ensemble`, the finished ensemble's ranges below the central run.
    fn show_cards(&mut self, ui: &mut egui::Ui, ensemble: bool) {
        let description = &self.session.setup.description;
        self.cards.ui(
            ui,
            cards::CardView {
                current: self.session.headlines.as_ref(),
                baseline: self.session.baseline_headlines.as_ref(),
                description,
                // Slides show the presentation's cards; the workbench its own.
                cards: if ensemble {
                    &description.workbench.cards
                } else {
                    &description.presentation.cards
                },
                calendar: &self.session.calendar,
                ensemble: if ensemble {
                    self.uncertainty.complete()
                } else {
                    None
                },
                range_line: ensemble && self.uncertainty.enabled,
                lang: &self.lang,
            },
        );
    }

    /// The plots of `outputs`; the workbench adds ensemble bands and compared scenarios.
    fn show_plots(&mut self, ui: &mut egui::Ui, outputs: &[String], workbench: bool) {
        let compared = if workbench {
            self.compare.lines()
        } else {
            Vec::new()
        };
        self.plots.ui(
            ui,
            plots::PlotView {
                current: &self.current_plot,
                baseline: &self.baseline_plot,
                recorded: &self.session.recorded,
                description: &self.session.setup.description,
                calendar: &self.session.calendar,
                branch: self.session.branch_time,
                bands: self.uncertainty.bands().filter(|_| workbench),
                // A half-finished median wanders as members arrive: only the finished one.
                median: self
                    .uncertainty
                    .complete()
                    .and(self.uncertainty.median())
                    .filter(|_| workbench),
                lang: &self.lang,
                outputs,
                compared: &compared,
            },
        );
    }

    /// Reports an export in the status bar, or its failure in the error window.
    fn exported(&mut self, path: &Path, result: Result<(), EngineError>) {
        if self.quit_after_export {
            // --screenshot: report on the terminal and close.
            match &result {
                Ok(()) => eprintln!("wrote {}", path.display()),
                Err(e) => eprintln!("error: {e}"),
            }
            self.quit_after_export = false;
            self.close_confirmed = true;
        }
        match result {
            Ok(()) => {
                self.notice = Some(fill(
                    tr(&self.lang, "Exported {}"),
                    &[&path.display().to_string()],
                ))
            }
            Err(e) => {
                self.error = Some(fill(
                    tr(&self.lang, "Could not export: {}"),
                    &[&e.to_string()],
                ))
            }
        }
    }

    /// Asks for the screenshot an export wants; the integration writes it when the pixels are
    /// read, and the next frame reports it.
    fn screenshot(&mut self, ctx: &egui::Context) {
        if let Some(path) = self.pending_png.take() {
            let slot = std::sync::Arc::clone(&self.png_result);
            let repaint = ctx.clone();
            ctx.request_screenshot(move |image| {
                let result = export::png(&path, &image);
                if let Ok(mut s) = slot.lock() {
                    *s = Some((path, result));
                }
                repaint.request_repaint();
            });
        }
        let done = self.png_result.lock().ok().and_then(|mut s| s.take());
        if let Some((path, result)) = done {
            self.exported(&path, result);
        }
    }

    fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
    }

    fn save_to(&mut self, path: PathBuf) {
        match save_scenario(&self.doc.scenario, &path) {
            Ok(()) => {
                self.remember(&path);
                self.doc.mark_saved(path);
            }
            Err(e) => {
                self.error = Some(fill(
                    tr(&self.lang, "Could not save: {}"),
                    &[&e.to_string()],
                ))
            }
        }
    }

    fn lever_date(&self, id: &str) -> String {
        self.doc
            .scenario
            .levers
            .get(id)
            .and_then(|e| e.first())
            .map(|(d, _)| d.clone())
            .unwrap_or_else(|| self.session.branch_date(&self.doc.scenario))
    }

    /// Carries out one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::SetLever { id, value, gesture } => {
                self.checkpoint_for(gesture);
                let date = self.lever_date(&id);
                let entries = self.doc.scenario.levers.entry(id).or_default();
                match entries.first_mut() {
                    Some(first) => first.1 = value,
                    None => entries.push((date, value)),
                }
                self.doc.changed();
            }
            Command::SetLeverDate { id, date } => {
                if scenario::calendar::parse_date(&date).is_err() {
                    self.error = Some(format!("{date:?} is not a date: expected YYYY-MM-DD"));
                    return;
                }
                let value = match self.doc.scenario.levers.get(&id).and_then(|e| e.first()) {
                    Some((_, v)) => v.clone(),
                    None => match self.session.setup.catalogue.lever(&id) {
                        Some(l) => {
                            levers::baseline_value(l, &self.session.branch_date(&self.doc.scenario))
                        }
                        None => return,
                    },
                };
                self.doc.checkpoint();
                let entries = self.doc.scenario.levers.entry(id).or_default();
                match entries.first_mut() {
                    Some(first) => first.0 = date,
                    None => entries.push((date, value)),
                }
                self.doc.changed();
            }
            Command::EditTimeline { id, edit, gesture } => self.edit_timeline(id, edit, gesture),
            Command::ToggleTimeline => self.timeline.open = !self.timeline.open,
            Command::ToggleModelView => self.model_view.open = !self.model_view.open,
            Command::ResetLever(id) => {
                if self.doc.scenario.levers.contains_key(&id) {
                    self.doc.checkpoint();
                    self.doc.scenario.levers.remove(&id);
                    self.doc.changed();
                }
            }
            Command::ResetToBaseline => {
                self.doc.checkpoint();
                self.doc.scenario.levers.clear();
                self.doc.scenario.overrides.clear();
                self.doc.scenario.branch = None;
                self.doc.changed();
            }
            Command::Undo => {
                self.doc.undo();
            }
            Command::Redo => {
                self.doc.redo();
            }
            Command::New => self.guard(Pending::New),
            Command::Open(path) => self.guard(Pending::Open(path)),
            Command::Save => match self.doc.path.clone() {
                Some(p) => self.save_to(p),
                None => self.apply(Command::SaveAs),
            },
            Command::SaveAs => {
                if let Some(p) = ask_save("Borderflow scenario", "ron", "scenario.ron") {
                    self.save_to(p);
                }
            }
            Command::RestoreAutosave(yes) => {
                if let Some((s, origin)) = self.restore_offer.take()
                    && yes
                {
                    self.doc = Document::recovered(s, origin);
                    self.doc.changed();
                }
                files::clear(&self.data_dir);
            }
            Command::ConfirmDiscard(yes) => {
                if let Some(p) = self.pending.take()
                    && yes
                {
                    self.proceed(p);
                }
            }
            Command::SaveAndProceed => {
                if let Some(p) = self.pending.take() {
                    self.apply(Command::Save);
                    // A cancelled or failed save keeps the work and asks nothing further.
                    if !self.doc.dirty() {
                        self.proceed(p);
                    }
                }
            }
            Command::OpenExample(file) => self.guard(Pending::Example(file)),
            Command::PresentExample(file) => {
                self.welcome = false;
                match examples::story_on_disk(&self.data_dir, &file) {
                    Ok(path) => self.present(Some(path)),
                    Err(e) => self.error = Some(e),
                }
            }
            Command::DismissWelcome => self.welcome = false,
            Command::DismissError => self.error = None,
            Command::ExportCsv(path) => {
                if let Some(p) = path.or_else(|| ask_save("CSV", "csv", "borderflow-runs.csv")) {
                    let result = export::runs_csv(
                        &p,
                        &self.session.baseline,
                        &self.session.current,
                        &self.session.calendar,
                        &self.session.setup.description,
                    );
                    self.exported(&p, result);
                }
            }
            Command::ExportPng(path) => {
                self.pending_png = path.or_else(|| ask_save("PNG", "png", "borderflow.png"));
            }
            Command::ExportSummary(path) => {
                if let Some(p) = path.or_else(|| ask_save("Markdown", "md", "scenario-summary.md"))
                {
                    let text = export::markdown(&export::SummaryInput {
                        scenario: &self.doc.scenario,
                        catalogue: &self.session.setup.catalogue,
                        description: &self.session.setup.description,
                        branch: &self.session.branch_date(&self.doc.scenario),
                        current: self.session.headlines.as_ref(),
                        baseline: self.session.baseline_headlines.as_ref(),
                        ensemble: self.uncertainty.complete(),
                        lang: &self.lang,
                    });
                    let result = crate::scenario::write::write_atomic(&p, text.as_bytes());
                    self.exported(&p, result);
                }
            }
            Command::Present(story) => self.present(story),
            Command::OpenStory => {
                if let Some(p) = ask_open("Borderflow story") {
                    self.present(Some(p));
                }
            }
            Command::Slide(step) => self.slide(step),
            Command::AddComparison(path) => {
                let path = path.or_else(|| ask_open("Borderflow scenario"));
                if let Some(p) = path
                    && let Err(e) = self.compare.load(&p, &self.session.setup)
                {
                    self.error = Some(e.to_string());
                }
            }
            Command::RemoveComparison(i) => {
                if i < self.compare.runs.len() {
                    self.compare.runs.remove(i);
                }
            }
            Command::ExportComparison(path) => {
                if let Some(p) = path.or_else(|| ask_save("CSV", "csv", "comparison.csv")) {
                    let result = self.compare.write_csv(
                        &p,
                        &self.session.current,
                        &self.session.calendar,
                        &self.session.setup.description,
                    );
                    self.exported(&p, result);
                }
            }
            Command::ToggleCompare => self.compare.open = !self.compare.open,
            Command::NextLanguage => {
                let next = i18n::LANGUAGES
                    .iter()
                    .cycle()
                    .skip_while(|(c, _)| *c != self.lang)
                    .nth(1)
                    .map_or("en", |(c, _)| *c);
                self.lang = next.to_string();
            }
            Command::ToggleBands => {
                let on = !self.uncertainty.enabled;
                self.set_uncertainty(on);
            }
            Command::ToggleSensitivity => self.sensitivity.open = !self.sensitivity.open,
            Command::ToggleHelp => self.help_open = !self.help_open,
            Command::ResetLayout => {
                self.layout_generation += 1;
                self.reset_areas = true;
            }
            Command::SetLanguage(code) => {
                if i18n::LANGUAGES.iter().any(|(c, _)| *c == code) {
                    self.lang = code;
                }
            }
        }
    }

    /// Runs `action` now, or asks first when there are unsaved changes.
    fn guard(&mut self, action: Pending) {
        if self.doc.dirty() {
            self.pending = Some(action);
        } else {
            self.proceed(action);
        }
    }

    fn proceed(&mut self, action: Pending) {
        match action {
            Pending::New => {
                match session::default_scenario(&self.session.setup) {
                    Ok(s) => self.doc = Document::new(s, None),
                    Err(e) => self.error = Some(e.to_string()),
                }
                self.doc.changed();
            }
            Pending::Open(Some(p)) => self.open(&p),
            Pending::Open(None) => {
                if let Some(p) = ask_open("Borderflow scenario") {
                    self.open(&p);
                }
            }
            Pending::Example(file) => {
                self.welcome = false;
                if let Some(s) = examples::scenario(&file) {
                    // Not tied to the shipped file: Save asks where, so examples stay intact.
                    self.doc = Document::new(s, None);
                    self.doc.changed();
                    self.error = None;
                }
            }
            Pending::Close => self.close_confirmed = true,
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let mut out = shortcuts::pressed(ctx);
        for file in ctx.input(|i| i.raw.dropped_files.clone()) {
            let p = file.path();
            if p.extension().is_some_and(|e| e == "ron") {
                out.push(Command::Open(Some(p.to_path_buf())));
            }
        }
        out
    }

    fn menu(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut out = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(tr(&self.lang, "File"), |ui| {
                menu_item(ui, tr(&self.lang, "New"), true, Command::New, &mut out);
                menu_item(
                    ui,
                    tr(&self.lang, "Open…"),
                    true,
                    Command::Open(None),
                    &mut out,
                );
                ui.menu_button(tr(&self.lang, "Examples"), |ui| {
                    let zh = usize::from(self.lang == "zh");
                    for e in &self.examples {
                        if ui
                            .button(scenario::text_in(&e.title, &self.lang))
                            .on_hover_text(scenario::text_in(&e.description, &self.lang))
                            .clicked()
                        {
                            out.push(Command::OpenExample(e.file.to_string()));
                        }
                    }
                    ui.separator();
                    for story in examples::STORIES {
                        if ui
                            .button(story.title[zh])
                            .on_hover_text(story.description[zh])
                            .clicked()
                        {
                            out.push(Command::PresentExample(story.file.to_string()));
                        }
                    }
                });
                ui.menu_button(tr(&self.lang, "Open recent"), |ui| {
                    if self.recent.is_empty() {
                        ui.label(tr(&self.lang, "(none)"));
                    }
                    for p in &self.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            out.push(Command::Open(Some(p.clone())));
                        }
                    }
                });
                menu_item(ui, tr(&self.lang, "Save"), true, Command::Save, &mut out);
                menu_item(
                    ui,
                    tr(&self.lang, "Save as…"),
                    true,
                    Command::SaveAs,
                    &mut out,
                );
                ui.separator();
                ui.menu_button(tr(&self.lang, "Export"), |ui| {
                    menu_item(
                        ui,
                        tr(&self.lang, "Runs as CSV…"),
                        true,
                        Command::ExportCsv(None),
                        &mut out,
                    );
                    menu_item(
                        ui,
                        tr(&self.lang, "Plots as PNG…"),
                        true,
                        Command::ExportPng(None),
                        &mut out,
                    );
                    menu_item(
                        ui,
                        tr(&self.lang, "Summary as Markdown…"),
                        true,
                        Command::ExportSummary(None),
                        &mut out,
                    );
                });
            });
            ui.menu_button(tr(&self.lang, "Edit"), |ui| {
                let (undo, redo) = (self.doc.can_undo(), self.doc.can_redo());
                menu_item(ui, tr(&self.lang, "Undo"), undo, Command::Undo, &mut out);
                menu_item(ui, tr(&self.lang, "Redo"), redo, Command::Redo, &mut out);
                menu_item(
                    ui,
                    tr(&self.lang, "Reset to baseline"),
                    true,
                    Command::ResetToBaseline,
                    &mut out,
                );
            });
            ui.menu_button(tr(&self.lang, "View"), |ui| {
                menu_item(
                    ui,
                    tr(&self.lang, "Timeline editor"),
                    true,
                    Command::ToggleTimeline,
                    &mut out,
                );
                menu_item(
                    ui,
                    tr(&self.lang, "Model (diagram and variables)"),
                    true,
                    Command::ToggleModelView,
                    &mut out,
                );
                menu_item(
                    ui,
                    tr(&self.lang, "Presentation mode"),
                    true,
                    Command::Present(None),
                    &mut out,
                );
                if ui
                    .button(tr(&self.lang, "Open a story (presentation)…"))
                    .clicked()
                {
                    out.push(Command::OpenStory);
                }
                if ui.button(tr(&self.lang, "Reset layout")).clicked() {
                    out.push(Command::ResetLayout);
                }
                ui.menu_button(tr(&self.lang, "Language"), |ui| {
                    for (code, name) in i18n::LANGUAGES {
                        if ui.radio(self.lang == code, name).clicked() {
                            out.push(Command::SetLanguage(code.to_string()));
                        }
                    }
                });
            });
            ui.menu_button(tr(&self.lang, "Analysis"), |ui| {
                menu_item(
                    ui,
                    tr(&self.lang, "Compare scenarios…"),
                    true,
                    Command::ToggleCompare,
                    &mut out,
                );
                menu_item(
                    ui,
                    tr(&self.lang, "Sensitivity (tornado)…"),
                    true,
                    Command::ToggleSensitivity,
                    &mut out,
                );
            });
            ui.menu_button(tr(&self.lang, "Help"), |ui| {
                menu_item(
                    ui,
                    tr(&self.lang, "Keyboard shortcuts"),
                    true,
                    Command::ToggleHelp,
                    &mut out,
                );
            });
            ui.separator();
            ui.label(
                egui::RichText::new(scenario::text_in(&self.doc.scenario.title, &self.lang))
                    .strong(),
            );
        });
        out
    }

    fn dialogs(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let mut out = Vec::new();
        if let Some(err) = &self.error {
            egui::Window::new(tr(&self.lang, "Problem"))
                .collapsible(false)
                .resizable(true)
                .show(ctx, |ui| {
                    ui.label(err);
                    if ui.button(tr(&self.lang, "OK")).clicked() {
                        out.push(Command::DismissError);
                    }
                });
        }
        if self.restore_offer.is_some() {
            egui::Window::new(tr(&self.lang, "Restore unsaved work?")).collapsible(false).show(ctx, |ui| {
                ui.label(tr(&self.lang, "Borderflow did not close cleanly last time. Restore the scenario you were working on?"));
                ui.horizontal(|ui| {
                    if ui.button(tr(&self.lang, "Restore")).clicked() {
                        out.push(Command::RestoreAutosave(true));
                    }
                    if ui.button(tr(&self.lang, "Discard")).clicked() {
                        out.push(Command::RestoreAutosave(false));
                    }
                });
            });
        }
        if self.welcome {
            out.extend(self.welcome_window(ctx));
        }
        if self.pending.is_some() {
            egui::Window::new(tr(&self.lang, "Unsaved changes"))
                .collapsible(false)
                .show(ctx, |ui| {
                    ui.label(tr(
                        &self.lang,
                        "This scenario has unsaved changes. Save them first?",
                    ));
                    ui.horizontal(|ui| {
                        if ui.button(tr(&self.lang, "Save")).clicked() {
                            out.push(Command::SaveAndProceed);
                        }
                        if ui.button(tr(&self.lang, "Discard changes")).clicked() {
                            out.push(Command::ConfirmDiscard(true));
                        }
                        if ui.button(tr(&self.lang, "Cancel")).clicked() {
                            out.push(Command::ConfirmDiscard(false));
                        }
                    });
                });
        }
        out
    }

    /// The first-launch welcome: what the app answers, three things to try, the examples.
    fn welcome_window(&self, ctx: &egui::Context) -> Vec<Command> {
        let mut out = Vec::new();
        let lang = &self.lang;
        egui::Window::new(tr(lang, "Welcome to Borderflow"))
            .collapsible(false)
            .default_width(460.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(tr(
                    lang,
                    "Borderflow answers: if the border had opened differently, when would Mainland visitors and trade have recovered, and how much would have been lost?",
                ));
                ui.add_space(6.0);
                ui.label(tr(lang, "Three things to try:"));
                ui.label(tr(
                    lang,
                    "1. Move a lever on the left (say, Hong Kong quarantine) and watch the cards.",
                ));
                ui.label(tr(
                    lang,
                    "2. Open an example below and compare it with the status quo.",
                ));
                ui.label(tr(
                    lang,
                    "3. File → Examples → Workshop story presents the scenarios one slide at a time.",
                ));
                ui.add_space(6.0);
                ui.label(egui::RichText::new(tr(lang, "Open an example")).strong());
                for e in &self.examples {
                    if ui
                        .button(scenario::text_in(&e.title, lang))
                        .on_hover_text(scenario::text_in(&e.description, lang))
                        .clicked()
                    {
                        out.push(Command::OpenExample(e.file.to_string()));
                    }
                }
                ui.add_space(6.0);
                if ui.button(tr(lang, "Start with the status quo")).clicked() {
                    out.push(Command::DismissWelcome);
                }
            });
        out
    }

    /// Switches the uncertainty bands (and their background ensemble) on or off.
    pub fn set_uncertainty(&mut self, enabled: bool) {
        self.uncertainty.enabled = enabled;
        self.uncertainty.clear();
        self.ensemble_generation = None;
    }

    /// A new ensemble when the scenario changed (the old one is cancelled), or when the bands
    /// were switched on or off.
    fn restart_ensemble_if_needed(&mut self, ctx: &egui::Context) {
        if self.ensemble_generation == Some(self.doc.generation) {
            return;
        }
        self.ensemble_generation = Some(self.doc.generation);
        match &self.session.prepared {
            Some(p) => self.uncertainty.restart(p.clone(), ctx.clone()),
            None => self.uncertainty.clear(),
        }
    }

    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = &ui.ctx().clone();
        if ctx.input(|i| i.pointer.any_pressed()) {
            self.gesture_open = false;
        }
        self.uncertainty.poll();
        self.screenshot(ctx);
        if let Some(zoom) = self.leaving_presentation.take() {
            ctx.set_zoom_factor(zoom);
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
        }
        if self.presentation.is_some() {
            self.presentation_frame(ui);
            if self.presentation.is_some() {
                self.last_frame_ms = started.elapsed().as_secs_f32() * 1e3;
                return;
            }
        }
        let mut commands = self.shortcuts(ctx);
        egui::Panel::top("menu").show(ui, |ui| commands.extend(self.menu(ui)));
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(fill(
                    tr(&self.lang, "run {} ms"),
                    &[&format!("{:.2}", self.session.last_run_ms)],
                ));
                ui.separator();
                ui.label(fill(
                    tr(&self.lang, "frame {} ms"),
                    &[&format!("{:.1}", self.last_frame_ms)],
                ));
                ui.separator();
                ui.label(self.doc.path.as_ref().map_or_else(
                    || tr(&self.lang, "not saved yet").to_string(),
                    |p| p.display().to_string(),
                ));
                ui.separator();
                if self.uncertainty.status_ui(ui, &self.lang) {
                    self.ensemble_generation = None;
                }
                if let Some(notice) = &self.notice {
                    ui.separator();
                    ui.label(notice);
                }
                if let Some(problem) = &self.session.problem {
                    ui.separator();
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
            });
        });
        let branch = self.session.branch_date(&self.doc.scenario);
        if std::mem::take(&mut self.reset_areas) {
            ctx.memory_mut(|m| m.reset_areas());
        }
        // The plots and cards keep room whatever the divider or window size.
        let widest = (ui.available_width() - MIN_PLOTS_WIDTH).max(MIN_LEVERS_WIDTH);
        self.levers_width = egui::Panel::left(("levers", self.layout_generation))
            .resizable(true)
            .default_size(LEVERS_WIDTH.min(widest))
            .size_range(MIN_LEVERS_WIDTH..=widest)
            .show(ui, |ui| {
                commands.extend(self.levers.ui(
                    ui,
                    &self.session.setup,
                    &self.doc.scenario,
                    &branch,
                    &self.lang,
                ));
            })
            .response
            .rect
            .width();
        egui::Panel::top("cards").show(ui, |ui| self.show_cards(ui, true));
        let plots = self.session.setup.description.workbench.plots.clone();
        egui::CentralPanel::default().show(ui, |ui| self.show_plots(ui, &plots, true));
        self.sensitivity.ui(
            ctx,
            self.session.prepared.as_ref(),
            self.doc.generation,
            &self.lang,
        );
        commands.extend(self.timeline.ui(
            ctx,
            &self.session.setup.catalogue,
            &self.doc.scenario,
            &branch,
            &self.lang,
        ));
        self.model_view.ui(
            ctx,
            (&self.session.current, &self.session.baseline),
            &self.session.calendar,
            self.session.branch_time,
            &self.lang,
        );
        let working = compare::Working {
            scenario: &self.doc.scenario,
            results: &self.session.current,
            headlines: self.session.headlines.as_ref(),
        };
        commands.extend(self.compare.ui(
            ctx,
            &working,
            &self.session.calendar,
            &self.session.setup.description,
            &self.lang,
        ));
        if self.help_open {
            let mut open = true;
            let lang = self.lang.clone();
            egui::Window::new(tr(&self.lang, "Shortcuts"))
                .id(egui::Id::unique("shortcuts window"))
                .open(&mut open)
                .show(ctx, |ui| shortcuts::help_ui(ui, ctx, &lang));
            self.help_open = open;
        }
        commands.extend(self.dialogs(ctx));
        for c in commands {
            self.apply(c);
        }
        self.rerun_if_needed();
        self.restart_ensemble_if_needed(ctx);
        let settled = self.uncertainty.running().is_none();
        if settled && let Some(path) = self.screenshot_and_quit.take() {
            self.quit_after_export = true;
            self.apply(Command::ExportPng(Some(path)));
            ctx.request_repaint();
        }
        let title = self.doc.title();
        if self.sent_title.as_ref() != Some(&title) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.sent_title = Some(title);
        }
        if ctx.input(|i| i.viewport().close_requested())
            && self.doc.dirty()
            && !self.close_confirmed
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.pending = Some(Pending::Close);
        }
        if self.close_confirmed {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if self.last_autosave.elapsed() >= AUTOSAVE_EVERY {
            self.autosave();
        }
        self.last_frame_ms = started.elapsed().as_secs_f32() * 1e3;
        if self.log_frames {
            eprintln!(
                "frame_ms={:.3} run_ms={:.3}",
                self.last_frame_ms, self.session.last_run_ms
            );
        }
    }

    /// Writes the working scenario to the data folder (kept until a clean exit).
    pub fn autosave(&mut self) {
        self.last_autosave = Instant::now();
        if self.doc.dirty()
            && let Err(e) =
                files::autosave(&self.data_dir, &self.doc.scenario, self.doc.path.as_deref())
        {
            self.error = Some(fill(
                tr(&self.lang, "Autosave failed: {}"),
                &[&e.to_string()],
            ));
        }
    }

    /// Current value of a lever in the working scenario (for tests and the status line).
    pub fn lever_value(&self, id: &str) -> Option<LeverValue> {
        self.doc
            .scenario
            .levers
            .get(id)
            .and_then(|e| e.first())
            .map(|(_, v)| v.clone())
    }
}

impl eframe::App for BorderflowApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
        ui.ctx().request_repaint_after(AUTOSAVE_EVERY);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, RECENT_KEY, &self.recent);
        eframe::set_value(storage, LANGUAGE_KEY, &self.lang);
        eframe::set_value(storage, LAYOUT_KEY, &self.layout_generation);
        if !self.welcome {
            eframe::set_value(storage, WELCOME_KEY, &true);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // A clean exit leaves no autosave behind (unsaved work was confirmed discarded).
        files::clear(&self.data_dir);
    }
}

/// A menu item that shows its keyboard shortcut, when it has one.
fn menu_item(
    ui: &mut egui::Ui,
    text: &str,
    enabled: bool,
    command: Command,
    out: &mut Vec<Command>,
) {
    let mut button = egui::Button::new(text);
    if let Some(keys) = shortcuts::keys_for(&command) {
        button = button.shortcut_text(ui.ctx().format_shortcut(&keys));
    }
    if ui.add_enabled(enabled, button).clicked() {
        out.push(command);
    }
}

/// Asks which `.ron` file (scenario or story) to open.
fn ask_open(kind: &str) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .add_filter(kind, &["ron"])
        .pick_file()
}

/// Asks where to save a file.
fn ask_save(kind: &str, extension: &str, name: &str) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .add_filter(kind, &[extension])
        .set_file_name(name)
        .save_file()
}

/// Opens the desktop app (on `path`, or on the default scenario).
/// What the app opens with, from the command line.
#[derive(Clone, Debug, Default)]
pub struct Startup {
    /// The scenario to work on (None: the status quo).
    pub scenario: Option<PathBuf>,
    /// Scenario files to compare with it.
    pub compare: Vec<PathBuf>,
    /// A story to present full screen.
    pub present: Option<PathBuf>,
    /// Save the window as PNG here once the ensemble is in, then close.
    pub screenshot: Option<PathBuf>,
}

pub fn run(startup: Startup) -> Result<(), String> {
    let path = startup.scenario.clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1280.0, 800.0])
            .with_title("Borderflow"),
        persist_window: true,
        persistence_path: files::settings_file(),
        ..Default::default()
    };
    eframe::run_native(
        "Borderflow",
        options,
        Box::new(move |cc| {
            let mut app = BorderflowApp::new(Some(cc), path.as_deref())?;
            for p in &startup.compare {
                app.apply(Command::AddComparison(Some(p.clone())));
            }
            app.screenshot_and_quit = startup.screenshot.clone();
            // A --screenshot run is a picture for a report: no welcome over the plots.
            app.welcome &= app.screenshot_and_quit.is_none();
            if let Some(story) = &startup.present {
                app.apply(Command::Present(Some(story.clone())));
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
