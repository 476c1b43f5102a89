//! Property tests over generated models that are long (one equation of up to 100 000 terms),
//! wide (thousands of variables) and nested (deep parentheses, unary minus and IF): each compiles
//! and runs to the value worked out from its shape, never overflowing the stack. A fixed seed and
//! small case counts keep the whole file well under a minute in CI.

mod common;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(18),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(6))]

    /// `1 + 1 + … + 1` (n terms) is n; `x + x + … + x` with x = 2 is 2n; every partial sum is
    /// an integer below 2^53, so the regrouped sum is exact.
    #[test]
    fn long_sums_compile_and_add_up(n in 10_000usize..=100_000, refs in any::<bool>()) {
        let term = if refs { "x" } else { "1" };
        let sum = vec![term; n].join("+");
        let text = xmile(&euler(1.0, 1.0), &format!("{}{}", aux("x", "2"), aux("total", &sum)));
        let r = run(&text);
        let want = if refs { 2.0 * n as f64 } else { n as f64 };
        prop_assert_eq!(series(&r, "total")[0], want);
    }

    /// Alternating `a - b + c - …` of ones: n terms give 1 when n is odd, 0 when even; products
    /// and quotients of 2 and 0.5 likewise end at a power of two.
    #[test]
    fn long_mixed_chains_keep_their_value(n in 100usize..=20_000) {
        let alternating: String = (0..n).map(|i| if i == 0 { "1".into() } else if i % 2 == 1 { "-1".to_string() } else { "+1".into() }).collect();
        let products: String = (0..n).map(|i| if i == 0 { "1".into() } else if i % 2 == 1 { "*2".to_string() } else { "/2".into() }).collect();
        let text = xmile(&euler(1.0, 1.0), &format!("{}{}", aux("alt", &alternating), aux("prod", &products)));
        let r = run(&text);
        prop_assert_eq!(series(&r, "alt")[0], if n % 2 == 1 { 1.0 } else { 0.0 });
        prop_assert_eq!(series(&r, "prod")[0], if n % 2 == 1 { 1.0 } else { 2.0 });
    }
}

proptest! {
    #![proptest_config(config(4))]

    /// k variables v_i = i and their sum: k (k - 1) / 2.
    #[test]
    fn wide_models_compile_and_run(k in 500usize..=5_000) {
        let mut vars: String = (0..k).map(|i| aux(&format!("v{i}"), &i.to_string())).collect();
        let sum: Vec<String> = (0..k).map(|i| format!("v{i}")).collect();
        vars.push_str(&aux("total", &sum.join(" + ")));
        let r = run(&xmile(&euler(2.0, 1.0), &vars));
        prop_assert_eq!(series(&r, "total")[0], (k * (k - 1) / 2) as f64);
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Up to 60 nested levels of `-( … )` around 1 (three parser levels each, within its 200)
    /// give (-1)^d; d / 4 nested IFs choose 1.
    #[test]
    fn nested_expressions_within_the_limit_run(d in 1usize..=60) {
        let neg = format!("{}1{}", "-(".repeat(d), ")".repeat(d));
        let ifs = format!("{}1{}", "IF 1 THEN (".repeat(d / 4), ") ELSE 0".repeat(d / 4));
        let text = xmile(&euler(1.0, 1.0), &format!("{}{}", aux("neg", &neg), aux("ifs", &ifs)));
        let r = run(&text);
        prop_assert_eq!(series(&r, "neg")[0], if d % 2 == 0 { 1.0 } else { -1.0 });
        prop_assert_eq!(series(&r, "ifs")[0], 1.0);
    }

    /// Past the nesting limit: a located error, not a crash.
    #[test]
    fn nesting_past_the_limit_is_a_located_error(d in 201usize..=5_000) {
        let deep = format!("{}1{}", "(".repeat(d), ")".repeat(d));
        let msg = error(&xmile(&euler(1.0, 1.0), &aux("x", &deep)));
        prop_assert!(msg.contains("nested more than"), "{}", msg);
    }
}
