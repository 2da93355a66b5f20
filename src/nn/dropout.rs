//! Dropout (Srivastava et al., 2014): during training, each input of a layer is zeroed with
//! probability `p`, so that no unit can rely on any particular other one being there.
//!
//! This is *inverted* dropout: the inputs that survive are scaled by `1 / (1 − p)`, so their
//! expected value is what the layer sees at test time, when nothing is dropped and nothing is
//! scaled. Prediction ([`super::Stack::predict`]) therefore ignores dropout altogether; only
//! the training pass ([`super::Stack::forward_train_dropout`]) draws masks.
//!
//! Forward: `x̃ = x ⊙ m`, with `m` = 0 (probability p) or 1/(1 − p). Backward: `dL/dx =
//! dL/dx̃ ⊙ m`, the same mask again, so the dropped inputs get no gradient.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};
use rand::RngCore;

use crate::error::{Error, Result};
use crate::rng;

/// Checks a dropout rate: in `[0, 1)` (at 1 nothing would get through).
pub fn check_rate(name: &'static str, p: f32) -> Result<()> {
    if (0.0..1.0).contains(&p) {
        Ok(())
    } else {
        Err(Error::param(name, p, "a dropout rate must be in [0, 1) (0.2 to 0.5 are usual)"))
    }
}

// ANCHOR: mask
/// Fills `mask` with a fresh dropout mask of rate `p`: each entry 0 with probability `p`,
/// else `1 / (1 − p)`. Drawn by blocks of rows from `key` ([`rng::fill_by_row_blocks`]), so
/// the mask depends on the key and the shape alone, never on the number of threads.
pub fn draw_mask(mask: &mut Array2<f32>, p: f32, key: u64) {
    let keep = 1.0 / (1.0 - p);
    // Two uniforms u = h / 2²⁴ in [0, 1) from each 64-bit draw, h the top 24 bits of each
    // half (as `rand`'s f32). u < p exactly when h < p · 2²⁴, both exact in f32, so the mask
    // is `keep` times (h ≥ p · 2²⁴): a product, not a branch the CPU would mispredict.
    let threshold = p * 16_777_216.0;
    rng::fill_by_row_blocks(mask, key, |values, rng| {
        for pair in values.chunks_mut(2) {
            let bits = rng.next_u64();
            for (m, half) in pair.iter_mut().zip([bits as u32, (bits >> 32) as u32]) {
                let kept = f32::from(u8::from((half >> 8) as f32 >= threshold));
                *m = keep * kept;
            }
        }
    });
}

/// Forward: `dropped = x ⊙ mask`.
pub fn apply(x: ArrayView2<f32>, mask: ArrayView2<f32>, dropped: ArrayViewMut2<f32>) {
    Zip::from(dropped).and(&x).and(&mask).for_each(|d, &x, &m| *d = x * m);
}

/// Backward: `grad ← grad ⊙ mask`, turning dL/d(dropped input) into dL/d(input).
pub fn backward(mask: ArrayView2<f32>, grad: ArrayViewMut2<f32>) {
    Zip::from(grad).and(&mask).for_each(|g, &m| *g *= m);
}
// ANCHOR_END: mask

/// The key of layer `layer`'s mask in a step whose dropout key is `key`: every layer draws
/// from streams of its own.
pub(crate) fn layer_key(key: u64, layer: usize) -> u64 {
    key ^ (layer as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_drops_the_rate_and_keeps_the_mean() {
        let mut mask = Array2::zeros((300, 200));
        draw_mask(&mut mask, 0.3, 7);
        let n = mask.len() as f32;
        let dropped = mask.iter().filter(|&&m| m == 0.0).count() as f32 / n;
        assert!((dropped - 0.3).abs() < 0.01, "dropped {dropped}");
        assert!(mask.iter().all(|&m| m == 0.0 || m == 1.0 / 0.7));
        // Inverted dropout: the expected mask is 1, so the expected input is unchanged.
        let mean = mask.sum() / n;
        assert!((mean - 1.0).abs() < 0.02, "mean {mean}");
        let mut again = Array2::zeros((300, 200));
        draw_mask(&mut again, 0.3, 7);
        assert_eq!(mask, again);
        draw_mask(&mut again, 0.3, 8);
        assert_ne!(mask, again);
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        for bad in [-0.1, 1.0, 1.5, f32::NAN] {
            assert!(check_rate("dropout", bad).is_err(), "{bad}");
        }
        check_rate("dropout", 0.0).unwrap();
        check_rate("dropout", 0.5).unwrap();
    }
}
