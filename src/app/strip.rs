//! The limit strip under a plot: one band per traveller type, coloured by the limit that holds
//! it back over time (the description's `limits`), on the plot's own linked time axis.

use egui::{Color32, Ui};
use egui_plot::PlotTransform;

use super::i18n::{date, fill, tr};
use crate::analysis::why::Strip;
use crate::scenario::description::Limits;
use crate::scenario::{Calendar, text_in};

/// Height of one traveller type's band, in points.
pub const ROW_HEIGHT: f32 = 15.0;

/// Okabe and Ito's colour-blind-safe palette, one per limit (cycled beyond eight).
const COLOURS: [Color32; 7] = [
    Color32::from_rgb(230, 159, 0),
    Color32::from_rgb(213, 94, 0),
    Color32::from_rgb(0, 158, 115),
    Color32::from_rgb(204, 121, 167),
    Color32::from_rgb(86, 180, 233),
    Color32::from_rgb(240, 228, 66),
    Color32::from_rgb(0, 114, 178),
];

pub fn colour(limit: usize) -> Color32 {
    COLOURS[limit % COLOURS.len()]
}

/// The strip's height with its title and legend.
pub fn height(limits: &Limits) -> f32 {
    limits.rows.len() as f32 * ROW_HEIGHT + 48.0
}

/// What the strip draws.
pub struct StripView<'a> {
    pub strip: &'a Strip,
    pub limits: &'a Limits,
    pub calendar: &'a Calendar,
    /// The plot above: the strip takes its frame and its time axis.
    pub plot: &'a PlotTransform,
    pub lang: &'a str,
}

pub fn ui(ui: &mut Ui, view: StripView<'_>) {
    let StripView {
        strip,
        limits,
        calendar,
        plot,
        lang,
    } = view;
    let rows = limits.rows.len();
    // The note on blanks sits by the title, where it never wraps onto a line of its own.
    ui.horizontal(|ui| {
        ui.label(
            egui::RichText::new(tr(lang, "What holds travel back"))
                .small()
                .strong(),
        );
        let blank = fill(
            tr(lang, "blank: under {}%"),
            &[&format!("{}", limits.floor * 100.0)],
        );
        ui.label(egui::RichText::new(format!("({blank})")).small().weak());
    });
    // The strip spans exactly the plot's frame and maps time as the plot does, so that it
    // follows the plot's zoom and pan.
    let frame = *plot.frame();
    let (outer, response) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), rows as f32 * ROW_HEIGHT),
        egui::Sense::hover(),
    );
    let area = egui::Rect::from_x_y_ranges(frame.x_range(), outer.y_range());
    let painter = ui.painter_at(area);
    painter.rect_filled(area, 0.0, ui.visuals().extreme_bg_color);
    for r in 0..rows {
        let top = area.top() + r as f32 * ROW_HEIGHT;
        for span in strip.spans(r) {
            let Some(l) = span.limit else { continue };
            let x0 = plot.position_from_point_x(span.from);
            let x1 = plot.position_from_point_x(span.to);
            let rect = egui::Rect::from_x_y_ranges(x0..=x1, (top + 1.5)..=(top + ROW_HEIGHT - 1.5));
            painter.rect_filled(rect, 0.0, colour(l));
        }
        let galley = painter.layout_no_wrap(
            text_in(&limits.rows[r].title, lang).to_string(),
            egui::FontId::proportional(10.5),
            Color32::BLACK,
        );
        let pos = egui::pos2(area.left() + 4.0, top + ROW_HEIGHT / 2.0);
        let rect = egui::Align2::LEFT_CENTER.anchor_size(pos, galley.size());
        painter.rect_filled(rect.expand(1.0), 2.0, Color32::from_white_alpha(210));
        painter.galley(rect.min, galley, Color32::BLACK);
    }
    if let Some(pointer) = response.hover_pos().filter(|p| area.contains(*p)) {
        let t = plot.value_from_position(pointer).x;
        let r = (((pointer.y - area.top()) / ROW_HEIGHT) as usize).min(rows - 1);
        let text = super::why::holding_text(limits, r, strip.at(t).get(r).copied().flatten(), lang);
        response.on_hover_text(format!("{}\n{text}", date(lang, &calendar.date_of(t))));
    }
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for (l, limit) in limits.limits.iter().enumerate() {
            let swatch = |ui: &mut Ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 10.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, colour(l));
            };
            let title = egui::RichText::new(text_in(&limit.title, lang)).small();
            super::plots::legend_entry(ui, Some((12.0, &swatch)), title, true);
        }
    });
}
