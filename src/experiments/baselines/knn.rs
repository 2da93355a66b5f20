//! k-nearest-neighbour classification, a majority vote over every test image's neighbours:
//! found by linfa-nn's k-d tree on low-dimensional features, and by the crate's exact search
//! ([`crate::experiments::knn`]) on raw pixels, where a tree prunes almost nothing.

use std::time::Instant;

use linfa_nn::distance::L2Dist;
use linfa_nn::{CommonNearestNeighbour, NearestNeighbour};
use rayon::prelude::*;

use super::{BaselineRow, BaselineSettings, Features};
use crate::error::{Error, Result};
use crate::experiments::knn::{nearest_neighbours, vote};

/// Above this many features a k-d tree prunes almost nothing, so the crate's blocked-GEMM
/// search takes over.
const KD_TREE_MAX_DIM: usize = 64;

/// Every test image's `k` nearest training labels, nearest first, with the search's name and
/// its (fit, predict) wall seconds.
struct Found {
    search: &'static str,
    labels: Vec<Vec<u8>>,
    seconds: (f64, f64),
}

/// One row per k in `settings.knn_k`, scored on every test image. The neighbours are searched
/// once, for the largest k, and every smaller k votes over a prefix of them.
pub fn knn(data: &Features<'_>, settings: &BaselineSettings) -> Result<Vec<BaselineRow>> {
    let max_k = settings.knn_k.iter().copied().max().unwrap_or(0);
    if max_k == 0 {
        return Err(Error::param(
            "knn_k",
            format!("{:?}", settings.knn_k),
            "give at least one k ≥ 1",
        ));
    }
    let found = if data.train_x.ncols() <= KD_TREE_MAX_DIM {
        kd_tree(data, max_k)?
    } else {
        exact(data, max_k)?
    };
    let rows = settings
        .knn_k
        .iter()
        .map(|&k| {
            let votes = found.labels.iter().map(|n| vote(&n[..k.min(n.len())]));
            let correct = votes.zip(data.test_y).filter(|(p, y)| p == *y).count();
            let method = format!("{k}-NN majority vote ({})", found.search);
            BaselineRow::scored(method, data, correct, data.test_y.len(), found.seconds)
        })
        .collect();
    Ok(rows)
}

/// linfa-nn's k-d tree over the training features, queried with each test image in parallel.
fn kd_tree(data: &Features<'_>, k: usize) -> Result<Found> {
    let fail = |reason: String| Error::Baseline {
        method: format!("k-NN on {}", data.name),
        library: "linfa-nn",
        reason,
    };
    let started = Instant::now();
    let index = CommonNearestNeighbour::KdTree
        .from_batch(data.train_x, L2Dist)
        .map_err(|e| fail(e.to_string()))?;
    let fit_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let labels = (0..data.test_x.nrows())
        .into_par_iter()
        .map(|i| {
            let found = index.k_nearest(data.test_x.row(i), k).map_err(|e| fail(e.to_string()))?;
            Ok(found.iter().map(|&(_, j)| data.train_y[j]).collect())
        })
        .collect::<Result<_>>()?;
    Ok(Found {
        search: "linfa-nn, k-d tree",
        labels,
        seconds: (fit_seconds, started.elapsed().as_secs_f64()),
    })
}

/// The crate's exact brute-force search: no index to build, all its work in the predict seconds.
fn exact(data: &Features<'_>, k: usize) -> Result<Found> {
    let started = Instant::now();
    let neighbours = nearest_neighbours(data.train_x.view(), data.test_x.view(), k)?;
    let labels =
        neighbours.iter().map(|n| n.iter().map(|&(_, j)| data.train_y[j]).collect()).collect();
    Ok(Found {
        search: "exact blocked-GEMM search, this crate",
        labels,
        seconds: (0.0, started.elapsed().as_secs_f64()),
    })
}
