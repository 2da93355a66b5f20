//! A sequential stack of layers: the one network type. Encoder, decoder and MLP are all stacks.
//!
//! Read it like a small llm.c: [`Stack::forward_train`] runs `forward_rows`, each layer's
//! output feeding the next; [`Stack::backward`] runs `backward_rows`, from the output
//! gradient down through each activation and dense layer, leaving in every layer gradients
//! shaped like its parameters; [`Stack::parameters`] is the one walk over (parameter,
//! gradient) pairs. How a batch is cut into rows for several threads, and the buffers the
//! passes write into, are in `parallel.rs`.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, CowArray};
use serde::{Deserialize, Serialize};

use super::parallel::{Dropped, ParamGrads, Shard, Workspace, SHARDS};
use super::{dropout, in_parallel, Activation, Dense, Init, Param};
use crate::error::{Error, Result};
use crate::rng::Rng;
use rand::RngCore;

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
    /// Dropout rate of the layer's *input* while training (0: none); prediction ignores it.
    #[serde(default)]
    pub dropout: f32,
}

/// Layers applied in order. Training keeps each layer's output and output gradient in
/// buffers that grow to the largest batch seen and are reused after that: once they have
/// grown, [`Stack::forward_train`] and [`Stack::backward`] allocate no arrays (only the short
/// lists of views that hand each thread its rows).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stack {
    /// The layers, input side first.
    pub layers: Vec<Layer>,
    #[serde(skip)]
    work: Workspace,
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
                Layer { dense, activation, dropout: 0.0 }
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
        std::iter::once(self.inputs())
            .chain(self.layers.iter().map(|l| l.dense.outputs()))
            .collect()
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
            return Err(Error::shape(
                context,
                format!("(n, {})", self.inputs()),
                format!("{:?}", x.shape()),
            ));
        }
        Ok(())
    }

    /// Inference: the stack's output for every row of x (n, inputs), computed in chunks, in
    /// parallel. Each row's output depends on that row alone, so the chunking changes nothing.
    pub fn predict(&self, x: ArrayView2<f32>) -> Result<Array2<f32>> {
        self.check_input("Stack::predict", &x)?;
        super::gemm::init();
        let mut out = Array2::zeros((x.nrows(), self.outputs()));
        // Equal chunks, a multiple of SHARDS of them, so that up to SHARDS cores share them
        // evenly; cut by the rows alone, so every build gives the same bits on any core count.
        let chunks = x.nrows().div_ceil(PREDICT_CHUNK).div_ceil(SHARDS) * SHARDS;
        let rows = x.nrows().div_ceil(chunks).max(1);
        let work: Vec<_> = x
            .axis_chunks_iter(Axis(0), rows)
            .zip(out.axis_chunks_iter_mut(Axis(0), rows))
            .collect();
        in_parallel(work, |(x, out)| self.predict_rows(x, out));
        Ok(out)
    }

    /// Inference on a few rows, into `out` (rows, outputs).
    fn predict_rows(&self, x: ArrayView2<f32>, out: ArrayViewMut2<f32>) {
        let Some((last, hidden)) = self.layers.split_last() else { return };
        let mut h = CowArray::from(x);
        for layer in hidden {
            let mut next = Array2::zeros((h.nrows(), layer.dense.outputs()));
            layer.dense.forward_activated_into(h.view(), next.view_mut(), layer.activation);
            h = next.into();
        }
        last.dense.forward_activated_into(h.view(), out, last.activation);
    }

    // ANCHOR: forward_train
    /// Training forward pass on one batch x (batch, inputs), with dropout off. Keeps every
    /// layer's output for [`Stack::backward`], which must be given the same x. Returns the
    /// stack's output. Deterministic, as gradient checks need.
    pub fn forward_train(&mut self, x: ArrayView2<f32>) -> ArrayView2<'_, f32> {
        self.forward_pass(x, None)
    }

    /// [`Stack::forward_train`] with each layer's dropout on: a fresh mask per layer, drawn
    /// from one number of `rng` (nothing is drawn if no layer has dropout).
    pub fn forward_train_dropout(
        &mut self,
        x: ArrayView2<f32>,
        rng: &mut Rng,
    ) -> ArrayView2<'_, f32> {
        let key = self.layers.iter().any(|l| l.dropout > 0.0).then(|| rng.next_u64());
        self.forward_pass(x, key)
    }

    fn forward_pass(
        &mut self,
        x: ArrayView2<f32>,
        dropout_key: Option<u64>,
    ) -> ArrayView2<'_, f32> {
        self.work.reserve(&mut self.layers, x.nrows());
        self.work.draw_masks(&self.layers, dropout_key);
        let layers = &self.layers;
        in_parallel(self.work.shards(x, false), |mut shard| {
            forward_rows(layers, shard.x, &mut shard.outputs, &mut shard.dropout)
        });
        self.output()
    }
    // ANCHOR_END: forward_train

    /// Sets the dropout rate of the first layer's input (`input`, e.g. pixels) and of every
    /// other layer's input (`hidden`). Rates must be in `[0, 1)`.
    pub fn set_dropout(&mut self, input: f32, hidden: f32) -> Result<()> {
        dropout::check_rate("input_dropout", input)?;
        dropout::check_rate("dropout", hidden)?;
        for (i, layer) in self.layers.iter_mut().enumerate() {
            layer.dropout = if i == 0 { input } else { hidden };
        }
        Ok(())
    }

    /// The output of the last [`Stack::forward_train`], (batch, outputs).
    pub fn output(&self) -> ArrayView2<'_, f32> {
        self.work.output()
    }

    /// The output of the last forward pass, and the buffer where the caller writes
    /// dL/d(output) before calling [`Stack::backward`].
    pub fn output_and_grad(&mut self) -> (ArrayView2<'_, f32>, ArrayViewMut2<'_, f32>) {
        self.work.output_and_grad()
    }

    // ANCHOR: backward
    /// Backward pass for the batch of the last forward pass, given that batch's input `x` and
    /// the output gradient already written through [`Stack::output_and_grad`]. Fills every
    /// layer's parameter gradients; returns dL/dx only if `want_input_grad`.
    pub fn backward(
        &mut self,
        x: ArrayView2<f32>,
        want_input_grad: bool,
    ) -> Option<ArrayView2<'_, f32>> {
        if want_input_grad {
            self.work.reserve_input_grad(x.ncols());
        }
        let layers = &self.layers;
        in_parallel(self.work.shards(x, want_input_grad), |shard| backward_rows(layers, shard));
        self.work.sum_shard_gradients(&mut self.layers);
        want_input_grad.then(|| self.work.input_grad())
    }
    // ANCHOR_END: backward

    /// Every (parameter, gradient) pair, in a fixed order: W then b, layer by layer. The one
    /// walk the optimiser and the gradient checks use (saving writes the layers with serde).
    pub fn parameters(&mut self) -> Vec<Param<'_>> {
        self.layers.iter_mut().flat_map(|layer| layer.dense.parameters()).collect()
    }
}

// ANCHOR: forward_rows
/// The forward pass over some rows: each layer's output is the next one's input (through
/// its dropout mask, when the layer has one).
fn forward_rows(
    layers: &[Layer],
    x: ArrayView2<f32>,
    outputs: &mut [ArrayViewMut2<f32>],
    dropout: &mut [Option<Dropped<'_>>],
) {
    for (i, layer) in layers.iter().enumerate() {
        let (before, after) = outputs.split_at_mut(i);
        let input = if i == 0 { x.view() } else { before[i - 1].view() };
        let input = match &mut dropout[i] {
            Some((mask, dropped)) => {
                dropout::apply(input, mask.view(), dropped.view_mut());
                dropped.view()
            }
            None => input,
        };
        layer.dense.forward_activated_into(input, after[0].view_mut(), layer.activation);
    }
}
// ANCHOR_END: forward_rows

// ANCHOR: backward_rows
/// The backward pass over one shard's rows, from the output gradient already in its last
/// `grads` buffer: through each activation, then each dense layer (and its dropout mask),
/// from the top down.
fn backward_rows(layers: &[Layer], shard: Shard<'_>) {
    let Shard { x, outputs, mut grads, mut input_grad, params, dropout } = shard;
    for (i, layer) in layers.iter().enumerate().rev() {
        let (grads_below, grads_here) = grads.split_at_mut(i);
        let grad_z = &mut grads_here[0];
        layer.activation.backward(outputs[i].view(), grad_z.view_mut());
        // The layer saw its input through the dropout mask, if it has one.
        let input = match &dropout[i] {
            Some((_, dropped)) => dropped.view(),
            None if i == 0 => x.view(),
            None => outputs[i - 1].view(),
        };
        // The layer below needs dL/d(its output); the stack's input only if the caller asked.
        let mut grad_x = if i > 0 {
            Some(grads_below[i - 1].view_mut())
        } else {
            input_grad.as_mut().map(|g| g.view_mut())
        };
        let ParamGrads { w, b } = &mut params[i];
        layer.dense.backward_into(
            input,
            grad_z.view(),
            w,
            b,
            grad_x.as_mut().map(|g| g.view_mut()),
        );
        if let (Some((mask, _)), Some(grad_x)) = (&dropout[i], grad_x) {
            dropout::backward(mask.view(), grad_x);
        }
    }
}
// ANCHOR_END: backward_rows
