//! The shipped model guards its own divisions: every lever constant at both ends of its
//! catalogue range, every categorical preset, and every uncertain parameter at both ends of its
//! calibration range, run on the shipped scenarios, gives finite results (the run refuses
//! NaN and infinity, so a run that returns is finite).

use std::path::Path;

use borderflow::scenario::{self, LeverKind};

fn scenarios() -> Vec<scenario::Prepared> {
    ["baseline-2022-10.ron", "actual-2020-2023.ron"]
        .iter()
        .map(|f| {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios")
                .join(f);
            scenario::prepare(&p).unwrap_or_else(|e| panic!("{f}: {e}"))
        })
        .collect()
}

#[test]
fn every_lever_and_parameter_extreme_runs_finite() {
    let prepared = scenarios();
    let setup = &prepared[0].setup;
    let mut settings: Vec<(String, f64)> = Vec::new();
    for lever in &setup.catalogue.levers {
        match &lever.kind {
            LeverKind::Numeric {
                constant,
                min,
                max,
                unlimited,
                ..
            } => {
                settings.push((constant.clone(), *min));
                settings.push((constant.clone(), *max));
                if let Some(u) = unlimited {
                    settings.push((constant.clone(), *u));
                }
            }
            LeverKind::Categorical { presets } => {
                for p in presets {
                    settings.extend(p.values.iter().map(|(c, v)| (c.clone(), *v)));
                }
            }
        }
    }
    for p in &setup.parameters.parameters {
        settings.push((p.constant.clone(), p.low));
        settings.push((p.constant.clone(), p.high));
    }
    assert!(settings.len() > 40, "the catalogue has its levers");
    let mut failures = Vec::new();
    for p in &prepared {
        for (name, v) in &settings {
            if let Err(e) = p.run_with(&[(name.clone(), *v)]) {
                failures.push(format!("{name} = {v}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
