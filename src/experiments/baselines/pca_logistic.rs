//! PCA (linfa-reduction) and multinomial logistic regression (linfa-logistic).

use std::time::Instant;

use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, Predict};
use linfa_logistic::MultiLogisticRegression;
use linfa_reduction::Pca;
use ndarray::{Array1, Array2, Axis};

use super::{BaselineRow, BaselineSettings, Features};
use crate::error::{Error, Result};

/// Training and test images projected on the first `k` principal components of the training
/// images.
#[derive(Debug, Clone)]
pub struct PcaFeatures {
    /// Training features, (n_train, k).
    pub train: Array2<f32>,
    /// Test features, (n_test, k).
    pub test: Array2<f32>,
    /// Wall seconds of the PCA fit.
    pub fit_seconds: f64,
    /// Fraction of the training images' total pixel variance the k components keep.
    ///
    /// Computed here because linfa's `explained_variance_ratio` divides by the variance of the
    /// *kept* components only, so it always sums to 1.
    pub explained_variance_ratio: f64,
}

impl PcaFeatures {
    /// Fits a k-component PCA on `train` (n, d) and projects `train` and `test` on it.
    /// linfa's PCA fits in f64 only, so the pixels are widened for the fit.
    pub fn fit(train: &Array2<f32>, test: &Array2<f32>, k: usize) -> Result<PcaFeatures> {
        let fail = |e: linfa_reduction::ReductionError| Error::Baseline {
            method: format!("PCA, k = {k}"),
            library: "linfa-reduction",
            reason: e.to_string(),
        };
        let train64 = train.mapv(f64::from);
        let started = Instant::now();
        let pca = Pca::params(k).fit(&DatasetBase::from(train64.clone())).map_err(fail)?;
        let fit_seconds = started.elapsed().as_secs_f64();
        let project = |x: &Array2<f64>| -> Array2<f32> { pca.predict(x).mapv(|v| v as f32) };
        let train_features = project(&train64);
        let test_features = project(&test.mapv(f64::from));
        let explained_variance_ratio = kept_variance_ratio(&train64, &train_features);
        Ok(PcaFeatures {
            train: train_features,
            test: test_features,
            fit_seconds,
            explained_variance_ratio,
        })
    }
}

/// Mean squared error per pixel of reconstructing `test` from its first `k` principal
/// components of `train`: the linear baseline for an autoencoder's code of `k` numbers.
///
/// The components are orthonormal, so an image's reconstruction error is its squared
/// distance from the training mean minus the squared length of its projection.
pub fn pca_reconstruction_mse(train: &Array2<f32>, test: &Array2<f32>, k: usize) -> Result<f64> {
    let features = PcaFeatures::fit(train, test, k)?;
    let mean =
        train.mapv(f64::from).mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(train.ncols()));
    let total: f64 = (test.mapv(f64::from) - &mean).iter().map(|v| v * v).sum();
    let kept: f64 = features.test.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
    Ok((total - kept).max(0.0) / test.len().max(1) as f64)
}

/// Variance of the projections over the total variance of the data: both sums of squared
/// deviations from the mean, so the (n − 1) cancels.
fn kept_variance_ratio(x: &Array2<f64>, projected: &Array2<f32>) -> f64 {
    let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(x.ncols()));
    let total: f64 = (x - &mean).iter().map(|v| v * v).sum();
    let kept: f64 = projected.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
    if total > 0.0 {
        kept / total
    } else {
        0.0
    }
}

/// Multinomial logistic regression (linfa-logistic, L-BFGS, its default L2 penalty) on
/// `features`, scored on the whole test set.
///
/// It runs in f64: in f32 the L-BFGS line search fails on these unscaled features and the
/// model predicts a single class (9.8 %).
pub fn logistic(data: &Features<'_>, settings: &BaselineSettings) -> Result<BaselineRow> {
    let Features { name: features, train_x, train_y, test_x, test_y } = *data;
    let method = "logistic regression (linfa-logistic)";
    let fail = |e: linfa_logistic::error::Error| Error::Baseline {
        method: format!("{method} on {features}"),
        library: "linfa-logistic",
        reason: e.to_string(),
    };
    let dataset = linfa::Dataset::new(train_x.mapv(f64::from), train_y.mapv(usize::from));
    let started = Instant::now();
    let model = MultiLogisticRegression::<f64>::default()
        .max_iterations(settings.logistic_iterations)
        .fit(&dataset)
        .map_err(fail)?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let predicted: Array1<usize> = model.predict(&test_x.mapv(f64::from));
    let predict_seconds = started.elapsed().as_secs_f64();
    let correct = predicted.iter().zip(test_y).filter(|(p, &t)| **p == usize::from(t)).count();
    Ok(BaselineRow::scored(
        method.into(),
        data,
        correct,
        test_y.len(),
        (fit_seconds, predict_seconds),
    ))
}
