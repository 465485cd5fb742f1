//! Calls of the built-in functions: their number of arguments and argument types.

use super::{error_expr, ExprChecker};
use crate::ast;
use crate::diagnostics::{did_you_mean, one_of, Code, Diagnostic};
use crate::ir::{Builtin, Expr, ExprKind};
use crate::span::Span;
use crate::value::{Type, Value};

impl ExprChecker<'_> {
    pub(super) fn call(&mut self, function: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
        let Some((_, f)) = Builtin::ALL.iter().find(|(n, _)| *n == function.node) else {
            return self.unknown_function(function, args, span);
        };
        let f = *f;
        let arity = match f {
            Builtin::Len | Builtin::Lower | Builtin::Upper | Builtin::Abs => 1,
            _ => 2,
        };
        let checked: Vec<Expr> = args.iter().map(|a| self.check(a, None)).collect();
        if checked.len() != arity {
            self.errors.push(
                Diagnostic::error(
                    Code::ArgumentCount,
                    format!(
                        "`{}` takes {arity} argument{}, but {} {} given",
                        f.name(),
                        if arity == 1 { "" } else { "s" },
                        checked.len(),
                        if checked.len() == 1 { "was" } else { "were" }
                    ),
                    span,
                    "this call",
                )
                .with_help(format!("`{}`", f.signature())),
            );
            return error_expr(span);
        }
        if checked.iter().any(|a| a.ty.is_error()) {
            return error_expr(span);
        }
        let t1 = checked.get(1).map(|a| &a.ty);
        let result = result_type(f, &checked[0].ty, t1);
        if let (Some(_), Builtin::Round) = (&result, f) {
            if let Some(d) = places_out_of_range(&checked[1]) {
                self.errors.push(d);
                return error_expr(span);
            }
        }
        match result {
            Some(ty) => Expr {
                kind: ExprKind::Call(f, checked),
                ty,
                span,
            },
            None => {
                let mut d = Diagnostic::error(
                    Code::BadArgument,
                    format!("`{}` cannot take these arguments", f.name()),
                    function.span,
                    "this function",
                )
                .with_help(format!("`{}`", f.signature()));
                for a in &checked {
                    d = d.with_label(a.span, self.label_type(&a.ty));
                }
                self.errors.push(d);
                error_expr(span)
            }
        }
    }

    /// A call of a function that does not exist; its arguments are still checked.
    fn unknown_function(&mut self, function: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
        let mut d = Diagnostic::error(
            Code::UnknownFunction,
            format!("there is no function `{}`", function.node),
            function.span,
            "unknown function",
        );
        let names: Vec<&str> = Builtin::ALL.iter().map(|(n, _)| *n).collect();
        d = match did_you_mean(&function.node, names.iter().copied()) {
            Some(g) => d.with_help(format!("did you mean `{g}`?")),
            None => d.with_help(format!("the functions are {}", one_of(&names))),
        };
        self.errors.push(d);
        for a in args {
            self.check(a, None);
        }
        error_expr(span)
    }
}

/// The type of a call of `f` on arguments of types `t0` (and `t1`), or `None` when
/// `f` does not take them.
fn result_type(f: Builtin, t0: &Type, t1: Option<&Type>) -> Option<Type> {
    use Type::*;
    match f {
        Builtin::Len => matches!(t0, Text | List(_) | EmptyList).then_some(Int),
        Builtin::Lower | Builtin::Upper => (*t0 == Text).then_some(Text),
        Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => {
            (*t0 == Text && t1 == Some(&Text)).then_some(Bool)
        }
        Builtin::Min | Builtin::Max => match t1 {
            Some(t1) if t0.is_numeric() && t1.is_numeric() => Some(if *t0 == Int && *t1 == Int {
                Int
            } else {
                Decimal
            }),
            Some(t1) if t0 == t1 && t0.is_ordered() => Some(t0.clone()),
            _ => None,
        },
        Builtin::Abs => matches!(t0, Int | Decimal | Percent).then(|| t0.clone()),
        Builtin::Round => (t0.is_numeric() && t1 == Some(&Int)).then_some(Decimal),
    }
}

/// The places of a `round` known when the policy is checked, if not from 0 to 28.
fn places_out_of_range(places: &Expr) -> Option<Diagnostic> {
    let mut read = Vec::new();
    crate::check::rules::fields_read(places, &mut read);
    if !read.is_empty() {
        return None;
    }
    let Ok(Value::Int(n)) = crate::semantics::const_eval(places) else {
        return None;
    };
    let max = crate::semantics::decimal::MAX_PLACES;
    if (0..=i64::from(max)).contains(&n) {
        return None;
    }
    let help = if n < 0 {
        "to round to tens or hundreds, divide first: `round(x / 100, 0) * 100`"
    } else {
        "a decimal has at most 28 places"
    };
    Some(
        Diagnostic::error(
            Code::BadArgument,
            format!("`round` rounds to 0 to {max} places, not `{n}`"),
            places.span,
            "the number of places",
        )
        .with_help(help),
    )
}
