//! Headline cards: recovery dates and losses, each against the baseline.

use egui::{RichText, Ui};

use crate::analysis::headlines::{Headlines, date_difference, show_date};

pub struct HeadlineCards;

impl HeadlineCards {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        current: Option<&Headlines>,
        baseline: Option<&Headlines>,
        horizon_end: &str,
    ) {
        let (Some(h), Some(b)) = (current, baseline) else {
            ui.label("Headline figures need the Mainland visitor and trade outputs.");
            return;
        };
        ui.columns(4, |cols| {
            card(
                &mut cols[0],
                "50% recovery of Mainland visitors",
                &show_date(&h.date50, horizon_end),
                &date_difference(b.time50, h.time50),
            );
            card(
                &mut cols[1],
                "90% recovery of Mainland visitors",
                &show_date(&h.date90, horizon_end),
                &date_difference(b.time90, h.time90),
            );
            let dv = h.visitors_lost_millions - b.visitors_lost_millions;
            card(
                &mut cols[2],
                "Mainland visitor arrivals lost since 25 Jan 2020",
                &format!("{:.1} M", h.visitors_lost_millions),
                &signed(dv, "M visitors", 1),
            );
            let dt = h.trade_lost_days - b.trade_lost_days;
            card(
                &mut cols[3],
                "Trade lost (days of 2019 trade)",
                &format!("{:.0} days", h.trade_lost_days),
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

fn card(ui: &mut Ui, title: &str, value: &str, difference: &str) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.label(RichText::new(title).small().weak());
        ui.label(RichText::new(value).size(19.0).strong());
        ui.label(RichText::new(difference).small());
    });
}
