//! Recorded series to draw over the plots and to calibrate against, read as the model
//! description says: each of its recorded files, each series the sum of a column over the rows
//! of a date that pass its filters.

use std::collections::BTreeMap;

use crate::scenario::{Calendar, Description};

/// A column index and the values a row must hold there.
type Filter<'a> = (usize, &'a [String]);

/// Recorded `(model time, value)` points by output name. Dates missing from a file are absent,
/// never zero; rows whose date is not a date are skipped.
pub fn recorded_series(
    description: &Description,
    calendar: &Calendar,
) -> BTreeMap<String, Vec<(f64, f64)>> {
    let mut out: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for (recorded, text) in description.recorded.iter().zip(&description.data) {
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let Ok(header) = rdr.headers().cloned() else {
            continue;
        };
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let Some(date_col) = col(&recorded.date) else {
            continue;
        };
        // Per series: its value column and (column, accepted values) filters.
        let series: Vec<(usize, Vec<Filter>)> = recorded
            .series
            .iter()
            .filter_map(|s| {
                let filters = s
                    .filters
                    .iter()
                    .map(|(c, values)| col(c).map(|i| (i, values.as_slice())))
                    .collect::<Option<Vec<_>>>()?;
                Some((col(&s.column)?, filters))
            })
            .collect();
        let mut days: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
        for rec in rdr.records().flatten() {
            let Some(date) = rec.get(date_col) else {
                continue;
            };
            let sums = days
                .entry(date.to_string())
                .or_insert_with(|| vec![None; series.len()]);
            for (k, (column, filters)) in series.iter().enumerate() {
                let pass = filters.iter().all(|(c, values)| {
                    rec.get(*c)
                        .is_some_and(|v| values.iter().any(|a| a.as_str() == v))
                });
                if pass {
                    let v: f64 = rec.get(*column).and_then(|v| v.parse().ok()).unwrap_or(0.0);
                    *sums[k].get_or_insert(0.0) += v;
                }
            }
        }
        for (date, sums) in days {
            let Ok(t) = calendar.time_of(&date) else {
                continue;
            };
            for (s, v) in recorded.series.iter().zip(sums) {
                if let Some(v) = v {
                    out.entry(s.output.clone()).or_default().push((t, v));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::description::{Recorded, RecordedSeries};

    #[test]
    fn columns_are_summed_per_date_over_the_rows_that_pass() {
        let cal = Calendar {
            origin: "2020-01-01".into(),
            horizon_end: "2020-12-31".into(),
            record_end: "2020-06-30".into(),
        };
        let csv = "date,point,dir,n\n2020-01-01,A,in,1\n2020-01-01,B,in,2\n2020-01-01,A,out,4\n\
                   2020-01-03,B,out,8\nnot a date,A,in,16\n";
        let d = Description {
            recorded: vec![Recorded {
                file: "x.csv".into(),
                date: "date".into(),
                source: String::new(),
                series: vec![
                    RecordedSeries {
                        output: "all".into(),
                        column: "n".into(),
                        filters: Vec::new(),
                    },
                    RecordedSeries {
                        output: "A in".into(),
                        column: "n".into(),
                        filters: vec![
                            ("point".into(), vec!["A".into()]),
                            ("dir".into(), vec!["in".into()]),
                        ],
                    },
                ],
            }],
            data: vec![csv.into()],
            ..Default::default()
        };
        let r = recorded_series(&d, &cal);
        assert_eq!(r["all"], vec![(0.0, 7.0), (2.0, 8.0)]);
        // 2020-01-03 has no row from A inward: absent, not zero.
        assert_eq!(r["A in"], vec![(0.0, 1.0)]);
    }
}
