//! The variational autoencoder's pieces: the reparameterisation, the KL term and its gradient.
//!
//! The encoder outputs 2·latent numbers per image: μ (the first `latent`) and ln σ² (the
//! rest). A code is sampled as `z = μ + σ ⊙ ε`, `ε ~ N(0, I)`, so z is a differentiable
//! function of μ and σ for a fixed ε (the "reparameterisation trick").
//!
//! The KL divergence of N(μ, σ²) from the prior N(0, I), **summed over the latent units of an
//! image and averaged over the B images of the batch**:
//!
//! `KL = (1/B) Σ_i ½ Σ_j (μ_ij² + σ_ij² − ln σ_ij² − 1)`,
//!
//! with gradients `dKL/dμ = μ / B` and `dKL/d(ln σ²) = ½ (σ² − 1) / B`.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Zip};
use rand::Rng as _;
use rand_distr::StandardNormal;

use crate::rng::Rng;

/// The μ and ln σ² halves of an encoder output (B, 2·latent).
pub fn split(out: ArrayView2<f32>) -> (ArrayView2<f32>, ArrayView2<f32>) {
    let latent = out.ncols() / 2;
    (out.slice_move(s![.., ..latent]), out.slice_move(s![.., latent..]))
}

/// `z = μ + exp(½ ln σ²) ⊙ ε`, all (B, latent).
pub fn reparameterise(mu: ArrayView2<f32>, log_var: ArrayView2<f32>, eps: ArrayView2<f32>) -> Array2<f32> {
    let mut z = mu.to_owned();
    Zip::from(&mut z).and(&log_var).and(&eps).for_each(|z, &lv, &e| *z += (0.5 * lv).exp() * e);
    z
}

/// ε ~ N(0, I) of shape (rows, latent), drawn from `rng`.
pub fn standard_normal(rows: usize, latent: usize, rng: &mut Rng) -> Array2<f32> {
    Array2::from_shape_simple_fn((rows, latent), || rng.sample(StandardNormal))
}

/// KL(N(μ, σ²) ‖ N(0, I)), summed over latent units, averaged over the rows (see the module doc).
pub fn kl_divergence(mu: ArrayView2<f32>, log_var: ArrayView2<f32>) -> f32 {
    let b = mu.nrows().max(1) as f64;
    let mut sum = 0.0f64;
    Zip::from(&mu).and(&log_var).for_each(|&m, &lv| {
        let (m, lv) = (f64::from(m), f64::from(lv));
        sum += 0.5 * (m * m + lv.exp() - lv - 1.0);
    });
    (sum / b) as f32
}

/// Adds `scale ·` dKL/dμ and `scale ·` dKL/d(ln σ²) to `grad_mu` and `grad_log_var`.
pub fn add_kl_gradient(
    mu: ArrayView2<f32>,
    log_var: ArrayView2<f32>,
    scale: f32,
    mut grad_mu: ArrayViewMut2<f32>,
    mut grad_log_var: ArrayViewMut2<f32>,
) {
    let k = scale / mu.nrows().max(1) as f32;
    Zip::from(&mut grad_mu).and(&mu).for_each(|g, &m| *g += k * m);
    Zip::from(&mut grad_log_var).and(&log_var).for_each(|g, &lv| *g += k * 0.5 * (lv.exp() - 1.0));
}

/// Adds the reconstruction's gradient, which reaches μ and ln σ² through z, to the encoder's
/// output gradients: `dz/dμ = 1`, `dz/d(ln σ²) = ½ σ ε`.
pub fn add_sample_gradient(
    grad_z: ArrayView2<f32>,
    log_var: ArrayView2<f32>,
    eps: ArrayView2<f32>,
    mut grad_mu: ArrayViewMut2<f32>,
    mut grad_log_var: ArrayViewMut2<f32>,
) {
    grad_mu += &grad_z;
    Zip::from(&mut grad_log_var).and(&grad_z).and(&log_var).and(&eps).for_each(|g, &gz, &lv, &e| {
        *g += gz * 0.5 * (0.5 * lv).exp() * e;
    });
}
