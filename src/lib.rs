//! # ae-mlp
//!
//! Autoencoders with a Multi-Layer Perceptron: feature extraction and classification on MNIST.
//!
//! The crate is the code of a literate tutorial. Data flows one way:
//!
//! ```text
//! data/mnist/*.gz ─► data ─► Dataset { x: (n, 784) in [0, 1], y: labels }
//!                             │
//!     nn (the taught core): dense · activation · loss · optim · init · stack
//!                             ▼
//!   train (one loop for every model: seeded batches, history, NaN guard)
//!          │                               │
//!     autoencoder ── encode ─► codes ─► mlp (classifier)
//!                             ▼
//!      metrics · plot (figures as values) ─► study (config → results) ◄─ main (CLI)
//! ```
//!
//! Notebook cells and tests import everything they need with `use ae_mlp::prelude::*;`.

pub mod autoencoder;
pub mod baselines;
pub mod cache;
pub mod claims;
pub mod data;
pub mod error;
pub mod family;
pub mod finetune;
pub mod gradcheck;
pub mod knn;
pub mod linfa_api;
pub mod metrics;
pub mod mlp;
pub mod model_io;
pub mod nn;
pub mod output;
pub mod plot;
pub mod report;
pub mod rng;
pub mod scale;
pub mod spreading;
pub mod study;
pub mod train;
pub mod tutorial;

pub use error::{Error, Result};

// Links the BLAS that ndarray calls when built with `--features openblas`.
#[cfg(feature = "openblas")]
extern crate blas_src;

/// The names a notebook cell or a test needs, in one import.
pub mod prelude {
    pub use crate::autoencoder::{Autoencoder, AutoencoderKind, AutoencoderParams, Noise, SparsityPenalty};
    pub use crate::cache::default_cache_dir;
    pub use crate::claims::{ClaimsReport, Verdict};
    pub use crate::data::{Dataset, Mnist};
    pub use crate::error::{Error, Result};
    pub use crate::family::{Family, FamilyConfig};
    pub use crate::finetune::{FineTuneParams, FineTuned};
    pub use crate::linfa_api::{to_linfa, to_linfa_f64, AeParams, LinfaDataset, LinfaDataset64};
    pub use crate::metrics::{accuracy, ConfusionMatrix};
    pub use crate::mlp::{Mlp, MlpParams};
    pub use crate::nn::{Activation, ReconstructionLoss, Stack};
    pub use crate::plot::{self, Figure};
    pub use crate::report::print_epochs;
    pub use crate::scale::Standardizer;
    pub use crate::study::{Study, StudyConfig, StudyResults};
    pub use crate::train::{EpochRecord, History, TrainParams};
    pub use ndarray::{s, Array1, Array2, Axis};
}
