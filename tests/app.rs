//! The desktop app driven headlessly through its accessibility tree (egui_kittest).

use std::path::{Path, PathBuf};

use borderflow::app::BorderflowApp;
use borderflow::app::command::{Command, Gesture};
use borderflow::scenario::{LeverValue, load_scenario};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[path = "common/storage.rs"]
mod storage;
use storage::Memory;

/// The app at 1280 × 800 with its data folder in `data_dir`, before its first frame.
fn app_harness(data_dir: &Path) -> Harness<'static, BorderflowApp> {
    let dir = data_dir.to_path_buf();
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| BorderflowApp::new_in(Some(cc), None, dir).expect("the app starts"))
}

fn harness(data_dir: &Path) -> Harness<'static, BorderflowApp> {
    let mut h = app_harness(data_dir);
    // These tests read the central run on the cards; the ensemble has tests of its own.
    h.state_mut().set_uncertainty(false);
    h.run_steps(3);
    h
}

fn trade_lost(h: &Harness<'_, BorderflowApp>) -> f64 {
    h.state()
        .session
        .headlines
        .as_ref()
        .and_then(|x| x.value("trade_lost"))
        .expect("headlines")
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn moving_a_lever_by_its_label_changes_a_headline_and_undo_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let before = trade_lost(&h);
    let card_before = format!("{before:.0} days");
    assert!(
        h.query_by_label(&card_before).is_some(),
        "the card shows {card_before}"
    );
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "Goods clearance time")
        .set_value_accesskit(0.25);
    h.run_steps(3);
    let after = trade_lost(&h);
    assert!(
        after < before,
        "faster clearance loses less trade: {after} vs {before}"
    );
    assert!(
        h.query_by_label(&format!("{after:.0} days")).is_some(),
        "the card updates"
    );
    assert_eq!(
        h.state().lever_value("clearance_hours"),
        Some(LeverValue::Value(0.25))
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
    assert_eq!(
        h.state().lever_value("clearance_hours"),
        None,
        "undo removes the change"
    );
    assert_eq!(trade_lost(&h), before);
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.run_steps(3);
    assert_eq!(trade_lost(&h), after, "redo");
}

#[test]
fn a_drag_whose_first_change_comes_late_is_still_its_own_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let app = h.state_mut();
    app.apply(Command::SetLever {
        id: "northbound_quota".into(),
        value: LeverValue::Value(5000.0),
        gesture: Gesture::Single,
    });
    // The drag's first frame changed nothing, so its first change arrives as Continue.
    for v in [10000.0, 20000.0] {
        app.apply(Command::SetLever {
            id: "northbound_quota".into(),
            value: LeverValue::Value(v),
            gesture: Gesture::Continue,
        });
    }
    app.apply(Command::Undo);
    assert_eq!(
        app.lever_value("northbound_quota"),
        Some(LeverValue::Value(5000.0)),
        "undo takes back the drag only"
    );
}

#[test]
fn a_whole_slider_drag_is_one_undo_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let app = h.state_mut();
    app.apply(Command::SetLever {
        id: "northbound_quota".into(),
        value: LeverValue::Value(5000.0),
        gesture: Gesture::Single,
    });
    for (i, v) in [10000.0, 20000.0, 30000.0, 40000.0].iter().enumerate() {
        let gesture = if i == 0 {
            Gesture::Start
        } else {
            Gesture::Continue
        };
        app.apply(Command::SetLever {
            id: "northbound_quota".into(),
            value: LeverValue::Value(*v),
            gesture,
        });
    }
    assert_eq!(
        app.lever_value("northbound_quota"),
        Some(LeverValue::Value(40000.0))
    );
    app.apply(Command::Undo);
    assert_eq!(
        app.lever_value("northbound_quota"),
        Some(LeverValue::Value(5000.0)),
        "one step back undoes the whole drag"
    );
    app.apply(Command::Undo);
    assert_eq!(app.lever_value("northbound_quota"), None);
}

#[test]
fn a_malformed_scenario_shows_its_error_and_the_work_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut().apply(Command::SetLever {
        id: "credential_recognition".into(),
        value: LeverValue::Value(0.5),
        gesture: Gesture::Single,
    });
    let bad = fixture("tests/fixtures/scenarios/bad/syntax-error.ron");
    h.state_mut().apply(Command::Open(Some(bad)));
    h.run_steps(3);
    h.get_by_label("Discard changes").click();
    h.run_steps(3);
    let error = h.state().error.clone().expect("an error is shown");
    assert!(error.contains("syntax-error.ron:6:41"), "{error}");
    assert!(
        h.query_by_label_contains("Could not open the scenario")
            .is_some(),
        "the error is on screen"
    );
    assert_eq!(
        h.state().lever_value("credential_recognition"),
        Some(LeverValue::Value(0.5)),
        "levers keep their values"
    );
    h.get_by_label("OK").click();
    h.run_steps(3);
    assert!(h.state().error.is_none());
}

#[test]
fn save_then_reopen_gives_the_same_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let path = dir.path().join("workshop.ron");
    let app = h.state_mut();
    app.apply(Command::SetLever {
        id: "hk_quarantine".into(),
        value: LeverValue::Preset("0+0".into()),
        gesture: Gesture::Single,
    });
    app.apply(Command::SetLeverDate {
        id: "hk_quarantine".into(),
        date: "2022-12-01".into(),
    });
    assert!(app.doc.dirty());
    app.doc.path = Some(path.clone());
    app.apply(Command::Save);
    assert!(!app.doc.dirty(), "saved");
    let saved = app.doc.scenario.clone();
    assert_eq!(load_scenario(&path).unwrap(), saved);
    app.apply(Command::New);
    assert!(app.doc.scenario.levers.is_empty());
    app.apply(Command::Open(Some(path.clone())));
    assert_eq!(app.doc.scenario, saved);
    assert_eq!(app.recent.first(), Some(&path));
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("workshop.ron").is_some(),
        "the status bar names the file"
    );
}

#[test]
fn opening_another_file_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut().apply(Command::SetLever {
        id: "single_passport".into(),
        value: LeverValue::Value(1.0),
        gesture: Gesture::Single,
    });
    h.state_mut().apply(Command::Open(Some(fixture(
        "scenarios/early-reopening-dec-2022.ron",
    ))));
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("unsaved changes").is_some(),
        "asks before discarding"
    );
    assert_eq!(
        h.state().lever_value("single_passport"),
        Some(LeverValue::Value(1.0))
    );
    h.get_by_label("Discard changes").click();
    h.run_steps(3);
    assert_eq!(
        h.state().lever_value("hk_quarantine"),
        Some(LeverValue::Preset("0+0".into())),
        "the file opened"
    );
}

#[test]
fn autosaved_work_is_offered_back_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut h = harness(dir.path());
        h.state_mut().apply(Command::SetLever {
            id: "buffer_zone_capacity".into(),
            value: LeverValue::Value(12000.0),
            gesture: Gesture::Single,
        });
        h.state_mut().autosave();
        // Dropped without a clean exit: the autosave stays.
    }
    let mut h = harness(dir.path());
    assert!(h.query_by_label_contains("did not close cleanly").is_some());
    h.get_by_label("Restore").click();
    h.run_steps(3);
    assert_eq!(
        h.state().lever_value("buffer_zone_capacity"),
        Some(LeverValue::Value(12000.0))
    );
    assert!(h.state().doc.dirty(), "restored work is not saved yet");
}

#[test]
fn the_ensemble_reports_progress_then_its_bands_appear_in_the_legend() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_harness(dir.path());
    let mut saw_progress = false;
    let started = std::time::Instant::now();
    loop {
        h.step();
        if h.query_all_by_label_contains("ensemble ").next().is_some()
            && h.state().uncertainty.running().is_some()
        {
            saw_progress = true;
        }
        if h.state().uncertainty.complete().is_some() {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the ensemble finishes"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
    assert!(saw_progress, "progress was shown while members ran");
    assert!(
        h.query_by_label("p5–p95").is_some(),
        "outer band in the legend"
    );
    assert!(
        h.query_by_label("p25–p75").is_some(),
        "inner band in the legend"
    );
    assert!(h.query_by_label("ensemble: 200 members").is_some());
    // Cards keep the central run and add the range below it.
    // One range line per workbench card the model description lists.
    let cards = h.state().session.setup.description.workbench.cards.len();
    assert_eq!(h.query_all_by_label_contains("p5–p95: ").count(), cards);
    // A lever change cancels it and starts again.
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "Goods clearance time")
        .set_value_accesskit(0.25);
    h.step();
    h.step();
    assert!(
        h.state().uncertainty.complete().is_none(),
        "restarted for the new scenario"
    );
}

#[test]
fn switching_to_chinese_shows_chinese_labels_dates_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    assert!(h.query_by_label("Levers").is_some());
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Language").hover();
    h.run_steps(2);
    h.get_by_label("中文").click();
    h.run_steps(3);
    assert_eq!(h.state().lang, "zh");
    assert!(
        h.query_by_label("政策杠杆").is_some(),
        "the lever panel's title"
    );
    assert!(
        h.query_by_label("香港入境检疫").is_some(),
        "a lever label from the catalogue"
    );
    assert!(
        h.query_by_label("内地访客恢复至50%").is_some(),
        "a card title"
    );
    // Losses in 亿, trade in 天.
    let lost = h
        .state()
        .session
        .headlines
        .as_ref()
        .unwrap()
        .value("visitors_lost")
        .unwrap();
    assert!(
        h.query_by_label(&format!("{:.2}亿", lost / 100.0))
            .is_some()
    );
    assert!(h.query_all_by_label_contains(" 天").next().is_some());
    // And back.
    h.state_mut().apply(Command::SetLanguage("en".into()));
    h.run_steps(2);
    assert!(h.query_by_label("Levers").is_some());
}

#[test]
fn exported_csv_reads_back_as_the_runs_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "Goods clearance time")
        .set_value_accesskit(0.25);
    h.run_steps(2);
    let path = dir.path().join("runs.csv");
    h.state_mut().apply(Command::ExportCsv(Some(path.clone())));
    h.run_steps(2);
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        &header[..5],
        [
            "time",
            "date",
            "Mainland visitor arrivals [A]",
            "Mainland visitor arrivals [B]",
            "Mainland visitor arrivals [B-A]"
        ]
    );
    let trade_b = header.iter().position(|c| c == "Trade index [B]").unwrap();
    let trade_diff = header
        .iter()
        .position(|c| c == "Trade index [B-A]")
        .unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let current = h.state().session.current.series("Trade index").unwrap();
    assert_eq!(rows.len(), current.len());
    let row = 1500;
    assert_eq!(rows[row][trade_b].parse::<f64>().unwrap(), current[row]);
    assert!(
        rows.iter()
            .any(|r| r[trade_diff].parse::<f64>().unwrap() != 0.0)
    );
    assert!(
        h.query_all_by_label_contains("runs.csv").next().is_some(),
        "status bar notice"
    );

    let md = dir.path().join("summary.md");
    h.state_mut()
        .apply(Command::ExportSummary(Some(md.clone())));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("## Levers") && text.contains("Goods clearance time"),
        "{text}"
    );
    assert!(
        text.contains("| Trade lost (days of 2019 trade) |"),
        "{text}"
    );
}

#[test]
fn a_story_steps_with_the_arrow_keys_and_esc_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let story = fixture("scenarios/stories/workshop.ron");
    h.state_mut().apply(Command::Present(Some(story)));
    h.run_steps(3);
    assert!(
        h.query_by_label("Where we stand on 10 October 2022: the status quo held")
            .is_some()
    );
    assert!(h.query_by_label("slide 1 of 4").is_some());
    assert!(
        h.query_by_label("Levers").is_none(),
        "the workbench is hidden"
    );
    let first = h.state().session.headlines.clone();
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    assert!(
        h.query_by_label("What if both sides had reopened in December 2022?")
            .is_some()
    );
    assert_ne!(
        h.state().session.headlines,
        first,
        "the slide's scenario ran"
    );
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert!(h.query_by_label("slide 1 of 4").is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert!(h.state().presentation.is_none());
    assert!(h.query_by_label("Levers").is_some());
    // The help window lists the shortcuts.
    h.key_press(egui::Key::F1);
    h.run_steps(2);
    assert!(h.query_by_label("Switch language").is_some());
    assert!(h.query_by_label("Presentation mode").is_some());
}

#[test]
fn two_loaded_scenarios_appear_in_the_comparison_table_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut().apply(Command::AddComparison(Some(fixture(
        "scenarios/actual-2020-2023.ron",
    ))));
    h.state_mut().apply(Command::AddComparison(Some(fixture(
        "scenarios/early-reopening-dec-2022.ron",
    ))));
    h.run_steps(3);
    assert!(h.query_by_label("Actual reopening, 2022-2023").is_some());
    let early = load_scenario(&fixture("scenarios/early-reopening-dec-2022.ron")).unwrap();
    let early_title = early.title["en"].clone();
    assert!(h.query_by_label(&early_title).is_some(), "{early_title}");
    // Each row shows its own headline figure: the compared runs' trade losses.
    for run in &h.state().compare.runs {
        let days = run.headlines.as_ref().unwrap().value("trade_lost").unwrap();
        assert!(
            h.query_all_by_label_contains(&format!("{days:.0} days"))
                .next()
                .is_some(),
            "{days:.0} days"
        );
    }
    let csv_path = dir.path().join("comparison.csv");
    h.state_mut()
        .apply(Command::ExportComparison(Some(csv_path.clone())));
    let mut rdr = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        &header[2..7],
        [
            "Mainland visitor arrivals [A]",
            "Mainland visitor arrivals [B]",
            "Mainland visitor arrivals [C]",
            "Mainland visitor arrivals [B-A]",
            "Mainland visitor arrivals [C-A]"
        ]
    );
    // A fourth file is one too many only after three.
    h.state_mut().apply(Command::AddComparison(Some(fixture(
        "scenarios/phased-quotas.ron",
    ))));
    assert!(h.state().error.is_none());
    h.state_mut().apply(Command::AddComparison(Some(fixture(
        "scenarios/loop-buffer-zone.ron",
    ))));
    assert!(
        h.state()
            .error
            .as_deref()
            .unwrap_or("")
            .contains("at most 3")
    );
}

#[test]
fn a_timeline_change_is_added_by_clicking_its_strip_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut().apply(Command::ToggleTimeline);
    h.run_steps(2);
    assert!(h.state().lever_value("clearance_hours").is_none());
    h.get_by_label("timeline of Goods clearance time").click();
    h.run_steps(2);
    let entries = h
        .state()
        .doc
        .scenario
        .levers
        .get("clearance_hours")
        .cloned();
    let entries = entries.expect("a change was added");
    assert_eq!(entries.len(), 1);
    // The middle of the strip is about 2025; the value is the one in effect there.
    assert!(entries[0].0.as_str() > "2022-10-10", "{entries:?}");
    let (date, value) = entries[0].clone();
    // Its handle is labelled for screen readers; dragging it is one gesture.
    let handle = format!("Goods clearance time {date}: {value}");
    assert!(h.query_by_label(&handle).is_some(), "{handle}");
    h.state_mut().apply(Command::EditTimeline {
        id: "clearance_hours".into(),
        edit: borderflow::app::command::TimelineEdit::SetValue {
            index: 0,
            value: LeverValue::Value(0.5),
        },
        gesture: Gesture::Single,
    });
    h.run_steps(1);
    assert_eq!(
        h.state().doc.scenario.levers["clearance_hours"][0].1,
        LeverValue::Value(0.5)
    );
    // Undo twice: the value, then the added change.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(
        !h.state()
            .doc
            .scenario
            .levers
            .contains_key("clearance_hours")
    );
}

#[test]
fn the_model_view_finds_a_variable_and_shows_its_documentation() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut().apply(Command::ToggleModelView);
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Search:")
        .focus();
    h.run_steps(1);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Search:")
        .type_text("signal half");
    h.run_steps(2);
    assert_eq!(h.state().model_view.search, "signal half");
    h.get_by_label("Rule signal half burden").click_accesskit();
    h.run_steps(2);
    // The same source note `borderflow doc` prints.
    let doc = borderflow::analysis::doc::variable_docs(
        &h.state().session.setup.compiled,
        Some(&h.state().session.setup.catalogue),
    );
    let risk = doc
        .iter()
        .find(|d| d.name == "Rule signal half burden")
        .unwrap();
    assert!(h.state().model_view.selected.is_some(), "selected");

    assert!(h.query_by_label(&risk.source).is_some(), "{}", risk.source);
    assert!(
        h.query_by_label("HK hotel quarantine days").is_none(),
        "filtered out"
    );
    h.get_by_label("Plot it").click();
    h.run_steps(2);
    assert!(h.state().model_view.plot);
}

#[test]
fn the_language_is_remembered_for_the_next_session() {
    use eframe::{App, Storage};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let mut storage = Memory::default();
    assert_eq!(borderflow::app::remembered_language(Some(&storage)), "en");
    h.state_mut().apply(Command::SetLanguage("zh".into()));
    h.state_mut().save(&mut storage);
    assert_eq!(borderflow::app::remembered_language(Some(&storage)), "zh");
    // A language the app does not speak falls back to English.
    storage.set_string("language", "\"fr\"".into());
    assert_eq!(borderflow::app::remembered_language(Some(&storage)), "en");
}

/// Drags the pointer from `from` to `to` with the primary button held.
fn drag(h: &mut Harness<'_, BorderflowApp>, from: egui::Pos2, to: egui::Pos2) {
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    };
    h.event(egui::Event::PointerMoved(from));
    h.step();
    h.event(button(from, true));
    h.step();
    for i in 1..=10 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * (i as f32 / 10.0),
        ));
        h.step();
    }
    h.event(button(to, false));
    h.run_steps(3);
}

#[test]
fn the_lever_panel_cannot_cover_the_plots_and_reset_layout_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let start = h.state().levers_width;
    // The panel's outer width: its default size and frame margins.
    assert!(
        (start - borderflow::app::LEVERS_WIDTH).abs() < 10.0,
        "{start}"
    );
    // The divider dragged nearly to the window's right edge stops where the plots keep 480 px.
    drag(
        &mut h,
        egui::pos2(start + 1.0, 400.0),
        egui::pos2(1270.0, 400.0),
    );
    let wide = h.state().levers_width;
    assert!(wide > start + 100.0, "the divider moved: {wide}");
    assert!(
        wide <= 1280.0 - 480.0 + 1.0,
        "the plots keep 480 px: {wide}"
    );
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Reset layout").click();
    h.run_steps(3);
    let reset = h.state().levers_width;
    assert!((reset - start).abs() < 1.0, "back to {start}: {reset}");
}

#[test]
fn at_rest_the_app_asks_for_no_repaint() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    // With nothing moving, a couple of frames settle and then no frame is asked for.
    let steps = h.try_run().expect("the app comes to rest");
    assert!(steps <= 4, "{steps} frames to settle");
    // A lever change draws, then the app rests again.
    h.state_mut().apply(Command::SetLever {
        id: "single_passport".into(),
        value: LeverValue::Value(1.0),
        gesture: Gesture::Single,
    });
    let steps = h.try_run().expect("rests after a change");
    assert!(steps <= 4, "{steps} frames after a change");
}

#[test]
fn with_bands_on_the_app_rests_once_the_ensemble_is_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_harness(dir.path());
    let started = std::time::Instant::now();
    loop {
        h.step();
        if h.state().uncertainty.complete().is_some() {
            break;
        }
        assert!(started.elapsed().as_secs() < 300, "the ensemble finishes");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let steps = h.try_run().expect("the app comes to rest");
    assert!(steps <= 4, "{steps} frames to settle");
}

/// The four headline figures of the central run as the cards and the table write them.
fn central_figures(h: &Harness<'_, BorderflowApp>) -> [String; 4] {
    use borderflow::analysis::format::{count, days_text, recovery_date};
    let app = h.state();
    let c = app.session.headlines.as_ref().expect("headlines");
    let cal = &app.session.calendar;
    let date = |id: &str| c.value(id).map(|t| cal.date_of(t));
    [
        recovery_date("en", date("date50").as_deref(), &cal.horizon_end),
        recovery_date("en", date("date90").as_deref(), &cal.horizon_end),
        count("en", c.value("visitors_lost").unwrap() * 1e6),
        days_text("en", c.value("trade_lost").unwrap()),
    ]
}

#[test]
fn cards_keep_the_central_run_and_their_place_while_the_ensemble_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_harness(dir.path());
    h.run_steps(2);
    let figures = central_figures(&h);
    let below_cards = |h: &Harness<'_, BorderflowApp>| {
        h.query_all_by_label_contains("central run:")
            .map(|n| n.rect().bottom())
            .fold(0.0, f32::max)
    };
    let first_bottom = below_cards(&h);
    let mut frames_running = 0;
    let started = std::time::Instant::now();
    while h.state().uncertainty.complete().is_none() {
        h.step();
        if h.state().uncertainty.running().is_some() {
            frames_running += 1;
        }
        for f in &figures {
            assert!(
                h.query_all_by_label(f).next().is_some(),
                "the card still shows {f}"
            );
        }
        if h.state().uncertainty.complete().is_none() {
            assert_eq!(h.query_all_by_label_contains("p5–p95: ").count(), 0);
            assert!(
                h.query_by_label("ensemble median").is_none(),
                "no half-made median"
            );
        }
        assert_eq!(below_cards(&h), first_bottom, "no layout jump");
        assert!(started.elapsed().as_secs() < 300, "the ensemble finishes");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(frames_running > 0, "frames were drawn while it ran");
    h.run_steps(2);
    for f in &figures {
        assert!(
            h.query_all_by_label(f).next().is_some(),
            "the card leads with {f}"
        );
    }
    // One range line per workbench card the model description lists.
    let cards = h.state().session.setup.description.workbench.cards.len();
    assert_eq!(h.query_all_by_label_contains("p5–p95: ").count(), cards);
    assert_eq!(
        below_cards(&h),
        first_bottom,
        "no layout jump when the ranges arrive"
    );
}

#[test]
fn the_comparison_table_and_the_cards_show_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app_harness(dir.path());
    let started = std::time::Instant::now();
    while h.state().uncertainty.complete().is_none() {
        h.step();
        assert!(started.elapsed().as_secs() < 300, "the ensemble finishes");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.state_mut().apply(Command::ToggleCompare);
    h.run_steps(3);
    // Each figure is written twice: once on its card, once in the table's row A.
    let figures = central_figures(&h);
    for f in &figures {
        let times = figures.iter().filter(|g| *g == f).count();
        assert_eq!(
            h.query_all_by_label(f).count(),
            2 * times,
            "{f} on the card and in the table"
        );
    }
}

#[test]
fn file_examples_lists_the_shipped_scenarios_in_both_languages_and_opens_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Examples").click();
    h.run_steps(2);
    // Titles read from the shipped files themselves.
    let phased = load_scenario(&fixture("scenarios/phased-quotas.ron")).unwrap();
    for file in [
        "actual-2020-2023.ron",
        "early-reopening-dec-2022.ron",
        "loop-buffer-zone.ron",
    ] {
        let s = load_scenario(&fixture(&format!("scenarios/{file}"))).unwrap();
        assert!(h.query_by_label(&s.title["en"]).is_some(), "{file} listed");
    }
    assert!(h.query_by_label("Workshop story (presentation)").is_some());
    h.get_by_label(&phased.title["en"]).click();
    h.run_steps(3);
    assert_eq!(h.state().doc.scenario, phased, "the example opened");
    assert!(
        h.state().doc.path.is_none(),
        "saving asks where: the example stays intact"
    );
    // In Chinese the menu shows the Chinese titles.
    h.state_mut().apply(Command::SetLanguage("zh".into()));
    h.run_steps(2);
    h.get_by_label("文件").click();
    h.run_steps(2);
    h.get_by_label("示例").click();
    h.run_steps(2);
    let other = load_scenario(&fixture("scenarios/loop-buffer-zone.ron")).unwrap();
    assert!(h.query_by_label(&other.title["zh"]).is_some());
    assert!(h.query_by_label("研讨会演示（放映）").is_some());
}

#[test]
fn save_in_the_unsaved_changes_prompt_saves_then_opens_the_other_file() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.ron");
    std::fs::copy(fixture("scenarios/baseline-2022-10.ron"), &mine).unwrap();
    let mut h = harness(dir.path());
    h.state_mut().apply(Command::Open(Some(mine.clone())));
    h.state_mut().apply(Command::SetLever {
        id: "single_passport".into(),
        value: LeverValue::Value(1.0),
        gesture: Gesture::Single,
    });
    h.state_mut().apply(Command::Open(Some(fixture(
        "scenarios/early-reopening-dec-2022.ron",
    ))));
    h.run_steps(3);
    assert!(h.query_by_label("Discard changes").is_some());
    assert!(h.query_by_label("Cancel").is_some());
    h.get_by_label("Save").click();
    h.run_steps(3);
    let saved = load_scenario(&mine).unwrap();
    assert_eq!(
        saved.levers["single_passport"][0].1,
        LeverValue::Value(1.0),
        "the change was saved"
    );
    assert_eq!(
        h.state().lever_value("hk_quarantine"),
        Some(LeverValue::Preset("0+0".into())),
        "then the other file opened"
    );
}

#[test]
fn the_example_story_presents_its_four_slides() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.state_mut()
        .apply(Command::PresentExample("workshop.ron".into()));
    h.run_steps(2);
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    let slides = h.state().presentation.as_ref().map(|p| p.slides.len());
    assert_eq!(slides, Some(4), "the workshop story has four slides");
}

#[test]
fn help_guide_explains_the_workbench_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("Guide").click();
    // A new window is measured in its first frame and shown in the next.
    h.run_steps(4);
    assert!(h.state().guide_open, "the guide opened");
    // Each topic opens its explanation.
    for (topic, says) in [
        ("Levers on the left", "branch date"),
        ("Headline cards", "28-day mean"),
        ("Recovery plots", "reset button"),
        ("Ensemble bands", "middle 50% and 90%"),
        ("Recorded history", "Immigration Department"),
    ] {
        h.get_by_label(topic).click();
        h.run_steps(2);
        let shown = h.query_all_by_label_contains(says).count();
        assert!(shown > 0, "{topic} says {says:?}");
    }
    h.state_mut().apply(Command::SetLanguage("zh".into()));
    h.run_steps(2);
    for (topic, says) in [
        ("左侧的政策杠杆", "分支日期"),
        ("主要指标卡", "28 日平均"),
        ("集合区间", "中位数"),
        ("历史记录", "香港入境事务处"),
    ] {
        h.get_by_label(topic).click();
        h.run_steps(2);
        let shown = h.query_all_by_label_contains(says).count();
        assert!(shown > 0, "{topic} says {says:?}");
    }
    h.state_mut().apply(Command::ToggleGuide);
    h.run_steps(2);
    assert!(h.query_by_label("左侧的政策杠杆").is_none(), "closed");
}

#[test]
fn zoom_and_pan_stay_within_the_data_and_reset_view_restores_the_whole_range() {
    use borderflow::app::plots::plot_id;
    use egui_plot::PlotMemory;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let name = "Mainland visitor arrivals";
    let bounds = |h: &Harness<'_, BorderflowApp>| {
        let memory = PlotMemory::load(&h.ctx, plot_id(name)).expect("the plot's view");
        (*memory.bounds(), memory.auto_bounds)
    };
    let horizon = h.state().session.calendar.horizon_time().unwrap();
    // The plot's title is the menu of what it shows.
    let label = h
        .get_all_by_value("Mainland visitor arrivals")
        .next()
        .expect("the plot's title")
        .rect();
    let centre = label.center_bottom() + egui::vec2(0.0, 60.0);
    let (start, auto) = bounds(&h);
    assert!(auto.x && auto.y, "fitted to the data at first");
    // Zooming far out stops at the data (and egui's 5% margin around it).
    h.hover_at(centre);
    h.run_steps(1);
    for _ in 0..3 {
        h.event(egui::Event::Zoom(0.3));
        h.run_steps(3);
    }
    let (out, _) = bounds(&h);
    let slack = 0.051 * horizon;
    assert!(
        out.min()[0] >= -slack && out.max()[0] <= horizon + slack,
        "x {:?}",
        out.range_x()
    );
    assert!(
        out.height() <= start.height() * 1.001,
        "y {:?}",
        out.range_y()
    );
    // Zoomed in, a drag far to the right stops at the first day.
    for _ in 0..3 {
        h.hover_at(centre);
        h.event(egui::Event::Zoom(2.0));
        h.run_steps(3);
    }
    let (zoomed, _) = bounds(&h);
    assert!(
        zoomed.width() < horizon / 4.0,
        "zoomed in: {:?}",
        zoomed.range_x()
    );
    drag(&mut h, centre, centre + egui::vec2(500.0, 0.0));
    drag(&mut h, centre, centre + egui::vec2(500.0, 0.0));
    let (panned, _) = bounds(&h);
    assert!(panned.min()[0] >= -slack, "x {:?}", panned.range_x());
    assert!(
        (panned.width() - zoomed.width()).abs() < 1e-6 * horizon,
        "same zoom"
    );
    // The visible button brings back the whole range.
    h.get_by_label("Reset view").click();
    h.run_steps(3);
    let (reset, auto) = bounds(&h);
    assert!(auto.x && auto.y);
    assert!((reset.width() - start.width()).abs() < 1e-6 * horizon);
}

#[test]
fn drawing_a_scenario_never_changes_it_in_either_language() {
    // A widget that rounds a value its own way would change the scenario on the first frame,
    // mark it unsaved and make the status line explain a change nobody made.
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    for lang in ["en", "zh"] {
        h.state_mut().apply(Command::SetLanguage(lang.into()));
        for file in [
            "scenarios/baseline-2022-10.ron",
            "scenarios/integration-package-2023.ron",
            "scenarios/actual-2020-2023.ron",
        ] {
            h.state_mut().apply(Command::Open(Some(fixture(file))));
            h.run_steps(4);
            let app = h.state();
            assert!(!app.doc.dirty(), "{file} in {lang} stays as saved");
            assert!(app.why.is_none(), "{file} in {lang}: {:?}", app.why);
            assert_eq!(app.doc.scenario, load_scenario(&fixture(file)).unwrap());
        }
    }
}
