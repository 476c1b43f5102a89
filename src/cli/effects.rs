//! `borderflow effects [SCENARIO] [--csv OUT]`: what each lever does, opened alone from the
//! scenario and restored alone from the fully open one (see `analysis::effects`).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::analysis::effects::lever_effects;
use crate::scenario::{self, prepare::DEFAULT_SCENARIO};

pub fn effects(scenario: Option<&Path>, csv: Option<&Path>) -> anyhow::Result<()> {
    let prepared = match scenario {
        Some(path) => scenario::prepare(path)?,
        None => scenario::prepare_str(
            DEFAULT_SCENARIO,
            Path::new("baseline-2022-10.ron (embedded)"),
        )?,
    };
    for note in &prepared.notes {
        eprintln!("note: {note}");
    }
    let dir = scenarios_dir(scenario);
    let table = lever_effects(&prepared, dir.as_deref())?;
    print!("{}", table.text());
    if let Some(out) = csv {
        crate::scenario::write::write_atomic(out, table.csv().as_bytes())
            .with_context(|| format!("writing {}", out.display()))?;
    }
    let bad = table
        .levers
        .iter()
        .filter(|l| l.contradictions() > 0 || !l.moves_a_stated_output())
        .count();
    anyhow::ensure!(
        bad == 0,
        "{bad} levers contradict their stated effects or move none of their stated outputs"
    );
    Ok(())
}

/// Where stress scenarios are (catalogue paths are relative to `scenarios/`): the scenario's own
/// folder or its nearest ancestor named `scenarios`, else `./scenarios`, else the source tree's.
fn scenarios_dir(scenario: Option<&Path>) -> Option<PathBuf> {
    let from_scenario = scenario.and_then(|p| {
        let absolute = std::path::absolute(p).ok()?;
        absolute
            .ancestors()
            .skip(1)
            .find(|a| a.file_name().is_some_and(|n| n == "scenarios"))
            .map(Path::to_path_buf)
    });
    from_scenario
        .or_else(|| Some(PathBuf::from("scenarios")).filter(|p| p.is_dir()))
        .or_else(|| {
            Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")).filter(|p| p.is_dir())
        })
}
