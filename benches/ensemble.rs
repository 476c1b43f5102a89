//! 1 000 ensemble members of the full Shenzhen–Hong Kong model over the whole horizon, start-up
//! (scenario read, model compiled, plan drawn) included, against the same 1 000 parameter sets
//! run one after another with every variable recorded, in the same run.
//! `cargo bench --bench ensemble`

use std::path::Path;
use std::time::Duration;

use borderflow::analysis::ensemble::{self, Plan};
use borderflow::engine::Override;
use borderflow::scenario;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/actual-2020-2023.ron");
    let mut group = c.benchmark_group("ensemble_1000");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(12));
    group.bench_function("parallel, start-up included", |b| {
        b.iter(|| {
            let prepared = scenario::prepare(&file).expect("scenario");
            let plan = Plan::new(&prepared, &Plan::settings(&prepared, Some(1000), Some(7)))
                .expect("plan");
            ensemble::run(&prepared, &plan).expect("ensemble").1
        })
    });
    let prepared = scenario::prepare(&file).expect("scenario");
    let plan = Plan::new(&prepared, &Plan::settings(&prepared, Some(1000), Some(7))).expect("plan");
    let program = &prepared.setup.compiled.program;
    group.bench_function("one thread, every variable recorded", |b| {
        b.iter(|| {
            for i in 0..plan.members() {
                let mut o = prepared.overrides.clone();
                for (p, v) in plan.parameters.iter().zip(plan.sampler.draw(i)) {
                    let _ = o.set_var(program, p.var, Override::Constant(v));
                }
                std::hint::black_box(program.run(&o).expect("run"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
