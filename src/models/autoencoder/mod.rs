//! The autoencoder family: an encoder stack squeezes 784 pixels into a small code, a decoder
//! stack rebuilds the image from it, and training minimises the reconstruction loss — plus,
//! depending on the [`AutoencoderKind`], noise on the input (denoising), a penalty on the
//! code (sparse), or a sampled code and a KL term (variational).
//!
//! One struct and one training step serve all four kinds ([`Autoencoder::step_with`]); what
//! a kind adds sits behind the [`kind::Variant`] trait, one file per kind: [`vanilla`],
//! [`denoising`] (with its [`Noise`]), [`sparse`] and [`variational`]. The settings are in
//! [`params`].

pub mod denoising;
pub mod kind;
pub mod params;
pub mod sparse;
pub mod vanilla;
pub mod variational;

use ndarray::{Array2, ArrayView1, ArrayView2, AsArray, Axis, Ix2};
use serde::{Deserialize, Serialize};

pub use crate::data::noise::Noise;
pub use kind::AutoencoderKind;
pub use params::AutoencoderParams;
pub use sparse::SparsityPenalty;

use crate::error::{Error, Result};
use crate::nn::{Param, ReconstructionLoss, Stack};
use crate::rng::{self, Rng};
use crate::train::{BatchStats, Evaluation, Split, Trainable};

/// Stream of the seed used to sample codes from a VAE's prior.
const PRIOR_STREAM: u64 = 11;

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
        Ok(self.kind.variant().code(out.view(), &Draws::default())?.into_owned())
    }

    /// A VAE's μ and ln σ² for every image, each (n, latent); an error for other kinds.
    pub fn encode_distribution<'a>(
        &self,
        x: impl AsArray<'a, f32, Ix2>,
    ) -> Result<(Array2<f32>, Array2<f32>)> {
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
        let z =
            variational::standard_normal(n, self.latent(), &mut rng::seeded(seed, PRIOR_STREAM));
        self.decode(&z)
    }

    /// Mean squared error between the images and their reconstructions, over every pixel.
    ///
    /// Works through the images in chunks, so even 60,000 reconstructions never sit in memory at once.
    pub fn reconstruction_mse<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<f32> {
        self.reconstruction_error(x, ReconstructionLoss::Mse)
    }

    /// The mean `loss` (MSE or BCE, per pixel) between images and their reconstructions, in chunks.
    pub fn reconstruction_error<'a>(
        &self,
        x: impl AsArray<'a, f32, Ix2>,
        loss: ReconstructionLoss,
    ) -> Result<f32> {
        let x = x.into();
        let mut sum = 0.0f64;
        for chunk in x.axis_chunks_iter(Axis(0), 4096) {
            let n = chunk.len() as f64;
            sum += f64::from(loss.compute(self.reconstruct(chunk)?.view(), chunk, None)) * n;
        }
        Ok((sum / x.len().max(1) as f64) as f32)
    }

    /// Size of the code, as the encoder makes it (a VAE's encoder gives μ and ln σ², two
    /// numbers per code unit). Read from the encoder, not the decoder, so that a saved model
    /// whose two halves do not fit together is caught when it loads.
    pub fn latent(&self) -> usize {
        self.encoder.outputs() / self.kind.encoder_outputs(1).max(1)
    }

    /// The random draws of one training step on x (batch, inputs): a corrupted copy of x for
    /// a denoising autoencoder, ε for a VAE, nothing for the others.
    pub fn draw(&self, x: ArrayView2<f32>, rng: &mut Rng) -> Draws {
        self.kind.variant().draw(x, self.latent(), rng)
    }

    // ANCHOR: step_with
    /// One training step on clean images x (batch, inputs) with the given draws: forward,
    /// loss, backward, leaving the gradients in the parameters. Returns the batch's loss.
    ///
    /// The loss is the reconstruction loss of x (a mean over every pixel) plus the kind's
    /// penalty: the sparsity penalty of the code, or `β · KL / inputs` for a VAE (see
    /// [`variational`]). The step reads and writes the stacks' own buffers: the draws and a
    /// VAE's sampled code are the only batch-sized arrays it makes.
    pub fn step_with(&mut self, x: ArrayView2<f32>, draws: &Draws) -> Result<f32> {
        let input = self.check_draws(x.view(), draws)?;
        let (variant, inputs) = (self.kind.variant(), self.encoder.inputs());
        // Forward: encoder, the kind's code, decoder, reconstruction loss.
        let out = self.encoder.forward_train(input);
        let code = variant.code(out, draws)?;
        self.decoder.forward_train(code.view());
        let (reconstruction, grad) = self.decoder.output_and_grad();
        let mut loss = self.loss.compute(reconstruction, x, Some(grad));
        // Backward: decoder, the kind's code and penalty, encoder.
        let grad_code =
            self.decoder.backward(code.view(), true).expect("asked for the input gradient");
        let (out, grad_out) = self.encoder.output_and_grad();
        loss += variant.penalty(out, inputs);
        variant.backward(out, grad_code, draws, inputs, grad_out);
        self.encoder.backward(input, false);
        Ok(loss)
    }
    // ANCHOR_END: step_with

    /// The loss [`Self::step_with`] computes for these draws, without touching the training
    /// buffers. With no draws it is deterministic: clean input, and a VAE decodes μ.
    pub fn loss_with(&self, x: ArrayView2<f32>, draws: &Draws) -> Result<f32> {
        let input = self.check_draws(x.view(), draws)?;
        let variant = self.kind.variant();
        let out = self.encoder.predict(input)?;
        let reconstruction = self.decoder.predict(variant.code(out.view(), draws)?.view())?;
        let loss = self.loss.compute(reconstruction.view(), x, None);
        Ok(loss + variant.penalty(out.view(), self.encoder.inputs()))
    }

    /// The encoder's input for x under these draws, with every shape checked.
    fn check_draws<'a>(
        &self,
        x: ArrayView2<'a, f32>,
        draws: &'a Draws,
    ) -> Result<ArrayView2<'a, f32>> {
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
    fn train_step(
        &mut self,
        x: ArrayView2<f32>,
        _labels: Option<ArrayView1<u8>>,
        rng: &mut Rng,
    ) -> Result<BatchStats> {
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
    fn train_step(
        &mut self,
        x: ArrayView2<f32>,
        _: Option<ArrayView1<u8>>,
        _: &mut Rng,
    ) -> Result<BatchStats> {
        Ok(BatchStats { loss: self.model.step_with(x, &self.draws)?, correct: None })
    }

    fn parameters(&mut self) -> Vec<Param<'_>> {
        self.model.parameters()
    }

    fn evaluate(&self, data: Split<'_>) -> Result<Evaluation> {
        Ok(Evaluation { loss: self.model.loss_with(data.x, &self.draws)?, accuracy: None })
    }
}
