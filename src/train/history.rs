//! What training records: one line per epoch.

use serde::{Deserialize, Serialize};

/// What one epoch did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (weighted by batch size), as Keras reports it.
    pub train_loss: f32,
    /// Loss on the validation set after the epoch.
    pub val_loss: Option<f32>,
    /// Fraction of training samples classified right during the epoch (classifiers only).
    pub train_accuracy: Option<f32>,
    /// Fraction of validation samples classified right after the epoch (classifiers only).
    pub val_accuracy: Option<f32>,
    /// Wall seconds of the epoch's training pass (forward, backward, update).
    pub train_seconds: f64,
    /// Wall seconds of the validation pass.
    pub eval_seconds: f64,
}

/// The per-epoch record of one training run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One record per epoch, in order.
    pub epochs: Vec<EpochRecord>,
    /// With early stopping: the epoch whose weights the model kept (1-based).
    #[serde(default)]
    pub best_epoch: Option<usize>,
}

impl History {
    /// Training loss per epoch.
    pub fn train_loss(&self) -> Vec<f32> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    /// Validation loss per epoch (empty without validation data).
    pub fn val_loss(&self) -> Vec<f32> {
        self.epochs.iter().filter_map(|e| e.val_loss).collect()
    }

    /// Training accuracy per epoch (empty for autoencoders).
    pub fn train_accuracy(&self) -> Vec<f32> {
        self.epochs.iter().filter_map(|e| e.train_accuracy).collect()
    }

    /// Validation accuracy per epoch (empty for autoencoders).
    pub fn val_accuracy(&self) -> Vec<f32> {
        self.epochs.iter().filter_map(|e| e.val_accuracy).collect()
    }

    /// The last epoch's record.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// Median training seconds per epoch (the median shrugs off a noisy neighbour).
    pub fn median_epoch_seconds(&self) -> f64 {
        let mut s: Vec<f64> = self.epochs.iter().map(|e| e.train_seconds).collect();
        s.sort_by(f64::total_cmp);
        if s.is_empty() {
            0.0
        } else {
            s[s.len() / 2]
        }
    }

    /// Total wall seconds, training and validation.
    pub fn total_seconds(&self) -> f64 {
        self.epochs.iter().map(|e| e.train_seconds + e.eval_seconds).sum()
    }
}
