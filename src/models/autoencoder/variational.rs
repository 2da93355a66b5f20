//! The variational autoencoder: the reparameterised sample, the KL term weighted by β, and
//! their gradients, all here.
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
//!
//! The training loss adds `β · KL / inputs` to the per-pixel reconstruction loss, so that
//! (loss × inputs) = (reconstruction summed over an image) + β · KL: the negative ELBO per
//! image when β = 1 (with binary cross-entropy as the likelihood).

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis, CowArray, Ix2, Zip};
use rand::RngCore;

use super::kind::Variant;
use super::{AutoencoderParams, Draws};
use crate::error::{Error, Result};
use crate::nn::{Activation, ReconstructionLoss};
use crate::rng::{self, Rng};

/// The variational autoencoder, with the weight β of its KL term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variational {
    /// Weight of the KL term; β = 1 is the evidence lower bound.
    pub beta: f32,
}

impl Variational {
    /// The weight of the KL term against the per-pixel reconstruction loss: β / inputs.
    fn kl_scale(&self, inputs: usize) -> f32 {
        self.beta / inputs.max(1) as f32
    }
}

impl Variant for Variational {
    fn name(&self) -> &'static str {
        "variational"
    }

    fn describe(&self) -> String {
        format!("variational (β = {})", self.beta)
    }

    fn check(&self) -> Result<()> {
        if !(self.beta.is_finite() && self.beta >= 0.0) {
            return Err(Error::param(
                "beta",
                self.beta,
                "the KL weight must be finite and >= 0 (1 is the ELBO)",
            ));
        }
        Ok(())
    }

    /// Binary cross-entropy (the likelihood of the ELBO) and an unbounded code.
    fn book_settings(&self, params: &mut AutoencoderParams) {
        params.loss = ReconstructionLoss::Bce;
        params.code_activation = Activation::Identity;
    }

    /// μ and ln σ², `latent` numbers each.
    fn encoder_outputs(&self, latent: usize) -> usize {
        2 * latent
    }

    /// The identity, whatever the settings say: μ and ln σ² are unbounded.
    fn code_activation(&self, _asked: Activation) -> Activation {
        Activation::Identity
    }

    /// ε ~ N(0, I), one row per image.
    fn draw(&self, x: ArrayView2<f32>, latent: usize, rng: &mut Rng) -> Draws {
        Draws { input: None, eps: Some(standard_normal(x.nrows(), latent, rng)) }
    }

    /// `z = μ + σ ε` with the drawn ε; μ, the mean code, when there is none.
    fn code<'a>(&self, out: ArrayView2<'a, f32>, draws: &Draws) -> Result<CowArray<'a, f32, Ix2>> {
        let (mu, log_var) = split(out);
        Ok(match &draws.eps {
            Some(eps) if eps.dim() != mu.dim() => {
                return Err(Error::shape(
                    "Autoencoder (ε)",
                    format!("{:?}", mu.shape()),
                    format!("{:?}", eps.shape()),
                ))
            }
            Some(eps) => reparameterise(mu, log_var, eps.view()).into(),
            None => mu.to_owned().into(),
        })
    }

    /// `β · KL / inputs`.
    fn penalty(&self, out: ArrayView2<f32>, inputs: usize) -> f32 {
        let (mu, log_var) = split(out);
        self.kl_scale(inputs) * kl_divergence(mu, log_var)
    }

    // ANCHOR: vae_backward
    /// The reconstruction's gradient through z (only to μ when no ε was drawn), plus the KL term's.
    fn backward(
        &self,
        out: ArrayView2<f32>,
        grad_code: ArrayView2<f32>,
        draws: &Draws,
        inputs: usize,
        mut grad_out: ArrayViewMut2<f32>,
    ) {
        let (mu, log_var) = split(out);
        grad_out.fill(0.0);
        let (mut grad_mu, mut grad_log_var) = grad_out.view_mut().split_at(Axis(1), mu.ncols());
        match &draws.eps {
            Some(eps) => add_sample_gradient(
                grad_code,
                log_var,
                eps.view(),
                grad_mu.view_mut(),
                grad_log_var.view_mut(),
            ),
            None => grad_mu += &grad_code,
        }
        add_kl_gradient(mu, log_var, self.kl_scale(inputs), grad_mu, grad_log_var);
    }
    // ANCHOR_END: vae_backward
}

/// The μ and ln σ² halves of an encoder output (B, 2·latent).
pub fn split(out: ArrayView2<f32>) -> (ArrayView2<f32>, ArrayView2<f32>) {
    let latent = out.ncols() / 2;
    (out.slice_move(s![.., ..latent]), out.slice_move(s![.., latent..]))
}

/// `z = μ + exp(½ ln σ²) ⊙ ε`, all (B, latent).
pub fn reparameterise(
    mu: ArrayView2<f32>,
    log_var: ArrayView2<f32>,
    eps: ArrayView2<f32>,
) -> Array2<f32> {
    let mut z = mu.to_owned();
    Zip::from(&mut z).and(&log_var).and(&eps).for_each(|z, &lv, &e| *z += (0.5 * lv).exp() * e);
    z
}

/// ε ~ N(0, I) of shape (rows, latent), keyed by one draw of `rng`: blocks of rows drawn in
/// parallel, each from its own stream (see [`rng::fill_by_row_blocks`]), the same on any
/// number of threads.
pub fn standard_normal(rows: usize, latent: usize, rng: &mut Rng) -> Array2<f32> {
    let mut eps = Array2::zeros((rows, latent));
    rng::fill_by_row_blocks(&mut eps, rng.next_u64(), rng::fill_standard_normal);
    eps
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

// ANCHOR: vae_gradients
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
    Zip::from(&mut grad_log_var).and(&grad_z).and(&log_var).and(&eps).for_each(
        |g, &gz, &lv, &e| {
            *g += gz * 0.5 * (0.5 * lv).exp() * e;
        },
    );
}
// ANCHOR_END: vae_gradients

#[cfg(test)]
mod tests {
    use super::super::{AutoencoderKind, AutoencoderParams, Draws};
    use crate::nn::gradcheck::uniform;

    #[test]
    fn eps_is_the_same_on_one_and_on_three_threads() {
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| super::standard_normal(101, 16, &mut crate::rng::seeded(5, 5)))
        };
        let one = on(1);
        assert_eq!(on(3), one);
        assert!(one.iter().all(|e| e.is_finite()) && one.iter().any(|&e| e != 0.0));
    }

    #[test]
    fn a_step_without_a_drawn_eps_decodes_the_mean_instead_of_failing() {
        let params =
            AutoencoderParams { inputs: 6, hidden: vec![5], latent: 2, ..Default::default() };
        let mut vae = params.kind(AutoencoderKind::Variational { beta: 1.0 }).build().unwrap();
        let x = uniform((4, 6), 0.05, 0.95, 1);
        let loss = vae.step_with(x.view(), &Draws::default()).unwrap();
        assert_eq!(loss, vae.loss_with(x.view(), &Draws::default()).unwrap());
    }
}
