//! The autoencoder family: an encoder stack squeezes 784 pixels into a small code, a decoder
//! stack rebuilds the image from it, and training minimises the reconstruction loss — plus,
//! depending on the [`AutoencoderKind`], noise on the input (denoising), a penalty on the
//! code (sparse), or a sampled code and a KL term (variational).
//!
//! One struct and one training step serve all four kinds; the kinds' own pieces live in
//! [`Noise`], [`sparse`] and [`variational`].

pub mod kind;
pub mod sparse;
pub mod variational;

use ndarray::{Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix2};
use serde::{Deserialize, Serialize};

pub use crate::data::noise::Noise;
pub use kind::AutoencoderKind;
pub use sparse::SparsityPenalty;

use crate::data::IMAGE_PIXELS;
use crate::error::{Error, Result};
use crate::nn::{Activation, Init, Param, ReconstructionLoss, Stack};
use crate::rng::{self, Rng};
use crate::train::{self, BatchStats, Evaluation, Event, History, Split, TrainParams, Trainable};

/// Stream of the seed used for weight initialisation.
const INIT_STREAM: u64 = 10;
/// Stream of the seed used to sample codes from a VAE's prior.
const PRIOR_STREAM: u64 = 11;

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
        match kind {
            AutoencoderKind::Sparse(SparsityPenalty::Kl { .. }) => params.code_activation = Activation::Sigmoid,
            AutoencoderKind::Variational { .. } => {
                params.loss = ReconstructionLoss::Bce;
                params.code_activation = Activation::Identity;
            }
            _ => {}
        }
        params
    }

    /// Sets the kind (nothing else; see [`Self::of_kind`] for the matching settings).
    pub fn kind(mut self, kind: AutoencoderKind) -> Self {
        self.kind = kind;
        self
    }

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

    /// Checks sizes, the kind's settings and the training schedule.
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
        self.kind.check()?;
        if matches!(self.kind, AutoencoderKind::Sparse(SparsityPenalty::Kl { .. }))
            && self.code_activation != Activation::Sigmoid
        {
            return Err(Error::param(
                "code_activation",
                self.code_activation.name(),
                "the KL sparsity penalty needs code values in (0, 1): use Activation::Sigmoid \
                 (AutoencoderParams::of_kind sets it)",
            ));
        }
        self.train.check()
    }

    /// A freshly initialised autoencoder of this shape (seeded by `train.seed`).
    pub fn build(&self) -> Result<Autoencoder> {
        self.check()?;
        let mut rng = rng::seeded(self.train.seed, INIT_STREAM);
        let code_activation = if matches!(self.kind, AutoencoderKind::Variational { .. }) {
            Activation::Identity
        } else {
            self.code_activation
        };
        let mut enc: Vec<(usize, Activation)> = self.hidden.iter().map(|&h| (h, self.activation)).collect();
        enc.push((self.kind.encoder_outputs(self.latent), code_activation));
        let mut dec: Vec<(usize, Activation)> = self.hidden.iter().rev().map(|&h| (h, self.activation)).collect();
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
        let history = train::fit(&mut model, Split { x: train, labels: None }, valid, &self.train, observer)?;
        Ok((model, history))
    }
}

/// A trained (or freshly built) autoencoder of any kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Autoencoder {
    /// Pixels → code (for a VAE: → μ and ln σ², 2·latent numbers).
    pub encoder: Stack,
    /// Code → pixels (sigmoid output, in (0, 1)).
    pub decoder: Stack,
    /// The reconstruction loss it was trained with.
    pub loss: ReconstructionLoss,
    /// Which autoencoder (absent in files written before the family existed: vanilla).
    #[serde(default)]
    pub kind: AutoencoderKind,
}

/// The random draws of one training step, kept apart from the step so that it can be
/// replayed exactly: that is what makes a noisy or sampling loss checkable by finite
/// differences (see [`Replay`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draws {
    /// The corrupted input the encoder sees (denoising), (batch, inputs).
    pub input: Option<Array2<f32>>,
    /// ε ~ N(0, I) of the reparameterisation (variational), (batch, latent).
    pub eps: Option<Array2<f32>>,
}

impl Autoencoder {
    /// The code of every image. x: (n, inputs) → (n, latent). For a VAE, the mean μ: the
    /// deterministic code, the one to classify or plot.
    pub fn encode<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        let out = self.encoder.predict(x.into())?;
        Ok(match self.kind {
            AutoencoderKind::Variational { .. } => variational::split(out.view()).0.to_owned(),
            _ => out,
        })
    }

    /// A VAE's μ and ln σ² for every image, each (n, latent); an error for other kinds.
    pub fn encode_distribution<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<(Array2<f32>, Array2<f32>)> {
        self.require_variational("encode_distribution")?;
        let out = self.encoder.predict(x.into())?;
        let (mu, log_var) = variational::split(out.view());
        Ok((mu.to_owned(), log_var.to_owned()))
    }

    /// The image each code decodes to. codes: (n, latent) → (n, inputs).
    pub fn decode<'a>(&self, codes: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        self.decoder.predict(codes.into())
    }

    /// Encode then decode (a VAE decodes μ). x: (n, inputs) → (n, inputs).
    pub fn reconstruct<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        self.decode(&self.encode(x)?)
    }

    /// `n` new images from a VAE: codes drawn from the prior N(0, I) with a generator seeded
    /// by `seed`, then decoded. (n, inputs). An error for other kinds, which have no prior.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Array2<f32>> {
        self.require_variational("sample")?;
        let z = variational::standard_normal(n, self.latent(), &mut rng::seeded(seed, PRIOR_STREAM));
        self.decode(&z)
    }

    /// Mean squared error between the images and their reconstructions, over every pixel.
    ///
    /// Works through the images in chunks, so even 60,000 reconstructions never sit in memory at once.
    pub fn reconstruction_mse<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<f32> {
        self.reconstruction_error(x, ReconstructionLoss::Mse)
    }

    /// The mean `loss` (MSE or BCE, per pixel) between images and their reconstructions, in chunks.
    pub fn reconstruction_error<'a>(&self, x: impl AsArray<'a, f32, Ix2>, loss: ReconstructionLoss) -> Result<f32> {
        let x = x.into();
        let mut sum = 0.0f64;
        for chunk in x.axis_chunks_iter(Axis(0), 4096) {
            let n = chunk.len() as f64;
            sum += f64::from(loss.compute(self.reconstruct(chunk)?.view(), chunk, None)) * n;
        }
        Ok((sum / x.len().max(1) as f64) as f32)
    }

    /// Size of the code.
    pub fn latent(&self) -> usize {
        match self.kind {
            AutoencoderKind::Variational { .. } => self.encoder.outputs() / 2,
            _ => self.encoder.outputs(),
        }
    }

    /// The random draws of one training step on x (batch, inputs): a corrupted copy of x for
    /// a denoising autoencoder, ε for a VAE, nothing for the others.
    pub fn draw(&self, x: ArrayView2<f32>, rng: &mut Rng) -> Draws {
        match self.kind {
            AutoencoderKind::Denoising(noise) => Draws { input: Some(noise.corrupt(x, rng)), eps: None },
            AutoencoderKind::Variational { .. } => {
                Draws { input: None, eps: Some(variational::standard_normal(x.nrows(), self.latent(), rng)) }
            }
            _ => Draws::default(),
        }
    }

    /// One training step on clean images x (batch, inputs) with the given draws: forward,
    /// loss, backward, leaving the gradients in the parameters. Returns the batch's loss.
    ///
    /// The loss is the reconstruction loss of x (a mean over every pixel), plus the sparsity
    /// penalty of the code, or plus `β · KL / inputs` for a VAE (see [`variational`]).
    pub fn step_with(&mut self, x: ArrayView2<f32>, draws: &Draws) -> Result<f32> {
        let input = self.check_draws(x.view(), draws)?;
        let out = self.encoder.forward_train(input).to_owned();
        let code = self.code_of(out.view(), draws)?;
        self.decoder.forward_train(code.view());
        let (reconstruction, grad) = self.decoder.output_and_grad();
        let mut loss = self.loss.compute(reconstruction, x, Some(grad));
        let grad_code = self.decoder.backward(code.view(), true).expect("asked for the input gradient").to_owned();
        let mut grad_out = Array2::zeros(out.raw_dim());
        match self.kind {
            AutoencoderKind::Vanilla | AutoencoderKind::Denoising(_) => grad_out.assign(&grad_code),
            AutoencoderKind::Sparse(penalty) => {
                grad_out.assign(&grad_code);
                loss += penalty.value(out.view());
                penalty.add_gradient(out.view(), grad_out.view_mut());
            }
            AutoencoderKind::Variational { beta } => {
                let (mu, log_var) = variational::split(out.view());
                let eps = draws.eps.as_ref().expect("checked by code_of");
                let scale = self.kl_scale(beta);
                loss += scale * variational::kl_divergence(mu, log_var);
                let (mut grad_mu, mut grad_log_var) = grad_out.view_mut().split_at(Axis(1), self.latent());
                variational::add_sample_gradient(
                    grad_code.view(),
                    log_var,
                    eps.view(),
                    grad_mu.view_mut(),
                    grad_log_var.view_mut(),
                );
                variational::add_kl_gradient(mu, log_var, scale, grad_mu, grad_log_var);
            }
        }
        self.encoder.output_and_grad().1.assign(&grad_out);
        self.encoder.backward(input, false);
        Ok(loss)
    }

    /// The loss [`Self::step_with`] computes for these draws, without touching the training
    /// buffers. With no draws it is deterministic: clean input, and a VAE decodes μ.
    pub fn loss_with(&self, x: ArrayView2<f32>, draws: &Draws) -> Result<f32> {
        let input = self.check_draws(x.view(), draws)?;
        let out = self.encoder.predict(input)?;
        let code = self.code_of(out.view(), draws)?;
        let reconstruction = self.decoder.predict(code.view())?;
        let mut loss = self.loss.compute(reconstruction.view(), x, None);
        match self.kind {
            AutoencoderKind::Sparse(penalty) => loss += penalty.value(out.view()),
            AutoencoderKind::Variational { beta } => {
                let (mu, log_var) = variational::split(out.view());
                loss += self.kl_scale(beta) * variational::kl_divergence(mu, log_var);
            }
            _ => {}
        }
        Ok(loss)
    }

    /// The weight of a VAE's KL term against the per-pixel reconstruction loss: β / inputs,
    /// so that (loss × inputs) = (reconstruction summed over an image) + β · KL, the negative
    /// ELBO per image when β = 1.
    fn kl_scale(&self, beta: f32) -> f32 {
        beta / self.encoder.inputs().max(1) as f32
    }

    /// The code the decoder sees, from the encoder's output: the output itself, or for a VAE
    /// `μ + σ ε` with the drawn ε (μ when there is none).
    fn code_of(&self, out: ArrayView2<f32>, draws: &Draws) -> Result<Array2<f32>> {
        Ok(match (self.kind, &draws.eps) {
            (AutoencoderKind::Variational { .. }, Some(eps)) => {
                let (mu, log_var) = variational::split(out);
                if eps.dim() != mu.dim() {
                    return Err(Error::shape(
                        "Autoencoder (ε)",
                        format!("{:?}", mu.shape()),
                        format!("{:?}", eps.shape()),
                    ));
                }
                variational::reparameterise(mu, log_var, eps.view())
            }
            (AutoencoderKind::Variational { .. }, None) => variational::split(out).0.to_owned(),
            _ => out.to_owned(),
        })
    }

    /// The encoder's input for x under these draws, with every shape checked.
    fn check_draws<'a>(&self, x: ArrayView2<'a, f32>, draws: &'a Draws) -> Result<ArrayView2<'a, f32>> {
        self.encoder.check_input("Autoencoder (images)", &x)?;
        match &draws.input {
            Some(input) if input.dim() != x.dim() => Err(Error::shape(
                "Autoencoder (corrupted input)",
                format!("{:?}", x.shape()),
                format!("{:?}", input.shape()),
            )),
            Some(input) => Ok(input.view()),
            None => Ok(x),
        }
    }

    fn require_variational(&self, what: &str) -> Result<()> {
        match self.kind {
            AutoencoderKind::Variational { .. } => Ok(()),
            other => Err(Error::param(
                "kind",
                other.name(),
                format!("{what} needs a variational autoencoder (the only kind with a distribution over codes)"),
            )),
        }
    }
}

impl Trainable for Autoencoder {
    fn train_step(&mut self, x: ArrayView2<f32>, _labels: Option<ArrayView1<u8>>, rng: &mut Rng) -> Result<BatchStats> {
        let draws = self.draw(x, rng);
        Ok(BatchStats { loss: self.step_with(x, &draws)?, correct: None })
    }

    fn parameters(&mut self) -> Vec<Param<'_>> {
        let mut params = self.encoder.parameters();
        params.extend(self.decoder.parameters());
        params
    }

    /// Deterministic, so the training loop's validation and gradient checks can use it:
    /// clean inputs, μ as a VAE's code, plus the kind's penalty or KL term.
    fn evaluate(&self, data: Split<'_>) -> Result<Evaluation> {
        Ok(Evaluation { loss: self.loss_with(data.x, &Draws::default())?, accuracy: None })
    }
}

/// An autoencoder whose every step replays the same draws (noise, ε): a deterministic
/// function of its weights, so [`crate::nn::gradcheck::check_gradients`] can check the denoising
/// and variational losses, stochastic parts included.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The model.
    pub model: Autoencoder,
    /// The draws every step and evaluation uses.
    pub draws: Draws,
}

impl Trainable for Replay {
    fn train_step(&mut self, x: ArrayView2<f32>, _: Option<ArrayView1<u8>>, _: &mut Rng) -> Result<BatchStats> {
        Ok(BatchStats { loss: self.model.step_with(x, &self.draws)?, correct: None })
    }

    fn parameters(&mut self) -> Vec<Param<'_>> {
        self.model.parameters()
    }

    fn evaluate(&self, data: Split<'_>) -> Result<Evaluation> {
        Ok(Evaluation { loss: self.model.loss_with(data.x, &self.draws)?, accuracy: None })
    }
}
