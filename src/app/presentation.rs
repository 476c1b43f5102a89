//! Presentation mode for a projector: full screen, large type, the headline cards and the plots
//! the slide names (the model description's presentation set by default), each against the
//! status quo or the previous slide; arrow keys step through a story's slides, Esc returns to
//! the workbench.

use egui::{Key, RichText, Ui};

use super::i18n::{fill, tr};
use super::plots::PlotData;
use crate::analysis::Headlines;
use crate::scenario::story::{LoadedSlide, Reference};
use crate::scenario::text_in;

/// Zoom while presenting on a large screen: type a room can read.
pub const PRESENTATION_ZOOM: f32 = 1.6;

/// The zoom for a screen of `size` (points at zoom 1): as large as [`PRESENTATION_ZOOM`] while
/// a slide's cards and two rows of plots still fit (about 1000 × 640 points), never below 1.
pub fn zoom_for(size: egui::Vec2) -> f32 {
    (size.x / 1000.0)
        .min(size.y / 640.0)
        .clamp(1.0, PRESENTATION_ZOOM)
}

pub struct Presentation {
    pub slides: Vec<LoadedSlide>,
    pub index: usize,
    /// The zoom to go back to.
    pub previous_zoom: f32,
    /// The previous slide's run when the current slide compares with it.
    pub reference: Option<SlideReference>,
}

/// A run a slide is measured against, other than the status quo.
pub struct SlideReference {
    pub plot: PlotData,
    pub headlines: Option<Headlines>,
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

    /// The slide this one is measured against, when it is a slide (the first slide's
    /// "previous" is the status quo).
    pub fn previous(&self) -> Option<&LoadedSlide> {
        let i = self.index.min(self.slides.len() - 1);
        (self.slide().compare == Reference::Previous && i > 0).then(|| &self.slides[i - 1])
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

    /// What the previous slide is called on the plots' legend and the cards, when the current
    /// slide compares with it.
    pub fn reference_label(&self, lang: &str) -> Option<String> {
        self.previous()
            .map(|p| fill(tr(lang, "previous slide: {}"), &[title_of(p, lang)]))
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
        ui.horizontal_wrapped(|ui| {
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
            let versus = match self.previous() {
                Some(p) => fill(
                    tr(lang, "compared with the previous slide: {}"),
                    &[title_of(p, lang)],
                ),
                None => tr(lang, "compared with the status quo").to_string(),
            };
            ui.label(RichText::new(versus).strong());
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

/// A slide's short name: its scenario's title.
fn title_of<'a>(slide: &'a LoadedSlide, lang: &str) -> &'a str {
    text_in(&slide.scenario.title, lang)
}
