//! Command handling: `apply` carries out what panels, menus and shortcuts ask for, in one
//! place. Scenario edits go through `scenario::edit` and `Document::edit` (their undo step);
//! the rest opens and saves files (behind the unsaved-changes guard), exports and presents.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::command::{Command, Gesture};
use super::document::Document;
use super::i18n::{fill, tr};
use super::{BorderflowApp, MAX_RECENT, Pending, examples, export, files, i18n, presentation};
use crate::engine::EngineError;
use crate::scenario::{self, edit, save_scenario};

impl BorderflowApp {
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

    /// Enters presentation mode on a story file, or on the current scenario alone.
    pub(super) fn present(&mut self, story: Option<PathBuf>) {
        let slides = match story {
            Some(path) => match scenario::story::load_story(&path, &self.session.setup) {
                Ok(slides) => slides,
                Err(e) => {
                    self.error = Some(e.to_string());
                    return;
                }
            },
            None => vec![scenario::story::LoadedSlide::of(
                self.doc.scenario.clone(),
                &self.session.setup,
            )],
        };
        self.presentation = Some(presentation::Presentation {
            slides,
            index: 0,
            previous_zoom: 1.0,
            reference: None,
        });
        self.presented = None;
        self.entering_presentation = true;
    }

    /// Adds a model variable to the workbench's plots (once), with its runs' series.
    pub(super) fn plot_on_workbench(&mut self, name: String) {
        if self.workbench_plots().contains(&name) {
            return;
        }
        self.plots.choices.added.push(name);
        self.baseline_plot = self.plot_data(&self.session.baseline);
        self.current_plot = self.plot_data(&self.session.current);
    }

    /// Moves through the presentation, or leaves it (back to the document's own run).
    pub(super) fn slide(&mut self, step: presentation::Step) {
        let Some(p) = &mut self.presentation else {
            return;
        };
        if step == presentation::Step::End {
            self.leaving_presentation = Some(p.previous_zoom);
            self.presentation = None;
            self.presented = None;
            // Back to the document's own run and its ensemble.
            self.ran_generation = None;
            self.ensemble_generation = None;
        } else {
            p.step(step);
        }
    }

    /// Reports an export in the status bar, or its failure in the error window.
    pub(super) fn exported(&mut self, path: &Path, result: Result<(), EngineError>) {
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
    pub(super) fn screenshot(&mut self, ctx: &egui::Context) {
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

    /// Puts `path` first in File → Open recent.
    pub(super) fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
    }

    /// Saves the scenario to `path`; a failure is shown and the work stays unsaved.
    pub(super) fn save_to(&mut self, path: PathBuf) {
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

    /// Remembers the headline figures before a lever's gesture begins, for "why didn't it
    /// move?"; any other edit of the scenario forgets them.
    fn note_change(&mut self, command: &Command) {
        let lever = match command {
            Command::SetLever { id, gesture, .. } | Command::EditTimeline { id, gesture, .. } => {
                let same = self.why_before.as_ref().is_some_and(|(l, _)| l == id);
                if *gesture == Gesture::Continue && same {
                    return;
                }
                id
            }
            Command::SetLeverDate { id, .. } => id,
            Command::Undo
            | Command::Redo
            | Command::ResetLever(_)
            | Command::ResetToBaseline
            | Command::New
            | Command::Open(_)
            | Command::OpenExample(_) => {
                self.why_before = None;
                self.why = None;
                return;
            }
            _ => return,
        };
        self.why_before = Some((lever.clone(), self.session.headlines.clone()));
    }

    /// Carries out one command.
    pub fn apply(&mut self, command: Command) {
        self.note_change(&command);
        match command {
            Command::SetLever { id, value, gesture } => {
                let window = self.session.window(&self.doc.scenario);
                self.doc
                    .edit(gesture, |s| edit::set_value(s, &id, value, window));
            }
            Command::SetLeverDate { id, date } => {
                let Ok(date) = scenario::calendar::parse_date(&date) else {
                    self.error = Some(format!("{date:?} is not a date: expected YYYY-MM-DD"));
                    return;
                };
                let window = self.session.window(&self.doc.scenario);
                if let Some(lever) = self.session.setup.catalogue.lever(&id) {
                    self.doc.edit(Gesture::Single, |s| {
                        edit::set_first_date(s, lever, date, window)
                    });
                }
            }
            Command::EditTimeline {
                id,
                edit: change,
                gesture,
            } => {
                let window = self.session.window(&self.doc.scenario);
                self.doc
                    .edit(gesture, |s| edit::edit_timeline(s, &id, &change, window));
            }
            Command::ToggleTimeline => self.timeline.open = !self.timeline.open,
            Command::ToggleModelView => self.model_view.open = !self.model_view.open,
            Command::PlotOnWorkbench(name) => self.plot_on_workbench(name),
            Command::ResetLever(id) => {
                self.doc
                    .edit(Gesture::Single, |s| edit::reset_lever(s, &id));
            }
            Command::ResetToBaseline => {
                self.doc.edit(Gesture::Single, edit::reset_all);
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
                        branch: &edit::date_text(self.session.window(&self.doc.scenario).branch),
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
            Command::RestartEnsemble => self.ensemble_generation = None,
            Command::ToggleSensitivity => self.sensitivity.open = !self.sensitivity.open,
            Command::ToggleHelp => self.help_open = !self.help_open,
            Command::ToggleGuide => self.guide_open = !self.guide_open,
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
    pub(super) fn guard(&mut self, action: Pending) {
        if self.doc.dirty() {
            self.pending = Some(action);
        } else {
            self.proceed(action);
        }
    }

    /// Carries out an action the unsaved-changes guard let through.
    pub(super) fn proceed(&mut self, action: Pending) {
        match action {
            Pending::New => {
                match super::session::default_scenario(&self.session.setup) {
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

    /// Switches the uncertainty bands (and their background ensemble) on or off.
    pub fn set_uncertainty(&mut self, enabled: bool) {
        self.uncertainty.enabled = enabled;
        self.uncertainty.clear();
        self.ensemble_generation = None;
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
