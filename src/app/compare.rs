//! Comparing scenarios: the working scenario (A) against up to three scenario files (B, C, D),
//! drawn on the same plots in distinct colours, with a table of headline figures and their
//! differences from A, a difference plot for any output, and the comparison CSV.

use std::path::Path;

use egui::{Color32, RichText, Ui};
use egui_plot::{Line, Plot, PlotPoint, PlotPoints};

use super::command::Command;
use super::i18n::{fill, tr};
use super::plots::{PlotData, output_name, output_unit, with_dates_in};
use crate::analysis::Headlines;
use crate::analysis::export::{LETTERS, comparison_columns, write_table};
use crate::analysis::format;
use crate::engine::{EngineError, Results};
use crate::scenario::{Calendar, Description, ModelSetup, Scenario, prepare_embedded, text_in};

/// Scenarios compared besides the working one.
pub const MAX_COMPARED: usize = 3;

/// The width of the table's first column, the figures' names (wrapped within it).
const FIGURE_COLUMN_WIDTH: f32 = 190.0;

/// Okabe–Ito colours, distinct for colour-blind viewers: A is the app's scenario blue.
pub const COLOURS: [Color32; 4] = [
    Color32::from_rgb(0, 114, 178),
    Color32::from_rgb(230, 159, 0),
    Color32::from_rgb(0, 158, 115),
    Color32::from_rgb(204, 121, 167),
];

/// A scenario file loaded for comparison, run once.
pub struct Compared {
    pub scenario: Scenario,
    pub results: Results,
    pub headlines: Option<Headlines>,
    pub plot: PlotData,
}

/// The working scenario as the comparison sees it.
pub struct Working<'a> {
    pub scenario: &'a Scenario,
    pub results: &'a Results,
    pub headlines: Option<&'a Headlines>,
}

#[derive(Default)]
pub struct ComparePanel {
    pub open: bool,
    pub runs: Vec<Compared>,
    /// Which of the workbench's plots the difference plot shows.
    pub diff_output: usize,
}

impl ComparePanel {
    /// Reads, checks and runs a scenario file with the app's model.
    pub fn load(
        &mut self,
        path: &Path,
        setup: &std::sync::Arc<ModelSetup>,
    ) -> Result<(), EngineError> {
        if self.runs.len() >= MAX_COMPARED {
            return Err(EngineError::Run(format!(
                "at most {} scenarios can be compared with the working one",
                MAX_COMPARED
            )));
        }
        let prepared = prepare_embedded(setup, path)?;
        let results = prepared.run_with(&[])?.results;
        let description = &setup.description;
        // Differences from the status quo compare with the status quo's own run.
        let status_quo = if description.needs_status_quo() {
            let sq = crate::scenario::Prepared::status_quo(std::sync::Arc::clone(setup))?;
            let r = sq.run_with(&[])?.results;
            crate::analysis::headlines(description, &r, &sq.calendar(), sq.branch_time(), None)
        } else {
            None
        };
        let headlines = crate::analysis::headlines(
            description,
            &results,
            &prepared.calendar(),
            prepared.branch_time(),
            status_quo.as_ref(),
        );
        let scenario = prepared.scenario;
        self.runs.push(Compared {
            plot: PlotData::from(&results, description),
            scenario,
            results,
            headlines,
        });
        self.open = true;
        Ok(())
    }

    /// Lines for the main plots: each compared run, titled in `lang`, with its colour.
    pub fn lines(&self, lang: &str) -> Vec<(String, &PlotData, Color32)> {
        self.runs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let title = text_in(&r.scenario.title, lang).to_string();
                (
                    format!("{} {title}", LETTERS[i + 1]),
                    &r.plot,
                    COLOURS[i + 1],
                )
            })
            .collect()
    }

    /// The comparison CSV: `time,date`, then per plotted output `NAME [A]` … and `NAME [B-A]` ….
    pub fn write_csv(
        &self,
        path: &Path,
        working: &Results,
        calendar: &Calendar,
        description: &Description,
    ) -> Result<(), EngineError> {
        let runs: Vec<&Results> = std::iter::once(working)
            .chain(self.runs.iter().map(|r| &r.results))
            .collect();
        let outputs: Vec<&str> = description
            .workbench
            .plots
            .iter()
            .map(String::as_str)
            .collect();
        let columns = comparison_columns(&runs, &outputs).map_err(EngineError::Run)?;
        let dates: Vec<String> = working.times.iter().map(|&t| calendar.date_of(t)).collect();
        write_table(path, &working.times, Some(&dates), &columns).map(drop)
    }

    /// The comparison window.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        working: &Working<'_>,
        calendar: &Calendar,
        description: &Description,
        lang: &str,
    ) -> Vec<Command> {
        let mut out = Vec::new();
        if !self.open {
            return out;
        }
        let mut open = true;
        egui::Window::new(tr(lang, "Compare scenarios"))
            .id(egui::Id::unique("compare window"))
            .open(&mut open)
            .default_width(720.0)
            // Never wider or taller than the window: the table and plot scroll instead.
            .max_width(ctx.content_rect().width() - 16.0)
            .max_height(ctx.content_rect().height() - 40.0)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    if self.runs.len() < MAX_COMPARED
                        && ui.button(tr(lang, "Add a scenario…")).clicked()
                    {
                        out.push(Command::AddComparison(None));
                    }
                    if ui.button(tr(lang, "Comparison as CSV…")).clicked() {
                        out.push(Command::ExportComparison(None));
                    }
                });
                self.table(ui, working, calendar, description, lang, &mut out);
                ui.separator();
                self.difference_plot(ui, working, calendar, description, lang);
            });
        self.open = open;
        out
    }

    fn table(
        &self,
        ui: &mut Ui,
        working: &Working<'_>,
        calendar: &Calendar,
        description: &Description,
        lang: &str,
        out: &mut Vec<Command>,
    ) {
        let a = working.headlines;
        let rows: Vec<_> = std::iter::once((working.scenario, working.headlines, None))
            .chain(
                self.runs
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (&r.scenario, r.headlines.as_ref(), Some(i))),
            )
            .collect();
        // Figures down, scenarios across: at most four columns of figures fit a small window,
        // where sixteen columns of scenarios' figures would run off its edge.
        let height = (ui.ctx().content_rect().height() * 0.45).max(160.0);
        egui::ScrollArea::both()
            .id_salt("comparison table")
            .max_height(height)
            .show(ui, |ui| {
                egui::Grid::new("comparison table")
                    .striped(true)
                    .num_columns(1 + rows.len())
                    .show(ui, |ui| {
                        ui.label(RichText::new(tr(lang, "Scenario")).small().strong());
                        for (k, (scenario, _, index)) in rows.iter().enumerate() {
                            ui.horizontal(|ui| {
                                let (rect, _) = ui.allocate_exact_size(
                                    egui::vec2(12.0, 12.0),
                                    egui::Sense::hover(),
                                );
                                ui.painter().rect_filled(rect, 2.0, COLOURS[k]);
                                ui.label(RichText::new(LETTERS[k]).strong());
                                ui.label(text_in(&scenario.title, lang));
                                if let Some(i) = index
                                    && ui
                                        .small_button("×")
                                        .on_hover_text(tr(lang, "Remove"))
                                        .clicked()
                                {
                                    out.push(Command::RemoveComparison(*i));
                                }
                            });
                        }
                        ui.end_row();
                        for (i, headline) in description.headlines.iter().enumerate() {
                            // The figure's name in a column of its own width, wrapped.
                            ui.allocate_ui(egui::vec2(FIGURE_COLUMN_WIDTH, 0.0), |ui| {
                                ui.set_min_width(FIGURE_COLUMN_WIDTH);
                                ui.add(
                                    egui::Label::new(
                                        RichText::new(format::title(headline, lang)).small(),
                                    )
                                    .wrap(),
                                );
                            });
                            for (_, h, index) in &rows {
                                let Some(h) = h else {
                                    ui.label("–");
                                    continue;
                                };
                                let value = format::value(lang, headline, h.values[i], calendar);
                                match (index, a) {
                                    (Some(_), Some(a)) => {
                                        let d = format::versus_a_text(
                                            lang,
                                            headline,
                                            a.values[i],
                                            h.values[i],
                                        );
                                        ui.horizontal(|ui| {
                                            ui.label(value);
                                            ui.label(
                                                RichText::new(fill(tr(lang, "vs A: {}"), &[&d]))
                                                    .small()
                                                    .weak(),
                                            );
                                        });
                                    }
                                    _ => {
                                        ui.label(value);
                                    }
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
    }

    fn difference_plot(
        &mut self,
        ui: &mut Ui,
        working: &Working<'_>,
        calendar: &Calendar,
        description: &Description,
        lang: &str,
    ) {
        let plotted = &description.workbench.plots;
        let Some(name) = plotted.get(self.diff_output).or(plotted.first()) else {
            return;
        };
        ui.horizontal(|ui| {
            ui.label(tr(lang, "Difference from A:"));
            egui::ComboBox::from_id_salt("difference output")
                .selected_text(output_name(lang, description, name))
                .show_ui(ui, |ui| {
                    for (k, name) in plotted.iter().enumerate() {
                        ui.selectable_value(
                            &mut self.diff_output,
                            k,
                            output_name(lang, description, name),
                        );
                    }
                });
        });
        if self.runs.is_empty() {
            ui.label(tr(lang, "Add a scenario to see its difference from A."));
            return;
        }
        let Some(a) = working.results.series_or_sum(name) else {
            return;
        };
        let unit = output_unit(description.output(name), lang);
        let times = &working.results.times;
        let plot = Plot::new("difference plot").height(200.0);
        with_dates_in(plot, calendar, lang, unit, super::plots::Transform::Linear).show(
            ui,
            |plot| {
                for (i, r) in self.runs.iter().enumerate() {
                    let Some(b) = r.results.series_or_sum(name) else {
                        continue;
                    };
                    let points: Vec<PlotPoint> = times
                        .iter()
                        .zip(b.iter().zip(&a))
                        .map(|(&t, (b, a))| PlotPoint::new(t, b - a))
                        .collect();
                    plot.line(
                        Line::new(fill("{} - A", &[LETTERS[i + 1]]), PlotPoints::Owned(points))
                            .color(COLOURS[i + 1])
                            .width(1.5),
                    );
                }
            },
        );
    }
}
