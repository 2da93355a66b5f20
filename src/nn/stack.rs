//! A sequential stack of layers: the one network type. Encoder, decoder and MLP are all stacks.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis};
use serde::{Deserialize, Serialize};

use super::{Activation, Dense, Init, Param};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Rows per chunk when predicting: big enough to keep the GEMM efficient, small enough that
/// intermediate activations of 60,000 images never sit in memory at once.
const PREDICT_CHUNK: usize = 4096;

/// A dense layer followed by its activation. Bias and activation are applied in one pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// The affine map `x·W + b`.
    pub dense: Dense,
    /// The non-linearity applied to its output.
    pub activation: Activation,
}

/// Layers applied in order. Training keeps each layer's output in reusable buffers, so a
/// training step allocates nothing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stack {
    /// The layers, input side first.
    pub layers: Vec<Layer>,
    #[serde(skip)]
    work: Workspace,
}

/// Per-layer buffers for training, sized for the largest batch seen.
#[derive(Debug, Clone, Default)]
struct Workspace {
    /// Rows of the current batch.
    batch: usize,
    /// Output of each layer, (capacity, width).
    outputs: Vec<Array2<f32>>,
    /// dL/d(output) of each layer, turned into dL/dz in place during backward.
    grads: Vec<Array2<f32>>,
    /// dL/d(stack input), allocated only when a caller asks for it.
    input_grad: Array2<f32>,
}

impl PartialEq for Stack {
    fn eq(&self, other: &Self) -> bool {
        self.layers == other.layers
    }
}

impl Stack {
    /// A stack taking `inputs` features through layers of the given (width, activation),
    /// with weights drawn by `init`.
    pub fn new(inputs: usize, layers: &[(usize, Activation)], init: Init, rng: &mut Rng) -> Self {
        let mut fan_in = inputs;
        let layers = layers
            .iter()
            .map(|&(width, activation)| {
                let dense = Dense::new(fan_in, width, init, rng);
                fan_in = width;
                Layer { dense, activation }
            })
            .collect();
        Stack::from_layers(layers)
    }

    /// A stack of given layers (for example, loaded from disk).
    pub fn from_layers(layers: Vec<Layer>) -> Self {
        Stack { layers, work: Workspace::default() }
    }

    /// Number of input features.
    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, |l| l.dense.inputs())
    }

    /// Number of output features.
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.dense.outputs())
    }

    /// Layer widths from input to output, e.g. `[784, 128, 64, 32]`.
    pub fn widths(&self) -> Vec<usize> {
        std::iter::once(self.inputs()).chain(self.layers.iter().map(|l| l.dense.outputs())).collect()
    }

    /// Number of trainable numbers (weights and biases).
    pub fn n_parameters(&self) -> usize {
        self.layers.iter().map(|l| l.dense.w.len() + l.dense.b.len()).sum()
    }

    /// Multiply-adds per sample in one forward pass (the GEMM work; 2 FLOPs each).
    pub fn macs_per_sample(&self) -> usize {
        self.layers.iter().map(|l| l.dense.w.len()).sum()
    }

    /// Checks that `x` has this stack's number of columns.
    pub fn check_input(&self, context: &'static str, x: &ArrayView2<f32>) -> Result<()> {
        if x.ncols() != self.inputs() {
            return Err(Error::shape(context, format!("(n, {})", self.inputs()), format!("{:?}", x.shape())));
        }
        Ok(())
    }

    /// Inference: the stack's output for every row of x (n, inputs), computed in chunks.
    pub fn predict(&self, x: ArrayView2<f32>) -> Result<Array2<f32>> {
        self.check_input("Stack::predict", &x)?;
        let mut out = Array2::zeros((x.nrows(), self.outputs()));
        for (xc, mut oc) in
            x.axis_chunks_iter(Axis(0), PREDICT_CHUNK).zip(out.axis_chunks_iter_mut(Axis(0), PREDICT_CHUNK))
        {
            let mut h = xc.to_owned();
            for layer in &self.layers {
                let mut next = Array2::zeros((h.nrows(), layer.dense.outputs()));
                layer.dense.forward_activated_into(h.view(), next.view_mut(), layer.activation);
                h = next;
            }
            oc.assign(&h);
        }
        Ok(out)
    }

    /// Training forward pass on one batch x (batch, inputs). Keeps every layer's output for
    /// [`Stack::backward`], which must be given the same x. Returns the stack's output.
    pub fn forward_train(&mut self, x: ArrayView2<f32>) -> ArrayView2<'_, f32> {
        self.reserve(x.nrows());
        let n = x.nrows();
        for i in 0..self.layers.len() {
            let (before, after) = self.work.outputs.split_at_mut(i);
            let input = if i == 0 { x.view() } else { before[i - 1].slice(s![..n, ..]) };
            let out = after[0].slice_mut(s![..n, ..]);
            let layer = &self.layers[i];
            layer.dense.forward_activated_into(input, out, layer.activation);
        }
        self.output()
    }

    /// The output of the last [`Stack::forward_train`], (batch, outputs).
    pub fn output(&self) -> ArrayView2<'_, f32> {
        let n = self.work.batch;
        match self.work.outputs.last() {
            Some(out) => out.slice(s![..n, ..]),
            None => ArrayView2::from_shape((0, 0), &[]).expect("empty view"),
        }
    }

    /// The output of the last forward pass, and the buffer where the caller writes
    /// dL/d(output) before calling [`Stack::backward`].
    pub fn output_and_grad(&mut self) -> (ArrayView2<'_, f32>, ArrayViewMut2<'_, f32>) {
        let n = self.work.batch;
        let out = self.work.outputs.last().expect("forward_train ran").slice(s![..n, ..]);
        let grad = self.work.grads.last_mut().expect("forward_train ran").slice_mut(s![..n, ..]);
        (out, grad)
    }

    /// Backward pass for the batch of the last forward pass, given that batch's input `x` and
    /// the output gradient already written through [`Stack::output_and_grad`]. Fills every
    /// layer's parameter gradients; returns dL/dx only if `want_input_grad`.
    pub fn backward(&mut self, x: ArrayView2<f32>, want_input_grad: bool) -> Option<ArrayView2<'_, f32>> {
        let n = self.work.batch;
        let work = &mut self.work;
        for i in (0..self.layers.len()).rev() {
            let layer = &mut self.layers[i];
            let (grads_below, grads_here) = work.grads.split_at_mut(i);
            let mut grad_z = grads_here[0].slice_mut(s![..n, ..]);
            layer.activation.backward(work.outputs[i].slice(s![..n, ..]), grad_z.view_mut());
            let input = if i == 0 { x.view() } else { work.outputs[i - 1].slice(s![..n, ..]) };
            let grad_x = if i > 0 {
                Some(grads_below[i - 1].slice_mut(s![..n, ..]))
            } else if want_input_grad {
                if work.input_grad.nrows() < n || work.input_grad.ncols() != x.ncols() {
                    work.input_grad = Array2::zeros((work.outputs[0].nrows(), x.ncols()));
                }
                Some(work.input_grad.slice_mut(s![..n, ..]))
            } else {
                None
            };
            layer.dense.backward(input, grad_z.view(), grad_x);
        }
        want_input_grad.then(|| self.work.input_grad.slice(s![..n, ..]))
    }

    /// Every (parameter, gradient) pair, in a fixed order: W then b, layer by layer. The one
    /// walk that serves the optimiser, saving and gradient checks.
    pub fn parameters(&mut self) -> Vec<Param<'_>> {
        let mut params = Vec::with_capacity(2 * self.layers.len());
        for layer in &mut self.layers {
            let d = &mut layer.dense;
            d.ensure_grads();
            params.push(Param {
                value: d.w.as_slice_mut().expect("weights are contiguous"),
                grad: d.grad_w.as_slice().expect("gradients are contiguous"),
            });
            params.push(Param {
                value: d.b.as_slice_mut().expect("biases are contiguous"),
                grad: d.grad_b.as_slice().expect("gradients are contiguous"),
            });
        }
        params
    }

    /// Sizes the buffers for a batch of `n` rows, growing them only when needed.
    fn reserve(&mut self, n: usize) {
        self.work.batch = n;
        let capacity = self.work.outputs.first().map_or(0, |o| o.nrows());
        if capacity >= n && self.work.outputs.len() == self.layers.len() {
            return;
        }
        for layer in &mut self.layers {
            layer.dense.ensure_grads();
        }
        let widths: Vec<usize> = self.layers.iter().map(|l| l.dense.outputs()).collect();
        self.work.outputs = widths.iter().map(|&w| Array2::zeros((n, w))).collect();
        self.work.grads = widths.iter().map(|&w| Array2::zeros((n, w))).collect();
    }
}
