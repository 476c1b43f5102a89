//! The tornado chart: each uncertain parameter swung from low to high, the others at their
//! model values, ranked by how far it moves the chosen headline figure.

use egui::{Color32, RichText, Ui};

use super::i18n::{fill, tr};
use crate::analysis::ensemble::Plan;
use crate::analysis::ensemble::sensitivity::{Metric, Swing, tornado};
use crate::analysis::format;
use crate::scenario::description::{Format, Headline};
use crate::scenario::{Calendar, Prepared};

type Tornado = Result<(f64, Vec<Swing>), String>;

/// The chosen headline figure, by id (the description's first until one is chosen).
#[derive(Default)]
pub struct SensitivityWindow {
    pub open: bool,
    metric: Option<String>,
    /// (document generation, metric) → result, so the chart re-runs only when either changes.
    cache: Option<((u64, String), Tornado)>,
    calendar: Option<Calendar>,
}

impl SensitivityWindow {
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        prepared: Option<&Prepared>,
        generation: u64,
        lang: &str,
    ) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        egui::Window::new(tr(lang, "Sensitivity"))
            .id(egui::Id::unique("sensitivity window"))
            .open(&mut open)
            .default_width(560.0)
            .show(ctx, |ui| self.contents(ui, prepared, generation, lang));
        self.open = open;
    }

    fn contents(&mut self, ui: &mut Ui, prepared: Option<&Prepared>, generation: u64, lang: &str) {
        let Some(prepared) = prepared else {
            ui.label(tr(
                lang,
                "The scenario does not run; fix it to see sensitivities.",
            ));
            return;
        };
        let description = &prepared.setup.description;
        let Some(first) = description.headlines.first() else {
            ui.label(tr(lang, "The model description names no headline figures."));
            return;
        };
        let mut chosen = self.metric.clone().unwrap_or_else(|| first.id.clone());
        ui.horizontal_wrapped(|ui| {
            ui.label(tr(lang, "Metric:"));
            for h in &description.headlines {
                ui.selectable_value(&mut chosen, h.id.clone(), format::title(h, lang));
            }
        });
        self.metric = Some(chosen.clone());
        let Some(headline) = description.headline(&chosen) else {
            return;
        };
        let key = (generation, chosen.clone());
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let settings = Plan::settings(prepared, None, None);
            let result = Metric::named(description, &chosen)
                .and_then(|metric| Ok((metric, Plan::new(prepared, &settings)?)))
                .and_then(|(metric, plan)| tornado(prepared, &plan, &metric).map(|t| (plan, t)))
                .map(|(plan, (base, swings))| {
                    self.calendar = Some(plan.calendar);
                    (base, swings)
                })
                .map_err(|e| e.to_string());
            self.cache = Some((key, result));
        }
        let Some((_, result)) = &self.cache else {
            return;
        };
        match result {
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Ok((base, swings)) => self.chart(ui, headline, *base, swings, lang),
        }
    }

    /// Swings relative to the base value, the widest on top; low ends in one colour, high ends
    /// in another.
    fn chart(&self, ui: &mut Ui, headline: &Headline, base: f64, swings: &[Swing], lang: &str) {
        let is_date = headline.format == Format::Date;
        let show = |v: f64| match (&self.calendar, is_date) {
            (Some(c), true) => format::percentile_value(lang, headline, v, c),
            _ => format!("{v:.1}"),
        };
        let unit = if is_date {
            tr(lang, "days")
        } else {
            headline.unit.as_str()
        };
        ui.label(fill(
            tr(
                lang,
                "Central run: {}. Bars: change when a parameter goes from low to high (the others at their model values), in {}.",
            ),
            &[&show(base), unit],
        ));
        let widest = swings
            .iter()
            .map(|s| (s.at_low - base).abs().max((s.at_high - base).abs()))
            .fold(0.0f64, f64::max)
            .max(1e-9);
        let low_color = Color32::from_rgb(0, 114, 178);
        let high_color = Color32::from_rgb(213, 94, 0);
        ui.horizontal(|ui| {
            let (r, _) = ui.allocate_exact_size(egui::vec2(14.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(r, 2.0, low_color);
            ui.label(RichText::new(tr(lang, "parameter at low end")).small());
            let (r, _) = ui.allocate_exact_size(egui::vec2(14.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(r, 2.0, high_color);
            ui.label(RichText::new(tr(lang, "parameter at high end")).small());
        });
        egui::ScrollArea::vertical()
            .max_height(420.0)
            .show(ui, |ui| {
                egui::Grid::new("tornado").striped(true).show(ui, |ui| {
                    for s in swings {
                        ui.label(&s.parameter)
                            .on_hover_text(format!("low {} .. high {}", s.low, s.high));
                        let (rect, _) =
                            ui.allocate_exact_size(egui::vec2(260.0, 14.0), egui::Sense::hover());
                        let mid = rect.center().x;
                        let scale = rect.width() / 2.0 / widest as f32;
                        let painter = ui.painter();
                        painter.line_segment(
                            [egui::pos2(mid, rect.top()), egui::pos2(mid, rect.bottom())],
                            egui::Stroke::new(1.0, Color32::GRAY),
                        );
                        for (v, color) in [(s.at_low, low_color), (s.at_high, high_color)] {
                            let x = mid + (v - base) as f32 * scale;
                            let bar = egui::Rect::from_x_y_ranges(
                                mid.min(x)..=mid.max(x).max(mid.min(x) + 1.0),
                                rect.top() + 2.0..=rect.bottom() - 2.0,
                            );
                            painter.rect_filled(bar, 1.0, color.gamma_multiply(0.85));
                        }
                        ui.label(
                            RichText::new(format!(
                                "{:+.1} / {:+.1}",
                                s.at_low - base,
                                s.at_high - base
                            ))
                            .small(),
                        );
                        ui.end_row();
                    }
                });
            });
    }
}
