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
        // Cards narrower than this wrap their words badly: they go in two rows instead.
        let per_row = cards_per_row(shown.len(), ui.available_width());
        for row in shown.chunks(per_row) {
            ui.columns(per_row, |cols| {
                for (col, (i, headline)) in cols.iter_mut().zip(row) {
                    // A card leads with the central run (the figure the table, exports and `run`
                    // give); a finished ensemble adds its 90% range as a second line. A running one
                    // changes nothing.
                    let range = view.ensemble.and_then(|s| {
                        let k = s
                            .headline_columns
                            .iter()
                            .position(|c| c.id == headline.id)?;
                        let p = s.headlines[k];
                        let show =
                            |v: f64| format::percentile_value(lang, headline, v, &s.calendar);
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
}

/// A card narrower than this breaks "central run: …" into one word a line.
const MIN_CARD_WIDTH: f32 = 124.0;

/// How many of `n` cards go in a row `width` wide: all of them, or half (rounded up) when the
/// cards would be narrower than `MIN_CARD_WIDTH`.
fn cards_per_row(n: usize, width: f32) -> usize {
    let n = n.max(1);
    if width / n as f32 >= MIN_CARD_WIDTH {
        n
    } else {
        n.div_ceil(2)
    }
}

fn card(ui: &mut Ui, title: &str, value: &str, range: Option<&str>, difference: &str) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        // Not justified: `ui.columns` justifies, and egui then spreads a wrapped line's letters
        // across the card ("c e n t r a l  r u n").
        ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            card_text(ui, title, value, range, difference)
        });
    });
}

fn card_text(ui: &mut Ui, title: &str, value: &str, range: Option<&str>, difference: &str) {
    ui.label(RichText::new(title).small().weak());
    // A value too wide for its card gets a smaller font, never a line break (a Chinese
    // date would leave one character alone on the second line).
    let size = super::fit::font_size_to_fit(ui, value, ui.available_width(), 19, 13);
    ui.add(egui::Label::new(RichText::new(value).size(size).strong()).wrap());
    if let Some(r) = range {
        ui.add(
            egui::Label::new(RichText::new(r).small())
                .truncate()
                .show_tooltip_when_elided(true),
        );
    }
    ui.label(RichText::new(difference).small());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_go_in_two_rows_only_when_one_row_would_make_them_too_narrow() {
        // 7 cards: 7 × 124 = 868 px fit in one row.
        assert_eq!(cards_per_row(7, 900.0), 7);
        // 1024 px window less a 307 px lever panel: 7 cards of ~100 px; two rows of 4 and 3.
        assert_eq!(cards_per_row(7, 700.0), 4);
        assert_eq!(cards_per_row(4, 700.0), 4);
        assert_eq!(cards_per_row(1, 10.0), 1);
        assert_eq!(cards_per_row(0, 10.0), 1);
    }
}
