//! Every built-in against a hand calculation: closed forms, or the difference equation of the
//! standard stock-and-flow structure worked out independently here.

mod common;
use common::*;

#[test]
fn smth1_step_response_is_one_minus_decay() {
    let r = run(&xmile(&euler(10.0, 1.0), &aux("s", "SMTH1(1, 4, 0)")));
    let want: Vec<f64> = (0..=10).map(|n| 1.0 - 0.75f64.powi(n)).collect();
    assert_series(&series(&r, "s"), &want, 1e-12);
}

#[test]
fn smth3_is_three_first_order_stages() {
    let r = run(&xmile(&euler(12.0, 1.0), &aux("s", "SMTH3(1, 6, 0)")));
    // Each stage has time 2: x_k(n+1) = x_k + (x_{k-1} - x_k) / 2, x_0 = 1.
    let mut x = [0.0f64; 3];
    let mut want = Vec::new();
    for _ in 0..=12 {
        want.push(x[2]);
        let prev = x;
        x[0] = prev[0] + (1.0 - prev[0]) / 2.0;
        x[1] = prev[1] + (prev[0] - prev[1]) / 2.0;
        x[2] = prev[2] + (prev[1] - prev[2]) / 2.0;
    }
    assert_series(&series(&r, "s"), &want, 1e-12);
}

#[test]
fn smth1_without_initial_starts_at_its_input() {
    let r = run(&xmile(
        &euler(5.0, 1.0),
        &aux("s", "SMTH1(7 + STEP(3, 2), 2)"),
    ));
    assert_series(&series(&r, "s"), &[7.0, 7.0, 7.0, 8.5, 9.25, 9.625], 1e-12);
}

#[test]
fn delay1_and_delay3_follow_their_stage_equations() {
    let vars = [
        aux("input", "STEP(10, 5)"),
        aux("d1", "DELAY1(input, 4)"),
        aux("d3", "DELAY3(input, 6)"),
    ]
    .concat();
    let r = run(&xmile(&euler(20.0, 1.0), &vars));
    // DELAY1: S' = in - S/4, out = S/4, S(0) = in(0)*4 = 0.
    let (mut s, mut want1) = (0.0f64, Vec::new());
    // DELAY3: three stages of time 2.
    let (mut st, mut want3) = ([0.0f64; 3], Vec::new());
    for n in 0..=20 {
        let input = if n >= 5 { 10.0 } else { 0.0 };
        want1.push(s / 4.0);
        want3.push(st[2] / 2.0);
        s += input - s / 4.0;
        let out = [st[0] / 2.0, st[1] / 2.0, st[2] / 2.0];
        st[0] += input - out[0];
        st[1] += out[0] - out[1];
        st[2] += out[1] - out[2];
    }
    assert_series(&series(&r, "d1"), &want1, 1e-12);
    assert_series(&series(&r, "d3"), &want3, 1e-12);
}

#[test]
fn delayn_and_smthn_of_order_three_match_delay3_and_smth3() {
    let vars = [
        aux("input", "STEP(10, 2) + RAMP(1, 5)"),
        aux("a", "DELAY3(input, 6)"),
        aux("b", "DELAYN(input, 6, 3)"),
        aux("c", "SMTH3(input, 6)"),
        aux("e", "SMTHN(input, 6, 3)"),
    ]
    .concat();
    let r = run(&xmile(&euler(30.0, 0.5), &vars));
    assert_eq!(series(&r, "a"), series(&r, "b"));
    assert_eq!(series(&r, "c"), series(&r, "e"));
}

#[test]
fn pipeline_delay_returns_the_past_input() {
    let vars = [
        aux("d", "DELAY(TIME, 3)"),
        aux("d0", "DELAY(TIME * 2, 3, -1)"),
    ]
    .concat();
    let r = run(&xmile(&euler(8.0, 1.0), &vars));
    assert_series(
        &series(&r, "d"),
        &[0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        0.0,
    );
    assert_series(
        &series(&r, "d0"),
        &[-1.0, -1.0, -1.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0],
        0.0,
    );
}

#[test]
fn rk4_on_exponential_growth_matches_the_closed_form() {
    let model = |method: &str| {
        xmile(
            &format!(r#"method="{method}"><start>0</start><stop>10</stop><dt>0.1</dt>"#),
            r#"<stock name="s"><eqn>1</eqn><inflow>g</inflow></stock><flow name="g"><eqn>0.3 * s</eqn></flow>"#,
        )
    };
    let rk = run(&model("RK4"));
    let s = series(&rk, "s");
    // On s' = k s one RK4 step multiplies by the Taylor polynomial 1 + h + h²/2 + h³/6 + h⁴/24
    // (h = k dt): exact for the method, and within the method's O(dt⁴) of exp(k t).
    let h: f64 = 0.03;
    let factor = 1.0 + h + h * h / 2.0 + h.powi(3) / 6.0 + h.powi(4) / 24.0;
    for (n, (t, v)) in rk.times.iter().zip(&s).enumerate() {
        assert!(close(*v, factor.powi(n as i32), 1e-12), "t={t}: {v}");
        let exact = (0.3 * t).exp();
        assert!((v - exact).abs() / exact < 2e-8, "t={t}: {v} vs {exact}");
    }
    let eu = run(&model("Euler"));
    let last = *series(&eu, "s").last().unwrap();
    assert!(
        close(last, 1.03f64.powi(100), 1e-12),
        "Euler is (1 + k dt)^n: {last}"
    );
}

#[test]
fn step_ramp_pulse_by_hand() {
    let vars = [
        aux("st", "STEP(5, 2)"),
        aux("ra", "RAMP(2, 3, 6)"),
        aux("pu", "PULSE(10, 2, 3)"),
        aux("once", "PULSE(4, 1)"),
    ]
    .concat();
    let r = run(&xmile(&euler(9.0, 0.5), &vars));
    for (i, &t) in r.times.iter().enumerate() {
        let st = series(&r, "st")[i];
        assert_eq!(st, if t >= 2.0 { 5.0 } else { 0.0 }, "STEP at {t}");
        let ra = series(&r, "ra")[i];
        assert_eq!(
            ra,
            if t < 3.0 {
                0.0
            } else {
                2.0 * (t.min(6.0) - 3.0)
            },
            "RAMP at {t}"
        );
        let pu = series(&r, "pu")[i];
        let on = [2.0, 5.0, 8.0].contains(&t);
        assert_eq!(pu, if on { 20.0 } else { 0.0 }, "PULSE at {t}: volume / dt");
        let once = series(&r, "once")[i];
        assert_eq!(
            once,
            if t == 1.0 { 8.0 } else { 0.0 },
            "single PULSE at {t}"
        );
    }
}

#[test]
fn init_and_previous() {
    let vars = [
        aux("i", "INIT(TIME + 3)"),
        aux("p", "PREVIOUS(TIME, -1)"),
        aux("q", "PREVIOUS(TIME * 2)"),
        aux("r", "PREVIOUS(TIME + 5)"),
    ]
    .concat();
    let r = run(&xmile(&euler(4.0, 1.0), &vars));
    assert_eq!(series(&r, "i"), vec![3.0; 5]);
    assert_eq!(series(&r, "p"), vec![-1.0, 0.0, 1.0, 2.0, 3.0]);
    assert_eq!(series(&r, "q"), vec![0.0, 0.0, 2.0, 4.0, 6.0]);
    // Without an initial value PREVIOUS starts at 0, not at its input's initial value.
    assert_eq!(series(&r, "r"), vec![0.0, 5.0, 6.0, 7.0, 8.0]);
}

#[test]
fn trend_and_forecast() {
    let vars = [
        aux("flat", "TREND(5, 3)"),
        aux("fc", "FORCST(5, 3, 10)"),
        aux("grow", "TREND(100 * EXP(0.01 * TIME), 5)"),
    ]
    .concat();
    let r = run(&xmile(&euler(200.0, 0.25), &vars));
    assert!(series(&r, "flat").iter().all(|&v| v == 0.0));
    assert!(series(&r, "fc").iter().all(|&v| v == 5.0));
    // For exponential input at rate g, TREND settles near g (first-order average lags by 1/g... ≈ g).
    let last = *series(&r, "grow").last().unwrap();
    assert!(
        (last - 0.01).abs() < 0.001,
        "TREND of 1%/time growth: {last}"
    );
}

#[test]
fn arithmetic_and_math_functions() {
    let cases = [
        ("MOD(-7, 3)", 2.0),
        ("-7 MOD 3", 2.0),
        ("INT(-1.5)", -2.0),
        ("SAFEDIV(1, 0)", 0.0),
        ("SAFEDIV(1, 0, 5)", 5.0),
        ("SAFEDIV(6, 3)", 2.0),
        ("ABS(-2)", 2.0),
        ("SQRT(16)", 4.0),
        ("EXP(0)", 1.0),
        ("LN(EXP(2))", 2.0),
        ("LOG10(1000)", 3.0),
        ("SIN(0) + COS(0)", 1.0),
        ("TAN(0) + ARCSIN(0) + ARCCOS(1) + ARCTAN(0)", 0.0),
        ("MIN(3, 1, 2)", 1.0),
        ("MAX(3, 1, 2)", 3.0),
        ("2^3^2", 512.0),
        ("-2^2", -4.0),
        ("IF 1 < 2 AND NOT 0 THEN 7 ELSE 8", 7.0),
        ("IF 1 = 2 OR 3 <> 3 THEN 7 ELSE 8", 8.0),
        ("(1 >= 1) + (2 <= 1) + (3 > 2)", 2.0),
        ("PI", std::f64::consts::PI),
        ("STARTTIME + STOPTIME + DT", 0.0 + 2.0 + 0.5),
    ];
    let vars: String = cases
        .iter()
        .enumerate()
        .map(|(i, (e, _))| {
            aux(
                &format!("c{i}"),
                &e.replace('<', "&lt;").replace('>', "&gt;"),
            )
        })
        .collect();
    let r = run(&xmile(&euler(2.0, 0.5), &vars));
    for (i, (e, want)) in cases.iter().enumerate() {
        let got = series(&r, &format!("c{i}"))[0];
        assert!(close(got, *want, 1e-12), "{e}: got {got}, want {want}");
    }
}

#[test]
fn graphical_functions_continuous_extrapolate_discrete() {
    let gf = |kind: &str, name: &str, x: &str| {
        format!(
            r#"<aux name="{name}"><eqn>{x}</eqn><gf type="{kind}"><xpts>0,1,2</xpts><ypts>0,10,40</ypts></gf></aux>"#
        )
    };
    let vars = [
        gf("continuous", "c", "TIME - 1"),
        gf("extrapolate", "e", "TIME - 1"),
        gf("discrete", "d", "TIME - 1"),
        r#"<gf name="table"><xscale min="0" max="2"/><ypts>0,10,40</ypts></gf>"#.to_string(),
        aux("l", "LOOKUP(table, TIME - 1)"),
        aux("f", "table(TIME - 1)"),
    ]
    .concat();
    let r = run(&xmile(&euler(4.0, 0.5), &vars));
    // x = -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3
    assert_series(
        &series(&r, "c"),
        &[0.0, 0.0, 0.0, 5.0, 10.0, 25.0, 40.0, 40.0, 40.0],
        1e-12,
    );
    assert_series(
        &series(&r, "e"),
        &[-10.0, -5.0, 0.0, 5.0, 10.0, 25.0, 40.0, 55.0, 70.0],
        1e-12,
    );
    assert_series(
        &series(&r, "d"),
        &[0.0, 0.0, 0.0, 0.0, 10.0, 10.0, 40.0, 40.0, 40.0],
        1e-12,
    );
    assert_eq!(series(&r, "l"), series(&r, "c"));
    assert_eq!(series(&r, "f"), series(&r, "c"));
}

#[test]
fn seeded_random_draws_repeat_and_have_the_right_moments() {
    let vars = [
        aux("n", "NORMAL(10, 2, 42)"),
        aux("u", "UNIFORM(3, 5, 7)"),
        aux("n2", "NORMAL(10, 2, 42)"),
    ]
    .concat();
    let text = xmile(&euler(4000.0, 1.0), &vars);
    let (a, b) = (run(&text), run(&text));
    assert_eq!(series(&a, "n"), series(&b, "n"), "same seed, same draws");
    assert_eq!(
        series(&a, "n"),
        series(&a, "n2"),
        "equal explicit seeds give equal streams"
    );
    let n = series(&a, "n");
    let mean = n.iter().sum::<f64>() / n.len() as f64;
    let sd = (n.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n.len() as f64).sqrt();
    assert!(
        (mean - 10.0).abs() < 0.15 && (sd - 2.0).abs() < 0.15,
        "mean {mean}, sd {sd}"
    );
    let u = series(&a, "u");
    assert!(u.iter().all(|&x| (3.0..5.0).contains(&x)));
    let umean = u.iter().sum::<f64>() / u.len() as f64;
    assert!((umean - 4.0).abs() < 0.05, "uniform mean {umean}");
}

#[test]
fn non_negative_stock_and_flow() {
    let vars = r#"
        <stock name="s"><eqn>3</eqn><outflow>out</outflow><non_negative/></stock>
        <flow name="out"><eqn>2</eqn></flow>
        <stock name="t"><eqn>0</eqn><inflow>f</inflow></stock>
        <flow name="f"><eqn>TIME - 2</eqn><non_negative/></flow>"#;
    let r = run(&xmile(&euler(4.0, 1.0), vars));
    assert_eq!(series(&r, "s"), vec![3.0, 1.0, 0.0, 0.0, 0.0]);
    assert_eq!(series(&r, "f"), vec![0.0, 0.0, 0.0, 1.0, 2.0]);
    assert_eq!(series(&r, "t"), vec![0.0, 0.0, 0.0, 0.0, 1.0]);
}

#[test]
fn save_step_and_reciprocal_dt() {
    let text = xmile(
        r#"method="Euler"><start>0</start><stop>2</stop><dt reciprocal="true">4</dt><save_step>0.5</save_step>"#,
        &aux("t", "TIME"),
    );
    let r = run(&text);
    assert_eq!(r.times, vec![0.0, 0.5, 1.0, 1.5, 2.0]);
    assert_eq!(series(&r, "t"), r.times);
}
