//! Bad input gives a located error (file, line, column, what was expected): never a panic or a hang.

mod common;
use borderflow::engine;
use common::*;

/// Compiles `text` and returns (line, column, message) of its single error.
fn located(text: &str) -> (u32, u32, String) {
    let err = engine::compile_str(text, "bad.xmile").expect_err("must be refused");
    let diags = err.diagnostics();
    assert!(!diags.is_empty(), "no location in: {err}");
    assert_eq!(diags[0].file, "bad.xmile");
    (
        diags[0].location.line,
        diags[0].location.col,
        diags[0].message.clone(),
    )
}

/// Line numbers below count from the `xmile()` wrapper: variables start on line 6.
const FIRST_VAR_LINE: u32 = 6;

#[test]
fn xml_that_is_not_well_formed_is_not_repaired() {
    let (line, _, msg) = located("<xmile>\n<sim_specs>\n</xmile>");
    assert_eq!(line, 3);
    assert!(msg.contains("not well formed"), "{msg}");
}

#[test]
fn dtds_and_entities_are_refused() {
    let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<xmile>&b;</xmile>";
    let (line, _, msg) = located(text);
    assert_eq!(line, 2);
    assert!(msg.contains("DTD"), "{msg}");
    let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM \"file:///etc/passwd\">\n<xmile/>";
    assert!(located(external).2.contains("DTD"));
}

#[test]
fn syntax_errors_show_the_offending_token_and_its_column() {
    let text = xmile(&euler(1.0, 1.0), &aux("a", "1 + * 2"));
    let (line, col, msg) = located(&text);
    assert_eq!(line, FIRST_VAR_LINE);
    // `<aux name="a"><eqn>` is 19 characters; the equation starts at column 20, '*' at 24.
    assert_eq!(col, 24, "{msg}");
    assert!(msg.contains("'*'") && msg.contains("\"a\""), "{msg}");
}

#[test]
fn unknown_variable_and_function_and_wrong_arity() {
    let (line, col, msg) = located(&xmile(&euler(1.0, 1.0), &aux("a", "b + 1")));
    assert_eq!((line, col), (FIRST_VAR_LINE, 20));
    assert!(msg.contains("unknown variable 'b'"), "{msg}");
    let msg = located(&xmile(&euler(1.0, 1.0), &aux("a", "FROB(1)"))).2;
    assert!(msg.contains("unknown function 'FROB'"), "{msg}");
    let msg = located(&xmile(&euler(1.0, 1.0), &aux("a", "SMTH1(1)"))).2;
    assert!(
        msg.contains("SMTH1 takes 2 to 3 arguments, found 1"),
        "{msg}"
    );
}

#[test]
fn duplicate_names_name_the_first_definition() {
    let vars = format!("{}\n{}", aux("Rate", "1"), aux("rate", "2"));
    let (line, _, msg) = located(&xmile(&euler(1.0, 1.0), &vars));
    assert_eq!(line, FIRST_VAR_LINE + 1);
    assert!(
        msg.contains("duplicate name") && msg.contains(&format!("line {FIRST_VAR_LINE}")),
        "{msg}"
    );
}

#[test]
fn stock_without_its_flow() {
    let vars = r#"<stock name="s"><eqn>0</eqn><inflow>missing</inflow></stock>"#;
    let (line, _, msg) = located(&xmile(&euler(1.0, 1.0), vars));
    assert_eq!(line, FIRST_VAR_LINE);
    assert!(msg.contains("\"missing\" is not defined"), "{msg}");
}

#[test]
fn graphical_function_shape_errors() {
    let gf = |x: &str, y: &str| {
        format!(
            r#"<aux name="g"><eqn>TIME</eqn>
<gf><xpts>{x}</xpts><ypts>{y}</ypts></gf></aux>"#
        )
    };
    let (line, _, msg) = located(&xmile(&euler(1.0, 1.0), &gf("0,1,2", "0,1")));
    assert_eq!(line, FIRST_VAR_LINE + 1);
    assert!(msg.contains("3 x points but 2 y points"), "{msg}");
    let msg = located(&xmile(&euler(1.0, 1.0), &gf("0,2,1", "0,1,2"))).2;
    assert!(msg.contains("sorted"), "{msg}");
}

#[test]
fn time_specs_errors() {
    let specs = r#"><start>0</start><stop>10</stop><dt>0</dt>"#;
    assert!(
        located(&xmile(specs, &aux("a", "1")))
            .2
            .contains("<dt> > 0")
    );
    let specs = r#"><start>10</start><stop>0</stop><dt>1</dt>"#;
    assert!(
        located(&xmile(specs, &aux("a", "1")))
            .2
            .contains("before <start>")
    );
    let specs = r#"><start>0</start><stop>ten</stop>"#;
    assert!(
        located(&xmile(specs, &aux("a", "1")))
            .2
            .contains("expected a number for <stop>")
    );
}

#[test]
fn algebraic_loops_name_their_variables() {
    let vars = [aux("a", "b + 1"), aux("b", "c * 2"), aux("c", "a")].concat();
    let msg = located(&xmile(&euler(1.0, 1.0), &vars)).2;
    assert!(msg.contains("algebraic loop"), "{msg}");
    for v in ["\"a\"", "\"b\"", "\"c\""] {
        assert!(msg.contains(v), "{msg}");
    }
}

/// Arrays, modules and macros: every mistake is located and says what was expected.
#[test]
fn array_module_and_macro_mistakes_are_located() {
    let dims = r#"<dimensions><dim name="Region"><elem name="North"/><elem name="South"/></dim></dimensions><model>"#;
    let arrayed = |body: &str| xmile(&euler(1.0, 1.0), body).replace("<model>", dims);
    let cases: [(&str, &str); 6] = [
        (
            r#"<aux name="a"><dimensions><dim name="Nowhere"/></dimensions><eqn>1</eqn></aux>"#,
            "not a declared dimension",
        ),
        (
            r#"<aux name="a"><dimensions><dim name="Region"/></dimensions><eqn>1</eqn></aux><aux name="b"><eqn>a[East]</eqn></aux>"#,
            "\"east\" is not an element of dimension \"Region\"",
        ),
        (
            r#"<aux name="a"><dimensions><dim name="Region"/></dimensions><eqn>1</eqn></aux><aux name="b"><eqn>a[North, South]</eqn></aux>"#,
            "has 1 dimension(s) but is subscripted with 2",
        ),
        (
            r#"<aux name="a"><dimensions><dim name="Region"/></dimensions><element subscript="North"><eqn>1</eqn></element></aux>"#,
            "\"a[South]\" has no equation",
        ),
        (
            r#"<aux name="a"><dimensions><dim name="Region"/></dimensions><eqn>1</eqn></aux><aux name="b"><eqn>a * 2</eqn></aux>"#,
            "gives an array over Region where one value is expected",
        ),
        (
            r#"<aux name="b"><eqn>b2[North]</eqn></aux><aux name="b2"><eqn>1</eqn></aux>"#,
            "takes no subscript",
        ),
    ];
    for (body, expected) in cases {
        let (line, _, msg) = located(&arrayed(body));
        assert!(line >= FIRST_VAR_LINE, "{msg}");
        assert!(msg.contains(expected), "expected {expected:?} in: {msg}");
    }
    // Modules: an input that nothing feeds, a connection to nothing, a model that holds itself.
    let modules = |root: &str, sub: &str| {
        xmile(&euler(1.0, 1.0), root).replace(
            "</xmile>",
            &format!("<model name=\"sub\"><variables>{sub}</variables></model></xmile>"),
        )
    };
    let msg = located(&modules(
        r#"<module name="sub"/>"#,
        r#"<aux name="x" access="input"><eqn>{unset}</eqn></aux>"#,
    ))
    .2;
    assert!(msg.contains("connected to nothing"), "{msg}");
    let msg = located(&modules(
        r#"<aux name="y"><eqn>1</eqn></aux><module name="sub"><connect to="sub.nothing" from=".y"/></module>"#,
        r#"<aux name="x"><eqn>1</eqn></aux>"#,
    ))
    .2;
    assert!(msg.contains("names no variable"), "{msg}");
    let msg = located(&modules(
        r#"<module name="sub"/>"#,
        r#"<module name="sub"/>"#,
    ))
    .2;
    assert!(msg.contains("recursive modules"), "{msg}");
    // Macros: wrong number of arguments, a macro that calls itself.
    let macros = |defs: &str, eqn: &str| {
        xmile(&euler(1.0, 1.0), &aux("a", eqn)).replace("<model>", &format!("{defs}<model>"))
    };
    let twice = r#"<macro name="twice"><parm>x</parm><eqn>2 * x</eqn></macro>"#;
    let msg = located(&macros(twice, "twice(1, 2)")).2;
    assert!(msg.contains("takes 1 argument(s), found 2"), "{msg}");
    let forever = r#"<macro name="forever"><parm>x</parm><eqn>forever(x)</eqn></macro>"#;
    let msg = located(&macros(forever, "forever(1)")).2;
    assert!(msg.contains("recursive macros"), "{msg}");
    // An empty <dimensions/> declares nothing and is accepted; so are unused dimensions.
    let ok = xmile(&euler(1.0, 1.0), &aux("a", "1")).replace("<model>", "<dimensions/><model>");
    assert!(engine::compile_str(&ok, "ok.xmile").is_ok());
    assert!(engine::compile_str(&arrayed(&aux("a", "1")), "ok.xmile").is_ok());
    // Dimension sizes are bounded.
    let huge = xmile(&euler(1.0, 1.0), &aux("a", "1")).replace(
        "<model>",
        r#"<dimensions><dim name="D" size="100000000"/></dimensions><model>"#,
    );
    assert!(located(&huge).2.contains("over the limit"));
}

#[test]
fn oversized_runs_are_refused_before_running() {
    let text = xmile(&euler(1e9, 1.0), &aux("a", "TIME"));
    let err = engine::compile_str(&text, "big.xmile").expect_err("refused");
    assert!(err.to_string().contains("the limit is"), "{err}");
}

#[test]
fn deep_nesting_ends_cleanly() {
    let deep = format!("{}1{}", "(".repeat(50_000), ")".repeat(50_000));
    let msg = located(&xmile(&euler(1.0, 1.0), &aux("a", &deep))).2;
    assert!(msg.contains("nested"), "{msg}");
}

#[test]
fn missing_file_names_the_file() {
    let err =
        engine::compile_file(std::path::Path::new("no/such/model.xmile")).expect_err("missing");
    assert!(err.to_string().contains("no/such/model.xmile"), "{err}");
}

#[test]
fn cli_check_exit_codes() {
    let bin = env!("CARGO_BIN_EXE_borderflow");
    let dir = std::env::temp_dir().join(format!("bf-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.xmile");
    std::fs::write(&good, xmile(&euler(1.0, 1.0), &aux("a", "1"))).unwrap();
    let bad = dir.join("bad.xmile");
    std::fs::write(&bad, xmile(&euler(1.0, 1.0), &aux("a", "b"))).unwrap();
    let code =
        |args: &[&std::ffi::OsStr]| std::process::Command::new(bin).args(args).output().unwrap();
    let ok = code(&["check".as_ref(), good.as_os_str()]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("0 stocks, 0 flows, 1 auxes"));
    let fail = code(&["check".as_ref(), bad.as_os_str()]);
    assert_eq!(fail.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&fail.stderr)
            .contains("bad.xmile:6:20: in the equation of \"a\": unknown variable 'b'")
    );
    assert_eq!(
        code(&["check".as_ref(), "--bogus".as_ref()]).status.code(),
        Some(2)
    );
    let csv = dir.join("out.csv");
    let run = code(&[
        "run".as_ref(),
        good.as_os_str(),
        "--csv".as_ref(),
        csv.as_os_str(),
        "--set".as_ref(),
        "a=5".as_ref(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "time,a\n0,5\n1,5\n");
    let bad_set = code(&[
        "run".as_ref(),
        good.as_os_str(),
        "--set".as_ref(),
        "a=x".as_ref(),
    ]);
    assert_eq!(bad_set.status.code(), Some(1));
}

#[test]
fn unit_inconsistencies_are_warnings_and_strict_makes_them_errors() {
    let specs = r#"method="Euler" time_units="days"><start>0</start><stop>2</stop><dt>1</dt>"#;
    let vars = r#"
<stock name="visitors"><eqn>0</eqn><inflow>arrivals</inflow><units>people</units></stock>
<flow name="arrivals"><eqn>quota + hotel_days</eqn><units>people/day</units></flow>
<aux name="quota"><eqn>100</eqn><units>people/day</units></aux>
<aux name="hotel days"><eqn>7</eqn><units>days</units></aux>
<aux name="stay"><eqn>visitors / arrivals</eqn><units>day</units></aux>"#;
    let text = xmile(specs, vars);
    let c = engine::compile_str(&text, "u.xmile").expect("warnings do not stop compilation");
    assert_eq!(c.unit_warnings.len(), 1, "{:?}", c.unit_warnings);
    let w = &c.unit_warnings[0];
    assert_eq!(w.location.line, FIRST_VAR_LINE + 2);
    assert!(
        w.message.contains("\"arrivals\"") && w.message.contains("adding or subtracting"),
        "{}",
        w.message
    );
    let consistent = text.replace("quota + hotel_days", "quota * hotel_days / hotel_days");
    assert!(
        engine::compile_str(&consistent, "u.xmile")
            .unwrap()
            .unit_warnings
            .is_empty()
    );

    let bin = env!("CARGO_BIN_EXE_borderflow");
    let path = std::env::temp_dir().join(format!("bf-units-{}.xmile", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    let run = |strict: bool| {
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("check").arg(&path);
        if strict {
            cmd.arg("--strict-units");
        }
        cmd.output().unwrap()
    };
    let lenient = run(false);
    assert_eq!(lenient.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&lenient.stderr).contains("warning:"));
    assert_eq!(run(true).status.code(), Some(1));
}
