//! Dimensional consistency of equations (placeholder filled below).
use super::ast::ModelFile;
use super::error::Diagnostic;
use super::resolve::Resolved;

pub fn check(_model: &ModelFile, _r: &Resolved) -> Vec<Diagnostic> {
    Vec::new()
}
