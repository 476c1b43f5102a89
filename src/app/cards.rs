//! Headline cards: recovery dates and losses, each against the baseline.

use egui::{RichText, Ui};

use crate::analysis::ensemble::Summary;
use crate::analysis::headlines::{Headlines, date_difference, show_date};

pub struct HeadlineCards;

impl HeadlineCards {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        current: Option<&Headlines>,
        baseline: Option<&Headlines>,
        horizon_end: &str,
        ensemble: Option<&Summary>,
    ) {
        let (Some(h), Some(b)) = (current, baseline) else {
            ui.label("Headline figures need the Mainland visitor and trade outputs.");
            return;
        };
        // With a finished ensemble a card shows its median and 90% range; the difference line
        // compares the central runs (calibrated values) of scenario and baseline.
        let value = |i: usize, central: String, show: &dyn Fn(f64) -> String| match ensemble {
            Some(s) => {
                let p = s.headlines[i];
                (
                    show(p[2]),
                    Some(if show(p[0]) == show(p[4]) {
                        format!("p5–p95: all {} members alike", s.members)
                    } else {
                        format!(
                            "p5–p95: {} – {} ({} members)",
                            show(p[0]),
                            show(p[4]),
                            s.members
                        )
                    }),
                )
            }
            None => (central, None),
        };
        let date = |t: f64| ensemble.map_or_else(String::new, |s| s.date(t));
        ui.columns(4, |cols| {
            let (v, range) = value(0, show_date(&h.date50, horizon_end), &date);
            card(
                &mut cols[0],
                "50% recovery of Mainland visitors",
                &v,
                range.as_deref(),
                &date_difference(b.time50, h.time50),
            );
            let (v, range) = value(1, show_date(&h.date90, horizon_end), &date);
            card(
                &mut cols[1],
                "90% recovery of Mainland visitors",
                &v,
                range.as_deref(),
                &date_difference(b.time90, h.time90),
            );
            let dv = h.visitors_lost_millions - b.visitors_lost_millions;
            let (v, range) = value(2, format!("{:.1} M", h.visitors_lost_millions), &|x| {
                format!("{x:.1} M")
            });
            card(
                &mut cols[2],
                "Mainland visitor arrivals lost since 25 Jan 2020",
                &v,
                range.as_deref(),
                &signed(dv, "M visitors", 1),
            );
            let dt = h.trade_lost_days - b.trade_lost_days;
            let (v, range) = value(3, format!("{:.0} days", h.trade_lost_days), &|x| {
                format!("{x:.0} days")
            });
            card(
                &mut cols[3],
                "Trade lost (days of 2019 trade)",
                &v,
                range.as_deref(),
                &signed(dt, "days", 0),
            );
        });
    }
}

fn signed(v: f64, unit: &str, decimals: usize) -> String {
    if v.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
        "same as baseline".into()
    } else {
        format!(
            "{}{:.*} {unit} vs baseline",
            if v < 0.0 { "-" } else { "+" },
            decimals,
            v.abs()
        )
    }
}

fn card(ui: &mut Ui, title: &str, value: &str, range: Option<&str>, difference: &str) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.label(RichText::new(title).small().weak());
        ui.label(RichText::new(value).size(19.0).strong());
        if let Some(r) = range {
            ui.label(RichText::new(r).small());
        }
        ui.label(RichText::new(format!("central run: {difference}")).small());
    });
}
