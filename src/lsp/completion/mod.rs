//! Completion: what can be written at the cursor, from the words before it.
//!
//! The text being typed rarely parses, so the context is read from tokens
//! ([`super::lex`]): the item the cursor is in (`rule`, `test`, ...), then the clause
//! or record position inside it. Names come from the document's syntax tree, or from
//! the last one it had while its schema does not parse.

use lsp_types::{CompletionItem, CompletionItemKind};

use crate::ast::{FieldDecl, Policy, TypeExprKind};

mod names;

use names::{item, keywords};

use super::analysis::Analysis;
use super::lex::{self, Kind, Place, Token};
use super::words;

const CLAUSES: &[&str] = &["require", "deny", "waitlist", "allow", "warn", "limit"];
const ITEMS: &[&str] = &["let", "rule", "test"];
const VERDICTS: &[&str] = &["deny", "waitlist", "allow", "warn"];
const OUTCOMES: &[&str] = &["allow", "deny", "waitlist", "error"];

/// The completions at `offset`. `stale` is an older tree of the document, used for
/// names when the current text has none.
pub fn completions(a: &Analysis, stale: Option<&Policy>, offset: usize) -> Vec<CompletionItem> {
    let offset = offset.min(a.text.len());
    let c = Ctx {
        a,
        policy: a.policy.as_ref().or(stale),
    };
    match lex::place(&a.text, offset) {
        Place::Comment => Vec::new(),
        Place::Str(token) => c.interpolation(token, offset).unwrap_or_default(),
        Place::Code => c.code(offset),
    }
}

struct Ctx<'a> {
    a: &'a Analysis,
    policy: Option<&'a Policy>,
}

/// Tokens and the text they index.
struct Toks<'t> {
    text: &'t str,
    all: Vec<Token>,
}

impl Toks<'_> {
    fn word(&self, i: usize) -> &str {
        self.all.get(i).map_or("", |t| t.text(self.text))
    }
    fn last(&self, back: usize) -> &str {
        match self.all.len().checked_sub(back + 1) {
            Some(i) => self.word(i),
            None => "",
        }
    }
    fn position(&self, word: &str) -> Option<usize> {
        self.all.iter().position(|t| t.text(self.text) == word)
    }
    fn after(&self, i: usize) -> Toks<'_> {
        Toks {
            text: self.text,
            all: self.all.get(i..).unwrap_or_default().to_vec(),
        }
    }
}

impl Ctx<'_> {
    fn code(&self, offset: usize) -> Vec<CompletionItem> {
        let text = &self.a.text;
        // The tokens before the cursor, without the word being typed.
        let all: Vec<Token> = lex::tokens(&text[..offset])
            .into_iter()
            .filter(|t| !(t.span.end == offset && matches!(t.kind, Kind::Word | Kind::Number)))
            .collect();
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let at_line_start = text[line_start..offset].trim().is_empty();
        let first_on_line = |t: &Token| {
            let ls = text[..t.span.start].rfind('\n').map_or(0, |i| i + 1);
            text[ls..t.span.start].trim().is_empty()
        };
        let start = all.iter().rposition(|t| {
            let w = t.text(text);
            matches!(w, "policy" | "schema" | "let" | "rule" | "test") && first_on_line(t)
        });
        let Some(start) = start else {
            return keywords(&["policy"]);
        };
        let item = Toks {
            text,
            all: all[start..].to_vec(),
        };
        let mut out = match item.word(0) {
            "policy" => self.header(&item),
            "schema" => schema(&item),
            "let" if item.all.len() >= 3 => constant(self.expression(&item.after(3), &[])),
            "rule" => self.rule(&item),
            "test" => self.test(&item),
            _ => Vec::new(),
        };
        if at_line_start && balanced(&item) && may_end(&item) {
            // In the first column, only a new item starts; indented, the item may go on.
            if line_start == offset {
                return keywords(ITEMS);
            }
            out.extend(keywords(ITEMS));
        }
        out
    }

    fn header(&self, item: &Toks) -> Vec<CompletionItem> {
        match item.last(0) {
            "default" => keywords(&["allow", "deny"]),
            _ if item.all.len() == 2 => keywords(&["default"]),
            _ => keywords(&["schema"]),
        }
    }

    /// Inside `{…}` of a `because` text: the expression being written.
    fn interpolation(&self, string: Token, offset: usize) -> Option<Vec<CompletionItem>> {
        let text = &self.a.text;
        let before = lex::tokens(&text[..string.span.start]);
        if before.last()?.text(text) != "because" {
            return None;
        }
        let inside = &text[string.span.start + 1..offset];
        let mut open = None;
        let mut chars = inside.char_indices().peekable();
        while let Some((i, ch)) = chars.next() {
            match ch {
                '\\' => {
                    chars.next();
                }
                '{' if open.is_none() && chars.peek().map(|c| c.1) == Some('{') => {
                    chars.next();
                }
                '{' => open = Some(i + 1),
                '}' => open = None,
                _ => {}
            }
        }
        let expr = &inside[open?..];
        let toks = Toks {
            text: expr,
            all: lex::tokens(expr)
                .into_iter()
                .filter(|t| !(t.span.end == expr.len() && t.kind == Kind::Word))
                .collect(),
        };
        Some(self.expression(&toks, &[]))
    }

    fn rule(&self, item: &Toks) -> Vec<CompletionItem> {
        if item.word(2) != ":" {
            return Vec::new();
        }
        let clause = item.after(3);
        if clause.all.is_empty() {
            return keywords(CLAUSES);
        }
        if clause.position("because").is_some() {
            return Vec::new();
        }
        let first = clause.word(0);
        if VERDICTS.contains(&first) {
            if let Some(w) = clause.position("when") {
                return self.expression(&clause.after(w + 1), &["because"]);
            }
            let mut out = self.scope(&clause.after(1));
            out.extend(keywords(&["when", "because"]));
            return out;
        }
        match first {
            "require" => match clause.position("before") {
                Some(b) => {
                    let scope = clause.after(b + 1);
                    let mut out = self.scope(&scope);
                    let open_list = scope.position("[").is_some() && scope.position("]").is_none();
                    if !scope.all.is_empty() && !open_list {
                        out.extend(keywords(&["because"]));
                    }
                    out
                }
                None => self.expression(&clause.after(1), &["before", "because"]),
            },
            "limit" => self.limit(&clause.after(1)),
            _ => Vec::new(),
        }
    }

    /// A scope being written: `ACTION [ITEM | [ITEM, ...]]`.
    fn scope(&self, toks: &Toks) -> Vec<CompletionItem> {
        match toks.all.len() {
            0 => self.values_of_field("action"),
            1 => self.values_of_field("item"),
            _ if toks.word(1) == "[" && toks.position("]").is_none() => {
                self.values_of_field("item")
            }
            _ => Vec::new(),
        }
    }

    fn limit(&self, toks: &Toks) -> Vec<CompletionItem> {
        let Some(to) = toks.position("to") else {
            let mut out = self.scope(toks);
            if !toks.all.is_empty() {
                out.extend(keywords(&["to"]));
            }
            return out;
        };
        let rest = toks.after(to + 1);
        let fields = |fits: fn(&FieldDecl) -> bool| self.fields(fits);
        match rest.last(0) {
            "" => constant(self.operands()),
            "per" => fields(|f| !f.ty.optional && !matches!(f.ty.kind, TypeExprKind::List(_))),
            "order" => keywords(&["by"]),
            "by" => fields(|f| named(f, &["int", "decimal", "percent", "date"])),
            "else" => keywords(&["waitlist", "deny"]),
            _ => {
                let quantity_given = rest.all.iter().skip(1).any(|t| {
                    let w = t.text(rest.text);
                    w == "records" || self.field_decl(w).is_some()
                });
                if quantity_given {
                    keywords(&["per", "order", "else", "because"])
                } else {
                    let mut out = keywords(&["records"]);
                    out.extend(fields(|f| named(f, &["int", "decimal"])));
                    out
                }
            }
        }
    }

    fn test(&self, item: &Toks) -> Vec<CompletionItem> {
        if let Some(e) = item.position("expect") {
            return self.expectation(&item.after(e));
        }
        let Some(g) = item.position("given") else {
            // `set NAME = LITERAL, ...` before `given`: params (and `today`) after `set`
            // and after a `,`.
            if item.position("set").is_some() {
                return match item.last(0) {
                    "set" | "," => self.params_and_today(),
                    _ => keywords(&["given"]),
                };
            }
            return if item.last(0) == "{" {
                keywords(&["set", "given"])
            } else {
                Vec::new()
            };
        };
        let given = item.after(g + 1);
        // The innermost open bracket, and the tokens since it.
        let mut stack: Vec<usize> = Vec::new();
        for (i, t) in given.all.iter().enumerate() {
            match t.text(given.text) {
                "{" | "[" | "(" => stack.push(i),
                "}" | "]" | ")" => {
                    stack.pop();
                }
                _ => {}
            }
        }
        let Some(&open) = stack.last() else {
            return if given.all.is_empty() {
                self.record_template()
            } else {
                keywords(&["expect"])
            };
        };
        let record = stack.iter().rev().find(|&&i| given.word(i) == "{").copied();
        let Some(record) = record else {
            // Between the records of a batch.
            return if matches!(given.last(0), "[" | ",") {
                self.record_template()
            } else {
                Vec::new()
            };
        };
        // The field whose value is being written: the word before the last `:` of
        // this record, if no `,` of the record came after it.
        let mut depth = 0;
        let mut field = None;
        for i in (record + 1..given.all.len()).rev() {
            match given.word(i) {
                "}" | "]" | ")" => depth += 1,
                "{" | "[" | "(" => depth -= 1,
                "," if depth == 0 => break,
                ":" if depth == 0 => {
                    field = Some(given.word(i.saturating_sub(1)).to_string());
                    break;
                }
                _ => {}
            }
        }
        match field {
            None if matches!(given.last(0), "{" | ",") && open == record => {
                let written: Vec<&str> = (record + 1..given.all.len())
                    .filter(|&i| given.word(i + 1) == ":")
                    .map(|i| given.word(i))
                    .collect();
                self.record_fields(&written)
            }
            None => Vec::new(),
            Some(f) => {
                let last = given.last(0);
                if !matches!(last, ":" | "[" | ",") && !expects_operand(last) {
                    return Vec::new();
                }
                let mut out = self.values_of_field(&f);
                if self.field_decl(&f).is_some_and(|d| named(d, &["bool"])) {
                    out.extend(keywords(&["true", "false"]));
                }
                out.extend(self.lets());
                out
            }
        }
    }

    /// After `expect`: outcomes, `by`, rule names.
    fn expectation(&self, toks: &Toks) -> Vec<CompletionItem> {
        let last = toks.last(0);
        // Walk back over `NAME ,` pairs to see whether a `by` list is being written.
        let mut i = toks.all.len();
        while i > 0 && (toks.word(i - 1) == "," || !is_keyword(toks.word(i - 1))) {
            if matches!(toks.word(i - 1), "[" | "]") {
                break;
            }
            i -= 1;
        }
        let in_by = i > 0 && toks.word(i - 1) == "by";
        match last {
            "expect" | "[" => keywords(OUTCOMES),
            "by" => self.rules(),
            "," if in_by => {
                let mut out = self.rules();
                if toks.word(1) == "[" {
                    out.extend(keywords(OUTCOMES));
                }
                out
            }
            "," => keywords(OUTCOMES),
            "allow" | "deny" | "waitlist" => keywords(&["by"]),
            _ => Vec::new(),
        }
    }

    /// Completions in an expression; `extras` are the words that may follow a whole
    /// operand where it is (`because`, `before`).
    fn expression(&self, toks: &Toks, extras: &[&str]) -> Vec<CompletionItem> {
        let last = toks.last(0);
        let before = toks.last(1);
        if toks.all.is_empty() {
            return self.operands();
        }
        if last == "has" {
            return self.fields(|f| f.ty.optional);
        }
        if matches!(last, "==" | "!=") && self.is_enum_field(before) {
            return self.values_of_field(before);
        }
        if last == "??" && self.is_enum_field(before) {
            let mut out = self.values_of_field(before);
            out.extend(self.lets());
            return out;
        }
        if matches!(last, "[" | ",") {
            if let Some(field) = self.list_context(toks) {
                return self.values_of_field(&field);
            }
        }
        if expects_operand(last) {
            return self.operands();
        }
        let mut out = keywords(&["and", "or", "in", "not"]);
        out.extend(keywords(extras));
        out
    }

    /// The enum field before `in [` when the cursor is in that list.
    fn list_context(&self, toks: &Toks) -> Option<String> {
        let mut depth = 0;
        for i in (0..toks.all.len()).rev() {
            match toks.word(i) {
                ")" | "]" => depth += 1,
                "(" if depth == 0 => return None,
                "(" => depth -= 1,
                "[" if depth == 0 => {
                    if i >= 2 && toks.word(i - 1) == "in" {
                        let mut f = i - 2;
                        if toks.word(f) == "not" && f > 0 {
                            f -= 1;
                        }
                        let field = toks.word(f);
                        return self.is_enum_field(field).then(|| field.to_string());
                    }
                    return None;
                }
                "[" => depth -= 1,
                _ => {}
            }
        }
        None
    }
}

/// Completions where the value is a constant: no fields (and so no `has`).
fn constant(mut items: Vec<CompletionItem>) -> Vec<CompletionItem> {
    items.retain(|c| c.kind != Some(CompletionItemKind::FIELD) && c.label != "has");
    items
}

fn schema(toks: &Toks) -> Vec<CompletionItem> {
    if matches!(toks.last(0), ":" | "[") && toks.position("}").is_none() {
        words::TYPES
            .iter()
            .map(|t| item(t, CompletionItemKind::TYPE_PARAMETER, "type".into(), "0"))
            .collect()
    } else {
        Vec::new()
    }
}

fn named(f: &FieldDecl, types: &[&str]) -> bool {
    !f.ty.optional
        && matches!(&f.ty.kind, TypeExprKind::Named(n) if types.contains(&n.node.as_str()))
}

fn is_keyword(word: &str) -> bool {
    words::keyword(word).is_some()
}

/// Whether an operand must follow `word`.
fn expects_operand(word: &str) -> bool {
    matches!(
        word,
        "==" | "!="
            | "<"
            | "<="
            | ">"
            | ">="
            | "+"
            | "-"
            | "*"
            | "/"
            | "??"
            | "("
            | ","
            | "["
            | "="
            | "when"
            | "require"
            | "and"
            | "or"
            | "not"
            | "in"
            | "to"
    )
}

/// Whether the item could end here, so that another may start.
fn may_end(item: &Toks) -> bool {
    let last = item.last(0);
    match item.word(0) {
        "schema" | "test" => last == "}",
        "rule" | "let" => item.all.len() > 3 && !expects_operand(last),
        _ => false,
    }
}

/// Whether the brackets of an item's tokens are all closed.
fn balanced(item: &Toks) -> bool {
    let mut depth = 0i64;
    for t in &item.all {
        match t.text(item.text) {
            "{" | "[" | "(" => depth += 1,
            "}" | "]" | ")" => depth -= 1,
            _ => {}
        }
    }
    depth <= 0
}

#[cfg(test)]
mod tests;
