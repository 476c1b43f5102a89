//! A story: scenarios to present one after another, each with a caption, saved as RON:
//! `(version: 1, slides: [(scenario: "early-reopening.ron", caption: {"en": "…", "zh": "…"})])`.
//! Scenario paths are relative to the story file. A slide may name its plots (outputs of the
//! model description) and cards (headline ids), which default to the description's presentation
//! set, and what it compares with: `compare: StatusQuo` (the default) or `compare: Previous`.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::catalogue::ron_error;
use super::file::Scenario;
use super::prepare::ModelSetup;
use super::{Text, locate, located, ron_options};
use crate::engine::EngineError;

/// The story format this Borderflow reads (its own, apart from the scenario format's).
pub const STORY_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Story {
    pub version: u32,
    pub slides: Vec<Slide>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slide {
    /// A scenario file, relative to the story file.
    pub scenario: String,
    #[serde(default, deserialize_with = "super::unique::map")]
    pub caption: Text,
    /// The outputs to plot (None: the description's presentation plots).
    #[serde(default)]
    pub plots: Option<Vec<String>>,
    /// The headline ids to show as cards (None: the description's presentation cards).
    #[serde(default)]
    pub cards: Option<Vec<String>>,
    #[serde(default)]
    pub compare: Reference,
}

/// What a slide's differences and reference line are measured against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reference {
    /// The model's status quo.
    #[default]
    StatusQuo,
    /// The slide before (the status quo on the first slide).
    Previous,
}

/// A slide ready to show: its scenario read, its caption, and what it shows.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedSlide {
    pub scenario: Scenario,
    pub caption: Text,
    pub plots: Vec<String>,
    pub cards: Vec<String>,
    pub compare: Reference,
}

impl LoadedSlide {
    /// A slide of `scenario` alone, showing the description's presentation set.
    pub fn of(scenario: Scenario, setup: &ModelSetup) -> LoadedSlide {
        let show = &setup.description.presentation;
        LoadedSlide {
            scenario,
            caption: Text::default(),
            plots: show.plots.clone(),
            cards: show.cards.clone(),
            compare: Reference::StatusQuo,
        }
    }
}

/// Reads a story and every scenario it names, each prepared for `setup` (the app's model:
/// slides must use `model: Embedded`). Errors name the story file, line and column (a missing
/// scenario points at its slide) or the scenario file's own position.
pub fn load_story(path: &Path, setup: &Arc<ModelSetup>) -> Result<Vec<LoadedSlide>, EngineError> {
    let file = path.display().to_string();
    let text = crate::engine::read_text(path)?;
    let story: Story = ron_options()
        .from_str(&text)
        .map_err(|e| ron_error(&file, &e))?;
    if story.version != STORY_VERSION {
        return Err(located(
            &file,
            locate(&text, &["version"]),
            format!(
                "expected story version {STORY_VERSION}, found {}",
                story.version
            ),
        ));
    }
    if story.slides.is_empty() {
        return Err(located(
            &file,
            locate(&text, &["slides"]),
            "expected at least one slide",
        ));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    story
        .slides
        .into_iter()
        .map(|slide| {
            let scenario_path = base.join(&slide.scenario);
            if let Some(why) = crate::engine::limits::refuse_input(&scenario_path) {
                return Err(located(
                    &file,
                    locate(&text, &[&format!("\"{}\"", slide.scenario)]),
                    format!(
                        "scenario {} {why} (paths are relative to the story file)",
                        scenario_path.display()
                    ),
                ));
            }
            let description = &setup.description;
            let show = &description.presentation;
            let plots = slide.plots.unwrap_or_else(|| show.plots.clone());
            let cards = slide.cards.unwrap_or_else(|| show.cards.clone());
            // Each name is looked for after its slide's scenario, so the error points at it.
            let at = |name: &str| {
                locate(
                    &text,
                    &[&format!("\"{}\"", slide.scenario), &format!("\"{name}\"")],
                )
            };
            if let Some(p) = plots.iter().find(|p| description.output(p).is_none()) {
                return Err(located(
                    &file,
                    at(p),
                    format!(
                        "unknown plot \"{p}\": expected an output of the model description ({})",
                        names(description.outputs.iter().map(|o| o.name.as_str()))
                    ),
                ));
            }
            if let Some(c) = cards.iter().find(|c| description.headline_index(c).is_none()) {
                return Err(located(
                    &file,
                    at(c),
                    format!(
                        "unknown card \"{c}\": expected a headline id of the model description ({})",
                        names(description.headlines.iter().map(|h| h.id.as_str()))
                    ),
                ));
            }
            let prepared = super::prepare_embedded(setup, &scenario_path)?;
            Ok(LoadedSlide {
                scenario: prepared.scenario,
                caption: slide.caption,
                plots,
                cards,
                compare: slide.compare,
            })
        })
        .collect()
}

/// Names for an error message: quoted, comma-separated.
fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
