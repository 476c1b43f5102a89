//! The plots' legend: an entry for each kind of line a shown plot draws, each entry a swatch and
//! its label kept together on one line.

use egui::{Color32, Ui};

use crate::app::i18n::{fill, tr};

/// The colours the plots and their legend share.
pub(super) const SCENARIO: Color32 = Color32::from_rgb(0, 114, 178);
pub(super) const BASELINE: Color32 = Color32::from_gray(150);
pub(super) const HISTORY: Color32 = Color32::from_rgb(213, 94, 0);
pub(super) const MEDIAN: Color32 = Color32::from_rgb(0, 70, 120);
pub(super) const BRANCH: Color32 = Color32::from_gray(120);

/// What the shown plots draw, and so what the legend lists.
pub(super) struct Entries<'a> {
    /// Days of the trailing mean when a shown plot draws one.
    pub averaged: Option<f64>,
    /// The reference line's label (the status quo, or a slide's previous slide).
    pub reference: String,
    /// "recorded, to …" when a shown plot draws recorded points.
    pub recorded: Option<String>,
    /// Compared scenarios: label and colour.
    pub compared: Vec<(&'a str, Color32)>,
    /// A shown plot draws the ensemble's median.
    pub median: bool,
    /// Ensemble members when a shown plot draws bands.
    pub bands: Option<usize>,
    /// An ensemble is running: the median and band entries it will bring keep their room
    /// (drawn invisible until then), so that nothing below moves when they appear.
    pub ensemble_pending: bool,
}

/// The legend, wrapping between entries and never inside one; true when "Reset view" was
/// clicked.
pub(super) fn ui(ui: &mut Ui, lang: &str, entries: &Entries<'_>) -> bool {
    let mut reset = false;
    ui.horizontal_wrapped(|ui| {
        reset = ui
            .small_button(tr(lang, "Reset view"))
            .on_hover_text(tr(
                lang,
                "Show every plot's whole range again (double-clicking a plot does the same)",
            ))
            .clicked();
        // Short enough for one legend line: the averaged plot shows which line is the mean.
        let scenario = match entries.averaged {
            Some(days) => fill(
                tr(lang, "scenario ({}-day mean, daily faint)"),
                &[&format!("{days}")],
            ),
            None => tr(lang, "scenario").to_string(),
        };
        entry(ui, SCENARIO, Swatch::Line, &scenario, true);
        entry(ui, BASELINE, Swatch::Line, &entries.reference, true);
        if let Some(recorded) = &entries.recorded {
            entry(ui, HISTORY, Swatch::Dot, recorded, true);
        }
        entry(ui, BRANCH, Swatch::Dashed, tr(lang, "branch date"), true);
        for (label, colour) in &entries.compared {
            entry(ui, *colour, Swatch::Line, label, true);
        }
        let pending = entries.ensemble_pending;
        if entries.median || pending {
            let median = tr(lang, "ensemble median");
            entry(ui, MEDIAN, Swatch::Line, median, entries.median);
        }
        if entries.bands.is_some() || pending {
            let shown = entries.bands.is_some();
            entry(ui, band_color(OUTER_ALPHA), Swatch::Band, "p5–p95", shown);
            entry(ui, band_color(INNER_ALPHA), Swatch::Band, "p25–p75", shown);
            // Room for a three-digit count while the ensemble runs.
            let members = entries.bands.map_or("000".to_string(), |m| m.to_string());
            let text = fill(tr(lang, "of {} ensemble members"), &[&members]);
            legend_entry(ui, None, egui::RichText::new(text).small().weak(), shown);
        }
    });
    reset
}

/// One legend entry: its swatch and label; `shown` false keeps its room without drawing it.
fn entry(ui: &mut Ui, color: Color32, kind: Swatch, label: &str, shown: bool) {
    let swatch = |ui: &mut Ui| swatch(ui, color, kind);
    legend_entry(
        ui,
        Some((SWATCH_WIDTH, &swatch)),
        egui::RichText::new(label).small(),
        shown,
    );
}

/// A legend key: its width and what paints it.
pub type Key<'a> = (f32, &'a dyn Fn(&mut Ui));

/// A legend entry in a wrapping row: a swatch (its width and painter) and a label kept on one
/// line, starting a new line when the pair does not fit on this one (never a swatch apart from
/// its label, nor a Chinese word split with an orphan character). `shown` false keeps the
/// entry's room without drawing it.
pub fn legend_entry(ui: &mut Ui, swatch: Option<Key<'_>>, text: egui::RichText, shown: bool) {
    const GAP: f32 = 3.0;
    let galley = egui::WidgetText::from(text).into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Small,
    );
    let width = swatch.map_or(0.0, |(w, _)| w + GAP) + galley.size().x;
    if width > ui.available_size_before_wrap().x && ui.cursor().min.x > ui.max_rect().min.x {
        ui.end_row();
    }
    ui.horizontal(|ui| {
        if !shown {
            ui.set_invisible();
        }
        ui.spacing_mut().item_spacing.x = GAP;
        if let Some((_, paint)) = swatch {
            paint(ui);
        }
        ui.add(egui::Label::new(galley));
    });
}

/// Band fill opacities: the outer band light, the inner one darker.
pub(super) const OUTER_ALPHA: f32 = 0.16;
pub(super) const INNER_ALPHA: f32 = 0.34;

pub(super) fn band_color(alpha: f32) -> Color32 {
    Color32::from_rgb(0, 114, 178).gamma_multiply(alpha)
}

#[derive(Clone, Copy)]
enum Swatch {
    Line,
    Dot,
    Dashed,
    Band,
}

/// A legend key drawn as a shape (no font needs the glyph).
const SWATCH_WIDTH: f32 = 22.0;

fn swatch(ui: &mut Ui, color: Color32, kind: Swatch) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(SWATCH_WIDTH, 12.0), egui::Sense::hover());
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
