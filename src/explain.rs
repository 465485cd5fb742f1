//! Why a record got its decision: every rule, whether it was in scope, and the value
//! of each part of its condition, with the margin by which comparisons missed.

use serde::Serialize;

use crate::eval::Policy;
use crate::ir::{CompareOp, Expr, ExprKind, RuleKind};
use crate::outcome::{grouped, refused_by, undecided, AllocationFact, Fired, Outcome, Verdict};
use crate::semantics::{eval_traced, in_scope};
use crate::span::Span;
use crate::value::{plain, Decimal, Type, Value};

/// One rule, as it went for one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleTrace {
    /// The rule's name.
    pub rule: String,
    /// What the rule gives a record it fires on.
    pub verdict: Verdict,
    /// Whether the record was in the rule's scope (its condition is evaluated only then).
    pub in_scope: bool,
    /// Whether the rule fired on the record.
    pub fired: bool,
    /// The reason, when the rule fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The runtime error the rule hit on this record (division by zero, overflow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The span of the clause in the policy source.
    pub clause: Span,
    /// Each part of the condition that was evaluated, in evaluation order.
    pub values: Vec<Traced>,
    /// Counterfactuals: how far each deciding comparison was from going the other way.
    pub hints: Vec<String>,
}

/// The value of one sub-expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Traced {
    /// Where the sub-expression is in the policy source.
    pub span: Span,
    /// The sub-expression as written.
    pub text: String,
    /// Its value for this record, shown as reasons show values.
    pub value: String,
    /// Where to draw it: the operator of a binary expression, else its start.
    #[serde(skip)]
    pub anchor: usize,
}

/// Explains one record: `row` is its data, `outcome` its final outcome (after any
/// allocation), `source` the policy text the policy was compiled from.
pub fn explain_row(
    policy: &Policy,
    source: &str,
    row: &[Value],
    outcome: &Outcome,
) -> Vec<RuleTrace> {
    let enums = &policy.schema.enums;
    let fired_reason = |name: &str| {
        outcome
            .rules
            .iter()
            .chain(&outcome.warnings)
            .find(|f| f.rule == name)
            .map(|f| f.reason.clone())
    };
    let error_of = |name: &str| {
        outcome
            .errors
            .iter()
            .find(|e| e.rule.as_deref() == Some(name))
            .map(|e| e.message.clone())
    };
    policy
        .rules
        .iter()
        .map(|rule| {
            let scoped = in_scope(rule, &policy.schema, row);
            let reason = fired_reason(&rule.name);
            let mut trace = RuleTrace {
                rule: rule.name.clone(),
                verdict: rule.verdict,
                in_scope: scoped,
                fired: reason.is_some(),
                reason,
                error: error_of(&rule.name),
                clause: clause_span(source, rule.span, rule.name_span),
                values: Vec::new(),
                hints: Vec::new(),
            };
            let condition = match &rule.kind {
                RuleKind::Require(c) | RuleKind::When(Some(c)) => c,
                _ => return trace,
            };
            if !scoped {
                return trace;
            }
            let mut seen: Vec<(*const Expr, Value)> = Vec::new();
            let _ = eval_traced(condition, row, &mut |e: &Expr, v: &Value| {
                seen.push((e as *const Expr, v.clone()));
                if !matches!(e.kind, ExprKind::Const(_)) {
                    trace.values.push(Traced {
                        span: e.span,
                        text: e.span.text(source).to_string(),
                        value: v.display(&e.ty, enums).to_string(),
                        anchor: anchor(source, e),
                    });
                }
            });
            let value_of = |e: &Expr| {
                seen.iter()
                    .find(|(p, _)| std::ptr::eq(*p, e))
                    .map(|(_, v)| v)
            };
            let bad = matches!(rule.kind, RuleKind::Require(_));
            hints(condition, source, &value_of, !bad, &mut trace.hints);
            trace
        })
        .collect()
}

/// Records in an explanation that a `limit` refused the record (allocation runs after
/// the record was explained).
pub fn refused(traces: &mut [RuleTrace], fired: &Fired) {
    if let Some(trace) = traces.iter_mut().find(|t| t.rule == fired.rule) {
        trace.fired = true;
        trace.reason = Some(fired.reason.clone());
    }
}

/// From the rule's name to the end of the rule, without the `because` text.
fn clause_span(source: &str, rule: Span, name: Span) -> Span {
    let text = rule.text(source);
    let after_name = name.end - rule.start;
    let start = text[after_name..]
        .find(':')
        .map_or(name.end, |i| name.end + i + 1);
    let rest = &source[start..rule.end];
    let skip = rest.len() - rest.trim_start().len();
    let end = rest.find("because").map_or(rule.end, |i| start + i);
    Span::new(
        start + skip,
        source[..end].trim_end().len().max(start + skip),
    )
}

/// The operator of a binary expression (after its left operand and any `)`), else the start.
fn anchor(source: &str, e: &Expr) -> usize {
    let lhs = match &e.kind {
        ExprKind::And(a, _)
        | ExprKind::Or(a, _)
        | ExprKind::Compare(_, a, _)
        | ExprKind::Arith(_, a, _)
        | ExprKind::Coalesce(a, _) => a,
        ExprKind::In { needle, .. } => needle,
        _ => return e.span.start,
    };
    let rest = &source[lhs.span.end.min(source.len())..];
    let skip = rest.len() - rest.trim_start_matches([' ', '\t', '\n', '\r', ')']).len();
    lhs.span.end + skip
}

/// Margins of ordering comparisons that went the deciding way: for a `require`,
/// those that were false; for a `when`, those that were true.
fn hints<'e>(
    e: &'e Expr,
    source: &str,
    value_of: &dyn Fn(&Expr) -> Option<&'e Value>,
    deciding: bool,
    out: &mut Vec<String>,
) where
    Value: 'e,
{
    match &e.kind {
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            hints(a, source, value_of, deciding, out);
            hints(b, source, value_of, deciding, out);
        }
        ExprKind::Not(x) => hints(x, source, value_of, !deciding, out),
        ExprKind::Compare(op, a, b) if !matches!(op, CompareOp::Eq | CompareOp::Ne) => {
            let (Some(Value::Bool(result)), Some(va), Some(vb)) =
                (value_of(e), value_of(a), value_of(b))
            else {
                return;
            };
            if *result != deciding {
                return;
            }
            let Some((gap, unit)) = crate::semantics::gap(va, vb) else {
                return;
            };
            let symbol = match op {
                CompareOp::Lt => "<",
                CompareOp::Le => "<=",
                CompareOp::Gt => ">",
                _ => ">=",
            };
            let (lhs, rhs) = (a.span.text(source), b.span.text(source));
            let (va_s, vb_s) = (show(va), show(vb));
            // A literal shows itself; a named constant also shows its value.
            let literal = |x: &Expr| {
                let text = x.span.text(source);
                matches!(x.kind, ExprKind::Const(_))
                    && !text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            };
            let subject = if literal(a) {
                lhs.to_string()
            } else {
                format!("{lhs} is {va_s}")
            };
            let target = if literal(b) || rhs == vb_s {
                rhs.to_string()
            } else {
                format!("{rhs} ({vb_s})")
            };
            // a difference keeps the places of its operands (`10.50 > 10.00`: by 0.50)
            let gap = plain(gap.abs());
            out.push(if *result {
                let word = if matches!(op, CompareOp::Gt | CompareOp::Ge) {
                    "over"
                } else {
                    "under"
                };
                format!("{subject}, {symbol} {target}: {word} by {gap}{unit}")
            } else {
                let word = if matches!(op, CompareOp::Gt | CompareOp::Ge) {
                    "short"
                } else {
                    "over"
                };
                format!("{subject}, needs {symbol} {target}: {word} by {gap}{unit}")
            });
        }
        _ => {}
    }
}

fn show(v: &Value) -> String {
    let ty = match v {
        Value::Percent(_) => Type::Percent,
        _ => Type::Error,
    };
    v.display(&ty, &[]).to_string()
}

/// Draws an explanation for people: each rule with its clause and, under it, the value
/// of each part of its condition (in the manner of a power assert), then the decision.
pub fn render(policy: &Policy, source: &str, outcome: &Outcome, traces: &[RuleTrace]) -> String {
    let mut out = String::new();
    let refuser = refused_by(&outcome.allocations);
    for (rule, t) in policy.rules.iter().zip(traces) {
        let fact = outcome.allocations.iter().find(|f| f.rule == t.rule);
        let status = match (&rule.kind, t.in_scope, t.fired) {
            (_, false, _) => "not in scope".to_string(),
            (_, _, _) if t.error.is_some() => "error".to_string(),
            (RuleKind::Limit(_), true, true) => format!("refused ({})", t.verdict.as_str()),
            (RuleKind::Limit(_), true, false) => match fact {
                Some(f) => f.status(refuser),
                None => "did not take part (the record was not allowed)".into(),
            },
            (_, true, true) => format!("fired ({})", t.verdict.as_str()),
            (_, true, false) => "did not fire".into(),
        };
        out += &format!("rule {}: {status}\n", t.rule);
        draw_clause(&mut out, source, t);
        if let Some(f) = fact {
            ledger(&mut out, f, refuser);
        }
        for h in &t.hints {
            out += &format!("  {h}\n");
        }
        if let Some(e) = &t.error {
            out += &format!("  error: {}\n", escape(e));
        }
        if let Some(r) = &t.reason {
            out += &format!("  reason: {}\n", escape(r));
        }
        out.push('\n');
    }
    out += &format!("decision: {}\n", outcome.decision.as_str());
    let deciding: Vec<String> = outcome.rules.iter().map(|f| format!("  {f}")).collect();
    if outcome.errors.is_empty() && deciding.is_empty() {
        out += &format!("  {}\n", undecided(policy.default));
    }
    for e in &outcome.errors {
        let at = e
            .rule
            .as_ref()
            .or(e.field.as_ref())
            .map(|x| format!("{x}: "))
            .unwrap_or_default();
        out += &format!("  error: {at}{}\n", escape(&e.message));
    }
    for d in deciding {
        out += &d;
        out.push('\n');
    }
    for w in &outcome.warnings {
        out += &format!("  {w}\n");
    }
    out
}

/// A limit's facts for the record: its turn, what the records admitted before it
/// took (the largest by name), what remained, and what it needed.
fn ledger(out: &mut String, f: &AllocationFact, refuser: Option<&str>) {
    let Some(before) = &f.before else {
        *out += &format!("  {}\n", escape(&f.sentence()));
        return;
    };
    let group = f
        .group
        .as_ref()
        .map(|g| format!(" for {}", escape(&g.value)))
        .unwrap_or_default();
    let order = f
        .order_by
        .as_ref()
        .map(|o| format!(", {}", escape(&o.value)))
        .unwrap_or_default();
    let refused = (f.place - 1).saturating_sub(before.admitted);
    *out += &format!(
        "  before its turn{group} ({}{order}): {} admitted, {refused} refused\n",
        f.turn(),
        before.admitted
    );
    let named: Vec<(String, String)> = before
        .largest
        .iter()
        .map(|t| (escape(&t.record), grouped(&t.quantity)))
        .collect();
    let mut rows = named.clone();
    if before.admitted > named.len() {
        let shown = before.largest.iter().try_fold(Decimal::ZERO, |sum, t| {
            sum.checked_add(parse_plain(&t.quantity)?)
        });
        let rest = shown
            .and_then(|s| parse_plain(&before.taken)?.checked_sub(s))
            .map_or("?".to_string(), |d| grouped(&plain(d).to_string()));
        rows.push((format!("{} more", before.admitted - named.len()), rest));
    }
    rows.push((
        "taken".into(),
        format!("{} of the {}", grouped(&before.taken), grouped(&f.cap)),
    ));
    let id_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let number_width = |s: &str| s.split(' ').next().map_or(0, |n| n.chars().count());
    let q_width = rows.iter().map(|r| number_width(&r.1)).max().unwrap_or(0);
    for (id, q) in rows {
        let pad = " ".repeat(q_width - number_width(&q));
        *out += &format!("    {}  {pad}{q} {}\n", pad_to(&id, id_width), f.counts);
    }
    let nothing = parse_plain(&f.remaining).is_none_or(|d| d <= Decimal::ZERO);
    let remained = if nothing {
        "nothing remained".to_string()
    } else {
        format!("{} remained", grouped(&f.remaining))
    };
    let more = if nothing { "" } else { ", more than remained" };
    let verdict = match refuser {
        _ if f.admitted => ", which fit: admitted".to_string(),
        Some(r) if f.fits => {
            format!(", which fit, but `{r}` refused the record: it took nothing")
        }
        Some(r) if r != f.rule => format!("{more}; `{r}` refused the record first"),
        _ => format!("{more}: refused"),
    };
    *out += &format!("  {remained}; it {}{verdict}\n", f.need());
}

/// A number as facts give it (plain notation).
fn parse_plain(s: &str) -> Option<Decimal> {
    Decimal::from_str_exact(s).ok()
}

fn pad_to(s: &str, width: usize) -> String {
    let mut s = s.to_string();
    s.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(s.chars().count()),
    ));
    s
}

fn escape(s: &str) -> String {
    crate::value::escape_control(s).into_owned()
}

fn draw_clause(out: &mut String, source: &str, t: &RuleTrace) {
    let text = t.clause.text(source);
    if text.contains('\n') {
        for line in text.lines() {
            out.push_str(&format!("  {}\n", line.trim()));
        }
        for v in &t.values {
            out.push_str(&format!(
                "    {} = {}\n",
                v.text.split_whitespace().collect::<Vec<_>>().join(" "),
                escape(&v.value)
            ));
        }
        return;
    }
    out.push_str(&format!("  {text}\n"));
    // Columns in characters from the start of the clause; later values of the same
    // place (outer expressions evaluated last) win.
    let mut marks: Vec<(usize, String)> = Vec::new();
    for v in &t.values {
        if v.anchor < t.clause.start || v.anchor >= t.clause.end {
            continue;
        }
        let col = source[t.clause.start..v.anchor].chars().count();
        marks.retain(|(c, _)| *c != col);
        marks.push((col, escape(&v.value)));
    }
    marks.sort_by_key(|(c, _)| *c);
    if marks.is_empty() {
        return;
    }
    let bars = |upto: &[(usize, String)]| {
        let mut line = String::new();
        for (c, _) in upto {
            while line.chars().count() < *c {
                line.push(' ');
            }
            line.push('│');
        }
        line
    };
    out.push_str(&format!("  {}\n", bars(&marks)));
    let mut remaining = marks;
    while !remaining.is_empty() {
        // Place values right to left while they fit before the next one placed.
        let mut row: Vec<char> = Vec::new();
        let mut limit = usize::MAX;
        let mut placed = vec![false; remaining.len()];
        for (i, (col, value)) in remaining.iter().enumerate().rev() {
            let width = value.chars().count();
            if col + width < limit {
                put(&mut row, *col, value);
                placed[i] = true;
            } else {
                put(&mut row, *col, "│");
            }
            limit = *col;
        }
        out.push_str(&format!(
            "  {}\n",
            row.iter().collect::<String>().trim_end()
        ));
        let mut i = 0;
        remaining.retain(|_| {
            i += 1;
            !placed[i - 1]
        });
    }
}

fn put(row: &mut Vec<char>, col: usize, text: &str) {
    while row.len() < col {
        row.push(' ');
    }
    for (i, ch) in text.chars().enumerate() {
        if col + i < row.len() {
            row[col + i] = ch;
        } else {
            row.push(ch);
        }
    }
}
