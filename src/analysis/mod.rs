//! Analysis on top of the engine and scenarios: headline figures of a run, model documentation.

pub mod calibration;
pub mod doc;
pub mod ensemble;
pub mod export;
pub mod headlines;
pub mod record;

pub use doc::model_doc;
pub use headlines::{Headlines, headlines};
