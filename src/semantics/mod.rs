//! What the language means, defined once: equality, ordering, arithmetic with its
//! overflow rules and the built-in functions ([`ops`]), and the reference evaluator of
//! checked expressions ([`walk`]). The checker folds constants with it, the compiled
//! program calls it for what it does not specialise, and `explain` traces with it.

pub mod decimal;
pub mod ops;
pub mod walk;

pub use ops::{as_decimal, equal, gap, order, Accepts};
pub use walk::{const_eval, eval, eval_traced, truth, truth_traced};
pub use walk::{margin, margin_parts};

use crate::ir::{Rule, Schema};
use crate::span::Span;
use crate::value::Value;

/// A runtime error (overflow, division by zero), located in the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

pub(crate) fn err<T>(span: Span, message: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError {
        message: message.into(),
        span,
    })
}

/// Whether a record is in a rule's scope (`import H200`); a rule without one applies to all.
pub fn in_scope(rule: &Rule, schema: &Schema, row: &[Value]) -> bool {
    let Some(scope) = &rule.scope else {
        return true;
    };
    let (Some(a), Some(i)) = (schema.action, schema.item) else {
        return false;
    };
    row.get(a) == Some(&Value::Enum(scope.action))
        && (scope.items.is_empty()
            || matches!(row.get(i), Some(Value::Enum(x)) if scope.items.contains(x)))
}
