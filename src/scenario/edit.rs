//! The timeline rules, in one place. Before the branch date a lever follows its recorded
//! history; from the branch on it follows the scenario's dated changes, when the scenario has
//! any for it (a lever the scenario leaves alone keeps its whole history). Preparing a run, the
//! lever panel, the timeline editor and the CLI all read and change timelines through here.
//! Dates are `NaiveDate` in here; files keep them as `YYYY-MM-DD` text.

use chrono::NaiveDate;

use super::LeverValue;
use super::calendar::parse_date;
use super::catalogue::{Catalogue, Lever};
use super::file::Scenario;

/// A date as files write it.
pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The branch date as the scenario or catalogue writes it: the scenario's own `branch`, else
/// the end of the record (the one place that default is written).
pub fn branch_text<'a>(scenario: &'a Scenario, catalogue: &'a Catalogue) -> &'a str {
    scenario.branch.as_deref().unwrap_or(&catalogue.record_end)
}

/// The dates every change must respect: on or after the branch, on or before the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub branch: NaiveDate,
    pub horizon: NaiveDate,
}

impl Window {
    /// The window of `scenario` on `catalogue`; the error says what is wrong with the branch.
    pub fn of(scenario: &Scenario, catalogue: &Catalogue) -> Result<Window, String> {
        let origin = parse_date(&catalogue.origin)?;
        let horizon = parse_date(&catalogue.horizon_end)?;
        let text = branch_text(scenario, catalogue);
        let branch = parse_date(text).map_err(|e| format!("branch: {e}"))?;
        if branch < origin || branch > horizon {
            return Err(format!(
                "branch {text} is outside the model's horizon {} .. {}",
                catalogue.origin, catalogue.horizon_end
            ));
        }
        Ok(Window { branch, horizon })
    }
}

/// A scenario's changes to one lever that break a rule: which entry, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryError {
    pub index: usize,
    pub message: String,
}

/// Checks a lever's dated changes: each a date, on or after the branch, within the horizon,
/// and later than the one before (so no two on one date).
pub fn check_entries<'a>(
    lever_id: &str,
    entries: &'a [(String, LeverValue)],
    window: Window,
) -> Result<Vec<(NaiveDate, &'a LeverValue)>, EntryError> {
    let mut checked: Vec<(NaiveDate, &LeverValue)> = Vec::with_capacity(entries.len());
    for (index, (text, value)) in entries.iter().enumerate() {
        let fail = |message: String| EntryError { index, message };
        let date = parse_date(text).map_err(|e| fail(format!("lever {lever_id:?}: {e}")))?;
        if date < window.branch {
            return Err(fail(format!(
                "lever {lever_id:?}: {text} is before the branch date {}; before it levers follow history",
                date_text(window.branch)
            )));
        }
        if date > window.horizon {
            return Err(fail(format!(
                "lever {lever_id:?}: {text} is after the model's horizon {}",
                date_text(window.horizon)
            )));
        }
        if checked.last().is_some_and(|(before, _)| date <= *before) {
            return Err(fail(format!(
                "lever {lever_id:?}: dates must increase, {text} does not"
            )));
        }
        checked.push((date, value));
    }
    Ok(checked)
}

/// A lever's recorded history, dated (the catalogue has checked its dates; one it could not
/// read would be skipped).
fn history(lever: &Lever) -> impl Iterator<Item = (NaiveDate, &LeverValue)> {
    lever
        .history
        .iter()
        .filter_map(|h| parse_date(&h.date).ok().map(|d| (d, &h.value)))
}

/// A lever's effective timeline: its history before the branch, then the scenario's changes;
/// with no changes (`own` None) the whole history.
pub fn effective<'a>(
    lever: &'a Lever,
    own: Option<&[(NaiveDate, &'a LeverValue)]>,
    branch: NaiveDate,
) -> Vec<(NaiveDate, &'a LeverValue)> {
    let mut timeline: Vec<(NaiveDate, &LeverValue)> = history(lever)
        .filter(|(d, _)| own.is_none() || *d < branch)
        .collect();
    timeline.extend(own.into_iter().flatten().copied());
    timeline
}

/// The value a lever has on `day` under `scenario`: the last entry of its effective timeline on
/// or before that day (before its first entry, that first value). A change whose date does not
/// read counts for nothing here; preparing the run reports it.
pub fn value_on(
    lever: &Lever,
    scenario: &Scenario,
    branch: NaiveDate,
    day: NaiveDate,
) -> LeverValue {
    let own: Option<Vec<(NaiveDate, &LeverValue)>> = scenario.levers.get(&lever.id).map(|e| {
        e.iter()
            .filter_map(|(d, v)| parse_date(d).ok().map(|d| (d, v)))
            .collect()
    });
    let timeline = effective(lever, own.as_deref(), branch);
    timeline
        .iter()
        .rev()
        .find(|(d, _)| *d <= day)
        .or(timeline.first())
        .map_or(LeverValue::Value(0.0), |(_, v)| (*v).clone())
}

/// The value a lever has on `day` in the status quo (the scenario that changes no lever).
pub fn status_quo_value(lever: &Lever, day: NaiveDate) -> LeverValue {
    history(lever)
        .filter(|(d, _)| *d <= day)
        .last()
        .or_else(|| history(lever).next())
        .map_or(LeverValue::Value(0.0), |(_, v)| v.clone())
}

/// A change to one lever's dated entries (the timeline editor).
#[derive(Clone, Debug, PartialEq)]
pub enum TimelineEdit {
    /// A change on `date`; on a date that already has one, its value is replaced.
    Add {
        date: NaiveDate,
        value: LeverValue,
    },
    /// Move entry `index` to `date`, kept between its neighbours and within the window.
    Move {
        index: usize,
        date: NaiveDate,
    },
    SetValue {
        index: usize,
        value: LeverValue,
    },
    /// Remove entry `index`; removing the last one gives the lever back its history.
    Remove {
        index: usize,
    },
}

/// Applies a timeline edit to lever `id`. False, with the scenario untouched, when the edit
/// breaks a rule (a date outside the window, an entry that does not exist, neighbours whose
/// dates do not read) or changes nothing.
pub fn edit_timeline(
    scenario: &mut Scenario,
    id: &str,
    edit: &TimelineEdit,
    window: Window,
) -> bool {
    let current = scenario.levers.get(id).cloned().unwrap_or_default();
    let mut entries = current.clone();
    let dates =
        || -> Option<Vec<NaiveDate>> { current.iter().map(|(d, _)| parse_date(d).ok()).collect() };
    match edit {
        TimelineEdit::Add { date, value } => {
            if *date < window.branch || *date > window.horizon {
                return false;
            }
            let Some(dates) = dates() else { return false };
            let text = date_text(*date);
            match dates.iter().position(|d| d >= date) {
                Some(i) if dates[i] == *date => entries[i].1 = value.clone(),
                Some(i) => entries.insert(i, (text, value.clone())),
                None => entries.push((text, value.clone())),
            }
        }
        TimelineEdit::Move { index, date } => {
            let Some(dates) = dates() else { return false };
            if *index >= dates.len() {
                return false;
            }
            let low = index
                .checked_sub(1)
                .and_then(|i| dates[i].succ_opt())
                .map_or(window.branch, |d| d.max(window.branch));
            let high = dates
                .get(index + 1)
                .and_then(|d| d.pred_opt())
                .map_or(window.horizon, |d| d.min(window.horizon));
            if low > high {
                return false;
            }
            entries[*index].0 = date_text((*date).clamp(low, high));
        }
        TimelineEdit::SetValue { index, value } => match entries.get_mut(*index) {
            Some(e) => e.1 = value.clone(),
            None => return false,
        },
        TimelineEdit::Remove { index } => {
            if *index >= entries.len() {
                return false;
            }
            entries.remove(*index);
        }
    }
    replace_entries(scenario, id, current, entries)
}

/// Puts `entries` in place of `current`; none left means the lever follows its history.
fn replace_entries(
    scenario: &mut Scenario,
    id: &str,
    current: Vec<(String, LeverValue)>,
    entries: Vec<(String, LeverValue)>,
) -> bool {
    if entries == current {
        return false;
    }
    if entries.is_empty() {
        scenario.levers.remove(id);
    } else {
        scenario.levers.insert(id.to_string(), entries);
    }
    true
}

/// Sets a lever's value from its first change (the lever panel's slider): the first entry's
/// value, or a new change on the branch date.
pub fn set_value(scenario: &mut Scenario, id: &str, value: LeverValue, window: Window) -> bool {
    let current = scenario.levers.get(id).cloned().unwrap_or_default();
    let mut entries = current.clone();
    match entries.first_mut() {
        Some(first) => first.1 = value,
        None => entries.push((date_text(window.branch), value)),
    }
    replace_entries(scenario, id, current, entries)
}

/// Moves the date a lever's first change applies from (the lever panel's date field); a lever
/// without changes gets one at its status-quo value on the branch date. The date is not held to
/// the window: a date out of place stays visible and the run names it.
pub fn set_first_date(
    scenario: &mut Scenario,
    lever: &Lever,
    date: NaiveDate,
    window: Window,
) -> bool {
    let current = scenario.levers.get(&lever.id).cloned().unwrap_or_default();
    let mut entries = current.clone();
    match entries.first_mut() {
        Some(first) => first.0 = date_text(date),
        None => entries.push((date_text(date), status_quo_value(lever, window.branch))),
    }
    replace_entries(scenario, &lever.id, current, entries)
}

/// Gives a lever back its recorded history.
pub fn reset_lever(scenario: &mut Scenario, id: &str) -> bool {
    scenario.levers.remove(id).is_some()
}

/// Every lever and override back to the status quo, branching at the end of the record.
pub fn reset_all(scenario: &mut Scenario) -> bool {
    let changed =
        !scenario.levers.is_empty() || !scenario.overrides.is_empty() || scenario.branch.is_some();
    scenario.levers.clear();
    scenario.overrides.clear();
    scenario.branch = None;
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::catalogue::{HistoryEntry, LeverKind};

    fn day(text: &str) -> NaiveDate {
        parse_date(text).expect("a test date")
    }

    fn v(x: f64) -> LeverValue {
        LeverValue::Value(x)
    }

    /// A lever recorded at 10 from 2019, 20 from 2020-06-01 and 30 from 2022-01-01.
    fn lever() -> Lever {
        let entry = |date: &str, x: f64| HistoryEntry {
            date: date.into(),
            value: v(x),
            source: "test".into(),
        };
        Lever {
            id: "quota".into(),
            label: Default::default(),
            help: Default::default(),
            group: "commuting".into(),
            unit: String::new(),
            unit_in: Default::default(),
            kind: LeverKind::Numeric {
                constant: "quota".into(),
                min: 0.0,
                max: 100.0,
                step: 1.0,
                presets: Vec::new(),
                unlimited: None,
            },
            history: vec![
                entry("2019-01-01", 10.0),
                entry("2020-06-01", 20.0),
                entry("2022-01-01", 30.0),
            ],
            most_open: None,
            effects: Vec::new(),
            stress: None,
        }
    }

    fn catalogue() -> Catalogue {
        Catalogue {
            origin: "2019-01-01".into(),
            horizon_end: "2030-12-31".into(),
            record_end: "2022-10-10".into(),
            groups: vec![crate::scenario::LeverGroup {
                id: "commuting".into(),
                title: Default::default(),
            }],
            levers: vec![lever()],
        }
    }

    fn scenario(entries: &[(&str, f64)]) -> Scenario {
        let mut s = Scenario::baseline("test");
        if !entries.is_empty() {
            s.levers.insert(
                "quota".into(),
                entries
                    .iter()
                    .map(|(d, x)| (d.to_string(), v(*x)))
                    .collect(),
            );
        }
        s
    }

    fn window() -> Window {
        Window::of(&Scenario::baseline("t"), &catalogue()).expect("window")
    }

    fn dates(s: &Scenario) -> Vec<String> {
        s.levers["quota"].iter().map(|(d, _)| d.clone()).collect()
    }

    #[test]
    fn the_branch_defaults_to_the_end_of_the_record_and_is_checked() {
        let cat = catalogue();
        let w = window();
        assert_eq!(
            (w.branch, w.horizon),
            (day("2022-10-10"), day("2030-12-31"))
        );
        let mut s = Scenario::baseline("t");
        s.branch = Some("2021-03-01".into());
        assert_eq!(Window::of(&s, &cat).unwrap().branch, day("2021-03-01"));
        s.branch = Some("2031-01-01".into());
        let e = Window::of(&s, &cat).unwrap_err();
        assert!(
            e.contains("outside the model's horizon 2019-01-01 .. 2030-12-31"),
            "{e}"
        );
        s.branch = Some("2021-02-30".into());
        let e = Window::of(&s, &cat).unwrap_err();
        assert!(
            e.starts_with("branch: expected a date as YYYY-MM-DD"),
            "{e}"
        );
    }

    #[test]
    fn history_before_the_branch_then_the_scenario() {
        let l = lever();
        let s = scenario(&[("2023-01-08", 50.0), ("2024-01-01", 70.0)]);
        let b = day("2022-10-10");
        assert_eq!(value_on(&l, &s, b, day("2019-06-01")), v(10.0));
        assert_eq!(value_on(&l, &s, b, day("2020-06-01")), v(20.0));
        // Between the branch and the first change: the history's last value before the branch.
        assert_eq!(value_on(&l, &s, b, day("2022-12-31")), v(30.0));
        assert_eq!(value_on(&l, &s, b, day("2023-01-08")), v(50.0));
        assert_eq!(value_on(&l, &s, b, day("2030-12-31")), v(70.0));
        // Before the first recorded date: the first value.
        assert_eq!(value_on(&l, &s, b, day("2018-01-01")), v(10.0));
    }

    #[test]
    fn history_after_an_early_branch_counts_only_for_a_lever_the_scenario_leaves_alone() {
        let l = lever();
        let early = day("2021-01-01");
        // The scenario changes the lever in 2021: the 2022 record is replaced.
        let changed = scenario(&[("2021-06-01", 5.0)]);
        assert_eq!(value_on(&l, &changed, early, day("2022-06-01")), v(5.0));
        // The scenario leaves it alone: the whole record holds.
        let alone = scenario(&[]);
        assert_eq!(value_on(&l, &alone, early, day("2022-06-01")), v(30.0));
        let timeline = effective(&l, None, early);
        assert_eq!(timeline.len(), 3);
        let own = [(day("2021-06-01"), &v(5.0))];
        let timeline = effective(&l, Some(&own), early);
        let got: Vec<NaiveDate> = timeline.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            got,
            [day("2019-01-01"), day("2020-06-01"), day("2021-06-01")]
        );
    }

    #[test]
    fn the_status_quo_value_is_the_last_record_on_or_before_the_day() {
        let l = lever();
        assert_eq!(status_quo_value(&l, day("2020-05-31")), v(10.0));
        assert_eq!(status_quo_value(&l, day("2020-06-01")), v(20.0));
        assert_eq!(status_quo_value(&l, day("2022-10-10")), v(30.0));
        assert_eq!(status_quo_value(&l, day("2018-01-01")), v(10.0));
    }

    #[test]
    fn entries_are_checked_against_the_window_with_the_entry_named() {
        let w = window();
        let ok = scenario(&[("2022-10-10", 1.0), ("2022-10-11", 2.0)]);
        let checked =
            check_entries("quota", &ok.levers["quota"], w).expect("on the branch is fine");
        assert_eq!(checked[0].0, day("2022-10-10"));
        for (entries, index, why) in [
            (
                vec![("2022-10-09", 1.0)],
                0,
                "is before the branch date 2022-10-10",
            ),
            (
                vec![("2022-11-01", 1.0), ("2031-01-01", 1.0)],
                1,
                "after the model's horizon 2030-12-31",
            ),
            (
                vec![("2023-01-01", 1.0), ("2023-01-01", 2.0)],
                1,
                "dates must increase, 2023-01-01 does not",
            ),
            (
                vec![("2023-03-01", 1.0), ("2023-02-01", 2.0)],
                1,
                "dates must increase",
            ),
            (
                vec![("2023-02-30", 1.0)],
                0,
                "expected a date as YYYY-MM-DD, found \"2023-02-30\"",
            ),
            (vec![("2023-2-3", 1.0)], 0, "expected a date as YYYY-MM-DD"),
        ] {
            let s = scenario(&entries);
            let e = check_entries("quota", &s.levers["quota"], w).unwrap_err();
            assert_eq!(e.index, index, "{entries:?}");
            assert!(e.message.contains(why), "{}", e.message);
            assert!(e.message.starts_with("lever \"quota\": "), "{}", e.message);
        }
    }

    #[test]
    fn adding_on_the_branch_is_allowed_before_it_or_past_the_horizon_is_not() {
        let w = window();
        let mut s = scenario(&[]);
        let add = |date: &str, x: f64| TimelineEdit::Add {
            date: day(date),
            value: v(x),
        };
        assert!(!edit_timeline(&mut s, "quota", &add("2022-10-09", 1.0), w));
        assert!(!edit_timeline(&mut s, "quota", &add("2031-01-01", 1.0), w));
        assert!(s.levers.is_empty());
        assert!(edit_timeline(&mut s, "quota", &add("2022-10-10", 1.0), w));
        assert!(edit_timeline(&mut s, "quota", &add("2030-12-31", 3.0), w));
        // In between, in date order.
        assert!(edit_timeline(&mut s, "quota", &add("2025-01-01", 2.0), w));
        assert_eq!(dates(&s), ["2022-10-10", "2025-01-01", "2030-12-31"]);
    }

    #[test]
    fn two_changes_on_one_date_become_one_with_the_later_value() {
        let w = window();
        let mut s = scenario(&[("2023-01-01", 1.0)]);
        let add = TimelineEdit::Add {
            date: day("2023-01-01"),
            value: v(9.0),
        };
        assert!(edit_timeline(&mut s, "quota", &add, w));
        assert_eq!(s.levers["quota"], [("2023-01-01".to_string(), v(9.0))]);
        // The same again changes nothing.
        assert!(!edit_timeline(&mut s, "quota", &add, w));
    }

    #[test]
    fn a_moved_change_stays_between_its_neighbours_and_in_the_window() {
        let w = window();
        let mut s = scenario(&[
            ("2023-01-01", 1.0),
            ("2023-06-01", 2.0),
            ("2024-01-01", 3.0),
        ]);
        let mv = |index, date: &str| TimelineEdit::Move {
            index,
            date: day(date),
        };
        assert!(edit_timeline(&mut s, "quota", &mv(1, "2025-01-01"), w));
        assert_eq!(dates(&s)[1], "2023-12-31", "a day before the next");
        assert!(edit_timeline(&mut s, "quota", &mv(1, "2020-01-01"), w));
        assert_eq!(dates(&s)[1], "2023-01-02", "a day after the previous");
        assert!(edit_timeline(&mut s, "quota", &mv(0, "2019-01-01"), w));
        assert_eq!(dates(&s)[0], "2022-10-10", "not before the branch");
        assert!(edit_timeline(&mut s, "quota", &mv(2, "2040-01-01"), w));
        assert_eq!(dates(&s)[2], "2030-12-31", "not past the horizon");
        assert!(
            !edit_timeline(&mut s, "quota", &mv(3, "2025-01-01"), w),
            "no such entry"
        );
        // Neighbours a day apart leave no room.
        let mut tight = scenario(&[
            ("2023-01-01", 1.0),
            ("2023-01-02", 2.0),
            ("2023-01-03", 3.0),
        ]);
        assert!(!edit_timeline(&mut tight, "quota", &mv(1, "2023-06-01"), w));
    }

    #[test]
    fn removing_the_last_change_gives_the_lever_back_its_history() {
        let w = window();
        let mut s = scenario(&[("2023-01-01", 1.0), ("2024-01-01", 2.0)]);
        assert!(!edit_timeline(
            &mut s,
            "quota",
            &TimelineEdit::Remove { index: 2 },
            w
        ));
        assert!(edit_timeline(
            &mut s,
            "quota",
            &TimelineEdit::Remove { index: 0 },
            w
        ));
        assert_eq!(dates(&s), ["2024-01-01"]);
        assert!(edit_timeline(
            &mut s,
            "quota",
            &TimelineEdit::Remove { index: 0 },
            w
        ));
        assert!(!s.levers.contains_key("quota"));
        assert_eq!(value_on(&lever(), &s, w.branch, day("2025-01-01")), v(30.0));
    }

    #[test]
    fn editing_a_value_in_place() {
        let w = window();
        let mut s = scenario(&[("2023-01-01", 1.0)]);
        let set = |index, x| TimelineEdit::SetValue { index, value: v(x) };
        assert!(edit_timeline(&mut s, "quota", &set(0, 4.0), w));
        assert!(
            !edit_timeline(&mut s, "quota", &set(0, 4.0), w),
            "unchanged"
        );
        assert!(
            !edit_timeline(&mut s, "quota", &set(1, 4.0), w),
            "no such entry"
        );
        assert_eq!(s.levers["quota"][0].1, v(4.0));
    }

    #[test]
    fn the_lever_panel_sets_the_first_change_and_its_date() {
        let w = window();
        let l = lever();
        let mut s = scenario(&[]);
        assert!(set_value(&mut s, "quota", v(5.0), w));
        assert_eq!(s.levers["quota"], [("2022-10-10".to_string(), v(5.0))]);
        assert!(set_first_date(&mut s, &l, day("2023-03-01"), w));
        assert_eq!(s.levers["quota"], [("2023-03-01".to_string(), v(5.0))]);
        assert!(!set_value(&mut s, "quota", v(5.0), w), "unchanged");
        // A date for a lever without changes starts one at its status-quo value.
        let mut fresh = scenario(&[]);
        assert!(set_first_date(&mut fresh, &l, day("2024-01-01"), w));
        assert_eq!(fresh.levers["quota"], [("2024-01-01".to_string(), v(30.0))]);
    }

    #[test]
    fn resetting_a_lever_and_every_lever() {
        let mut s = scenario(&[("2023-01-01", 1.0)]);
        s.overrides.insert("x".into(), 1.0);
        s.branch = Some("2022-01-01".into());
        assert!(reset_lever(&mut s, "quota"));
        assert!(!reset_lever(&mut s, "quota"));
        assert!(reset_all(&mut s));
        assert!(s.overrides.is_empty() && s.branch.is_none() && s.levers.is_empty());
        assert!(!reset_all(&mut s), "nothing left to reset");
    }

    #[test]
    fn an_unreadable_neighbour_refuses_date_edits_but_not_removal() {
        let w = window();
        let mut s = scenario(&[("2023-01-01", 1.0)]);
        s.levers
            .get_mut("quota")
            .unwrap()
            .push(("someday".into(), v(2.0)));
        let add = TimelineEdit::Add {
            date: day("2025-01-01"),
            value: v(3.0),
        };
        assert!(!edit_timeline(&mut s, "quota", &add, w));
        assert!(edit_timeline(
            &mut s,
            "quota",
            &TimelineEdit::Remove { index: 1 },
            w
        ));
        assert_eq!(dates(&s), ["2023-01-01"]);
    }
}

#[cfg(test)]
mod located {
    use std::path::Path;

    /// An entry that breaks a rule is named with its file, line and column.
    #[test]
    fn a_bad_date_in_a_scenario_file_is_located() {
        for (date, why) in [
            (
                "2023-02-30",
                "expected a date as YYYY-MM-DD, found \"2023-02-30\"",
            ),
            ("2022-10-01", "is before the branch date 2022-10-10"),
        ] {
            let text = format!(
                "(\n  version: 2,\n  title: {{\"en\": \"t\"}},\n  levers: {{\n    \"hk_quarantine\": [(\"2023-01-01\", Preset(\"0+3\")), (\"{date}\", Preset(\"0+0\"))],\n  }},\n)\n"
            );
            let e = crate::scenario::prepare_str(&text, Path::new("bad.ron"))
                .expect_err("refused")
                .to_string();
            // Line 5; the second date starts at column 55.
            assert!(e.starts_with("bad.ron:5:55"), "{e}");
            assert!(
                e.contains(why) && e.contains("lever \"hk_quarantine\""),
                "{e}"
            );
        }
    }
}
