//! The series the plots draw, prepared once per run.

use egui_plot::PlotPoint;

use std::collections::BTreeMap;

use crate::analysis::headlines::trailing_mean;
use crate::engine::Results;
use crate::scenario::Description;

/// Series prepared for drawing, computed once per run and borrowed by every frame: each
/// output the description shows (workbench and presentation), by name.
#[derive(Clone, Default)]
pub struct PlotData {
    pub series: BTreeMap<String, Vec<PlotPoint>>,
    /// Trailing means of the outputs whose description asks for one.
    pub means: BTreeMap<String, Vec<PlotPoint>>,
}

impl PlotData {
    pub fn from(results: &Results, description: &Description) -> PlotData {
        PlotData::with(results, description, &[])
    }

    /// As `from`, with every output of the description (a slide may plot any) and the model
    /// variables in `extra` (plotted from the model view).
    pub fn with(results: &Results, description: &Description, extra: &[String]) -> PlotData {
        let mut data = PlotData::default();
        let shown = description
            .workbench
            .plots
            .iter()
            .chain(&description.presentation.plots)
            .chain(description.outputs.iter().map(|o| &o.name))
            .chain(extra);
        for name in shown {
            if data.series.contains_key(name) {
                continue;
            }
            let values = results.series_or_sum(name).unwrap_or_default();
            let points = |v: &[f64]| -> Vec<PlotPoint> {
                results
                    .times
                    .iter()
                    .zip(v)
                    .map(|(&t, &v)| PlotPoint::new(t, v))
                    .collect()
            };
            if let Some(days) = description.output(name).and_then(|o| o.mean_days) {
                let mean = trailing_mean(&values, &results.times, days);
                data.means.insert(name.clone(), points(&mean));
            }
            data.series.insert(name.clone(), points(&values));
        }
        data
    }

    /// The points an output's line shows: its trailing mean when it has one.
    pub fn line(&self, name: &str) -> &[PlotPoint] {
        self.means
            .get(name)
            .or_else(|| self.series.get(name))
            .map_or(&[], Vec::as_slice)
    }

    pub fn daily(&self, name: &str) -> &[PlotPoint] {
        self.series.get(name).map_or(&[], Vec::as_slice)
    }
}
