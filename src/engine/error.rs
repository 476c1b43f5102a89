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
    NonFinite(Box<super::finite::NonFinite>),
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
