//! The plots' axes: dates along x, round values with grouped digits up y, and views kept
//! within the data.

use egui_plot::{GridInput, GridMark, HoverPosition, Plot, PlotBounds, PlotPoint};

use super::Transform;
use crate::app::i18n::{ShownUnit, count, date, month};
use crate::scenario::Calendar;
use crate::scenario::description::Output;

/// The output's unit in `lang` (its description's own for that language, else translated).
pub fn output_unit(output: Option<&Output>, lang: &str) -> ShownUnit {
    match output {
        Some(o) => ShownUnit::new(lang, &o.unit, &o.unit_in),
        None => ShownUnit::plain(lang, ""),
    }
}

/// What values drawn by `scale` are multiplied by in `unit` (a percentage has no unit).
fn factor(unit: &ShownUnit, scale: Transform) -> f64 {
    match scale {
        Transform::Percent(_) => 1.0,
        _ => unit.times,
    }
}

/// Calendar dates on a plot's x axis and in its hover label (`unit` for the value).
pub fn with_dates<'a>(
    plot: Plot<'a>,
    calendar: &Calendar,
    lang: &str,
    unit: &str,
    scale: Transform,
) -> Plot<'a> {
    with_dates_in(plot, calendar, lang, ShownUnit::plain(lang, unit), scale)
}

/// Like `with_dates`, with values written in `unit` (its text and factor).
pub fn with_dates_in<'a>(
    plot: Plot<'a>,
    calendar: &Calendar,
    lang: &str,
    unit: ShownUnit,
    scale: Transform,
) -> Plot<'a> {
    let (cal, cal2) = (calendar.clone(), calendar.clone());
    let (axis_lang, hover_lang, y_lang) = (lang.to_string(), lang.to_string(), lang.to_string());
    let times = factor(&unit, scale);
    plot.x_grid_spacer(date_grid(calendar.clone()))
        .x_axis_formatter(move |mark: GridMark, _range| {
            let iso = cal.date_of(mark.value);
            if mark.step_size >= 300.0 {
                iso[..4].to_string()
            } else if mark.step_size >= 28.0 {
                month(&axis_lang, &iso)
            } else {
                date(&axis_lang, &iso)
            }
        })
        .label_formatter(move |pos: &HoverPosition<'_>| {
            let (series, p) = match pos {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => (plot_name.to_string(), *position),
                HoverPosition::Elsewhere { position, .. } => (String::new(), *position),
            };
            Some(format!(
                "{series}\n{}\n{} {}",
                date(&hover_lang, &cal2.date_of(p.x)),
                count(&hover_lang, scale.inverse(p.y) * times),
                unit.text
            ))
        })
        .y_grid_spacer(move |input| {
            let min_step = if scale == Transform::Log { 1.0 } else { 0.0 };
            value_grid(input, min_step)
        })
        .y_axis_formatter(move |mark: GridMark, range| match scale {
            // A log axis is drawn in powers of ten: label the value, not its logarithm.
            // Powers of ten as whole numbers: "10,000", "1万".
            Transform::Log => {
                let v = 10f64.powf(mark.value) * times;
                axis_number(&y_lang, v, v)
            }
            // One unit along a linear axis ("0.50万 … 1.25万", not "5000 … 1.25万").
            _ => axis_number_within(
                &y_lang,
                mark.value * times,
                mark.step_size * times,
                range.start().abs().max(range.end().abs()) * times,
            ),
        })
}

/// Pixels between y labels: egui_plot shows a label only above 20 and fades it in up to 30.
const Y_LABEL_SPACING: f64 = 32.0;

/// egui_plot hides a y label closer than this to the next (pixels).
const Y_LABEL_HIDDEN: f64 = 20.0;

/// Grid marks at a round step (1, 2, 2.5 or 5 times a power of ten), about one label per
/// `Y_LABEL_SPACING` pixels, and a smaller step when that leaves fewer than three labels and
/// the plot is tall enough to show them. No step is below `min_step` (a log axis labels
/// whole powers of ten only).
fn value_grid(input: GridInput, min_step: f64) -> Vec<GridMark> {
    let (low, high) = input.bounds;
    let span = high - low;
    if !span.is_finite() || span <= 0.0 {
        return Vec::new();
    }
    // egui_plot's base step is its minimum grid spacing (8 px) in plot units.
    let per_pixel = input.base_step_size / 8.0;
    let mut step = round_step((Y_LABEL_SPACING * per_pixel).max(span / 6.0)).max(min_step);
    let count = |step: f64| (high / step).floor() - (low / step).ceil() + 1.0;
    while count(step) < 3.0 {
        let smaller = step_below(step);
        if smaller < min_step || smaller / per_pixel <= Y_LABEL_HIDDEN {
            break;
        }
        step = smaller;
    }
    let mut marks = Vec::new();
    let mut k = (low / step).ceil();
    while k * step <= high {
        marks.push(GridMark {
            value: k * step,
            step_size: step,
        });
        k += 1.0;
    }
    marks
}

/// The largest of 1, 2, 2.5 or 5 times a power of ten below `step`.
fn step_below(step: f64) -> f64 {
    let power = 10f64.powf(step.log10().floor());
    [5.0, 2.5, 2.0, 1.0, 0.5]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s < step * (1.0 - 1e-9))
        .unwrap_or(0.5 * power)
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `at_least`.
fn round_step(at_least: f64) -> f64 {
    let power = 10f64.powf(at_least.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= at_least * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// A y-axis label: grouped digits ("120,000") in English, 万 and 亿 in Chinese ("12万"), with
/// as many decimals as the step between labels needs.
pub fn axis_number(lang: &str, x: f64, step: f64) -> String {
    axis_number_within(lang, x, step, x.abs())
}

/// An axis label for `x` on an axis whose largest value in view is `top`: in Chinese the
/// suffix (万, 亿) follows `top`, so every label on the axis counts in the same unit.
pub fn axis_number_within(lang: &str, x: f64, step: f64, top: f64) -> String {
    let (value, step, suffix) = match lang {
        "zh" if top >= 1e8 => (x / 1e8, step / 1e8, "亿"),
        "zh" if top >= 1e4 => (x / 1e4, step / 1e4, "万"),
        _ => (x, step, ""),
    };
    if value.abs() < 1e-9 * step.abs() {
        return "0".into();
    }
    let decimals = (0..=4)
        .find(|d| {
            let scaled = step * 10f64.powi(*d);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(4) as usize;
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(w, f)| (w, f));
    let grouped = match whole.parse::<u64>() {
        Ok(w) if lang != "zh" => crate::analysis::group_digits(w, ','),
        _ => whole.to_string(),
    };
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let point = if fraction.is_empty() { "" } else { "." };
    format!("{sign}{grouped}{point}{fraction}{suffix}")
}

/// Grid marks on calendar boundaries: years, months or days, by how much is in view.
fn date_grid(calendar: Calendar) -> impl Fn(GridInput) -> Vec<GridMark> {
    move |input: GridInput| {
        let (t0, t1) = input.bounds;
        let span = t1 - t0;
        if !span.is_finite() || span <= 0.0 {
            return Vec::new();
        }
        let year_of = |t: f64| {
            calendar
                .date_of(t)
                .get(..4)
                .and_then(|y| y.parse::<i32>().ok())
        };
        let (Some(y0), Some(y1)) = (year_of(t0), year_of(t1)) else {
            return Vec::new();
        };
        let mut marks = Vec::new();
        for y in y0..=y1 + 1 {
            if span > 365.0 * 1.5 {
                // Coarser marks on every second and fourth year, so labels thin out when zoomed out.
                let step = if y % 4 == 0 {
                    1461.0
                } else if y % 2 == 0 {
                    730.0
                } else {
                    365.0
                };
                if let Ok(t) = calendar.time_of(&format!("{y}-01-01")) {
                    marks.push(GridMark {
                        value: t,
                        step_size: step,
                    });
                }
                if span < 365.0 * 6.0
                    && let Ok(t) = calendar.time_of(&format!("{y}-07-01"))
                {
                    marks.push(GridMark {
                        value: t,
                        step_size: 182.0,
                    });
                }
            } else if span > 60.0 {
                for m in 1..=12 {
                    if let Ok(t) = calendar.time_of(&format!("{y}-{m:02}-01")) {
                        marks.push(GridMark {
                            value: t,
                            step_size: if m == 1 { 365.0 } else { 30.0 },
                        });
                    }
                }
            }
        }
        if span <= 60.0 {
            let step = if span > 14.0 { 7.0 } else { 1.0 };
            let mut t = (t0 / step).floor() * step;
            while t <= t1 {
                marks.push(GridMark {
                    value: t,
                    step_size: step,
                });
                t += step;
            }
        }
        marks.retain(|m| m.value >= t0 - 1.0 && m.value <= t1 + 1.0);
        marks
    }
}

/// A recovery plot's id, where egui keeps its view (zoom and pan).
pub fn plot_id(output: &str) -> egui::Id {
    egui::Id::unique(("recovery plot", output))
}

/// The range one plot's data spans, with egui_plot's auto-bounds margin (5%) around it.
pub(super) fn data_bounds(lines: &[&[PlotPoint]], bands: &[&[f64]]) -> Option<PlotBounds> {
    let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in lines.iter().flat_map(|l| l.iter()) {
        if p.x.is_finite() && p.y.is_finite() {
            min = [min[0].min(p.x), min[1].min(p.y)];
            max = [max[0].max(p.x), max[1].max(p.y)];
        }
    }
    for y in bands
        .iter()
        .flat_map(|b| b.iter())
        .filter(|y| y.is_finite())
    {
        (min[1], max[1]) = (min[1].min(*y), max[1].max(*y));
    }
    if min[0] > max[0] {
        return None;
    }
    let margin = |axis: usize| ((max[axis] - min[axis]) * 0.05).max(1e-6);
    let (mx, my) = (margin(0), margin(1));
    Some(PlotBounds::from_min_max(
        [min[0] - mx, min[1] - my],
        [max[0] + mx, max[1] + my],
    ))
}

/// `view` moved, and shrunk if need be, to lie within `data`; None when it already does.
pub(super) fn kept_within(view: PlotBounds, data: PlotBounds) -> Option<PlotBounds> {
    let (mut min, mut max) = (view.min(), view.max());
    for axis in 0..2 {
        let (lo, hi) = (data.min()[axis], data.max()[axis]);
        if max[axis] - min[axis] >= hi - lo {
            (min[axis], max[axis]) = (lo, hi);
        } else if min[axis] < lo {
            (min[axis], max[axis]) = (lo, lo + max[axis] - min[axis]);
        } else if max[axis] > hi {
            (min[axis], max[axis]) = (hi - (max[axis] - min[axis]), hi);
        }
    }
    let moved = (0..2).any(|a| {
        let tolerance = 1e-9 * (data.max()[a] - data.min()[a]);
        (min[a] - view.min()[a]).abs() > tolerance || (max[a] - view.max()[a]).abs() > tolerance
    });
    moved.then(|| PlotBounds::from_min_max(min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_group_digits_and_use_wan_and_yi_in_chinese() {
        assert_eq!(axis_number("en", 120_000.0, 20_000.0), "120,000");
        assert_eq!(axis_number("en", 0.0, 20_000.0), "0");
        assert_eq!(axis_number("en", 2.5, 0.5), "2.5");
        assert_eq!(axis_number("en", -40.0, 20.0), "-40");
        assert_eq!(axis_number("zh", 120_000.0, 20_000.0), "12万");
        assert_eq!(axis_number("zh", 125_000.0, 25_000.0), "12.5万");
        assert_eq!(axis_number("zh", 5_000.0, 5_000.0), "5000");
        assert_eq!(axis_number("zh", 300_000_000.0, 100_000_000.0), "3亿");
        assert_eq!(axis_number("zh", 150_000_000.0, 50_000_000.0), "1.5亿");
        // A log axis labels each power of ten with itself as the step: whole numbers.
        assert_eq!(axis_number("zh", 10_000.0, 10_000.0), "1万");
        assert_eq!(axis_number("en", 100.0, 100.0), "100");
        // Along one axis topped by 12,500, every label counts in 万.
        assert_eq!(
            axis_number_within("zh", 5_000.0, 2_500.0, 12_500.0),
            "0.50万"
        );
        assert_eq!(
            axis_number_within("zh", 12_500.0, 2_500.0, 12_500.0),
            "1.25万"
        );
        assert_eq!(axis_number_within("zh", 0.0, 2_500.0, 12_500.0), "0");
        assert_eq!(
            axis_number_within("en", 5_000.0, 2_500.0, 12_500.0),
            "5,000"
        );
        assert_eq!(axis_number("en", 1e6, 1e6), "1,000,000");
    }

    #[test]
    fn the_value_grid_gives_at_least_three_round_labels() {
        // 0 .. 130,000 over 150 pixels: 8 px of base step is 6,933 units.
        let marks = value_grid(
            GridInput {
                bounds: (0.0, 130_000.0),
                base_step_size: 130_000.0 / 150.0 * 8.0,
            },
            0.0,
        );
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(values, [0.0, 50_000.0, 100_000.0], "{values:?}");
        // 32 px apart at 150 px for 130,000 is at least 27,733: the round step is 50,000.
        assert!(marks.iter().all(|m| m.step_size == 50_000.0));
        // 0 .. 130 over 60 pixels: 32 px is 69, rounded to 100, leaving two labels; a step of
        // 50 is 23 px apart, still shown: three labels.
        let values = |bounds: (f64, f64), pixels: f64, min_step: f64| -> Vec<f64> {
            let base_step_size = (bounds.1 - bounds.0) / pixels * 8.0;
            value_grid(
                GridInput {
                    bounds,
                    base_step_size,
                },
                min_step,
            )
            .iter()
            .map(|m| m.value)
            .collect()
        };
        assert_eq!(values((0.0, 130.0), 60.0, 0.0), [0.0, 50.0, 100.0]);
        // At 30 pixels a step of 50 is 11.5 px apart, which egui_plot would hide: two labels.
        assert_eq!(values((0.0, 130.0), 30.0, 0.0), [0.0, 100.0]);
        // A log axis (powers 0 .. 1.6 over 100 px) keeps whole powers: 1 and 10, not 10^0.5.
        assert_eq!(values((0.0, 1.6), 100.0, 1.0), [0.0, 1.0]);
        assert_eq!(values((0.0, 1.6), 100.0, 0.0), [0.0, 0.5, 1.0, 1.5]);
        assert_eq!(step_below(100.0), 50.0);
        assert_eq!(step_below(50.0), 25.0);
        assert_eq!(step_below(2.0), 1.0);
        assert_eq!(round_step(0.3), 0.5);
        assert_eq!(round_step(2.2), 2.5);
        assert_eq!(round_step(1000.0), 1000.0);
        assert_eq!(round_step(6_000.0), 10_000.0);
    }

    #[test]
    fn a_view_is_kept_within_the_data() {
        let data = PlotBounds::from_min_max([0.0, 0.0], [100.0, 10.0]);
        let inside = PlotBounds::from_min_max([10.0, 1.0], [50.0, 5.0]);
        assert!(kept_within(inside, data).is_none());
        // Panned past the left edge: moved back, same width.
        let left = PlotBounds::from_min_max([-20.0, 1.0], [20.0, 5.0]);
        let fixed = kept_within(left, data).expect("moved");
        assert_eq!((fixed.min(), fixed.max()), ([0.0, 1.0], [40.0, 5.0]));
        // Zoomed out beyond the data: the whole data range.
        let wide = PlotBounds::from_min_max([-50.0, -5.0], [300.0, 30.0]);
        let fixed = kept_within(wide, data).expect("shrunk");
        assert_eq!((fixed.min(), fixed.max()), ([0.0, 0.0], [100.0, 10.0]));
        let bounds = data_bounds(
            &[&[PlotPoint::new(0.0, 0.0), PlotPoint::new(100.0, 50.0)]],
            &[&[80.0]],
        )
        .expect("data");
        assert_eq!((bounds.min(), bounds.max()), ([-5.0, -4.0], [105.0, 84.0]));
    }
}
