//! `clearance fmt`: one canonical layout for policy files, comments kept.
//!
//! Layout: one field per line in the schema, one clause per rule on its own line,
//! `because` on the line after, two-space indentation, one blank line between items
//! (consecutive `let`s stay together). Literals keep their text as written
//! (`400_000`, escapes). Comments stay with the line they were on; a comment inside a
//! multi-line clause moves to the line after the clause. Formatting is idempotent and
//! the result parses to the same syntax tree.

use crate::ast::{
    type_text, Clause, Expect, Given, Item, Let, Outcome, Param, Policy, Quantity, RecordLit, Rule,
    Scope, Test,
};
use crate::diagnostics::Diagnostic;
use crate::span::Span;

const WIDTH: usize = 100;

/// Formats a policy file; the diagnostics if it does not parse.
pub fn format_source(source: &str) -> Result<String, Vec<Diagnostic>> {
    let policy = Policy::parse(source)?;
    let mut p = Printer {
        src: source,
        out: String::new(),
        comments: comments(source),
        next: 0,
    };
    p.policy(&policy);
    Ok(p.out)
}

struct Comment {
    start: usize,
    end: usize,
    /// Nothing but blanks before it on its line.
    own_line: bool,
    /// A blank line follows it in the source.
    blank_after: bool,
}

/// Every `#` comment outside strings, in order.
fn comments(src: &str) -> Vec<Comment> {
    crate::syntax::comments(src)
        .map(|span| {
            let (start, end) = (span.start, span.end);
            let line_start = src[..start].rfind('\n').map_or(0, |p| p + 1);
            let own_line = src[line_start..start]
                .trim_matches([' ', '\t', '\r', '\u{feff}'])
                .is_empty();
            let rest = &src[end..];
            let next_line_end = rest.get(1..).and_then(|r| r.find('\n')).map(|p| p + 1);
            let blank_after = match next_line_end {
                Some(e) => rest[1..e].trim().is_empty(),
                None => false,
            };
            Comment {
                start,
                end,
                own_line,
                blank_after,
            }
        })
        .collect()
}

struct Printer<'s> {
    src: &'s str,
    out: String,
    comments: Vec<Comment>,
    /// The first comment not printed yet.
    next: usize,
}

impl Printer<'_> {
    fn text(&self, span: Span) -> &str {
        span.text(self.src).trim_end()
    }

    /// Prints the comments that come before `pos` in the source, each on its own line.
    fn leading(&mut self, pos: usize, indent: &str) {
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            let text = self.src[c.start..c.end].trim_end();
            self.out.push_str(indent);
            self.out.push_str(text);
            self.out.push('\n');
            if c.blank_after && c.own_line {
                self.out.push('\n');
            }
            self.next += 1;
        }
    }

    /// Writes one line for the source span `span`, with the comment that followed it
    /// on the same source line.
    fn line(&mut self, indent: &str, text: &str, span: Span) {
        self.line_aligned(indent, text, span, 0);
    }

    /// Like [`Self::line`], with a trailing comment starting at column `align` or later.
    fn line_aligned(&mut self, indent: &str, text: &str, span: Span, align: usize) {
        self.leading(span.start, indent);
        self.out.push_str(indent);
        self.out.push_str(text);
        // Comments inside the span that are not on lines of their own trail this line.
        let mut trailing: Vec<String> = Vec::new();
        while let Some(c) = self.comments.get(self.next) {
            // Right after this line's code: nothing but blanks in between.
            let same_line = self.src[span.end.min(c.start)..c.start]
                .trim_matches([' ', '\t', ')', ']'])
                .is_empty();
            let inside = c.start < span.end && !c.own_line;
            if inside || (c.start >= span.end && same_line) {
                trailing.push(self.src[c.start..c.end].trim_end().to_string());
                self.next += 1;
            } else {
                break;
            }
        }
        if !trailing.is_empty() {
            let width = indent.len() + text.chars().count();
            self.out
                .push_str(&" ".repeat(align.saturating_sub(width).max(2)));
            self.out.push_str(&trailing.join(" "));
        }
        self.out.push('\n');
    }

    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn policy(&mut self, p: &Policy) {
        let mut header = format!("policy {}", self.text(p.name.span));
        let mut header_span = p.name.span;
        if let Some(d) = &p.default {
            header += &format!(" default {}", d.node);
            header_span = header_span.to(d.span);
        }
        let start = self.src[..p.name.span.start].rfind("policy").unwrap_or(0);
        self.line("", &header, Span::new(start, header_span.end));
        self.blank();

        let open = self.src[p.schema.span.start..p.schema.span.end]
            .find('{')
            .map_or(p.schema.span.start, |i| p.schema.span.start + i + 1);
        self.line("", "schema {", Span::new(p.schema.span.start, open));
        // Trailing comments of the fields line up.
        let lines: Vec<String> = p
            .schema
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name.node, type_text(&f.ty)))
            .collect();
        let commented = |f: &crate::ast::FieldDecl| {
            let rest = &self.src[f.ty.span.end..];
            rest[..rest.find('\n').unwrap_or(rest.len())].contains('#')
        };
        let align = 2
            + p.schema
                .fields
                .iter()
                .zip(&lines)
                .filter(|(f, _)| commented(f))
                .map(|(_, l)| l.chars().count())
                .max()
                .unwrap_or(0)
            + 2;
        for (f, text) in p.schema.fields.iter().zip(&lines) {
            self.line_aligned("  ", text, f.name.span.to(f.ty.span), align);
        }
        let close = p.schema.span.end.saturating_sub(1);
        self.line("", "}", Span::new(close, p.schema.span.end));

        let mut previous_let = false;
        for item in &p.items {
            // Constants (lets and params) stand together without blank lines.
            let is_let = matches!(item, Item::Let(_) | Item::Param(_));
            if !(is_let && previous_let) {
                self.blank();
            }
            previous_let = is_let;
            match item {
                Item::Let(l) => self.let_item(l),
                Item::Param(p) => self.param_item(p),
                Item::Rule(r) => self.rule(r),
                Item::Test(t) => self.test(t),
            }
        }
        // Whatever comments remain (at the end of the file).
        if self.next < self.comments.len() {
            self.blank();
            self.leading(usize::MAX, "");
        }
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
    }

    fn let_item(&mut self, l: &Let) {
        let text = format!(
            "let {} = {}",
            l.name.node,
            l.value.to_source(Some(self.src))
        );
        self.line("", &text, l.span);
    }

    fn param_item(&mut self, p: &Param) {
        let mut text = format!("param {}: {}", p.name.node, type_text(&p.ty));
        if let Some(d) = &p.default {
            text += &format!(" = {}", d.to_source(Some(self.src)));
        }
        self.line("", &text, p.span);
    }

    fn rule(&mut self, r: &Rule) {
        let head_end = self.src[r.name.span.end..]
            .find(':')
            .map_or(r.name.span.end, |i| r.name.span.end + i + 1);
        self.line(
            "",
            &format!("rule {}:", r.name.node),
            Span::new(r.span.start, head_end),
        );
        let (clause, span) = self.clause(&r.clause);
        self.line("  ", &clause, span);
        if let Some(b) = &r.because {
            let start = self.src[..b.span.start]
                .rfind("because")
                .unwrap_or(b.span.start);
            let text = format!("because {}", self.text(b.span));
            self.line("  ", &text, Span::new(start, b.span.end));
        }
    }

    fn scope(&self, s: &Scope) -> String {
        match s.items.as_slice() {
            [] => s.action.node.clone(),
            [one] => format!("{} {}", s.action.node, one.node),
            many => {
                let items: Vec<&str> = many.iter().map(|i| i.node.as_str()).collect();
                format!("{} [{}]", s.action.node, items.join(", "))
            }
        }
    }

    fn clause(&self, c: &Clause) -> (String, Span) {
        let src = Some(self.src);
        match c {
            Clause::Require {
                keyword,
                condition,
                scope,
            } => {
                let mut t = format!("require {}", condition.to_source(src));
                let mut span = keyword.to(condition.span);
                if let Some(s) = scope {
                    t += &format!(" before {}", self.scope(s));
                    span = span.to(s.span);
                }
                (t, span)
            }
            Clause::Verdict {
                verdict,
                scope,
                condition,
            } => {
                let mut t = verdict.node.to_string();
                let mut span = verdict.span;
                if let Some(s) = scope {
                    t += &format!(" {}", self.scope(s));
                    span = span.to(s.span);
                }
                if let Some(c) = condition {
                    t += &format!(" when {}", c.to_source(src));
                    span = span.to(c.span);
                }
                (t, span)
            }
            Clause::Limit(l) => {
                let quantity = match &l.quantity {
                    Quantity::Records(_) => "records".to_string(),
                    Quantity::Field(f) => f.node.clone(),
                };
                let mut t = format!(
                    "limit {} to {} {quantity}",
                    self.scope(&l.scope),
                    l.cap.to_source(src)
                );
                let mut span = l.keyword.to(l.cap.span);
                if let Quantity::Field(f) = &l.quantity {
                    span = span.to(f.span);
                }
                if let Some(p) = &l.per {
                    t += &format!(" per {}", p.node);
                    span = span.to(p.span);
                }
                if let Some(o) = &l.order_by {
                    t += &format!(" order by {}", o.node);
                    span = span.to(o.span);
                }
                if let Some(v) = &l.otherwise {
                    t += &format!(" else {}", v.node);
                    span = span.to(v.span);
                }
                (t, span)
            }
        }
    }

    fn record_inline(&self, r: &RecordLit) -> String {
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|(n, v)| format!("{}: {}", n.node, v.to_source(Some(self.src))))
            .collect();
        if fields.is_empty() {
            "{}".into()
        } else {
            format!("{{ {} }}", fields.join(", "))
        }
    }

    /// A record on one line when it fits, else its fields filled into lines of at most
    /// `WIDTH` columns, continuation lines aligned under the first field.
    fn record(&mut self, indent: &str, prefix: &str, r: &RecordLit, suffix: &str) {
        let inline = format!("{prefix}{}{suffix}", self.record_inline(r));
        if indent.len() + inline.chars().count() <= WIDTH || r.fields.is_empty() {
            self.line(indent, &inline, r.span);
            return;
        }
        let cont = " ".repeat(indent.len() + prefix.len() + 2);
        let fields: Vec<(String, Span)> = r
            .fields
            .iter()
            .map(|(n, v)| {
                (
                    format!("{}: {}", n.node, v.to_source(Some(self.src))),
                    n.span.to(v.span),
                )
            })
            .collect();
        // Greedy fill: each line takes fields while they fit.
        let mut lines: Vec<(String, Span)> = Vec::new();
        let mut current: Option<(String, Span)> = None;
        for (i, (text, span)) in fields.iter().enumerate() {
            let last = i + 1 == fields.len();
            let piece = if last {
                format!("{text} }}{suffix}")
            } else {
                format!("{text},")
            };
            current = match current.take() {
                None => Some((piece, *span)),
                Some((line, line_span)) => {
                    let lead = if lines.is_empty() {
                        indent.len() + prefix.len() + 2
                    } else {
                        cont.len()
                    };
                    if lead + line.chars().count() + 1 + piece.chars().count() <= WIDTH {
                        Some((format!("{line} {piece}"), line_span.to(*span)))
                    } else {
                        lines.push((line, line_span));
                        Some((piece, *span))
                    }
                }
            };
        }
        lines.extend(current);
        for (i, (text, span)) in lines.iter().enumerate() {
            if i == 0 {
                let span = Span::new(r.span.start, span.end);
                self.line(indent, &format!("{prefix}{{ {text}"), span);
            } else {
                let span = if i + 1 == lines.len() {
                    Span::new(span.start, r.span.end)
                } else {
                    *span
                };
                self.line(&cont, text, span);
            }
        }
    }

    fn test(&mut self, t: &Test) {
        let head_end = self.src[t.name.span.end..]
            .find('{')
            .map_or(t.name.span.end, |i| t.name.span.end + i + 1);
        self.line(
            "",
            &format!("test {} {{", self.text(t.name.span)),
            Span::new(t.span.start, head_end),
        );
        if let (Some(first), Some(last)) = (t.set.first(), t.set.last()) {
            let start = self.src[..first.name.span.start]
                .rfind("set")
                .unwrap_or(first.name.span.start);
            let bindings: Vec<String> = t
                .set
                .iter()
                .map(|b| format!("{} = {}", b.name.node, b.value.to_source(Some(self.src))))
                .collect();
            let text = format!("set {}", bindings.join(", "));
            self.line("  ", &text, Span::new(start, last.value.span.end));
        }
        match &t.given {
            Given::Record(r) => self.record("  ", "given ", r, ""),
            Given::Batch { records, span } => {
                let first = records.first().map_or(span.end, |r| r.span.start);
                let open = Span::new(
                    span.start,
                    span.start.max(first.saturating_sub(1)).min(span.start + 1),
                );
                let given_start = self.src[..span.start].rfind("given").unwrap_or(span.start);
                self.line("  ", "given [", Span::new(given_start, open.end));
                for r in records {
                    self.record("    ", "", r, ",");
                }
                self.line("  ", "]", Span::new(span.end.saturating_sub(1), span.end));
            }
        }
        self.line("  ", &expect_text(&t.expect), t.expect.span);
        self.line("", "}", Span::new(t.span.end.saturating_sub(1), t.span.end));
    }
}

fn outcome_text(o: &Outcome) -> String {
    let mut t = o.kind.as_str().to_string();
    if !o.by.is_empty() {
        let names: Vec<&str> = o.by.iter().map(|b| b.node.as_str()).collect();
        t += &format!(" by {}", names.join(", "));
    }
    t
}

fn expect_text(e: &Expect) -> String {
    let outcomes: Vec<String> = e.outcomes.iter().map(outcome_text).collect();
    if e.is_list {
        format!("expect [{}]", outcomes.join(", "))
    } else {
        format!("expect {}", outcomes.join(", "))
    }
}
