//! Autoencoder kinds by name, typed: what `--kind` picks and what the family's look-ups take.

use serde::{Deserialize, Serialize};

use crate::models::autoencoder::{AutoencoderKind, Noise, SparsityPenalty};

/// An autoencoder kind without its settings: `KindName::Denoising` is every denoising
/// autoencoder, whatever its noise. [`AutoencoderKind`] is the kind with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KindName {
    /// [`AutoencoderKind::Vanilla`].
    Vanilla,
    /// [`AutoencoderKind::Denoising`].
    Denoising,
    /// [`AutoencoderKind::Sparse`].
    Sparse,
    /// [`AutoencoderKind::Variational`].
    Variational,
}

impl KindName {
    /// Every kind, in the order the book compares them.
    pub const ALL: [KindName; 4] =
        [KindName::Vanilla, KindName::Denoising, KindName::Sparse, KindName::Variational];

    /// The name of `kind`.
    pub fn of(kind: &AutoencoderKind) -> KindName {
        match kind {
            AutoencoderKind::Vanilla => KindName::Vanilla,
            AutoencoderKind::Denoising(_) => KindName::Denoising,
            AutoencoderKind::Sparse(_) => KindName::Sparse,
            AutoencoderKind::Variational { .. } => KindName::Variational,
        }
    }

    /// The kind with the settings the book trains it with: Gaussian noise σ = 0.3, an L1
    /// penalty of weight 3e-4, β = 1.
    pub fn with_book_settings(self) -> AutoencoderKind {
        match self {
            KindName::Vanilla => AutoencoderKind::Vanilla,
            KindName::Denoising => AutoencoderKind::Denoising(Noise::Gaussian { std_dev: 0.3 }),
            KindName::Sparse => AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: 3e-4 }),
            KindName::Variational => AutoencoderKind::Variational { beta: 1.0 },
        }
    }

    /// The lower-case name: `vanilla`, `denoising`, `sparse`, `variational`.
    pub fn as_str(self) -> &'static str {
        match self {
            KindName::Vanilla => "vanilla",
            KindName::Denoising => "denoising",
            KindName::Sparse => "sparse",
            KindName::Variational => "variational",
        }
    }
}

impl std::fmt::Display for KindName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_through_its_book_settings_and_matches_the_kinds_own_name() {
        for name in KindName::ALL {
            let kind = name.with_book_settings();
            assert_eq!(KindName::of(&kind), name);
            assert_eq!(kind.name(), name.as_str());
            assert_eq!(AutoencoderKind::from_name(name.as_str()).unwrap(), kind);
        }
    }
}
