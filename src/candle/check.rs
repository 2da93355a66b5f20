//! The hand-rolled backward passes against candle's autograd, one kind of layer at a time:
//! the same weights, the same batch, both gradients of every weight and bias compared. The
//! cross-check tests assert on these numbers, chapter 11 prints them and the book records
//! them, so all three read the same comparison.

use candle_core::{Device, Result, Tensor};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng as _;

use super::{array1, array2, bce, labels, mse, softmax_cross_entropy, tensor, CandleStack};
use crate::nn::{loss, Activation, Init, Stack};
use crate::rng;

/// The loss whose gradient flows back through a checked stack.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckedLoss {
    /// Mean squared error against the input (an autoencoder's target).
    Mse,
    /// Binary cross-entropy against the input (needs outputs in (0, 1)).
    Bce,
    /// Softmax and cross-entropy against these labels (one per row).
    SoftmaxCrossEntropy(Array1<u8>),
}

/// One kind of layer checked: the largest gradient discrepancy over a whole stack.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// What was checked, e.g. `"relu"` or `"softmax + cross-entropy"`.
    pub kind: String,
    /// The largest `max |Δ| / max |gradient|` over every dW and db of the stack.
    pub worst: f32,
}

/// `max |ours − theirs| / max |ours|`: how far apart two arrays are, relative to the size of
/// their values (two implementations summing in different orders differ in the last bits).
pub fn relative_discrepancy(ours: ArrayView2<f32>, theirs: ArrayView2<f32>) -> Result<f32> {
    if ours.dim() != theirs.dim() {
        candle_core::bail!("cannot compare shapes {:?} and {:?}", ours.dim(), theirs.dim());
    }
    let scale = ours.iter().fold(0f32, |m, v| m.max(v.abs())).max(f32::MIN_POSITIVE);
    let worst = ours.iter().zip(theirs).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    Ok(worst / scale)
}

/// Every parameter's gradient of `loss` on batch `x`, computed by the stack's own backward
/// pass and by candle from the same weights: `(name, relative discrepancy)` per parameter,
/// W then b, layer by layer ("dW of layer 1", …).
pub fn stack_gradients(
    stack: &mut Stack,
    x: ArrayView2<f32>,
    loss: &CheckedLoss,
    device: &Device,
) -> Result<Vec<(String, f32)>> {
    let net = CandleStack::from_stack(stack, device)?;
    // Hand-rolled: forward, dL/d(output) from the loss, backward.
    stack.forward_train(x);
    let (out, grad) = stack.output_and_grad();
    match loss {
        CheckedLoss::Mse => _ = loss::mse(out, x, Some(grad)),
        CheckedLoss::Bce => _ = loss::bce(out, x, Some(grad)),
        CheckedLoss::SoftmaxCrossEntropy(y) => {
            _ = loss::softmax_cross_entropy(out, y.view(), Some(grad))
        }
    }
    stack.backward(x, false);
    // candle: the forward pass and the loss as formulas, differentiated.
    let xt = tensor(x, device)?;
    let prediction = net.forward(&xt)?;
    let value = match loss {
        CheckedLoss::Mse => mse(&prediction, &xt)?,
        CheckedLoss::Bce => bce(&prediction, &xt)?,
        CheckedLoss::SoftmaxCrossEntropy(y) => {
            softmax_cross_entropy(&prediction, &labels(y.view(), device)?)?
        }
    };
    let grads = value.backward()?;
    let mut out = Vec::new();
    for (i, (ours, theirs)) in stack.layers.iter().zip(&net.layers).enumerate() {
        let pairs = [
            ("dW", ours.dense.grad_w.clone(), theirs.w.as_tensor()),
            ("db", ours.dense.grad_b.clone().insert_axis(Axis(0)), theirs.b.as_tensor()),
        ];
        for (name, ours, var) in pairs {
            let Some(g) = grads.get(var) else {
                candle_core::bail!("candle found no gradient for {name} of layer {}", i + 1)
            };
            let theirs = as_matrix(g)?;
            out.push((
                format!("{name} of layer {}", i + 1),
                relative_discrepancy(ours.view(), theirs.view())?,
            ));
        }
    }
    Ok(out)
}

/// A gradient (a matrix, or a vector as one row) as an `ndarray` matrix.
fn as_matrix(g: &Tensor) -> Result<Array2<f32>> {
    if g.rank() == 1 {
        Ok(array1(g)?.insert_axis(Axis(0)))
    } else {
        array2(g)
    }
}

/// Every kind of layer the crate builds, checked on a small stack of it with seeded weights
/// and inputs: the five activations under MSE (three layers, 20 → 16 → 12 → 20, the last a
/// sigmoid), then the two other losses at the output (BCE after a sigmoid, softmax +
/// cross-entropy on identity logits).
pub fn every_layer_kind(device: &Device) -> Result<Vec<GradientCheck>> {
    let worst = |grads: Vec<(String, f32)>| grads.iter().fold(0f32, |m, g| m.max(g.1));
    let mut checks = Vec::new();
    let x = uniform(32, 20, 1);
    for activation in ACTIVATIONS {
        let layers = [(16, activation), (12, activation), (20, Activation::Sigmoid)];
        let mut stack = Stack::new(20, &layers, Init::Xavier, &mut rng::seeded(5, 3));
        let grads = stack_gradients(&mut stack, x.view(), &CheckedLoss::Mse, device)?;
        checks.push(GradientCheck { kind: activation.name().to_string(), worst: worst(grads) });
    }
    let x = uniform(64, 30, 2);
    let classes: Array1<u8> = (0..64).map(|i| (i * 7 % 10) as u8).collect();
    let outputs = [
        ("BCE", (30, Activation::Sigmoid), CheckedLoss::Bce),
        (
            "softmax + cross-entropy",
            (10, Activation::Identity),
            CheckedLoss::SoftmaxCrossEntropy(classes),
        ),
    ];
    for (kind, output, loss) in outputs {
        let layers = [(24, Activation::Relu), output];
        let mut stack = Stack::new(30, &layers, Init::Xavier, &mut rng::seeded(6, 3));
        let grads = stack_gradients(&mut stack, x.view(), &loss, device)?;
        checks.push(GradientCheck { kind: kind.to_string(), worst: worst(grads) });
    }
    Ok(checks)
}

/// Every activation a layer can have.
const ACTIVATIONS: [Activation; 5] = [
    Activation::Relu,
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Identity,
    Activation::Softmax,
];

/// A seeded (rows, cols) matrix uniform in [0, 1): inputs that look like grey levels.
fn uniform(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    let mut r = rng::seeded(seed, 99);
    Array2::from_shape_simple_fn((rows, cols), || r.gen_range(0.0..1.0))
}
