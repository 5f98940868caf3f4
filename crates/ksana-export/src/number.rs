//! Numbers as text, shared by the text formats: floats in their shortest form that reads back
//! as the same `f32`/`f64` (Rust's `Display`/`LowerExp` without a precision are shortest
//! round-trip; plain notation for magnitudes from 1e-5 to below 1e16, exponent notation
//! outside, so that `f32::MAX` is `3.4028235e38`, not 39 digits).

use std::fmt::Write as _;

/// Appends `v` to `out` in its shortest round-trip form; `None` for NaN and infinities (each
/// format spells them its own way).
pub fn push_f32(out: &mut String, v: f32) -> Option<()> {
    if !v.is_finite() {
        return None;
    }
    let a = v.abs();
    if a == 0.0 || (1e-5..1e16).contains(&a) {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{v:e}");
    }
    Some(())
}

/// [`push_f32`] for `f64`.
pub fn push_f64(out: &mut String, v: f64) -> Option<()> {
    if !v.is_finite() {
        return None;
    }
    let a = v.abs();
    if a == 0.0 || (1e-5..1e16).contains(&a) {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{v:e}");
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f32s(v: f32) -> String {
        let mut s = String::new();
        push_f32(&mut s, v).unwrap();
        s
    }

    fn f64s(v: f64) -> String {
        let mut s = String::new();
        push_f64(&mut s, v).unwrap();
        s
    }

    #[test]
    fn known_values_are_short_and_exact() {
        assert_eq!(f32s(0.1), "0.1");
        assert_eq!(f32s(-0.0), "-0");
        assert_eq!(f32s(1.0), "1");
        assert_eq!(f32s(123.456), "123.456");
        assert_eq!(f32s(f32::MAX), "3.4028235e38");
        assert_eq!(f32s(f32::MIN_POSITIVE), "1.1754944e-38");
        assert_eq!(f32s(1e-45), "1e-45");
        assert_eq!(f32s(16_777_216.0), "16777216");
        assert_eq!(f64s(0.1), "0.1");
        assert_eq!(f64s(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(f64s(1e300), "1e300");
        assert_eq!(f64s(5e-324), "5e-324");
        let mut s = String::new();
        assert!(push_f32(&mut s, f32::NAN).is_none());
        assert!(push_f64(&mut s, f64::NEG_INFINITY).is_none());
        assert!(s.is_empty());
    }

    /// Shortest: no shorter decimal (one significant digit fewer, rounded either way) reads
    /// back as the same float.
    fn digits(s: &str) -> usize {
        let m = s.split(['e', 'E']).next().unwrap_or(s);
        m.trim_start_matches('-')
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect::<String>()
            .trim_matches('0')
            .len()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn every_f32_reads_back_bit_exact(bits in any::<u32>()) {
            let v = f32::from_bits(bits);
            prop_assume!(v.is_finite());
            let s = f32s(v);
            let back: f32 = s.parse().unwrap();
            prop_assert_eq!(back.to_bits(), v.to_bits(), "{}", s);
            // Read as a double first (pandas does), then narrowed: still the same f32.
            let via64: f64 = s.parse().unwrap();
            prop_assert_eq!((via64 as f32).to_bits(), v.to_bits(), "{} via f64", s);
            // Shortest: with one significant digit fewer no decimal is the same f32.
            let n = digits(&s);
            if n > 1 {
                let shorter = format!("{:.*e}", n - 2, v);
                let b: f32 = shorter.parse().unwrap();
                prop_assert_ne!(b.to_bits(), v.to_bits(), "{} vs {}", s, shorter);
            }
        }

        #[test]
        fn every_f64_reads_back_bit_exact(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            let s = f64s(v);
            let back: f64 = s.parse().unwrap();
            prop_assert_eq!(back.to_bits(), v.to_bits(), "{}", s);
        }
    }
}
