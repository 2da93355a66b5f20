//! Data-parallel training of a [`Stack`](super::Stack): a batch cut into *shards* of rows.
//!
//! Each batch is cut into a fixed number of shards of rows ([`SHARDS`], fewer for a tiny
//! batch), whatever the number of threads in rayon's pool; the threads share the shards out
//! among themselves. Each shard runs the plain forward and backward passes of `stack.rs` on
//! its rows, with the layers shared read-only, and the shards' weight gradients are then
//! added up in shard order. Rows never interact in a dense network, so this is the same
//! computation as one pass over the whole batch, except that each dL/dW is summed in parts.
//! Because the parts depend on the batch alone, never on the thread count, a seed gives the
//! same bits on 1, 2 or 16 cores.
//!
//! The buffers live in a [`Workspace`] that grows to the largest batch seen and is reused
//! after that, so once it has grown no training pass allocates an array.

use ndarray::{s, Array1, Array2, ArrayView2, ArrayViewMut2, Axis};

use super::stack::Layer;
use super::{dropout, in_parallel};

/// Shards per batch. Fixed, so that results do not depend on the machine's core count; 4
/// keeps up to four cores busy, and each shard of a 256-row batch (64 rows) is still a
/// matrix tall enough for the GEMM kernels to run near full speed.
pub const SHARDS: usize = 4;

/// Fewest rows worth a shard of their own: a smaller batch is cut into fewer shards.
const MIN_SHARD_ROWS: usize = 16;

/// Elements per block when adding up the shards' weight gradients.
const REDUCE_BLOCK: usize = 16 * 1024;

/// dL/dW and dL/db of one dense layer, shaped like W and b.
#[derive(Debug, Clone, Default)]
pub(super) struct ParamGrads {
    /// dL/dW, (inputs, outputs).
    pub w: Array2<f32>,
    /// dL/db, (outputs).
    pub b: Array1<f32>,
}

/// Per-layer buffers for training, sized for the largest batch seen.
#[derive(Debug, Clone, Default)]
pub(super) struct Workspace {
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
    /// Each layer's dropout mask for the current batch, (capacity, inputs); empty for layers
    /// without dropout.
    masks: Vec<Array2<f32>>,
    /// Each layer's input after its mask, what the layer multiplies (and dL/dW needs).
    dropped: Vec<Array2<f32>>,
    /// Whether the current batch's pass runs with the masks (a training pass) or without.
    dropout_on: bool,
}

/// One shard's rows of a layer's dropout mask and of its masked input.
pub(super) type Dropped<'a> = (ArrayView2<'a, f32>, ArrayViewMut2<'a, f32>);

/// One shard's rows of the batch and of every buffer, and its own parameter gradients.
pub(super) struct Shard<'a> {
    /// The shard's rows of the stack's input.
    pub x: ArrayView2<'a, f32>,
    /// The shard's rows of each layer's output.
    pub outputs: Vec<ArrayViewMut2<'a, f32>>,
    /// The shard's rows of each layer's output gradient.
    pub grads: Vec<ArrayViewMut2<'a, f32>>,
    /// The shard's rows of dL/d(stack input), if the caller asked for it.
    pub input_grad: Option<ArrayViewMut2<'a, f32>>,
    /// The shard's own dL/dW and dL/db of every layer.
    pub params: &'a mut [ParamGrads],
    /// The shard's rows of each layer's dropout mask and masked input (`None`: no dropout).
    pub dropout: Vec<Option<Dropped<'a>>>,
}

impl Workspace {
    /// Sizes the buffers for a batch of `n` rows, growing them only when needed, and cuts the
    /// batch into [`SHARDS`] shards (fewer if they would be too small to pay), by `n` alone.
    pub fn reserve(&mut self, layers: &mut [Layer], n: usize) {
        super::gemm::init();
        let shards = (n / MIN_SHARD_ROWS).clamp(1, SHARDS);
        self.batch = n;
        self.shard_rows = (0..shards).map(|k| n * (k + 1) / shards - n * k / shards).collect();
        let capacity = self.outputs.first().map_or(0, |o| o.nrows());
        if capacity < n || self.outputs.len() != layers.len() {
            for layer in layers.iter_mut() {
                layer.dense.ensure_grads();
            }
            let widths: Vec<usize> = layers.iter().map(|l| l.dense.outputs()).collect();
            self.outputs = widths.iter().map(|&w| Array2::zeros((n, w))).collect();
            self.grads = widths.iter().map(|&w| Array2::zeros((n, w))).collect();
        }
        let capacity = self.outputs.first().map_or(0, |o| o.nrows());
        self.masks.resize_with(layers.len(), Default::default);
        self.dropped.resize_with(layers.len(), Default::default);
        for ((layer, mask), dropped) in layers.iter().zip(&mut self.masks).zip(&mut self.dropped) {
            let shape = if layer.dropout > 0.0 { (capacity, layer.dense.inputs()) } else { (0, 0) };
            if mask.dim() != shape {
                *mask = Array2::zeros(shape);
                *dropped = Array2::zeros(shape);
            }
        }
        while self.shard_grads.len() < shards {
            let grads = layers.iter().map(|l| ParamGrads {
                w: Array2::zeros(l.dense.w.raw_dim()),
                b: Array1::zeros(l.dense.b.raw_dim()),
            });
            self.shard_grads.push(grads.collect());
        }
    }

    /// Draws every dropout layer's mask for the current pass from `key`, or, without a key,
    /// turns dropout off for it. Each layer's mask comes from a key of its own.
    pub fn draw_masks(&mut self, layers: &[Layer], key: Option<u64>) {
        self.dropout_on = key.is_some();
        let Some(key) = key else { return };
        for (i, (layer, mask)) in layers.iter().zip(&mut self.masks).enumerate() {
            if layer.dropout > 0.0 {
                dropout::draw_mask(mask, layer.dropout, dropout::layer_key(key, i));
            }
        }
    }

    /// Makes room for dL/d(stack input) of `inputs` columns, for the current batch.
    pub fn reserve_input_grad(&mut self, inputs: usize) {
        if self.input_grad.nrows() < self.batch || self.input_grad.ncols() != inputs {
            let capacity = self.outputs.first().map_or(self.batch, |o| o.nrows());
            self.input_grad = Array2::zeros((capacity, inputs));
        }
    }

    /// The last layer's output for the current batch, (batch, outputs).
    pub fn output(&self) -> ArrayView2<'_, f32> {
        match self.outputs.last() {
            Some(out) => out.slice(s![..self.batch, ..]),
            None => ArrayView2::from_shape((0, 0), &[]).expect("empty view"),
        }
    }

    /// The last layer's output and its gradient buffer, for the current batch.
    pub fn output_and_grad(&mut self) -> (ArrayView2<'_, f32>, ArrayViewMut2<'_, f32>) {
        let n = self.batch;
        let out = self.outputs.last().expect("forward_train ran").slice(s![..n, ..]);
        let grad = self.grads.last_mut().expect("forward_train ran").slice_mut(s![..n, ..]);
        (out, grad)
    }

    /// dL/d(stack input) of the current batch (after [`Self::reserve_input_grad`]).
    pub fn input_grad(&self) -> ArrayView2<'_, f32> {
        self.input_grad.slice(s![..self.batch, ..])
    }

    /// Cuts x and the first `batch` rows of every buffer into the shards of `shard_rows`.
    pub fn shards<'a, 'x: 'a>(
        &'a mut self,
        x: ArrayView2<'x, f32>,
        want_input_grad: bool,
    ) -> Vec<Shard<'a>> {
        let x = x.reborrow();
        let lens = &self.shard_rows;
        let mut outputs = by_shard(&mut self.outputs, lens).into_iter();
        let mut grads = by_shard(&mut self.grads, lens).into_iter();
        let mut input_grads =
            want_input_grad.then(|| split_rows(&mut self.input_grad, lens).into_iter());
        let mut dropout: Vec<Vec<Option<Dropped<'a>>>> = lens.iter().map(|_| Vec::new()).collect();
        for (mask, dropped) in self.masks.iter().zip(self.dropped.iter_mut()) {
            let (mut mask, mut dropped) = (mask.view(), dropped.view_mut());
            for (shard, &len) in dropout.iter_mut().zip(lens) {
                if self.dropout_on && mask.nrows() > 0 {
                    let (m, m_rest) = mask.split_at(Axis(0), len);
                    let (d, d_rest) = dropped.split_at(Axis(0), len);
                    (mask, dropped) = (m_rest, d_rest);
                    shard.push(Some((m, d)));
                } else {
                    shard.push(None);
                }
            }
        }
        let mut dropout = dropout.into_iter();
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
                    dropout: dropout.next().unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Makes each layer's gradients the sum of its shards' gradients. The first shard's are
    /// swapped in (not copied) and the others added on, always in shard order, so the result
    /// never depends on which thread finished first. The additions are spread over the cores
    /// too, in blocks of rows of the weight matrices.
    pub fn sum_shard_gradients(&mut self, layers: &mut [Layer]) {
        let shards = self.shard_rows.len();
        let Some((first, rest)) = self.shard_grads[..shards].split_first_mut() else { return };
        for (layer, grads) in layers.iter_mut().zip(first.iter_mut()) {
            std::mem::swap(&mut layer.dense.grad_w, &mut grads.w);
            std::mem::swap(&mut layer.dense.grad_b, &mut grads.b);
        }
        if rest.is_empty() {
            return;
        }
        let rest = &*rest;
        let mut blocks = Vec::new();
        for (i, layer) in layers.iter_mut().enumerate() {
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
    use super::super::gradcheck::uniform;
    use super::super::{Activation, Init, Stack};
    use crate::rng::seeded;
    use ndarray::{s, Array1, Array2};

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
    fn any_thread_count_gives_the_same_bits() {
        let layers = [(24, Activation::Relu), (12, Activation::Tanh), (9, Activation::Sigmoid)];
        let stack = Stack::new(30, &layers, Init::Xavier, &mut seeded(1, 1));
        // 101 rows: uneven shards (25 + 25 + 25 + 26).
        let (x, grad_out) = (uniform((101, 30), -1.0, 1.0, 2), uniform((101, 9), -1.0, 1.0, 3));
        let one = pass(1, &stack, &x, &grad_out);
        for threads in [2, 3, 16] {
            // The shards are cut by the batch alone and summed in shard order: the same bits.
            assert_eq!(pass(threads, &stack, &x, &grad_out), one, "{threads} threads against 1");
        }
        // Inference, in parallel chunks, gives the training pass's output exactly.
        let predicted = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap()
            .install(|| stack.predict(x.view()));
        assert_rows_equal(&predicted.unwrap(), &one.0, 3);
    }

    #[test]
    fn dropout_masks_and_gradients_are_the_same_on_any_thread_count() {
        let layers = [(24, Activation::Relu), (12, Activation::Tanh), (9, Activation::Sigmoid)];
        let mut stack = Stack::new(30, &layers, Init::Xavier, &mut seeded(1, 1));
        stack.set_dropout(0.2, 0.5).unwrap();
        let (x, grad_out) = (uniform((101, 30), -1.0, 1.0, 2), uniform((101, 9), -1.0, 1.0, 3));
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut stack = stack.clone();
                let out = stack.forward_train_dropout(x.view(), &mut seeded(5, 5)).to_owned();
                stack.output_and_grad().1.assign(&grad_out);
                let grad_x = stack.backward(x.view(), true).unwrap().to_owned();
                let grad_w: Vec<_> = stack.layers.iter().map(|l| l.dense.grad_w.clone()).collect();
                (out, grad_x, grad_w)
            })
        };
        let one = on(1);
        for threads in [2, 3, 16] {
            assert_eq!(on(threads), one, "{threads} threads against 1");
        }
        // Some of the pixels were dropped: their gradient is exactly zero.
        let zeros = one.1.iter().filter(|&&g| g == 0.0).count() as f32 / one.1.len() as f32;
        assert!((zeros - 0.2).abs() < 0.05, "dropped inputs get no gradient: {zeros}");
    }

    #[test]
    fn sharding_changes_the_gradients_by_rounding_only() {
        let layers = [(24, Activation::Relu), (12, Activation::Tanh), (9, Activation::Sigmoid)];
        let stack = Stack::new(30, &layers, Init::Xavier, &mut seeded(1, 1));
        let (x, grad_out) = (uniform((101, 30), -1.0, 1.0, 2), uniform((101, 9), -1.0, 1.0, 3));
        let (out, grad_w, grad_b, grad_x) = pass(2, &stack, &x, &grad_out);
        // Row by row, in one shard each: a pass with no sharding at all.
        let mut rows = Vec::new();
        for r in 0..x.nrows() {
            let (x, g) =
                (x.slice(s![r..r + 1, ..]).to_owned(), grad_out.slice(s![r..r + 1, ..]).to_owned());
            rows.push(pass(1, &stack, &x, &g));
        }
        for (r, row) in rows.iter().enumerate() {
            // Each row's output and dL/dx depend on that row alone: the same bits.
            assert_rows_equal(&row.0, &out.slice(s![r..r + 1, ..]).to_owned(), 1);
            assert_rows_equal(&row.3, &grad_x.slice(s![r..r + 1, ..]).to_owned(), 1);
        }
        // dL/dW and dL/db sum over rows, in parts: equal to the row-by-row sum up to rounding.
        for (layer, (w, b)) in grad_w.iter().zip(&grad_b).enumerate() {
            let w_rows: Array2<f32> =
                rows.iter().map(|r| &r.1[layer]).fold(Array2::zeros(w.raw_dim()), |a, g| a + g);
            let b_rows: Array1<f32> =
                rows.iter().map(|r| &r.2[layer]).fold(Array1::zeros(b.raw_dim()), |a, g| a + g);
            for (a, e) in w.iter().zip(&w_rows).chain(b.iter().zip(&b_rows)) {
                assert!((a - e).abs() <= 1e-5 * (1.0 + e.abs()), "layer {layer}: {a} vs {e}");
            }
        }
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
        let stack = Stack::new(
            5,
            &[(4, Activation::Relu), (3, Activation::Identity)],
            Init::He,
            &mut seeded(4, 1),
        );
        let (x, g) = (uniform((64, 5), -1.0, 1.0, 5), uniform((64, 3), -1.0, 1.0, 6));
        let small =
            pass(2, &stack, &x.slice(s![..40, ..]).to_owned(), &g.slice(s![..40, ..]).to_owned());
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
