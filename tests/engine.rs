//! Compile once, run many: overrides, native code against the interpreter, stress inputs.

mod common;
use borderflow::engine::{self, Override, Overrides, Results, Runner};
use common::*;

fn run_with(c: &engine::Compiled, o: &Overrides, jit: bool) -> Results {
    let mut runner = Runner::new(&c.program).expect("runner");
    runner.use_jit = jit;
    let mut out = Results::default();
    runner.run_into(o, &mut out);
    out
}

fn models() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("benches/hk_reopening.xmile")];
    let mut stack = vec![root.join("tests/sd-test-models")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "xmile")
                && !p.to_string_lossy().contains("non_negative_flows")
            {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn native_code_and_interpreter_agree_bit_for_bit() {
    for path in models() {
        let c = engine::compile_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            c.program.has_native_code(),
            "{}: no native code on this platform",
            path.display()
        );
        let (a, b) = (
            run_with(&c, &Overrides::new(), true),
            run_with(&c, &Overrides::new(), false),
        );
        assert_eq!((a.rows(), a.names.len()), (b.rows(), b.names.len()));
        for col in 0..a.names.len() {
            for (row, (x, y)) in a.column(col).iter().zip(b.column(col)).enumerate() {
                assert!(
                    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                    "{}: {} row {row}: {x} vs {y}",
                    path.display(),
                    a.names[col]
                );
            }
        }
    }
}

const QUOTA_MODEL: &str = r#"
    <aux name="quota"><eqn>100</eqn></aux>
    <aux name="effective quota"><eqn>quota * 0.5</eqn></aux>
    <stock name="crossed"><eqn>0</eqn><inflow>crossing</inflow></stock>
    <flow name="crossing"><eqn>effective_quota</eqn></flow>"#;

#[test]
fn constant_override_reaches_constant_dependents() {
    let c = compile(&xmile(&euler(4.0, 1.0), QUOTA_MODEL));
    let mut o = Overrides::new();
    o.set(&c.program, "quota", Override::Constant(10.0))
        .unwrap();
    for jit in [true, false] {
        let r = run_with(&c, &o, jit);
        assert_eq!(series(&r, "effective quota"), vec![5.0; 5]);
        assert_eq!(series(&r, "crossed"), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
    }
    // The program is unchanged: a run without overrides is the baseline again.
    let base = run_with(&c, &Overrides::new(), true);
    assert_eq!(series(&base, "crossed")[4], 200.0);
}

#[test]
fn schedule_override_makes_constant_dependents_follow_it() {
    let c = compile(&xmile(&euler(4.0, 1.0), QUOTA_MODEL));
    let mut o = Overrides::new();
    o.set(
        &c.program,
        "Quota",
        Override::Schedule(vec![(0.0, 0.0), (2.0, 40.0), (3.0, 20.0)]),
    )
    .unwrap();
    for jit in [true, false] {
        let r = run_with(&c, &o, jit);
        assert_eq!(series(&r, "quota"), vec![0.0, 0.0, 40.0, 20.0, 20.0]);
        assert_eq!(
            series(&r, "effective_quota"),
            vec![0.0, 0.0, 20.0, 10.0, 10.0]
        );
        assert_eq!(series(&r, "crossed"), vec![0.0, 0.0, 0.0, 20.0, 30.0]);
    }
}

#[test]
fn stock_override_sets_its_initial_value_and_bad_overrides_are_refused() {
    let c = compile(&xmile(&euler(2.0, 1.0), QUOTA_MODEL));
    let mut o = Overrides::new();
    o.set(&c.program, "crossed", Override::Constant(1000.0))
        .unwrap();
    assert_eq!(
        series(&c.program.run(&o).unwrap(), "crossed"),
        vec![1000.0, 1050.0, 1100.0]
    );
    let e = o
        .set(&c.program, "nope", Override::Constant(1.0))
        .unwrap_err();
    assert!(e.contains("no variable named \"nope\""), "{e}");
    assert!(
        o.set(&c.program, "crossed", Override::Schedule(vec![(0.0, 1.0)]))
            .is_err()
    );
    assert!(
        o.set(&c.program, "quota", Override::Constant(f64::NAN))
            .is_err()
    );
    assert!(
        o.set(
            &c.program,
            "quota",
            Override::Schedule(vec![(2.0, 1.0), (1.0, 2.0)])
        )
        .is_err()
    );
}

#[test]
fn flow_override_skips_its_equation() {
    let c = compile(&xmile(&euler(2.0, 1.0), QUOTA_MODEL));
    let mut o = Overrides::new();
    o.set(
        &c.program,
        "crossing",
        Override::Schedule(vec![(0.0, 1.0), (1.0, 3.0)]),
    )
    .unwrap();
    for jit in [true, false] {
        assert_eq!(
            series(&run_with(&c, &o, jit), "crossed"),
            vec![0.0, 1.0, 4.0]
        );
    }
}

#[test]
fn a_200000_variable_chain_compiles_and_runs() {
    let mut vars = String::from(r#"<aux name="v0"><eqn>TIME</eqn></aux>"#);
    for i in 1..200_000 {
        vars.push_str(&format!(
            r#"<aux name="v{i}"><eqn>v{} + 1</eqn></aux>"#,
            i - 1
        ));
    }
    let r = run(&xmile(&euler(1.0, 1.0), &vars));
    assert_eq!(series(&r, "v199999"), vec![199_999.0, 200_000.0]);
}

/// Asserts two runs equal bit for bit (NaN equal to NaN).
fn assert_same_bits(a: &Results, b: &Results, what: &str) {
    assert_eq!((a.rows(), a.names.len()), (b.rows(), b.names.len()));
    for col in 0..a.names.len() {
        for (row, (x, y)) in a.column(col).iter().zip(b.column(col)).enumerate() {
            assert!(
                x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                "{what}: {} row {row}: {x} vs {y}",
                a.names[col]
            );
        }
    }
}

/// Euler steps run natively as one integrate-then-step call, except at a due schedule change
/// (applied between the two) and with PREVIOUS (sampled around the integration): every path
/// must give the interpreter's numbers and the hand-calculated ones.
#[test]
fn euler_steps_agree_across_the_native_paths_and_with_hand_values() {
    for with_previous in [false, true] {
        let previous = if with_previous {
            aux("last filled", "PREVIOUS(filled, -1)")
        } else {
            String::new()
        };
        let text = xmile(
            &euler(10.0, 0.5),
            &format!(
                r#"<stock name="filled"><eqn>0</eqn><inflow>inflow</inflow></stock>
                <flow name="inflow"><eqn>1</eqn></flow>
                <stock name="pulsed"><eqn>0</eqn><inflow>pulses</inflow></stock>
                <flow name="pulses"><eqn>PULSE(10, 2, 3)</eqn></flow>
                {}{}{previous}"#,
                aux("stepped", "STEP(4, 2.5)"),
                aux("late pulse", "PULSE(6, 1, 0)"),
            ),
        );
        check_euler_paths(&compile(&text), with_previous);
    }
}

fn check_euler_paths(c: &engine::Compiled, with_previous: bool) {
    // `inflow` is 1 until t = 5, then 3: `filled` at t = 10 is 5 × 1 + 5 × 3 = 20.
    let mut scheduled = Overrides::new();
    scheduled
        .set(
            &c.program,
            "inflow",
            Override::Schedule(vec![(0.0, 1.0), (5.0, 3.0)]),
        )
        .expect("schedule");
    for (o, what) in [(Overrides::new(), "no overrides"), (scheduled, "scheduled")] {
        let native = run_with(c, &o, true);
        assert_same_bits(&native, &run_with(c, &o, false), what);
        let filled = series(&native, "filled");
        let want_end = if what == "scheduled" { 20.0 } else { 10.0 };
        assert_eq!(filled[20], want_end, "{what}");
        if with_previous {
            // PREVIOUS: the value one step (0.5) before, and its initial value at t = 0.
            let last = series(&native, "last filled");
            assert_eq!(
                (last[0], last[1], last[20]),
                (-1.0, 0.0, filled[19]),
                "{what}"
            );
        }
    }
    let r = run_with(c, &Overrides::new(), true);
    // PULSE(10, 2, 3) at t = 2, 5, 8: 10 / DT = 20 during one step each, 10 added each time.
    let pulses = series(&r, "pulses");
    let on: Vec<usize> = (0..pulses.len()).filter(|&i| pulses[i] != 0.0).collect();
    assert_eq!(on, [4, 10, 16]);
    assert_eq!(pulses[4], 20.0);
    assert_eq!(series(&r, "pulsed")[20], 30.0);
    // STEP(4, 2.5): 0 before t = 2.5, then 4; a PULSE with interval 0 fires once, at t = 1.
    let stepped = series(&r, "stepped");
    assert_eq!((stepped[4], stepped[5], stepped[20]), (0.0, 4.0, 4.0));
    let late: Vec<usize> = series(&r, "late pulse")
        .iter()
        .enumerate()
        .filter(|(_, v)| **v != 0.0)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(late, [2]);
}

fn gf_aux(name: &str, kind: &str, xs: &str, ys: &str) -> String {
    format!(
        r#"<aux name="{name}"><eqn>x</eqn><gf type="{kind}"><xpts>{xs}</xpts><ypts>{ys}</ypts></gf></aux>"#
    )
}

/// Graphical functions with sorted points are read inline by the native code; they must give
/// the interpreter's numbers bit for bit (at the points, between them, beyond both ends, on
/// repeated x and for NaN), and the values worked out by hand from the points.
#[test]
fn inline_lookups_agree_with_the_interpreter_and_with_hand_values() {
    let (xs, ys) = ("0,1,1,3,6", "0,10,20,5,5");
    let points = |scale: f64| {
        (0..100)
            .map(|i| (i as f64 * scale).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let (long_xs, long_ys) = (points(1.0), points(2.0));
    let text = xmile(
        &euler(10.0, 0.25),
        &format!(
            "{}{}{}{}{}",
            // x runs from -2 to 7.5 by 0.25, then is NaN for the last step.
            aux("x", "IF TIME &lt; 10 THEN TIME - 2 ELSE NAN"),
            gf_aux("continuous", "continuous", xs, ys),
            gf_aux("extrapolated", "extrapolate", xs, ys),
            gf_aux("stepwise", "discrete", xs, ys),
            // Past the inline limit: read through the interpreter's function.
            gf_aux("long", "continuous", &long_xs, &long_ys),
        ),
    );
    let c = compile(&text);
    let native = run_with(&c, &Overrides::new(), true);
    assert_same_bits(&native, &run_with(&c, &Overrides::new(), false), "lookups");
    // Row r is x = r / 4 - 2.
    let at = |name: &str, x: f64| series(&native, name)[((x + 2.0) * 4.0) as usize];
    let table = [
        // x, continuous, extrapolated, discrete
        (-1.0, 0.0, -10.0, 0.0),
        (0.0, 0.0, 0.0, 0.0),
        (0.5, 5.0, 5.0, 0.0),
        // At the repeated x = 1 the later point (20) holds.
        (1.0, 20.0, 20.0, 20.0),
        (2.0, 12.5, 12.5, 20.0),
        (4.5, 5.0, 5.0, 5.0),
        (7.0, 5.0, 5.0, 5.0),
    ];
    for (x, cont, extra, disc) in table {
        assert_eq!(at("continuous", x), cont, "continuous at {x}");
        assert_eq!(at("extrapolated", x), extra, "extrapolated at {x}");
        assert_eq!(at("stepwise", x), disc, "discrete at {x}");
        assert_eq!(at("long", x), (2.0 * x).max(0.0), "long at {x}");
    }
    let last = native.rows() - 1;
    for name in ["continuous", "extrapolated", "stepwise", "long"] {
        assert!(series(&native, name)[last].is_nan(), "{name} of NaN");
    }
}
