//! "Why didn't it move?" in the app: the limit strip and the status line, on a copy of the SIR
//! teaching model with two hand-made limits (tests/fixtures/why): "Limit reduction" is the
//! contact reduction lever itself (0 to 2020-02-01, then 0.5 in the recorded history), "Limit
//! supply" is the supply lever (0.2), which feeds no figure. So by hand: supply holds the town
//! back in January (0.2 > 0), the contact reduction from 1 February (0.5 > 0.2).

use std::path::{Path, PathBuf};

use borderflow::app::BorderflowApp;
use borderflow::app::command::{Command, Gesture};
use borderflow::scenario::LeverValue;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[path = "common/storage.rs"]
mod storage;
use storage::Memory;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn harness(data_dir: &Path, file: PathBuf) -> Harness<'static, BorderflowApp> {
    let dir = data_dir.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            BorderflowApp::new_in(Some(cc), Some(&file), dir).expect("the app starts")
        });
    h.state_mut().set_uncertainty(false);
    h.run_steps(3);
    h
}

fn set(h: &mut Harness<'_, BorderflowApp>, id: &str, value: f64) {
    h.state_mut().apply(Command::SetLever {
        id: id.into(),
        value: LeverValue::Value(value),
        gesture: Gesture::Single,
    });
    h.run_steps(3);
}

#[test]
fn the_strip_shows_which_limit_holds_the_town_back_over_time() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), fixture("tests/fixtures/why/sir_limits.xmile"));
    assert!(h.query_by_label("What holds travel back").is_some());
    for legend in ["contact reduction", "supply"] {
        assert!(h.query_by_label(legend).is_some(), "legend shows {legend}");
    }
    let strip = h.state().strip.clone().expect("a strip");
    // Day 10 (11 January 2020): supply (index 1) at 0.2; day 40 (10 February): reduction at 0.5.
    assert_eq!(strip.at(10.0), [Some((1, 0.2))]);
    assert_eq!(strip.at(40.0), [Some((0, 0.5))]);
    let spans = strip.spans(0);
    assert_eq!(spans.len(), 2, "{spans:?}");
    assert_eq!((spans[0].limit, spans[1].limit), (Some(1), Some(0)));
    assert_eq!(
        spans[1].from, 31.0,
        "the reduction holds from 1 February (day 31)"
    );
}

#[test]
fn a_model_without_limits_shows_no_strip() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), fixture("assets/models/sir.xmile"));
    assert!(h.state().strip.is_none());
    assert!(h.query_by_label("What holds travel back").is_none());
}

#[test]
fn a_change_that_moves_nothing_says_which_limit_holds_at_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), fixture("tests/fixtures/why/sir_limits.xmile"));
    // The supply lever feeds no figure; at the branch (29 February 2020) the contact
    // reduction (0.5) holds the town back more than the supply shortfall (0.3).
    set(&mut h, "supply_share", 0.3);
    let expected = "No headline figure moved. What held travel back on 29 Feb 2020: \
                    Townsfolk: contact reduction (50% of demand turned away).";
    assert_eq!(h.state().why.as_deref(), Some(expected));
    assert!(
        h.query_by_label(expected).is_some(),
        "the status line shows it"
    );
    // Contacts back to normal from the branch: the figures move, so nothing is explained.
    set(&mut h, "contact_reduction", 0.0);
    assert_eq!(h.state().why, None);
    // Now the supply shortfall (0.4) is what holds the town back at the branch.
    set(&mut h, "supply_share", 0.4);
    let why = h.state().why.clone().expect("explained");
    assert!(
        why.ends_with("Townsfolk: supply (40% of demand turned away)."),
        "{why}"
    );
    // In Chinese.
    h.state_mut().apply(Command::SetLanguage("zh".into()));
    set(&mut h, "supply_share", 0.5);
    let why = h.state().why.clone().expect("explained");
    assert_eq!(
        why,
        "主要指标没有变化。2020年2月29日出行受阻原因：镇民：供应（50%的需求受阻）。"
    );
}

/// Clicks the first menu button showing `value`, then the entry `entry` it opens.
fn choose(h: &mut Harness<'_, BorderflowApp>, value: &str, entry: &str) {
    h.get_all_by_value(value).next().expect(value).click();
    h.run_steps(2);
    h.get_all_by_label(entry).last().expect(entry).click();
    h.run_steps(3);
}

#[test]
fn each_plot_has_a_linear_log_or_percent_axis() {
    use borderflow::app::plots::Axis;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), fixture("assets/models/sir.xmile"));
    // The description draws "Infected" (the first plot) linear.
    assert!(h.state().plot_choices().axes.is_empty());
    choose(&mut h, "linear", "log");
    assert_eq!(
        h.state().plot_choices().axes.get("Infected"),
        Some(&Axis::Log)
    );
    assert!(h.query_by_label("people, log scale").is_some());
    let percent = "% of its mean 1 Jan 2020 – 31 Jan 2020";
    // "Not infected" is drawn so by its description already.
    assert_eq!(h.query_all_by_label(percent).count(), 1);
    choose(&mut h, "log", "% of ref.");
    assert_eq!(
        h.state().plot_choices().axes.get("Infected"),
        Some(&Axis::PercentOfReference)
    );
    // The SIR description's reference period is January 2020.
    assert_eq!(h.query_all_by_label(percent).count(), 2);
}

#[test]
fn the_user_picks_what_a_plot_shows_from_the_models_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), fixture("assets/models/sir.xmile"));
    choose(&mut h, "Ever infected", "Susceptible");
    assert_eq!(
        h.state().plot_choices().plots,
        ["Infected", "Susceptible", "Infection", "Not infected"]
    );
    assert!(h.query_by_value("Susceptible").is_some());
    // The choice survives the session: it is what the app saves.
    let mut storage = Memory::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let saved = storage
        .0
        .iter()
        .find(|(k, _)| k.starts_with("plot choices"))
        .map(|(_, v)| v.clone())
        .expect("saved");
    assert!(saved.contains("Susceptible"), "{saved}");
}

/// The app on the shipped SZ–HK model's status quo, in `lang`.
fn szhk(data_dir: &Path, lang: &str) -> Harness<'static, BorderflowApp> {
    let dir = data_dir.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            BorderflowApp::new_in(Some(cc), None, dir).expect("the app starts")
        });
    h.state_mut().set_uncertainty(false);
    h.state_mut().apply(Command::SetLanguage(lang.into()));
    h.run_steps(3);
    h
}

#[test]
fn on_the_szhk_model_a_quarantine_change_that_moves_nothing_names_the_limits_that_hold() {
    // In the status quo of 10 October 2022, Hong Kong's quarantine to 0+0 moves no headline
    // figure (issue 17): what still holds back the travellers it acts on?
    for lang in ["en", "zh"] {
        let dir = tempfile::tempdir().unwrap();
        let mut h = szhk(dir.path(), lang);
        let before = h.state().session.headlines.clone().expect("figures");
        h.state_mut().apply(Command::SetLever {
            id: "hk_quarantine".into(),
            value: LeverValue::Preset("0+0".into()),
            gesture: Gesture::Single,
        });
        h.run_steps(3);
        let app = h.state();
        let setup = &app.session.setup;
        let after = app.session.headlines.as_ref().expect("figures");
        // No figure moved: a date by under a day, a number by under 0.5%.
        for id in setup.description.metric_names() {
            match (before.value(id), after.value(id)) {
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() < 1.0 || (a - b).abs() <= 0.005 * a.abs(),
                    "{id}: {a} -> {b}"
                ),
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{id}"),
            }
        }
        // The traveller types the lever acts on: the rows whose outputs its effects name.
        let limits = setup.description.limits.as_ref().expect("limits");
        let lever = setup.catalogue.lever("hk_quarantine").expect("lever");
        let rows: Vec<_> = limits
            .rows
            .iter()
            .filter(|r| lever.effects.iter().any(|e| r.outputs.contains(&e.output)))
            .collect();
        assert!(!rows.is_empty());
        // The change's date, and the largest limit output for each row on it in this run.
        let day = app.doc.scenario.levers["hk_quarantine"][0].0.clone();
        let t = app.session.calendar.time_of(&day).expect("a date");
        let current = &app.session.current;
        let at = current
            .times
            .iter()
            .rposition(|&x| x <= t + 1e-9)
            .expect("saved");
        let parts: Vec<String> = rows
            .iter()
            .map(|row| {
                let (limit, share) = limits
                    .limits
                    .iter()
                    .map(|l| {
                        let name = format!("{}[{}]", l.name, row.element);
                        let series = current.series_or_sum(&name).expect("a limit output");
                        (l, series[at])
                    })
                    .fold(None, |best: Option<(_, f64)>, (l, s)| match best {
                        Some((_, b)) if b >= s => best,
                        _ => Some((l, s)),
                    })
                    .expect("limits");
                assert!(share >= limits.floor, "{} held back", row.element);
                let (who, what) = (&row.title[lang], &limit.title[lang]);
                let percent = format!("{:.0}", share * 100.0);
                match lang {
                    "zh" => format!("{who}：{what}（{percent}%的需求受阻）"),
                    _ => format!("{who}: {what} ({percent}% of demand turned away)"),
                }
            })
            .collect();
        let date = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").expect("ISO date");
        let expected = match lang {
            "zh" => format!(
                "主要指标没有变化。{}出行受阻原因：{}。",
                date.format("%Y年%-m月%-d日"),
                parts.join("；")
            ),
            _ => format!(
                "No headline figure moved. What held travel back on {}: {}.",
                date.format("%-d %b %Y"),
                parts.join("; ")
            ),
        };
        assert_eq!(app.why.as_deref(), Some(expected.as_str()), "{lang}");
        assert!(
            h.query_by_label(&expected).is_some(),
            "the status line shows it ({lang})"
        );
    }
}
