//! Long operator chains (`a + b + … + z`) built without deep trees: the parser reads a chain in a
//! loop, and a tree as deep as the chain is long would overflow the stack of every later stage
//! that walks it (and of its own drop). Short chains keep the exact left-to-right order; long
//! ones are regrouped into a balanced tree of depth log2(n).

use super::{BinOp, Expr, SyntaxError, UnOp};

/// Chains with at most this many operators are folded left to right, as written.
pub const LEFT_FOLD_MAX: usize = 64;

/// Builds `first op1 e1 op2 e2 …` (all operators of one precedence level, left-associative).
/// `rest` holds each operator with its byte offset in the equation and its right operand.
pub fn build(first: Expr, rest: Vec<(BinOp, usize, Expr)>) -> Result<Expr, SyntaxError> {
    if rest.len() <= LEFT_FOLD_MAX {
        let mut lhs = first;
        for (op, _, rhs) in rest {
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        return Ok(lhs);
    }
    let op0 = rest[0].0;
    match op0 {
        BinOp::Add | BinOp::Sub => {
            // a - b is a + (-b) exactly in floating point; the sum is then regrouped.
            let mut terms = vec![first];
            for (op, _, e) in rest {
                terms.push(match op {
                    BinOp::Sub => Expr::Unary(UnOp::Neg, Box::new(e)),
                    _ => e,
                });
            }
            Ok(balanced(BinOp::Add, terms))
        }
        BinOp::Mul | BinOp::Div | BinOp::Mod => {
            // a / b is a * (1 / b): one more rounding, but no product of all numerators that
            // could overflow where the chain as written would not.
            let mut factors = vec![first];
            for (op, offset, e) in rest {
                factors.push(match op {
                    BinOp::Mul => e,
                    BinOp::Div => Expr::Binary(BinOp::Div, Box::new(Expr::Num(1.0)), Box::new(e)),
                    _ => return Err(too_long(offset, "MOD")),
                });
            }
            Ok(balanced(BinOp::Mul, factors))
        }
        BinOp::And | BinOp::Or => {
            let terms = std::iter::once(first).chain(rest.into_iter().map(|r| r.2));
            Ok(balanced(op0, terms.collect()))
        }
        _ => Err(too_long(rest[LEFT_FOLD_MAX].1, "comparison")),
    }
}

fn too_long(offset: usize, what: &str) -> SyntaxError {
    SyntaxError {
        offset,
        message: format!(
            "more than {LEFT_FOLD_MAX} operators in a chain with a {what}; split the equation"
        ),
    }
}

/// Combines `items` pairwise, level by level: a tree of depth ceil(log2 n), built in a loop.
fn balanced(op: BinOp, mut items: Vec<Expr>) -> Expr {
    while items.len() > 1 {
        let mut next = Vec::with_capacity(items.len().div_ceil(2));
        let mut it = items.into_iter();
        while let Some(a) = it.next() {
            next.push(match it.next() {
                Some(b) => Expr::Binary(op, Box::new(a), Box::new(b)),
                None => a,
            });
        }
        items = next;
    }
    items.pop().unwrap_or(Expr::Num(0.0))
}

/// Depth of an expression tree, measured with an explicit stack (no recursion).
pub fn depth(e: &Expr) -> usize {
    let mut max = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        match e {
            Expr::Num(_) | Expr::Var(..) => {}
            Expr::Unary(_, a) => stack.push((a, d + 1)),
            Expr::Binary(_, a, b) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            Expr::If(c, a, b) => {
                stack.push((c, d + 1));
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            Expr::Call(_, args, _) => stack.extend(args.iter().map(|a| (a, d + 1))),
            Expr::Subscript(_, idx, _) => {
                for i in idx {
                    match i {
                        super::Index::Star => {}
                        super::Index::At(a) => stack.push((a, d + 1)),
                        super::Index::Range(a, b) => {
                            stack.push((a, d + 1));
                            stack.push((b, d + 1));
                        }
                    }
                }
            }
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::expr::parse;

    #[test]
    fn long_sums_are_balanced_and_short_ones_kept_in_order() {
        let sum = vec!["1"; 100_000].join("+");
        let e = parse(&sum).expect("parses");
        assert!(depth(&e) <= 20, "depth {}", depth(&e));
        let short = parse("1+2+3").expect("parses");
        assert_eq!(depth(&short), 3);
    }

    #[test]
    fn long_comparison_chains_are_refused_at_the_operator() {
        let chain = vec!["1"; 100].join("<");
        let err = parse(&chain).expect_err("refused");
        assert_eq!(err.offset, 2 * LEFT_FOLD_MAX + 1, "{}", err.message);
    }
}
