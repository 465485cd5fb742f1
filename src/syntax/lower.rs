//! pest pairs → spanned AST. Literal values are checked here (dates, number
//! ranges, escapes), and expression depth is bounded.

use pest::iterators::Pair;

use super::limits::MAX_EXPR_DEPTH;
use super::literals::invalid_date;
use super::parser::Rule;
use crate::ast::Rule as PolicyRule;
use crate::ast::{
    BinaryOp, Clause, Expect, Expr, ExprKind, FieldDecl, Given, Ident, Item, Let, Limit, Outcome,
    Param, Quantity, RecordLit, Schema, Scope, SetBinding, Template, TemplatePart, Test, TypeExpr,
    TypeExprKind, UnaryOp,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::outcome::{Decision, Verdict};
use crate::span::{Span, Spanned};
use crate::value::parse_date;

/// Turns the pairs of one parse (of a substring starting at `base`) into AST nodes.
pub(super) struct Lowerer<'d> {
    pub base: usize,
    pub errors: &'d mut Vec<Diagnostic>,
}

/// Lowering stops at the first expression nested too deep; other problems are
/// recorded and lowering goes on with a stand-in value.
pub(super) struct TooDeep;

pub(super) type Lowered<T> = Result<T, TooDeep>;

impl Lowerer<'_> {
    /// The pair's span, without the whitespace pest skips after a trailing optional part.
    pub(super) fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        let len = s.as_str().trim_end().len();
        Span::new(self.base + s.start(), self.base + s.start() + len)
    }

    fn ident(&self, p: Pair<Rule>) -> Ident {
        debug_assert_eq!(p.as_rule(), Rule::ident);
        Spanned::new(p.as_str().to_string(), self.span(&p))
    }

    // ------------------------------------------------------------ header and schema

    pub fn preamble(
        &mut self,
        p: Pair<Rule>,
    ) -> Option<(Spanned<String>, Option<Spanned<Decision>>, Schema)> {
        let mut inner = p.into_inner();
        let header = inner.next()?;
        let schema = inner.next()?;
        let mut h = header.into_inner();
        h.next(); // `policy`
        let name_pair = h.next()?;
        let name = Spanned::new(self.string(name_pair.clone()), self.span(&name_pair));
        let default = h.nth(1).map(|d| {
            let span = self.span(&d);
            let kind = match d.into_inner().next().map(|k| k.as_rule()) {
                Some(Rule::kw_deny) => Decision::Deny,
                _ => Decision::Allow,
            };
            Spanned::new(kind, span)
        });
        let schema_span = self.span(&schema);
        let fields = schema
            .into_inner()
            .filter(|p| p.as_rule() == Rule::field_decl)
            .map(|f| {
                let mut i = f.into_inner();
                let name = self.ident(i.next().expect("field name"));
                let ty = self.type_expr(i.next().expect("field type"));
                FieldDecl { name, ty }
            })
            .collect();
        Some((
            name,
            default,
            Schema {
                fields,
                span: schema_span,
            },
        ))
    }

    fn type_expr(&mut self, p: Pair<Rule>) -> TypeExpr {
        let span = self.span(&p);
        let mut inner = p.into_inner();
        let base = inner.next().expect("type");
        let optional = inner.next().is_some();
        let kind = match base.as_rule() {
            Rule::list_type => TypeExprKind::List(Box::new(
                self.type_expr(base.into_inner().next().expect("element type")),
            )),
            Rule::enum_type => {
                TypeExprKind::Enum(base.into_inner().map(|i| self.ident(i)).collect())
            }
            _ => TypeExprKind::Named(self.ident(base.into_inner().next().expect("type name"))),
        };
        TypeExpr {
            kind,
            optional,
            span,
        }
    }

    // ------------------------------------------------------------ items

    /// Lowers one `item`; `None` when an expression in it is nested too deep.
    pub fn item(&mut self, p: Pair<Rule>) -> Option<Item> {
        let p = p.into_inner().next()?;
        let span = self.span(&p);
        let result = match p.as_rule() {
            Rule::let_item => {
                let mut i = p.into_inner();
                i.next();
                let name = self.ident(i.next()?);
                self.expr(i.next()?)
                    .map(|value| Item::Let(Let { name, value, span }))
            }
            Rule::param_item => {
                let mut i = p.into_inner();
                i.next();
                let name = self.ident(i.next()?);
                let ty = self.type_expr(i.next()?);
                let default = match i.next() {
                    Some(e) => Some(self.expr(e).ok()?),
                    None => None,
                };
                Ok(Item::Param(Param {
                    name,
                    ty,
                    default,
                    span,
                }))
            }
            Rule::rule_item => self.rule(p, span).map(|r| Item::Rule(Box::new(r))),
            Rule::test_item => self.test(p, span).map(Item::Test),
            _ => return None,
        };
        result.ok()
    }

    fn rule(&mut self, p: Pair<Rule>, span: Span) -> Lowered<PolicyRule> {
        let mut i = p.into_inner();
        i.next(); // `rule`
        let name = self.ident(i.next().expect("rule name"));
        let clause_pair = i.next().expect("clause");
        let clause = self.clause(clause_pair)?;
        let because = match i.next() {
            Some(b) => {
                let t = b.into_inner().nth(1).expect("because text");
                Some(self.template(t)?)
            }
            None => None,
        };
        Ok(PolicyRule {
            name,
            clause,
            because,
            span,
        })
    }

    fn clause(&mut self, p: Pair<Rule>) -> Lowered<Clause> {
        match p.as_rule() {
            Rule::require_clause => {
                let mut i = p.into_inner();
                let keyword = self.span(&i.next().expect("require"));
                let condition = self.expr(i.next().expect("condition"))?;
                let scope = i.nth(1).map(|s| self.scope(s));
                Ok(Clause::Require {
                    keyword,
                    condition,
                    scope,
                })
            }
            Rule::verdict_clause => {
                let mut i = p.into_inner();
                let v = i.next().expect("verdict");
                let verdict = Spanned::new(verdict_of(&v), self.span(&v));
                let mut scope = None;
                let mut condition = None;
                for part in i {
                    match part.as_rule() {
                        Rule::scope => scope = Some(self.scope(part)),
                        Rule::expr => condition = Some(self.expr(part)?),
                        _ => {}
                    }
                }
                Ok(Clause::Verdict {
                    verdict,
                    scope,
                    condition,
                })
            }
            _ => {
                let mut i = p.into_inner();
                let keyword = self.span(&i.next().expect("limit"));
                let scope = self.scope(i.next().expect("scope"));
                i.next(); // `to`
                let cap = self.expr(i.next().expect("cap"))?;
                let q = i.next().expect("quantity");
                let q = q.into_inner().next().expect("quantity");
                let quantity = match q.as_rule() {
                    Rule::kw_records => Quantity::Records(self.span(&q)),
                    _ => Quantity::Field(self.ident(q)),
                };
                let mut limit = Limit {
                    keyword,
                    scope,
                    cap,
                    quantity,
                    per: None,
                    order_by: None,
                    otherwise: None,
                };
                for part in i {
                    match part.as_rule() {
                        Rule::per_clause => {
                            limit.per = part.into_inner().nth(1).map(|f| self.ident(f))
                        }
                        Rule::order_clause => {
                            limit.order_by = part.into_inner().nth(2).map(|f| self.ident(f))
                        }
                        Rule::else_clause => {
                            limit.otherwise = part.into_inner().nth(1).map(|v| {
                                let verdict = if v.as_rule() == Rule::kw_deny {
                                    Verdict::Deny
                                } else {
                                    Verdict::Waitlist
                                };
                                Spanned::new(verdict, self.span(&v))
                            })
                        }
                        _ => {}
                    }
                }
                Ok(Clause::Limit(limit))
            }
        }
    }

    fn scope(&mut self, p: Pair<Rule>) -> Scope {
        let span = self.span(&p);
        let mut i = p.into_inner();
        let action = self.ident(i.next().expect("action"));
        let items = match i.next() {
            Some(list) if list.as_rule() == Rule::scope_list => {
                list.into_inner().map(|x| self.ident(x)).collect()
            }
            Some(one) => vec![self.ident(one)],
            None => vec![],
        };
        Scope {
            action,
            items,
            span,
        }
    }

    fn test(&mut self, p: Pair<Rule>, span: Span) -> Lowered<Test> {
        let mut i = p.into_inner();
        i.next(); // `test`
        let name_pair = i.next().expect("test name");
        let name = Spanned::new(self.string(name_pair.clone()), self.span(&name_pair));
        let mut next = i.next().expect("set or given");
        let mut set = Vec::new();
        if next.as_rule() == Rule::set_clause {
            for b in next.into_inner().skip(1) {
                let mut parts = b.into_inner();
                let name_pair = parts.next().expect("set name");
                let name = Spanned::new(name_pair.as_str().to_string(), self.span(&name_pair));
                let value = self.expr(parts.next().expect("set value"))?;
                set.push(SetBinding { name, value });
            }
            next = i.next().expect("given");
        }
        debug_assert_eq!(next.as_rule(), Rule::kw_given);
        let g = i.next().expect("given");
        let given = if g.as_rule() == Rule::record_batch {
            let span = self.span(&g);
            let records = g
                .into_inner()
                .map(|r| self.record(r))
                .collect::<Lowered<Vec<_>>>()?;
            Given::Batch { records, span }
        } else {
            Given::Record(self.record(g)?)
        };
        let kw = i.next().expect("expect");
        let e = i.next().expect("outcome");
        let expect_span = self.span(&kw).to(self.span(&e));
        let (outcomes, is_list) = if e.as_rule() == Rule::outcome_list {
            (e.into_inner().map(|o| self.outcome(o)).collect(), true)
        } else {
            (vec![self.outcome(e)], false)
        };
        Ok(Test {
            name,
            set,
            given,
            expect: Expect {
                outcomes,
                is_list,
                span: expect_span,
            },
            span,
        })
    }

    fn record(&mut self, p: Pair<Rule>) -> Lowered<RecordLit> {
        let span = self.span(&p);
        let mut fields = Vec::new();
        for f in p.into_inner() {
            let mut i = f.into_inner();
            let name = self.ident(i.next().expect("field"));
            let value = self.expr(i.next().expect("value"))?;
            fields.push((name, value));
        }
        Ok(RecordLit { fields, span })
    }

    fn outcome(&mut self, p: Pair<Rule>) -> Outcome {
        let span = self.span(&p);
        let mut i = p.into_inner();
        let kind = match i.next().map(|k| k.as_rule()) {
            Some(Rule::kw_allow) => Decision::Allow,
            Some(Rule::kw_deny) => Decision::Deny,
            Some(Rule::kw_waitlist) => Decision::Waitlist,
            _ => Decision::Error,
        };
        let by = i
            .filter(|x| x.as_rule() == Rule::ident)
            .map(|x| self.ident(x))
            .collect();
        Outcome { kind, by, span }
    }

    // ------------------------------------------------------------ text

    fn template(&mut self, p: Pair<Rule>) -> Lowered<Template> {
        let span = self.span(&p);
        let mut parts: Vec<TemplatePart> = Vec::new();
        let mut text = String::new();
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::escape => self.escape(&part, &mut text),
                Rule::brace_open => text.push('{'),
                Rule::brace_close => text.push('}'),
                Rule::interpolation => {
                    if !text.is_empty() {
                        parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                    }
                    let e = part.into_inner().next().expect("interpolated expression");
                    if e.as_rule() == Rule::limit_fact {
                        let span = self.span(&e);
                        let name = e.into_inner().nth(1).expect("fact name");
                        parts.push(TemplatePart::Fact(Spanned::new(
                            name.as_str().to_string(),
                            span,
                        )));
                        continue;
                    }
                    parts.push(TemplatePart::Expr(self.expr(e)?));
                }
                _ => text.push_str(part.as_str()),
            }
        }
        if !text.is_empty() {
            parts.push(TemplatePart::Text(text));
        }
        Ok(Template { parts, span })
    }

    // ------------------------------------------------------------ expressions

    pub fn expr(&mut self, p: Pair<Rule>) -> Lowered<Expr> {
        self.expr_depth(p).map(|(e, _)| e)
    }

    /// Lowers an expression and returns it with its depth.
    fn expr_depth(&mut self, p: Pair<Rule>) -> Lowered<(Expr, usize)> {
        let span = self.span(&p);
        let (expr, depth) = match p.as_rule() {
            Rule::expr | Rule::interpolation => {
                let inner = p.into_inner().next().expect("inner expression");
                return self.expr_depth(inner);
            }
            // Parentheses leave no node, but the expression's span takes them in, so
            // that an operator's span covers its operands as written.
            Rule::paren => {
                let inner = p.into_inner().next().expect("inner expression");
                let (mut e, depth) = self.expr_depth(inner)?;
                e.span = span;
                return Ok((e, depth));
            }
            Rule::or_expr
            | Rule::and_expr
            | Rule::coalesce_expr
            | Rule::add_expr
            | Rule::mul_expr => self.left_assoc(p)?,
            Rule::cmp_expr => self.comparison(p)?,
            Rule::not_expr | Rule::unary_expr => self.prefix(p)?,
            _ => (self.primary(p, span)?, 1),
        };
        if depth > MAX_EXPR_DEPTH {
            self.errors.push(
                Diagnostic::error(
                    Code::TooDeep,
                    format!("this expression is nested more than {MAX_EXPR_DEPTH} levels deep"),
                    expr.span,
                    "too deep",
                )
                .with_help("split it with `let` constants or into several rules"),
            );
            return Err(TooDeep);
        }
        Ok((expr, depth))
    }

    fn left_assoc(&mut self, p: Pair<Rule>) -> Lowered<(Expr, usize)> {
        let mut i = p.into_inner();
        let (mut lhs, mut depth) = self.expr_depth(i.next().expect("operand"))?;
        while let Some(op_pair) = i.next() {
            let op = Spanned::new(binary_op_of(&op_pair), self.span(&op_pair));
            let (rhs, d) = self.expr_depth(i.next().expect("operand"))?;
            depth = depth.max(d) + 1;
            lhs = binary(op, lhs, rhs);
            if depth > MAX_EXPR_DEPTH {
                break;
            }
        }
        Ok((lhs, depth))
    }

    fn comparison(&mut self, p: Pair<Rule>) -> Lowered<(Expr, usize)> {
        let mut i = p.into_inner();
        let (lhs, d1) = self.expr_depth(i.next().expect("operand"))?;
        let Some(op_pair) = i.next() else {
            return Ok((lhs, d1));
        };
        let op = Spanned::new(binary_op_of(&op_pair), self.span(&op_pair));
        let (rhs, d2) = self.expr_depth(i.next().expect("operand"))?;
        if let Some(second) = i.next() {
            let second_span = self.span(&second);
            self.errors.push(
                Diagnostic::error(
                    Code::ChainedComparison,
                    "comparisons cannot be chained",
                    second_span,
                    "a second comparison",
                )
                .with_label(op.span, "first comparison")
                .with_help("compare twice and join with `and`, e.g. `a < b and b < c`"),
            );
        }
        Ok((binary(op, lhs, rhs), d1.max(d2) + 1))
    }

    /// `not not x`, `- - x`: prefix operators written as a repetition.
    fn prefix(&mut self, p: Pair<Rule>) -> Lowered<(Expr, usize)> {
        let pairs: Vec<Pair<Rule>> = p.into_inner().collect();
        let (mut ops, operand) = pairs.split_at(pairs.len() - 1);
        let (mut expr, mut depth) = if is_smallest_int(ops, &operand[0]) {
            // `-9223372036854775808`: the one int whose digits alone overflow
            let minus = self.span(&ops[ops.len() - 1]);
            ops = &ops[..ops.len() - 1];
            let span = minus.to(self.span(&operand[0]));
            let kind = ExprKind::Int(i64::MIN);
            (Expr { kind, span }, 1)
        } else {
            self.expr_depth(operand[0].clone())?
        };
        for op_pair in ops.iter().rev() {
            let op = match op_pair.as_rule() {
                Rule::kw_not => UnaryOp::Not,
                _ => UnaryOp::Neg,
            };
            let op_span = self.span(op_pair);
            let span = op_span.to(expr.span);
            expr = Expr {
                kind: ExprKind::Unary {
                    op: Spanned::new(op, op_span),
                    operand: Box::new(expr),
                },
                span,
            };
            depth += 1;
            if depth > MAX_EXPR_DEPTH {
                break;
            }
        }
        Ok((expr, depth))
    }

    fn primary(&mut self, p: Pair<Rule>, span: Span) -> Lowered<Expr> {
        let kind = match p.as_rule() {
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_today => ExprKind::Today,
            Rule::int => self.int(p.as_str(), span),
            Rule::decimal => ExprKind::Decimal(self.number(p.as_str(), span, "decimal")),
            Rule::percent => {
                let text = p.as_str();
                ExprKind::Percent(self.number(&text[..text.len() - 1], span, "percent"))
            }
            Rule::date => match parse_date(p.as_str()) {
                Some(d) => ExprKind::Date(d),
                None => {
                    self.errors.push(invalid_date(p.as_str(), span));
                    ExprKind::Date(crate::value::Date::default())
                }
            },
            Rule::string => ExprKind::Text(self.string(p)),
            Rule::ident => ExprKind::Name(p.as_str().to_string()),
            Rule::has_expr => {
                let field = p.into_inner().nth(1).expect("field after has");
                ExprKind::Has(self.ident(field))
            }
            Rule::call => {
                let mut i = p.into_inner();
                let function = self.ident(i.next().expect("function name"));
                let args = i.map(|a| self.expr(a)).collect::<Lowered<Vec<_>>>()?;
                ExprKind::Call { function, args }
            }
            Rule::list_expr => ExprKind::List(
                p.into_inner()
                    .map(|a| self.expr(a))
                    .collect::<Lowered<Vec<_>>>()?,
            ),
            other => unreachable!("not an expression: {other:?}"),
        };
        Ok(Expr { kind, span })
    }
}

/// Whether the last prefix operator is `-` and the operand the literal
/// `9223372036854775808` (with or without `_`): together, the smallest int.
fn is_smallest_int(ops: &[Pair<Rule>], operand: &Pair<Rule>) -> bool {
    let digits = || -> String { operand.as_str().chars().filter(|c| *c != '_').collect() };
    ops.last().is_some_and(|op| op.as_rule() == Rule::op_neg)
        && operand.as_rule() == Rule::int
        && digits() == i64::MIN.unsigned_abs().to_string()
}

fn binary(op: Spanned<BinaryOp>, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr {
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    }
}

fn verdict_of(p: &Pair<Rule>) -> Verdict {
    match p.clone().into_inner().next().map(|k| k.as_rule()) {
        Some(Rule::kw_deny) => Verdict::Deny,
        Some(Rule::kw_waitlist) => Verdict::Waitlist,
        Some(Rule::kw_allow) => Verdict::Allow,
        _ => Verdict::Warn,
    }
}

fn binary_op_of(p: &Pair<Rule>) -> BinaryOp {
    let rule = match p.as_rule() {
        Rule::cmp_op | Rule::add_op | Rule::mul_op => {
            p.clone().into_inner().next().map(|x| x.as_rule())
        }
        r => Some(r),
    };
    match rule {
        Some(Rule::kw_or) => BinaryOp::Or,
        Some(Rule::kw_and) => BinaryOp::And,
        Some(Rule::op_eq) => BinaryOp::Eq,
        Some(Rule::op_ne) => BinaryOp::Ne,
        Some(Rule::op_lt) => BinaryOp::Lt,
        Some(Rule::op_le) => BinaryOp::Le,
        Some(Rule::op_gt) => BinaryOp::Gt,
        Some(Rule::op_ge) => BinaryOp::Ge,
        Some(Rule::op_in) => BinaryOp::In,
        Some(Rule::op_not_in) => BinaryOp::NotIn,
        Some(Rule::op_coalesce) => BinaryOp::Coalesce,
        Some(Rule::op_add) => BinaryOp::Add,
        Some(Rule::op_sub) => BinaryOp::Sub,
        Some(Rule::op_mul) => BinaryOp::Mul,
        Some(Rule::op_div) => BinaryOp::Div,
        other => unreachable!("not an operator: {other:?}"),
    }
}
