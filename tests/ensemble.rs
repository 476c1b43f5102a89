//! Ensembles: reproducible whatever the thread count, shards merge byte for byte into the whole,
//! a zero-width range collapses onto the single run, percentiles as numpy computes them, bad
//! settings and bad shards are reported; sensitivity ranks what matters.

use std::path::{Path, PathBuf};
use std::process::Command;

use borderflow::analysis::ensemble::sensitivity::{self, Metric};
use borderflow::analysis::ensemble::{self, HeadlineColumn, Member, Plan, Summary, shard};
use borderflow::analysis::headlines;
use borderflow::scenario::{Distribution, Prepared, prepare_str};

fn scenario_text(ensemble: &str) -> String {
    format!(
        r#"(
    version: 1,
    title: {{"en": "test"}},
    levers: {{"hk_quarantine": [("2022-12-01", Preset("0+0"))], "sz_quarantine": [("2023-01-08", Preset("0+0"))]}},
    {ensemble}
)"#
    )
}

fn prepared(ensemble: &str) -> Prepared {
    let text = scenario_text(ensemble);
    prepare_str(&text, Path::new("test.ron")).unwrap_or_else(|e| panic!("{e}"))
}

fn plan_of(p: &Prepared) -> Plan {
    Plan::new(p, &Plan::settings(p, None, None)).unwrap()
}

const SMALL: &str = r#"ensemble: (members: 40, seed: 11, sampling: LatinHypercube, parameters: {"Confidence recovery time": Uniform(60.0, 180.0), "Pent up decay time": Triangular(30.0, 60.0, 120.0), "Pent up share": Normal(0.1, 0.02)})"#;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

#[test]
fn the_same_seed_gives_the_same_files_with_one_and_two_threads() {
    let p = prepared(SMALL);
    let plan = plan_of(&p);
    let one = pool(1).install(|| ensemble::run(&p, &plan).unwrap().1);
    let two = pool(2).install(|| ensemble::run(&p, &plan).unwrap().1);
    assert_eq!(one.csv(), two.csv());
    assert_eq!(one.headlines_csv(), two.headlines_csv());
    // A different seed gives different members.
    let other = prepared(&SMALL.replace("seed: 11", "seed: 12"));
    let three = ensemble::run(&other, &plan_of(&other)).unwrap().1;
    assert_ne!(one.csv(), three.csv());
}

#[test]
fn unnamed_uncertain_parameters_default_to_uniform_over_their_range_or_around_the_outlook() {
    let p = prepared(SMALL);
    let plan = plan_of(&p);
    let named: Vec<&str> = plan
        .parameters
        .iter()
        .filter(|s| s.named)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(named.len(), 3);
    for listed in &p.setup.parameters.parameters {
        let s = plan
            .parameters
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&listed.constant))
            .unwrap_or_else(|| panic!("{} is sampled", listed.constant));
        // The outlook's constants spread around the outlook's value, over their range.
        let outlook = p.outlook().unwrap().values.get(&listed.constant).copied();
        let expected = match outlook {
            Some(v) => Distribution::Triangular(listed.low.min(v), v, listed.high.max(v)),
            None => Distribution::Uniform(listed.low, listed.high),
        };
        if !s.named {
            assert_eq!(s.distribution, expected, "{}", listed.constant);
        }
    }
}

/// Every uncertain parameter fixed at its model value: all members equal the single run.
#[test]
fn a_zero_width_range_gives_a_zero_width_band_equal_to_the_single_run() {
    let base = prepared("");
    let single = base.run_with(&[]).unwrap().results;
    let fixed: Vec<String> = base
        .setup
        .parameters
        .parameters
        .iter()
        .map(|p| {
            let v = single.series(&p.constant).unwrap()[0];
            format!("{:?}: Uniform({v:?}, {v:?})", p.constant)
        })
        .collect();
    let p = prepared(&format!(
        "ensemble: (members: 12, seed: 5, sampling: Random, parameters: {{{}}})",
        fixed.join(", ")
    ));
    let plan = plan_of(&p);
    let (_, summary) = ensemble::run(&p, &plan).unwrap();
    for output in &plan.output_names {
        let output = output.as_str();
        let s = single.series(output).unwrap();
        let (p5, p95) = (
            summary.band(output, 0).unwrap(),
            summary.band(output, 4).unwrap(),
        );
        for (j, &t) in summary.times.iter().enumerate() {
            let row = t as usize;
            assert_eq!(p5[j], p95[j], "{output} at {t}");
            assert_eq!(p5[j], s[row], "{output} at {t}");
        }
    }
    let h = headlines::headlines(
        &p.setup.description,
        &single,
        &p.calendar(),
        p.branch_time(),
        None,
    )
    .unwrap();
    let want: Vec<f64> = (0..h.values.len())
        .map(|i| h.number(i, &p.calendar()))
        .collect();
    for (k, w) in want.iter().enumerate() {
        assert!(
            summary.headlines[k].iter().all(|v| v == w),
            "{k}: {:?}",
            summary.headlines[k]
        );
    }
}

#[test]
fn percentiles_of_members_match_a_hand_computation() {
    // Five members whose only output value is 1, 2, 3, 4, 10 (in shuffled order):
    // numpy.percentile(..., [5, 25, 50, 75, 95]) = 1.2, 2, 3, 4, 8.8.
    let p = prepared("");
    let cal = p.calendar();
    let outputs = p.setup.description.ensemble.clone();
    let columns = HeadlineColumn::of(&p.setup.description);
    let members: Vec<Member> = [3.0, 10.0, 1.0, 4.0, 2.0]
        .iter()
        .enumerate()
        .map(|(i, &v)| Member {
            index: i,
            parameters: vec![],
            series: vec![v; outputs.len()],
            // date50, date90 (past the horizon), then every other figure.
            headlines: (0..columns.len())
                .map(|h| if h == 1 { 5000.0 + v } else { v })
                .collect(),
        })
        .collect();
    let s = Summary::of(&cal, &[0.0], &outputs, &columns, &members);
    let want = [1.2, 2.0, 3.0, 4.0, 8.8];
    for (b, w) in want.iter().enumerate() {
        assert!((s.bands[0][b][0] - w).abs() < 1e-12);
        assert!((s.headlines[0][b] - w).abs() < 1e-12);
    }
    // date90 is past the horizon for every member: shown as "not by".
    let csv = s.headlines_csv();
    assert!(csv.contains("date90,date,not by 2030-12-31,"), "{csv}");
    assert!(csv.starts_with("headline,unit,p5,p25,p50,p75,p95\n"));
    assert!(s.csv().starts_with(
        "output,time,date,p5,p25,p50,p75,p95\nMainland visitor arrivals,0,2019-01-01,1.2,2,3,4,8.8\n"
    ));
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_borderflow"))
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn shards_merged_equal_the_whole_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.ron");
    std::fs::write(&scenario, scenario_text(SMALL)).unwrap();
    let whole = dir.path().join("whole.csv");
    run_ok(
        bin()
            .args(["ensemble"])
            .arg(&scenario)
            .args(["--members", "30", "--seed", "4", "--csv"])
            .arg(&whole),
    );
    let shards: Vec<PathBuf> = (0..3)
        .map(|i| {
            let out = dir.path().join(format!("shard{i}.csv"));
            run_ok(
                bin()
                    .args(["ensemble"])
                    .arg(&scenario)
                    .args([
                        "--members",
                        "30",
                        "--seed",
                        "4",
                        "--shard",
                        &format!("{i}/3"),
                        "--csv",
                    ])
                    .arg(&out),
            );
            out
        })
        .collect();
    let merged = dir.path().join("merged.csv");
    // Any order of shards.
    run_ok(
        bin()
            .arg("merge")
            .args([&shards[2], &shards[0], &shards[1]])
            .arg("--csv")
            .arg(&merged),
    );
    let read = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(read(&whole), read(&merged));
    assert_eq!(
        read(&dir.path().join("whole.headlines.csv")),
        read(&dir.path().join("merged.headlines.csv"))
    );

    // A missing shard, a repeated one, a shard of another ensemble, a damaged line.
    let err = |files: &[&Path]| match shard::merge(files) {
        Ok(_) => panic!("merging {files:?} should fail"),
        Err(e) => e.to_string(),
    };
    assert!(err(&[&shards[0], &shards[1]]).contains("1 of 3 shards are missing: 2"));
    assert!(err(&[&shards[0], &shards[0], &shards[1]]).contains("given twice"));
    let other = dir.path().join("other.csv");
    run_ok(
        bin()
            .args(["ensemble"])
            .arg(&scenario)
            .args(["--members", "30", "--seed", "5", "--shard", "2/3", "--csv"])
            .arg(&other),
    );
    assert!(err(&[&shards[0], &shards[1], &other]).contains("another ensemble"));
    let damaged = dir.path().join("damaged.csv");
    let text = std::fs::read_to_string(&shards[1]).unwrap();
    let cut: Vec<&str> = text.lines().collect();
    // The last member line (the checksum line follows it).
    let last = cut.len() - 2;
    let bad_line = cut[last].rsplit_once(',').unwrap().0;
    let mut lines: Vec<String> = cut.iter().map(|s| s.to_string()).collect();
    lines[last] = bad_line.to_string();
    std::fs::write(&damaged, lines.join("\n")).unwrap();
    let e = err(&[&shards[0], &damaged, &shards[2]]);
    assert!(
        e.contains(&format!("damaged.csv:{}:", last + 1)) && e.contains("expected"),
        "{e}"
    );
    // Shards name their outputs and headline figures (the model description's): a shard with
    // other outputs belongs to another ensemble.
    let renamed = dir.path().join("renamed.csv");
    std::fs::write(
        &renamed,
        text.replacen("Joint research projects", "Joint projects", 1),
    )
    .unwrap();
    let e = err(&[&shards[0], &renamed, &shards[2]]);
    assert!(
        e.contains("renamed.csv: belongs to another ensemble"),
        "{e}"
    );
    // One headline figure fewer than its member lines carry: refused at the first member.
    let fewer = dir.path().join("fewer.csv");
    let headline_line = text
        .lines()
        .position(|l| l.starts_with("headline,trade_lost,"))
        .unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(headline_line);
    let count = text
        .lines()
        .find_map(|l| l.strip_prefix("headlines,"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap();
    let shortened = lines.join("\n").replacen(
        &format!("headlines,{count}"),
        &format!("headlines,{}", count - 1),
        1,
    );
    std::fs::write(&fewer, shortened).unwrap();
    let e = err(&[&fewer]);
    assert!(
        e.contains("fewer.csv:") && e.contains("values after \"member\""),
        "{e}"
    );
}

#[test]
fn bad_ensemble_settings_are_located() {
    let cases = [
        (
            r#"ensemble: (members: 0, seed: 1, sampling: Random)"#,
            "members",
        ),
        (
            r#"ensemble: (members: 5, seed: 1, sampling: Random, parameters: {"No such": Uniform(0.0, 1.0)})"#,
            "no such variable",
        ),
        (
            r#"ensemble: (members: 5, seed: 1, sampling: Random, parameters: {"Pent up share": Uniform(0.5, 0.1)})"#,
            "low <= high",
        ),
        (
            r#"ensemble: (members: 5, seed: 1, sampling: Random, parameters: {"Pent up share": Triangular(0.0, 0.9, 0.5)})"#,
            "low <= mode <= high",
        ),
        (
            r#"ensemble: (members: 5, seed: 1, sampling: Random, parameters: {"HK hotel quarantine days": Uniform(0.0, 7.0)})"#,
            "set by lever",
        ),
        (
            r#"ensemble: (members: 5, seed: 1, sampling: Random, parameters: {"Confidence[Mainland visitors]": Uniform(0.0, 1.0)})"#,
            "not a constant",
        ),
    ];
    for (ensemble, message) in cases {
        let text = scenario_text(ensemble);
        let e = prepare_str(&text, Path::new("bad.ron"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("bad.ron:5:"), "{e}");
        assert!(e.contains(message), "{e}");
    }
}

#[test]
fn sensitivity_ranks_parameters_and_ignores_those_that_cannot_matter() {
    let p = prepared("");
    let plan = plan_of(&p);
    let visitors_lost = Metric::named(&p.setup.description, "visitors_lost").unwrap();
    let (base, swings) = sensitivity::tornado(&p, &plan, &visitors_lost).unwrap();
    assert!(base > 0.0);
    assert!(swings.windows(2).all(|w| w[0].width() >= w[1].width()));
    // Finance and trade parameters cannot move Mainland visitor losses.
    for irrelevant in [
        "Connect growth rate",
        "Connect saturation",
        "Relay driver loss",
    ] {
        let s = swings.iter().find(|s| s.parameter == irrelevant).unwrap();
        assert_eq!(s.width(), 0.0, "{irrelevant}");
    }
    assert!(swings[0].width() > 0.0);
    // Sobol: the same irrelevant parameter has zero indices; first-order indices sum to at most
    // about one.
    let ix = sensitivity::sobol(&p, &plan, &visitors_lost, 48, &Default::default()).unwrap();
    let connect = ix
        .iter()
        .find(|i| i.parameter == "Connect growth rate")
        .unwrap();
    assert_eq!((connect.first, connect.total), (0.0, 0.0));
    let sum: f64 = ix.iter().map(|i| i.first).sum();
    assert!(sum < 1.5, "{sum}");
    let csv = sensitivity::csv(&plan, &visitors_lost, base, &swings, Some(&ix));
    assert!(csv.starts_with("rank,parameter,low,high,visitors_lost_at_low,visitors_lost_at_high,swing,sobol_first,sobol_total\n1,"));
}

#[test]
fn member_draws_follow_the_named_distributions() {
    let p = prepared(
        r#"ensemble: (members: 400, seed: 2, sampling: LatinHypercube, parameters: {"Pent up share": Uniform(0.1, 0.3), "Pent up decay time": Triangular(30.0, 60.0, 120.0), "Confidence recovery time": LogNormal(5.0, 0.2)})"#,
    );
    let plan = plan_of(&p);
    let col = |name: &str| {
        let k = plan.parameters.iter().position(|s| s.name == name).unwrap();
        let mut v: Vec<f64> = (0..plan.members())
            .map(|i| plan.sampler.draw(i)[k])
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let u = col("Pent up share");
    assert!(u[0] >= 0.1 && u[399] <= 0.3);
    let tri = col("Pent up decay time");
    // Triangular(30, 60, 120): mean (30 + 60 + 120) / 3 = 70.
    let mean = tri.iter().sum::<f64>() / 400.0;
    assert!((mean - 70.0).abs() < 0.5, "{mean}");
    // LogNormal(5, 0.2): median exp(5) = 148.4.
    let ln = col("Confidence recovery time");
    assert!((ln[200] / 5f64.exp() - 1.0).abs() < 0.02, "{}", ln[200]);
}

#[test]
fn the_sensitivity_command_takes_the_metric_names_of_the_brief() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.ron");
    std::fs::write(&scenario, scenario_text("")).unwrap();
    for metric in ["date50", "date90", "visitors_lost", "trade_lost"] {
        let out = dir.path().join(format!("{metric}.csv"));
        run_ok(
            bin()
                .arg("sensitivity")
                .arg(&scenario)
                .args(["--metric", metric, "--csv"])
                .arg(&out),
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with(&format!(
                "rank,parameter,low,high,{metric}_at_low,{metric}_at_high,swing\n1,"
            )),
            "{text}"
        );
    }
}
