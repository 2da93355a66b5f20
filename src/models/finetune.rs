//! Fine-tuning: the pretrained encoder and a classifier head trained end to end, as one network.
//!
//! The study trains the encoder without labels and then freezes it: the MLP only ever sees
//! codes. Fine-tuning (Hinton & Salakhutdinov, 2006) lets the labels reach the encoder too:
//! the classifier's loss is back-propagated through the head *into* the encoder, so the code
//! learns to keep what tells digits apart rather than what rebuilds their pixels.
//!
//! The starting point is exactly the study's codes → MLP classifier: [`FineTuned::from_study`]
//! folds the code standardisation into the head's first layer, so before any fine-tuning the
//! network makes the study's predictions, and every point gained is the fine-tuning's.

use ndarray::{Array1, ArrayView1, ArrayView2, AsArray, Axis, Ix2};
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::models::autoencoder::Autoencoder;
use crate::models::mlp::{argmax_rows, classification_evaluation, classification_loss, Mlp};
use crate::models::scale::Standardizer;
use crate::nn::{Param, Stack};
use crate::rng::Rng;
use crate::train::{self, BatchStats, Evaluation, Event, History, Split, TrainParams, Trainable};

/// Encoder (pixels → code) and head (code → class logits), trained as one classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineTuned {
    /// The pretrained encoder, 784 → … → code.
    pub encoder: Stack,
    /// The classifier on the raw (unstandardised) code, code → … → logits.
    pub head: Stack,
}

impl FineTuned {
    /// The study's classifier as one network: `autoencoder`'s encoder, then `head` (trained on
    /// standardised codes) with the standardisation `scaler` folded into its first layer:
    /// `((c − m) / s)·W + b = c·(W / s) + (b − (m / s)·W)`.
    pub fn from_study(
        autoencoder: &Autoencoder,
        scaler: Option<&Standardizer>,
        head: &Mlp,
    ) -> Result<FineTuned> {
        let mut head = head.stack.clone();
        if head.inputs() != autoencoder.latent() {
            return Err(Error::shape(
                "FineTuned::from_study",
                format!("a head taking {} code units", autoencoder.latent()),
                format!("a head taking {}", head.inputs()),
            ));
        }
        if let (Some(scaler), Some(first)) = (scaler, head.layers.first_mut()) {
            if scaler.mean.len() != first.dense.inputs() {
                return Err(Error::shape(
                    "FineTuned::from_study",
                    format!("a scaler for {} code units", first.dense.inputs()),
                    scaler.mean.len().to_string(),
                ));
            }
            let w = &mut first.dense.w;
            for (mut row, &s) in w.axis_iter_mut(Axis(0)).zip(&scaler.std) {
                row /= s;
            }
            let shift = scaler.mean.dot(&*w); // (m / s)·W, with W already divided by s
            first.dense.b -= &shift;
        }
        Ok(FineTuned {
            encoder: autoencoder.encoder.clone(),
            head: Stack::from_layers(head.layers),
        })
    }

    /// The most likely class of every image x (n, 784) → (n).
    pub fn predict<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array1<u8>> {
        let codes = self.encoder.predict(x.into())?;
        Ok(argmax_rows(self.head.predict(codes.view())?.view()))
    }

    /// Multiply-adds per image of one forward pass through encoder and head.
    pub fn macs_per_sample(&self) -> usize {
        self.encoder.macs_per_sample() + self.head.macs_per_sample()
    }

    /// Trainable numbers of encoder and head.
    pub fn n_parameters(&self) -> usize {
        self.encoder.n_parameters() + self.head.n_parameters()
    }
}

impl Trainable for FineTuned {
    fn train_step(
        &mut self,
        x: ArrayView2<f32>,
        labels: Option<ArrayView1<u8>>,
        rng: &mut Rng,
    ) -> Result<BatchStats> {
        let labels = labels.ok_or(Error::MissingLabels { context: "fine-tuning" })?;
        let code = self.encoder.forward_train_dropout(x, rng);
        self.head.forward_train_dropout(code, rng);
        let stats = classification_loss(&mut self.head, labels);
        // The head's input gradient is the code's gradient: the labels reach the encoder.
        let grad_code =
            self.head.backward(self.encoder.output(), true).expect("asked for the input gradient");
        self.encoder.output_and_grad().1.assign(&grad_code);
        self.encoder.backward(x, false);
        Ok(stats)
    }

    fn parameters(&mut self) -> Vec<Param<'_>> {
        let mut params = self.encoder.parameters();
        params.extend(self.head.parameters());
        params
    }

    fn evaluate(&self, data: Split<'_>) -> Result<Evaluation> {
        let labels = data
            .labels
            .ok_or(Error::MissingLabels { context: "the accuracy of a fine-tuned model" })?;
        let logits = self.head.predict(self.encoder.predict(data.x)?.view())?;
        Ok(classification_evaluation(logits.view(), labels))
    }
}

/// How to fine-tune: a step schedule of (epochs, learning rate) stages, each a fresh Adam
/// with the study's other settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineTuneParams {
    /// (epochs, Adam learning rate) of each stage, in order: a step decay.
    pub stages: Vec<(usize, f32)>,
    /// Batch size, seed and optimiser settings other than the learning rate.
    pub train: TrainParams,
    /// Dropout rate of the pixels while fine-tuning (0: none).
    #[serde(default)]
    pub input_dropout: f32,
    /// Dropout rate of every later layer's input, encoder and head (0: none).
    #[serde(default)]
    pub dropout: f32,
}

impl Default for FineTuneParams {
    /// 10 epochs at 3e-4, then 5 at 3e-5 (batches of 256, Adam, seed 42): the study's Adam
    /// at a third of its learning rate, so the pretrained weights move gently, then a tenth of
    /// that to settle. Chosen among three schedules on the last 5,000 training images held
    /// out, never on the test set.
    fn default() -> Self {
        FineTuneParams {
            stages: vec![(10, 3e-4), (5, 3e-5)],
            train: TrainParams::default(),
            input_dropout: 0.0,
            dropout: 0.0,
        }
    }
}

impl FineTuneParams {
    /// Sets the seed of the batch order.
    pub fn seed(mut self, seed: u64) -> Self {
        self.train = self.train.seed(seed);
        self
    }

    /// Checks the schedule before any training.
    pub fn check(&self) -> Result<()> {
        if self.stages.is_empty() {
            return Err(Error::param(
                "stages",
                "[]",
                "give at least one (epochs, learning rate) stage",
            ));
        }
        for &(epochs, lr) in &self.stages {
            self.train.clone().epochs(epochs).learning_rate(lr).check()?;
        }
        Ok(())
    }

    /// Epochs of all stages together.
    pub fn epochs(&self) -> usize {
        self.stages.iter().map(|s| s.0).sum()
    }

    /// Fine-tunes `model` on `train`, stage after stage; the returned history runs over all
    /// stages, epochs numbered from 1. Pass `valid` to watch (and, with early stopping, to choose
    /// the epoch kept): the validation split, never the test set.
    pub fn fit(
        &self,
        mut model: FineTuned,
        train: &Dataset,
        valid: Option<&Dataset>,
        observer: &mut dyn FnMut(Event<'_>),
    ) -> Result<(FineTuned, History)> {
        self.check()?;
        model.encoder.check_input("FineTuneParams::fit (training images)", &train.x.view())?;
        model.encoder.set_dropout(self.input_dropout, self.dropout)?;
        model.head.set_dropout(self.dropout, self.dropout)?;
        let mut history = History::default();
        for (stage, &(epochs, lr)) in self.stages.iter().enumerate() {
            // Each stage reshuffles with its own seed, so no two stages see the same batches.
            let params = self
                .train
                .clone()
                .epochs(epochs)
                .learning_rate(lr)
                .seed(self.train.seed.wrapping_add(stage as u64));
            let done = history.epochs.len();
            let valid = valid.map(|v| Split::labelled(&v.x, &v.y));
            let mut renumber = |event: Event<'_>| match event {
                Event::Epoch(r) => observer(Event::Epoch(&crate::train::EpochRecord {
                    epoch: r.epoch + done,
                    ..r.clone()
                })),
                Event::Batch { epoch, done: d, total, running_loss } => {
                    observer(Event::Batch { epoch: epoch + done, done: d, total, running_loss })
                }
            };
            let part = train::fit(
                &mut model,
                Split::labelled(&train.x, &train.y),
                valid,
                &params,
                &mut renumber,
            )?;
            // With early stopping, the model holds this stage's best epoch: the last stage's
            // is the one it keeps.
            history.best_epoch = part.best_epoch.map(|best| best + done);
            history.epochs.extend(part.epochs.into_iter().map(|mut r| {
                r.epoch += done;
                r
            }));
        }
        Ok((model, history))
    }
}

/// Fine-tuning's outcome, as the chapter reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineTuneResult {
    /// The schedule.
    pub params: FineTuneParams,
    /// Test accuracy of the starting point (the study's codes → MLP, folded into one network).
    pub start_test_accuracy: f32,
    /// Test accuracy after fine-tuning, measured once, at the end.
    pub test_accuracy: f32,
    /// Training accuracy after fine-tuning.
    pub train_accuracy: f32,
    /// Median training seconds per epoch.
    pub seconds_per_epoch: f64,
    /// Multiply-adds per image of one forward pass.
    pub macs_per_sample: usize,
    /// Trainable numbers.
    pub parameters: usize,
    /// Per-epoch training loss and accuracy.
    pub history: History,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::autoencoder::AutoencoderParams;
    use crate::models::mlp::MlpParams;
    use ndarray::Array2;

    #[test]
    fn folding_the_scaler_into_the_head_keeps_every_prediction() {
        let ae = AutoencoderParams { inputs: 6, hidden: vec![5], latent: 4, ..Default::default() }
            .build()
            .unwrap();
        let x = Array2::from_shape_fn((30, 6), |(i, j)| ((i * 5 + j * 7) % 13) as f32 / 12.0);
        let codes = ae.encode(&x).unwrap();
        let scaler = Standardizer::fit(codes.view()).unwrap();
        let head = MlpParams::default().hidden(vec![3]).build(4).unwrap();
        let logits_study =
            head.stack.predict(scaler.transform(codes.view()).unwrap().view()).unwrap();
        let tuned = FineTuned::from_study(&ae, Some(&scaler), &head).unwrap();
        let logits_folded = tuned.head.predict(codes.view()).unwrap();
        for (a, b) in logits_folded.iter().zip(&logits_study) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn an_empty_schedule_is_refused() {
        let p = FineTuneParams { stages: vec![], ..Default::default() };
        assert!(matches!(p.check(), Err(Error::InvalidParam { name: "stages", .. })));
    }
}
