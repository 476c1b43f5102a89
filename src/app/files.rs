//! Where the app keeps its own files: the autosaved working scenario and its original path.

use std::path::{Path, PathBuf};

use crate::scenario::{Scenario, load_scenario, save_scenario};

/// The app's data folder: `BORDERFLOW_DATA_DIR`, else the platform's data folder for Borderflow.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BORDERFLOW_DATA_DIR") {
        return PathBuf::from(dir);
    }
    eframe::storage_dir("Borderflow").unwrap_or_else(|| std::env::temp_dir().join("borderflow"))
}

/// Where eframe keeps the layout and settings: beside the autosave when `BORDERFLOW_DATA_DIR`
/// is set (so a test or workshop folder holds everything), else eframe's own platform folder.
pub fn settings_file() -> Option<PathBuf> {
    std::env::var_os("BORDERFLOW_DATA_DIR").map(|dir| PathBuf::from(dir).join("app.ron"))
}

fn autosave_file(dir: &Path) -> PathBuf {
    dir.join("autosave.ron")
}

fn autosave_origin(dir: &Path) -> PathBuf {
    dir.join("autosave.path")
}

/// Writes the working scenario (atomically) and the path it came from.
pub fn autosave(dir: &Path, scenario: &Scenario, origin: Option<&Path>) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    save_scenario(scenario, &autosave_file(dir)).map_err(|e| e.to_string())?;
    let origin = origin.map(|p| p.display().to_string()).unwrap_or_default();
    crate::scenario::write::write_atomic(&autosave_origin(dir), origin.as_bytes())
        .map_err(|e| e.to_string())
}

/// Work left by a session that did not end cleanly.
pub fn leftover(dir: &Path) -> Option<(Scenario, Option<PathBuf>)> {
    let scenario = load_scenario(&autosave_file(dir)).ok()?;
    let origin = std::fs::read_to_string(autosave_origin(dir))
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(PathBuf::from);
    Some((scenario, origin))
}

/// Removes the autosave after a clean exit or once the user has answered the restore offer.
pub fn clear(dir: &Path) {
    let _ = std::fs::remove_file(autosave_file(dir));
    let _ = std::fs::remove_file(autosave_origin(dir));
}
