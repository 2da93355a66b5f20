//! The autoencoder family compared on one footing: every kind trained with the same layers,
//! code size, epochs and seed on the same 55,000 training images, then scored the same ways —
//! reconstruction (MSE and BCE), denoising, speed, and how useful its codes are to a
//! classifier, with all the labels and with only 1,000.
//!
//! The comparison is one configuration of the [`pipeline`], and
//! [`Family::run_cached`] serves the CLI (`--kind all`), the tests, the notebook and the book's
//! assets, so they all show the same numbers.

mod figures;
mod results;
mod scores;
mod seeds;

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use figures::pca_2d;
pub use results::{ClassifierScores, FamilyResults, VariantResult};
pub use seeds::{FamilySeeds, Score, RAW_PIXELS};

use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::experiments::kind::KindName;
use crate::experiments::pipeline::{self, Codes, Experiment, FewLabelled, Observer};
use crate::experiments::spreading::SpreadingParams;
use crate::models::autoencoder::{
    Autoencoder, AutoencoderKind, AutoencoderParams, Noise, SparsityPenalty,
};
use crate::models::mlp::MlpParams;
use crate::nn::ReconstructionLoss;
use crate::train::TrainParams;
use scores::Features;

/// One autoencoder of the comparison: a label for the table and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// The row's name in the table.
    pub label: String,
    /// The autoencoder, fully specified (kind, size, epochs, seed).
    pub params: AutoencoderParams,
}

impl Variant {
    /// The variant's kind, without its settings.
    pub fn kind_name(&self) -> KindName {
        KindName::of(&self.params.kind)
    }
}

/// What the comparison trains and how it scores. Recorded with the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyConfig {
    /// Where the data comes from: `None` for the bundled, checksummed MNIST.
    pub data_dir: Option<PathBuf>,
    /// Training images held out for validation (see [`crate::data::VALIDATION_IMAGES`]).
    pub validation: usize,
    /// The autoencoders, in table order.
    pub variants: Vec<Variant>,
    /// The classifier on (standardised) codes, trained on every labelled training image.
    pub codes_mlp: MlpParams,
    /// The classifier on raw pixels (the baseline), trained on every labelled training image.
    pub raw_mlp: MlpParams,
    /// Labelled images per class in the label-scarce setting (100: 1,000 labels).
    pub labelled_per_class: usize,
    /// Seed of [`Dataset::stratified_subset`](crate::data::Dataset::stratified_subset) for the labelled images.
    pub labelled_seed: u64,
    /// Epochs and batches for the classifiers that see only the labelled images: 1,000
    /// images make 4 batches of 256, too few steps in 15 epochs, so these train longer.
    pub scarce_train: TrainParams,
    /// Neighbours that vote in the k-NN classifier.
    pub knn_k: usize,
    /// Label spreading over the k-NN graph of all the training codes (the semi-supervised
    /// classifier of the label-scarce setting): an MLP then learns from the spread labels.
    pub spreading: SpreadingParams,
    /// Also spread labels over raw pixels (784-d distances between all 55,000 training
    /// images: about a minute on two cores), so the baseline gets the same classifier.
    pub spread_raw_pixels: bool,
    /// The corruption of the test images on which denoising is scored.
    pub test_noise: Noise,
    /// Seed of that corruption.
    pub test_noise_seed: u64,
}

impl Default for FamilyConfig {
    /// The original's budget for every kind: 784-128-64-32, 15 epochs of batch 256, seed 42.
    fn default() -> Self {
        let kinds = [
            AutoencoderKind::Vanilla,
            AutoencoderKind::Denoising(Noise::Gaussian { std_dev: 0.3 }),
            AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: 3e-4 }),
            AutoencoderKind::Sparse(SparsityPenalty::Kl { rho: 0.05, weight: 1e-3 }),
            AutoencoderKind::Variational { beta: 1.0 },
        ];
        let variants: Vec<Variant> = kinds
            .iter()
            .map(|&kind| Variant {
                label: kind.describe(),
                params: AutoencoderParams::of_kind(kind),
            })
            .collect();
        FamilyConfig {
            data_dir: None,
            validation: crate::data::VALIDATION_IMAGES,
            variants,
            codes_mlp: MlpParams::default(),
            raw_mlp: MlpParams::raw_pixels(),
            labelled_per_class: 100,
            labelled_seed: 42,
            scarce_train: TrainParams::default().epochs(100).batch_size(100),
            knn_k: 5,
            spreading: SpreadingParams::default(),
            spread_raw_pixels: true,
            test_noise: Noise::Gaussian { std_dev: 0.3 },
            test_noise_seed: 7,
        }
    }
}

impl FamilyConfig {
    /// Checks every setting before any training.
    pub fn check(&self) -> Result<()> {
        if self.variants.is_empty() {
            return Err(Error::param(
                "variants",
                0,
                "the comparison needs at least one autoencoder",
            ));
        }
        for v in &self.variants {
            v.params.check()?;
        }
        self.codes_mlp.check()?;
        self.raw_mlp.check()?;
        self.scarce_train.check()?;
        self.test_noise.check()?;
        if self.knn_k == 0 {
            return Err(Error::param("knn_k", 0, "at least one neighbour must vote (try 5)"));
        }
        Ok(())
    }
}

/// The trained autoencoders of a comparison, their measurements and the data they ran on.
pub struct Family {
    /// The data it ran on.
    pub data: Mnist,
    /// The measurements.
    pub results: FamilyResults,
    /// The trained autoencoders, in variant order.
    pub autoencoders: Vec<Autoencoder>,
}

/// What a comparison trains and measures: everything but the data (what the cache keeps).
#[derive(Serialize, Deserialize)]
pub struct TrainedFamily {
    results: FamilyResults,
    autoencoders: Vec<Autoencoder>,
}

impl Family {
    /// Trains every variant on the data the config names and measures it. `observer` sees
    /// every batch and epoch of every model.
    pub fn run(config: &FamilyConfig, observer: &mut Observer<'_>) -> Result<Family> {
        pipeline::run(config, observer)
    }

    /// Like [`Family::run`], but reuses an earlier run with the same config and library
    /// source from `cache_dir` (see [`crate::output::cache`]).
    pub fn run_cached(
        config: &FamilyConfig,
        cache_dir: &Path,
        observer: &mut Observer<'_>,
    ) -> Result<Family> {
        pipeline::run_cached(config, cache_dir, observer)
    }

    /// The trained autoencoder of the first variant of a kind.
    pub fn autoencoder(&self, kind: KindName) -> Option<&Autoencoder> {
        self.results
            .variants
            .iter()
            .zip(&self.autoencoders)
            .find(|(v, _)| v.variant.kind_name() == kind)
            .map(|(_, a)| a)
    }
}

impl Experiment for Family {
    type Config = FamilyConfig;
    type Trained = TrainedFamily;
    const NAME: &'static str = "family";

    fn check(config: &FamilyConfig) -> Result<()> {
        config.check()
    }

    fn data_dir(config: &FamilyConfig) -> Option<&Path> {
        config.data_dir.as_deref()
    }

    fn validation(config: &FamilyConfig) -> usize {
        config.validation
    }

    fn train(
        config: &FamilyConfig,
        data: &Mnist,
        cache: Option<&Path>,
        observer: &mut Observer<'_>,
    ) -> Result<TrainedFamily> {
        let started = Instant::now();
        let test = &data.test;
        let labelled =
            FewLabelled::draw(&data.train, config.labelled_per_class, config.labelled_seed)?;
        let noisy_test = config.test_noise.corrupt_seeded(test.x.view(), config.test_noise_seed)?;

        let mut variants = Vec::new();
        let mut autoencoders = Vec::new();
        for v in &config.variants {
            let (ae, history) =
                pipeline::train_autoencoder(&v.params, data, &v.label, cache, observer)?;
            let denoised = ae.reconstruct(&noisy_test)?;
            let features = Features {
                name: &v.label,
                codes: Codes::encode(&ae, data, true)?,
                labelled: std::borrow::Cow::Owned(ae.encode(&labelled.data.x)?),
                knn_over_all: true,
                spread: true,
            };
            let scores =
                features.scores(config, &config.codes_mlp, data, &labelled, cache, observer)?;
            variants.push(VariantResult {
                variant: v.clone(),
                test_mse: ae.reconstruction_mse(&test.x)?,
                test_bce: ae.reconstruction_error(&test.x, ReconstructionLoss::Bce)?,
                noisy_test_mse: crate::nn::loss::mse(denoised.view(), test.x.view(), None),
                seconds_per_epoch: history.median_epoch_seconds(),
                codes: scores,
                history,
            });
            autoencoders.push(ae);
        }

        let pixels = Features {
            name: "pixels",
            codes: Codes::pixels(data),
            labelled: std::borrow::Cow::Borrowed(&labelled.data.x),
            knn_over_all: false,
            spread: config.spread_raw_pixels,
        };
        let raw = pixels.scores(config, &config.raw_mlp, data, &labelled, cache, observer)?;
        let results = FamilyResults {
            config: config.clone(),
            variants,
            raw,
            noisy_input_mse: crate::nn::loss::mse(noisy_test.view(), test.x.view(), None),
            scarce_labels: labelled.data.len(),
            total_seconds: started.elapsed().as_secs_f64(),
        };
        Ok(TrainedFamily { results, autoencoders })
    }

    fn assemble(trained: TrainedFamily, data: Mnist) -> Family {
        Family { data, results: trained.results, autoencoders: trained.autoencoders }
    }
}
