//! The stable codes of diagnostics, one per kind of problem, and what each belongs to.

use std::fmt;

use serde::Serialize;

use super::{all_of, did_you_mean};

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// A stable diagnostic code. Codes are part of the product: never renamed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, for documentation and for the test that each has a case.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as reports show it: `clearance::type::mismatch`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }
        }
    };
}

codes! {
    // ------------------------------------------------------------ syntax
    /// Something other than what the grammar allows at this point.
    Unexpected = "clearance::syntax::unexpected",
    /// A reserved word where a name was expected.
    KeywordAsName = "clearance::syntax::keyword_as_name",
    /// `=` where `==` was meant.
    SingleEquals = "clearance::syntax::single_equals",
    /// A rule name not followed by `:`.
    MissingColon = "clearance::syntax::missing_colon",
    /// A string with no closing quote on its line.
    UnterminatedString = "clearance::syntax::unterminated_string",
    /// An escape other than `\" \\ \n \t \u{...}`.
    InvalidEscape = "clearance::syntax::invalid_escape",
    /// A date literal that is not a calendar date.
    InvalidDate = "clearance::syntax::invalid_date",
    /// An int literal beyond 64 bits.
    IntOverflow = "clearance::syntax::int_overflow",
    /// A decimal or percent literal beyond 28 significant digits.
    NumberOutOfRange = "clearance::syntax::number_out_of_range",
    /// `a < b < c`.
    ChainedComparison = "clearance::syntax::chained_comparison",
    /// Brackets or operators nested beyond the limit.
    TooDeep = "clearance::syntax::too_deep",
    /// A policy file larger than the limit.
    FileTooLarge = "clearance::syntax::file_too_large",
    /// A name or string longer than the limit.
    TooLong = "clearance::syntax::too_long",
    /// More rules, lets or tests than the limit.
    TooManyItems = "clearance::syntax::too_many_items",
    /// A file that is not UTF-8 text.
    NotUtf8 = "clearance::syntax::not_utf8",
    /// An empty file or one with only comments.
    EmptyFile = "clearance::syntax::empty_file",
    /// An item out of the `policy`, `schema`, items order.
    MisplacedItem = "clearance::syntax::misplaced_item",
    // ------------------------------------------------------------ names
    /// A name where a field was meant that the schema does not declare.
    UnknownField = "clearance::name::unknown_field",
    /// A bare name that is not a field, a `let` constant or an enum value.
    UnknownName = "clearance::name::unknown_name",
    /// A value that the enum the context expects does not have.
    UnknownEnumValue = "clearance::name::unknown_enum_value",
    /// An enum value, with no context, that belongs to more than one enum.
    AmbiguousEnumValue = "clearance::name::ambiguous_enum_value",
    /// A call to a function that is not built in.
    UnknownFunction = "clearance::name::unknown_function",
    /// A schema type that is not a built-in type, an enum or a list.
    UnknownType = "clearance::name::unknown_type",
    /// A field declared twice in the schema, or given twice in a test record.
    DuplicateField = "clearance::name::duplicate_field",
    /// Two rules with the same name.
    DuplicateRule = "clearance::name::duplicate_rule",
    /// The same constant defined twice.
    DuplicateLet = "clearance::name::duplicate_let",
    /// Two tests with the same name.
    DuplicateTest = "clearance::name::duplicate_test",
    /// An enum that lists the same value twice.
    DuplicateEnumValue = "clearance::name::duplicate_enum_value",
    /// A `let` constant with the name of a schema field.
    LetShadowsField = "clearance::name::let_shadows_field",
    /// An enum value with the name of a field or a constant.
    EnumValueShadowed = "clearance::name::enum_value_shadowed",
    /// A `let` constant that reads a record field.
    FieldInLet = "clearance::name::field_in_let",
    /// A constant that uses one defined further down.
    LetUsedBeforeDefinition = "clearance::name::let_before_definition",
    // ------------------------------------------------------------ types
    /// Two values that must have the same type do not.
    Mismatch = "clearance::type::mismatch",
    /// A percent compared with a plain number (`quota >= 30`).
    PercentWithNumber = "clearance::type::percent_with_number",
    /// `<`, `<=`, `>` or `>=` on values with no order: text, `bool`, enum values.
    NotOrdered = "clearance::type::not_ordered",
    /// A condition, or an operand of `and`, `or`, `not`, that is not a `bool`.
    NotBool = "clearance::type::not_bool",
    /// An arithmetic operator on types it does not apply to (`date + date`).
    BadOperand = "clearance::type::bad_operand",
    /// A built-in function given an argument of a type it does not take.
    BadArgument = "clearance::type::bad_argument",
    /// A built-in function given too many or too few arguments.
    ArgumentCount = "clearance::type::argument_count",
    /// `in` or `not in` with something other than a list on its right.
    NotAList = "clearance::type::not_a_list",
    /// An optional field used without `has` or `??` where it may be missing.
    UnguardedOptional = "clearance::type::unguarded_optional",
    /// `has` or `??` on a field that is not optional.
    NotOptional = "clearance::type::not_optional",
    /// A list of lists or of optional values.
    BadListType = "clearance::type::bad_list_type",
    /// A `{...}` in a `because` text that holds only a string literal.
    TextInInterpolation = "clearance::type::text_in_interpolation",
    /// A constant that cannot be computed (division by zero, overflow).
    ConstantError = "clearance::type::constant_error",
    // ------------------------------------------------------------ scopes and limits
    /// A scope in a policy whose schema lacks an enum `action` or `item` field.
    ScopeFieldsMissing = "clearance::scope::fields_missing",
    /// A scope naming an action or item that its enum does not have.
    ScopeValue = "clearance::scope::unknown_value",
    /// A `limit` cap or quantity of the wrong type.
    LimitQuantity = "clearance::limit::quantity",
    /// A `per` or `order by` field of a `limit` that cannot serve.
    LimitField = "clearance::limit::field",
    /// Two `limit` rules with different `order by` fields.
    LimitOrderMismatch = "clearance::limit::order_mismatch",
    /// A `limit` cap that reads a record field.
    LimitUsesRecord = "clearance::limit::uses_record",
    /// `{limit.x}` with a name that is not an allocation fact.
    LimitUnknownFact = "clearance::limit::unknown_fact",
    /// `{limit.x}` in the `because` of a rule that is not a `limit`.
    LimitFactOutsideLimit = "clearance::limit::fact_outside_limit",
    /// `{limit.group}` in a `limit` without `per`.
    LimitFactWithoutPer = "clearance::limit::fact_without_per",
    // ------------------------------------------------------------ params
    /// A param whose type is not a plain one (a list, an optional, an enum).
    ParamType = "clearance::param::type",
    /// A value for a param (its default, `--set`, a test's `set`) that is not a literal
    /// of its type.
    ParamValue = "clearance::param::value",
    /// A param with no default that a run did not set.
    ParamMissing = "clearance::param::missing",
    /// `--set` (or the API) names something that is not a param.
    ParamUnknown = "clearance::param::unknown",
    // ------------------------------------------------------------ lints (warnings)
    /// A rule whose condition can never let it fire.
    NeverFires = "clearance::lint::never_fires",
    /// A `when` condition that holds for every record in scope.
    AlwaysTrue = "clearance::lint::always_true",
    /// A `require` that no record in scope can meet.
    AlwaysFalse = "clearance::lint::always_false",
    /// A rule below an unconditional `deny` of a scope that covers it.
    Shadowed = "clearance::lint::shadowed",
    /// A `require` that another `require` of the same scope implies.
    ImpliedRequire = "clearance::lint::implied_require",
    /// A `let` no rule, test or constant uses.
    UnusedLet = "clearance::lint::unused_let",
    /// A `warn` rule with no `because`.
    WarnWithoutBecause = "clearance::lint::warn_without_because",
    /// A `# clearance:` comment that names no lint, or that applies to nothing (an error).
    UnknownLint = "clearance::lint::unknown_lint",
    // ------------------------------------------------------------ tests
    /// A test record without a field the schema requires.
    TestMissingField = "clearance::test::missing_field",
    /// A test record with a field the schema does not declare.
    TestUnknownField = "clearance::test::unknown_field",
    /// A test record value that reads a record field.
    TestNotLiteral = "clearance::test::not_literal",
    /// An `expect` whose outcomes do not match the `given` records in number.
    TestOutcomeCount = "clearance::test::outcome_count",
    /// `expect ... by RULE` naming a rule that does not exist.
    TestUnknownRule = "clearance::test::unknown_rule",
    /// A test's `set` names something that is not a param, or one twice.
    TestSetUnknown = "clearance::test::set_unknown",
    /// A test of a policy that uses `today` does not set it.
    TestTodayNotSet = "clearance::test::today_not_set",
    /// A test whose records did not get the expected outcomes (from `clearance test`).
    TestFailed = "clearance::test::failed",
}

impl Code {
    /// The lints: the warnings that `# clearance: allow(LINT)` and `check --allow` /
    /// `--deny` control, by the last part of their code.
    pub const LINTS: &'static [Code] = &[
        Code::NeverFires,
        Code::AlwaysTrue,
        Code::AlwaysFalse,
        Code::Shadowed,
        Code::ImpliedRequire,
        Code::UnusedLet,
        Code::WarnWithoutBecause,
    ];

    /// A lint's name: the last part of its code (`never_fires`); `None` for other codes.
    pub fn lint_name(self) -> Option<&'static str> {
        Code::LINTS
            .contains(&self)
            .then(|| self.as_str().rsplit("::").next().unwrap_or(""))
    }

    /// The lint of a name (`never_fires`).
    pub fn from_lint_name(name: &str) -> Option<Code> {
        Code::LINTS
            .iter()
            .copied()
            .find(|c| c.lint_name() == Some(name))
    }

    /// Why `name` is not a lint, in words: a suggestion when one is close, else the list.
    pub fn unknown_lint_help(name: &str) -> String {
        let names: Vec<&str> = Code::LINTS.iter().filter_map(|c| c.lint_name()).collect();
        let short = name.rsplit("::").next().unwrap_or(name);
        match did_you_mean(short, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the lints are {}", all_of(&names)),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
