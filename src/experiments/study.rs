//! The whole study as a function of a config: train the autoencoder, encode every image,
//! classify the codes with an MLP, and compare with an MLP on raw pixels.
//!
//! `main.rs` only parses arguments and shows progress; the tests and notebooks call the same
//! steps, so none of them re-implements one.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::{s, Array2};
use serde::{Deserialize, Serialize};

use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::models::autoencoder::{Autoencoder, AutoencoderParams};
use crate::models::metrics::{accuracy, ConfusionMatrix};
use crate::models::mlp::{Mlp, MlpParams};
use crate::models::scale::Standardizer;
use crate::output::plot::{self, Figure, Series};
use crate::train::{Event, History};

/// Which part of the study a progress event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Training the autoencoder on the training images.
    Autoencoder,
    /// Training the MLP on the 32-d codes.
    CodesMlp,
    /// Training the MLP on raw pixels.
    RawMlp,
}

impl Stage {
    /// A short label for progress bars and tables.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Autoencoder => "autoencoder",
            Stage::CodesMlp => "codes → MLP",
            Stage::RawMlp => "pixels → MLP",
        }
    }
}

/// Everything that decides the study's numbers. Recorded in `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyConfig {
    /// Where the data comes from: `None` for the bundled, checksummed MNIST.
    pub data_dir: Option<PathBuf>,
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

    /// Loads the data this config names.
    pub fn load_data(&self) -> Result<Mnist> {
        match &self.data_dir {
            None => Mnist::load_bundled(),
            Some(dir) => Mnist::load_dir(dir),
        }
    }
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
    /// Reconstruction MSE on the test images (the "validation MSE").
    pub test_mse: f32,
    /// Reconstruction MSE on the training images.
    pub train_mse: f32,
    /// Median training seconds per epoch.
    pub seconds_per_epoch: f64,
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
    /// Training and test set sizes.
    pub n_train: usize,
    /// Test set size.
    pub n_test: usize,
    /// The autoencoder.
    pub autoencoder: AutoencoderResult,
    /// The MLP on codes.
    pub codes_mlp: ClassifierResult,
    /// The MLP on raw pixels, when it ran.
    pub raw_mlp: Option<ClassifierResult>,
    /// Wall seconds of the whole study, loading included.
    pub total_seconds: f64,
    /// Versions of this crate and its main dependencies.
    pub versions: Vec<(String, String)>,
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

/// What the cache keeps of a study: everything but the data, which reloads in a fraction of a second.
#[derive(Serialize, Deserialize)]
struct CachedStudy {
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
    /// Runs the whole study. `observer` sees every batch and epoch of every model.
    pub fn run(config: &StudyConfig, observer: &mut dyn FnMut(Stage, Event<'_>)) -> Result<Study> {
        config.check()?;
        let started = Instant::now();
        let data = config.load_data()?;
        let (train, test) = (&data.train, &data.test);

        // 1. The autoencoder learns to compress and rebuild the training images.
        let (autoencoder, ae_history) =
            config.autoencoder.fit(train.x.view(), Some(test.x.view()), &mut |e| observer(Stage::Autoencoder, e))?;

        // 2. Its encoder turns every image into a code (standardised with training statistics).
        let (mut train_codes, mut test_codes) = (autoencoder.encode(&train.x)?, autoencoder.encode(&test.x)?);
        let scaler = if config.standardize_codes { Some(Standardizer::fit(train_codes.view())?) } else { None };
        if let Some(scaler) = &scaler {
            train_codes = scaler.transform(train_codes.view())?;
            test_codes = scaler.transform(test_codes.view())?;
        }

        // 3. An MLP learns the digits from the codes alone.
        let (codes_mlp, codes_result) =
            fit_classifier(&config.codes_mlp, (&train_codes, train), (&test_codes, test), &mut |e| {
                observer(Stage::CodesMlp, e)
            })?;

        // 4. The comparison the original's claim needs: the same kind of MLP on raw pixels.
        let raw = if config.run_raw_mlp {
            let (mlp, result) = fit_classifier(&config.raw_mlp, (&train.x, train), (&test.x, test), &mut |e| {
                observer(Stage::RawMlp, e)
            })?;
            Some((mlp, result))
        } else {
            None
        };

        let results = StudyResults {
            config: config.clone(),
            data_dir: data.dir.clone(),
            checksums_verified: data.checksums_verified,
            n_train: train.len(),
            n_test: test.len(),
            autoencoder: AutoencoderResult {
                parameters: autoencoder.encoder.n_parameters() + autoencoder.decoder.n_parameters(),
                test_mse: autoencoder.reconstruction_mse(&test.x)?,
                train_mse: autoencoder.reconstruction_mse(&train.x)?,
                seconds_per_epoch: ae_history.median_epoch_seconds(),
                history: ae_history,
            },
            codes_mlp: codes_result,
            raw_mlp: raw.as_ref().map(|(_, r)| r.clone()),
            total_seconds: started.elapsed().as_secs_f64(),
            versions: versions(),
        };
        Ok(Study { data, autoencoder, scaler, codes_mlp, raw_mlp: raw.map(|(m, _)| m), results })
    }

    /// Like [`Study::run`], but reuses the trained models of an earlier run with the same
    /// config and the same library source from `cache_dir`, and stores new ones there.
    /// Tests and notebooks share one training this way; a fresh checkout trains for real.
    pub fn run_cached(
        config: &StudyConfig,
        cache_dir: &Path,
        observer: &mut dyn FnMut(Stage, Event<'_>),
    ) -> Result<Study> {
        let mut fresh = None;
        let cached = crate::output::cache::cached(cache_dir, "study", config, || {
            let study = Study::run(config, observer)?;
            let cached = CachedStudy {
                autoencoder: study.autoencoder.clone(),
                scaler: study.scaler.clone(),
                codes_mlp: study.codes_mlp.clone(),
                raw_mlp: study.raw_mlp.clone(),
                results: study.results.clone(),
            };
            fresh = Some(study);
            Ok(cached)
        })?;
        if let Some(study) = fresh {
            return Ok(study);
        }
        let data = config.load_data()?;
        let CachedStudy { autoencoder, scaler, codes_mlp, raw_mlp, results } = cached;
        Ok(Study { data, autoencoder, scaler, codes_mlp, raw_mlp, results })
    }

    /// The study's four figures: autoencoder loss, MLP accuracy, reconstructions, confusion matrix.
    pub fn figures(&self) -> Result<Vec<Figure>> {
        let r = &self.results;
        let ae = &r.autoencoder.history;
        let loss_name = self.autoencoder.loss.name();
        let ae_loss = plot::line_chart(
            "autoencoder_loss",
            &format!("Autoencoder reconstruction loss ({loss_name})"),
            "epoch",
            loss_name,
            &[
                Series::per_epoch("training", &ae.train_loss()),
                Series::per_epoch("validation (test set)", &ae.val_loss()),
            ],
        );
        let mut series = vec![
            Series::per_epoch("codes → MLP, training", &r.codes_mlp.history.train_accuracy()),
            Series::per_epoch("codes → MLP, validation", &r.codes_mlp.history.val_accuracy()),
        ];
        if let Some(raw) = &r.raw_mlp {
            series.push(Series::per_epoch("pixels → MLP, training", &raw.history.train_accuracy()));
            series.push(Series::per_epoch("pixels → MLP, validation", &raw.history.val_accuracy()));
        }
        let mlp_accuracy = plot::line_chart("mlp_accuracy", "MLP accuracy per epoch", "epoch", "accuracy", &series);
        let originals = self.data.test.x.slice(s![..10, ..]).to_owned();
        let reconstructions = self.autoencoder.reconstruct(&originals)?;
        let recon = plot::image_rows(
            "reconstructions",
            "Test digits (top) and their reconstructions from 32 numbers (bottom)",
            &[("original".to_string(), originals), ("reconstruction".to_string(), reconstructions)],
        );
        let labels: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        let confusion = plot::confusion_heatmap(
            "confusion_matrix",
            &format!("codes → MLP on the test set: accuracy {:.2} %", 100.0 * r.codes_mlp.test_accuracy),
            &r.codes_mlp.confusion.counts,
            &labels,
        );
        Ok(vec![ae_loss, mlp_accuracy, recon, confusion])
    }

    /// Writes `results.json` and every figure (PNG and SVG) into `dir`; returns the paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let json = serde_json::to_vec_pretty(&self.results)
            .map_err(|e| Error::Io { path: dir.join("results.json"), source: e.into() })?;
        let results_path = dir.join("results.json");
        crate::output::write_atomic(&results_path, &json)?;
        let mut written = vec![results_path];
        for figure in self.figures()? {
            written.extend(figure.save(dir)?);
        }
        Ok(written)
    }
}

/// Trains one classifier on (features, labels of `train`) and scores it on the test set.
fn fit_classifier(
    params: &MlpParams,
    (train_x, train): (&Array2<f32>, &crate::data::Dataset),
    (test_x, test): (&Array2<f32>, &crate::data::Dataset),
    observer: &mut dyn FnMut(Event<'_>),
) -> Result<(Mlp, ClassifierResult)> {
    let (mlp, history) = params.fit(train_x.view(), train.y.view(), Some((test_x.view(), test.y.view())), observer)?;
    let predicted = mlp.predict(test_x)?;
    let result = ClassifierResult {
        features: train_x.ncols(),
        parameters: mlp.stack.n_parameters(),
        test_accuracy: accuracy(&predicted, &test.y)?,
        train_accuracy: accuracy(&mlp.predict(train_x)?, &train.y)?,
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
