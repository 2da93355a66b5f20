//! Input corruption: Gaussian noise or masking, for the denoising autoencoder and for noisy
//! test images.
//!
//! A denoising autoencoder sees a corrupted image and is scored against the clean one, so it
//! cannot get away with copying its input: it has to know what digits look like.

use ndarray::{Array2, ArrayView2, Zip};
use rand::Rng as _;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::rng::Rng;

/// How a denoising autoencoder's inputs are corrupted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Noise {
    /// Adds N(0, `std_dev`²) to every pixel, then clips to `[0, 1]`.
    Gaussian {
        /// Standard deviation of the noise, in grey levels (pixels are in `[0, 1]`).
        std_dev: f32,
    },
    /// Sets each pixel to 0 with probability `drop_fraction` ("masking" or drop-out noise).
    Mask {
        /// Fraction of pixels blanked, in `[0, 1)`.
        drop_fraction: f32,
    },
}

impl Noise {
    /// Checks the noise level: a standard deviation in `[0, 1]`, a drop fraction in `[0, 1)`.
    pub fn check(&self) -> Result<()> {
        match *self {
            Noise::Gaussian { std_dev } if !(std_dev.is_finite() && (0.0..=1.0).contains(&std_dev)) => Err(
                Error::param("std_dev", std_dev, "the Gaussian noise level must be in [0, 1] grey levels (try 0.3)"),
            ),
            Noise::Mask { drop_fraction } if !(0.0..1.0).contains(&drop_fraction) => Err(Error::param(
                "drop_fraction",
                drop_fraction,
                "the fraction of pixels blanked must be in [0, 1) (try 0.3)",
            )),
            _ => Ok(()),
        }
    }

    /// A short description for tables, e.g. `Gaussian σ = 0.3`.
    pub fn describe(&self) -> String {
        match *self {
            Noise::Gaussian { std_dev } => format!("Gaussian σ = {std_dev}"),
            Noise::Mask { drop_fraction } => format!("masking {:.0} %", 100.0 * drop_fraction),
        }
    }

    /// A corrupted copy of x (n, features), drawing from `rng`: what the training step feeds
    /// the encoder. Values stay in `[0, 1]`.
    pub fn corrupt(&self, x: ArrayView2<f32>, rng: &mut Rng) -> Array2<f32> {
        let mut out = Array2::zeros(x.raw_dim());
        match *self {
            Noise::Gaussian { std_dev } => Zip::from(&mut out).and(&x).for_each(|o, &v| {
                let e: f32 = rng.sample(StandardNormal);
                *o = (v + std_dev * e).clamp(0.0, 1.0);
            }),
            Noise::Mask { drop_fraction } => Zip::from(&mut out).and(&x).for_each(|o, &v| {
                *o = if rng.gen::<f32>() < drop_fraction { 0.0 } else { v };
            }),
        }
        out
    }

    /// A corrupted copy of x with its own seeded generator: the same call gives the same
    /// array, so test inputs and figures are reproducible.
    pub fn corrupt_seeded(&self, x: ArrayView2<f32>, seed: u64) -> Result<Array2<f32>> {
        self.check()?;
        Ok(self.corrupt(x, &mut crate::rng::seeded(seed, NOISE_STREAM)))
    }
}

/// Stream of [`Noise::corrupt_seeded`]'s generator.
const NOISE_STREAM: u64 = 40;

#[cfg(test)]
mod tests {
    use super::*;

    const GAUSSIAN: Noise = Noise::Gaussian { std_dev: 0.3 };
    const MASK: Noise = Noise::Mask { drop_fraction: 0.25 };

    #[test]
    fn noise_is_seeded_clipped_and_validated() {
        let x = Array2::from_elem((50, 20), 0.5f32);
        let a = GAUSSIAN.corrupt_seeded(x.view(), 1).unwrap();
        assert_eq!(a, GAUSSIAN.corrupt_seeded(x.view(), 1).unwrap());
        assert_ne!(a, GAUSSIAN.corrupt_seeded(x.view(), 2).unwrap());
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(a.iter().any(|&v| v != 0.5));
        assert_eq!(Noise::Gaussian { std_dev: 0.0 }.corrupt_seeded(x.view(), 1).unwrap(), x);
        for bad in [-0.1, 1.5, f32::NAN, f32::INFINITY] {
            assert!(matches!(Noise::Gaussian { std_dev: bad }.check(), Err(Error::InvalidParam { .. })));
        }

        let m = MASK.corrupt_seeded(x.view(), 1).unwrap();
        assert_eq!(m, MASK.corrupt_seeded(x.view(), 1).unwrap());
        assert_ne!(m, MASK.corrupt_seeded(x.view(), 2).unwrap());
        let dropped = m.iter().filter(|&&v| v == 0.0).count() as f32 / m.len() as f32;
        assert!((dropped - 0.25).abs() < 0.05, "dropped {dropped}");
        assert!(m.iter().all(|&v| v == 0.0 || v == 0.5));
        assert_eq!(Noise::Mask { drop_fraction: 0.0 }.corrupt_seeded(x.view(), 1).unwrap(), x);
        for bad in [-0.1, 1.0, f32::NAN] {
            let noise = Noise::Mask { drop_fraction: bad };
            assert!(matches!(noise.corrupt_seeded(x.view(), 1), Err(Error::InvalidParam { .. })));
        }
    }

    #[test]
    fn noise_follows_logical_order_whatever_the_layout() {
        let x = Array2::from_shape_fn((7, 5), |(i, j)| (i * 5 + j) as f32 / 40.0);
        let f = x.t().as_standard_layout().into_owned().reversed_axes(); // same values, F-order
        assert_eq!(f, x);
        for noise in [GAUSSIAN, MASK] {
            assert_eq!(noise.corrupt_seeded(f.view(), 9).unwrap(), noise.corrupt_seeded(x.view(), 9).unwrap());
        }
    }
}
