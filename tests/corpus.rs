//! Simlin's test models (tests/xmile-corpus, Apache-2.0): arrays, modules, PREVIOUS/SELF,
//! lookups and delays, judged by the corpus's comparison rule (its README): columns matched by
//! name with case, quotes and spaces vs underscores ignored; a value passes when
//! |simulated - reference| <= 1e-4 * max(|reference|, 1e-2 * peak), peak being the largest
//! |reference| of that column. Models without reference output must load, run and stay finite;
//! conveyors and queues must be refused by name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use borderflow::engine::{self, Overrides, canonical_name};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xmile-corpus/simlin-test")
}

/// Column key: canonical name without quotes (module variables keep their `module.` prefix).
fn key(name: &str) -> String {
    canonical_name(&name.replace('"', ""))
}

/// Reference times and, per column key, its values.
type Reference = (Vec<f64>, Vec<(String, Vec<f64>)>);

/// Reads a reference output (comma- or tab-separated) into times and columns by key.
fn reference(dir: &Path) -> Option<Reference> {
    let (path, delim) = if dir.join("output.csv").exists() {
        (dir.join("output.csv"), b',')
    } else if dir.join("output.tab").exists() {
        (dir.join("output.tab"), b'\t')
    } else {
        return None;
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers: Vec<String> = rdr.headers().expect("header").iter().map(key).collect();
    let mut cols: Vec<(String, Vec<f64>)> = headers[1..]
        .iter()
        .map(|h| (h.clone(), Vec::new()))
        .collect();
    let mut times = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("row");
        for (k, cell) in rec.iter().enumerate() {
            let v: f64 = cell.trim().parse().unwrap_or(f64::NAN);
            if k == 0 {
                times.push(v);
            } else if let Some(c) = cols.get_mut(k - 1) {
                c.1.push(v);
            }
        }
    }
    Some((times, cols))
}

fn model_in(dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xmile" || e == "stmx"))
        .collect();
    files.sort();
    files.remove(0)
}

fn check(dir: &Path) -> Result<usize, String> {
    let model = model_in(dir);
    let compiled = engine::compile_file(&model).map_err(|e| e.to_string())?;
    let results = compiled
        .program
        .run(&Overrides::new())
        .map_err(|e| e.to_string())?;
    let (times, cols) = reference(dir).expect("reference output");
    let defined: HashMap<String, usize> = results
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (key(n), i))
        .collect();
    let mut compared = 0;
    for (name, expected) in &cols {
        let Some(&col) = defined.get(name) else {
            return Err(format!("reference column {name:?} is not produced"));
        };
        let series = results.column(col);
        let peak = expected
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        for (&t, &want) in times.iter().zip(expected) {
            if want.is_nan() {
                continue; // empty reference cell
            }
            let tol_t = 1e-6 * t.abs().max(1.0);
            let Some(r) = results.times.iter().position(|&rt| (rt - t).abs() <= tol_t) else {
                return Err(format!("no result at time {t}"));
            };
            let got = series[r];
            let ok = got.is_finite() && (got - want).abs() <= 1e-4 * want.abs().max(1e-2 * peak);
            if !ok {
                return Err(format!("{name} at time {t}: expected {want}, got {got}"));
            }
            compared += 1;
        }
    }
    Ok(compared)
}

fn folders() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

#[test]
fn every_corpus_model_with_reference_output_matches_it() {
    let mut failures = Vec::new();
    let mut passed = Vec::new();
    for dir in folders() {
        if reference(&dir).is_none() {
            continue;
        }
        match check(&dir) {
            Ok(n) => passed.push(format!("{} ({n} values)", dir.display())),
            Err(e) => failures.push(format!("{}: {e}", dir.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} passed, {} failed:\n{}",
        passed.len(),
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        passed.len(),
        19,
        "the corpus has 19 folders with reference output"
    );
}

/// Models of the corpus without reference output: they load, run and stay finite.
#[test]
fn corpus_models_without_reference_run_and_stay_finite() {
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut models = Vec::new();
    for dir in folders() {
        if reference(&dir).is_some() || dir.ends_with("conveyors") || dir.ends_with("queues") {
            continue;
        }
        for entry in std::fs::read_dir(&dir).expect("folder") {
            let p = entry.expect("entry").path();
            if p.extension().is_some_and(|e| e == "xmile" || e == "stmx") {
                models.push(p);
            }
        }
    }
    models.sort();
    for model in models {
        let outcome = engine::compile_file(&model)
            .map_err(|e| e.to_string())
            .and_then(|c| c.program.run(&Overrides::new()).map_err(|e| e.to_string()));
        match outcome {
            Ok(r) => {
                let bad = (0..r.names.len()).find(|&c| r.column(c).iter().any(|v| !v.is_finite()));
                match bad {
                    Some(c) => {
                        failures.push(format!("{}: {} is not finite", model.display(), r.names[c]))
                    }
                    None => ran += 1,
                }
            }
            Err(e) => failures.push(format!("{}: {e}", model.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{ran} ran, failures:\n{}",
        failures.join("\n")
    );
    assert!(ran >= 10, "only {ran} models ran");
}

#[test]
fn conveyors_and_queues_are_refused_by_name() {
    for sub in ["conveyors", "queues"] {
        let dir = corpus().join(sub);
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("folder") {
            let p = entry.expect("entry").path();
            if !p.extension().is_some_and(|e| e == "xmile" || e == "stmx") {
                continue;
            }
            seen += 1;
            let err = engine::compile_file(&p).expect_err("conveyors and queues are not supported");
            let text = err.to_string();
            assert!(
                text.contains("conveyor") || text.contains("queue"),
                "{}: {text}",
                p.display()
            );
        }
        assert!(seen > 0, "{sub} has models");
    }
}
