//! Presentation mode for a projector: full screen, large type, the headline cards and the plots
//! the model description names for slides; arrow keys step through a story's slides, Esc returns to the workbench.

use egui::{Key, RichText, Ui};

use super::i18n::{fill, tr};
use crate::scenario::story::LoadedSlide;
use crate::scenario::text_in;

/// Zoom while presenting: type a room can read.
pub const PRESENTATION_ZOOM: f32 = 1.6;

pub struct Presentation {
    pub slides: Vec<LoadedSlide>,
    pub index: usize,
    /// The zoom to go back to.
    pub previous_zoom: f32,
}

/// What a key press asks of the presentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Next,
    Previous,
    End,
}

impl Presentation {
    pub fn slide(&self) -> &LoadedSlide {
        &self.slides[self.index.min(self.slides.len() - 1)]
    }

    /// The step the keys pressed this frame ask for.
    pub fn keys(ctx: &egui::Context) -> Option<Step> {
        ctx.input(|i| {
            let any = |keys: &[Key]| keys.iter().any(|k| i.key_pressed(*k));
            if any(&[Key::Escape]) {
                Some(Step::End)
            } else if any(&[Key::ArrowRight, Key::ArrowDown, Key::PageDown, Key::Space]) {
                Some(Step::Next)
            } else if any(&[Key::ArrowLeft, Key::ArrowUp, Key::PageUp]) {
                Some(Step::Previous)
            } else {
                None
            }
        })
    }

    /// Moves one slide on or back (staying within the story). True when the slide changed.
    pub fn step(&mut self, step: Step) -> bool {
        let before = self.index;
        match step {
            Step::Next => self.index = (self.index + 1).min(self.slides.len() - 1),
            Step::Previous => self.index = self.index.saturating_sub(1),
            Step::End => {}
        }
        before != self.index
    }

    /// The caption and slide counter.
    pub fn header(&self, ui: &mut Ui, lang: &str) {
        let slide = self.slide();
        let caption = text_in(&slide.caption, lang);
        let title = text_in(&slide.scenario.title, lang);
        ui.add_space(4.0);
        ui.label(
            RichText::new(if caption.is_empty() { title } else { caption })
                .size(24.0)
                .strong(),
        );
        ui.horizontal(|ui| {
            if !caption.is_empty() {
                ui.label(RichText::new(title).weak());
                ui.separator();
            }
            ui.label(
                RichText::new(fill(
                    tr(lang, "slide {} of {}"),
                    &[
                        &(self.index + 1).to_string(),
                        &self.slides.len().to_string(),
                    ],
                ))
                .weak(),
            );
            ui.separator();
            ui.label(
                RichText::new(format!(
                    "← → {} · Esc {}",
                    tr(lang, "next slide"),
                    tr(lang, "leave presentation mode")
                ))
                .small()
                .weak(),
            );
        });
        ui.add_space(4.0);
    }
}
