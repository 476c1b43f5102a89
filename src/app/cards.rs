//! Headline cards: the figures the model description lists, each for the central run against
//! the baseline; with a finished ensemble, its 90% range below.

use egui::{RichText, Ui};

use super::i18n::{fill, tr};
use crate::analysis::ensemble::Summary;
use crate::analysis::format;
use crate::analysis::headlines::Headlines;
use crate::scenario::{Calendar, Description};

pub struct HeadlineCards;

/// What the cards read.
pub struct CardView<'a> {
    pub current: Option<&'a Headlines>,
    pub baseline: Option<&'a Headlines>,
    pub description: &'a Description,
    /// The headline ids to show, in order.
    pub cards: &'a [String],
    pub calendar: &'a Calendar,
    pub ensemble: Option<&'a Summary>,
    /// Keep a line for the range while the ensemble runs, so the cards never change height.
    pub range_line: bool,
    /// What `baseline` is, when it is not the status quo (a slide against the previous slide).
    pub versus: Option<&'a str>,
    pub lang: &'a str,
}

impl HeadlineCards {
    pub fn ui(&mut self, ui: &mut Ui, view: CardView<'_>) {
        let lang = view.lang;
        let (Some(h), Some(b)) = (view.current, view.baseline) else {
            ui.label(tr(
                lang,
                "No headline figures: the model has no description beside it, or its run lacks an output they need.",
            ));
            return;
        };
        let shown: Vec<(usize, &crate::scenario::description::Headline)> = view
            .cards
            .iter()
            .filter_map(|id| {
                let i = view.description.headline_index(id)?;
                Some((i, &view.description.headlines[i]))
            })
            .collect();
        if shown.is_empty() {
            return;
        }
        let calendar = view.calendar;
        let waiting = tr(lang, "p5–p95 when the ensemble is in");
        let reserved = view.range_line.then_some(waiting);
        ui.columns(shown.len(), |cols| {
            for (col, (i, headline)) in cols.iter_mut().zip(&shown) {
                // A card leads with the central run (the figure the table, exports and `run`
                // give); a finished ensemble adds its 90% range as a second line. A running one
                // changes nothing.
                let range = view.ensemble.and_then(|s| {
                    let k = s
                        .headline_columns
                        .iter()
                        .position(|c| c.id == headline.id)?;
                    let p = s.headlines[k];
                    let show = |v: f64| format::percentile_value(lang, headline, v, &s.calendar);
                    Some(if show(p[0]) == show(p[4]) {
                        fill(
                            tr(lang, "p5–p95: all {} members alike"),
                            &[&s.members.to_string()],
                        )
                    } else {
                        // The member count is in the status bar: one line fits a narrow card.
                        fill(tr(lang, "p5–p95: {} – {}"), &[&show(p[0]), &show(p[4])])
                    })
                });
                let difference = match view.versus {
                    Some(what) => fill(
                        tr(lang, "vs {}: {}"),
                        &[
                            what,
                            &format::change(lang, headline, h.values[*i], b.values[*i]),
                        ],
                    ),
                    None => fill(
                        tr(lang, "central run: {}"),
                        &[&format::versus_baseline(
                            lang,
                            headline,
                            h.values[*i],
                            b.values[*i],
                        )],
                    ),
                };
                card(
                    col,
                    format::title(headline, lang),
                    &format::value(lang, headline, h.values[*i], calendar),
                    range.as_deref().or(reserved),
                    &difference,
                );
            }
        });
    }
}

fn card(ui: &mut Ui, title: &str, value: &str, range: Option<&str>, difference: &str) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.label(RichText::new(title).small().weak());
        // A value too wide for its card gets a smaller font, never a line break (a Chinese
        // date would leave one character alone on the second line).
        let width = ui.available_width();
        let size = (13..=19)
            .rev()
            .map(|s| s as f32)
            .find(|&s| {
                let font = egui::FontId::proportional(s);
                ui.painter()
                    .layout_no_wrap(value.to_string(), font, egui::Color32::WHITE)
                    .size()
                    .x
                    <= width
            })
            .unwrap_or(13.0);
        ui.add(egui::Label::new(RichText::new(value).size(size).strong()).wrap());
        if let Some(r) = range {
            ui.add(
                egui::Label::new(RichText::new(r).small())
                    .truncate()
                    .show_tooltip_when_elided(true),
            );
        }
        ui.label(RichText::new(difference).small());
    });
}
