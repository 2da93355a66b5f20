//! The multi-layer perceptron classifier, on autoencoder codes or on raw pixels.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::models::memory;
use crate::nn::loss::softmax_cross_entropy;
use crate::nn::{Activation, Init, Param, Stack};
use crate::rng::{self, Rng};
use crate::train::{
    self, setters, BatchStats, Evaluation, Event, History, Split, TrainParams, Trainable,
};

/// Stream of the seed used for weight initialisation.
const INIT_STREAM: u64 = 20;

/// The shape and training of an MLP classifier. Checked before anything is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    /// Hidden widths, input side first.
    pub hidden: Vec<usize>,
    /// Non-linearity of the hidden layers (the original: ReLU).
    pub activation: Activation,
    /// How the weights are drawn (the original: Keras' default, Xavier/Glorot uniform).
    pub init: Init,
    /// Number of classes (10 digits). The original had 15 outputs for 10 classes by mistake.
    pub classes: usize,
    /// Dropout rate of the input features while training (the original: 0).
    #[serde(default)]
    pub input_dropout: f32,
    /// Dropout rate of every hidden layer's output while training (the original: 0).
    #[serde(default)]
    pub dropout: f32,
    /// Epochs, batches, seed and optimiser.
    pub train: TrainParams,
}

impl Default for MlpParams {
    /// The original's classifier on 32-d codes: → 128 → 64 → 10, ReLU then softmax.
    fn default() -> Self {
        MlpParams {
            hidden: vec![128, 64],
            activation: Activation::Relu,
            init: Init::Xavier,
            classes: 10,
            input_dropout: 0.0,
            dropout: 0.0,
            train: TrainParams::default(),
        }
    }
}

impl MlpParams {
    /// The raw-pixel baseline: 784 → 256 → 128 → 10.
    pub fn raw_pixels() -> Self {
        MlpParams { hidden: vec![256, 128], ..Default::default() }
    }

    setters! {
        /// Sets the hidden widths.
        hidden: Vec<usize>;
        /// Sets the training schedule.
        train: TrainParams;
        /// Sets the dropout rate of the input features.
        input_dropout: f32;
        /// Sets the dropout rate of the hidden layers.
        dropout: f32;
    }

    /// Checks sizes and the training schedule (the memory a network needs is checked by
    /// [`Self::build`], which knows the number of inputs).
    pub fn check(&self) -> Result<()> {
        if self.classes < 2 {
            return Err(Error::param(
                "classes",
                self.classes,
                "a classifier needs at least 2 classes",
            ));
        }
        if let Some(pos) = self.hidden.iter().position(|&h| h == 0) {
            return Err(Error::param(
                "hidden",
                format!("{:?}", self.hidden),
                format!("layer {} has width 0", pos + 1),
            ));
        }
        crate::nn::dropout::check_rate("input_dropout", self.input_dropout)?;
        crate::nn::dropout::check_rate("dropout", self.dropout)?;
        self.train.check()
    }

    /// A freshly initialised MLP for `inputs` features (seeded by `train.seed`).
    pub fn build(&self, inputs: usize) -> Result<Mlp> {
        self.check()?;
        if inputs == 0 {
            return Err(Error::param(
                "inputs",
                0,
                "the classifier needs at least one input feature",
            ));
        }
        self.check_memory(inputs)?;
        let mut layers: Vec<(usize, Activation)> =
            self.hidden.iter().map(|&h| (h, self.activation)).collect();
        // The last layer emits logits; softmax is fused into the loss (and applied by predict_proba).
        layers.push((self.classes, Activation::Identity));
        let mut rng = rng::seeded(self.train.seed, INIT_STREAM);
        let mut stack = Stack::new(inputs, &layers, self.init, &mut rng);
        stack.set_dropout(self.input_dropout, self.dropout)?;
        Ok(Mlp { stack })
    }

    /// Refuses a network for `inputs` features whose training would not fit in
    /// [`memory::MEMORY_LIMIT`], naming the setting to shrink.
    fn check_memory(&self, inputs: usize) -> Result<()> {
        let widths: Vec<usize> = std::iter::once(inputs)
            .chain(self.hidden.iter().copied())
            .chain([self.classes])
            .collect();
        let widest_hidden = self.hidden.iter().copied().max().unwrap_or(0);
        let widest = if widest_hidden >= inputs.max(self.classes) {
            (
                "hidden",
                format!("{:?}", self.hidden),
                "narrower hidden layers (the original uses [128, 64])",
            )
        } else if inputs >= self.classes {
            (
                "inputs",
                inputs.to_string(),
                "fewer input features (a code of 32, or MNIST's 784 pixels)",
            )
        } else {
            ("classes", self.classes.to_string(), "fewer classes (MNIST has 10)")
        };
        memory::check_memory(&[&widths], self.train.batch_size, widest)
    }

    /// Builds and trains a classifier on features x (n, d) with labels y (n), reporting
    /// validation loss and accuracy on `valid` after each epoch.
    pub fn fit<'a>(
        &self,
        x: ArrayView2<'a, f32>,
        y: ArrayView1<'a, u8>,
        valid: Option<(ArrayView2<'a, f32>, ArrayView1<'a, u8>)>,
        observer: &mut dyn FnMut(Event<'_>),
    ) -> Result<(Mlp, History)> {
        let mut model = self.build(x.ncols())?;
        model.check_labels(y)?;
        if let Some((vx, vy)) = valid {
            model.stack.check_input("MlpParams::fit (validation features)", &vx)?;
            model.check_labels(vy)?;
        }
        let valid = valid.map(|(x, y)| Split { x, labels: Some(y) });
        let history =
            train::fit(&mut model, Split { x, labels: Some(y) }, valid, &self.train, observer)?;
        Ok((model, history))
    }
}

/// A trained (or freshly built) MLP classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    /// The layers; the last one outputs one logit per class.
    pub stack: Stack,
}

impl Mlp {
    /// Class probabilities for every row of x (n, d) → (n, classes), each row summing to 1.
    pub fn predict_proba<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        let mut logits = self.stack.predict(x.into())?;
        Activation::Softmax.forward(logits.view_mut());
        Ok(logits)
    }

    /// The most likely class of every row of x (n, d) → (n).
    pub fn predict<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array1<u8>> {
        let logits = self.stack.predict(x.into())?;
        Ok(argmax_rows(logits.view()))
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.stack.outputs()
    }

    fn check_labels(&self, y: ArrayView1<u8>) -> Result<()> {
        match y.iter().find(|&&l| usize::from(l) >= self.classes()) {
            Some(&l) => Err(Error::param(
                "labels",
                l,
                format!("must be below the number of classes ({})", self.classes()),
            )),
            None => Ok(()),
        }
    }
}

/// Index of the largest value of each row (first one on ties).
pub fn argmax_rows(scores: ArrayView2<f32>) -> Array1<u8> {
    scores.map_axis(Axis(1), |row| {
        let mut best = 0;
        for (i, &v) in row.iter().enumerate() {
            if v > row[best] {
                best = i;
            }
        }
        best as u8
    })
}

/// The classification step's loss, on the batch whose forward pass `head` ran last: softmax
/// cross-entropy of its logits against `labels`, with the gradient written where
/// [`Stack::backward`] reads it, and the batch's correct predictions. The MLP and fine-tuning
/// both train through it.
pub(crate) fn classification_loss(head: &mut Stack, labels: ArrayView1<u8>) -> BatchStats {
    let (logits, grad) = head.output_and_grad();
    let correct = count_correct(logits, labels);
    let loss = softmax_cross_entropy(logits, labels, Some(grad));
    BatchStats { loss, correct: Some(correct) }
}

/// Loss and accuracy of a classifier's logits (n, classes) against `labels` (n).
pub(crate) fn classification_evaluation(
    logits: ArrayView2<f32>,
    labels: ArrayView1<u8>,
) -> Evaluation {
    Evaluation {
        loss: softmax_cross_entropy(logits, labels, None),
        accuracy: Some(count_correct(logits, labels) as f32 / labels.len().max(1) as f32),
    }
}

/// Rows whose largest logit is their label's.
fn count_correct(logits: ArrayView2<f32>, labels: ArrayView1<u8>) -> usize {
    argmax_rows(logits).iter().zip(labels).filter(|(p, l)| p == l).count()
}

impl Trainable for Mlp {
    fn train_step(
        &mut self,
        x: ArrayView2<f32>,
        labels: Option<ArrayView1<u8>>,
        rng: &mut Rng,
    ) -> Result<BatchStats> {
        let labels = labels.ok_or(Error::MissingLabels { context: "training a classifier" })?;
        self.stack.forward_train_dropout(x, rng);
        let stats = classification_loss(&mut self.stack, labels);
        self.stack.backward(x, false);
        Ok(stats)
    }

    fn parameters(&mut self) -> Vec<Param<'_>> {
        self.stack.parameters()
    }

    fn evaluate(&self, data: Split<'_>) -> Result<Evaluation> {
        let labels =
            data.labels.ok_or(Error::MissingLabels { context: "the accuracy of a classifier" })?;
        self.check_labels(labels)?;
        Ok(classification_evaluation(self.stack.predict(data.x)?.view(), labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_too_large_to_train_is_refused_before_anything_is_allocated() {
        let err = MlpParams::default().hidden(vec![128, 1 << 30]).build(32).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidParam { name: "hidden", reason, .. } if reason.contains("GiB")),
            "{err}"
        );
        let err = MlpParams::default().build(1 << 31).unwrap_err();
        assert!(matches!(err, Error::InvalidParam { name: "inputs", .. }), "{err}");
        MlpParams::raw_pixels().build(784).unwrap();
    }
}
