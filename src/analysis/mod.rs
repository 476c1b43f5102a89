//! Analysis on top of the engine and scenarios: headline figures of a run, model documentation.

pub mod calibration;
pub mod doc;
pub mod effects;
pub mod ensemble;
pub mod export;
pub mod format;
pub mod headlines;
pub mod limits;
pub mod record;
pub mod why;

pub use doc::model_doc;
pub use headlines::{Headlines, headlines};

/// Digits of `n` grouped by thousands with `separator` (`1 234 567`, `1,234,567`).
pub fn group_digits(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(ch);
    }
    out
}
