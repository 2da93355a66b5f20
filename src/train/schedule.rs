//! How the learning rate moves during training, and when training stops early.
//!
//! Adam at a constant rate is the original's recipe. Two additions train the same networks
//! better: a *schedule* that warms the rate up over the first steps (Adam's moment estimates
//! are poor while they rest on few gradients) and then lets it decay along a cosine (large
//! steps early to travel, small steps late to settle; Loshchilov & Hutter, 2017), and *early
//! stopping*, which watches the validation split after every epoch and keeps the weights of
//! the best epoch, whatever the later epochs do.

use std::f32::consts::PI;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The learning rate at each step, as a multiple of the optimiser's base rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub enum Schedule {
    /// The base rate at every step (the original's recipe).
    #[default]
    Constant,
    /// A linear warm-up from 0 over the first `warmup` fraction of all steps, then a
    /// half-cosine from the base rate down to 0 at the last step ("one cycle").
    WarmupCosine {
        /// Fraction of the steps spent warming up, in `[0, 1)` (e.g. 0.1).
        warmup: f32,
    },
}

impl Schedule {
    // ANCHOR: factor
    /// The multiple of the base rate at step `step` (0-based) of `total` steps.
    pub fn factor(&self, step: usize, total: usize) -> f32 {
        match *self {
            Schedule::Constant => 1.0,
            Schedule::WarmupCosine { warmup } => {
                let warm = (warmup * total as f32).round() as usize;
                if step < warm {
                    (step + 1) as f32 / warm as f32
                } else {
                    let done = (step - warm) as f32 / (total - warm).max(1) as f32;
                    0.5 * (1.0 + (PI * done).cos())
                }
            }
        }
    }
    // ANCHOR_END: factor

    /// Checks the schedule's settings.
    pub fn check(&self) -> Result<()> {
        match *self {
            Schedule::WarmupCosine { warmup } if !(0.0..1.0).contains(&warmup) => {
                Err(Error::param(
                    "warmup",
                    warmup,
                    "the warm-up is a fraction of all steps, in [0, 1) (try 0.1)",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// Stop when the validation score has not improved for `patience` epochs, and keep the
/// weights of the best epoch. The score of a classifier is its validation accuracy (ties
/// go to the lower loss); of an autoencoder, its validation loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// Epochs without a better score before training stops.
    pub patience: usize,
}

/// What early stopping keeps: the best score so far, its epoch and a copy of its weights.
#[derive(Debug, Default)]
pub(super) struct Best {
    score: Option<(f32, f32)>,
    epoch: usize,
    weights: Vec<Vec<f32>>,
}

impl Best {
    /// Records an epoch's validation accuracy (if any) and loss, copying the weights if it
    /// is the best yet. Returns the epochs since the best.
    pub fn update(
        &mut self,
        epoch: usize,
        accuracy: Option<f32>,
        loss: f32,
        weights: impl FnOnce() -> Vec<Vec<f32>>,
    ) -> usize {
        let score = (accuracy.unwrap_or(0.0), -loss);
        let better = self
            .score
            .is_none_or(|best| score.0 > best.0 || (score.0 == best.0 && score.1 > best.1));
        if better {
            (self.score, self.epoch, self.weights) = (Some(score), epoch, weights());
        }
        epoch - self.epoch
    }

    /// The best epoch and its weights (in the parameter walk's order).
    pub fn into_parts(self) -> (usize, Vec<Vec<f32>>) {
        (self.epoch, self.weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_up_then_cosine_to_zero() {
        let s = Schedule::WarmupCosine { warmup: 0.1 };
        let f: Vec<f32> = (0..100).map(|t| s.factor(t, 100)).collect();
        assert_eq!(f[0], 0.1);
        assert_eq!(f[9], 1.0);
        assert_eq!(f[10], 1.0);
        assert!((f[55] - 0.5).abs() < 1e-6, "{}", f[55]);
        assert!(f[99] > 0.0 && f[99] < 1e-3, "{}", f[99]);
        assert!(f[10..].windows(2).all(|w| w[1] <= w[0]), "decays monotonically");
        assert_eq!(Schedule::Constant.factor(7, 100), 1.0);
        assert!(Schedule::WarmupCosine { warmup: 1.0 }.check().is_err());
        assert!(Schedule::WarmupCosine { warmup: -0.1 }.check().is_err());
    }

    #[test]
    fn the_best_epoch_is_kept_by_accuracy_then_loss() {
        let mut best = Best::default();
        assert_eq!(best.update(1, Some(0.90), 0.5, || vec![vec![1.0]]), 0);
        assert_eq!(best.update(2, Some(0.95), 0.4, || vec![vec![2.0]]), 0);
        assert_eq!(best.update(3, Some(0.95), 0.45, || vec![vec![3.0]]), 1);
        assert_eq!(best.update(4, Some(0.95), 0.3, || vec![vec![4.0]]), 0);
        assert_eq!(best.update(5, Some(0.94), 0.1, || vec![vec![5.0]]), 1);
        assert_eq!(best.into_parts(), (4, vec![vec![4.0]]));
    }
}
