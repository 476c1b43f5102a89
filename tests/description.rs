//! The model description (`<model>.model.ron`): read with located errors, the one source of the
//! model's output names above the engine, and enough to drive a second model through the CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use borderflow::analysis;
use borderflow::engine::{EngineError, compile_str};
use borderflow::scenario::{Description, ModelSetup, prepare};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    root().join(rel)
}

const SIR: &str = include_str!("../assets/models/sir.xmile");
const SIR_DESCRIPTION: &str = include_str!("../assets/models/sir.model.ron");

/// The SIR description with `from` replaced by `to`, parsed against the SIR model.
fn sir_with(from: &str, to: &str) -> Result<Description, EngineError> {
    assert!(
        SIR_DESCRIPTION.contains(from),
        "{from:?} is in the description"
    );
    let text = SIR_DESCRIPTION.replacen(from, to, 1);
    let compiled = compile_str(SIR, "sir.xmile").unwrap();
    Description::parse(&text, "sir.model.ron", &compiled.program, &|name| {
        Err(EngineError::Run(format!("no file {name}")))
    })
}

/// The error text, which must name the file and a line and column.
fn located(r: Result<Description, EngineError>) -> String {
    let e = r.expect_err("refused").to_string();
    assert!(e.starts_with("sir.model.ron:"), "names the file: {e}");
    e
}

#[test]
fn the_shipped_descriptions_read_and_drive_the_szhk_headlines() {
    let setup = ModelSetup::embedded().unwrap();
    let d = &setup.description;
    let names = d.metric_names();
    assert_eq!(
        names[..4],
        ["date50", "date90", "visitors_lost", "trade_lost"]
    );
    // The circles' figures (issue 15) follow.
    for id in [
        "connect_2030",
        "professionals_2030",
        "projects_2030",
        "ip_2030",
        "startups_2030",
    ] {
        assert!(names.contains(&id), "{id} in {names:?}");
    }
    // Arrayed outputs: an element and the whole array.
    assert!(d.output("Crossings[Lo Wu]").is_some());
    assert!(d.output("Crossings").is_some());
    assert_eq!(d.workbench.plots.len(), 6);
    let sir = ModelSetup::load(&fixture("assets/models/sir.xmile")).unwrap();
    assert_eq!(sir.description.headlines.len(), 5);
    assert_eq!(sir.catalogue.levers.len(), 2);
}

#[test]
fn an_unknown_output_is_located_and_named_with_close_matches() {
    let e = located(sir_with(
        "(name: \"Susceptible\",",
        "(name: \"Suscepible\",",
    ));
    assert!(e.contains("sir.model.ron:6:"), "line of the output: {e}");
    assert!(e.contains("\"Suscepible\""), "names the output: {e}");
    assert!(
        e.contains("did you mean \"Susceptible\""),
        "close match: {e}"
    );
}

#[test]
fn a_plot_or_card_not_in_the_description_is_refused_where_it_is_named() {
    let e = located(sir_with(
        "plots: [\"Infected\", \"Ever infected\", \"Infection\"",
        "plots: [\"Infected\", \"Ever infected\", \"Recovery\"",
    ));
    assert!(
        e.contains("\"Recovery\" is not among the description's outputs"),
        "{e}"
    );
    let e = located(sir_with(
        "cards: [\"half_infected\", \"sick_days\"",
        "cards: [\"half_infected\", \"sick_day\"",
    ));
    assert!(
        e.contains("card \"sick_day\": expected a headline id"),
        "{e}"
    );
    assert!(e.contains("sick_days"), "lists the ids: {e}");
}

#[test]
fn bad_syntax_and_wrong_kinds_are_located() {
    let e = located(sir_with("format: Date,", "format: Dat,"));
    assert!(e.contains("sir.model.ron:24:"), "{e}");
    let e = located(sir_with(
        "FromStatusQuo(of: \"ever_infected\")",
        "FromStatusQuo(of: \"never\")",
    ));
    assert!(e.contains("headline \"infections_vs_status_quo\""), "{e}");
    let e = located(sir_with("share: 0.5,", "share: -0.5,"));
    assert!(e.contains("expected a share > 0"), "{e}");
    let e = located(sir_with("since: \"2020-01-01\"", "since: \"2020-13-01\""));
    assert!(e.contains("2020-13-01"), "{e}");
    // A language's own multiplier must be a positive number too.
    let e = located(sir_with(
        "Count(times: 1.0, decimals: 0, noun: {\"en\": \"{} person-days\"",
        "Count(times: 1.0, times_in: {\"zh\": 0.0}, decimals: 0, noun: {\"en\": \"{} person-days\"",
    ));
    assert!(e.contains("expected times > 0"), "{e}");
    assert!(sir_with(
        "Count(times: 1.0, decimals: 0, noun: {\"en\": \"{} person-days\"",
        "Count(times: 1.0, times_in: {\"zh\": 1e-4}, decimals: 0, noun: {\"en\": \"{} person-days\"",
    )
    .is_ok());
    // An output's unit in another language scales its values by a power of ten only.
    let from = "(name: \"Susceptible\", title: {\"en\": \"Susceptible\", \"zh\": \"易感者\"}, unit: \"people\")";
    let with = |times: &str| {
        sir_with(
            from,
            &from.replace(
                "unit: \"people\")",
                &format!(
                    "unit: \"people\", unit_in: {{\"zh\": (unit: \"万人\", times: {times})}})"
                ),
            ),
        )
    };
    let e = located(with("3.0"));
    assert!(
        e.contains("expected times in \"zh\" to be a power of ten"),
        "{e}"
    );
    assert!(
        e.contains("sir.model.ron:6:"),
        "located on the output's line: {e}"
    );
    let d = with("1e-4").unwrap();
    let o = d.output("Susceptible").unwrap();
    let unit_in = |lang: &str| o.unit_in.get(lang).map(|u| (u.unit.as_str(), u.times));
    assert_eq!(unit_in("zh"), Some(("万人", 1e-4)));
    assert_eq!(unit_in("en"), None);
}

#[test]
fn a_missing_recorded_file_or_column_is_located() {
    let compiled = compile_str(SIR, "sir.xmile").unwrap();
    let text = SIR_DESCRIPTION.replacen(
        "    ensemble:",
        "    recorded: [(file: \"cases.csv\", date: \"day\", series: [(output: \"Infected\", column: \"cases\")])],\n    ensemble:",
        1,
    );
    let parse = |csv: &'static str| {
        Description::parse(&text, "sir.model.ron", &compiled.program, &move |_| {
            Ok(csv.to_string())
        })
    };
    let d = parse("day,cases\n2020-01-02,12\n").unwrap();
    let r = analysis::record::recorded_series(
        &d,
        &borderflow::scenario::Calendar {
            origin: "2020-01-01".into(),
            horizon_end: "2020-12-31".into(),
            record_end: "2020-02-29".into(),
        },
    );
    assert_eq!(r["Infected"], vec![(1.0, 12.0)]);
    let e = parse("day,count\n")
        .expect_err("no such column")
        .to_string();
    assert!(e.contains("no column \"cases\""), "{e}");
    assert!(e.starts_with("sir.model.ron:"), "{e}");
}

/// The SIR description with a recorded series and a calibration section, `from` replaced by
/// `to` in it.
fn sir_calibrated_with(from: &str, to: &str) -> Result<Description, EngineError> {
    let section = concat!(
        "    recorded: [(file: \"cases.csv\", date: \"day\", series: [(output: \"Infected\", column: \"cases\")])],\n",
        "    calibration: [\n",
        "        (name: \"cases\", kind: Daily(output: \"Infected\"), weight: 1.0, source: \"cases.csv\"),\n",
        "        (name: \"March\", kind: Mean(output: \"Ever infected\", from: \"2020-03-01\", to: \"2020-03-31\", value: 900.0), weight: 0.5, source: \"survey\"),\n",
        "    ],\n",
    );
    assert!(section.contains(from), "{from:?} is in the section");
    let section = section.replacen(from, to, 1);
    let text = SIR_DESCRIPTION.replacen("    calibration: [],\n", &section, 1);
    let compiled = compile_str(SIR, "sir.xmile").unwrap();
    Description::parse(&text, "sir.model.ron", &compiled.program, &|_| {
        Ok("day,cases\n2020-01-02,12\n".to_string())
    })
    .map_err(|e| {
        // The line the changed text is on, for the caller's location check.
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(to))
            .last()
            .map_or(0, |(i, _)| i + 1);
        EngineError::Run(format!("{e} [changed line {line}]"))
    })
}

/// A calibration error: located in the file, on the line that was changed.
fn calibration_error(from: &str, to: &str) -> String {
    let e = sir_calibrated_with(from, to)
        .expect_err("refused")
        .to_string();
    let (message, changed) = e.rsplit_once(" [changed line ").unwrap();
    let line = changed.trim_end_matches(']');
    assert!(
        message.starts_with(&format!("sir.model.ron:{line}:")),
        "located on line {line}: {message}"
    );
    message.to_string()
}

#[test]
fn a_calibration_section_reads_into_targets_in_model_time() {
    let d = sir_calibrated_with("weight: 0.5", "weight: 0.5").unwrap();
    let calendar = borderflow::scenario::Calendar {
        origin: "2020-01-01".into(),
        horizon_end: "2020-12-31".into(),
        record_end: "2020-02-29".into(),
    };
    let targets = analysis::calibration::targets(&d, &calendar);
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0].name, "cases");
    assert_eq!(
        targets[0].kind,
        analysis::calibration::TargetKind::Daily {
            output: "Infected".into()
        }
    );
    // The record ends on day 59 (31 days of January, 28 of February: 2020-02-29 is day 59).
    assert_eq!(targets[0].ends, 59.0);
    // 2020-03-01 is day 60 and 2020-03-31 day 90; the scale defaults to 1.
    assert_eq!(
        targets[1].kind,
        analysis::calibration::TargetKind::Mean {
            variable: "Ever infected".into(),
            from: 60.0,
            to: 90.0,
            scale: 1.0,
            value: 900.0,
        }
    );
    assert_eq!((targets[1].weight, targets[1].ends), (0.5, 90.0));
    assert_eq!(targets[1].source, "survey");
    // A single day when `to` is left out.
    let d = sir_calibrated_with(", to: \"2020-03-31\"", "").unwrap();
    let t = &analysis::calibration::targets(&d, &calendar)[1];
    assert!(matches!(
        t.kind,
        analysis::calibration::TargetKind::Mean {
            from: 60.0,
            to: 60.0,
            ..
        }
    ));
}

#[test]
fn bad_calibration_targets_are_located() {
    let e = calibration_error("output: \"Ever infected\"", "output: \"Ever infectd\"");
    assert!(e.contains("\"Ever infectd\""), "{e}");
    assert!(e.contains("did you mean \"Ever infected\""), "{e}");
    let e = calibration_error(
        "Daily(output: \"Infected\")",
        "Daily(output: \"Recovered\")",
    );
    assert!(
        e.contains("expected an output of the `recorded` section (Infected)"),
        "{e}"
    );
    let e = calibration_error("from: \"2020-03-01\"", "from: \"2020-02-30\"");
    assert!(e.contains("calibration target \"March\""), "{e}");
    assert!(e.contains("2020-02-30"), "{e}");
    let e = calibration_error("to: \"2020-03-31\"", "to: \"2020-02-01\"");
    assert!(e.contains("2020-02-01 is before 2020-03-01"), "{e}");
    let e = calibration_error("kind: Mean(", "kind: Median(");
    assert!(e.contains("Median"), "names the bad kind: {e}");
    let e = calibration_error("weight: 0.5", "weight: 0.0");
    assert!(e.contains("expected a weight > 0"), "{e}");
    let e = calibration_error("value: 900.0", "value: -900.0");
    assert!(e.contains("expected a published value > 0"), "{e}");
    let e = calibration_error("source: \"survey\"", "source: \" \"");
    assert!(e.contains("expected a source"), "{e}");
    let e = calibration_error("(name: \"March\"", "(name: \"cases\"");
    assert!(e.contains("\"cases\" is listed twice"), "{e}");
}

#[test]
fn the_szhk_calibration_targets_match_the_published_rows() {
    let setup = ModelSetup::embedded().unwrap();
    let targets = &setup.description.calibration;
    // 12 daily series, 10 crossings in 2019, 2 travel figures, 13 goods, finance and
    // innovation figures.
    assert_eq!(targets.len(), 37);
    let daily = targets
        .iter()
        .filter(|t| matches!(t.kind, borderflow::scenario::TargetSpec::Daily { .. }))
        .count();
    assert_eq!(daily, 12);
    // Each 2019 crossing total against its row of the published annual file.
    let csv = std::fs::read_to_string(fixture(
        "assets/data/hk_control_point_passengers_annual.csv",
    ))
    .unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    let mut checked = 0;
    for t in targets {
        let Some(row) = t.source.strip_prefix("row ") else {
            continue;
        };
        let row: usize = row.parse().unwrap();
        let passengers: f64 = rows[row - 1].split(',').nth(2).unwrap().parse().unwrap();
        let borderflow::scenario::TargetSpec::Mean { value, scale, .. } = &t.kind else {
            panic!("{}: a single figure", t.name);
        };
        assert_eq!((*value, *scale), (passengers, 365.0), "{}", t.name);
        checked += 1;
    }
    assert_eq!(checked, 8);
}

/// The SZ–HK model's output names, as its description lists them, appear nowhere in `src/`
/// outside tests: the description is their one home.
#[test]
fn no_szhk_output_name_is_written_in_src() {
    let setup = ModelSetup::embedded().unwrap();
    let d = &setup.description;
    let mut names: Vec<&str> = d.outputs.iter().map(|o| o.name.as_str()).collect();
    names.extend(d.effects.iter().map(String::as_str));
    names.extend(d.calibration.iter().map(|t| t.kind.output()));
    // A bare array name ("Crossings") is an ordinary word; its elements are checked.
    names.retain(|n| n.contains(' ') || n.contains('['));
    assert!(names.len() > 20, "{names:?}");
    let mut found = Vec::new();
    let mut files = vec![root().join("src")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may name outputs; the program may not.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for n in &names {
                if line.contains(&format!("\"{n}")) || line.contains(&format!("{n}\"")) {
                    found.push(format!("{}:{}: {n}", path.display(), i + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "output names in src/: {found:#?}");
}

fn borderflow(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = borderflow(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_second_model_runs_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).display().to_string();
    // `run` prints the description's headline figures.
    let text = ok(&[
        "run",
        "scenarios/sir/lockdown-lifted.ron",
        "--csv",
        &out("run.csv"),
    ]);
    assert!(text.contains("Half the town infected: 2020-"), "{text}");
    assert!(
        text.contains("Infections against the status quo: "),
        "{text}"
    );
    // Lifting the restrictions infects more people than the status quo.
    let more: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("Infections against the status quo: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(more > 100.0, "{text}");
    // The model file alone runs too.
    ok(&["run", "assets/models/sir.xmile", "--output", "Infected"]);
    ok(&[
        "ensemble",
        "scenarios/sir/vaccination.ron",
        "--members",
        "20",
        "--csv",
        &out("e.csv"),
    ]);
    let headlines = std::fs::read_to_string(out("e.headlines.csv")).unwrap();
    assert!(headlines.starts_with("headline,unit,p5,p25,p50,p75,p95\nhalf_infected,date,"));
    assert!(headlines.contains("\nsick_days,person-days since 2020-01-01,"));
    let bands = std::fs::read_to_string(out("e.csv")).unwrap();
    assert!(
        bands.contains("\nEver infected,"),
        "the description's ensemble outputs"
    );
    let tornado = ok(&[
        "sensitivity",
        "scenarios/sir/vaccination.ron",
        "--metric",
        "ever_infected",
    ]);
    assert!(
        tornado.starts_with("rank,parameter,low,high,ever_infected_at_low"),
        "{tornado}"
    );
    let bad = borderflow(&[
        "sensitivity",
        "scenarios/sir/vaccination.ron",
        "--metric",
        "date50",
    ]);
    assert!(!bad.status.success());
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(
        e.contains("half_infected, sick_days"),
        "lists the metrics: {e}"
    );
    ok(&[
        "compare",
        "scenarios/sir/lockdown-lifted.ron",
        "scenarios/sir/vaccination.ron",
        "--output",
        "Infected",
        "--csv",
        &out("c.csv"),
    ]);
    let c = std::fs::read_to_string(out("c.csv")).unwrap();
    assert!(c.starts_with("time,date,Infected [A],Infected [B],Infected [B-A]\n0,2020-01-01,"));
    // Both levers move what the catalogue says they move.
    ok(&["effects", "scenarios/sir/lockdown-lifted.ron"]);
}

#[test]
fn the_second_models_figures_by_hand_where_hand_calculation_reaches() {
    let p = prepare(&fixture("scenarios/sir/vaccination.ron")).unwrap();
    let run = p.run_with(&[]).unwrap();
    let d = &p.setup.description;
    let sq = borderflow::scenario::Prepared::status_quo(p.setup.clone()).unwrap();
    let sq_run = sq.run_with(&[]).unwrap();
    let base =
        analysis::headlines(d, &sq_run.results, &sq.calendar(), sq.branch_time(), None).unwrap();
    let h =
        analysis::headlines(d, &run.results, &p.calendar(), p.branch_time(), Some(&base)).unwrap();
    // Half-day steps: the run saves every half day.
    assert_eq!(run.results.times[1], 0.5);
    // Vaccinating protects people: fewer ever infected than the status quo, by exactly the
    // difference of the two runs' values on 31 Dec 2020 (day 365).
    let ever =
        |r: &borderflow::engine::Results| *r.series("Ever infected").unwrap().last().unwrap();
    let want = ever(&run.results) - ever(&sq_run.results);
    assert!(want < 0.0);
    assert_eq!(h.value("infections_vs_status_quo"), Some(want));
    // Person-days of illness: the sum of Infected times the half-day step.
    let infected = run.results.series("Infected").unwrap();
    let by_hand: f64 = infected.iter().map(|v| v * 0.5).sum();
    assert!((h.value("sick_days").unwrap() - by_hand).abs() < 1e-6 * by_hand);
}

#[test]
fn the_model_views_names_must_be_sectors_or_variables() {
    let names = "    names: {\"Infected\": {\"zh\": \"感染者\"}, \"Spread\": {\"zh\": \"传播\"}, \"Infectd\": {\"zh\": \"错\"}},\n    outputs: [";
    let d = sir_with("    outputs: [", names).expect("names read");
    let text = SIR_DESCRIPTION.replacen("    outputs: [", names, 1);
    assert_eq!(d.name_in("infected", "zh"), Some("感染者"));
    assert_eq!(d.name_in("Infected", "fr"), None);
    // "Spread" as a sector of the diagram is fine; the misspelt variable is not.
    let compiled = compile_str(SIR, "sir.xmile").unwrap();
    let e = d
        .check_names(&text, "sir.model.ron", &compiled.program, &["Spread"], &[])
        .expect_err("refused")
        .to_string();
    let line = text.lines().position(|l| l.contains("Infectd")).unwrap() + 1;
    assert!(e.starts_with(&format!("sir.model.ron:{line}:")), "{e}");
    assert!(
        e.contains("\"Infectd\"") && e.contains("did you mean \"Infected\""),
        "{e}"
    );
    assert!(
        d.check_names(
            &text,
            "sir.model.ron",
            &compiled.program,
            &["Spread", "Infectd"],
            &[]
        )
        .is_ok()
    );
    // An array element's name is fine too (the model view names `x[element]` with it).
    assert!(
        d.check_names(
            &text,
            "sir.model.ron",
            &compiled.program,
            &["Spread"],
            &["infectd"]
        )
        .is_ok()
    );
}
