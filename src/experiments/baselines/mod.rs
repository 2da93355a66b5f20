//! Classical baselines on the same split as the study, from the Rust ML ecosystem: PCA then
//! logistic regression (linfa-reduction, linfa-logistic), nearest neighbours (linfa-nn's k-d
//! tree, and the crate's exact search on raw pixels), and a decision tree (smartcore). Each
//! returns [`BaselineRow`]s, one line of the results table.
//!
//! The baselines are slow next to the networks (a PCA fit, a nearest-neighbour search or a
//! decision tree takes seconds each), so [`run_all_cached`] computes them once per code
//! version and shares them between the tests, the notebook and the book's assets.

pub mod knn;
pub mod pca_logistic;
pub mod smartcore;

use std::path::Path;

use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Mnist;
use crate::error::Result;
use crate::experiments::study::Study;

/// One method's outcome on the test set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineRow {
    /// The classifier, e.g. "logistic regression (linfa-logistic)".
    pub method: String,
    /// What it sees, e.g. "PCA, k = 32", "autoencoder codes", "raw pixels".
    pub features: String,
    /// Features per image.
    pub dimension: usize,
    /// Fraction of the scored test images classified right.
    pub accuracy: f32,
    /// Test images scored (all of them, 10,000 on MNIST).
    pub test_images: usize,
    /// Wall seconds to fit (feature extraction excluded: see the PCA rows' own fit time).
    pub fit_seconds: f64,
    /// Wall seconds to predict the scored test images.
    pub predict_seconds: f64,
}

impl BaselineRow {
    /// The row of `method` on `data` that classified `correct` of `scored` test images right,
    /// with its fit and predict wall seconds.
    fn scored(
        method: String,
        data: &Features<'_>,
        correct: usize,
        scored: usize,
        seconds: (f64, f64),
    ) -> Self {
        BaselineRow {
            method,
            features: data.name.into(),
            dimension: data.train_x.ncols(),
            accuracy: correct as f32 / scored.max(1) as f32,
            test_images: scored,
            fit_seconds: seconds.0,
            predict_seconds: seconds.1,
        }
    }
}

/// What decides the baselines' numbers (part of their cache key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineSettings {
    /// PCA sizes to try.
    pub pca_components: Vec<usize>,
    /// L-BFGS iterations of the logistic regressions.
    pub logistic_iterations: u64,
    /// Neighbour counts for the majority vote.
    pub knn_k: Vec<usize>,
    /// Depth limit of the smartcore decision tree.
    pub tree_max_depth: u16,
}

impl Default for BaselineSettings {
    /// PCA with 32 and 50 components; 100 L-BFGS iterations; k = 3 and 5; a decision tree of
    /// depth ≤ 16, sized to the test budget (see [`smartcore`] for the models that did not
    /// fit it).
    fn default() -> Self {
        BaselineSettings {
            pca_components: vec![32, 50],
            logistic_iterations: 100,
            knn_k: vec![3, 5],
            tree_max_depth: 16,
        }
    }
}

/// Every baseline's rows, plus what the chapter says about PCA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baselines {
    /// The settings they ran with.
    pub settings: BaselineSettings,
    /// One row per (method, features).
    pub rows: Vec<BaselineRow>,
    /// Per PCA size: (k, fit seconds, true fraction of the pixel variance its components keep).
    pub pca: Vec<(usize, f64, f64)>,
}

/// One set of features a baseline learns from and is scored on: a name for the table, and the
/// training and test matrices (rows are images) with their labels.
#[derive(Debug, Clone, Copy)]
pub struct Features<'a> {
    /// What the features are, e.g. `PCA, k = 32` or `raw pixels`.
    pub name: &'a str,
    /// Training features, (n_train, dimension).
    pub train_x: &'a Array2<f32>,
    /// Training labels, (n_train).
    pub train_y: &'a Array1<u8>,
    /// Test features, (n_test, dimension).
    pub test_x: &'a Array2<f32>,
    /// Test labels, (n_test).
    pub test_y: &'a Array1<u8>,
}

/// Runs every baseline against `study`'s autoencoder codes and `data`. The PCA fits, the
/// logistic regressions and the decision tree run on one core each, so they run side by side,
/// two at a time on two cores; the k-NN searches use every core, so they run one after the
/// other. Each time measured is then the method's own. The rows keep their order.
pub fn run_all(study: &Study, settings: &BaselineSettings) -> Result<Baselines> {
    let data: &Mnist = &study.data;
    let (train, test) = (&data.train, &data.test);
    let train_codes = study.autoencoder.encode(&train.x)?;
    let test_codes = study.autoencoder.encode(&test.x)?;
    let codes = Features {
        name: "autoencoder codes",
        train_x: &train_codes,
        train_y: &train.y,
        test_x: &test_codes,
        test_y: &test.y,
    };
    let pca_names: Vec<String> =
        settings.pca_components.iter().map(|k| format!("PCA, k = {k}")).collect();
    fn pca_features<'a>(
        features: &'a pca_logistic::PcaFeatures,
        name: &'a str,
        data: &'a Mnist,
    ) -> Features<'a> {
        let (train_y, test_y) = (&data.train.y, &data.test.y);
        Features { name, train_x: &features.train, train_y, test_x: &features.test, test_y }
    }
    // Side by side: each PCA with its logistic regression, then the codes' regression and tree.
    let pcas = settings.pca_components.par_iter().zip(&pca_names).map(|(&k, name)| {
        let features = pca_logistic::PcaFeatures::fit(&train.x, &test.x, k)?;
        let logistic = pca_logistic::logistic(&pca_features(&features, name, data), settings)?;
        Ok((features, logistic))
    });
    let on_codes = || {
        rayon::join(
            || pca_logistic::logistic(&codes, settings),
            || smartcore::decision_tree(&codes, settings),
        )
    };
    let (pcas, (codes_logistic, tree)) = rayon::join(|| pcas.collect::<Result<Vec<_>>>(), on_codes);
    let pcas = pcas?;
    let mut rows: Vec<BaselineRow> = pcas.iter().map(|(_, logistic)| logistic.clone()).collect();
    rows.push(codes_logistic?);
    // One after the other: k-NN on the 32-component PCA (or the first one), the codes, the pixels.
    let knn_pca = settings.pca_components.iter().position(|&k| k == 32).unwrap_or(0);
    if let (Some((features, _)), Some(name)) = (pcas.get(knn_pca), pca_names.get(knn_pca)) {
        rows.extend(knn::knn(&pca_features(features, name, data), settings)?);
    }
    rows.extend(knn::knn(&codes, settings)?);
    let raw = Features {
        name: "raw pixels",
        train_x: &train.x,
        train_y: &train.y,
        test_x: &test.x,
        test_y: &test.y,
    };
    rows.extend(knn::knn(&raw, settings)?);
    rows.push(tree?);
    let pca = pcas
        .iter()
        .zip(&settings.pca_components)
        .map(|((f, _), &k)| (k, f.fit_seconds, f.explained_variance_ratio))
        .collect();
    Ok(Baselines { settings: settings.clone(), rows, pca })
}

/// [`run_all`], computed once per (settings, study config, library source) and cached in `dir`.
pub fn run_all_cached(study: &Study, dir: &Path, settings: &BaselineSettings) -> Result<Baselines> {
    crate::output::cache::cached(dir, "baselines", &(settings, &study.results.config), || {
        run_all(study, settings)
    })
}

impl Baselines {
    /// The row of `method` (a prefix of its name) on `features`, if it ran.
    pub fn row(&self, method: &str, features: &str) -> Option<&BaselineRow> {
        self.rows.iter().find(|r| r.method.starts_with(method) && r.features == features)
    }
}
