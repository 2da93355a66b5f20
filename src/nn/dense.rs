//! The dense (fully connected) layer: `y = x·W + b`, and its backward pass.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
use serde::{Deserialize, Serialize};

use super::{Activation, Init, Param};
use crate::rng::Rng;

/// A fully connected layer with its parameters and their gradients.
///
/// Shapes: `w` is (inputs, outputs), so a batch x (batch, inputs) maps to x·W (batch, outputs);
/// `b` (outputs) is added to every row. The gradients have exactly the parameters' shapes,
/// which lets one walk over (parameter, gradient) pairs serve the optimiser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dense {
    /// Weights, (inputs, outputs).
    pub w: Array2<f32>,
    /// Biases, (outputs).
    pub b: Array1<f32>,
    /// dL/dW from the last backward pass, (inputs, outputs).
    #[serde(skip)]
    pub grad_w: Array2<f32>,
    /// dL/db from the last backward pass, (outputs).
    #[serde(skip)]
    pub grad_b: Array1<f32>,
}

impl Dense {
    /// A layer of `inputs → outputs` with weights drawn by `init` and zero biases.
    pub fn new(inputs: usize, outputs: usize, init: Init, rng: &mut Rng) -> Self {
        Self::from_parameters(init.weights(inputs, outputs, rng), Array1::zeros(outputs))
    }

    /// A layer with the given parameters (gradients start at zero).
    pub fn from_parameters(w: Array2<f32>, b: Array1<f32>) -> Self {
        // Contiguous row-major storage lets the optimiser treat each tensor as one slice.
        let (w, b) = (w.as_standard_layout().into_owned(), b.as_standard_layout().into_owned());
        let (grad_w, grad_b) = (Array2::zeros(w.raw_dim()), Array1::zeros(b.raw_dim()));
        Dense { w, b, grad_w, grad_b }
    }

    /// Number of inputs (rows of `w`).
    pub fn inputs(&self) -> usize {
        self.w.nrows()
    }

    /// Number of outputs (columns of `w`).
    pub fn outputs(&self) -> usize {
        self.w.ncols()
    }

    // ANCHOR: forward
    /// Forward pass into a buffer: `out = x·W + b`. x: (batch, inputs), out: (batch, outputs).
    ///
    /// The caller keeps `x`: the backward pass needs it for dL/dW (the "cached input").
    pub fn forward_into(&self, x: ArrayView2<f32>, mut out: ArrayViewMut2<f32>) {
        general_mat_mul(1.0, &x, &self.w, 0.0, &mut out);
        out += &self.b;
    }
    // ANCHOR_END: forward

    // ANCHOR: forward_activated
    /// Forward pass followed by an activation, with the bias and the activation applied in
    /// one sweep over the output (one pass over memory instead of two).
    pub fn forward_activated_into(
        &self,
        x: ArrayView2<f32>,
        mut out: ArrayViewMut2<f32>,
        activation: Activation,
    ) {
        general_mat_mul(1.0, &x, &self.w, 0.0, &mut out);
        activation.forward_with_bias(out, self.b.view());
    }
    // ANCHOR_END: forward_activated

    // ANCHOR: backward
    /// Backward pass. Given the cached input x (batch, inputs) and `grad_z` = dL/d(x·W + b)
    /// (batch, outputs), fills `grad_w = xᵀ·grad_z` and `grad_b = Σ_rows grad_z`, and, when
    /// asked, writes dL/dx = grad_z·Wᵀ (batch, inputs) into `grad_x`.
    ///
    /// The first layer of a network needs no dL/dx (nothing learns below it); skipping that
    /// product saves about 15 % of the multiply-adds of an autoencoder's training step
    /// (784 × 128 of its 3 × 221,184 weight products).
    pub fn backward(
        &mut self,
        x: ArrayView2<f32>,
        grad_z: ArrayView2<f32>,
        grad_x: Option<ArrayViewMut2<f32>>,
    ) {
        // Moved out and back (no copy), so `backward_into` can read the weights meanwhile.
        let (mut grad_w, mut grad_b) =
            (std::mem::take(&mut self.grad_w), std::mem::take(&mut self.grad_b));
        self.backward_into(x, grad_z, &mut grad_w, &mut grad_b, grad_x);
        (self.grad_w, self.grad_b) = (grad_w, grad_b);
    }
    // ANCHOR_END: backward

    // ANCHOR: backward_into
    /// [`Dense::backward`] with dL/dW and dL/db written to the given buffers (shaped like `w`
    /// and `b`) instead of the layer's own. The layer is only read, so threads working on
    /// different rows of a batch can share it, each with its own gradient buffers.
    pub fn backward_into(
        &self,
        x: ArrayView2<f32>,
        grad_z: ArrayView2<f32>,
        grad_w: &mut Array2<f32>,
        grad_b: &mut Array1<f32>,
        grad_x: Option<ArrayViewMut2<f32>>,
    ) {
        general_mat_mul(1.0, &x.t(), &grad_z, 0.0, grad_w);
        grad_b.fill(0.0);
        for row in grad_z.axis_iter(Axis(0)) {
            *grad_b += &row;
        }
        if let Some(mut grad_x) = grad_x {
            general_mat_mul(1.0, &grad_z, &self.w.t(), 0.0, &mut grad_x);
        }
    }
    // ANCHOR_END: backward_into

    /// (W, dL/dW) then (b, dL/db): the layer's part of a network's parameter walk.
    pub fn parameters(&mut self) -> [Param<'_>; 2] {
        self.ensure_grads();
        [
            Param {
                value: self.w.as_slice_mut().expect("weights are contiguous"),
                grad: self.grad_w.as_slice().expect("gradients are contiguous"),
                decay: true,
            },
            Param {
                value: self.b.as_slice_mut().expect("biases are contiguous"),
                grad: self.grad_b.as_slice().expect("gradients are contiguous"),
                decay: false,
            },
        ]
    }

    /// Makes sure the gradient buffers exist (they are not saved with the weights).
    pub(crate) fn ensure_grads(&mut self) {
        if self.grad_w.raw_dim() != self.w.raw_dim() {
            self.grad_w = Array2::zeros(self.w.raw_dim());
        }
        if self.grad_b.raw_dim() != self.b.raw_dim() {
            self.grad_b = Array1::zeros(self.b.raw_dim());
        }
    }
}
