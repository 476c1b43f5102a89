//! The reliability corpus (issue 18): every case an attacker or a careless user tried, run
//! through the `borderflow` binary and asserted for its exit code and message. Fixtures live in
//! tests/fixtures/reliability/; cases that need a special file (FIFO, device, huge sparse file,
//! symlink loop) or a generated one make it in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reliability")
        .join(name)
}

fn borderflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(args)
        .output()
        .expect("the binary starts")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and asserts the exit code and that stderr contains every `needle`.
fn expect(args: &[&str], code: i32, needles: &[&str]) -> Output {
    let o = borderflow(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}\nstderr: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: expected {n:?} in\n{err}");
    }
    o
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 test path")
}

#[test]
fn non_finite_values_stop_the_run_with_variable_time_and_equation() {
    // (fixture, variable, value, time, equation excerpt): values by hand, e.g. 1/0 = inf.
    let cases = [
        ("div-zero.xmile", "\"x\"", "inf", "at time 0", "`1/0`"),
        ("ln-negative.xmile", "\"x\"", "NaN", "at time 0", "`LN(-1)`"),
        (
            "exp-overflow.xmile",
            "\"x\"",
            "inf",
            "at time 0",
            "`EXP(1000)`",
        ),
        ("mod-zero.xmile", "\"x\"", "NaN", "at time 0", "`a MOD 0`"),
        (
            "literal-overflow.xmile",
            "\"x\"",
            "inf",
            "at time 0",
            "`1e309`",
        ),
        // 0/0 at time 2 only: MIN(NaN, quota) must not turn it into the quota.
        (
            "min-hides-nan.xmile",
            "\"confidence\"",
            "NaN",
            "at time 2",
            "(TIME - 2)",
        ),
        (
            "if-hides-nan.xmile",
            "\"signal\"",
            "NaN",
            "at time 0",
            "`0/0`",
        ),
        // LN(-1) from time 2: the flow is the cause, not the stock it would zero.
        (
            "nonnegative-stock-nan.xmile",
            "\"arrivals\"",
            "NaN",
            "at time 2",
            "LN(-1)",
        ),
    ];
    for (file, var, value, time, eqn) in cases {
        let f = fixture(file);
        let o = expect(&["run", path(&f)], 1, &[var, value, time, eqn]);
        assert!(o.stdout.is_empty(), "{file}: no summary of a failed run");
        // --allow-nonfinite keeps the old behaviour.
        expect(&["run", path(&f), "--allow-nonfinite"], 0, &[]);
    }
    // DELAY1 with delay time 0 divides by zero in its stage.
    expect(
        &["run", path(&fixture("delay1-zero.xmile"))],
        1,
        &["became", "at time 0", "DELAY1(input, 0)"],
    );
}

#[test]
fn min_max_if_and_non_negative_stocks_propagate_nan_when_allowed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.csv");
    let run = |file: &str| {
        expect(
            &[
                "run",
                path(&fixture(file)),
                "--allow-nonfinite",
                "--csv",
                path(&out),
            ],
            0,
            &[],
        );
        std::fs::read_to_string(&out).expect("csv written")
    };
    // arrivals = MIN(confidence * 50, 100), confidence NaN at time 2 only.
    let csv = run("min-hides-nan.xmile");
    let row2 = csv.lines().nth(3).expect("row of time 2");
    assert_eq!(row2, "2,100,NaN,NaN", "{csv}");
    // IF NaN THEN 1 ELSE 2 is NaN, not 1.
    let csv = run("if-hides-nan.xmile");
    assert_eq!(csv.lines().nth(1), Some("0,NaN,NaN"), "{csv}");
    // The non-negative stock keeps the NaN its inflow brings (time 3), not 0.
    let csv = run("nonnegative-stock-nan.xmile");
    assert_eq!(csv.lines().nth(4), Some("3,NaN,NaN"), "{csv}");
}

#[test]
fn inf_as_no_limit_is_exempt_and_carried_through_min() {
    let o = expect(&["run", path(&fixture("inf-is-no-limit.xmile"))], 0, &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    let x = out
        .lines()
        .find(|l| l.starts_with("x "))
        .expect("x in the summary");
    assert!(
        x.split_whitespace().skip(1).all(|v| v == "5.000000"),
        "{out}"
    );
}

#[test]
fn xml_strictness_refuses_with_a_location() {
    let cases = [
        ("second-variables.xmile", ":7:", "a second <variables>"),
        ("second-sim-specs.xmile", ":5:", "a second <sim_specs>"),
        ("dt-reciprocal.xmile", ":4:", "gives dt = inf"),
        ("char-ref.xmile", ":6:", "invalid character reference"),
        ("comparison-chain.xmile", ":6:", "more than 64 operators"),
    ];
    for (file, line, msg) in cases {
        let f = fixture(file);
        expect(&["check", path(&f)], 1, &[file, line, msg]);
    }
}

#[test]
fn run_size_errors_name_the_file_and_print_short_numbers() {
    let o = expect(
        &["check", path(&fixture("tiny-dt.xmile"))],
        1,
        &["tiny-dt.xmile", "by 1e-300", "the limit is"],
    );
    assert!(stderr(&o).len() < 400, "{}", stderr(&o));
}

#[test]
fn ron_maps_with_a_key_twice_and_loose_dates_are_refused() {
    expect(
        &["check", path(&fixture("duplicate-lever.ron"))],
        1,
        &["duplicate-lever.ron:8:", "\"hk_quarantine\" is given twice"],
    );
    expect(
        &["check", path(&fixture("duplicate-title.ron"))],
        1,
        &["duplicate-title.ron:3:", "\"en\" is given twice"],
    );
    expect(
        &["check", path(&fixture("short-date.ron"))],
        1,
        &["expected a date as YYYY-MM-DD", "2023-2-3"],
    );
}

#[test]
fn csv_columns_never_collide_and_text_cells_are_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out.csv");
    expect(
        &[
            "run",
            path(&fixture("variable-named-time.xmile")),
            "--csv",
            path(&out),
        ],
        0,
        &["note:", "\"Time (variable)\""],
    );
    let csv = std::fs::read_to_string(&out).expect("written");
    assert!(csv.starts_with("time,Time (variable),y\n"), "{csv}");
    expect(
        &[
            "run",
            path(&fixture("formula-name.xmile")),
            "--csv",
            path(&out),
        ],
        0,
        &[],
    );
    let csv = std::fs::read_to_string(&out).expect("written");
    // The header cell is text: escaped; the value -3 is a number: as it is.
    assert_eq!(
        csv.lines().next(),
        Some("time,\"'=HYPERLINK(\"\"x\"\")\""),
        "{csv}"
    );
    assert_eq!(csv.lines().nth(1), Some("0,-3"), "{csv}");
}

#[test]
fn inputs_that_are_not_regular_files_are_named_for_what_they_are() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    expect(&["check", path(d)], 1, &["is a directory"]);
    expect(
        &["check", "/dev/zero"],
        1,
        &["/dev/zero", "is a character device"],
    );
    expect(
        &["merge", "/dev/zero", "--csv", path(&d.join("m.csv"))],
        1,
        &["is a character device"],
    );
    let fifo = d.join("model.xmile");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        expect(&["check", path(&fifo)], 1, &["is a FIFO"]);
    }
    let huge = d.join("huge.xmile");
    let f = std::fs::File::create(&huge).expect("create");
    f.set_len(65 << 20).expect("sparse file");
    expect(&["check", path(&huge)], 1, &["is larger than 64 MB"]);
    let a = d.join("a.xmile");
    std::os::unix::fs::symlink("b.xmile", &a).expect("link");
    std::os::unix::fs::symlink("a.xmile", d.join("b.xmile")).expect("link");
    expect(&["check", path(&a)], 1, &["symbolic link loop"]);
    expect(
        &["check", path(&d.join("missing.xmile"))],
        1,
        &["does not exist"],
    );
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = dir.path().join("m.xmile");
    std::fs::copy(fixture("inf-is-no-limit.xmile"), &model).expect("copy");
    let before = std::fs::read(&model).expect("read");
    expect(
        &["run", path(&model), "--csv", path(&model)],
        1,
        &["it is the input"],
    );
    // Through a symlink too.
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("m.xmile", &link).expect("link");
    expect(
        &["run", path(&model), "--csv", path(&link)],
        1,
        &["it is the input"],
    );
    assert_eq!(std::fs::read(&model).expect("read"), before);
    let shard = dir.path().join("a.csv");
    std::fs::write(&shard, "not a shard").expect("write");
    expect(
        &["merge", path(&shard), "--csv", path(&shard)],
        1,
        &["it is the input"],
    );
    assert_eq!(
        std::fs::read_to_string(&shard).expect("read"),
        "not a shard"
    );
}

#[test]
fn counts_are_bounded_before_anything_is_allocated() {
    let max = u64::MAX.to_string();
    let m = fixture("inf-is-no-limit.xmile");
    expect(
        &["bench", path(&m), "--runs", &max],
        1,
        &["--runs", "at most 1000000"],
    );
    expect(
        &["calibrate", "--starts", &max],
        1,
        &["--starts", "at most 1000"],
    );
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline-2022-10.ron");
    expect(
        &[
            "sensitivity",
            path(&scenario),
            "--metric",
            "visitors_lost",
            "--sobol",
            &max,
        ],
        1,
        &["--sobol", "at most 100000"],
    );
    expect(
        &[
            "ensemble",
            path(&scenario),
            "--shard",
            "0/1000000000000",
            "--csv",
            "/nonexistent/x.csv",
        ],
        1,
        &["N <= 10000"],
    );
}

#[test]
fn merge_quotes_no_more_than_a_short_excerpt_of_a_foreign_file() {
    let o = expect(
        &["merge", "/etc/passwd", "--csv", "/nonexistent/x.csv"],
        1,
        &["/etc/passwd"],
    );
    let err = stderr(&o);
    assert!(!err.contains("bin/bash") && err.len() < 300, "{err}");
}

#[test]
fn calibrate_write_refuses_what_it_may_not_or_should_not_write() {
    expect(&["calibrate", "--write"], 1, &["name the file to update"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let other = dir.path().join("other.xmile");
    std::fs::copy(fixture("inf-is-no-limit.xmile"), &other).expect("copy");
    expect(
        &["calibrate", "--write", path(&other)],
        1,
        &["is not the embedded model"],
    );
    let copy = dir.path().join("szhk.xmile");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models/szhk.xmile"),
        &copy,
    )
    .expect("copy");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    expect(&["calibrate", "--write", path(&copy)], 1, &["read-only"]);
}

#[test]
fn merge_validates_every_value_and_bounds_the_shard_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline-2022-10.ron");
    let shard = dir.path().join("s0.csv");
    expect(
        &[
            "ensemble",
            path(&scenario),
            "--members",
            "4",
            "--seed",
            "3",
            "--shard",
            "0/2",
            "--csv",
            path(&shard),
        ],
        0,
        &[],
    );
    let text = std::fs::read_to_string(&shard).expect("shard written");
    let tampered = dir.path().join("t.csv");
    let merge = |t: &str, needles: &[&str]| {
        std::fs::write(&tampered, t).expect("write");
        expect(
            &[
                "merge",
                path(&tampered),
                "--csv",
                path(&dir.path().join("m.csv")),
            ],
            1,
            needles,
        );
    };
    // A member value turned into NaN or infinity, as `ensemble` itself would refuse.
    let member = text
        .lines()
        .position(|l| l.starts_with("member,"))
        .expect("a member line");
    // The shard with the first member line's last value replaced.
    let with_last_value = |value: &str| -> String {
        let lines: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == member {
                    let mut cells: Vec<&str> = l.split(',').collect();
                    let last = cells.len() - 1;
                    cells[last] = value;
                    cells.join(",")
                } else {
                    l.to_string()
                }
            })
            .collect();
        lines.join("\n")
    };
    for bad in ["NaN", "inf"] {
        let line = format!(":{}:", member + 1);
        merge(&with_last_value(bad), &[&line, "expected a finite number"]);
    }
    // A finite value edited by hand: the checksum line no longer matches; a shard cut short
    // has no checksum line.
    merge(
        &with_last_value("123456"),
        &["do not match the shard's checksum"],
    );
    let cut: Vec<&str> = text.lines().take(member + 1).collect();
    merge(&cut.join("\n"), &["without its checksum line"]);
    // A shard that claims 2^64 - 1 shards, or members beyond the limit: refused at once.
    let huge = u64::MAX.to_string();
    merge(
        &text.replace("shard,0,2", &format!("shard,0,{huge}")),
        &["N <= 10000"],
    );
    let members_line = text
        .lines()
        .find(|l| l.starts_with("members,"))
        .expect("members line");
    merge(
        &text.replace(members_line, &format!("members,{huge}")),
        &["expected a member count"],
    );
}

#[test]
fn calibrate_write_goes_through_a_symlink_and_keeps_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models");
    for f in ["szhk.levers.ron", "szhk.calibration.ron"] {
        std::fs::copy(models.join(f), d.join(f)).expect("copy");
    }
    // The description names the record the fit reads, beside the model: here, the repository's.
    let data = models.join("../data/hk_daily_passenger_traffic.csv");
    let description = std::fs::read_to_string(models.join("szhk.model.ron"))
        .expect("description")
        .replace(
            "\"../data/hk_daily_passenger_traffic.csv\"",
            &format!("{:?}", data.display().to_string()),
        );
    std::fs::write(d.join("szhk.model.ron"), description).expect("description");
    let real = d.join("real.xmile");
    std::fs::copy(models.join("szhk.xmile"), &real).expect("copy");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("real.xmile", d.join("szhk.xmile")).expect("link");
    let scenario = d.join("s.ron");
    std::fs::write(
        &scenario,
        "(version: 1, title: {\"en\": \"fit\"}, model: Path(\"szhk.xmile\"))",
    )
    .expect("scenario");
    // The report may not replace the scenario it reads.
    expect(
        &["calibrate", path(&scenario), "--report", path(&scenario)],
        1,
        &["it is the input"],
    );
    expect(
        &[
            "calibrate",
            path(&scenario),
            "--starts",
            "1",
            "--iterations",
            "2",
            "--write",
        ],
        0,
        &["fitted values into"],
    );
    let link = std::fs::symlink_metadata(d.join("szhk.xmile")).expect("link");
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let mode = std::fs::metadata(&real).expect("real").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    expect(&["check", path(&real)], 0, &[]);
}
