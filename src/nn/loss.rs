//! Losses, each computed together with its gradient in one pass.
//!
//! Every function returns the loss and, when given a buffer, writes dL/d(input) into it.
//! Sums run in `f64` so the value stays accurate for 784-pixel rows; the gradient is `f32`.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};
use serde::{Deserialize, Serialize};

use super::{flush_subnormal, in_parallel};
use crate::math;

/// Probabilities are clipped to `[EPS, 1 − EPS]` before a logarithm, as Keras does.
pub const BCE_EPS: f32 = 1e-7;

/// How an autoencoder scores a reconstruction against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReconstructionLoss {
    /// Mean squared error: treats pixels as real values with Gaussian noise. The original's choice.
    Mse,
    /// Binary cross-entropy: treats each pixel as the probability of "ink", which fits MNIST's
    /// mostly black-or-white digits and gives larger gradients on confidently wrong pixels.
    Bce,
}

impl ReconstructionLoss {
    /// The loss of `pred` against `target` (both (batch, features)), and its gradient if asked.
    pub fn compute(
        self,
        pred: ArrayView2<f32>,
        target: ArrayView2<f32>,
        grad: Option<ArrayViewMut2<f32>>,
    ) -> f32 {
        match self {
            ReconstructionLoss::Mse => mse(pred, target, grad),
            ReconstructionLoss::Bce => bce(pred, target, grad),
        }
    }

    /// The short name used in configs and tables.
    pub fn name(self) -> &'static str {
        match self {
            ReconstructionLoss::Mse => "MSE",
            ReconstructionLoss::Bce => "BCE",
        }
    }
}

/// Mean squared error, averaged over every element: `L = 1/(B·D) Σ (p − t)²`.
///
/// That is Keras' `mse` (mean over the D features, then over the B rows of the batch).
/// Gradient: `dL/dp = 2 (p − t) / (B·D)`.
pub fn mse(
    pred: ArrayView2<f32>,
    target: ArrayView2<f32>,
    grad: Option<ArrayViewMut2<f32>>,
) -> f32 {
    let n = pred.len().max(1) as f32;
    // `move`: n is copied into the closure, so the compiler knows no store changes it and
    // vectorises the loop over the elements.
    let sum = by_row_blocks(pred, target, grad, move |p, t| {
        let d = p - t;
        (d * d, flush_subnormal(2.0 * d / n))
    });
    (sum / f64::from(n)) as f32
}

/// Binary cross-entropy on probabilities, averaged over every element:
/// `L = −1/(B·D) Σ [t ln p + (1 − t) ln(1 − p)]`, with `p` clipped to `[BCE_EPS, 1 − BCE_EPS]`.
///
/// Gradient: `dL/dp = (p − t) / (p (1 − p)) / (B·D)` (zero where the clip is active). The
/// logarithms are [`math::ln`]'s, which vectorise: the C library's, one call per pixel, were a
/// fifth of a VAE's epoch. A NaN probability gives a NaN loss, so a diverged network shows.
pub fn bce(
    prob: ArrayView2<f32>,
    target: ArrayView2<f32>,
    grad: Option<ArrayViewMut2<f32>>,
) -> f32 {
    let n = prob.len().max(1) as f32;
    let sum = by_row_blocks(prob, target, grad, move |p, t| {
        let q = p.clamp(BCE_EPS, 1.0 - BCE_EPS);
        let term = -(t * math::ln(q) + (1.0 - t) * math::ln(1.0 - q));
        let grad = if (BCE_EPS..=1.0 - BCE_EPS).contains(&p) {
            flush_subnormal((p - t) / (p * (1.0 - p) * n))
        } else {
            0.0
        };
        (if p.is_nan() { f32::NAN } else { term }, grad)
    });
    (sum / f64::from(n)) as f32
}

// ANCHOR: softmax_cross_entropy
/// Softmax followed by cross-entropy, fused, on raw scores (logits), averaged over the batch:
/// `L = 1/B Σ_rows [logsumexp(z) − z_label]`.
///
/// Fusing is what makes it stable: `log(softmax)` is computed as `z − logsumexp(z)` with the
/// row maximum subtracted first, so no probability underflows to `log 0`. The gradient is the
/// famously simple `dL/dz = (softmax(z) − onehot(label)) / B`.
///
/// logits: (batch, classes); labels: (batch), each `< classes` (checked by the caller).
pub fn softmax_cross_entropy(
    logits: ArrayView2<f32>,
    labels: ArrayView1<u8>,
    grad: Option<ArrayViewMut2<f32>>,
) -> f32 {
    let batch = logits.nrows().max(1) as f32;
    let mut sum = 0.0f64;
    let mut grad = grad;
    for (i, (z, &label)) in logits.rows().into_iter().zip(labels).enumerate() {
        let max = z.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let exp_sum: f32 = z.iter().map(|&v| (v - max).exp()).sum();
        let log_sum_exp = max + exp_sum.ln();
        sum += f64::from(log_sum_exp - z[label as usize]);
        if let Some(grad) = grad.as_mut() {
            let mut g = grad.row_mut(i);
            Zip::from(&mut g)
                .and(&z)
                .for_each(|g, &v| *g = flush_subnormal((v - max).exp() / exp_sum / batch));
            g[label as usize] -= 1.0 / batch;
        }
    }
    (sum / f64::from(batch)) as f32
}
// ANCHOR_END: softmax_cross_entropy

/// Runs `f` on every element of pred and target, one block of rows per thread, in parallel:
/// `f(p, t)` gives the element's term of the loss and its gradient, written to `grad` if
/// given, in the same pass. Returns the sum of the terms, added up row by row in row order:
/// the same bits for any number of threads. Every element's term and gradient stand alone,
/// so blocks can be computed apart, as long as `f` divides by the whole batch's count, never
/// the block's.
fn by_row_blocks(
    pred: ArrayView2<f32>,
    target: ArrayView2<f32>,
    mut grad: Option<ArrayViewMut2<f32>>,
    f: impl Fn(f32, f32) -> (f32, f32) + Sync + Send,
) -> f64 {
    let rows = pred.nrows().div_ceil(rayon::current_num_threads()).max(1);
    let blocks = pred.nrows().div_ceil(rows);
    let grads: Vec<Option<ArrayViewMut2<f32>>> = match grad.as_mut() {
        Some(grad) => grad.axis_chunks_iter_mut(Axis(0), rows).map(Some).collect(),
        None => (0..blocks).map(|_| None).collect(),
    };
    let work: Vec<_> = pred
        .axis_chunks_iter(Axis(0), rows)
        .zip(target.axis_chunks_iter(Axis(0), rows))
        .zip(grads)
        .collect();
    in_parallel(work, |((pred, target), grad)| row_sums(pred, target, grad, &f))
        .iter()
        .flatten()
        .sum()
}

/// Σ of the terms `f` gives over each row of two arrays of the same shape, in f64, one sum
/// per row, with the gradients written to `grad` if given.
fn row_sums(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    mut grad: Option<ArrayViewMut2<f32>>,
    f: &impl Fn(f32, f32) -> (f32, f32),
) -> Vec<f64> {
    let mut sums = Vec::with_capacity(a.nrows());
    for (i, (a, b)) in a.rows().into_iter().zip(b.rows()).enumerate() {
        // Rows of a standard array are contiguous already; others are copied (never in training).
        let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
        let (a, b) = (a.as_slice().unwrap_or_default(), b.as_slice().unwrap_or_default());
        let sum = match grad.as_mut().map(|g| g.row_mut(i)) {
            None => sum_row(a, b, None, f),
            Some(mut row) => match row.as_slice_mut() {
                Some(g) => sum_row(a, b, Some(g), f),
                None => {
                    let mut g = vec![0.0; a.len()];
                    let sum = sum_row(a, b, Some(&mut g), f);
                    row.assign(&ndarray::ArrayView1::from(&g));
                    sum
                }
            },
        };
        sums.push(sum);
    }
    sums
}

/// Σ of the terms `f` gives over two rows, in f64, with the gradients written to `grad` if
/// given.
///
/// In pieces of [`PIECE`] elements: first a plain loop puts each element's term in a buffer
/// (and its gradient in `grad`), one the compiler vectorises even with a logarithm in it; then
/// eight running sums add the buffer up. With one sum, every addition would wait for the
/// previous (four cycles each); eight independent ones overlap and vectorise, which made the
/// MSE of a batch several times faster. Only the order of the f64 additions changes.
fn sum_row(
    a: &[f32],
    b: &[f32],
    grad: Option<&mut [f32]>,
    f: impl Fn(f32, f32) -> (f32, f32),
) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { sum_row_avx2(a, b, grad, f) };
    }
    sum_row_portable(a, b, grad, f)
}

/// [`sum_row`] compiled for AVX2: eight lanes per instruction instead of SSE2's four, which
/// halves the cost of BCE's logarithms. The same operations in the same order, so the same
/// bits as the portable build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sum_row_avx2(
    a: &[f32],
    b: &[f32],
    grad: Option<&mut [f32]>,
    f: impl Fn(f32, f32) -> (f32, f32),
) -> f64 {
    sum_row_portable(a, b, grad, f)
}

/// [`sum_row`] for any CPU.
#[inline(always)]
fn sum_row_portable(
    a: &[f32],
    b: &[f32],
    mut grad: Option<&mut [f32]>,
    f: impl Fn(f32, f32) -> (f32, f32),
) -> f64 {
    const LANES: usize = 8;
    let mut sums = [0.0f64; LANES];
    let mut terms = [0.0f32; PIECE];
    let mut tail = 0.0f64;
    for (start, (a, b)) in (0..).step_by(PIECE).zip(a.chunks(PIECE).zip(b.chunks(PIECE))) {
        let terms = &mut terms[..a.len()];
        match grad.as_mut() {
            Some(grad) => {
                let grad = &mut grad[start..start + a.len()];
                for (((term, g), &a), &b) in terms.iter_mut().zip(grad).zip(a).zip(b) {
                    (*term, *g) = f(a, b);
                }
            }
            None => {
                for ((term, &a), &b) in terms.iter_mut().zip(a).zip(b) {
                    *term = f(a, b).0;
                }
            }
        }
        let lanes = terms.chunks_exact(LANES);
        tail += lanes.remainder().iter().map(|&t| f64::from(t)).sum::<f64>();
        for lane in lanes {
            for (sum, &t) in sums.iter_mut().zip(lane) {
                *sum += f64::from(t);
            }
        }
    }
    sums.iter().sum::<f64>() + tail
}

/// Elements per piece of [`sum_row`]: a multiple of its eight lanes, so that they add up the
/// same elements as over the whole row.
const PIECE: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_avx2_build_gives_the_same_bits() {
        let a: Vec<f32> = (0..1001).map(|i| ((i * 7919) % 1000) as f32 / 999.0).collect();
        let b: Vec<f32> = (0..1001).map(|i| ((i * 104_729) % 997) as f32 / 996.0).collect();
        let f = move |p: f32, t: f32| {
            let q = p.clamp(BCE_EPS, 1.0 - BCE_EPS);
            (-(t * math::ln(q) + (1.0 - t) * math::ln(1.0 - q)), (p - t) / (p * (1.0 - p) * 3.0))
        };
        let (mut g1, mut g2) = (vec![0.0f32; a.len()], vec![0.0f32; a.len()]);
        let s1 = sum_row(&a, &b, Some(&mut g1), f);
        let s2 = sum_row_portable(&a, &b, Some(&mut g2), f);
        let bits = |g: &[f32]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!((s1.to_bits(), bits(&g1)), (s2.to_bits(), bits(&g2)));
    }
}
