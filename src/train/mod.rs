//! The one training loop every model uses: seeded mini-batches, an optimiser step per batch,
//! validation after each epoch, a per-epoch history, and a guard against divergence.

use std::time::Instant;

use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::nn::{in_parallel, Param};
use crate::rng::{self, Rng};

mod history;
mod params;
mod schedule;

pub use history::{EpochRecord, History};
pub(crate) use params::setters;
pub use params::TrainParams;
pub use schedule::{EarlyStopping, Schedule};

/// Stream of the seed used for shuffling (see [`rng::seeded`]).
const SHUFFLE_STREAM: u64 = 1;
/// Stream of the seed used inside training steps (noise, sampling).
const STEP_STREAM: u64 = 2;

/// An observer for [`fit`] and the models' `fit` that ignores every event: for runs whose
/// progress nobody watches (the cached experiments, the tests).
pub fn silent(_: Event<'_>) {}

/// Inputs, and labels for classifiers.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// Samples, (n, features).
    pub x: ArrayView2<'a, f32>,
    /// Class labels, (n), or `None` for unsupervised models.
    pub labels: Option<ArrayView1<'a, u8>>,
}

impl<'a> Split<'a> {
    /// Unlabelled inputs (an autoencoder's training data).
    pub fn unlabelled(x: &'a Array2<f32>) -> Self {
        Split { x: x.view(), labels: None }
    }

    /// Inputs with labels (a classifier's training data).
    pub fn labelled(x: &'a Array2<f32>, labels: &'a Array1<u8>) -> Self {
        Split { x: x.view(), labels: Some(labels.view()) }
    }

    fn check(&self, context: &'static str) -> Result<()> {
        if let Some(labels) = self.labels {
            if labels.len() != self.x.nrows() {
                return Err(Error::shape(
                    context,
                    format!("{} labels (one per row)", self.x.nrows()),
                    labels.len().to_string(),
                ));
            }
        }
        Ok(())
    }
}

/// What one training step reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchStats {
    /// The batch's mean loss.
    pub loss: f32,
    /// Correctly classified samples in the batch (classifiers only).
    pub correct: Option<usize>,
}

/// A model's loss (and accuracy) on a whole dataset.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Mean loss over the dataset.
    pub loss: f32,
    /// Fraction classified right (classifiers only).
    pub accuracy: Option<f32>,
}

/// Anything the training loop can train: autoencoders of every kind, and the MLP.
pub trait Trainable {
    /// Forward pass, loss and backward pass on one batch, leaving the gradients in the
    /// parameters. `rng` serves any randomness of the step (input noise, VAE sampling).
    fn train_step(
        &mut self,
        x: ArrayView2<f32>,
        labels: Option<ArrayView1<u8>>,
        rng: &mut Rng,
    ) -> Result<BatchStats>;

    /// Every (parameter, gradient) pair, always in the same order.
    fn parameters(&mut self) -> Vec<Param<'_>>;

    /// Loss (and accuracy) on a whole dataset, without touching the training buffers.
    fn evaluate(&self, data: Split<'_>) -> Result<Evaluation>;
}

/// Progress reported while training, for progress bars and notebook logs.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A batch finished.
    Batch {
        /// 1-based epoch.
        epoch: usize,
        /// Batches done in this epoch.
        done: usize,
        /// Batches per epoch.
        total: usize,
        /// Mean training loss so far this epoch.
        running_loss: f32,
    },
    /// An epoch finished, with its record.
    Epoch(&'a EpochRecord),
}

/// Trains `model` on `train` for `params.epochs` epochs, validating on `valid` after each.
///
/// Every epoch draws a fresh permutation from the seeded generator, so the same seed gives
/// the same batches, the same updates and the same history. The learning rate follows
/// `params.schedule` step by step; with `params.early_stopping`, training stops once the
/// validation score has not improved for `patience` epochs, and the model keeps the weights
/// of its best epoch. A NaN or infinite loss stops training with [`Error::Diverged`],
/// naming the epoch.
pub fn fit<M: Trainable + Send + ?Sized>(
    model: &mut M,
    train: Split<'_>,
    valid: Option<Split<'_>>,
    params: &TrainParams,
    observer: &mut dyn FnMut(Event<'_>),
) -> Result<History> {
    params.check()?;
    train.check("fit (training data)")?;
    if let Some(valid) = &valid {
        valid.check("fit (validation data)")?;
    }
    if params.early_stopping.is_some() && valid.is_none() {
        return Err(Error::param(
            "early_stopping",
            "on",
            "needs validation data to watch; pass a validation split (never the test set)",
        ));
    }
    let n = train.x.nrows();
    if n == 0 {
        return Err(Error::EmptyData { context: "fit (training data)" });
    }
    if params.batch_size > n {
        return Err(Error::param(
            "batch_size",
            params.batch_size,
            format!("is larger than the training set ({n} samples); use at most {n}"),
        ));
    }

    let mut optimizer = params.optimizer.build();
    let mut epochs = EpochOrder::new(n, params);
    let mut step_rng = rng::seeded(params.seed, STEP_STREAM);
    let mut batch_x = Array2::<f32>::zeros((params.batch_size, train.x.ncols()));
    let mut batch_y = Array1::<u8>::zeros(params.batch_size);
    let batches = n.div_ceil(params.batch_size);
    let mut history = History::default();
    let (base_rate, total_steps) = (params.optimizer.learning_rate(), params.epochs * batches);
    let mut best = schedule::Best::default();

    // ANCHOR: epoch_loop
    for epoch in 1..=params.epochs {
        let started = Instant::now();
        let order = epochs.next_epoch();
        let (mut loss_sum, mut correct, mut seen) = (0.0f64, 0usize, 0usize);
        for (b, idx) in order.chunks(params.batch_size).enumerate() {
            let rows = idx.len();
            // The whole step runs on one of rayon's worker threads, so that the step's parallel
            // passes hand work to the other workers directly, without waking this thread each time.
            let stats = rayon::scope(|_| {
                gather_rows(train.x, idx, batch_x.slice_mut(s![..rows, ..]));
                if let Some(labels) = train.labels {
                    for (r, &i) in idx.iter().enumerate() {
                        batch_y[r] = labels[i];
                    }
                }
                let labels = train.labels.map(|_| batch_y.slice(s![..rows]));
                let stats =
                    model.train_step(batch_x.slice(s![..rows, ..]), labels, &mut step_rng)?;
                if stats.loss.is_finite() {
                    if params.schedule != Schedule::Constant {
                        let step = (epoch - 1) * batches + b;
                        let rate = base_rate * params.schedule.factor(step, total_steps);
                        optimizer.set_learning_rate(rate);
                    }
                    optimizer.step(model.parameters());
                }
                Ok::<_, Error>(stats)
            })?;
            if !stats.loss.is_finite() {
                return Err(Error::Diverged { epoch, what: "training", value: stats.loss });
            }
            loss_sum += f64::from(stats.loss) * rows as f64;
            correct += stats.correct.unwrap_or(0);
            seen += rows;
            observer(Event::Batch {
                epoch,
                done: b + 1,
                total: batches,
                running_loss: (loss_sum / seen as f64) as f32,
            });
        }
        let train_seconds = started.elapsed().as_secs_f64();

        let started = Instant::now();
        let evaluation = valid.map(|v| model.evaluate(v)).transpose()?;
        if let Some(e) = &evaluation {
            if !e.loss.is_finite() {
                return Err(Error::Diverged { epoch, what: "validation", value: e.loss });
            }
        }
        let record = EpochRecord {
            epoch,
            train_loss: (loss_sum / n as f64) as f32,
            val_loss: evaluation.map(|e| e.loss),
            train_accuracy: train.labels.map(|_| correct as f32 / n as f32),
            val_accuracy: evaluation.and_then(|e| e.accuracy),
            train_seconds,
            eval_seconds: started.elapsed().as_secs_f64(),
        };
        observer(Event::Epoch(&record));
        history.epochs.push(record);
        if let (Some(stop), Some(e)) = (params.early_stopping, evaluation) {
            let weights = || model.parameters().iter().map(|p| p.value.to_vec()).collect();
            if best.update(epoch, e.accuracy, e.loss, weights) >= stop.patience.max(1) {
                break;
            }
        }
    }
    if params.early_stopping.is_some() {
        let (epoch, weights) = best.into_parts();
        for (param, kept) in model.parameters().into_iter().zip(&weights) {
            param.value.copy_from_slice(kept);
        }
        history.best_epoch = Some(epoch);
    }
    // ANCHOR_END: epoch_loop
    Ok(history)
}

/// The order in which each epoch visits the training rows: a fresh permutation per epoch from
/// the seeded generator (or the rows in order when shuffling is off), so the same seed gives
/// the same batches. Public so that another implementation can replay the exact batches.
pub struct EpochOrder {
    order: Vec<usize>,
    rng: Rng,
    shuffle: bool,
}

impl EpochOrder {
    /// The epochs of training `n` rows with `params` (its seed and shuffle flag).
    pub fn new(n: usize, params: &TrainParams) -> Self {
        EpochOrder {
            order: (0..n).collect(),
            rng: rng::seeded(params.seed, SHUFFLE_STREAM),
            shuffle: params.shuffle,
        }
    }

    /// The row order of the next epoch; its chunks of `batch_size` are the batches.
    pub fn next_epoch(&mut self) -> &[usize] {
        if self.shuffle {
            self.order.shuffle(&mut self.rng);
        }
        &self.order
    }
}

/// Copies rows `idx` of `x` into `out`, (idx.len(), features). The rows lie scattered over
/// the whole training set, so the copy mostly waits on memory: each core copies a share.
fn gather_rows(x: ArrayView2<f32>, idx: &[usize], mut out: ArrayViewMut2<f32>) {
    let per_thread = idx.len().div_ceil(rayon::current_num_threads()).max(1);
    let shares: Vec<_> =
        idx.chunks(per_thread).zip(out.axis_chunks_iter_mut(Axis(0), per_thread)).collect();
    in_parallel(shares, |(idx, mut out)| {
        for (mut row, &i) in out.rows_mut().into_iter().zip(idx) {
            row.assign(&x.row(i));
        }
    });
}
