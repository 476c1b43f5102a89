//! The `borderflow` command line.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::engine::{self, Override, Overrides, Results, Runner};

#[derive(Parser, Debug)]
#[command(
    name = "borderflow",
    version,
    about = "Shenzhen–Hong Kong border scenario simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run an XMILE model and write every variable at every save step.
    Run {
        model: PathBuf,
        /// Write the results as CSV to this file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Override a constant: NAME=VALUE (repeatable).
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Treat unit inconsistencies as errors.
        #[arg(long)]
        strict_units: bool,
    },
    /// Validate a model and print counts of stocks, flows, auxes and warnings.
    Check {
        model: PathBuf,
        /// Treat unit inconsistencies as errors.
        #[arg(long)]
        strict_units: bool,
    },
    /// Compile once, run N times, print the median run time.
    Bench {
        model: PathBuf,
        #[arg(long, default_value_t = 100)]
        runs: usize,
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
        use clap::CommandFactory;
        let _ = Cli::command().print_help();
        return 0;
    };
    match command {
        Command::Run {
            model,
            csv,
            set,
            strict_units,
        } => report(run(&model, csv.as_deref(), &set, strict_units)),
        Command::Check {
            model,
            strict_units,
        } => report(check(&model, strict_units)),
        Command::Bench { model, runs } => report(bench(&model, runs)),
    }
}

fn report(result: anyhow::Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}

fn load(path: &std::path::Path, strict_units: bool) -> anyhow::Result<engine::Compiled> {
    let compiled = engine::compile_file(path)?;
    for w in &compiled.unit_warnings {
        eprintln!("{} {w}", if strict_units { "error:" } else { "warning:" });
    }
    if strict_units && !compiled.unit_warnings.is_empty() {
        anyhow::bail!(
            "{} unit inconsistencies (--strict-units)",
            compiled.unit_warnings.len()
        );
    }
    Ok(compiled)
}

fn parse_set(program: &engine::Program, set: &[String]) -> anyhow::Result<Overrides> {
    let mut overrides = Overrides::new();
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
            .set(program, name.trim(), Override::Constant(value))
            .map_err(|e| anyhow::anyhow!("--set {item:?}: {e}"))?;
    }
    Ok(overrides)
}

fn run(
    path: &std::path::Path,
    csv: Option<&std::path::Path>,
    set: &[String],
    strict: bool,
) -> anyhow::Result<()> {
    let compiled = load(path, strict)?;
    let overrides = parse_set(&compiled.program, set)?;
    let results = compiled.program.run(&overrides)?;
    match csv {
        Some(out) => write_csv(&results, out),
        None => {
            print_summary(&results);
            Ok(())
        }
    }
}

/// Writes `time` then every model variable, one row per save step (RFC 4180).
pub fn write_csv(results: &Results, out: &std::path::Path) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(out)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    let mut header = vec!["time".to_string()];
    header.extend(results.names.iter().cloned());
    w.write_record(&header)?;
    let mut record = Vec::with_capacity(header.len());
    for row in 0..results.rows() {
        record.clear();
        record.push(results.times[row].to_string());
        record.extend(results.row(row).iter().map(|v| v.to_string()));
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

fn print_summary(results: &Results) {
    let last = results.rows().saturating_sub(1);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} save steps from {} to {}",
        results.rows(),
        results.times.first().copied().unwrap_or(0.0),
        results.times.last().copied().unwrap_or(0.0)
    );
    let width = results
        .names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(8)
        .min(40);
    let _ = writeln!(
        out,
        "{:<width$}  {:>14}  {:>14}  {:>14}  {:>14}",
        "variable", "initial", "min", "max", "final"
    );
    for (col, name) in results.names.iter().enumerate() {
        let series = results.column(col);
        let min = series.iter().copied().fold(f64::INFINITY, f64::min);
        let max = series.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let _ = writeln!(
            out,
            "{:<width$}  {:>14.6}  {:>14.6}  {:>14.6}  {:>14.6}",
            name, series[0], min, max, series[last]
        );
    }
}

fn check(path: &std::path::Path, strict: bool) -> anyhow::Result<()> {
    let compiled = load(path, strict)?;
    let count = |k| {
        compiled
            .model
            .variables
            .iter()
            .filter(|v| v.kind == k)
            .count()
    };
    println!(
        "{}: valid: {} stocks, {} flows, {} auxes, {} warnings",
        path.display(),
        count(engine::ast::VarKind::Stock),
        count(engine::ast::VarKind::Flow),
        count(engine::ast::VarKind::Aux),
        compiled.unit_warnings.len()
    );
    Ok(())
}

fn bench(path: &std::path::Path, runs: usize) -> anyhow::Result<()> {
    anyhow::ensure!(runs > 0, "--runs must be at least 1");
    let compiled = engine::compile_file(path)?;
    let mut runner = Runner::new(&compiled.program)?;
    let overrides = Overrides::new();
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
        compiled.program.step_count(),
        compiled.program.user_count
    );
    Ok(())
}
