//! Exact k-nearest-neighbour classification, fast enough for 10,000 queries against 60,000
//! codes: squared distances come from one matrix product per block of queries,
//! `‖q − t‖² = ‖q‖² − 2 q·t + ‖t‖²` (and `‖q‖²` is the same for every candidate of a query,
//! so it is dropped). A k-d tree gains little in 32 dimensions; a GEMM uses the whole core.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::nn::in_parallel;

/// Queries per block: (block × training rows) distances stay a few tens of MB.
const BLOCK: usize = 128;

/// The majority label of each query's `k` nearest training rows (Euclidean distance); a tie
/// goes to the label of the nearest neighbour among the tied labels.
///
/// train: (n, d) with `labels` (n); queries: (m, d) → (m) labels.
pub fn knn_classify(
    train: ArrayView2<f32>,
    labels: ArrayView1<u8>,
    queries: ArrayView2<f32>,
    k: usize,
) -> Result<Array1<u8>> {
    if k == 0 || k > train.nrows() {
        return Err(Error::param(
            "k",
            k,
            format!("must be between 1 and the number of training rows ({})", train.nrows()),
        ));
    }
    if labels.len() != train.nrows() {
        return Err(Error::shape(
            "knn_classify (labels)",
            format!("{} labels", train.nrows()),
            labels.len().to_string(),
        ));
    }
    if queries.ncols() != train.ncols() {
        return Err(Error::shape(
            "knn_classify (queries)",
            format!("(m, {})", train.ncols()),
            format!("{:?}", queries.shape()),
        ));
    }
    let neighbours = nearest_neighbours(train, queries, k);
    Ok(neighbours.into_iter().map(|n| vote(&n.iter().map(|&(_, i)| labels[i]).collect::<Vec<u8>>())).collect())
}

/// The `k` nearest rows of `points` (n, d) to every row of `queries` (m, d), nearest first,
/// as (squared distance − ‖query‖², index) pairs: the order is the true distances' order.
/// Shapes and k are the caller's to check (see [`knn_classify`]).
pub fn nearest_neighbours(points: ArrayView2<f32>, queries: ArrayView2<f32>, k: usize) -> Vec<Vec<(f32, usize)>> {
    let points_sq: Array1<f32> = points.map_axis(Axis(1), |r| r.dot(&r));
    let blocks: Vec<ArrayView2<f32>> = queries.axis_chunks_iter(Axis(0), BLOCK).collect();
    let per_block = in_parallel(blocks, |q| {
        let mut dist = Array2::<f32>::zeros((q.nrows(), points.nrows()));
        general_mat_mul(-2.0, &q, &points.t(), 0.0, &mut dist);
        dist.rows_mut()
            .into_iter()
            .map(|mut row| {
                row += &points_sq;
                nearest(row.view(), k)
            })
            .collect::<Vec<_>>()
    });
    per_block.into_iter().flatten().collect()
}

/// Indices of the k smallest distances, nearest first.
fn nearest(dist: ArrayView1<f32>, k: usize) -> Vec<(f32, usize)> {
    let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
    for (i, &d) in dist.iter().enumerate() {
        if best.len() < k || d < best[best.len() - 1].0 {
            let at = best.partition_point(|&(b, _)| b <= d);
            best.insert(at, (d, i));
            best.truncate(k);
        }
    }
    best
}

/// The label most frequent among `neighbours` (nearest first); a tie goes to the tied class
/// whose nearest member comes first.
pub fn vote(neighbours: &[u8]) -> u8 {
    let mut counts = [0usize; 256];
    for &l in neighbours {
        counts[usize::from(l)] += 1;
    }
    let best = neighbours.iter().map(|&l| counts[usize::from(l)]).max().unwrap_or(0);
    neighbours.iter().copied().find(|&l| counts[usize::from(l)] == best).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_vote_takes_the_majority_and_breaks_ties_by_the_nearest() {
        assert_eq!(vote(&[1, 2, 2]), 2);
        assert_eq!(vote(&[3, 1, 1, 3, 5]), 3, "tie between 3 and 1: 3 is nearest");
        assert_eq!(vote(&[7]), 7);
    }

    #[test]
    fn matches_brute_force() {
        let train = array![[0.0f32, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]];
        let labels = array![0u8, 0, 1, 2, 2];
        let queries = array![[0.1f32, 0.1], [4.8, 5.4], [0.1, 0.9]];
        assert_eq!(knn_classify(train.view(), labels.view(), queries.view(), 1).unwrap(), array![0, 2, 1]);
        assert_eq!(knn_classify(train.view(), labels.view(), queries.view(), 3).unwrap(), array![0, 2, 0]);
        assert!(knn_classify(train.view(), labels.view(), queries.view(), 0).is_err());
        assert!(knn_classify(train.view(), labels.view(), queries.view(), 6).is_err());
    }
}
