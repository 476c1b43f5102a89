//! The workbench's plots, driven headlessly with egui_kittest: plots added from the model view
//! (removed from their heading, remembered across sessions) and a legend that lists only what
//! the shown plots draw.

use std::path::{Path, PathBuf};

use borderflow::app::BorderflowApp;
use borderflow::app::command::Command;
use borderflow::app::plots::PlotChoices;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[path = "common/storage.rs"]
mod storage;
use storage::Memory;

const REMOVE: &str = "× Remove";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The app on `file` (None: the SZ–HK default), with `storage` as eframe's stored state.
fn harness(
    data_dir: &Path,
    file: Option<PathBuf>,
    storage: Option<Memory>,
) -> Harness<'static, BorderflowApp> {
    let dir = data_dir.to_path_buf();
    // The harness lives for the test; its creation context borrows the storage for as long.
    let storage: Option<&'static Memory> = storage.map(|s| &*Box::leak(Box::new(s)));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            cc.storage = storage.map(|s| s as &dyn eframe::Storage);
            BorderflowApp::new_in(Some(cc), file.as_deref(), dir).expect("the app starts")
        });
    h.state_mut().set_uncertainty(false);
    h.run_steps(3);
    h
}

fn saved(h: &mut Harness<'_, BorderflowApp>) -> Memory {
    let mut storage = Memory::default();
    eframe::App::save(h.state_mut(), &mut storage);
    storage
}

#[test]
fn a_plot_added_from_the_model_view_is_removed_from_its_heading_and_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let sir = fixture("assets/models/sir.xmile");
    let mut h = harness(dir.path(), Some(sir.clone()), None);
    let description: Vec<String> = h.state().workbench_plots();
    // The description's own plots cannot be removed.
    assert!(h.query_by_label(REMOVE).is_none());
    for name in ["Recovered", "Vaccinated", "No such variable"] {
        h.state_mut()
            .apply(Command::PlotOnWorkbench(name.to_string()));
        h.run_steps(2);
    }
    assert_eq!(h.query_all_by_label(REMOVE).count(), 3);
    assert!(h.query_by_label("Recovered").is_some());

    // A new session on the same model: the added plots come back, except the one the model
    // does not have.
    let mut h = harness(dir.path(), Some(sir.clone()), Some(saved(&mut h)));
    let mut expected = description.clone();
    expected.extend(["Recovered".to_string(), "Vaccinated".to_string()]);
    assert_eq!(h.state().workbench_plots(), expected);
    assert_eq!(h.query_all_by_label(REMOVE).count(), 2);

    // Its heading's button removes "Recovered" (the first added plot), and only it.
    h.get_all_by_label(REMOVE).next().expect("a button").click();
    h.run_steps(3);
    let mut expected = description.clone();
    expected.push("Vaccinated".to_string());
    assert_eq!(h.state().workbench_plots(), expected);
    assert!(h.query_by_label("Recovered").is_none());
    assert_eq!(h.query_all_by_label(REMOVE).count(), 1);

    // The removal is remembered too.
    let h = harness(dir.path(), Some(sir), Some(saved(&mut h)));
    assert_eq!(h.state().workbench_plots(), expected);
}

#[test]
fn the_legend_names_the_record_only_when_a_shown_plot_draws_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), None, None);
    // The SZ–HK record ends on 10 October 2022 (the description's calendar).
    let entry = "recorded, to 10 Oct 2022";
    let recorded = h.state().session.recorded.clone();
    assert!(
        h.state()
            .workbench_plots()
            .iter()
            .any(|p| recorded.get(p).is_some_and(|r| !r.is_empty())),
        "the default workbench plots a record"
    );
    assert!(h.query_by_label(entry).is_some());

    // The same number of plots, none of them with a record.
    let description = h.state().session.setup.description.clone();
    let unrecorded: Vec<String> = description
        .outputs
        .iter()
        .map(|o| o.name.clone())
        .filter(|n| recorded.get(n).is_none_or(|r| r.is_empty()))
        .take(description.workbench.plots.len())
        .collect();
    assert_eq!(unrecorded.len(), description.workbench.plots.len());
    let mut storage = saved(&mut h);
    let key = storage.plots_key();
    let mut choices: PlotChoices = eframe::get_value(&storage, &key).expect("saved choices");
    choices.plots = unrecorded.clone();
    eframe::set_value(&mut storage, &key, &choices);
    let h = harness(dir.path(), None, Some(storage));
    assert_eq!(h.state().workbench_plots(), unrecorded);
    assert!(
        h.query_by_label(entry).is_none(),
        "no shown plot has a record"
    );
    // The entries for what is drawn remain.
    assert!(h.query_by_label("branch date").is_some());
}

/// The app on the SZ–HK default at `size`, in `lang`, with or without the ensemble.
fn sized(
    data_dir: &Path,
    size: egui::Vec2,
    lang: &str,
    ensemble: bool,
) -> Harness<'static, BorderflowApp> {
    let dir = data_dir.to_path_buf();
    let mut h = Harness::builder().with_size(size).build_eframe(move |cc| {
        BorderflowApp::new_in(Some(cc), None, dir).expect("the app starts")
    });
    h.state_mut().lang = lang.to_string();
    h.state_mut().set_uncertainty(ensemble);
    h.run_steps(3);
    h
}

/// Each plot's axis menu (in the plot's heading row), in reading order.
fn headings(h: &Harness<'_, BorderflowApp>, lang: &str) -> Vec<egui::Rect> {
    let linear = if lang == "zh" { "线性" } else { "linear" };
    h.query_all_by_value(linear).map(|n| n.rect()).collect()
}

/// The top of the status bar (its uncertainty checkbox).
fn status_top(h: &Harness<'_, BorderflowApp>, lang: &str) -> f32 {
    let bands = if lang == "zh" {
        "不确定性区间"
    } else {
        "Uncertainty bands"
    };
    h.get_by_label(bands).rect().top()
}

/// A plot is never squashed below 120 points (the app's minimum readable height).
const MIN_PLOT: f32 = 120.0;

#[test]
fn at_1280x800_all_six_plots_fit_and_at_1024x640_they_keep_their_height_and_scroll() {
    for lang in ["en", "zh"] {
        let dir = tempfile::tempdir().unwrap();
        let h = sized(dir.path(), egui::vec2(1280.0, 800.0), lang, false);
        let rows = headings(&h, lang);
        assert_eq!(rows.len(), 6, "{lang}: six plots");
        // Left column, rows 2 and 3: from one heading to the next is a heading and a plot.
        let pitch = rows[4].top() - rows[2].top();
        assert!(pitch >= MIN_PLOT + rows[4].height(), "{lang}: {pitch}");
        let bottom = rows[4].top() + pitch;
        let status = status_top(&h, lang);
        assert!(
            bottom <= status + 1.0,
            "{lang}: the third row ends at {bottom}, above {status}"
        );

        let dir = tempfile::tempdir().unwrap();
        let h = sized(dir.path(), egui::vec2(1024.0, 640.0), lang, false);
        let rows = headings(&h, lang);
        assert_eq!(rows.len(), 6, "{lang}: six plots");
        let pitch = rows[4].top() - rows[2].top();
        assert!(
            pitch >= MIN_PLOT + rows[4].height(),
            "{lang}: squashed to {pitch}"
        );
        let status = status_top(&h, lang);
        assert!(
            rows[4].top() + pitch > status,
            "{lang}: too small to show all: they scroll"
        );
        // Scrolling brings the third row into view.
        h.query_all_by_value(if lang == "zh" { "线性" } else { "linear" })
            .nth(4)
            .expect("the fifth plot")
            .scroll_to_me();
        let mut h = h;
        h.run_steps(3);
        let fifth = headings(&h, lang)[4];
        assert!(
            fifth.top() >= 0.0 && fifth.bottom() <= status,
            "{lang}: {fifth:?}"
        );
    }
}

#[test]
fn nothing_moves_when_the_ensemble_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sized(dir.path(), egui::vec2(1024.0, 640.0), "en", true);
    let before = headings(&h, "en");
    assert!(h.state().uncertainty.complete().is_none(), "still running");
    let started = std::time::Instant::now();
    while h.state().uncertainty.complete().is_none() {
        h.step();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "it finishes"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(3);
    // The median and the bands are in the legend now, in the room kept for them.
    assert!(h.query_by_label("ensemble median").is_some());
    assert!(h.query_by_label("p5–p95").is_some());
    assert_eq!(headings(&h, "en"), before);
}
