//! The losses and penalties of the core, as candle expressions. Each is written as its
//! formula only: candle differentiates it, which is what the hand-rolled gradients are
//! checked against.

use candle_core::{Result, Tensor};

use crate::nn::loss::BCE_EPS;

// ANCHOR: mse
/// Mean squared error over every element, as [`crate::nn::loss::mse`].
pub fn mse(pred: &Tensor, target: &Tensor) -> Result<Tensor> {
    (pred - target)?.sqr()?.mean_all()
}
// ANCHOR_END: mse

/// Binary cross-entropy on probabilities clipped to `[BCE_EPS, 1 − BCE_EPS]`, averaged over
/// every element, as [`crate::nn::loss::bce`]. The clip passes no gradient, as in the core.
pub fn bce(prob: &Tensor, target: &Tensor) -> Result<Tensor> {
    let p = prob.clamp(BCE_EPS, 1.0 - BCE_EPS)?;
    let ones = p.ones_like()?;
    let terms = ((target * p.log()?)? + ((&ones - target)? * (&ones - &p)?.log()?)?)?;
    terms.mean_all()?.neg()
}

/// Softmax and cross-entropy on logits, averaged over the batch, as
/// [`crate::nn::loss::softmax_cross_entropy`]. `labels`: a `u32` vector.
pub fn softmax_cross_entropy(logits: &Tensor, labels: &Tensor) -> Result<Tensor> {
    candle_nn::loss::cross_entropy(logits, labels)
}

/// The L1 sparsity penalty `weight · Σ|h| / B` of codes (B, latent).
pub fn l1_penalty(codes: &Tensor, weight: f64) -> Result<Tensor> {
    let b = codes.dim(0)? as f64;
    codes.abs()?.sum_all()? * (weight / b)
}

/// The KL sparsity penalty `weight · Σ_j KL(ρ ‖ ρ̂_j)`, with ρ̂_j the mean of unit j over the
/// batch, clipped to `[1e-6, 1 − 1e-6]` as the core does.
pub fn kl_sparsity(codes: &Tensor, rho: f64, weight: f64) -> Result<Tensor> {
    let rho_hat = codes.mean(0)?.clamp(1e-6, 1.0 - 1e-6)?;
    let ones = rho_hat.ones_like()?;
    let first = (rho_hat.recip()? * rho)?.log()? * rho;
    let second = ((&ones - &rho_hat)?.recip()? * (1.0 - rho))?.log()? * (1.0 - rho);
    (first? + second?)?.sum_all()? * weight
}

/// KL(N(μ, σ²) ‖ N(0, I)) summed over the latent units and averaged over the rows, as
/// [`crate::models::autoencoder::variational::kl_divergence`].
pub fn kl_divergence(mu: &Tensor, log_var: &Tensor) -> Result<Tensor> {
    let b = mu.dim(0)? as f64;
    let terms = (((mu.sqr()? + log_var.exp()?)? - log_var)? - 1.0)?;
    terms.sum_all()? * (0.5 / b)
}

/// The reparameterised sample `z = μ + exp(½ ln σ²) ⊙ ε`, with ε given (so both sides see
/// the same draw).
pub fn reparameterise(mu: &Tensor, log_var: &Tensor, eps: &Tensor) -> Result<Tensor> {
    mu + (log_var * 0.5)?.exp()?.mul(eps)?
}
