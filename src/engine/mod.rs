//! Borderflow's system-dynamics engine. A visible pipeline, one module per stage:
//! [`xml`] (parse XMILE) → [`flatten`] (equations parsed; arrays, modules and macros expanded
//! into scalar variables) → [`lower`] (stateful built-ins become stocks and flows) →
//! [`resolve`] (names to indices, dependency sort) → [`compile`] (a flat [`program`] over slots)
//! → [`jit`] (native code for it) → [`run`]. [`interp`] gives every op its meaning, for the
//! interpreter and the native code alike. [`units`] checks dimensional consistency. Knows
//! nothing of scenarios or GUI. No module imports one that imports it back (a test checks).

pub mod ast;
pub mod compile;
pub mod edit;
pub mod error;
pub mod expr;
pub mod finite;
pub mod flatten;
pub mod interp;
pub mod jit;
pub mod limits;
pub mod lower;
pub mod program;
pub mod resolve;
pub mod results;
pub mod run;
pub mod units;
pub mod xmile_out;
pub mod xml;

pub use ast::{ModelFile, canonical_name};
pub use error::{Diagnostic, EngineError, Location, Result, read_text};
pub use program::Program;
pub use results::Results;
pub use run::{Executable, Override, Overrides, Runner};

/// A model read and compiled, with its unit findings.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The model flattened: every array element, module variable and macro copy a scalar
    /// variable of its own (the same as the file for a model without them).
    pub model: ModelFile,
    /// The model as read, with its arrays, modules and macros (for export).
    pub source: ModelFile,
    /// The compiled program with its native code.
    pub program: Executable,
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
    let finite = finite::policy(&model, &lowered);
    let resolved = resolve::resolve(&model, lowered)?;
    let mut program = compile::compile(&model.sim_specs, &resolved);
    program.finite = finite;
    program
        .check_size()
        .map_err(|e| EngineError::Run(format!("{}: {e}", model.file)))?;
    let unit_warnings = units::check(&model, &resolved);
    Ok(Compiled {
        model,
        source,
        program: Executable::new(program),
        unit_warnings,
    })
}
