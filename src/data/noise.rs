//! Input corruption: Gaussian noise or masking, for the denoising autoencoder and for noisy
//! test images.
//!
//! A denoising autoencoder sees a corrupted image and is scored against the clean one, so it
//! cannot get away with copying its input: it has to know what digits look like.

use ndarray::{Array2, ArrayView2};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::rng::{self, Rng};

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
            Noise::Gaussian { std_dev }
                if !(std_dev.is_finite() && (0.0..=1.0).contains(&std_dev)) =>
            {
                Err(Error::param(
                    "std_dev",
                    std_dev,
                    "the Gaussian noise level must be in [0, 1] grey levels (try 0.3)",
                ))
            }
            Noise::Mask { drop_fraction } if !(0.0..1.0).contains(&drop_fraction) => {
                Err(Error::param(
                    "drop_fraction",
                    drop_fraction,
                    "the fraction of pixels blanked must be in [0, 1) (try 0.3)",
                ))
            }
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
    ///
    /// `rng` gives one number, the key of the step's blocks of rows: each block is corrupted
    /// from its own generator, in parallel (see [`rng::fill_by_row_blocks`]), so the result
    /// depends on x and `rng` alone, never on the number of threads.
    pub fn corrupt(&self, x: ArrayView2<f32>, rng: &mut Rng) -> Array2<f32> {
        let mut out = x.as_standard_layout().into_owned();
        let key = rng.next_u64();
        match *self {
            Noise::Gaussian { std_dev } => rng::fill_by_row_blocks(&mut out, key, |values, rng| {
                let mut e = [0.0f32; CHUNK];
                for chunk in values.chunks_mut(CHUNK) {
                    let e = &mut e[..chunk.len()];
                    rng::fill_standard_normal(e, rng);
                    for (v, &e) in chunk.iter_mut().zip(e.iter()) {
                        *v = (*v + std_dev * e).clamp(0.0, 1.0);
                    }
                }
            }),
            Noise::Mask { drop_fraction } => {
                rng::fill_by_row_blocks(&mut out, key, |values, rng| {
                    // Two uniforms in [0, 1) from each 64-bit draw, 24 bits each (as `rand`'s f32).
                    const TWO_TO_MINUS_24: f32 = 1.0 / 16_777_216.0;
                    let uniform = |bits: u32| (bits >> 8) as f32 * TWO_TO_MINUS_24;
                    for pair in values.chunks_mut(2) {
                        let bits = rng.next_u64();
                        for (v, half) in pair.iter_mut().zip([bits as u32, (bits >> 32) as u32]) {
                            if uniform(half) < drop_fraction {
                                *v = 0.0;
                            }
                        }
                    }
                })
            }
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

/// Pixels per round of Gaussian noise: the normals are drawn into a buffer this long, then
/// added in a loop of their own.
const CHUNK: usize = 256;

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
            assert!(matches!(
                Noise::Gaussian { std_dev: bad }.check(),
                Err(Error::InvalidParam { .. })
            ));
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
    fn noise_is_the_same_on_one_and_on_three_threads() {
        // 101 rows: blocks of 32 rows and a short last one, shared out over 1 or 3 threads.
        let x = Array2::from_shape_fn((101, 30), |(i, j)| ((i * 30 + j) % 17) as f32 / 16.0);
        for noise in [GAUSSIAN, MASK] {
            let on = |threads: usize| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| noise.corrupt(x.view(), &mut crate::rng::seeded(5, 5)))
            };
            assert_eq!(on(3), on(1), "{noise:?}");
        }
    }

    #[test]
    fn noise_follows_logical_order_whatever_the_layout() {
        let x = Array2::from_shape_fn((7, 5), |(i, j)| (i * 5 + j) as f32 / 40.0);
        let f = x.t().as_standard_layout().into_owned().reversed_axes(); // same values, F-order
        assert_eq!(f, x);
        for noise in [GAUSSIAN, MASK] {
            assert_eq!(
                noise.corrupt_seeded(f.view(), 9).unwrap(),
                noise.corrupt_seeded(x.view(), 9).unwrap()
            );
        }
    }
}
