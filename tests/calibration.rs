//! Calibration: the out-of-sample split never sees data after it, a fit improves on its start,
//! `--write` edits only the fitted constants, and no figure after 2022-10-10 is an outcome.

mod common;

use std::path::Path;

use borderflow::analysis::calibration::{
    self, FitOptions, Observed, TargetKind, Window, observed_record, targets,
};
use borderflow::engine::edit::{ConstantEdit, set_equations};
use borderflow::scenario::prepare::{DEFAULT_SCENARIO, EMBEDDED_MODEL};
use borderflow::scenario::{ParameterList, Prepared, prepare_str};

/// Enough optimiser work to move, little enough for a test.
const QUICK: FitOptions = FitOptions {
    starts: 2,
    max_iters: 120,
    seed: 3,
};

fn status_quo() -> Prepared {
    prepare_str(DEFAULT_SCENARIO, Path::new("baseline-2022-10.ron")).unwrap()
}

#[test]
fn the_split_fit_never_reads_data_after_the_split() {
    let prepared = status_quo();
    let cal = prepared.calendar();
    let observed = observed_record(&prepared.setup.description, &cal);
    let split = cal.time_of("2022-01-01").unwrap();
    // The same record with every day from the split on replaced by nonsense.
    let mut corrupted: Observed = observed.clone();
    for series in corrupted.values_mut() {
        for (t, v) in series.iter_mut() {
            if *t >= split {
                *v = *v * 50.0 + 12345.0;
            }
        }
    }
    let window = Window {
        start: cal.time_of("2020-01-25").unwrap(),
        end: split - 1.0,
    };
    let clean = calibration::fit(&prepared, &observed, window, QUICK).unwrap();
    let dirty = calibration::fit(&prepared, &corrupted, window, QUICK).unwrap();
    assert_eq!(clean.settings(), dirty.settings());
    assert_eq!(clean.cost, dirty.cost);
    // And the check is not vacuous: a fit to the whole record does see the corruption.
    let whole = Window {
        start: window.start,
        end: cal.record_time().unwrap(),
    };
    let a = calibration::fit(&prepared, &observed, whole, QUICK).unwrap();
    let b = calibration::fit(&prepared, &corrupted, whole, QUICK).unwrap();
    assert_ne!(a.cost, b.cost);
}

#[test]
fn calibration_reports_in_and_out_of_sample_fit() {
    let prepared = status_quo();
    let observed = observed_record(&prepared.setup.description, &prepared.calendar());
    let c =
        calibration::calibrate(&prepared, "status quo", &observed, "2022-01-01", QUICK).unwrap();
    // Nelder–Mead starts from the model's own values, so it can only improve on them.
    assert!(c.full.cost <= c.full.prior_cost + 1e-12);
    assert!(c.split.cost <= c.split.prior_cost + 1e-12);
    for v in c.full.values.iter().chain(&c.split.values) {
        let p = &v.parameter;
        assert!(p.low <= v.fitted && v.fitted <= p.high, "{v:?}");
    }
    for series in ["Mainland visitor arrivals", "Shenzhen land crossings"] {
        let out: Vec<_> = c
            .rows
            .iter()
            .filter(|r| r.series == series && r.out_of_sample)
            .collect();
        assert_eq!(out.len(), 1, "{series}");
        // 2022-01-01 .. 2022-10-10 is 283 recorded days.
        assert_eq!(out[0].stats.n, 283);
        let s = out[0].stats;
        assert!(s.mape.is_finite() && s.r2.is_finite());
        assert!((s.u_m + s.u_s + s.u_c - 1.0).abs() < 1e-9);
    }
    let md = calibration::report::markdown(&c, Some("calibration.png"));
    assert!(md.contains("**out of sample**"));
    assert!(md.contains("Demand growth rate") && md.contains("Lasting demand loss"));
}

#[test]
fn writing_the_fit_changes_only_the_fitted_constants() {
    let prepared = status_quo();
    let observed = observed_record(&prepared.setup.description, &prepared.calendar());
    let c =
        calibration::calibrate(&prepared, "status quo", &observed, "2022-01-01", QUICK).unwrap();
    let edits = calibration::model_edits(&c, &prepared.setup.compiled.model);
    let updated = set_equations(EMBEDDED_MODEL, "szhk.xmile", &edits).unwrap();
    let compiled = borderflow::engine::compile_str(&updated, "szhk.xmile").unwrap();
    let run = compiled
        .program
        .run(&borderflow::engine::Overrides::new())
        .unwrap();
    for v in &c.full.values {
        let value = run.series(&v.parameter.constant).unwrap()[0];
        let written: f64 = calibration::significant(v.fitted, 4).parse().unwrap();
        assert_eq!(value, written, "{}", v.parameter.constant);
        assert!(((value - v.fitted) / v.fitted).abs() < 1e-3);
    }
    // Every line outside the edited <eqn>/<doc> elements is unchanged.
    let (old, new): (Vec<&str>, Vec<&str>) =
        (EMBEDDED_MODEL.lines().collect(), updated.lines().collect());
    assert_eq!(old.len(), new.len());
    let changed: Vec<usize> = (0..old.len()).filter(|&i| old[i] != new[i]).collect();
    assert!(changed.len() <= 2 * edits.len());
    for i in changed {
        assert!(
            new[i].trim_start().starts_with("<eqn>") || new[i].trim_start().starts_with("<doc>"),
            "{}",
            new[i]
        );
    }
    // The note says it was calibrated and keeps the source it had; writing twice does not stack.
    let again = set_equations(
        &updated,
        "szhk.xmile",
        &calibration::model_edits(&c, &compiled.model),
    )
    .unwrap();
    assert_eq!(again, updated);
    let doc = compiled
        .model
        .variables
        .iter()
        .find(|v| v.name == "Burden tolerance HK residents")
        .and_then(|v| v.doc.clone())
        .unwrap();
    assert!(doc.starts_with("Calibrated on"), "{doc}");
    assert!(
        doc.contains("to 2022-10-10") || doc.contains(".. 2022-10-10"),
        "{doc}"
    );
    assert!(
        doc.contains("Before calibration: Judgement: HK residents"),
        "{doc}"
    );
}

#[test]
fn set_equations_reports_what_it_cannot_edit() {
    let text = common::xmile(
        &common::euler(1.0, 1.0),
        r#"<aux name="a"><eqn>1</eqn></aux><aux name="b"><doc/><eqn>2</eqn></aux>"#,
    );
    let edit = |name: &str| ConstantEdit {
        name: name.into(),
        eqn: "3 < 4".into(),
        doc: Some("x & y".into()),
    };
    let err = set_equations(&text, "m.xmile", &[edit("missing")]).unwrap_err();
    assert!(err.to_string().contains("m.xmile") && err.to_string().contains("missing"));
    let out = set_equations(&text, "m.xmile", &[edit("a"), edit("b")]).unwrap();
    assert!(
        out.contains(r#"<aux name="a"><doc>x &amp; y</doc>"#),
        "{out}"
    );
    assert!(
        out.contains(r#"<aux name="b"><doc>x &amp; y</doc><eqn>3 &lt; 4</eqn>"#),
        "{out}"
    );
    let malformed = set_equations("<xmile", "bad.xmile", &[]).unwrap_err();
    assert!(
        malformed.to_string().starts_with("bad.xmile:1:"),
        "{malformed}"
    );
}

#[test]
fn bad_parameter_lists_are_located() {
    let setup = status_quo().setup;
    let (program, catalogue) = (&setup.compiled.program, &setup.catalogue);
    let entry = |name: &str, low: f64, high: f64| {
        format!(
            "(parameters: [\n  (constant: \"Risk sensitivity Mainland visitors\", unit: \"dmnl\", low: 0.1, high: 0.8, fitted: true, why: \"w\"),\n  (constant: \"{name}\", unit: \"dmnl\", low: {low:?}, high: {high:?}, fitted: false, why: \"w\"),\n])"
        )
    };
    let cases = [
        (entry("No such thing", 0.0, 1.0), "3:", "not a variable"),
        (
            entry("Confidence[Mainland visitors]", 0.0, 1.0),
            "3:",
            "not a constant",
        ),
        (
            entry("Mainland visitor arrivals", 0.0, 1.0),
            "3:",
            "not a constant",
        ),
        (
            entry("Risk sensitivity Mainland visitors", 0.0, 1.0),
            "3:",
            "listed twice",
        ),
        (entry("Pent up share", 0.5, 0.1), "3:", "low < high"),
        (
            entry("HK hotel quarantine days", 0.0, 7.0),
            "3:",
            "set by lever",
        ),
        (
            "(parameters: [(constant: 1)])".to_string(),
            "1:",
            "xpected string",
        ),
    ];
    for (text, line, message) in cases {
        let err = ParameterList::parse(&text, "p.calibration.ron", program, catalogue).unwrap_err();
        let s = err.to_string();
        assert!(s.starts_with(&format!("p.calibration.ron:{line}")), "{s}");
        assert!(s.contains(message), "{s}");
    }
}

#[test]
fn the_shipped_list_covers_the_long_run_level_with_ranges() {
    let setup = status_quo().setup;
    let list = &setup.parameters;
    for name in [
        "Outlook epidemic level",
        "Outlook easing start",
        "Demand growth rate",
        "Lasting demand loss",
    ] {
        let p = list
            .get(name)
            .unwrap_or_else(|| panic!("{name} not listed"));
        assert!(p.low < p.high && !p.why.is_empty());
    }
    assert!(list.fitted().count() >= 5);
}

/// Dates written as YYYY-MM-DD anywhere in `text`.
fn iso_dates(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(9))
        .filter(|&i| {
            let s = &b[i..i + 10];
            s[..4].iter().all(u8::is_ascii_digit)
                && s[4] == b'-'
                && s[5..7].iter().all(u8::is_ascii_digit)
                && s[7] == b'-'
                && s[8..10].iter().all(u8::is_ascii_digit)
        })
        .map(|i| text[i..i + 10].to_string())
        .collect()
}

#[test]
fn nothing_after_the_cut_off_is_an_outcome() {
    const CUT_OFF: &str = "2022-10-10";
    // Outcome data: every dated row on or before the cut-off. (policy_timeline.csv holds
    // levers, whose later rows are scenario inputs, not outcomes.)
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/data");
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".csv") || name == "policy_timeline.csv" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for date in iso_dates(&text) {
            assert!(date.as_str() <= CUT_OFF, "{name}: {date}");
        }
        // Annual figures: no year after 2022.
        for line in text.lines().skip(1) {
            if let Some(year) = line.split(',').next().and_then(|y| y.parse::<u32>().ok()) {
                assert!(year <= 2022, "{name}: {line}");
            }
        }
    }
    // Fit targets and the observed record end by the cut-off.
    let prepared = status_quo();
    let cal = prepared.calendar();
    let end = cal.time_of(CUT_OFF).unwrap();
    for t in targets(&prepared.setup.description, &cal) {
        assert!(t.ends <= end, "{}", t.name);
        if let TargetKind::Mean { to, .. } = t.kind {
            assert!(to <= end, "{}", t.name);
        }
    }
    let observed = observed_record(&prepared.setup.description, &cal);
    assert!(observed.values().flatten().all(|(t, _)| *t <= end));
}
