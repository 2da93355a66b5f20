//! A sequential stack of layers: the one network type. Encoder, decoder and MLP are all stacks.
//!
//! Training uses every core by cutting each batch into *shards* of rows, one per thread of
//! rayon's pool (one per core by default; `RAYON_NUM_THREADS` sets another number). Each
//! shard runs the plain forward and backward passes (`forward_rows`, `backward_rows`) on
//! its rows, with the layers shared read-only, and the shards' weight gradients are then
//! added up. Rows never interact in a dense network, so this is the same computation as one
//! pass over the whole batch, except that each dL/dW is summed in parts: results differ from
//! a one-thread run by rounding only, and a given thread count always gives the same bits.
//! With one thread there is one shard, and the passes run exactly as written.

use ndarray::{s, Array1, Array2, ArrayView2, ArrayViewMut2, Axis, CowArray};
use serde::{Deserialize, Serialize};

use super::{in_parallel, Activation, Dense, Init, Param};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Rows per chunk when predicting: big enough to keep the GEMM efficient, small enough that
/// intermediate activations of 60,000 images never sit in memory at once.
const PREDICT_CHUNK: usize = 4096;

/// Fewest rows worth giving a thread of its own: below this, handing the work over costs
/// more than the other core saves.
const MIN_SHARD_ROWS: usize = 16;

/// Elements per block when adding up the shards' weight gradients.
const REDUCE_BLOCK: usize = 16 * 1024;

/// A dense layer followed by its activation. Bias and activation are applied in one pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// The affine map `x·W + b`.
    pub dense: Dense,
    /// The non-linearity applied to its output.
    pub activation: Activation,
}

/// Layers applied in order. Training keeps each layer's output in reusable buffers, so a
/// training step allocates no arrays.
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
    /// Rows of each shard of the current batch, in order (they add up to `batch`).
    shard_rows: Vec<usize>,
    /// Output of each layer, (capacity, width).
    outputs: Vec<Array2<f32>>,
    /// dL/d(output) of each layer, turned into dL/dz in place during backward.
    grads: Vec<Array2<f32>>,
    /// dL/d(stack input), allocated only when a caller asks for it.
    input_grad: Array2<f32>,
    /// Each shard's own dL/dW and dL/db, layer by layer; summed into the layers after backward.
    shard_grads: Vec<Vec<ParamGrads>>,
}

/// dL/dW and dL/db of one dense layer.
#[derive(Debug, Clone, Default)]
struct ParamGrads {
    w: Array2<f32>,
    b: Array1<f32>,
}

/// One shard's rows of the batch and of every buffer, and its own parameter gradients.
struct Shard<'a> {
    x: ArrayView2<'a, f32>,
    outputs: Vec<ArrayViewMut2<'a, f32>>,
    grads: Vec<ArrayViewMut2<'a, f32>>,
    input_grad: Option<ArrayViewMut2<'a, f32>>,
    params: &'a mut [ParamGrads],
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

    /// Inference: the stack's output for every row of x (n, inputs), computed in chunks, in
    /// parallel. Each row's output depends on that row alone, so the chunking changes nothing.
    pub fn predict(&self, x: ArrayView2<f32>) -> Result<Array2<f32>> {
        self.check_input("Stack::predict", &x)?;
        super::gemm::init();
        let mut out = Array2::zeros((x.nrows(), self.outputs()));
        // A multiple of the thread count of equal chunks, so that no core waits for another.
        let threads = rayon::current_num_threads();
        let chunks = x.nrows().div_ceil(PREDICT_CHUNK).div_ceil(threads) * threads;
        let rows = x.nrows().div_ceil(chunks).max(1);
        let work: Vec<_> = x.axis_chunks_iter(Axis(0), rows).zip(out.axis_chunks_iter_mut(Axis(0), rows)).collect();
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
    /// Training forward pass on one batch x (batch, inputs). Keeps every layer's output for
    /// [`Stack::backward`], which must be given the same x. Returns the stack's output.
    pub fn forward_train(&mut self, x: ArrayView2<f32>) -> ArrayView2<'_, f32> {
        self.reserve(x.nrows());
        let layers = &self.layers;
        in_parallel(self.work.shards(x, false), |mut shard| forward_rows(layers, shard.x, &mut shard.outputs));
        self.output()
    }
    // ANCHOR_END: forward_train

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
        if want_input_grad && (self.work.input_grad.nrows() < n || self.work.input_grad.ncols() != x.ncols()) {
            self.work.input_grad = Array2::zeros((self.work.outputs[0].nrows(), x.ncols()));
        }
        let layers = &self.layers;
        in_parallel(self.work.shards(x, want_input_grad), |shard| backward_rows(layers, shard));
        self.sum_shard_gradients();
        want_input_grad.then(|| self.work.input_grad.slice(s![..n, ..]))
    }

    /// Makes each layer's gradients the sum of its shards' gradients. The first shard's are
    /// swapped in (not copied) and the others added on, always in shard order, so the result
    /// never depends on which thread finished first. The additions are spread over the cores
    /// too, in blocks of rows of the weight matrices.
    fn sum_shard_gradients(&mut self) {
        let shards = self.work.shard_rows.len();
        let Some((first, rest)) = self.work.shard_grads[..shards].split_first_mut() else { return };
        for (layer, grads) in self.layers.iter_mut().zip(first.iter_mut()) {
            std::mem::swap(&mut layer.dense.grad_w, &mut grads.w);
            std::mem::swap(&mut layer.dense.grad_b, &mut grads.b);
        }
        if rest.is_empty() {
            return;
        }
        let rest = &*rest;
        let mut blocks = Vec::new();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            for shard in rest {
                layer.dense.grad_b += &shard[i].b;
            }
            let rows = (REDUCE_BLOCK / layer.dense.outputs().max(1)).max(1);
            let grad_w = layer.dense.grad_w.axis_chunks_iter_mut(Axis(0), rows);
            blocks.extend(grad_w.enumerate().map(|(k, block)| (i, k * rows, block)));
        }
        in_parallel(blocks, |(i, start, mut block)| {
            for shard in rest {
                block += &shard[i].w.slice(s![start..start + block.nrows(), ..]);
            }
        });
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

    /// Sizes the buffers for a batch of `n` rows, growing them only when needed, and cuts the
    /// batch into one shard per thread (fewer if the shards would be too small to pay).
    fn reserve(&mut self, n: usize) {
        super::gemm::init();
        let shards = (n / MIN_SHARD_ROWS).clamp(1, rayon::current_num_threads().max(1));
        self.work.batch = n;
        self.work.shard_rows = (0..shards).map(|k| n * (k + 1) / shards - n * k / shards).collect();
        let capacity = self.work.outputs.first().map_or(0, |o| o.nrows());
        if capacity < n || self.work.outputs.len() != self.layers.len() {
            for layer in &mut self.layers {
                layer.dense.ensure_grads();
            }
            let widths: Vec<usize> = self.layers.iter().map(|l| l.dense.outputs()).collect();
            self.work.outputs = widths.iter().map(|&w| Array2::zeros((n, w))).collect();
            self.work.grads = widths.iter().map(|&w| Array2::zeros((n, w))).collect();
        }
        while self.work.shard_grads.len() < shards {
            let grads = self
                .layers
                .iter()
                .map(|l| ParamGrads { w: Array2::zeros(l.dense.w.raw_dim()), b: Array1::zeros(l.dense.b.raw_dim()) });
            self.work.shard_grads.push(grads.collect());
        }
    }
}

impl Workspace {
    /// Cuts x and the first `batch` rows of every buffer into the shards of `shard_rows`.
    fn shards<'a, 'x: 'a>(&'a mut self, x: ArrayView2<'x, f32>, want_input_grad: bool) -> Vec<Shard<'a>> {
        let x = x.reborrow();
        let lens = &self.shard_rows;
        let mut outputs = by_shard(&mut self.outputs, lens).into_iter();
        let mut grads = by_shard(&mut self.grads, lens).into_iter();
        let mut input_grads = want_input_grad.then(|| split_rows(&mut self.input_grad, lens).into_iter());
        let mut start = 0;
        lens.iter()
            .zip(self.shard_grads.iter_mut())
            .map(|(&len, params)| {
                start += len;
                Shard {
                    x: x.slice_move(s![start - len..start, ..]),
                    outputs: outputs.next().unwrap_or_default(),
                    grads: grads.next().unwrap_or_default(),
                    input_grad: input_grads.as_mut().and_then(Iterator::next),
                    params,
                }
            })
            .collect()
    }
}

// ANCHOR: forward_rows
/// The forward pass over some rows: each layer's output is the next one's input.
fn forward_rows(layers: &[Layer], x: ArrayView2<f32>, outputs: &mut [ArrayViewMut2<f32>]) {
    for (i, layer) in layers.iter().enumerate() {
        let (before, after) = outputs.split_at_mut(i);
        let input = if i == 0 { x.view() } else { before[i - 1].view() };
        layer.dense.forward_activated_into(input, after[0].view_mut(), layer.activation);
    }
}
// ANCHOR_END: forward_rows

/// The backward pass over one shard's rows, from the output gradient already in its last
/// `grads` buffer: through each activation, then each dense layer, from the top down.
fn backward_rows(layers: &[Layer], shard: Shard<'_>) {
    let Shard { x, outputs, mut grads, mut input_grad, params } = shard;
    for (i, layer) in layers.iter().enumerate().rev() {
        let (grads_below, grads_here) = grads.split_at_mut(i);
        let grad_z = &mut grads_here[0];
        layer.activation.backward(outputs[i].view(), grad_z.view_mut());
        let input = if i == 0 { x.view() } else { outputs[i - 1].view() };
        // The layer below needs dL/d(its output); the stack's input only if the caller asked.
        let grad_x =
            if i > 0 { Some(grads_below[i - 1].view_mut()) } else { input_grad.as_mut().map(|g| g.view_mut()) };
        let ParamGrads { w, b } = &mut params[i];
        layer.dense.backward_into(input, grad_z.view(), w, b, grad_x);
    }
}

/// Cuts the first rows of `buf` into consecutive pieces of the given lengths.
fn split_rows<'a>(buf: &'a mut Array2<f32>, lens: &[usize]) -> Vec<ArrayViewMut2<'a, f32>> {
    let mut rest = buf.view_mut();
    let mut pieces = Vec::with_capacity(lens.len());
    for &len in lens {
        let (piece, tail) = rest.split_at(Axis(0), len);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

/// [`split_rows`] of every buffer, regrouped by shard: `result[shard][buffer]`.
fn by_shard<'a>(bufs: &'a mut [Array2<f32>], lens: &[usize]) -> Vec<Vec<ArrayViewMut2<'a, f32>>> {
    let mut shards: Vec<Vec<_>> = lens.iter().map(|_| Vec::with_capacity(bufs.len())).collect();
    for buf in bufs {
        for (shard, piece) in shards.iter_mut().zip(split_rows(buf, lens)) {
            shard.push(piece);
        }
    }
    shards
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;
    use rand_distr::{Distribution, Uniform};

    fn random(shape: (usize, usize), seed: u64) -> Array2<f32> {
        let mut rng = seeded(seed, 0);
        let u = Uniform::new(-1.0f32, 1.0);
        Array2::from_shape_simple_fn(shape, || u.sample(&mut rng))
    }

    /// What one training pass leaves behind: output, dL/dW and dL/db per layer, dL/dx.
    type Pass = (Array2<f32>, Vec<Array2<f32>>, Vec<Array1<f32>>, Array2<f32>);

    /// A forward and backward pass on `threads` threads, from a fresh copy of `stack`.
    fn pass(threads: usize, stack: &Stack, x: &Array2<f32>, grad_out: &Array2<f32>) -> Pass {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut stack = stack.clone();
            let out = stack.forward_train(x.view()).to_owned();
            stack.output_and_grad().1.assign(grad_out);
            let grad_x = stack.backward(x.view(), true).unwrap().to_owned();
            let grad_w = stack.layers.iter().map(|l| l.dense.grad_w.clone()).collect();
            let grad_b = stack.layers.iter().map(|l| l.dense.grad_b.clone()).collect();
            (out, grad_w, grad_b, grad_x)
        })
    }

    #[test]
    fn sharding_a_batch_across_threads_changes_the_gradients_by_rounding_only() {
        let layers = [(24, Activation::Relu), (12, Activation::Tanh), (9, Activation::Sigmoid)];
        let stack = Stack::new(30, &layers, Init::Xavier, &mut seeded(1, 1));
        // 101 rows: uneven shards (50 + 51, or 33 + 34 + 34).
        let (x, grad_out) = (random((101, 30), 2), random((101, 9), 3));
        let (out, grad_w, grad_b, grad_x) = pass(1, &stack, &x, &grad_out);
        for threads in [2, 3] {
            let sharded = pass(threads, &stack, &x, &grad_out);
            // Each row's output and dL/dx depend on that row alone: the same bits.
            assert_rows_equal(&sharded.0, &out, threads);
            assert_rows_equal(&sharded.3, &grad_x, threads);
            // dL/dW and dL/db sum over rows, in parts: equal up to rounding.
            for (a, b) in sharded.1.iter().flatten().zip(grad_w.iter().flatten()) {
                assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{threads} threads: dW {a} vs {b}");
            }
            for (a, b) in sharded.2.iter().flatten().zip(grad_b.iter().flatten()) {
                assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{threads} threads: db {a} vs {b}");
            }
            // And the same thread count always gives the same bits.
            assert_eq!(pass(threads, &stack, &x, &grad_out), sharded, "{threads} threads, twice");
        }
        // Inference, in parallel chunks, gives the training pass's output exactly.
        let predicted =
            rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(|| stack.predict(x.view()));
        assert_rows_equal(&predicted.unwrap(), &out, 3);
    }

    /// Row-wise results computed in different blocks of rows: the same bits with
    /// matrixmultiply, whose sum for an element never depends on the other rows. OpenBLAS
    /// picks its kernels (and so its order of summation) by the shapes, so there the same
    /// row may differ by rounding when it is multiplied among fewer rows.
    fn assert_rows_equal(a: &Array2<f32>, b: &Array2<f32>, threads: usize) {
        if cfg!(feature = "openblas") {
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "{threads} threads: {x} vs {y}");
            }
        } else {
            assert_eq!(a, b, "{threads} threads");
        }
    }

    #[test]
    fn a_smaller_batch_after_a_larger_one_reuses_the_buffers() {
        let stack = Stack::new(5, &[(4, Activation::Relu), (3, Activation::Identity)], Init::He, &mut seeded(4, 1));
        let (x, g) = (random((64, 5), 5), random((64, 3), 6));
        let small = pass(2, &stack, &x.slice(s![..40, ..]).to_owned(), &g.slice(s![..40, ..]).to_owned());
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let after_large = pool.install(|| {
            let mut stack = stack.clone();
            stack.forward_train(x.view());
            stack.output_and_grad().1.assign(&g);
            stack.backward(x.view(), false);
            let x = x.slice(s![..40, ..]);
            let out = stack.forward_train(x).to_owned();
            stack.output_and_grad().1.assign(&g.slice(s![..40, ..]));
            let grad_x = stack.backward(x, true).unwrap().to_owned();
            let grad_w: Vec<_> = stack.layers.iter().map(|l| l.dense.grad_w.clone()).collect();
            let grad_b: Vec<_> = stack.layers.iter().map(|l| l.dense.grad_b.clone()).collect();
            (out, grad_w, grad_b, grad_x)
        });
        assert_eq!(after_large, small);
    }
}
