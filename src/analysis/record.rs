//! The recorded daily series (Hong Kong Immigration Department, to 2022-10-10), built into the
//! binary so that plots show history without reading the source tree.

use std::collections::BTreeMap;

use crate::scenario::Calendar;

const DAILY: &str = include_str!("../../assets/data/hk_daily_passenger_traffic.csv");

/// The Shenzhen land control points (assets/data/README.md).
pub const SHENZHEN_LAND: [&str; 7] = [
    "Lo Wu",
    "Lok Ma Chau",
    "Lok Ma Chau Spur Line",
    "Man Kam To",
    "Sha Tau Kok",
    "Shenzhen Bay",
    "Heung Yuen Wai",
];

/// Recorded `(model time, value)` points by output name: `Mainland visitor arrivals` (arrivals
/// at all control points) and `Shenzhen land crossings` (two-way, all travellers).
pub fn recorded_series(calendar: &Calendar) -> BTreeMap<&'static str, Vec<(f64, f64)>> {
    let mut days: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut rdr = csv::Reader::from_reader(DAILY.as_bytes());
    for rec in rdr.records().flatten() {
        let (Some(date), Some(point), Some(direction)) = (rec.get(0), rec.get(1), rec.get(2))
        else {
            continue;
        };
        let mainland: f64 = rec.get(4).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let total: f64 = rec.get(6).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let e = days.entry(date.to_string()).or_default();
        if direction == "arrival" {
            e.0 += mainland;
        }
        if SHENZHEN_LAND.contains(&point) {
            e.1 += total;
        }
    }
    let mut out: BTreeMap<&'static str, Vec<(f64, f64)>> = BTreeMap::new();
    for (date, (mv, land)) in days {
        let Ok(t) = calendar.time_of(&date) else {
            continue;
        };
        out.entry("Mainland visitor arrivals")
            .or_default()
            .push((t, mv));
        out.entry("Shenzhen land crossings")
            .or_default()
            .push((t, land));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_ends_on_the_report_date() {
        let cal = Calendar {
            origin: "2019-01-01".into(),
            horizon_end: "2030-12-31".into(),
            record_end: "2022-10-10".into(),
        };
        let r = recorded_series(&cal);
        let mv = &r["Mainland visitor arrivals"];
        assert_eq!(cal.date_of(mv.first().unwrap().0), "2020-01-25");
        assert_eq!(cal.date_of(mv.last().unwrap().0), "2022-10-10");
        // The gap 2020-11-16 .. 2020-12-31 is missing, not zero.
        assert!(!mv.iter().any(|(t, _)| cal.date_of(*t) == "2020-12-01"));
    }
}
