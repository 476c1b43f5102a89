fn main() {
    let path = std::env::args().nth(1).expect("model");
    let c = borderflow::engine::compile_file(std::path::Path::new(&path)).unwrap();
    let p = &c.program;
    let consts = p.step_code.iter().filter(|v| v.constant).count();
    println!(
        "ops={} per_step={} stocks={} slots={} vars={} constant_vars={} user={}",
        p.ops.len(),
        p.default_step_ops.len(),
        p.stocks.len(),
        p.slot_count,
        p.vars.len(),
        consts,
        p.user_count
    );
    let mut counts = std::collections::BTreeMap::new();
    for op in &p.default_step_ops {
        *counts
            .entry(format!("{op:?}").split(' ').next().unwrap().to_string())
            .or_insert(0) += 1;
    }
    println!("{counts:?}");
}
