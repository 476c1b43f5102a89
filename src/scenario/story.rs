//! A story: scenarios to present one after another, each with a caption, saved as RON:
//! `(version: 1, slides: [(scenario: "early-reopening.ron", caption: {"en": "…", "zh": "…"})])`.
//! Scenario paths are relative to the story file.

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
}

/// A slide ready to show: its scenario read and its caption.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedSlide {
    pub scenario: Scenario,
    pub caption: Text,
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
            let prepared = super::prepare_embedded(setup, &scenario_path)?;
            Ok(LoadedSlide {
                scenario: prepared.scenario,
                caption: slide.caption,
            })
        })
        .collect()
}
