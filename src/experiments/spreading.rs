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

use std::path::Path;

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::knn::nearest_neighbours_among;
use crate::nn::in_parallel;
use crate::output::cache::fingerprint;

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
    /// Checks the settings for a graph of `n` images.
    pub fn check(&self, n: usize) -> Result<()> {
        check_k(self.k, n)?;
        self.check_alpha()
    }

    /// Checks α alone: what spreading over a graph already built needs.
    fn check_alpha(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::param("alpha", self.alpha, "must be in (0, 1) (try 0.99)"));
        }
        Ok(())
    }
}

/// Checks that `k` neighbours can be found among `n` images.
fn check_k(k: usize, n: usize) -> Result<()> {
    if k == 0 || k >= n {
        return Err(Error::param(
            "k",
            k,
            format!("must be between 1 and the number of images − 1 ({})", n.saturating_sub(1)),
        ));
    }
    Ok(())
}

/// The symmetrised k-nearest-neighbour graph of a set of points, with the degrees label
/// spreading normalises by. It depends on the points alone, so one graph serves every label
/// budget and every seed of labelled images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// Neighbours per point before symmetrising.
    pub k: usize,
    /// Each point's neighbours (i ~ j if either is among the other's k nearest), sorted.
    links: Vec<Vec<u32>>,
}

impl Graph {
    /// The graph of the rows of `points` (n, d), each linked to its `k` nearest others.
    pub fn knn(points: ArrayView2<f32>, k: usize) -> Result<Graph> {
        let n = points.nrows();
        check_k(k, n)?;
        // ANCHOR: graph
        // The symmetrised graph: i ~ j if either is among the other's k nearest.
        let mut links: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, near) in nearest_neighbours_among(points, k + 1)?.into_iter().enumerate() {
            for (_, j) in near.into_iter().filter(|&(_, j)| j != i).take(k) {
                links[i].push(j as u32);
                links[j].push(i as u32);
            }
        }
        for l in &mut links {
            l.sort_unstable();
            l.dedup();
        }
        // ANCHOR_END: graph
        Ok(Graph { k, links })
    }

    /// Like [`Graph::knn`], but reuses a graph of the same points and `k` kept in `cache`
    /// (and keeps this one there): the graph of the 55,000 training images' pixels takes
    /// half a minute on two cores, and it is the same for every seed.
    pub fn knn_cached(points: ArrayView2<f32>, k: usize, cache: Option<&Path>) -> Result<Graph> {
        let Some(dir) = cache else { return Graph::knn(points, k) };
        let settings = (fingerprint(points), k);
        crate::output::cache::cached(dir, "knn-graph", &settings, || Graph::knn(points, k))
    }

    /// Points in the graph.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// Whether the graph has no points.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The class scores `F` of every point after spreading the labels of the points
    /// `labelled` (each with its class in `labels`): (n, classes), each row summing to at
    /// most 1. The class of a point is its row's largest score. The graph already fixes the
    /// neighbours, so only `params.alpha` and `params.iterations` are read here.
    pub fn spread(
        &self,
        labelled: &[usize],
        labels: ArrayView1<u8>,
        classes: usize,
        params: &SpreadingParams,
    ) -> Result<Array2<f32>> {
        let n = self.len();
        params.check_alpha()?;
        if labelled.len() != labels.len() {
            return Err(Error::shape(
                "Graph::spread (labels)",
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
        let links = &self.links;
        // ANCHOR: spreading
        let inv_sqrt_degree: Vec<f32> =
            links.iter().map(|l| 1.0 / (l.len().max(1) as f32).sqrt()).collect();
        let mut y = Array2::<f32>::zeros((n, classes));
        for (&i, &label) in labelled.iter().zip(labels) {
            y[[i, usize::from(label)]] = 1.0;
        }
        let mut f = y.clone();
        let mut next = Array2::<f32>::zeros((n, classes));
        for _ in 0..params.iterations {
            self.step(&mut next, (&f, &y), &inv_sqrt_degree, params.alpha);
            std::mem::swap(&mut f, &mut next);
        }
        // ANCHOR_END: spreading
        Ok(f)
    }

    /// One step `next ← α S f + (1 − α) y`, where `S = D^{-1/2} W D^{-1/2}`. Each image's
    /// new scores depend on the old ones alone, so blocks of images run in parallel, and each
    /// row is summed in the same order on any number of threads.
    fn step(
        &self,
        next: &mut Array2<f32>,
        (f, y): (&Array2<f32>, &Array2<f32>),
        inv_sqrt_degree: &[f32],
        alpha: f32,
    ) {
        let classes = f.ncols();
        let (f, y) = (as_rows(f, classes), as_rows(y, classes));
        let next = next.as_slice_mut().expect("scores are in standard layout");
        let blocks: Vec<(usize, &mut [f32])> =
            next.chunks_mut(ROWS * classes).enumerate().collect();
        in_parallel(blocks, |(b, block)| {
            for (r, row) in block.chunks_mut(classes).enumerate() {
                let i = b * ROWS + r;
                // ANCHOR: spreading_step
                for (out, &label) in row.iter_mut().zip(y(i)) {
                    *out = label * (1.0 - alpha);
                }
                for &j in &self.links[i] {
                    let j = j as usize;
                    let w = alpha * inv_sqrt_degree[i] * inv_sqrt_degree[j];
                    for (out, &score) in row.iter_mut().zip(f(j)) {
                        *out += w * score;
                    }
                }
                // ANCHOR_END: spreading_step
            }
        });
    }
}

/// Images per block of the parallel spreading step.
const ROWS: usize = 1024;

/// Row `i` of a standard-layout (n, classes) array, as a slice.
fn as_rows<'a>(a: &'a Array2<f32>, classes: usize) -> impl Fn(usize) -> &'a [f32] + Sync + 'a {
    let flat = a.as_slice().expect("scores and labels are in standard layout");
    move |i| &flat[i * classes..(i + 1) * classes]
}
