//! The plots' legend keys: swatches drawn as shapes, band colours, and entries that never break.

use egui::{Color32, Ui};

/// Band fill opacities: the outer band light, the inner one darker.
pub(super) const OUTER_ALPHA: f32 = 0.16;
pub(super) const INNER_ALPHA: f32 = 0.34;

pub(super) fn band_color(alpha: f32) -> Color32 {
    Color32::from_rgb(0, 114, 178).gamma_multiply(alpha)
}

pub(super) enum Swatch {
    Line,
    Dot,
    Dashed,
    Band,
}

/// A legend key drawn as a shape (no font needs the glyph).
pub(super) fn swatch(ui: &mut Ui, color: Color32, kind: Swatch) {
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
