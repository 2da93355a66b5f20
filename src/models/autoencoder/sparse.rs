//! The sparse autoencoder: the vanilla code, and an activity penalty on it, with its value
//! and its gradient.
//!
//! Both penalties are added to the reconstruction loss (a mean over every pixel of the batch):
//!
//! - **L1**: `λ · (1/B) Σ_i Σ_j |h_ij|`, summed over the code units of each image and averaged
//!   over the B images of the batch (Keras' `activity_regularizer=l1(λ)`). Gradient
//!   `λ · sign(h_ij) / B`.
//! - **KL to ρ** (Ng, 2011): with `ρ̂_j = (1/B) Σ_i h_ij` the mean activation of unit j over the
//!   batch (units must lie in (0, 1): a sigmoid code), `w · Σ_j KL(ρ ‖ ρ̂_j)` where
//!   `KL(ρ ‖ ρ̂) = ρ ln(ρ/ρ̂) + (1 − ρ) ln((1 − ρ)/(1 − ρ̂))`. Gradient
//!   `w · (−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)) / B` for every image i.

use ndarray::{Array1, ArrayView2, ArrayViewMut2, Axis, Zip};
use serde::{Deserialize, Serialize};

use super::kind::Variant;
use super::{AutoencoderParams, Draws};
use crate::error::{Error, Result};
use crate::nn::Activation;

/// ρ̂ is kept this far from 0 and 1, so the logarithms stay finite.
const RHO_HAT_EPS: f64 = 1e-6;

/// The activity penalty of a sparse autoencoder.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum SparsityPenalty {
    /// `weight · (1/B) Σ_i Σ_j |h_ij|`: pushes every code value towards 0.
    L1 {
        /// λ, at least 0.
        weight: f32,
    },
    /// `weight · Σ_j KL(rho ‖ ρ̂_j)`: pushes each unit's mean activation towards `rho`.
    Kl {
        /// Target mean activation ρ, in (0, 1) (e.g. 0.05).
        rho: f32,
        /// Weight of the penalty, at least 0.
        weight: f32,
    },
}

impl SparsityPenalty {
    /// Checks the settings: weights finite and ≥ 0, ρ in (0, 1).
    pub fn check(&self) -> Result<()> {
        let weight = match *self {
            SparsityPenalty::L1 { weight } => weight,
            SparsityPenalty::Kl { rho, weight } => {
                if !(rho > 0.0 && rho < 1.0) {
                    return Err(Error::param(
                        "rho",
                        rho,
                        "the target activation must be in (0, 1) (try 0.05)",
                    ));
                }
                weight
            }
        };
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::param(
                "weight",
                weight,
                "the penalty's weight must be finite and >= 0 (0 turns it off)",
            ));
        }
        Ok(())
    }

    /// A short description for tables, e.g. `L1 λ = 0.0001`.
    pub fn describe(&self) -> String {
        match *self {
            SparsityPenalty::L1 { weight } => format!("L1, λ = {weight}"),
            SparsityPenalty::Kl { rho, weight } => format!("KL to ρ = {rho}, weight {weight}"),
        }
    }

    /// The penalty of a batch of codes (B, latent).
    pub fn value(&self, codes: ArrayView2<f32>) -> f32 {
        let b = codes.nrows().max(1) as f64;
        match *self {
            SparsityPenalty::L1 { weight } => {
                (f64::from(weight) * codes.iter().map(|&h| f64::from(h.abs())).sum::<f64>() / b)
                    as f32
            }
            SparsityPenalty::Kl { rho, weight } => {
                let rho = f64::from(rho);
                let kl: f64 = mean_activation(codes)
                    .iter()
                    .map(|&r| rho * (rho / r).ln() + (1.0 - rho) * ((1.0 - rho) / (1.0 - r)).ln())
                    .sum();
                (f64::from(weight) * kl) as f32
            }
        }
    }

    // ANCHOR: sparse_gradient
    /// Adds d(penalty)/d(codes) to `grad` (B, latent).
    pub fn add_gradient(&self, codes: ArrayView2<f32>, mut grad: ArrayViewMut2<f32>) {
        let b = codes.nrows().max(1) as f32;
        match *self {
            SparsityPenalty::L1 { weight } => Zip::from(&mut grad).and(&codes).for_each(|g, &h| {
                if h != 0.0 {
                    *g += weight * h.signum() / b;
                }
            }),
            SparsityPenalty::Kl { rho, weight } => {
                let rho = f64::from(rho);
                let per_unit: Array1<f32> = mean_activation(codes).mapv(|r| {
                    (f64::from(weight) * (-rho / r + (1.0 - rho) / (1.0 - r)) / f64::from(b)) as f32
                });
                for mut row in grad.rows_mut() {
                    row += &per_unit;
                }
            }
        }
    }
    // ANCHOR_END: sparse_gradient
}

impl Variant for SparsityPenalty {
    fn name(&self) -> &'static str {
        "sparse"
    }

    fn describe(&self) -> String {
        format!("sparse ({})", SparsityPenalty::describe(self))
    }

    fn check(&self) -> Result<()> {
        SparsityPenalty::check(self)
    }

    fn check_params(&self, params: &AutoencoderParams) -> Result<()> {
        if matches!(self, SparsityPenalty::Kl { .. })
            && params.code_activation != Activation::Sigmoid
        {
            return Err(Error::param(
                "code_activation",
                params.code_activation.name(),
                "the KL sparsity penalty needs code values in (0, 1): use Activation::Sigmoid \
                 (AutoencoderParams::of_kind sets it)",
            ));
        }
        Ok(())
    }

    /// A sigmoid code for the KL penalty, which needs activations in (0, 1).
    fn book_settings(&self, params: &mut AutoencoderParams) {
        if matches!(self, SparsityPenalty::Kl { .. }) {
            params.code_activation = Activation::Sigmoid;
        }
    }

    fn penalty(&self, out: ArrayView2<f32>, _inputs: usize) -> f32 {
        self.value(out)
    }

    /// The code's gradient, plus the penalty's.
    fn backward(
        &self,
        out: ArrayView2<f32>,
        grad_code: ArrayView2<f32>,
        _draws: &Draws,
        _inputs: usize,
        mut grad_out: ArrayViewMut2<f32>,
    ) {
        grad_out.assign(&grad_code);
        self.add_gradient(out, grad_out);
    }
}

/// ρ̂: each unit's mean activation over the rows, clipped into (0, 1).
fn mean_activation(codes: ArrayView2<f32>) -> Array1<f64> {
    let b = codes.nrows().max(1) as f64;
    codes.map_axis(Axis(0), |col| {
        (col.iter().map(|&h| f64::from(h)).sum::<f64>() / b).clamp(RHO_HAT_EPS, 1.0 - RHO_HAT_EPS)
    })
}
