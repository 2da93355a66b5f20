//! Finite-difference gradient checks: the proof that a hand-written backward pass is right.
//!
//! For a parameter θ, the central difference `(L(θ + h) − L(θ − h)) / 2h` approximates dL/dθ
//! with error O(h²). Backpropagation must agree with it, up to the rounding of `f32`. The
//! difference of the two losses is taken in `f64`, so the subtraction of two nearly equal
//! numbers adds no rounding of its own. Every check in the crate and its tests goes through
//! [`central_difference`].

use ndarray::Array2;
use rand::Rng as _;
use rand_distr::{Distribution, Uniform};

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

/// `(loss(θ + h) − loss(θ − h)) / 2h` at `theta`, in `f64`: the numeric dL/dθ.
pub fn central_difference(
    theta: f32,
    h: f32,
    mut loss: impl FnMut(f32) -> Result<f64>,
) -> Result<f32> {
    let plus = loss(theta + h)?;
    let minus = loss(theta - h)?;
    Ok(((plus - minus) / (2.0 * f64::from(h))) as f32)
}

/// The numeric gradient of `loss` at every entry of `x`, by [`central_difference`].
pub fn numeric_gradient(
    x: &Array2<f32>,
    h: f32,
    loss: impl Fn(&Array2<f32>) -> f64,
) -> Array2<f32> {
    let mut probe = x.clone();
    Array2::from_shape_fn(x.raw_dim(), |idx| {
        let theta = x[idx];
        let grad = central_difference(theta, h, |v| {
            probe[idx] = v;
            Ok(loss(&probe))
        });
        probe[idx] = theta;
        grad.expect("the loss cannot fail")
    })
}

/// `|a − b| / max(|a|, |b|, floor)`: relative error, compared absolutely below `floor` so
/// that near-zero gradients do not divide by nothing.
pub fn relative_error(a: f32, b: f32, floor: f32) -> f32 {
    (a - b).abs() / a.abs().max(b.abs()).max(floor)
}

/// A (rows, cols) array of numbers drawn uniformly from `[lo, hi)` with a generator seeded by
/// `seed`: reproducible inputs for gradient checks.
pub fn uniform(shape: (usize, usize), lo: f32, hi: f32, seed: u64) -> Array2<f32> {
    let mut rng = rng::seeded(seed, UNIFORM_STREAM);
    let u = Uniform::new(lo, hi);
    Array2::from_shape_simple_fn(shape, || u.sample(&mut rng))
}

/// Stream of [`uniform`]'s generator.
const UNIFORM_STREAM: u64 = 99;

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
            let numeric = central_difference(original, h, |v| {
                model.parameters()[p].value[i] = v;
                Ok(f64::from(model.evaluate(data)?.loss))
            });
            model.parameters()[p].value[i] = original;
            worst = worst.max(relative_error(numeric?, grads[i], floor));
            probes += 1;
        }
    }
    Ok(GradCheck { max_relative_error: worst, probes })
}
