//! The lever panel: levers under the catalogue's groups (the report's three circles for SZ–HK),
//! each with its label, unit, help,
//! a slider or preset selector, the date it applies from, a "changed" marker and a reset.

use egui::{RichText, Ui};

use super::command::{Command, Gesture};
use super::i18n::{date, fill, lever_unit, step_decimals, tr};
use std::sync::{Arc, OnceLock};

use crate::analysis::effects::{EffectsTable, lever_effects_without_stress};
use crate::scenario::edit::{date_text, status_quo_value};
use crate::scenario::{Direction, Lever, LeverKind, LeverValue, Scenario, text_in};
use chrono::NaiveDate;

/// The levers panel, with the status quo's lever-effect table (`borderflow effects`, without
/// the stress rows) measured once in the background for each helped lever's hover text.
#[derive(Default)]
pub struct LeversPanel {
    effects: Option<MeasuredEffects>,
}

/// The table for one model setup, filled by a background thread.
struct MeasuredEffects {
    setup: Arc<crate::scenario::ModelSetup>,
    table: Arc<OnceLock<Option<EffectsTable>>>,
}

impl LeversPanel {
    /// The measured table for `setup`, starting its measurement the first time.
    fn effects_for(&mut self, setup: &Arc<crate::scenario::ModelSetup>) -> Option<&EffectsTable> {
        let same = self
            .effects
            .as_ref()
            .is_some_and(|m| Arc::ptr_eq(&m.setup, setup));
        if !same {
            let table = Arc::new(OnceLock::new());
            let (fill, setup_for_thread) = (table.clone(), setup.clone());
            let started = std::thread::Builder::new()
                .name("lever effects".into())
                .spawn(move || {
                    let measured = crate::scenario::Prepared::status_quo(setup_for_thread)
                        .ok()
                        .and_then(|p| lever_effects_without_stress(&p).ok());
                    let _ = fill.set(measured);
                });
            if started.is_err() {
                let _ = table.set(None);
            }
            self.effects = Some(MeasuredEffects {
                setup: setup.clone(),
                table,
            });
        }
        self.effects
            .as_ref()
            .and_then(|m| m.table.get())
            .and_then(Option::as_ref)
    }
}

/// A lever's hover text: its help, what the catalogue says it moves, and what `effects`
/// measured in the status quo (or that the measurement is still running).
fn lever_help(lever: &Lever, lang: &str, measured: Option<&EffectsTable>) -> String {
    let mut help = text_in(&lever.help, lang).to_string();
    if !lever.effects.is_empty() {
        help.push_str(&format!("\n\n{}", tr(lang, "What it moves when opened:")));
        for e in &lever.effects {
            let arrow = match e.direction {
                Direction::Up => "↑",
                Direction::Down => "↓",
            };
            help.push_str(&format!("\n{arrow} {} — {}", e.output, e.why));
        }
    }
    help.push_str(&format!(
        "\n\n{}",
        tr(lang, "Measured from the status quo (borderflow effects):")
    ));
    match measured {
        Some(table) => {
            for line in table.help_lines(&lever.id) {
                help.push_str(&format!("\n{line}"));
            }
        }
        None => help.push_str(&format!("\n{}", tr(lang, "measuring…"))),
    }
    help
}

impl LeversPanel {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        setup: &Arc<crate::scenario::ModelSetup>,
        scenario: &Scenario,
        branch: NaiveDate,
        lang: &str,
    ) -> Vec<Command> {
        let levers = &setup.catalogue.levers;
        let catalogue_groups = &setup.catalogue.groups;
        let measured = self.effects_for(setup);
        let mut commands = Vec::new();
        ui.horizontal(|ui| {
            ui.heading(tr(lang, "Levers"));
            if ui
                .button(tr(lang, "Reset to baseline"))
                .on_hover_text(tr(
                    lang,
                    "Every lever back to the status quo of the branch date",
                ))
                .clicked()
            {
                commands.push(Command::ResetToBaseline);
            }
        });
        ui.label(
            RichText::new(fill(
                tr(lang, "Changes apply from {} unless a lever says otherwise."),
                &[&date(lang, &date_text(branch))],
            ))
            .small()
            .weak(),
        );
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for group in catalogue_groups {
                    // A group no lever names gets no empty header.
                    if !levers.iter().any(|l| l.group == group.id) {
                        continue;
                    }
                    egui::CollapsingHeader::new(
                        RichText::new(text_in(&group.title, lang)).strong(),
                    )
                    .id_salt(&group.id)
                    .default_open(true)
                    .show(ui, |ui| {
                        for lever in levers.iter().filter(|l| l.group == group.id) {
                            let help = lever_help(lever, lang, measured);
                            lever_row(ui, lever, &help, scenario, branch, lang, &mut commands);
                            ui.separator();
                        }
                    });
                }
            });
        commands
    }
}

fn lever_row(
    ui: &mut Ui,
    lever: &Lever,
    help: &str,
    scenario: &Scenario,
    branch: NaiveDate,
    lang: &str,
    commands: &mut Vec<Command>,
) {
    let entry = scenario.levers.get(&lever.id).and_then(|e| e.first());
    let base = status_quo_value(lever, branch);
    let (date, value) = match entry {
        Some((d, v)) => (d.clone(), v.clone()),
        None => (date_text(branch), base.clone()),
    };
    let changed = entry.is_some() && value != base;
    let label = text_in(&lever.label, lang);
    let mut label_id = egui::Id::NULL;
    ui.horizontal(|ui| {
        let mut text = RichText::new(label).strong();
        if changed {
            text = text.color(ui.visuals().warn_fg_color);
        }
        let r = ui.label(text);
        label_id = r.id;
        if !help.is_empty() {
            r.on_hover_text(help);
        }
        if changed {
            ui.label(
                RichText::new(tr(lang, "changed"))
                    .small()
                    .italics()
                    .color(ui.visuals().warn_fg_color),
            )
            .on_hover_text(fill(
                tr(lang, "Baseline: {}"),
                &[&match &base {
                    LeverValue::Preset(p) => super::i18n::preset(lang, p).to_string(),
                    other => other.to_string(),
                }],
            ));
        }
        if entry.is_some()
            && ui
                .small_button(tr(lang, "reset"))
                .on_hover_text(tr(lang, "Back to the recorded history"))
                .clicked()
        {
            commands.push(Command::ResetLever(lever.id.clone()));
        }
    });
    let id = lever.id.clone();
    match &lever.kind {
        LeverKind::Categorical { .. } => {
            let current = match &value {
                LeverValue::Preset(p) => p.clone(),
                other => other.to_string(),
            };
            egui::ComboBox::from_id_salt(("preset", &lever.id))
                .selected_text(super::i18n::preset(lang, &current))
                .show_ui(ui, |ui| {
                    for name in lever.preset_names() {
                        if ui
                            .selectable_label(current == name, super::i18n::preset(lang, name))
                            .clicked()
                            && current != name
                        {
                            commands.push(Command::SetLever {
                                id: id.clone(),
                                value: LeverValue::Preset(name.to_string()),
                                gesture: Gesture::Single,
                            });
                        }
                    }
                })
                .response
                .labelled_by(label_id)
                .on_hover_text(help);
        }
        LeverKind::Numeric {
            min,
            max,
            step,
            presets,
            unlimited,
            ..
        } => {
            let numeric = match &value {
                LeverValue::Value(v) => Some(*v),
                LeverValue::Preset(p) => presets.iter().find(|(n, _)| n == p).map(|(_, v)| *v),
                LeverValue::Unlimited => None,
            };
            ui.horizontal(|ui| {
                let mut v = numeric.unwrap_or(*max);
                // Enough decimals to show every step exactly (0.25 needs two), so display rounding never
                // moves a value off its step or out of range.
                let decimals = step_decimals(*step);
                // Shown in the language's own unit (亿元 for RMB bn), kept in the catalogue's.
                let shown = lever_unit(lang, lever);
                let slider = egui::Slider::new(&mut v, *min..=*max)
                    .step_by(*step)
                    // Rounds the lever's own value to its step's decimals: without it egui
                    // rounds to its own guess and moves values such as 0.05 on the first frame.
                    .fixed_decimals(decimals)
                    .custom_formatter(|x, _| shown.format(x, decimals))
                    .custom_parser(|text| shown.parse(text))
                    .suffix(format!(" {}", shown.text));
                let r = ui
                    .add_enabled(numeric.is_some(), slider)
                    .labelled_by(label_id)
                    .on_hover_text(help);
                if r.changed() {
                    let gesture = if r.dragged() && !r.drag_started() {
                        Gesture::Continue
                    } else if r.drag_started() {
                        Gesture::Start
                    } else {
                        Gesture::Single
                    };
                    commands.push(Command::SetLever {
                        id: id.clone(),
                        value: LeverValue::Value(v),
                        gesture,
                    });
                }
                if unlimited.is_some() {
                    let mut is_unlimited = numeric.is_none();
                    if ui
                        .checkbox(&mut is_unlimited, tr(lang, "no limit"))
                        .changed()
                    {
                        let value = if is_unlimited {
                            LeverValue::Unlimited
                        } else {
                            LeverValue::Value(*max)
                        };
                        commands.push(Command::SetLever {
                            id: id.clone(),
                            value,
                            gesture: Gesture::Single,
                        });
                    }
                }
            });
        }
    }
    ui.horizontal(|ui| {
        let from = ui.label(RichText::new(tr(lang, "from")).small().weak());
        let mut text = date.clone();
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .desired_width(90.0)
                    .id_salt(("date", &lever.id)),
            )
            .labelled_by(from.id);
        let r = r.on_hover_text(tr(
            lang,
            "The date this lever's change applies from (YYYY-MM-DD)",
        ));
        if r.lost_focus() && text != date {
            commands.push(Command::SetLeverDate {
                id: lever.id.clone(),
                date: text.trim().to_string(),
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lever_s_help_says_what_it_moves_and_what_effects_measured() {
        let setup = Arc::new(crate::scenario::ModelSetup::embedded().expect("model"));
        let prepared = crate::scenario::Prepared::status_quo(setup.clone()).expect("status quo");
        let table = lever_effects_without_stress(&prepared).expect("measured");
        let lever = setup
            .catalogue
            .levers
            .iter()
            .find(|l| !l.effects.is_empty())
            .expect("a lever with stated effects");
        let waiting = lever_help(lever, "en", None);
        assert!(waiting.contains("measuring…"), "{waiting}");
        let help = lever_help(lever, "en", Some(&table));
        let stated = &lever.effects[0];
        assert!(help.contains(&stated.why), "{help}");
        assert!(help.contains(&format!("{} —", stated.output)), "{help}");
        // One line per row (open, restore), each naming the stated output with its verdict.
        let rows: Vec<&str> = help
            .lines()
            .filter(|l| l.starts_with("open:") || l.starts_with("restore:"))
            .collect();
        assert_eq!(rows.len(), 2, "{help}");
        assert!(rows.iter().all(|r| r.contains("stated")), "{help}");
    }
}
