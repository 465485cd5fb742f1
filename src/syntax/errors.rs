//! pest errors → author-facing diagnostics. pest names grammar rules and counts
//! characters; authors want to hear what was expected, in their words, at a byte span.

use std::collections::BTreeSet;

use pest::error::{ErrorVariant, InputLocation};

use super::keywords::{is_keyword, CLAUSE_WORDS, ITEM_WORDS, KEYWORDS, PREAMBLE_WORDS, STRUCTURAL};
use super::parser::Rule;
use crate::diagnostics::{did_you_mean, one_of, Code, Diagnostic};
use crate::span::Span;

/// What was being parsed, for the wording of "expected ...".
#[derive(Debug, Clone, Copy)]
pub(super) enum Context {
    Preamble,
    Item,
}

/// What an author expected to see, ordered for display.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Expression,
    Name,
    Keyword(&'static str),
    Token(String),
    Operator,
    Clause,
    Scope,
    Type,
    Text,
    Record,
    Outcome,
    Item,
    EndOfFile,
    Quantity,
}

impl Expected {
    fn words(&self) -> String {
        match self {
            Expected::Expression => "an expression".into(),
            Expected::Name => "a name".into(),
            Expected::Keyword(k) => format!("`{k}`"),
            Expected::Token(t) => format!("`{t}`"),
            Expected::Operator => "an operator".into(),
            Expected::Clause => format!("a clause ({})", one_of(CLAUSE_WORDS)),
            Expected::Scope => "a scope such as `import H200`".into(),
            Expected::Type => "a type".into(),
            Expected::Text => "a text in double quotes".into(),
            Expected::Record => "a record `{ field: value, ... }`".into(),
            Expected::Outcome => "an outcome (`allow`, `deny`, `waitlist` or `error`)".into(),
            Expected::Item => format!("the next {}", one_of(ITEM_WORDS)),
            Expected::EndOfFile => "the end of the file".into(),
            Expected::Quantity => {
                "what the limit counts: a number field such as `units`, or `records`".into()
            }
        }
    }
}

fn expected_of_rule(rule: Rule) -> Option<Expected> {
    use Rule::*;
    Some(match rule {
        expr | or_expr | and_expr | not_expr | cmp_expr | coalesce_expr | add_expr | mul_expr
        | unary_expr | date | percent | decimal | int | kw_true | kw_false | kw_today
        | has_expr | call | list_expr | paren | op_neg | interpolation | limit_fact
        | standalone_expr => Expected::Expression,
        ident | fact_name => Expected::Name,
        quantity | kw_records => Expected::Quantity,
        string | template => Expected::Text,
        cmp_op | op_eq | op_ne | op_le | op_ge | op_lt | op_gt | op_not_in | op_in
        | op_coalesce | add_op | op_add | op_sub | mul_op | op_mul | op_div | kw_and | kw_or => {
            Expected::Operator
        }
        require_clause | verdict_clause | limit_clause | verdict => Expected::Clause,
        scope | scope_list => Expected::Scope,
        type_expr | list_type | enum_type | type_name => Expected::Type,
        record | record_batch | field_init => Expected::Record,
        outcome | outcome_list => Expected::Outcome,
        item | let_item | param_item | rule_item | test_item => Expected::Item,
        set_clause | set_binding => Expected::Keyword("set"),
        EOI => Expected::EndOfFile,
        header | preamble => Expected::Keyword("policy"),
        schema => Expected::Keyword("schema"),
        field_decl => Expected::Name,
        default_verdict => Expected::Keyword("allow` or `deny"),
        because => Expected::Keyword("because"),
        per_clause => Expected::Keyword("per"),
        order_clause => Expected::Keyword("order by"),
        else_clause => Expected::Keyword("else"),
        optional_mark => Expected::Token("?".into()),
        r => Expected::Keyword(keyword_of(r)?),
    })
}

fn keyword_of(rule: Rule) -> Option<&'static str> {
    let name = format!("{rule:?}");
    let word = name.strip_prefix("kw_")?;
    KEYWORDS.iter().copied().find(|k| *k == word)
}

/// Converts a pest error from parsing `source[base..]`.
pub(super) fn from_pest(
    error: pest::error::Error<Rule>,
    source: &str,
    base: usize,
    context: Context,
) -> Diagnostic {
    let attempts = error.parse_attempts();
    let furthest = attempts.as_ref().map(|a| a.max_position);
    // `ParsingToken` is not exported by pest; its display is the token itself.
    let tokens: Vec<String> = attempts.map_or_else(Vec::new, |a| {
        a.expected_tokens().iter().map(|t| t.to_string()).collect()
    });
    let pos = error_position(&error, furthest, source, base);
    let mut expected: BTreeSet<Expected> = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        expected.extend(positives.iter().filter_map(|r| expected_of_rule(*r)));
    }
    expected_tokens(&tokens, &mut expected);
    if expected.is_empty() {
        expected.insert(match context {
            Context::Preamble => Expected::Keyword("policy"),
            Context::Item => Expected::Item,
        });
    }
    summarize(&mut expected, context);
    describe(source, pos, &expected, context)
}

/// Where the error is, as a byte offset in `source` on a character boundary.
fn error_position(
    error: &pest::error::Error<Rule>,
    furthest: Option<usize>,
    source: &str,
    base: usize,
) -> usize {
    let rule_pos = base
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    // Tokens such as `:` and `)` count towards the furthest position only in the
    // attempts; but so do the look-aheads that keep keywords from being names, which
    // end right after a keyword: there the rule position is the right one.
    let pos = match furthest {
        Some(max_position) if base + max_position > rule_pos => {
            let token_pos = base + max_position;
            let word = word_before(source, token_pos);
            if is_keyword(word) {
                rule_pos
            } else {
                token_pos
            }
        }
        _ => rule_pos,
    };
    // pest's furthest attempt may stop inside a multi-byte character.
    let mut pos = pos.min(source.len());
    while !source.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// Adds the tokens pest tried (`:`, `)`, ...) to `expected`, leaving out those said otherwise.
fn expected_tokens(tokens: &[String], expected: &mut BTreeSet<Expected>) {
    for token in tokens {
        if token != "BUILTIN_RULE" && !(token.len() > 2 && token.contains("..")) {
            if token.chars().all(|c| c.is_ascii_alphabetic()) {
                // keywords are reported through their rules
                continue;
            }
            // `-` starts a negative number: part of "an expression"
            if token == "-" && expected.contains(&Expected::Expression) {
                continue;
            }
            let noise = token == "\u{feff}"
                || token == "#"
                || token.trim().is_empty()
                || (token.len() == 1
                    && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if !noise {
                expected.insert(Expected::Token(token.clone()));
            }
        }
    }
}

/// Says many operators as "an operator", the words that start an item as "the next
/// item", and drops what another entry says already.
fn summarize(expected: &mut BTreeSet<Expected>, context: Context) {
    // Many operators: say "an operator".
    let operators = ["!=", "*", "+", "-", "/", "<", "<=", "==", ">", ">=", "??"];
    let n = operators
        .iter()
        .filter(|o| expected.contains(&Expected::Token(o.to_string())))
        .count();
    if n >= 3 {
        for o in operators {
            expected.remove(&Expected::Token(o.into()));
        }
        expected.insert(Expected::Operator);
    }
    // What may start the next item: say "the next item".
    let starters = || ITEM_WORDS.iter().chain(PREAMBLE_WORDS);
    if matches!(context, Context::Item)
        && starters().any(|k| expected.contains(&Expected::Keyword(k)))
    {
        for k in starters() {
            expected.remove(&Expected::Keyword(k));
        }
        expected.remove(&Expected::EndOfFile);
        expected.insert(Expected::Item);
    }
    if expected.contains(&Expected::Clause) {
        for verb in CLAUSE_WORDS {
            expected.remove(&Expected::Keyword(verb));
        }
    }
    // A `(` after a name is a call, a `"` starts a text: both said already.
    expected.remove(&Expected::Token("(".into()));
    if expected.contains(&Expected::Expression) || expected.contains(&Expected::Text) {
        expected.remove(&Expected::Token("[".into()));
        expected.remove(&Expected::Token("\"".into()));
    }
}

/// The diagnostic for what was found at `pos` where `expected` was due.
fn describe(
    source: &str,
    pos: usize,
    expected: &BTreeSet<Expected>,
    context: Context,
) -> Diagnostic {
    let found = token_at(source, pos);
    if matches!(context, Context::Preamble) && super::skip_trivia(source, 0) == pos {
        return Diagnostic::error(
            Code::Unexpected,
            "a policy file starts with its `policy` header",
            Span::new(pos, pos + found.len()),
            format!("found `{found}`"),
        )
        .with_help("begin the file with `policy \"NAME\"`, then the `schema { ... }`");
    }
    let span = if found.is_empty() {
        // The end of the line or file: point just after what came before.
        let end = source[..pos].trim_end().len();
        Span::new(end, end)
    } else {
        Span::new(pos, pos + found.len())
    };
    if let Some(d) = fact_not_alone(source, pos, found, span) {
        return d;
    }
    if let Some(d) = reserved_word(source, pos, found, span, expected) {
        return d;
    }
    if let Some(d) = misused_equals(source, pos, found, span, expected) {
        return d;
    }
    let found_words = if found.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{found}`")
    };
    // `rule name` without `:`.
    if expected.contains(&Expected::Token(":".into())) {
        if let Some(name) = rule_name_before(source, pos) {
            return Diagnostic::error(
                Code::MissingColon,
                format!("expected `:` after the rule name `{name}`"),
                Span::new(pos, pos + found.len()),
                format!("found {found_words}"),
            )
            .with_help(format!(
                "write `rule {name}:` followed by the rule's clause"
            ));
        }
    }

    let words: Vec<String> = expected.iter().map(Expected::words).collect();
    let list = join_or(&words);
    let message = match previous_token(source, pos) {
        Some(p) if !p.is_empty() => format!("expected {list} after `{p}`"),
        _ => format!("expected {list}"),
    };
    let mut d = Diagnostic::error(
        Code::Unexpected,
        message,
        span,
        format!("found {found_words}"),
    );
    if let Some(help) = help_for(found, expected) {
        d = d.with_help(help);
    }
    d
}

/// More after `{limit.NAME` than the closing brace: a fact is interpolated alone.
fn fact_not_alone(source: &str, pos: usize, found: &str, span: Span) -> Option<Diagnostic> {
    let before = source[..pos.min(source.len())].trim_end();
    let name = word_before(source, before.len());
    let fact = before[..before.len() - name.len()]
        .strip_suffix("limit.")?
        .trim_end()
        .ends_with('{');
    if !fact || name.is_empty() || found == "}" {
        return None;
    }
    Some(
        Diagnostic::error(
            Code::Unexpected,
            format!("`limit.{name}` stands alone in its braces"),
            span,
            format!("found `{found}`"),
        )
        .with_help(format!(
            "close the braces after the fact: `{{limit.{name}}}`; a fact cannot be part of an expression"
        )),
    )
}

/// A reserved word where a name was expected.
fn reserved_word(
    source: &str,
    pos: usize,
    found: &str,
    span: Span,
    expected: &BTreeSet<Expected>,
) -> Option<Diagnostic> {
    // Words that give a clause its structure are more likely a missing operand than a
    // name, unless a name is clearly due (after `rule`, `let`).
    // `order: int` in a schema or record: a field named with a keyword.
    let field_name = source[pos + found.len()..].trim_start().starts_with(':');
    let name_due = matches!(previous_token(source, pos), Some("rule" | "let")) || field_name;
    let reserved = is_keyword(found)
        && (name_due || !STRUCTURAL.contains(&found))
        && (expected.contains(&Expected::Name) || expected.contains(&Expected::Expression));
    reserved.then(|| {
        Diagnostic::error(
            Code::KeywordAsName,
            format!("`{found}` is a reserved word and cannot be used as a name"),
            span,
            "reserved word",
        )
        .with_help(format!(
            "choose another name, such as `{found}_value`; the reserved words are listed in docs/language.md"
        ))
    })
}

/// `==` where a `let` wants `=`, and `=` where a comparison wants `==`.
fn misused_equals(
    source: &str,
    pos: usize,
    found: &str,
    span: Span,
    expected: &BTreeSet<Expected>,
) -> Option<Diagnostic> {
    let after_equals = source[..pos].ends_with('=') && found == "=";
    if (found == "==" && expected.contains(&Expected::Token("=".into())))
        || (after_equals && previous_token(source, pos) == Some("="))
    {
        return Some(
            Diagnostic::error(
                Code::SingleEquals,
                "a constant is defined with one `=`",
                span,
                "`==` compares",
            )
            .with_help("write `let NAME = VALUE`"),
        );
    }
    // `=` where `==` was meant.
    if found == "=" && !expected.contains(&Expected::Token("=".into())) {
        let help = if source[pos..].starts_with("=>") {
            "did you mean `>=`?"
        } else {
            "use `==` to compare two values"
        };
        return Some(
            Diagnostic::error(
                Code::SingleEquals,
                "`=` is not a comparison",
                span,
                "single `=`",
            )
            .with_help(help),
        );
    }
    None
}

fn help_for(found: &str, expected: &BTreeSet<Expected>) -> Option<String> {
    Some(match found {
        "&&" | "&" => "write `and` to join conditions".into(),
        "||" | "|" if !expected.contains(&Expected::Token("|".into())) => {
            "write `or` to join conditions".into()
        }
        "!" => "write `not` to negate a condition, or `!=` to compare".into(),
        "'" => "text is written in double quotes: `\"...\"`".into(),
        "import" | "export" if expected.contains(&Expected::Clause) => {
            "a clause starts with what it does, e.g. `deny import when ...`".into()
        }
        _ if expected.contains(&Expected::Clause) => {
            let guess =
                did_you_mean(found, CLAUSE_WORDS.iter().copied()).filter(|g| *g != found)?;
            format!("did you mean `{guess}`?")
        }
        _ if expected.contains(&Expected::Item) => {
            let guess = did_you_mean(found, ITEM_WORDS.iter().copied()).filter(|g| *g != found)?;
            format!("did you mean `{guess}`?")
        }
        _ => return None,
    })
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The word (identifier or keyword) starting at `pos`, or "".
pub(super) fn word_at(source: &str, pos: usize) -> &str {
    let rest = &source[pos.min(source.len())..];
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..len]
}

/// The word (identifier or keyword) ending at `pos`, or "".
fn word_before(source: &str, pos: usize) -> &str {
    let before = &source[..pos.min(source.len())];
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| after_char(before, i));
    &before[start..]
}

/// The token at `pos`: a word, a number, an operator, or one character.
fn token_at(source: &str, pos: usize) -> &str {
    let rest = &source[pos.min(source.len())..];
    let Some(c) = rest.chars().next() else {
        return "";
    };
    if c.is_ascii_alphanumeric() || c == '_' {
        return word_at(source, pos);
    }
    for op in ["==", "!=", "<=", ">=", "??", "&&", "||"] {
        if rest.starts_with(op) {
            return &rest[..2];
        }
    }
    if c == '\n' || c == '\r' {
        return "";
    }
    &rest[..c.len_utf8()]
}

/// The token just before `pos`, skipping whitespace and comments.
fn previous_token(source: &str, pos: usize) -> Option<&str> {
    let before = &source[..pos.min(source.len())];
    // Drop comments on the lines before: walk back line by line.
    let mut end = before.len();
    loop {
        let chunk = before[..end].trim_end();
        let line_start = chunk.rfind('\n').map_or(0, |i| i + 1);
        let line = &chunk[line_start..];
        match comment_start(line) {
            Some(c) if line[..c].trim().is_empty() => {
                if line_start == 0 {
                    return None;
                }
                end = line_start - 1;
            }
            Some(c) => {
                end = line_start + c;
                break;
            }
            None => {
                end = chunk.len();
                break;
            }
        }
    }
    let text = before[..end].trim_end();
    let last = text.chars().last()?;
    let start = if last.is_ascii_alphanumeric() || last == '_' || last == '%' {
        text.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '%' || c == '.'))
            .map_or(0, |i| after_char(text, i))
    } else if last == '"' {
        return None;
    } else {
        let ops = ["==", "!=", "<=", ">=", "??"];
        match ops.iter().find(|op| text.ends_with(*op)) {
            Some(op) => text.len() - op.len(),
            None => text.len() - last.len_utf8(),
        }
    };
    Some(&text[start..])
}

/// Byte offset of a `#` comment in a line, ignoring `#` inside strings.
fn comment_start(line: &str) -> Option<usize> {
    super::comments(line).next().map(|c| c.start)
}

/// `NAME` when the text before `pos` ends with `rule NAME`.
fn rule_name_before(source: &str, pos: usize) -> Option<&str> {
    let text = source[..pos].trim_end();
    let name_start = text
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| after_char(text, i));
    let name = &text[name_start..];
    let rest = text[..name_start].trim_end();
    (rest.ends_with("rule") && !name.is_empty()).then_some(name)
}

/// The byte index just after the character that starts at `i`.
fn after_char(s: &str, i: usize) -> usize {
    i + s[i..].chars().next().map_or(1, char::len_utf8)
}
