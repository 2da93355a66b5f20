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

#[cfg(feature = "candle")]
pub mod candle;
pub mod data;
pub mod error;
pub mod experiments;
pub mod math;
pub mod models;
pub mod nn;
pub mod output;
pub mod rng;
pub mod train;

pub use error::{Error, Result};

// Links the BLAS that ndarray calls when built with `--features openblas`.
#[cfg(feature = "openblas")]
extern crate blas_src;

/// The names a notebook cell or a test needs, in one import.
pub mod prelude {
    pub use crate::data::{Dataset, Mnist};
    pub use crate::error::{Error, Result};
    pub use crate::experiments::claims::{ClaimsReport, Verdict};
    pub use crate::experiments::family::{Family, FamilyConfig};
    pub use crate::experiments::kind::KindName;
    pub use crate::experiments::statistics::{Comparison, PairedDifference, Summary};
    pub use crate::experiments::study::{seed_list, OverSeeds, Study, StudyConfig, StudyResults};
    pub use crate::models::autoencoder::{
        Autoencoder, AutoencoderKind, AutoencoderParams, Noise, SparsityPenalty,
    };
    pub use crate::models::finetune::{FineTuneParams, FineTuned};
    pub use crate::models::linfa_api::{
        to_linfa, to_linfa_f64, AeParams, LinfaDataset, LinfaDataset64,
    };
    pub use crate::models::metrics::{accuracy, ConfusionMatrix};
    pub use crate::models::mlp::{Mlp, MlpParams};
    pub use crate::models::scale::Standardizer;
    pub use crate::nn::{Activation, ReconstructionLoss, Stack};
    pub use crate::output::cache::default_cache_dir;
    pub use crate::output::plot::{self, Figure};
    pub use crate::output::report::{print_epochs, print_progress};
    pub use crate::train::{EpochRecord, History, TrainParams};
    pub use ndarray::{s, Array1, Array2, Axis};
}
