//! The Shenzhen–Hong Kong model: it reproduces the record (targets computed here from
//! assets/data, not from the model), every number is documented, extreme lever settings keep it
//! sane, and the shipped scenarios run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use borderflow::analysis;
use borderflow::engine::{Override, Overrides, Results, ast::VarKind};
use borderflow::scenario::{LeverKind, ModelSetup, prepare};
use proptest::prelude::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Daily Mainland visitor arrivals (all control points) and two-way Shenzhen land crossings,
/// summed from the Immigration Department's daily file.
fn recorded_daily() -> BTreeMap<String, (f64, f64)> {
    let land = [
        "Lo Wu",
        "Lok Ma Chau",
        "Lok Ma Chau Spur Line",
        "Man Kam To",
        "Sha Tau Kok",
        "Shenzhen Bay",
        "Heung Yuen Wai",
    ];
    let mut rdr =
        csv::Reader::from_path(root().join("assets/data/hk_daily_passenger_traffic.csv")).unwrap();
    let mut days: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let (date, point, direction) = (&rec[0], &rec[1], &rec[2]);
        let mainland: f64 = rec[4].parse().unwrap();
        let total: f64 = rec[6].parse().unwrap();
        let e = days.entry(date.to_string()).or_default();
        if direction == "arrival" {
            e.0 += mainland;
        }
        if land.contains(&point) {
            e.1 += total;
        }
    }
    days
}

fn within_factor(model: f64, data: f64, factor: f64) -> bool {
    model <= data * factor && model >= data / factor
}

struct Run {
    dates: Vec<String>,
    results: Results,
}

impl Run {
    fn of(file: &str) -> Run {
        let p = prepare(&root().join("scenarios").join(file)).unwrap();
        let r = p.run_with(&[]).unwrap();
        Run {
            dates: r.dates,
            results: r.results,
        }
    }
    fn sum(&self, name: &str, from: &str, to: &str) -> f64 {
        let s = self.results.series(name).unwrap();
        self.dates
            .iter()
            .zip(s)
            .filter(|(d, _)| d.as_str() >= from && d.as_str() <= to)
            .map(|(_, v)| v)
            .sum()
    }
    fn mean(&self, name: &str, from: &str, to: &str) -> f64 {
        let n = self
            .dates
            .iter()
            .filter(|d| d.as_str() >= from && d.as_str() <= to)
            .count();
        self.sum(name, from, to) / n as f64
    }
}

#[test]
fn the_recorded_policy_history_reproduces_the_record() {
    let run = Run::of("actual-2020-2023.ron");
    let mv = "Mainland visitor arrivals";
    // 2019: 43.8 M (hk_visitor_arrivals_annual.csv) within ±5%.
    let y2019 = run.sum(mv, "2019-01-01", "2019-12-31");
    assert!((y2019 / 43.8e6 - 1.0).abs() <= 0.05, "2019: {y2019}");
    let data = recorded_daily();
    let sum = |from: &str, to: &str, k: usize| -> f64 {
        data.range(from.to_string()..=to.to_string())
            .map(|(_, v)| if k == 0 { v.0 } else { v.1 })
            .sum()
    };
    let days = |from: &str, to: &str| data.range(from.to_string()..=to.to_string()).count() as f64;
    let (d21, d22) = (
        sum("2021-01-01", "2021-12-31", 0),
        sum("2022-01-01", "2022-09-30", 0),
    );
    let (m21, m22) = (
        run.sum(mv, "2021-01-01", "2021-12-31"),
        run.sum(mv, "2022-01-01", "2022-09-30"),
    );
    assert!(
        within_factor(m21, d21, 1.5),
        "2021 arrivals: model {m21}, data {d21}"
    );
    assert!(
        within_factor(m22, d22, 1.5),
        "Jan-Sep 2022 arrivals: model {m22}, data {d22}"
    );
    let land = "Shenzhen land crossings";
    let l21 = sum("2021-01-01", "2021-12-31", 1) / days("2021-01-01", "2021-12-31");
    let l22 = sum("2022-01-01", "2022-09-30", 1) / days("2022-01-01", "2022-09-30");
    let (ml21, ml22) = (
        run.mean(land, "2021-01-01", "2021-12-31"),
        run.mean(land, "2022-01-01", "2022-09-30"),
    );
    eprintln!(
        "2019 {y2019:.0}; arrivals 2021 {m21:.0}/{d21:.0}, 2022 J-S {m22:.0}/{d22:.0}; \
         land/day 2021 {ml21:.0}/{l21:.0}, 2022 J-S {ml22:.0}/{l22:.0} (model/data)"
    );
    assert!(
        within_factor(ml21, l21, 1.5),
        "2021 land crossings/day: model {ml21}, data {l21}"
    );
    assert!(
        within_factor(ml22, l22, 1.5),
        "Jan-Sep 2022 land crossings/day: model {ml22}, data {l22}"
    );
}

#[test]
fn baseline_and_actual_agree_up_to_the_branch() {
    let (a, b) = (
        Run::of("baseline-2022-10.ron"),
        Run::of("actual-2020-2023.ron"),
    );
    let mv = "Mainland visitor arrivals";
    let i = a.dates.iter().position(|d| d == "2022-10-10").unwrap();
    assert_eq!(
        a.results.series(mv).unwrap()[..=i],
        b.results.series(mv).unwrap()[..=i]
    );
    // The status quo never recovers; the actual reopening does.
    let p = prepare(&root().join("scenarios/actual-2020-2023.ron")).unwrap();
    let (cal, d) = (p.calendar(), &p.setup.description);
    let ha = analysis::headlines(d, &a.results, &cal, i as f64, None).unwrap();
    let hb = analysis::headlines(d, &b.results, &cal, i as f64, None).unwrap();
    assert_eq!(ha.value("date50"), None);
    assert!(
        hb.value("date50")
            .is_some_and(|t| cal.date_of(t).starts_with("2023")),
        "{hb:?}"
    );
    assert!(hb.value("visitors_lost") < ha.value("visitors_lost"));
}

#[test]
fn every_variable_has_units_and_every_constant_a_source_or_judgement() {
    let setup = ModelSetup::embedded().unwrap();
    assert!(
        setup.compiled.unit_warnings.is_empty(),
        "{:?}",
        setup.compiled.unit_warnings
    );
    for v in &setup.compiled.model.variables {
        assert!(v.units.is_some(), "{} has no units", v.name);
        let doc = v.doc.as_deref().unwrap_or("");
        assert!(!doc.trim().is_empty(), "{} has no <doc>", v.name);
        let constant = v
            .eqn
            .as_ref()
            .is_some_and(|e| e.text.trim().parse::<f64>().is_ok());
        if constant && v.kind == VarKind::Aux {
            let sourced = doc.contains(".csv")
                || doc.contains("Judgement")
                || doc.contains("judgement")
                || doc.contains("Lever ")
                || doc.contains("seed report")
                || doc.contains("Calendar")
                || doc.contains("Model time")
                || doc.contains("README");
            assert!(
                sourced,
                "constant {} has neither a source nor a stated judgement: {doc}",
                v.name
            );
        }
    }
    let outputs = [
        "Mainland visitor arrivals",
        "Shenzhen land crossings",
        "HK resident trips north",
        "Goods vehicle crossings",
        "Trade index",
        "Connect turnover",
        "Cross-border professionals",
        "Joint research projects",
        "Tourism value added index",
    ];
    for o in outputs {
        assert!(
            setup.compiled.program.find(o).is_some(),
            "output {o} missing"
        );
    }
    // The diagram shows every variable once: an array as one element, whatever its size.
    let views = &setup.compiled.model.views;
    assert!(!views.is_empty());
    let variables = || views[0].elements.iter().filter(|e| e.kind != "group");
    // One group per sector at least: people, goods, finance, innovation.
    assert!(views[0].elements.len() - variables().count() >= 4);
    let shown: std::collections::BTreeSet<String> = variables()
        .map(|e| borderflow::engine::canonical_name(&e.name))
        .collect();
    let declared: std::collections::BTreeSet<String> = setup
        .compiled
        .model
        .variables
        .iter()
        .map(|v| borderflow::engine::canonical_name(v.name.split('[').next().unwrap_or(&v.name)))
        .collect();
    assert_eq!(shown, declared);
    assert_eq!(variables().count(), shown.len(), "a variable shown twice");
}

#[test]
fn the_catalogue_has_every_lever_the_report_needs() {
    let setup = ModelSetup::embedded().unwrap();
    let ids = [
        "hk_quarantine",
        "sz_quarantine",
        "return2hk_quota",
        "come2hk_quota",
        "northbound_quota",
        "southbound_quota",
        "quarantine_rooms",
        "cp_lo_wu",
        "cp_lok_ma_chau_spur_line",
        "cp_lok_ma_chau",
        "cp_shenzhen_bay",
        "cp_heung_yuen_wai",
        "cp_man_kam_to",
        "cp_sha_tau_kok",
        "cp_hzmb",
        "cp_airport",
        "cp_west_kowloon",
        "cp_ferries",
        "test_recognition",
        "buffer_zone_capacity",
        "truck_driver_regime",
        "transfer_yard_capacity",
        "clearance_hours",
        "connect_quota_north",
        "connect_quota_south",
        "capital_account_openness",
        "payment_facilitation",
        "single_passport",
        "credential_recognition",
        "recognition_finance",
        "recognition_law",
        "recognition_accounting",
        "recognition_architecture",
        "recognition_medicine",
        "recognition_education",
        "driver_testing",
        "equipment_clearance_days",
        "funding_transfer_days",
        "data_flow_regime",
    ];
    for id in ids {
        let lever = setup
            .catalogue
            .lever(id)
            .unwrap_or_else(|| panic!("lever {id} missing"));
        assert!(
            lever.label.contains_key("en") && lever.label.contains_key("zh"),
            "{id} label"
        );
        assert!(lever.history.iter().all(|h| !h.source.is_empty()));
    }
    assert_eq!(setup.catalogue.record_end, "2022-10-10");
    // The policy timeline's rows dated to 2022-10-10 are in the history; none after.
    let hk = setup.catalogue.lever("hk_quarantine").unwrap();
    assert!(hk.history.iter().any(|h| h.date == "2022-09-26"));
    assert!(hk.history.iter().all(|h| h.date.as_str() <= "2022-10-10"));
}

/// Runs the embedded model with every lever-driven constant overridden as given (constant over
/// the whole run) and checks the model stays sane.
fn check_sane(setup: &ModelSetup, settings: &[(String, f64)]) -> Results {
    let program = &setup.compiled.program;
    let mut o = Overrides::new();
    for (constant, v) in settings {
        o.set(program, constant, Override::Constant(*v)).unwrap();
    }
    let r = program.run(&o).unwrap();
    for (c, name) in r.names.iter().enumerate() {
        let series = r.column(c);
        assert!(
            series.iter().all(|v| v.is_finite()),
            "{name} not finite under {settings:?}"
        );
        let var = &program.vars()[program.find(name).unwrap()];
        if var.kind == VarKind::Stock {
            assert!(
                series.iter().all(|&v| v >= 0.0),
                "stock {name} negative under {settings:?}"
            );
        }
    }
    r
}

/// (constant, min, max) of every lever.
fn lever_ranges(setup: &ModelSetup) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    for lever in &setup.catalogue.levers {
        match &lever.kind {
            LeverKind::Numeric {
                constant,
                min,
                max,
                unlimited,
                ..
            } => out.push((constant.clone(), *min, unlimited.unwrap_or(*max))),
            LeverKind::Categorical { presets } => {
                for c in lever.constants() {
                    let vals = presets.iter().filter_map(|p| p.values.get(c)).copied();
                    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                        (a.min(v), b.max(v))
                    });
                    out.push((c.to_string(), lo, hi));
                }
            }
        }
    }
    out
}

#[test]
fn extreme_lever_settings_alone_and_together() {
    let setup = ModelSetup::embedded().unwrap();
    let ranges = lever_ranges(&setup);
    for (c, lo, hi) in &ranges {
        check_sane(&setup, &[(c.clone(), *lo)]);
        check_sane(&setup, &[(c.clone(), *hi)]);
    }
    check_sane(
        &setup,
        &ranges
            .iter()
            .map(|(c, lo, _)| (c.clone(), *lo))
            .collect::<Vec<_>>(),
    );
    check_sane(
        &setup,
        &ranges
            .iter()
            .map(|(c, _, hi)| (c.clone(), *hi))
            .collect::<Vec<_>>(),
    );
}

#[test]
fn a_fully_shut_border_carries_nothing() {
    let setup = ModelSetup::embedded().unwrap();
    let mut shut: Vec<(String, f64)> = [
        ("Northbound quota", 0.0),
        ("Southbound quota", 0.0),
        ("Buffer zone capacity", 0.0),
        ("Relay regime", 1.0),
        ("Transfer yard capacity", 0.0),
    ]
    .iter()
    .map(|(c, v)| (c.to_string(), *v))
    .collect();
    for lever in setup
        .catalogue
        .levers
        .iter()
        .filter(|l| l.id.starts_with("cp_"))
    {
        for c in lever.constants() {
            shut.push((c.to_string(), 0.0));
        }
    }
    let r = check_sane(&setup, &shut);
    for name in [
        "Mainland visitor arrivals",
        "HK resident trips north",
        "Shenzhen land crossings",
        "Goods vehicle crossings",
        "Commuter trips north",
    ] {
        let s = r.series(name).unwrap();
        assert!(
            s.iter().all(|&v| v == 0.0),
            "{name} flows through a shut border: max {}",
            s.iter().cloned().fold(0.0, f64::max)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn quotas_are_never_exceeded(north in 0.0f64..200000.0, south in 0.0f64..200000.0) {
        let setup = ModelSetup::embedded().unwrap();
        let r = check_sane(&setup, &[("Northbound quota".into(), north), ("Southbound quota".into(), south)]);
        let hk = r.series("HK resident trips north").unwrap();
        let commuters = r.series("Commuter trips north").unwrap();
        let buffer = r.series("Buffer zone crossings").unwrap();
        let mv = r.series("Mainland visitor arrivals").unwrap();
        for i in 0..hk.len() {
            prop_assert!(hk[i] + commuters[i] - buffer[i] <= north * (1.0 + 1e-9) + 1e-6);
            prop_assert!(mv[i] <= south * (1.0 + 1e-9) + 1e-6);
        }
    }

    #[test]
    fn random_lever_timelines_stay_sane(entries in proptest::collection::vec((0usize..40, 0.0f64..1.0, 1400.0f64..4300.0), 1..12)) {
        let setup = ModelSetup::embedded().unwrap();
        let ranges = lever_ranges(&setup);
        let mut schedules: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
        for (k, u, t) in entries {
            let (c, lo, hi) = &ranges[k % ranges.len()];
            schedules.entry(c.clone()).or_default().push((t.floor(), lo + u * (hi - lo)));
        }
        let program = &setup.compiled.program;
        let mut o = Overrides::new();
        for (c, mut pts) in schedules {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            pts.insert(0, (0.0, program.run(&Overrides::new()).unwrap().series(&c).unwrap()[0]));
            o.set(program, &c, Override::Schedule(pts)).unwrap();
        }
        let r = program.run(&o).unwrap();
        for (c, name) in r.names.iter().enumerate() {
            let s = r.column(c);
            prop_assert!(s.iter().all(|v| v.is_finite()), "{} not finite", name);
            if program.vars()[program.find(name).unwrap()].kind == VarKind::Stock {
                prop_assert!(s.iter().all(|&v| v >= 0.0), "{} negative", name);
            }
        }
    }
}

#[test]
fn every_shipped_scenario_runs_and_is_described_in_both_languages() {
    let mut count = 0;
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // stories/: lists of these scenarios, checked by the app's presentation test.
            continue;
        }
        let p = prepare(&path).unwrap_or_else(|e| panic!("{e}"));
        for field in [&p.scenario.title, &p.scenario.description] {
            assert!(
                field.get("en").is_some_and(|t| !t.is_empty())
                    && field.get("zh").is_some_and(|t| !t.is_empty()),
                "{}",
                path.display()
            );
        }
        let run = p.run_with(&[]).unwrap();
        let d = &p.setup.description;
        let h = analysis::headlines(d, &run.results, &p.calendar(), p.branch_time(), None);
        assert!(h.is_some());
        count += 1;
    }
    assert!(count >= 6, "baseline, actual and at least four what-ifs");
}

#[test]
fn the_embedded_default_is_the_status_quo() {
    let s = borderflow::scenario::Scenario::parse(
        borderflow::scenario::prepare::DEFAULT_SCENARIO,
        "default",
    )
    .unwrap();
    assert!(s.levers.is_empty() && s.overrides.is_empty() && s.branch.is_none());
    assert_eq!(s.model, borderflow::scenario::ModelRef::Embedded);
}
