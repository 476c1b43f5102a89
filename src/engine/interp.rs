//! The meaning of every op: the interpreter, and the built-in functions that both it and the
//! native code of [`super::jit`] call, so that both paths compute the same numbers. The
//! interpreter is the reference semantics.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, LogNormal, Normal, Pareto, Poisson, Triangular, Weibull};
use statrs::distribution::ContinuousCDF;

use super::ast::{GfKind, GraphicalFunction};
use super::lower::Dist;
use super::program::{DT, F1, F3, Op, START, TIME};
use super::resolve::GfFn;

/// What stateful ops need besides the slots.
pub(super) struct Ctx<'a> {
    pub(super) gfs: &'a [GraphicalFunction],
    pub(super) history: &'a [f64],
    pub(super) stride: usize,
    pub(super) recorded: usize,
    pub(super) rngs: &'a mut [ChaCha8Rng],
}

/// Negative values become 0; NaN stays NaN so that the non-finite check sees it.
pub(super) fn clamp_zero(v: f64) -> f64 {
    if v < 0.0 { 0.0 } else { v }
}

/// MIN and MAX propagate NaN (`f64::min` would return the other operand and hide it).
fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn truth(v: f64) -> bool {
    v != 0.0
}

fn b(v: bool) -> f64 {
    if v { 1.0 } else { 0.0 }
}

/// A tolerance for comparing times that are sums of dt.
fn time_eps(s: &[f64]) -> f64 {
    s[DT as usize] * 1e-6
}

/// Runs a list of ops (jump targets are indices into `ops`).
pub(super) fn exec(ops: &[Op], s: &mut [f64], ctx: &mut Ctx) {
    let mut pc = 0;
    while let Some(op) = ops.get(pc) {
        match *op {
            Op::Const { d, v } => s[d as usize] = v,
            Op::Copy { d, a } => s[d as usize] = s[a as usize],
            Op::Neg { d, a } => s[d as usize] = -s[a as usize],
            Op::Not { d, a } => s[d as usize] = b(!truth(s[a as usize])),
            Op::Add { d, a, b: c } => s[d as usize] = s[a as usize] + s[c as usize],
            Op::Sub { d, a, b: c } => s[d as usize] = s[a as usize] - s[c as usize],
            Op::Mul { d, a, b: c } => s[d as usize] = s[a as usize] * s[c as usize],
            Op::Div { d, a, b: c } => s[d as usize] = s[a as usize] / s[c as usize],
            Op::Pow { d, a, b: c } => s[d as usize] = s[a as usize].powf(s[c as usize]),
            Op::Mod { d, a, b: c } => {
                let (x, y) = (s[a as usize], s[c as usize]);
                s[d as usize] = x - y * (x / y).floor();
            }
            Op::Lt { d, a, b: c } => s[d as usize] = b(s[a as usize] < s[c as usize]),
            Op::Le { d, a, b: c } => s[d as usize] = b(s[a as usize] <= s[c as usize]),
            Op::Gt { d, a, b: c } => s[d as usize] = b(s[a as usize] > s[c as usize]),
            Op::Ge { d, a, b: c } => s[d as usize] = b(s[a as usize] >= s[c as usize]),
            Op::Eq { d, a, b: c } => s[d as usize] = b(s[a as usize] == s[c as usize]),
            Op::Ne { d, a, b: c } => s[d as usize] = b(s[a as usize] != s[c as usize]),
            Op::And { d, a, b: c } => {
                s[d as usize] = b(truth(s[a as usize]) && truth(s[c as usize]))
            }
            Op::Or { d, a, b: c } => {
                s[d as usize] = b(truth(s[a as usize]) || truth(s[c as usize]))
            }
            Op::Min { d, a, b: c } => s[d as usize] = nan_min(s[a as usize], s[c as usize]),
            Op::Max { d, a, b: c } => s[d as usize] = nan_max(s[a as usize], s[c as usize]),
            Op::SafeDiv { d, a, b: c, or } => {
                let den = s[c as usize];
                s[d as usize] = if den == 0.0 {
                    s[or as usize]
                } else {
                    s[a as usize] / den
                };
            }
            Op::Fn1 { d, f, a } => s[d as usize] = fn1(f, s[a as usize]),
            Op::Fn3 { d, f, a, b: y, c } => {
                s[d as usize] = fn3(f, s[a as usize], s[y as usize], s[c as usize]);
            }
            Op::GfFn { d, f, gf, a, b: y } => {
                s[d as usize] = gf_fn(&ctx.gfs[gf as usize], f, s[a as usize], s[y as usize]);
            }
            Op::JumpIfZero { c, to } => {
                if !truth(s[c as usize]) {
                    pc = to as usize;
                    continue;
                }
            }
            Op::Jump { to } => {
                pc = to as usize;
                continue;
            }
            Op::Step { d, height, at } => {
                s[d as usize] = step(s, s[height as usize], s[at as usize])
            }
            Op::Ramp { d, slope, from, to } => {
                s[d as usize] = ramp(s, s[slope as usize], s[from as usize], s[to as usize]);
            }
            Op::Pulse {
                d,
                volume,
                first,
                interval,
            } => {
                s[d as usize] = pulse(
                    s,
                    s[volume as usize],
                    s[first as usize],
                    s[interval as usize],
                );
            }
            Op::Lookup { d, gf, x } => s[d as usize] = lookup(&ctx.gfs[gf as usize], s[x as usize]),
            Op::DelayRead {
                d,
                line,
                time,
                init,
            } => {
                s[d as usize] = delay_read(ctx, s, line, s[time as usize], s[init as usize]);
            }
            Op::Random {
                d,
                site,
                dist,
                a,
                b: y,
                c,
            } => {
                let params = [s[a as usize], s[y as usize], s[c as usize]];
                s[d as usize] = random(ctx, site, dist, params);
            }
            Op::ClampZero { d } => s[d as usize] = clamp_zero(s[d as usize]),
        }
        pc += 1;
    }
}

fn step(s: &[f64], height: f64, at: f64) -> f64 {
    if s[TIME as usize] + time_eps(s) >= at {
        height
    } else {
        0.0
    }
}

fn ramp(s: &[f64], slope: f64, from: f64, to: f64) -> f64 {
    let t = s[TIME as usize];
    if t < from {
        0.0
    } else {
        slope * (t.min(to) - from)
    }
}

/// DELAY: the input as recorded `delay` ago; `init` before the run has that much history.
pub(super) fn delay_read(ctx: &Ctx, s: &[f64], line: u32, delay: f64, init: f64) -> f64 {
    let target = s[TIME as usize] - delay;
    let start = s[START as usize];
    if ctx.recorded == 0 || target < start - time_eps(s) {
        return init;
    }
    let idx = (((target - start) / s[DT as usize]) + 1e-6).floor() as usize;
    // Never panics: native code calls this, and a panic cannot unwind through it.
    ctx.history
        .get(line as usize * ctx.stride + idx.min(ctx.recorded - 1))
        .copied()
        .unwrap_or(init)
}

/// One draw from `site`'s generator (see [`Dist`] for the parameters and the seed rule).
/// Parameters a distribution cannot take (a negative standard deviation, p outside (0, 1], ...)
/// give NaN, except NORMAL, which has always read its sd as |sd|.
pub(super) fn random(ctx: &mut Ctx, site: u32, dist: Dist, [a, b, c]: [f64; 3]) -> f64 {
    let Some(rng) = ctx.rngs.get_mut(site as usize) else {
        return a;
    };
    let draw = |d: Option<f64>| d.unwrap_or(f64::NAN);
    match dist {
        Dist::Normal => match Normal::new(a, b.abs()) {
            Ok(dist) => dist.sample(rng),
            Err(_) => a,
        },
        Dist::Uniform => {
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            a + (b - a) * u
        }
        Dist::LogNormal if b == 0.0 && a > 0.0 => a,
        Dist::LogNormal => draw(
            LogNormal::from_mean_cv(a, b / a)
                .ok()
                .filter(|_| a > 0.0)
                .map(|d| d.sample(rng)),
        ),
        Dist::Poisson => poisson(rng, a),
        Dist::Triangular => draw(Triangular::new(a, c, b).ok().map(|d| d.sample(rng))),
        Dist::Weibull => draw(Weibull::new(b, a).ok().map(|d| d.sample(rng))),
        Dist::Pareto => draw(Pareto::new(b, a).ok().map(|d| d.sample(rng))),
        // A Poisson draw whose mean is a gamma draw (shape = successes, scale = (1 - p) / p) has
        // the negative binomial distribution.
        Dist::NegBinomial if b == 1.0 && a > 0.0 => 0.0,
        Dist::NegBinomial => {
            let gamma = (b > 0.0 && b < 1.0)
                .then(|| Gamma::new(a, (1.0 - b) / b).ok())
                .flatten();
            match gamma {
                Some(g) => {
                    let mean = g.sample(rng);
                    poisson(rng, mean)
                }
                None => f64::NAN,
            }
        }
    }
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    if mean == 0.0 {
        return 0.0;
    }
    Poisson::new(mean).map_or(f64::NAN, |d| d.sample(rng))
}

/// ROOTN, LOGISTIC, NORMALCDF, INVNORM, SINWAVE, COSWAVE and COUNTER.
pub(super) fn fn3(f: F3, a: f64, b: f64, c: f64) -> f64 {
    match f {
        // The real n-th root: odd roots of negative numbers are negative.
        F3::RootN => {
            if a < 0.0 && b.fract() == 0.0 && b.rem_euclid(2.0) == 1.0 {
                -(-a).powf(1.0 / b)
            } else {
                a.powf(1.0 / b)
            }
        }
        F3::Logistic => 1.0 / (1.0 + (-b * (a - c)).exp()),
        F3::NormalCdf => statrs::distribution::Normal::new(b, c).map_or(f64::NAN, |n| n.cdf(a)),
        F3::InvNorm => match statrs::distribution::Normal::new(b, c) {
            Ok(n) if (0.0..=1.0).contains(&a) => n.inverse_cdf(a),
            _ => f64::NAN,
        },
        F3::SinWave => a * (2.0 * std::f64::consts::PI * c / b).sin(),
        F3::CosWave => a * (2.0 * std::f64::consts::PI * c / b).cos(),
        // Time elapsed `c` counted from `a`, starting again at `a` on reaching `b`. The tolerance
        // keeps a sum of DTs that lands a hair below the end from showing the end itself.
        F3::Counter => {
            let span = b - a;
            if span.is_nan() || span <= 0.0 {
                return a;
            }
            let wraps = (c / span + 1e-9).floor();
            a + (c - wraps * span).max(0.0)
        }
    }
}

/// LOOKUPINV, LOOKUPAREA and LOOKUPMEAN on one graphical function.
pub(super) fn gf_fn(g: &GraphicalFunction, f: GfFn, a: f64, b: f64) -> f64 {
    match f {
        GfFn::Inverse => lookup_inverse(g, a),
        GfFn::Area => area_to(g, b) - area_to(g, a),
        GfFn::Mean if a == b => lookup(g, a),
        GfFn::Mean => (area_to(g, b) - area_to(g, a)) / (b - a),
    }
}

/// The x at which the graphical function's points, joined by straight lines, first reach `y`;
/// a `y` beyond every point gives the x of the nearer end (by y).
pub fn lookup_inverse(g: &GraphicalFunction, y: f64) -> f64 {
    let (xs, ys) = (&g.xs, &g.ys);
    if xs.is_empty() || y.is_nan() {
        return f64::NAN;
    }
    for i in 0..xs.len() - 1 {
        let (y0, y1) = (ys[i], ys[i + 1]);
        if (y0 <= y && y <= y1) || (y1 <= y && y <= y0) {
            return if y0 == y1 {
                xs[i]
            } else {
                xs[i] + (y - y0) * (xs[i + 1] - xs[i]) / (y1 - y0)
            };
        }
    }
    let last = xs.len() - 1;
    if (y - ys[0]).abs() <= (y - ys[last]).abs() {
        xs[0]
    } else {
        xs[last]
    }
}

/// The signed area under the graphical function from its first x to `x`, read as `lookup`
/// reads it: straight lines (steps for a discrete one) between points, and beyond the ends the
/// end value (or the end segment's line for an extrapolating one).
pub fn area_to(g: &GraphicalFunction, x: f64) -> f64 {
    let (xs, ys) = (&g.xs, &g.ys);
    let n = xs.len();
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    let discrete = g.kind == GfKind::Discrete;
    // The area over [from, to] within one piece: a trapezoid, or a step for a discrete one.
    let piece = |from: f64, y_from: f64, to: f64, y_to: f64| {
        if discrete {
            y_from * (to - from)
        } else {
            (y_from + y_to) / 2.0 * (to - from)
        }
    };
    if x <= xs[0] || n == 1 {
        return (x - xs[0]) * (ys[0] + lookup(g, x)) / 2.0;
    }
    let mut area = 0.0;
    for i in 1..n {
        if xs[i] <= x {
            area += piece(xs[i - 1], ys[i - 1], xs[i], ys[i]);
        } else {
            return area + piece(xs[i - 1], ys[i - 1], x, lookup(g, x));
        }
    }
    area + (x - xs[n - 1]) * (ys[n - 1] + lookup(g, x)) / 2.0
}

pub(super) fn fn1(f: F1, x: f64) -> f64 {
    match f {
        F1::Abs => x.abs(),
        F1::Exp => x.exp(),
        F1::Ln => x.ln(),
        F1::Log10 => x.log10(),
        F1::Sqrt => x.sqrt(),
        F1::Sin => x.sin(),
        F1::Cos => x.cos(),
        F1::Tan => x.tan(),
        F1::Arcsin => x.asin(),
        F1::Arccos => x.acos(),
        F1::Arctan => x.atan(),
        F1::Int => x.floor(),
    }
}

/// PULSE: `volume / DT` during the step at `first` and every `interval` after (none if ≤ 0),
/// so that a flow carries exactly `volume` per pulse.
fn pulse(s: &[f64], volume: f64, first: f64, interval: f64) -> f64 {
    let (t, dt, eps) = (s[TIME as usize], s[DT as usize], time_eps(s));
    if t + eps < first {
        return 0.0;
    }
    let last = if interval > 0.0 {
        first + ((t - first + eps) / interval).floor() * interval
    } else {
        first
    };
    if t + eps >= last && t + eps < last + dt {
        volume / dt
    } else {
        0.0
    }
}

/// Evaluates a graphical function at `x`.
pub fn lookup(g: &GraphicalFunction, x: f64) -> f64 {
    let (xs, ys) = (&g.xs, &g.ys);
    let n = xs.len();
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    if n == 1 {
        return ys[0];
    }
    let line = |i: usize, j: usize| {
        let dx = xs[j] - xs[i];
        if dx == 0.0 {
            ys[j]
        } else {
            ys[i] + (x - xs[i]) * (ys[j] - ys[i]) / dx
        }
    };
    if x <= xs[0] {
        return if g.kind == GfKind::Extrapolate {
            line(0, 1)
        } else {
            ys[0]
        };
    }
    if x >= xs[n - 1] {
        return if g.kind == GfKind::Extrapolate {
            line(n - 2, n - 1)
        } else {
            ys[n - 1]
        };
    }
    let j = xs.partition_point(|&v| v <= x);
    match g.kind {
        GfKind::Discrete => ys[j - 1],
        _ => line(j - 1, j),
    }
}
