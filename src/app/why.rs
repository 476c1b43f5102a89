//! "Why didn't it move?": after a lever change that leaves every headline figure where it was,
//! the status line names the limit that holds back each traveller type the lever acts on, at
//! the change's date.

use crate::analysis::Headlines;
use crate::analysis::effects::EFFECT_SHARE;
use crate::analysis::why::{Strip, rows_moved_by};
use crate::scenario::description::{Description, Format, Limits};
use crate::scenario::{Calendar, Catalogue, Scenario, text_in};

use super::i18n::{date, fill, tr};

/// "HK residents: closed crossing (7% of demand turned away)", or "…: no limit": what holds
/// strip row `row` back, as the status line and the strip's hover say it.
pub fn holding_text(
    limits: &Limits,
    row: usize,
    holding: Option<(usize, f64)>,
    lang: &str,
) -> String {
    let who = text_in(&limits.rows[row].title, lang);
    match holding {
        Some((l, share)) => fill(
            tr(lang, "{}: {} ({}% of demand turned away)"),
            &[
                who,
                text_in(&limits.limits[l].title, lang),
                &format!("{:.0}", share * 100.0),
            ],
        ),
        None => fill(tr(lang, "{}: no limit"), &[who]),
    }
}

/// Whether two runs' headline figures are the same as `effects` counts a change: a date by
/// less than a day, a number by less than 0.5% of the first run's value.
pub fn unchanged(description: &Description, before: &Headlines, after: &Headlines) -> bool {
    description
        .headlines
        .iter()
        .all(|h| match (before.value(&h.id), after.value(&h.id)) {
            (None, None) => true,
            (Some(a), Some(b)) if h.format == Format::Date => (a - b).abs() < 1.0,
            (Some(a), Some(b)) => (a - b).abs() <= EFFECT_SHARE * a.abs(),
            _ => false,
        })
}

/// What the runs say about the lever `id` just changed.
pub struct Change<'a> {
    pub lever: &'a str,
    pub before: &'a Headlines,
    pub after: &'a Headlines,
    pub scenario: &'a Scenario,
    pub catalogue: &'a Catalogue,
    pub description: &'a Description,
    pub calendar: &'a Calendar,
    /// The scenario's strip, after the change.
    pub strip: Option<&'a Strip>,
}

/// The status line's explanation; None when some headline figure moved.
pub fn explain(change: &Change<'_>, lang: &str) -> Option<String> {
    if !unchanged(change.description, change.before, change.after) {
        return None;
    }
    let mut text = tr(lang, "No headline figure moved.").to_string();
    let (Some(limits), Some(strip), Some(lever)) = (
        change.description.limits.as_ref(),
        change.strip,
        change.catalogue.lever(change.lever),
    ) else {
        return Some(text);
    };
    let outputs: Vec<&str> = lever.effects.iter().map(|e| e.output.as_str()).collect();
    let rows = rows_moved_by(limits, &outputs);
    // The change's date: the lever's first dated change in the scenario.
    let Some(day) = change
        .scenario
        .levers
        .get(change.lever)
        .and_then(|entries| entries.first())
        .map(|(d, _)| d.as_str())
    else {
        return Some(text);
    };
    let Ok(t) = change.calendar.time_of(day) else {
        return Some(text);
    };
    if rows.is_empty() {
        return Some(text);
    }
    let holding = strip.at(t);
    let parts: Vec<String> = rows
        .iter()
        .map(|&r| holding_text(limits, r, holding.get(r).copied().flatten(), lang))
        .collect();
    let separator = if lang == "zh" { "；" } else { "; " };
    if lang != "zh" {
        text.push(' ');
    }
    text.push_str(&fill(
        tr(lang, "What held travel back on {}: {}."),
        &[&date(lang, day), &parts.join(separator)],
    ));
    Some(text)
}
