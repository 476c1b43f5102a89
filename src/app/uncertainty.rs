//! The ensemble behind the bands: runs on a background thread, publishes growing snapshots
//! (median first, bands as members arrive), and is cancelled and restarted when a lever moves.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use egui::Ui;

use super::i18n::{fill, tr};

use crate::analysis::ensemble::{self, Plan, Progress, Summary};
use crate::scenario::Prepared;

/// Members in the first snapshot (the median line), then in each later one.
const FIRST_CHUNK: usize = 16;
const CHUNK: usize = 48;
/// Bands are drawn once this many members are in.
pub const MIN_FOR_BANDS: usize = 40;

/// What the worker has finished so far.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub summary: Summary,
    /// Each recorded output's median as plot points, by name, made once per snapshot.
    pub median: std::collections::BTreeMap<String, Vec<egui_plot::PlotPoint>>,
    pub done: usize,
    pub total: usize,
}

struct Job {
    progress: Arc<Progress>,
    latest: Arc<Mutex<Option<Result<Snapshot, String>>>>,
    total: usize,
}

impl Drop for Job {
    /// Not joined: a cancelled worker stops after the member it is running.
    fn drop(&mut self) {
        self.progress.cancel.store(true, Ordering::Relaxed);
    }
}

/// The app's ensemble state.
#[derive(Default)]
pub struct Uncertainty {
    pub enabled: bool,
    job: Option<Job>,
    /// The newest snapshot taken from the worker.
    pub snapshot: Option<Snapshot>,
    pub error: Option<String>,
}

impl Uncertainty {
    pub fn new() -> Uncertainty {
        Uncertainty {
            enabled: true,
            ..Default::default()
        }
    }

    /// Cancels any running ensemble and forgets its results.
    pub fn clear(&mut self) {
        self.job = None;
        self.snapshot = None;
        self.error = None;
    }

    /// Cancels any running ensemble and starts one for `prepared` (its own ensemble settings,
    /// else the CLI's default: Latin-hypercube members over the model's uncertain parameters).
    pub fn restart(&mut self, prepared: Prepared, repaint: egui::Context) {
        self.clear();
        if !self.enabled {
            return;
        }
        let settings = Plan::settings(&prepared, None, None);
        let plan = match Plan::new(&prepared, &settings) {
            Ok(p) => p,
            Err(e) => {
                self.error = Some(e.to_string());
                return;
            }
        };
        let progress = Arc::new(Progress::default());
        let latest = Arc::new(Mutex::new(None));
        let total = plan.members();
        let (p, l) = (Arc::clone(&progress), Arc::clone(&latest));
        let spawned = std::thread::Builder::new()
            .name("ensemble".into())
            .spawn(move || work(&prepared, &plan, &p, &l, &repaint));
        match spawned {
            Ok(_) => {
                self.job = Some(Job {
                    progress,
                    latest,
                    total,
                })
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Takes the worker's newest snapshot, if any.
    pub fn poll(&mut self) {
        let Some(job) = &self.job else {
            return;
        };
        let newest = job.latest.lock().ok().and_then(|mut l| l.take());
        match newest {
            Some(Ok(s)) => self.snapshot = Some(s),
            Some(Err(e)) => self.error = Some(e),
            None => {}
        }
    }

    /// Members finished and asked for, while running.
    pub fn running(&self) -> Option<(usize, usize)> {
        let job = self.job.as_ref()?;
        let done = self.snapshot.as_ref().map_or(0, |s| s.done);
        (done < job.total && self.error.is_none()).then(|| {
            (
                job.progress.done.load(Ordering::Relaxed).min(job.total),
                job.total,
            )
        })
    }

    /// The newest median lines, however few members they have (they show first).
    pub fn median(&self) -> Option<&std::collections::BTreeMap<String, Vec<egui_plot::PlotPoint>>> {
        self.snapshot.as_ref().map(|s| &s.median)
    }

    /// The summary once it has enough members for bands.
    pub fn bands(&self) -> Option<&Summary> {
        self.snapshot
            .as_ref()
            .filter(|s| s.done >= MIN_FOR_BANDS.min(s.total))
            .map(|s| &s.summary)
    }

    /// The summary when every member is in (for headline ranges).
    pub fn complete(&self) -> Option<&Summary> {
        self.snapshot
            .as_ref()
            .filter(|s| s.done == s.total)
            .map(|s| &s.summary)
    }

    /// Status-bar line: progress, or what the bands show.
    pub fn status_ui(&mut self, ui: &mut Ui, lang: &str) -> bool {
        let mut toggled = false;
        if ui
            .checkbox(&mut self.enabled, tr(lang, "Uncertainty bands"))
            .on_hover_text(tr(
                lang,
                "Run an ensemble over the model's uncertain parameters and draw p5–p95 and p25–p75 bands",
            ))
            .changed()
        {
            toggled = true;
        }
        if let Some(e) = &self.error {
            ui.colored_label(
                ui.visuals().error_fg_color,
                fill(tr(lang, "Ensemble: {}"), &[e]),
            );
        } else if let Some((done, total)) = self.running() {
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .desired_width(120.0)
                    .text(fill(
                        tr(lang, "ensemble {} of {}"),
                        &[&done.to_string(), &total.to_string()],
                    )),
            );
        } else if let Some(s) = &self.snapshot {
            ui.label(fill(
                tr(lang, "ensemble: {} members"),
                &[&s.done.to_string()],
            ));
        }
        toggled
    }
}

/// The worker: members in chunks, a snapshot after each.
fn work(
    prepared: &Prepared,
    plan: &Plan,
    progress: &Progress,
    latest: &Mutex<Option<Result<Snapshot, String>>>,
    repaint: &egui::Context,
) {
    let total = plan.members();
    let mut members = Vec::with_capacity(total);
    let mut start = 0;
    while start < total {
        if progress.cancel.load(Ordering::Relaxed) {
            return;
        }
        let size = if start == 0 { FIRST_CHUNK } else { CHUNK };
        let end = (start + size).min(total);
        let indices: Vec<usize> = (start..end).collect();
        match ensemble::run_members(prepared, plan, &indices, progress) {
            Ok(done) => members.extend(done),
            Err(e) => {
                if let Ok(mut l) = latest.lock() {
                    *l = Some(Err(e.to_string()));
                }
                repaint.request_repaint();
                return;
            }
        }
        if progress.cancel.load(Ordering::Relaxed) {
            return;
        }
        start = end;
        let summary = plan.summary(&members);
        let median = summary
            .outputs
            .iter()
            .zip(&summary.bands)
            .map(|(name, band)| {
                let points = plan
                    .times
                    .iter()
                    .zip(&band[2])
                    .map(|(&t, &v)| egui_plot::PlotPoint::new(t, v))
                    .collect();
                (name.clone(), points)
            })
            .collect();
        if let Ok(mut l) = latest.lock() {
            *l = Some(Ok(Snapshot {
                summary,
                median,
                done: members.len(),
                total,
            }));
        }
        repaint.request_repaint();
    }
}
