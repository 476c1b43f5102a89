//! The model view: the stock-and-flow diagram from the model's XMILE `<views>` (stocks as boxes,
//! flows as pipes with valves, links as arrows; drag to pan, scroll to zoom, values on hover) and
//! beside it every variable with the same content as `borderflow doc`, a search, and a plot.

use std::collections::HashMap;

use egui::{Color32, Pos2, Rect, RichText, Sense, Stroke, Ui, Vec2, vec2};
use egui_plot::{Line, Plot, PlotPoint, PlotPoints};

use super::i18n::{count, date, fill, tr};
use crate::analysis::doc::VariableDoc;
use crate::engine::ast::View;
use crate::engine::{Results, canonical_name};
use crate::scenario::Calendar;

pub struct ModelView {
    pub open: bool,
    pub search: String,
    /// The selected variable (index into the docs).
    pub selected: Option<usize>,
    /// Pan (diagram units) and zoom.
    offset: Vec2,
    zoom: f32,
    /// Whether the selected variable's plot is shown.
    pub plot: bool,
    /// For an array's element: plot the sum over the whole array instead.
    pub plot_sum: bool,
    /// Fit the whole diagram into view on the next frame.
    fit: bool,
    docs: Vec<VariableDoc>,
    index: HashMap<String, usize>,
    /// The diagram, resolved once from `<views>` (None: the model has no diagram).
    layout: Option<Layout>,
}

/// The diagram's elements and links with names resolved to indices, so drawing a frame only
/// transforms coordinates.
struct Layout {
    elements: Vec<Element>,
    /// (from, to) element indices.
    links: Vec<(usize, usize)>,
}

struct Element {
    kind: ElementKind,
    label: String,
    at: Pos2,
    /// A stock's box.
    size: Vec2,
    /// A flow's pipe.
    points: Vec<Pos2>,
    /// The variable it shows (index into the docs).
    doc: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum ElementKind {
    Stock,
    Flow,
    Aux,
}

impl Layout {
    fn new(view: &View, index: &HashMap<String, usize>) -> Layout {
        let elements: Vec<Element> = view
            .elements
            .iter()
            .map(|e| Element {
                kind: match e.kind.as_str() {
                    "stock" => ElementKind::Stock,
                    "flow" => ElementKind::Flow,
                    _ => ElementKind::Aux,
                },
                label: e.name.replace('_', " "),
                at: Pos2::new(e.x as f32, e.y as f32),
                size: vec2(
                    e.width.unwrap_or(90.0) as f32,
                    e.height.unwrap_or(40.0) as f32,
                ),
                points: e
                    .points
                    .iter()
                    .map(|&(x, y)| Pos2::new(x as f32, y as f32))
                    .collect(),
                doc: index.get(&canonical_name(&e.name)).copied(),
            })
            .collect();
        let position: HashMap<String, usize> = view
            .elements
            .iter()
            .enumerate()
            .map(|(i, e)| (canonical_name(&e.name), i))
            .collect();
        let links = view
            .links
            .iter()
            .filter_map(|l| {
                Some((
                    *position.get(&canonical_name(&l.from))?,
                    *position.get(&canonical_name(&l.to))?,
                ))
            })
            .collect();
        Layout { elements, links }
    }
}

impl ModelView {
    pub fn new(docs: Vec<VariableDoc>, view: Option<&View>) -> ModelView {
        let index = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (canonical_name(&d.name), i))
            .collect();
        let layout = view.map(|v| Layout::new(v, &index));
        ModelView {
            open: false,
            search: String::new(),
            selected: None,
            offset: Vec2::ZERO,
            zoom: 0.6,
            plot: false,
            plot_sum: false,
            fit: true,
            docs,
            index,
            layout,
        }
    }

    /// Selects a variable by name (any spelling the engine accepts).
    pub fn select(&mut self, name: &str) -> bool {
        self.selected = self.index.get(&canonical_name(name)).copied();
        self.selected.is_some()
    }

    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        runs: (&Results, &Results),
        calendar: &Calendar,
        branch: f64,
        lang: &str,
    ) {
        if !self.open {
            return;
        }
        let mut open = true;
        egui::Window::new(tr(lang, "Model"))
            .id(egui::Id::unique("model window"))
            .open(&mut open)
            .default_size([1100.0, 640.0])
            .show(ctx, |ui| {
                egui::Panel::right("model variables")
                    .resizable(true)
                    .default_size(380.0)
                    .show(ui, |ui| self.variables(ui, runs, calendar, lang));
                egui::CentralPanel::default().show(ui, |ui| {
                    if self.layout.is_some() {
                        self.diagram(ui, runs.0, calendar, branch, lang);
                    } else {
                        ui.label(tr(lang, "The model has no diagram (<views>)."));
                    }
                });
            });
        self.open = open;
    }

    /// Search, the list of variables, and the selected one's documentation and plot.
    fn variables(
        &mut self,
        ui: &mut Ui,
        runs: (&Results, &Results),
        calendar: &Calendar,
        lang: &str,
    ) {
        ui.horizontal(|ui| {
            let label = ui.label(tr(lang, "Search:"));
            ui.text_edit_singleline(&mut self.search)
                .labelled_by(label.id);
        });
        let needle = self.search.to_lowercase();
        egui::ScrollArea::vertical()
            .id_salt("variable list")
            .max_height(160.0)
            .show(ui, |ui| {
                for (i, d) in self.docs.iter().enumerate() {
                    if !needle.is_empty() && !d.name.to_lowercase().contains(&needle) {
                        continue;
                    }
                    if ui
                        .selectable_label(self.selected == Some(i), &d.name)
                        .clicked()
                    {
                        self.selected = Some(i);
                    }
                }
            });
        ui.separator();
        let Some(d) = self.selected.and_then(|i| self.docs.get(i)).cloned() else {
            ui.label(
                RichText::new(tr(lang, "Select a variable in the list or the diagram.")).weak(),
            );
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("variable doc")
            .show(ui, |ui| {
                ui.heading(&d.name);
                let row = |ui: &mut Ui, key: &str, value: &str| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(key).strong());
                        ui.label(value);
                    });
                };
                row(ui, tr(lang, "kind:"), &d.kind);
                row(ui, tr(lang, "unit:"), &d.unit);
                row(ui, &format!("{}:", tr(lang, d.equation_label)), &d.equation);
                if let Some((inflows, outflows)) = &d.flows {
                    row(ui, tr(lang, "inflows:"), inflows);
                    row(ui, tr(lang, "outflows:"), outflows);
                }
                if let Some(g) = &d.graphical {
                    row(ui, tr(lang, "graphical function:"), g);
                }
                row(ui, tr(lang, "source:"), &d.source);
                if !d.driven_by.is_empty() {
                    row(ui, tr(lang, "driven by:"), &d.driven_by.join(", "));
                }
                if !d.feeds.is_empty() {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(tr(lang, "feeds:")).strong());
                        for f in &d.feeds {
                            if ui.link(f).clicked() {
                                self.select(f);
                            }
                        }
                    });
                }
                // An array's element can be plotted alone or as the sum of the whole array.
                let array = d.name.split_once('[').map(|(a, _)| a.to_string());
                ui.horizontal(|ui| {
                    ui.checkbox(&mut self.plot, tr(lang, "Plot it"));
                    if array.is_some() {
                        ui.checkbox(&mut self.plot_sum, tr(lang, "the sum over the whole array"));
                    }
                });
                if self.plot {
                    let (current, baseline) = runs;
                    let summed = array.as_deref().filter(|_| self.plot_sum);
                    let series = |r: &Results| -> Vec<PlotPoint> {
                        r.series_or_sum(summed.unwrap_or(&d.name))
                            .map(|s| {
                                r.times
                                    .iter()
                                    .zip(s)
                                    .map(|(&t, v)| PlotPoint::new(t, v))
                                    .collect()
                            })
                            .unwrap_or_default()
                    };
                    let plot = Plot::new("variable plot").height(180.0);
                    super::plots::with_dates(
                        plot,
                        calendar,
                        lang,
                        "",
                        super::plots::Transform::Linear,
                    )
                    .show(ui, |p| {
                        p.line(
                            Line::new(
                                fill(
                                    tr(lang, "status quo of {}"),
                                    &[&date(lang, &calendar.record_end)],
                                ),
                                PlotPoints::Owned(series(baseline)),
                            )
                            .color(Color32::from_gray(150)),
                        );
                        p.line(
                            Line::new(tr(lang, "Scenario"), PlotPoints::Owned(series(current)))
                                .color(Color32::from_rgb(0, 114, 178))
                                .width(2.0),
                        );
                    });
                }
            });
    }

    /// The diagram: drag to pan, scroll or pinch to zoom, hover for values, click to select.
    fn diagram(
        &mut self,
        ui: &mut Ui,
        current: &Results,
        calendar: &Calendar,
        branch: f64,
        lang: &str,
    ) {
        let Some(layout) = &self.layout else {
            return;
        };
        if ui.small_button(tr(lang, "Fit to view")).clicked() {
            self.fit = true;
        }
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        if self.fit && !layout.elements.is_empty() {
            // The whole layout in view, with a margin for names.
            self.fit = false;
            let (mut lo, mut hi) = (Pos2::new(f32::MAX, f32::MAX), Pos2::new(f32::MIN, f32::MIN));
            for e in &layout.elements {
                lo = lo.min(e.at);
                hi = hi.max(e.at);
            }
            let size = (hi - lo) + vec2(500.0, 100.0);
            self.zoom = (rect.width() / size.x)
                .min(rect.height() / size.y)
                .clamp(0.1, 3.0);
            self.offset = -lo.to_vec2() + vec2(250.0, 50.0);
        }
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Canvas, true, tr(lang, "stock-and-flow diagram"))
        });
        if response.dragged() {
            self.offset += response.drag_delta() / self.zoom;
        }
        if response.hovered() {
            let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = pinch * (scroll / 400.0).exp();
            if (factor - 1.0).abs() > 1e-4 {
                // Zoom about the pointer.
                if let Some(p) = response.hover_pos() {
                    let before = (p - rect.min) / self.zoom - self.offset;
                    self.zoom = (self.zoom * factor).clamp(0.1, 3.0);
                    self.offset = (p - rect.min) / self.zoom - before;
                } else {
                    self.zoom = (self.zoom * factor).clamp(0.1, 3.0);
                }
            }
        }
        let (zoom, offset) = (self.zoom, self.offset);
        let to_screen = |p: Pos2| rect.min + (p.to_vec2() + offset) * zoom;
        let painter = ui.painter_at(rect);
        let visuals = ui.visuals();
        painter.rect_filled(rect, 0.0, visuals.extreme_bg_color);
        // Links faint, except those of the selected variable.
        let link_colour = Color32::from_rgb(200, 80, 80);
        for &(a, b) in &layout.links {
            let (ea, eb) = (&layout.elements[a], &layout.elements[b]);
            let lit =
                self.selected.is_some() && (ea.doc == self.selected || eb.doc == self.selected);
            let stroke = if lit {
                Stroke::new(2.0, link_colour)
            } else {
                Stroke::new(1.0, link_colour.gamma_multiply(0.25))
            };
            arrow(
                &painter,
                to_screen(ea.at),
                to_screen(eb.at),
                stroke,
                10.0 * zoom,
            );
        }
        let font = egui::FontId::proportional((10.0 * zoom / 0.6).clamp(6.0, 18.0));
        let pipe = Stroke::new((5.0 * zoom).max(1.5), Color32::from_rgb(90, 140, 200));
        let mut hovered: Option<usize> = None;
        let pointer = response.hover_pos();
        for e in &layout.elements {
            let c = to_screen(e.at);
            let hit = match e.kind {
                ElementKind::Stock => {
                    let r = Rect::from_center_size(c, e.size * zoom);
                    painter.rect(
                        r,
                        2.0,
                        visuals.faint_bg_color,
                        Stroke::new(1.5, visuals.text_color()),
                        egui::StrokeKind::Middle,
                    );
                    r
                }
                ElementKind::Flow => {
                    let pts: Vec<Pos2> = e.points.iter().map(|&p| to_screen(p)).collect();
                    for w in pts.windows(2) {
                        painter.line_segment([w[0], w[1]], pipe);
                    }
                    if let [.., a, b] = pts.as_slice() {
                        arrow(&painter, *a, *b, pipe, 12.0 * zoom);
                    }
                    // The valve: a bow tie on the pipe.
                    let s = 8.0 * zoom;
                    painter.add(egui::Shape::closed_line(
                        vec![
                            c + vec2(-s, -s),
                            c + vec2(s, s),
                            c + vec2(s, -s),
                            c + vec2(-s, s),
                        ],
                        Stroke::new(1.5, visuals.text_color()),
                    ));
                    Rect::from_center_size(c, vec2(2.0 * s, 2.0 * s))
                }
                ElementKind::Aux => {
                    painter.circle(
                        c,
                        7.0 * zoom,
                        visuals.faint_bg_color,
                        Stroke::new(1.0, visuals.text_color()),
                    );
                    Rect::from_center_size(c, vec2(14.0, 14.0) * zoom.max(0.5))
                }
            };
            painter.text(
                hit.center_bottom() + vec2(0.0, 2.0),
                egui::Align2::CENTER_TOP,
                &e.label,
                font.clone(),
                visuals.text_color(),
            );
            if self.selected.is_some() && self.selected == e.doc {
                painter.rect_stroke(
                    hit.expand(4.0),
                    3.0,
                    Stroke::new(2.0, visuals.selection.stroke.color),
                    egui::StrokeKind::Outside,
                );
            }
            if pointer.is_some_and(|p| hit.expand(3.0).contains(p)) {
                hovered = e.doc;
            }
        }
        if let Some(i) = hovered {
            let name = &self.docs[i].name;
            // Values on the branch date and at the horizon, read in place (no series copied).
            let column = current
                .column_index(name)
                .filter(|&c| current.is_recorded(c));
            let text: Vec<String> = [branch, *current.times.last().unwrap_or(&0.0)]
                .iter()
                .filter_map(|&t| {
                    let row = current.times.iter().position(|&x| x >= t)?;
                    let v = current.value(row, column?);
                    Some(format!(
                        "{}: {}",
                        date(lang, &calendar.date_of(t)),
                        count(lang, v)
                    ))
                })
                .collect();
            response
                .clone()
                .on_hover_text(format!("{name}\n{}", text.join("\n")));
            if response.clicked() {
                self.selected = Some(i);
            }
        }
        painter.text(
            rect.left_bottom() + vec2(6.0, -6.0),
            egui::Align2::LEFT_BOTTOM,
            fill(
                tr(lang, "drag to pan, scroll to zoom ({}%)"),
                &[&format!("{:.0}", zoom * 100.0)],
            ),
            egui::FontId::proportional(11.0),
            visuals.weak_text_color(),
        );
    }
}

/// A line from `a` to `b` ending in an arrowhead of `size` pixels, short of the target's centre.
fn arrow(painter: &egui::Painter, a: Pos2, b: Pos2, stroke: Stroke, size: f32) {
    let d = b - a;
    let len = d.length();
    if len < 1.0 {
        return;
    }
    let dir = d / len;
    let tip = b - dir * size.min(len / 3.0);
    painter.line_segment([a, tip], stroke);
    let n = vec2(-dir.y, dir.x);
    let head = size.clamp(3.0, 14.0);
    painter.add(egui::Shape::convex_polygon(
        vec![
            tip,
            tip - dir * head + n * head * 0.4,
            tip - dir * head - n * head * 0.4,
        ],
        stroke.color,
        Stroke::NONE,
    ));
}
