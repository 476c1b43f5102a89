//! Model time is days from the model's origin date; the calendar converts both ways.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The model's calendar, from its lever catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// The date of time 0.
    pub origin: String,
    /// The last day the model runs to.
    pub horizon_end: String,
    /// The last date of recorded history.
    pub record_end: String,
}

/// Parses an ISO date, exactly `YYYY-MM-DD` (chrono alone would take `2023-2-3`).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let bad = || format!("expected a date as YYYY-MM-DD, found {text:?}");
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return Err(bad());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())
}

impl Calendar {
    pub fn origin_date(&self) -> Result<NaiveDate, String> {
        parse_date(&self.origin)
    }

    /// Model time (days since origin) of a date.
    pub fn time_of(&self, date: &str) -> Result<f64, String> {
        self.time_of_day(parse_date(date)?)
    }

    /// Model time of a day.
    pub fn time_of_day(&self, day: NaiveDate) -> Result<f64, String> {
        Ok((day - self.origin_date()?).num_days() as f64)
    }

    /// The day a model time falls in (None off the calendar).
    pub fn day_of(&self, time: f64) -> Option<NaiveDate> {
        let origin = self.origin_date().ok()?;
        if !time.is_finite() {
            return None;
        }
        if time >= 0.0 {
            origin.checked_add_days(Days::new(time.floor() as u64))
        } else {
            origin.checked_sub_days(Days::new((-time).ceil() as u64))
        }
    }

    /// The date of a model time (the day it falls in; empty off the calendar).
    pub fn date_of(&self, time: f64) -> String {
        self.day_of(time)
            .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
    }

    /// Times of horizon end and record end.
    pub fn horizon_time(&self) -> Result<f64, String> {
        self.time_of(&self.horizon_end)
    }

    pub fn record_time(&self) -> Result<f64, String> {
        self.time_of(&self.record_end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert!(parse_date("2023-02-03").is_ok());
        for bad in [
            "2023-2-3",
            " 2023-02-03",
            "2023-02-3",
            "2023/02/03",
            "2023-02-30",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_days_convert_both_ways() {
        let c = Calendar {
            origin: "2019-01-01".into(),
            horizon_end: "2030-12-31".into(),
            record_end: "2022-10-10".into(),
        };
        // 2019: 365 days, 2020: 366, 2021: 365, then Jan..Sep 2022 = 273 days, plus 9.
        assert_eq!(
            c.time_of("2022-10-10").unwrap(),
            365.0 + 366.0 + 365.0 + 273.0 + 9.0
        );
        assert_eq!(c.date_of(1378.0), "2022-10-10");
        assert_eq!(c.date_of(0.5), "2019-01-01");
        assert_eq!(c.date_of(-1.0), "2018-12-31");
        assert!(c.time_of("2022-13-01").is_err());
        assert!(c.time_of("10/10/2022").is_err());
    }
}
