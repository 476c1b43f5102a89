//! What the workbench and the presentation draw each frame besides the panels' own UI: the
//! runs kept current with the document, the status bar, the cards and plots, and the slides.

use super::command::Command;
use super::i18n::{fill, tr};
use super::plots::PlotData;
use super::{BorderflowApp, cards, plots, presentation, shortcuts, why};
use crate::analysis::why::Strip;

impl BorderflowApp {
    /// Runs the document's scenario again when it changed since the last run.
    pub(super) fn rerun_if_needed(&mut self) {
        if self.ran_generation != Some(self.doc.generation) {
            self.session.rerun(&self.doc.scenario);
            self.current_plot = self.plot_data(&self.session.current);
            self.strip = Strip::of(&self.session.setup.description, &self.session.current);
            self.ran_generation = Some(self.doc.generation);
            self.explain_change();
        }
    }

    /// A run's series for the plots: the description's outputs and the added variables.
    pub(super) fn plot_data(&self, results: &crate::engine::Results) -> PlotData {
        PlotData::with(
            results,
            &self.session.setup.description,
            &self.plots.choices.added,
        )
    }

    /// The workbench's plots: the description's, then those added from the model view.
    pub fn workbench_plots(&self) -> Vec<String> {
        self.plots
            .choices
            .workbench_and_added(&self.session.setup.description)
    }

    /// Sets the status line's "why didn't it move?" for the lever change just run.
    fn explain_change(&mut self) {
        self.why = None;
        let Some((lever, Some(before))) = &self.why_before else {
            return;
        };
        let (Some(after), None) = (&self.session.headlines, &self.session.problem) else {
            return;
        };
        let change = why::Change {
            lever,
            before,
            after,
            scenario: &self.doc.scenario,
            catalogue: &self.session.setup.catalogue,
            description: &self.session.setup.description,
            calendar: &self.session.calendar,
            strip: self.strip.as_ref(),
        };
        self.why = why::explain(&change, &self.lang);
    }

    /// A new ensemble when the scenario changed (the old one is cancelled), or when the bands
    /// were switched on or off. While the pointer is held (a lever dragged), the old one stops
    /// and the new one waits for the release: otherwise every frame of a drag would start
    /// workers that the next frame cancels, and they would take the cores the drag needs.
    pub(super) fn restart_ensemble_if_needed(&mut self, ctx: &egui::Context) {
        if self.ensemble_generation == Some(self.doc.generation) {
            return;
        }
        if self.uncertainty.enabled && ctx.input(|i| i.pointer.any_down()) {
            self.uncertainty.clear();
            return;
        }
        self.ensemble_generation = Some(self.doc.generation);
        match &self.session.prepared {
            Some(p) => self.uncertainty.restart(p.clone(), ctx.clone()),
            None => self.uncertainty.clear(),
        }
    }

    /// Runs the current slide's scenario when the slide changed, and the previous slide's when
    /// the slide compares with it; the ensemble restarts for the slide's bands.
    pub(super) fn run_slide(&mut self, ctx: &egui::Context) {
        let Some(p) = &self.presentation else {
            return;
        };
        if self.presented == Some(p.index) {
            return;
        }
        let previous = p.previous().map(|s| s.scenario.clone());
        let scenario = p.slide().scenario.clone();
        self.presented = Some(p.index);
        let mut reference = None;
        if let Some(previous) = previous {
            self.session.rerun(&previous);
            reference = Some(presentation::SlideReference {
                plot: self.plot_data(&self.session.current),
                headlines: self.session.headlines.clone(),
            });
        }
        self.session.rerun(&scenario);
        self.current_plot = self.plot_data(&self.session.current);
        self.strip = Strip::of(&self.session.setup.description, &self.session.current);
        if let Some(p) = &mut self.presentation {
            p.reference = reference;
        }
        match &self.session.prepared {
            Some(prepared) => self.uncertainty.restart(prepared.clone(), ctx.clone()),
            None => self.uncertainty.clear(),
        }
        // Back on the workbench, its own ensemble starts again.
        self.ensemble_generation = None;
    }

    /// The presentation: caption, the slide's cards and plots with bands, large.
    pub(super) fn presentation_frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.entering_presentation {
            self.entering_presentation = false;
            if let Some(p) = &mut self.presentation {
                p.previous_zoom = ctx.zoom_factor();
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        }
        // Type as large as the screen allows with nothing clipped (1280 × 800 and up).
        let unzoomed = ctx.content_rect().size() * ctx.zoom_factor();
        let zoom = presentation::zoom_for(unzoomed);
        if (zoom - ctx.zoom_factor()).abs() > 0.01 {
            ctx.set_zoom_factor(zoom);
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
        self.run_slide(&ctx);
        let Some(p) = &self.presentation else {
            return;
        };
        egui::Panel::top("slide").show(ui, |ui| {
            p.header(ui, &self.lang);
            if let Some(problem) = &self.session.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
        });
        let lang = self.lang.as_str();
        let label = p.reference_label(lang);
        let reference = p.reference.as_ref();
        let slide = p.slide();
        let description = &self.session.setup.description;
        egui::Panel::top("slide cards").show(ui, |ui| {
            self.cards.ui(
                ui,
                cards::CardView {
                    current: self.session.headlines.as_ref(),
                    baseline: match reference {
                        Some(r) => r.headlines.as_ref(),
                        None => self.session.baseline_headlines.as_ref(),
                    },
                    description,
                    cards: &slide.cards,
                    calendar: &self.session.calendar,
                    ensemble: self.uncertainty.complete(),
                    range_line: self.uncertainty.enabled,
                    versus: reference.map(|_| tr(lang, "the previous slide")),
                    lang,
                },
            )
        });
        egui::CentralPanel::default().show(ui, |ui| {
            self.plots.ui(
                ui,
                plots::PlotView {
                    current: &self.current_plot,
                    baseline: reference.map_or(&self.baseline_plot, |r| &r.plot),
                    baseline_label: label.as_deref(),
                    recorded: &self.session.recorded,
                    description,
                    calendar: &self.session.calendar,
                    branch: self.session.branch_time,
                    bands: self.uncertainty.bands(),
                    median: self.uncertainty.complete().and(self.uncertainty.median()),
                    lang,
                    outputs: &slide.plots,
                    compared: &[],
                    // A slide shows its chosen plots as they are: no menus, no strip.
                    strip: None,
                    choosable: false,
                    ensemble_pending: self.uncertainty.enabled
                        && self.uncertainty.complete().is_none(),
                },
            )
        });
    }

    /// The headline cards; with `ensemble`, the finished ensemble's ranges below the central run.
    pub(super) fn show_cards(&mut self, ui: &mut egui::Ui, ensemble: bool) {
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
                versus: None,
                lang: &self.lang,
            },
        );
    }

    /// The plots of `outputs`; the workbench adds ensemble bands and compared scenarios.
    pub(super) fn show_plots(&mut self, ui: &mut egui::Ui, outputs: &[String], workbench: bool) {
        let compared = if workbench {
            self.compare.lines(&self.lang)
        } else {
            Vec::new()
        };
        self.plots.ui(
            ui,
            plots::PlotView {
                current: &self.current_plot,
                baseline: &self.baseline_plot,
                baseline_label: None,
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
                strip: self.strip.as_ref().filter(|_| workbench),
                choosable: workbench,
                ensemble_pending: workbench
                    && self.uncertainty.enabled
                    && self.uncertainty.complete().is_none(),
            },
        );
    }

    /// Run and frame times, the file, the ensemble's progress, a notice and a problem.
    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut out = Vec::new();
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
                out.push(Command::RestartEnsemble);
            }
            if let Some(why) = &self.why {
                ui.separator();
                ui.label(why);
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
        out
    }
}
