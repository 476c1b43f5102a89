//! Arrays, modules and macros on small models whose results are worked out by hand.

mod common;

use borderflow::engine::{Override, Overrides};
use common::*;

/// A document with the given top-level declarations (dimensions, macros) before `<model>`.
fn with(decls: &str, specs: &str, vars: &str) -> String {
    xmile(specs, vars).replace("<model>", &format!("{decls}<model>"))
}

const REGION: &str = r#"<dimensions>
<dim name="Region"><elem name="North"/><elem name="South"/><elem name="West"/></dim>
<dim name="Age" size="2"/>
<dim name="Zone"><elem name="Z1"/><elem name="Z2"/><elem name="Z3"/></dim>
</dimensions>"#;

fn arrayed(name: &str, dims: &[&str], eqn: &str) -> String {
    let d: String = dims
        .iter()
        .map(|d| format!(r#"<dim name="{d}"/>"#))
        .collect();
    format!(r#"<aux name="{name}"><dimensions>{d}</dimensions><eqn>{eqn}</eqn></aux>"#)
}

#[test]
fn apply_to_all_and_per_element_equations_with_every_kind_of_subscript() {
    let vars = [
        // Per element.
        r#"<aux name="base"><dimensions><dim name="Region"/></dimensions>
           <element subscript="North"><eqn>30</eqn></element>
           <element subscript="South"><eqn>10</eqn></element>
           <element subscript="West"><eqn>20</eqn></element></aux>"#
            .to_string(),
        // Apply-to-all: the bare name and the dimension name both mean the current element.
        arrayed("double", &["Region"], "base * 2 + base[Region] * 0"),
        arrayed("grid", &["Region", "Age"], "base[Region] + Age"),
        aux("by_name", "base[South]"),
        aux("by_number", "base[3]"),
        aux("computed", "base[INT(TIME) + 1]"),
        aux("total", "SUM(base[*])"),
        aux("mean", "MEAN(double[*])"),
        aux("lowest", "MIN(base[*])"),
        aux("highest", "MAX(base)"),
        aux("size", "SIZE(grid)"),
        aux("product", "PROD(base[North:South])"),
        aux("spread", "STDDEV(base[*])"),
        aux("column", "SUM(grid[*, 2])"),
        aux("mapped", "SUM(grid[*, Age] * 0) + Region.West"),
    ]
    .concat();
    let r = run(&with(REGION, &euler(2.0, 1.0), &vars));
    assert_eq!(series(&r, "double[South]"), vec![20.0; 3]);
    assert_eq!(series(&r, "grid[West,2]"), vec![22.0; 3]);
    assert_eq!(series(&r, "by_name"), vec![10.0; 3]);
    assert_eq!(series(&r, "by_number"), vec![20.0; 3]);
    assert_eq!(series(&r, "computed"), vec![30.0, 10.0, 20.0]);
    assert_eq!(series(&r, "total"), vec![60.0; 3]);
    assert_eq!(series(&r, "mean"), vec![40.0; 3]);
    assert_eq!(series(&r, "lowest"), vec![10.0; 3]);
    assert_eq!(series(&r, "highest"), vec![30.0; 3]);
    assert_eq!(series(&r, "size"), vec![6.0; 3]);
    assert_eq!(series(&r, "product"), vec![300.0; 3]);
    // Population standard deviation of 30, 10, 20: sqrt(200/3).
    assert!((series(&r, "spread")[0] - (200.0f64 / 3.0).sqrt()).abs() < 1e-12);
    // grid[r, 2] = base[r] + 2: 32 + 12 + 22.
    assert_eq!(series(&r, "column"), vec![66.0; 3]);
    assert_eq!(series(&r, "mapped"), vec![3.0; 3]);
}

#[test]
fn arrayed_stocks_flows_smooths_and_graphical_functions() {
    let vars = r#"
<stock name="pop"><dimensions><dim name="Region"/></dimensions><eqn>100</eqn><inflow>births</inflow></stock>
<flow name="births"><dimensions><dim name="Region"/></dimensions><eqn>pop * rate</eqn></flow>
<aux name="rate"><dimensions><dim name="Region"/></dimensions>
  <element subscript="North"><eqn>0.1</eqn></element>
  <element subscript="South"><eqn>0</eqn></element>
  <element subscript="West"><eqn>-0.5</eqn></element></aux>
<aux name="smoothed"><dimensions><dim name="Region"/></dimensions><eqn>SMTH1(pop, 1)</eqn></aux>
<aux name="shape"><dimensions><dim name="Region"/></dimensions><eqn>TIME</eqn>
  <gf><xscale min="0" max="2"/><ypts>0,10,20</ypts></gf></aux>
<aux name="own_shape"><dimensions><dim name="Region"/></dimensions><eqn>TIME</eqn>
  <element subscript="North"><gf><xscale min="0" max="2"/><ypts>0,1,2</ypts></gf></element>
  <element subscript="South"><gf><xscale min="0" max="2"/><ypts>5,5,5</ypts></gf></element>
  <element subscript="West"><gf><xscale min="0" max="2"/><ypts>2,1,0</ypts></gf></element></aux>
"#;
    let r = run(&with(REGION, &euler(2.0, 1.0), vars));
    assert_eq!(series(&r, "pop[North]"), vec![100.0, 110.0, 121.0]);
    assert_eq!(series(&r, "pop[South]"), vec![100.0; 3]);
    assert_eq!(series(&r, "pop[West]"), vec![100.0, 50.0, 25.0]);
    // SMTH1 with time 1 and dt 1 takes the previous input: one state per element.
    assert_eq!(series(&r, "smoothed[North]"), vec![100.0, 100.0, 110.0]);
    assert_eq!(series(&r, "smoothed[West]"), vec![100.0, 100.0, 50.0]);
    assert_eq!(series(&r, "shape[South]"), vec![0.0, 10.0, 20.0]);
    assert_eq!(series(&r, "own_shape[North]"), vec![0.0, 1.0, 2.0]);
    assert_eq!(series(&r, "own_shape[South]"), vec![5.0; 3]);
    assert_eq!(series(&r, "own_shape[West]"), vec![2.0, 1.0, 0.0]);
}

#[test]
fn dimension_mapping_by_position_and_vector_functions() {
    let vars = [
        r#"<aux name="v"><dimensions><dim name="Region"/></dimensions>
           <element subscript="North"><eqn>30</eqn></element>
           <element subscript="South"><eqn>10</eqn></element>
           <element subscript="West"><eqn>20</eqn></element></aux>"#
            .to_string(),
        // Zone has as many elements as Region: a Region subscript picks by position.
        arrayed("z", &["Zone"], "v[Zone]"),
        arrayed("rank", &["Region"], "RANK(v[Region], 1)"),
        arrayed("order", &["Region"], "VECTOR SORT ORDER(v[Region], 1)"),
        arrayed("down", &["Region"], "VECTOR SORT ORDER(v[Region], -1)"),
        arrayed("shifted", &["Region"], "VECTOR ELM MAP(v[Region], 2)"),
        aux("picked", "VECTOR SELECT(v[*] > 15, v[*], -1, 0, 0)"),
        aux("none", "VECTOR SELECT(v[*] > 99, v[*], -1, 0, 0)"),
    ]
    .concat();
    let r = run(&with(REGION, &euler(0.0, 1.0), &vars));
    assert_eq!(series(&r, "z[Z2]"), vec![10.0]);
    // Ascending ranks of 30, 10, 20.
    assert_eq!(series(&r, "rank[North]"), vec![3.0]);
    assert_eq!(series(&r, "rank[South]"), vec![1.0]);
    // 0-based positions of the smallest, middle, largest: South (1), West (2), North (0).
    assert_eq!(series(&r, "order[North]"), vec![1.0]);
    assert_eq!(series(&r, "order[South]"), vec![2.0]);
    assert_eq!(series(&r, "order[West]"), vec![0.0]);
    assert_eq!(series(&r, "down[North]"), vec![0.0]);
    assert_eq!(series(&r, "shifted[South]"), vec![20.0]);
    assert_eq!(series(&r, "picked"), vec![50.0]);
    assert_eq!(series(&r, "none"), vec![-1.0]);
}

#[test]
fn macros_with_their_own_stocks_several_macros_and_built_ins() {
    let macros = r#"
<macro name="twice"><parm>x</parm><eqn>2 * x</eqn></macro>
<macro name="hyp"><parm>a</parm><parm>b</parm><eqn>SQRT(a * a + b * b)</eqn></macro>
<macro name="accumulate"><parm>rate</parm><eqn>level</eqn>
  <variables>
    <stock name="level"><eqn>0</eqn><inflow>adding</inflow></stock>
    <flow name="adding"><eqn>twice(rate)</eqn></flow>
  </variables>
</macro>"#;
    let vars = [
        aux("a", "twice(hyp(3, 4))"),
        aux("b", "accumulate(1)"),
        aux("c", "accumulate(TIME)"),
    ]
    .concat();
    let r = run(&with(macros, &euler(3.0, 1.0), &vars));
    assert_eq!(series(&r, "a"), vec![10.0; 4]);
    // Each call site has its own stock: +2 a step, and +2·TIME a step.
    assert_eq!(series(&r, "b"), vec![0.0, 2.0, 4.0, 6.0]);
    assert_eq!(series(&r, "c"), vec![0.0, 0.0, 2.0, 6.0]);
    // The macros' own variables are hidden: no output column.
    assert!(
        r.names.iter().all(|n| !n.contains("level")),
        "{:?}",
        r.names
    );
}

#[test]
fn modules_nested_with_both_connect_spellings() {
    let text = r#"<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<sim_specs method="Euler"><start>0</start><stop>2</stop><dt>1</dt></sim_specs>
<model><variables>
  <aux name="area"><eqn>10</eqn></aux>
  <module name="outer"><connect to="outer.size" from=".area"/></module>
  <aux name="seen"><eqn>outer.inner.result + outer.grown</eqn></aux>
</variables></model>
<model name="outer"><variables>
  <aux name="size" access="input"><eqn>1</eqn></aux>
  <stock name="grown" access="output"><eqn>0</eqn><inflow>growing</inflow></stock>
  <flow name="growing"><eqn>size</eqn></flow>
  <module name="inner"><connect2 to="inner.x" from="size"/></module>
</variables></model>
<model name="inner"><variables>
  <aux name="x" access="input"><eqn>{not connected}</eqn></aux>
  <aux name="result" access="output"><eqn>x * 3</eqn></aux>
</variables></model>
</xmile>"#;
    let r = run(text);
    assert_eq!(series(&r, "outer.size"), vec![10.0; 3]);
    assert_eq!(series(&r, "outer.inner.result"), vec![30.0; 3]);
    assert_eq!(series(&r, "outer.grown"), vec![0.0, 10.0, 20.0]);
    assert_eq!(series(&r, "seen"), vec![30.0, 40.0, 50.0]);
}

#[test]
fn overrides_address_one_element_or_a_whole_array() {
    let vars = [arrayed("k", &["Region"], "1"), aux("total", "SUM(k[*])")].concat();
    let c = compile(&with(REGION, &euler(0.0, 1.0), &vars));
    let mut one = Overrides::new();
    one.set(&c.program, "k[South]", Override::Constant(10.0))
        .expect("an element");
    let r = c.program.run(&one).expect("runs");
    assert_eq!(series(&r, "total"), vec![12.0]);
    let mut all = Overrides::new();
    all.set(&c.program, "k", Override::Constant(5.0))
        .expect("the whole array");
    let r = c.program.run(&all).expect("runs");
    assert_eq!(series(&r, "total"), vec![15.0]);
    assert!(
        Overrides::new()
            .set(&c.program, "k[East]", Override::Constant(1.0))
            .is_err()
    );
}

#[test]
fn init_eqn_gives_the_initial_value_and_the_equation_thereafter() {
    let vars = r#"
<aux name="a"><eqn>TIME * 10</eqn><init_eqn>7</init_eqn></aux>
<stock name="s"><eqn>1</eqn><init_eqn>5</init_eqn></stock>"#;
    let r = run(&xmile(&euler(2.0, 1.0), vars));
    assert_eq!(series(&r, "s"), vec![5.0; 3]);
    // ACTIVE INITIAL: 7 when initialised, the equation at every step after.
    let a = series(&r, "a");
    assert_eq!(&a[1..], &[10.0, 20.0]);
}

#[test]
fn names_with_apostrophes_and_line_breaks_and_numbers_written_from_the_point() {
    let vars = [
        aux("farmer's income", ".5 * 4"),
        aux("twice", "farmer's_income * 2"),
        aux("size of one\\ntime harvest", "1"),
        aux("used", "size_of_one_time_harvest + .25"),
    ]
    .concat();
    let r = run(&xmile(&euler(0.0, 1.0), &vars));
    assert_eq!(series(&r, "farmer's income"), vec![2.0]);
    assert_eq!(series(&r, "twice"), vec![4.0]);
    // The CSV header keeps the name as written; lookups treat \n as a space.
    assert_eq!(series(&r, "size of one time harvest"), vec![1.0]);
    assert_eq!(series(&r, "used"), vec![1.25]);
}

#[test]
fn an_array_is_plotted_as_the_sum_of_its_elements() {
    let vars = [
        r#"<aux name="v"><dimensions><dim name="Region"/></dimensions>
           <element subscript="North"><eqn>TIME</eqn></element>
           <element subscript="South"><eqn>10</eqn></element>
           <element subscript="West"><eqn>2 * TIME</eqn></element></aux>"#
            .to_string(),
        aux("w", "1"),
    ]
    .concat();
    let r = run(&with(REGION, &euler(2.0, 1.0), &vars));
    assert_eq!(r.series_or_sum("v"), Some(vec![10.0, 13.0, 16.0]));
    assert_eq!(r.series_or_sum("v[South]"), Some(vec![10.0; 3]));
    assert_eq!(r.series_or_sum("w"), Some(vec![1.0; 3]));
    assert_eq!(r.series_or_sum("nothing"), None);
}
