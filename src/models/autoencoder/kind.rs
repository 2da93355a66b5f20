//! The four kinds of autoencoder this crate builds, and the one trait through which the shared
//! training step asks a kind for what it adds to the vanilla autoencoder.
//!
//! Each kind's code, its penalty and the penalty's gradient live together in one file:
//! [`super::vanilla`], [`super::denoising`], [`super::sparse`] and [`super::variational`].
//! [`AutoencoderKind`] is the serialisable choice between them (saved models, cache keys and
//! results record it); [`AutoencoderKind::variant`] hands out its behaviour.

use ndarray::{ArrayView2, ArrayViewMut2, CowArray, Ix2};
use serde::{Deserialize, Serialize};

use super::variational::Variational;
use super::{vanilla::Vanilla, AutoencoderParams, Draws, Noise, SparsityPenalty};
use crate::error::{Error, Result};
use crate::nn::Activation;
use crate::rng::Rng;

/// Which autoencoder: they share the layers, the loop and the optimiser, and differ only in
/// what one training step does (see [`Variant`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub enum AutoencoderKind {
    /// Reconstructs its input through the bottleneck: the original study's autoencoder.
    #[default]
    Vanilla,
    /// Reconstructs the clean image from a corrupted copy (Vincent et al., 2008).
    Denoising(Noise),
    /// Vanilla plus an activity penalty on the code.
    Sparse(SparsityPenalty),
    /// The encoder outputs a distribution N(μ, σ²); a sample of it is decoded, and the loss
    /// adds β times its KL divergence from N(0, I) (Kingma & Welling, 2014).
    Variational {
        /// Weight of the KL term; β = 1 is the evidence lower bound (see `variational.rs`).
        beta: f32,
    },
}

/// What one kind of autoencoder adds to the shared forward and backward pass.
///
/// The training step is the same for every kind: encoder, [`Variant::code`], decoder,
/// reconstruction loss plus [`Variant::penalty`], then back through the decoder,
/// [`Variant::backward`] and the encoder. The defaults are the vanilla autoencoder's: the
/// code is the encoder's output, no penalty, the code's gradient passed straight down.
pub trait Variant {
    /// The kind's short name: `vanilla`, `denoising`, `sparse` or `variational`.
    fn name(&self) -> &'static str;

    /// The name and its settings, for tables: `denoising (Gaussian σ = 0.3)`.
    fn describe(&self) -> String;

    /// Checks the kind's own settings (noise level, penalty weights, β).
    fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Checks that the rest of the autoencoder's settings suit this kind.
    fn check_params(&self, _params: &AutoencoderParams) -> Result<()> {
        Ok(())
    }

    /// Adjusts the original's settings to the ones the book trains this kind with.
    fn book_settings(&self, _params: &mut AutoencoderParams) {}

    /// Numbers the encoder outputs per image for a code of `latent`.
    fn encoder_outputs(&self, latent: usize) -> usize {
        latent
    }

    /// The activation the encoder's last layer uses, given the one the settings ask for.
    fn code_activation(&self, asked: Activation) -> Activation {
        asked
    }

    /// The random draws of one training step on x (batch, inputs), for a code of `latent`.
    fn draw(&self, _x: ArrayView2<f32>, _latent: usize, _rng: &mut Rng) -> Draws {
        Draws::default()
    }

    /// The code the decoder sees, from the encoder's output `out` and the step's draws.
    fn code<'a>(&self, out: ArrayView2<'a, f32>, _draws: &Draws) -> Result<CowArray<'a, f32, Ix2>> {
        Ok(out.into())
    }

    /// What the kind adds to the reconstruction loss (a mean over the `inputs` pixels of
    /// every image), from the encoder's output `out`.
    fn penalty(&self, _out: ArrayView2<f32>, _inputs: usize) -> f32 {
        0.0
    }

    /// Writes dL/d(encoder output) into `grad_out`, from the decoder's input gradient
    /// `grad_code`, the encoder's output `out` and the step's draws: the code's gradient
    /// taken back through [`Variant::code`], plus the gradient of [`Variant::penalty`].
    fn backward(
        &self,
        _out: ArrayView2<f32>,
        grad_code: ArrayView2<f32>,
        _draws: &Draws,
        _inputs: usize,
        mut grad_out: ArrayViewMut2<f32>,
    ) {
        grad_out.assign(&grad_code);
    }
}

impl AutoencoderKind {
    /// The names `--kind` accepts, in the order the book compares them.
    pub const NAMES: [&'static str; 4] = ["vanilla", "denoising", "sparse", "variational"];

    /// The kind's behaviour, for the shared training step.
    pub fn variant(&self) -> Box<dyn Variant> {
        match *self {
            AutoencoderKind::Vanilla => Box::new(Vanilla),
            AutoencoderKind::Denoising(noise) => Box::new(noise),
            AutoencoderKind::Sparse(penalty) => Box::new(penalty),
            AutoencoderKind::Variational { beta } => Box::new(Variational { beta }),
        }
    }

    /// The kind's short name: `vanilla`, `denoising`, `sparse` or `variational`.
    pub fn name(&self) -> &'static str {
        self.variant().name()
    }

    /// The name and its settings, for tables: `denoising (Gaussian σ = 0.3)`.
    pub fn describe(&self) -> String {
        self.variant().describe()
    }

    /// The kind called `name` with the settings the book uses (see [`Self::NAMES`]).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "vanilla" => Ok(AutoencoderKind::Vanilla),
            "denoising" => Ok(AutoencoderKind::Denoising(Noise::Gaussian { std_dev: 0.3 })),
            "sparse" => Ok(AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: 3e-4 })),
            "variational" => Ok(AutoencoderKind::Variational { beta: 1.0 }),
            _ => Err(Error::param(
                "kind",
                name,
                format!("must be one of {}", Self::NAMES.join(", ")),
            )),
        }
    }

    /// Checks the kind's own settings (noise level, penalty weights, β).
    pub fn check(&self) -> Result<()> {
        self.variant().check()
    }

    /// Numbers the encoder outputs per image for a code of `latent`: twice as many for a VAE
    /// (μ and ln σ²).
    pub fn encoder_outputs(&self, latent: usize) -> usize {
        self.variant().encoder_outputs(latent)
    }
}
