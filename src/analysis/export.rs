//! Tables of runs as CSV, shared by the CLI and the app: `time`, `date`, then columns; runs
//! compared side by side as `NAME [A]`, `NAME [B]`, … and `NAME [B-A]`, ….

use std::path::Path;

use crate::engine::{EngineError, Results};

/// Run labels in comparison columns.
pub const LETTERS: [&str; 4] = ["A", "B", "C", "D"];

/// For each output: its series in every run, then every later run's difference from the first.
/// Runs must share their time axis.
pub fn comparison_columns(
    runs: &[&Results],
    outputs: &[&str],
) -> Result<Vec<(String, Vec<f64>)>, String> {
    if runs.len() > LETTERS.len() {
        return Err(format!("at most {} runs can be compared", LETTERS.len()));
    }
    if runs.windows(2).any(|w| w[0].times != w[1].times) {
        return Err("the runs have different time axes (different models or calendars)".into());
    }
    let mut columns = Vec::new();
    for name in outputs {
        let series = runs
            .iter()
            .map(|r| {
                r.series(name)
                    .ok_or_else(|| format!("no output named {name:?} in the model"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (letter, s) in LETTERS.iter().zip(&series) {
            columns.push((format!("{name} [{letter}]"), s.clone()));
        }
        for (letter, s) in LETTERS.iter().zip(&series).skip(1) {
            let diff = s.iter().zip(&series[0]).map(|(b, a)| b - a).collect();
            columns.push((format!("{name} [{letter}-A]"), diff));
        }
    }
    Ok(columns)
}

/// Writes `time`, then `date` when given, then each column (RFC 4180).
pub fn write_table(
    out: &Path,
    times: &[f64],
    dates: Option<&[String]>,
    columns: &[(String, Vec<f64>)],
) -> Result<(), EngineError> {
    let file = out.display().to_string();
    let fail = |e: csv::Error| EngineError::Run(format!("cannot write {file}: {e}"));
    let mut w = csv::Writer::from_path(out).map_err(fail)?;
    let mut header = vec!["time".to_string()];
    if dates.is_some() {
        header.push("date".into());
    }
    header.extend(columns.iter().map(|(n, _)| n.clone()));
    w.write_record(&header).map_err(fail)?;
    let mut record = Vec::with_capacity(header.len());
    for (row, t) in times.iter().enumerate() {
        record.clear();
        record.push(t.to_string());
        if let Some(d) = dates {
            record.push(d[row].clone());
        }
        record.extend(columns.iter().map(|(_, v)| v[row].to_string()));
        w.write_record(&record).map_err(fail)?;
    }
    w.flush()
        .map_err(|e| EngineError::Run(format!("cannot write {file}: {e}")))?;
    Ok(())
}
