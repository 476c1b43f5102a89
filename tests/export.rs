//! XMILE out: every model of both suites, and the shipped SZ–HK model, written back as XMILE
//! runs to exactly the same numbers (bit for bit), as read and flattened.

use std::path::{Path, PathBuf};

use borderflow::engine::{self, Overrides, Results, xmile_out};

fn models() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("assets/models/szhk.xmile")];
    let mut stack = vec![
        root.join("tests/sd-test-models"),
        root.join("tests/xmile-corpus"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "xmile" || e == "stmx") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn run(text: &str, file: &str) -> Result<(engine::Compiled, Results), String> {
    let c = engine::compile_str(text, file).map_err(|e| e.to_string())?;
    let r = c
        .program
        .run(&Overrides::new())
        .map_err(|e| e.to_string())?;
    Ok((c, r))
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn exported_models_run_to_the_same_bits_as_read_and_flattened() {
    let mut checked = 0;
    let mut flat_checked = 0;
    let mut failures = Vec::new();
    for path in models() {
        let text = std::fs::read_to_string(&path).expect("model");
        let name = path.display().to_string();
        let Ok((compiled, original)) = run(&text, &name) else {
            continue; // refused models (conveyors, queues, ill-formed XML) have nothing to export
        };
        // As read.
        let exported = xmile_out::write(&compiled.source);
        match run(&exported, "export.xmile") {
            Ok((_, again)) => {
                let same = again.names == original.names
                    && (0..original.names.len())
                        .all(|c| same_bits(&again.column(c), &original.column(c)));
                if same {
                    checked += 1;
                } else {
                    failures.push(format!("{name}: the export runs differently"));
                }
            }
            Err(e) => failures.push(format!("{name}: the export does not run: {e}")),
        }
        // Flattened: same numbers under the flattened names.
        let flat = match xmile_out::write_flat(&compiled.model) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        match run(&flat, "flat.xmile") {
            Ok((_, again)) => {
                let mut ok = true;
                for (c, n) in original.names.iter().enumerate() {
                    let flat_name = xmile_out::flat_name(n);
                    match again.column_index(&flat_name) {
                        Some(fc) if same_bits(&again.column(fc), &original.column(c)) => {}
                        Some(_) => {
                            failures.push(format!("{name}: {n} differs when flattened"));
                            ok = false;
                        }
                        None => {
                            failures.push(format!("{name}: no column {flat_name:?}"));
                            ok = false;
                        }
                    }
                }
                if ok {
                    flat_checked += 1;
                }
            }
            Err(e) => failures.push(format!("{name}: the flattened export does not run: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= 50 && flat_checked >= 50,
        "{checked} / {flat_checked}"
    );
}

#[test]
fn flattened_exports_have_no_arrays_modules_or_macros() {
    let text = r#"<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
<dimensions><dim name="City"><elem name="Boston"/><elem name="New York"/></dim></dimensions>
<macro name="double"><parm>x</parm><eqn>2 * x</eqn></macro>
<model><variables>
<aux name="pop"><dimensions><dim name="City"/></dimensions><eqn>double(10)</eqn></aux>
<aux name="total"><eqn>SUM(pop[*])</eqn></aux>
</variables></model></xmile>"#;
    let c = engine::compile_str(text, "t.xmile").expect("compiles");
    let flat = xmile_out::write_flat(&c.model).expect("flattens");
    for tag in ["<dimensions", "<macro", "<module", "["] {
        assert!(!flat.contains(tag), "{tag} in:\n{flat}");
    }
    assert!(flat.contains("name=\"pop__New_York\""), "{flat}");
    let (_, r) = run(&flat, "flat.xmile").expect("runs");
    assert_eq!(r.series("total").expect("total")[0], 40.0);
}
