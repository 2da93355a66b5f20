//! The four kinds of autoencoder this crate builds, and what each adds to the vanilla one.

use serde::{Deserialize, Serialize};

use super::{Noise, SparsityPenalty};
use crate::error::{Error, Result};

/// Which autoencoder: they share the layers, the loop and the optimiser, and differ only in
/// what one training step does (see [`super::Autoencoder`]'s `Trainable` impl).
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

impl AutoencoderKind {
    /// The names `--kind` accepts, in the order the book compares them.
    pub const NAMES: [&'static str; 4] = ["vanilla", "denoising", "sparse", "variational"];

    /// The kind's short name: `vanilla`, `denoising`, `sparse` or `variational`.
    pub fn name(&self) -> &'static str {
        match self {
            AutoencoderKind::Vanilla => "vanilla",
            AutoencoderKind::Denoising(_) => "denoising",
            AutoencoderKind::Sparse(_) => "sparse",
            AutoencoderKind::Variational { .. } => "variational",
        }
    }

    /// The name and its settings, for tables: `denoising (Gaussian σ = 0.3)`.
    pub fn describe(&self) -> String {
        match self {
            AutoencoderKind::Vanilla => "vanilla".into(),
            AutoencoderKind::Denoising(noise) => format!("denoising ({})", noise.describe()),
            AutoencoderKind::Sparse(p) => format!("sparse ({})", p.describe()),
            AutoencoderKind::Variational { beta } => format!("variational (β = {beta})"),
        }
    }

    /// The kind called `name` with the settings the book uses (see [`Self::NAMES`]).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "vanilla" => Ok(AutoencoderKind::Vanilla),
            "denoising" => Ok(AutoencoderKind::Denoising(Noise::Gaussian { std_dev: 0.3 })),
            "sparse" => Ok(AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: 3e-4 })),
            "variational" => Ok(AutoencoderKind::Variational { beta: 1.0 }),
            _ => Err(Error::param("kind", name, format!("must be one of {}", Self::NAMES.join(", ")))),
        }
    }

    /// Checks the kind's own settings (noise level, penalty weights, β).
    pub fn check(&self) -> Result<()> {
        match self {
            AutoencoderKind::Vanilla => Ok(()),
            AutoencoderKind::Denoising(noise) => noise.check(),
            AutoencoderKind::Sparse(p) => p.check(),
            AutoencoderKind::Variational { beta } if !(beta.is_finite() && *beta >= 0.0) => {
                Err(Error::param("beta", beta, "the KL weight must be finite and >= 0 (1 is the ELBO)"))
            }
            AutoencoderKind::Variational { .. } => Ok(()),
        }
    }

    /// Numbers the encoder outputs per image for a code of `latent`: twice as many for a VAE
    /// (μ and ln σ²).
    pub fn encoder_outputs(&self, latent: usize) -> usize {
        match self {
            AutoencoderKind::Variational { .. } => 2 * latent,
            _ => latent,
        }
    }
}
