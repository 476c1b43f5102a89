//! The `borderflow` command line. FILE arguments are a model (`.xmile`) or a scenario (`.ron`):
//! the extension decides.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand};

mod calibrate;
mod effects;
mod ensemble;

use crate::analysis;
use crate::analysis::export::write_table;
use crate::engine::{self, Executable, Override, Overrides, Results, Runner};
use crate::scenario::write::refuse_input_as_output;
use crate::scenario::{self, Prepared};

#[derive(Parser, Debug)]
#[command(
    name = "borderflow",
    version,
    about = "Shenzhen–Hong Kong border scenario simulator",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// A scenario to open in the desktop app (default: the status quo of 10 October 2022).
    file: Option<PathBuf>,
    /// Scenario files to compare with it (up to three).
    #[arg(long, value_name = "FILE")]
    compare: Vec<PathBuf>,
    /// A story (RON list of scenarios with captions) to present full screen.
    #[arg(long, value_name = "STORY")]
    present: Option<PathBuf>,
    /// With --present: the slide to open on (1 is the first).
    #[arg(long, value_name = "N", requires = "present", value_parser = clap::value_parser!(u32).range(1..))]
    slide: Option<u32>,
    /// Save the window as PNG once the runs and the ensemble are in, then close.
    #[arg(long, value_name = "OUT.png")]
    screenshot: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a model or scenario and write every variable (or the --output ones) at every save step.
    Run {
        /// A model (.xmile) or a scenario (.ron).
        file: PathBuf,
        /// Write the results as CSV to this file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Only these variables (repeatable).
        #[arg(long = "output", value_name = "NAME")]
        outputs: Vec<String>,
        /// Override a constant: NAME=VALUE (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Treat unit inconsistencies as errors.
        #[arg(long)]
        strict_units: bool,
        /// Let NaN and infinity through instead of stopping the run (for exploration).
        #[arg(long)]
        allow_nonfinite: bool,
    },
    /// Validate a model or scenario; exit 0 when valid, 1 when not, 2 for a usage error.
    Check {
        file: PathBuf,
        /// Treat unit inconsistencies as errors.
        #[arg(long)]
        strict_units: bool,
    },
    /// Compile once (levers included), run N times, print the median run time.
    Bench {
        file: PathBuf,
        #[arg(long, default_value_t = 100)]
        runs: usize,
    },
    /// Print every variable of a model (default: the embedded one) with its equation, unit,
    /// source and levers, as Markdown.
    Doc { model: Option<PathBuf> },
    /// Fit the model's calibration parameters to the record to 2022-10-10 and report the fit.
    Calibrate {
        /// Scenario whose history drives the levers (default: the embedded status quo, whose
        /// history to 2022-10-10 is the recorded one).
        scenario: Option<PathBuf>,
        /// Write the fitted values into the model file, or into PATH (required with the
        /// embedded model: its source, e.g. assets/models/szhk.xmile).
        #[arg(long, value_name = "PATH", num_args = 0..=1)]
        write: Option<Option<PathBuf>>,
        /// Write the report as Markdown here, and the plot beside it (.png).
        #[arg(long, value_name = "OUT.md")]
        report: Option<PathBuf>,
        /// First day of the out-of-sample check: the second fit uses only data before it.
        #[arg(long, default_value = "2022-01-01")]
        split: String,
        /// Optimiser starts (run in parallel).
        #[arg(long, default_value_t = 6)]
        starts: usize,
        /// Nelder-Mead iterations per start.
        #[arg(long, default_value_t = 800)]
        iterations: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run a scenario's ensemble and write percentile bands of its outputs and headline figures.
    Ensemble {
        file: PathBuf,
        /// Members (default: the scenario's ensemble, else 200).
        #[arg(long)]
        members: Option<u32>,
        #[arg(long)]
        seed: Option<u64>,
        /// Write `output,time,date,p5,p25,p50,p75,p95` here and the headline percentiles to
        /// OUT.headlines.csv (with --shard: the shard's member-level file).
        #[arg(long, value_name = "OUT.csv")]
        csv: Option<PathBuf>,
        /// Run only members with index mod N = I and write member-level results.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
    },
    /// Merge ensemble shards into the files the unsharded run writes.
    Merge {
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        #[arg(long, value_name = "OUT.csv")]
        csv: PathBuf,
    },
    /// Swing each uncertain parameter low to high and rank them by their effect on a metric.
    Sensitivity {
        file: PathBuf,
        /// A headline figure's id from the model description's `headlines` (an unknown id
        /// lists them all).
        #[arg(long, value_name = "NAME")]
        metric: String,
        #[arg(long, value_name = "OUT.csv")]
        csv: Option<PathBuf>,
        /// Also estimate Sobol indices from N base samples (N (k + 2) runs).
        #[arg(long, value_name = "N", default_value_t = 0)]
        sobol: usize,
    },
    /// Write a model (or a scenario's model) as standard XMILE; --flatten writes it without
    /// arrays, modules or macros (element x[a,b] as x__a__b, module variable m.v as m__v).
    Export {
        /// A model (.xmile) or a scenario (.ron) whose model to export.
        file: PathBuf,
        /// Expand arrays, modules and macros into scalar variables.
        #[arg(long)]
        flatten: bool,
        #[arg(long, value_name = "OUT.xmile")]
        out: PathBuf,
    },
    /// What each lever does: opened alone from the scenario (default: the status quo) and
    /// restored alone from the fully open one, checked against the catalogue's stated effects;
    /// exit 1 on a contradiction or a lever that moves none of its stated outputs.
    Effects {
        scenario: Option<PathBuf>,
        /// Write `lever,row,figure,change,expected,verdict` here.
        #[arg(long, value_name = "OUT.csv")]
        csv: Option<PathBuf>,
    },
    /// Run two scenarios and write their outputs side by side with the difference.
    Compare {
        a: PathBuf,
        b: PathBuf,
        /// Outputs to compare (repeatable, at least one).
        #[arg(long = "output", value_name = "NAME", required = true)]
        outputs: Vec<String>,
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Let NaN and infinity through instead of stopping the runs.
        #[arg(long)]
        allow_nonfinite: bool,
    },
}

/// Runs the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let Some(command) = cli.command else {
        let startup = crate::app::Startup {
            scenario: cli.file,
            compare: cli.compare,
            present: cli.present,
            slide: cli.slide.map_or(0, |n| n as usize - 1),
            screenshot: cli.screenshot,
        };
        return match crate::app::run(startup) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        };
    };
    let result = match command {
        Command::Run {
            file,
            csv,
            outputs,
            set,
            strict_units,
            allow_nonfinite,
        } => run(
            &file,
            csv.as_deref(),
            &outputs,
            &set,
            RunOptions {
                strict_units,
                allow_nonfinite,
            },
        ),
        Command::Check { file, strict_units } => check(&file, strict_units),
        Command::Bench { file, runs } => bench(&file, runs),
        Command::Compare {
            a,
            b,
            outputs,
            csv,
            allow_nonfinite,
        } => compare(&a, &b, &outputs, csv.as_deref(), allow_nonfinite),
        Command::Doc { model } => doc(model.as_deref()),
        Command::Export { file, flatten, out } => export(&file, flatten, &out),
        Command::Effects { scenario, csv } => effects::effects(scenario.as_deref(), csv.as_deref()),
        Command::Ensemble {
            file,
            members,
            seed,
            csv,
            shard,
        } => ensemble::ensemble(&file, members, seed, csv.as_deref(), shard.as_deref()),
        Command::Merge { shards, csv } => ensemble::merge(&shards, &csv),
        Command::Sensitivity {
            file,
            metric,
            csv,
            sobol,
        } => ensemble::sensitivity(&file, &metric, csv.as_deref(), sobol),
        Command::Calibrate {
            scenario,
            write,
            report,
            split,
            starts,
            iterations,
            seed,
        } => calibrate::calibrate(&calibrate::CalibrateArgs {
            scenario,
            write,
            report,
            split,
            options: crate::analysis::calibration::FitOptions {
                starts,
                max_iters: iterations,
                seed,
            },
        }),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}

/// A file given on the command line, compiled and (for a scenario) prepared.
enum Loaded {
    Model(Box<engine::Compiled>),
    Scenario(Box<Prepared>),
}

impl Loaded {
    fn open(path: &Path, strict_units: bool) -> anyhow::Result<Loaded> {
        let loaded = if is_scenario(path) {
            let prepared = scenario::prepare(path)?;
            for note in &prepared.notes {
                eprintln!("note: {note}");
            }
            Loaded::Scenario(Box::new(prepared))
        } else {
            Loaded::Model(Box::new(engine::compile_file(path)?))
        };
        let warnings = &loaded.compiled().unit_warnings;
        for w in warnings {
            eprintln!("{} {w}", if strict_units { "error:" } else { "warning:" });
        }
        if strict_units && !warnings.is_empty() {
            anyhow::bail!("{} unit inconsistencies (--strict-units)", warnings.len());
        }
        Ok(loaded)
    }

    fn compiled(&self) -> &engine::Compiled {
        match self {
            Loaded::Model(c) => c,
            Loaded::Scenario(p) => &p.setup.compiled,
        }
    }

    fn program(&self) -> &Executable {
        &self.compiled().program
    }

    /// Lets runs of this file produce NaN and infinity (`--allow-nonfinite`).
    fn allow_nonfinite(&mut self) {
        let program = match self {
            Loaded::Model(c) => &mut c.program,
            Loaded::Scenario(p) => &mut std::sync::Arc::make_mut(&mut p.setup).compiled.program,
        };
        program.allow_nonfinite(true);
    }

    /// Runs once; a non-finite value is reported with its date, for a scenario.
    fn run(&self, overrides: &Overrides) -> anyhow::Result<Results> {
        let results = self.program().run(overrides);
        Ok(match self {
            Loaded::Model(_) => results?,
            Loaded::Scenario(p) => {
                let cal = p.calendar();
                results.map_err(|e| e.with_date(|t| cal.date_of(t)))?
            }
        })
    }

    /// The files this one reads: itself and, for a scenario, its model.
    fn inputs(&self, path: &Path) -> Vec<PathBuf> {
        let mut inputs = vec![path.to_path_buf()];
        if let Loaded::Scenario(p) = self
            && let scenario::ModelRef::Path(m) = &p.scenario.model
        {
            inputs.push(path.parent().unwrap_or(Path::new(".")).join(m));
        }
        inputs
    }

    /// The scenario's overrides (none for a model) plus `--set` constants.
    fn overrides(&self, set: &[String]) -> anyhow::Result<Overrides> {
        let mut overrides = match self {
            Loaded::Model(_) => Overrides::new(),
            Loaded::Scenario(p) => p.overrides.clone(),
        };
        for item in set {
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--set {item:?}: expected NAME=VALUE"))?;
            let value: f64 = value.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "--set {item:?}: expected a number after '=', found {:?}",
                    value.trim()
                )
            })?;
            overrides
                .set(self.program(), name.trim(), Override::Constant(value))
                .map_err(|e| anyhow::anyhow!("--set {item:?}: {e}"))?;
        }
        Ok(overrides)
    }

    /// Calendar dates of the result rows (scenarios only).
    fn dates(&self, results: &Results) -> Option<Vec<String>> {
        match self {
            Loaded::Model(_) => None,
            Loaded::Scenario(p) => {
                let cal = p.calendar();
                Some(results.times.iter().map(|&t| cal.date_of(t)).collect())
            }
        }
    }
}

fn is_scenario(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
}

fn export(file: &Path, flatten: bool, out: &Path) -> anyhow::Result<()> {
    let loaded = Loaded::open(file, false)?;
    let compiled = loaded.compiled();
    let text = if flatten {
        engine::xmile_out::write_flat(&compiled.model)
            .map_err(|e| anyhow::anyhow!("{}: cannot flatten: {e}", file.display()))?
    } else {
        engine::xmile_out::write(&compiled.source)
    };
    refuse_input_as_output(out, &loaded.inputs(file))?;
    crate::scenario::write::write_atomic(out, text.as_bytes())?;
    Ok(())
}

/// Column indices of the requested outputs (all columns when none are asked for).
fn select(results: &Results, outputs: &[String]) -> anyhow::Result<Vec<usize>> {
    if outputs.is_empty() {
        return Ok((0..results.names.len()).collect());
    }
    let mut cols = Vec::new();
    for name in outputs {
        // An array's name gives all its elements; `name[element]` one of them.
        let found = results.columns_named(name);
        if found.is_empty() {
            anyhow::bail!("--output {name:?}: no such variable in the model");
        }
        cols.extend(found);
    }
    Ok(cols)
}

struct RunOptions {
    strict_units: bool,
    allow_nonfinite: bool,
}

fn run(
    path: &Path,
    csv: Option<&Path>,
    outputs: &[String],
    set: &[String],
    options: RunOptions,
) -> anyhow::Result<()> {
    let mut loaded = Loaded::open(path, options.strict_units)?;
    if let Some(out) = csv {
        refuse_input_as_output(out, &loaded.inputs(path))?;
    }
    if options.allow_nonfinite {
        loaded.allow_nonfinite();
    }
    let overrides = loaded.overrides(set)?;
    let results = loaded.run(&overrides)?;
    let cols = select(&results, outputs)?;
    let dates = loaded.dates(&results);
    let columns: Vec<(String, Vec<f64>)> = cols
        .iter()
        .map(|&c| (results.names[c].clone(), results.column(c)))
        .collect();
    match csv {
        Some(out) => {
            for note in write_table(out, &results.times, dates.as_deref(), &columns)? {
                eprintln!("note: {note}");
            }
        }
        None => print_summary(&results.times, &columns, &mut std::io::stdout().lock()),
    }
    if let Loaded::Scenario(p) = &loaded {
        let cal = p.calendar();
        let description = &p.setup.description;
        // A difference from the status quo needs the status quo's own figures.
        let status_quo = if description.needs_status_quo() {
            let sq = scenario::Prepared::status_quo(std::sync::Arc::clone(&p.setup))?;
            let r = sq.run_with(&[])?.results;
            analysis::headlines(description, &r, &cal, sq.branch_time(), None)
        } else {
            None
        };
        if let Some(h) = analysis::headlines(
            description,
            &results,
            &cal,
            p.branch_time(),
            status_quo.as_ref(),
        ) {
            for line in h.lines(description, &cal) {
                println!("{line}");
            }
        }
    }
    Ok(())
}

/// Initial, min, max and final value of each column.
fn print_summary(times: &[f64], columns: &[(String, Vec<f64>)], out: &mut dyn Write) {
    let _ = writeln!(
        out,
        "{} save steps from {} to {}",
        times.len(),
        times.first().copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(0.0)
    );
    let width = columns
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 40);
    let _ = writeln!(
        out,
        "{:<width$}  {:>14}  {:>14}  {:>14}  {:>14}",
        "variable", "initial", "min", "max", "final"
    );
    for (name, series) in columns {
        let min = series.iter().copied().fold(f64::INFINITY, f64::min);
        let max = series.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let first = series.first().copied().unwrap_or(f64::NAN);
        let last = series.last().copied().unwrap_or(f64::NAN);
        let _ = writeln!(
            out,
            "{name:<width$}  {first:>14.6}  {min:>14.6}  {max:>14.6}  {last:>14.6}"
        );
    }
}

fn check(path: &Path, strict: bool) -> anyhow::Result<()> {
    let loaded = Loaded::open(path, strict)?;
    let compiled = loaded.compiled();
    let count = |k| {
        compiled
            .model
            .variables
            .iter()
            .filter(|v| v.kind == k)
            .count()
    };
    let warnings = compiled.unit_warnings.len();
    // A description beside a model is checked with it (a scenario's model loads its own).
    let description = scenario::description_path(path);
    if matches!(loaded, Loaded::Model(_)) && description.exists() {
        let d = scenario::Description::load(&description, &compiled.program)?;
        d.check_names(
            &engine::read_text(&description)?,
            &description.display().to_string(),
            &compiled.program,
            &scenario::prepare::sectors(compiled),
            &scenario::prepare::elements(compiled),
        )?;
    }
    match &loaded {
        Loaded::Model(_) => println!(
            "{}: valid: {} stocks, {} flows, {} auxes, {} warnings",
            path.display(),
            count(engine::ast::VarKind::Stock),
            count(engine::ast::VarKind::Flow),
            count(engine::ast::VarKind::Aux),
            warnings
        ),
        Loaded::Scenario(p) => println!(
            "{}: valid scenario {:?}: {} levers changed, {} constants overridden, {} unit warnings in the model",
            path.display(),
            scenario::text_in(&p.scenario.title, "en"),
            p.scenario.levers.len(),
            p.scenario.overrides.len(),
            warnings
        ),
    }
    Ok(())
}

fn bench(path: &Path, runs: usize) -> anyhow::Result<()> {
    analysis::limits::count("--runs", runs, analysis::limits::MAX_BENCH_RUNS)?;
    let loaded = Loaded::open(path, false)?;
    let overrides = loaded.overrides(&[])?;
    let program = loaded.program();
    let mut runner = Runner::new(program)?;
    let mut results = Results::default();
    runner.run_into(&overrides, &mut results); // warm-up
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = Instant::now();
        runner.run_into(&overrides, &mut results);
        times.push(t0.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(&results);
    }
    times.sort_by(f64::total_cmp);
    let median = if runs % 2 == 1 {
        times[runs / 2]
    } else {
        (times[runs / 2 - 1] + times[runs / 2]) / 2.0
    };
    println!(
        "median_run_us={median:.2} min_run_us={:.2} max_run_us={:.2} runs={runs} steps={} variables={}",
        times[0],
        times[runs - 1],
        program.step_count(),
        program.user_count()
    );
    Ok(())
}

fn compare(
    a: &Path,
    b: &Path,
    outputs: &[String],
    csv: Option<&Path>,
    allow_nonfinite: bool,
) -> anyhow::Result<()> {
    let mut runs = Vec::new();
    let mut inputs = Vec::new();
    for path in [a, b] {
        anyhow::ensure!(
            is_scenario(path),
            "compare: {} is not a scenario (.ron)",
            path.display()
        );
        let mut loaded = Loaded::open(path, false)?;
        if allow_nonfinite {
            loaded.allow_nonfinite();
        }
        inputs.extend(loaded.inputs(path));
        if let Some(out) = csv {
            refuse_input_as_output(out, &inputs)?;
        }
        let results = loaded.run(&loaded.overrides(&[])?)?;
        let dates = loaded.dates(&results).unwrap_or_default();
        runs.push((results, dates));
    }
    let (ra, rb) = (&runs[0].0, &runs[1].0);
    anyhow::ensure!(
        ra.times == rb.times && runs[0].1 == runs[1].1,
        "compare: {} and {} run on different time axes (different models or calendars)",
        a.display(),
        b.display()
    );
    select(ra, outputs)?;
    let names: Vec<&str> = outputs.iter().map(String::as_str).collect();
    let columns =
        analysis::export::comparison_columns(&[ra, rb], &names).map_err(anyhow::Error::msg)?;
    eprintln!("A = {}\nB = {}", a.display(), b.display());
    print_summary(&ra.times, &columns, &mut std::io::stderr().lock());
    if let Some(out) = csv {
        for note in write_table(out, &ra.times, Some(&runs[0].1), &columns)? {
            eprintln!("note: {note}");
        }
    }
    Ok(())
}

fn doc(model: Option<&Path>) -> anyhow::Result<()> {
    let setup = match model {
        Some(path) => {
            let compiled = engine::compile_file(path)?;
            let catalogue_path = scenario::catalogue_path(path);
            let catalogue = if catalogue_path.exists() {
                Some(scenario::Catalogue::load(
                    &catalogue_path,
                    &compiled.program,
                )?)
            } else {
                None
            };
            (compiled, catalogue)
        }
        None => {
            let embedded = scenario::ModelSetup::embedded()?;
            (embedded.compiled, Some(embedded.catalogue))
        }
    };
    print!("{}", analysis::model_doc(&setup.0, setup.1.as_ref()));
    Ok(())
}
