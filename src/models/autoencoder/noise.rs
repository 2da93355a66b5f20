//! Input corruption for the denoising autoencoder: Gaussian noise or masking.
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
