//! The limit strip under a plot: one band per traveller type, coloured by the limit that holds
//! it back over time (the description's `limits`), on the plot's own linked time axis.

use egui::{Color32, Ui};
use egui_plot::{Plot, PlotPoints, Polygon};

use super::i18n::{date, fill, tr};
use crate::analysis::why::Strip;
use crate::scenario::description::Limits;
use crate::scenario::{Calendar, text_in};

/// Height of one traveller type's band, in points.
pub const ROW_HEIGHT: f32 = 15.0;
/// The y axis' width on the plot above and on the strip, so that their times line up.
pub const AXIS_WIDTH: f32 = 64.0;

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
    limits.rows.len() as f32 * ROW_HEIGHT + 44.0
}

/// What the strip draws.
pub struct StripView<'a> {
    pub strip: &'a Strip,
    pub limits: &'a Limits,
    pub calendar: &'a Calendar,
    /// The plots' link group (x axis and cursor).
    pub group: egui::Id,
    pub reset: bool,
    pub lang: &'a str,
}

pub fn ui(ui: &mut Ui, view: StripView<'_>) {
    let StripView {
        strip,
        limits,
        calendar,
        group,
        reset,
        lang,
    } = view;
    let rows = limits.rows.len();
    ui.label(
        egui::RichText::new(tr(lang, "What holds travel back"))
            .small()
            .strong(),
    );
    let mut plot = Plot::new("limit strip")
        .id(egui::Id::unique("limit strip"))
        .height(rows as f32 * ROW_HEIGHT)
        .show_axes([false, true])
        .y_axis_min_width(AXIS_WIDTH)
        .y_axis_formatter(|_, _| String::new())
        .show_grid(false)
        .show_x(false)
        .show_y(false)
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .allow_scroll(false)
        .default_y_bounds(0.0, rows as f64)
        .set_margin_fraction(egui::vec2(0.05, 0.0))
        .link_axis(group, [true, false])
        .link_cursor(group, [true, false]);
    if reset {
        plot = plot.reset();
    }
    let response = plot.show(ui, |plot| {
        for r in 0..rows {
            // The first row on top.
            let y = (rows - 1 - r) as f64;
            for span in strip.spans(r) {
                let Some(l) = span.limit else { continue };
                let corners = vec![
                    [span.from, y + 0.08],
                    [span.to, y + 0.08],
                    [span.to, y + 0.92],
                    [span.from, y + 0.92],
                ];
                plot.polygon(
                    Polygon::new(
                        text_in(&limits.limits[l].title, lang),
                        PlotPoints::new(corners),
                    )
                    .fill_color(colour(l))
                    .stroke(egui::Stroke::NONE),
                );
            }
        }
    });
    let frame = *response.transform.frame();
    let painter = ui.painter_at(frame);
    for (r, row) in limits.rows.iter().enumerate() {
        let y = frame.top() + (r as f32 + 0.5) * frame.height() / rows as f32;
        let pos = egui::pos2(frame.left() + 4.0, y);
        let galley = painter.layout_no_wrap(
            text_in(&row.title, lang).to_string(),
            egui::FontId::proportional(10.5),
            Color32::BLACK,
        );
        let rect = egui::Align2::LEFT_CENTER.anchor_size(pos, galley.size());
        painter.rect_filled(rect.expand(1.5), 2.0, Color32::from_white_alpha(200));
        painter.galley(rect.min, galley, Color32::BLACK);
    }
    if let Some(pointer) = response.response.hover_pos() {
        let value = response.transform.value_from_position(pointer);
        let r = ((frame.bottom() - pointer.y) / frame.height() * rows as f32).floor() as usize;
        let r = rows.saturating_sub(1).saturating_sub(r.min(rows - 1));
        let held = strip.at(value.x).get(r).copied().flatten();
        let text = match held {
            Some((l, share)) => fill(
                tr(lang, "{}: {} ({}% of demand turned away)"),
                &[
                    text_in(&limits.rows[r].title, lang),
                    text_in(&limits.limits[l].title, lang),
                    &format!("{:.0}", share * 100.0),
                ],
            ),
            None => fill(
                tr(lang, "{}: no limit"),
                &[text_in(&limits.rows[r].title, lang)],
            ),
        };
        response.response.on_hover_text(format!(
            "{}\n{text}",
            date(lang, &calendar.date_of(value.x))
        ));
    }
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for (l, limit) in limits.limits.iter().enumerate() {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, colour(l));
            ui.label(egui::RichText::new(text_in(&limit.title, lang)).small());
        }
        ui.label(
            egui::RichText::new(fill(
                tr(lang, "(blank: less than {}% turned away)"),
                &[&format!("{}", limits.floor * 100.0)],
            ))
            .small()
            .weak(),
        );
    });
}
