//! Issue 14's code half: the lever catalogue's stated effects, `borderflow effects`, outlooks and
//! the scenario format version 2 with its migration of version 1 files.

mod common;
use common::day;

use std::path::{Path, PathBuf};

use borderflow::analysis::effects::{Row, Verdict, lever_effects};
use borderflow::engine::EngineError;
use borderflow::scenario::{self, Catalogue, LeverValue, prepare};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn shipped_scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn diagnostic(e: &EngineError) -> &borderflow::engine::Diagnostic {
    match e {
        EngineError::Model(d) => d,
        other => panic!("expected a located error, got {other}"),
    }
}

// ---- The shipped model: model-agnostic, read from its catalogue. ----

#[test]
fn every_shipped_lever_moves_its_stated_outputs_and_none_contradicts() {
    let status_quo = prepare(&shipped_scenarios().join("baseline-2022-10.ron")).unwrap();
    let table = lever_effects(&status_quo, Some(&shipped_scenarios())).unwrap();
    assert_eq!(table.levers.len(), status_quo.setup.catalogue.levers.len());
    let mut problems = Vec::new();
    for (l, lever) in table.levers.iter().zip(&status_quo.setup.catalogue.levers) {
        let rows: Vec<Row> = l.rows.iter().map(|(r, _)| *r).collect();
        let expected_rows = if lever.stress.is_some() {
            vec![Row::Open, Row::Restore, Row::Stress]
        } else {
            vec![Row::Open, Row::Restore]
        };
        assert_eq!(rows, expected_rows, "{}", l.lever);
        if l.contradictions() > 0 {
            problems.push(format!("{}: contradicts its stated effects", l.lever));
        }
        if !l.moves_a_stated_output() {
            problems.push(format!("{}: moves none of its stated outputs", l.lever));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}\n{}", table.text());
    let csv = table.csv();
    assert!(csv.starts_with("lever,row,figure,change,expected,verdict\n"));
    assert_eq!(
        csv.lines().count(),
        1 + 2 * table.levers.len() * table.figures.len(),
        "one line per lever, row (open, restore) and figure"
    );
}

#[test]
fn a_lever_without_its_stated_effects_is_refused_where_it_stands() {
    let setup = scenario::ModelSetup::embedded().unwrap();
    let program = &setup.compiled.program;
    let shipped = scenario::prepare::EMBEDDED_CATALOGUE;
    // The first lever's most_open line taken out (whatever the lever and its setting).
    let start = shipped
        .find("most_open:")
        .expect("the catalogue states most_open");
    let line_start = shipped[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = start + shipped[start..].find('\n').unwrap() + 1;
    let without = format!("{}{}", &shipped[..line_start], &shipped[line_end..]);
    let err = Catalogue::parse(&without, "cat.ron", program).unwrap_err();
    let d = diagnostic(&err);
    assert!(d.message.contains("expected `most_open"), "{err}");
    // The first lever's id (the groups' ids come before the levers).
    let levers = shipped.find("levers:").unwrap();
    let first_id = 1 + shipped[..levers + shipped[levers..].find("id: \"").unwrap()]
        .matches('\n')
        .count() as u32;
    assert_eq!(d.location.line, first_id, "{err}");

    // The first stated output renamed to one the model lacks.
    let output = shipped.find("(output: \"").unwrap() + "(output: \"".len();
    let unknown = format!(
        "{}No such output {}",
        &shipped[..output],
        &shipped[output..]
    );
    let err = Catalogue::parse(&unknown, "cat.ron", program).unwrap_err();
    let line = 1 + unknown[..output].matches('\n').count() as u32;
    assert_eq!(diagnostic(&err).location.line, line, "{err}");
    assert!(
        err.to_string().contains("which the model does not have"),
        "{err}"
    );
}

// ---- The scenario-layer fixture: values by hand. ----

#[test]
fn fixture_effects_match_a_hand_calculation() {
    // border.xmile: crossings = MIN(150 000 × confidence, quota); professionals =
    // 1000 × (1 + recognition). Status quo: quota 1000, HK 0+3, SZ 7+3, recognition 0.1.
    let p = prepare(&fixture("scenarios/baseline.ron")).unwrap();
    let table = lever_effects(&p, None).unwrap();
    let names: Vec<&str> = table.figures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["crossings", "professionals"],
        "no headline outputs here"
    );
    let cell = |lever: &str, row: Row, figure: usize| {
        let l = table.lever(lever).unwrap();
        l.rows.iter().find(|(r, _)| *r == row).unwrap().1[figure].clone()
    };
    // Recognition 0.1 → 1: 1000 × 0.9 = 900 more professionals, in both rows.
    for row in [Row::Open, Row::Restore] {
        let c = cell("credential_recognition", row, 1);
        assert!((c.change - 900.0).abs() < 1e-9, "{row:?}: {}", c.change);
        assert_eq!(c.verdict, Verdict::Ok);
    }
    // Opening Hong Kong's 0+3 alone changes nothing: the quota of 1000 still binds.
    let hk_open = cell("hk_quarantine", Row::Open, 0);
    assert_eq!((hk_open.change, hk_open.verdict), (0.0, Verdict::NoEffect));
    // Restoring the quota in the fully open border: crossings fall from 150 000 × confidence to
    // 1000. Confidence climbs from c0 (0.1 .. 0.3) at the branch towards 1 with a 90-day time
    // constant, so its 2023 mean is 1 − (1 − c0)(90/365)(e^(−83/90) − e^(−448/90)), 0.913 ..
    // 0.933: the change is 136 000 .. 139 000.
    let quota = cell("northbound_quota", Row::Restore, 0);
    assert!(
        (135_000.0..139_000.0).contains(&quota.change),
        "{}",
        quota.change
    );
    assert_eq!(quota.verdict, Verdict::Ok);
    assert_eq!(
        table.help_lines("credential_recognition"),
        [
            "open: professionals +81.8% (stated +, ok)",
            "restore: professionals +81.8% (stated +, ok)"
        ],
        "900 of 1100 professionals"
    );
    assert_eq!(
        table.help_lines("hk_quarantine")[0],
        "open: crossings no effect (stated +, no effect)"
    );
    let csv = table.csv();
    assert_eq!(csv.lines().count(), 1 + 4 * 2 * 2);
    assert!(
        csv.contains("\nhk_quarantine,open,crossings,0,+,no effect\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\ncredential_recognition,restore,professionals,900,+,ok\n"),
        "{csv}"
    );
}

#[test]
fn the_effect_threshold_is_half_a_percent_or_a_day() {
    use borderflow::analysis::effects::{EFFECT_DAYS, EFFECT_SHARE};
    assert_eq!(EFFECT_SHARE, 0.005);
    assert_eq!(EFFECT_DAYS, 1.0);
    // Professionals are 1100 in the status quo: 5.5 is 0.5%. Recognition 0.1 → 0.105 adds
    // 1000 × 0.005 = 5 (no effect); 0.1 → 0.11 adds 10 (an effect).
    let p = prepare(&fixture("scenarios/baseline.ron")).unwrap();
    for (most_open, verdict) in [(0.105, Verdict::NoEffect), (0.11, Verdict::Ok)] {
        let mut setup = (*p.setup).clone();
        let lever = setup
            .catalogue
            .levers
            .iter_mut()
            .find(|l| l.id == "credential_recognition")
            .unwrap();
        lever.most_open = Some(LeverValue::Value(most_open));
        let mut q = p.clone();
        q.setup = std::sync::Arc::new(setup);
        let table = lever_effects(&q, None).unwrap();
        let l = table.lever("credential_recognition").unwrap();
        assert_eq!(l.rows[0].1[1].verdict, verdict, "most open {most_open}");
    }
}

// ---- Outlooks and version 2. ----

#[test]
fn a_scenario_runs_under_the_default_outlook_or_the_one_it_names() {
    // crossings = (1 − severity)(60 000 Shenzhen Bay + 80 000 Lo Wu + 10 000 HZMB); Lo Wu closed
    // in the record. Central outlook: severity 0.5 → 35 000; clear: 0 → 70 000.
    let central = prepare(&fixture("scenarios/migration/v1-count.ron")).unwrap();
    let clear = prepare(&fixture("scenarios/migration/v2-clear.ron")).unwrap();
    assert_eq!(central.outlook().unwrap().id, "central");
    assert_eq!(clear.outlook().unwrap().id, "clear");
    let at = |p: &scenario::Prepared, date: &str| {
        p.run_with(&[])
            .unwrap()
            .results
            .series("crossings")
            .unwrap()[day(date)]
    };
    assert_eq!(at(&central, "2022-10-10"), 35_000.0);
    assert_eq!(at(&clear, "2022-10-10"), 70_000.0);
    assert!(
        clear.notes.is_empty(),
        "a version 2 file needs no migration"
    );
}

#[test]
fn unknown_outlooks_and_outlooks_in_version_1_are_refused_where_they_stand() {
    let err = prepare(&fixture("scenarios/migration/v2-unknown-outlook.ron")).unwrap_err();
    let d = diagnostic(&err);
    assert_eq!(d.location.line, 5, "{err}");
    assert!(
        d.message
            .contains("unknown outlook \"sunny\": expected one of central, clear"),
        "{err}"
    );
    let err = prepare(&fixture("scenarios/migration/v1-with-outlook.ron")).unwrap_err();
    let d = diagnostic(&err);
    assert_eq!(d.location.line, 5, "{err}");
    assert!(d.message.contains("needs `version: 2`"), "{err}");
}

#[test]
fn an_outlook_value_must_be_a_constant_no_lever_sets() {
    let setup = scenario::ModelSetup::load(&fixture("crossings.xmile")).unwrap();
    let program = &setup.compiled.program;
    let text = "(\n  default: \"a\",\n  outlooks: [\n    (id: \"a\", label: {\"en\": \"A\"}, source: \"s\",\n     values: {\"lo wu open\": 1.0}),\n  ],\n)";
    let err = scenario::Outlooks::parse(text, "o.ron", program, &setup.catalogue).unwrap_err();
    assert_eq!(diagnostic(&err).location.line, 5, "{err}");
    assert!(
        err.to_string().contains("is set by lever \"cp_lo_wu\""),
        "{err}"
    );
    let text = text.replace("lo wu open", "no such thing");
    let err = scenario::Outlooks::parse(&text, "o.ron", program, &setup.catalogue).unwrap_err();
    assert!(
        err.to_string().contains("not a variable of the model"),
        "{err}"
    );
    let text = text
        .replace("no such thing", "epidemic severity")
        .replace("default: \"a\"", "default: \"b\"");
    let err = scenario::Outlooks::parse(&text, "o.ron", program, &setup.catalogue).unwrap_err();
    assert_eq!(diagnostic(&err).location.line, 2, "{err}");
}

#[test]
fn version_1_files_migrate_with_a_note_for_each_change() {
    let p = prepare(&fixture("scenarios/migration/v1-count.ron")).unwrap();
    assert_eq!(p.scenario.version, 2);
    assert!(!p.scenario.levers.contains_key("epidemic_risk"));
    assert!(!p.scenario.levers.contains_key("open_control_points"));
    let notes = p.notes.join("\n");
    assert_eq!(p.notes.len(), 4, "{notes}");
    assert!(
        notes.contains("\"epidemic_risk\": removed, its 2 entries dropped"),
        "{notes}"
    );
    assert!(notes.contains("outlook"), "{notes}");
    assert!(
        notes.contains("override \"Epidemic risk\": removed"),
        "{notes}"
    );
    // A count of 3 (2023-01-08): Shenzhen Bay with the HZM Bridge and the airport, then the
    // Spur Line and Man Kam To (the record's order); Lo Wu reopens only with the 4th, and 7 open
    // everything (2023-02-06).
    let preset = |s: &str| LeverValue::Preset(s.into());
    assert_eq!(
        p.scenario.levers["cp_lo_wu"],
        vec![
            ("2023-01-08".to_string(), preset("closed")),
            ("2023-02-06".to_string(), preset("open"))
        ]
    );
    assert_eq!(p.scenario.levers["cp_hzmb"][0].1, preset("open"));
    assert!(notes.contains("2023-01-08: 3 of 7"), "{notes}");
    // Central outlook (0.5): 35 000 until Lo Wu reopens, then 75 000.
    let crossings = p
        .run_with(&[])
        .unwrap()
        .results
        .series("crossings")
        .unwrap();
    assert_eq!(crossings[day("2023-02-05")], 35_000.0);
    assert_eq!(crossings[day("2023-02-06")], 75_000.0);
    // Saved, it is a version 2 file that reads back without notes.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("migrated.ron");
    let mut s = p.scenario.clone();
    s.model = scenario::ModelRef::Path(fixture("crossings.xmile").display().to_string());
    scenario::save_scenario(&s, &out).unwrap();
    let again = prepare(&out).unwrap();
    assert!(again.notes.is_empty(), "{:?}", again.notes);
    assert_eq!(again.scenario.levers, p.scenario.levers);
}

#[test]
fn version_1_files_keep_levers_the_model_still_has() {
    // Every shipped scenario loads; a version 1 lever stays exactly when the model still has it
    // (the first model keeps both).
    for entry in std::fs::read_dir(shipped_scenarios()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            let p = prepare(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let text = std::fs::read_to_string(&path).unwrap();
            for id in ["epidemic_risk", "open_control_points"] {
                let kept = p.setup.catalogue.lever(id).is_some();
                assert_eq!(
                    text.contains(&format!("\"{id}\"")) && kept,
                    p.scenario.levers.contains_key(id),
                    "{}: {id}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn check_and_run_print_the_notes_and_effects_writes_its_csv() {
    let bin = env!("CARGO_BIN_EXE_borderflow");
    let v1 = fixture("scenarios/migration/v1-count.ron");
    for command in ["check", "run"] {
        let out = std::process::Command::new(bin)
            .args([command, v1.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{command}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.matches("note: version 1").count(),
            4,
            "{command}: {stderr}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("effects.csv");
    let out = std::process::Command::new(bin)
        .args([
            "effects",
            fixture("scenarios/baseline.ron").to_str().unwrap(),
            "--csv",
        ])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("contradictions: none"), "{stdout}");
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(
        written.contains("credential_recognition,open,professionals,900,+,ok"),
        "{written}"
    );
}
