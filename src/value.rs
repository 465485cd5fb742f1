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
            Value::Date(d) => {
                use chrono::Datelike;
                // `%Y-%m-%d` by hand for four-digit years: chrono's formatter allocates.
                match d.year() {
                    y @ 0..=9999 => write!(f, "{y:04}-{:02}-{:02}", d.month(), d.day()),
                    _ => write!(f, "{}", d.format("%Y-%m-%d")),
                }
            }
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
    parse_number(text).ok()
}

/// Why a number from data is not a decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Not `[+-]digits[.digits][e[+-]digits]`.
    Syntax,
    /// Magnitude 2^96 or more.
    TooLarge,
    /// More than 28 places after the point, once trailing zeros are dropped.
    TooManyPlaces,
    /// In range, but more significant digits than the 96-bit coefficient holds.
    TooManyDigits,
}

impl NumberError {
    /// Why, in words, for a message such as "`1e400` does not fit in a decimal (…)".
    pub fn reason(self) -> &'static str {
        match self {
            NumberError::Syntax => "not a number",
            NumberError::TooLarge => "too large: the limit is about 7.9 × 10^28",
            NumberError::TooManyPlaces => "more than 28 decimal places",
            NumberError::TooManyDigits => "too many significant digits to hold exactly",
        }
    }
}

/// The largest coefficient of a decimal, 2^96 - 1.
const MAX_COEFFICIENT: u128 = (1 << 96) - 1;

/// Parses a number in plain or exponent notation (`-1.5e3`, `0E+50`, `+2.50`) exactly,
/// as docs/language.md ("Types") asks of data: any value of the decimal model is accepted in any
/// notation. The places written are kept (`2.50`) while they fit; beyond 28 places,
/// trailing zeros are dropped (`0e-99` is `0`). A value the model cannot hold exactly
/// is an error, never rounded. Zero is never negative.
pub fn parse_number(text: &str) -> Result<Decimal, NumberError> {
    plain_number(text).map_or_else(|| any_number(text), Ok)
}

/// The common case in one pass: plain notation with at most 18 digits.
fn plain_number(text: &str) -> Option<Decimal> {
    let b = text.as_bytes();
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (mut c, mut count, mut whole) = (0i64, 0u32, None);
    for &d in digits {
        match d {
            b'0'..=b'9' if count < 18 => {
                c = c * 10 + i64::from(d - b'0');
                count += 1;
            }
            b'.' if whole.is_none() => whole = Some(count),
            _ => return None,
        }
    }
    let places = count - whole.unwrap_or(count);
    if whole == Some(0) || count == 0 || (whole.is_some() && places == 0) {
        return None;
    }
    Some(Decimal::new(if negative { -c } else { c }, places))
}

fn any_number(text: &str) -> Result<Decimal, NumberError> {
    let b = text.as_bytes();
    let digits_from = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let negative = b.first() == Some(&b'-');
    let int_start = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let int_end = digits_from(int_start);
    let (frac_start, frac_end) = match b.get(int_end) {
        Some(b'.') => (int_end + 1, digits_from(int_end + 1)),
        _ => (int_end, int_end),
    };
    if int_end == int_start || (frac_start > int_end && frac_end == frac_start) {
        return Err(NumberError::Syntax);
    }
    let mut exponent: i64 = 0;
    let mut i = frac_end;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = b.get(i) == Some(&b'-');
        i += usize::from(matches!(b.get(i), Some(b'-' | b'+')));
        let end = digits_from(i);
        if end == i {
            return Err(NumberError::Syntax);
        }
        for d in &b[i..end] {
            // Beyond a million the answer no longer depends on the exponent's value.
            exponent = (exponent * 10 + i64::from(d - b'0')).min(1_000_000);
        }
        if exp_negative {
            exponent = -exponent;
        }
        i = end;
    }
    if i != b.len() {
        return Err(NumberError::Syntax);
    }
    let count = (int_end - int_start) + (frac_end - frac_start);
    // The significant digits, as one run over the integer and fraction parts.
    let all = || b[int_start..int_end].iter().chain(&b[frac_start..frac_end]);
    let leading = all().take_while(|d| **d == b'0').count();
    let mut scale = (frac_end - frac_start) as i64 - exponent;
    if leading == count {
        let places = if scale > 28 { 0 } else { scale.max(0) };
        return Ok(Decimal::new(0, places as u32));
    }
    let mut used = count - leading;
    if scale > 28 {
        let zeros_at_end = all().rev().take_while(|d| **d == b'0').count();
        let drop = (zeros_at_end as i64).min(scale);
        used -= drop as usize;
        scale -= drop;
        if scale > 28 {
            return Err(NumberError::TooManyPlaces);
        }
    }
    let coefficient = accumulate(all().skip(leading).take(used), scale.min(0).unsigned_abs());
    let Some(coefficient) = coefficient else {
        // Too many digits: is the value itself out of range, or only its precision?
        let whole = used as i64 - scale.max(0);
        let whole = accumulate(all().skip(leading).take(whole.max(0) as usize), 0);
        return Err(match whole {
            Some(_) if scale > 0 => NumberError::TooManyDigits,
            _ => NumberError::TooLarge,
        });
    };
    let signed = if negative {
        -(coefficient as i128)
    } else {
        coefficient as i128
    };
    Decimal::try_from_i128_with_scale(signed, scale.max(0) as u32)
        .map_err(|_| NumberError::TooLarge)
}

/// The digits as a coefficient times 10^`zeros`, if it fits in 96 bits.
fn accumulate<'a>(digits: impl Iterator<Item = &'a u8>, zeros: u64) -> Option<u128> {
    let mut c: u128 = 0;
    for d in digits
        .map(|d| u128::from(d - b'0'))
        .chain((0..zeros.min(30)).map(|_| 0))
    {
        c = c * 10 + d;
        if c > MAX_COEFFICIENT {
            return None;
        }
    }
    Some(c)
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
    fn numbers_in_any_notation_are_exact_or_refused() {
        let shown = |t: &str| parse_number(t).map(|d| d.to_string());
        for (text, value) in [
            ("0E+50", "0"),
            ("-0E+5", "0"),
            ("-0.00", "0.00"),
            ("0e-99", "0"),
            ("0e-5", "0.00000"),
            ("+2.50", "2.50"),
            ("1E+3", "1000"),
            ("12.5e-1", "1.25"),
            ("100e-30", "0.0000000000000000000000000001"),
            (
                "79228162514264337593543950335",
                "79228162514264337593543950335",
            ),
            (
                "-79228162514264337593543950335",
                "-79228162514264337593543950335",
            ),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
        ] {
            assert_eq!(shown(text).as_deref(), Ok(value), "{text}");
        }
        use NumberError::*;
        for (text, error) in [
            ("79228162514264337593543950336", TooLarge),
            ("1e29", TooLarge),
            ("1e999999999999999999999999", TooLarge),
            ("1e-29", TooManyPlaces),
            ("1e-999999999999999999999999", TooManyPlaces),
            ("79228162514264337593543950335.5", TooManyDigits),
            ("", Syntax),
            ("-", Syntax),
            (".5", Syntax),
            ("5.", Syntax),
            ("1e", Syntax),
            ("1e+", Syntax),
            ("1_0", Syntax),
            ("0x10", Syntax),
            ("1.5.2", Syntax),
        ] {
            assert_eq!(parse_number(text), Err(error), "{text}");
        }
        // a long run of zeros is still a small number
        let long = format!("0.{}1e9990", "0".repeat(9_990));
        assert_eq!(shown(&long).as_deref(), Ok("0.1"));
    }

    #[test]
    fn dates_display_as_chrono_formats_them() {
        for (y, m, d) in [
            (2026, 1, 29),
            (1, 2, 3),
            (0, 12, 31),
            (9999, 12, 31),
            (10000, 1, 1),
            (-5, 6, 7),
        ] {
            let date = Date::from_ymd_opt(y, m, d).unwrap();
            let shown = Value::Date(date).display(&Type::Date, &[]).to_string();
            assert_eq!(shown, date.format("%Y-%m-%d").to_string());
        }
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
