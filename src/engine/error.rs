//! Located diagnostics: every problem names the file, line, column and what was expected.

use std::fmt;

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub line: u32,
    pub col: u32,
}

impl Location {
    pub fn new(line: u32, col: u32) -> Self {
        Location { line, col }
    }
}

/// One problem found in a model, located in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.location.line, self.location.col, self.message
        )
    }
}

/// Why a model could not be loaded, compiled or run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Model(Diagnostic),
    #[error("{}", join_lines(.0))]
    Many(Vec<Diagnostic>),
    #[error("cannot read {file}: {reason}")]
    Io {
        file: String,
        reason: std::io::Error,
    },
    #[error("{0}")]
    Run(String),
    /// A run computed NaN or infinity (see [`super::finite`]).
    #[error("{0}")]
    NonFinite(Box<NonFinite>),
}

fn join_lines(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl EngineError {
    pub fn at(file: &str, location: Location, message: impl Into<String>) -> Self {
        EngineError::Model(Diagnostic {
            file: file.to_string(),
            location,
            message: message.into(),
        })
    }

    /// The located diagnostics this error carries (empty for I/O and run errors).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            EngineError::Model(d) => vec![d.clone()],
            EngineError::Many(ds) => ds.clone(),
            _ => Vec::new(),
        }
    }
}

pub type Result<T> = std::result::Result<T, EngineError>;

/// Reads a text file (a regular file within the size limit); a failure names the file.
pub fn read_text(path: &std::path::Path) -> Result<String> {
    super::limits::read_input_text(path).map_err(|reason| EngineError::Io {
        file: path.display().to_string(),
        reason,
    })
}

/// The first non-finite value of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFinite {
    pub variable: String,
    pub value: f64,
    pub time: f64,
    /// The calendar date of `time`, where the caller knows it.
    pub date: Option<String>,
    pub equation: String,
}

/// Longest equation excerpt quoted in the error.
const EQUATION_EXCERPT: usize = 160;

impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} became {} at time {}",
            self.variable, self.value, self.time
        )?;
        if let Some(d) = &self.date {
            write!(f, " ({d})")?;
        }
        let eq = self.equation.trim();
        let short: String = eq.chars().take(EQUATION_EXCERPT).collect();
        let more = if short.len() < eq.len() { " …" } else { "" };
        write!(
            f,
            "; its equation is `{}{more}` (--allow-nonfinite lets the run go on)",
            short.escape_debug()
        )
    }
}

impl EngineError {
    /// Adds the calendar date to a non-finite error; other errors pass unchanged.
    pub fn with_date(self, date_of: impl Fn(f64) -> String) -> EngineError {
        match self {
            EngineError::NonFinite(mut n) => {
                n.date = Some(date_of(n.time));
                EngineError::NonFinite(n)
            }
            other => other,
        }
    }
}
