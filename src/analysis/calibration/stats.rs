//! Goodness of fit of a simulated series against data: mean absolute percentage error, R², and
//! Theil's inequality statistics (Sterman 1984, "Appropriate summary statistics for evaluating
//! the historical fit of system dynamics models"): the mean squared error split into the shares
//! due to bias (U^M), unequal variation (U^S) and imperfect correlation (U^C), summing to 1.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitStats {
    pub n: usize,
    /// Mean absolute percentage error over the points with non-zero data, in percent.
    pub mape: f64,
    /// 1 - SS_residual / SS_total, on levels.
    pub r2: f64,
    /// The same on ln(1 + value): for series spanning orders of magnitude, where a few large
    /// days dominate R² on levels.
    pub r2_log: f64,
    pub rmse: f64,
    pub mean_model: f64,
    pub mean_data: f64,
    /// Theil's bias, variation and covariation shares of the mean squared error.
    pub u_m: f64,
    pub u_s: f64,
    pub u_c: f64,
}

/// Fit statistics of `(model, data)` pairs; None for fewer than two points.
pub fn fit_stats(pairs: &[(f64, f64)]) -> Option<FitStats> {
    let n = pairs.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean_model = pairs.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean_data = pairs.iter().map(|p| p.1).sum::<f64>() / nf;
    let mse = pairs.iter().map(|(m, d)| (m - d).powi(2)).sum::<f64>() / nf;
    // Population standard deviations and correlation, as in Sterman's decomposition.
    let var_m = pairs
        .iter()
        .map(|p| (p.0 - mean_model).powi(2))
        .sum::<f64>()
        / nf;
    let var_d = pairs.iter().map(|p| (p.1 - mean_data).powi(2)).sum::<f64>() / nf;
    let cov = pairs
        .iter()
        .map(|(m, d)| (m - mean_model) * (d - mean_data))
        .sum::<f64>()
        / nf;
    let (s_m, s_d) = (var_m.sqrt(), var_d.sqrt());
    let r = if s_m > 0.0 && s_d > 0.0 {
        cov / (s_m * s_d)
    } else {
        0.0
    };
    let (u_m, u_s, u_c) = if mse > 0.0 {
        (
            (mean_model - mean_data).powi(2) / mse,
            (s_m - s_d).powi(2) / mse,
            2.0 * (1.0 - r) * s_m * s_d / mse,
        )
    } else {
        (0.0, 0.0, 0.0)
    };
    let nonzero: Vec<&(f64, f64)> = pairs.iter().filter(|p| p.1 != 0.0).collect();
    let mape = 100.0
        * nonzero
            .iter()
            .map(|(m, d)| ((m - d) / d).abs())
            .sum::<f64>()
        / nonzero.len().max(1) as f64;
    let r2 = if var_d > 0.0 {
        1.0 - mse / var_d
    } else {
        f64::NAN
    };
    let r2_log = {
        let logs: Vec<(f64, f64)> = pairs
            .iter()
            .map(|(m, d)| ((1.0 + m.max(0.0)).ln(), (1.0 + d.max(0.0)).ln()))
            .collect();
        let mean = logs.iter().map(|p| p.1).sum::<f64>() / nf;
        let ss_tot = logs.iter().map(|p| (p.1 - mean).powi(2)).sum::<f64>();
        let ss_res = logs.iter().map(|(m, d)| (m - d).powi(2)).sum::<f64>();
        if ss_tot > 0.0 {
            1.0 - ss_res / ss_tot
        } else {
            f64::NAN
        }
    };
    Some(FitStats {
        n,
        mape,
        r2,
        r2_log,
        rmse: mse.sqrt(),
        mean_model,
        mean_data,
        u_m,
        u_s,
        u_c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theil_shares_match_a_hand_computation() {
        // model 2, 2, 4 against data 1, 2, 3 (worked by hand):
        // errors 1, 0, 1 -> MSE 2/3; means 8/3 and 2; bias^2 = 4/9 -> U^M = 2/3.
        // var_m = ((2/3)^2 + (2/3)^2 + (4/3)^2)/3 = 8/9, var_d = 2/3; cov = (2/3 + 0 + 4/3)/3 = 2/3.
        // U^S = (sqrt(8/9) - sqrt(2/3))^2 / (2/3); U^C = 2 (1 - r) s_m s_d / (2/3), r = cov/(s_m s_d).
        let s = fit_stats(&[(2.0, 1.0), (2.0, 2.0), (4.0, 3.0)]).unwrap();
        let (s_m, s_d) = ((8.0f64 / 9.0).sqrt(), (2.0f64 / 3.0).sqrt());
        let r = (2.0 / 3.0) / (s_m * s_d);
        assert!((s.u_m - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.u_s - (s_m - s_d).powi(2) / (2.0 / 3.0)).abs() < 1e-12);
        assert!((s.u_c - 2.0 * (1.0 - r) * s_m * s_d / (2.0 / 3.0)).abs() < 1e-12);
        assert!((s.u_m + s.u_s + s.u_c - 1.0).abs() < 1e-12);
        // MAPE: |1/1| + 0 + |1/3| over 3 = 44.44%; R^2 = 1 - (2/3)/(2/3) = 0.
        assert!((s.mape - 100.0 * (1.0 + 1.0 / 3.0) / 3.0).abs() < 1e-9);
        assert!(s.r2.abs() < 1e-12);
        assert!((s.rmse - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_perfect_fit_has_no_error() {
        let s = fit_stats(&[(1.0, 1.0), (5.0, 5.0), (3.0, 3.0)]).unwrap();
        assert_eq!((s.mape, s.r2, s.r2_log, s.rmse), (0.0, 1.0, 1.0, 0.0));
        assert_eq!((s.u_m, s.u_s, s.u_c), (0.0, 0.0, 0.0));
    }

    #[test]
    fn zero_data_points_are_left_out_of_mape_only() {
        let s = fit_stats(&[(1.0, 0.0), (2.0, 1.0)]).unwrap();
        assert!((s.mape - 100.0).abs() < 1e-12);
        assert_eq!(s.n, 2);
    }
}
