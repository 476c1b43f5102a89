//! The recovery plots: scenario, baseline (muted), recorded history (points) and the branch date,
//! with dates on the x axis; zoom, pan and the hover cursor are linked across plots.

mod axes;
mod choices;
mod data;
mod legend;
mod transform;

pub use axes::{axis_number, output_unit, plot_id, with_dates, with_dates_in};
pub use choices::{Axis, PlotChoices, output_name, title};
pub use data::PlotData;
pub use legend::legend_entry;
pub use transform::Transform;

use egui::{Color32, Ui};
use egui_plot::{FilledArea, Line, Plot, PlotPoint, Points, VLine};

use std::collections::BTreeMap;

use super::i18n::{date, fill, tr};
use crate::analysis::ensemble::Summary;
use crate::analysis::why::Strip;
use crate::scenario::{Calendar, Description};
use axes::{data_bounds, kept_within};
use legend::{INNER_ALPHA, OUTER_ALPHA, band_color};
use transform::percent_period;

#[derive(Default)]
pub struct PlotsPanel {
    pub choices: PlotChoices,
    /// Every plot shows its whole range on the next frame (an axis changed).
    reset_next: bool,
    /// The height the plot rows took beyond their allowances in the last frame.
    beyond: f32,
}

impl PlotsPanel {
    pub fn new(choices: PlotChoices) -> PlotsPanel {
        PlotsPanel {
            choices,
            reset_next: false,
            beyond: 0.0,
        }
    }
}

/// What the plots show in one frame.
pub struct PlotView<'a> {
    pub current: &'a PlotData,
    pub baseline: &'a PlotData,
    /// What `baseline` is when it is not the status quo (a slide's previous slide).
    pub baseline_label: Option<&'a str>,
    pub recorded: &'a BTreeMap<String, Vec<PlotPoint>>,
    pub description: &'a Description,
    pub calendar: &'a Calendar,
    pub branch: f64,
    pub bands: Option<&'a Summary>,
    /// The ensemble's median lines (by output).
    pub median: Option<&'a BTreeMap<String, Vec<PlotPoint>>>,
    pub lang: &'a str,
    /// The outputs to draw (names from the description), two to a row.
    pub outputs: &'a [String],
    /// Scenarios compared with this one: label, runs, colour.
    pub compared: &'a [(String, &'a PlotData, Color32)],
    /// Which limit holds each traveller type back (drawn under the description's plot).
    pub strip: Option<&'a Strip>,
    /// The user may pick what each plot shows (the workbench).
    pub choosable: bool,
    /// An ensemble is running whose median and bands will join the legend.
    pub ensemble_pending: bool,
}

/// A plot is never squashed below this (points); the plots scroll instead.
const MIN_PLOT_HEIGHT: f32 = 120.0;

/// Room above a plot for the half of its top y label that sits above the frame.
const LABEL_CLEARANCE: f32 = 4.0;

impl PlotsPanel {
    pub fn ui(&mut self, ui: &mut Ui, view: PlotView<'_>) {
        let PlotView {
            current,
            baseline,
            baseline_label,
            recorded,
            description,
            calendar,
            branch,
            bands,
            median,
            lang,
            outputs,
            compared,
            strip,
            choosable,
            ensemble_pending,
        } = view;
        let group = egui::Id::unique("linked plots");
        // The plots added from the model view come last on the workbench; they can be removed.
        let first_added = if choosable {
            outputs.len().saturating_sub(self.choices.added.len())
        } else {
            outputs.len()
        };
        let rows = outputs.len().div_ceil(2).max(1);
        // The limit strip goes under its plot when that plot is shown.
        let strip = strip
            .zip(description.limits.as_ref())
            .filter(|(_, l)| outputs.iter().any(|o| o == &l.under));
        let strip_height = strip.map_or(0.0, |(_, l)| super::strip::height(l));
        // Each plot has a heading row (menus), a unit line and room for its top y label.
        let spacing = ui.spacing().item_spacing.y;
        let small = ui.text_style_height(&egui::TextStyle::Small);
        let heading = ui.spacing().interact_size.y + small + LABEL_CLEARANCE + 3.0 * spacing;
        let mut reset = std::mem::take(&mut self.reset_next);
        // The legend lists what the shown plots draw, and nothing they do not.
        let record_end = date(lang, &calendar.record_end);
        let drawn = |m: Option<&BTreeMap<String, Vec<PlotPoint>>>| {
            m.is_some_and(|m| {
                outputs
                    .iter()
                    .any(|o| m.get(o).is_some_and(|p| !p.is_empty()))
            })
        };
        let entries = legend::Entries {
            averaged: outputs
                .iter()
                .filter_map(|o| description.output(o))
                .find_map(|o| o.mean_days),
            reference: baseline_label.map_or_else(
                || fill(tr(lang, "status quo of {}"), &[&record_end]),
                str::to_string,
            ),
            recorded: drawn(Some(recorded))
                .then(|| fill(tr(lang, "recorded, to {}"), &[&record_end])),
            compared: compared.iter().map(|(l, _, c)| (l.as_str(), *c)).collect(),
            median: drawn(median),
            bands: bands
                .filter(|s| outputs.iter().any(|o| drawn_band(s, o)))
                .map(|s| s.members),
            ensemble_pending,
        };
        reset |= legend::ui(ui, lang, &entries);
        // The plots share the room the legend leaves; below a readable height they scroll.
        let room = ui.available_height() - strip_height - self.beyond;
        let height = (room / rows as f32 - heading).max(MIN_PLOT_HEIGHT);
        let shown = egui::ScrollArea::vertical()
            .id_salt("plots")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for row in 0..rows {
                    ui.columns(2, |cols| {
                        for (c, ui) in cols.iter_mut().enumerate() {
                            let Some(name) = outputs.get(row * 2 + c) else {
                                continue;
                            };
                            let slot = row * 2 + c;
                            let name = name.as_str();
                            let output = description.output(name);
                            let unit = output_unit(output, lang);
                            let scale = Transform::chosen(
                                self.choices.axes.get(name).copied(),
                                output,
                                description,
                                baseline.daily(name),
                                calendar,
                            );
                            let scale_note = match scale {
                                Transform::Log => fill(tr(lang, "{}, log scale"), &[&unit.text]),
                                Transform::Percent(_) => {
                                    match percent_period(output, description) {
                                        Some((from, to)) => fill(
                                            tr(lang, "% of its mean {} – {}"),
                                            &[&date(lang, from), &date(lang, to)],
                                        ),
                                        None => unit.text.clone(),
                                    }
                                }
                                Transform::Linear => unit.text.clone(),
                            };
                            ui.horizontal(|ui| {
                                if slot >= first_added {
                                    self.added_heading(ui, name, description, lang);
                                } else if choosable {
                                    self.choose_output(ui, slot, name, outputs, description, lang);
                                } else {
                                    ui.label(
                                        egui::RichText::new(output_name(lang, description, name))
                                            .strong(),
                                    );
                                }
                                self.choose_axis(ui, name, scale, output, description, lang);
                            });
                            ui.label(egui::RichText::new(scale_note).small().weak());
                            // The top y label is centred on the frame's edge: keep it off the unit line.
                            ui.add_space(LABEL_CLEARANCE);
                            let averaged = output.and_then(|o| o.mean_days);
                            let mut plot = Plot::new(name)
                                .id(plot_id(name))
                                .height(height)
                                // The wheel scrolls the plots when they do not all fit (Ctrl
                                // + wheel and pinch still zoom; a drag pans).
                                .allow_scroll(false)
                                .link_axis(group, [true, false])
                                .link_cursor(group, [true, false]);
                            if reset {
                                plot = plot.reset();
                            }
                            // A constant (a model parameter plotted from the model view) gets
                            // a range around it: a flat line alone leaves egui_plot no height.
                            let runs = [current.daily(name), baseline.daily(name)];
                            if let Some(v) = constant(&runs, scale) {
                                let pad = (v.abs() * 0.5).max(1.0);
                                plot = plot.include_y(v - pad).include_y(v + pad);
                            }
                            let shown =
                                with_dates_in(plot, calendar, lang, unit, scale).show(ui, |plot| {
                                    // Zoom and pan stay within the data: a view that left it is brought
                                    // back (only once the user has moved it; auto bounds fit the data).
                                    if !plot.auto_bounds().any() {
                                        let bands: Vec<std::borrow::Cow<'_, [f64]>> = bands
                                            .map(|s| {
                                                [0, 4]
                                                    .map(|b| {
                                                        scale.values(s.band(name, b).unwrap_or(&[]))
                                                    })
                                                    .to_vec()
                                            })
                                            .unwrap_or_default();
                                        let bands: Vec<&[f64]> =
                                            bands.iter().map(|b| b.as_ref()).collect();
                                        let mut lines: Vec<Vec<PlotPoint>> = vec![
                                            scale.owned_points(current.daily(name)),
                                            scale.owned_points(baseline.daily(name)),
                                        ];
                                        lines.extend(
                                            recorded.get(name).map(|r| scale.owned_points(r)),
                                        );
                                        let lines: Vec<&[PlotPoint]> =
                                            lines.iter().map(Vec::as_slice).collect();
                                        if let Some(fixed) = data_bounds(&lines, &bands)
                                            .and_then(|data| kept_within(plot.plot_bounds(), data))
                                        {
                                            plot.set_plot_bounds(fixed);
                                            plot.ctx().request_repaint();
                                        }
                                    }
                                    if let Some(s) = bands {
                                        let band = |b: usize| s.band(name, b).unwrap_or(&[]);
                                        if drawn_band(s, name) {
                                            let b = |k: usize| scale.values(band(k));
                                            plot.add(
                                                FilledArea::new("p5–p95", &s.times, &b(0), &b(4))
                                                    .fill_color(band_color(OUTER_ALPHA)),
                                            );
                                            plot.add(
                                                FilledArea::new("p25–p75", &s.times, &b(1), &b(3))
                                                    .fill_color(band_color(INNER_ALPHA)),
                                            );
                                        }
                                    }
                                    if let Some(points) = median.and_then(|m| m.get(name)) {
                                        plot.line(
                                            Line::new(
                                                tr(lang, "ensemble median"),
                                                scale.points(points),
                                            )
                                            .color(legend::MEDIAN)
                                            .style(egui_plot::LineStyle::dashed_dense())
                                            .width(1.2),
                                        );
                                    }
                                    if let Some(points) = recorded.get(name) {
                                        plot.points(
                                            Points::new(tr(lang, "recorded"), scale.points(points))
                                                .radius(1.2)
                                                .color(legend::HISTORY),
                                        );
                                    }
                                    plot.line(
                                        Line::new(
                                            baseline_label.unwrap_or(tr(lang, "status quo")),
                                            scale.points(baseline.daily(name)),
                                        )
                                        .color(legend::BASELINE)
                                        .width(1.0),
                                    );
                                    for (label, data, colour) in compared {
                                        let points = data.line(name);
                                        plot.line(
                                            Line::new(label.as_str(), scale.points(points))
                                                .color(*colour)
                                                .width(1.8),
                                        );
                                    }
                                    if let Some(days) = averaged {
                                        plot.line(
                                            Line::new(
                                                tr(lang, "scenario, daily"),
                                                scale.points(current.daily(name)),
                                            )
                                            .color(legend::SCENARIO.gamma_multiply(0.4))
                                            .width(1.0),
                                        );
                                        plot.line(
                                            Line::new(
                                                fill(
                                                    tr(lang, "scenario, {}-day mean"),
                                                    &[&format!("{days}")],
                                                ),
                                                scale.points(current.line(name)),
                                            )
                                            .color(legend::SCENARIO)
                                            .width(2.0),
                                        );
                                    } else {
                                        plot.line(
                                            Line::new(
                                                tr(lang, "scenario"),
                                                scale.points(current.daily(name)),
                                            )
                                            .color(legend::SCENARIO)
                                            .width(2.0),
                                        );
                                    }
                                    plot.vline(
                                        VLine::new(tr(lang, "branch date"), branch)
                                            .color(legend::BRANCH)
                                            .style(egui_plot::LineStyle::dashed_loose()),
                                    );
                                });
                            if let Some((strip, limits)) = strip.filter(|(_, l)| l.under == name) {
                                super::strip::ui(
                                    ui,
                                    super::strip::StripView {
                                        strip,
                                        limits,
                                        calendar,
                                        plot: &shown.transform,
                                        lang,
                                    },
                                );
                            }
                        }
                    });
                }
            });
        // What the rows took beyond the allowances (headings, the strip's legend): taken off
        // the plots on the next frame, so that they fill the room exactly when it allows.
        let beyond = shown.content_size.y - (rows as f32 * (height + heading) + strip_height);
        if beyond.is_finite() && (beyond - self.beyond).abs() > 0.5 {
            self.beyond = beyond;
            ui.ctx().request_repaint();
        }
    }
}

/// The value every point of `runs` has as drawn, when they all have the same one.
fn constant(runs: &[&[PlotPoint]], scale: Transform) -> Option<f64> {
    let mut ys = runs.iter().flat_map(|r| r.iter()).map(|p| scale.value(p.y));
    let first = ys.next()?;
    ys.all(|y| y == first).then_some(first)
}

/// Whether a plot of `output` draws the ensemble's bands (complete series only).
fn drawn_band(s: &Summary, output: &str) -> bool {
    s.band(output, 0).is_some_and(|b| b.len() == s.times.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_is_found_only_when_every_drawn_point_shares_it() {
        let points = |ys: &[f64]| -> Vec<PlotPoint> {
            ys.iter()
                .enumerate()
                .map(|(t, &y)| PlotPoint::new(t as f64, y))
                .collect()
        };
        let (two, also_two, rising) = (points(&[2.0; 3]), points(&[2.0]), points(&[2.0, 3.0]));
        assert_eq!(constant(&[&two, &also_two], Transform::Linear), Some(2.0));
        assert_eq!(constant(&[&two, &rising], Transform::Linear), None);
        // As drawn: log10(100) = 2.
        let hundred = points(&[100.0; 2]);
        assert_eq!(constant(&[&hundred], Transform::Log), Some(2.0));
        assert_eq!(constant(&[&[][..]], Transform::Linear), None);
    }
}
