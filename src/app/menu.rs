//! The menu bar: every item is a `Command` (shown with its shortcut when it has one), applied
//! with the panels' commands after drawing.

use super::command::Command;
use super::i18n::tr;
use super::{BorderflowApp, examples, i18n, shortcuts};
use crate::scenario;

impl BorderflowApp {
    /// Commands from shortcut keys, and an Open for each `.ron` file dropped on the window.
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let mut out = shortcuts::pressed(ctx);
        for file in ctx.input(|i| i.raw.dropped_files.clone()) {
            let p = file.path();
            if p.extension().is_some_and(|e| e == "ron") {
                out.push(Command::Open(Some(p.to_path_buf())));
            }
        }
        out
    }

    /// The menu bar.
    pub(super) fn menu(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut out = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(tr(&self.lang, "File"), |ui| {
                menu_item(ui, tr(&self.lang, "New"), true, Command::New, &mut out);
                menu_item(
                    ui,
                    tr(&self.lang, "Open…"),
                    true,
                    Command::Open(None),
                    &mut out,
                );
                ui.menu_button(tr(&self.lang, "Examples"), |ui| {
                    let zh = usize::from(self.lang == "zh");
                    for e in &self.examples {
                        if ui
                            .button(scenario::text_in(&e.title, &self.lang))
                            .on_hover_text(scenario::text_in(&e.description, &self.lang))
                            .clicked()
                        {
                            out.push(Command::OpenExample(e.file.to_string()));
                        }
                    }
                    ui.separator();
                    for story in examples::STORIES {
                        if ui
                            .button(story.title[zh])
                            .on_hover_text(story.description[zh])
                            .clicked()
                        {
                            out.push(Command::PresentExample(story.file.to_string()));
                        }
                    }
                });
                ui.menu_button(tr(&self.lang, "Open recent"), |ui| {
                    if self.recent.is_empty() {
                        ui.label(tr(&self.lang, "(none)"));
                    }
                    for p in &self.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            out.push(Command::Open(Some(p.clone())));
                        }
                    }
                });
                menu_item(ui, tr(&self.lang, "Save"), true, Command::Save, &mut out);
                menu_item(
                    ui,
                    tr(&self.lang, "Save as…"),
                    true,
                    Command::SaveAs,
                    &mut out,
                );
                ui.separator();
                ui.menu_button(tr(&self.lang, "Export"), |ui| {
                    menu_item(
                        ui,
                        tr(&self.lang, "Runs as CSV…"),
                        true,
                        Command::ExportCsv(None),
                        &mut out,
                    );
                    menu_item(
                        ui,
                        tr(&self.lang, "Plots as PNG…"),
                        true,
                        Command::ExportPng(None),
                        &mut out,
                    );
                    menu_item(
                        ui,
                        tr(&self.lang, "Summary as Markdown…"),
                        true,
                        Command::ExportSummary(None),
                        &mut out,
                    );
                });
            });
            ui.menu_button(tr(&self.lang, "Edit"), |ui| {
                let (undo, redo) = (self.doc.can_undo(), self.doc.can_redo());
                menu_item(ui, tr(&self.lang, "Undo"), undo, Command::Undo, &mut out);
                menu_item(ui, tr(&self.lang, "Redo"), redo, Command::Redo, &mut out);
                menu_item(
                    ui,
                    tr(&self.lang, "Reset to baseline"),
                    true,
                    Command::ResetToBaseline,
                    &mut out,
                );
            });
            ui.menu_button(tr(&self.lang, "View"), |ui| {
                menu_item(
                    ui,
                    tr(&self.lang, "Timeline editor"),
                    true,
                    Command::ToggleTimeline,
                    &mut out,
                );
                menu_item(
                    ui,
                    tr(&self.lang, "Model (diagram and variables)"),
                    true,
                    Command::ToggleModelView,
                    &mut out,
                );
                menu_item(
                    ui,
                    tr(&self.lang, "Presentation mode"),
                    true,
                    Command::Present(None),
                    &mut out,
                );
                if ui
                    .button(tr(&self.lang, "Open a story (presentation)…"))
                    .clicked()
                {
                    out.push(Command::OpenStory);
                }
                if ui.button(tr(&self.lang, "Reset layout")).clicked() {
                    out.push(Command::ResetLayout);
                }
                ui.menu_button(tr(&self.lang, "Language"), |ui| {
                    for (code, name) in i18n::LANGUAGES {
                        if ui.radio(self.lang == code, name).clicked() {
                            out.push(Command::SetLanguage(code.to_string()));
                        }
                    }
                });
            });
            ui.menu_button(tr(&self.lang, "Analysis"), |ui| {
                menu_item(
                    ui,
                    tr(&self.lang, "Compare scenarios…"),
                    true,
                    Command::ToggleCompare,
                    &mut out,
                );
                menu_item(
                    ui,
                    tr(&self.lang, "Sensitivity (tornado)…"),
                    true,
                    Command::ToggleSensitivity,
                    &mut out,
                );
            });
            ui.menu_button(tr(&self.lang, "Help"), |ui| {
                menu_item(
                    ui,
                    tr(&self.lang, "Guide"),
                    true,
                    Command::ToggleGuide,
                    &mut out,
                );
                menu_item(
                    ui,
                    tr(&self.lang, "Keyboard shortcuts"),
                    true,
                    Command::ToggleHelp,
                    &mut out,
                );
            });
            ui.separator();
            ui.label(
                egui::RichText::new(scenario::text_in(&self.doc.scenario.title, &self.lang))
                    .strong(),
            );
        });
        out
    }
}

/// A menu item that shows its keyboard shortcut, when it has one.
fn menu_item(
    ui: &mut egui::Ui,
    text: &str,
    enabled: bool,
    command: Command,
    out: &mut Vec<Command>,
) {
    let mut button = egui::Button::new(text);
    if let Some(keys) = shortcuts::keys_for(&command) {
        button = button.shortcut_text(ui.ctx().format_shortcut(&keys));
    }
    if ui.add_enabled(enabled, button).clicked() {
        out.push(command);
    }
}
