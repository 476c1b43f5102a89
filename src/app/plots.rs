//! The recovery plots: scenario, baseline (muted), recorded history (points) and the branch date,
//! with dates on the x axis; zoom, pan and the hover cursor are linked across plots.

use egui::{Color32, Ui};
use egui_plot::{
    FilledArea, GridInput, GridMark, HoverPosition, Line, Plot, PlotBounds, PlotPoint, PlotPoints,
    Points, VLine,
};

use std::collections::BTreeMap;

use super::i18n::{count, date, fill, month, tr, unit as i18n_unit};
use crate::analysis::ensemble::Summary;
use crate::analysis::headlines::{mean_over, trailing_mean};
use crate::analysis::why::Strip;
use crate::engine::Results;
use crate::scenario::description::{Output, Scale};
use crate::scenario::{Calendar, Description, text_in};

/// Series prepared for drawing, computed once per run and borrowed by every frame: each
/// output the description shows (workbench and presentation), by name.
#[derive(Clone, Default)]
pub struct PlotData {
    pub series: BTreeMap<String, Vec<PlotPoint>>,
    /// Trailing means of the outputs whose description asks for one.
    pub means: BTreeMap<String, Vec<PlotPoint>>,
}

impl PlotData {
    pub fn from(results: &Results, description: &Description) -> PlotData {
        PlotData::with(results, description, &[])
    }

    /// As `from`, with every output of the description (a slide may plot any) and the model
    /// variables in `extra` (plotted from the model view).
    pub fn with(results: &Results, description: &Description, extra: &[String]) -> PlotData {
        let mut data = PlotData::default();
        let shown = description
            .workbench
            .plots
            .iter()
            .chain(&description.presentation.plots)
            .chain(description.outputs.iter().map(|o| &o.name))
            .chain(extra);
        for name in shown {
            if data.series.contains_key(name) {
                continue;
            }
            let values = results.series_or_sum(name).unwrap_or_default();
            let points = |v: &[f64]| -> Vec<PlotPoint> {
                results
                    .times
                    .iter()
                    .zip(v)
                    .map(|(&t, &v)| PlotPoint::new(t, v))
                    .collect()
            };
            if let Some(days) = description.output(name).and_then(|o| o.mean_days) {
                let mean = trailing_mean(&values, &results.times, days);
                data.means.insert(name.clone(), points(&mean));
            }
            data.series.insert(name.clone(), points(&values));
        }
        data
    }

    /// The points an output's line shows: its trailing mean when it has one.
    pub fn line(&self, name: &str) -> &[PlotPoint] {
        self.means
            .get(name)
            .or_else(|| self.series.get(name))
            .map_or(&[], Vec::as_slice)
    }

    pub fn daily(&self, name: &str) -> &[PlotPoint] {
        self.series.get(name).map_or(&[], Vec::as_slice)
    }
}

/// The user's choices for the plots, remembered across sessions: what each workbench plot
/// shows and how each output's axis is drawn.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlotChoices {
    /// The workbench's plots (output names); empty: the description's.
    pub plots: Vec<String>,
    /// An output's axis, when the user chose one (else the description's scale).
    pub axes: BTreeMap<String, Axis>,
}

/// An axis the user can choose for a plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Axis {
    Linear,
    Log,
    /// Per cent of the status quo's mean over the description's reference period.
    PercentOfReference,
}

impl PlotChoices {
    /// The workbench plots: the user's when they are all still outputs of the model.
    pub fn workbench<'a>(&'a self, description: &'a Description) -> &'a [String] {
        let known = |p: &String| description.output(p).is_some();
        if !self.plots.is_empty()
            && self.plots.len() == description.workbench.plots.len()
            && self.plots.iter().all(known)
        {
            &self.plots
        } else {
            &description.workbench.plots
        }
    }
}

#[derive(Default)]
pub struct PlotsPanel {
    pub choices: PlotChoices,
    /// Every plot shows its whole range on the next frame (an axis changed).
    reset_next: bool,
}

impl PlotsPanel {
    pub fn new(choices: PlotChoices) -> PlotsPanel {
        PlotsPanel {
            choices,
            reset_next: false,
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
}

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
        } = view;
        let group = egui::Id::unique("linked plots");
        let rows = outputs.len().div_ceil(2).max(1);
        // The limit strip goes under its plot when that plot is shown.
        let strip = strip
            .zip(description.limits.as_ref())
            .filter(|(_, l)| outputs.iter().any(|o| o == &l.under));
        let strip_height = strip.map_or(0.0, |(_, l)| super::strip::height(l));
        // Fixed allowances, so that nothing moves when the legend gains the ensemble's entries:
        // the legend may wrap to two lines; each plot has a heading row (menus) and a unit line.
        let spacing = ui.spacing().item_spacing.y;
        let small = ui.text_style_height(&egui::TextStyle::Small);
        let legend = 2.0 * (ui.spacing().interact_size.y.max(small) + spacing);
        let heading = ui.spacing().interact_size.y + small + 3.0 * spacing;
        let height =
            ((ui.available_height() - legend - strip_height) / rows as f32 - heading).max(80.0);
        let scenario_color = Color32::from_rgb(0, 114, 178);
        let baseline_color = Color32::from_gray(150);
        let history_color = Color32::from_rgb(213, 94, 0);
        let mut reset = std::mem::take(&mut self.reset_next);
        ui.horizontal_wrapped(|ui| {
            reset |= ui
                .small_button(tr(lang, "Reset view"))
                .on_hover_text(tr(
                    lang,
                    "Show every plot's whole range again (double-clicking a plot does the same)",
                ))
                .clicked();
            swatch(ui, scenario_color, Swatch::Line);
            let averaged = outputs
                .iter()
                .filter_map(|o| description.output(o))
                .find_map(|o| o.mean_days);
            // Short enough for one legend line: the averaged plot shows which line is the mean.
            let legend = match averaged {
                Some(days) => fill(
                    tr(lang, "scenario ({}-day mean, daily faint)"),
                    &[&format!("{days}")],
                ),
                None => tr(lang, "scenario").to_string(),
            };
            legend_label(ui, egui::RichText::new(legend).small());
            let record_end = date(lang, &calendar.record_end);
            swatch(ui, baseline_color, Swatch::Line);
            let reference = baseline_label.map_or_else(
                || fill(tr(lang, "status quo of {}"), &[&record_end]),
                str::to_string,
            );
            legend_label(ui, egui::RichText::new(reference).small());
            if !recorded.is_empty() {
                swatch(ui, history_color, Swatch::Dot);
                legend_label(
                    ui,
                    egui::RichText::new(fill(tr(lang, "recorded, to {}"), &[&record_end])).small(),
                );
            }
            swatch(ui, Color32::from_gray(120), Swatch::Dashed);
            legend_label(ui, egui::RichText::new(tr(lang, "branch date")).small());
            for (label, _, colour) in compared {
                ui.separator();
                swatch(ui, *colour, Swatch::Line);
                legend_label(ui, egui::RichText::new(label).small());
            }
            if median.is_some() {
                ui.separator();
                swatch(ui, Color32::from_rgb(0, 70, 120), Swatch::Line);
                legend_label(ui, egui::RichText::new(tr(lang, "ensemble median")).small());
            }
            if let Some(s) = bands {
                swatch(ui, band_color(OUTER_ALPHA), Swatch::Band);
                legend_label(ui, egui::RichText::new("p5–p95").small());
                swatch(ui, band_color(INNER_ALPHA), Swatch::Band);
                legend_label(ui, egui::RichText::new("p25–p75").small());
                legend_label(
                    ui,
                    egui::RichText::new(fill(
                        tr(lang, "of {} ensemble members"),
                        &[&s.members.to_string()],
                    ))
                    .small()
                    .weak(),
                );
            }
        });
        for row in 0..rows {
            ui.columns(2, |cols| {
                for (c, ui) in cols.iter_mut().enumerate() {
                    let Some(name) = outputs.get(row * 2 + c) else {
                        continue;
                    };
                    let slot = row * 2 + c;
                    let name = name.as_str();
                    let output = description.output(name);
                    let unit = output.map_or("", |o| o.unit.as_str());
                    let scale = Transform::chosen(
                        self.choices.axes.get(name).copied(),
                        output,
                        description,
                        baseline.daily(name),
                        calendar,
                    );
                    let scale_note = match scale {
                        Transform::Log => fill(tr(lang, "{}, log scale"), &[i18n_unit(lang, unit)]),
                        Transform::Percent(_) => match percent_period(output, description) {
                            Some((from, to)) => fill(
                                tr(lang, "% of its mean {} – {}"),
                                &[&date(lang, from), &date(lang, to)],
                            ),
                            None => i18n_unit(lang, unit).to_string(),
                        },
                        Transform::Linear => i18n_unit(lang, unit).to_string(),
                    };
                    ui.horizontal(|ui| {
                        if choosable {
                            self.choose_output(ui, slot, name, outputs, description, lang);
                        } else {
                            ui.label(
                                egui::RichText::new(output_name(lang, description, name)).strong(),
                            );
                        }
                        self.choose_axis(ui, name, scale, output, description, lang);
                    });
                    ui.label(egui::RichText::new(scale_note).small().weak());
                    let averaged = output.and_then(|o| o.mean_days);
                    let mut plot = Plot::new(name)
                        .id(plot_id(name))
                        .height(height)
                        .link_axis(group, [true, false])
                        .link_cursor(group, [true, false]);
                    if reset {
                        plot = plot.reset();
                    }
                    let shown = with_dates(plot, calendar, lang, unit, scale).show(ui, |plot| {
                        // Zoom and pan stay within the data: a view that left it is brought
                        // back (only once the user has moved it; auto bounds fit the data).
                        if !plot.auto_bounds().any() {
                            let bands: Vec<std::borrow::Cow<'_, [f64]>> = bands
                                .map(|s| {
                                    [0, 4]
                                        .map(|b| scale.values(s.band(name, b).unwrap_or(&[])))
                                        .to_vec()
                                })
                                .unwrap_or_default();
                            let bands: Vec<&[f64]> = bands.iter().map(|b| b.as_ref()).collect();
                            let mut lines: Vec<Vec<PlotPoint>> = vec![
                                scale.owned_points(current.daily(name)),
                                scale.owned_points(baseline.daily(name)),
                            ];
                            lines.extend(recorded.get(name).map(|r| scale.owned_points(r)));
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
                            if band(0).len() == s.times.len() {
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
                                Line::new(tr(lang, "ensemble median"), scale.points(points))
                                    .color(Color32::from_rgb(0, 70, 120))
                                    .style(egui_plot::LineStyle::dashed_dense())
                                    .width(1.2),
                            );
                        }
                        if let Some(points) = recorded.get(name) {
                            plot.points(
                                Points::new(tr(lang, "recorded"), scale.points(points))
                                    .radius(1.2)
                                    .color(history_color),
                            );
                        }
                        plot.line(
                            Line::new(
                                baseline_label.unwrap_or(tr(lang, "status quo")),
                                scale.points(baseline.daily(name)),
                            )
                            .color(baseline_color)
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
                                .color(scenario_color.gamma_multiply(0.4))
                                .width(1.0),
                            );
                            plot.line(
                                Line::new(
                                    fill(tr(lang, "scenario, {}-day mean"), &[&format!("{days}")]),
                                    scale.points(current.line(name)),
                                )
                                .color(scenario_color)
                                .width(2.0),
                            );
                        } else {
                            plot.line(
                                Line::new(tr(lang, "scenario"), scale.points(current.daily(name)))
                                    .color(scenario_color)
                                    .width(2.0),
                            );
                        }
                        plot.vline(
                            VLine::new(tr(lang, "branch date"), branch)
                                .color(Color32::from_gray(120))
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
    }
}

impl PlotsPanel {
    /// The output a workbench plot shows, as a menu of the description's outputs.
    fn choose_output(
        &mut self,
        ui: &mut Ui,
        slot: usize,
        name: &str,
        shown: &[String],
        description: &Description,
        lang: &str,
    ) {
        let mut chosen = name.to_string();
        egui::ComboBox::from_id_salt(("plot output", slot))
            .selected_text(egui::RichText::new(output_name(lang, description, name)).strong())
            .truncate()
            .width((ui.available_width() - 80.0).max(120.0))
            .show_ui(ui, |ui| {
                for o in &description.outputs {
                    ui.selectable_value(&mut chosen, o.name.clone(), title(lang, o));
                }
            })
            .response
            .on_hover_text(tr(lang, "Choose what this plot shows"));
        if chosen != name {
            let mut plots = shown.to_vec();
            plots[slot] = chosen;
            self.choices.plots = plots;
        }
    }

    /// Linear, log, or % of the reference period, for one output's plot.
    fn choose_axis(
        &mut self,
        ui: &mut Ui,
        name: &str,
        now: Transform,
        output: Option<&Output>,
        description: &Description,
        lang: &str,
    ) {
        let mut axis = match now {
            Transform::Linear => Axis::Linear,
            Transform::Log => Axis::Log,
            Transform::Percent(_) => Axis::PercentOfReference,
        };
        let before = axis;
        egui::ComboBox::from_id_salt(("plot axis", name))
            .selected_text(axis_name(lang, axis))
            .width(64.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut axis, Axis::Linear, axis_name(lang, Axis::Linear));
                ui.selectable_value(&mut axis, Axis::Log, axis_name(lang, Axis::Log));
                if percent_period(output, description).is_some() {
                    ui.selectable_value(
                        &mut axis,
                        Axis::PercentOfReference,
                        axis_name(lang, Axis::PercentOfReference),
                    );
                }
            })
            .response
            .on_hover_text(tr(lang, "How this plot's axis is drawn"));
        if axis != before {
            self.choices.axes.insert(name.to_string(), axis);
            // The view was in the old axis' units: show the whole range in the new one.
            self.reset_next = true;
        }
    }
}

fn axis_name(lang: &str, axis: Axis) -> &'static str {
    match axis {
        Axis::Linear => tr(lang, "linear"),
        Axis::Log => tr(lang, "log"),
        Axis::PercentOfReference => tr(lang, "% of ref."),
    }
}

/// The period a plot's "% of" divides by: the output's own, else the description's.
fn percent_period<'a>(
    output: Option<&'a Output>,
    description: &'a Description,
) -> Option<(&'a str, &'a str)> {
    match output.map(|o| &o.scale) {
        Some(Scale::PercentOf(from, to)) => Some((from, to)),
        _ => description
            .reference_period
            .as_ref()
            .map(|(a, b)| (a.as_str(), b.as_str())),
    }
}

/// How an output's values are drawn: as they are, on a log scale, or as a per cent of the
/// status quo's mean over the description's reference period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Transform {
    Linear,
    Log,
    Percent(f64),
}

/// Values below this are drawn at it on a log scale (zero has no logarithm).
const LOG_FLOOR: f64 = 1e-2;

impl Transform {
    /// The transform an output's description asks for; a percentage of a period the status quo
    /// never reaches, or whose mean is zero, is drawn as it is.
    pub fn of(output: Option<&Output>, status_quo: &[PlotPoint], calendar: &Calendar) -> Transform {
        match output.map(|o| &o.scale) {
            Some(Scale::Log) => Transform::Log,
            Some(Scale::PercentOf(from, to)) => {
                Transform::percent_of(from, to, status_quo, calendar)
            }
            _ => Transform::Linear,
        }
    }

    /// The transform the user chose for an output (None: the description's).
    pub fn chosen(
        axis: Option<Axis>,
        output: Option<&Output>,
        description: &Description,
        status_quo: &[PlotPoint],
        calendar: &Calendar,
    ) -> Transform {
        match axis {
            None => Transform::of(output, status_quo, calendar),
            Some(Axis::Linear) => Transform::Linear,
            Some(Axis::Log) => Transform::Log,
            Some(Axis::PercentOfReference) => {
                let Some((from, to)) = percent_period(output, description) else {
                    return Transform::Linear;
                };
                Transform::percent_of(from, to, status_quo, calendar)
            }
        }
    }

    /// Per cent of the status quo's mean from `from` to `to`; linear when the status quo does
    /// not cover the period or its mean there is zero.
    fn percent_of(
        from: &str,
        to: &str,
        status_quo: &[PlotPoint],
        calendar: &Calendar,
    ) -> Transform {
        let (Ok(a), Ok(b)) = (calendar.time_of(from), calendar.time_of(to)) else {
            return Transform::Linear;
        };
        let xs: Vec<f64> = status_quo.iter().map(|p| p.x).collect();
        let ys: Vec<f64> = status_quo.iter().map(|p| p.y).collect();
        match mean_over(&ys, &xs, a, b) {
            Some(m) if m != 0.0 && m.is_finite() => Transform::Percent(m),
            _ => Transform::Linear,
        }
    }

    pub fn value(self, y: f64) -> f64 {
        match self {
            Transform::Linear => y,
            Transform::Log => y.max(LOG_FLOOR).log10(),
            Transform::Percent(m) => y / m * 100.0,
        }
    }

    /// The value a drawn y stands for.
    pub fn inverse(self, y: f64) -> f64 {
        match self {
            Transform::Linear => y,
            Transform::Log => 10f64.powf(y),
            Transform::Percent(_) => y,
        }
    }

    /// Points to draw: borrowed as they are when linear (no copy on every frame).
    pub fn points(self, p: &[PlotPoint]) -> PlotPoints<'_> {
        match self {
            Transform::Linear => PlotPoints::Borrowed(p),
            _ => PlotPoints::Owned(
                p.iter()
                    .map(|q| PlotPoint::new(q.x, self.value(q.y)))
                    .collect(),
            ),
        }
    }

    /// The points as drawn, owned (for bounds that outlive one borrow).
    pub fn owned_points(self, p: &[PlotPoint]) -> Vec<PlotPoint> {
        p.iter()
            .map(|q| PlotPoint::new(q.x, self.value(q.y)))
            .collect()
    }

    pub fn values(self, v: &[f64]) -> std::borrow::Cow<'_, [f64]> {
        match self {
            Transform::Linear => v.into(),
            _ => v.iter().map(|&y| self.value(y)).collect::<Vec<_>>().into(),
        }
    }
}

/// Calendar dates on a plot's x axis and in its hover label (`unit` for the value).
pub fn with_dates<'a>(
    plot: Plot<'a>,
    calendar: &Calendar,
    lang: &str,
    unit: &str,
    scale: Transform,
) -> Plot<'a> {
    let (cal, cal2) = (calendar.clone(), calendar.clone());
    let (axis_lang, hover_lang, y_lang) = (lang.to_string(), lang.to_string(), lang.to_string());
    let unit = unit.to_string();
    plot.x_grid_spacer(date_grid(calendar.clone()))
        .x_axis_formatter(move |mark: GridMark, _range| {
            let iso = cal.date_of(mark.value);
            if mark.step_size >= 300.0 {
                iso[..4].to_string()
            } else if mark.step_size >= 28.0 {
                month(&axis_lang, &iso)
            } else {
                date(&axis_lang, &iso)
            }
        })
        .label_formatter(move |pos: &HoverPosition<'_>| {
            let (series, p) = match pos {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (plot_name.to_string(), *position),
                HoverPosition::Elsewhere { position, .. } => (String::new(), *position),
            };
            Some(format!(
                "{series}\n{}\n{} {}",
                date(&hover_lang, &cal2.date_of(p.x)),
                count(&hover_lang, scale.inverse(p.y)),
                i18n_unit(&hover_lang, &unit)
            ))
        })
        .y_grid_spacer(value_grid)
        .y_axis_formatter(move |mark: GridMark, _range| match scale {
            // A log axis is drawn in powers of ten: label the value, not its logarithm.
            // Powers of ten as whole numbers: "10,000", "1万".
            Transform::Log => {
                let v = 10f64.powf(mark.value);
                axis_number(&y_lang, v, v)
            }
            _ => axis_number(&y_lang, mark.value, mark.step_size),
        })
}

/// Pixels between y labels: egui_plot shows a label only above 20 and fades it in up to 30.
const Y_LABEL_SPACING: f64 = 32.0;

/// Grid marks at a round step (1, 2, 2.5 or 5 times a power of ten), about one label per
/// `Y_LABEL_SPACING` pixels and at least three labels whenever the plot is tall enough.
fn value_grid(input: GridInput) -> Vec<GridMark> {
    let (low, high) = input.bounds;
    let span = high - low;
    if !span.is_finite() || span <= 0.0 {
        return Vec::new();
    }
    // egui_plot's base step is its minimum grid spacing (8 px) in plot units.
    let per_pixel = input.base_step_size / 8.0;
    let step = round_step((Y_LABEL_SPACING * per_pixel).max(span / 6.0));
    let mut marks = Vec::new();
    let mut k = (low / step).ceil();
    while k * step <= high {
        marks.push(GridMark {
            value: k * step,
            step_size: step,
        });
        k += 1.0;
    }
    marks
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `at_least`.
fn round_step(at_least: f64) -> f64 {
    let power = 10f64.powf(at_least.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= at_least * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// A y-axis label: grouped digits ("120,000") in English, 万 and 亿 in Chinese ("12万"), with
/// as many decimals as the step between labels needs.
pub fn axis_number(lang: &str, x: f64, step: f64) -> String {
    let (value, step, suffix) = match lang {
        "zh" if x.abs() >= 1e8 => (x / 1e8, step / 1e8, "亿"),
        "zh" if x.abs() >= 1e4 => (x / 1e4, step / 1e4, "万"),
        _ => (x, step, ""),
    };
    let decimals = (0..=4)
        .find(|d| {
            let scaled = step * 10f64.powi(*d);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(4) as usize;
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(w, f)| (w, f));
    let grouped = match whole.parse::<u64>() {
        Ok(w) if lang != "zh" => crate::analysis::group_digits(w, ','),
        _ => whole.to_string(),
    };
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let point = if fraction.is_empty() { "" } else { "." };
    format!("{sign}{grouped}{point}{fraction}{suffix}")
}

/// Grid marks on calendar boundaries: years, months or days, by how much is in view.
fn date_grid(calendar: Calendar) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |input: GridInput| {
        let (t0, t1) = input.bounds;
        let span = t1 - t0;
        if !span.is_finite() || span <= 0.0 {
            return Vec::new();
        }
        let year_of = |t: f64| {
            calendar
                .date_of(t)
                .get(..4)
                .and_then(|y| y.parse::<i32>().ok())
        };
        let (Some(y0), Some(y1)) = (year_of(t0), year_of(t1)) else {
            return Vec::new();
        };
        let mut marks = Vec::new();
        for y in y0..=y1 + 1 {
            if span > 365.0 * 1.5 {
                // Coarser marks on every second and fourth year, so labels thin out when zoomed out.
                let step = if y % 4 == 0 {
                    1461.0
                } else if y % 2 == 0 {
                    730.0
                } else {
                    365.0
                };
                if let Ok(t) = calendar.time_of(&format!("{y}-01-01")) {
                    marks.push(GridMark {
                        value: t,
                        step_size: step,
                    });
                }
                if span < 365.0 * 6.0
                    && let Ok(t) = calendar.time_of(&format!("{y}-07-01"))
                {
                    marks.push(GridMark {
                        value: t,
                        step_size: 182.0,
                    });
                }
            } else if span > 60.0 {
                for m in 1..=12 {
                    if let Ok(t) = calendar.time_of(&format!("{y}-{m:02}-01")) {
                        marks.push(GridMark {
                            value: t,
                            step_size: if m == 1 { 365.0 } else { 30.0 },
                        });
                    }
                }
            }
        }
        if span <= 60.0 {
            let step = if span > 14.0 { 7.0 } else { 1.0 };
            let mut t = (t0 / step).floor() * step;
            while t <= t1 {
                marks.push(GridMark {
                    value: t,
                    step_size: step,
                });
                t += step;
            }
        }
        marks.retain(|m| m.value >= t0 - 1.0 && m.value <= t1 + 1.0);
        marks
    }
}

/// A recovery plot's id, where egui keeps its view (zoom and pan).
pub fn plot_id(output: &str) -> egui::Id {
    egui::Id::unique(("recovery plot", output))
}

/// The range one plot's data spans, with egui_plot's auto-bounds margin (5%) around it.
fn data_bounds(lines: &[&[PlotPoint]], bands: &[&[f64]]) -> Option<PlotBounds> {
    let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in lines.iter().flat_map(|l| l.iter()) {
        if p.x.is_finite() && p.y.is_finite() {
            min = [min[0].min(p.x), min[1].min(p.y)];
            max = [max[0].max(p.x), max[1].max(p.y)];
        }
    }
    for y in bands
        .iter()
        .flat_map(|b| b.iter())
        .filter(|y| y.is_finite())
    {
        (min[1], max[1]) = (min[1].min(*y), max[1].max(*y));
    }
    if min[0] > max[0] {
        return None;
    }
    let margin = |axis: usize| ((max[axis] - min[axis]) * 0.05).max(1e-6);
    let (mx, my) = (margin(0), margin(1));
    Some(PlotBounds::from_min_max(
        [min[0] - mx, min[1] - my],
        [max[0] + mx, max[1] + my],
    ))
}

/// `view` moved, and shrunk if need be, to lie within `data`; None when it already does.
fn kept_within(view: PlotBounds, data: PlotBounds) -> Option<PlotBounds> {
    let (mut min, mut max) = (view.min(), view.max());
    for axis in 0..2 {
        let (lo, hi) = (data.min()[axis], data.max()[axis]);
        if max[axis] - min[axis] >= hi - lo {
            (min[axis], max[axis]) = (lo, hi);
        } else if min[axis] < lo {
            (min[axis], max[axis]) = (lo, lo + max[axis] - min[axis]);
        } else if max[axis] > hi {
            (min[axis], max[axis]) = (hi - (max[axis] - min[axis]), hi);
        }
    }
    let moved = (0..2).any(|a| {
        let tolerance = 1e-9 * (data.max()[a] - data.min()[a]);
        (min[a] - view.min()[a]).abs() > tolerance || (max[a] - view.max()[a]).abs() > tolerance
    });
    moved.then(|| PlotBounds::from_min_max(min, max))
}

/// Band fill opacities: the outer band light, the inner one darker.
const OUTER_ALPHA: f32 = 0.16;
const INNER_ALPHA: f32 = 0.34;

fn band_color(alpha: f32) -> Color32 {
    Color32::from_rgb(0, 114, 178).gamma_multiply(alpha)
}

enum Swatch {
    Line,
    Dot,
    Dashed,
    Band,
}

/// A legend key drawn as a shape (no font needs the glyph).
fn swatch(ui: &mut Ui, color: Color32, kind: Swatch) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(22.0, 12.0), egui::Sense::hover());
    let painter = ui.painter();
    let y = rect.center().y;
    match kind {
        Swatch::Line => {
            painter.line_segment(
                [egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)],
                egui::Stroke::new(2.5, color),
            );
        }
        Swatch::Dot => {
            painter.circle_filled(rect.center(), 3.0, color);
        }
        Swatch::Band => {
            painter.rect_filled(rect.shrink2(egui::vec2(0.0, 1.0)), 2.0, color);
        }
        Swatch::Dashed => {
            let x = rect.center().x;
            for k in 0..3 {
                let top = rect.top() + k as f32 * 4.5;
                painter.line_segment(
                    [egui::pos2(x, top), egui::pos2(x, top + 2.5)],
                    egui::Stroke::new(1.5, color),
                );
            }
        }
    }
}

/// A legend entry that never breaks inside: when it does not fit, it moves whole to the next
/// line (a Chinese word split across lines leaves an orphan character).
pub fn legend_label(ui: &mut Ui, text: impl Into<egui::WidgetText>) {
    ui.add(egui::Label::new(text).extend());
}

/// An output's title in `lang`.
pub fn title(lang: &str, output: &Output) -> String {
    text_in(&output.title, lang).to_string()
}

/// An output's title in `lang` (its name when the description does not list it).
pub fn output_name(lang: &str, description: &Description, name: &str) -> String {
    description
        .output(name)
        .map_or_else(|| name.to_string(), |o| title(lang, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_group_digits_and_use_wan_and_yi_in_chinese() {
        assert_eq!(axis_number("en", 120_000.0, 20_000.0), "120,000");
        assert_eq!(axis_number("en", 0.0, 20_000.0), "0");
        assert_eq!(axis_number("en", 2.5, 0.5), "2.5");
        assert_eq!(axis_number("en", -40.0, 20.0), "-40");
        assert_eq!(axis_number("zh", 120_000.0, 20_000.0), "12万");
        assert_eq!(axis_number("zh", 125_000.0, 25_000.0), "12.5万");
        assert_eq!(axis_number("zh", 5_000.0, 5_000.0), "5000");
        assert_eq!(axis_number("zh", 300_000_000.0, 100_000_000.0), "3亿");
        assert_eq!(axis_number("zh", 150_000_000.0, 50_000_000.0), "1.5亿");
        // A log axis labels each power of ten with itself as the step: whole numbers.
        assert_eq!(axis_number("zh", 10_000.0, 10_000.0), "1万");
        assert_eq!(axis_number("en", 100.0, 100.0), "100");
        assert_eq!(axis_number("en", 1e6, 1e6), "1,000,000");
    }

    #[test]
    fn the_value_grid_gives_at_least_three_round_labels() {
        // 0 .. 130,000 over 150 pixels: 8 px of base step is 6,933 units.
        let marks = value_grid(GridInput {
            bounds: (0.0, 130_000.0),
            base_step_size: 130_000.0 / 150.0 * 8.0,
        });
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(values, [0.0, 50_000.0, 100_000.0], "{values:?}");
        // 32 px apart at 150 px for 130,000 is at least 27,733: the round step is 50,000.
        assert!(marks.iter().all(|m| m.step_size == 50_000.0));
        assert_eq!(round_step(0.3), 0.5);
        assert_eq!(round_step(2.2), 2.5);
        assert_eq!(round_step(1000.0), 1000.0);
        assert_eq!(round_step(6_000.0), 10_000.0);
    }

    #[test]
    fn percent_of_the_reference_period_divides_by_the_status_quos_mean_there() {
        let calendar = Calendar {
            origin: "2019-01-01".into(),
            horizon_end: "2019-12-31".into(),
            record_end: "2019-06-30".into(),
        };
        let d = Description {
            reference_period: Some(("2019-01-01".into(), "2019-01-03".into())),
            ..Default::default()
        };
        // Days 0, 1, 2 are the period: mean (40 + 50 + 60) / 3 = 50; day 3 is outside it.
        let sq: Vec<PlotPoint> = [40.0, 50.0, 60.0, 1000.0]
            .iter()
            .enumerate()
            .map(|(t, &y)| PlotPoint::new(t as f64, y))
            .collect();
        let t = Transform::chosen(Some(Axis::PercentOfReference), None, &d, &sq, &calendar);
        assert_eq!(t, Transform::Percent(50.0));
        assert_eq!(t.value(75.0), 150.0);
        assert_eq!(
            Transform::chosen(Some(Axis::Log), None, &d, &sq, &calendar).value(1000.0),
            3.0
        );
        // Without a reference period there is no percentage: drawn as it is.
        let none = Description::default();
        let t = Transform::chosen(Some(Axis::PercentOfReference), None, &none, &sq, &calendar);
        assert_eq!(t, Transform::Linear);
        assert_eq!(
            Transform::chosen(None, None, &none, &sq, &calendar),
            Transform::Linear
        );
    }

    #[test]
    fn chosen_plots_that_are_no_longer_outputs_fall_back_to_the_descriptions() {
        let output = |n: &str| Output {
            name: n.into(),
            title: Default::default(),
            unit: String::new(),
            scale: Scale::Linear,
            mean_days: None,
            unit_in: Default::default(),
        };
        let mut d = Description {
            outputs: vec![output("a"), output("b")],
            ..Default::default()
        };
        d.workbench.plots = vec!["a".into()];
        let mut c = PlotChoices::default();
        assert_eq!(c.workbench(&d), ["a"]);
        c.plots = vec!["b".into()];
        assert_eq!(c.workbench(&d), ["b"]);
        c.plots = vec!["gone".into()];
        assert_eq!(c.workbench(&d), ["a"]);
    }

    #[test]
    fn a_view_is_kept_within_the_data() {
        let data = PlotBounds::from_min_max([0.0, 0.0], [100.0, 10.0]);
        let inside = PlotBounds::from_min_max([10.0, 1.0], [50.0, 5.0]);
        assert!(kept_within(inside, data).is_none());
        // Panned past the left edge: moved back, same width.
        let left = PlotBounds::from_min_max([-20.0, 1.0], [20.0, 5.0]);
        let fixed = kept_within(left, data).expect("moved");
        assert_eq!((fixed.min(), fixed.max()), ([0.0, 1.0], [40.0, 5.0]));
        // Zoomed out beyond the data: the whole data range.
        let wide = PlotBounds::from_min_max([-50.0, -5.0], [300.0, 30.0]);
        let fixed = kept_within(wide, data).expect("shrunk");
        assert_eq!((fixed.min(), fixed.max()), ([0.0, 0.0], [100.0, 10.0]));
        let bounds = data_bounds(
            &[&[PlotPoint::new(0.0, 0.0), PlotPoint::new(100.0, 50.0)]],
            &[&[80.0]],
        )
        .expect("data");
        assert_eq!((bounds.min(), bounds.max()), ([-5.0, -4.0], [105.0, 84.0]));
    }
}
