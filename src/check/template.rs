//! `because` templates: text with `{...}` interpolations of record values.

use super::expr::Fields;
use super::Checker;
use crate::ast;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Template};

impl Checker {
    pub(super) fn template(&mut self, t: &ast::Template) -> Template {
        let parts = t
            .parts
            .iter()
            .map(|p| match p {
                ast::TemplatePart::Text(s) => ir::TemplatePart::Text(s.clone()),
                ast::TemplatePart::Expr(e) => {
                    if let ast::ExprKind::Text(_) = e.kind {
                        self.errors.push(
                            Diagnostic::error(
                                Code::TextInInterpolation,
                                "a `{...}` interpolation shows a value from the record; this is a plain string",
                                e.span,
                                "a string literal",
                            )
                            .with_help("write the text outside the braces"),
                        );
                    }
                    ir::TemplatePart::Expr(self.with_exprs(Fields::Allowed, |c| c.check(e, None)))
                }
            })
            .collect();
        Template { parts }
    }
}
