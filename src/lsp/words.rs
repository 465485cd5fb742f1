//! What the reserved words and built-in functions mean, in one line each (hover and
//! completion details), after docs/language.md.

use crate::ir::Builtin;

/// Every reserved word and its meaning.
pub const KEYWORDS: &[(&str, &str)] = &[
    ("policy", "starts the file: `policy \"NAME\" [default allow|deny]`"),
    ("default", "the decision of a record that no rule decides: `default allow` or `default deny`"),
    ("schema", "declares the fields of one record: `schema { FIELD: TYPE ... }`"),
    ("let", "defines a constant, computed once: `let NAME = EXPR`"),
    ("param", "a constant set for each run from outside the file: `param NAME: TYPE [= LITERAL]`, `--set NAME=VALUE`"),
    ("set", "in a test, values for params and `today`: `set today = 2026-01-29, cap = 10`"),
    ("today", "the day of the run (UTC), a `date`; `--set today=YYYY-MM-DD` fixes it"),
    ("rule", "defines a rule: `rule NAME: CLAUSE [because \"TEXT\"]`"),
    ("test", "a test of the policy: `test \"NAME\" { given RECORD expect OUTCOME }`"),
    ("given", "the record, or `[records]`, a test evaluates"),
    ("expect", "the outcome a test expects: `allow`, `deny`, `waitlist` (`by RULE, ...`) or `error`"),
    ("by", "in a test, the rules that must have fired; in a `limit`, `order by FIELD`"),
    ("require", "denies the records in scope for which the condition is false: `require COND [before SCOPE]`"),
    ("before", "the scope of a `require`: `require COND before import H200`"),
    ("deny", "a rule that denies the records in scope for which `when` holds (all without `when`)"),
    ("allow", "a rule that allows the records in scope for which `when` holds"),
    ("waitlist", "a rule that waitlists the records in scope for which `when` holds"),
    ("warn", "a rule that only warns about the records in scope for which `when` holds"),
    ("when", "the condition under which a `deny`, `waitlist`, `allow` or `warn` rule fires"),
    ("because", "the reason a rule gives when it fires; `{EXPR}` shows a value"),
    ("limit", "caps a quantity shared by the batch: `limit SCOPE to CAP QTY [per F] [order by F] [else waitlist|deny]`"),
    ("to", "the cap of a `limit`: `limit import to 1_000 units`"),
    ("per", "a `limit` cap for each value of a field: `per firm`"),
    ("order", "the order a `limit` admits records in: `order by FIELD` (ascending)"),
    ("else", "the verdict of a record a `limit` refuses: `else waitlist` (the default) or `else deny`"),
    ("records", "a `limit` quantity: every record counts 1"),
    ("error", "a test outcome: the record must fail at run time"),
    ("and", "both conditions hold; the right one is evaluated only when the left holds"),
    ("or", "either condition holds; the right one is evaluated only when the left does not"),
    ("not", "negates a condition; `not in` tests that a value is not in a list"),
    ("in", "whether a value is in a list: `tier in [tier1, tier2]`"),
    ("has", "whether an optional field is present: `has note and note != \"\"`"),
    ("true", "the `bool` value true"),
    ("false", "the `bool` value false"),
];

/// The meaning of a reserved word.
pub fn keyword(word: &str) -> Option<&'static str> {
    KEYWORDS.iter().find(|(k, _)| *k == word).map(|(_, m)| *m)
}

/// A built-in function: its signature and what it does.
pub fn function(name: &str) -> Option<(&'static str, &'static str)> {
    let (_, builtin) = Builtin::ALL.iter().find(|(n, _)| *n == name)?;
    let doc = match builtin {
        Builtin::Len => "the number of characters of a text, or of values of a list",
        Builtin::Lower => "the text in lower case (Unicode case mapping)",
        Builtin::Upper => "the text in upper case (Unicode case mapping)",
        Builtin::Contains => "whether the second text occurs in the first; case-sensitive",
        Builtin::StartsWith => "whether the text starts with the part; case-sensitive",
        Builtin::EndsWith => "whether the text ends with the part; case-sensitive",
        Builtin::Min => {
            "the smaller of two values of one ordered type (`int`, `decimal`, `percent`, `date`)"
        }
        Builtin::Max => {
            "the larger of two values of one ordered type (`int`, `decimal`, `percent`, `date`)"
        }
        Builtin::Abs => "the absolute value of an `int`, `decimal` or `percent`",
        Builtin::Round => "rounds half away from zero to `places` (0 to 28) digits after the point",
    };
    Some((builtin.signature(), doc))
}

/// The names of the built-in types.
pub const TYPES: &[&str] = &["bool", "int", "decimal", "percent", "text", "date"];
