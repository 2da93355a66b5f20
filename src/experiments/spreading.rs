//! Label spreading (Zhou et al., 2004): semi-supervised labelling of every image from a few
//! labelled ones, through a k-nearest-neighbour graph of their codes.
//!
//! The graph links each image to its k nearest neighbours (symmetrised, weight 1 per link).
//! With `S = D^{-1/2} W D^{-1/2}` its normalised adjacency and `Y` the one-hot labels (rows
//! of unlabelled images all 0), the iteration `F ← α S F + (1 − α) Y` spreads each label
//! along the graph; an image takes the class with the largest score. The labels stay soft
//! anchors (the `(1 − α) Y` term), so a label is never overwritten, only outvoted nearby.
//! This uses the unlabelled images — legitimately: they are the autoencoder's training set,
//! and only their pixels are read, never their labels.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::knn::nearest_neighbours;
use crate::models::mlp::argmax_rows;

/// Settings of label spreading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpreadingParams {
    /// Neighbours per image in the graph.
    pub k: usize,
    /// How far labels spread, in (0, 1): the weight of the neighbours against the image's own label.
    pub alpha: f32,
    /// Iterations of `F ← α S F + (1 − α) Y`.
    pub iterations: usize,
}

impl Default for SpreadingParams {
    /// k = 10, α = 0.99, 40 iterations.
    fn default() -> Self {
        SpreadingParams { k: 10, alpha: 0.99, iterations: 40 }
    }
}

impl SpreadingParams {
    /// Checks the settings.
    pub fn check(&self, n: usize) -> Result<()> {
        if self.k == 0 || self.k >= n {
            return Err(Error::param(
                "k",
                self.k,
                format!("must be between 1 and the number of images − 1 ({})", n.saturating_sub(1)),
            ));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::param("alpha", self.alpha, "must be in (0, 1) (try 0.99)"));
        }
        Ok(())
    }
}

/// A label for every row of `points` (n, d), from the labels of the rows `labelled` (each
/// with its class in `labels`), spread over the k-NN graph of `points`.
pub fn spread_labels(
    points: ArrayView2<f32>,
    labelled: &[usize],
    labels: ArrayView1<u8>,
    classes: usize,
    params: &SpreadingParams,
) -> Result<Array1<u8>> {
    let n = points.nrows();
    params.check(n)?;
    if labelled.len() != labels.len() {
        return Err(Error::shape(
            "spread_labels (labels)",
            format!("{} labels", labelled.len()),
            labels.len().to_string(),
        ));
    }
    if let Some(&bad) = labelled.iter().find(|&&i| i >= n) {
        return Err(Error::param("labelled", bad, format!("must index a row below {n}")));
    }
    if let Some(&bad) = labels.iter().find(|&&l| usize::from(l) >= classes) {
        return Err(Error::param(
            "labels",
            bad,
            format!("must be below the number of classes ({classes})"),
        ));
    }
    // ANCHOR: spreading
    // The symmetrised graph: i ~ j if either is among the other's k nearest.
    let mut links: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, near) in nearest_neighbours(points, points, params.k + 1)?.into_iter().enumerate() {
        for (_, j) in near.into_iter().filter(|&(_, j)| j != i).take(params.k) {
            links[i].push(j);
            links[j].push(i);
        }
    }
    for l in &mut links {
        l.sort_unstable();
        l.dedup();
    }
    let inv_sqrt_degree: Vec<f32> =
        links.iter().map(|l| 1.0 / (l.len().max(1) as f32).sqrt()).collect();
    let mut y = Array2::<f32>::zeros((n, classes));
    for (&i, &label) in labelled.iter().zip(labels) {
        y[[i, usize::from(label)]] = 1.0;
    }
    let mut f = y.clone();
    let mut next = Array2::<f32>::zeros((n, classes));
    for _ in 0..params.iterations {
        for (i, neighbours) in links.iter().enumerate() {
            let mut row = next.row_mut(i);
            row.assign(&y.row(i));
            row *= 1.0 - params.alpha;
            for &j in neighbours {
                let w = params.alpha * inv_sqrt_degree[i] * inv_sqrt_degree[j];
                row.scaled_add(w, &f.row(j));
            }
        }
        std::mem::swap(&mut f, &mut next);
    }
    // ANCHOR_END: spreading
    Ok(argmax_rows(f.view()))
}
