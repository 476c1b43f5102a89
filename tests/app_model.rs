//! The app on a second model (the SIR teaching model): opened from its XMILE file, it shows that
//! model's levers, cards and plots, as its description beside it says.

use std::path::{Path, PathBuf};

use borderflow::app::BorderflowApp;
use borderflow::app::command::Command;
use borderflow::scenario::LeverValue;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn harness(data_dir: &Path, file: PathBuf) -> Harness<'static, BorderflowApp> {
    harness_on(data_dir, Some(file))
}

/// The app on `file`, or on the shipped SZ–HK model.
fn harness_on(data_dir: &Path, file: Option<PathBuf>) -> Harness<'static, BorderflowApp> {
    let dir = data_dir.to_path_buf();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            BorderflowApp::new_in(Some(cc), file.as_deref(), dir).expect("the app starts")
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
    // Its levers under the heading its catalogue gives, not the SZ–HK model's circles.
    let groups = &h.state().session.setup.catalogue.groups;
    assert_eq!(groups.len(), 1);
    assert!(h.query_by_label(&groups[0].title["en"]).is_some());
    assert!(h.query_by_label_contains("circle").is_none());
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

fn is_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn in_chinese_the_model_view_names_every_sector_stock_and_flow_of_the_szhk_model_in_chinese() {
    use borderflow::engine::ast::VarKind;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(dir.path(), None);
    let setup = h.state().session.setup.clone();
    let description = &setup.description;
    let sectors: Vec<String> = borderflow::scenario::prepare::sectors(&setup.compiled)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(sectors.len(), 17, "{sectors:?}");
    let stocks_and_flows: Vec<String> = setup
        .compiled
        .source
        .variables
        .iter()
        .filter(|v| matches!(v.kind, VarKind::Stock | VarKind::Flow))
        .map(|v| v.name.clone())
        .collect();
    assert!(stocks_and_flows.len() >= 40, "{stocks_and_flows:?}");
    // Every one is named in Chinese by the description, and the view uses that name.
    for name in sectors.iter().chain(&stocks_and_flows) {
        let zh = description
            .name_in(name, "zh")
            .unwrap_or_else(|| panic!("{name} has no Chinese name in szhk.model.ron"));
        assert!(is_chinese(zh), "{name}: {zh}");
        assert_eq!(h.state().model_view.name(name, "zh"), zh);
        assert_eq!(h.state().model_view.name(name, "en"), *name);
    }
    // The overview's tiles and an opened sector's title, in Chinese.
    h.state_mut().apply(Command::SetLanguage("zh".into()));
    h.state_mut().apply(Command::ToggleModelView);
    h.run_steps(3);
    let crossings = description.name_in("Crossings", "zh").unwrap().to_string();
    // A tile reads the sector's name, then its count of variables on the next line.
    let tile = |name: &str| format!("{}\n", description.name_in(name, "zh").unwrap());
    assert!(
        h.query_by_label_contains(&tile("Innovation and talent"))
            .is_some()
    );
    assert!(h.query_by_label_contains("Innovation and talent").is_none());
    h.get_by_label_contains(&tile("Crossings")).click();
    h.run_steps(3);
    let opened = h.state().model_view.sector.map(|i| sectors[i].as_str());
    assert_eq!(opened, Some("Crossings"));
    assert!(h.query_by_label(&crossings).is_some(), "the sector's title");
    // The list shows a stock by its Chinese name with the XMILE name beside it, and its
    // documentation keeps the XMILE name.
    let pent_up = description.name_in("Pent up", "zh").unwrap();
    h.state_mut().model_view.search = pent_up.into();
    h.run_steps(2);
    // An arrayed stock: each element is the array's name with the element's, both as the
    // description names them.
    let residents = description.name_in("HK residents", "zh").unwrap();
    h.get_by_label(&format!("{pent_up}[{residents}] · Pent up[HK residents]"))
        .click();
    h.run_steps(3);
    assert!(
        h.query_by_label(&format!("{pent_up}[{residents}]"))
            .is_some(),
        "the heading"
    );
    assert!(
        h.query_by_label("Pent up[HK residents]").is_some(),
        "the XMILE name under the heading"
    );
}

#[test]
fn a_model_without_chinese_names_shows_its_outputs_titles_else_its_own_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path(), fixture("assets/models/sir.xmile"));
    assert!(h.state().session.setup.description.names.is_empty());
    // An output's Chinese title; a constant no output or single-constant lever names stays as
    // the model calls it.
    let infected = h
        .state()
        .session
        .setup
        .description
        .output("Infected")
        .unwrap()
        .title["zh"]
        .clone();
    assert_eq!(h.state().model_view.name("Infected", "zh"), infected);
    assert_eq!(
        h.state().model_view.name("Illness duration", "zh"),
        "Illness duration"
    );
    h.state_mut().apply(Command::SetLanguage("zh".into()));
    h.state_mut().apply(Command::ToggleModelView);
    h.run_steps(3);
    assert!(h.state().model_view.sectors().is_empty());
    assert!(
        h.query_by_label_contains(&format!("{infected} · Infected"))
            .is_some(),
        "listed by its title"
    );
}

#[test]
fn hovering_a_diagram_element_shows_its_xmile_name_and_equation_in_chinese_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(dir.path(), None);
    h.ctx.all_styles_mut(|s| s.interaction.tooltip_delay = 0.0);
    h.state_mut().apply(Command::SetLanguage("zh".into()));
    h.state_mut().apply(Command::ToggleModelView);
    h.run_steps(3);
    let description = h.state().session.setup.description.clone();
    let tile = format!(
        "{}\n",
        description.name_in("Why it did not move", "zh").unwrap()
    );
    h.get_by_label_contains(&tile).click();
    h.run_steps(3);
    let quarantine = description.name_in("Limit quarantine", "zh").unwrap();
    let at = h
        .state()
        .model_view
        .on_screen("Limit quarantine")
        .expect("drawn");
    h.hover_at(at);
    h.run_steps(10);
    // An arrayed variable shows its first element: the name a planner reads, then the XMILE
    // name and equation as `borderflow doc` gives them.
    let docs = borderflow::analysis::doc::variable_docs(
        &h.state().session.setup.compiled,
        Some(&h.state().session.setup.catalogue),
    );
    let first = docs
        .iter()
        .find(|d| d.name.starts_with("Limit quarantine["))
        .expect("an element");
    // The element too as the description names it: 受阻份额：检疫[香港居民].
    let element = first.name["Limit quarantine".len()..]
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let element = description.name_in(&element, "zh").unwrap_or(&element);
    let expected = format!(
        "{quarantine}[{element}]\n{} = {}\n",
        first.name, first.equation
    );
    let tip = h
        .query_all_by_label_contains("Limit quarantine")
        .find_map(|n| {
            n.accesskit_node()
                .value()
                .filter(|v| v.starts_with(&expected))
        });
    assert!(tip.is_some(), "a tooltip starting {expected:?}");
}
