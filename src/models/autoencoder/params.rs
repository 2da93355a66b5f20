//! The hyperparameters of an autoencoder, checked before anything is built (linfa's
//! `hyperparams.rs`): shape, kind, loss and training schedule.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::{Autoencoder, AutoencoderKind};
use crate::data::IMAGE_PIXELS;
use crate::error::{Error, Result};
use crate::models::memory;
use crate::nn::{Activation, Init, ReconstructionLoss, Stack};
use crate::rng;
use crate::train::{self, setters, Event, History, Split, TrainParams};

/// Stream of the seed used for weight initialisation.
const INIT_STREAM: u64 = 10;

/// The shape and training of an autoencoder. Checked before anything is built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoencoderParams {
    /// Input features (784 for MNIST).
    pub inputs: usize,
    /// Hidden widths of the encoder, input side first; the decoder mirrors them.
    pub hidden: Vec<usize>,
    /// Size of the code (the bottleneck).
    pub latent: usize,
    /// Non-linearity of the hidden layers (the original: ReLU).
    pub activation: Activation,
    /// Non-linearity of the code layer (the original: ReLU). A VAE ignores it: μ and ln σ²
    /// are unbounded, so its encoder ends with the identity.
    pub code_activation: Activation,
    /// How the weights are drawn (the original: Keras' default, Xavier/Glorot uniform).
    pub init: Init,
    /// What training minimises (before any penalty of the kind).
    pub loss: ReconstructionLoss,
    /// Epochs, batches, seed and optimiser.
    pub train: TrainParams,
    /// Which autoencoder (absent in files written before the family existed: vanilla).
    #[serde(default)]
    pub kind: AutoencoderKind,
}

impl Default for AutoencoderParams {
    /// The original: 784 → 128 → 64 → 32 (ReLU), mirrored decoder with a sigmoid output, MSE,
    /// Adam, 15 epochs of batch 256.
    fn default() -> Self {
        AutoencoderParams {
            inputs: IMAGE_PIXELS,
            hidden: vec![128, 64],
            latent: 32,
            activation: Activation::Relu,
            code_activation: Activation::Relu,
            init: Init::Xavier,
            loss: ReconstructionLoss::Mse,
            train: TrainParams::default(),
            kind: AutoencoderKind::Vanilla,
        }
    }
}

impl AutoencoderParams {
    /// The original's shape and schedule, set up for `kind` the way the book trains it: a
    /// sigmoid code for the KL sparsity penalty (it needs activations in (0, 1)) and binary
    /// cross-entropy for the VAE (the likelihood of its ELBO); everything else as the original.
    pub fn of_kind(kind: AutoencoderKind) -> Self {
        let mut params = AutoencoderParams { kind, ..Default::default() };
        kind.variant().book_settings(&mut params);
        params
    }

    setters! {
        /// Sets the kind (nothing else; see [`Self::of_kind`] for the matching settings).
        kind: AutoencoderKind;
        /// Sets the code size.
        latent: usize;
        /// Sets the encoder's hidden widths.
        hidden: Vec<usize>;
        /// Sets the reconstruction loss.
        loss: ReconstructionLoss;
        /// Sets the training schedule.
        train: TrainParams;
    }

    /// Checks sizes, the kind's settings and the training schedule.
    pub fn check(&self) -> Result<()> {
        if self.inputs == 0 {
            return Err(Error::param("inputs", 0, "must be at least 1 (784 for MNIST)"));
        }
        if self.latent == 0 {
            return Err(Error::param(
                "latent",
                0,
                "the code needs at least 1 number (the original uses 32)",
            ));
        }
        if let Some(pos) = self.hidden.iter().position(|&h| h == 0) {
            return Err(Error::param(
                "hidden",
                format!("{:?}", self.hidden),
                format!("layer {} has width 0", pos + 1),
            ));
        }
        let variant = self.kind.variant();
        variant.check()?;
        variant.check_params(self)?;
        self.train.check()?;
        self.check_memory()
    }

    /// Refuses a network whose training would not fit in [`memory::MEMORY_LIMIT`], naming the
    /// setting to shrink: the batch size if a batch of one would fit, else the widest layer.
    fn check_memory(&self) -> Result<()> {
        let encoder = std::iter::once(self.inputs).chain(self.hidden.iter().copied());
        let encoder: Vec<usize> = encoder.chain([self.kind.encoder_outputs(self.latent)]).collect();
        let decoder: Vec<usize> = std::iter::once(self.latent)
            .chain(self.hidden.iter().rev().copied())
            .chain([self.inputs])
            .collect();
        let widest_hidden = self.hidden.iter().copied().max().unwrap_or(0);
        let widest = if self.latent >= widest_hidden.max(self.inputs) {
            ("latent", self.latent.to_string(), "a smaller code (the original uses 32)")
        } else if widest_hidden >= self.inputs {
            (
                "hidden",
                format!("{:?}", self.hidden),
                "narrower hidden layers (the original uses [128, 64])",
            )
        } else {
            ("inputs", self.inputs.to_string(), "fewer input features (MNIST has 784)")
        };
        memory::check_memory(&[&encoder, &decoder], self.train.batch_size, widest)
    }

    /// A freshly initialised autoencoder of this shape (seeded by `train.seed`).
    pub fn build(&self) -> Result<Autoencoder> {
        self.check()?;
        let mut rng = rng::seeded(self.train.seed, INIT_STREAM);
        let code_activation = self.kind.variant().code_activation(self.code_activation);
        let mut enc: Vec<(usize, Activation)> =
            self.hidden.iter().map(|&h| (h, self.activation)).collect();
        enc.push((self.kind.encoder_outputs(self.latent), code_activation));
        let mut dec: Vec<(usize, Activation)> =
            self.hidden.iter().rev().map(|&h| (h, self.activation)).collect();
        dec.push((self.inputs, Activation::Sigmoid));
        Ok(Autoencoder {
            encoder: Stack::new(self.inputs, &enc, self.init, &mut rng),
            decoder: Stack::new(self.latent, &dec, self.init, &mut rng),
            loss: self.loss,
            kind: self.kind,
        })
    }

    /// Builds and trains an autoencoder on `train` images (n, inputs), reporting the
    /// validation loss on `valid` after each epoch.
    pub fn fit(
        &self,
        train: ArrayView2<f32>,
        valid: Option<ArrayView2<f32>>,
        observer: &mut dyn FnMut(Event<'_>),
    ) -> Result<(Autoencoder, History)> {
        let mut model = self.build()?;
        model.encoder.check_input("AutoencoderParams::fit (training images)", &train)?;
        if let Some(v) = &valid {
            model.encoder.check_input("AutoencoderParams::fit (validation images)", v)?;
        }
        let valid = valid.map(|x| Split { x, labels: None });
        let history =
            train::fit(&mut model, Split { x: train, labels: None }, valid, &self.train, observer)?;
        Ok((model, history))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_too_large_to_train_is_refused_before_anything_is_allocated() {
        let err = AutoencoderParams::default().latent(100_000_000).check().unwrap_err();
        let Error::InvalidParam { name, reason, .. } = &err else { panic!("{err}") };
        assert_eq!(*name, "latent");
        assert!(reason.contains("GiB") && reason.contains("smaller"), "{reason}");
        // A batch too large for a fitting network names the batch size instead.
        let train = TrainParams::default().batch_size(50_000_000);
        let err = AutoencoderParams::default().train(train).check().unwrap_err();
        assert!(matches!(err, Error::InvalidParam { name: "batch_size", .. }), "{err}");
        // The original fits easily.
        AutoencoderParams::default().check().unwrap();
    }
}
