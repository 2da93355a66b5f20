//! Feature standardisation: shift and scale each feature to mean 0 and variance 1.
//!
//! An autoencoder's ReLU codes are unscaled: one unit may range over 0..40 and another over
//! 0..2, and some are always 0. An MLP trained with one learning rate for all its inputs
//! learns faster and better when they share a scale, so the study standardises the codes with
//! statistics of the *training* codes only (the test set must not leak into training).

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Per-feature mean and standard deviation, learned from training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Mean of each feature, (features).
    pub mean: Array1<f32>,
    /// Standard deviation of each feature, (features); constant features get 1 so they map to 0.
    pub std: Array1<f32>,
}

impl Standardizer {
    /// Learns the statistics of x (n, features). Errors on an empty x.
    pub fn fit(x: ArrayView2<f32>) -> Result<Self> {
        let mean = x.mean_axis(Axis(0)).ok_or(Error::EmptyData { context: "Standardizer::fit" })?;
        let std = x.std_axis(Axis(0), 0.0).mapv(|s| if s > 1e-6 { s } else { 1.0 });
        Ok(Standardizer { mean, std })
    }

    /// `(x − mean) / std`, feature by feature. x: (n, features).
    pub fn transform(&self, x: ArrayView2<f32>) -> Result<Array2<f32>> {
        if x.ncols() != self.mean.len() {
            return Err(Error::shape(
                "Standardizer::transform",
                format!("(n, {})", self.mean.len()),
                format!("{:?}", x.shape()),
            ));
        }
        Ok((&x - &self.mean) / &self.std)
    }
}
