//! The built-ins of issue 13 (NPV, PMT, MOD/INT on negatives, INF/NAN, PREVIOUS(SELF), COUNTER,
//! ENDVAL, ROOTN, SINWAVE/COSWAVE, LOGISTIC, PERCENT, LOOKUPINV/AREA/MEAN, NORMALCDF, INVNORM,
//! the seeded random draws) and the DELAY fix, each against a hand calculation or a published
//! value, and native code against the interpreter bit for bit.

mod common;
use borderflow::engine::{self, Overrides, Results, Runner};
use common::*;

fn escape(e: &str) -> String {
    e.replace('<', "&lt;").replace('>', "&gt;")
}

/// One aux per case, each run, each first value checked.
fn check_cases(cases: &[(&str, f64)], extra: &str, tol: f64) {
    let vars: String = cases
        .iter()
        .enumerate()
        .map(|(i, (e, _))| aux(&format!("c{i}"), &escape(e)))
        .collect::<String>()
        + extra;
    let r = run_allowing_nonfinite(&xmile(&euler(1.0, 0.5), &vars));
    for (i, (e, want)) in cases.iter().enumerate() {
        let got = series(&r, &format!("c{i}"))[0];
        let ok = if want.is_nan() {
            got.is_nan()
        } else if want.is_infinite() {
            got == *want
        } else {
            close(got, *want, tol)
        };
        assert!(ok, "{e}: got {got}, want {want}");
    }
}

#[test]
fn delay_uses_its_initial_value_for_a_constant_input() {
    // 100 + input * DELAY(50, 4, 0): the delay gives its initial 0 until t = 4, then 50.
    let vars = [aux("input", "1"), aux("y", "100 + input * DELAY(50, 4, 0)")].concat();
    let r = run(&xmile(&euler(8.0, 1.0), &vars));
    assert_eq!(
        series(&r, "y"),
        vec![
            100.0, 100.0, 100.0, 100.0, 150.0, 150.0, 150.0, 150.0, 150.0
        ]
    );
    let r = run(&xmile(&euler(6.0, 0.5), &vars));
    for (t, y) in r.times.iter().zip(series(&r, "y")) {
        assert_eq!(y, if *t < 4.0 { 100.0 } else { 150.0 }, "t = {t}");
    }
    // Without an initial value a constant delayed is itself from the start.
    let r = run(&xmile(&euler(3.0, 1.0), &aux("z", "DELAY(50, 4)")));
    assert_eq!(series(&r, "z"), vec![50.0; 4]);
}

#[test]
fn int_is_floor_and_mod_follows_it_for_negative_operands() {
    // XMILE 1.0: INT is the largest whole number not above x; MOD(a, b) = a - b * INT(a / b).
    check_cases(
        &[
            ("INT(-2.5)", -3.0),
            ("INT(2.5)", 2.0),
            ("INT(-3)", -3.0),
            ("INT(-0.5)", -1.0),
            ("MOD(-7, 3)", 2.0),
            ("MOD(7, -3)", -2.0),
            ("MOD(-7, -3)", -1.0),
            ("MOD(7, 3)", 1.0),
            ("MOD(-7.5, 2)", 0.5),
            ("-7 MOD 3", 2.0),
        ],
        "",
        1e-15,
    );
}

#[test]
fn inf_and_nan_are_constants() {
    let r = run_allowing_nonfinite(&xmile(
        &euler(2.0, 1.0),
        &[
            aux("x", "TIME * 3"),
            aux("capped", "MIN(x, INF)"),
            aux("floor", "MAX(x, -INF)"),
            aux("big", "IF INF > 1e308 THEN 1 ELSE 0"),
            aux("n", "NAN"),
            aux("n_ne_n", "IF NAN = NAN THEN 1 ELSE 0"),
            aux("called", "INF() + 1"),
        ]
        .concat(),
    ));
    assert_eq!(series(&r, "capped"), vec![0.0, 3.0, 6.0]);
    assert_eq!(series(&r, "floor"), vec![0.0, 3.0, 6.0]);
    assert_eq!(series(&r, "big"), vec![1.0; 3]);
    assert!(series(&r, "n").iter().all(|v| v.is_nan()));
    assert_eq!(series(&r, "n_ne_n"), vec![0.0; 3], "NaN equals nothing");
    assert_eq!(series(&r, "called"), vec![f64::INFINITY; 3]);
}

#[test]
fn previous_of_self_holds_the_variable_s_own_last_value() {
    let vars = [
        // As the corpus's "prev test 3": follow an input, then hold the last value.
        aux(
            "held",
            &escape("IF TIME > 2 THEN PREVIOUS(SELF, 0) ELSE TIME * 10"),
        ),
        // A running maximum.
        aux("wave", "MOD(TIME, 3)"),
        aux("peak", "MAX(wave, PREVIOUS(SELF, -1))"),
    ]
    .concat();
    let r = run(&xmile(&euler(5.0, 1.0), &vars));
    assert_eq!(series(&r, "held"), vec![0.0, 10.0, 20.0, 20.0, 20.0, 20.0]);
    assert_eq!(series(&r, "peak"), vec![0.0, 1.0, 2.0, 2.0, 2.0, 2.0]);
    // Without an initial value PREVIOUS starts at 0 (the corpus's reference outputs).
    let r = run(&xmile(&euler(2.0, 1.0), &aux("p", "PREVIOUS(SELF) + 1")));
    assert_eq!(series(&r, "p"), vec![1.0, 2.0, 3.0]);
}

#[test]
fn npv_discounts_every_step_and_counts_the_current_one() {
    // stream 100, rate 10% per time unit, DT 1: NPV(t = n) = sum_{k=0..n} 100 / 1.1^k.
    let vars = [
        aux("npv", "NPV(100, 0.1)"),
        aux("npv2", "NPV(100, 0.1, 50, 2)"),
    ]
    .concat();
    let r = run(&xmile(&euler(5.0, 1.0), &vars));
    let mut sum = 0.0;
    let want: Vec<f64> = (0..=5)
        .map(|k| {
            sum += 100.0 / 1.1f64.powi(k);
            sum
        })
        .collect();
    assert_series(&series(&r, "npv"), &want, 1e-12);
    let with_initial: Vec<f64> = want.iter().map(|v| (50.0 + v) * 2.0).collect();
    assert_series(&series(&r, "npv2"), &with_initial, 1e-12);
    assert!(close(want[1], 190.909_090_909_090_9, 1e-12));
    // DT 0.5: each step carries 100 * 0.5 and discounts by 1 / (1 + 0.1 * 0.5).
    let r = run(&xmile(&euler(2.0, 0.5), &aux("npv", "NPV(100, 0.1)")));
    let mut sum = 0.0;
    let want: Vec<f64> = (0..=4)
        .map(|k| {
            sum += 50.0 / 1.05f64.powi(k);
            sum
        })
        .collect();
    assert_series(&series(&r, "npv"), &want, 1e-12);
}

#[test]
fn pmt_pays_off_a_loan() {
    // 100 borrowed at 10% over 2 periods, paid at the end of each: (110 - P) * 1.1 = P,
    // P = 121 / 2.1. Paid at the start: (100 - P) * 1.1 = P, P = 110 / 2.1.
    check_cases(
        &[
            ("PMT(0.1, 2, 100)", -121.0 / 2.1),
            ("PMT(0.1, 2, 100, 0, 1)", -110.0 / 2.1),
            ("PMT(0, 4, 100)", -25.0),
            ("PMT(0.1, 1, 100, -110)", 0.0),
        ],
        "",
        1e-12,
    );
}

#[test]
fn counter_counts_time_and_wraps_at_its_end() {
    let r = run(&xmile(&euler(8.0, 0.5), &aux("c", "COUNTER(2, 5)")));
    for (t, c) in r.times.iter().zip(series(&r, "c")) {
        let want = 2.0 + t % 3.0;
        assert!(close(c, want, 1e-12), "t = {t}: {c} vs {want}");
    }
    // DT 0.1 makes times that are not exact sums: the counter still wraps to its start.
    let r = run(&xmile(&euler(3.0, 0.1), &aux("c", "COUNTER(0, 1)")));
    let c = series(&r, "c");
    for n in [10, 20, 30] {
        assert!(c[n].abs() < 1e-9, "wraps at step {n}: {}", c[n]);
    }
    assert!(c.iter().all(|v| (0.0..1.0).contains(v)));
}

#[test]
fn endval_in_a_single_run_is_its_default_or_the_initial_value() {
    let r = run(&xmile(
        &euler(3.0, 1.0),
        &[
            aux("e", "ENDVAL(TIME * 2 + 1)"),
            aux("f", "ENDVAL(TIME, 7)"),
        ]
        .concat(),
    ));
    assert_eq!(series(&r, "e"), vec![1.0; 4]);
    assert_eq!(series(&r, "f"), vec![7.0; 4]);
}

#[test]
fn roots_waves_logistic_percent_and_the_normal_distribution() {
    check_cases(
        &[
            ("ROOTN(27, 3)", 3.0),
            ("ROOTN(-8, 3)", -2.0),
            ("ROOTN(16, 4)", 2.0),
            ("ROOTN(-4, 2)", f64::NAN),
            ("LOGISTIC(1, 2, 1)", 0.5),
            ("LOGISTIC(LN(3), 1, 0)", 0.75),
            ("LOGISTIC(0)", 0.5),
            ("PERCENT(0.25)", 25.0),
            // Standard normal table: Φ(1) = 0.8413447461, Φ(1.96) = 0.9750021049.
            ("NORMALCDF(0, 0, 1)", 0.5),
            ("NORMALCDF(12, 10, 2)", 0.841_344_746_068_543),
            ("NORMALCDF(1.96)", 0.975_002_104_851_780),
            ("INVNORM(0.975, 0, 1)", 1.959_963_984_540_054),
            ("INVNORM(0.5, 10, 2)", 10.0),
            ("INVNORM(0.841344746068543, 10, 2)", 12.0),
            ("INVNORM(1.5, 0, 1)", f64::NAN),
            ("INVNORM(0)", f64::NEG_INFINITY),
        ],
        "",
        1e-9,
    );
    // SINWAVE/COSWAVE(amplitude, period) = amplitude * sin/cos(2π TIME / period).
    let r = run(&xmile(
        &euler(4.0, 0.5),
        &[aux("s", "SINWAVE(2, 4)"), aux("c", "COSWAVE(2, 4)")].concat(),
    ));
    let quarter = [(0.0, 2.0), (2.0, 0.0), (0.0, -2.0), (-2.0, 0.0), (0.0, 2.0)];
    for (k, (want_s, want_c)) in quarter.iter().enumerate() {
        let row = 2 * k; // t = k
        assert!((series(&r, "s")[row] - want_s).abs() < 1e-12, "sin t={k}");
        assert!((series(&r, "c")[row] - want_c).abs() < 1e-12, "cos t={k}");
    }
    assert!((series(&r, "s")[1] - 2.0 * (std::f64::consts::PI / 4.0).sin()).abs() < 1e-15);
}

#[test]
fn lookup_inverse_area_and_mean() {
    let gf = |kind: &str, name: &str| {
        format!(
            r#"<aux name="{name}"><eqn>TIME</eqn><gf type="{kind}"><xpts>0,1,2</xpts><ypts>0,10,40</ypts></gf></aux>"#
        )
    };
    let tables = [
        gf("continuous", "table"),
        gf("discrete", "steps"),
        gf("extrapolate", "lines"),
    ]
    .concat();
    // Points (0,0) (1,10) (2,40): trapezoids of area 5 and 25.
    check_cases(
        &[
            ("LOOKUPINV(table, 25)", 1.5),
            ("LOOKUPINV(table, 5)", 0.5),
            ("LOOKUPINV(table, 100)", 2.0),
            ("LOOKUPINV(table, -3)", 0.0),
            ("LOOKUPAREA(table, 0, 2)", 30.0),
            ("LOOKUPAREA(table, 0.5, 1.5)", 3.75 + 8.75),
            ("LOOKUPAREA(table, 1.5, 0.5)", -12.5),
            ("LOOKUPAREA(table, 2, 3)", 40.0),
            ("LOOKUPAREA(table, -1, 0)", 0.0),
            ("LOOKUPAREA(steps, 0, 2)", 10.0),
            ("LOOKUPAREA(steps, 0.5, 1.5)", 5.0),
            ("LOOKUPAREA(lines, 2, 3)", (40.0 + 70.0) / 2.0),
            ("LOOKUPAREA(lines, -1, 0)", -5.0),
            ("LOOKUPMEAN(table)", 15.0),
            ("LOOKUPMEAN(table, 1)", 5.0),
            ("LOOKUPMEAN(table, 0.5, 1.5)", 12.5),
            ("LOOKUPMEAN(table, 1.5, 1.5)", 25.0),
        ],
        &tables,
        1e-12,
    );
    let e = error(&xmile(
        &euler(1.0, 1.0),
        &aux("x", "LOOKUPAREA(nothing, 0, 1)"),
    ));
    assert!(e.contains("'nothing' is not a graphical function"), "{e}");
}

/// Every draw of one series: mean within five standard errors of `mean` (the standard error
/// from the distribution's own variance over the number of draws).
fn assert_mean(draws: &[f64], mean: f64, variance: f64, what: &str) {
    let n = draws.len() as f64;
    let got = draws.iter().sum::<f64>() / n;
    let tol = 5.0 * (variance / n).sqrt();
    assert!(
        (got - mean).abs() < tol,
        "{what}: mean {got}, expected {mean} ± {tol}"
    );
}

#[test]
fn each_distribution_has_its_mean_over_many_draws() {
    let vars = [
        aux("random", "RANDOM(3, 5, 1)"),
        aux("normal", "NORMAL(10, 2, 2)"),
        aux("lognormal", "LOGNORMAL(5, 2, 3)"),
        aux("poisson", "POISSON(3, 4)"),
        aux("triangular", "TRIANGULAR(1, 2, 6, 5)"),
        aux("weibull", "WEIBULL(2, 3, 6)"),
        aux("pareto", "PARETO(5, 2, 7)"),
        aux("negbinomial", "NEGBINOMIAL(4, 0.4, 8)"),
        aux("uniform", "UNIFORM(-1, 1)"),
    ]
    .concat();
    let r = run(&xmile(&euler(20_000.0, 1.0), &vars));
    let s = |n: &str| series(&r, n);
    assert_mean(&s("random"), 4.0, 4.0 / 12.0, "RANDOM(3, 5)");
    assert!(s("random").iter().all(|v| (3.0..5.0).contains(v)));
    assert_mean(&s("normal"), 10.0, 4.0, "NORMAL(10, 2)");
    assert_mean(&s("lognormal"), 5.0, 4.0, "LOGNORMAL(5, 2)");
    assert!(s("lognormal").iter().all(|v| *v > 0.0));
    assert_mean(&s("poisson"), 3.0, 3.0, "POISSON(3)");
    assert!(s("poisson").iter().all(|v| v.fract() == 0.0 && *v >= 0.0));
    // Triangular: mean (a + m + b) / 3, variance (a² + m² + b² - am - ab - mb) / 18.
    assert_mean(&s("triangular"), 3.0, 21.0 / 18.0, "TRIANGULAR(1, 2, 6)");
    assert!(s("triangular").iter().all(|v| (1.0..=6.0).contains(v)));
    // Weibull(shape 2, scale 3): mean 3 Γ(1.5) = 1.5 √π, variance 9 (1 - Γ(1.5)²) = 9 (1 - π/4).
    let pi = std::f64::consts::PI;
    assert_mean(
        &s("weibull"),
        1.5 * pi.sqrt(),
        9.0 * (1.0 - pi / 4.0),
        "WEIBULL(2, 3)",
    );
    // Pareto(shape 5, scale 2): mean 5·2/4, variance 2²·5 / (4²·3).
    assert_mean(&s("pareto"), 2.5, 20.0 / 48.0, "PARETO(5, 2)");
    assert!(s("pareto").iter().all(|v| *v >= 2.0));
    // Negative binomial(4 successes, p 0.4): mean 4·0.6/0.4, variance 4·0.6/0.16.
    assert_mean(&s("negbinomial"), 6.0, 15.0, "NEGBINOMIAL(4, 0.4)");
    assert!(
        s("negbinomial")
            .iter()
            .all(|v| v.fract() == 0.0 && *v >= 0.0)
    );
    assert_mean(&s("uniform"), 0.0, 4.0 / 12.0, "UNIFORM(-1, 1)");
}

fn run_seeded(c: &engine::Compiled, seed: u64, jit: bool) -> Results {
    let mut runner = Runner::new(&c.program).expect("runner");
    runner.seed = seed;
    runner.use_jit = jit;
    let mut out = Results::default();
    runner.run_into(&Overrides::new(), &mut out);
    out
}

#[test]
fn seed_rule_same_seed_same_path_and_sites_independent() {
    let vars = [
        aux("fixed", "NORMAL(0, 1, 99)"),
        aux("fixed_again", "RANDOM(0, 1, 99)"),
        aux("free_a", "RANDOM(0, 1)"),
        aux("free_b", "RANDOM(0, 1)"),
        aux("free_c", "POISSON(2)"),
    ]
    .concat();
    let c = compile(&xmile(&euler(4000.0, 1.0), &vars));
    let (one, again, other) = (
        run_seeded(&c, 1, true),
        run_seeded(&c, 1, true),
        run_seeded(&c, 2, true),
    );
    for name in ["fixed", "fixed_again", "free_a", "free_b", "free_c"] {
        assert_eq!(series(&one, name), series(&again, name), "{name} repeats");
    }
    // A site with its own seed ignores the run's seed; the others follow it.
    assert_eq!(series(&one, "fixed"), series(&other, "fixed"));
    assert_eq!(series(&one, "fixed_again"), series(&other, "fixed_again"));
    assert_ne!(series(&one, "free_a"), series(&other, "free_a"));
    assert_ne!(series(&one, "free_c"), series(&other, "free_c"));
    // Two sites without a seed are independent: their correlation is within five standard
    // errors (1 / √n) of zero.
    let (a, b) = (series(&one, "free_a"), series(&one, "free_b"));
    assert_ne!(a, b);
    let n = a.len() as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
    let (ma, mb) = (mean(&a), mean(&b));
    let cov: f64 = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / n;
    let sd = |v: &[f64], m: f64| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt();
    let corr = cov / (sd(&a, ma) * sd(&b, mb));
    assert!(corr.abs() < 5.0 / n.sqrt(), "correlation {corr}");
    // A seed must be a constant.
    let e = error(&xmile(&euler(1.0, 1.0), &aux("x", "RANDOM(0, 1, TIME)")));
    assert!(
        e.contains("seed must be a number written as a constant"),
        "{e}"
    );
}

#[test]
fn native_code_matches_the_interpreter_for_every_new_built_in() {
    // Arguments vary with TIME so that every op runs in the step code, not only at start.
    let vars = [
        r#"<aux name="table"><eqn>TIME</eqn><gf><xpts>0,1,2</xpts><ypts>0,10,40</ypts></gf></aux>"#
            .to_string(),
        aux("x", "TIME / 7 - 1.3"),
        aux("int", "INT(x * 3)"),
        aux("modulo", "MOD(x * 10, -3) + (x * 10) MOD 3"),
        aux("unbounded", "MIN(x, INF) + MAX(x, -INF)"),
        aux("prev", "MAX(x, PREVIOUS(SELF, -5))"),
        aux("npv", "NPV(10 + x, 0.05, 1, 1.5)"),
        aux("pmt", "PMT(0.01 * TIME, 12, 1000 + x, 10, 1)"),
        aux("counter", "COUNTER(1, 2.5)"),
        aux("endval", "ENDVAL(x) + ENDVAL(x, 3)"),
        aux("root", "ROOTN(x * 5, 3) + ROOTN(TIME, 2.5)"),
        aux("waves", "SINWAVE(x, 3) + COSWAVE(2, 5 + x)"),
        aux("logistic", "LOGISTIC(x, 2, 0.1)"),
        aux("percent", "PERCENT(x)"),
        aux("cdf", "NORMALCDF(x, 0.2, 1.5) + INVNORM(0.5 + x / 5, 1, 2)"),
        aux("inverse", "LOOKUPINV(table, TIME * 3)"),
        aux("area", "LOOKUPAREA(table, x, TIME / 3)"),
        aux("mean", "LOOKUPMEAN(table, x, 1.5) + LOOKUPMEAN(table, x)"),
        aux(
            "draws",
            "RANDOM(0, 1) + NORMAL(x, 1) + LOGNORMAL(2, 1 + x * x)",
        ),
        aux("counts", "POISSON(2 + x) + NEGBINOMIAL(3, 0.5)"),
        aux(
            "shapes",
            "TRIANGULAR(x - 1, x, x + 2) + WEIBULL(2, 1) + PARETO(3, 1)",
        ),
        aux("delayed", "100 + DELAY(50, 4, 0)"),
    ]
    .concat();
    for method in ["Euler", "RK4"] {
        let specs = format!(r#"method="{method}"><start>0</start><stop>30</stop><dt>0.25</dt>"#);
        let c = compile(&xmile(&specs, &vars));
        assert!(
            c.program.has_native_code(),
            "no native code on this platform"
        );
        let (a, b) = (run_seeded(&c, 5, true), run_seeded(&c, 5, false));
        for col in 0..a.names.len() {
            for (row, (x, y)) in a.column(col).iter().zip(b.column(col)).enumerate() {
                assert!(
                    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                    "{method} {} row {row}: {x} vs {y}",
                    a.names[col]
                );
            }
        }
        let finite = |name: &str| series(&a, name).iter().filter(|v| v.is_finite()).count();
        assert!(finite("draws") > 100 && finite("area") > 100 && finite("pmt") > 100);
    }
}

#[test]
fn new_built_ins_have_unit_rules() {
    let with_units = |name: &str, eqn: &str, units: &str| {
        format!(r#"<aux name="{name}"><eqn>{eqn}</eqn><units>{units}</units></aux>"#)
    };
    let vars = [
        with_units("amp", "3", "people"),
        with_units("first day", "1", "days"),
        with_units("wave", "SINWAVE(amp, 4)", "people"),
        with_units("bad wave", "SINWAVE(amp, amp)", "people"),
        with_units("count", "COUNTER(first_day, 9)", "days"),
        with_units("bad count", "COUNTER(first_day, amp)", "days"),
        with_units("share", "NORMALCDF(amp, amp, amp)", "dmnl"),
        with_units("bad share", "NORMALCDF(amp, first_day, amp)", "dmnl"),
        with_units("side", "ROOTN(amp * amp, 2)", "people"),
    ]
    .concat();
    let specs = r#"method="Euler" time_units="days"><start>0</start><stop>2</stop><dt>1</dt>"#;
    let c = compile(&xmile(specs, &vars));
    let warned = |name: &str| {
        c.unit_warnings
            .iter()
            .any(|w| w.message.contains(&format!("{name:?}")))
    };
    for ok in ["wave", "count", "share", "side"] {
        assert!(!warned(ok), "{ok}: {:?}", c.unit_warnings);
    }
    for bad in ["bad wave", "bad count", "bad share"] {
        assert!(warned(bad), "{bad}: {:?}", c.unit_warnings);
    }
}

#[test]
fn misuse_of_the_new_built_ins_is_a_located_error() {
    let cases = [
        ("NPV(1)", "NPV takes 2 to 4 arguments, found 1"),
        ("PMT(0.1, 2)", "PMT takes 3 to 5 arguments, found 2"),
        (
            "TRIANGULAR(1, 2)",
            "TRIANGULAR takes 3 to 4 arguments, found 2",
        ),
        (
            "POISSON(1, 2, 3)",
            "POISSON takes 1 to 2 arguments, found 3",
        ),
        ("ROOTN(8)", "ROOTN takes 2 arguments, found 1"),
        (
            "LOOKUPINV(3, 1)",
            "LOOKUPINV: expected the name of a graphical function as first argument",
        ),
        (
            "NORMAL(0, 1, x)",
            "NORMAL: the seed must be a number written as a constant",
        ),
    ];
    for (eqn, want) in cases {
        let text = xmile(&euler(1.0, 1.0), &[aux("x", "1"), aux("y", eqn)].concat());
        let e = error(&text);
        // Line 6 of the document `xmile` writes; y's equation starts at column 52.
        assert!(
            e.contains(want) && e.contains("bad.xmile:6:52:"),
            "{eqn}: {e}"
        );
    }
}
