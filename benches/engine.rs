//! Run time of the benchmark model: native code against the interpreter, in the same run.
//! `cargo bench --bench engine`

use borderflow::engine::{self, Overrides, Results, Runner};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/hk_reopening.xmile");
    let compiled = engine::compile_file(&path).expect("benchmark model compiles");
    let overrides = Overrides::new();
    let mut group = c.benchmark_group("hk_reopening");
    for (name, jit) in [("native", true), ("interpreted", false)] {
        let mut runner = Runner::new(&compiled.program).expect("runner");
        runner.use_jit = jit;
        let mut out = Results::default();
        group.bench_function(name, |b| b.iter(|| runner.run_into(&overrides, &mut out)));
    }
    group.bench_function("compile", |b| {
        let text = std::fs::read_to_string(&path).expect("model");
        b.iter(|| engine::compile_str(&text, "hk_reopening.xmile").expect("compiles"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
