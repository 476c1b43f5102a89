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
