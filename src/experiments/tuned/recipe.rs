//! The tuned recipe: every setting of the well-trained models, in one place.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::data::VALIDATION_IMAGES;
use crate::error::Result;
use crate::models::autoencoder::AutoencoderParams;
use crate::models::finetune::FineTuneParams;
use crate::models::mlp::MlpParams;
use crate::nn::{Activation, OptimizerConfig};
use crate::train::{EarlyStopping, Schedule, TrainParams};

/// Everything that decides a tuned run's numbers (and its cache key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TunedConfig {
    /// MNIST-layout directory, or `None` for the bundled MNIST.
    pub data_dir: Option<PathBuf>,
    /// Training images held out for validation (must be above 0: early stopping watches them).
    pub validation: usize,
    /// The raw-pixel MLP, 784-256-128-10.
    pub raw_mlp: MlpParams,
    /// The autoencoder, 784-128-64-32 and its mirror.
    pub autoencoder: AutoencoderParams,
    /// The MLP trained on the autoencoder's codes before fine-tuning, 32-128-64-10.
    pub codes_mlp: MlpParams,
    /// Fine-tuning encoder and MLP end to end.
    pub finetune: FineTuneParams,
}

/// A schedule of `epochs` at peak rate `rate` with AdamW's decay `decay`: 10 % warm-up, a
/// cosine down to 0, batches of 128, the best validation epoch kept.
fn schedule(epochs: usize, rate: f32, decay: f32) -> TrainParams {
    TrainParams::default()
        .epochs(epochs)
        .batch_size(128)
        .optimizer(OptimizerConfig::adamw(rate, decay))
        .schedule(Schedule::WarmupCosine { warmup: 0.1 })
        .early_stopping(Some(EarlyStopping { patience: epochs }))
}

impl Default for TunedConfig {
    /// The recipe chosen on the validation split (seed 1, `examples/tune.rs`): AdamW with a
    /// warm-up and a cosine for every model; dropout for the pixels MLP (20 % of the pixels,
    /// 30 % of the hidden units) and lightly for the codes MLP; none while fine-tuning, where it
    /// disturbed features the encoder had learned without it; a linear code for the
    /// autoencoder, where a ReLU code sets more than half of its values to zero.
    fn default() -> Self {
        let raw_mlp =
            MlpParams::raw_pixels().input_dropout(0.2).dropout(0.3).train(schedule(30, 2e-3, 0.05));
        let autoencoder = AutoencoderParams {
            code_activation: Activation::Identity,
            train: schedule(30, 2e-3, 0.0).early_stopping(None),
            ..AutoencoderParams::default()
        };
        let codes_mlp = MlpParams::default().dropout(0.1).train(schedule(20, 2e-3, 0.05));
        let finetune = FineTuneParams {
            stages: vec![(15, 3e-4)],
            train: schedule(15, 3e-4, 0.01),
            input_dropout: 0.0,
            dropout: 0.0,
        };
        TunedConfig {
            data_dir: None,
            validation: VALIDATION_IMAGES,
            raw_mlp,
            autoencoder,
            codes_mlp,
            finetune,
        }
    }
}

impl TunedConfig {
    /// The same recipe with every model seeded by `seed` (initialisation, batches, dropout).
    pub fn seed(mut self, seed: u64) -> Self {
        self.raw_mlp.train.seed = seed;
        self.autoencoder.train.seed = seed;
        self.codes_mlp.train.seed = seed;
        self.finetune = self.finetune.seed(seed);
        self
    }

    /// Checks every setting before anything trains.
    pub fn check(&self) -> Result<()> {
        if self.validation == 0 {
            return Err(super::needs_validation());
        }
        self.raw_mlp.check()?;
        self.autoencoder.check()?;
        self.codes_mlp.check()?;
        self.finetune.check()
    }
}
