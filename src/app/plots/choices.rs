//! What each workbench plot shows and how its axis is drawn: the user's choices and their menus.

use egui::Ui;

use std::collections::BTreeMap;

use super::{PlotsPanel, Transform, transform::percent_period};
use crate::app::i18n::tr;
use crate::scenario::description::Output;
use crate::scenario::{Description, text_in};

/// The user's choices for the plots, remembered across sessions: what each workbench plot
/// shows and how each output's axis is drawn.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlotChoices {
    /// The workbench's plots (output names); empty: the description's.
    pub plots: Vec<String>,
    /// An output's axis, when the user chose one (else the description's scale).
    pub axes: BTreeMap<String, Axis>,
    /// Model variables added from the model view, drawn after the workbench's plots.
    /// (Choices saved before this field existed have none.)
    #[serde(default)]
    pub added: Vec<String>,
}

/// An axis the user can choose for a plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Axis {
    Linear,
    Log,
    /// Per cent of the status quo's mean over the description's reference period.
    PercentOfReference,
}

impl PlotChoices {
    /// The workbench plots: the user's when they are all still outputs of the model.
    pub fn workbench<'a>(&'a self, description: &'a Description) -> &'a [String] {
        let known = |p: &String| description.output(p).is_some();
        if !self.plots.is_empty()
            && self.plots.len() == description.workbench.plots.len()
            && self.plots.iter().all(known)
        {
            &self.plots
        } else {
            &description.workbench.plots
        }
    }

    /// The workbench plots followed by the added ones.
    pub fn workbench_and_added(&self, description: &Description) -> Vec<String> {
        let mut plots = self.workbench(description).to_vec();
        plots.extend(self.added.iter().cloned());
        plots
    }

    /// These choices without the added plots the model no longer has (`has`: the model can
    /// give the variable's series).
    pub fn kept_for(mut self, has: impl Fn(&str) -> bool) -> PlotChoices {
        self.added.retain(|name| has(name));
        self
    }
}

impl PlotsPanel {
    /// The output a workbench plot shows, as a menu of the description's outputs.
    pub(super) fn choose_output(
        &mut self,
        ui: &mut Ui,
        slot: usize,
        name: &str,
        shown: &[String],
        description: &Description,
        lang: &str,
    ) {
        let mut chosen = name.to_string();
        egui::ComboBox::from_id_salt(("plot output", slot))
            .selected_text(egui::RichText::new(output_name(lang, description, name)).strong())
            .truncate()
            .width((ui.available_width() - 80.0).max(120.0))
            .show_ui(ui, |ui| {
                for o in &description.outputs {
                    ui.selectable_value(&mut chosen, o.name.clone(), title(lang, o));
                }
            })
            .response
            .on_hover_text(tr(lang, "Choose what this plot shows"));
        if chosen != name {
            let mut plots = shown.to_vec();
            plots[slot] = chosen;
            self.choices.plots = plots;
        }
    }

    /// An added plot's title and a button that removes it from the workbench.
    pub(super) fn added_heading(
        &mut self,
        ui: &mut Ui,
        name: &str,
        description: &Description,
        lang: &str,
    ) {
        let remove = ui
            .small_button(format!("× {}", tr(lang, "Remove")))
            .on_hover_text(tr(lang, "Remove this plot from the workbench"));
        if remove.clicked() {
            self.choices.added.retain(|a| a != name);
        }
        // The title takes what the axis menu leaves, cut short rather than wrapped.
        let room = (ui.available_width() - 80.0).max(40.0);
        ui.scope(|ui| {
            // As wide as the other plots' title menus, so the axis menus line up.
            ui.set_width(room);
            ui.add(
                egui::Label::new(
                    egui::RichText::new(output_name(lang, description, name)).strong(),
                )
                .truncate(),
            );
        });
    }

    /// Linear, log, or % of the reference period, for one output's plot.
    pub(super) fn choose_axis(
        &mut self,
        ui: &mut Ui,
        name: &str,
        now: Transform,
        output: Option<&Output>,
        description: &Description,
        lang: &str,
    ) {
        let mut axis = match now {
            Transform::Linear => Axis::Linear,
            Transform::Log => Axis::Log,
            Transform::Percent(_) => Axis::PercentOfReference,
        };
        let before = axis;
        egui::ComboBox::from_id_salt(("plot axis", name))
            .selected_text(axis_name(lang, axis))
            .width(64.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut axis, Axis::Linear, axis_name(lang, Axis::Linear));
                ui.selectable_value(&mut axis, Axis::Log, axis_name(lang, Axis::Log));
                if percent_period(output, description).is_some() {
                    ui.selectable_value(
                        &mut axis,
                        Axis::PercentOfReference,
                        axis_name(lang, Axis::PercentOfReference),
                    );
                }
            })
            .response
            .on_hover_text(tr(lang, "How this plot's axis is drawn"));
        if axis != before {
            self.choices.axes.insert(name.to_string(), axis);
            // The view was in the old axis' units: show the whole range in the new one.
            self.reset_next = true;
        }
    }
}

fn axis_name(lang: &str, axis: Axis) -> &'static str {
    match axis {
        Axis::Linear => tr(lang, "linear"),
        Axis::Log => tr(lang, "log"),
        Axis::PercentOfReference => tr(lang, "% of ref."),
    }
}
/// An output's title in `lang`.
pub fn title(lang: &str, output: &Output) -> String {
    text_in(&output.title, lang).to_string()
}

/// An output's title in `lang` (its name when the description does not list it).
pub fn output_name(lang: &str, description: &Description, name: &str) -> String {
    description
        .output(name)
        .map_or_else(|| name.to_string(), |o| title(lang, o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::description::Scale;

    #[test]
    fn chosen_plots_that_are_no_longer_outputs_fall_back_to_the_descriptions() {
        let output = |n: &str| Output {
            name: n.into(),
            title: Default::default(),
            unit: String::new(),
            scale: Scale::Linear,
            mean_days: None,
            unit_in: Default::default(),
        };
        let mut d = Description {
            outputs: vec![output("a"), output("b")],
            ..Default::default()
        };
        d.workbench.plots = vec!["a".into()];
        let mut c = PlotChoices::default();
        assert_eq!(c.workbench(&d), ["a"]);
        c.plots = vec!["b".into()];
        assert_eq!(c.workbench(&d), ["b"]);
        c.plots = vec!["gone".into()];
        assert_eq!(c.workbench(&d), ["a"]);
    }
}
