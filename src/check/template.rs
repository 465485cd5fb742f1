//! `because` templates: text with `{...}` interpolations of record values, and in a
//! `limit` rule, `{limit.NAME}` facts of the allocation.

use super::expr::Fields;
use super::Checker;
use crate::ast;
use crate::diagnostics::{all_of, did_you_mean, Code, Diagnostic};
use crate::ir::{self, LimitFact, Template};
use crate::span::Spanned;

impl Checker<'_> {
    /// Checks a `because` text; `limit` is the rule's `limit` clause when it has one.
    pub(super) fn template(&mut self, t: &ast::Template, limit: Option<&ast::Limit>) -> Template {
        let parts = t
            .parts
            .iter()
            .map(|p| match p {
                ast::TemplatePart::Text(s) => ir::TemplatePart::Text(s.clone()),
                ast::TemplatePart::Fact(name) => self.fact(name, limit),
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

    /// `{limit.NAME}`: a known fact, in a `limit` rule (with `per` for `group`). After
    /// an error the part shows nothing: the policy is not run anyway.
    fn fact(&mut self, name: &Spanned<String>, limit: Option<&ast::Limit>) -> ir::TemplatePart {
        let written = format!("limit.{}", name.node);
        let Some(fact) = LimitFact::parse(&name.node) else {
            let known = LimitFact::ALL.map(|f| format!("limit.{}", f.name()));
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            let mut help = format!("the facts are {}", all_of(&known));
            if let Some(g) = did_you_mean(&name.node, LimitFact::ALL.map(LimitFact::name)) {
                help = format!("did you mean `limit.{g}`? {help}");
            }
            self.errors.push(
                Diagnostic::error(
                    Code::LimitUnknownFact,
                    format!("there is no allocation fact `{written}`"),
                    name.span,
                    "unknown fact",
                )
                .with_help(help),
            );
            return ir::TemplatePart::Text(String::new());
        };
        let Some(limit) = limit else {
            self.errors.push(
                Diagnostic::error(
                    Code::LimitFactOutsideLimit,
                    format!("`{written}` is a fact of a `limit`, and this rule is not a `limit`"),
                    name.span,
                    "only the `because` of a `limit` rule can show it",
                )
                .with_help("show the record's own values here, such as `{units}`, or move the text to the `limit` rule"),
            );
            return ir::TemplatePart::Text(String::new());
        };
        if fact == LimitFact::Group && limit.per.is_none() {
            self.errors.push(
                Diagnostic::error(
                    Code::LimitFactWithoutPer,
                    "`limit.group` is the record's group, and this `limit` has no `per`",
                    name.span,
                    "this limit has one cap for every record",
                )
                .with_label(limit.scope.span, "no `per FIELD` in this limit")
                .with_help("give the limit groups with `per FIELD` (a cap per firm), or leave `{limit.group}` out"),
            );
            return ir::TemplatePart::Text(String::new());
        }
        ir::TemplatePart::Fact(fact)
    }
}
