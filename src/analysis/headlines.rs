//! Headline figures a planner reads first, computed as the model description says
//! (`<model>.model.ron`): when an output's trailing mean reaches a share of a reference, its
//! loss against a reference, its value at a date, or a figure's difference from the status quo.

use crate::engine::Results;
use crate::scenario::Calendar;
use crate::scenario::description::{Description, HeadlineKind, Reference};

/// The headline figures of one run, in the description's order.
#[derive(Clone, Debug, PartialEq)]
pub struct Headlines {
    /// The headline ids, as in the description.
    pub ids: Vec<String>,
    /// Model times for dates (None: not reached by the horizon); numbers otherwise.
    pub values: Vec<Option<f64>>,
}

impl Headlines {
    /// The figure `id` (None when absent or not reached).
    pub fn value(&self, id: &str) -> Option<f64> {
        let i = self.ids.iter().position(|x| x == id)?;
        self.values[i]
    }

    /// Figure `i` as one number: a date not reached counts as the day after the horizon, as
    /// ensembles and sensitivity count it.
    pub fn number(&self, i: usize, calendar: &Calendar) -> f64 {
        self.values[i].unwrap_or_else(|| calendar.horizon_time().unwrap_or(f64::NAN) + 1.0)
    }

    /// `run`'s summary: one line per figure.
    pub fn lines(&self, description: &Description, calendar: &Calendar) -> Vec<String> {
        description
            .headlines
            .iter()
            .zip(&self.values)
            .map(|(h, v)| crate::analysis::format::line(h, *v, calendar))
            .collect()
    }
}

/// Trailing mean over `days` of model time (the window is that many save steps at the run's
/// step): the mean of the last window's values, or of all values so far at the start.
pub fn trailing_mean(values: &[f64], times: &[f64], days: f64) -> Vec<f64> {
    let step = step_of(times);
    let window = ((days / step).round() as usize).max(1);
    let mut out = Vec::with_capacity(values.len());
    let mut sum = 0.0;
    for (i, v) in values.iter().enumerate() {
        sum += v;
        if i >= window {
            sum -= values[i - window];
        }
        out.push(sum / window.min(i + 1) as f64);
    }
    out
}

fn step_of(times: &[f64]) -> f64 {
    if times.len() > 1 {
        times[1] - times[0]
    } else {
        1.0
    }
}

/// The headline figures of a run branching at `branch_time`; `status_quo` gives the status
/// quo's figures for differences (None: this run is the status quo). None when the run lacks
/// an output a figure needs.
pub fn headlines(
    description: &Description,
    results: &Results,
    calendar: &Calendar,
    branch_time: f64,
    status_quo: Option<&Headlines>,
) -> Option<Headlines> {
    let times = &results.times;
    let step = step_of(times);
    let mut values: Vec<Option<f64>> = Vec::with_capacity(description.headlines.len());
    for h in &description.headlines {
        let v = match &h.kind {
            HeadlineKind::Reaches {
                output,
                mean_days,
                share,
                reference,
            } => {
                let series = results.series_or_sum(output)?;
                let reference = reference_value(reference, &series, times, calendar)?;
                let mean = trailing_mean(&series, times, *mean_days);
                let target = share * reference;
                times
                    .iter()
                    .zip(&mean)
                    .find(|(t, m)| **t > branch_time && **m >= target)
                    .map(|(t, _)| *t)
            }
            HeadlineKind::Loss {
                output,
                reference,
                since,
                relative,
                divide,
            } => {
                let series = results.series_or_sum(output)?;
                let reference = reference_value(reference, &series, times, calendar)?;
                let from = calendar.time_of(since).unwrap_or(0.0);
                let mut lost = 0.0;
                for (t, v) in times.iter().zip(&series) {
                    if *t >= from {
                        lost += if *relative {
                            ((reference - v) / reference).max(0.0) * step
                        } else {
                            (reference - v).max(0.0) * step
                        };
                    }
                }
                Some(lost / divide)
            }
            HeadlineKind::ValueAt { output, from, to } => {
                let series = results.series_or_sum(output)?;
                let a = calendar.time_of(from).ok()?;
                match to {
                    Some(to) => mean_over(&series, times, a, calendar.time_of(to).ok()?),
                    None => times.iter().position(|t| *t >= a).map(|i| series[i]),
                }
            }
            HeadlineKind::FromStatusQuo { of } => {
                let i = description.headline_index(of)?;
                let own = values[i];
                match status_quo {
                    Some(sq) => own
                        .zip(sq.values.get(i).copied().flatten())
                        .map(|(a, b)| a - b),
                    None => own.map(|_| 0.0),
                }
            }
        };
        values.push(v);
    }
    Some(Headlines {
        ids: description.headlines.iter().map(|h| h.id.clone()).collect(),
        values,
    })
}

fn reference_value(
    reference: &Reference,
    series: &[f64],
    times: &[f64],
    calendar: &Calendar,
) -> Option<f64> {
    match reference {
        Reference::Value(v, _) => Some(*v),
        Reference::Mean(from, to) => mean_over(
            series,
            times,
            calendar.time_of(from).ok()?,
            calendar.time_of(to).ok()?,
        ),
    }
}

/// The mean of the values at times `from..=to` (None when no time falls there).
pub fn mean_over(series: &[f64], times: &[f64], from: f64, to: f64) -> Option<f64> {
    let (sum, n) = times
        .iter()
        .zip(series)
        .filter(|(t, _)| (from..=to).contains(*t))
        .fold((0.0, 0usize), |(s, n), (_, v)| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The date of a recovery time, or None when it falls after the horizon: ensembles and
/// sensitivity count "never reached" as the day after the horizon.
pub fn reached_date(calendar: &Calendar, t: f64) -> Option<String> {
    let horizon = calendar.horizon_time().unwrap_or(f64::INFINITY);
    (t <= horizon).then(|| calendar.date_of(t.round()))
}

/// "2023-04-12", or "not by 2030-12-31".
pub fn show_date(date: &Option<String>, horizon_end: &str) -> String {
    date.clone()
        .unwrap_or_else(|| format!("not by {horizon_end}"))
}

/// How a recovery date of `b` compares with `a`'s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DateDifference {
    NeitherReached,
    /// `a` reached it, `b` did not.
    NotReached,
    /// `b` reached it, `a` did not.
    Reached,
    SameDay,
    /// Signed days (negative: earlier), under two months.
    Days(f64),
    /// Signed months.
    Months(f64),
}

pub fn date_difference_of(a: Option<f64>, b: Option<f64>) -> DateDifference {
    match (a, b) {
        (None, None) => DateDifference::NeitherReached,
        (Some(_), None) => DateDifference::NotReached,
        (None, Some(_)) => DateDifference::Reached,
        (Some(a), Some(b)) => {
            let days = b - a;
            if days.abs() < 0.5 {
                DateDifference::SameDay
            } else if days.abs() < 60.0 {
                DateDifference::Days(days)
            } else {
                DateDifference::Months(days / (365.25 / 12.0))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::description::{Format, Headline, Show};

    fn headline(id: &str, kind: HeadlineKind, format: Format) -> Headline {
        Headline {
            id: id.into(),
            title: [("en".to_string(), id.to_string())].into(),
            unit: "u".into(),
            kind,
            format,
            line: None,
        }
    }

    fn description() -> Description {
        let reference = || Reference::Value(1000.0, "by hand".into());
        let count = Format::Count {
            times: 1.0,
            decimals: 1,
            noun: Default::default(),
            times_in: Default::default(),
        };
        Description {
            outputs: Vec::new(),
            headlines: vec![
                headline(
                    "half",
                    HeadlineKind::Reaches {
                        output: "v".into(),
                        mean_days: 28.0,
                        share: 0.5,
                        reference: reference(),
                    },
                    Format::Date,
                ),
                headline(
                    "most",
                    HeadlineKind::Reaches {
                        output: "v".into(),
                        mean_days: 28.0,
                        share: 0.9,
                        reference: reference(),
                    },
                    Format::Date,
                ),
                headline(
                    "lost",
                    HeadlineKind::Loss {
                        output: "v".into(),
                        reference: reference(),
                        since: "2020-01-25".into(),
                        relative: false,
                        divide: 1.0,
                    },
                    count.clone(),
                ),
                headline(
                    "trade",
                    HeadlineKind::Loss {
                        output: "trade".into(),
                        reference: Reference::Mean("2019-01-01".into(), "2019-12-31".into()),
                        since: "2020-01-25".into(),
                        relative: true,
                        divide: 1.0,
                    },
                    Format::Days,
                ),
                headline(
                    "at",
                    HeadlineKind::ValueAt {
                        output: "trade".into(),
                        from: "2020-03-01".into(),
                        to: None,
                    },
                    count.clone(),
                ),
                headline(
                    "saved",
                    HeadlineKind::FromStatusQuo { of: "lost".into() },
                    count,
                ),
            ],
            recorded: Vec::new(),
            ensemble: Vec::new(),
            workbench: Show::default(),
            presentation: Show::default(),
            effects: Vec::new(),
            limits: None,
            reference_period: None,
            calibration: Vec::new(),
            names: Default::default(),
            data: Vec::new(),
        }
    }

    fn calendar() -> Calendar {
        Calendar {
            origin: "2019-01-01".into(),
            horizon_end: "2030-12-31".into(),
            record_end: "2022-10-10".into(),
        }
    }

    /// Closed from day 389 (2020-01-25) to day 999, then back to the reference; trade at half
    /// for 100 days from day 389.
    fn run(step: f64) -> Results {
        let n = (2000.0 / step) as usize;
        let times: Vec<f64> = (0..n).map(|i| i as f64 * step).collect();
        let v = times
            .iter()
            .map(|t| {
                if (389.0..1000.0).contains(t) {
                    0.0
                } else {
                    1000.0
                }
            })
            .collect();
        let trade = times
            .iter()
            .map(|t| {
                if (389.0..489.0).contains(t) {
                    50.0
                } else {
                    100.0
                }
            })
            .collect();
        Results::from_columns(vec!["v".into(), "trade".into()], times, &[v, trade])
    }

    #[test]
    fn recovery_dates_and_losses_by_hand() {
        let (d, cal) = (description(), calendar());
        let h = headlines(&d, &run(1.0), &cal, 900.0, None).unwrap();
        // The 28-day mean reaches half after 14 open days (day 1013) and 90% after 26 (day 1025).
        assert_eq!(h.value("half"), Some(1013.0));
        assert_eq!(h.value("most"), Some(1025.0));
        assert_eq!(cal.date_of(1013.0), "2021-10-10");
        // 611 closed days of 1000 a day.
        assert!((h.value("lost").unwrap() - 611_000.0).abs() < 1e-9);
        // 100 days at half the 2019 mean (100).
        assert!((h.value("trade").unwrap() - 50.0).abs() < 1e-9);
        // 2020-03-01 is day 425, inside the trade dip.
        assert_eq!(h.value("at"), Some(50.0));
        // The status quo itself differs from itself by nothing.
        assert_eq!(h.value("saved"), Some(0.0));
        // Branching after the recovery: reached on the first day after the branch.
        let later = headlines(&d, &run(1.0), &cal, 1500.0, None).unwrap();
        assert_eq!(later.value("half"), Some(1501.0));
        // Against a status quo that lost 1000 more.
        let mut sq = h.clone();
        sq.values[2] = Some(612_000.0);
        let vs = headlines(&d, &run(1.0), &cal, 900.0, Some(&sq)).unwrap();
        assert!((vs.value("saved").unwrap() + 1000.0).abs() < 1e-9);
    }

    #[test]
    fn half_day_steps_give_the_same_dates_and_losses() {
        let (d, cal) = (description(), calendar());
        let h = headlines(&d, &run(0.5), &cal, 900.0, None).unwrap();
        // 56 half-day steps make the 28-day window: half after 28 open steps (14 days, the
        // last one starting at 1013.5), 90% after 51 (day 1025).
        assert_eq!(h.value("half"), Some(1013.5));
        assert_eq!(h.value("most"), Some(1025.0));
        assert!((h.value("lost").unwrap() - 611_000.0).abs() < 1e-9);
        assert!((h.value("trade").unwrap() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn never_back_is_not_reached() {
        let (d, cal) = (description(), calendar());
        let flat = Results::from_columns(
            vec!["v".into(), "trade".into()],
            vec![0.0, 1.0],
            &[vec![0.0, 0.0], vec![100.0, 100.0]],
        );
        let h = headlines(&d, &flat, &cal, 0.0, None).unwrap();
        assert_eq!(h.value("most"), None);
        assert_eq!(h.number(1, &cal), cal.horizon_time().unwrap() + 1.0);
        let missing = Results::from_columns(vec!["v".into()], vec![0.0], &[vec![0.0]]);
        assert!(headlines(&d, &missing, &cal, 0.0, None).is_none());
    }

    #[test]
    fn trailing_means_by_hand() {
        let m = trailing_mean(&[2.0, 4.0, 6.0, 8.0], &[0.0, 1.0, 2.0, 3.0], 2.0);
        assert_eq!(m, vec![2.0, 3.0, 5.0, 7.0]);
    }
}
