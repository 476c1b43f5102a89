//! What panels ask for. Panels never change the scenario themselves: they return commands that
//! the app applies after drawing, in one place.

use std::path::PathBuf;

use crate::scenario::LeverValue;
pub use crate::scenario::edit::TimelineEdit;

/// Where an edit sits in a user gesture: a whole slider drag is one undo step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gesture {
    /// A click, a key press, a choice: one undo step on its own.
    Single,
    /// The first change of a drag: starts an undo step.
    Start,
    /// Later changes of the same drag: part of the step already started.
    Continue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Set a lever to a value from its date (the branch date unless the lever has its own).
    SetLever {
        id: String,
        value: LeverValue,
        gesture: Gesture,
    },
    /// Move the date a lever's change applies from.
    SetLeverDate {
        id: String,
        date: String,
    },
    /// Edit a lever's timeline.
    EditTimeline {
        id: String,
        edit: TimelineEdit,
        gesture: Gesture,
    },
    ToggleTimeline,
    ToggleModelView,
    /// Add a model variable (or an array's sum, by the array's name) to the workbench's plots.
    PlotOnWorkbench(String),
    /// Back to the recorded history for this lever.
    ResetLever(String),
    /// Every lever and override back to the status quo.
    ResetToBaseline,
    Undo,
    Redo,
    New,
    /// Open a scenario file (None: ask with a dialog).
    Open(Option<PathBuf>),
    Save,
    SaveAs,
    /// Answer to "restore the autosaved work?".
    RestoreAutosave(bool),
    /// Answer to "discard unsaved changes?".
    ConfirmDiscard(bool),
    /// Answer "Save" to the unsaved-changes prompt: save, then carry on.
    SaveAndProceed,
    /// Open a built-in example scenario (by file name) as a new, unsaved document.
    OpenExample(String),
    /// Present a built-in example story (by file name).
    PresentExample(String),
    DismissWelcome,
    DismissError,
    /// Export the status quo and scenario runs as CSV (None: ask where).
    ExportCsv(Option<PathBuf>),
    /// Export the window as PNG, on the next frame.
    ExportPng(Option<PathBuf>),
    /// Export a one-page Markdown summary.
    ExportSummary(Option<PathBuf>),
    /// Present the current scenario (None) or a story file, full screen.
    Present(Option<PathBuf>),
    /// Ask for a story file and present it.
    OpenStory,
    /// Move through the presentation, or leave it.
    Slide(super::presentation::Step),
    /// Load a scenario file to compare with the working one (None: ask which).
    AddComparison(Option<PathBuf>),
    RemoveComparison(usize),
    /// Write the comparison CSV (None: ask where).
    ExportComparison(Option<PathBuf>),
    ToggleCompare,
    /// The other language.
    NextLanguage,
    ToggleBands,
    /// Run the background ensemble again (after it failed or was stopped).
    RestartEnsemble,
    ToggleSensitivity,
    ToggleHelp,
    /// Help → Guide: what the levers, cards, plots, bands and history mean.
    ToggleGuide,
    /// Panels back to their default sizes and windows to their default places.
    ResetLayout,
    /// Switch the interface language (`en`, `zh`); remembered across sessions.
    SetLanguage(String),
}
