//! Using a loaded model: its codes, its predictions, and its scores on a labelled dataset.

use ndarray::{Array1, Array2, AsArray, Ix2};
use serde::{Deserialize, Serialize};

use super::SavedModel;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::models::metrics::accuracy;

/// A saved model's scores on a labelled dataset.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelEvaluation {
    /// Number of images scored.
    pub n: usize,
    /// Reconstruction MSE of the autoencoder over every pixel.
    pub reconstruction_mse: f32,
    /// Accuracy of the codes → MLP classifier.
    pub codes_accuracy: f32,
    /// Accuracy of the pixels → MLP classifier, when the model has one.
    pub raw_accuracy: Option<f32>,
}

impl SavedModel {
    /// Number of input pixels the models take (784 for MNIST).
    pub fn inputs(&self) -> usize {
        self.autoencoder.encoder.inputs()
    }

    /// The features the codes MLP sees: codes of x (n, inputs), standardised if the study did.
    pub fn codes<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        let codes = self.autoencoder.encode(x)?;
        match &self.scaler {
            Some(s) => s.transform(codes.view()),
            None => Ok(codes),
        }
    }

    /// The class the codes MLP predicts for every image of x (n, inputs).
    pub fn predict<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array1<u8>> {
        self.codes_mlp.predict(&self.codes(x)?)
    }

    /// Reconstruction MSE and accuracies on a labelled dataset (e.g. the test set), computed
    /// the way the study computes them, so a loaded model reproduces the study's numbers.
    pub fn evaluate(&self, data: &Dataset) -> Result<ModelEvaluation> {
        if data.x.ncols() != self.inputs() {
            return Err(Error::shape(
                "SavedModel::evaluate (images)",
                format!("(n, {}) as the model was trained on", self.inputs()),
                format!("{:?}", data.x.shape()),
            ));
        }
        let raw_accuracy = match &self.raw_mlp {
            Some(raw) => Some(accuracy(&raw.predict(&data.x)?, &data.y)?),
            None => None,
        };
        Ok(ModelEvaluation {
            n: data.len(),
            reconstruction_mse: self.autoencoder.reconstruction_mse(&data.x)?,
            codes_accuracy: accuracy(&self.predict(&data.x)?, &data.y)?,
            raw_accuracy,
        })
    }
}
