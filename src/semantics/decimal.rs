//! The decimal arithmetic of the language, on the fixed-point model of
//! docs/language.md ("Types"): which places a result keeps. `None` when the result is
//! out of range (magnitude 2^96 or more).

use crate::value::Decimal;

/// The most places a decimal has.
pub const MAX_PLACES: u32 = 28;

/// `a + b`, with the places of the operand that has more (`1.50 + 1` is `2.50`,
/// `0 + 1.50` too).
pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    Some(with_places(a.checked_add(b)?, a.scale().max(b.scale())))
}

/// `a - b`, with the places of the operand that has more.
pub fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    Some(with_places(a.checked_sub(b)?, a.scale().max(b.scale())))
}

/// `a * b`, with the places of both operands together, at most 28 (`1.50 * 2` is
/// `3.00`, `0 * -1.5` is `0.0`).
pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let places = (a.scale() + b.scale()).min(MAX_PLACES);
    Some(with_places(a.checked_mul(b)?, places))
}

/// `a / b` without trailing zeros (`1 / 2` is `0.5`, `4 / 2` is `2`); `None` for a
/// zero divisor too.
pub fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
    Some(a.checked_div(b)?.normalize())
}

/// `p% * n`: the product computed with the fraction `p / 100`, with at least the
/// places of the operands as written and as many more as it needs to be exact
/// (`30% * 1000` is `300`, `12.5% * 3` is `0.375`, `12.5% * 2.00` is `0.250`).
pub fn percent_of(p: Decimal, n: Decimal) -> Option<Decimal> {
    let product = mul(p, n)?;
    let places = product.scale();
    let fraction = product.checked_div(Decimal::ONE_HUNDRED)?.normalize();
    Some(with_places(fraction, places))
}

/// `round(x, places)`, half away from zero, shown with exactly that many places
/// (`round(0.1, 2)` is `0.10`) where the 96-bit coefficient can hold them.
pub fn round(x: Decimal, places: u32) -> Decimal {
    let rounded =
        x.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    with_places(rounded, places)
}

/// `d` with at least `places` places (fewer where the coefficient cannot hold more).
fn with_places(d: Decimal, places: u32) -> Decimal {
    let mut d = d;
    if d.scale() < places {
        d.rescale(places);
    }
    d
}
