//! `borderflow ensemble`, `merge` and `sensitivity`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::analysis::ensemble::sensitivity::{self, Metric};
use crate::analysis::ensemble::{self, Plan, Progress, Summary, bytes_per_member, shard};
use crate::analysis::limits::{self, MAX_SHARDS};
use crate::scenario;
use crate::scenario::Prepared;
use crate::scenario::write::{refuse_input_as_output, write_atomic};

/// `OUT.csv` → `OUT.headlines.csv`.
pub fn headlines_path(csv: &Path) -> PathBuf {
    let stem = csv
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    csv.with_file_name(format!("{stem}.headlines.csv"))
}

/// Parses `I/N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("--shard {s:?}: expected I/N, e.g. 0/4"))?;
    match (i.parse::<usize>(), n.parse::<usize>()) {
        (Ok(i), Ok(n)) if n > 0 && i < n && n <= MAX_SHARDS => Ok((i, n)),
        _ => Err(format!(
            "--shard {s:?}: expected I/N with 0 <= I < N <= {MAX_SHARDS}"
        )),
    }
}

fn write_summary(summary: &Summary, csv: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let h = headlines_path(csv);
    refuse_input_as_output(csv, inputs)?;
    refuse_input_as_output(&h, inputs)?;
    write_atomic(csv, summary.csv().as_bytes())?;
    write_atomic(&h, summary.headlines_csv().as_bytes())?;
    eprintln!("wrote {} and {}", csv.display(), h.display());
    Ok(())
}

pub fn ensemble(
    file: &Path,
    members: Option<u32>,
    seed: Option<u64>,
    csv: Option<&Path>,
    shard_spec: Option<&str>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let prepared = scenario::prepare(file)?;
    let settings = Plan::settings(&prepared, members, seed);
    anyhow::ensure!(
        (1..=scenario::file::MAX_MEMBERS).contains(&settings.members),
        "--members: expected 1 ..= {}",
        scenario::file::MAX_MEMBERS
    );
    let shard = shard_spec
        .map(parse_shard)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let plan = Plan::new(&prepared, &settings)?;
    let kept = plan.members().div_ceil(shard.map_or(1, |(_, n)| n));
    limits::memory("the ensemble", kept, bytes_per_member(&plan))?;
    if let Some((i, n)) = shard {
        let out = csv.context("--shard needs --csv OUT: the shard's member-level file")?;
        refuse_input_as_output(out, &[file.to_path_buf()])?;
        let indices: Vec<usize> = (0..plan.members()).filter(|m| m % n == i).collect();
        let done = run_with_progress(&prepared, &plan, &indices)?;
        shard::write(out, &shard::Header::new(&prepared, &plan, i, n), &done)?;
        eprintln!(
            "shard {i}/{n}: {} members in {:.2} s, wrote {}",
            done.len(),
            started.elapsed().as_secs_f64(),
            out.display()
        );
        return Ok(());
    }
    let indices: Vec<usize> = (0..plan.members()).collect();
    let members = run_with_progress(&prepared, &plan, &indices)?;
    let summary = plan.summary(&members);
    drop(members);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} members ({} parameters, {:?}, seed {}) in {:.3} s: {:.0} members/s; {:.1} MB of member results",
        plan.members(),
        plan.parameters.len(),
        plan.sampler.sampling,
        plan.sampler.seed,
        secs,
        plan.members() as f64 / secs,
        (bytes_per_member(&plan) * plan.members()) as f64 / 1e6
    );
    match csv {
        Some(out) => write_summary(&summary, out, &[file.to_path_buf()])?,
        None => print!("{}", summary.headlines_csv()),
    }
    Ok(())
}

pub fn merge(shards: &[PathBuf], csv: &Path) -> anyhow::Result<()> {
    // Refused before the work, not only before the write.
    refuse_input_as_output(csv, shards)?;
    refuse_input_as_output(&headlines_path(csv), shards)?;
    let summary = shard::merge(shards)?;
    eprintln!(
        "merged {} members from {} shards",
        summary.members,
        shards.len()
    );
    write_summary(&summary, csv, shards)
}

pub fn sensitivity(
    file: &Path,
    metric: &str,
    csv: Option<&Path>,
    sobol: usize,
) -> anyhow::Result<()> {
    let prepared = scenario::prepare(file)?;
    let metric = Metric::named(&prepared.setup.description, metric)?;
    let metric = &metric;
    let plan = Plan::new(&prepared, &Plan::settings(&prepared, None, None))?;
    if sobol > 0 {
        limits::count("--sobol", sobol, limits::MAX_SOBOL_N)?;
        let k = plan.parameters.len();
        // Every run's parameter row is kept, with its metric.
        let rows = sobol.saturating_mul(k + 2);
        limits::memory("--sobol", rows, 8 * (k + 1) + 48)?;
    }
    let (base, swings) = sensitivity::tornado(&prepared, &plan, metric)?;
    let indices = if sobol > 0 {
        let progress = Progress::default();
        let runs = sobol * (plan.parameters.len() + 2);
        let result = with_progress_bar(runs, "Sobol runs", &progress, || {
            sensitivity::sobol(&prepared, &plan, metric, sobol, &progress)
        });
        Some(result?)
    } else {
        None
    };
    let text = sensitivity::csv(&plan, metric, base, &swings, indices.as_deref());
    match csv {
        Some(out) => {
            refuse_input_as_output(out, &[file.to_path_buf()])?;
            write_atomic(out, text.as_bytes())?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Runs ensemble members with a progress bar on the terminal.
fn run_with_progress(
    prepared: &Prepared,
    plan: &Plan,
    indices: &[usize],
) -> Result<Vec<ensemble::Member>, crate::engine::EngineError> {
    let progress = Progress::default();
    with_progress_bar(indices.len(), "members", &progress, || {
        ensemble::run_members(prepared, plan, indices, &progress)
    })
}

/// Runs `work` while a bar on stderr follows `progress.done` up to `total` (hidden when stderr
/// is not a terminal, as indicatif does).
pub fn with_progress_bar<T: Send>(
    total: usize,
    what: &str,
    progress: &Progress,
    work: impl FnOnce() -> T + Send,
) -> T {
    use std::sync::atomic::Ordering;
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} ({{elapsed}}, about {{eta}} left)"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let finished = std::sync::atomic::AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                bar.set_position(progress.done.load(Ordering::Relaxed) as u64);
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        let result = work();
        finished.store(true, Ordering::Relaxed);
        result
    });
    bar.finish_and_clear();
    result
}
