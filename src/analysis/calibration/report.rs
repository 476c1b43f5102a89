//! The calibration report as Markdown: targets and weights, fitted values with their ranges, fit
//! statistics in and out of sample, and the parameters that set the long-run level.

use std::fmt::Write;

use super::{Calibration, Fit, TargetKind, significant};

/// The report; `png` names the plot file to link, if one was written.
pub fn markdown(c: &Calibration, png: Option<&str>) -> String {
    let cal = &c.calendar;
    let date = |t: f64| cal.date_of(t);
    let mut s = String::new();
    let _ = writeln!(s, "# Calibration of the Shenzhen–Hong Kong model\n");
    let _ = writeln!(
        s,
        "Scenario `{}`: the recorded policy history drives the levers. Record {} .. {}; \
         out-of-sample split at {}. Nelder–Mead (argmin) from {} starts, {} iterations each, seed {}.\n",
        c.scenario,
        date(c.record.start),
        date(c.record.end),
        c.split_date,
        c.options.starts,
        c.options.max_iters,
        c.options.seed
    );

    let _ = writeln!(s, "## Targets\n");
    let _ = writeln!(
        s,
        "Objective: the weighted sum of each target's mean squared log error \
         (daily series: ln(1 + value) day by day, missing days left out; single figures: ln of the ratio).\n"
    );
    let _ = writeln!(
        s,
        "| target | weight | period | data | model before | model fitted | source |"
    );
    let _ = writeln!(s, "|---|---:|---|---:|---:|---:|---|");
    for t in &c.targets {
        match &t.kind {
            TargetKind::Daily { .. } => {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} .. {} daily | see statistics | | | {} |",
                    t.name,
                    t.weight,
                    date(c.record.start),
                    date(c.record.end),
                    t.source
                );
            }
            TargetKind::Mean {
                from, to, value, ..
            } => {
                let fig = c.figures.iter().find(|f| f.target.name == t.name);
                let (prior, fitted) = fig.map_or((f64::NAN, f64::NAN), |f| (f.prior, f.fitted));
                let _ = writeln!(
                    s,
                    "| {} | {} | {} .. {} | {} | {} | {} | {} |",
                    t.name,
                    t.weight,
                    date(*from),
                    date(*to),
                    grouped(*value),
                    grouped(prior),
                    grouped(fitted),
                    t.source
                );
            }
        }
    }

    let _ = writeln!(s, "\n## Fitted parameters\n");
    fitted_table(&mut s, &c.full);
    let _ = writeln!(
        s,
        "\nObjective {:.4} before, {:.4} after ({} model runs). Fit before the split: objective {:.4} → {:.4}.\n",
        c.full.prior_cost, c.full.cost, c.full.evaluations, c.split.prior_cost, c.split.cost
    );
    let _ = writeln!(
        s,
        "Fit to {} .. {} only:\n",
        date(c.split.window.start),
        date(c.split.window.end)
    );
    fitted_table(&mut s, &c.split);

    let _ = writeln!(s, "\n## Fit statistics\n");
    let _ = writeln!(
        s,
        "MAPE over days with non-zero data; R² on daily levels (the first two weeks, at tens of thousands a day, dominate it) and on ln(1 + value); Theil's U^M (bias), U^S (variation) \
         and U^C (covariation) shares of the mean squared error (they sum to 1; a good fit has its \
         error mostly in U^C).\n"
    );
    let _ = writeln!(
        s,
        "| series | run | sample | window | days | MAPE % | R² | R² of ln(1+x) | mean model | mean data | U^M | U^S | U^C |"
    );
    let _ = writeln!(
        s,
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in &c.rows {
        let st = &r.stats;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} .. {} | {} | {:.1} | {:.3} | {:.3} | {} | {} | {:.3} | {:.3} | {:.3} |",
            r.series,
            r.fit,
            if r.out_of_sample {
                "**out of sample**"
            } else {
                "in sample"
            },
            date(r.window.start),
            date(r.window.end),
            st.n,
            st.mape,
            st.r2,
            st.r2_log,
            grouped(st.mean_model),
            grouped(st.mean_data),
            st.u_m,
            st.u_s,
            st.u_c
        );
    }

    let _ = writeln!(
        s,
        "\n## Not fitted: the long-run level and the reopening dynamics\n"
    );
    let _ = writeln!(
        s,
        "The record to 2022-10-10 holds no reopening, so these keep their sourced values; their \
         ranges go to the ensembles. The long-run level after a full reopening is the 2019 level \
         of each traveller type and crossing (hk_control_point_passengers_annual.csv, checked above \
         against each crossing's 2019 total) grown at `Demand growth rate` less `Lasting demand \
         loss`; after 2022-10-10 the epidemic follows the outlook: no constant is tuned to any \
         outcome after 2022-10-10.\n"
    );
    let _ = writeln!(s, "| parameter | value | range | unit | why uncertain |");
    let _ = writeln!(s, "|---|---:|---|---|---|");
    for (p, v) in &c.unfitted {
        let _ = writeln!(
            s,
            "| {} | {} | {} .. {} | {} | {} |",
            p.constant,
            significant(*v, 4),
            p.low,
            p.high,
            p.unit,
            p.why
        );
    }
    if let Some(png) = png {
        let _ = writeln!(
            s,
            "\n## Model against data\n\n![model against the record]({png})"
        );
    }
    s
}

fn fitted_table(s: &mut String, fit: &Fit) {
    let _ = writeln!(s, "| parameter | unit | range | before | fitted | note |");
    let _ = writeln!(s, "|---|---|---|---:|---:|---|");
    for v in &fit.values {
        let p = &v.parameter;
        let _ = writeln!(
            s,
            "| {} | {} | {} .. {} | {} | {} | {} |",
            p.constant,
            p.unit,
            p.low,
            p.high,
            significant(v.prior, 4),
            significant(v.fitted, 4),
            if v.at_bound() {
                "at a bound of its range"
            } else {
                ""
            }
        );
    }
}

/// A number with thin-space thousands grouping, at most one decimal for small values.
pub fn grouped(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x.abs() < 1000.0 {
        return format!("{x:.1}");
    }
    let out = crate::analysis::group_digits(x.abs().round() as u64, ' ');
    if x < 0.0 { format!("-{out}") } else { out }
}
