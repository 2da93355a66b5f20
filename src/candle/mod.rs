//! The same networks in [candle](https://github.com/huggingface/candle), Hugging Face's Rust
//! framework (`--features candle`).
//!
//! The hand-rolled core writes every backward pass out; candle records the forward pass and
//! differentiates it for us (autograd). Built from the same weights, the two must agree on
//! every gradient, which makes candle an independent oracle for the hand-written backward
//! passes — and shows a reader what a framework does for them. Weights copy both ways, so a
//! model trained in one can be scored or saved by the other.
//!
//! Everything here mirrors one function of the core, named alike: [`CandleStack`] is
//! [`crate::nn::Stack`], [`mse`] is [`crate::nn::loss::mse`], and so on.
//! Errors are candle's own ([`candle_core::Error`]): this module is a bridge, not a model.

mod check;
mod compare;
mod losses;
mod train;

pub use check::{
    every_layer_kind, relative_discrepancy, stack_gradients, CheckedLoss, GradientCheck,
};
pub use compare::{min_median, EpochObserver, SideBySide};
pub use losses::{
    bce, kl_divergence, kl_sparsity, l1_penalty, mse, reparameterise, softmax_cross_entropy,
};
pub use train::{adam, train_autoencoder, CandleHistory, KerasAdam};

/// candle's device (the CPU, or a GPU with `--features cuda`), re-exported so that code using
/// this module needs no `candle-core` dependency of its own.
pub use candle_core::Device;
use candle_core::{Result, Tensor, Var};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::nn::{Activation, Stack};

/// An `ndarray` matrix as a candle tensor of the same shape (a copy).
pub fn tensor(a: ArrayView2<f32>, device: &Device) -> Result<Tensor> {
    let data: Vec<f32> = a.iter().copied().collect();
    Tensor::from_vec(data, a.dim(), device)
}

/// A candle matrix (any dtype that converts to `f32`) as an `ndarray` matrix.
pub fn array2(t: &Tensor) -> Result<Array2<f32>> {
    let (rows, cols) = t.dims2()?;
    let data = t.flatten_all()?.to_vec1::<f32>()?;
    Array2::from_shape_vec((rows, cols), data).map_err(|e| candle_core::Error::Msg(e.to_string()))
}

/// A candle vector as an `ndarray` vector.
pub fn array1(t: &Tensor) -> Result<Array1<f32>> {
    Ok(Array1::from(t.flatten_all()?.to_vec1::<f32>()?))
}

/// Class labels as the `u32` tensor candle's cross-entropy takes.
pub fn labels(y: ArrayView1<u8>, device: &Device) -> Result<Tensor> {
    Tensor::from_vec(y.iter().map(|&l| u32::from(l)).collect::<Vec<u32>>(), y.len(), device)
}

/// One dense layer and its activation, with candle variables for W (inputs, outputs) and b.
pub struct CandleLayer {
    /// Weights, (inputs, outputs), as in [`Dense`](crate::nn::Dense).
    pub w: Var,
    /// Biases, (outputs).
    pub b: Var,
    /// The non-linearity after `x·W + b`.
    pub activation: Activation,
}

/// A [`Stack`] rebuilt from candle variables: the forward pass is written once, and candle
/// derives the backward pass from it.
pub struct CandleStack {
    /// The layers, input side first.
    pub layers: Vec<CandleLayer>,
}

impl CandleStack {
    /// Copies the weights of `stack` into new candle variables on `device`.
    pub fn from_stack(stack: &Stack, device: &Device) -> Result<Self> {
        let layers = stack
            .layers
            .iter()
            .map(|layer| {
                let b = Tensor::from_vec(layer.dense.b.to_vec(), layer.dense.b.len(), device)?;
                Ok(CandleLayer {
                    w: Var::from_tensor(&tensor(layer.dense.w.view(), device)?)?,
                    b: Var::from_tensor(&b)?,
                    activation: layer.activation,
                })
            })
            .collect::<Result<_>>()?;
        Ok(CandleStack { layers })
    }

    /// Copies the current candle weights back into `stack` (same layer sizes), so the
    /// hand-rolled code can score, save or keep training what candle trained.
    pub fn copy_into(&self, stack: &mut Stack) -> Result<()> {
        if stack.layers.len() != self.layers.len() {
            candle_core::bail!(
                "{} candle layers cannot fill a stack of {}",
                self.layers.len(),
                stack.layers.len()
            );
        }
        for (ours, theirs) in stack.layers.iter_mut().zip(&self.layers) {
            let (w, b) = (array2(theirs.w.as_tensor())?, array1(theirs.b.as_tensor())?);
            if w.dim() != ours.dense.w.dim() {
                candle_core::bail!(
                    "weights of shape {:?} cannot replace {:?}",
                    w.dim(),
                    ours.dense.w.dim()
                );
            }
            ours.dense.w.assign(&w);
            ours.dense.b.assign(&b);
        }
        Ok(())
    }

    /// Every trainable variable, layer by layer (W then b): what the optimiser updates.
    pub fn vars(&self) -> Vec<Var> {
        self.layers.iter().flat_map(|l| [l.w.clone(), l.b.clone()]).collect()
    }

    // ANCHOR: forward
    /// The forward pass: for each layer, `f(x·W + b)`. x: (batch, inputs).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = x.clone();
        for layer in &self.layers {
            let z = h.matmul(layer.w.as_tensor())?.broadcast_add(layer.b.as_tensor())?;
            h = activate(&z, layer.activation)?;
        }
        Ok(h)
    }
    // ANCHOR_END: forward
}

/// The activation `f(z)` with candle's operations; candle knows each one's derivative.
pub fn activate(z: &Tensor, activation: Activation) -> Result<Tensor> {
    match activation {
        Activation::Identity => Ok(z.clone()),
        Activation::Relu => z.relu(),
        Activation::Sigmoid => candle_nn::ops::sigmoid(z),
        Activation::Tanh => z.tanh(),
        Activation::Softmax => candle_nn::ops::softmax(z, 1),
    }
}
