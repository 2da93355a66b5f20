//! The hand-rolled networks as linfa citizens, so they plug into the Rust ML ecosystem
//! instead of living beside it:
//!
//! - [`AeParams`] → [`AeValidParams`]: linfa's checked-hyperparameter convention
//!   ([`ParamGuard`]); the checked params implement [`Fit`] and return an [`Autoencoder`];
//! - [`Autoencoder`] implements [`Transformer`]: a dataset of images becomes a dataset of codes,
//!   labels untouched, exactly as linfa-reduction's `Pca` does; [`Autoencoder::inverse_transform`]
//!   decodes, like `Pca::inverse_transform`;
//! - [`Mlp`] implements [`PredictInplace`], so linfa's `Predict` and `confusion_matrix` work.
//!
//! linfa labels must implement `linfa::Label`, which `u8` does not: [`to_linfa`] turns our
//! [`Dataset`] into a linfa dataset with `usize` labels.

/// The linfa crates the chapter's cells use, re-exported so a notebook that depends on this
/// crate alone can name them (`use ae_mlp::models::linfa_api::linfa::prelude::*;`).
pub use {linfa, linfa_logistic, linfa_nn, linfa_reduction};

use linfa::dataset::DatasetBase;
use linfa::param_guard::ParamGuard;
use linfa::traits::{Fit, PredictInplace, Transformer};
use ndarray::{Array1, Array2, ArrayBase, Data, Ix2};

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::models::autoencoder::{Autoencoder, AutoencoderParams};
use crate::models::mlp::{argmax_rows, Mlp};

/// A linfa dataset as this crate builds them: f32 records (n, features), one `usize` label each.
pub type LinfaDataset = linfa::Dataset<f32, usize, ndarray::Ix1>;

/// Our dataset as a linfa dataset: the same images, labels widened to `usize` (linfa's
/// `confusion_matrix` needs labels that implement `linfa::Label`). Copies the pixels.
pub fn to_linfa(data: &Dataset) -> LinfaDataset {
    linfa::Dataset::new(data.x.clone(), data.y.mapv(usize::from))
}

/// The same dataset in f64, the precision linfa's PCA needs (and linfa-logistic's solver on
/// these features). Copies the pixels.
pub type LinfaDataset64 = linfa::Dataset<f64, usize, ndarray::Ix1>;

/// Our dataset as an f64 linfa dataset (see [`LinfaDataset64`]).
pub fn to_linfa_f64(data: &Dataset) -> LinfaDataset64 {
    linfa::Dataset::new(data.x.mapv(f64::from), data.y.mapv(usize::from))
}

/// Unchecked autoencoder hyperparameters, linfa style: `AeParams::new(params).fit(&dataset)`
/// checks them first (through [`ParamGuard`]) and then trains.
#[derive(Debug, Clone, PartialEq)]
pub struct AeParams(AeValidParams);

/// Checked autoencoder hyperparameters: only [`AeParams::check`] makes one, so a fit never
/// starts from invalid settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AeValidParams(AutoencoderParams);

impl AeParams {
    /// Wraps this crate's [`AutoencoderParams`] for linfa.
    pub fn new(params: AutoencoderParams) -> Self {
        AeParams(AeValidParams(params))
    }
}

impl AeValidParams {
    /// The checked hyperparameters.
    pub fn params(&self) -> &AutoencoderParams {
        &self.0
    }
}

impl ParamGuard for AeParams {
    type Checked = AeValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&AeValidParams> {
        self.0 .0.check()?;
        Ok(&self.0)
    }

    fn check(self) -> Result<AeValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// Trains on the dataset's records (images, (n, inputs)); the labels are never looked at.
impl<D: Data<Elem = f32>, T> Fit<ArrayBase<D, Ix2>, T, Error> for AeValidParams {
    type Object = Autoencoder;

    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Autoencoder> {
        let (autoencoder, _history) =
            self.0.fit(dataset.records.view(), None, &mut crate::train::silent)?;
        Ok(autoencoder)
    }
}

/// Images (n, inputs) → codes (n, latent).
impl<D: Data<Elem = f32>> Transformer<&ArrayBase<D, Ix2>, Result<Array2<f32>>> for Autoencoder {
    fn transform(&self, x: &ArrayBase<D, Ix2>) -> Result<Array2<f32>> {
        self.encode(x.view())
    }
}

/// A dataset of images → the dataset of their codes, with the same labels: what
/// `Pca::transform` does, so every linfa model that trains on PCA features trains on codes too.
/// Unlike `Pca`, a wrong number of columns is an error rather than a panic.
impl<D: Data<Elem = f32>, T>
    Transformer<DatasetBase<ArrayBase<D, Ix2>, T>, Result<DatasetBase<Array2<f32>, T>>>
    for Autoencoder
{
    fn transform(
        &self,
        dataset: DatasetBase<ArrayBase<D, Ix2>, T>,
    ) -> Result<DatasetBase<Array2<f32>, T>> {
        let codes = self.encode(dataset.records.view())?;
        Ok(DatasetBase::new(codes, dataset.targets).with_weights(dataset.weights))
    }
}

/// The same on a dataset of f64 images, the precision linfa's PCA and logistic regression
/// work in: the records are narrowed to f32 for the network and the codes widened back, so
/// one f64 dataset feeds `Pca` and the autoencoder alike.
impl<T> Transformer<DatasetBase<Array2<f64>, T>, Result<DatasetBase<Array2<f64>, T>>>
    for Autoencoder
{
    fn transform(
        &self,
        dataset: DatasetBase<Array2<f64>, T>,
    ) -> Result<DatasetBase<Array2<f64>, T>> {
        let codes = self.encode(&dataset.records.mapv(|v| v as f32))?;
        Ok(DatasetBase::new(codes.mapv(f64::from), dataset.targets).with_weights(dataset.weights))
    }
}

impl Autoencoder {
    /// The inverse of the [`Transformer`]: codes (n, latent) → images (n, inputs), as
    /// `Pca::inverse_transform` maps projections back to pixel space.
    pub fn inverse_transform(&self, codes: &Array2<f32>) -> Result<Array2<f32>> {
        self.decode(codes)
    }
}

/// linfa's prediction interface: the most likely class of every row.
///
/// linfa's trait has no error channel, so a feature matrix of the wrong width panics here,
/// with a message naming both widths — the convention of linfa's own models (`Pca`,
/// logistic regression). [`Mlp::predict`] is the checked path that returns an [`Error`].
impl<D: Data<Elem = f32>> PredictInplace<ArrayBase<D, Ix2>, Array1<usize>> for Mlp {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<usize>) {
        assert_eq!(
            x.ncols(),
            self.stack.inputs(),
            "Mlp::predict_inplace: the MLP takes {} features per row, the records have {}",
            self.stack.inputs(),
            x.ncols()
        );
        assert_eq!(y.len(), x.nrows(), "Mlp::predict_inplace: one target per record");
        let logits = self.stack.predict(x.view()).expect("the width was checked above");
        for (out, class) in y.iter_mut().zip(argmax_rows(logits.view())) {
            *out = usize::from(class);
        }
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::mlp::MlpParams;
    use crate::train::TrainParams;
    use linfa::prelude::{Predict, ToConfusionMatrix};

    fn toy() -> Dataset {
        let x = Array2::from_shape_fn((40, 6), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 10.0);
        let y = Array1::from_shape_fn(40, |i| (i % 2) as u8);
        Dataset::new(x, y).unwrap()
    }

    #[test]
    fn checked_params_refuse_a_zero_code_and_fit_through_linfa() {
        let data = to_linfa(&toy());
        let bad = AeParams::new(AutoencoderParams { inputs: 6, latent: 0, ..Default::default() });
        assert!(matches!(bad.fit(&data), Err(Error::InvalidParam { name: "latent", .. })));
        let train = TrainParams::default().epochs(2).batch_size(8);
        let good = AeParams::new(AutoencoderParams {
            inputs: 6,
            hidden: vec![5],
            latent: 3,
            train,
            ..Default::default()
        });
        let ae: Autoencoder = good.fit(&data).unwrap();
        let codes = ae.transform(data.clone()).unwrap();
        assert_eq!(codes.records.dim(), (40, 3));
        assert_eq!(codes.targets, data.targets, "labels pass through untouched");
        assert_eq!(codes.records, ae.encode(&data.records).unwrap());
        assert_eq!(
            ae.inverse_transform(&codes.records).unwrap(),
            ae.reconstruct(&data.records).unwrap()
        );
        // A dataset of the wrong width is an error, not a panic.
        let wrong = linfa::Dataset::new(Array2::<f32>::zeros((2, 5)), Array1::<usize>::zeros(2));
        assert!(matches!(ae.transform(wrong), Err(Error::Shape { .. })));
    }

    #[test]
    fn linfa_predict_and_confusion_matrix_agree_with_the_mlp() {
        let data = toy();
        let params = MlpParams::default()
            .hidden(vec![4])
            .train(TrainParams::default().epochs(3).batch_size(8));
        let (mlp, _) =
            params.fit(data.x.view(), data.y.view(), None, &mut crate::train::silent).unwrap();
        let linfa_data = to_linfa(&data);
        let predicted: Array1<usize> = Predict::predict(&mlp, &linfa_data);
        let ours = mlp.predict(&data.x).unwrap().mapv(usize::from);
        assert_eq!(predicted, ours);
        let cm = predicted.confusion_matrix(&linfa_data).unwrap();
        let acc =
            crate::models::metrics::accuracy(&mlp.predict(&data.x).unwrap(), &data.y).unwrap();
        assert!((cm.accuracy() - acc).abs() < 1e-6);
    }
}
