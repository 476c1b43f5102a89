//! The shipped scenarios and stories, built into the binary so File → Examples works wherever
//! the app was installed from.

use std::path::{Path, PathBuf};

use crate::scenario::{Scenario, Text};

/// The example scenarios: file name and text.
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "baseline-2022-10.ron",
        include_str!("../../scenarios/baseline-2022-10.ron"),
    ),
    (
        "actual-2020-2023.ron",
        include_str!("../../scenarios/actual-2020-2023.ron"),
    ),
    (
        "early-reopening-dec-2022.ron",
        include_str!("../../scenarios/early-reopening-dec-2022.ron"),
    ),
    (
        "phased-quotas.ron",
        include_str!("../../scenarios/phased-quotas.ron"),
    ),
    (
        "integration-package-2023.ron",
        include_str!("../../scenarios/integration-package-2023.ron"),
    ),
    (
        "loop-buffer-zone.ron",
        include_str!("../../scenarios/loop-buffer-zone.ron"),
    ),
];

/// The example stories: file name, bilingual title and description (a story file has
/// captions only), and text.
pub struct StoryExample {
    pub file: &'static str,
    pub title: [&'static str; 2],
    pub description: [&'static str; 2],
    pub text: &'static str,
}

pub const STORIES: &[StoryExample] = &[StoryExample {
    file: "workshop.ron",
    title: ["Workshop story (presentation)", "研讨会演示（放映）"],
    description: [
        "Four slides: the status quo, an early reopening, what happened, and the integration package.",
        "四张幻灯片：现状、提前通关、实际进程，以及融合措施。",
    ],
    text: include_str!("../../scenarios/stories/workshop.ron"),
}];

/// An example scenario with its title and description, parsed from the built-in text.
pub struct ScenarioExample {
    pub file: &'static str,
    pub title: Text,
    pub description: Text,
}

/// Every example scenario that parses (all of them, as a test checks).
pub fn scenarios() -> Vec<ScenarioExample> {
    SCENARIOS
        .iter()
        .filter_map(|(file, text)| {
            let s = Scenario::parse(text, file).ok()?;
            Some(ScenarioExample {
                file,
                title: s.title,
                description: s.description,
            })
        })
        .collect()
}

/// The built-in scenario `file`, parsed.
pub fn scenario(file: &str) -> Option<Scenario> {
    let (name, text) = SCENARIOS.iter().find(|(f, _)| *f == file)?;
    Scenario::parse(text, name).ok()
}

/// Writes the examples under `dir` as they sit in the source tree (stories name their slides'
/// scenarios by relative path) and returns the story `file`'s path there.
pub fn story_on_disk(dir: &Path, file: &str) -> Result<PathBuf, String> {
    let story = STORIES
        .iter()
        .find(|s| s.file == file)
        .ok_or_else(|| format!("no example story {file}"))?;
    let root = dir.join("examples");
    let stories = root.join("stories");
    std::fs::create_dir_all(&stories)
        .map_err(|e| format!("cannot create {}: {e}", stories.display()))?;
    for (name, text) in SCENARIOS {
        let path = root.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let path = stories.join(story.file);
    std::fs::write(&path, story.text)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_scenario_is_an_example_with_both_languages() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut shipped: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().to_string();
                name.ends_with(".ron").then_some(name)
            })
            .collect();
        shipped.sort();
        let mut listed: Vec<String> = scenarios().iter().map(|e| e.file.to_string()).collect();
        listed.sort();
        assert_eq!(listed, shipped, "every scenario parses and is listed");
        for e in scenarios() {
            for lang in ["en", "zh"] {
                assert!(e.title.contains_key(lang), "{} title {lang}", e.file);
                assert!(
                    e.description.contains_key(lang),
                    "{} description {lang}",
                    e.file
                );
            }
        }
    }
}
