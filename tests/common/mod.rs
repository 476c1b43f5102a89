//! Small helpers shared by the integration tests.
#![allow(dead_code)]

use borderflow::engine::{self, Compiled, Overrides, Results};

/// Wraps variable declarations in a minimal XMILE document.
pub fn xmile(specs: &str, vars: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>test</name></header>
<sim_specs {specs}</sim_specs>
<model><variables>
{vars}
</variables></model>
</xmile>"#
    )
}

/// `<sim_specs method="Euler">` from 0 to `stop` by `dt`.
pub fn euler(stop: f64, dt: f64) -> String {
    format!(r#"method="Euler"><start>0</start><stop>{stop}</stop><dt>{dt}</dt>"#)
}

pub fn aux(name: &str, eqn: &str) -> String {
    format!(r#"<aux name="{name}"><eqn>{eqn}</eqn></aux>"#)
}

pub fn compile(text: &str) -> Compiled {
    engine::compile_str(text, "test.xmile").unwrap_or_else(|e| panic!("{e}"))
}

pub fn run(text: &str) -> Results {
    compile(text)
        .program
        .run(&Overrides::new())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs without the check that stops on NaN or infinity (as `--allow-nonfinite`), for tests
/// that compute them on purpose.
pub fn run_allowing_nonfinite(text: &str) -> Results {
    let compiled = compile(text);
    let mut out = Results::default();
    engine::Runner::new(&compiled.program)
        .unwrap_or_else(|e| panic!("{e}"))
        .run_into(&Overrides::new(), &mut out);
    out
}

pub fn series(results: &Results, name: &str) -> Vec<f64> {
    results
        .series(name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The error message of a model that must not compile.
pub fn error(text: &str) -> String {
    match engine::compile_str(text, "bad.xmile") {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// Relative closeness with an absolute floor of `tol` near zero.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

pub fn assert_series(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w, tol), "row {i}: got {g}, want {w}");
    }
}

/// Day index of a date on the fixtures' calendar (origin 2020-01-01, one row a day).
pub fn day(date: &str) -> usize {
    let cal = borderflow::scenario::Calendar {
        origin: "2020-01-01".into(),
        horizon_end: "2023-12-31".into(),
        record_end: "2022-10-10".into(),
    };
    cal.time_of(date).expect("a date in the fixtures' calendar") as usize
}
