//! Tables of runs as CSV, shared by the CLI and the app: `time`, `date`, then columns; runs
//! compared side by side as `NAME [A]`, `NAME [B]`, … and `NAME [B-A]`, ….

use std::path::Path;

use crate::engine::{EngineError, Results};
use crate::scenario::write::{spreadsheet_text, write_atomic};

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

/// Writes `time`, then `date` when given, then each column (RFC 4180), atomically. Text cells
/// (the header and dates) are made safe for spreadsheets; numbers are written as they are. A
/// variable named like a column already written (`time`, `date`) is renamed; the returned notes
/// say how.
pub fn write_table(
    out: &Path,
    times: &[f64],
    dates: Option<&[String]>,
    columns: &[(String, Vec<f64>)],
) -> Result<Vec<String>, EngineError> {
    let file = out.display().to_string();
    let fail = |e: csv::Error| EngineError::Run(format!("cannot write {file}: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["time".to_string()];
    if dates.is_some() {
        header.push("date".into());
    }
    let mut notes = Vec::new();
    for (name, _) in columns {
        let cell = spreadsheet_text(name).into_owned();
        let taken = |c: &str, h: &[String]| h.iter().any(|x| x.eq_ignore_ascii_case(c));
        let mut unique = cell.clone();
        let mut k = 1;
        while taken(&unique, &header) {
            unique = if k == 1 {
                format!("{cell} (variable)")
            } else {
                format!("{cell} (variable {k})")
            };
            k += 1;
        }
        if unique != cell {
            notes.push(format!(
                "{file}: the variable {name:?} is written as column {unique:?}: the table already has a {cell:?} column"
            ));
        }
        header.push(unique);
    }
    w.write_record(&header).map_err(fail)?;
    let mut record = Vec::with_capacity(header.len());
    for (row, t) in times.iter().enumerate() {
        record.clear();
        record.push(t.to_string());
        if let Some(d) = dates {
            record.push(spreadsheet_text(&d[row]).into_owned());
        }
        record.extend(columns.iter().map(|(_, v)| v[row].to_string()));
        w.write_record(&record).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| EngineError::Run(format!("cannot write {file}: {e}")))?;
    write_atomic(out, &bytes)?;
    Ok(notes)
}
