//! `borderflow calibrate`: fit the model's calibration parameters to the record, report the fit
//! in and out of sample, and optionally write the fitted values into the model file.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::analysis::calibration::{self, FitOptions, observed_record, plot, report};
use crate::engine::edit::set_equations;
use crate::scenario::{self, ModelRef, Prepared, prepare::DEFAULT_SCENARIO};

/// Where `--write` puts the fitted values for the embedded model: its source in the repository.
const EMBEDDED_MODEL_SOURCE: &str = "assets/models/szhk.xmile";

pub struct CalibrateArgs {
    pub scenario: Option<PathBuf>,
    pub write: bool,
    pub report: Option<PathBuf>,
    pub split: String,
    pub options: FitOptions,
}

pub fn calibrate(args: &CalibrateArgs) -> anyhow::Result<()> {
    let (prepared, name) = match &args.scenario {
        Some(path) => (scenario::prepare(path)?, path.display().to_string()),
        None => (
            scenario::prepare_str(
                DEFAULT_SCENARIO,
                Path::new("baseline-2022-10.ron (embedded)"),
            )?,
            "baseline-2022-10.ron (embedded; same history as actual-2020-2023.ron to 2022-10-10)"
                .to_string(),
        ),
    };
    let observed = observed_record(&prepared.calendar());
    let started = std::time::Instant::now();
    let c = calibration::calibrate(&prepared, &name, &observed, &args.split, args.options)?;
    eprintln!(
        "calibrated in {:.1} s ({} + {} model runs)",
        started.elapsed().as_secs_f64(),
        c.full.evaluations,
        c.split.evaluations
    );
    let png = args.report.as_ref().map(|r| r.with_extension("png"));
    if let Some(png) = &png {
        plot::write_png(&c, png)?;
    }
    let link = png
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let text = report::markdown(&c, link.as_deref());
    println!("{text}");
    if let Some(path) = &args.report {
        std::fs::write(path, &text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {} and {}",
            path.display(),
            png.map(|p| p.display().to_string()).unwrap_or_default()
        );
    }
    if args.write {
        write_model(&prepared, args.scenario.as_deref(), &c)?;
    }
    Ok(())
}

/// Writes the full fit's values into the model file's `<eqn>`s, atomically.
fn write_model(
    prepared: &Prepared,
    scenario: Option<&Path>,
    c: &calibration::Calibration,
) -> anyhow::Result<()> {
    let target = match (&prepared.scenario.model, scenario) {
        (ModelRef::Path(p), Some(s)) => s.parent().unwrap_or(Path::new(".")).join(p),
        _ => {
            let p = PathBuf::from(EMBEDDED_MODEL_SOURCE);
            anyhow::ensure!(
                p.is_file(),
                "--write: the scenario uses the embedded model; run from the repository so that {EMBEDDED_MODEL_SOURCE} can be updated"
            );
            p
        }
    };
    let file = target.display().to_string();
    let text = std::fs::read_to_string(&target).with_context(|| format!("cannot read {file}"))?;
    let edits = calibration::model_edits(c, &prepared.setup.compiled.model);
    let updated = set_equations(&text, &file, &edits)?;
    // The result must still be a valid model before it replaces the file.
    crate::engine::compile_str(&updated, &file)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, updated.as_bytes())?;
    tmp.persist(&target).map_err(|e| e.error)?;
    eprintln!(
        "wrote {} fitted values into {file}{}",
        edits.len(),
        if matches!(prepared.scenario.model, ModelRef::Embedded) {
            " (rebuild to embed them)"
        } else {
            ""
        }
    );
    Ok(())
}
