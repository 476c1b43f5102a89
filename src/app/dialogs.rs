//! The app's own windows: a problem to acknowledge, autosaved work to restore, unsaved changes
//! to save or discard, and the first-launch welcome. Each answer is a `Command`.

use super::command::Command;
use super::i18n::tr;
use super::{BorderflowApp, guide, shortcuts};
use crate::scenario;

impl BorderflowApp {
    /// Help and the guide, a problem, the restore offer, the welcome and the unsaved-changes
    /// prompt, when each is due.
    pub(super) fn dialogs(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let mut out = Vec::new();
        if self.help_open {
            let mut open = true;
            let lang = self.lang.clone();
            egui::Window::new(tr(&self.lang, "Shortcuts"))
                .id(egui::Id::unique("shortcuts window"))
                .open(&mut open)
                .show(ctx, |ui| shortcuts::help_ui(ui, ctx, &lang));
            if !open {
                out.push(Command::ToggleHelp);
            }
        }
        if self.guide_open {
            let mut open = true;
            egui::Window::new(tr(&self.lang, "Guide"))
                .id(egui::Id::unique("guide window"))
                .open(&mut open)
                .default_width(640.0)
                .show(ctx, |ui| guide::ui(ui, &self.lang));
            if !open {
                out.push(Command::ToggleGuide);
            }
        }
        if let Some(err) = &self.error {
            egui::Window::new(tr(&self.lang, "Problem"))
                .collapsible(false)
                .resizable(true)
                .show(ctx, |ui| {
                    ui.label(err);
                    if ui.button(tr(&self.lang, "OK")).clicked() {
                        out.push(Command::DismissError);
                    }
                });
        }
        if self.restore_offer.is_some() {
            egui::Window::new(tr(&self.lang, "Restore unsaved work?")).collapsible(false).show(ctx, |ui| {
                ui.label(tr(&self.lang, "Borderflow did not close cleanly last time. Restore the scenario you were working on?"));
                ui.horizontal(|ui| {
                    if ui.button(tr(&self.lang, "Restore")).clicked() {
                        out.push(Command::RestoreAutosave(true));
                    }
                    if ui.button(tr(&self.lang, "Discard")).clicked() {
                        out.push(Command::RestoreAutosave(false));
                    }
                });
            });
        }
        if self.welcome {
            out.extend(self.welcome_window(ctx));
        }
        if self.pending.is_some() {
            egui::Window::new(tr(&self.lang, "Unsaved changes"))
                .collapsible(false)
                .show(ctx, |ui| {
                    ui.label(tr(
                        &self.lang,
                        "This scenario has unsaved changes. Save them first?",
                    ));
                    ui.horizontal(|ui| {
                        if ui.button(tr(&self.lang, "Save")).clicked() {
                            out.push(Command::SaveAndProceed);
                        }
                        if ui.button(tr(&self.lang, "Discard changes")).clicked() {
                            out.push(Command::ConfirmDiscard(true));
                        }
                        if ui.button(tr(&self.lang, "Cancel")).clicked() {
                            out.push(Command::ConfirmDiscard(false));
                        }
                    });
                });
        }
        out
    }

    /// The first-launch welcome: what the app answers, three things to try, the examples.
    pub(super) fn welcome_window(&self, ctx: &egui::Context) -> Vec<Command> {
        let mut out = Vec::new();
        let lang = &self.lang;
        egui::Window::new(tr(lang, "Welcome to Borderflow"))
            .collapsible(false)
            .default_width(460.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(tr(
                    lang,
                    "Borderflow answers: if the border had opened differently, when would Mainland visitors and trade have recovered, and how much would have been lost?",
                ));
                ui.add_space(6.0);
                ui.label(tr(lang, "Three things to try:"));
                ui.label(tr(
                    lang,
                    "1. Move a lever on the left (say, Hong Kong quarantine) and watch the cards.",
                ));
                ui.label(tr(
                    lang,
                    "2. Open an example below and compare it with the status quo.",
                ));
                ui.label(tr(
                    lang,
                    "3. File → Examples → Workshop story presents the scenarios one slide at a time.",
                ));
                ui.add_space(6.0);
                ui.label(egui::RichText::new(tr(lang, "Open an example")).strong());
                for e in &self.examples {
                    if ui
                        .button(scenario::text_in(&e.title, lang))
                        .on_hover_text(scenario::text_in(&e.description, lang))
                        .clicked()
                    {
                        out.push(Command::OpenExample(e.file.to_string()));
                    }
                }
                ui.add_space(6.0);
                if ui.button(tr(lang, "Start with the status quo")).clicked() {
                    out.push(Command::DismissWelcome);
                }
            });
        out
    }
}
