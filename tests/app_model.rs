//! The app on a second model (the SIR teaching model): opened from its XMILE file, it shows that
//! model's levers, cards and plots, as its description beside it says.

use std::path::{Path, PathBuf};

use borderflow::app::BorderflowApp;
use borderflow::scenario::LeverValue;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

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

fn ever_infected(h: &Harness<'_, BorderflowApp>) -> f64 {
    h.state()
        .session
        .headlines
        .as_ref()
        .and_then(|x| x.value("ever_infected"))
        .expect("the figure")
}

#[test]
fn an_xmile_file_opens_on_its_own_levers_cards_and_plots_and_a_lever_moves() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), fixture("assets/models/sir.xmile"));
    // Its cards and plots, by the titles its description gives.
    for label in ["Half the town infected", "Person-days of illness"] {
        assert!(h.query_by_label_contains(label).is_some(), "shows {label}");
    }
    // A plot's title is the menu of what it shows.
    assert!(
        h.query_by_value("Ever infected").is_some(),
        "shows its plot"
    );
    assert!(
        h.query_by_label_contains("Mainland visitor").is_none(),
        "nothing of the SZ–HK model"
    );
    let before = ever_infected(&h);
    h.get_by_role_and_label(egui::accesskit::Role::Slider, "Vaccination rate")
        .set_value_accesskit(0.02);
    h.run_steps(3);
    assert_eq!(
        h.state().lever_value("vaccination_rate"),
        Some(LeverValue::Value(0.02))
    );
    let after = ever_infected(&h);
    assert!(after < before, "vaccination protects: {after} vs {before}");
}

#[test]
fn a_scenario_naming_the_model_opens_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path(), fixture("scenarios/sir/lockdown-lifted.ron"));
    assert_eq!(
        h.state().lever_value("contact_reduction"),
        Some(LeverValue::Value(0.0))
    );
    assert!(h.state().session.problem.is_none());
    assert!(
        h.query_by_label_contains("Infections against the status quo")
            .is_some()
    );
}
