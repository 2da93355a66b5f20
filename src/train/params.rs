//! How to train: the settings every model's training takes, checked before it starts.

use serde::{Deserialize, Serialize};

use super::{EarlyStopping, Schedule};
use crate::error::{Error, Result};
use crate::nn::OptimizerConfig;

/// Builder setters, `fn field(mut self, value: T) -> Self`, one per listed field.
///
/// `TrainParams`, `AutoencoderParams` and `MlpParams` all offer chainable setters
/// (`AutoencoderParams::default().latent(16).train(schedule)`). Each setter is the same three
/// lines with another field, so they are written once, here; a params type lists its setters
/// in one block, each with the doc line it shows, and that block reads as the list of what a
/// caller may set. Setters with logic of their own (`TrainParams::learning_rate`) stay
/// ordinary methods.
macro_rules! setters {
    ($($(#[$doc:meta])* $field:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $field(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            }
        )*
    };
}
pub(crate) use setters;

/// How to train: epochs, batch size, seed, optimiser, learning-rate schedule and early
/// stopping. Checked before any training starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    /// Passes over the training set.
    pub epochs: usize,
    /// Samples per gradient step.
    pub batch_size: usize,
    /// Seeds the shuffling and any randomness inside a training step.
    pub seed: u64,
    /// Shuffle the training set every epoch (a fresh, seeded permutation each time).
    pub shuffle: bool,
    /// The optimiser and its settings.
    pub optimizer: OptimizerConfig,
    /// How the learning rate moves over the steps (the original: constant).
    #[serde(default)]
    pub schedule: Schedule,
    /// Stop when the validation score stops improving, keeping the best epoch's weights
    /// (the original: train every epoch, keep the last).
    #[serde(default)]
    pub early_stopping: Option<EarlyStopping>,
}

impl Default for TrainParams {
    /// The original study's schedule: 15 epochs of batch 256, shuffled, Adam (Keras' defaults).
    fn default() -> Self {
        TrainParams {
            epochs: 15,
            batch_size: 256,
            seed: 42,
            shuffle: true,
            optimizer: OptimizerConfig::default(),
            schedule: Schedule::Constant,
            early_stopping: None,
        }
    }
}

impl TrainParams {
    setters! {
        /// Sets the number of epochs.
        epochs: usize;
        /// Sets the batch size.
        batch_size: usize;
        /// Sets the seed.
        seed: u64;
        /// Sets the optimiser.
        optimizer: OptimizerConfig;
        /// Turns per-epoch shuffling on or off.
        shuffle: bool;
        /// Sets the learning-rate schedule.
        schedule: Schedule;
        /// Sets early stopping (`None`: train every epoch).
        early_stopping: Option<EarlyStopping>;
    }

    /// Sets the learning rate of the current optimiser.
    pub fn learning_rate(mut self, lr: f32) -> Self {
        match &mut self.optimizer {
            OptimizerConfig::Adam { learning_rate, .. }
            | OptimizerConfig::Sgd { learning_rate, .. } => *learning_rate = lr,
        }
        self
    }

    /// Checks every setting, so bad values fail before training rather than in it.
    pub fn check(&self) -> Result<()> {
        if self.epochs == 0 {
            return Err(Error::param("epochs", 0, "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::param(
                "batch_size",
                0,
                "must be at least 1 (the original uses 256)",
            ));
        }
        self.schedule.check()?;
        self.optimizer.check()
    }
}
