//! The whole study as a function of a config: train the autoencoder, encode every image,
//! classify the codes with an MLP, and compare with an MLP on raw pixels.
//!
//! The study is one configuration of the [`pipeline`]: `main.rs`
//! only parses arguments and shows progress; the tests and notebooks call the same steps, so
//! none of them re-implements one.

mod figures;
mod seeds;
mod tables;

pub use seeds::{seed_list, OverSeeds, SeedMetrics};

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Mnist, VALIDATION_IMAGES, VALIDATION_SEED};
use crate::error::Result;
use crate::experiments::pipeline::{
    self, fit_classifier, Codes, Experiment, Fitted, Labels, Observer, Stage,
};
use crate::models::autoencoder::{Autoencoder, AutoencoderParams};
use crate::models::metrics::{accuracy, ConfusionMatrix};
use crate::models::mlp::{Mlp, MlpParams};
use crate::models::scale::Standardizer;
use crate::train::History;

/// Everything that decides the study's numbers. Recorded in `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyConfig {
    /// Where the data comes from: `None` for the bundled, checksummed MNIST.
    pub data_dir: Option<PathBuf>,
    /// Training images held out for validation ([`VALIDATION_IMAGES`] by default). With 0,
    /// every model trains on all 60,000 and is watched on the test set, as in the original.
    pub validation: usize,
    /// The autoencoder and its training.
    pub autoencoder: AutoencoderParams,
    /// The classifier on codes and its training.
    pub codes_mlp: MlpParams,
    /// The classifier on raw pixels and its training.
    pub raw_mlp: MlpParams,
    /// Train the raw-pixel MLP too (the comparison the original's claim needs).
    pub run_raw_mlp: bool,
    /// Standardise the codes (mean 0, variance 1 per unit, from training statistics) before
    /// the MLP sees them. The original did not; see [`crate::models::scale`] for why it helps.
    pub standardize_codes: bool,
}

impl Default for StudyConfig {
    /// The original study: see [`AutoencoderParams::default`] and [`MlpParams`].
    fn default() -> Self {
        StudyConfig {
            data_dir: None,
            validation: VALIDATION_IMAGES,
            autoencoder: AutoencoderParams::default(),
            codes_mlp: MlpParams::default(),
            raw_mlp: MlpParams::raw_pixels(),
            run_raw_mlp: true,
            standardize_codes: true,
        }
    }
}

impl StudyConfig {
    /// Sets one seed for every random choice of the study.
    pub fn seed(mut self, seed: u64) -> Self {
        self.autoencoder.train.seed = seed;
        self.codes_mlp.train.seed = seed;
        self.raw_mlp.train.seed = seed;
        self
    }

    /// Sets the number of epochs of every model.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.autoencoder.train.epochs = epochs;
        self.codes_mlp.train.epochs = epochs;
        self.raw_mlp.train.epochs = epochs;
        self
    }

    /// Sets the batch size of every model.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.autoencoder.train.batch_size = batch_size;
        self.codes_mlp.train.batch_size = batch_size;
        self.raw_mlp.train.batch_size = batch_size;
        self
    }

    /// Checks every hyperparameter before any work starts.
    pub fn check(&self) -> Result<()> {
        self.autoencoder.check()?;
        self.codes_mlp.check()?;
        self.raw_mlp.check()
    }

    /// Loads the data this config names, with its validation images held out.
    pub fn load_data(&self) -> Result<Mnist> {
        pipeline::load_data(self.data_dir.as_deref(), self.validation)
    }
}

/// Which images the models were watched on while they trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchedOn {
    /// Images held out of the training file: the test set is touched once, at the end.
    Validation,
    /// The test set, as in the original notebook: anything chosen from the curves is fitted
    /// to the test set.
    Test,
}

/// One classifier's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierResult {
    /// Features it was trained on (32 for codes, 784 for pixels).
    pub features: usize,
    /// Trainable parameters.
    pub parameters: usize,
    /// Accuracy on the 10,000 test images.
    pub test_accuracy: f32,
    /// Accuracy on the training images after training.
    pub train_accuracy: f32,
    /// Median training seconds per epoch.
    pub seconds_per_epoch: f64,
    /// Per-epoch history.
    pub history: History,
    /// Test-set confusion matrix, `counts[true][predicted]`.
    pub confusion: ConfusionMatrix,
}

/// The autoencoder's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoencoderResult {
    /// Trainable parameters.
    pub parameters: usize,
    /// Reconstruction MSE on the test images.
    pub test_mse: f32,
    /// Reconstruction MSE on the training images.
    pub train_mse: f32,
    /// Median training seconds per epoch.
    pub seconds_per_epoch: f64,
    /// Wall seconds to encode every image (training, validation and test) once trained.
    pub encode_seconds: f64,
    /// Per-epoch history (loss is the configured reconstruction loss).
    pub history: History,
}

/// Everything the study measured, as written to `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyResults {
    /// The configuration, seed included.
    pub config: StudyConfig,
    /// Where the data came from.
    pub data_dir: PathBuf,
    /// Whether the files matched the bundled MNIST's SHA-256 sums.
    pub checksums_verified: bool,
    /// Training images the models learned from.
    pub n_train: usize,
    /// Training images held out for validation (0: none).
    pub n_validation: usize,
    /// The seed that drew the validation images ([`VALIDATION_SEED`]).
    pub validation_seed: u64,
    /// Which images the learning curves are measured on.
    pub watched_on: WatchedOn,
    /// Test set size.
    pub n_test: usize,
    /// The autoencoder.
    pub autoencoder: AutoencoderResult,
    /// The MLP on codes.
    pub codes_mlp: ClassifierResult,
    /// The MLP on raw pixels, when it ran.
    pub raw_mlp: Option<ClassifierResult>,
    /// Wall seconds of the whole study's training and scoring (loading the data excluded).
    pub total_seconds: f64,
    /// Versions of this crate and its main dependencies.
    pub versions: Vec<(String, String)>,
    /// Every seed's numbers and their summary, when the study ran over several seeds
    /// (`--seeds N`); this study is the first of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_seeds: Option<OverSeeds>,
}

/// The study's trained models and data, kept for figures and further experiments.
pub struct Study {
    /// The data it ran on.
    pub data: Mnist,
    /// The trained autoencoder.
    pub autoencoder: Autoencoder,
    /// The standardiser fitted on the training codes, when the config asks for one.
    pub scaler: Option<Standardizer>,
    /// The MLP on codes.
    pub codes_mlp: Mlp,
    /// The MLP on raw pixels, when it ran.
    pub raw_mlp: Option<Mlp>,
    /// The numbers.
    pub results: StudyResults,
}

/// What a study trains and measures: everything but the data (what the cache keeps).
#[derive(Serialize, Deserialize)]
pub struct TrainedStudy {
    autoencoder: Autoencoder,
    scaler: Option<Standardizer>,
    codes_mlp: Mlp,
    raw_mlp: Option<Mlp>,
    results: StudyResults,
}

impl StudyConfig {
    /// A key that changes whenever the config or the library's source code changes (see [`crate::output::cache`]).
    pub fn cache_key(&self) -> String {
        crate::output::cache::cache_key(self)
    }
}

impl Study {
    /// Runs the whole study on the data the config names. `observer` sees every batch and
    /// epoch of every model.
    pub fn run(config: &StudyConfig, observer: &mut Observer<'_>) -> Result<Study> {
        pipeline::run(config, observer)
    }

    /// Like [`Study::run`], but reuses the trained models of an earlier run with the same
    /// config and the same library source from `cache_dir`, and stores new ones there.
    /// Tests and notebooks share one training this way; a fresh checkout trains for real.
    pub fn run_cached(
        config: &StudyConfig,
        cache_dir: &Path,
        observer: &mut Observer<'_>,
    ) -> Result<Study> {
        pipeline::run_cached(config, cache_dir, observer)
    }
}

impl Experiment for Study {
    type Config = StudyConfig;
    type Trained = TrainedStudy;
    const NAME: &'static str = "study";

    fn check(config: &StudyConfig) -> Result<()> {
        config.check()
    }

    fn data_dir(config: &StudyConfig) -> Option<&Path> {
        config.data_dir.as_deref()
    }

    fn validation(config: &StudyConfig) -> usize {
        config.validation
    }

    fn train(
        config: &StudyConfig,
        data: &Mnist,
        cache: Option<&Path>,
        observer: &mut Observer<'_>,
    ) -> Result<TrainedStudy> {
        let started = Instant::now();
        let (train, test) = (&data.train, &data.test);

        // 1. The autoencoder learns to compress and rebuild the training images.
        let (autoencoder, ae_history) =
            pipeline::train_autoencoder(&config.autoencoder, data, "autoencoder", cache, observer)?;

        // 2. Its encoder turns every image into a code (standardised with training statistics).
        let encoding = Instant::now();
        let codes = Codes::encode(&autoencoder, data, config.standardize_codes)?;
        let encode_seconds = encoding.elapsed().as_secs_f64();

        // 3. An MLP learns the digits from the codes alone.
        let (codes_mlp, codes_result) =
            classify(&config.codes_mlp, &codes, ("codes", cache), data, observer)?;

        // 4. The comparison the original's claim needs: the same kind of MLP on raw pixels.
        let raw = if config.run_raw_mlp {
            Some(classify(
                &config.raw_mlp,
                &Codes::pixels(data),
                ("pixels", cache),
                data,
                observer,
            )?)
        } else {
            None
        };

        let results = StudyResults {
            config: config.clone(),
            data_dir: data.dir.clone(),
            checksums_verified: data.checksums_verified,
            n_train: train.len(),
            n_validation: data.validation.len(),
            validation_seed: VALIDATION_SEED,
            watched_on: if data.validation.is_empty() {
                WatchedOn::Test
            } else {
                WatchedOn::Validation
            },
            n_test: test.len(),
            autoencoder: AutoencoderResult {
                parameters: autoencoder.encoder.n_parameters() + autoencoder.decoder.n_parameters(),
                test_mse: autoencoder.reconstruction_mse(&test.x)?,
                train_mse: autoencoder.reconstruction_mse(&train.x)?,
                seconds_per_epoch: ae_history.median_epoch_seconds(),
                encode_seconds,
                history: ae_history,
            },
            codes_mlp: codes_result,
            raw_mlp: raw.as_ref().map(|(_, r)| r.clone()),
            total_seconds: started.elapsed().as_secs_f64(),
            versions: versions(),
            over_seeds: None,
        };
        let scaler = codes.scaler;
        Ok(TrainedStudy { autoencoder, scaler, codes_mlp, raw_mlp: raw.map(|(m, _)| m), results })
    }

    fn assemble(trained: TrainedStudy, data: Mnist) -> Study {
        let TrainedStudy { autoencoder, scaler, codes_mlp, raw_mlp, results } = trained;
        Study { data, autoencoder, scaler, codes_mlp, raw_mlp, results }
    }
}

/// Trains one classifier on `features` of every labelled training image, watching the
/// validation images, and scores it on the test set.
fn classify(
    params: &MlpParams,
    features: &Codes<'_>,
    (name, cache): (&str, Option<&Path>),
    data: &Mnist,
    observer: &mut Observer<'_>,
) -> Result<(Mlp, ClassifierResult)> {
    let (train, test): (&Dataset, &Dataset) = (&data.train, &data.test);
    let (train_x, test_x) = (features.for_mlp(&features.train)?, features.for_mlp(&features.test)?);
    let watched_x = features.for_mlp(&features.watched)?;
    let stage = Stage::Classifier { features: name, labels: Labels::All };
    let Fitted { mlp, history, predicted } = fit_classifier(
        params,
        (train_x.view(), train.y.view()),
        Some((watched_x.view(), data.watched().y.view())),
        test_x.view(),
        stage,
        cache,
        observer,
    )?;
    let result = ClassifierResult {
        features: train_x.ncols(),
        parameters: mlp.stack.n_parameters(),
        test_accuracy: accuracy(&predicted, &test.y)?,
        train_accuracy: accuracy(&mlp.predict(&*train_x)?, &train.y)?,
        seconds_per_epoch: history.median_epoch_seconds(),
        history,
        confusion: ConfusionMatrix::new(&predicted, &test.y, params.classes)?,
    };
    Ok((mlp, result))
}

/// This crate's version and the versions of its main dependencies (read from Cargo.lock at build time).
pub fn versions() -> Vec<(String, String)> {
    let mut v = vec![("ae-mlp".to_string(), env!("CARGO_PKG_VERSION").to_string())];
    for pair in env!("AE_MLP_DEP_VERSIONS").split(',').filter(|p| !p.is_empty()) {
        if let Some((name, version)) = pair.split_once('=') {
            v.push((name.to_string(), version.to_string()));
        }
    }
    v
}
