//! The scenario being edited: its file, whether it has unsaved changes, and undo history.
//! Every change to the scenario goes through `edit`, which takes its undo step.

use std::path::PathBuf;

use super::command::Gesture;
use crate::scenario::Scenario;

/// Undo steps kept.
const MAX_UNDO: usize = 200;

#[derive(Clone, Debug)]
pub struct Document {
    pub scenario: Scenario,
    pub path: Option<PathBuf>,
    /// The scenario as last saved or opened (to know whether there are unsaved changes).
    saved: Scenario,
    undo: Vec<Scenario>,
    redo: Vec<Scenario>,
    /// Bumped on every change, so that the app knows when to re-run.
    pub generation: u64,
    /// A drag's undo step has been taken (ended by each pointer press).
    gesture_open: bool,
}

impl Document {
    pub fn new(scenario: Scenario, path: Option<PathBuf>) -> Self {
        Document {
            saved: scenario.clone(),
            scenario,
            path,
            undo: Vec::new(),
            redo: Vec::new(),
            generation: 0,
            gesture_open: false,
        }
    }

    /// Work recovered from an autosave: not yet saved to any file.
    pub fn recovered(scenario: Scenario, path: Option<PathBuf>) -> Self {
        let mut doc = Document::new(scenario, path);
        doc.saved.title.clear();
        doc
    }

    pub fn dirty(&self) -> bool {
        self.scenario != self.saved
    }

    /// Starts an undo step: the scenario as it is now can be restored.
    fn checkpoint(&mut self) {
        self.undo.push(self.scenario.clone());
        if self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// Applies `change` (false: it changed nothing) with its undo step: one per gesture. A
    /// click is a step; a drag is one step from its first change, even when that change
    /// arrives as `Continue`.
    pub fn edit(&mut self, gesture: Gesture, change: impl FnOnce(&mut Scenario) -> bool) -> bool {
        let mut next = self.scenario.clone();
        if !change(&mut next) || next == self.scenario {
            return false;
        }
        let step = match gesture {
            Gesture::Single => {
                self.gesture_open = false;
                true
            }
            Gesture::Start => {
                self.gesture_open = true;
                true
            }
            Gesture::Continue => !std::mem::replace(&mut self.gesture_open, true),
        };
        if step {
            self.checkpoint();
        }
        self.scenario = next;
        self.changed();
        true
    }

    /// A pointer press ends any drag: its next change starts a new undo step.
    pub fn end_gesture(&mut self) {
        self.gesture_open = false;
    }

    pub fn changed(&mut self) {
        self.generation += 1;
    }

    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(previous) => {
                self.redo
                    .push(std::mem::replace(&mut self.scenario, previous));
                self.changed();
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(next) => {
                self.undo.push(std::mem::replace(&mut self.scenario, next));
                self.changed();
                true
            }
            None => false,
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn mark_saved(&mut self, path: PathBuf) {
        self.saved = self.scenario.clone();
        self.path = Some(path);
    }

    /// The window title: file name and a marker for unsaved changes.
    pub fn title(&self) -> String {
        let name = self.path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || "untitled".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!(
            "{name}{} — Borderflow",
            if self.dirty() { " •" } else { "" }
        )
    }
}
