//! The model description (`<model>.model.ron`, beside the model): what a planner reads of a
//! model — its outputs with units, scales and titles, the headline figures and how each is
//! computed, the recorded series to overlay, what ensembles record, and which plots and cards
//! are shown. The app, the CLI and the analyses take every output name from here.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::calendar::parse_date;
use super::catalogue::ron_error;
use super::{Text, UnitsIn, bad_unit_in, locate, located};
use crate::engine::{EngineError, Program, canonical_name};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// The outputs a planner reads, in the order menus list them.
    pub outputs: Vec<Output>,
    /// The headline figures, in the order cards, tables and reports show them.
    #[serde(default)]
    pub headlines: Vec<Headline>,
    /// Recorded data drawn over the plots.
    #[serde(default)]
    pub recorded: Vec<Recorded>,
    /// Outputs (names from `outputs`) every ensemble member records.
    #[serde(default)]
    pub ensemble: Vec<String>,
    /// Outputs whose change `borderflow effects` shows for every lever (besides those the
    /// levers' stated effects name).
    #[serde(default)]
    pub effects: Vec<String>,
    /// What the workbench shows: plots (output names) and cards (headline ids).
    pub workbench: Show,
    /// What a presentation slide shows.
    pub presentation: Show,
    /// The period a plot drawn as "% of the reference period" divides by (`from`, `to`, both
    /// included): the status quo's mean over it is 100%.
    #[serde(default)]
    pub reference_period: Option<(String, String)>,
    /// The strip of limits that hold each traveller type back ("why didn't it move?"); a model
    /// without it shows no strip.
    #[serde(default)]
    pub limits: Option<Limits>,
    /// What `borderflow calibrate` fits the model to (none: the model is not calibrated).
    #[serde(default)]
    pub calibration: Vec<super::targets::CalibrationTarget>,
    /// The model view's names in other languages, by XMILE name: the diagram's sectors (its
    /// `<group>`s) and variables, `{"Pent up": {"zh": "积压出行需求"}}`. A variable without
    /// one shows its output's or lever's title, else its XMILE name.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub names: BTreeMap<String, Text>,
    /// The text of each recorded file, in `recorded` order (read with the description).
    #[serde(skip)]
    pub data: Vec<std::sync::Arc<str>>,
}

/// An output a planner reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// A model variable, an array element `x[elem]`, or a whole array `x` (drawn as its sum).
    pub name: String,
    #[serde(deserialize_with = "super::unique::map")]
    pub title: Text,
    pub unit: String,
    #[serde(default)]
    pub scale: Scale,
    /// Draw this output's trailing mean over so many days beside its daily values.
    #[serde(default)]
    pub mean_days: Option<f64>,
    /// The unit a language writes instead, with what the values are multiplied by there:
    /// `{"zh": (unit: "亿元/日", times: 10.0)}` for RMB bn a day.
    #[serde(
        default,
        deserialize_with = "super::unique::map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub unit_in: UnitsIn,
}

/// How an output's axis is drawn.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Scale {
    #[default]
    Linear,
    Log,
    /// Per cent of the output's mean over a period (`from`, `to`, both included).
    PercentOf(String, String),
}

/// A headline figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Headline {
    /// Stable snake_case key: ensemble files, shard files and `sensitivity --metric` use it.
    pub id: String,
    #[serde(deserialize_with = "super::unique::map")]
    pub title: Text,
    /// The unit column of the ensemble's headline file.
    pub unit: String,
    pub kind: HeadlineKind,
    pub format: Format,
    /// `run`'s summary line, `{}` for the value (default: "TITLE: {}").
    #[serde(default)]
    pub line: Option<String>,
}

/// What a headline figure computes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum HeadlineKind {
    /// The first time after the branch at which the output's trailing mean over `mean_days`
    /// reaches `share` of the reference (a date; none when never by the horizon).
    Reaches {
        output: String,
        mean_days: f64,
        share: f64,
        reference: Reference,
    },
    /// The output's shortfall below the reference since `since`, summed over time (times the
    /// time step): with `relative`, as a share of the reference (days of reference); the sum is
    /// divided by `divide` (1e6 for millions).
    Loss {
        output: String,
        reference: Reference,
        since: String,
        #[serde(default)]
        relative: bool,
        #[serde(default = "one")]
        divide: f64,
    },
    /// The output's value on a date, or its mean from `from` to `to` (both included).
    ValueAt {
        output: String,
        from: String,
        #[serde(default)]
        to: Option<String>,
    },
    /// Another headline figure minus its value in the status quo.
    FromStatusQuo { of: String },
}

fn one() -> f64 {
    1.0
}

/// What a recovery or a loss is measured against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reference {
    /// A published value, with its source.
    Value(f64, String),
    /// The output's own mean over a period (`from`, `to`, both included) in the same run.
    Mean(String, String),
}

/// How a headline figure is written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Format {
    /// A date ("not by …" when not reached).
    Date,
    /// A count: the figure times `times` is written as people write counts ("471.9 M", "4.72亿");
    /// `noun` says what is counted ("{} visitors"); `decimals` for `run`'s line. `times_in`
    /// overrides `times` in a language whose natural unit differs: RMB bn in English, 亿元 in
    /// Chinese (`times_in: {"zh": 1e9}` with the noun "日均{}元").
    Count {
        times: f64,
        decimals: usize,
        #[serde(deserialize_with = "super::unique::map")]
        noun: Text,
        #[serde(
            default,
            deserialize_with = "super::unique::map",
            skip_serializing_if = "BTreeMap::is_empty"
        )]
        times_in: BTreeMap<String, f64>,
    },
    /// Days ("2203 days").
    Days,
}

impl Format {
    /// What a count is multiplied by to be written in `lang` (1 for dates and days).
    pub fn times(&self, lang: &str) -> f64 {
        match self {
            Format::Count {
                times, times_in, ..
            } => times_in.get(lang).copied().unwrap_or(*times),
            _ => 1.0,
        }
    }
}

/// Plots (output names) and cards (headline ids) shown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Show {
    pub plots: Vec<String>,
    pub cards: Vec<String>,
}

/// Which limit holds each row (a traveller type) back over time: the arrayed `limits` outputs
/// each give the share of demand one limit turns away, per element named in `rows`; the largest
/// share at a time is the limit that holds that row back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The plot (an output name) under which the strip is drawn.
    pub under: String,
    pub rows: Vec<LimitRow>,
    /// One arrayed output per limit, with its label.
    pub limits: Vec<Labelled>,
    /// Below this share no limit is said to hold the row back.
    #[serde(default = "limit_floor")]
    pub floor: f64,
}

fn limit_floor() -> f64 {
    0.01
}

/// A row of the limit strip: an element of the limit outputs' dimension, with the outputs
/// (names a lever's stated effects use) that measure its travel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRow {
    pub element: String,
    #[serde(deserialize_with = "super::unique::map")]
    pub title: Text,
    #[serde(default)]
    pub outputs: Vec<String>,
}

/// A name with its bilingual label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    pub name: String,
    #[serde(deserialize_with = "super::unique::map")]
    pub title: Text,
}

impl Limits {
    /// The series name of `limit` for `row`: `Limit quota[HK residents]`.
    pub fn series(limit: &Labelled, row: &LimitRow) -> String {
        format!("{}[{}]", limit.name, row.element)
    }
}

/// A recorded data file: one row per date (and whatever else its columns say).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// CSV path relative to the description.
    pub file: String,
    /// The column holding ISO dates.
    pub date: String,
    #[serde(default)]
    pub source: String,
    pub series: Vec<RecordedSeries>,
}

/// One output's recorded values: the sum of `column` over the rows of each date that pass every
/// filter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedSeries {
    pub output: String,
    pub column: String,
    /// `(column, accepted values)`: a row counts when its value is one of them.
    #[serde(default)]
    pub filters: Vec<(String, Vec<String>)>,
}

/// The description path beside a model: `m.xmile` → `m.model.ron`.
pub fn description_path(model: &std::path::Path) -> std::path::PathBuf {
    model.with_extension("model.ron")
}

impl Description {
    /// Parses a description and checks it against the compiled model. `data` reads a recorded
    /// file named in it (path relative to the description), for its header.
    pub fn parse(
        text: &str,
        file: &str,
        program: &Program,
        data: &dyn Fn(&str) -> Result<String, EngineError>,
    ) -> Result<Description, EngineError> {
        let mut d: Description = super::ron_options()
            .from_str(text)
            .map_err(|e| ron_error(file, &e))?;
        for r in &d.recorded {
            let content = data(&r.file).map_err(|e| {
                located(
                    file,
                    locate(text, &["file", &format!("\"{}\"", r.file)]),
                    format!("recorded file: {e}"),
                )
            })?;
            d.data.push(content.into());
        }
        d.validate(text, file, program)?;
        Ok(d)
    }

    /// Reads the description at `path`; recorded files are read beside it.
    pub fn load(path: &std::path::Path, program: &Program) -> Result<Description, EngineError> {
        let file = path.display().to_string();
        let text = crate::engine::read_text(path)?;
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        Description::parse(&text, &file, program, &|name| {
            crate::engine::read_text(&dir.join(name))
        })
    }

    /// The output `name`; an element `x[e]` of a listed array `x` shares the array's entry (its
    /// unit and scale), so that a headline can name one element without listing each.
    pub fn output(&self, name: &str) -> Option<&Output> {
        let find = |n: &str| {
            let key = canonical_name(n);
            self.outputs.iter().find(|o| canonical_name(&o.name) == key)
        };
        find(name).or_else(|| {
            let (array, rest) = name.split_once('[')?;
            rest.ends_with(']').then_some(())?;
            find(array.trim())
        })
    }

    /// The name a planner reads for a sector or variable in `lang`, from `names` (None: the
    /// description gives none).
    pub fn name_in(&self, name: &str, lang: &str) -> Option<&str> {
        let key = canonical_name(name);
        self.names
            .iter()
            .find(|(n, _)| canonical_name(n) == key)
            .and_then(|(_, t)| t.get(lang))
            .map(String::as_str)
    }

    /// Checks that each of `names` is a model variable, one of `sectors` (the diagram's group
    /// names) or one of `elements` (the arrays' element names); `text` is the description as
    /// read, to locate a stray name.
    pub fn check_names(
        &self,
        text: &str,
        file: &str,
        program: &Program,
        sectors: &[&str],
        elements: &[&str],
    ) -> Result<(), EngineError> {
        for name in self.names.keys() {
            let known = sectors.contains(&name.as_str())
                || elements
                    .iter()
                    .any(|e| canonical_name(e) == canonical_name(name))
                || program.find(name).is_some()
                || !program.find_all(name).is_empty();
            if !known {
                return Err(located(
                    file,
                    locate(text, &["names", &format!("\"{name}\"")]),
                    format!(
                        "names: {name:?} is neither a sector of the diagram ({}), an array element nor a variable of the model{}",
                        sectors.join(", "),
                        suggestions(name, program)
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn headline(&self, id: &str) -> Option<&Headline> {
        self.headlines.iter().find(|h| h.id == id)
    }

    /// The position of a headline in [`Description::headlines`].
    pub fn headline_index(&self, id: &str) -> Option<usize> {
        self.headlines.iter().position(|h| h.id == id)
    }

    /// Whether some figure needs the status quo's run.
    pub fn needs_status_quo(&self) -> bool {
        self.headlines
            .iter()
            .any(|h| matches!(h.kind, HeadlineKind::FromStatusQuo { .. }))
    }

    /// Headline ids as `sensitivity --metric` takes them.
    pub fn metric_names(&self) -> Vec<&str> {
        self.headlines.iter().map(|h| h.id.as_str()).collect()
    }

    fn validate(&self, text: &str, file: &str, program: &Program) -> Result<(), EngineError> {
        let at = |needles: &[&str], msg: String| located(file, locate(text, needles), msg);
        let quoted = |s: &str| format!("\"{s}\"");
        let variable = |name: &str, needles: &[&str], what: &str| -> Result<(), EngineError> {
            if program.find(name).is_some() || !program.find_all(name).is_empty() {
                return Ok(());
            }
            Err(at(
                needles,
                format!(
                    "{what} {name:?}: the model has no such variable{}",
                    suggestions(name, program)
                ),
            ))
        };
        let date = |d: &str, needles: &[&str]| {
            parse_date(d).map_err(|e| at(needles, format!("{d:?}: {e}")))
        };
        let mut seen = Vec::new();
        for o in &self.outputs {
            let name = quoted(&o.name);
            variable(&o.name, &["outputs", &name], "output")?;
            if seen.contains(&canonical_name(&o.name)) {
                return Err(at(
                    &["outputs", &name, &name],
                    format!("output {:?} is listed twice", o.name),
                ));
            }
            seen.push(canonical_name(&o.name));
            if let Scale::PercentOf(from, to) = &o.scale {
                date(from, &[&name, "PercentOf"])?;
                date(to, &[&name, "PercentOf", &quoted(to)])?;
            }
            if let Some((lang, msg)) = bad_unit_in(&o.unit_in) {
                return Err(at(
                    &[&name, "unit_in", &quoted(lang), "times"],
                    format!("output {:?}: {msg}", o.name),
                ));
            }
            if o.mean_days.is_some_and(|m| !(m.is_finite() && m > 0.0)) {
                return Err(at(
                    &[&name, "mean_days"],
                    format!("output {:?}: expected mean_days > 0", o.name),
                ));
            }
        }
        // A name the description uses elsewhere must be one of its outputs.
        let listed = |name: &str, needles: &[&str], what: &str| -> Result<(), EngineError> {
            if self.output(name).is_some() {
                return Ok(());
            }
            variable(name, needles, what)?;
            let close: Vec<&str> = self
                .outputs
                .iter()
                .map(|o| o.name.as_str())
                .filter(|o| is_close(name, o))
                .collect();
            Err(at(
                needles,
                format!(
                    "{what} {name:?} is not among the description's outputs: add it to `outputs`{}",
                    if close.is_empty() {
                        String::new()
                    } else {
                        format!(" (did you mean {}?)", close.join(", "))
                    }
                ),
            ))
        };
        for (i, h) in self.headlines.iter().enumerate() {
            let id = format!("id: {}", quoted(&h.id));
            if h.id.is_empty() || !h.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(at(
                    &needles(&id, &[]),
                    format!("headline {:?}: expected a snake_case id", h.id),
                ));
            }
            if self.headlines[..i].iter().any(|g| g.id == h.id) {
                return Err(at(
                    &[&id, &id],
                    format!("headline {:?} is listed twice", h.id),
                ));
            }
            match &h.kind {
                HeadlineKind::Reaches {
                    output,
                    mean_days,
                    share,
                    reference,
                } => {
                    listed(output, &needles(&id, &[&quoted(output)]), "headline output")?;
                    if !(mean_days.is_finite() && *mean_days > 0.0) {
                        return Err(at(
                            &needles(&id, &["mean_days"]),
                            format!("headline {:?}: expected mean_days > 0", h.id),
                        ));
                    }
                    if !(share.is_finite() && *share > 0.0) {
                        return Err(at(
                            &needles(&id, &["share"]),
                            format!("headline {:?}: expected a share > 0", h.id),
                        ));
                    }
                    self.check_reference(reference, &needles(&id, &["reference"]), &at)?;
                }
                HeadlineKind::Loss {
                    output,
                    reference,
                    since,
                    divide,
                    ..
                } => {
                    listed(output, &needles(&id, &[&quoted(output)]), "headline output")?;
                    self.check_reference(reference, &needles(&id, &["reference"]), &at)?;
                    date(since, &needles(&id, &["since"]))?;
                    if !(divide.is_finite() && *divide > 0.0) {
                        return Err(at(
                            &needles(&id, &["divide"]),
                            format!("headline {:?}: expected divide > 0", h.id),
                        ));
                    }
                }
                HeadlineKind::ValueAt { output, from, to } => {
                    listed(output, &needles(&id, &[&quoted(output)]), "headline output")?;
                    date(from, &needles(&id, &["from"]))?;
                    if let Some(to) = to {
                        date(to, &needles(&id, &["to"]))?;
                    }
                }
                HeadlineKind::FromStatusQuo { of } => {
                    let target = self.headlines[..i].iter().find(|g| &g.id == of);
                    match target {
                        Some(g) if !matches!(g.kind, HeadlineKind::FromStatusQuo { .. }) => {}
                        _ => {
                            return Err(at(
                                &needles(&id, &["of"]),
                                format!(
                                    "headline {:?}: FromStatusQuo(of: {of:?}) expected a headline listed before it that is not itself a difference",
                                    h.id
                                ),
                            ));
                        }
                    }
                }
            }
            let is_date = matches!(h.kind, HeadlineKind::Reaches { .. });
            if is_date != (h.format == Format::Date) {
                return Err(at(
                    &needles(&id, &["format"]),
                    format!(
                        "headline {:?}: expected format {} for a {} figure",
                        h.id,
                        if is_date {
                            "Date"
                        } else {
                            "Count(…) or Days"
                        },
                        if is_date { "date" } else { "number" }
                    ),
                ));
            }
            if let Format::Count {
                times, times_in, ..
            } = &h.format
                && !std::iter::once(times)
                    .chain(times_in.values())
                    .all(|t| t.is_finite() && *t > 0.0)
            {
                return Err(at(
                    &needles(&id, &["times"]),
                    format!("headline {:?}: expected times > 0", h.id),
                ));
            }
            if let Some(line) = &h.line
                && !line.contains("{}")
            {
                return Err(at(
                    &needles(&id, &["line"]),
                    format!("headline {:?}: line expected a {{}} for the value", h.id),
                ));
            }
        }
        for name in &self.ensemble {
            listed(name, &["ensemble", &quoted(name)], "ensemble output")?;
        }
        for name in &self.effects {
            variable(name, &["effects", &quoted(name)], "effects output")?;
        }
        for (section, show) in [
            ("workbench", &self.workbench),
            ("presentation", &self.presentation),
        ] {
            for p in &show.plots {
                listed(p, &[section, "plots", &quoted(p)], "plot")?;
            }
            for c in &show.cards {
                if self.headline(c).is_none() {
                    return Err(at(
                        &[section, "cards", &quoted(c)],
                        format!(
                            "card {c:?}: expected a headline id ({})",
                            self.metric_names().join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some((from, to)) = &self.reference_period {
            let (a, b) = (
                date(from, &["reference_period", &quoted(from)])?,
                date(to, &["reference_period", &quoted(to)])?,
            );
            if a > b {
                return Err(at(
                    &["reference_period"],
                    format!("reference_period: {from} is after {to}"),
                ));
            }
        }
        if let Some(limits) = &self.limits {
            listed(&limits.under, &["limits", "under"], "limit strip plot")?;
            if limits.rows.is_empty() || limits.limits.is_empty() {
                return Err(at(
                    &["limits"],
                    "limits: expected at least one row and one limit".into(),
                ));
            }
            if !(limits.floor.is_finite() && (0.0..1.0).contains(&limits.floor)) {
                return Err(at(
                    &["limits", "floor"],
                    format!("limits: expected a floor in 0..1, found {}", limits.floor),
                ));
            }
            for row in &limits.rows {
                for limit in &limits.limits {
                    let name = Limits::series(limit, row);
                    variable(&name, &["limits", &quoted(&limit.name)], "limit")?;
                }
            }
        }
        for (r, header) in self.recorded.iter().zip(&self.data) {
            let columns: Vec<&str> = header
                .lines()
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .collect();
            let column = |c: &str, needles: &[&str]| {
                if columns.contains(&c) {
                    Ok(())
                } else {
                    Err(at(
                        needles,
                        format!(
                            "{}: no column {c:?}; expected one of {}",
                            r.file,
                            columns.join(", ")
                        ),
                    ))
                }
            };
            let file_at = quoted(&r.file);
            column(&r.date, &[&file_at, "date"])?;
            for s in &r.series {
                let out = quoted(&s.output);
                listed(&s.output, &[&file_at, &out], "recorded output")?;
                column(&s.column, &[&file_at, &out, "column"])?;
                for (c, _) in &s.filters {
                    column(c, &[&file_at, &out, &quoted(c)])?;
                }
            }
        }
        super::targets::check(self, &at, &variable)
    }

    fn check_reference(
        &self,
        reference: &Reference,
        needles: &[&str],
        at: &dyn Fn(&[&str], String) -> EngineError,
    ) -> Result<(), EngineError> {
        let date = |d: &str| parse_date(d).map_err(|e| at(needles, format!("{d:?}: {e}")));
        match reference {
            Reference::Value(v, source) => {
                if !(v.is_finite() && *v > 0.0) || source.trim().is_empty() {
                    return Err(at(
                        needles,
                        format!("reference: expected Value(number > 0, \"source\"), found {v}"),
                    ));
                }
            }
            Reference::Mean(from, to) => {
                let (a, b) = (date(from)?, date(to)?);
                if a > b {
                    return Err(at(needles, format!("reference: {from} is after {to}")));
                }
            }
        }
        Ok(())
    }
}

/// `first`, then `extra`: where to look for a located error.
fn needles<'a>(first: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut n = vec![first];
    n.extend_from_slice(extra);
    n
}

/// " (did you mean …?)" with the model's variables closest to `name`, or nothing.
fn suggestions(name: &str, program: &Program) -> String {
    let mut close: Vec<(usize, &str)> = program
        .vars()
        .iter()
        .filter(|v| v.user)
        .map(|v| (distance(&canonical_name(name), &v.ident), v.name.as_str()))
        .filter(|(d, n)| *d <= 3 || is_close(name, n))
        .collect();
    close.sort();
    close.dedup_by(|a, b| a.1 == b.1);
    if close.is_empty() {
        return String::new();
    }
    let names: Vec<String> = close
        .iter()
        .take(3)
        .map(|(_, n)| format!("{n:?}"))
        .collect();
    format!(" (did you mean {}?)", names.join(", "))
}

/// Names a reader would take for each other: few edits apart, or one inside the other.
fn is_close(a: &str, b: &str) -> bool {
    let (a, b) = (canonical_name(a), canonical_name(b));
    distance(&a, &b) <= 3 || (a.len() >= 4 && b.contains(&a)) || (b.len() >= 4 && a.contains(&b))
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances_by_hand() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("trade index", "trade index"), 0);
        assert!(is_close("Trade indx", "Trade index"));
        assert!(!is_close("Infected", "Trade index"));
    }
}
