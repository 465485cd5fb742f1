//! Static checking: names, types, scopes, limits and tests, against the schema.
//! Produces the [`crate::ir::CheckedPolicy`] that evaluation runs on, or every error found.

mod expr;
mod lint;
mod schema;

use std::collections::HashMap;

use crate::ast::{self, Clause, Given, Item, Quantity};
use crate::diagnostics::{all_of, did_you_mean, one_of, Code, Diagnostic, Severity};
use crate::ir::{self, *};
use crate::outcome::{Decision, Verdict};
use crate::semantics::const_eval;
use crate::span::Span;
use crate::value::{Type, Value};
use expr::{ExprChecker, Fields};
pub use lint::lint;

/// Checks a parsed policy. Errors are returned all at once, sorted by position.
pub fn check(policy: &ast::Policy) -> Result<CheckedPolicy, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let schema = schema::check_schema(&policy.schema, &mut errors);
    let mut checker = Checker {
        schema,
        constants: Vec::new(),
        errors,
        used_constants: Vec::new(),
    };
    let all_lets: Vec<(String, Span)> = policy
        .lets()
        .map(|l| (l.name.node.clone(), l.name.span))
        .collect();

    let mut rules = Vec::new();
    let mut rule_names: HashMap<&str, Span> = HashMap::new();
    let mut scope_fields_reported = false;
    let mut order_by: Option<(usize, Span)> = None;
    for l in policy.lets() {
        let index = all_lets
            .iter()
            .position(|(_, s)| *s == l.name.span)
            .unwrap_or(0);
        checker.let_item(l, &all_lets[index + 1..]);
    }
    // Rules see every constant of the file, wherever it is defined.
    for item in &policy.items {
        match item {
            Item::Let(_) => {}
            Item::Rule(r) => {
                if let Some(first) = rule_names.get(r.name.node.as_str()) {
                    checker.errors.push(
                        Diagnostic::error(
                            Code::DuplicateRule,
                            format!("there is already a rule named `{}`", r.name.node),
                            r.name.span,
                            "second rule with this name",
                        )
                        .with_label(*first, "first defined here")
                        .with_help("rule names are unique in a file: rename one of them"),
                    );
                } else {
                    rule_names.insert(&r.name.node, r.name.span);
                }
                if let Some(rule) = checker.rule(r, &mut scope_fields_reported, &mut order_by) {
                    rules.push(rule);
                }
            }
            Item::Test(_) => {}
        }
    }
    let mut tests = Vec::new();
    let mut test_names: HashMap<&str, Span> = HashMap::new();
    for t in policy.tests() {
        if let Some(first) = test_names.get(t.name.node.as_str()) {
            checker.errors.push(
                Diagnostic::error(
                    Code::DuplicateTest,
                    format!("there is already a test named \"{}\"", t.name.node),
                    t.name.span,
                    "second test with this name",
                )
                .with_label(*first, "first defined here")
                .with_help("give each test its own name"),
            );
        } else {
            test_names.insert(&t.name.node, t.name.span);
        }
        if let Some(test) = checker.test(t, &rules) {
            tests.push(test);
        }
    }
    checker.shadowed_enum_values(policy);

    let Checker {
        schema,
        mut constants,
        mut errors,
        used_constants,
    } = checker;
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
    })
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

struct Checker {
    schema: Schema,
    constants: Vec<Constant>,
    errors: Vec<Diagnostic>,
    used_constants: Vec<usize>,
}

impl Checker {
    fn expr_checker<'a>(
        &'a mut self,
        later: &'a [(String, Span)],
        fields: Fields,
    ) -> ExprChecker<'a> {
        ExprChecker::new(
            &self.schema,
            &self.constants,
            later,
            fields,
            &mut self.errors,
        )
    }

    /// Runs `f` with an expression checker, keeping track of the constants it used.
    fn with_exprs<T>(&mut self, fields: Fields, f: impl FnOnce(&mut ExprChecker) -> T) -> T {
        self.with_exprs_before(&[], fields, f)
    }

    /// Like [`Self::with_exprs`], where `later` are the constants defined further down.
    fn with_exprs_before<T>(
        &mut self,
        later: &[(String, Span)],
        fields: Fields,
        f: impl FnOnce(&mut ExprChecker) -> T,
    ) -> T {
        let mut used = Vec::new();
        let out = {
            let mut c = self.expr_checker(later, fields);
            let out = f(&mut c);
            used.append(&mut c.used_constants);
            out
        };
        self.used_constants.extend(used);
        out
    }

    fn let_item(&mut self, l: &ast::Let, later: &[(String, Span)]) {
        let name = &l.name.node;
        if let Some(slot) = self.schema.slot(name) {
            self.errors.push(
                Diagnostic::error(
                    Code::LetShadowsField,
                    format!("`{name}` is already a field of the schema"),
                    l.name.span,
                    "this constant",
                )
                .with_label(self.schema.fields[slot].span, "the field")
                .with_help("give the constant another name"),
            );
            return;
        }
        if let Some(first) = self.constants.iter().find(|c| &c.name == name) {
            self.errors.push(
                Diagnostic::error(
                    Code::DuplicateLet,
                    format!("`{name}` is already defined"),
                    l.name.span,
                    "defined again here",
                )
                .with_label(first.span, "first defined here")
                .with_help("a constant is defined once; rename one of them"),
            );
            return;
        }
        let value = self.with_exprs_before(later, Fields::Forbidden("a `let`"), |c| {
            c.check(&l.value, None)
        });
        let v = self.constant_value(&value);
        self.constants.push(Constant {
            name: name.clone(),
            ty: value.ty.clone(),
            value: v,
            span: l.name.span,
            used: false,
        });
    }

    /// Evaluates a checked constant expression, reporting a runtime error as static.
    fn constant_value(&mut self, e: &Expr) -> Value {
        if e.ty.is_error() {
            return Value::Missing;
        }
        match const_eval(e) {
            Ok(v) => v,
            Err(err) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::ConstantError,
                        format!("this constant cannot be computed: {}", err.message),
                        err.span,
                        err.message.clone(),
                    )
                    .with_help("fix the arithmetic; constants are computed once, when the policy is checked"),
                );
                Value::Missing
            }
        }
    }

    fn rule(
        &mut self,
        r: &ast::Rule,
        scope_fields_reported: &mut bool,
        order_by: &mut Option<(usize, Span)>,
    ) -> Option<Rule> {
        let (verdict, scope, kind) = match &r.clause {
            Clause::Require {
                condition, scope, ..
            } => {
                let scope = scope
                    .as_ref()
                    .and_then(|s| self.scope(s, scope_fields_reported));
                let c = self.with_exprs(Fields::Allowed, |c| {
                    c.condition(condition, "a `require` condition")
                });
                (Verdict::Deny, scope, RuleKind::Require(c))
            }
            Clause::Verdict {
                verdict,
                scope,
                condition,
            } => {
                let scope = scope
                    .as_ref()
                    .and_then(|s| self.scope(s, scope_fields_reported));
                let c = condition.as_ref().map(|c| {
                    self.with_exprs(Fields::Allowed, |x| x.condition(c, "a `when` condition"))
                });
                (verdict.node, scope, RuleKind::When(c))
            }
            Clause::Limit(l) => {
                let scope = self.scope(&l.scope, scope_fields_reported);
                let limit = self.limit(l, order_by);
                let verdict = l.otherwise.as_ref().map_or(Verdict::Waitlist, |v| v.node);
                (verdict, scope, RuleKind::Limit(limit?))
            }
        };
        let because = r.because.as_ref().map(|t| self.template(t));
        let (condition_text, scope_text) = match &r.clause {
            Clause::Require {
                condition, scope, ..
            } => (Some(condition.to_string()), scope.as_ref().map(scope_text)),
            Clause::Verdict {
                condition, scope, ..
            } => (
                condition.as_ref().map(|c| c.to_string()),
                scope.as_ref().map(scope_text),
            ),
            Clause::Limit(l) => (None, Some(scope_text(&l.scope))),
        };
        let mut shown_fields = Vec::new();
        if let RuleKind::Require(c) | RuleKind::When(Some(c)) = &kind {
            fields_read(c, &mut shown_fields);
        }
        Some(Rule {
            name: r.name.node.clone(),
            name_span: r.name.span,
            span: r.span,
            verdict,
            scope,
            kind,
            because,
            condition_text,
            scope_text,
            shown_fields,
        })
    }

    fn template(&mut self, t: &ast::Template) -> Template {
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

    fn scope(&mut self, s: &ast::Scope, reported: &mut bool) -> Option<Scope> {
        let (Some(action), Some(item)) = (self.schema.action, self.schema.item) else {
            if !*reported {
                *reported = true;
                let missing: Vec<&str> =
                    [("action", self.schema.action), ("item", self.schema.item)]
                        .into_iter()
                        .filter(|(_, s)| s.is_none())
                        .map(|(n, _)| n)
                        .collect();
                self.errors.push(
                    Diagnostic::error(
                        Code::ScopeFieldsMissing,
                        format!(
                            "a rule scoped by `{}` needs the schema fields `action` and `item`, declared as enums",
                            scope_text(s)
                        ),
                        s.span,
                        "scope",
                    )
                    .with_label(self.schema_span_hint(), format!("the schema has no enum field {}", all_of(&missing)))
                    .with_help(format!(
                        "declare them as enums of every value your records use, e.g. `action: {} | ...` and `item: {} | ...`",
                        s.action.node,
                        s.items.iter().map(|i| i.node.as_str()).collect::<Vec<_>>().join(" | ")
                    )),
                );
            }
            return None;
        };
        let mut ok = true;
        let action_value = self.scope_value(&s.action, action, "action");
        let mut items = Vec::new();
        for i in &s.items {
            match self.scope_value(i, item, "item") {
                Some(v) => items.push(v),
                None => ok = false,
            }
        }
        match action_value {
            Some(a) if ok => Some(Scope {
                action: a,
                items,
                span: s.span,
            }),
            _ => None,
        }
    }

    fn schema_span_hint(&self) -> Span {
        self.schema
            .fields
            .first()
            .map_or(Span::default(), |f| f.span)
    }

    fn scope_value(&mut self, name: &ast::Ident, slot: usize, field: &str) -> Option<u32> {
        let Type::Enum(id) = self.schema.fields[slot].ty else {
            return None;
        };
        let e = &self.schema.enums[id as usize];
        if let Some(i) = e.index_of(&name.node) {
            return Some(i);
        }
        let values: Vec<&str> = e.values.iter().map(String::as_str).collect();
        let mut d = Diagnostic::error(
            Code::ScopeValue,
            format!("`{}` is not a value of the `{field}` field", name.node),
            name.span,
            format!("not an {field}"),
        )
        .with_label(
            self.schema.fields[slot].span,
            format!("`{field}` is declared here"),
        );
        d = match did_you_mean(&name.node, values.iter().copied()) {
            Some(g) => d.with_help(format!(
                "did you mean `{g}`? the values are {}",
                all_of(&values)
            )),
            None => d.with_help(format!("the values of `{field}` are {}", all_of(&values))),
        };
        self.errors.push(d);
        None
    }

    fn limit(&mut self, l: &ast::Limit, order_by: &mut Option<(usize, Span)>) -> Option<Limit> {
        let cap = self.with_exprs(Fields::Forbidden("a `limit` cap"), |c| {
            c.check(&l.cap, None)
        });
        if matches!(self.errors.last(), Some(d) if d.code == Code::FieldInLet && l.cap.span.start <= d.span().start && d.span().end <= l.cap.span.end)
        {
            if let Some(d) = self.errors.last_mut() {
                d.code = Code::LimitUsesRecord;
                d.message = d.message.replace("a `limit` cap", "the cap of a `limit`");
            }
        }
        let cap_value = match &cap.ty {
            Type::Int | Type::Decimal => self.constant_value(&cap),
            Type::Error => Value::Missing,
            other => {
                self.errors.push(
                    Diagnostic::error(
                        Code::LimitQuantity,
                        format!("the cap of a `limit` must be a number, but this is `{other}`"),
                        cap.span,
                        format!("this is `{other}`"),
                    )
                    .with_help("write the cap as a number, e.g. `400_000`"),
                );
                Value::Missing
            }
        };
        let quantity = match &l.quantity {
            Quantity::Records(_) => None,
            Quantity::Field(f) => match self.limit_field(f, "quantity") {
                Some(slot) => {
                    let ty = &self.schema.fields[slot].ty;
                    if !ty.is_numeric() {
                        self.errors.push(
                            Diagnostic::error(
                                Code::LimitQuantity,
                                format!("the quantity of a `limit` must be an `int` or `decimal` field, but `{}` is `{ty}`", f.node),
                                f.span,
                                format!("this is `{ty}`"),
                            )
                            .with_help(match self.schema.example_field(Type::is_numeric) {
                                Some(n) => format!("name an `int` or `decimal` field such as `{n}`, or write `records` to count records"),
                                None => "the schema has no `int` or `decimal` field: write `records` to count records".into(),
                            }),
                        );
                        return None;
                    }
                    Some(slot)
                }
                None => return None,
            },
        };
        let per = match &l.per {
            Some(f) => {
                let slot = self.limit_field(f, "per")?;
                if matches!(self.schema.fields[slot].ty, Type::List(_)) {
                    self.errors.push(
                        Diagnostic::error(
                            Code::LimitField,
                            format!("`{}` is a list and cannot group a `limit`", f.node),
                            f.span,
                            "a list field",
                        )
                        .with_help(
                            match self
                                .schema
                                .example_field(|t| matches!(t, Type::Text | Type::Enum(_)))
                            {
                                Some(n) => format!(
                                    "group by a field with one value per record, such as `{n}`"
                                ),
                                None => "group by a field with one value per record".into(),
                            },
                        ),
                    );
                    return None;
                }
                Some(slot)
            }
            None => None,
        };
        let order = match &l.order_by {
            Some(f) => {
                let slot = self.limit_field(f, "order by")?;
                let ty = &self.schema.fields[slot].ty;
                if !ty.is_ordered() {
                    self.errors.push(
                        Diagnostic::error(
                            Code::LimitField,
                            format!("`{}` is {ty} and has no order", f.node),
                            f.span,
                            format!("this is `{ty}`"),
                        )
                        .with_help(
                            match self.schema.example_field(Type::is_ordered) {
                                Some(n) => format!(
                                    "order by a number, percent or date field, such as `{n}`"
                                ),
                                None => {
                                    "order by a number, percent or date field; the schema has none"
                                        .into()
                                }
                            },
                        ),
                    );
                    return None;
                }
                if let Some((first, first_span)) = *order_by {
                    if first != slot {
                        self.errors.push(
                            Diagnostic::error(
                                Code::LimitOrderMismatch,
                                "every `limit` must use the same `order by`",
                                f.span,
                                "a different order",
                            )
                            .with_label(first_span, "the first `limit` orders by this")
                            .with_help("allocation runs in one pass, in one order: use the same field in every `limit`"),
                        );
                        return None;
                    }
                } else {
                    *order_by = Some((slot, f.span));
                }
                Some(slot)
            }
            None => None,
        };
        Some(Limit {
            cap: cap_value,
            quantity,
            per,
            order_by: order,
        })
    }

    fn limit_field(&mut self, f: &ast::Ident, role: &str) -> Option<usize> {
        match self.schema.slot(&f.node) {
            Some(slot) if self.schema.fields[slot].optional => {
                self.errors.push(
                    Diagnostic::error(
                        Code::LimitField,
                        format!("the `{role}` field of a `limit` must be present in every record, but `{}` is optional", f.node),
                        f.span,
                        "an optional field",
                    )
                    .with_label(self.schema.fields[slot].span, "declared optional here"),
                );
                None
            }
            Some(slot) => Some(slot),
            None => {
                let mut d = Diagnostic::error(
                    Code::UnknownField,
                    format!("the schema has no field `{}`", f.node),
                    f.span,
                    "unknown field",
                );
                if let Some(g) =
                    did_you_mean(&f.node, self.schema.fields.iter().map(|f| f.name.as_str()))
                {
                    d = d.with_help(format!("did you mean `{g}`?"));
                }
                self.errors.push(d);
                None
            }
        }
    }

    fn test(&mut self, t: &ast::Test, rules: &[Rule]) -> Option<Test> {
        let records: Vec<&ast::RecordLit> = match &t.given {
            Given::Record(r) => vec![r],
            Given::Batch { records, .. } => records.iter().collect(),
        };
        let rows: Vec<Option<Vec<Value>>> = records.iter().map(|r| self.test_record(r)).collect();
        let n = records.len();
        if t.expect.outcomes.len() != n {
            let what = if matches!(t.given, Given::Batch { .. }) {
                format!("the batch has {n} record{}", if n == 1 { "" } else { "s" })
            } else {
                "a single record has one outcome".into()
            };
            self.errors.push(
                Diagnostic::error(
                    Code::TestOutcomeCount,
                    format!(
                        "this test expects {} outcome{}, but {what}",
                        t.expect.outcomes.len(),
                        if t.expect.outcomes.len() == 1 {
                            ""
                        } else {
                            "s"
                        }
                    ),
                    t.expect.span,
                    "expected outcomes",
                )
                .with_help(
                    "give one outcome per record, in order: `expect [allow, waitlist, ...]`",
                ),
            );
        }
        let mut expect = Vec::new();
        for o in &t.expect.outcomes {
            let mut by = Vec::new();
            for name in &o.by {
                match rules.iter().position(|r| r.name == name.node) {
                    Some(i) => by.push(i),
                    None => {
                        let mut d = Diagnostic::error(
                            Code::TestUnknownRule,
                            format!("there is no rule named `{}`", name.node),
                            name.span,
                            "unknown rule",
                        );
                        if let Some(g) =
                            did_you_mean(&name.node, rules.iter().map(|r| r.name.as_str()))
                        {
                            d = d.with_help(format!("did you mean `{g}`?"));
                        }
                        self.errors.push(d);
                    }
                }
            }
            expect.push(ExpectedOutcome {
                decision: o.kind,
                by,
                span: o.span,
            });
        }
        let rows: Option<Vec<Vec<Value>>> = rows.into_iter().collect();
        Some(Test {
            name: t.name.node.clone(),
            span: t.span,
            expect_span: t.expect.span,
            records: rows?,
            expect,
        })
    }

    fn test_record(&mut self, r: &ast::RecordLit) -> Option<Vec<Value>> {
        let mut row = vec![Value::Missing; self.schema.fields.len()];
        let mut seen = vec![false; self.schema.fields.len()];
        let mut ok = true;
        for (name, value) in &r.fields {
            let Some(slot) = self.schema.slot(&name.node) else {
                let mut d = Diagnostic::error(
                    Code::TestUnknownField,
                    format!("the schema has no field `{}`", name.node),
                    name.span,
                    "unknown field",
                );
                if let Some(g) = did_you_mean(
                    &name.node,
                    self.schema.fields.iter().map(|f| f.name.as_str()),
                ) {
                    d = d.with_help(format!("did you mean `{g}`?"));
                }
                self.errors.push(d);
                ok = false;
                continue;
            };
            if seen[slot] {
                self.errors.push(Diagnostic::error(
                    Code::DuplicateField,
                    format!("`{}` is given twice in this record", name.node),
                    name.span,
                    "given again here",
                ));
                ok = false;
                continue;
            }
            seen[slot] = true;
            let field_ty = self.schema.fields[slot].ty.clone();
            let e = self.with_exprs(Fields::Forbidden("a test record"), |c| {
                c.check(value, Some(&field_ty))
            });
            if e.ty.is_error() {
                ok = false;
                continue;
            }
            let fits = e.ty == field_ty
                || (field_ty == Type::Decimal && e.ty == Type::Int)
                || (matches!(field_ty, Type::List(_)) && e.ty == Type::EmptyList)
                || matches!((&field_ty, &e.ty), (Type::List(a), Type::List(b)) if **a == Type::Decimal && **b == Type::Int);
            if !fits {
                let words = {
                    let c = self.expr_checker(&[], Fields::Allowed);
                    (c.type_words(&field_ty), c.type_words(&e.ty))
                };
                let mut d = Diagnostic::error(
                    Code::Mismatch,
                    format!(
                        "`{}` is {}, but this value is {}",
                        name.node, words.0, words.1
                    ),
                    value.span,
                    format!("this is {}", words.1),
                )
                .with_label(
                    self.schema.fields[slot].span,
                    format!("declared as {}", words.0),
                );
                if field_ty == Type::Percent && e.ty.is_numeric() {
                    let number = match &value.kind {
                        ast::ExprKind::Int(i) => Some(i.to_string()),
                        ast::ExprKind::Decimal(d) => Some(d.to_string()),
                        _ => None,
                    };
                    if let Some(number) = number {
                        d = d.with_help(format!("write it as a percent: `{number}%`"));
                    }
                }
                self.errors.push(d);
                ok = false;
                continue;
            }
            let v = self.constant_value(&e);
            row[slot] = match (v, &field_ty) {
                (Value::Int(i), Type::Decimal) => Value::Decimal(i.into()),
                (v, _) => v,
            };
        }
        let missing: Vec<&str> = self
            .schema
            .fields
            .iter()
            .zip(&seen)
            .filter(|(f, seen)| !f.optional && !**seen)
            .map(|(f, _)| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.errors.push(
                Diagnostic::error(
                    Code::TestMissingField,
                    format!(
                        "this test record lacks the required field{} {}",
                        if missing.len() == 1 { "" } else { "s" },
                        one_of(&missing).replace(" or ", " and ")
                    ),
                    r.span,
                    "incomplete record",
                )
                .with_help("give every field that is not optional (`?`) a value"),
            );
            ok = false;
        }
        ok.then_some(row)
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

/// The fields an expression reads, in order of first use.
fn fields_read(e: &Expr, out: &mut Vec<usize>) {
    match &e.kind {
        ExprKind::Field(s) | ExprKind::Has(s) => {
            if !out.contains(s) {
                out.push(*s)
            }
        }
        ExprKind::Const(_) => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter().for_each(|i| fields_read(i, out))
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => fields_read(x, out),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Coalesce(a, b) => {
            fields_read(a, out);
            fields_read(b, out);
        }
        ExprKind::In { needle, list, .. } => {
            fields_read(needle, out);
            fields_read(list, out);
        }
    }
}

fn scope_text(s: &ast::Scope) -> String {
    let mut text = s.action.node.clone();
    match s.items.as_slice() {
        [] => {}
        [one] => text = format!("{text} {}", one.node),
        many => {
            let names: Vec<&str> = many.iter().map(|i| i.node.as_str()).collect();
            text = format!("{text} [{}]", names.join(", "));
        }
    }
    text
}
