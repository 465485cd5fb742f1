//! The types and values of the language: exact decimals, real dates, enums as small integers.

use std::fmt;
use std::sync::Arc;

/// Exact decimal with 28 significant digits (never binary floating point).
pub use rust_decimal::Decimal;

/// A calendar date.
pub type Date = chrono::NaiveDate;

/// The type of a field, constant or expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`: `true` or `false`.
    Bool,
    /// `int`: a 64-bit integer; overflow is a runtime error.
    Int,
    /// `decimal`: an exact decimal number.
    Decimal,
    /// `percent`: percentage points, written `30%`.
    Percent,
    /// `text`: a string.
    Text,
    /// `date`: a calendar date, written `2026-01-29`.
    Date,
    /// An enum declared by a schema field; the index into [`crate::ir::Schema::enums`].
    Enum(EnumId),
    /// `[T]`: a list of values of one type.
    List(Box<Type>),
    /// The type of `[]` before context tells its element type.
    EmptyList,
    /// The type of an expression that already had an error: accepted everywhere, so one
    /// mistake is reported once.
    Error,
}

/// Identifies one enum type of a schema.
pub type EnumId = u16;

impl Type {
    /// Whether it is `int` or `decimal`, which mix in arithmetic and comparisons.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal)
    }

    /// Whether it is the type of an expression that already had an error.
    pub fn is_error(&self) -> bool {
        matches!(self, Type::Error)
    }

    /// Whether `< <= > >=`, `min`, `max` and `order by` apply.
    pub fn is_ordered(&self) -> bool {
        matches!(
            self,
            Type::Int | Type::Decimal | Type::Percent | Type::Date | Type::Error
        )
    }
}

/// A value of the language, at check time (constants) and at run time (record slots).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// An optional field that is absent or null.
    Missing,
    /// A `bool`.
    Bool(bool),
    /// An `int`.
    Int(i64),
    /// A `decimal`.
    Decimal(Decimal),
    /// Percentage points: 30% is `Percent(30)`.
    Percent(Decimal),
    /// A `text`, shared cheaply between rows and results.
    Text(Arc<str>),
    /// A `date`.
    Date(Date),
    /// The index of a value within its enum.
    Enum(u32),
    /// A list, shared cheaply.
    List(Arc<[Value]>),
}

impl Value {
    /// A `text` value.
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    /// The boolean, when the value is a `bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Renders the value as an author reads it: `35%`, `6.0`, `2026-01-29`, enum names.
    pub fn display<'a>(&'a self, ty: &'a Type, enums: &'a [EnumType]) -> DisplayValue<'a> {
        DisplayValue {
            value: self,
            ty,
            enums,
        }
    }
}

/// The values of one enum type, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    /// The value names, as written in the schema.
    pub values: Vec<String>,
}

impl EnumType {
    /// The index of the value named `name`, if the enum has it.
    pub fn index_of(&self, name: &str) -> Option<u32> {
        self.values.iter().position(|v| v == name).map(|i| i as u32)
    }
}

/// A value ready for display; see [`Value::display`].
pub struct DisplayValue<'a> {
    value: &'a Value,
    ty: &'a Type,
    enums: &'a [EnumType],
}

impl fmt::Display for DisplayValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            Value::Missing => f.write_str("(missing)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(d) => write!(f, "{}", plain(*d)),
            Value::Percent(p) => write!(f, "{}%", plain(*p)),
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Enum(i) => {
                let name = match self.ty {
                    Type::Enum(id) => self
                        .enums
                        .get(*id as usize)
                        .and_then(|e| e.values.get(*i as usize)),
                    _ => None,
                };
                match name {
                    Some(n) => f.write_str(n),
                    None => write!(f, "#{i}"),
                }
            }
            Value::List(items) => {
                let elem = match self.ty {
                    Type::List(t) => t.as_ref(),
                    _ => &Type::Error,
                };
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", v.display(elem, self.enums))?;
                }
                f.write_str("]")
            }
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Percent => f.write_str("percent"),
            Type::Text => f.write_str("text"),
            Type::Date => f.write_str("date"),
            Type::Enum(_) => f.write_str("enum"),
            Type::List(t) => write!(f, "[{t}]"),
            Type::EmptyList => f.write_str("empty list"),
            Type::Error => f.write_str("unknown"),
        }
    }
}

/// A decimal as shown (docs/language.md ("Types")): plain notation with its places, and a zero
/// without sign (`-0.00` is shown `0.00`).
pub fn plain(d: Decimal) -> Decimal {
    let mut d = d;
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d
}

/// Replaces control characters (ESC of terminal escape sequences included) with
/// `\u{..}`, so that text from data cannot act on a terminal.
pub fn escape_control(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Parses a decimal literal such as `1_000.5` or `-6` exactly; `None` if out of range.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    if !text.contains('_') {
        return Decimal::from_str_exact(text).ok();
    }
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    Decimal::from_str_exact(&cleaned).ok()
}

/// Parses a JSON-style number (`-1.5e3`) exactly; `None` if not a number or out of range.
pub fn parse_json_decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
}

/// Parses an ISO calendar date `YYYY-MM-DD`, rejecting impossible dates.
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = text[0..4].parse().ok()?;
    let m: u32 = text[5..7].parse().ok()?;
    let d: u32 = text[8..10].parse().ok()?;
    Date::from_ymd_opt(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        let a = parse_decimal("0.1").unwrap() + parse_decimal("0.2").unwrap();
        assert_eq!(a, parse_decimal("0.3").unwrap());
        assert_eq!(parse_decimal("1_000.5").unwrap().to_string(), "1000.5");
        assert_eq!(parse_json_decimal("1.5e3").unwrap().to_string(), "1500");
        assert!(parse_json_decimal("1e400").is_none());
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2026-1-29").is_none());
    }

    #[test]
    fn zero_is_shown_without_sign() {
        let z = -parse_decimal("0.00").unwrap();
        assert_eq!(
            Value::Decimal(z).display(&Type::Decimal, &[]).to_string(),
            "0.00"
        );
        assert_eq!(
            Value::Percent(z).display(&Type::Percent, &[]).to_string(),
            "0.00%"
        );
    }

    #[test]
    fn percent_displays_with_sign() {
        let v = Value::Percent(parse_decimal("2.5").unwrap());
        assert_eq!(v.display(&Type::Percent, &[]).to_string(), "2.5%");
    }
}
