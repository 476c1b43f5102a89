//! The timeline editor: for each lever a strip along the date axis. History before the branch is
//! grey and fixed; the scenario's dated changes are handles to add (click the strip), drag to
//! another date, select and edit, or remove (right-click). Every edit is an undoable gesture.

use egui::{Color32, Pos2, Rect, RichText, Sense, Stroke, Ui, vec2};

use super::command::{Command, Gesture, TimelineEdit};
use super::i18n::{date, fill, lever_unit, step_decimals, tr};
use crate::scenario::edit::{date_text, value_on};
use crate::scenario::{Calendar, Catalogue, Lever, LeverKind, LeverValue, Scenario, text_in};
use chrono::{Datelike, NaiveDate};

#[derive(Default)]
pub struct TimelineWindow {
    pub open: bool,
    /// The selected handle: lever id and entry index.
    pub selected: Option<(String, usize)>,
    /// Years shown (None: from the year before the branch to three years after it).
    pub years: Option<(i32, i32)>,
}

const LABEL_WIDTH: f32 = 190.0;
const ROW_HEIGHT: f32 = 24.0;

impl TimelineWindow {
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        catalogue: &Catalogue,
        scenario: &Scenario,
        branch: NaiveDate,
        lang: &str,
    ) -> Vec<Command> {
        let mut out = Vec::new();
        if !self.open {
            return out;
        }
        let mut open = true;
        egui::Window::new(tr(lang, "Timeline editor"))
            .id(egui::Id::unique("timeline window"))
            .open(&mut open)
            .default_width(900.0)
            .default_height(560.0)
            .show(ctx, |ui| {
                self.contents(ui, catalogue, scenario, branch, lang, &mut out)
            });
        self.open = open;
        out
    }

    fn contents(
        &mut self,
        ui: &mut Ui,
        catalogue: &Catalogue,
        scenario: &Scenario,
        branch_day: NaiveDate,
        lang: &str,
        out: &mut Vec<Command>,
    ) {
        let cal = catalogue.calendar();
        let horizon = cal.horizon_time().unwrap_or(4382.0);
        let branch = cal.time_of_day(branch_day).unwrap_or(horizon);
        let year_of = |d: &str| d.get(..4).and_then(|y| y.parse::<i32>().ok());
        let (first_year, last_year) = (
            year_of(&cal.origin).unwrap_or(2019),
            year_of(&cal.horizon_end).unwrap_or(2030),
        );
        let branch_year = branch_day.year();
        let (mut from, mut to) = self.years.unwrap_or((
            (branch_year - 1).max(first_year),
            (branch_year + 3).min(last_year),
        ));
        ui.horizontal(|ui| {
            ui.label(tr(lang, "Years shown:"));
            ui.add(egui::DragValue::new(&mut from).range(first_year..=last_year));
            ui.label("–");
            ui.add(egui::DragValue::new(&mut to).range(first_year..=last_year));
            if ui.small_button(tr(lang, "all")).clicked() {
                (from, to) = (first_year, last_year);
            }
        });
        if to < from {
            to = from;
        }
        self.years = Some((from, to));
        let t0 = cal.time_of(&format!("{from}-01-01")).unwrap_or(0.0);
        let t1 = cal
            .time_of(&format!("{}-01-01", to + 1))
            .unwrap_or(horizon + 1.0)
            .min(horizon + 1.0);
        ui.label(
            RichText::new(tr(
                lang,
                "Click a strip to add a change there; drag a handle to move it; click it to edit; right-click it to remove. Grey: recorded history before the branch.",
            ))
            .small()
            .weak(),
        );
        self.editor(ui, catalogue, scenario, &cal, branch, lang, out);
        ui.separator();
        // The date axis: a tick and label at each year (and each quarter when few years show).
        ui.horizontal(|ui| {
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            let width = (ui.available_width() - 8.0).max(200.0);
            let (rect, _) = ui.allocate_exact_size(vec2(width, 16.0), Sense::hover());
            let x_of = |t: f64| rect.left() + ((t - t0) / (t1 - t0)) as f32 * rect.width();
            let painter = ui.painter_at(rect);
            for y in from..=to {
                for (m, major) in [(1, true), (4, false), (7, false), (10, false)] {
                    if !major && to - from > 4 {
                        continue;
                    }
                    let Ok(t) = cal.time_of(&format!("{y}-{m:02}-01")) else {
                        continue;
                    };
                    let x = x_of(t);
                    painter.line_segment(
                        [
                            Pos2::new(x, rect.bottom() - if major { 8.0 } else { 4.0 }),
                            Pos2::new(x, rect.bottom()),
                        ],
                        Stroke::new(1.0, Color32::GRAY),
                    );
                    if major {
                        painter.text(
                            Pos2::new(x + 3.0, rect.top()),
                            egui::Align2::LEFT_TOP,
                            y.to_string(),
                            egui::FontId::proportional(11.0),
                            ui.visuals().weak_text_color(),
                        );
                    }
                }
            }
        });
        egui::ScrollArea::vertical()
            .max_height(420.0)
            .show(ui, |ui| {
                for lever in &catalogue.levers {
                    ui.horizontal(|ui| {
                        let label = text_in(&lever.label, lang);
                        let (label_rect, _) =
                            ui.allocate_exact_size(vec2(LABEL_WIDTH, ROW_HEIGHT), Sense::hover());
                        ui.painter().text(
                            label_rect.left_center(),
                            egui::Align2::LEFT_CENTER,
                            label,
                            egui::FontId::proportional(13.0),
                            ui.visuals().text_color(),
                        );
                        let width = (ui.available_width() - 8.0).max(200.0);
                        self.strip(
                            ui,
                            lever,
                            scenario,
                            &cal,
                            (t0, t1, branch),
                            width,
                            lang,
                            out,
                        );
                    });
                }
            });
    }

    #[allow(clippy::too_many_arguments)]
    fn strip(
        &mut self,
        ui: &mut Ui,
        lever: &Lever,
        scenario: &Scenario,
        cal: &Calendar,
        (t0, t1, branch): (f64, f64, f64),
        width: f32,
        lang: &str,
        out: &mut Vec<Command>,
    ) {
        let label = text_in(&lever.label, lang).to_string();
        let (rect, strip) = ui.allocate_exact_size(vec2(width, ROW_HEIGHT), Sense::click());
        let strip = strip.on_hover_text(fill(tr(lang, "timeline of {}"), &[&label]));
        strip.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("timeline of {label}"))
        });
        let x_of = |t: f64| rect.left() + ((t - t0) / (t1 - t0)) as f32 * rect.width();
        let t_of =
            |x: f32| (t0 + (x - rect.left()) as f64 / rect.width() as f64 * (t1 - t0)).round();
        let painter = ui.painter_at(rect.expand(2.0));
        let visuals = ui.visuals();
        painter.rect_filled(rect, 3.0, visuals.extreme_bg_color);
        let branch_x = x_of(branch).clamp(rect.left(), rect.right());
        let history = Rect::from_min_max(rect.min, Pos2::new(branch_x, rect.max.y));
        painter.rect_filled(history, 3.0, visuals.faint_bg_color.gamma_multiply(2.0));
        painter.line_segment(
            [
                Pos2::new(branch_x, rect.top()),
                Pos2::new(branch_x, rect.bottom()),
            ],
            Stroke::new(1.0, Color32::GRAY),
        );
        // Recorded history: grey ticks, not editable.
        for h in &lever.history {
            let Ok(t) = cal.time_of(&h.date) else {
                continue;
            };
            if t >= branch || t < t0 || t > t1 {
                continue;
            }
            let x = x_of(t);
            painter.line_segment(
                [
                    Pos2::new(x, rect.top() + 4.0),
                    Pos2::new(x, rect.bottom() - 4.0),
                ],
                Stroke::new(2.0, Color32::from_gray(130)),
            );
        }
        // The scenario's own changes: handles.
        let entries = scenario.levers.get(&lever.id).cloned().unwrap_or_default();
        let mut on_handle = false;
        let xs: Vec<f32> = entries
            .iter()
            .map(|(d, _)| cal.time_of(d).map_or(f32::NAN, x_of))
            .collect();
        for (i, (d, v)) in entries.iter().enumerate() {
            let Ok(t) = cal.time_of(d) else { continue };
            if t < t0 || t > t1 {
                continue;
            }
            let centre = Pos2::new(x_of(t), rect.center().y);
            let hit = Rect::from_center_size(centre, vec2(14.0, ROW_HEIGHT));
            let id = ui.scope_id().with(("handle", &lever.id, i));
            let r = ui.interact(hit, id, Sense::click_and_drag());
            let text = format!("{label} {d}: {v}");
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &text));
            let r = r.on_hover_text(format!("{}: {v}", date(lang, d)));
            on_handle |= r.hovered() || r.dragged();
            let selected = self.selected.as_ref() == Some(&(lever.id.clone(), i));
            let colour = if selected {
                visuals.selection.bg_fill
            } else {
                visuals.warn_fg_color
            };
            painter.circle(centre, 6.0, colour, Stroke::new(1.0, visuals.text_color()));
            // The value beside its handle, when there is room before the next one.
            let room = xs.get(i + 1).map_or(rect.right(), |x| x.min(rect.right())) - centre.x;
            let text_value = match v {
                LeverValue::Preset(p) => super::i18n::preset(lang, p).to_string(),
                other => other.to_string(),
            };
            if room > 12.0 + 6.5 * text_value.chars().count() as f32 {
                painter.text(
                    centre + vec2(9.0, 0.0),
                    egui::Align2::LEFT_CENTER,
                    text_value,
                    egui::FontId::proportional(11.0),
                    visuals.text_color(),
                );
            }
            if r.clicked() {
                self.selected = Some((lever.id.clone(), i));
            }
            if r.secondary_clicked() {
                self.selected = None;
                out.push(Command::EditTimeline {
                    id: lever.id.clone(),
                    edit: TimelineEdit::Remove { index: i },
                    gesture: Gesture::Single,
                });
            }
            if r.dragged()
                && let Some(p) = r.interact_pointer_pos()
                && let Some(new_date) = cal.day_of(t_of(p.x).clamp(branch, t1))
            {
                if date_text(new_date) != *d {
                    out.push(Command::EditTimeline {
                        id: lever.id.clone(),
                        edit: TimelineEdit::Move {
                            index: i,
                            date: new_date,
                        },
                        gesture: if r.drag_started() {
                            Gesture::Start
                        } else {
                            Gesture::Continue
                        },
                    });
                }
                self.selected = Some((lever.id.clone(), i));
            }
        }
        if strip.clicked() && !on_handle {
            let t = strip
                .interact_pointer_pos()
                .map_or((branch.max(t0) + t1) / 2.0, |p| t_of(p.x));
            if t >= branch
                && t <= t1
                && let (Some(day), Some(branch_day)) = (cal.day_of(t), cal.day_of(branch))
            {
                let value = value_on(lever, scenario, branch_day, day);
                out.push(Command::EditTimeline {
                    id: lever.id.clone(),
                    edit: TimelineEdit::Add { date: day, value },
                    gesture: Gesture::Single,
                });
            }
        }
    }

    /// Date and value of the selected change.
    #[allow(clippy::too_many_arguments)]
    fn editor(
        &mut self,
        ui: &mut Ui,
        catalogue: &Catalogue,
        scenario: &Scenario,
        cal: &Calendar,
        _branch: f64,
        lang: &str,
        out: &mut Vec<Command>,
    ) {
        let Some((id, index)) = self.selected.clone() else {
            ui.label(RichText::new(tr(lang, "No change selected.")).weak());
            return;
        };
        let (Some(lever), Some((d, v))) = (
            catalogue.lever(&id),
            scenario.levers.get(&id).and_then(|e| e.get(index)),
        ) else {
            self.selected = None;
            return;
        };
        let _ = cal;
        ui.horizontal(|ui| {
            ui.label(RichText::new(text_in(&lever.label, lang)).strong());
            ui.label(date(lang, d));
            match &lever.kind {
                LeverKind::Numeric {
                    min,
                    max,
                    step,
                    unlimited,
                    ..
                } => {
                    let current = match v {
                        LeverValue::Value(x) => Some(*x),
                        _ => None,
                    };
                    let mut x = current.unwrap_or(*max);
                    let shown = lever_unit(lang, lever);
                    let decimals = step_decimals(*step);
                    let r = ui.add_enabled(
                        current.is_some(),
                        egui::DragValue::new(&mut x)
                            .range(*min..=*max)
                            .speed(*step)
                            .fixed_decimals(decimals)
                            .custom_formatter(|x, _| shown.format(x, decimals))
                            .custom_parser(|t| shown.parse(t))
                            .suffix(format!(" {}", shown.text)),
                    );
                    if r.changed() {
                        out.push(Command::EditTimeline {
                            id: id.clone(),
                            edit: TimelineEdit::SetValue {
                                index,
                                value: LeverValue::Value(x),
                            },
                            gesture: if r.dragged() && !r.drag_started() {
                                Gesture::Continue
                            } else {
                                Gesture::Single
                            },
                        });
                    }
                    if unlimited.is_some() {
                        let mut none = current.is_none();
                        if ui.checkbox(&mut none, tr(lang, "no limit")).changed() {
                            out.push(Command::EditTimeline {
                                id: id.clone(),
                                edit: TimelineEdit::SetValue {
                                    index,
                                    value: if none {
                                        LeverValue::Unlimited
                                    } else {
                                        LeverValue::Value(*max)
                                    },
                                },
                                gesture: Gesture::Single,
                            });
                        }
                    }
                }
                LeverKind::Categorical { .. } => {
                    let current = v.to_string();
                    egui::ComboBox::from_id_salt(("timeline preset", &id))
                        .selected_text(super::i18n::preset(lang, &current))
                        .show_ui(ui, |ui| {
                            for name in lever.preset_names() {
                                if ui
                                    .selectable_label(
                                        current == name,
                                        super::i18n::preset(lang, name),
                                    )
                                    .clicked()
                                    && current != name
                                {
                                    out.push(Command::EditTimeline {
                                        id: id.clone(),
                                        edit: TimelineEdit::SetValue {
                                            index,
                                            value: LeverValue::Preset(name.to_string()),
                                        },
                                        gesture: Gesture::Single,
                                    });
                                }
                            }
                        });
                }
            }
            if ui.button(tr(lang, "Remove")).clicked() {
                out.push(Command::EditTimeline {
                    id: id.clone(),
                    edit: TimelineEdit::Remove { index },
                    gesture: Gesture::Single,
                });
                self.selected = None;
            }
        });
    }
}
