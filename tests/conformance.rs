//! The SDXorg conformance suite (tests/sd-test-models, MIT licence), judged by the suite's own
//! comparison rule: columns matched by name case-insensitively with spaces and underscores alike,
//! a value passes when both are near zero or they agree to a relative 1e-4.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use borderflow::engine::{self, Overrides, canonical_name};

const SKIPPED: [&str; 6] = [
    "time",
    "initial_time",
    "final_time",
    "time_step",
    "saveper",
    "dt",
];

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sd-test-models")
}

/// Reads a reference output (comma- or tab-separated; any line ending) into columns by name.
fn reference(dir: &Path) -> (Vec<f64>, HashMap<String, Vec<f64>>) {
    let (path, delim) = if dir.join("output.csv").exists() {
        (dir.join("output.csv"), b',')
    } else {
        (dir.join("output.tab"), b'\t')
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers: Vec<String> = rdr
        .headers()
        .expect("header row")
        .iter()
        .map(|h| h.to_string())
        .collect();
    let mut cols: HashMap<String, Vec<f64>> = HashMap::new();
    let mut times = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("reference row");
        for (h, v) in headers.iter().zip(rec.iter()) {
            let v: f64 = v.trim().parse().unwrap_or(f64::NAN);
            if canonical_name(h) == "time" {
                times.push(v);
            } else {
                cols.entry(canonical_name(h)).or_default().push(v);
            }
        }
    }
    (times, cols)
}

fn passes(reference: f64, simulated: f64) -> bool {
    (reference.abs() <= 3e-6 && simulated.abs() <= 1e-6)
        || (reference - simulated).abs() <= 1e-4 * reference.abs().max(simulated.abs())
}

/// Compiles and runs one model and compares it with its folder's reference output.
fn check_model(model: &Path) -> Result<usize, String> {
    let compiled = engine::compile_file(model).map_err(|e| e.to_string())?;
    let results = compiled
        .program
        .run(&Overrides::new())
        .map_err(|e| e.to_string())?;
    let (times, cols) = reference(model.parent().expect("model in a folder"));
    let defined: HashMap<String, usize> = results
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (canonical_name(n), i))
        .collect();
    let mut compared = 0;
    for (name, expected) in &cols {
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        // Known upstream defect: smooth_and_stock's reference lists variables the model lacks.
        let Some(&col) = defined.get(name) else {
            if model.ends_with("test_smooth_and_stock.xmile") {
                continue;
            }
            return Err(format!("reference column {name:?} is not produced"));
        };
        let series = results.column(col);
        for (row, (&t, &want)) in times.iter().zip(expected).enumerate() {
            // Reference times may be rounded (SIR's 10.0312 for 10.03125): take the nearest.
            let tol = 1e-4 * t.abs().max(1.0);
            let Some(r) = results.times.iter().position(|&rt| (rt - t).abs() <= tol) else {
                return Err(format!("no result at time {t}"));
            };
            if !passes(want, series[r]) {
                return Err(format!(
                    "{name} at time {t} (row {row}): expected {want}, got {}",
                    series[r]
                ));
            }
            compared += 1;
        }
    }
    if compared == 0 {
        return Err("nothing compared".into());
    }
    Ok(compared)
}

fn all_models() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![suite()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("suite folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xmile") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_conformance_model_matches_its_reference() {
    let mut failures = Vec::new();
    let mut passed = 0;
    for model in all_models() {
        if model.to_string_lossy().contains("non_negative_flows") {
            continue; // ill-formed XML upstream: see the rejection test below
        }
        match check_model(&model) {
            Ok(_) => passed += 1,
            Err(e) => failures.push(format!("{}: {e}", model.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} passed, {} failed:\n{}",
        passed,
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(passed, 27, "the suite has 29 files, 2 of them ill-formed");
}

#[test]
fn ill_formed_non_negative_flow_files_are_rejected_at_the_broken_line() {
    for (file, line) in [
        ("test_non_negative_flows.xmile", 45),
        ("test_non_negative_flows_behavior.xmile", 49),
    ] {
        let path = suite().join("tests/non_negative_flows").join(file);
        let err = engine::compile_file(&path).expect_err("ill-formed XML must be rejected");
        let diags = err.diagnostics();
        assert_eq!(diags.len(), 1, "{err}");
        assert_eq!(diags[0].location.line, line, "{err}");
        assert!(diags[0].file.ends_with(file), "{err}");
        assert!(diags[0].message.contains("not well formed"), "{err}");
    }
}
