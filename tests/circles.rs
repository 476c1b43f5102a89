//! Issue 15, the model side: goods, finance and innovation in the shipped model. Golden values
//! come from cross_border_other_figures.csv, the policy timeline or hand calculation; the
//! rest are the structural properties the issue names (a lever that must matter, or must not).

use std::path::{Path, PathBuf};

use borderflow::scenario::{Prepared, prepare, prepare_str};

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A shipped scenario with some lever entries replaced or added (each `(id, entries)` one line).
fn with_levers(file: &str, levers: &[(&str, &str)]) -> Prepared {
    let path = scenarios().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| {
            !levers
                .iter()
                .any(|(id, _)| l.trim_start().starts_with(&format!("\"{id}\":")))
        })
        .map(str::to_string)
        .collect();
    let at = match lines
        .iter()
        .position(|l| l.trim_start().starts_with("levers: {"))
    {
        Some(at) => at,
        None => {
            // A scenario without lever entries (the status quo): give it an empty map.
            let end = lines
                .iter()
                .rposition(|l| l.trim() == ")")
                .expect("a RON tuple");
            lines.insert(end, "    levers: {".to_string());
            lines.insert(end + 1, "    },".to_string());
            end
        }
    };
    for (id, entries) in levers {
        lines.insert(at + 1, format!("        \"{id}\": [{entries}],"));
    }
    prepare_str(&lines.join("\n"), &path).unwrap_or_else(|e| panic!("{e}"))
}

struct Run {
    dates: Vec<String>,
    results: borderflow::engine::Results,
}

impl Run {
    fn of(p: &Prepared) -> Run {
        Run::with(p, &[])
    }
    fn with(p: &Prepared, set: &[(&str, f64)]) -> Run {
        let set: Vec<(String, f64)> = set.iter().map(|(n, v)| (n.to_string(), *v)).collect();
        let r = p.run_with(&set).unwrap_or_else(|e| panic!("{e}"));
        Run {
            dates: r.dates,
            results: r.results,
        }
    }
    fn file(f: &str) -> Run {
        Run::of(&prepare(&scenarios().join(f)).unwrap())
    }
    fn series(&self, name: &str) -> Vec<f64> {
        self.results
            .series(name)
            .unwrap_or_else(|| panic!("no {name}"))
    }
    fn mean(&self, name: &str, from: &str, to: &str) -> f64 {
        let s = self.series(name);
        let v: Vec<f64> = self
            .dates
            .iter()
            .zip(s)
            .filter(|(d, _)| d.as_str() >= from && d.as_str() <= to)
            .map(|(_, v)| v)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    }
    fn at(&self, name: &str, date: &str) -> f64 {
        self.mean(name, date, date)
    }
    fn y2030(&self, name: &str) -> f64 {
        self.mean(name, "2030-01-01", "2030-12-31")
    }
}

fn within(model: f64, data: f64, share: f64) -> bool {
    (model / data - 1.0).abs() <= share
}

const FIELDS: [&str; 6] = [
    "Finance",
    "Law",
    "Accounting",
    "Architecture and engineering",
    "Medicine",
    "Education and research",
];

// ---- Calibration: the single figures of cross_border_other_figures.csv ----

#[test]
fn the_record_of_goods_finance_and_innovation_is_reproduced() {
    let r = Run::file("actual-2020-2023.ron");
    let checks = [
        // (what, model, data, tolerance): rows 10, 11, 16-19, 22, 24-26.
        (
            "goods vehicles 2020-03",
            r.mean("Goods vehicle crossings", "2020-03-01", "2020-03-31"),
            8_197.0,
            0.15,
        ),
        (
            "drivers 2019",
            r.mean("Cross border truck drivers", "2019-01-01", "2019-12-31"),
            13_000.0,
            0.02,
        ),
        (
            "drivers 2020",
            r.mean("Cross border truck drivers", "2020-03-01", "2020-12-31"),
            8_000.0,
            0.15,
        ),
        (
            "Connect first year",
            r.at("Connect first year turnover", "2019-01-01"),
            882.14 + 412.64,
            0.2,
        ),
        (
            "Connect cumulative to 2021-12-05",
            r.at("Connect cumulative turnover", "2021-12-05"),
            33_700.0 + 8_200.0,
            0.2,
        ),
        (
            "Hetao projects",
            r.at("Joint research projects", "2022-09-30"),
            150.0,
            0.2,
        ),
        ("Hetao IP items", r.at("IP items", "2022-09-30"), 203.0, 0.2),
        (
            "Hetao start-ups",
            r.at("Start ups", "2022-09-30"),
            24.0,
            0.25,
        ),
        (
            "Qianhai teams",
            r.at("Teams incubated", "2022-08-31"),
            610.0,
            0.2,
        ),
    ];
    let misses: Vec<String> = checks
        .iter()
        .filter(|(_, m, d, tol)| !within(*m, *d, *tol))
        .map(|(w, m, d, _)| format!("{w}: model {m:.1}, data {d}"))
        .collect();
    assert!(misses.is_empty(), "{misses:#?}");
    // Row 11: under 6500 drivers in 2022-03 (a ceiling, with the month's mean allowed 10%).
    let d = r.mean("Cross border truck drivers", "2022-03-01", "2022-03-31");
    assert!(d < 6_500.0 * 1.1, "drivers 2022-03: {d}");
}

// ---- Goods ----

#[test]
fn road_freight_has_slack_so_a_slow_clearance_no_longer_caps_trade() {
    // phased-quotas keeps clearance at 2 hours for ever (issue 15: the index stayed at 90.9).
    let r = Run::file("phased-quotas.ron");
    let trade = r.y2030("Trade index");
    assert!(trade >= 100.0, "trade index 2030: {trade}");
    // Drivers answer the backlog: more than the 13 000 of 2019 (row 11) once loads wait.
    let drivers = r.y2030("Cross border truck drivers");
    assert!(drivers > 13_000.0, "drivers 2030: {drivers}");
    // And the backlog does not persist: under two days of loads.
    let backlog = r.y2030("Backlog days");
    assert!(backlog < 2.0, "backlog 2030: {backlog} days");
}

#[test]
fn ending_the_relay_matters() {
    let actual = Run::file("actual-2020-2023.ron");
    let kept = Run::of(&with_levers(
        "actual-2020-2023.ron",
        &[("truck_driver_regime", "(\"2022-12-12\", Preset(\"relay\"))")],
    ));
    let (a, k) = (
        actual.y2030("Goods vehicle crossings"),
        kept.y2030("Goods vehicle crossings"),
    );
    assert!(a > 1.2 * k, "point-to-point {a}, relay kept {k}");
    let (ta, tk) = (actual.y2030("Trade index"), kept.y2030("Trade index"));
    assert!(ta > tk, "trade index: point-to-point {ta}, relay kept {tk}");
}

#[test]
fn stale_loads_are_cancelled_and_diverted_goods_still_count_as_trade() {
    // No road crossing at all from 2023: hand calculation of the steady backlog B with demand D:
    // orders 0.55 D (45% diverted, the saturation of Diversion response) equal cancellations
    // (B - 5 D) / 2, so B = 6.1 D: 6.1 days of loads, not years.
    let p = with_levers(
        "baseline-2022-10.ron",
        &[("transfer_yard_capacity", "(\"2023-01-01\", Value(0.0))")],
    );
    let r = Run::of(&p);
    let backlog = r.y2030("Backlog days");
    assert!((backlog - 6.1).abs() < 0.2, "backlog: {backlog} days");
    assert!(r.y2030("Goods vehicle crossings") < 1.0);
    let trade = r.y2030("Trade index");
    let road_demand_2030 = r.y2030("Road freight demand");
    let base = r.mean("Trade volume", "2019-01-01", "2019-12-31");
    let expected = 100.0 * 0.45 * road_demand_2030 / base;
    assert!(
        within(trade, expected, 0.02),
        "trade {trade}, by hand {expected}"
    );
}

#[test]
fn diverted_goods_return_to_the_road() {
    let r = Run::file("actual-2020-2023.ron");
    let diverted = r.series("Goods diverted");
    let peak = diverted.iter().cloned().fold(0.0, f64::max);
    assert!(peak > 500.0, "some loads went to sea and rail: {peak}");
    let end = r.y2030("Goods diverted");
    assert!(end < 0.5 * peak, "peak {peak}, 2030 {end}");
}

#[test]
fn passenger_rules_do_not_move_freight() {
    let base = Run::file("baseline-2022-10.ron");
    let opened = Run::of(&with_levers(
        "baseline-2022-10.ron",
        &[
            ("test_recognition", "(\"2022-11-01\", Preset(\"yes\"))"),
            ("hk_quarantine", "(\"2022-11-01\", Preset(\"0+0\"))"),
            ("sz_quarantine", "(\"2022-11-01\", Preset(\"0+0\"))"),
        ],
    ));
    for name in [
        "Goods vehicle crossings",
        "Cross border truck drivers",
        "Trade index",
    ] {
        assert_eq!(base.series(name), opened.series(name), "{name}");
    }
    // The drivers' own testing rule does.
    let tested = Run::of(&with_levers(
        "baseline-2022-10.ron",
        &[("driver_testing", "(\"2022-11-01\", Preset(\"none\"))")],
    ));
    assert!(tested.y2030("Cross border truck drivers") > base.y2030("Cross border truck drivers"));
}

// ---- Finance ----

#[test]
fn connect_quotas_bind_only_as_net_buying_nears_them_and_are_never_exceeded() {
    let p = prepare(&scenarios().join("actual-2020-2023.ron")).unwrap();
    let turnover = |q: f64| {
        Run::with(
            &p,
            &[("Connect quota north", q), ("Connect quota south", q)],
        )
    };
    let (status_quo, doubled) = (turnover(52.0), turnover(104.0));
    let (s, d) = (
        status_quo.y2030("Connect turnover"),
        doubled.y2030("Connect turnover"),
    );
    assert!(
        (d / s - 1.0).abs() < 0.005,
        "2019 quotas do not bind: {s} vs {d}"
    );
    let tight = turnover(1.0).y2030("Connect turnover");
    assert!(tight < 0.8 * s, "tight quotas bind: {tight} vs {s}");
    // Mean net buying admitted = share x turnover, at most the quota, whatever the quota.
    for q in [0.5, 2.0, 10.0, 52.0] {
        let r = turnover(q);
        let north = r.series("Connect turnover north");
        let net_share = r.series("Net buy share");
        for (t, n) in north.iter().zip(&net_share) {
            assert!(
                t * n <= q * (1.0 + 1e-9),
                "net buying {} over quota {q}",
                t * n
            );
        }
    }
}

#[test]
fn professionals_never_exceed_their_pools() {
    let p = prepare(&scenarios().join("integration-package-2023.ron")).unwrap();
    let mut set: Vec<(String, f64)> = vec![
        ("Single passport".into(), 1.0),
        ("Credential recognition".into(), 1.0),
        ("Capital account openness".into(), 1.0),
    ];
    set.extend(
        FIELDS
            .iter()
            .map(|f| (format!("Field recognition[{f}]"), 1.0)),
    );
    for settings in [Vec::new(), set] {
        let r = p.run_with(&settings).unwrap();
        for f in FIELDS {
            let pool = r
                .results
                .series(&format!("Professional pool[{f}]"))
                .unwrap()[0];
            let practising = r
                .results
                .series(&format!("Professionals practising[{f}]"))
                .unwrap();
            let max = practising.iter().cloned().fold(0.0, f64::max);
            assert!(
                max <= pool * (1.0 + 1e-9),
                "{f}: {max} above the pool {pool}"
            );
        }
    }
}

#[test]
fn finance_measures_do_not_make_research() {
    let base = Run::file("actual-2020-2023.ron");
    let finance = Run::of(&with_levers(
        "actual-2020-2023.ron",
        &[
            ("single_passport", "(\"2023-06-01\", Value(1.0))"),
            ("capital_account_openness", "(\"2023-06-01\", Value(1.0))"),
            ("payment_facilitation", "(\"2023-06-01\", Value(1.0))"),
            ("recognition_finance", "(\"2023-06-01\", Value(1.0))"),
            ("connect_quota_north", "(\"2023-06-01\", Value(500.0))"),
        ],
    ));
    let (b, f) = (
        base.y2030("Professionals practising[Finance]"),
        finance.y2030("Professionals practising[Finance]"),
    );
    assert!(f > 3.0 * b, "finance professionals: {b} -> {f}");
    let (pb, pf) = (
        base.y2030("Joint research projects"),
        finance.y2030("Joint research projects"),
    );
    assert!(
        (pf / pb - 1.0).abs() < 0.005,
        "finance measures moved joint projects: {pb} -> {pf}"
    );
}

// ---- Innovation and talent ----

#[test]
fn recognition_is_set_per_field() {
    let base = Run::file("actual-2020-2023.ron");
    let law = Run::of(&with_levers(
        "actual-2020-2023.ron",
        &[("recognition_law", "(\"2023-06-01\", Value(1.0))")],
    ));
    for f in FIELDS {
        let name = format!("Professionals practising[{f}]");
        let change = law.y2030(&name) / base.y2030(&name) - 1.0;
        if f == "Law" {
            assert!(change > 1.0, "law: {change}");
        } else {
            assert!(
                change.abs() < 0.01,
                "{f} moved by law's recognition: {change}"
            );
        }
    }
}

#[test]
fn equipment_funding_and_data_take_separate_paths() {
    let base = Run::file("actual-2020-2023.ron");
    let change = |id: &str, entry: &str| {
        let r = Run::of(&with_levers("actual-2020-2023.ron", &[(id, entry)]));
        let ratio = |n: &str| r.y2030(n) / base.y2030(n);
        (
            ratio("Joint research projects"),
            ratio("IP filings"),
            ratio("Start up formation"),
        )
    };
    let equipment = change("equipment_clearance_days", "(\"2023-06-01\", Value(0.0))");
    let funding = change("funding_transfer_days", "(\"2023-06-01\", Value(0.0))");
    let data = change("data_flow_regime", "(\"2023-06-01\", Preset(\"free\"))");
    for (what, (p, _, _)) in [
        ("equipment", equipment),
        ("funding", funding),
        ("data", data),
    ] {
        assert!(p > 1.01, "{what} moves projects: {p}");
    }
    // In 2030 (flows: the stocks of IP and start-ups hold the years before the change): funding
    // moves start-up formation more than projects; data moves IP filings more than projects;
    // equipment moves both only through the projects.
    assert!(funding.2 > funding.0 + 0.05, "funding: {funding:?}");
    assert!(data.1 > data.0 + 0.05, "data: {data:?}");
    assert!(
        (equipment.1 - equipment.0).abs() < 1e-9,
        "equipment: {equipment:?}"
    );
    assert!(
        (equipment.2 - equipment.0).abs() < 1e-9,
        "equipment: {equipment:?}"
    );
}

#[test]
fn the_circles_interact_through_the_border_and_business_trips() {
    // A border open for people: more professionals and projects than the closed status quo.
    let (closed, open) = (
        Run::file("baseline-2022-10.ron"),
        Run::file("actual-2020-2023.ron"),
    );
    for name in [
        "Cross-border professionals",
        "Joint research projects",
        "Connect turnover",
    ] {
        assert!(
            open.y2030(name) > closed.y2030(name),
            "{name}: open {} closed {}",
            open.y2030(name),
            closed.y2030(name)
        );
    }
    // More professionals make more business trips: HK residents' trips north rise.
    let package = Run::file("integration-package-2023.ron");
    assert!(package.y2030("Cross-border professionals") > open.y2030("Cross-border professionals"));
    assert!(package.y2030("HK resident trips north") > open.y2030("HK resident trips north"));
}

#[test]
fn the_integration_package_shows_what_it_adds() {
    let (actual, package) = (
        Run::file("actual-2020-2023.ron"),
        Run::file("integration-package-2023.ron"),
    );
    let mut same = Vec::new();
    for name in [
        "Connect turnover",
        "Cross-border professionals",
        "Joint research projects",
        "IP items",
        "Start ups",
    ] {
        let (a, p) = (actual.y2030(name), package.y2030(name));
        if p < 1.05 * a {
            same.push(format!("{name}: actual {a:.1}, package {p:.1}"));
        }
    }
    for f in FIELDS {
        let name = format!("Professionals practising[{f}]");
        let (a, p) = (actual.y2030(&name), package.y2030(&name));
        if p < 1.05 * a {
            same.push(format!("{name}: actual {a:.1}, package {p:.1}"));
        }
    }
    assert!(same.is_empty(), "{same:#?}");
}
