//! Activation functions, each with its forward and backward side by side.
//!
//! The backward pass is written in terms of the activation's *output* `y = f(z)`, which the
//! stack keeps anyway: ReLU, sigmoid, tanh and softmax all have derivatives that are cheap
//! functions of `y`, so the pre-activation `z` never needs to be stored.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};
use serde::{Deserialize, Serialize};

use super::flush_subnormal;
use crate::math::exp;

/// A non-linearity applied element-wise (or row-wise for softmax) after a dense layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// `f(z) = z`: used for logits, whose softmax is fused into the cross-entropy loss.
    Identity,
    /// `f(z) = max(0, z)`: the default hidden non-linearity; cheap and does not saturate.
    Relu,
    /// `f(z) = 1 / (1 + e^-z)`: squashes to (0, 1), matching pixel intensities at the decoder output.
    Sigmoid,
    /// `f(z) = tanh z`: a zero-centred squashing function.
    Tanh,
    /// `f(z)_i = e^z_i / Σ_j e^z_j` over each row: turns scores into class probabilities.
    Softmax,
}

impl Activation {
    /// Replaces every pre-activation `z` in `z` by `f(z)`, in place. z: (batch, width).
    pub fn forward(self, mut z: ArrayViewMut2<f32>) {
        match self {
            Activation::Identity => {}
            Activation::Relu => z.mapv_inplace(relu),
            Activation::Sigmoid => z.mapv_inplace(sigmoid),
            Activation::Tanh => z.mapv_inplace(f32::tanh),
            Activation::Softmax => z.axis_iter_mut(Axis(0)).for_each(softmax_row),
        }
    }

    // ANCHOR: backward
    /// Turns `grad` = dL/dy into dL/dz in place, given the outputs `y = f(z)`. Both (batch, width).
    pub fn backward(self, y: ArrayView2<f32>, mut grad: ArrayViewMut2<f32>) {
        match self {
            Activation::Identity => {}
            // ReLU passes the gradient where it was active, and blocks it elsewhere.
            Activation::Relu => {
                Zip::from(&mut grad).and(&y).for_each(|g, &y| *g = if y > 0.0 { *g } else { 0.0 })
            }
            // σ'(z) = σ(z)(1 − σ(z)) = y(1 − y).
            Activation::Sigmoid => Zip::from(&mut grad)
                .and(&y)
                .for_each(|g, &y| *g = flush_subnormal(*g * y * (1.0 - y))),
            // tanh'(z) = 1 − tanh²(z) = 1 − y².
            Activation::Tanh => Zip::from(&mut grad)
                .and(&y)
                .for_each(|g, &y| *g = flush_subnormal(*g * (1.0 - y * y))),
            // Softmax mixes a row: dL/dz_i = y_i (dL/dy_i − Σ_j y_j dL/dy_j).
            Activation::Softmax => Zip::from(grad.rows_mut()).and(y.rows()).for_each(|mut g, y| {
                let dot: f32 = g.iter().zip(y).map(|(g, y)| g * y).sum();
                g.zip_mut_with(&y, |g, &y| *g = flush_subnormal(y * (*g - dot)));
            }),
        }
    }
    // ANCHOR_END: backward

    /// `z ← f(z + b)` for every row of z (batch, width), b (width): a layer's bias and its
    /// activation in one sweep over memory instead of two.
    pub fn forward_with_bias(self, mut z: ArrayViewMut2<f32>, b: ArrayView1<f32>) {
        // One loop per activation, with `f` inlined into it: calling a function pointer for
        // each element would cost a call apiece and keep the loop from being vectorised.
        fn sweep(mut z: ArrayViewMut2<f32>, b: ArrayView1<f32>, f: impl Fn(f32) -> f32) {
            z.rows_mut()
                .into_iter()
                .for_each(|mut row| row.zip_mut_with(&b, |z, &b| *z = f(*z + b)));
        }
        match self {
            Activation::Identity => sweep(z, b, |z| z),
            Activation::Relu => sweep(z, b, relu),
            Activation::Sigmoid => sweep(z, b, sigmoid),
            Activation::Tanh => sweep(z, b, f32::tanh),
            Activation::Softmax => {
                z += &b;
                self.forward(z);
            }
        }
    }

    /// `f(x)` for one scalar, for plotting. Softmax is shown as the first probability of the
    /// pair of scores `(x, 0)`, which is the sigmoid: softmax generalises it to many classes.
    pub fn value(self, x: f32) -> f32 {
        match self {
            Activation::Identity => x,
            Activation::Relu => relu(x),
            Activation::Sigmoid | Activation::Softmax => sigmoid(x),
            Activation::Tanh => x.tanh(),
        }
    }

    /// `f'(x)` for one scalar, for plotting (softmax as in [`Activation::value`]).
    pub fn derivative(self, x: f32) -> f32 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::Sigmoid | Activation::Softmax => {
                let y = sigmoid(x);
                y * (1.0 - y)
            }
            Activation::Tanh => 1.0 - x.tanh().powi(2),
        }
    }

    /// The name used in configs, figures and the book.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "ReLU",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
        }
    }
}

fn relu(z: f32) -> f32 {
    z.max(0.0)
}

fn sigmoid(z: f32) -> f32 {
    // Below z ≈ −87 the result would be subnormal (under 2^−126), and a division that lands
    // there takes the CPU's slow path: on the autoencoder's saturated black pixels that cost
    // a tenth of an epoch. So such outputs are flushed to 0 (as every gradient is, see
    // `flush_subnormal`), and `e` is capped so that not even the vectorised division, which
    // computes every lane before picking, ever produces a subnormal. NaN stays NaN.
    const LIMIT: f32 = 1.0 / f32::MIN_POSITIVE;
    let e = exp(-z);
    let y = 1.0 / (1.0 + if e > LIMIT { LIMIT } else { e });
    if e > LIMIT {
        0.0
    } else {
        y
    }
}

/// Softmax of one row in place, shifted by the row's maximum so `exp` cannot overflow.
pub(crate) fn softmax_row(mut row: ndarray::ArrayViewMut1<f32>) {
    let max = row.fold(f32::NEG_INFINITY, |m, &z| m.max(z));
    let mut sum = 0.0;
    row.mapv_inplace(|z| {
        let e = (z - max).exp();
        sum += e;
        e
    });
    row.mapv_inplace(|e| e / sum);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::tests::ulps;

    #[test]
    fn sigmoid_is_accurate_and_flushes_what_would_be_subnormal() {
        for z in [-80.0f32, -20.0, -3.0, -0.5, 0.0, 0.5, 3.0, 20.0, 80.0] {
            let exact = (1.0 / (1.0 + (-f64::from(z)).exp())) as f32;
            assert!(ulps(sigmoid(z), exact) <= 2, "sigmoid({z}) = {} vs {exact}", sigmoid(z));
        }
        for z in [-87.5f32, -95.0, -1e6, f32::MIN] {
            assert_eq!(sigmoid(z), 0.0, "sigmoid({z})");
        }
        assert_eq!(sigmoid(f32::MAX), 1.0);
        assert!(sigmoid(f32::NAN).is_nan(), "a diverged network must show as NaN");
    }
}
