//! Kubernetes resource quantities (`3920m`, `16374556Ki`, `15Gi`, `1e3`), parsed exactly,
//! without floats, as `k8s.io/apimachinery/pkg/api/resource.Quantity` parses them
//! (`pkg/api/resource/quantity.go`, `ParseQuantity`; suffixes from `suffix.go`,
//! `newSuffixer`):
//!
//! ```text
//! <quantity>        ::= <signedNumber><suffix>
//! <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//! <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//! <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//! <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//! <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
//! ```
//!
//! Like Kubernetes, a value finer than a nano-unit is rounded up to the next nano-unit.
//! Unlike it, a value past 2^63 - 1 units (which Kubernetes caps) or a negative one is
//! refused, and so is a number of more than 38 significant digits (no real quantity has
//! that many; it keeps the arithmetic exact in 128 bits).

use std::fmt;

/// Nano-units per unit.
const NANOS: u128 = 1_000_000_000;
/// Largest quantity Kubernetes represents, in units (2^63 - 1).
const MAX_UNITS: u128 = i64::MAX as u128;
/// Most significant digits a number may have (10^38 < 2^128).
const MAX_DIGITS: usize = 38;

/// A non-negative quantity, exact to the nano-unit (cores, bytes, GPUs or pods, as the
/// resource it measures says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Quantity {
    nanos: u128,
}

/// Why a text is not a quantity this reader takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError(pub &'static str);

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A suffix as a power of ten and a power of two.
#[derive(Debug, Clone, Copy)]
struct Scale {
    pow10: i64,
    pow2: u32,
}

impl Quantity {
    /// Zero of any resource.
    pub const ZERO: Quantity = Quantity { nanos: 0 };

    /// Parses `text` in the grammar of the module docs.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, rest) = rest.split_at(int_len);
        let (frac, suffix) = match rest.strip_prefix('.') {
            Some(r) => r.split_at(r.bytes().take_while(u8::is_ascii_digit).count()),
            None => ("", rest),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(QuantityError("no digits"));
        }
        let scale = suffix_scale(suffix)?;
        let digits = int.trim_start_matches('0').to_string() + frac;
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return Ok(Quantity::ZERO);
        }
        if negative {
            return Err(QuantityError("negative"));
        }
        if digits.len() > MAX_DIGITS {
            return Err(QuantityError("more than 38 significant digits"));
        }
        let mantissa: u128 = digits.parse().map_err(|_| QuantityError("no digits"))?;
        let shift = scale.pow10 + 9 - frac.len() as i64;
        let nanos = scaled(mantissa, shift, scale.pow2)?;
        if nanos > MAX_UNITS * NANOS {
            return Err(QuantityError("larger than 2^63 - 1"));
        }
        Ok(Quantity { nanos })
    }

    /// The quantity in thousandths of a unit, rounded up (millicores of a CPU quantity).
    pub fn millis(self) -> u64 {
        self.nanos.div_ceil(1_000_000) as u64
    }

    /// The quantity in whole units, rounded up (bytes, GPUs, pods).
    pub fn units(self) -> u64 {
        self.nanos.div_ceil(NANOS) as u64
    }
}

/// `ceil(mantissa * 10^shift * 2^pow2)` in nano-units, or an error past 128 bits.
fn scaled(mantissa: u128, shift: i64, pow2: u32) -> Result<u128, QuantityError> {
    const TOO_LARGE: QuantityError = QuantityError("larger than 2^63 - 1");
    let times2 = |v: u128| v.checked_mul(1u128 << pow2).ok_or(TOO_LARGE);
    if shift >= 0 {
        let p = u32::try_from(shift).map_err(|_| TOO_LARGE)?;
        let p = 10u128.checked_pow(p).ok_or(TOO_LARGE)?;
        return times2(mantissa.checked_mul(p).ok_or(TOO_LARGE)?);
    }
    // A fraction: the digits beyond 10^-38 of a mantissa under 10^38 only round up.
    let Some(divisor) = u32::try_from(-shift)
        .ok()
        .and_then(|p| 10u128.checked_pow(p))
    else {
        return Ok(1);
    };
    let numerator = mantissa.checked_mul(1u128 << pow2).ok_or(QuantityError(
        "too many fractional digits for a binary suffix",
    ))?;
    Ok(numerator.div_ceil(divisor))
}

/// The scale of a suffix (`suffix.go`, `newSuffixer` and `interpret`).
fn suffix_scale(suffix: &str) -> Result<Scale, QuantityError> {
    let dec = |pow10| Ok(Scale { pow10, pow2: 0 });
    let bin = |pow2| Ok(Scale { pow10: 0, pow2 });
    match suffix {
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "" => dec(0),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        _ => exponent(suffix),
    }
}

/// `e<signed integer>` or `E<signed integer>`, the decimal exponent form.
fn exponent(suffix: &str) -> Result<Scale, QuantityError> {
    const BAD: QuantityError = QuantityError(
        "unknown suffix (expected n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)",
    );
    let rest = suffix
        .strip_prefix('e')
        .or_else(|| suffix.strip_prefix('E'))
        .ok_or(BAD)?;
    let unsigned = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD);
    }
    // Past +-10^6 every non-zero mantissa overflows or rounds up to one nano-unit alike.
    let digits = unsigned.trim_start_matches('0');
    let magnitude: i64 = if digits.len() > 7 {
        10_000_000
    } else {
        digits.parse().unwrap_or(0)
    };
    let pow10 = if rest.starts_with('-') {
        -magnitude
    } else {
        magnitude
    };
    Ok(Scale { pow10, pow2: 0 })
}

#[cfg(test)]
#[path = "quantity_tests.rs"]
mod tests;
