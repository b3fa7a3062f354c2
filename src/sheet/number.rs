//! Exact decimal numbers for the value hints of mentions: "252.5 مليار" is 252500000000, and
//! "1조 2000억" is 1200000000000, with no floating-point rounding on the way.
//!
//! Only what a hint needs: parsing digits in any script, scaling by powers of ten, adding, printing.

use std::fmt;

/// A non-negative decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    mantissa: u128,
    scale: u32,
}

impl Number {
    /// A whole number.
    pub fn integer(n: u128) -> Self {
        Self {
            mantissa: n,
            scale: 0,
        }
    }

    /// Reads ASCII digits with an optional fraction; `None` for anything else or an overflow.
    pub fn from_parts(int: &str, frac: &str) -> Option<Self> {
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = format!("{int}{frac}");
        let mantissa = digits.parse::<u128>().ok()?;
        Some(
            Self {
                mantissa,
                scale: u32::try_from(frac.len()).ok()?,
            }
            .normalized(),
        )
    }

    /// This number times 10^k.
    pub fn times_pow10(self, k: u32) -> Option<Self> {
        if self.scale >= k {
            return Some(Self {
                mantissa: self.mantissa,
                scale: self.scale - k,
            });
        }
        let factor = 10u128.checked_pow(k - self.scale)?;
        Some(Self {
            mantissa: self.mantissa.checked_mul(factor)?,
            scale: 0,
        })
    }

    /// This number times a whole factor.
    pub fn times(self, n: u128) -> Option<Self> {
        Some(
            Self {
                mantissa: self.mantissa.checked_mul(n)?,
                scale: self.scale,
            }
            .normalized(),
        )
    }

    pub fn plus(self, other: Self) -> Option<Self> {
        let scale = self.scale.max(other.scale);
        let a = self
            .mantissa
            .checked_mul(10u128.checked_pow(scale - self.scale)?)?;
        let b = other
            .mantissa
            .checked_mul(10u128.checked_pow(scale - other.scale)?)?;
        Some(
            Self {
                mantissa: a.checked_add(b)?,
                scale,
            }
            .normalized(),
        )
    }

    /// The value when it is a whole number that fits.
    pub fn as_integer(self) -> Option<u128> {
        (self.scale == 0).then_some(self.mantissa)
    }

    fn normalized(mut self) -> Self {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }
}

impl fmt::Display for Number {
    /// Plain digits, a point only when there is a fraction: `1000000000000`, `252.5`, `0.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return f.write_str(&digits);
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{int}.{frac}")
    }
}

/// The value of one decimal digit of any script kg reads (ASCII, Arabic-Indic, Extended
/// Arabic-Indic as used for Persian and Urdu, Devanagari, Bengali, full-width).
pub fn digit_value(c: char) -> Option<u32> {
    let zero = match c {
        '0'..='9' => '0',
        '\u{0660}'..='\u{0669}' => '\u{0660}',
        '\u{06F0}'..='\u{06F9}' => '\u{06F0}',
        '\u{0966}'..='\u{096F}' => '\u{0966}',
        '\u{09E6}'..='\u{09EF}' => '\u{09E6}',
        '\u{FF10}'..='\u{FF19}' => '\u{FF10}',
        _ => return None,
    };
    Some(c as u32 - zero as u32)
}

/// The regex class of those digits.
pub const DIGIT: &str =
    r"[0-9\x{0660}-\x{0669}\x{06F0}-\x{06F9}\x{0966}-\x{096F}\x{09E6}-\x{09EF}\x{FF10}-\x{FF19}]";

/// Digits of any script as ASCII digits; other characters are dropped.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .filter_map(digit_value)
        .filter_map(|d| char::from_digit(d, 10))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact() {
        let n = Number::from_parts("252", "5").unwrap();
        assert_eq!(n.times_pow10(9).unwrap().to_string(), "252500000000");
        let a = Number::integer(1).times_pow10(12).unwrap();
        let b = Number::integer(2000).times_pow10(8).unwrap();
        assert_eq!(a.plus(b).unwrap().to_string(), "1200000000000");
        assert_eq!(Number::from_parts("0", "250").unwrap().to_string(), "0.25");
        assert_eq!(Number::from_parts("1", "5").unwrap().to_string(), "1.5");
        assert_eq!(ascii_digits("٢٥٢"), "252");
    }
}
