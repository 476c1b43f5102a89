//! Version 1 scenarios to version 2: what became of each lever and constant that left the model.
//! The tables below are the one place that says so; edit them when levers are removed or
//! renamed. A rule applies only when the model no longer has the old name, so a version 1 file
//! still runs unchanged on a model that keeps it. Every change made is reported in a note.

use super::LeverValue;
use super::catalogue::Catalogue;
use super::file::{Scenario, VERSION};
use crate::engine::Program;

/// What became of a version 1 lever or constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fate {
    /// Gone; its entries are dropped. The text says what replaces it.
    Removed(&'static str),
    /// Same meaning under a new name; entries move over unchanged.
    Renamed(&'static str),
    /// The count of open Shenzhen land control points: one lever per crossing now.
    ControlPointCount,
}

/// Version 1 lever ids.
pub const LEVERS: &[(&str, Fate)] = &[
    (
        "epidemic_risk",
        Fate::Removed(
            "the epidemic is now part of the outlook (the scenario's `outlook`, default: the model's default outlook), not a lever",
        ),
    ),
    ("open_control_points", Fate::ControlPointCount),
];

/// Version 1 constants, as named in `overrides` and ensemble parameters.
pub const CONSTANTS: &[(&str, Fate)] = &[
    (
        "Epidemic risk",
        Fate::Removed("the epidemic is now part of the outlook, not a constant a scenario sets"),
    ),
    (
        "Open control points",
        Fate::Removed("control points are now opened and closed one by one with the cp_* levers"),
    ),
];

/// Shenzhen land control points the version 1 count counted.
pub const LAND_POINTS: usize = 7;

/// Each crossing with the smallest version 1 count at which it is open, in the record's order of
/// staying open and reopening (policy_timeline.csv): Shenzhen Bay, the HZM Bridge and the airport
/// stayed open; the Spur Line and Man Kam To reopened on 2023-01-08; West Kowloon on 2023-01-15,
/// a week before Lo Wu, Heung Yuen Wai and Lok Ma Chau (2023-02-06), so it comes with the fourth
/// land point; Sha Tau Kok and the ferries are not in the record and open only with all seven.
pub const CROSSING_ORDER: &[(&str, usize)] = &[
    ("cp_shenzhen_bay", 1),
    ("cp_hzmb", 1),
    ("cp_airport", 1),
    ("cp_lok_ma_chau_spur_line", 2),
    ("cp_man_kam_to", 3),
    ("cp_west_kowloon", 4),
    ("cp_lo_wu", 4),
    ("cp_heung_yuen_wai", 5),
    ("cp_lok_ma_chau", 6),
    ("cp_sha_tau_kok", 7),
    ("cp_ferries", 7),
];

/// Brings a scenario read as version 1 up to version 2 for `catalogue` and `program`; returns
/// one note per change, for the user. Version 2 scenarios pass through untouched.
pub fn migrate(scenario: &mut Scenario, catalogue: &Catalogue, program: &Program) -> Vec<String> {
    let mut notes = Vec::new();
    if scenario.version >= VERSION {
        return notes;
    }
    for (old, fate) in LEVERS {
        if catalogue.lever(old).is_some() {
            continue;
        }
        let Some(entries) = scenario.levers.remove(*old) else {
            continue;
        };
        match fate {
            Fate::Removed(why) => notes.push(format!(
                "version 1 lever {old:?}: removed, its {} entries dropped: {why}",
                entries.len()
            )),
            Fate::Renamed(new) => {
                notes.push(format!("version 1 lever {old:?}: now {new:?}"));
                scenario.levers.insert((*new).to_string(), entries);
            }
            Fate::ControlPointCount => control_points(scenario, catalogue, &entries, &mut notes),
        }
    }
    for (old, fate) in CONSTANTS {
        if program.find(old).is_some() {
            continue;
        }
        rename_key(&mut scenario.overrides, old, fate, "override", &mut notes);
        if let Some(e) = scenario.ensemble.as_mut() {
            rename_key(
                &mut e.parameters,
                old,
                fate,
                "ensemble parameter",
                &mut notes,
            );
        }
    }
    scenario.version = VERSION;
    notes
}

/// Moves or drops the entry `old` of an override or ensemble-parameter map.
fn rename_key<V>(
    map: &mut std::collections::BTreeMap<String, V>,
    old: &str,
    fate: &Fate,
    place: &str,
    notes: &mut Vec<String>,
) {
    let Some(value) = map.remove(old) else {
        return;
    };
    match fate {
        Fate::Removed(why) => notes.push(format!("version 1 {place} {old:?}: removed: {why}")),
        Fate::Renamed(new) => {
            notes.push(format!("version 1 {place} {old:?}: now {new:?}"));
            map.insert((*new).to_string(), value);
        }
        Fate::ControlPointCount => notes.push(format!(
            "version 1 {place} {old:?}: removed: control points are now levers (cp_*)"
        )),
    }
}

/// The crossings a count of `n` open Shenzhen land points opens (see [`CROSSING_ORDER`]).
pub fn open_crossings(n: usize) -> Vec<&'static str> {
    CROSSING_ORDER
        .iter()
        .filter(|(_, from)| n >= *from)
        .map(|(id, _)| *id)
        .collect()
}

/// Maps dated counts onto the per-crossing levers the catalogue has.
fn control_points(
    scenario: &mut Scenario,
    catalogue: &Catalogue,
    entries: &[(String, LeverValue)],
    notes: &mut Vec<String>,
) {
    let known: Vec<&str> = CROSSING_ORDER
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| catalogue.lever(id).is_some())
        .collect();
    for (date, value) in entries {
        let count = match value {
            LeverValue::Value(v) if v.is_finite() && *v >= 0.0 => v.round() as usize,
            other => {
                notes.push(format!(
                    "version 1 lever \"open_control_points\" on {date}: {other} is not a count of control points; dropped"
                ));
                continue;
            }
        };
        let open = open_crossings(count);
        for id in &known {
            let state = if open.contains(id) { "open" } else { "closed" };
            scenario
                .levers
                .entry((*id).to_string())
                .or_default()
                .push((date.clone(), LeverValue::Preset(state.into())));
        }
        let opened: Vec<&str> = known
            .iter()
            .copied()
            .filter(|id| open.contains(id))
            .collect();
        notes.push(format!(
            "version 1 lever \"open_control_points\" on {date}: {count} of {LAND_POINTS} Shenzhen land control points open became, in the record's order of reopening, {} open and the other crossings closed",
            if opened.is_empty() {
                "no crossing".to_string()
            } else {
                opened.join(", ")
            }
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_open_crossings_in_the_record_order() {
        assert!(open_crossings(0).is_empty());
        // Feb 2020 to Jan 2023: Shenzhen Bay, with the HZM Bridge and the airport.
        assert_eq!(
            open_crossings(1),
            ["cp_shenzhen_bay", "cp_hzmb", "cp_airport"]
        );
        // Phase 1 of 2023-01-08: Spur Line and Man Kam To join.
        assert_eq!(open_crossings(3).len(), 5);
        assert_eq!(open_crossings(3)[4], "cp_man_kam_to");
        // West Kowloon (2023-01-15) comes with Lo Wu, not with phase 1.
        assert!(open_crossings(4).contains(&"cp_west_kowloon"));
        assert_eq!(open_crossings(6).len(), 9);
        assert_eq!(open_crossings(7).len(), CROSSING_ORDER.len());
        assert_eq!(open_crossings(12).len(), CROSSING_ORDER.len());
    }
}
