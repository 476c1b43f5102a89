//! The calibration targets of a model description (its `calibration:` section): what
//! `borderflow calibrate` fits the model to, each with its weight and source. The fit itself
//! (analysis::calibration) reads them from here.

use serde::{Deserialize, Serialize};

use super::calendar::parse_date;
use super::description::Description;
use crate::engine::EngineError;

/// One thing the fit aims at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationTarget {
    /// Unique within the section; the report's row label.
    pub name: String,
    pub kind: TargetSpec,
    /// Weight of the target's mean squared log error in the objective.
    pub weight: f64,
    /// Where the data comes from (file and rows).
    pub source: String,
}

/// What a target compares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum TargetSpec {
    /// A recorded series (an output of the description's `recorded` section), compared day by
    /// day over the record.
    Daily { output: String },
    /// The model's mean of `output` from `from` to `to` (both included; `to` defaults to `from`,
    /// a single day), times `scale` (365 for an annual total), against a published `value`.
    /// The target drops out of a fit that ends before `to`.
    Mean {
        output: String,
        from: String,
        #[serde(default)]
        to: Option<String>,
        #[serde(default = "one")]
        scale: f64,
        value: f64,
    },
}

fn one() -> f64 {
    1.0
}

impl TargetSpec {
    /// The model variable the target reads.
    pub fn output(&self) -> &str {
        match self {
            TargetSpec::Daily { output } | TargetSpec::Mean { output, .. } => output,
        }
    }
}

/// Fails when the model has no variable `name` (arguments: name, needles to locate it, what it is).
pub(super) type CheckVariable<'a> = dyn Fn(&str, &[&str], &str) -> Result<(), EngineError> + 'a;

/// Checks the calibration section. `at` locates an error by needles; `variable` fails when the
/// model has no such variable.
pub(super) fn check(
    d: &Description,
    at: &dyn Fn(&[&str], String) -> EngineError,
    variable: &CheckVariable,
) -> Result<(), EngineError> {
    let recorded: Vec<&str> = d
        .recorded
        .iter()
        .flat_map(|r| r.series.iter().map(|s| s.output.as_str()))
        .collect();
    for (i, t) in d.calibration.iter().enumerate() {
        let name = format!("name: {:?}", t.name);
        let fail = |extra: &str, msg: String| -> Result<(), EngineError> {
            Err(at(
                &["calibration", &name, extra],
                format!("calibration target {:?}: {msg}", t.name),
            ))
        };
        if t.name.trim().is_empty() {
            return Err(at(
                &["calibration", "name"],
                "calibration target: expected a name".into(),
            ));
        }
        if d.calibration[..i].iter().any(|u| u.name == t.name) {
            return Err(at(
                &["calibration", &name, &name],
                format!("calibration target {:?} is listed twice", t.name),
            ));
        }
        if !(t.weight.is_finite() && t.weight > 0.0) {
            return fail(
                "weight",
                format!("expected a weight > 0, found {}", t.weight),
            );
        }
        if t.source.trim().is_empty() {
            return fail("source", "expected a source (file and rows)".into());
        }
        let output = format!("{:?}", t.kind.output());
        variable(
            t.kind.output(),
            &["calibration", &name, &output],
            "calibration output",
        )?;
        match &t.kind {
            TargetSpec::Daily { output: o } => {
                if !recorded.iter().any(|r| r == o) {
                    return fail(
                        &output,
                        format!(
                            "Daily({o:?}) expected an output of the `recorded` section ({})",
                            recorded.join(", ")
                        ),
                    );
                }
            }
            TargetSpec::Mean {
                from,
                to,
                scale,
                value,
                ..
            } => {
                let date = |d: &str, field: &str| {
                    parse_date(d).map_err(|e| {
                        at(
                            &["calibration", &name, field],
                            format!("calibration target {:?}: {e}", t.name),
                        )
                    })
                };
                let start = date(from, "from")?;
                if let Some(to) = to
                    && date(to, "to")? < start
                {
                    return fail("to", format!("{to} is before {from}"));
                }
                if !(scale.is_finite() && *scale > 0.0) {
                    return fail("scale", format!("expected scale > 0, found {scale}"));
                }
                if !(value.is_finite() && *value > 0.0) {
                    return fail(
                        "value",
                        format!("expected a published value > 0, found {value}"),
                    );
                }
            }
        }
    }
    Ok(())
}
