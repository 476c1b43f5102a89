//! `borderflow ensemble`, `merge` and `sensitivity`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::analysis::ensemble::sensitivity::{self, Metric};
use crate::analysis::ensemble::{self, Plan, Progress, Summary, bytes_per_member, shard};
use crate::scenario;

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
        (Ok(i), Ok(n)) if n > 0 && i < n => Ok((i, n)),
        _ => Err(format!("--shard {s:?}: expected I/N with 0 <= I < N")),
    }
}

fn write_summary(summary: &Summary, csv: &Path) -> anyhow::Result<()> {
    std::fs::write(csv, summary.csv())
        .with_context(|| format!("cannot write {}", csv.display()))?;
    let h = headlines_path(csv);
    std::fs::write(&h, summary.headlines_csv())
        .with_context(|| format!("cannot write {}", h.display()))?;
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
    let plan = Plan::new(&prepared, &settings)?;
    if let Some(spec) = shard_spec {
        let (i, n) = parse_shard(spec).map_err(anyhow::Error::msg)?;
        let out = csv.context("--shard needs --csv OUT: the shard's member-level file")?;
        let indices: Vec<usize> = (0..plan.members()).filter(|m| m % n == i).collect();
        let done = ensemble::run_members(&prepared, &plan, &indices, &Progress::default())?;
        shard::write(out, &shard::Header::new(&prepared, &plan, i, n), &done)?;
        eprintln!(
            "shard {i}/{n}: {} members in {:.2} s, wrote {}",
            done.len(),
            started.elapsed().as_secs_f64(),
            out.display()
        );
        return Ok(());
    }
    let (_, summary) = ensemble::run(&prepared, &plan)?;
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
        Some(out) => write_summary(&summary, out)?,
        None => print!("{}", summary.headlines_csv()),
    }
    Ok(())
}

pub fn merge(shards: &[PathBuf], csv: &Path) -> anyhow::Result<()> {
    let summary = shard::merge(shards)?;
    eprintln!(
        "merged {} members from {} shards",
        summary.members,
        shards.len()
    );
    write_summary(&summary, csv)
}

pub fn sensitivity(
    file: &Path,
    metric: Metric,
    csv: Option<&Path>,
    sobol: usize,
) -> anyhow::Result<()> {
    let prepared = scenario::prepare(file)?;
    let plan = Plan::new(&prepared, &Plan::settings(&prepared, None, None))?;
    let (base, swings) = sensitivity::tornado(&prepared, &plan, metric)?;
    let indices = if sobol > 0 {
        Some(sensitivity::sobol(&prepared, &plan, metric, sobol)?)
    } else {
        None
    };
    let text = sensitivity::csv(&plan, metric, base, &swings, indices.as_deref());
    match csv {
        Some(out) => {
            std::fs::write(out, &text)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
