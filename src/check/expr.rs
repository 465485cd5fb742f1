//! Typing of expressions: names resolved, operators checked against the typing rules
//! of docs/language.md ("Operators").

use crate::ast::{self, BinaryOp, UnaryOp};
use crate::diagnostics::{all_of, did_you_mean, one_of, Code, Diagnostic};
use crate::ir::{ArithOp, Builtin, CompareOp, Constant, Expr, ExprKind, Schema};
use crate::span::Span;
use crate::value::{Type, Value};

/// Whether record fields may appear, and if not, where we are (for the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fields {
    Allowed,
    /// In a `let`, a `limit` cap or a test record: constants only.
    Forbidden(&'static str),
}

pub(super) struct ExprChecker<'a> {
    pub schema: &'a Schema,
    /// The constants visible here (those defined earlier).
    pub constants: &'a [Constant],
    /// Names of `let`s defined later in the file, to explain "used before defined".
    pub later_lets: &'a [(String, Span)],
    pub fields: Fields,
    pub errors: &'a mut Vec<Diagnostic>,
    /// Optional fields guarded by `has` on the current `and` chain.
    guarded: Vec<usize>,
    /// Constants referred to, by index (for the unused-`let` lint).
    pub used_constants: Vec<usize>,
}

fn error_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Const(Value::Missing),
        ty: Type::Error,
        span,
    }
}

impl<'a> ExprChecker<'a> {
    pub fn new(
        schema: &'a Schema,
        constants: &'a [Constant],
        later_lets: &'a [(String, Span)],
        fields: Fields,
        errors: &'a mut Vec<Diagnostic>,
    ) -> Self {
        ExprChecker {
            schema,
            constants,
            later_lets,
            fields,
            errors,
            guarded: Vec::new(),
            used_constants: Vec::new(),
        }
    }

    /// Describes a type in an author's words.
    pub fn type_words(&self, ty: &Type) -> String {
        match ty {
            Type::Enum(id) => {
                match self.schema.fields.iter().find(|f| {
                    f.ty == Type::Enum(*id) || f.ty == Type::List(Box::new(Type::Enum(*id)))
                }) {
                    Some(f) => format!("a `{}` value", f.name),
                    None => "an enum value".into(),
                }
            }
            Type::List(inner) => match inner.as_ref() {
                Type::Enum(_) => format!(
                    "a list of {}s",
                    self.type_words(inner)
                        .trim_start_matches("a ")
                        .trim_start_matches("an ")
                ),
                other => format!("a list of {}", self.type_words(other)),
            },
            Type::Int => "`int`".into(),
            other => format!("`{other}`"),
        }
        .replacen("a `a", "an `a", 1)
        .replacen("a `e", "an `e", 1)
        .replacen("a `i", "an `i", 1)
        .replacen("a `o", "an `o", 1)
        .replacen("a `u", "an `u", 1)
    }

    fn label_type(&self, ty: &Type) -> String {
        format!("this is {}", self.type_words(ty))
    }

    /// A condition: must be `bool`.
    pub fn condition(&mut self, e: &ast::Expr, what: &str) -> Expr {
        let help = self.comparison_example(e);
        self.boolean(e, &format!("{what} must be true or false"), |d| {
            d.with_help(help)
        })
    }

    /// A help for a condition that is not `bool`: a comparison of the author's own
    /// field, when the condition is one.
    fn comparison_example(&self, e: &ast::Expr) -> String {
        let ast::ExprKind::Name(n) = &e.kind else {
            return "compare it with a value, e.g. with `==`, `>` or `in [...]`".into();
        };
        let Some(field) = self.schema.slot(n).map(|s| &self.schema.fields[s]) else {
            return "compare it with a value, e.g. with `==`, `>` or `in [...]`".into();
        };
        let name = &field.name;
        let example = match &field.ty {
            Type::Int | Type::Decimal => format!("{name} > 100"),
            Type::Percent => format!("{name} >= 30%"),
            Type::Date => format!("{name} < 2026-01-01"),
            Type::Text => format!("{name} == \"...\""),
            Type::Enum(id) => match self.schema.enums[*id as usize].values.first() {
                Some(v) => format!("{name} == {v}"),
                None => format!("{name} == ..."),
            },
            Type::List(_) => format!("len({name}) > 0"),
            _ => return "compare it with a value, e.g. with `==`, `>` or `in [...]`".into(),
        };
        format!("compare it with something, e.g. `{example}`")
    }

    /// Checks `e`, which must be `bool`; otherwise reports `{says}, but this is ...`,
    /// with what `more` adds to the diagnostic.
    fn boolean(
        &mut self,
        e: &ast::Expr,
        says: &str,
        more: impl FnOnce(Diagnostic) -> Diagnostic,
    ) -> Expr {
        let c = self.check(e, Some(&Type::Bool));
        if !c.ty.is_error() && c.ty != Type::Bool {
            let d = Diagnostic::error(
                Code::NotBool,
                format!("{says}, but this is {}", self.type_words(&c.ty)),
                c.span,
                self.label_type(&c.ty),
            );
            self.errors.push(more(d));
        }
        c
    }

    /// Checks an expression; `expected` gives context for bare enum values and empty lists.
    pub fn check(&mut self, e: &ast::Expr, expected: Option<&Type>) -> Expr {
        let span = e.span;
        let (kind, ty) = match &e.kind {
            ast::ExprKind::Bool(b) => (ExprKind::Const(Value::Bool(*b)), Type::Bool),
            ast::ExprKind::Int(i) => (ExprKind::Const(Value::Int(*i)), Type::Int),
            ast::ExprKind::Decimal(d) => (ExprKind::Const(Value::Decimal(*d)), Type::Decimal),
            ast::ExprKind::Percent(p) => (ExprKind::Const(Value::Percent(*p)), Type::Percent),
            ast::ExprKind::Text(t) => (ExprKind::Const(Value::text(t)), Type::Text),
            ast::ExprKind::Date(d) => (ExprKind::Const(Value::Date(*d)), Type::Date),
            ast::ExprKind::Name(n) => return self.name(n, span, expected, false),
            ast::ExprKind::List(items) => return self.list(items, span, expected),
            ast::ExprKind::Has(field) => return self.has(field),
            ast::ExprKind::Call { function, args } => return self.call(function, args, span),
            ast::ExprKind::Unary { op, operand } => {
                return self.unary(op.node, op.span, operand, span)
            }
            ast::ExprKind::Binary { op, lhs, rhs } => {
                return self.binary(op.node, op.span, lhs, rhs, span)
            }
        };
        Expr { kind, ty, span }
    }

    // ------------------------------------------------------------ names

    fn name(&mut self, n: &str, span: Span, expected: Option<&Type>, coalesce_lhs: bool) -> Expr {
        if let Some(slot) = self.schema.slot(n) {
            let field = &self.schema.fields[slot];
            if let Fields::Forbidden(place) = self.fields {
                let (code, help) = if place == "a test record" {
                    (
                        Code::TestNotLiteral,
                        "give the value itself, such as `100_000` or `35%`".to_string(),
                    )
                } else {
                    (
                        Code::FieldInLet,
                        format!("{place} is the same for every record; use only literals and earlier `let` constants"),
                    )
                };
                self.errors.push(
                    Diagnostic::error(
                        code,
                        format!("{place} cannot use the record field `{n}`"),
                        span,
                        "a record field",
                    )
                    .with_help(help),
                );
                return error_expr(span);
            }
            if field.optional && !coalesce_lhs && !self.guarded.contains(&slot) {
                self.errors.push(
                    Diagnostic::error(
                        Code::UnguardedOptional,
                        format!("`{n}` is optional and may be missing here"),
                        span,
                        "optional field used without a check",
                    )
                    .with_label(field.span, "declared optional here")
                    .with_help(format!(
                        "check it first, as in `has {n} and ...`, or give a default: `{n} ?? ...`"
                    )),
                );
            }
            return Expr {
                kind: ExprKind::Field(slot),
                ty: field.ty.clone(),
                span,
            };
        }
        if let Some(i) = self.constants.iter().position(|c| c.name == n) {
            self.used_constants.push(i);
            let c = &self.constants[i];
            return Expr {
                kind: ExprKind::Const(c.value.clone()),
                ty: c.ty.clone(),
                span,
            };
        }
        if let Some((_, def)) = self.later_lets.iter().find(|(name, _)| name == n) {
            self.errors.push(
                Diagnostic::error(
                    Code::LetUsedBeforeDefinition,
                    format!("`{n}` is used before it is defined"),
                    span,
                    "used here",
                )
                .with_label(*def, "defined later here")
                .with_help(format!("move `let {n}` above its first use")),
            );
            return error_expr(span);
        }
        self.enum_value(n, span, expected)
    }

    fn enum_value(&mut self, n: &str, span: Span, expected: Option<&Type>) -> Expr {
        let enums = &self.schema.enums;
        if let Some(Type::Enum(id)) = expected {
            let e = &enums[*id as usize];
            if let Some(i) = e.index_of(n) {
                return Expr {
                    kind: ExprKind::Const(Value::Enum(i)),
                    ty: Type::Enum(*id),
                    span,
                };
            }
            // Not of the expected enum: say so, unless it is of no enum at all.
            if enums.iter().any(|x| x.index_of(n).is_some()) {
                let values: Vec<&str> = e.values.iter().map(String::as_str).collect();
                self.errors.push(
                    Diagnostic::error(
                        Code::UnknownEnumValue,
                        format!("`{n}` is not {}", self.type_words(&Type::Enum(*id))),
                        span,
                        format!("expected {}", self.type_words(&Type::Enum(*id))),
                    )
                    .with_help(format!("the values are {}", all_of(&values))),
                );
                return error_expr(span);
            }
            let values: Vec<&str> = e.values.iter().map(String::as_str).collect();
            let mut d = Diagnostic::error(
                Code::UnknownEnumValue,
                format!("`{n}` is not {}", self.type_words(&Type::Enum(*id))),
                span,
                "unknown value",
            );
            d = match did_you_mean(n, values.iter().copied()) {
                Some(g) => d.with_help(format!(
                    "did you mean `{g}`? the values are {}",
                    all_of(&values)
                )),
                None => d.with_help(format!("the values are {}", all_of(&values))),
            };
            self.errors.push(d);
            return error_expr(span);
        }
        let owners: Vec<usize> = (0..enums.len())
            .filter(|i| enums[*i].index_of(n).is_some())
            .collect();
        match owners.as_slice() {
            [id] => Expr {
                kind: ExprKind::Const(Value::Enum(enums[*id].index_of(n).unwrap_or(0))),
                ty: Type::Enum(*id as u16),
                span,
            },
            [] => {
                let mut candidates: Vec<&str> =
                    self.schema.fields.iter().map(|f| f.name.as_str()).collect();
                candidates.extend(self.constants.iter().map(|c| c.name.as_str()));
                candidates.extend(
                    enums
                        .iter()
                        .flat_map(|e| e.values.iter().map(String::as_str)),
                );
                let guess = did_you_mean(n, candidates);
                let mut d = match guess {
                    // Most likely a misspelt field.
                    Some(g) if self.schema.slot(g).is_some() => Diagnostic::error(
                        Code::UnknownField,
                        format!("the schema has no field `{n}`"),
                        span,
                        "unknown field",
                    ),
                    _ => Diagnostic::error(
                        Code::UnknownName,
                        format!("`{n}` is not a field, a constant or an enum value"),
                        span,
                        "unknown name",
                    ),
                };
                if let Some(g) = guess {
                    d = d.with_help(format!("did you mean `{g}`?"));
                }
                self.errors.push(d);
                error_expr(span)
            }
            many => {
                let owners: Vec<String> = many
                    .iter()
                    .map(|id| self.type_words(&Type::Enum(*id as u16)))
                    .collect();
                self.errors.push(
                    Diagnostic::error(
                        Code::AmbiguousEnumValue,
                        format!("`{n}` could be {}", owners.join(" or ")),
                        span,
                        "ambiguous enum value",
                    )
                    .with_help(
                        "compare it with a field so its enum is known, e.g. `field == value`",
                    ),
                );
                error_expr(span)
            }
        }
    }

    fn has(&mut self, field: &ast::Ident) -> Expr {
        let span = field.span;
        match self.schema.slot(&field.node) {
            Some(slot) if self.schema.fields[slot].optional => Expr {
                kind: ExprKind::Has(slot),
                ty: Type::Bool,
                span,
            },
            Some(slot) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::NotOptional,
                        format!("`{}` is not optional, so `has` is always true", field.node),
                        span,
                        "a required field",
                    )
                    .with_label(self.schema.fields[slot].span, "declared without `?` here")
                    .with_help("remove the `has` check, or declare the field optional with `?`"),
                );
                error_expr(span)
            }
            None => {
                self.unknown_field(&field.node, span);
                // Recover as a check of the optional field most likely meant, so that
                // its uses later in the `and` chain are not reported as unguarded too.
                let optional = self
                    .schema
                    .fields
                    .iter()
                    .filter(|f| f.optional)
                    .map(|f| f.name.as_str());
                match did_you_mean(&field.node, optional).and_then(|g| self.schema.slot(g)) {
                    Some(slot) => Expr {
                        kind: ExprKind::Has(slot),
                        ty: Type::Error,
                        span,
                    },
                    None => error_expr(span),
                }
            }
        }
    }

    fn unknown_field(&mut self, name: &str, span: Span) {
        let mut d = Diagnostic::error(
            Code::UnknownField,
            format!("the schema has no field `{name}`"),
            span,
            "unknown field",
        );
        if let Some(g) = did_you_mean(name, self.schema.fields.iter().map(|f| f.name.as_str())) {
            d = d.with_help(format!("did you mean `{g}`?"));
        }
        self.errors.push(d);
    }

    // ------------------------------------------------------------ lists

    fn list(&mut self, items: &[ast::Expr], span: Span, expected: Option<&Type>) -> Expr {
        let mut elem_expected = match expected {
            Some(Type::List(t)) => Some(t.as_ref().clone()),
            _ => None,
        };
        let mut out = Vec::new();
        for item in items {
            let c = self.check(item, elem_expected.as_ref());
            match &elem_expected {
                None if !c.ty.is_error() => elem_expected = Some(c.ty.clone()),
                Some(t) if !compatible(t, &c.ty) => {
                    self.errors.push(
                        Diagnostic::error(
                            Code::Mismatch,
                            "the values of a list must all be of one type",
                            c.span,
                            self.label_type(&c.ty),
                        )
                        .with_help(format!("the list holds {}", self.type_words(t))),
                    );
                }
                _ => {}
            }
            out.push(c);
        }
        // int and decimal mix: the list is of decimals then.
        if out.iter().any(|e| e.ty == Type::Decimal) {
            elem_expected = elem_expected.map(|t| if t == Type::Int { Type::Decimal } else { t });
        }
        let ty = match elem_expected {
            Some(t) => Type::List(Box::new(t)),
            None if out.is_empty() => Type::EmptyList,
            None => Type::Error,
        };
        Expr {
            kind: ExprKind::List(out),
            ty,
            span,
        }
    }

    // ------------------------------------------------------------ operators

    fn unary(&mut self, op: UnaryOp, op_span: Span, operand: &ast::Expr, span: Span) -> Expr {
        match op {
            UnaryOp::Not => {
                let c = self.boolean(operand, "`not` needs true or false", |d| {
                    d.with_label(op_span, "negated here")
                });
                Expr {
                    kind: ExprKind::Not(Box::new(c)),
                    ty: Type::Bool,
                    span,
                }
            }
            UnaryOp::Neg => {
                let c = self.check(operand, None);
                let ty = match &c.ty {
                    Type::Int | Type::Decimal | Type::Percent | Type::Error => c.ty.clone(),
                    other => {
                        self.errors.push(
                            Diagnostic::error(
                                Code::BadOperand,
                                format!(
                                    "`-` needs a number, but this is {}",
                                    self.type_words(other)
                                ),
                                c.span,
                                self.label_type(other),
                            )
                            .with_label(op_span, "negated here"),
                        );
                        Type::Error
                    }
                };
                Expr {
                    kind: ExprKind::Neg(Box::new(c)),
                    ty,
                    span,
                }
            }
        }
    }

    /// Flattens `a and b and c` so that `has x` guards the conjuncts after it.
    fn and_chain(
        &mut self,
        e_lhs: &ast::Expr,
        e_rhs: &ast::Expr,
        op_span: Span,
        span: Span,
    ) -> Expr {
        let before = self.guarded.len();
        let lhs = self.bool_operand(e_lhs, "and", op_span);
        collect_guards(&lhs, &mut self.guarded);
        let rhs = self.bool_operand(e_rhs, "and", op_span);
        self.guarded.truncate(before);
        Expr {
            kind: ExprKind::And(Box::new(lhs), Box::new(rhs)),
            ty: Type::Bool,
            span,
        }
    }

    fn bool_operand(&mut self, e: &ast::Expr, op: &str, op_span: Span) -> Expr {
        self.boolean(e, &format!("`{op}` joins conditions"), |d| {
            d.with_label(op_span, format!("`{op}` here"))
        })
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Expr {
        match op {
            BinaryOp::And => return self.and_chain(lhs, rhs, op_span, span),
            BinaryOp::Or => {
                let l = self.bool_operand(lhs, "or", op_span);
                let r = self.bool_operand(rhs, "or", op_span);
                return Expr {
                    kind: ExprKind::Or(Box::new(l), Box::new(r)),
                    ty: Type::Bool,
                    span,
                };
            }
            BinaryOp::Coalesce => return self.coalesce(lhs, rhs, op_span, span),
            _ => {}
        }
        // Bare enum values take their enum from the other side.
        let (l, r) = if self.is_bare_enum_name(lhs) && !self.is_bare_enum_name(rhs) {
            let r = self.check(rhs, None);
            let l_expected = match (&op, &r.ty) {
                (BinaryOp::In | BinaryOp::NotIn, Type::List(t)) => Some(t.as_ref().clone()),
                _ => Some(r.ty.clone()),
            };
            (self.check(lhs, l_expected.as_ref()), r)
        } else {
            let l = self.check(lhs, None);
            let r_expected = match op {
                // Only enum values need the context; other lists are typed on their own.
                BinaryOp::In | BinaryOp::NotIn if matches!(l.ty, Type::Enum(_)) => {
                    Some(Type::List(Box::new(l.ty.clone())))
                }
                BinaryOp::In | BinaryOp::NotIn => None,
                _ => Some(l.ty.clone()),
            };
            let r = self.check(rhs, r_expected.as_ref());
            (l, r)
        };
        if l.ty.is_error() || r.ty.is_error() {
            let kind = ExprKind::Const(Value::Missing);
            let ty = match op {
                o if o.is_comparison() => Type::Bool,
                _ => Type::Error,
            };
            return Expr { kind, ty, span };
        }
        let written = Written {
            op,
            op_span,
            lhs,
            rhs,
            span,
        };
        match op {
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => self.compare(written, l, r),
            BinaryOp::In | BinaryOp::NotIn => self.membership(written, l, r),
            _ => self.arith(written, l, r),
        }
    }

    fn is_bare_enum_name(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ast::ExprKind::Name(n) => {
                self.schema.slot(n).is_none() && !self.constants.iter().any(|c| &c.name == n)
            }
            ast::ExprKind::List(items) => {
                items.iter().all(|i| self.is_bare_enum_name(i)) && !items.is_empty()
            }
            _ => false,
        }
    }

    fn compare(&mut self, written: Written, l: Expr, r: Expr) -> Expr {
        let Written {
            op,
            op_span,
            lhs,
            rhs,
            span,
        } = written;
        let cmp = match op {
            BinaryOp::Eq => CompareOp::Eq,
            BinaryOp::Ne => CompareOp::Ne,
            BinaryOp::Lt => CompareOp::Lt,
            BinaryOp::Le => CompareOp::Le,
            BinaryOp::Gt => CompareOp::Gt,
            _ => CompareOp::Ge,
        };
        let ordering = !matches!(cmp, CompareOp::Eq | CompareOp::Ne);
        let ok = if ordering {
            let both_numbers = l.ty.is_numeric() && r.ty.is_numeric();
            let same_ordered = l.ty == r.ty && l.ty.is_ordered();
            both_numbers || same_ordered
        } else {
            compatible(&l.ty, &r.ty)
        };
        if !ok {
            let percent_vs_number = (l.ty == Type::Percent && r.ty.is_numeric())
                || (r.ty == Type::Percent && l.ty.is_numeric());
            if percent_vs_number {
                let (num_ast, num) = if l.ty == Type::Percent {
                    (rhs, &r)
                } else {
                    (lhs, &l)
                };
                let mut d = Diagnostic::error(
                    Code::PercentWithNumber,
                    format!(
                        "cannot compare a percent with a plain number using `{}`",
                        op.as_str()
                    ),
                    num.span,
                    self.label_type(&num.ty),
                )
                .with_label(
                    if l.ty == Type::Percent {
                        l.span
                    } else {
                        r.span
                    },
                    "this is `percent`",
                );
                d = match &num_ast.kind {
                    ast::ExprKind::Int(_) | ast::ExprKind::Decimal(_) => {
                        d.with_help(percent_help(num))
                    }
                    _ => d.with_help(
                        "turn the number into a percent, or compare percents with percents",
                    ),
                };
                self.errors.push(d);
            } else if ordering && l.ty == r.ty {
                self.errors.push(
                    Diagnostic::error(
                        Code::NotOrdered,
                        format!(
                            "{} values have no order, so `{}` does not apply",
                            self.type_words(&l.ty)
                                .trim_start_matches("a ")
                                .trim_end_matches(" value"),
                            op.as_str()
                        ),
                        op_span,
                        "ordering comparison",
                    )
                    .with_label(l.span, self.label_type(&l.ty))
                    .with_help("compare with `==` or `!=`, or use `in [...]` for several values"),
                );
            } else {
                let mut d = self.mismatch(op, op_span, &l, &r);
                if matches!(&r.ty, Type::List(e) if compatible(e, &l.ty)) {
                    d = d.with_help(format!(
                        "to test whether a value is in a list, write `{}`",
                        if op == BinaryOp::Ne { "not in" } else { "in" }
                    ));
                }
                self.errors.push(d);
            }
        }
        Expr {
            kind: ExprKind::Compare(cmp, Box::new(l), Box::new(r)),
            ty: Type::Bool,
            span,
        }
    }

    fn mismatch(&self, op: BinaryOp, op_span: Span, l: &Expr, r: &Expr) -> Diagnostic {
        Diagnostic::error(
            Code::Mismatch,
            format!(
                "`{}` cannot be used between {} and {}",
                op.as_str(),
                self.type_words(&l.ty),
                self.type_words(&r.ty)
            ),
            op_span,
            "here",
        )
        .with_label(l.span, self.label_type(&l.ty))
        .with_label(r.span, self.label_type(&r.ty))
    }

    fn membership(&mut self, written: Written, l: Expr, r: Expr) -> Expr {
        let Written {
            op,
            op_span,
            rhs,
            span,
            ..
        } = written;
        match &r.ty {
            Type::EmptyList => {}
            Type::List(elem) if compatible(elem, &l.ty) => {}
            Type::List(elem) => {
                self.errors.push(
                    Diagnostic::error(
                        Code::Mismatch,
                        format!(
                            "`{}` looks for {} in a list of {}",
                            op.as_str(),
                            self.type_words(&l.ty),
                            self.type_words(elem)
                                .trim_start_matches("a ")
                                .trim_start_matches("an ")
                        ),
                        op_span,
                        "here",
                    )
                    .with_label(l.span, self.label_type(&l.ty))
                    .with_label(r.span, self.label_type(&r.ty)),
                );
            }
            other => {
                self.errors.push(
                    Diagnostic::error(
                        Code::NotAList,
                        format!(
                            "`{}` needs a list on its right, but this is {}",
                            op.as_str(),
                            self.type_words(other)
                        ),
                        r.span,
                        self.label_type(other),
                    )
                    .with_label(op_span, format!("`{}` here", op.as_str()))
                    .with_help(format!(
                        "write a list, e.g. `[{}]`, or compare with `{}`",
                        match &rhs.kind {
                            ast::ExprKind::Name(n) => n.clone(),
                            ast::ExprKind::Int(_) | ast::ExprKind::Decimal(_) => r.literal_text(),
                            _ => "a, b".into(),
                        },
                        if op == BinaryOp::NotIn { "!=" } else { "==" }
                    )),
                );
            }
        }
        Expr {
            kind: ExprKind::In {
                needle: Box::new(l),
                list: Box::new(r),
                negated: op == BinaryOp::NotIn,
            },
            ty: Type::Bool,
            span,
        }
    }

    fn arith(&mut self, written: Written, l: Expr, r: Expr) -> Expr {
        let Written {
            op,
            op_span,
            lhs,
            rhs,
            span,
        } = written;
        use Type::*;
        let aop = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Sub => ArithOp::Sub,
            BinaryOp::Mul => ArithOp::Mul,
            _ => ArithOp::Div,
        };
        let ty = match (aop, &l.ty, &r.ty) {
            (ArithOp::Add | ArithOp::Sub | ArithOp::Mul, Int, Int) => Some(Int),
            (_, Int | Decimal, Int | Decimal) if aop != ArithOp::Div => Some(Decimal),
            (ArithOp::Div, Int | Decimal, Int | Decimal) => Some(Decimal),
            (ArithOp::Add | ArithOp::Sub, Percent, Percent) => Some(Percent),
            (ArithOp::Sub, Date, Date) => Some(Int),
            (ArithOp::Add | ArithOp::Sub, Date, Int) => Some(Date),
            (ArithOp::Add, Int, Date) => Some(Date),
            (ArithOp::Mul, Percent, Int | Decimal) | (ArithOp::Mul, Int | Decimal, Percent) => {
                Some(Decimal)
            }
            (ArithOp::Div, Percent, Int | Decimal) => Some(Percent),
            (ArithOp::Div, Percent, Percent) => Some(Decimal),
            _ => None,
        };
        let ty = match ty {
            Some(t) => t,
            None => {
                let percent_vs_number = matches!(aop, ArithOp::Add | ArithOp::Sub)
                    && ((l.ty == Percent && r.ty.is_numeric())
                        || (r.ty == Percent && l.ty.is_numeric()));
                let mut d = self.mismatch(op, op_span, &l, &r);
                d.code = Code::BadOperand;
                if percent_vs_number {
                    let num_ast = if l.ty == Percent { rhs } else { lhs };
                    if matches!(
                        num_ast.kind,
                        ast::ExprKind::Int(_) | ast::ExprKind::Decimal(_)
                    ) {
                        let num = if l.ty == Percent { &r } else { &l };
                        d = d.with_help(percent_help(num));
                    }
                } else if aop == ArithOp::Mul && l.ty == Percent && r.ty == Percent {
                    d = d.with_help("a percent multiplies a number: `30% * 1000` is `300`");
                } else if l.ty == Text || r.ty == Text {
                    d = d.with_help(
                        "text cannot be computed with; compare it with `==` or use `contains(...)`",
                    );
                }
                self.errors.push(d);
                Error
            }
        };
        Expr {
            kind: ExprKind::Arith(aop, Box::new(l), Box::new(r)),
            ty,
            span,
        }
    }

    fn coalesce(&mut self, lhs: &ast::Expr, rhs: &ast::Expr, op_span: Span, span: Span) -> Expr {
        let l = match &lhs.kind {
            ast::ExprKind::Name(n)
                if self
                    .schema
                    .slot(n)
                    .is_some_and(|s| self.schema.fields[s].optional) =>
            {
                self.name(n, lhs.span, None, true)
            }
            _ => {
                let l = self.check(lhs, None);
                if !l.ty.is_error() {
                    self.errors.push(
                        Diagnostic::error(
                            Code::NotOptional,
                            "`??` gives a default for an optional field, but this is never missing",
                            l.span,
                            "not an optional field",
                        )
                        .with_label(op_span, "`??` here")
                        .with_help("remove `?? ...`; only fields declared with `?` may be missing"),
                    );
                }
                l
            }
        };
        let r = self.check(rhs, Some(&l.ty));
        let ty = if l.ty.is_error() || r.ty.is_error() {
            l.ty.clone()
        } else if !compatible(&l.ty, &r.ty) {
            self.errors.push(
                Diagnostic::error(
                    Code::Mismatch,
                    format!(
                        "the default must be {}, like the field",
                        self.type_words(&l.ty)
                    ),
                    r.span,
                    self.label_type(&r.ty),
                )
                .with_label(l.span, self.label_type(&l.ty)),
            );
            Type::Error
        } else if r.ty == Type::Decimal {
            Type::Decimal
        } else {
            l.ty.clone()
        };
        Expr {
            kind: ExprKind::Coalesce(Box::new(l), Box::new(r)),
            ty,
            span,
        }
    }

    // ------------------------------------------------------------ calls

    fn call(&mut self, function: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
        let Some((_, f)) = Builtin::ALL.iter().find(|(n, _)| *n == function.node) else {
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
            return error_expr(span);
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
        let t0 = &checked[0].ty;
        let t1 = checked.get(1).map(|a| &a.ty);
        use Type::*;
        let result = match f {
            Builtin::Len => matches!(t0, Text | List(_) | EmptyList).then_some(Int),
            Builtin::Lower | Builtin::Upper => (*t0 == Text).then_some(Text),
            Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => {
                (*t0 == Text && t1 == Some(&Text)).then_some(Bool)
            }
            Builtin::Min | Builtin::Max => match t1 {
                Some(t1) if t0.is_numeric() && t1.is_numeric() => {
                    Some(if *t0 == Int && *t1 == Int {
                        Int
                    } else {
                        Decimal
                    })
                }
                Some(t1) if t0 == t1 && t0.is_ordered() => Some(t0.clone()),
                _ => None,
            },
            Builtin::Abs => matches!(t0, Int | Decimal | Percent).then(|| t0.clone()),
            Builtin::Round => (t0.is_numeric() && t1 == Some(&Int)).then_some(Decimal),
        };
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
}

/// The places of a `round` known when the policy is checked, if not from 0 to 28.
fn places_out_of_range(places: &Expr) -> Option<Diagnostic> {
    let mut read = Vec::new();
    super::fields_read(places, &mut read);
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

/// A binary operator as written, with the syntax of its operands (for diagnostics
/// that quote a literal, such as "write `30%`").
struct Written<'a> {
    op: BinaryOp,
    op_span: Span,
    lhs: &'a ast::Expr,
    rhs: &'a ast::Expr,
    span: Span,
}

/// Whether values of the two types can be compared for equality.
pub(super) fn compatible(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Error, _) | (_, Type::Error) => true,
        (Type::EmptyList, Type::List(_) | Type::EmptyList) | (Type::List(_), Type::EmptyList) => {
            true
        }
        (x, y) if x.is_numeric() && y.is_numeric() => true,
        (Type::List(x), Type::List(y)) => compatible(x, y),
        (x, y) => x == y,
    }
}

/// Optional fields that `e` proves present when it is true (`has x`, or `and`s of them).
fn collect_guards(e: &Expr, guarded: &mut Vec<usize>) {
    match &e.kind {
        ExprKind::Has(slot) => guarded.push(*slot),
        ExprKind::And(a, b) => {
            collect_guards(a, guarded);
            collect_guards(b, guarded);
        }
        _ => {}
    }
}

trait LiteralText {
    fn literal_text(&self) -> String;
}

/// "write `30%`" for a number literal used as a percent. A fraction below 1 almost
/// always means a share, so `0.3` suggests `30%`, not `0.3%`.
fn percent_help(num: &Expr) -> String {
    if let ExprKind::Const(Value::Decimal(d)) = &num.kind {
        if !d.is_zero() && d.abs() < rust_decimal::Decimal::ONE {
            let points = (*d * rust_decimal::Decimal::ONE_HUNDRED).normalize();
            return format!(
                "write the share as a percent: `{points}%` (`{d}` as a fraction is {points}%)"
            );
        }
    }
    format!("write the number as a percent: `{}%`", num.literal_text())
}

impl LiteralText for Expr {
    /// A number literal's value, for "write `30%`".
    fn literal_text(&self) -> String {
        match &self.kind {
            ExprKind::Const(Value::Int(i)) => i.to_string(),
            ExprKind::Const(Value::Decimal(d)) => d.to_string(),
            _ => String::new(),
        }
    }
}
