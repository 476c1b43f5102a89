//! Presentation slides (their chosen plots and cards, what they compare with, their bands) and
//! the model view (sectors, "Plot it" on the workbench), driven headlessly with egui_kittest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use borderflow::app::BorderflowApp;
use borderflow::app::command::Command;
use borderflow::scenario::ModelSetup;
use borderflow::scenario::story::{Reference, load_story};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[path = "common/storage.rs"]
mod storage;
use storage::Memory;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn harness(data_dir: &Path, bands: bool) -> Harness<'static, BorderflowApp> {
    let dir = data_dir.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            BorderflowApp::new_in(Some(cc), None, dir).expect("the app starts")
        });
    h.state_mut().set_uncertainty(bands);
    h.run_steps(3);
    h
}

fn headline(h: &Harness<'_, BorderflowApp>, id: &str) -> f64 {
    h.state()
        .session
        .headlines
        .as_ref()
        .and_then(|x| x.value(id))
        .expect("headline")
}

#[test]
fn the_integration_slide_plots_the_circles_and_compares_with_the_slide_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), false);
    h.state_mut().apply(Command::Present(Some(fixture(
        "scenarios/stories/workshop.ron",
    ))));
    h.run_steps(3);
    // The first slide keeps the description's plots and compares with the status quo.
    assert!(h.query_by_label("compared with the status quo").is_some());
    // A slide's plot title is a plain label (no menu), its unit on the line below.
    assert!(h.query_by_label("Mainland visitor arrivals").is_some());
    for _ in 0..2 {
        h.key_press(egui::Key::ArrowRight);
        h.run_steps(2);
    }
    assert!(h.query_by_label("slide 3 of 4").is_some());
    let reopening_trade = headline(&h, "trade_lost");
    let reopening_headlines = h.state().session.headlines.clone();
    let reopening_title = "Actual reopening, 2022-2023";
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(3);
    assert!(h.query_by_label("slide 4 of 4").is_some());
    assert!(
        h.query_by_label(&format!(
            "compared with the previous slide: {reopening_title}"
        ))
        .is_some(),
        "the header names the comparison"
    );
    // The circles' outputs, and not the visitors plot of the other slides.
    for title in [
        "Connect turnover",
        "Cross-border professionals",
        "Joint research projects",
        "Trade index",
    ] {
        assert!(h.query_by_label(title).is_some(), "{title}");
    }
    assert!(h.query_by_label("Mainland visitor arrivals").is_none());
    // The legend names the reference line.
    assert!(
        h.query_by_label(&format!("previous slide: {reopening_title}"))
            .is_some()
    );
    // The cards' differences are against slide 3, not the status quo: the reference is slide
    // 3's run, and the trade card reads (slide 4 − slide 3) days.
    let reference = h
        .state()
        .presentation
        .as_ref()
        .and_then(|p| p.reference.as_ref())
        .map(|r| r.headlines.clone());
    assert_eq!(reference, Some(reopening_headlines));
    assert_eq!(
        h.query_all_by_label_contains("vs the previous slide: ")
            .count(),
        4
    );
    let d = headline(&h, "trade_lost") - reopening_trade;
    let expected = if d.abs() < 0.5 {
        "vs the previous slide: same".to_string()
    } else {
        format!(
            "vs the previous slide: {}{:.0} days",
            if d < 0.0 { "-" } else { "+" },
            d.abs()
        )
    };
    assert!(
        h.query_all_by_label(&expected).next().is_some(),
        "{expected}"
    );
    // Back one slide: against the status quo again.
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert!(h.query_by_label("compared with the status quo").is_some());
    assert!(
        h.query_all_by_label_contains("vs the previous slide")
            .next()
            .is_none()
    );
}

#[test]
fn a_slide_shows_its_ensemble_bands() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), true);
    h.state_mut().apply(Command::Present(Some(fixture(
        "scenarios/stories/workshop.ron",
    ))));
    let started = std::time::Instant::now();
    loop {
        h.step();
        if h.state().presentation.is_some() && h.state().uncertainty.complete().is_some() {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(90),
            "the slide's ensemble finishes"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
    assert!(
        h.query_by_label("p5–p95").is_some(),
        "outer band in the legend"
    );
    assert!(
        h.query_by_label("p25–p75").is_some(),
        "inner band in the legend"
    );
    assert_eq!(h.query_all_by_label_contains("p5–p95: ").count(), 4);
}

/// A story of one slide with `fields` added to it, written beside the shipped scenarios' path.
fn story_with(dir: &Path, fields: &str) -> PathBuf {
    let scenario = fixture("scenarios/baseline-2022-10.ron");
    let text = format!(
        "(\n    version: 1,\n    slides: [\n        (scenario: \"{}\", {fields}),\n    ],\n)\n",
        scenario.display()
    );
    let path = dir.join("story.ron");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_story_naming_an_unknown_plot_or_card_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let setup = Arc::new(ModelSetup::embedded().unwrap());
    let path = story_with(dir.path(), "plots: [\"Trade index\", \"Trade idx\"]");
    let e = load_story(&path, &setup).unwrap_err().to_string();
    // Line 4, column of the misspelt name's opening quote.
    let col = "        (scenario: \"\", plots: [\"Trade index\", ".len()
        + fixture("scenarios/baseline-2022-10.ron")
            .display()
            .to_string()
            .chars()
            .count()
        + 1;
    assert!(
        e.starts_with(&format!("{}:4:{col}: ", path.display())),
        "{e}"
    );
    assert!(e.contains("unknown plot \"Trade idx\""), "{e}");
    assert!(e.contains("\"Trade index\""), "lists the outputs: {e}");

    let path = story_with(dir.path(), "cards: [\"date5\"]");
    let e = load_story(&path, &setup).unwrap_err().to_string();
    assert!(e.contains(":4:"), "{e}");
    assert!(e.contains("unknown card \"date5\""), "{e}");
    assert!(e.contains("\"date50\""), "lists the headline ids: {e}");

    // Named and defaulted fields read as written.
    let path = story_with(dir.path(), "cards: [\"trade_lost\"], compare: Previous");
    let slides = load_story(&path, &setup).unwrap();
    assert_eq!(slides[0].cards, ["trade_lost"]);
    assert_eq!(slides[0].plots, setup.description.presentation.plots);
    assert_eq!(slides[0].compare, Reference::Previous);
}

#[test]
fn the_model_view_opens_on_its_sectors_and_plot_it_adds_to_the_workbench() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), false);
    h.state_mut().apply(Command::ToggleModelView);
    h.run_steps(2);
    // The overview: one tile per sector of the XMILE's <views>.
    let sectors: Vec<String> = h
        .state()
        .model_view
        .sectors()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(sectors.len(), 17, "{sectors:?}");
    assert!(
        h.query_by_label("Click a sector to open its diagram.")
            .is_some()
    );
    h.get_by_label_contains("Why it did not move").click();
    h.run_steps(2);
    let opened = h.state().model_view.sector;
    assert_eq!(
        opened.map(|i| sectors[i].as_str()),
        Some("Why it did not move")
    );
    assert!(h.query_by_label("← All sectors").is_some());
    // Selecting a variable in the list opens its sector.
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Search:")
        .focus();
    h.run_steps(1);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "Search:")
        .type_text("Connect turnover");
    h.run_steps(2);
    h.get_by_label("Connect turnover").click();
    h.run_steps(2);
    let sector = h.state().model_view.sector.map(|i| sectors[i].as_str());
    assert_eq!(sector, Some("Finance"));
    // "Plot it on the workbench": the workbench gains the plot, once.
    let before = h.state().workbench_plots().len();
    h.get_by_label("Plot it on the workbench").click();
    h.run_steps(2);
    h.get_by_label("Plot it on the workbench").click();
    h.run_steps(2);
    assert_eq!(h.state().workbench_plots().len(), before, "already shown");
    h.state_mut().model_view.search = "signal half".into();
    h.run_steps(2);
    h.get_by_label("Rule signal half burden").click();
    h.run_steps(2);
    h.get_by_label("Plot it on the workbench").click();
    h.run_steps(2);
    let plots = h.state().workbench_plots();
    assert_eq!(plots.len(), before + 1);
    assert_eq!(
        plots.last().map(String::as_str),
        Some("Rule signal half burden")
    );
    h.state_mut().apply(Command::ToggleModelView);
    h.run_steps(3);
    // The workbench plot's title is the menu of what it shows.
    assert!(
        h.query_all_by_value("Rule signal half burden")
            .next()
            .is_some(),
        "plotted on the workbench with the model window closed"
    );
}

#[test]
fn closing_during_a_presentation_reopens_at_the_workbench_zoom() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), false);
    let workbench_zoom = h.ctx.zoom_factor();
    h.state_mut().apply(Command::Present(Some(fixture(
        "scenarios/stories/workshop.ron",
    ))));
    h.run_steps(3);
    let presenting_zoom = h.ctx.zoom_factor();
    assert!(
        presenting_zoom > workbench_zoom + 0.1,
        "the slide is zoomed: {presenting_zoom} against {workbench_zoom}"
    );
    // Closed now: eframe saves egui's memory (with its zoom), then the app's own state.
    let mut storage = Memory::default();
    h.ctx.memory(|m| eframe::set_value(&mut storage, "egui", m));
    eframe::App::save(h.state_mut(), &mut storage);
    drop(h);
    // The next launch: eframe restores egui's memory before the app starts.
    let memory: egui::Memory = eframe::get_value(&storage, "egui").expect("egui's memory");
    assert_eq!(
        memory.options.zoom_factor, presenting_zoom,
        "what eframe keeps"
    );
    let storage: &'static Memory = Box::leak(Box::new(storage));
    let dir2 = dir.path().to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            cc.egui_ctx.memory_mut(|m| *m = memory);
            cc.storage = Some(storage);
            BorderflowApp::new_in(Some(cc), None, dir2).expect("the app starts")
        });
    h.run_steps(3);
    assert!(h.state().presentation.is_none());
    assert_eq!(h.ctx.zoom_factor(), workbench_zoom);
}
