//! What each lever does (`borderflow effects`, and each lever's help in the app). Two rows per
//! lever, each the effect of moving the lever to its most open setting:
//! - **open**: from the scenario, the lever alone opened at the branch date (opened − scenario);
//! - **restore**: from the fully open scenario (every lever opened at the branch date), the
//!   lever alone put back to its status quo (fully open − restored).
//!
//! The columns are the headline figures and the named outputs' means over the horizon's last
//! year, as changes. A change counts when it reaches 0.5% of the scenario's own value, or one day
//! for a date. Each change is checked against the lever's stated effects (catalogue `effects`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::headlines;
use crate::engine::{EngineError, Results, canonical_name};
use crate::scenario::{Direction, Lever, LeverValue, Prepared, Scenario};

/// A value change counts from this share of the scenario's own value.
pub const EFFECT_SHARE: f64 = 0.005;
/// A date change counts from this many days.
pub const EFFECT_DAYS: f64 = 1.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Open,
    Restore,
    /// Opened alone in the lever's stress scenario (levers that do not bind in the status quo).
    Stress,
}

impl Row {
    pub fn as_str(self) -> &'static str {
        match self {
            Row::Open => "open",
            Row::Restore => "restore",
            Row::Stress => "stress",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Contradiction,
    NoEffect,
    /// No effect here, as the catalogue says, and the stress scenario shows the stated effect.
    NotBindingStated,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Contradiction => "contradiction",
            Verdict::NoEffect => "no effect",
            Verdict::NotBindingStated => "not binding (stated)",
        }
    }
}

/// A column: a headline date (days), a headline amount, or an output's last-year mean.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The headline id (`date50`, …) or the output's name.
    pub name: String,
    pub is_date: bool,
    /// True for a model output (a lever's stated effects can name it).
    pub is_output: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The effect of opening the lever (see the module doc), in the figure's unit.
    pub change: f64,
    /// The figure's value in the reference scenario (to show a change as a share).
    pub reference: f64,
    pub counts: bool,
    pub expected: Option<Direction>,
    pub verdict: Verdict,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LeverEffects {
    pub lever: String,
    /// One list of cells (in [`EffectsTable::figures`] order) per row.
    pub rows: Vec<(Row, Vec<Cell>)>,
}

impl LeverEffects {
    /// Whether some row moves one of the stated outputs the stated way.
    pub fn moves_a_stated_output(&self) -> bool {
        self.rows.iter().any(|(_, cells)| {
            cells
                .iter()
                .any(|c| c.expected.is_some() && c.verdict == Verdict::Ok)
        })
    }

    pub fn contradictions(&self) -> usize {
        self.rows
            .iter()
            .flat_map(|(_, cells)| cells)
            .filter(|c| c.verdict == Verdict::Contradiction)
            .count()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EffectsTable {
    pub figures: Vec<Figure>,
    pub levers: Vec<LeverEffects>,
    /// The year the output columns average over (the horizon's last).
    pub last_year_from: String,
}

/// Measured figures of one run, in [`EffectsTable::figures`] order.
struct Measures(Vec<f64>);

/// The figures a run offers: the description's headline figures, then each output its
/// `effects` list names and each output a lever's effects name, once.
fn figures_for(prepared: &Prepared) -> Vec<Figure> {
    let program = &prepared.setup.compiled.program;
    let description = &prepared.setup.description;
    let mut figures: Vec<Figure> = description
        .headlines
        .iter()
        // A difference from the status quo moves exactly as the figure it differences.
        .filter(|h| {
            !matches!(
                h.kind,
                crate::scenario::description::HeadlineKind::FromStatusQuo { .. }
            )
        })
        .map(|h| Figure {
            name: h.id.clone(),
            is_date: h.format == crate::scenario::description::Format::Date,
            is_output: false,
        })
        .collect();
    let stated = prepared
        .setup
        .catalogue
        .levers
        .iter()
        .flat_map(|l| l.effects.iter().map(|e| e.output.as_str()));
    let mut seen = Vec::new();
    for name in description.effects.iter().map(String::as_str).chain(stated) {
        let key = canonical_name(name);
        if program.find(name).is_some() && !seen.contains(&key) {
            seen.push(key);
            figures.push(Figure {
                name: name.to_string(),
                is_date: false,
                is_output: true,
            });
        }
    }
    figures
}

/// The first day of the horizon's last year (`2030-01-01` for a horizon ending 2030-12-31).
fn last_year_from(prepared: &Prepared) -> String {
    let end = &prepared.calendar().horizon_end;
    format!("{}-01-01", end.get(..4).unwrap_or("1970"))
}

fn measure(
    prepared: &Prepared,
    figures: &[Figure],
    results: &Results,
    branch_time: f64,
) -> Result<Measures, EngineError> {
    let cal = prepared.calendar();
    let from = cal
        .time_of(&last_year_from(prepared))
        .unwrap_or(f64::NEG_INFINITY);
    let h = headlines::headlines(
        &prepared.setup.description,
        results,
        &cal,
        branch_time,
        None,
    );
    let mut values = Vec::with_capacity(figures.len());
    for f in figures {
        let headline = h
            .as_ref()
            .filter(|_| !f.is_output)
            .and_then(|h| Some((h, h.ids.iter().position(|id| *id == f.name)?)));
        let v = match (f.name.as_str(), headline) {
            (_, Some((h, i))) => h.number(i, &cal),
            (name, None) => {
                let series = results.series(name).ok_or_else(|| {
                    EngineError::Run(format!("effects: the run lacks output {name:?}"))
                })?;
                let last: Vec<f64> = results
                    .times
                    .iter()
                    .zip(&series)
                    .filter(|(t, _)| **t >= from)
                    .map(|(_, v)| *v)
                    .collect();
                if last.is_empty() {
                    series.last().copied().unwrap_or(f64::NAN)
                } else {
                    last.iter().sum::<f64>() / last.len() as f64
                }
            }
        };
        values.push(v);
    }
    Ok(Measures(values))
}

/// Runs `scenario` on the model of `prepared` and measures it.
fn run_variant(
    prepared: &Prepared,
    figures: &[Figure],
    scenario: &Scenario,
    what: &str,
) -> Result<Measures, EngineError> {
    let setup = &prepared.setup;
    let (overrides, _) = setup.overrides_for(scenario, "", what)?;
    let results = setup.compiled.program.run(&overrides)?;
    measure(prepared, figures, &results, prepared.branch_time())
}

fn branch_date(prepared: &Prepared) -> String {
    crate::scenario::edit::branch_text(&prepared.scenario, &prepared.setup.catalogue).to_string()
}

fn most_open(lever: &Lever) -> Result<LeverValue, EngineError> {
    lever.most_open.clone().ok_or_else(|| {
        EngineError::Run(format!(
            "lever {:?} states no most_open setting in the catalogue",
            lever.id
        ))
    })
}

/// `scenario` with `lever` opened from the branch date (and nothing else changed).
fn opened(
    prepared: &Prepared,
    scenario: &Scenario,
    lever: &Lever,
) -> Result<Scenario, EngineError> {
    let mut s = scenario.clone();
    s.levers.insert(
        lever.id.clone(),
        vec![(branch_date(prepared), most_open(lever)?)],
    );
    Ok(s)
}

/// The cells of one row: `change[i]` is the effect of opening, `reference` the scenario's values.
fn cells(figures: &[Figure], lever: &Lever, change: &[f64], reference: &Measures) -> Vec<Cell> {
    figures
        .iter()
        .zip(change)
        .zip(&reference.0)
        .map(|((f, &change), &reference)| {
            let counts = if f.is_date {
                change.abs() >= EFFECT_DAYS
            } else {
                change.abs() >= EFFECT_SHARE * reference.abs() && change.abs() > 1e-12
            };
            let expected = f.is_output.then(|| stated(lever, &f.name)).flatten();
            let verdict = match (counts, expected) {
                (false, _) => Verdict::NoEffect,
                (true, Some(d)) if change * d.sign() < 0.0 => Verdict::Contradiction,
                (true, _) => Verdict::Ok,
            };
            Cell {
                change,
                reference,
                counts,
                expected,
                verdict,
            }
        })
        .collect()
}

fn stated(lever: &Lever, output: &str) -> Option<Direction> {
    let key = canonical_name(output);
    lever
        .effects
        .iter()
        .find(|e| canonical_name(&e.output) == key)
        .map(|e| e.direction)
}

fn difference(a: &Measures, b: &Measures) -> Vec<f64> {
    a.0.iter().zip(&b.0).map(|(a, b)| a - b).collect()
}

/// The lever-effect table of `prepared` (the status quo, or any scenario). `scenarios_dir` is
/// where stress scenarios are found (their paths are relative to it); levers that name one fail
/// without it.
pub fn lever_effects(
    prepared: &Prepared,
    scenarios_dir: Option<&Path>,
) -> Result<EffectsTable, EngineError> {
    table(prepared, Some(scenarios_dir))
}

/// The open and restore rows only, without the stress scenarios (the app's lever help, which
/// may run where no scenarios folder is installed).
pub fn lever_effects_without_stress(prepared: &Prepared) -> Result<EffectsTable, EngineError> {
    table(prepared, None)
}

/// `stress`: None to leave the stress rows out, else where the stress scenarios are.
fn table(prepared: &Prepared, stress: Option<Option<&Path>>) -> Result<EffectsTable, EngineError> {
    let catalogue = &prepared.setup.catalogue;
    let figures = figures_for(prepared);
    let base = run_variant(
        prepared,
        &figures,
        &prepared.scenario,
        "effects: the scenario",
    )?;
    let mut fully_open = prepared.scenario.clone();
    for lever in &catalogue.levers {
        fully_open = opened(prepared, &fully_open, lever)?;
    }
    let open_all = run_variant(prepared, &figures, &fully_open, "effects: fully open")?;
    let mut stress_runs: BTreeMap<PathBuf, (Prepared, Vec<Figure>, Measures)> = BTreeMap::new();
    let mut levers = Vec::new();
    for lever in &catalogue.levers {
        let what = format!("effects: lever {:?}", lever.id);
        let open = run_variant(
            prepared,
            &figures,
            &opened(prepared, &prepared.scenario, lever)?,
            &what,
        )?;
        let mut restored = fully_open.clone();
        restored.levers.remove(&lever.id);
        let restore = run_variant(prepared, &figures, &restored, &what)?;
        let mut rows = vec![
            (
                Row::Open,
                cells(&figures, lever, &difference(&open, &base), &base),
            ),
            (
                Row::Restore,
                cells(&figures, lever, &difference(&open_all, &restore), &base),
            ),
        ];
        if let (Some(stress), Some(scenarios_dir)) = (&lever.stress, stress) {
            let stress_cells =
                stress_row(&mut stress_runs, scenarios_dir, stress, lever, &figures)?;
            for (_, row) in rows.iter_mut() {
                for (cell, s) in row.iter_mut().zip(&stress_cells) {
                    if cell.expected.is_some()
                        && cell.verdict == Verdict::NoEffect
                        && s.verdict == Verdict::Ok
                    {
                        cell.verdict = Verdict::NotBindingStated;
                    }
                }
            }
            rows.push((Row::Stress, stress_cells));
        }
        levers.push(LeverEffects {
            lever: lever.id.clone(),
            rows,
        });
    }
    Ok(EffectsTable {
        figures,
        levers,
        last_year_from: last_year_from(prepared),
    })
}

/// The lever opened alone in its stress scenario, as cells in `figures` order (a figure the
/// stress scenario's model lacks shows no effect).
fn stress_row(
    cache: &mut BTreeMap<PathBuf, (Prepared, Vec<Figure>, Measures)>,
    scenarios_dir: Option<&Path>,
    stress: &str,
    lever: &Lever,
    figures: &[Figure],
) -> Result<Vec<Cell>, EngineError> {
    let dir = scenarios_dir.ok_or_else(|| {
        EngineError::Run(format!(
            "lever {:?} names the stress scenario {stress:?}, but no scenarios folder was found",
            lever.id
        ))
    })?;
    let path = dir.join(stress);
    if !cache.contains_key(&path) {
        let p = crate::scenario::prepare(&path)?;
        let f = figures_for(&p);
        let base = run_variant(&p, &f, &p.scenario, "effects: stress scenario")?;
        cache.insert(path.clone(), (p, f, base));
    }
    let (p, f, base) = &cache[&path];
    let lever_there = p.setup.catalogue.lever(&lever.id).ok_or_else(|| {
        EngineError::Run(format!(
            "stress scenario {}: its model has no lever {:?}",
            path.display(),
            lever.id
        ))
    })?;
    let open = run_variant(
        p,
        f,
        &opened(p, &p.scenario, lever_there)?,
        "effects: stress scenario",
    )?;
    let here = cells(f, lever, &difference(&open, base), base);
    Ok(figures
        .iter()
        .map(|fig| {
            f.iter()
                .position(|g| g == fig)
                .map(|i| here[i].clone())
                .unwrap_or(Cell {
                    change: 0.0,
                    reference: 0.0,
                    counts: false,
                    expected: fig.is_output.then(|| stated(lever, &fig.name)).flatten(),
                    verdict: Verdict::NoEffect,
                })
        })
        .collect())
}

impl EffectsTable {
    pub fn lever(&self, id: &str) -> Option<&LeverEffects> {
        self.levers.iter().find(|l| l.lever == id)
    }

    /// Plain lines for a lever's help: per row, the figures that moved (and stated ones that
    /// did not), e.g. `open: crossings +3423.0% (stated +, ok)`.
    pub fn help_lines(&self, id: &str) -> Vec<String> {
        let Some(l) = self.lever(id) else {
            return Vec::new();
        };
        l.rows
            .iter()
            .map(|(row, cells)| {
                let parts: Vec<String> = self
                    .figures
                    .iter()
                    .zip(cells)
                    .filter(|(_, c)| c.counts || c.expected.is_some())
                    .map(|(f, c)| {
                        let change = match (c.counts, f.is_date) {
                            (false, _) => "no effect".to_string(),
                            (true, true) => format!("{:+.0} days", c.change),
                            (true, false) if c.reference.abs() > 0.0 => {
                                format!("{:+.1}%", 100.0 * c.change / c.reference.abs())
                            }
                            (true, false) => format!("{:+.3}", c.change),
                        };
                        match c.expected {
                            Some(d) => format!(
                                "{} {change} (stated {}, {})",
                                f.name,
                                if d == Direction::Up { "+" } else { "-" },
                                c.verdict.as_str()
                            ),
                            None => format!("{} {change}", f.name),
                        }
                    })
                    .collect();
                let parts = if parts.is_empty() {
                    "no effect".to_string()
                } else {
                    parts.join("; ")
                };
                format!("{}: {parts}", row.as_str())
            })
            .collect()
    }

    /// `lever,row,figure,change,expected,verdict`: one line per lever, row (open, restore) and
    /// figure. The stress row is in the printed table, not here.
    pub fn csv(&self) -> String {
        let mut out = String::from("lever,row,figure,change,expected,verdict\n");
        for l in &self.levers {
            for (row, cells) in &l.rows {
                if *row == Row::Stress {
                    continue;
                }
                for (f, c) in self.figures.iter().zip(cells) {
                    let expected = match c.expected {
                        Some(Direction::Up) => "+",
                        Some(Direction::Down) => "-",
                        None => "",
                    };
                    out.push_str(&format!(
                        "{},{},{},{},{},{}\n",
                        crate::scenario::write::csv_text(&l.lever),
                        row.as_str(),
                        crate::scenario::write::csv_text(&f.name),
                        number(c.change),
                        expected,
                        c.verdict.as_str()
                    ));
                }
            }
        }
        out
    }

    /// The table for a terminal: one line per lever and row, one column per figure (changes in
    /// days for dates, in % of the scenario's value otherwise), then a legend and the problems.
    pub fn text(&self) -> String {
        let short: Vec<String> = (1..=self.figures.len()).map(|i| format!("c{i}")).collect();
        let width = 9;
        let lever_width = self
            .levers
            .iter()
            .map(|l| l.lever.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut out = format!("{:<lever_width$}  {:<7}", "lever", "row");
        for s in &short {
            out.push_str(&format!(" {s:>width$}"));
        }
        out.push('\n');
        for l in &self.levers {
            for (row, cells) in &l.rows {
                out.push_str(&format!("{:<lever_width$}  {:<7}", l.lever, row.as_str()));
                for (f, c) in self.figures.iter().zip(cells) {
                    out.push_str(&format!(" {:>width$}", cell_text(f, c)));
                }
                out.push('\n');
            }
        }
        out.push_str("\ncolumns (changes from opening the lever; open: opened − scenario, restore: fully open − restored):\n");
        for (s, f) in short.iter().zip(&self.figures) {
            let what = match (f.is_date, f.is_output) {
                (true, _) => format!("{} (days)", f.name),
                (false, true) => format!("{}, mean from {} (%)", f.name, self.last_year_from),
                (false, false) => format!("{} (%)", f.name),
            };
            out.push_str(&format!("  {s} = {what}\n"));
        }
        out.push_str(
            "marks: * a stated effect met, ! contradiction, 0 stated but no effect, nb not binding (stated), . no effect\n",
        );
        let contradictions: Vec<&str> = self
            .levers
            .iter()
            .filter(|l| l.contradictions() > 0)
            .map(|l| l.lever.as_str())
            .collect();
        let inert: Vec<&str> = self
            .levers
            .iter()
            .filter(|l| !l.moves_a_stated_output())
            .map(|l| l.lever.as_str())
            .collect();
        out.push_str(&format!(
            "contradictions: {}\nlevers that move none of their stated outputs: {}\n",
            list_or_none(&contradictions),
            list_or_none(&inert)
        ));
        out
    }
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn cell_text(f: &Figure, c: &Cell) -> String {
    if !c.counts {
        return match (c.expected, c.verdict) {
            (_, Verdict::NotBindingStated) => "nb".into(),
            (Some(_), _) => "0".into(),
            (None, _) => ".".into(),
        };
    }
    let number = if f.is_date {
        format!("{:+.0}d", c.change)
    } else if c.reference.abs() > 0.0 {
        format!("{:+.1}%", 100.0 * c.change / c.reference.abs())
    } else {
        format!("{:+.3}", c.change)
    };
    match c.verdict {
        Verdict::Contradiction => format!("{number}!"),
        _ if c.expected.is_some() => format!("{number}*"),
        _ => number,
    }
}

/// A change for the CSV: six decimals at most, trailing zeros dropped (900, -0.25).
fn number(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}
