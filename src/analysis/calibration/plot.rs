//! Model against data as a PNG (plotters): one panel per daily series on a log scale, the record
//! in grey, the model before fitting, the full fit, and the fit before the split with its
//! out-of-sample projection after the dashed line.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::FontStyle;

use super::{Calibration, report::grouped};
use crate::engine::EngineError;

const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // egui's own UI font, already in the binary.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

/// Writes the plot to `path` (PNG, 1400 × 1000).
pub fn write_png(c: &Calibration, path: &Path) -> Result<(), EngineError> {
    register_font();
    let file = path.display().to_string();
    let fail = |e: String| EngineError::Run(format!("{file}: cannot draw the plot: {e}"));
    let (width, height) = (1400u32, 1000u32);
    // Drawn in memory and written at once, so that a failure leaves no half image.
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    draw(c, &mut pixels, (width, height), &fail)?;
    let image = image::RgbImage::from_raw(width, height, pixels)
        .ok_or_else(|| fail("the image buffer has the wrong size".into()))?;
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| fail(e.to_string()))?;
    crate::scenario::write::write_atomic(path, png.get_ref())
}

fn draw(
    c: &Calibration,
    pixels: &mut [u8],
    size: (u32, u32),
    fail: &dyn Fn(String) -> EngineError,
) -> Result<(), EngineError> {
    let root = BitMapBackend::with_buffer(pixels, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    let panels = root.split_evenly((c.plots.len().max(1), 1));
    let split = c.calendar.time_of(&c.split_date).unwrap_or(c.record.end);
    let blue = RGBColor(31, 119, 180);
    let orange = RGBColor(230, 120, 20);
    let grey = RGBColor(150, 150, 150);
    for (series, area) in c.plots.iter().zip(&panels) {
        let ys = series
            .observed
            .iter()
            .chain(&series.full)
            .chain(&series.split)
            .chain(&series.prior)
            .map(|p| p.1.max(1.0));
        let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
        let (lo, hi) = if lo.is_finite() {
            (lo * 0.7, hi * 1.4)
        } else {
            (1.0, 10.0)
        };
        let cal = &c.calendar;
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{} per day (log scale)", series.output), (FONT, 26))
            .margin(14)
            .x_label_area_size(36)
            .y_label_area_size(90)
            .build_cartesian_2d(c.record.start..c.record.end, (lo..hi).log_scale())
            .map_err(|e| fail(e.to_string()))?;
        chart
            .configure_mesh()
            .x_labels(12)
            .x_label_formatter(&|t| cal.date_of(*t)[..7].to_string())
            .y_label_formatter(&|v| grouped(*v))
            .label_style((FONT, 16))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| fail(e.to_string()))?;
        let clamp = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
            pts.iter().map(|&(t, v)| (t, v.max(1.0))).collect()
        };
        let legend = |color: RGBColor| {
            move |(x, y): (i32, i32)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            }
        };
        // The record, split at the missing weeks so that no line bridges the gap.
        let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
        for &(t, v) in &series.observed {
            match segments.last_mut() {
                Some(seg) if seg.last().is_some_and(|p| t - p.0 <= 1.5) => {
                    seg.push((t, v.max(1.0)))
                }
                _ => segments.push(vec![(t, v.max(1.0))]),
            }
        }
        for (i, seg) in segments.into_iter().enumerate() {
            let drawn = chart
                .draw_series(LineSeries::new(seg, grey.stroke_width(1)))
                .map_err(|e| fail(e.to_string()))?;
            if i == 0 {
                drawn
                    .label("recorded (Immigration Department)")
                    .legend(legend(grey));
            }
        }
        for (pts, color, label) in [
            (
                &series.prior,
                RGBColor(120, 170, 120),
                "model before fitting",
            ),
            (&series.full, blue, "fit to the whole record"),
            (
                &series.split,
                orange,
                "fit before the split; projection after it",
            ),
        ] {
            chart
                .draw_series(LineSeries::new(clamp(pts), color.stroke_width(2)))
                .map_err(|e| fail(e.to_string()))?
                .label(label)
                .legend(legend(color));
        }
        chart
            .draw_series(DashedLineSeries::new(
                vec![(split, lo), (split, hi)],
                6,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(|e| fail(e.to_string()))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FONT, 16))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| fail(e.to_string()))?;
    }
    root.present().map_err(|e| fail(e.to_string()))?;
    Ok(())
}
