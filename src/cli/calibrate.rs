//! `borderflow calibrate`: fit the model's calibration parameters to the record, report the fit
//! in and out of sample, and optionally write the fitted values into the model file.

use std::path::{Path, PathBuf};

use crate::analysis::calibration::{self, FitOptions, observed_record, plot, report};
use crate::engine::edit::set_equations;
use crate::scenario::prepare::{DEFAULT_SCENARIO, EMBEDDED_MODEL};
use crate::scenario::write::{check_writable, refuse_input_as_output, write_atomic};
use crate::scenario::{self, ModelRef, Prepared};

pub struct CalibrateArgs {
    pub scenario: Option<PathBuf>,
    /// `--write [PATH]`: `Some(None)` writes into the scenario's model file.
    pub write: Option<Option<PathBuf>>,
    pub report: Option<PathBuf>,
    pub split: String,
    pub options: FitOptions,
}

pub fn calibrate(args: &CalibrateArgs) -> anyhow::Result<()> {
    use crate::analysis::limits;
    limits::count("--starts", args.options.starts, limits::MAX_STARTS)?;
    anyhow::ensure!(
        args.options.max_iters <= limits::MAX_ITERATIONS,
        "--iterations: expected at most {}, found {}",
        limits::MAX_ITERATIONS,
        args.options.max_iters
    );
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
    // Everything that would make the writes fail is checked before the long fit.
    let model_write = match &args.write {
        Some(path) => Some(ModelWrite::plan(
            &prepared,
            args.scenario.as_deref(),
            path.as_deref(),
        )?),
        None => None,
    };
    let png = args.report.as_ref().map(|r| r.with_extension("png"));
    let inputs: Vec<PathBuf> = args.scenario.iter().cloned().collect();
    for out in args.report.iter().chain(&png) {
        refuse_input_as_output(out, &inputs)?;
        check_writable(out)?;
    }
    let observed = observed_record(&prepared.setup.description, &prepared.calendar());
    let started = std::time::Instant::now();
    // The fit reports no step count up front: a spinner with the elapsed time shows it works.
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!("calibrating from {} starts", args.options.starts));
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let fitted = calibration::calibrate(&prepared, &name, &observed, &args.split, args.options);
    spinner.finish_and_clear();
    let c = fitted?;
    eprintln!(
        "calibrated in {:.1} s ({} + {} model runs)",
        started.elapsed().as_secs_f64(),
        c.full.evaluations,
        c.split.evaluations
    );
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
        write_atomic(path, text.as_bytes())?;
        eprintln!(
            "wrote {} and {}",
            path.display(),
            png.map(|p| p.display().to_string()).unwrap_or_default()
        );
    }
    if let Some(w) = model_write {
        w.write(&prepared, &c)?;
    }
    Ok(())
}

/// Where `--write` puts the fitted values, and the model text they are merged into, as read
/// before the fit (with its hash, to notice an edit made while the fit ran).
struct ModelWrite {
    target: PathBuf,
    /// The file the text came from (the model file; for the embedded model, `target`).
    source: PathBuf,
    text: String,
    hash: u64,
    embedded: bool,
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl ModelWrite {
    /// Refuses when the model file no longer holds the text the fit started from.
    fn unchanged(&self) -> anyhow::Result<()> {
        let now = crate::engine::read_text(&self.source)?;
        anyhow::ensure!(
            hash(&now) == self.hash,
            "--write: {} changed while the calibration ran; nothing was written (run again on the new text)",
            self.source.display()
        );
        Ok(())
    }

    fn plan(
        prepared: &Prepared,
        scenario: Option<&Path>,
        path: Option<&Path>,
    ) -> anyhow::Result<ModelWrite> {
        let model_file = match (&prepared.scenario.model, scenario) {
            (ModelRef::Path(p), Some(s)) => Some(s.parent().unwrap_or(Path::new(".")).join(p)),
            _ => None,
        };
        let (source, target, embedded) = match (model_file, path) {
            (Some(model), None) => (model.clone(), model, false),
            (Some(model), Some(path)) => (model, path.to_path_buf(), false),
            (None, Some(path)) => (path.to_path_buf(), path.to_path_buf(), true),
            (None, None) => anyhow::bail!(
                "--write: the scenario uses the embedded model; name the file to update, e.g. --write assets/models/szhk.xmile"
            ),
        };
        let text = crate::engine::read_text(&source)?;
        if embedded {
            anyhow::ensure!(
                text == EMBEDDED_MODEL,
                "--write {}: this file is not the embedded model (its text differs; rebuild after editing it, or name the model's source)",
                target.display()
            );
        }
        check_writable(&target)?;
        if let Some(s) = scenario {
            refuse_input_as_output(&target, &[s.to_path_buf()])?;
        }
        Ok(ModelWrite {
            hash: hash(&text),
            target,
            source,
            text,
            embedded,
        })
    }

    /// Merges the full fit's values into the text read before the fit and writes it atomically,
    /// unless the source changed meanwhile.
    fn write(&self, prepared: &Prepared, c: &calibration::Calibration) -> anyhow::Result<()> {
        self.unchanged()?;
        let file = self.target.display().to_string();
        let edits = calibration::model_edits(c, &prepared.setup.compiled.model);
        let updated = set_equations(&self.text, &file, &edits)?;
        // The result must still be a valid model before it replaces the file.
        crate::engine::compile_str(&updated, &file)?;
        write_atomic(&self.target, updated.as_bytes())?;
        eprintln!(
            "wrote {} fitted values into {file}{}",
            edits.len(),
            if self.embedded {
                " (rebuild to embed them)"
            } else {
                ""
            }
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_edited_during_the_fit_is_not_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("m.xmile");
        std::fs::write(&path, "before").expect("write");
        let plan = ModelWrite {
            source: path.clone(),
            target: path.clone(),
            text: "before".into(),
            hash: hash("before"),
            embedded: false,
        };
        assert!(plan.unchanged().is_ok());
        std::fs::write(&path, "edited meanwhile").expect("write");
        let err = plan.unchanged().expect_err("changed").to_string();
        assert!(err.contains("changed while the calibration ran"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "edited meanwhile"
        );
    }
}
