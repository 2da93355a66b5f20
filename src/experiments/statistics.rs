//! Statistics for comparing methods over seeds: mean ± standard deviation, paired differences
//! with a 95 % confidence interval, and the one rule every verdict follows.
//!
//! A single training run is one draw from a distribution: another seed (initialisation,
//! shuffling, the labelled subset) gives another number. So a comparison trains both methods
//! on the same n seeds, takes the n paired differences `a_i − b_i` (pairing removes what the
//! seed does to both), and puts a Student's t interval with n − 1 degrees of freedom around
//! their mean. "A beats B" only when that interval lies entirely above zero; when it contains
//! zero, the honest verdict is "no measurable difference at n seeds", whatever the means say.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::error::{Error, Result};

/// Mean, sample standard deviation and count of a set of per-seed values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (n − 1 in the denominator; 0 for a single value).
    pub sd: f64,
    /// How many values.
    pub n: usize,
}

impl Summary {
    /// The summary of `values`; an error if there are none or one is not finite.
    pub fn of(values: &[f64]) -> Result<Summary> {
        check_values("values", values)?;
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Ok(Summary { mean, sd, n })
    }
}

impl Summary {
    /// An accuracy summary as the book prints it: `97.70 % ± 0.12` (the spread in points).
    pub fn percent(&self) -> String {
        format!("{:.2} % ± {:.2}", 100.0 * self.mean, 100.0 * self.sd)
    }
}

/// A paired comparison of method A against method B over the same seeds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    /// Mean of the per-seed differences `a_i − b_i`.
    pub mean: f64,
    /// Their sample standard deviation.
    pub sd: f64,
    /// Number of seeds (pairs).
    pub n: usize,
    /// Lower end of the 95 % confidence interval of the mean difference.
    pub low: f64,
    /// Upper end of that interval.
    pub high: f64,
}

/// What a paired comparison lets a reader conclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// The interval lies above zero: A's value is larger (better, for accuracy).
    AHigher,
    /// The interval lies below zero: B's value is larger.
    BHigher,
    /// The interval contains zero: no measurable difference at this many seeds.
    NoMeasurableDifference,
}

impl PairedDifference {
    /// The paired difference of `a` and `b`, values of the same seeds in the same order.
    /// Needs at least two pairs (one pair has no spread, so no interval).
    pub fn of(a: &[f64], b: &[f64]) -> Result<PairedDifference> {
        check_values("a", a)?;
        check_values("b", b)?;
        if a.len() != b.len() {
            return Err(Error::shape(
                "paired difference",
                format!("{} values of B", a.len()),
                b.len().to_string(),
            ));
        }
        if a.len() < 2 {
            return Err(Error::param(
                "seeds",
                a.len(),
                "a confidence interval needs at least 2 seeds (try 5)",
            ));
        }
        let differences: Vec<f64> = a.iter().zip(b).map(|(a, b)| a - b).collect();
        let Summary { mean, sd, n } = Summary::of(&differences)?;
        let half_width = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
        Ok(PairedDifference { mean, sd, n, low: mean - half_width, high: mean + half_width })
    }

    /// The verdict rule: a difference counts only when its interval excludes zero.
    pub fn comparison(&self) -> Comparison {
        if self.low > 0.0 {
            Comparison::AHigher
        } else if self.high < 0.0 {
            Comparison::BHigher
        } else {
            Comparison::NoMeasurableDifference
        }
    }
}

impl PairedDifference {
    /// A difference of accuracies in points with its interval: `+0.21 points, 95 % interval
    /// [+0.05, +0.37]`.
    pub fn points(&self) -> String {
        let p = |v: f64| format!("{:+.2}", 100.0 * v);
        format!("{} points, 95 % interval [{}, {}]", p(self.mean), p(self.low), p(self.high))
    }

    /// The verdict in words, `a` and `b` naming the two methods: "a beats b", "b beats a", or
    /// "no measurable difference at n seeds".
    pub fn verdict(&self, a: &str, b: &str) -> String {
        match self.comparison() {
            Comparison::AHigher => format!("{a} beats {b}"),
            Comparison::BHigher => format!("{b} beats {a}"),
            Comparison::NoMeasurableDifference => {
                format!("no measurable difference at {} seeds", self.n)
            }
        }
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom: the half-width factor of
/// a two-sided 95 % interval (12.71 for 1, 2.776 for 4, 1.96 in the limit).
pub fn t_quantile_975(df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df.max(1) as f64) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => f64::NAN,
    }
}

fn check_values(what: &'static str, values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Err(Error::param(what, "no values", "a summary needs at least one value"));
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(Error::param(what, v, "every value must be finite"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_printed_tables() {
        for (df, t) in [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (29, 2.045)] {
            assert!((t_quantile_975(df) - t).abs() < 1e-3, "df {df}: {}", t_quantile_975(df));
        }
    }

    #[test]
    fn summary_uses_the_sample_standard_deviation() {
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((s.mean, s.n), (2.5, 4));
        assert!((s.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(Summary::of(&[7.0]).unwrap().sd, 0.0);
        assert!(Summary::of(&[]).is_err());
        assert!(Summary::of(&[1.0, f64::NAN]).is_err());
    }

    #[test]
    fn pairing_removes_what_the_seed_does_to_both() {
        // Seeds move both methods a lot, but A is always 0.1 above B: a clear verdict.
        let b = [0.90, 0.95, 0.85, 0.97, 0.88];
        let a: Vec<f64> = b.iter().enumerate().map(|(i, v)| v + 0.1 + 0.001 * i as f64).collect();
        let d = PairedDifference::of(&a, &b).unwrap();
        assert_eq!(d.comparison(), Comparison::AHigher);
        assert!(d.low > 0.09 && d.high < 0.11, "{d:?}");
        // Reversed, the same interval mirrored.
        assert_eq!(PairedDifference::of(&b, &a).unwrap().comparison(), Comparison::BHigher);
    }

    #[test]
    fn an_interval_that_contains_zero_is_no_measurable_difference() {
        let d = PairedDifference::of(&[0.975, 0.977, 0.974], &[0.976, 0.975, 0.976]).unwrap();
        assert!(d.low < 0.0 && d.high > 0.0);
        assert_eq!(d.comparison(), Comparison::NoMeasurableDifference);
        // The half-width is t(n − 1) · sd / √n.
        let half = t_quantile_975(2) * d.sd / 3f64.sqrt();
        assert!((d.high - d.mean - half).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(PairedDifference::of(&[1.0], &[0.5]).is_err());
        assert!(PairedDifference::of(&[1.0, 2.0], &[0.5]).is_err());
        assert!(PairedDifference::of(&[1.0, f64::INFINITY], &[0.5, 0.4]).is_err());
    }
}
