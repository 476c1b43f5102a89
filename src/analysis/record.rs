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

/// Model output of each recorded control point (or group of them): the model's crossing groups
/// (assets/models/szhk.xmile). Points not listed (none at present) are counted only in the totals.
const CROSSING_OUTPUT: [(&str, &str); 16] = [
    ("Lo Wu", "Crossings[Lo Wu]"),
    ("Lok Ma Chau", "Crossings[Lok Ma Chau]"),
    ("Lok Ma Chau Spur Line", "Crossings[Lok Ma Chau Spur Line]"),
    ("Man Kam To", "Crossings[Man Kam To]"),
    ("Sha Tau Kok", "Crossings[Sha Tau Kok]"),
    ("Shenzhen Bay", "Crossings[Shenzhen Bay]"),
    ("Heung Yuen Wai", "Crossings[Heung Yuen Wai]"),
    ("Hong Kong-Zhuhai-Macao Bridge", "Crossings[HZM Bridge]"),
    ("Airport", "Crossings[Airport]"),
    ("Express Rail Link West Kowloon", "Crossings[West Kowloon]"),
    ("Hung Hom", "Crossings[West Kowloon]"),
    ("China Ferry Terminal", "Crossings[Ferries]"),
    ("Macao Ferry Terminal", "Crossings[Ferries]"),
    ("Tuen Mun Ferry Terminal", "Crossings[Ferries]"),
    ("Kai Tak Cruise Terminal", "Crossings[Ferries]"),
    ("Harbour Control", "Crossings[Ferries]"),
];

/// Recorded `(model time, value)` points by output name: `Mainland visitor arrivals` (arrivals
/// at all control points), `Shenzhen land crossings` (two-way, all travellers), the two-way trips
/// of each traveller type at all control points (`HK resident crossings`, `Mainland visitor
/// crossings`, `Other visitor crossings`) and of each crossing (`Crossings[Lo Wu]`, ...).
pub fn recorded_series(calendar: &Calendar) -> BTreeMap<&'static str, Vec<(f64, f64)>> {
    let mut days: BTreeMap<String, BTreeMap<&'static str, f64>> = BTreeMap::new();
    let mut rdr = csv::Reader::from_reader(DAILY.as_bytes());
    for rec in rdr.records().flatten() {
        let (Some(date), Some(point), Some(direction)) = (rec.get(0), rec.get(1), rec.get(2))
        else {
            continue;
        };
        let num = |i: usize| -> f64 { rec.get(i).and_then(|v| v.parse().ok()).unwrap_or(0.0) };
        let (hk, mainland, other, total) = (num(3), num(4), num(5), num(6));
        let e = days.entry(date.to_string()).or_default();
        let mut add = |name: &'static str, v: f64| *e.entry(name).or_default() += v;
        if direction == "arrival" {
            add("Mainland visitor arrivals", mainland);
        }
        add("HK resident crossings", hk);
        add("Mainland visitor crossings", mainland);
        add("Other visitor crossings", other);
        if SHENZHEN_LAND.contains(&point) {
            add("Shenzhen land crossings", total);
        }
        if let Some((_, output)) = CROSSING_OUTPUT.iter().find(|(p, _)| *p == point) {
            add(output, total);
        }
    }
    let mut out: BTreeMap<&'static str, Vec<(f64, f64)>> = BTreeMap::new();
    for (date, values) in days {
        let Ok(t) = calendar.time_of(&date) else {
            continue;
        };
        for (name, v) in values {
            out.entry(name).or_default().push((t, v));
        }
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
