//! The label budget of the claims chapter: the study's two MLPs trained on only a few
//! labelled images per class, for several seeds, with the pipeline's few-label step (the one
//! the family's label-scarce columns use too).

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::pipeline::{few_label_accuracy, scaled, FewLabelled, Observer};
use crate::experiments::statistics::PairedDifference;
use crate::experiments::study::Study;
use crate::train::TrainParams;

/// Test accuracy of an MLP on codes and on raw pixels when only a few labels are known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FewLabels {
    /// Labelled training images per class (the whole training set still trains the autoencoder).
    pub per_class: usize,
    /// One subset (and initialisation) per seed.
    pub seeds: Vec<u64>,
    /// The schedule both MLPs train with.
    pub train: TrainParams,
    /// Test accuracy of the codes → MLP, per seed.
    pub codes: Vec<f32>,
    /// Test accuracy of the pixels → MLP, per seed.
    pub raw: Vec<f32>,
}

impl FewLabels {
    /// Mean codes → MLP test accuracy over the seeds.
    pub fn codes_mean(&self) -> f32 {
        mean(&self.codes)
    }

    /// Mean pixels → MLP test accuracy over the seeds.
    pub fn raw_mean(&self) -> f32 {
        mean(&self.raw)
    }

    /// Codes minus pixels, paired by seed (each seed drew one labelled subset for both).
    pub fn codes_minus_raw(&self) -> Result<PairedDifference> {
        let f = |v: &[f32]| v.iter().map(|&a| f64::from(a)).collect::<Vec<_>>();
        PairedDifference::of(&f(&self.codes), &f(&self.raw))
    }
}

fn mean(v: &[f32]) -> f32 {
    v.iter().sum::<f32>() / v.len().max(1) as f32
}

/// Trains the study's two MLPs (same shapes) on `per_class` labelled images per class, for
/// each seed (which draws the images and seeds the training), and scores them on the whole
/// test set. The codes come from the study's autoencoder, which saw all 55,000 training images
/// without their labels.
pub fn few_labels(
    study: &Study,
    per_class: usize,
    seeds: &[u64],
    train: &TrainParams,
    observer: &mut Observer<'_>,
) -> Result<FewLabels> {
    let config = &study.results.config;
    let test = &study.data.test;
    let scaler = study.scaler.as_ref();
    let test_codes = study.autoencoder.encode(&test.x)?;
    let test_codes = scaled(scaler, &test_codes)?;
    let (mut codes, mut raw) = (Vec::new(), Vec::new());
    for &seed in seeds {
        let labelled = FewLabelled::draw(&study.data.train, per_class, seed)?;
        let labelled_codes = study.autoencoder.encode(&labelled.data.x)?;
        let labelled_codes = scaled(scaler, &labelled_codes)?;
        let schedule = train.clone().seed(seed);
        let codes_mlp = config.codes_mlp.clone().train(schedule.clone());
        let test_set = (test_codes.view(), &test.y);
        codes.push(few_label_accuracy(
            &codes_mlp,
            &labelled,
            labelled_codes.view(),
            test_set,
            "codes",
            observer,
        )?);
        let raw_mlp = config.raw_mlp.clone().train(schedule);
        let test_set = (test.x.view(), &test.y);
        raw.push(few_label_accuracy(
            &raw_mlp,
            &labelled,
            labelled.data.x.view(),
            test_set,
            "pixels",
            observer,
        )?);
    }
    Ok(FewLabels { per_class, seeds: seeds.to_vec(), train: train.clone(), codes, raw })
}

/// The few-label schedule: 100 labelled images per class, 50 epochs of batches of 32 (the
/// study's 15 epochs of 256 would make only 60 gradient steps on 1,000 images), five seeds.
/// The verdicts use this budget; [`crate::experiments::claims::ClaimsReport::fewer_labels`]
/// repeats it with 10 per class.
pub fn default_few_labels_settings() -> (usize, Vec<u64>, TrainParams) {
    (100, vec![1, 2, 3, 4, 5], TrainParams::default().epochs(50).batch_size(32))
}
