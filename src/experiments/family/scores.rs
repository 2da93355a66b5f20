//! How useful one set of features is to a classifier, with every label and with a few: the
//! family's columns, computed the same way for every autoencoder's codes and for raw pixels.

use std::borrow::Cow;

use ndarray::Array2;

use super::{ClassifierScores, FamilyConfig};
use crate::data::Mnist;
use crate::error::Result;
use crate::experiments::knn::knn_classify;
use crate::experiments::pipeline::{
    few_label_accuracy, fit_classifier, Codes, FewLabelled, Labels, Observer, Stage,
};
use crate::experiments::spreading::Graph;
use crate::models::metrics::accuracy;
use crate::models::mlp::{argmax_rows, MlpParams};

/// One row's features: of the training, test and labelled images.
pub(super) struct Features<'a> {
    /// The row's name in progress reports: an autoencoder's label, or `pixels`.
    pub name: &'a str,
    /// Features of the training and test images (and the standardiser the MLPs use).
    pub codes: Codes<'a>,
    /// Features of the few labelled images, as learned.
    pub labelled: Cow<'a, Array2<f32>>,
    /// Also score k-NN over every training image (cheap on codes, not worth it on pixels).
    pub knn_over_all: bool,
    /// Also spread the few labels over every training image and train an MLP on them.
    pub spread: bool,
}

impl Features<'_> {
    /// Every column of the comparison for these features. The MLPs see standardised codes,
    /// k-NN and label spreading the codes as learned.
    pub fn scores(
        &self,
        config: &FamilyConfig,
        mlp: &MlpParams,
        data: &Mnist,
        labelled: &FewLabelled,
        cache: Option<&std::path::Path>,
        observer: &mut Observer<'_>,
    ) -> Result<ClassifierScores> {
        let (train, test) = (&data.train, &data.test);
        let codes = &self.codes;
        let (train_x, test_x) = (codes.for_mlp(&codes.train)?, codes.for_mlp(&codes.test)?);
        let labelled_x = codes.for_mlp(&self.labelled)?;
        let knn = |x: &Array2<f32>, y: &ndarray::Array1<u8>| -> Result<f32> {
            accuracy(&knn_classify(x.view(), y.view(), codes.test.view(), config.knn_k)?, &test.y)
        };
        let stage = |labels| Stage::Classifier { features: self.name, labels };
        // Watched like the study's MLPs (watching changes nothing learned), so that the
        // same settings on the same features train once: the study's are the vanilla row's.
        let watched_x = codes.for_mlp(&codes.watched)?;
        let all_labels = fit_classifier(
            mlp,
            (train_x.view(), train.y.view()),
            Some((watched_x.view(), data.watched().y.view())),
            test_x.view(),
            stage(Labels::All),
            cache,
            observer,
        )?;
        let scarce = mlp.clone().train(config.scarce_train.clone());
        Ok(ClassifierScores {
            mlp: all_labels.accuracy(&test.y)?,
            knn: if self.knn_over_all { Some(knn(&codes.train, &train.y)?) } else { None },
            scarce_mlp: few_label_accuracy(
                &scarce,
                labelled,
                labelled_x.view(),
                (test_x.view(), &test.y),
                self.name,
                observer,
            )?,
            scarce_knn: knn(&self.labelled, &labelled.data.y)?,
            scarce_spread: if self.spread {
                let graph = Graph::knn_cached(codes.train.view(), config.spreading.k, cache)?;
                let scores =
                    graph.spread(&labelled.rows, labelled.data.y.view(), 10, &config.spreading)?;
                let spread = argmax_rows(scores.view());
                let stage = stage(Labels::Spread);
                let fitted = fit_classifier(
                    mlp,
                    (train_x.view(), spread.view()),
                    None,
                    test_x.view(),
                    stage,
                    None,
                    observer,
                )?;
                Some(fitted.accuracy(&test.y)?)
            } else {
                None
            },
        })
    }
}
