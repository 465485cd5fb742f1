//! The canonical printer of expressions: with only the parentheses a reader needs, and
//! literals as they were written.

use super::{BinaryOp, Expr, ExprKind, TypeExpr, TypeExprKind, UnaryOp};

const NOT: u8 = 3;
const COMPARISON: u8 = 4;
const COALESCE: u8 = 5;
const PRIMARY: u8 = 9;

/// Binding strength of an expression's top operator (higher binds tighter).
fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => match op.node {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => COMPARISON,
            BinaryOp::Coalesce => COALESCE,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div => 7,
        },
        ExprKind::Unary { op, .. } => match op.node {
            UnaryOp::Not => NOT,
            UnaryOp::Neg => 8,
        },
        _ => PRIMARY,
    }
}

/// Whether `not` needs parentheses around `operand` for a reader, though not for the
/// parser: `not a ?? b` would read as `(not a) ?? b`. Only a comparison (`not a == b`,
/// `not a in L`) without `??` on its left, a `not` or a primary go without.
fn needs_parentheses_after_not(operand: &Expr) -> bool {
    match (&operand.kind, precedence(operand)) {
        (_, NOT | PRIMARY) => false,
        (ExprKind::Binary { lhs, .. }, COMPARISON) => precedence(lhs) == COALESCE,
        _ => true,
    }
}

/// Prints an expression in canonical form, with only the parentheses it needs.
impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_source(None))
    }
}

impl Expr {
    /// The expression in canonical form. With the source text, literals are written as
    /// they were (`400_000` keeps its separators, strings their escapes).
    pub fn to_source(&self, source: Option<&str>) -> String {
        let mut out = String::new();
        self.write(source, &mut out);
        out
    }

    fn write(&self, src: Option<&str>, out: &mut String) {
        fn wrap(e: &Expr, min: u8, src: Option<&str>, out: &mut String) {
            if precedence(e) < min {
                out.push('(');
                e.write(src, out);
                out.push(')');
            } else {
                e.write(src, out);
            }
        }
        let literal = |out: &mut String, canonical: String| match src {
            Some(s) => out.push_str(&literal_text(self.span.text(s))),
            None => out.push_str(&canonical),
        };
        match &self.kind {
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Int(i) => literal(out, i.to_string()),
            ExprKind::Decimal(d) => literal(out, d.to_string()),
            ExprKind::Percent(p) => literal(out, format!("{p}%")),
            ExprKind::Text(t) => literal(out, quote(t)),
            ExprKind::Date(d) => literal(out, d.format("%Y-%m-%d").to_string()),
            ExprKind::Name(n) => out.push_str(n),
            ExprKind::Today => out.push_str("today"),
            ExprKind::List(items) => {
                out.push('[');
                write_all(items, src, out);
                out.push(']');
            }
            ExprKind::Has(field) => {
                out.push_str("has ");
                out.push_str(&field.node);
            }
            ExprKind::Call { function, args } => {
                out.push_str(&function.node);
                out.push('(');
                write_all(args, src, out);
                out.push(')');
            }
            ExprKind::Unary { op, operand } => {
                let min = match op.node {
                    UnaryOp::Not if needs_parentheses_after_not(operand) => PRIMARY + 1,
                    _ => precedence(self),
                };
                out.push_str(match op.node {
                    UnaryOp::Not => "not ",
                    UnaryOp::Neg => "-",
                });
                wrap(operand, min, src, out);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let p = precedence(self);
                // Comparisons do not chain: both sides bind tighter. Others are left-associative.
                let lmin = if p == COMPARISON { p + 1 } else { p };
                wrap(lhs, lmin, src, out);
                out.push(' ');
                out.push_str(op.node.as_str());
                out.push(' ');
                wrap(rhs, p + 1, src, out);
            }
        }
    }
}

/// A literal as written, from the text of its node: without the parentheses (and
/// spaces and comments) that the node's span takes in, `- 9223372036854775808` (the
/// smallest int, one literal) written without the space.
fn literal_text(text: &str) -> String {
    let rest = skip_trivia(text);
    match rest.strip_prefix('-') {
        Some(digits) => format!("-{}", token(skip_trivia(digits))),
        None => token(rest).to_string(),
    }
}

/// `text` after any leading spaces, comments and `(`.
fn skip_trivia(text: &str) -> &str {
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        match trimmed.strip_prefix('#') {
            Some(comment) => rest = comment.find('\n').map_or("", |i| &comment[i..]),
            None => return trimmed,
        }
    }
}

/// The literal token at the start of `text`: a string to its closing quote, anything
/// else to the first space, `)` or comment.
fn token(text: &str) -> &str {
    let end = if text.starts_with('"') {
        let mut escaped = false;
        text.char_indices()
            .skip(1)
            .find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            })
            .map_or(text.len(), |(i, _)| i + 1)
    } else {
        text.find(|c: char| c.is_whitespace() || c == ')' || c == '#')
            .unwrap_or(text.len())
    };
    &text[..end]
}

/// Expressions separated by `, `.
fn write_all(items: &[Expr], src: Option<&str>, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.write(src, out);
    }
}

/// A string literal with its escapes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A type as written in the schema: `int`, `tier1 | tier2`, `[text]?`.
pub fn type_text(t: &TypeExpr) -> String {
    let base = match &t.kind {
        TypeExprKind::Named(n) => n.node.clone(),
        TypeExprKind::Enum(values) => values
            .iter()
            .map(|v| v.node.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        TypeExprKind::List(inner) => format!("[{}]", type_text(inner)),
    };
    if t.optional {
        format!("{base}?")
    } else {
        base
    }
}
