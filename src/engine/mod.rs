//! Borderflow's system-dynamics engine. A visible pipeline, one module per stage:
//! [`xml`] (parse XMILE) → [`flatten`] (equations parsed; arrays, modules and macros expanded
//! into scalar variables) → [`lower`] (stateful built-ins become stocks and flows) → [`resolve`] (names to indices, dependency sort) → [`compile`] (flat program over
//! slots) → [`run`]. [`units`] checks dimensional consistency. Knows nothing of scenarios or GUI.

mod array_fns;
pub mod ast;
pub mod compile;
pub mod edit;
pub mod error;
pub mod expr;
pub mod flatten;
pub mod jit;
pub mod lower;
pub mod resolve;
pub mod run;
pub mod units;
pub mod xmile_out;
pub mod xml;

pub use ast::{ModelFile, canonical_name};
pub use compile::Program;
pub use error::{Diagnostic, EngineError, Location, Result, read_text};
pub use run::{Override, Overrides, Results, Runner};

/// A model read and compiled, with its unit findings.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The model flattened: every array element, module variable and macro copy a scalar
    /// variable of its own (the same as the file for a model without them).
    pub model: ModelFile,
    /// The model as read, with its arrays, modules and macros (for export).
    pub source: ModelFile,
    pub program: Program,
    pub unit_warnings: Vec<Diagnostic>,
}

/// Parses, lowers, resolves and compiles XMILE text. `file` names the source in diagnostics.
pub fn compile_str(text: &str, file: &str) -> Result<Compiled> {
    let model = xml::parse_str(text, file)?;
    compile_model(model)
}

/// Reads and compiles the XMILE file at `path`.
pub fn compile_file(path: &std::path::Path) -> Result<Compiled> {
    let model = xml::read_file(path)?;
    compile_model(model)
}

/// Compiles an already parsed model.
pub fn compile_model(source: ModelFile) -> Result<Compiled> {
    let model = flatten::flatten(&source)?;
    let lowered = lower::lower(&model)?;
    let resolved = resolve::resolve(&model, lowered)?;
    let program = compile::compile(&model.sim_specs, &resolved);
    program.check_size()?;
    let unit_warnings = units::check(&model, &resolved);
    Ok(Compiled {
        model,
        source,
        program,
        unit_warnings,
    })
}
