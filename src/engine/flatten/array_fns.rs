//! Array built-ins, expanded at flatten time into plain expressions over element variables:
//! SUM, MEAN, PROD, STDDEV, SIZE, one-argument MIN and MAX, RANK, and the vector functions
//! VECTOR SORT ORDER, VECTOR ELM MAP and VECTOR SELECT.
//!
//! Index conventions follow the reference outputs of the given corpus (Simlin's test models):
//! RANK gives 1-based ranks (ascending), VECTOR SORT ORDER and VECTOR ELM MAP use 0-based
//! positions.

use super::{AVal, Flattener, bind_ctx, span_of};
use crate::engine::expr::{BinOp, Expr, Span, UnOp, bin, ite, num};

/// Vector functions build O(n²) comparisons; past this many elements they are refused.
pub const MAX_VECTOR_ELEMENTS: usize = 1_000;

/// A balanced sum (or product) so that long arrays make shallow trees.
fn fold(op: BinOp, items: &[Expr], empty: f64) -> Expr {
    match items.len() {
        0 => num(empty),
        1 => items[0].clone(),
        n => bin(
            op,
            fold(op, &items[..n / 2], empty),
            fold(op, &items[n / 2..], empty),
        ),
    }
}

fn min_max(name: &str, items: &[Expr]) -> Expr {
    match items.len() {
        0 => num(0.0),
        1 => items[0].clone(),
        n => Expr::Call(
            name.into(),
            vec![
                min_max(name, &items[..n / 2]),
                min_max(name, &items[n / 2..]),
            ],
            Span { start: 0, end: 0 },
        ),
    }
}

/// The position (counted from `base`) of the element whose rank in `ranks` is `want`.
fn position_of_rank(ranks: &[Expr], want: &Expr, base: usize) -> Expr {
    let terms: Vec<Expr> = ranks
        .iter()
        .enumerate()
        .map(|(i, ri)| {
            bin(
                BinOp::Mul,
                num((i + base) as f64),
                bin(BinOp::Eq, ri.clone(), want.clone()),
            )
        })
        .collect();
    fold(BinOp::Add, &terms, 0.0)
}

/// 1-based ascending rank of each element; ties keep array order.
fn ranks(xs: &[Expr]) -> Vec<Expr> {
    (0..xs.len())
        .map(|i| {
            let mut terms = vec![num(1.0)];
            for (j, xj) in xs.iter().enumerate() {
                if j == i {
                    continue;
                }
                let op = if j < i { BinOp::Le } else { BinOp::Lt };
                terms.push(bin(op, xj.clone(), xs[i].clone()));
            }
            fold(BinOp::Add, &terms, 0.0)
        })
        .collect()
}

impl<'m> Flattener<'m> {
    /// An argument that takes a whole array: if the context reduces it to one value, the
    /// dimension names in it mean the whole dimension.
    fn array_arg(&mut self, scope: &super::Scope<'m>, e: &Expr, ctx: &[(usize, usize)]) -> AVal {
        let v = self.expand(scope, e, ctx, false);
        if !v.axes.is_empty() {
            return v;
        }
        self.expand(scope, e, ctx, true)
    }
}

/// Expands an array built-in; `None` if `upper` is not one.
pub(super) fn call<'m>(
    f: &mut Flattener<'m>,
    scope: &super::Scope<'m>,
    upper: &str,
    args: &[Expr],
    span: Span,
    ctx: &[(usize, usize)],
    whole: bool,
) -> Option<AVal> {
    let reducing = matches!(upper, "SUM" | "MEAN" | "PROD" | "STDDEV" | "SIZE")
        || (matches!(upper, "MIN" | "MAX") && args.len() == 1);
    if reducing {
        if args.is_empty() {
            f.report(span, format!("{upper} takes at least 1 argument"));
            return Some(AVal::scalar(num(0.0)));
        }
        let mut items = Vec::new();
        for a in args {
            items.extend(f.expand(scope, a, ctx, whole).elems);
        }
        let n = items.len() as f64;
        let e = match upper {
            "SUM" => fold(BinOp::Add, &items, 0.0),
            "PROD" => fold(BinOp::Mul, &items, 1.0),
            "SIZE" => num(n),
            "MEAN" => bin(BinOp::Div, fold(BinOp::Add, &items, 0.0), num(n)),
            "MIN" | "MAX" => min_max(upper, &items),
            _ => {
                // Population standard deviation.
                let mean = bin(BinOp::Div, fold(BinOp::Add, &items, 0.0), num(n));
                let sq: Vec<Expr> = items
                    .iter()
                    .map(|x| {
                        let d = bin(BinOp::Sub, x.clone(), mean.clone());
                        bin(BinOp::Mul, d.clone(), d)
                    })
                    .collect();
                Expr::Call(
                    "SQRT".into(),
                    vec![bin(BinOp::Div, fold(BinOp::Add, &sq, 0.0), num(n))],
                    span,
                )
            }
        };
        return Some(AVal::scalar(e));
    }
    let arity = |f: &mut Flattener<'m>, lo: usize, hi: usize| {
        if args.len() < lo || args.len() > hi {
            f.report(
                span,
                format!(
                    "{} takes {lo} to {hi} arguments, found {}",
                    upper.replace('_', " "),
                    args.len()
                ),
            );
            false
        } else {
            true
        }
    };
    // A vector function's first argument: the whole array, within the size limit.
    let vector = |f: &mut Flattener<'m>, lo: usize, hi: usize| {
        if !arity(f, lo, hi) {
            return None;
        }
        let v = f.array_arg(scope, &args[0], ctx);
        too_long(f, &v, span, upper).then_some(v)
    };
    match upper {
        "RANK" => {
            let Some(v) = vector(f, 1, 3) else {
                return Some(AVal::scalar(num(0.0)));
            };
            let r = ranks(&v.elems);
            let ranked = AVal {
                axes: v.axes,
                elems: r.clone(),
            };
            let bound = bind_ctx(ranked, ctx, whole);
            if bound.axes.is_empty() || args.len() < 2 {
                return Some(bound);
            }
            // Outside an array context: the (1-based) position of the element of that rank.
            let want = f.expand(scope, &args[1], ctx, whole);
            let want = want.elems.into_iter().next().unwrap_or(num(1.0));
            Some(AVal::scalar(position_of_rank(&r, &want, 1)))
        }
        "VECTOR_SORT_ORDER" => {
            let Some(v) = vector(f, 1, 2) else {
                return Some(AVal::scalar(num(0.0)));
            };
            let dir = match args.get(1) {
                Some(d) => f.expand(scope, d, ctx, whole).elems.into_iter().next(),
                None => None,
            }
            .unwrap_or(num(1.0));
            // Descending order ranks the negated values.
            let keyed: Vec<Expr> = v
                .elems
                .iter()
                .map(|x| {
                    ite(
                        bin(BinOp::Lt, dir.clone(), num(0.0)),
                        Expr::Unary(UnOp::Neg, Box::new(x.clone())),
                        x.clone(),
                    )
                })
                .collect();
            let r = ranks(&keyed);
            let order: Vec<Expr> = (0..r.len())
                .map(|k| position_of_rank(&r, &num((k + 1) as f64), 0))
                .collect();
            Some(bind_ctx(
                AVal {
                    axes: v.axes,
                    elems: order,
                },
                ctx,
                whole,
            ))
        }
        "VECTOR_ELM_MAP" => {
            let Some(source) = vector(f, 2, 2) else {
                return Some(AVal::scalar(num(0.0)));
            };
            let offset = f.expand(scope, &args[1], ctx, whole);
            let elems = offset
                .elems
                .iter()
                .map(|o| pick0(o, &source.elems))
                .collect();
            Some(AVal {
                axes: offset.axes,
                elems,
            })
        }
        "VECTOR_SELECT" => {
            if !arity(f, 2, 5) {
                return Some(AVal::scalar(num(0.0)));
            }
            let sel = f.array_arg(scope, &args[0], ctx);
            let vals = f.array_arg(scope, &args[1], ctx);
            if sel.elems.len() != vals.elems.len() {
                f.report(
                    span_of(&args[1]),
                    format!(
                        "VECTOR SELECT: the selection has {} elements and the values {}",
                        sel.elems.len(),
                        vals.elems.len()
                    ),
                );
                return Some(AVal::scalar(num(0.0)));
            }
            let scalar_arg = |f: &mut Flattener<'m>, k: usize, default: f64| match args.get(k) {
                Some(a) => f
                    .expand(scope, a, ctx, whole)
                    .elems
                    .into_iter()
                    .next()
                    .unwrap_or(num(default)),
                None => num(default),
            };
            let missing = scalar_arg(f, 2, 0.0);
            let action = match args.get(3).map(|a| f.expand(scope, a, ctx, whole)) {
                Some(a) => match a.elems.first().cloned() {
                    Some(Expr::Num(n)) => n,
                    _ => {
                        f.report(
                            span_of(&args[3]),
                            "VECTOR SELECT: the action must be a number (0 sum, 1 product, 2 min, 3 max)".into(),
                        );
                        0.0
                    }
                },
                None => 0.0,
            };
            let selected = |x: &Expr, s: &Expr, neutral: Expr| {
                ite(bin(BinOp::Ne, s.clone(), num(0.0)), x.clone(), neutral)
            };
            let pairs = vals.elems.iter().zip(&sel.elems);
            let any = fold(
                BinOp::Add,
                &sel.elems
                    .iter()
                    .map(|s| bin(BinOp::Ne, s.clone(), num(0.0)))
                    .collect::<Vec<_>>(),
                0.0,
            );
            let body = match action as i64 {
                1 => fold(
                    BinOp::Mul,
                    &pairs
                        .map(|(x, s)| selected(x, s, num(1.0)))
                        .collect::<Vec<_>>(),
                    1.0,
                ),
                2 => min_max(
                    "MIN",
                    &pairs
                        .map(|(x, s)| selected(x, s, num(f64::INFINITY)))
                        .collect::<Vec<_>>(),
                ),
                3 => min_max(
                    "MAX",
                    &pairs
                        .map(|(x, s)| selected(x, s, num(f64::NEG_INFINITY)))
                        .collect::<Vec<_>>(),
                ),
                _ => fold(
                    BinOp::Add,
                    &pairs
                        .map(|(x, s)| selected(x, s, num(0.0)))
                        .collect::<Vec<_>>(),
                    0.0,
                ),
            };
            Some(AVal::scalar(ite(
                bin(BinOp::Gt, any, num(0.0)),
                body,
                missing,
            )))
        }
        _ => None,
    }
}

fn too_long(f: &mut Flattener<'_>, v: &AVal, span: Span, name: &str) -> bool {
    if v.elems.len() > MAX_VECTOR_ELEMENTS {
        f.report(
            span,
            format!(
                "{} over {} elements is over the limit of {MAX_VECTOR_ELEMENTS}",
                name.replace('_', " "),
                v.elems.len()
            ),
        );
        return false;
    }
    true
}

/// `items[ix]` with a 0-based computed position (out of range gives 0).
fn pick0(ix: &Expr, items: &[Expr]) -> Expr {
    fn tree(ix: &Expr, items: &[Expr], first: usize) -> Expr {
        if items.len() == 1 {
            return items[0].clone();
        }
        let mid = items.len() / 2;
        ite(
            bin(BinOp::Lt, ix.clone(), num((first + mid) as f64 - 0.5)),
            tree(ix, &items[..mid], first),
            tree(ix, &items[mid..], first + mid),
        )
    }
    if items.is_empty() {
        return num(0.0);
    }
    let in_range = bin(
        BinOp::And,
        bin(BinOp::Ge, ix.clone(), num(-0.5)),
        bin(BinOp::Lt, ix.clone(), num(items.len() as f64 - 0.5)),
    );
    ite(in_range, tree(ix, items, 0), num(0.0))
}
