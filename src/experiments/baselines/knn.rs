//! k-nearest-neighbour classification with linfa-nn: a majority vote over `k_nearest`.

use std::time::Instant;

use linfa_nn::distance::L2Dist;
use linfa_nn::{CommonNearestNeighbour, NearestNeighbour};
use rand::seq::index::sample;
use rayon::prelude::*;

use super::{BaselineRow, BaselineSettings, Features};
use crate::error::{Error, Result};
use crate::experiments::knn::vote;

/// Stream of the seed that draws the scored test images.
const QUERY_STREAM: u64 = 70;

/// Above this many features a k-d tree prunes almost nothing, so the search is brute force.
const KD_TREE_MAX_DIM: usize = 64;

/// The test images nearest-neighbour methods score: all of them if `queries` ≥ `n_test`, else
/// a seeded random `queries` of them. Smaller subsets are prefixes of larger ones.
pub fn query_indices(n_test: usize, queries: usize, seed: u64) -> Vec<usize> {
    let mut rng = crate::rng::seeded(seed, QUERY_STREAM);
    let mut all = sample(&mut rng, n_test, n_test).into_vec();
    all.truncate(queries.min(n_test));
    all
}

/// One row per k in `settings.knn_k`: a k-d tree (or, above 64 features, a linear scan) over
/// the training features, queried with the test images of [`query_indices`]. The neighbours
/// are searched once, for the largest k, and every smaller k votes over a prefix of them.
pub fn knn(data: &Features<'_>, queries: usize, settings: &BaselineSettings) -> Result<Vec<BaselineRow>> {
    let Features { name: features, train_x, train_y, test_x, test_y } = *data;
    let max_k = settings.knn_k.iter().copied().max().unwrap_or(0);
    if max_k == 0 {
        return Err(Error::param("knn_k", format!("{:?}", settings.knn_k), "give at least one k ≥ 1"));
    }
    let (algorithm, name) = if train_x.ncols() <= KD_TREE_MAX_DIM {
        (CommonNearestNeighbour::KdTree, "k-d tree")
    } else {
        (CommonNearestNeighbour::LinearSearch, "linear scan")
    };
    let fail = |reason: String| Error::Baseline { method: format!("k-NN on {features}"), library: "linfa-nn", reason };
    let started = Instant::now();
    let index = algorithm.from_batch(train_x, L2Dist).map_err(|e| fail(e.to_string()))?;
    let fit_seconds = started.elapsed().as_secs_f64();

    let picked = query_indices(test_x.nrows(), queries, settings.seed);
    let started = Instant::now();
    let neighbours: Vec<Vec<u8>> = picked
        .par_iter()
        .map(|&i| {
            let found = index.k_nearest(test_x.row(i), max_k).map_err(|e| fail(e.to_string()))?;
            Ok(found.iter().map(|&(_, j)| train_y[j]).collect())
        })
        .collect::<Result<_>>()?;
    let predict_seconds = started.elapsed().as_secs_f64();

    let rows = settings
        .knn_k
        .iter()
        .map(|&k| {
            let correct =
                picked.iter().zip(&neighbours).filter(|(&i, n)| vote(&n[..k.min(n.len())]) == test_y[i]).count();
            let method = format!("{k}-NN majority vote (linfa-nn, {name})");
            BaselineRow::scored(method, data, correct, picked.len(), (fit_seconds, predict_seconds))
        })
        .collect();
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_subsets_are_seeded_prefixes() {
        let small = query_indices(100, 10, 1);
        let large = query_indices(100, 50, 1);
        assert_eq!(small[..], large[..10]);
        assert_eq!(query_indices(100, 500, 1).len(), 100);
        let mut all = query_indices(100, 100, 1);
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
    }
}
