//! Text sized to fit: a line that would wrap in a narrow box gets a smaller font instead, so
//! that a Chinese phrase never leaves one character alone on the next line.

use egui::{Color32, FontId, Ui};

/// The largest size from `largest` down to `smallest` (whole points) at which `text` fits on
/// one line within `width`; `smallest` when none does.
pub fn font_size_to_fit(ui: &Ui, text: &str, width: f32, largest: u8, smallest: u8) -> f32 {
    (smallest..=largest)
        .rev()
        .map(f32::from)
        .find(|&size| {
            ui.painter()
                .layout_no_wrap(text.to_string(), FontId::proportional(size), Color32::WHITE)
                .size()
                .x
                <= width
        })
        .unwrap_or(f32::from(smallest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_gets_a_smaller_font_and_a_short_one_keeps_the_largest() {
        let ctx = egui::Context::default();
        let _ = ctx.run_ui(egui::RawInput::default(), |ui| {
            {
                let width_at = |text: &str, size: f32| {
                    ui.painter()
                        .layout_no_wrap(text.into(), FontId::proportional(size), Color32::WHITE)
                        .size()
                        .x
                };
                let long = "Levers: goods, finance, innovation";
                assert_eq!(font_size_to_fit(ui, "Goods", 200.0, 14, 11), 14.0);
                // Room for the long line at 12 pt but not at 13 pt: 12 pt.
                let room = (width_at(long, 12.0) + width_at(long, 13.0)) / 2.0;
                assert_eq!(font_size_to_fit(ui, long, room, 14, 11), 12.0);
                // No room at all: the smallest, and the caller wraps.
                assert_eq!(font_size_to_fit(ui, long, 10.0, 14, 11), 11.0);
            }
        });
    }
}
