//! The autoencoder: an encoder stack squeezes 784 pixels into a small code, a decoder stack
//! rebuilds the image from it, and training minimises the reconstruction loss.

use ndarray::{Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix2};
use serde::{Deserialize, Serialize};

use crate::data::IMAGE_PIXELS;
use crate::error::{Error, Result};
use crate::nn::{Activation, Init, Param, ReconstructionLoss, Stack};
use crate::rng::{self, Rng};
use crate::train::{self, BatchStats, Evaluation, Event, History, Split, TrainParams, Trainable};

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
    /// Non-linearity of the code layer (the original: ReLU).
    pub code_activation: Activation,
    /// How the weights are drawn (the original: Keras' default, Xavier/Glorot uniform).
    pub init: Init,
    /// What training minimises.
    pub loss: ReconstructionLoss,
    /// Epochs, batches, seed and optimiser.
    pub train: TrainParams,
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
        }
    }
}

impl AutoencoderParams {
    /// Sets the code size.
    pub fn latent(mut self, latent: usize) -> Self {
        self.latent = latent;
        self
    }

    /// Sets the encoder's hidden widths.
    pub fn hidden(mut self, hidden: Vec<usize>) -> Self {
        self.hidden = hidden;
        self
    }

    /// Sets the reconstruction loss.
    pub fn loss(mut self, loss: ReconstructionLoss) -> Self {
        self.loss = loss;
        self
    }

    /// Sets the training schedule.
    pub fn train(mut self, train: TrainParams) -> Self {
        self.train = train;
        self
    }

    /// Checks sizes and the training schedule.
    pub fn check(&self) -> Result<()> {
        if self.inputs == 0 {
            return Err(Error::param("inputs", 0, "must be at least 1 (784 for MNIST)"));
        }
        if self.latent == 0 {
            return Err(Error::param("latent", 0, "the code needs at least 1 number (the original uses 32)"));
        }
        if let Some(pos) = self.hidden.iter().position(|&h| h == 0) {
            return Err(Error::param("hidden", format!("{:?}", self.hidden), format!("layer {} has width 0", pos + 1)));
        }
        self.train.check()
    }

    /// A freshly initialised autoencoder of this shape (seeded by `train.seed`).
    pub fn build(&self) -> Result<Autoencoder> {
        self.check()?;
        let mut rng = rng::seeded(self.train.seed, INIT_STREAM);
        let mut enc: Vec<(usize, Activation)> = self.hidden.iter().map(|&h| (h, self.activation)).collect();
        enc.push((self.latent, self.code_activation));
        let mut dec: Vec<(usize, Activation)> = self.hidden.iter().rev().map(|&h| (h, self.activation)).collect();
        dec.push((self.inputs, Activation::Sigmoid));
        Ok(Autoencoder {
            encoder: Stack::new(self.inputs, &enc, self.init, &mut rng),
            decoder: Stack::new(self.latent, &dec, self.init, &mut rng),
            loss: self.loss,
        })
    }

    /// Builds and trains an autoencoder on `train` images (n, inputs), reporting the
    /// reconstruction loss on `valid` after each epoch.
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
        let history = train::fit(&mut model, Split { x: train, labels: None }, valid, &self.train, observer)?;
        Ok((model, history))
    }
}

/// A trained (or freshly built) autoencoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Autoencoder {
    /// Pixels → code.
    pub encoder: Stack,
    /// Code → pixels (sigmoid output, in (0, 1)).
    pub decoder: Stack,
    /// The loss it was trained with.
    pub loss: ReconstructionLoss,
}

impl Autoencoder {
    /// The code of every image. x: (n, inputs) → (n, latent).
    pub fn encode<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        self.encoder.predict(x.into())
    }

    /// The image each code decodes to. codes: (n, latent) → (n, inputs).
    pub fn decode<'a>(&self, codes: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        self.decoder.predict(codes.into())
    }

    /// Encode then decode. x: (n, inputs) → (n, inputs).
    pub fn reconstruct<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        self.decode(&self.encode(x)?)
    }

    /// Mean squared error between the images and their reconstructions, over every pixel.
    ///
    /// Works through the images in chunks, so even 60,000 reconstructions never sit in memory at once.
    pub fn reconstruction_mse<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<f32> {
        let x = x.into();
        let mut sum = 0.0f64;
        for chunk in x.axis_chunks_iter(Axis(0), 4096) {
            let n = chunk.len() as f64;
            sum += f64::from(crate::nn::loss::mse(self.reconstruct(chunk)?.view(), chunk, None)) * n;
        }
        Ok((sum / x.len().max(1) as f64) as f32)
    }

    /// Size of the code.
    pub fn latent(&self) -> usize {
        self.encoder.outputs()
    }
}

impl Trainable for Autoencoder {
    fn train_step(
        &mut self,
        x: ArrayView2<f32>,
        _labels: Option<ArrayView1<u8>>,
        _rng: &mut Rng,
    ) -> Result<BatchStats> {
        let code = self.encoder.forward_train(x);
        self.decoder.forward_train(code);
        let (reconstruction, grad) = self.decoder.output_and_grad();
        let loss = self.loss.compute(reconstruction, x, Some(grad));
        let grad_code = self.decoder.backward(self.encoder.output(), true).expect("asked for the input gradient");
        self.encoder.output_and_grad().1.assign(&grad_code);
        self.encoder.backward(x, false);
        Ok(BatchStats { loss, correct: None })
    }

    fn parameters(&mut self) -> Vec<Param<'_>> {
        let mut params = self.encoder.parameters();
        params.extend(self.decoder.parameters());
        params
    }

    fn evaluate(&self, data: Split<'_>) -> Result<Evaluation> {
        let reconstruction = self.reconstruct(data.x)?;
        Ok(Evaluation { loss: self.loss.compute(reconstruction.view(), data.x, None), accuracy: None })
    }
}
