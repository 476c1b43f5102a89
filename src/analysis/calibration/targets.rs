//! What the fit aims at: the recorded daily series and single published figures, each with its
//! weight and source. Only figures dated on or before the record's end (2022-10-10) appear.

use std::collections::BTreeMap;

use crate::analysis::record::recorded_series;
use crate::engine::Results;
use crate::scenario::{Calendar, Description};

/// Recorded `(model time, value)` series by output name. Days without data (the gap
/// 2020-11-16 .. 2020-12-31) are absent, never zero.
pub type Observed = BTreeMap<String, Vec<(f64, f64)>>;

/// The record the model description names (for the SZ–HK model, the Immigration Department's
/// daily series, 2020-01-25 .. 2022-10-10).
pub fn observed_record(description: &Description, calendar: &Calendar) -> Observed {
    recorded_series(description, calendar)
}

/// A span of model time, both ends included.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start: f64,
    pub end: f64,
}

impl Window {
    pub fn contains(&self, t: f64) -> bool {
        self.start <= t && t <= self.end
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TargetKind {
    /// A recorded daily output, compared day by day inside the fit window.
    Daily { output: &'static str },
    /// The model's mean of `variable` over `from..=to` (times `scale`, e.g. 365 for an annual
    /// total) against a published `value`.
    Mean {
        variable: &'static str,
        from: f64,
        to: f64,
        scale: f64,
        value: f64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub name: &'static str,
    pub kind: TargetKind,
    pub weight: f64,
    pub source: &'static str,
    /// Model time the observation ends: a fit to an earlier date leaves the target out.
    pub ends: f64,
}

/// Daily series fitted: (output, weight, source). The traveller types and the Shenzhen land total
/// carry the fit; each land point, the airport and the HZM Bridge add where the traffic went.
const DAILY_TARGETS: [(&str, f64, &str); 12] = [
    (
        "Mainland visitor arrivals",
        1.0,
        "hk_daily_passenger_traffic.csv: Mainland visitor arrivals, all control points",
    ),
    (
        "HK resident crossings",
        1.0,
        "hk_daily_passenger_traffic.csv: HK residents, both directions, all control points",
    ),
    (
        "Other visitor crossings",
        0.5,
        "hk_daily_passenger_traffic.csv: other visitors, both directions, all control points",
    ),
    (
        "Shenzhen land crossings",
        1.0,
        "hk_daily_passenger_traffic.csv: all travellers both ways at the 7 Shenzhen land control points",
    ),
    (
        "Crossings[Shenzhen Bay]",
        0.5,
        "hk_daily_passenger_traffic.csv: Shenzhen Bay, all travellers both ways",
    ),
    (
        "Crossings[Lo Wu]",
        0.2,
        "hk_daily_passenger_traffic.csv: Lo Wu, all travellers both ways",
    ),
    (
        "Crossings[Lok Ma Chau Spur Line]",
        0.2,
        "hk_daily_passenger_traffic.csv: Lok Ma Chau Spur Line, all travellers both ways",
    ),
    (
        "Crossings[Lok Ma Chau]",
        0.2,
        "hk_daily_passenger_traffic.csv: Lok Ma Chau, all travellers both ways",
    ),
    (
        "Crossings[Man Kam To]",
        0.1,
        "hk_daily_passenger_traffic.csv: Man Kam To, all travellers both ways",
    ),
    (
        "Crossings[Sha Tau Kok]",
        0.1,
        "hk_daily_passenger_traffic.csv: Sha Tau Kok, all travellers both ways",
    ),
    (
        "Crossings[Airport]",
        0.5,
        "hk_daily_passenger_traffic.csv: the airport, all travellers both ways",
    ),
    (
        "Crossings[HZM Bridge]",
        0.5,
        "hk_daily_passenger_traffic.csv: the HZM Bridge, all travellers both ways",
    ),
];

/// 2019 passengers per crossing (hk_control_point_passengers_annual.csv, 2019 rows; Heung Yuen
/// Wai had no passenger clearance in 2019 and has no row): (output, name, passengers, rows).
const ANNUAL_2019: [(&str, &str, f64, &str); 10] = [
    ("Crossings[Lo Wu]", "Lo Wu 2019", 78_234_223.0, "row 36"),
    (
        "Crossings[Lok Ma Chau Spur Line]",
        "Lok Ma Chau Spur Line 2019",
        50_156_435.0,
        "row 37",
    ),
    (
        "Crossings[Lok Ma Chau]",
        "Lok Ma Chau 2019",
        24_801_949.0,
        "row 38",
    ),
    (
        "Crossings[Man Kam To]",
        "Man Kam To 2019",
        3_625_307.0,
        "row 39",
    ),
    (
        "Crossings[Sha Tau Kok]",
        "Sha Tau Kok 2019",
        2_681_506.0,
        "row 40",
    ),
    (
        "Crossings[Shenzhen Bay]",
        "Shenzhen Bay 2019",
        38_526_032.0,
        "row 41",
    ),
    (
        "Crossings[HZM Bridge]",
        "HZM Bridge 2019",
        19_423_296.0,
        "row 42",
    ),
    (
        "Crossings[West Kowloon]",
        "West Kowloon 2019",
        18_721_730.0,
        "rows 43 + 45 (Hung Hom)",
    ),
    ("Crossings[Airport]", "Airport 2019", 48_997_829.0, "row 44"),
    (
        "Crossings[Ferries]",
        "Ferries 2019",
        16_044_250.0,
        "rows 46-49",
    ),
];

/// The fit targets. Daily series are compared as squared differences of ln(1 + value), averaged
/// over the days: their levels run from tens to hundreds of thousands a day, and a log error
/// weighs a miss of 50% the same in 2020 as in 2022. Single figures are squared log ratios.
pub fn targets(cal: &Calendar) -> Vec<Target> {
    let t = |d: &str| cal.time_of(d).unwrap_or(f64::NAN);
    let record_end = cal.record_time().unwrap_or(f64::NAN);
    let mean = |variable, from: &str, to: &str, scale, value| TargetKind::Mean {
        variable,
        from: t(from),
        to: t(to),
        scale,
        value,
    };
    let mut out: Vec<Target> = DAILY_TARGETS
        .iter()
        .map(|&(output, weight, source)| Target {
            name: output,
            kind: TargetKind::Daily { output },
            weight,
            source,
            ends: record_end,
        })
        .collect();
    out.extend(
        ANNUAL_2019
            .iter()
            .map(|&(output, name, passengers, rows)| Target {
                name,
                kind: mean(output, "2019-01-01", "2019-12-31", 365.0, passengers),
                weight: 0.25,
                source: rows,
                ends: t("2019-12-31"),
            }),
    );
    out.extend([
        Target {
            name: "Mainland visitor arrivals 2019",
            kind: mean(
                "Mainland visitor arrivals",
                "2019-01-01",
                "2019-12-31",
                365.0,
                43_800_000.0,
            ),
            weight: 2.0,
            source: "hk_visitor_arrivals_annual.csv, 2019: 43.8 M",
            ends: t("2019-12-31"),
        },
        Target {
            name: "Cross-boundary trips per day",
            kind: mean(
                "Cross-boundary trips",
                "2019-01-01",
                "2019-12-31",
                1.0,
                666_700.0,
            ),
            weight: 0.25,
            source: "cross_border_other_figures.csv row 2: 666 700/day (2017 survey), against the model's 2019 mean",
            ends: t("2019-12-31"),
        },
    ]);
    out.extend(circle_targets(cal));
    out
}

// ---- Goods, finance and innovation (issue 15): single figures of cross_border_other_figures.csv.
// One block, so that it can move to a model description as it stands.

/// HK dollars to RMB: the 2021 average exchange rate, about 0.83 RMB per HKD (judgement from the
/// published central parity rates; the data has no rate).
const RMB_PER_HKD_2021: f64 = 0.83;
/// Shenzhen Connect's share of the Shanghai-plus-Shenzhen Connect turnover in 2021 (judgement:
/// the two exchanges traded about alike; the data has no split).
const SHENZHEN_SHARE_OF_CONNECT: f64 = 0.5;

/// The goods, finance and innovation targets. The Connect modelled is Shenzhen Connect in RMB.
pub fn circle_targets(cal: &Calendar) -> Vec<Target> {
    let t = |d: &str| cal.time_of(d).unwrap_or(f64::NAN);
    let mean = |variable, from: &str, to: &str, value| TargetKind::Mean {
        variable,
        from: t(from),
        to: t(to),
        scale: 1.0,
        value,
    };
    vec![
        Target {
            name: "Goods vehicle trips 2020-03",
            kind: mean(
                "Goods vehicle crossings",
                "2020-03-01",
                "2020-03-31",
                8_197.0,
            ),
            weight: 0.5,
            source: "cross_border_other_figures.csv row 10: 8197 goods-vehicle trips entering HK a day in 2020-03",
            ends: t("2020-03-31"),
        },
        Target {
            name: "Cross-border truck drivers before 2020",
            kind: mean(
                "Cross border truck drivers",
                "2019-01-01",
                "2019-12-31",
                13_000.0,
            ),
            weight: 0.25,
            source: "cross_border_other_figures.csv row 11: about 13 000 before 2020",
            ends: t("2019-12-31"),
        },
        Target {
            name: "Cross-border truck drivers 2020",
            kind: mean(
                "Cross border truck drivers",
                "2020-03-01",
                "2020-12-31",
                8_000.0,
            ),
            weight: 0.5,
            source: "cross_border_other_figures.csv row 11: about 8000 in 2020 (taken from March)",
            ends: t("2020-12-31"),
        },
        Target {
            name: "Cross-border truck drivers 2022-03",
            kind: mean(
                "Cross border truck drivers",
                "2022-03-01",
                "2022-03-31",
                6_500.0,
            ),
            weight: 0.5,
            source: "cross_border_other_figures.csv row 11: under 6500 in 2022-03",
            ends: t("2022-03-31"),
        },
        Target {
            name: "HK export growth 2019",
            kind: mean(
                "Trade against a year earlier",
                "2019-01-01",
                "2019-12-31",
                95.9,
            ),
            weight: 0.25,
            source: "cross_border_other_figures.csv row 12: HK total exports of goods -4.1% in 2019",
            ends: t("2019-12-31"),
        },
        Target {
            name: "HK export growth 2021",
            kind: mean(
                "Trade against a year earlier",
                "2021-01-01",
                "2021-12-31",
                126.3,
            ),
            weight: 0.25,
            source: "cross_border_other_figures.csv row 13: HK total exports of goods +26.3% in 2021",
            ends: t("2021-12-31"),
        },
        Target {
            name: "Shenzhen Connect first-year turnover",
            kind: mean(
                "Connect first year turnover",
                "2019-01-01",
                "2019-01-01",
                882.14 + 412.64,
            ),
            weight: 0.5,
            source: "cross_border_other_figures.csv rows 16, 17: 882.14 + 412.64 RMB bn, 2016-12 to 2017-12",
            ends: t("2019-01-01"),
        },
        Target {
            name: "Shenzhen Connect cumulative turnover 2021-12-05",
            kind: mean(
                "Connect cumulative turnover",
                "2021-12-05",
                "2021-12-05",
                33_700.0 + 8_200.0,
            ),
            weight: 0.5,
            source: "cross_border_other_figures.csv rows 18, 19: 33 700 + 8 200 RMB bn since launch",
            ends: t("2021-12-05"),
        },
        Target {
            name: "Shenzhen Connect daily turnover 2021",
            kind: mean(
                "Connect turnover",
                "2021-01-01",
                "2021-11-10",
                SHENZHEN_SHARE_OF_CONNECT * (122.3 + 44.1 * RMB_PER_HKD_2021),
            ),
            weight: 0.25,
            source: "cross_border_other_figures.csv rows 20, 21 (Shanghai + Shenzhen): 122.3 RMB bn + 44.1 HKD bn a day x 0.83, the Shenzhen half",
            ends: t("2021-11-10"),
        },
        Target {
            name: "Hetao joint research projects 2022-09",
            kind: mean("Joint research projects", "2022-09-30", "2022-09-30", 150.0),
            weight: 0.5,
            source: "cross_border_other_figures.csv row 22: 150 Hetao high-end research projects",
            ends: t("2022-09-30"),
        },
        Target {
            name: "Hetao IP items 2022-09",
            kind: mean("IP items", "2022-09-30", "2022-09-30", 203.0),
            weight: 0.5,
            source: "cross_border_other_figures.csv row 25: 203 intellectual property items",
            ends: t("2022-09-30"),
        },
        Target {
            name: "Hetao start-up teams 2022-09",
            kind: mean("Start ups", "2022-09-30", "2022-09-30", 24.0),
            weight: 0.5,
            source: "cross_border_other_figures.csv row 24: 24 HK/Macao start-up teams",
            ends: t("2022-09-30"),
        },
        Target {
            name: "Qianhai teams incubated 2022-08",
            kind: mean("Teams incubated", "2022-08-31", "2022-08-31", 610.0),
            weight: 0.5,
            source: "cross_border_other_figures.csv row 26: 610 teams incubated by the Qianhai youth hub",
            ends: t("2022-08-31"),
        },
    ]
}

/// Row of model time `t` in a run saved at regular steps.
fn row_of(results: &Results, t: f64) -> Option<usize> {
    let times = &results.times;
    let first = *times.first()?;
    let step = if times.len() > 1 {
        times[1] - first
    } else {
        1.0
    };
    let r = ((t - first) / step).round();
    (r >= 0.0 && (r as usize) < times.len()).then_some(r as usize)
}

impl Target {
    /// `(model, data)` pairs this target compares within `window`: every recorded day for a
    /// daily series, one pair for a single figure.
    pub fn pairs(&self, results: &Results, observed: &Observed, window: Window) -> Vec<(f64, f64)> {
        match &self.kind {
            TargetKind::Daily { output } => {
                let (Some(col), Some(points)) =
                    (results.column_index(output), observed.get(*output))
                else {
                    return Vec::new();
                };
                points
                    .iter()
                    .filter(|(t, _)| window.contains(*t))
                    .filter_map(|&(t, d)| row_of(results, t).map(|r| (results.value(r, col), d)))
                    .collect()
            }
            TargetKind::Mean { value, .. } => self
                .model_value(results)
                .map(|m| vec![(m, *value)])
                .unwrap_or_default(),
        }
    }

    /// The model's value of a single-figure target.
    pub fn model_value(&self, results: &Results) -> Option<f64> {
        let TargetKind::Mean {
            variable,
            from,
            to,
            scale,
            ..
        } = &self.kind
        else {
            return None;
        };
        let col = results.column_index(variable)?;
        let (a, b) = (row_of(results, *from)?, row_of(results, *to)?);
        let sum: f64 = (a..=b).map(|r| results.value(r, col)).sum();
        Some(scale * sum / (b - a + 1) as f64)
    }

    /// Mean squared log error of this target within `window` (NaN when there is nothing to compare).
    pub fn squared_log_error(&self, results: &Results, observed: &Observed, window: Window) -> f64 {
        let pairs = self.pairs(results, observed, window);
        let log = |x: f64| match self.kind {
            TargetKind::Daily { .. } => (1.0 + x.max(0.0)).ln(),
            TargetKind::Mean { .. } => x.max(1e-9).ln(),
        };
        let n = pairs.len() as f64;
        pairs
            .iter()
            .map(|&(m, d)| (log(m) - log(d)).powi(2))
            .sum::<f64>()
            / n
    }
}
