//! One classifier from smartcore, the other general ML crate of the Rust ecosystem: a decision
//! tree on the autoencoder codes.
//!
//! smartcore 0.7 speaks ndarray 0.17 through an optional binding, while this crate and linfa
//! use ndarray 0.16. Rather than build two ndarrays, [`to_dense_matrix`] copies our arrays into
//! smartcore's own `DenseMatrix`: the one place where the two worlds meet.
//!
//! Why a tree: smartcore's `LogisticRegression` took 130 s on 60,000 × 50 here, and its random
//! forest 22–80 s for 5 trees (96 s for 20) on a busy 2-core machine, too slow for the test
//! budget; one depth-limited tree fits in about 15 s and is a genuinely different kind of model
//! (axis-aligned splits instead of a linear or distance rule). Its Gaussian naive Bayes fails
//! outright on the codes: always-zero code units have zero variance.

use std::time::Instant;

use ndarray::Array2;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::tree::decision_tree_classifier::{
    DecisionTreeClassifier, DecisionTreeClassifierParameters,
};

use super::{BaselineRow, BaselineSettings, Features};
use crate::error::{Error, Result};

/// Copies x (n, d), row-major, into smartcore's matrix type.
pub fn to_dense_matrix(x: &Array2<f32>) -> Result<DenseMatrix<f32>> {
    let (rows, cols) = x.dim();
    let values: Vec<f32> = x.iter().copied().collect(); // logical (row-major) order, whatever the layout
    DenseMatrix::new(rows, cols, values, false).map_err(|e| {
        Error::shape("to_dense_matrix", format!("{rows} × {cols} values"), e.to_string())
    })
}

/// A smartcore decision tree (Gini, depth ≤ `settings.tree_max_depth`, every feature
/// considered at each split) trained on `train_x` and scored on the whole test set.
pub fn decision_tree(data: &Features<'_>, settings: &BaselineSettings) -> Result<BaselineRow> {
    let Features { name: features, train_x, train_y, test_x, test_y } = *data;
    let method = format!("decision tree, depth ≤ {} (smartcore)", settings.tree_max_depth);
    let fail = |e: smartcore::error::Failed| Error::Baseline {
        method: format!("{method} on {features}"),
        library: "smartcore",
        reason: e.to_string(),
    };
    let (x, y) = (to_dense_matrix(train_x)?, train_y.to_vec());
    let params =
        DecisionTreeClassifierParameters::default().with_max_depth(settings.tree_max_depth);
    let started = Instant::now();
    let tree = DecisionTreeClassifier::fit(&x, &y, params).map_err(fail)?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let test = to_dense_matrix(test_x)?;
    let started = Instant::now();
    let predicted: Vec<u8> = tree.predict(&test).map_err(fail)?;
    let predict_seconds = started.elapsed().as_secs_f64();
    let correct = predicted.iter().zip(test_y).filter(|(p, t)| p == t).count();
    Ok(BaselineRow::scored(method, data, correct, test_y.len(), (fit_seconds, predict_seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartcore::linalg::basic::arrays::Array;

    #[test]
    fn the_conversion_keeps_every_value_in_place_even_for_transposed_views() {
        let x = Array2::from_shape_fn((3, 2), |(i, j)| (10 * i + j) as f32);
        let m = to_dense_matrix(&x).unwrap();
        assert_eq!(*m.get((2, 1)), 21.0);
        let t = x.t().to_owned(); // column-major memory under a (2, 3) shape
        let mt = to_dense_matrix(&t).unwrap();
        assert_eq!(*mt.get((1, 2)), 21.0);
    }
}
