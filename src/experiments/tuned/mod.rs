//! The same networks, trained well: dropout, AdamW, a warm-up + cosine schedule and early
//! stopping on the validation split, for the raw-pixel MLP, the autoencoder and the
//! fine-tuned encoder + MLP; PCA's reconstruction beside the autoencoder's.
//!
//! The original study keeps its bare recipe (Adam at a constant rate, 15 epochs, the last
//! epoch kept), so that it can still be compared with the original notebook. This is a second
//! configuration of the same pipeline: the same data split, the same loop, the same models;
//! only the training settings differ. They were chosen on the 5,000 validation images
//! (`examples/tune.rs` tries one recipe); each model meets the test set once, at the end.

mod recipe;
mod seeds;

pub use recipe::TunedConfig;
pub use seeds::TunedSeeds;

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::data::Mnist;
use crate::error::{Error, Result};
use crate::experiments::baselines::pca_logistic::pca_reconstruction_mse;
use crate::experiments::pipeline::{self, Codes, Experiment, Observer, Stage};
use crate::models::autoencoder::Autoencoder;
use crate::models::finetune::FineTuned;
use crate::models::metrics::accuracy;
use crate::train::History;

/// One trained model's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Test accuracy (classifiers) or test MSE per pixel (the autoencoder), measured once.
    pub test: f32,
    /// The same score on the validation split, which chose the recipe.
    pub validation: f32,
    /// The epoch whose weights were kept (early stopping), or the last one.
    pub kept_epoch: usize,
    /// Wall seconds of the whole training.
    pub seconds: f64,
    /// Per-epoch training and validation curves.
    pub history: History,
}

/// What one seed of the tuned recipe measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TunedResults {
    /// Everything that decided these numbers.
    pub config: TunedConfig,
    /// The raw-pixel MLP.
    pub raw_mlp: Outcome,
    /// The autoencoder (scores are reconstruction MSE per pixel).
    pub autoencoder: Outcome,
    /// The MLP on the autoencoder's (standardised) codes, before fine-tuning.
    pub codes_mlp: Outcome,
    /// Encoder and MLP fine-tuned end to end from the two above.
    pub finetuned: Outcome,
}

/// A seed of the tuned recipe, with the data it ran on.
pub struct Tuned {
    /// The measurements.
    pub results: TunedResults,
    /// The trained autoencoder, whose codes the few-label experiments reuse.
    pub autoencoder: Autoencoder,
    /// The data (training, validation and test splits).
    pub data: Mnist,
}

/// What a seed of the tuned recipe trains and measures (what the cache keeps).
#[derive(Serialize, Deserialize)]
pub struct TrainedTuned {
    results: TunedResults,
    autoencoder: Autoencoder,
}

/// Test MSE per pixel of PCA with `k` components fitted on the training images: the linear
/// reconstruction an autoencoder's code of `k` numbers should beat.
pub fn pca_test_mse(data: &Mnist, k: usize) -> Result<f64> {
    pca_reconstruction_mse(&data.train.x, &data.test.x, k)
}

impl Tuned {
    /// Runs (or reads from `cache_dir`) one seed of the recipe.
    pub fn run_cached(
        config: &TunedConfig,
        cache_dir: &Path,
        observer: &mut Observer<'_>,
    ) -> Result<Tuned> {
        pipeline::run_cached::<Tuned>(config, cache_dir, observer)
    }
}

fn outcome(test: f32, validation: f32, seconds: f64, history: History) -> Outcome {
    let kept_epoch = history.best_epoch.unwrap_or(history.epochs.len());
    Outcome { test, validation, kept_epoch, seconds, history }
}

impl Experiment for Tuned {
    type Config = TunedConfig;
    type Trained = TrainedTuned;
    const NAME: &'static str = "tuned";

    fn check(config: &TunedConfig) -> Result<()> {
        config.check()
    }

    fn data_dir(config: &TunedConfig) -> Option<&Path> {
        config.data_dir.as_deref()
    }

    fn validation(config: &TunedConfig) -> usize {
        config.validation
    }

    fn train(
        config: &TunedConfig,
        data: &Mnist,
        _cache: Option<&Path>,
        observer: &mut Observer<'_>,
    ) -> Result<TrainedTuned> {
        let raw_mlp = train_raw_mlp(config, data, observer)?;
        let (ae, autoencoder) = train_autoencoder(config, data, observer)?;
        let (codes_mlp, finetuned) = fine_tune(config, &ae, data, observer)?;
        let results =
            TunedResults { config: config.clone(), raw_mlp, autoencoder, codes_mlp, finetuned };
        Ok(TrainedTuned { results, autoencoder: ae })
    }

    fn assemble(trained: TrainedTuned, data: Mnist) -> Tuned {
        Tuned { results: trained.results, autoencoder: trained.autoencoder, data }
    }
}

fn classifier(features: &str) -> Stage<'_> {
    Stage::Classifier { features, labels: pipeline::Labels::All }
}

/// Trains the raw-pixel MLP of `config`, watching (and early-stopping on) the validation split.
pub fn train_raw_mlp(
    config: &TunedConfig,
    data: &Mnist,
    observer: &mut Observer<'_>,
) -> Result<Outcome> {
    let (train, valid, test) = (&data.train, &data.validation, &data.test);
    let started = Instant::now();
    let watch = Some((valid.x.view(), valid.y.view()));
    let (raw, history) = config.raw_mlp.fit(train.x.view(), train.y.view(), watch, &mut |e| {
        observer(classifier("tuned pixels"), e)
    })?;
    Ok(outcome(
        accuracy(&raw.predict(&test.x)?, &test.y)?,
        accuracy(&raw.predict(&valid.x)?, &valid.y)?,
        started.elapsed().as_secs_f64(),
        history,
    ))
}

/// Trains the autoencoder of `config`, an MLP on its standardised codes, and then both
/// fine-tuned end to end: the outcomes of the autoencoder, the codes MLP and the fine-tuned
/// network.
pub fn train_autoencoder_route(
    config: &TunedConfig,
    data: &Mnist,
    observer: &mut Observer<'_>,
) -> Result<(Outcome, Outcome, Outcome)> {
    let (ae, autoencoder) = train_autoencoder(config, data, observer)?;
    let (codes_mlp, finetuned) = fine_tune(config, &ae, data, observer)?;
    Ok((autoencoder, codes_mlp, finetuned))
}

/// Trains the autoencoder of `config`, watching its validation reconstructions.
pub fn train_autoencoder(
    config: &TunedConfig,
    data: &Mnist,
    observer: &mut Observer<'_>,
) -> Result<(Autoencoder, Outcome)> {
    let (train, valid, test) = (&data.train, &data.validation, &data.test);
    let started = Instant::now();
    let (ae, history) = config.autoencoder.fit(train.x.view(), Some(valid.x.view()), &mut |e| {
        observer(Stage::Autoencoder("tuned autoencoder"), e)
    })?;
    let outcome = outcome(
        ae.reconstruction_mse(&test.x)?,
        ae.reconstruction_mse(&valid.x)?,
        started.elapsed().as_secs_f64(),
        history,
    );
    Ok((ae, outcome))
}

/// Trains an MLP on `ae`'s standardised codes, then fine-tunes encoder and MLP together:
/// the outcomes of the codes MLP and of the fine-tuned network.
pub fn fine_tune(
    config: &TunedConfig,
    ae: &Autoencoder,
    data: &Mnist,
    observer: &mut Observer<'_>,
) -> Result<(Outcome, Outcome)> {
    let (train, valid, test) = (&data.train, &data.validation, &data.test);
    let started = Instant::now();
    let codes = Codes::encode(ae, data, true)?;
    let (train_codes, valid_codes, test_codes) =
        (codes.for_mlp(&codes.train)?, codes.for_mlp(&codes.watched)?, codes.for_mlp(&codes.test)?);
    let (head, history) = config.codes_mlp.fit(
        train_codes.view(),
        train.y.view(),
        Some((valid_codes.view(), valid.y.view())),
        &mut |e| observer(classifier("tuned codes"), e),
    )?;
    let codes_mlp = outcome(
        accuracy(&head.predict(&*test_codes)?, &test.y)?,
        accuracy(&head.predict(&*valid_codes)?, &valid.y)?,
        started.elapsed().as_secs_f64(),
        history,
    );

    let started = Instant::now();
    let start = FineTuned::from_study(ae, codes.scaler.as_ref(), &head)?;
    let (tuned, history) = config
        .finetune
        .fit(start, train, Some(valid), &mut |e| observer(classifier("fine-tuned"), e))?;
    let finetuned = outcome(
        accuracy(&tuned.predict(&test.x)?, &test.y)?,
        accuracy(&tuned.predict(&valid.x)?, &valid.y)?,
        started.elapsed().as_secs_f64(),
        history,
    );
    Ok((codes_mlp, finetuned))
}

/// The error for a recipe that would early-stop on the test set.
fn needs_validation() -> Error {
    Error::param(
        "validation",
        0,
        "the tuned recipe stops early on the validation split; hold out some training \
         images (5,000, as the book does), never the test set",
    )
}

/// The raw-pixel MLP of `config` with one technique at a time taken away: what each earns,
/// on the validation split. Rows: without dropout, without weight decay, and at a constant
/// learning rate (the whole recipe is [`train_raw_mlp`] of `config` itself).
pub fn ablation(
    config: &TunedConfig,
    data: &Mnist,
    observer: &mut Observer<'_>,
) -> Result<Vec<(String, Outcome)>> {
    let recipe = &config.raw_mlp;
    let mut no_decay = recipe.clone();
    if let crate::nn::OptimizerConfig::Adam { weight_decay, .. } = &mut no_decay.train.optimizer {
        *weight_decay = 0.0;
    }
    let variants = [
        ("without dropout", recipe.clone().dropout(0.0).input_dropout(0.0)),
        ("without weight decay", no_decay),
        ("at a constant rate", {
            let train = recipe.train.clone().schedule(crate::train::Schedule::Constant);
            recipe.clone().train(train)
        }),
    ];
    variants
        .into_iter()
        .map(|(name, raw_mlp)| {
            let config = TunedConfig { raw_mlp, ..config.clone() };
            Ok((name.to_string(), train_raw_mlp(&config, data, observer)?))
        })
        .collect()
}
