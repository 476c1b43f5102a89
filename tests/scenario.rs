//! The scenario layer on the fixture model and catalogue (tests/fixtures): timelines, every
//! error rule with its location, round trips and the CLI.

mod common;
use common::day;

use std::path::{Path, PathBuf};

use borderflow::engine::EngineError;
use borderflow::scenario::{
    self, Catalogue, LeverValue, ModelSetup, Scenario, load_scenario, prepare, save_scenario,
    text_in,
};
use proptest::prelude::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn series(p: &scenario::Prepared, name: &str) -> Vec<f64> {
    p.run_with(&[]).unwrap().results.series(name).unwrap()
}

#[test]
fn a_title_only_scenario_is_the_status_quo_of_the_record_end() {
    let p = prepare(&fixture("scenarios/baseline.ron")).unwrap();
    let quota = series(&p, "northbound quota");
    assert_eq!(
        quota[day("2022-07-06")],
        1e9,
        "unlimited before the first quota"
    );
    assert_eq!(quota[day("2022-07-07")], 2000.0);
    assert_eq!(quota[day("2022-09-12")], 1000.0);
    assert_eq!(
        *quota.last().unwrap(),
        1000.0,
        "after record_end every lever stays at its last value"
    );
    let hotel = series(&p, "hk hotel days");
    let surveillance = series(&p, "hk surveillance days");
    assert_eq!(
        (hotel[day("2022-08-11")], surveillance[day("2022-08-11")]),
        (14.0, 0.0)
    );
    assert_eq!(
        (hotel[day("2022-08-12")], surveillance[day("2022-08-12")]),
        (3.0, 4.0)
    );
    assert_eq!(
        (hotel[day("2023-12-31")], surveillance[day("2023-12-31")]),
        (0.0, 3.0)
    );
    // The run carries dates as well as times.
    let run = p.run_with(&[]).unwrap();
    assert_eq!(run.dates[day("2022-10-10")], "2022-10-10");
    assert_eq!(run.results.times[day("2022-10-10")], 1013.0);
}

#[test]
fn scenario_levers_replace_history_from_the_branch() {
    let p = prepare(&fixture("scenarios/early-reopening.ron")).unwrap();
    let quota = series(&p, "northbound quota");
    assert_eq!(
        quota[day("2022-11-30")],
        1000.0,
        "history holds until the first scenario entry"
    );
    assert_eq!(quota[day("2022-12-01")], 60000.0);
    assert_eq!(quota[day("2023-01-07")], 60000.0);
    assert_eq!(
        quota[day("2023-01-08")],
        1e9,
        "Unlimited maps to the catalogue's value"
    );
    assert_eq!(series(&p, "hk hotel days")[day("2022-12-01")], 0.0);
    assert_eq!(series(&p, "hk surveillance days")[day("2022-12-01")], 0.0);
    assert_eq!(series(&p, "hk surveillance days")[day("2022-11-30")], 3.0);
    let cred = series(&p, "credential recognition");
    assert_eq!(
        (cred[day("2023-05-31")], cred[day("2023-06-01")]),
        (0.1, 0.4)
    );
    assert_eq!(
        series(&p, "confidence recovery time"),
        vec![120.0; cred.len()],
        "constant override"
    );
    // Reopening brings travellers back: more crossings than the status quo by the end.
    let base = prepare(&fixture("scenarios/baseline.ron")).unwrap();
    let (early, status_quo) = (series(&p, "travellers"), series(&base, "travellers"));
    let since_branch = |v: &[f64]| v[v.len() - 1] - v[day("2022-10-10")];
    assert!(since_branch(&early) > 10.0 * since_branch(&status_quo));
    for lever_constant in [
        "northbound quota",
        "hk hotel days",
        "sz surveillance days",
        "credential recognition",
    ] {
        let (a, b) = (series(&p, lever_constant), series(&base, lever_constant));
        assert_eq!(
            a[..=day("2022-10-10")],
            b[..=day("2022-10-10")],
            "{lever_constant}: history before the branch"
        );
    }
}

#[test]
fn a_lever_the_scenario_does_not_name_keeps_its_history_after_an_early_branch() {
    let p = prepare(&fixture("scenarios/zh-only.ron")).unwrap();
    let hk = series(&p, "hk hotel days");
    assert_eq!(hk[day("2021-05-31")], 14.0);
    assert_eq!(hk[day("2021-06-01")], 7.0);
    assert_eq!(
        hk[day("2022-08-12")],
        7.0,
        "HK history after the branch is replaced"
    );
    let sz = series(&p, "sz hotel days");
    assert_eq!(
        sz[day("2022-06-28")],
        7.0,
        "SZ history after the branch still applies"
    );
    assert_eq!(
        text_in(&p.scenario.title, "en"),
        "仅中文标题",
        "falls back to the other language"
    );
    assert!(
        p.timelines["hk_quarantine"]
            .iter()
            .any(|(d, v)| d == "2021-06-01" && *v == LeverValue::Preset("7+7".into()))
    );
}

/// (file, line, column, words the message must contain).
const BAD_SCENARIOS: [(&str, u32, u32, &str); 14] = [
    ("newer-version.ron", 2, 5, "made by a newer Borderflow"),
    ("unknown-field.ron", 5, 5, "levrs"),
    (
        "unknown-lever.ron",
        7,
        9,
        "unknown lever \"teleporter_quota\"",
    ),
    ("missing-preset.ron", 6, 28, "no preset \"10+10\""),
    ("out-of-range.ron", 6, 37, "1.5 is outside 0..1"),
    (
        "before-branch.ron",
        7,
        31,
        "before the branch date 2022-10-10",
    ),
    (
        "outside-horizon.ron",
        6,
        31,
        "after the model's horizon 2023-12-31",
    ),
    (
        "unknown-override.ron",
        5,
        18,
        "no variable named \"confidence recovery tim\"",
    ),
    ("syntax-error.ron", 6, 41, "Expected comma"),
    ("no-title.ron", 3, 5, "expected a title"),
    ("missing-model.ron", 4, 18, "does not exist"),
    ("categorical-value.ron", 6, 28, "takes a Preset"),
    ("bad-date.ron", 6, 31, "expected a date as YYYY-MM-DD"),
    (
        "unknown-lever.ron",
        7,
        9,
        "expected one of hk_quarantine, sz_quarantine",
    ),
];

fn diagnostic(e: &EngineError) -> borderflow::engine::Diagnostic {
    let d = e.diagnostics();
    assert_eq!(d.len(), 1, "{e}");
    d[0].clone()
}

#[test]
fn every_bad_scenario_gives_a_located_error() {
    for (file, line, col, words) in BAD_SCENARIOS {
        let path = fixture("scenarios/bad").join(file);
        let err = prepare(&path).expect_err(file);
        let d = diagnostic(&err);
        assert!(d.file.ends_with(file), "{file}: {err}");
        assert_eq!(
            (d.location.line, d.location.col),
            (line, col),
            "{file}: {err}"
        );
        assert!(d.message.contains(words), "{file}: {err}");
    }
}

#[test]
fn every_bad_catalogue_gives_a_located_error() {
    let model = ModelSetup::load(&fixture("border.xmile")).expect("the good catalogue loads");
    let program = &model.compiled.program;
    let cases = [
        (
            "unknown-constant",
            67,
            "drives \"credential recogniton\", which the model does not have",
        ),
        (
            "preset-outside-range",
            55,
            "preset \"phase 1\" = 600000 is outside 0..200000",
        ),
        (
            "history-after-record-end",
            59,
            "history entry 2022-10-23 is after record_end 2022-10-10",
        ),
        (
            "history-not-at-origin",
            23,
            "history must start at origin 2020-01-01",
        ),
        (
            "constant-driven-twice",
            67,
            "which lever \"northbound_quota\" drives already",
        ),
        ("bad-id", 30, "expected snake_case"),
        (
            "unknown-group",
            52,
            "group \"comuting\" is not one of the catalogue's groups (commuting, finance, innovation)",
        ),
        (
            "unit-factor-not-power-of-ten",
            54,
            "expected times in \"zh\" to be a power of ten, got 0.0002",
        ),
    ];
    for (name, line, words) in cases {
        let path = fixture("catalogues").join(format!("{name}.levers.ron"));
        let err = Catalogue::load(&path, program).expect_err(name);
        let d = diagnostic(&err);
        assert_eq!(d.location.line, line, "{name}: {err}");
        assert!(d.message.contains(words), "{name}: {err}");
    }
}

#[test]
fn the_catalogue_offers_the_report_quarantine_presets() {
    let model = ModelSetup::load(&fixture("border.xmile")).unwrap();
    let hk = model.catalogue.lever("hk_quarantine").unwrap();
    assert_eq!(
        hk.preset_names(),
        ["21", "14", "14+7", "7+7", "3+4", "0+3", "0+0"]
    );
    let sz = model.catalogue.lever("sz_quarantine").unwrap();
    assert_eq!(sz.preset_names(), ["14+7+7", "14+7", "7+3", "5+3", "0+0"]);
    assert_eq!(
        hk.resolve(&LeverValue::Preset("3+4".into())).unwrap(),
        vec![("hk hotel days", 3.0), ("hk surveillance days", 4.0)]
    );
}

#[test]
fn fixtures_round_trip_through_save_and_load() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["baseline.ron", "early-reopening.ron", "zh-only.ron"] {
        let s = load_scenario(&fixture("scenarios").join(name)).unwrap();
        let out = dir.path().join(name);
        save_scenario(&s, &out).unwrap();
        save_scenario(&s, &out).unwrap(); // over an existing file
        assert_eq!(load_scenario(&out).unwrap(), s, "{name}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 3, "no temporary files left behind: {left:?}");
}

#[test]
fn saving_into_a_missing_folder_fails_without_touching_anything() {
    let s = Scenario::baseline("x");
    let err = save_scenario(&s, Path::new("/nonexistent-dir-borderflow/x.ron")).unwrap_err();
    assert!(
        err.to_string()
            .contains("/nonexistent-dir-borderflow/x.ron"),
        "{err}"
    );
}

fn lever_value() -> impl Strategy<Value = LeverValue> {
    prop_oneof![
        (-1e12f64..1e12).prop_map(LeverValue::Value),
        "[a-z0-9+ ]{1,8}".prop_map(LeverValue::Preset),
        Just(LeverValue::Unlimited),
    ]
}

fn arb_scenario() -> impl Strategy<Value = Scenario> {
    let text = proptest::collection::btree_map(
        prop_oneof![Just("en".to_string()), Just("zh".to_string())],
        "[a-z\\u{4e00}-\\u{9fa5}]\\PC{0,19}",
        1..=2,
    );
    let levers = proptest::collection::btree_map(
        "[a-z_]{1,12}",
        proptest::collection::vec(("20[0-9]{2}-[01][0-9]-[0-3][0-9]", lever_value()), 0..4),
        0..4,
    );
    let overrides = proptest::collection::btree_map("[a-zA-Z _]{1,16}", -1e9f64..1e9, 0..3);
    (
        text.clone(),
        text,
        "\\PC{0,12}",
        proptest::option::of("20[0-9]{2}-[01][0-9]-[0-3][0-9]"),
        levers,
        overrides,
        any::<bool>(),
    )
        .prop_map(
            |(title, description, author, branch, levers, overrides, embedded)| Scenario {
                version: 2,
                title,
                description,
                author,
                created: "2026-11-26".into(),
                model: if embedded {
                    scenario::ModelRef::Embedded
                } else {
                    scenario::ModelRef::Path("m \"q\".xmile".into())
                },
                branch,
                outlook: embedded.then(|| "prolonged".to_string()),
                levers,
                overrides,
                ensemble: None,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_scenarios_round_trip(s in arb_scenario()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.ron");
        save_scenario(&s, &path).unwrap();
        prop_assert_eq!(load_scenario(&path).unwrap(), s);
    }
}

fn borderflow(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_runs_checks_benches_and_compares_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let early = fixture("scenarios/early-reopening.ron");
    let base = fixture("scenarios/baseline.ron");
    let csv = dir.path().join("run.csv");
    let out = borderflow(&[
        "run".as_ref(),
        early.as_os_str(),
        "--csv".as_ref(),
        csv.as_os_str(),
        "--output".as_ref(),
        "northbound quota".as_ref(),
        "--output".as_ref(),
        "Travellers".as_ref(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "time,date,northbound quota,travellers");
    assert_eq!(
        lines[1 + day("2022-12-01")]
            .split(',')
            .take(3)
            .collect::<Vec<_>>(),
        ["1065", "2022-12-01", "60000"]
    );
    assert_eq!(lines.len(), 1 + 1461);

    // --set overrides a constant in a scenario too.
    let out = borderflow(&[
        "run".as_ref(),
        base.as_os_str(),
        "--csv".as_ref(),
        csv.as_os_str(),
        "--output".as_ref(),
        "professionals".as_ref(),
        "--set".as_ref(),
        "credential recognition=0.5".as_ref(),
    ]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(",1500")
    );

    assert_eq!(
        borderflow(&["check".as_ref(), early.as_os_str()])
            .status
            .code(),
        Some(0)
    );
    let bad = fixture("scenarios/bad/unknown-lever.ron");
    assert_eq!(
        borderflow(&["check".as_ref(), bad.as_os_str()])
            .status
            .code(),
        Some(1)
    );
    let bench = borderflow(&[
        "bench".as_ref(),
        early.as_os_str(),
        "--runs".as_ref(),
        "3".as_ref(),
    ]);
    assert!(String::from_utf8_lossy(&bench.stdout).starts_with("median_run_us="));

    let cmp = dir.path().join("cmp.csv");
    let out = borderflow(&[
        "compare".as_ref(),
        base.as_os_str(),
        early.as_os_str(),
        "--output".as_ref(),
        "northbound quota".as_ref(),
        "--csv".as_ref(),
        cmp.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("northbound quota [B-A]"));
    let text = std::fs::read_to_string(&cmp).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time,date,northbound quota [A],northbound quota [B],northbound quota [B-A]"
    );
    let row = lines.nth(day("2022-12-01")).unwrap();
    assert_eq!(row, "1065,2022-12-01,1000,60000,59000");
}

#[test]
fn a_story_names_its_broken_slide() {
    use borderflow::scenario::ModelSetup;
    use borderflow::scenario::story::load_story;
    let setup = std::sync::Arc::new(ModelSetup::embedded().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ron");
    std::fs::write(&good, "(version: 1, title: {\"en\": \"g\"})").unwrap();
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        "(version: 1, title: {\"en\": \"b\"},\n levers: {\"hk_quarantine\": [(\"2021-01-01\", Preset(\"0+0\"))]})",
    )
    .unwrap();
    let story = dir.path().join("story.ron");
    let write = |slides: &str| {
        std::fs::write(&story, format!("(version: 1, slides: [{slides}])")).unwrap();
    };
    write("(scenario: \"good.ron\", caption: {\"en\": \"one\"})");
    let slides = load_story(&story, &setup).unwrap();
    assert_eq!(slides.len(), 1);
    assert_eq!(slides[0].caption["en"], "one");
    // A missing file points at its slide in the story.
    write("(scenario: \"good.ron\"),\n (scenario: \"gone.ron\")");
    let e = load_story(&story, &setup).unwrap_err().to_string();
    assert!(e.contains("story.ron:2:") && e.contains("gone.ron"), "{e}");
    // A scenario that cannot run is reported in its own file.
    write("(scenario: \"bad.ron\")");
    let e = load_story(&story, &setup).unwrap_err().to_string();
    assert!(
        e.contains("bad.ron:2:") && e.contains("before the branch"),
        "{e}"
    );
    write("");
    let e = load_story(&story, &setup).unwrap_err().to_string();
    assert!(e.contains("at least one slide"), "{e}");
}
