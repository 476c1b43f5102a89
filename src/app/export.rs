//! What the app exports: the current runs as CSV (the CLI's comparison columns, status quo as A
//! and scenario as B), the window as PNG, and a one-page Markdown summary of the scenario.

use std::fmt::Write as _;
use std::path::Path;

use super::i18n::date;
use crate::analysis::Headlines;
use crate::analysis::ensemble::Summary;
use crate::analysis::export::{comparison_columns, write_table};
use crate::analysis::format;
use crate::engine::{EngineError, Results};
use crate::scenario::{Calendar, Catalogue, Description, Scenario, text_in};

/// `time,date,NAME [A],NAME [B],NAME [B-A]` for the workbench's plotted outputs: A the status
/// quo, B the scenario.
pub fn runs_csv(
    path: &Path,
    baseline: &Results,
    current: &Results,
    calendar: &Calendar,
    description: &Description,
) -> Result<(), EngineError> {
    let outputs: Vec<&str> = description
        .workbench
        .plots
        .iter()
        .map(String::as_str)
        .collect();
    let columns = comparison_columns(&[baseline, current], &outputs).map_err(EngineError::Run)?;
    let dates: Vec<String> = current.times.iter().map(|&t| calendar.date_of(t)).collect();
    // The plotted outputs are the model's own, none named `time` or `date`: no notes.
    write_table(path, &current.times, Some(&dates), &columns).map(drop)
}

/// Saves an egui screenshot as PNG.
pub fn png(path: &Path, image: &egui::ColorImage) -> Result<(), EngineError> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| EngineError::Run("screenshot has the wrong size".into()))?;
    let mut png = std::io::Cursor::new(Vec::new());
    buffer
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| EngineError::Run(format!("cannot write {}: {e}", path.display())))?;
    crate::scenario::write::write_atomic(path, png.get_ref())
}

/// Everything the one-page summary reads.
pub struct SummaryInput<'a> {
    pub scenario: &'a Scenario,
    pub catalogue: &'a Catalogue,
    pub description: &'a Description,
    pub branch: &'a str,
    pub current: Option<&'a Headlines>,
    pub baseline: Option<&'a Headlines>,
    pub ensemble: Option<&'a Summary>,
    pub lang: &'a str,
}

/// A one-page Markdown summary: the scenario, the levers it changes with their timelines, and
/// the headline figures against the status quo.
pub fn markdown(input: &SummaryInput<'_>) -> String {
    let lang = input.lang;
    let s = input.scenario;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", text_in(&s.title, lang));
    let description = text_in(&s.description, lang);
    if !description.is_empty() {
        let _ = writeln!(out, "{description}\n");
    }
    let _ = writeln!(
        out,
        "Branches from the recorded history on {}; every lever not listed follows the status quo of that date.\n",
        date(lang, input.branch)
    );
    let _ = writeln!(out, "## Levers\n");
    if s.levers.is_empty() {
        let _ = writeln!(out, "No lever changed: this is the status quo.\n");
    } else {
        let _ = writeln!(out, "| lever | group | timeline |");
        let _ = writeln!(out, "|---|---|---|");
        for lever in &input.catalogue.levers {
            let Some(entries) = s.levers.get(&lever.id) else {
                continue;
            };
            let timeline: Vec<String> = entries
                .iter()
                .map(|(d, v)| format!("{}: {v}", date(lang, d)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                text_in(&lever.label, lang),
                input
                    .catalogue
                    .groups
                    .iter()
                    .find(|g| g.id == lever.group)
                    .map_or(lever.group.as_str(), |g| text_in(&g.title, lang)),
                timeline.join("; ")
            );
        }
        out.push('\n');
    }
    if !s.overrides.is_empty() {
        let _ = writeln!(out, "Constants set by the scenario:\n");
        for (name, v) in &s.overrides {
            let _ = writeln!(out, "- {name} = {v}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Headline figures\n");
    let (Some(h), Some(b)) = (input.current, input.baseline) else {
        let _ = writeln!(out, "The scenario did not run.");
        return out;
    };
    let _ = writeln!(out, "| | scenario | status quo | difference |");
    let _ = writeln!(out, "|---|---|---|---|");
    let calendar = input.catalogue.calendar();
    for (i, headline) in input.description.headlines.iter().enumerate() {
        let (v, base) = (h.values[i], b.values[i]);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            format::title(headline, lang),
            format::value(lang, headline, v, &calendar),
            format::value(lang, headline, base, &calendar),
            format::signed_difference(lang, headline, v, base)
        );
    }
    if let Some(e) = input.ensemble {
        let _ = writeln!(
            out,
            "\nEnsemble of {} members over the model's uncertain parameters (median, p5–p95):\n",
            e.members
        );
        for (column, p) in e.headline_columns.iter().zip(&e.headlines) {
            let Some(headline) = input.description.headline(&column.id) else {
                continue;
            };
            let show = |v: f64| format::percentile_value(lang, headline, v, &e.calendar);
            let _ = writeln!(
                out,
                "- {}: {} ({} – {})",
                format::title(headline, lang),
                show(p[2]),
                show(p[0]),
                show(p[4])
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screenshot_is_written_as_png_pixel_for_pixel() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shot.png");
        let mut img = egui::ColorImage::filled([3, 2], egui::Color32::from_rgb(10, 20, 30));
        img.pixels[4] = egui::Color32::from_rgb(200, 100, 50);
        png(&path, &img).unwrap();
        let back = image::open(&path).unwrap().to_rgba8();
        assert_eq!(back.dimensions(), (3, 2));
        assert_eq!(back.get_pixel(1, 1).0, [200, 100, 50, 255]);
        assert_eq!(back.get_pixel(0, 0).0, [10, 20, 30, 255]);
        let err = png(&dir.path().join("no/such/dir/x.png"), &img).unwrap_err();
        assert!(err.to_string().contains("x.png"));
    }
}
