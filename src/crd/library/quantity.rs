//! The `quantity` library: k8s.io/apiserver/pkg/cel/library/quantity.go, over
//! k8s.io/apimachinery/pkg/api/resource.

use super::*;
use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{ToPrimitive, Zero};

static QUANTITY_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.Quantity");

/// The most decimal digits an exact operation materializes: Go's would
/// build any number, however long, for `1e999999999` plus `1`; this one
/// reports an error instead.
const MAX_DIGITS: i64 = 10_000;

const FORMAT_WRONG: &str = "quantities must match the regular expression \
    '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NUMERIC: &str = "unable to parse numeric part of quantity";
const SUFFIX: &str = "unable to parse quantity's suffix";

pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(QUANTITY_TYPE.to_owned())?;
    cel::add_overload!(env, fn quantity: (CelString) -> Result<Quantity>)?;
    cel::add_overload!(env, fn is_quantity: (CelString) -> CelBool)?;
    // cel-go declares `sign` as a global function, which its docs call
    // as a member: both are declared.
    cel::add_overload!(env, fn sign: (Quantity) -> CelInt)?;
    cel::add_member_overload!(env, fn sign: (Quantity) -> CelInt)?;
    cel::add_member_overload!(env, fn is_integer: (Quantity) -> CelBool)?;
    cel::add_member_overload!(env, fn as_integer: (Quantity) -> Result<CelInt>)?;
    cel::add_member_overload!(env, fn as_approximate_float: (Quantity) -> CelDouble)?;
    cel::add_member_overload!(env, fn add: (Quantity, Quantity) -> Result<Quantity>)?;
    cel::add_member_overload!(env, fn add_int: (Quantity, CelInt) -> Result<Quantity>,
        name = "add")?;
    cel::add_member_overload!(env, fn sub: (Quantity, Quantity) -> Result<Quantity>)?;
    cel::add_member_overload!(env, fn sub_int: (Quantity, CelInt) -> Result<Quantity>,
        name = "sub")?;
    cel::add_member_overload!(env, fn mul: (Quantity, CelInt) -> Quantity)?;
    cel::add_member_overload!(env, fn compare_to: (Quantity, Quantity) -> CelInt)?;
    cel::add_member_overload!(env, fn is_greater_than: (Quantity, Quantity) -> CelBool)?;
    cel::add_member_overload!(env, fn is_less_than: (Quantity, Quantity) -> CelBool)?;
    Ok(())
}

/// A `resource.Quantity`, `kubernetes.Quantity`, in the representation Go
/// keeps: it decides `isInteger()` and, slightly, `asApproximateFloat()`.
/// Two are equal when their values are.
#[derive(Clone, Debug)]
pub(super) enum Quantity {
    /// Go's `int64Amount`: `value × 10^scale`.
    Int { value: i64, scale: i32 },
    /// Go's `inf.Dec`: `unscaled × 10^exp` (inf's scale is `-exp`).
    Dec { unscaled: BigInt, exp: i64 },
}

opaque_val!(Quantity, &QUANTITY_TYPE);

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

/// What `parse_string` splits a quantity into, as Go's
/// `parseQuantityString`.
struct Parts<'a> {
    positive: bool,
    /// The signed number, e.g. `-1.5`.
    value: &'a str,
    /// The integer digits, without leading zeros, `0` for none.
    num: &'a str,
    /// The fraction digits.
    denom: &'a str,
    suffix: &'a str,
}

fn parse_string(s: &str) -> Result<Parts<'_>, &'static str> {
    let b = s.as_bytes();
    let end = b.len();
    let mut pos = 0;
    let mut positive = true;
    match b.first() {
        Some(b'-') => {
            positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    while pos < end && b[pos] == b'0' {
        pos += 1;
    }
    let whole = |num, denom| Parts {
        positive,
        value: s,
        num,
        denom,
        suffix: "",
    };
    if pos >= end {
        return Ok(Parts {
            value: "0",
            ..whole("0", "")
        });
    }
    let num_start = pos;
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos >= end {
        return Ok(whole(&s[num_start..], ""));
    }
    let num = match &s[num_start..pos] {
        "" => "0",
        num => num,
    };
    let mut denom = "";
    if b[pos] == b'.' {
        pos += 1;
        let denom_start = pos;
        while pos < end && b[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos >= end {
            return Ok(whole(num, &s[denom_start..]));
        }
        denom = &s[denom_start..pos];
    }
    let value = &s[..pos];
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < end && matches!(b[pos], b'-' | b'+') {
        pos += 1;
    }
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return Err(FORMAT_WRONG);
    }
    Ok(Parts {
        positive,
        value,
        num,
        denom,
        suffix: &s[suffix_start..],
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    DecimalExponent,
    BinarySi,
    DecimalSi,
}

/// The base, exponent and format a suffix stands for.
fn interpret(suffix: &str) -> Option<(u32, i32, Format)> {
    let decimal = |exponent| Some((10, exponent, Format::DecimalSi));
    let binary = |exponent| Some((2, exponent, Format::BinarySi));
    match suffix {
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "" => decimal(0),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ if suffix.len() > 1 && matches!(suffix.as_bytes()[0], b'e' | b'E') => {
            // Go truncates the exponent to 32 bits, as `as` does.
            let exponent = suffix[1..].parse::<i64>().ok()?;
            Some((10, exponent as i32, Format::DecimalExponent))
        }
        _ => None,
    }
}

/// Go's `resource.ParseQuantity`: decimal SI (`100m`, `1.5G`), binary SI
/// (`1.5Gi`) or exponent (`1e3`) forms, signed. Values are rounded up to
/// nano units, and binary ones capped at 2^63-1.
pub(super) fn parse(s: &str) -> Result<Quantity, &'static str> {
    if s.is_empty() {
        return Err(FORMAT_WRONG);
    }
    if s == "0" {
        return Ok(Quantity::Int { value: 0, scale: 0 });
    }
    let parts = parse_string(s)?;
    let (base, exponent, format) = interpret(parts.suffix).ok_or(SUFFIX)?;
    let digits = (parts.num.len() + parts.denom.len()) as i64;
    let (precision, mut scale, mantissa) = match format {
        Format::DecimalExponent | Format::DecimalSi => (18 - digits, exponent, 1i64),
        Format::BinarySi if exponent >= 0 && parts.denom.is_empty() => (
            // 1Mi (2^20) has about 6 decimal digits: exponent*3/10.
            15 - parts.num.len() as i64 - (exponent as f32 * 3.0 / 10.0) as i64 - 1,
            0,
            1i64 << exponent,
        ),
        Format::BinarySi => (-1, 0, 1),
    };
    if precision >= 0 {
        scale = scale.wrapping_sub(parts.denom.len() as i32);
        if scale >= -9 {
            let shifted: i64 = format!("{}{}", parts.num, parts.denom)
                .parse()
                .map_err(|_| NUMERIC)?;
            if let Some(value) = shifted.checked_mul(mantissa) {
                let value = if parts.positive { value } else { -value };
                return Ok(Quantity::Int { value, scale });
            }
        }
    }

    // The slow path, in `inf.Dec`.
    let (mut unscaled, mut exp) = parse_decimal(parts.value).ok_or(NUMERIC)?;
    if base == 10 {
        exp += i64::from(exponent);
    } else {
        unscaled *= BigInt::from(1) << exponent;
    }
    let negative = unscaled.sign() == Sign::Minus;
    let mut magnitude = unscaled.magnitude().clone();
    if !magnitude.is_zero() {
        // Rounded up, so that asking for some of a resource gets some.
        (magnitude, exp) = round_up_to_nano(magnitude, exp);
    }
    let max = BigUint::from(i64::MAX as u64);
    if format == Format::BinarySi
        && !magnitude.is_zero()
        && compare_magnitudes(&magnitude, exp, &max, 0).is_gt()
    {
        (magnitude, exp) = (max, 0);
    }
    let sign = if negative { Sign::Minus } else { Sign::Plus };
    Ok(Quantity::Dec {
        unscaled: BigInt::from_biguint(sign, magnitude),
        exp,
    })
}

/// Go's `inf.Dec.SetString` of `[+-]digits[.digits]`: its unscaled value
/// and exponent; `None` without a digit.
fn parse_decimal(value: &str) -> Option<(BigInt, i64)> {
    let (negative, unsigned) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    let (int, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{int}{fraction}");
    let magnitude = BigUint::parse_bytes(digits.as_bytes(), 10)?;
    let sign = if negative { Sign::Minus } else { Sign::Plus };
    Some((
        BigInt::from_biguint(sign, magnitude),
        -(fraction.len() as i64),
    ))
}

/// `magnitude × 10^exp` at exponent -9, as inf's `Round(x, 9, RoundUp)`:
/// a fraction of a nano unit rounds up. An exponent too large to
/// materialize is left as is, the same value.
fn round_up_to_nano(magnitude: BigUint, exp: i64) -> (BigUint, i64) {
    if exp < -9 {
        let shift = -9 - exp;
        if decimal_digits(&magnitude) as i64 <= shift {
            return (BigUint::from(1u32), -9);
        }
        let divisor = pow10(shift);
        let quotient = &magnitude / &divisor;
        let rounded = if (&quotient * &divisor) == magnitude {
            quotient
        } else {
            quotient + 1u32
        };
        (rounded, -9)
    } else if exp + 9 <= MAX_DIGITS {
        (magnitude * pow10(exp + 9), -9)
    } else {
        (magnitude, exp)
    }
}

fn pow10(n: i64) -> BigUint {
    BigUint::from(10u32).pow(n as u32)
}

fn decimal_digits(n: &BigUint) -> usize {
    n.to_str_radix(10).len()
}

/// Orders two non-zero magnitudes, `m1 × 10^e1` and `m2 × 10^e2`, without
/// materializing a number larger than them: by their leading digit's
/// position first.
fn compare_magnitudes(m1: &BigUint, e1: i64, m2: &BigUint, e2: i64) -> Ordering {
    let lead1 = decimal_digits(m1) as i64 + e1;
    let lead2 = decimal_digits(m2) as i64 + e2;
    if lead1 != lead2 {
        return lead1.cmp(&lead2);
    }
    // The leads agree, so the exponents differ by as many digits as the
    // magnitudes do at most.
    match e1.cmp(&e2) {
        Ordering::Greater => (m1 * pow10(e1 - e2)).cmp(m2),
        Ordering::Less => m1.cmp(&(m2 * pow10(e2 - e1))),
        Ordering::Equal => m1.cmp(m2),
    }
}

/// Go's `positiveScaleInt64`: `base × 10^scale`, if it fits.
fn positive_scale(base: i64, scale: i64) -> Option<i64> {
    if base == 0 {
        return Some(0);
    }
    let mut value = base;
    for _ in 0..scale {
        value = value.checked_mul(10)?;
    }
    Some(value)
}

/// Go's `int64Amount.Add`: the sum, if it fits the smaller scale.
fn int_add((a, a_scale): (i64, i32), (b, b_scale): (i64, i32)) -> Option<(i64, i32)> {
    if b == 0 {
        return Some((a, a_scale));
    }
    if a == 0 {
        return Some((b, b_scale));
    }
    let diff = i64::from(a_scale) - i64::from(b_scale);
    match diff.cmp(&0) {
        Ordering::Equal => Some((a.checked_add(b)?, a_scale)),
        Ordering::Greater => Some((positive_scale(a, diff)?.checked_add(b)?, b_scale)),
        Ordering::Less => Some((a.checked_add(positive_scale(b, -diff)?)?, a_scale)),
    }
}

/// Go's `negativeScaleInt64`, for whether `base / 10^scale` is exact.
fn divides_exactly(base: i64, scale: i64) -> bool {
    let mut value = base;
    for _ in 0..scale {
        if value % 10 != 0 {
            return false;
        }
        value /= 10;
        if value == 0 {
            return true;
        }
    }
    true
}

impl Quantity {
    /// The exact value, `mantissa × 10^exponent`.
    fn decimal(&self) -> (BigInt, i64) {
        match self {
            Quantity::Int { value, scale } => (BigInt::from(*value), i64::from(*scale)),
            Quantity::Dec { unscaled, exp } => (unscaled.clone(), *exp),
        }
    }

    fn cmp(&self, other: &Quantity) -> Ordering {
        let ((a, a_exp), (b, b_exp)) = (self.decimal(), other.decimal());
        let rank = |sign: Sign| match sign {
            Sign::Minus => -1,
            Sign::NoSign => 0,
            Sign::Plus => 1,
        };
        match rank(a.sign()).cmp(&rank(b.sign())) {
            Ordering::Equal if a.sign() == Sign::NoSign => Ordering::Equal,
            Ordering::Equal => {
                let order = compare_magnitudes(a.magnitude(), a_exp, b.magnitude(), b_exp);
                if a.sign() == Sign::Minus {
                    order.reverse()
                } else {
                    order
                }
            }
            order => order,
        }
    }

    /// Go's `Quantity.Add`: in `int64Amount`s while the sum fits one.
    fn add(&self, other: &Quantity) -> Result<Quantity, String> {
        if let (
            Quantity::Int { value, scale },
            Quantity::Int {
                value: other_value,
                scale: other_scale,
            },
        ) = (self, other)
        {
            if let Some((value, scale)) = int_add((*value, *scale), (*other_value, *other_scale)) {
                return Ok(Quantity::Int { value, scale });
            }
        }
        let ((a, a_exp), (b, b_exp)) = (self.decimal(), other.decimal());
        let exp = a_exp.min(b_exp);
        Ok(Quantity::Dec {
            unscaled: rescale(a, a_exp, exp)? + rescale(b, b_exp, exp)?,
            exp,
        })
    }

    /// Go's `Quantity.Sub`, as adding the negation.
    fn sub(&self, other: &Quantity) -> Result<Quantity, String> {
        let negated = match other {
            // Go's `-value` wraps for the smallest int64, and so does this.
            Quantity::Int { value, scale } => Quantity::Int {
                value: value.wrapping_neg(),
                scale: *scale,
            },
            Quantity::Dec { unscaled, exp } => Quantity::Dec {
                unscaled: -unscaled,
                exp: *exp,
            },
        };
        if let (Quantity::Int { .. }, Quantity::Int { .. }) = (self, other) {
            return self.add(&negated);
        }
        let ((a, a_exp), (b, b_exp)) = (self.decimal(), other.decimal());
        let exp = a_exp.min(b_exp);
        Ok(Quantity::Dec {
            unscaled: rescale(a, a_exp, exp)? - rescale(b, b_exp, exp)?,
            exp,
        })
    }

    /// Go's `Quantity.Mul`: in an `int64Amount` while the product fits one.
    fn mul(&self, factor: i64) -> Quantity {
        if let Quantity::Int { value, scale } = *self {
            let product = match (value, factor) {
                (0, _) => Some((0, scale)),
                (_, 0) => Some((0, 0)),
                _ => value
                    .checked_mul(factor)
                    .filter(|&product| match scale {
                        0 => true,
                        s if s > 0 => positive_scale(product, i64::from(s)).is_some(),
                        s => divides_exactly(product, -i64::from(s)),
                    })
                    .map(|product| (product, scale)),
            };
            if let Some((value, scale)) = product {
                return Quantity::Int { value, scale };
            }
        }
        let (unscaled, exp) = self.decimal();
        Quantity::Dec {
            unscaled: unscaled * factor,
            exp,
        }
    }

    /// Go's `Quantity.AsInt64`: an `inf.Dec`, or an `int64Amount` with a
    /// negative scale (`1000m`), is no integer, whatever its value.
    fn as_int64(&self) -> Option<i64> {
        match *self {
            Quantity::Int { value, scale } if scale >= 0 => positive_scale(value, i64::from(scale)),
            _ => None,
        }
    }

    /// Go's `Quantity.AsApproximateFloat64`.
    fn approximate_float(&self) -> f64 {
        let (base, exponent) = match self {
            Quantity::Int { value, scale } => (*value as f64, i64::from(*scale)),
            Quantity::Dec { unscaled, exp } => (
                unscaled
                    .to_f64()
                    .unwrap_or(if unscaled.sign() == Sign::Minus {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    }),
                *exp,
            ),
        };
        if exponent == 0 {
            base
        } else {
            base * go_pow10(exponent)
        }
    }

    fn signum(&self) -> i64 {
        match self {
            Quantity::Int { value, .. } => value.signum(),
            Quantity::Dec { unscaled, .. } => match unscaled.sign() {
                Sign::Minus => -1,
                Sign::NoSign => 0,
                Sign::Plus => 1,
            },
        }
    }
}

/// `m × 10^from` as a multiple of `10^to`, `to` being at most `from`.
fn rescale(m: BigInt, from: i64, to: i64) -> Result<BigInt, String> {
    let shift = from - to;
    if m.is_zero() || shift == 0 {
        return Ok(m);
    }
    if shift > MAX_DIGITS {
        return Err(format!(
            "quantities differ by more than {MAX_DIGITS} orders of magnitude"
        ));
    }
    Ok(m * BigInt::from(pow10(shift)))
}

/// Go's `math.Pow10`, whose rounding `asApproximateFloat` inherits
/// (`quantity('0.3').asApproximateFloat()` is `3 × 0.1`).
fn go_pow10(n: i64) -> f64 {
    const TAB: [f64; 32] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31,
    ];
    const POS_TAB_32: [f64; 10] = [
        1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288,
    ];
    const NEG_TAB_32: [f64; 11] = [
        1e-0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320,
    ];
    match n {
        0..=308 => POS_TAB_32[n as usize / 32] * TAB[n as usize % 32],
        -323..=-1 => NEG_TAB_32[(-n) as usize / 32] / TAB[(-n) as usize % 32],
        n if n > 0 => f64::INFINITY,
        _ => 0.0,
    }
}

fn arithmetic_error(function: &str) -> impl FnOnce(String) -> ExecutionError + '_ {
    move |error| ExecutionError::function_error(function, error)
}

/// `quantity(<string>)`: the quantity; an error if not one.
fn quantity(s: &CelString<'_>) -> Result<Quantity, ExecutionError> {
    parse(s.inner()).map_err(|error| ExecutionError::function_error("quantity", error))
}

/// `isQuantity(<string>)`: whether `quantity(<string>)` succeeds.
fn is_quantity(s: &CelString<'_>) -> CelBool {
    parse(s.inner()).is_ok().into()
}

/// `<Quantity>.sign()`: -1, 0 or 1.
fn sign(q: &Quantity) -> CelInt {
    CelInt::from(q.signum())
}

/// `<Quantity>.isInteger()`: whether `asInteger()` succeeds.
fn is_integer(q: &Quantity) -> CelBool {
    q.as_int64().is_some().into()
}

/// `<Quantity>.asInteger()`: the value as an `int`; an error if it isn't
/// one Go can tell fits, without loss.
fn as_integer(q: &Quantity) -> Result<CelInt, ExecutionError> {
    q.as_int64().map(CelInt::from).ok_or_else(|| {
        ExecutionError::function_error("asInteger", "cannot convert value to integer")
    })
}

/// `<Quantity>.asApproximateFloat()`: the value as a `double`, ±infinity
/// past its range.
fn as_approximate_float(q: &Quantity) -> CelDouble {
    CelDouble::from(q.approximate_float())
}

/// `<Quantity>.add(<Quantity>)`.
fn add(q: &Quantity, other: &Quantity) -> Result<Quantity, ExecutionError> {
    q.add(other).map_err(arithmetic_error("add"))
}

/// `<Quantity>.add(<int>)`.
fn add_int(q: &Quantity, n: &CelInt) -> Result<Quantity, ExecutionError> {
    let n = Quantity::Int {
        value: *n.inner(),
        scale: 0,
    };
    q.add(&n).map_err(arithmetic_error("add"))
}

/// `<Quantity>.sub(<Quantity>)`.
fn sub(q: &Quantity, other: &Quantity) -> Result<Quantity, ExecutionError> {
    q.sub(other).map_err(arithmetic_error("sub"))
}

/// `<Quantity>.sub(<int>)`.
fn sub_int(q: &Quantity, n: &CelInt) -> Result<Quantity, ExecutionError> {
    let n = Quantity::Int {
        value: *n.inner(),
        scale: 0,
    };
    q.sub(&n).map_err(arithmetic_error("sub"))
}

/// `<Quantity>.mul(<int>)`.
fn mul(q: &Quantity, n: &CelInt) -> Quantity {
    q.mul(*n.inner())
}

/// `<Quantity>.compareTo(<Quantity>)`: -1, 0 or 1.
fn compare_to(q: &Quantity, other: &Quantity) -> CelInt {
    CelInt::from(q.cmp(other) as i64)
}

/// `<Quantity>.isGreaterThan(<Quantity>)`.
fn is_greater_than(q: &Quantity, other: &Quantity) -> CelBool {
    q.cmp(other).is_gt().into()
}

/// `<Quantity>.isLessThan(<Quantity>)`.
fn is_less_than(q: &Quantity, other: &Quantity) -> CelBool {
    q.cmp(other).is_lt().into()
}
