//! Borderflow: a scenario simulator for Shenzhen–Hong Kong cross-border factor flows.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod engine;
pub mod scenario;
