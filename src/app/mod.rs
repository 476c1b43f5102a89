//! The desktop app: levers on the left, headline cards on top, recovery plots in the middle, a
//! status bar below. Panels return commands; `apply` carries them out in one place. The model is
//! compiled once; every change re-runs the whole horizon within the frame.
//!
//! This file holds the app's state and its frame; `commands` carries out commands (with the
//! file dialogs and exports), `menu` draws the menu bar, `dialogs` the app's own windows, and
//! `views` the status bar, cards, plots and slides.

pub mod cards;
pub mod command;
mod commands;
pub mod compare;
mod dialogs;
pub mod document;
pub mod examples;
pub mod export;
pub mod files;
mod fit;
pub mod guide;
pub mod i18n;
pub mod labels;
pub mod levers;
mod menu;
pub mod model_view;
pub mod plots;
pub mod presentation;
pub mod sensitivity;
pub mod session;
pub mod shortcuts;
mod strip;
pub mod timeline;
pub mod uncertainty;
mod views;
pub mod why;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use command::Command;
use document::Document;
use plots::PlotData;
use session::Session;

use crate::engine::EngineError;
use crate::scenario::{LeverValue, Scenario};

/// How often the working scenario is written to the data folder.
pub const AUTOSAVE_EVERY: Duration = Duration::from_secs(30);
const RECENT_KEY: &str = "recent files";
const LANGUAGE_KEY: &str = "language";
const LAYOUT_KEY: &str = "layout generation";
const WELCOME_KEY: &str = "welcome seen";
/// The workbench's zoom: eframe saves egui's own zoom too, which is the presentation's when the
/// app closes during one, so the next launch sets this one over it.
const ZOOM_KEY: &str = "workbench zoom";
/// Whether the last session closed during a presentation (its full screen is saved too).
const PRESENTING_KEY: &str = "closed while presenting";
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

/// Where the plot choices are kept: one set per model (another model has other outputs).
fn plots_key(session: &Session) -> String {
    let model = session
        .setup
        .path
        .as_ref()
        .map_or_else(|| "embedded".to_string(), |p| p.display().to_string());
    format!("plot choices {model}")
}

/// Files kept in File → Open recent.
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
    pub guide_open: bool,
    /// `--screenshot`: where to save the window once everything has run, then close.
    pub screenshot_and_quit: Option<PathBuf>,
    quit_after_export: bool,
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
    /// The workbench's zoom (not a presentation's), saved for the next launch.
    workbench_zoom: f32,
    /// The window title last sent (sending it every frame costs a repaint).
    sent_title: Option<String>,
    /// Which limit holds each traveller type back in the current run (None: the model's
    /// description has no limit strip).
    pub strip: Option<crate::analysis::why::Strip>,
    /// The lever being changed and the headline figures before its gesture began.
    why_before: Option<(String, Option<crate::analysis::Headlines>)>,
    /// The status line's answer to "why didn't it move?".
    pub why: Option<String>,
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
        let docs = crate::analysis::doc::variable_docs(
            &session.setup.compiled,
            Some(&session.setup.catalogue),
        );
        let model_view = model_view::ModelView::new(
            docs,
            session.setup.compiled.model.views.first(),
            model_view::names(&session.setup),
        );
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
        let plot_choices = cc
            .and_then(|cc| cc.storage)
            .and_then(|s| eframe::get_value::<plots::PlotChoices>(s, &plots_key(&session)))
            .unwrap_or_default()
            .kept_for(|name| session.baseline.series_or_sum(name).is_some());
        let baseline_plot = PlotData::with(
            &session.baseline,
            &session.setup.description,
            &plot_choices.added,
        );
        let storage = cc.and_then(|cc| cc.storage);
        let stored_zoom = storage
            .and_then(|s| eframe::get_value::<f32>(s, ZOOM_KEY))
            .filter(|z| z.is_finite() && *z > 0.0);
        if let Some(cc) = cc {
            install_fonts(&cc.egui_ctx);
            // Over what egui remembered, which is a presentation's zoom if one was on.
            if let Some(zoom) = stored_zoom {
                cc.egui_ctx.set_zoom_factor(zoom);
            }
            if storage.and_then(|s| eframe::get_value::<bool>(s, PRESENTING_KEY)) == Some(true) {
                cc.egui_ctx
                    .send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
            }
        }
        let workbench_zoom = cc.map_or(1.0, |cc| cc.egui_ctx.zoom_factor());
        let mut app = BorderflowApp {
            current_plot: baseline_plot.clone(),
            baseline_plot,
            session,
            doc: Document::new(default, None),
            ran_generation: None,
            levers: levers::LeversPanel::default(),
            plots: plots::PlotsPanel::new(plot_choices),
            cards: cards::HeadlineCards,
            uncertainty: uncertainty::Uncertainty::new(),
            sensitivity: sensitivity::SensitivityWindow::default(),
            ensemble_generation: None,
            error: None,
            recent,
            presentation: None,
            presented: None,
            help_open: false,
            guide_open: false,
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
            workbench_zoom,
            sent_title: None,
            examples: examples::scenarios(),
            welcome,
            strip: None,
            why_before: None,
            why: None,
        };
        if let Some(p) = &path {
            app.open(p);
        }
        app.rerun_if_needed();
        Ok(app)
    }

    /// One frame: menus, panels and windows draw and return commands, which are applied
    /// after drawing; then the scenario re-runs if it changed.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let started = Instant::now();
        let ctx = &ui.ctx().clone();
        if ctx.input(|i| i.pointer.any_pressed()) {
            self.doc.end_gesture();
        }
        self.uncertainty.poll();
        self.screenshot(ctx);
        if let Some(zoom) = self.leaving_presentation.take() {
            ctx.set_zoom_factor(zoom);
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
        }
        if self.presentation.is_none() {
            self.workbench_zoom = ctx.zoom_factor();
        }
        if self.presentation.is_some() {
            self.presentation_frame(ui);
            if self.presentation.is_some() {
                // --present with --screenshot: the slide once its bands are in.
                self.screenshot_when_settled(ctx);
                if self.close_confirmed {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
                self.last_frame_ms = started.elapsed().as_secs_f32() * 1e3;
                return;
            }
        }
        let mut commands = self.shortcuts(ctx);
        egui::Panel::top("menu").show(ui, |ui| commands.extend(self.menu(ui)));
        egui::Panel::bottom("status").show(ui, |ui| commands.extend(self.status_bar(ui)));
        let branch = self.session.window(&self.doc.scenario).branch;
        if std::mem::take(&mut self.reset_areas) {
            ctx.memory_mut(|m| m.reset_areas());
        }
        // The plots and cards keep room whatever the divider or window size.
        let widest = (ui.available_width() - MIN_PLOTS_WIDTH).max(MIN_LEVERS_WIDTH);
        self.levers_width = egui::Panel::left(("levers", self.layout_generation))
            .resizable(true)
            // A small window gives the levers less, so the cards and plots keep room.
            .default_size(
                LEVERS_WIDTH
                    .min(0.3 * ui.available_width())
                    .clamp(MIN_LEVERS_WIDTH, widest),
            )
            .size_range(MIN_LEVERS_WIDTH..=widest)
            .show(ui, |ui| {
                commands.extend(self.levers.ui(
                    ui,
                    &self.session.setup,
                    &self.doc.scenario,
                    branch,
                    &self.lang,
                ));
            })
            .response
            .rect
            .width();
        egui::Panel::top("cards").show(ui, |ui| self.show_cards(ui, true));
        let plots = self.workbench_plots();
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
            branch,
            &self.lang,
        ));
        commands.extend(self.model_view.ui(
            ctx,
            (&self.session.current, &self.session.baseline),
            &self.session.calendar,
            self.session.branch_time,
            &self.lang,
        ));
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
        commands.extend(self.dialogs(ctx));
        for c in commands {
            self.apply(c);
        }
        self.rerun_if_needed();
        self.restart_ensemble_if_needed(ctx);
        self.screenshot_when_settled(ctx);
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

    /// `--screenshot`: once the ensemble is in, export the window and close.
    fn screenshot_when_settled(&mut self, ctx: &egui::Context) {
        let settled = self.uncertainty.running().is_none();
        if settled && let Some(path) = self.screenshot_and_quit.take() {
            self.quit_after_export = true;
            self.apply(Command::ExportPng(Some(path)));
            ctx.request_repaint();
        }
    }

    /// What the user chose for the plots (remembered across sessions).
    pub fn plot_choices(&self) -> &plots::PlotChoices {
        &self.plots.choices
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
        eframe::set_value(storage, &plots_key(&self.session), &self.plots.choices);
        eframe::set_value(storage, ZOOM_KEY, &self.workbench_zoom);
        eframe::set_value(storage, PRESENTING_KEY, &self.presentation.is_some());
        if !self.welcome {
            eframe::set_value(storage, WELCOME_KEY, &true);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // A clean exit leaves no autosave behind (unsaved work was confirmed discarded).
        files::clear(&self.data_dir);
    }
}

/// What the app opens with, from the command line.
#[derive(Clone, Debug, Default)]
pub struct Startup {
    /// The scenario to work on (None: the status quo).
    pub scenario: Option<PathBuf>,
    /// Scenario files to compare with it.
    pub compare: Vec<PathBuf>,
    /// A story to present full screen.
    pub present: Option<PathBuf>,
    /// The slide to open the story on (0 is the first; past the last, the last).
    pub slide: usize,
    /// Save the window as PNG here once the ensemble is in, then close.
    pub screenshot: Option<PathBuf>,
}

/// Opens the desktop app on the startup's scenario, or on the default one.
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
                if let Some(p) = &mut app.presentation {
                    p.index = startup.slide.min(p.slides.len() - 1);
                }
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
