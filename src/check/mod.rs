//! Static checking: names, types, scopes, limits and tests, against the schema.
//! Produces the [`crate::ir::CheckedPolicy`] that evaluation runs on, or every error found.
//!
//! One file per construct: `schema.rs`, `lets.rs`, `rules.rs`, `scope.rs`, `limit.rs`,
//! `template.rs`, `test_item.rs`; expressions in `expr/`; warnings in `lint/`.

mod expr;
mod lets;
mod limit;
mod lint;
mod params;
mod rules;
mod schema;
mod scope;
mod template;
mod test_item;

use crate::ast;
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::ir::{CheckedPolicy, Constant, Rule, Schema, Test};
use crate::outcome::Decision;
use crate::span::Span;
use crate::value::Type;
use expr::{ExprChecker, Fields};
pub use lint::lint;
pub use params::{validate, Binding, Params};

/// Checks a parsed policy, with its params bound or not. Errors are returned all at
/// once, sorted by position.
pub fn check(policy: &ast::Policy, binding: Binding) -> Result<CheckedPolicy, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let schema = schema::check_schema(&policy.schema, &mut errors);
    let today = match binding {
        Binding::Bound(_) => Some(chrono::Utc::now().date_naive()),
        Binding::Unbound => None,
    };
    let mut checker = Checker {
        schema,
        constants: Vec::new(),
        errors,
        used_constants: Vec::new(),
        binding,
        today,
        uses_today: false,
    };
    checker.params(policy);
    checker.lets(policy);
    let rules = checker.rules(policy);
    let tests = checker.tests(policy, &rules);
    checker.shadowed_enum_values(policy);
    checker.finish(policy, rules, tests)
}

/// The type of an expression written against a checked policy's schema and constants
/// (for tools, and to document the typing rules): `type_of(&p, "units * 2")` is `int`.
pub fn type_of(policy: &CheckedPolicy, expr: &str) -> Result<Type, Vec<Diagnostic>> {
    let ast = crate::syntax::parse_expr(expr)?;
    let mut errors = Vec::new();
    let e = ExprChecker::new(
        &policy.schema,
        &policy.constants,
        &[],
        Fields::Allowed,
        &mut errors,
    )
    .check(&ast, None);
    if errors.is_empty() {
        Ok(e.ty)
    } else {
        Err(errors)
    }
}

struct Checker<'b> {
    schema: Schema,
    constants: Vec<Constant>,
    errors: Vec<Diagnostic>,
    used_constants: Vec<usize>,
    binding: Binding<'b>,
    /// The value of `today` when bound.
    today: Option<crate::value::Date>,
    /// Whether some expression used `today`.
    uses_today: bool,
}

impl Checker<'_> {
    pub(super) fn expr_checker<'a>(
        &'a mut self,
        later: &'a [(String, Span)],
        fields: Fields,
    ) -> ExprChecker<'a> {
        let mut c = ExprChecker::new(
            &self.schema,
            &self.constants,
            later,
            fields,
            &mut self.errors,
        );
        c.today = self.today;
        c
    }

    /// Runs `f` with an expression checker, keeping track of the constants it used.
    pub(super) fn with_exprs<T>(
        &mut self,
        fields: Fields,
        f: impl FnOnce(&mut ExprChecker) -> T,
    ) -> T {
        self.with_exprs_before(&[], fields, f)
    }

    /// Like [`Self::with_exprs`], where `later` are the constants defined further down.
    pub(super) fn with_exprs_before<T>(
        &mut self,
        later: &[(String, Span)],
        fields: Fields,
        f: impl FnOnce(&mut ExprChecker) -> T,
    ) -> T {
        let mut used = Vec::new();
        let today;
        let out = {
            let mut c = self.expr_checker(later, fields);
            let out = f(&mut c);
            used.append(&mut c.used_constants);
            today = c.uses_today;
            out
        };
        self.used_constants.extend(used);
        self.uses_today |= today;
        out
    }

    /// The checked policy, or every error found, sorted by position.
    fn finish(
        mut self,
        policy: &ast::Policy,
        rules: Vec<Rule>,
        tests: Vec<Test>,
    ) -> Result<CheckedPolicy, Vec<Diagnostic>> {
        self.today_set_in_every_test(policy);
        let Checker {
            schema,
            mut constants,
            mut errors,
            used_constants,
            today,
            uses_today,
            ..
        } = self;
        for i in used_constants {
            if let Some(c) = constants.get_mut(i) {
                c.used = true;
            }
        }
        if errors.iter().any(|d| d.severity == Severity::Error) {
            errors.sort_by_key(|d| d.span());
            errors.dedup();
            return Err(errors);
        }
        let default = policy.default.as_ref().map_or(Decision::Allow, |d| d.node);
        Ok(CheckedPolicy {
            name: policy.name.node.clone(),
            default,
            schema,
            constants,
            rules,
            tests,
            today: today.filter(|_| uses_today),
            uses_today,
        })
    }

    /// An enum value that is also a field or constant name cannot be written bare.
    fn shadowed_enum_values(&mut self, policy: &ast::Policy) {
        for decl in &policy.schema.fields {
            let ast::TypeExprKind::Enum(values) = &decl.ty.kind else {
                continue;
            };
            for v in values {
                let clash = if let Some(slot) = self.schema.slot(&v.node) {
                    Some(("field", self.schema.fields[slot].span))
                } else {
                    self.constants
                        .iter()
                        .find(|c| c.name == v.node)
                        .map(|c| ("constant", c.span))
                };
                if let Some((what, span)) = clash {
                    self.errors.push(
                        Diagnostic::error(
                            Code::EnumValueShadowed,
                            format!("the enum value `{}` has the same name as a {what}", v.node),
                            v.span,
                            "enum value",
                        )
                        .with_label(span, format!("the {what}"))
                        .with_help(format!(
                            "a bare `{}` would mean the {what}; rename one of them",
                            v.node
                        )),
                    );
                }
            }
        }
    }
}
