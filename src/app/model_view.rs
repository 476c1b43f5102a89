//! The model view: the stock-and-flow diagram from the model's XMILE `<views>` (stocks as boxes,
//! flows as pipes with valves, links as arrows; drag to pan, scroll to zoom, values on hover) and
//! beside it every variable with the same content as `borderflow doc`, a search, and a plot.
//! A diagram with `<group>`s (one per sector) opens on an overview of its sectors; a sector
//! opens into its own diagram, where labels are placed so that none overlap. In another
//! language sectors and variables are named as the model description names them (else by an
//! output's or lever's title); hover always shows the XMILE name and equation.

use std::collections::HashMap;

use egui::{Color32, Pos2, Rect, RichText, Sense, Stroke, Ui, Vec2, vec2};
use egui_plot::{Line, Plot, PlotPoint, PlotPoints};

use super::command::Command;
use super::i18n::{count, date, fill, tr};
use crate::analysis::doc::VariableDoc;
use crate::engine::ast::View;
use crate::engine::{Results, canonical_name};
use crate::scenario::{Calendar, LeverKind, ModelSetup, Text};

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
    /// Fit the whole diagram (or the open sector) into view on the next frame.
    fit: bool,
    /// The sector whose diagram is open (index into the layout's groups); None: the overview.
    pub sector: Option<usize>,
    docs: Vec<VariableDoc>,
    index: HashMap<String, usize>,
    /// The diagram, resolved once from `<views>` (None: the model has no diagram).
    layout: Option<Layout>,
    /// Names in other languages by canonical XMILE name (sectors and variables).
    names: HashMap<String, Text>,
    /// The last labels placed (relative to the diagram's origin on screen), for the sector,
    /// zoom (its bits) and language they were placed at.
    placed: Option<PlacedKey>,
    /// Where the diagram was drawn in the last frame.
    canvas: Rect,
}

type PlacedKey = ((Option<usize>, u32, String), Vec<Rect>);

/// The diagram's elements and links with names resolved to indices, so drawing a frame only
/// transforms coordinates.
struct Layout {
    elements: Vec<Element>,
    /// (from, to) element indices.
    links: Vec<(usize, usize)>,
    /// The diagram's sectors (its `<group>`s), in file order.
    groups: Vec<Group>,
}

struct Group {
    name: String,
    area: Rect,
    /// The elements inside its area (indices into `elements`).
    members: Vec<usize>,
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

impl Element {
    /// The box the element takes on screen with its centre at `c`: what hover hits and what
    /// other elements' labels keep clear of.
    fn hit_box(&self, c: Pos2, zoom: f32) -> Rect {
        match self.kind {
            ElementKind::Stock => Rect::from_center_size(c, self.size * zoom),
            ElementKind::Flow => Rect::from_center_size(c, vec2(16.0, 16.0) * zoom),
            ElementKind::Aux => Rect::from_center_size(c, vec2(14.0, 14.0) * zoom.max(0.5)),
        }
    }
}

/// The size of names on the diagram: readable whatever the zoom.
fn label_font(zoom: f32) -> f32 {
    (12.0 * zoom).clamp(11.0, 16.0)
}

/// The width at which a name wraps.
fn label_wrap(zoom: f32) -> f32 {
    (200.0 * zoom).max(170.0)
}

/// The variable an element shows: its own, or for an array its first element's.
fn doc_of(name: &str, index: &HashMap<String, usize>) -> Option<usize> {
    let key = canonical_name(name);
    index.get(&key).copied().or_else(|| {
        let prefix = format!("{key}[");
        index
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, &i)| i)
            .min()
    })
}

impl Layout {
    fn new(view: &View, index: &HashMap<String, usize>) -> Layout {
        let groups: Vec<(String, Rect)> = view
            .elements
            .iter()
            .filter(|e| e.kind == "group")
            .map(|e| {
                let min = Pos2::new(e.x as f32, e.y as f32);
                let size = vec2(
                    e.width.unwrap_or(0.0) as f32,
                    e.height.unwrap_or(0.0) as f32,
                );
                (e.name.clone(), Rect::from_min_size(min, size))
            })
            .collect();
        let shown: Vec<&crate::engine::ast::ViewElement> =
            view.elements.iter().filter(|e| e.kind != "group").collect();
        let elements: Vec<Element> = shown
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
                doc: doc_of(&e.name, index),
            })
            .collect();
        let position: HashMap<String, usize> = shown
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
        let groups = groups
            .into_iter()
            .map(|(name, area)| Group {
                members: (0..elements.len())
                    .filter(|&i| area.contains(elements[i].at))
                    .collect(),
                name,
                area,
            })
            .collect();
        Layout {
            elements,
            links,
            groups,
        }
    }

    /// The sector an element of the variable `doc` is in.
    fn sector_of(&self, doc: usize) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.members.iter().any(|&m| self.elements[m].doc == Some(doc)))
    }
}

impl ModelView {
    pub fn new(
        docs: Vec<VariableDoc>,
        view: Option<&View>,
        names: HashMap<String, Text>,
    ) -> ModelView {
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
            sector: None,
            docs,
            index,
            layout,
            names,
            placed: None,
            canvas: Rect::NOTHING,
        }
    }

    /// Where the element showing `name` was drawn in the last frame (None: not drawn).
    pub fn on_screen(&self, name: &str) -> Option<Pos2> {
        let layout = self.layout.as_ref()?;
        let key = canonical_name(name);
        let e = layout
            .elements
            .iter()
            .enumerate()
            .find(|(i, e)| {
                canonical_name(&e.label) == key
                    && self
                        .sector
                        .and_then(|g| layout.groups.get(g))
                        .is_none_or(|g| g.members.contains(i))
            })?
            .1;
        let at = self.canvas.min + (e.at.to_vec2() + self.offset) * self.zoom;
        self.canvas.contains(at).then_some(at)
    }

    /// What a planner reads for the sector or variable `xmile` in `lang`: in English its XMILE
    /// name; otherwise the name given for it, or, for an array's element, the array's, else
    /// the XMILE name.
    pub fn name(&self, xmile: &str, lang: &str) -> String {
        let english = || xmile.replace('_', " ");
        if lang == "en" {
            return english();
        }
        let find = |n: &str| {
            self.names
                .get(&canonical_name(n))
                .and_then(|t| t.get(lang))
                .cloned()
        };
        find(xmile)
            .or_else(|| {
                // `Crossings[Lo Wu]`: the element's own name, else the array's with the
                // element, each index named as the description names it (罗湖), else as is.
                let (array, rest) = xmile.split_once('[')?;
                let indices = rest.strip_suffix(']')?;
                let named: Vec<String> = indices
                    .split(',')
                    .map(|e| find(e.trim()).unwrap_or_else(|| e.trim().to_string()))
                    .collect();
                Some(format!("{}[{}]", find(array)?, named.join(",")))
            })
            .unwrap_or_else(english)
    }

    /// Selects a variable by name (any spelling the engine accepts).
    pub fn select(&mut self, name: &str) -> bool {
        self.selected = self.index.get(&canonical_name(name)).copied();
        self.show_selected();
        self.selected.is_some()
    }

    /// Opens the sector of the selected variable, so that the diagram shows it.
    fn show_selected(&mut self) {
        let sector = self
            .selected
            .and_then(|d| self.layout.as_ref()?.sector_of(d));
        if sector.is_some() && sector != self.sector {
            self.sector = sector;
            self.fit = true;
        }
    }

    /// The sectors' names, in the diagram's order (empty when it has none).
    pub fn sectors(&self) -> Vec<&str> {
        self.layout.as_ref().map_or_else(Vec::new, |l| {
            l.groups.iter().map(|g| g.name.as_str()).collect()
        })
    }

    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        runs: (&Results, &Results),
        calendar: &Calendar,
        branch: f64,
        lang: &str,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        if !self.open {
            return commands;
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
                    .show(ui, |ui| {
                        commands.extend(self.variables(ui, runs, calendar, lang))
                    });
                egui::CentralPanel::default().show(ui, |ui| {
                    let sectors = self.layout.as_ref().map(|l| l.groups.len());
                    match sectors {
                        None => {
                            ui.label(tr(lang, "The model has no diagram (<views>)."));
                        }
                        Some(n) if n > 0 && self.sector.is_none() => self.overview(ui, lang),
                        Some(_) => self.diagram(ui, runs.0, calendar, branch, lang),
                    }
                });
            });
        self.open = open;
        commands
    }

    /// The sectors as tiles, each with its variable count: a click opens its diagram.
    fn overview(&mut self, ui: &mut Ui, lang: &str) {
        let Some(layout) = &self.layout else {
            return;
        };
        ui.label(RichText::new(tr(lang, "Click a sector to open its diagram.")).weak());
        let n = layout.groups.len();
        let width = ui.available_width();
        let columns = ((width / 200.0).floor() as usize).clamp(1, n);
        let rows = n.div_ceil(columns);
        let gap = ui.spacing().item_spacing;
        let tile = vec2(
            (width - gap.x * (columns - 1) as f32) / columns as f32,
            ((ui.available_height() - gap.y * rows as f32) / rows as f32).clamp(40.0, 110.0),
        );
        let mut open = None;
        egui::Grid::new("sectors").spacing(gap).show(ui, |ui| {
            for (i, g) in layout.groups.iter().enumerate() {
                let name = self.name(&g.name, lang);
                // A long name gets a smaller font rather than a line of one character.
                let padding = 2.0 * ui.spacing().button_padding.x + 8.0;
                let size = super::fit::font_size_to_fit(ui, &name, tile.x - padding, 14, 11);
                let text = format!(
                    "{name}\n{}",
                    fill(tr(lang, "{} variables"), &[&g.members.len().to_string()])
                );
                let button = egui::Button::new(RichText::new(text).size(size)).wrap();
                if ui.add_sized(tile, button).clicked() {
                    open = Some(i);
                }
                if (i + 1) % columns == 0 {
                    ui.end_row();
                }
            }
        });
        if open.is_some() {
            self.sector = open;
            self.fit = true;
        }
    }

    /// Search, the list of variables, and the selected one's documentation and plot.
    fn variables(
        &mut self,
        ui: &mut Ui,
        runs: (&Results, &Results),
        calendar: &Calendar,
        lang: &str,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.horizontal(|ui| {
            let label = ui.label(tr(lang, "Search:"));
            ui.text_edit_singleline(&mut self.search)
                .labelled_by(label.id);
        });
        let needle = self.search.to_lowercase();
        let mut clicked = false;
        egui::ScrollArea::vertical()
            .id_salt("variable list")
            .max_height(160.0)
            .show(ui, |ui| {
                for (i, d) in self.docs.iter().enumerate() {
                    // Found by either name; listed by the planner's name, the XMILE one beside.
                    let shown = self.name(&d.name, lang);
                    let found = needle.is_empty()
                        || d.name.to_lowercase().contains(&needle)
                        || shown.to_lowercase().contains(&needle);
                    if !found {
                        continue;
                    }
                    let text = if shown == d.name {
                        shown
                    } else {
                        format!("{shown} · {}", d.name)
                    };
                    if ui
                        .selectable_label(self.selected == Some(i), text)
                        .clicked()
                    {
                        self.selected = Some(i);
                        clicked = true;
                    }
                }
            });
        if clicked {
            self.show_selected();
        }
        ui.separator();
        let Some(d) = self.selected.and_then(|i| self.docs.get(i)).cloned() else {
            ui.label(
                RichText::new(tr(lang, "Select a variable in the list or the diagram.")).weak(),
            );
            return commands;
        };
        egui::ScrollArea::vertical()
            .id_salt("variable doc")
            .show(ui, |ui| {
                let shown = self.name(&d.name, lang);
                ui.heading(&shown);
                if shown != d.name {
                    ui.label(RichText::new(&d.name).monospace().weak());
                }
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
                ui.horizontal_wrapped(|ui| {
                    ui.checkbox(&mut self.plot, tr(lang, "Plot it"));
                    if array.is_some() {
                        ui.checkbox(&mut self.plot_sum, tr(lang, "the sum over the whole array"));
                    }
                    if ui.button(tr(lang, "Plot it on the workbench")).clicked() {
                        let name = match &array {
                            Some(a) if self.plot_sum => a.clone(),
                            _ => d.name.clone(),
                        };
                        commands.push(Command::PlotOnWorkbench(name));
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
        commands
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
        let group = self.sector.and_then(|g| layout.groups.get(g));
        let mut back = false;
        let title = group.map(|g| self.name(&g.name, lang));
        ui.horizontal(|ui| {
            if let Some(title) = title {
                back = ui
                    .button(format!("← {}", tr(lang, "All sectors")))
                    .clicked();
                ui.label(RichText::new(title).strong());
            }
            if ui.small_button(tr(lang, "Fit to view")).clicked() {
                self.fit = true;
            }
        });
        if back {
            self.sector = None;
            return;
        }
        // In a sector, only its own elements and the links between them.
        let visible: Vec<bool> = (0..layout.elements.len())
            .map(|i| group.is_none_or(|g| g.members.contains(&i)))
            .collect();
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        if self.fit && !layout.elements.is_empty() {
            // The sector (or the whole layout) in view, with a margin for names.
            self.fit = false;
            let (lo, hi) = match group {
                Some(g) => (g.area.min, g.area.max),
                None => {
                    let (mut lo, mut hi) =
                        (Pos2::new(f32::MAX, f32::MAX), Pos2::new(f32::MIN, f32::MIN));
                    for e in &layout.elements {
                        lo = lo.min(e.at);
                        hi = hi.max(e.at);
                    }
                    (lo, hi)
                }
            };
            let margin = FIT_MARGIN;
            let size = (hi - lo) + 2.0 * margin;
            self.zoom = fit_zoom(rect.size(), size, group.is_some());
            // Centred where it fits, from its top left where it does not (scroll for the rest).
            let used = size * self.zoom;
            self.offset =
                -lo.to_vec2() + margin + (rect.size() - used).max(Vec2::ZERO) / 2.0 / self.zoom;
        }
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Canvas, true, tr(lang, "stock-and-flow diagram"))
        });
        if response.dragged() {
            self.offset += response.drag_delta() / self.zoom;
        }
        if response.hovered() {
            // The wheel scrolls a tall sector; Ctrl + wheel or a pinch zooms.
            let (scroll, factor) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
            self.offset += scroll / self.zoom;
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
        self.canvas = rect;
        let to_screen = |p: Pos2| rect.min + (p.to_vec2() + offset) * zoom;
        let painter = ui.painter_at(rect);
        let visuals = ui.visuals();
        painter.rect_filled(rect, 0.0, visuals.extreme_bg_color);
        // Links faint, except those of the selected variable.
        let link_colour = Color32::from_rgb(200, 80, 80);
        for &(a, b) in layout
            .links
            .iter()
            .filter(|(a, b)| visible[*a] && visible[*b])
        {
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
        // Names stay readable whatever the zoom; their places are chosen so that none overlap.
        let font = egui::FontId::proportional(label_font(zoom));
        let mut labels: Vec<(Rect, std::sync::Arc<egui::Galley>)> = Vec::new();
        let pipe = Stroke::new((5.0 * zoom).max(1.5), Color32::from_rgb(90, 140, 200));
        let mut hovered: Option<usize> = None;
        let pointer = response.hover_pos();
        for e in layout
            .elements
            .iter()
            .zip(&visible)
            .filter_map(|(e, v)| v.then_some(e))
        {
            let c = to_screen(e.at);
            let hit = e.hit_box(c, zoom);
            match e.kind {
                ElementKind::Stock => {
                    painter.rect(
                        hit,
                        2.0,
                        visuals.faint_bg_color,
                        Stroke::new(1.5, visuals.text_color()),
                        egui::StrokeKind::Middle,
                    );
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
                }
                ElementKind::Aux => {
                    painter.circle(
                        c,
                        7.0 * zoom,
                        visuals.faint_bg_color,
                        Stroke::new(1.0, visuals.text_color()),
                    );
                }
            }
            let galley = painter.layout(
                self.name(&e.label, lang),
                font.clone(),
                visuals.text_color(),
                label_wrap(zoom),
            );
            labels.push((hit, galley));
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
        // Placing is the same under any pan: it is kept until the zoom, sector or language
        // changes, relative to the diagram's origin on screen.
        let origin = to_screen(Pos2::ZERO).to_vec2();
        let key = (self.sector, zoom.to_bits(), lang.to_string());
        let placed = match &self.placed {
            Some((k, placed)) if *k == key && placed.len() == labels.len() => placed.clone(),
            _ => {
                let items: Vec<(Rect, Vec2)> = labels
                    .iter()
                    .map(|(r, g)| (r.translate(-origin), g.size()))
                    .collect();
                let placed = super::labels::place(&items);
                self.placed = Some((key, placed.clone()));
                placed
            }
        };
        for (at, (_, galley)) in placed.into_iter().zip(labels) {
            painter.galley(at.min + origin, galley, visuals.text_color());
        }
        if let Some(i) = hovered {
            let doc = &self.docs[i];
            let name = &doc.name;
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
            // The XMILE name and equation always, whatever the language.
            let shown = self.name(name, lang);
            let heading = if shown == *name {
                String::new()
            } else {
                format!("{shown}\n")
            };
            response.clone().on_hover_text(format!(
                "{heading}{name} = {}\n{}",
                doc.equation,
                text.join("\n")
            ));
            if response.clicked() {
                self.selected = Some(i);
            }
        }
        // On a patch of the background, so that a name scrolled under it stays apart.
        let hint = painter.layout_no_wrap(
            fill(
                tr(lang, "drag or scroll to pan, Ctrl + scroll to zoom ({}%)"),
                &[&format!("{:.0}", zoom * 100.0)],
            ),
            egui::FontId::proportional(11.0),
            visuals.weak_text_color(),
        );
        let at = rect.left_bottom() + vec2(6.0, -6.0 - hint.size().y);
        painter.rect_filled(
            Rect::from_min_size(at, hint.size()).expand(3.0),
            2.0,
            visuals.extreme_bg_color,
        );
        painter.galley(at, hint, visuals.weak_text_color());
    }
}

/// Room around a fitted diagram for the names beside its elements.
const FIT_MARGIN: Vec2 = vec2(160.0, 40.0);

/// The smallest zoom a sector opens at: its names and shapes stay readable, and what does not fit
/// is scrolled to.
pub const MIN_SECTOR_ZOOM: f32 = 0.75;

/// The zoom that shows a diagram of `size` in a view of `view`: a sector fills the view's width
/// (from [`MIN_SECTOR_ZOOM`] to 1.5), the whole diagram fits entirely.
pub fn fit_zoom(view: Vec2, size: Vec2, sector: bool) -> f32 {
    if sector {
        (view.x / size.x).clamp(MIN_SECTOR_ZOOM, 1.5)
    } else {
        (view.x / size.x).min(view.y / size.y).clamp(0.1, 3.0)
    }
}

/// The model's names in other languages, by canonical XMILE name: a lever's label for the one
/// constant it sets, then an output's title, then the description's `names`, each over the one
/// before.
pub fn names(setup: &ModelSetup) -> HashMap<String, Text> {
    let mut names = HashMap::new();
    for lever in &setup.catalogue.levers {
        let mut constants: Vec<&str> = match &lever.kind {
            LeverKind::Numeric { constant, .. } => vec![constant.as_str()],
            LeverKind::Categorical { presets } => presets
                .iter()
                .flat_map(|p| p.values.keys().map(String::as_str))
                .collect(),
        };
        constants.sort_by_key(|c| canonical_name(c));
        constants.dedup_by_key(|c| canonical_name(c));
        // A lever setting several constants (a quarantine's hotel and surveillance days)
        // names none of them.
        if let [constant] = constants.as_slice() {
            names.insert(canonical_name(constant), lever.label.clone());
        }
    }
    let description = &setup.description;
    for o in &description.outputs {
        names.insert(canonical_name(&o.name), o.title.clone());
    }
    for (name, text) in &description.names {
        names.insert(canonical_name(name), text.clone());
    }
    names
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A name's size on the diagram, about as egui lays it out (Latin letters 0.6 of the font
    /// size wide, CJK characters a whole one, lines 1.3 high), wrapped as the view wraps it.
    fn label_size(text: &str, zoom: f32) -> Vec2 {
        let font = label_font(zoom);
        let width: f32 = text
            .chars()
            .map(|c| if c.is_ascii() { 0.6 * font } else { font })
            .sum();
        let wrap = label_wrap(zoom);
        vec2(width.min(wrap), (width / wrap).ceil().max(1.0) * font * 1.3)
    }

    #[test]
    fn every_sector_opens_readable_and_no_name_touches_another_element() {
        let setup = ModelSetup::embedded().expect("the shipped model");
        let view = setup.compiled.model.views.first().expect("a diagram");
        let layout = Layout::new(view, &HashMap::new());
        let model_view = ModelView::new(Vec::new(), Some(view), names(&setup));
        assert_eq!(layout.groups.len(), 17);
        // The diagram's room in the model window on a 1280×800 and a 1024×640 screen.
        for canvas in [vec2(700.0, 560.0), vec2(560.0, 470.0)] {
            for g in &layout.groups {
                let zoom = fit_zoom(canvas, g.area.size() + 2.0 * FIT_MARGIN, true);
                // Crossings (480 × 1180) opened at 44% when the whole sector had to fit.
                assert!(zoom >= MIN_SECTOR_ZOOM, "{} at {zoom}", g.name);
                for lang in ["en", "zh"] {
                    let items: Vec<(Rect, Vec2)> = g
                        .members
                        .iter()
                        .map(|&m| {
                            let e = &layout.elements[m];
                            let c = (e.at.to_vec2() * zoom).to_pos2();
                            (
                                e.hit_box(c, zoom),
                                label_size(&model_view.name(&e.label, lang), zoom),
                            )
                        })
                        .collect();
                    let placed = super::super::labels::place(&items);
                    let name = |i: usize| &layout.elements[g.members[i]].label;
                    for (i, label) in placed.iter().enumerate() {
                        for (j, other) in placed.iter().enumerate().skip(i + 1) {
                            assert!(
                                !label.intersects(*other),
                                "{} ({lang}): the names of {} and {} overlap",
                                g.name,
                                name(i),
                                name(j)
                            );
                        }
                        for (j, (element, _)) in items.iter().enumerate() {
                            let margin = super::super::labels::MARGIN - 0.01;
                            assert!(
                                j == i || !element.expand(margin).intersects(*label),
                                "{} ({lang}, zoom {zoom}): the name of {} touches {}",
                                g.name,
                                name(i),
                                name(j)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_name_in_chinese_comes_from_the_description_then_an_output_or_lever_else_english() {
        let setup = ModelSetup::embedded().expect("the shipped model");
        let view = setup.compiled.model.views.first();
        let model_view = ModelView::new(Vec::new(), view, names(&setup));
        let d = &setup.description;
        // The description's own name (over the output's title, which it shares a name with).
        assert_eq!(
            model_view.name("Goods vehicle crossings", "zh"),
            d.name_in("Goods vehicle crossings", "zh").unwrap()
        );
        assert_ne!(
            model_view.name("Goods vehicle crossings", "zh"),
            d.output("Goods vehicle crossings").unwrap().title["zh"]
        );
        // An output's title where the description names nothing.
        assert!(d.name_in("Trade index", "zh").is_none());
        assert_eq!(model_view.name("Trade_index", "zh"), "贸易指数");
        // A lever's label for the one constant it sets (not for a quarantine's two).
        let lever = |id: &str| setup.catalogue.levers.iter().find(|l| l.id == id).unwrap();
        let LeverKind::Numeric { constant, .. } = &lever("clearance_hours").kind else {
            panic!("clearance_hours is numeric")
        };
        assert_eq!(
            model_view.name(constant, "zh"),
            lever("clearance_hours").label["zh"]
        );
        assert_ne!(
            model_view.name("HK hotel quarantine days", "zh"),
            lever("hk_quarantine").label["zh"]
        );
        // Nothing names it: the XMILE name.
        assert_eq!(model_view.name("Risk alarm time", "zh"), "Risk alarm time");
        // In English, always the XMILE name.
        assert_eq!(model_view.name("Pent_up", "en"), "Pent up");
    }
}
