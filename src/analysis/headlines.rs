//! Headline figures a planner reads first: when Mainland visitors are back to 50% and 90% of
//! 2019, and how many visitors and how much trade were lost.

use crate::engine::Results;
use crate::scenario::Calendar;

/// 2019 Mainland visitor arrivals per day: 43 800 000 / 365 (assets/data/hk_visitor_arrivals_annual.csv, 2019 row).
pub const VISITORS_2019_PER_DAY: f64 = 43_800_000.0 / 365.0;
/// Losses are counted from the first day of the recorded closure (the daily series' first date).
pub const LOSS_FROM: &str = "2020-01-25";
/// Days in the trailing mean that recovery dates use.
pub const TRAILING_DAYS: usize = 28;

pub const VISITORS: &str = "Mainland visitor arrivals";
pub const TRADE: &str = "Trade index";

#[derive(Clone, Debug, PartialEq)]
pub struct Headlines {
    /// First date after the branch on which the 28-day mean reaches 50% of 2019 (None: not by the horizon).
    pub date50: Option<String>,
    pub date90: Option<String>,
    /// Model times of those dates (for differences).
    pub time50: Option<f64>,
    pub time90: Option<f64>,
    /// Shortfall of Mainland visitor arrivals below the 2019 daily mean, millions.
    pub visitors_lost_millions: f64,
    /// Shortfall of the trade index below 100, in days of 2019 trade.
    pub trade_lost_days: f64,
}

/// Headline figures of a run branching at `branch_time`. None when the run lacks the outputs.
pub fn headlines(results: &Results, calendar: &Calendar, branch_time: f64) -> Option<Headlines> {
    let visitors = results.series(VISITORS)?;
    let trade = results.series(TRADE)?;
    let times = &results.times;
    let step = if times.len() > 1 {
        times[1] - times[0]
    } else {
        1.0
    };
    let window = ((TRAILING_DAYS as f64 / step).round() as usize).max(1);
    let mut sum = 0.0;
    let (mut t50, mut t90) = (None, None);
    for (i, v) in visitors.iter().enumerate() {
        sum += v;
        if i >= window {
            sum -= visitors[i - window];
        }
        let mean = sum / window.min(i + 1) as f64;
        if times[i] > branch_time {
            if t50.is_none() && mean >= 0.5 * VISITORS_2019_PER_DAY {
                t50 = Some(times[i]);
            }
            if t90.is_none() && mean >= 0.9 * VISITORS_2019_PER_DAY {
                t90 = Some(times[i]);
            }
        }
    }
    let from = calendar.time_of(LOSS_FROM).unwrap_or(0.0);
    let mut visitors_lost = 0.0;
    let mut trade_lost = 0.0;
    for (i, &t) in times.iter().enumerate() {
        if t >= from {
            visitors_lost += (VISITORS_2019_PER_DAY - visitors[i]).max(0.0) * step;
            trade_lost += ((100.0 - trade[i]) / 100.0).max(0.0) * step;
        }
    }
    Some(Headlines {
        date50: t50.map(|t| calendar.date_of(t)),
        date90: t90.map(|t| calendar.date_of(t)),
        time50: t50,
        time90: t90,
        visitors_lost_millions: visitors_lost / 1e6,
        trade_lost_days: trade_lost,
    })
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

/// A recovery date of `b` against `a`: "3 months earlier", "12 days later", "same day",
/// "reached vs not reached", "not reached in either".
pub fn date_difference(a: Option<f64>, b: Option<f64>) -> String {
    let when = |x: f64| if x < 0.0 { "earlier" } else { "later" };
    match date_difference_of(a, b) {
        DateDifference::NeitherReached => "not reached in either".into(),
        DateDifference::NotReached => "not reached (baseline reached it)".into(),
        DateDifference::Reached => "reached (baseline did not)".into(),
        DateDifference::SameDay => "same day".into(),
        DateDifference::Days(d) => format!("{:.0} days {}", d.abs(), when(d)),
        DateDifference::Months(m) => format!("{:.0} months {}", m.abs(), when(m)),
    }
}

impl Headlines {
    /// Lines for a terminal or a report.
    pub fn lines(&self, horizon_end: &str) -> Vec<String> {
        vec![
            format!(
                "50% recovery of Mainland visitors: {}",
                show_date(&self.date50, horizon_end)
            ),
            format!(
                "90% recovery of Mainland visitors: {}",
                show_date(&self.date90, horizon_end)
            ),
            format!(
                "Mainland visitor arrivals lost since {LOSS_FROM}: {:.1} M",
                self.visitors_lost_millions
            ),
            format!(
                "Trade lost since {LOSS_FROM}: {:.0} days of 2019 trade",
                self.trade_lost_days
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_dates_and_losses_by_hand() {
        let cal = Calendar {
            origin: "2019-01-01".into(),
            horizon_end: "2030-12-31".into(),
            record_end: "2022-10-10".into(),
        };
        let times: Vec<f64> = (0..2000).map(f64::from).collect();
        // Closed from day 389 (2020-01-25) to day 999, then back to the 2019 level.
        let visitors: Vec<f64> = times
            .iter()
            .map(|&t| {
                if (389.0..1000.0).contains(&t) {
                    0.0
                } else {
                    VISITORS_2019_PER_DAY
                }
            })
            .collect();
        let trade: Vec<f64> = times
            .iter()
            .map(|&t| {
                if (389.0..489.0).contains(&t) {
                    50.0
                } else {
                    100.0
                }
            })
            .collect();
        let r = Results::from_columns(
            vec![VISITORS.into(), TRADE.into()],
            times,
            &[visitors, trade],
        );
        let h = headlines(&r, &cal, 900.0).unwrap();
        // The 28-day mean reaches half after 14 open days (day 1013) and 90% after 26 (day 1025).
        assert_eq!(h.time50, Some(1013.0));
        assert_eq!(h.time90, Some(1025.0));
        assert_eq!(h.date50.as_deref(), Some("2021-10-10"));
        assert!((h.visitors_lost_millions - 611.0 * VISITORS_2019_PER_DAY / 1e6).abs() < 1e-9);
        assert!(
            (h.trade_lost_days - 50.0).abs() < 1e-9,
            "100 days at half trade"
        );
        // Branching after the recovery: reached on the first day after the branch.
        assert_eq!(headlines(&r, &cal, 1500.0).unwrap().time50, Some(1501.0));
        // Never back: not reached.
        let flat = Results::from_columns(
            vec![VISITORS.into(), TRADE.into()],
            vec![0.0, 1.0],
            &[vec![0.0, 0.0], vec![100.0, 100.0]],
        );
        assert_eq!(headlines(&flat, &cal, 0.0).unwrap().date90, None);
    }

    #[test]
    fn date_differences_read_as_planners_say_them() {
        assert_eq!(date_difference(Some(100.0), Some(10.0)), "3 months earlier");
        assert_eq!(date_difference(Some(100.0), Some(112.0)), "12 days later");
        assert_eq!(
            date_difference(Some(100.0), None),
            "not reached (baseline reached it)"
        );
        assert_eq!(
            date_difference(None, Some(1.0)),
            "reached (baseline did not)"
        );
        assert_eq!(date_difference(Some(5.0), Some(5.0)), "same day");
    }
}
