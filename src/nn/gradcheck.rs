//! Finite-difference gradient checks: the proof that a hand-written backward pass is right.
//!
//! For a parameter θ, the central difference `(L(θ + h) − L(θ − h)) / 2h` approximates dL/dθ
//! with error O(h²). Backpropagation must agree with it, up to the rounding of `f32`.

use rand::Rng as _;

use crate::error::Result;
use crate::rng;
use crate::train::{Split, Trainable};

/// The result of a gradient check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradCheck {
    /// Largest `|numeric − analytic| / max(|numeric|, |analytic|, floor)` over the probes.
    pub max_relative_error: f32,
    /// Number of parameter entries compared.
    pub probes: usize,
}

/// Compares `model`'s backpropagated gradients on `data` with central differences of its
/// loss, at `probes_per_param` randomly chosen entries of every parameter tensor.
///
/// `h` is the step; `floor` keeps near-zero gradients from dividing by nothing. In `f32`, a
/// loss near 1 carries about 1e-7 of rounding, so the difference quotient is good to about
/// 1e-7 / h: with h = 1e-3 expect relative errors around 1e-3 and well under 1e-2.
/// The model must be deterministic on `data` (no input noise, no sampling) for this to hold.
pub fn check_gradients<M: Trainable>(
    model: &mut M,
    data: Split<'_>,
    probes_per_param: usize,
    h: f32,
    floor: f32,
    seed: u64,
) -> Result<GradCheck> {
    let mut step_rng = rng::seeded(seed, 0);
    model.train_step(data.x, data.labels, &mut step_rng)?;
    let analytic: Vec<Vec<f32>> = model.parameters().iter().map(|p| p.grad.to_vec()).collect();

    let mut pick = rng::seeded(seed, 1);
    let (mut worst, mut probes) = (0.0f32, 0);
    for (p, grads) in analytic.iter().enumerate() {
        for _ in 0..probes_per_param.min(grads.len()) {
            let i = pick.gen_range(0..grads.len());
            let original = model.parameters()[p].value[i];
            model.parameters()[p].value[i] = original + h;
            let plus = model.evaluate(data)?.loss;
            model.parameters()[p].value[i] = original - h;
            let minus = model.evaluate(data)?.loss;
            model.parameters()[p].value[i] = original;
            let numeric = (plus - minus) / (2.0 * h);
            let error = (numeric - grads[i]).abs() / numeric.abs().max(grads[i].abs()).max(floor);
            worst = worst.max(error);
            probes += 1;
        }
    }
    Ok(GradCheck { max_relative_error: worst, probes })
}
