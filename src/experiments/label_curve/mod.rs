//! Accuracy against the number of labels: the tuned autoencoder's codes (learned from every
//! training image, without a label) when only 10, 100 or 1,000 images per class keep theirs.
//!
//! For each budget and seed, four classifiers meet the same labelled images:
//! - an MLP on their pixels, and one on their codes, trained on the labelled images alone;
//! - *spreading → codes MLP*: the labels spread over the k-NN graph of every training image's
//!   codes ([`Graph::spread`]), and an MLP trained on the codes with those labels;
//! - *self-training*: the pixels MLP of the tuned recipe trained on the same spread labels.
//!   Its dropout and weight decay let it disagree with the labels spreading got wrong.
//!
//! The same spreading over the pixels' graph scores how much the codes improve the graph
//! itself: the fraction of unlabelled training images each graph labels right. That uses the
//! training images' labels to score, never to train. The test set is scored once per model.

mod seeds;

pub use seeds::{LabelCurveSeeds, Method};

use std::path::Path;
use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::experiments::pipeline::{FewLabelled, Labels, Observer, Stage};
use crate::experiments::spreading::{Graph, SpreadingParams};
use crate::experiments::tuned::{Outcome, Tuned, TunedConfig};
use crate::models::metrics::accuracy;
use crate::models::mlp::{argmax_rows, Mlp, MlpParams};
use crate::models::scale::Standardizer;
use crate::nn::OptimizerConfig;
use crate::train::{Schedule, TrainParams};

/// Everything that decides the label curve's numbers for one seed (and its cache key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelCurveConfig {
    /// The tuned recipe: its autoencoder gives the codes, its MLPs the classifiers' shapes
    /// and regularisation, and its runs the all-labels end of the curve.
    pub tuned: TunedConfig,
    /// Labelled training images per class, one budget each.
    pub per_class: Vec<usize>,
    /// Seed of the labelled images (drawn per class, so every class has the same number).
    pub labelled_seed: u64,
    /// The schedule of the MLPs that see only the labelled images.
    pub few_label_train: TrainParams,
    /// Label spreading over the standardised codes; its α and iterations serve the pixels'
    /// graph too.
    pub spreading: SpreadingParams,
    /// Neighbours per image in the pixels' graph (the family comparison's).
    pub pixel_graph_k: usize,
    /// Epochs of the pixels MLP trained on the spread labels (self-training).
    pub self_training_epochs: usize,
}

impl Default for LabelCurveConfig {
    /// Chosen with seed 1, never with the test set: spreading with k = 5 over the
    /// standardised codes (by the share of unlabelled training images labelled right, k = 3
    /// lost 0.7 points at 10 labels per class, 10 lost 0.7 at 100), and 10 epochs of
    /// self-training, as good as 15 on the validation split at two thirds the time.
    fn default() -> Self {
        LabelCurveConfig {
            tuned: TunedConfig::default(),
            per_class: vec![10, 100, 1000],
            labelled_seed: 1,
            few_label_train: TrainParams::default()
                .epochs(50)
                .batch_size(32)
                .optimizer(OptimizerConfig::adamw(2e-3, 0.05))
                .schedule(Schedule::WarmupCosine { warmup: 0.1 }),
            spreading: SpreadingParams { k: 5, alpha: 0.99, iterations: 40 },
            pixel_graph_k: 10,
            self_training_epochs: 10,
        }
    }
}

impl LabelCurveConfig {
    /// The same settings with every model and the labelled images seeded by `seed`; the
    /// tuned run of the same seed provides the autoencoder, so the two chapters pair by seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.tuned = self.tuned.seed(seed);
        self.few_label_train.seed = seed;
        self.labelled_seed = seed;
        self
    }

    /// Checks every setting before anything trains.
    pub fn check(&self) -> Result<()> {
        self.tuned.check()?;
        self.few_label_train.check()?;
        if self.few_label_train.early_stopping.is_some() {
            return Err(Error::param(
                "few_label_train.early_stopping",
                "set",
                "with a few labels there is no labelled validation split to stop on; use a \
                 fixed number of epochs",
            ));
        }
        if self.per_class.is_empty() || self.per_class.contains(&0) {
            return Err(Error::param(
                "per_class",
                format!("{:?}", self.per_class),
                "needs at least one budget, each at least 1 image per class (try [10, 100, 1000])",
            ));
        }
        if self.self_training_epochs == 0 {
            return Err(Error::param("self_training_epochs", 0, "must be at least 1 (try 10)"));
        }
        if self.pixel_graph_k == 0 {
            return Err(Error::param("pixel_graph_k", 0, "must be at least 1 (try 10)"));
        }
        Ok(())
    }

    /// The MLP `of` with the few-label schedule (its shape and dropout kept).
    fn few_label(&self, of: &MlpParams) -> MlpParams {
        of.clone().train(self.few_label_train.clone())
    }

    /// The tuned pixels MLP for a fixed number of epochs: the spread labels have no labelled
    /// validation split to stop on.
    pub fn self_training_mlp(&self) -> MlpParams {
        let raw = &self.tuned.raw_mlp;
        raw.clone().train(raw.train.clone().epochs(self.self_training_epochs).early_stopping(None))
    }

    /// The codes MLP trained on spread labels, for its tuned epochs without early stopping.
    fn spread_codes(&self) -> MlpParams {
        let codes = &self.tuned.codes_mlp;
        codes.clone().train(codes.train.clone().early_stopping(None))
    }
}

/// A classifier's accuracy on the test set (once) and on the validation split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Accuracy on the 10,000 test images.
    pub test: f32,
    /// Accuracy on the 5,000 validation images, which choose the best method.
    pub validation: f32,
}

impl From<&Outcome> for Score {
    fn from(o: &Outcome) -> Self {
        Score { test: o.test, validation: o.validation }
    }
}

/// One label budget of one seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Labelled training images per class.
    pub per_class: usize,
    /// The pixels MLP trained on the labelled images alone.
    pub pixels: Score,
    /// The codes MLP trained on the labelled images' codes alone.
    pub codes: Score,
    /// The codes MLP trained on the labels spread over the codes' graph.
    pub spread_codes: Score,
    /// The pixels MLP trained on the same spread labels.
    pub self_trained: Score,
    /// Unlabelled training images that spreading over the codes labels right.
    pub spread_right_codes: f32,
    /// Unlabelled training images that spreading over the pixels labels right.
    pub spread_right_pixels: f32,
    /// Wall seconds of the whole budget (spreading and the four trainings).
    pub seconds: f64,
}

impl Budget {
    /// Labelled images in all.
    pub fn labels(&self) -> usize {
        10 * self.per_class
    }
}

/// The all-labels end of the curve: the tuned runs of the same seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AllLabels {
    /// Labelled training images (every one of the training split).
    pub labels: usize,
    /// The tuned pixels MLP.
    pub pixels: Score,
    /// The tuned codes MLP.
    pub codes: Score,
    /// The tuned encoder + MLP fine-tuned end to end.
    pub finetuned: Score,
}

/// What one seed of the label curve measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelCurveResults {
    /// Everything that decided these numbers.
    pub config: LabelCurveConfig,
    /// Every budget, in the order of `config.per_class`.
    pub budgets: Vec<Budget>,
    /// Every label known.
    pub all: AllLabels,
}

/// Runs (or reads from `cache_dir`) one seed of the label curve. The tuned run of the same
/// seed is read from (or stored in) the cache too: its autoencoder gives the codes.
pub fn run_cached(
    config: &LabelCurveConfig,
    cache_dir: &Path,
    observer: &mut Observer<'_>,
) -> Result<LabelCurveResults> {
    config.check()?;
    let tuned = Tuned::run_cached(&config.tuned, cache_dir, observer)?;
    crate::output::cache::cached(cache_dir, "label-curve", config, || {
        measure(config, &tuned, Some(cache_dir), observer)
    })
}

/// The codes every classifier of a budget shares, standardised as the MLPs see them.
struct Features {
    train: Array2<f32>,
    validation: Array2<f32>,
    test: Array2<f32>,
}

/// Measures every budget of `config` with the autoencoder of `tuned`, which must be the run
/// of `config.tuned` (an error otherwise).
pub fn measure(
    config: &LabelCurveConfig,
    tuned: &Tuned,
    cache: Option<&Path>,
    observer: &mut Observer<'_>,
) -> Result<LabelCurveResults> {
    config.check()?;
    if tuned.results.config != config.tuned {
        return Err(Error::param(
            "tuned",
            "another recipe",
            "was trained with settings other than `config.tuned`; run \
             `Tuned::run_cached(&config.tuned, …)` and pass that run",
        ));
    }
    let data = &tuned.data;
    let ae = &tuned.autoencoder;
    let train_codes = ae.encode(&data.train.x)?;
    let scaler = Standardizer::fit(train_codes.view())?;
    let scaled =
        |x: &Array2<f32>| -> Result<Array2<f32>> { scaler.transform(ae.encode(x)?.view()) };
    let codes = Features {
        train: scaler.transform(train_codes.view())?,
        validation: scaled(&data.validation.x)?,
        test: scaled(&data.test.x)?,
    };
    let code_graph = Graph::knn(codes.train.view(), config.spreading.k)?;
    let pixel_graph = Graph::knn_cached(data.train.x.view(), config.pixel_graph_k, cache)?;
    let mut budgets = Vec::new();
    for &per_class in &config.per_class {
        let started = Instant::now();
        let labelled = FewLabelled::draw(&data.train, per_class, config.labelled_seed)?;
        let few = Stage::Classifier { features: "pixels", labels: labelled.labels() };
        let few_pixels = (labelled.data.x.view(), labelled.data.y.view());
        let pixels_only = config.few_label(&config.tuned.raw_mlp);
        let pixels = score(&pixels_only, few_pixels, None, data, few, observer)?;
        let labelled_codes = codes.train.select(ndarray::Axis(0), &labelled.rows);
        let few_codes = (labelled_codes.view(), labelled.data.y.view());
        let few = Stage::Classifier { features: "codes", labels: labelled.labels() };
        let codes_only = config.few_label(&config.tuned.codes_mlp);
        let codes_score = score(&codes_only, few_codes, Some(&codes), data, few, observer)?;

        let spread = spread_labels(&code_graph, &labelled, &config.spreading)?;
        let by_pixels = spread_labels(&pixel_graph, &labelled, &config.spreading)?;
        let spread_set = (codes.train.view(), spread.view());
        let stage = Stage::Classifier { features: "codes", labels: Labels::Spread };
        let spread_codes =
            score(&config.spread_codes(), spread_set, Some(&codes), data, stage, observer)?;
        let pseudo = (data.train.x.view(), spread.view());
        let stage = Stage::Classifier { features: "pixels", labels: Labels::Spread };
        let self_trained = score(&config.self_training_mlp(), pseudo, None, data, stage, observer)?;
        budgets.push(Budget {
            per_class,
            pixels,
            codes: codes_score,
            spread_codes,
            self_trained,
            spread_right_codes: right_among_unlabelled(&spread, &labelled, &data.train.y)?,
            spread_right_pixels: right_among_unlabelled(&by_pixels, &labelled, &data.train.y)?,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let r = &tuned.results;
    let all = AllLabels {
        labels: data.train.len(),
        pixels: (&r.raw_mlp).into(),
        codes: (&r.codes_mlp).into(),
        finetuned: (&r.finetuned).into(),
    };
    Ok(LabelCurveResults { config: config.clone(), budgets, all })
}

/// Labels for every training image spread from the labelled ones over `graph`; the labelled
/// images keep their own.
fn spread_labels(
    graph: &Graph,
    labelled: &FewLabelled,
    params: &SpreadingParams,
) -> Result<Array1<u8>> {
    let scores = graph.spread(&labelled.rows, labelled.data.y.view(), 10, params)?;
    let mut labels = argmax_rows(scores.view());
    for (&row, &label) in labelled.rows.iter().zip(&labelled.data.y) {
        labels[row] = label;
    }
    Ok(labels)
}

/// The fraction of the training images outside `labelled` whose `spread` label is right.
fn right_among_unlabelled(
    spread: &Array1<u8>,
    labelled: &FewLabelled,
    truth: &Array1<u8>,
) -> Result<f32> {
    let mut is_labelled = vec![false; truth.len()];
    for &row in &labelled.rows {
        is_labelled[row] = true;
    }
    let (mut right, mut total) = (0usize, 0usize);
    for ((s, t), l) in spread.iter().zip(truth).zip(is_labelled) {
        if !l {
            total += 1;
            right += usize::from(s == t);
        }
    }
    if total == 0 {
        return Err(Error::param("per_class", labelled.per_class, "leaves no unlabelled image"));
    }
    Ok(right as f32 / total as f32)
}

/// Trains `params` on (`x`, `y`) and scores it on the validation and test images, as codes
/// (`Some`) or pixels (`None`).
fn score<'a>(
    params: &MlpParams,
    (x, y): (ArrayView2<'a, f32>, ArrayView1<'a, u8>),
    codes: Option<&Features>,
    data: &Mnist,
    stage: Stage<'_>,
    observer: &mut Observer<'_>,
) -> Result<Score> {
    let (mlp, _) = params.fit(x, y, None, &mut |e| observer(stage, e))?;
    let (validation, test) = match codes {
        Some(c) => (c.validation.view(), c.test.view()),
        None => (data.validation.x.view(), data.test.x.view()),
    };
    Ok(Score {
        test: accuracy_of(&mlp, test, &data.test.y)?,
        validation: accuracy_of(&mlp, validation, &data.validation.y)?,
    })
}

fn accuracy_of(mlp: &Mlp, x: ArrayView2<f32>, y: &Array1<u8>) -> Result<f32> {
    accuracy(&mlp.predict(x)?, y)
}
