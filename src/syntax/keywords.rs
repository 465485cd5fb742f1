//! The reserved words of the language, in one table. The grammar defines each as a
//! `kw_*` rule; the unit tests below check the tables against `grammar/clearance.pest`.

/// Every reserved word, spelt as in its `kw_*` rule of the grammar.
pub(crate) const KEYWORDS: &[&str] = &[
    "policy", "default", "schema", "let", "param", "set", "today", "rule", "test", "given",
    "expect", "by", "require", "before", "deny", "allow", "waitlist", "warn", "when", "because",
    "limit", "to", "per", "order", "else", "records", "error", "and", "or", "not", "in", "has",
    "true", "false",
];

/// The words that start a rule's clause, in the order messages list them.
pub(crate) const CLAUSE_WORDS: &[&str] = &["require", "deny", "waitlist", "allow", "warn", "limit"];

/// The words that start an item after the schema, in the order messages list them.
pub(crate) const ITEM_WORDS: &[&str] = &["let", "param", "rule", "test"];

/// The words that start the preamble; after the schema, one of them is misplaced.
pub(crate) const PREAMBLE_WORDS: &[&str] = &["policy", "schema"];

/// Reserved words that give a clause its structure: where one stands instead of a
/// name, a missing operand is more likely than a reserved word used as a name.
pub(crate) const STRUCTURAL: &[&str] = &[
    "let", "param", "set", "rule", "test", "policy", "schema", "before", "when", "because", "by",
    "to", "per", "else", "and", "or", "in", "expect", "given", "not", "has", "true", "false",
    "order", "records",
];

/// Whether `word` is reserved.
pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const GRAMMAR: &str = include_str!("../../grammar/clearance.pest");

    /// The definition of the grammar rule `name`: the text between its braces.
    fn rule_body(name: &str) -> &'static str {
        let start = std::iter::once(0)
            .chain(GRAMMAR.match_indices('\n').map(|(at, _)| at + 1))
            .find(|&at| {
                let line = &GRAMMAR[at..];
                line.strip_prefix(name)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .unwrap_or_else(|| panic!("the grammar has no rule `{name}`"));
        let open = start + GRAMMAR[start..].find('{').expect("a rule body");
        let mut depth = 0;
        for (i, c) in GRAMMAR[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => return &GRAMMAR[open + 1..open + i],
                '}' => depth -= 1,
                _ => {}
            }
        }
        panic!("the rule `{name}` does not end")
    }

    /// The `kw_*` rules a text refers to, by their word, in order.
    fn keyword_rules(text: &str) -> Vec<&str> {
        text.match_indices("kw_")
            .map(|(at, _)| {
                let rest = &text[at + 3..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    fn set<'a>(words: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
        words.into_iter().collect()
    }

    #[test]
    fn the_table_lists_every_keyword_rule_of_the_grammar() {
        let mut defined = BTreeSet::new();
        for line in GRAMMAR.lines() {
            let Some(rest) = line.strip_prefix("kw_") else {
                continue;
            };
            let name = &rest[..rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len())];
            let literal = line
                .split('"')
                .nth(1)
                .expect("a keyword rule matches a literal");
            assert_eq!(name, literal, "the rule `kw_{name}` matches `{literal}`");
            defined.insert(name);
        }
        assert_eq!(set(KEYWORDS.iter().copied()), defined);
        assert_eq!(KEYWORDS.len(), defined.len(), "a word is listed twice");
        // Names exclude every keyword.
        assert_eq!(set(keyword_rules(rule_body("keyword"))), defined);
    }

    #[test]
    fn clause_and_item_words_are_those_of_the_grammar() {
        let mut clauses = set(keyword_rules(rule_body("verdict")));
        for rule in ["require_clause", "limit_clause"] {
            clauses.insert(keyword_rules(rule_body(rule))[0]);
        }
        assert_eq!(set(CLAUSE_WORDS.iter().copied()), clauses);
        let items = ["let_item", "param_item", "rule_item", "test_item"]
            .map(|r| keyword_rules(rule_body(r))[0]);
        assert_eq!(ITEM_WORDS, items);
        let preamble = ["header", "schema"].map(|r| keyword_rules(rule_body(r))[0]);
        assert_eq!(PREAMBLE_WORDS, preamble);
        for word in STRUCTURAL {
            assert!(is_keyword(word), "`{word}` is not reserved");
        }
    }
}
