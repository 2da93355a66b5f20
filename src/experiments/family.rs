//! The autoencoder family compared on one footing: every kind trained with the same layers,
//! code size, epochs and seed on all 60,000 training images, then scored the same ways —
//! reconstruction (MSE and BCE), denoising, speed, and how useful its codes are to a
//! classifier, with all the labels and with only 1,000.
//!
//! One function, [`Family::run_cached`], serves the CLI (`--kind all`), the tests, the
//! notebook and the book's assets, so they all show the same numbers.

use std::path::Path;
use std::time::Instant;

use ndarray::{s, Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::data::{Dataset, Mnist};
use crate::error::{Error, Result};
use crate::experiments::knn::knn_classify;
use crate::experiments::spreading::{spread_labels, SpreadingParams};
use crate::models::autoencoder::{Autoencoder, AutoencoderKind, AutoencoderParams, Noise, SparsityPenalty};
use crate::models::metrics::accuracy;
use crate::models::mlp::MlpParams;
use crate::models::scale::Standardizer;
use crate::nn::ReconstructionLoss;
use crate::output::plot::{self, Figure};
use crate::output::report::{percent, silent};
use crate::train::{History, TrainParams};

/// One autoencoder of the comparison: a label for the table and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// The row's name in the table.
    pub label: String,
    /// The autoencoder, fully specified (kind, size, epochs, seed).
    pub params: AutoencoderParams,
}

/// What the comparison trains and how it scores. Recorded with the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyConfig {
    /// The autoencoders, in table order.
    pub variants: Vec<Variant>,
    /// The classifier on (standardised) codes, trained on every labelled training image.
    pub codes_mlp: MlpParams,
    /// The classifier on raw pixels (the baseline), trained on every labelled training image.
    pub raw_mlp: MlpParams,
    /// Labelled images per class in the label-scarce setting (100: 1,000 labels).
    pub labelled_per_class: usize,
    /// Seed of [`Dataset::stratified_subset`] for the labelled images.
    pub labelled_seed: u64,
    /// Epochs and batches for the classifiers that see only the labelled images: 1,000
    /// images make 4 batches of 256, too few steps in 15 epochs, so these train longer.
    pub scarce_train: TrainParams,
    /// Neighbours that vote in the k-NN classifier.
    pub knn_k: usize,
    /// Label spreading over the k-NN graph of all the training codes (the semi-supervised
    /// classifier of the label-scarce setting): an MLP then learns from the spread labels.
    pub spreading: SpreadingParams,
    /// Also spread labels over raw pixels (784-d distances between all 60,000 training
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
            .map(|&kind| Variant { label: kind.describe(), params: AutoencoderParams::of_kind(kind) })
            .collect();
        FamilyConfig {
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
    /// Only the variants of one kind (e.g. `--kind variational`), everything else unchanged.
    pub fn only(mut self, kind: &str) -> Self {
        self.variants.retain(|v| v.params.kind.name() == kind);
        self
    }

    /// Checks every setting before any training.
    pub fn check(&self) -> Result<()> {
        if self.variants.is_empty() {
            return Err(Error::param("variants", 0, "the comparison needs at least one autoencoder"));
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

/// How one classifier did with every label and with only the scarce ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassifierScores {
    /// MLP trained on all 60,000 labelled images: test accuracy.
    pub mlp: f32,
    /// k-NN over all 60,000 labelled images: test accuracy (`None` where not measured).
    pub knn: Option<f32>,
    /// MLP trained on the scarce labelled images only: test accuracy.
    pub scarce_mlp: f32,
    /// k-NN over the scarce labelled images only: test accuracy.
    pub scarce_knn: f32,
    /// Labels spread from the scarce labelled images to every training image, then an MLP
    /// trained on those: test accuracy (`None` where not measured).
    pub scarce_spread: Option<f32>,
}

/// One autoencoder's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResult {
    /// The variant as configured.
    pub variant: Variant,
    /// Reconstruction MSE on the 10,000 test images (per pixel).
    pub test_mse: f32,
    /// Reconstruction BCE on the test images (per pixel).
    pub test_bce: f32,
    /// MSE between the reconstructions of the noisy test images and the clean ones.
    pub noisy_test_mse: f32,
    /// Median training seconds per epoch.
    pub seconds_per_epoch: f64,
    /// The classifiers on its codes.
    pub codes: ClassifierScores,
    /// Training history (loss as the kind defines it, validation on the clean test images).
    pub history: History,
}

/// Everything the comparison measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyResults {
    /// The configuration.
    pub config: FamilyConfig,
    /// One result per variant, in config order.
    pub variants: Vec<VariantResult>,
    /// The same classifiers on raw pixels (no k-NN over all 60,000: 784-d distances to every
    /// training image cost far more than the table is worth).
    pub raw: ClassifierScores,
    /// MSE between the noisy test images and the clean ones (the noise itself).
    pub noisy_input_mse: f32,
    /// Number of labelled images in the label-scarce setting.
    pub scarce_labels: usize,
    /// Wall seconds of the whole comparison.
    pub total_seconds: f64,
}

impl FamilyResults {
    /// The variant whose label is `label`.
    pub fn variant(&self, label: &str) -> Option<&VariantResult> {
        self.variants.iter().find(|v| v.variant.label == label)
    }

    /// The first variant of a kind (`"vanilla"`, `"denoising"`, …).
    pub fn of_kind(&self, name: &str) -> Option<&VariantResult> {
        self.variants.iter().find(|v| v.variant.params.kind.name() == name)
    }

    /// The best accuracy with scarce labels over every variant and classifier, as
    /// (label, classifier, accuracy).
    pub fn best_scarce(&self) -> Option<(String, &'static str, f32)> {
        self.variants
            .iter()
            .flat_map(|v| {
                let spread = v.codes.scarce_spread.unwrap_or(0.0);
                [("MLP", v.codes.scarce_mlp), ("k-NN", v.codes.scarce_knn), ("label spreading → MLP", spread)]
                    .map(|(c, a)| (v.variant.label.clone(), c, a))
            })
            .max_by(|a, b| a.2.total_cmp(&b.2))
    }

    /// The comparison as a Markdown table, raw pixels last.
    pub fn table(&self) -> String {
        let k = self.config.knn_k;
        let n = self.scarce_labels;
        let mut t = format!(
            "| autoencoder | test MSE | test BCE | noisy test → clean MSE | s / epoch | codes → MLP | codes → {k}-NN | {n} labels: MLP | {n} labels: {k}-NN | {n} labels: spreading → MLP |\n|---|---|---|---|---|---|---|---|---|---|\n"
        );
        for v in &self.variants {
            t += &format!(
                "| {} | {:.5} | {:.4} | {:.5} | {:.2} | {} | {} | {} | {} | {} |\n",
                v.variant.label,
                v.test_mse,
                v.test_bce,
                v.noisy_test_mse,
                v.seconds_per_epoch,
                percent(v.codes.mlp),
                v.codes.knn.map_or("–".into(), percent),
                percent(v.codes.scarce_mlp),
                percent(v.codes.scarce_knn),
                v.codes.scarce_spread.map_or("–".into(), percent),
            );
        }
        let r = &self.raw;
        t += &format!(
            "| *raw pixels (no autoencoder)* | – | – | {:.5} | – | {} | {} | {} | {} | {} |\n",
            self.noisy_input_mse,
            percent(r.mlp),
            r.knn.map_or("–".into(), percent),
            percent(r.scarce_mlp),
            percent(r.scarce_knn),
            r.scarce_spread.map_or("–".into(), percent),
        );
        t
    }
}

/// The trained autoencoders of a comparison and their measurements.
pub struct Family {
    /// The measurements.
    pub results: FamilyResults,
    /// The trained autoencoders, in variant order.
    pub autoencoders: Vec<Autoencoder>,
}

/// What the cache keeps: everything (the data reloads in a fraction of a second).
#[derive(Serialize, Deserialize)]
struct Cached {
    results: FamilyResults,
    autoencoders: Vec<Autoencoder>,
}

impl Family {
    /// Trains every variant on `data` and measures it. `progress` hears one line per step.
    pub fn run(config: &FamilyConfig, data: &Mnist, progress: &mut dyn FnMut(&str)) -> Result<Family> {
        config.check()?;
        let started = Instant::now();
        let (train, test) = (&data.train, &data.test);
        let scarce_rows = train.stratified_indices(config.labelled_per_class, config.labelled_seed)?;
        let scarce = train.select(&scarce_rows)?;
        let noisy_test = config.test_noise.corrupt_seeded(test.x.view(), config.test_noise_seed)?;
        let scarce_mlp = |params: &MlpParams| params.clone().train(config.scarce_train.clone());

        let mut variants = Vec::new();
        let mut autoencoders = Vec::new();
        for v in &config.variants {
            progress(&format!("training {}", v.label));
            let (ae, history) = v.params.fit(train.x.view(), Some(test.x.view()), &mut silent)?;
            let denoised = ae.reconstruct(&noisy_test)?;
            let codes = Codes::new(&ae, train, test, &scarce)?;
            progress(&format!("scoring the codes of {}", v.label));
            let scores = codes.scores(
                config,
                &config.codes_mlp,
                &scarce_mlp(&config.codes_mlp),
                (train, test, &scarce),
                &scarce_rows,
                true,
            )?;
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

        progress("scoring raw pixels");
        let raw = Codes { train: train.x.clone(), test: test.x.clone(), scarce: scarce.x.clone(), standardizer: None };
        let raw_scores = raw.scores(
            config,
            &config.raw_mlp,
            &scarce_mlp(&config.raw_mlp),
            (train, test, &scarce),
            &scarce_rows,
            config.spread_raw_pixels,
        )?;
        let results = FamilyResults {
            config: config.clone(),
            variants,
            raw: raw_scores,
            noisy_input_mse: crate::nn::loss::mse(noisy_test.view(), test.x.view(), None),
            scarce_labels: scarce.len(),
            total_seconds: started.elapsed().as_secs_f64(),
        };
        Ok(Family { results, autoencoders })
    }

    /// Like [`Family::run`] on the bundled MNIST, but reuses an earlier run with the same
    /// config and library source from `cache_dir` (see [`crate::output::cache`]).
    pub fn run_cached(config: &FamilyConfig, cache_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<Family> {
        let cached = crate::output::cache::cached(cache_dir, "family", config, || {
            let family = Family::run(config, &Mnist::load_bundled()?, progress)?;
            Ok(Cached { results: family.results, autoencoders: family.autoencoders })
        })?;
        Ok(Family { results: cached.results, autoencoders: cached.autoencoders })
    }

    /// The trained autoencoder of the first variant of a kind (`"vanilla"`, `"variational"`, …).
    pub fn autoencoder(&self, kind: &str) -> Option<&Autoencoder> {
        self.results
            .variants
            .iter()
            .zip(&self.autoencoders)
            .find(|(v, _)| v.variant.params.kind.name() == kind)
            .map(|(_, a)| a)
    }

    /// The figure of [`Family::figures`] called `name` (e.g. `family_vae_samples`).
    pub fn figure(&self, name: &str, data: &Mnist) -> Result<Figure> {
        self.figures(data)?
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| Error::param("figure", name.to_string(), "no such family figure for the kinds trained"))
    }

    /// The chapter's figures, each named `family_…`, for whichever kinds were trained.
    pub fn figures(&self, data: &Mnist) -> Result<Vec<Figure>> {
        let test = &data.test;
        let mut figures = Vec::new();
        let clean: Array2<f32> = test.x.slice(s![..10, ..]).to_owned();
        if let Some(denoising) = self.autoencoder("denoising") {
            let noisy =
                self.results.config.test_noise.corrupt_seeded(clean.view(), self.results.config.test_noise_seed)?;
            let mut rows = vec![("noisy input".to_string(), noisy.clone())];
            if let Some(vanilla) = self.autoencoder("vanilla") {
                rows.push(("vanilla".to_string(), vanilla.reconstruct(&noisy)?));
            }
            rows.push(("denoising".to_string(), denoising.reconstruct(&noisy)?));
            rows.push(("clean target".to_string(), clean.clone()));
            figures.push(plot::image_rows(
                "family_denoising",
                "Noisy test digits, what each autoencoder makes of them, and the clean digits",
                &rows,
            ));
        }
        let codes_of = |kind: &str| -> Result<Option<Vec<f32>>> {
            Ok(match self.autoencoder(kind) {
                Some(ae) => Some(ae.encode(&test.x)?.iter().copied().collect()),
                None => None,
            })
        };
        let histogram: Vec<(String, Vec<f32>)> = [("vanilla", "vanilla"), ("sparse", "sparse (L1)")]
            .iter()
            .filter_map(|(kind, label)| codes_of(kind).transpose().map(|c| c.map(|c| (label.to_string(), c))))
            .collect::<Result<_>>()?;
        if !histogram.is_empty() {
            figures.push(plot::histogram(
                "family_code_histogram",
                "Code values over the test set: vanilla vs sparse",
                "code value",
                &histogram,
                60,
            ));
        }
        if let Some(vae) = self.autoencoder("variational") {
            let samples = vae.sample(40, 2024)?;
            figures.push(plot::image_grid(
                "family_vae_samples",
                "New digits: codes drawn from the prior N(0, I), decoded",
                &samples,
                10,
            ));
            let (mu, labels) = (vae.encode(&test.x)?, test.y.to_vec());
            figures.push(plot::scatter_by_class(
                "family_latent_map",
                "The VAE's test codes (μ), projected on their first two principal components",
                &pca_2d(&mu)?,
                &labels,
            ));
            let mut rows = Vec::new();
            let (a, b) = first_of_each(test, 3, 8);
            let ends = ndarray::stack(ndarray::Axis(0), &[test.x.row(a), test.x.row(b)])
                .map_err(|e| Error::param("digits", 2, e.to_string()))?;
            for (label, kind) in [("vanilla", "vanilla"), ("variational", "variational")] {
                if let Some(ae) = self.autoencoder(kind) {
                    let codes = ae.encode(&ends)?;
                    let steps = 10;
                    let path = Array2::from_shape_fn((steps, codes.ncols()), |(i, j)| {
                        let t = i as f32 / (steps - 1) as f32;
                        (1.0 - t) * codes[[0, j]] + t * codes[[1, j]]
                    });
                    rows.push((label.to_string(), ae.decode(&path)?));
                }
            }
            figures.push(plot::image_rows(
                "family_interpolation",
                "From a 3 to an 8 along a straight line between their codes",
                &rows,
            ));
        }
        Ok(figures)
    }
}

/// The index of the first test image of digit `a` and of digit `b`.
fn first_of_each(test: &Dataset, a: u8, b: u8) -> (usize, usize) {
    let first = |d: u8| test.y.iter().position(|&y| y == d).unwrap_or(0);
    (first(a), first(b))
}

/// x (n, d) projected on its first two principal components (linfa's PCA), (n, 2).
pub fn pca_2d(x: &Array2<f32>) -> Result<Array2<f32>> {
    use linfa::traits::{Fit, Predict};
    let records = x.mapv(f64::from);
    let dataset = linfa::DatasetBase::from(records.clone());
    let pca = linfa_reduction::Pca::params(2).fit(&dataset).map_err(|e| Error::param("pca", 2, e.to_string()))?;
    let projected: Array2<f64> = pca.predict(&records);
    Ok(projected.mapv(|v| v as f32))
}

/// Features for the classifiers: codes (or pixels) of the training, test and labelled images.
struct Codes {
    train: Array2<f32>,
    test: Array2<f32>,
    scarce: Array2<f32>,
    /// Fitted on the training codes; the MLPs see standardised codes, k-NN the codes as learned.
    standardizer: Option<Standardizer>,
}

impl Codes {
    fn new(ae: &Autoencoder, train: &Dataset, test: &Dataset, scarce: &Dataset) -> Result<Codes> {
        let train_codes = ae.encode(&train.x)?;
        let standardizer = Some(Standardizer::fit(train_codes.view())?);
        Ok(Codes { train: train_codes, test: ae.encode(&test.x)?, scarce: ae.encode(&scarce.x)?, standardizer })
    }

    fn for_mlp(&self, x: &Array2<f32>) -> Result<Array2<f32>> {
        match &self.standardizer {
            Some(s) => s.transform(x.view()),
            None => Ok(x.clone()),
        }
    }

    fn scores(
        &self,
        config: &FamilyConfig,
        mlp: &MlpParams,
        scarce_mlp: &MlpParams,
        (train, test, scarce): (&Dataset, &Dataset, &Dataset),
        scarce_rows: &[usize],
        spread: bool,
    ) -> Result<ClassifierScores> {
        let (train_x, test_x, scarce_x) =
            (self.for_mlp(&self.train)?, self.for_mlp(&self.test)?, self.for_mlp(&self.scarce)?);
        let score = |params: &MlpParams, x: &Array2<f32>, y: &Array1<u8>| -> Result<f32> {
            let (model, _) = params.fit(x.view(), y.view(), None, &mut silent)?;
            accuracy(&model.predict(&test_x)?, &test.y)
        };
        let knn = |x: &Array2<f32>, y: &Array1<u8>| -> Result<f32> {
            accuracy(&knn_classify(x.view(), y.view(), self.test.view(), config.knn_k)?, &test.y)
        };
        Ok(ClassifierScores {
            mlp: score(mlp, &train_x, &train.y)?,
            knn: if self.standardizer.is_some() { Some(knn(&self.train, &train.y)?) } else { None },
            scarce_mlp: score(scarce_mlp, &scarce_x, &scarce.y)?,
            scarce_knn: knn(&self.scarce, &scarce.y)?,
            scarce_spread: if spread {
                let spread = spread_labels(self.train.view(), scarce_rows, scarce.y.view(), 10, &config.spreading)?;
                Some(score(mlp, &train_x, &spread)?)
            } else {
                None
            },
        })
    }
}
