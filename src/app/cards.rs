//! Headline cards: recovery dates and losses of the central run, each against the baseline;
//! with a finished ensemble, its 90% range below.

use egui::{RichText, Ui};

use super::i18n::{count, date, fill, tr};
use crate::analysis::ensemble::Summary;
use crate::analysis::headlines::{DateDifference, Headlines, date_difference_of, reached_date};

pub struct HeadlineCards;

/// What the cards read.
pub struct CardView<'a> {
    pub current: Option<&'a Headlines>,
    pub baseline: Option<&'a Headlines>,
    pub horizon_end: &'a str,
    pub ensemble: Option<&'a Summary>,
    /// Keep a line for the range while the ensemble runs, so the cards never change height.
    pub range_line: bool,
    pub lang: &'a str,
}

/// A recovery date (or "not by <horizon>") in `lang`.
pub fn recovery_date(lang: &str, d: Option<&str>, horizon_end: &str) -> String {
    match d {
        Some(d) => date(lang, d),
        // Chinese cards are narrow for a full date: the year says it.
        None if lang == "zh" => fill(
            tr(lang, "not reached by the end of {}"),
            &[horizon_end.get(..4).unwrap_or(horizon_end)],
        ),
        None => fill(tr(lang, "not by {}"), &[&date(lang, horizon_end)]),
    }
}

/// How a recovery date compares with the baseline's, in `lang`.
pub fn difference_text(lang: &str, a: Option<f64>, b: Option<f64>) -> String {
    let n = |x: f64| format!("{:.0}", x.abs());
    match date_difference_of(a, b) {
        DateDifference::NeitherReached => tr(lang, "not reached in either").into(),
        DateDifference::NotReached => tr(lang, "not reached (baseline reached it)").into(),
        DateDifference::Reached => tr(lang, "reached (baseline did not)").into(),
        DateDifference::SameDay => tr(lang, "same day").into(),
        DateDifference::Days(d) if d < 0.0 => fill(tr(lang, "{} days earlier"), &[&n(d)]),
        DateDifference::Days(d) => fill(tr(lang, "{} days later"), &[&n(d)]),
        DateDifference::Months(m) if m < 0.0 => fill(tr(lang, "{} months earlier"), &[&n(m)]),
        DateDifference::Months(m) => fill(tr(lang, "{} months later"), &[&n(m)]),
    }
}

/// Millions of visitors as a count in `lang`.
pub fn visitors_text(lang: &str, millions: f64) -> String {
    fill(tr(lang, "{} visitors"), &[&count(lang, millions * 1e6)])
}

pub fn days_text(lang: &str, days: f64) -> String {
    fill(tr(lang, "{} days"), &[&format!("{days:.0}")])
}

impl HeadlineCards {
    pub fn ui(&mut self, ui: &mut Ui, view: CardView<'_>) {
        let lang = view.lang;
        let (Some(h), Some(b)) = (view.current, view.baseline) else {
            ui.label(tr(
                lang,
                "Headline figures need the Mainland visitor and trade outputs.",
            ));
            return;
        };
        let horizon_end = view.horizon_end;
        // A card leads with the central run (the figure the table, exports and `run` give); a
        // finished ensemble adds its 90% range as a second line. A running one changes nothing.
        let value = |i: usize, central: String, show: &dyn Fn(f64) -> String| {
            let range = view.ensemble.map(|s| {
                let p = s.headlines[i];
                let members = s.members.to_string();
                if show(p[0]) == show(p[4]) {
                    fill(tr(lang, "p5–p95: all {} members alike"), &[&members])
                } else {
                    // The member count is in the status bar: one line fits a narrow card.
                    fill(tr(lang, "p5–p95: {} – {}"), &[&show(p[0]), &show(p[4])])
                }
            });
            (central, range)
        };
        let ensemble_date = |t: f64| {
            view.ensemble.map_or_else(String::new, |s| {
                recovery_date(lang, reached_date(&s.calendar, t).as_deref(), horizon_end)
            })
        };
        let signed = |v: f64, text: String| {
            if text.is_empty() {
                tr(lang, "same as baseline").to_string()
            } else {
                fill(
                    tr(lang, "{} vs baseline"),
                    &[&format!("{}{text}", if v < 0.0 { "-" } else { "+" })],
                )
            }
        };
        let waiting = tr(lang, "p5–p95 when the ensemble is in");
        let reserved = view.range_line.then_some(waiting);
        ui.columns(4, |cols| {
            let (v, range) = value(
                0,
                recovery_date(lang, h.date50.as_deref(), horizon_end),
                &ensemble_date,
            );
            card(
                &mut cols[0],
                tr(lang, "50% recovery of Mainland visitors"),
                &v,
                range.as_deref().or(reserved),
                &difference_text(lang, b.time50, h.time50),
                lang,
            );
            let (v, range) = value(
                1,
                recovery_date(lang, h.date90.as_deref(), horizon_end),
                &ensemble_date,
            );
            card(
                &mut cols[1],
                tr(lang, "90% recovery of Mainland visitors"),
                &v,
                range.as_deref().or(reserved),
                &difference_text(lang, b.time90, h.time90),
                lang,
            );
            let dv = h.visitors_lost_millions - b.visitors_lost_millions;
            let (v, range) = value(2, count(lang, h.visitors_lost_millions * 1e6), &|x| {
                count(lang, x * 1e6)
            });
            let dv_text = if dv.abs() < 0.05 {
                String::new()
            } else {
                visitors_text(lang, dv.abs())
            };
            card(
                &mut cols[2],
                tr(lang, "Mainland visitor arrivals lost since 25 Jan 2020"),
                &v,
                range.as_deref().or(reserved),
                &signed(dv, dv_text),
                lang,
            );
            let dt = h.trade_lost_days - b.trade_lost_days;
            let (v, range) = value(3, days_text(lang, h.trade_lost_days), &|x| {
                days_text(lang, x)
            });
            let dt_text = if dt.abs() < 0.5 {
                String::new()
            } else {
                days_text(lang, dt.abs())
            };
            card(
                &mut cols[3],
                tr(lang, "Trade lost (days of 2019 trade)"),
                &v,
                range.as_deref().or(reserved),
                &signed(dt, dt_text),
                lang,
            );
        });
    }
}

fn card(ui: &mut Ui, title: &str, value: &str, range: Option<&str>, difference: &str, lang: &str) {
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
        ui.label(RichText::new(fill(tr(lang, "central run: {}"), &[difference])).small());
    });
}
