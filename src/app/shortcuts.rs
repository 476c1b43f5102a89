//! Keyboard shortcuts: one table drives both the key handling and the help window, so the help
//! lists exactly what works.

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use super::command::Command;
use super::i18n::tr;

/// A shortcut, the command it gives, and what it does (English; translated when shown).
pub struct Shortcut {
    pub keys: KeyboardShortcut,
    pub command: fn() -> Command,
    pub what: &'static str,
}

const fn key(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(modifiers, key)
}

const CMD: Modifiers = Modifiers::COMMAND;
const CMD_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

/// More specific shortcuts (with Shift) come before their plain forms: egui's matching ignores
/// extra modifiers.
pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut {
        keys: key(CMD_SHIFT, Key::Z),
        command: || Command::Redo,
        what: "Redo",
    },
    Shortcut {
        keys: key(CMD, Key::Z),
        command: || Command::Undo,
        what: "Undo",
    },
    Shortcut {
        keys: key(CMD, Key::Y),
        command: || Command::Redo,
        what: "Redo",
    },
    Shortcut {
        keys: key(CMD_SHIFT, Key::S),
        command: || Command::SaveAs,
        what: "Save as…",
    },
    Shortcut {
        keys: key(CMD, Key::S),
        command: || Command::Save,
        what: "Save",
    },
    Shortcut {
        keys: key(CMD, Key::O),
        command: || Command::Open(None),
        what: "Open…",
    },
    Shortcut {
        keys: key(CMD, Key::N),
        command: || Command::New,
        what: "New",
    },
    Shortcut {
        keys: key(CMD_SHIFT, Key::E),
        command: || Command::ExportCsv(None),
        what: "Runs as CSV…",
    },
    Shortcut {
        keys: key(CMD, Key::E),
        command: || Command::ExportSummary(None),
        what: "Summary as Markdown…",
    },
    Shortcut {
        keys: key(CMD, Key::P),
        command: || Command::ExportPng(None),
        what: "Plots as PNG…",
    },
    Shortcut {
        keys: key(CMD, Key::L),
        command: || Command::NextLanguage,
        what: "Switch language",
    },
    Shortcut {
        keys: key(CMD, Key::B),
        command: || Command::ToggleBands,
        what: "Toggle uncertainty bands",
    },
    Shortcut {
        keys: key(CMD, Key::T),
        command: || Command::ToggleSensitivity,
        what: "Sensitivity (tornado)…",
    },
    Shortcut {
        keys: key(CMD, Key::J),
        command: || Command::ToggleTimeline,
        what: "Timeline editor",
    },
    Shortcut {
        keys: key(CMD, Key::M),
        command: || Command::ToggleModelView,
        what: "Model (diagram and variables)",
    },
    Shortcut {
        keys: key(CMD, Key::K),
        command: || Command::ToggleCompare,
        what: "Compare scenarios…",
    },
    Shortcut {
        keys: key(Modifiers::NONE, Key::F5),
        command: || Command::Present(None),
        what: "Presentation mode",
    },
    Shortcut {
        keys: key(Modifiers::NONE, Key::F1),
        command: || Command::ToggleHelp,
        what: "Keyboard shortcuts",
    },
];

/// The commands of the shortcuts pressed this frame.
pub fn pressed(ctx: &egui::Context) -> Vec<Command> {
    SHORTCUTS
        .iter()
        .filter(|s| ctx.input_mut(|i| i.consume_shortcut(&s.keys)))
        .map(|s| (s.command)())
        .collect()
}

/// The keys that give `command`, to show beside its menu item.
pub fn keys_for(command: &Command) -> Option<KeyboardShortcut> {
    SHORTCUTS
        .iter()
        .find(|s| (s.command)() == *command)
        .map(|s| s.keys)
}

/// The help window's contents: every shortcut, then the presentation keys.
pub fn help_ui(ui: &mut Ui, ctx: &egui::Context, lang: &str) {
    egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
        for s in SHORTCUTS {
            ui.label(egui::RichText::new(ctx.format_shortcut(&s.keys)).monospace());
            ui.label(tr(lang, s.what));
            ui.end_row();
        }
        for (keys, what) in [
            ("→ ↓ Space", "next slide"),
            ("← ↑", "previous slide"),
            ("Esc", "leave presentation mode"),
        ] {
            ui.label(egui::RichText::new(keys).monospace());
            ui.label(tr(lang, what));
            ui.end_row();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shortcut_is_described_in_both_languages_and_unique() {
        for s in SHORTCUTS {
            assert!(super::super::i18n::has_zh(s.what), "{}", s.what);
        }
        for (i, a) in SHORTCUTS.iter().enumerate() {
            for b in &SHORTCUTS[i + 1..] {
                assert!(a.keys != b.keys, "{} and {} share keys", a.what, b.what);
            }
        }
    }
}
