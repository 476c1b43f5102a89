//! How a plot's values are drawn: linear, log, or a per cent of a reference period.

use egui_plot::{PlotPoint, PlotPoints};

use crate::analysis::headlines::mean_over;
use crate::scenario::description::{Output, Scale};
use crate::scenario::{Calendar, Description};

use super::Axis;

/// The period a plot's "% of" divides by: the output's own, else the description's.
pub(super) fn percent_period<'a>(
    output: Option<&'a Output>,
    description: &'a Description,
) -> Option<(&'a str, &'a str)> {
    match output.map(|o| &o.scale) {
        Some(Scale::PercentOf(from, to)) => Some((from, to)),
        _ => description
            .reference_period
            .as_ref()
            .map(|(a, b)| (a.as_str(), b.as_str())),
    }
}

/// How an output's values are drawn: as they are, on a log scale, or as a per cent of the
/// status quo's mean over the description's reference period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Transform {
    Linear,
    Log,
    Percent(f64),
}

/// Values below this are drawn at it on a log scale (zero has no logarithm).
const LOG_FLOOR: f64 = 1e-2;

impl Transform {
    /// The transform an output's description asks for; a percentage of a period the status quo
    /// never reaches, or whose mean is zero, is drawn as it is.
    pub fn of(output: Option<&Output>, status_quo: &[PlotPoint], calendar: &Calendar) -> Transform {
        match output.map(|o| &o.scale) {
            Some(Scale::Log) => Transform::Log,
            Some(Scale::PercentOf(from, to)) => {
                Transform::percent_of(from, to, status_quo, calendar)
            }
            _ => Transform::Linear,
        }
    }

    /// The transform the user chose for an output (None: the description's).
    pub fn chosen(
        axis: Option<Axis>,
        output: Option<&Output>,
        description: &Description,
        status_quo: &[PlotPoint],
        calendar: &Calendar,
    ) -> Transform {
        match axis {
            None => Transform::of(output, status_quo, calendar),
            Some(Axis::Linear) => Transform::Linear,
            Some(Axis::Log) => Transform::Log,
            Some(Axis::PercentOfReference) => {
                let Some((from, to)) = percent_period(output, description) else {
                    return Transform::Linear;
                };
                Transform::percent_of(from, to, status_quo, calendar)
            }
        }
    }

    /// Per cent of the status quo's mean from `from` to `to`; linear when the status quo does
    /// not cover the period or its mean there is zero.
    fn percent_of(
        from: &str,
        to: &str,
        status_quo: &[PlotPoint],
        calendar: &Calendar,
    ) -> Transform {
        let (Ok(a), Ok(b)) = (calendar.time_of(from), calendar.time_of(to)) else {
            return Transform::Linear;
        };
        let xs: Vec<f64> = status_quo.iter().map(|p| p.x).collect();
        let ys: Vec<f64> = status_quo.iter().map(|p| p.y).collect();
        match mean_over(&ys, &xs, a, b) {
            Some(m) if m != 0.0 && m.is_finite() => Transform::Percent(m),
            _ => Transform::Linear,
        }
    }

    pub fn value(self, y: f64) -> f64 {
        match self {
            Transform::Linear => y,
            Transform::Log => y.max(LOG_FLOOR).log10(),
            Transform::Percent(m) => y / m * 100.0,
        }
    }

    /// The value a drawn y stands for.
    pub fn inverse(self, y: f64) -> f64 {
        match self {
            Transform::Linear => y,
            Transform::Log => 10f64.powf(y),
            Transform::Percent(_) => y,
        }
    }

    /// Points to draw: borrowed as they are when linear (no copy on every frame).
    pub fn points(self, p: &[PlotPoint]) -> PlotPoints<'_> {
        match self {
            Transform::Linear => PlotPoints::Borrowed(p),
            _ => PlotPoints::Owned(
                p.iter()
                    .map(|q| PlotPoint::new(q.x, self.value(q.y)))
                    .collect(),
            ),
        }
    }

    /// The points as drawn, owned (for bounds that outlive one borrow).
    pub fn owned_points(self, p: &[PlotPoint]) -> Vec<PlotPoint> {
        p.iter()
            .map(|q| PlotPoint::new(q.x, self.value(q.y)))
            .collect()
    }

    pub fn values(self, v: &[f64]) -> std::borrow::Cow<'_, [f64]> {
        match self {
            Transform::Linear => v.into(),
            _ => v.iter().map(|&y| self.value(y)).collect::<Vec<_>>().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Calendar;

    #[test]
    fn percent_of_the_reference_period_divides_by_the_status_quos_mean_there() {
        let calendar = Calendar {
            origin: "2019-01-01".into(),
            horizon_end: "2019-12-31".into(),
            record_end: "2019-06-30".into(),
        };
        let d = Description {
            reference_period: Some(("2019-01-01".into(), "2019-01-03".into())),
            ..Default::default()
        };
        // Days 0, 1, 2 are the period: mean (40 + 50 + 60) / 3 = 50; day 3 is outside it.
        let sq: Vec<PlotPoint> = [40.0, 50.0, 60.0, 1000.0]
            .iter()
            .enumerate()
            .map(|(t, &y)| PlotPoint::new(t as f64, y))
            .collect();
        let t = Transform::chosen(Some(Axis::PercentOfReference), None, &d, &sq, &calendar);
        assert_eq!(t, Transform::Percent(50.0));
        assert_eq!(t.value(75.0), 150.0);
        assert_eq!(
            Transform::chosen(Some(Axis::Log), None, &d, &sq, &calendar).value(1000.0),
            3.0
        );
        // Without a reference period there is no percentage: drawn as it is.
        let none = Description::default();
        let t = Transform::chosen(Some(Axis::PercentOfReference), None, &none, &sq, &calendar);
        assert_eq!(t, Transform::Linear);
        assert_eq!(
            Transform::chosen(None, None, &none, &sq, &calendar),
            Transform::Linear
        );
    }
}
