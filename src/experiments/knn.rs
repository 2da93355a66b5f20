//! Exact k-nearest neighbours by brute force, fast enough for 10,000 queries against 60,000
//! images of 784 pixels: the crate's one nearest-neighbour search, for classification by a
//! majority vote and for the graph of label spreading.
//!
//! The search runs in two passes per block of queries:
//! 1. *Candidates.* Squared distances come from one matrix product per (block of queries,
//!    chunk of points), `‖q − p‖² = ‖q‖² − 2 q·p + ‖p‖²`, with `‖q‖²` dropped (the same for
//!    every candidate of a query). Each query keeps its `k + SLACK` smallest.
//! 2. *Exact order.* The candidates' distances are recomputed as plain sums of squared
//!    differences in f64, and sorted by (distance, index).
//!
//! The expansion cancels: in f32 two points whose true distances differ by less than about
//! 1e-5 × (‖p‖² + 2‖q‖‖p‖) may swap places, or tie when they should not. The second pass
//! repairs the order, and a rigorous bound on that rounding error proves the candidates
//! complete: if a point left out could still be among the k nearest, that query is searched
//! again by an exact scan of every point. So the answer is the exact k nearest in f64 (ties
//! to the lower index), the same whatever the blocking, and the same bits on any number of
//! threads: blocks and chunks are cut by the data alone.

use ndarray::linalg::general_mat_mul;
use std::sync::Mutex;

use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::nn::in_parallel;

/// One query's neighbours (or candidates), as (squared distance, row index) pairs.
type Neighbours = Vec<(f32, usize)>;

/// Queries per block: the unit of parallel work, and the rows of each matrix product.
const QUERY_BLOCK: usize = 256;

/// Points per chunk: a block's (256 × 4,096) f32 distances take 4 MB, whatever the data.
const POINT_CHUNK: usize = 4096;

/// Candidates kept beyond k, so that rounding in the first pass rarely leaves a true
/// neighbour out (and the exact scan that would then follow is rare).
const SLACK: usize = 8;

/// Each query's `k` nearest rows of `points` (n, d) among `queries` (m, d), nearest first, as
/// (squared Euclidean distance, row index) pairs; equal distances go to the lower index.
///
/// Errors if `k` is 0 or above n, or if the two matrices differ in width.
pub fn nearest_neighbours(
    points: ArrayView2<f32>,
    queries: ArrayView2<f32>,
    k: usize,
) -> Result<Vec<Vec<(f32, usize)>>> {
    check_k(k, points.nrows())?;
    if queries.ncols() != points.ncols() {
        return Err(Error::shape(
            "nearest_neighbours (queries)",
            format!("(m, {}), as wide as the points", points.ncols()),
            format!("{:?}", queries.shape()),
        ));
    }
    let search = Search::new(points, k);
    let blocks: Vec<ArrayView2<f32>> = queries.axis_chunks_iter(Axis(0), QUERY_BLOCK).collect();
    Ok(in_parallel(blocks, |block| search.block(block)).into_iter().flatten().collect())
}

/// Checks that `k` neighbours can be found among `n` points.
fn check_k(k: usize, n: usize) -> Result<()> {
    if k == 0 || k > n {
        return Err(Error::param(
            "k",
            k,
            format!("must be between 1 and the number of points searched ({n})"),
        ));
    }
    Ok(())
}

/// Each row's `k` nearest rows of `points` (n, d), itself included, as
/// [`nearest_neighbours`]`(points, points, k)` finds them, to the bit, in about half the time
/// when d is large: the distance between rows i and j is one entry of one matrix product,
/// read once for i and once for j, where the general search computes it twice. Narrow points
/// (fewer than 128 features) go to the general search, faster for them.
///
/// The points are cut into tiles; the product of each pair of tiles (a ≤ b) serves tile a's
/// rows as one block and, transposed, tile b's. Candidates then arrive out of index order,
/// which changes at most which of several equal first-pass values are kept; the second pass
/// and its bound make the answer the same exact k nearest.
pub fn nearest_neighbours_among(
    points: ArrayView2<f32>,
    k: usize,
) -> Result<Vec<Vec<(f32, usize)>>> {
    check_k(k, points.nrows())?;
    if points.ncols() < AMONG_MIN_WIDTH {
        return nearest_neighbours(points, points, k);
    }
    let search = Search::new(points, k);
    let n = points.nrows();
    let tiles = n.div_ceil(TILE);
    let candidates: Vec<Mutex<Vec<Neighbours>>> = (0..tiles)
        .map(|t| Mutex::new(vec![Vec::with_capacity(search.kept + 1); tile_len(t, n)]))
        .collect();
    // Pairs along the diagonals, so that the two ends of the list that two threads start
    // from rarely share a tile (and its lock).
    let pairs: Vec<(usize, usize)> =
        (0..tiles).flat_map(|gap| (0..tiles - gap).map(move |a| (a, a + gap))).collect();
    in_parallel(pairs, |(a, b)| {
        let (rows_a, rows_b) = (tile(points, a), tile(points, b));
        let mut d = Array2::<f32>::zeros((rows_a.nrows(), rows_b.nrows()));
        general_mat_mul(-2.0, &rows_a, &rows_b.t(), 0.0, &mut d);
        let lock = |t: usize| candidates[t].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        search.merge(d.view(), b * TILE, &mut lock(a));
        if a != b {
            search.merge(d.t().as_standard_layout().view(), a * TILE, &mut lock(b));
        }
    });
    let tiled: Vec<(usize, Vec<Neighbours>)> = candidates
        .into_iter()
        .map(|c| c.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()))
        .enumerate()
        .collect();
    let exact = in_parallel(tiled, |(t, c)| {
        let rows = tile(points, t);
        rows.rows().into_iter().zip(c).map(|(q, c)| search.exact(q, &c)).collect::<Vec<_>>()
    });
    Ok(exact.into_iter().flatten().collect())
}

/// Fewest features for which [`nearest_neighbours_among`] shares the products: below, the
/// products are cheap next to reading them, and the general search is faster (on 55,000
/// points: 3.5 s against 6.4 s at 32 features, 33 s against 20 s at 784).
const AMONG_MIN_WIDTH: usize = 128;

/// Rows per tile of [`nearest_neighbours_among`]: a (1,024 × 1,024) f32 product takes 4 MB.
const TILE: usize = 1024;

/// Rows of tile `t` of n points.
fn tile_len(t: usize, n: usize) -> usize {
    TILE.min(n - t * TILE)
}

/// Tile `t` of the rows of `points`.
fn tile<'a>(points: ArrayView2<'a, f32>, t: usize) -> ArrayView2<'a, f32> {
    points.slice_move(s![t * TILE..t * TILE + tile_len(t, points.nrows()), ..])
}

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
    if labels.len() != train.nrows() {
        return Err(Error::shape(
            "knn_classify (labels)",
            format!("{} labels", train.nrows()),
            labels.len().to_string(),
        ));
    }
    let neighbours = nearest_neighbours(train, queries, k)?;
    Ok(neighbours
        .into_iter()
        .map(|n| vote(&n.iter().map(|&(_, i)| labels[i]).collect::<Vec<u8>>()))
        .collect())
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

/// What every block of queries shares: the points, their squared norms, and k.
struct Search<'a> {
    points: ArrayView2<'a, f32>,
    /// ‖p‖² of every point, in f32 for the first pass.
    points_sq: Array1<f32>,
    /// The largest ‖p‖, for the bound on the first pass's rounding error.
    max_norm: f64,
    k: usize,
    /// Candidates kept per query: k + SLACK, at most every point.
    kept: usize,
}

impl<'a> Search<'a> {
    fn new(points: ArrayView2<'a, f32>, k: usize) -> Self {
        let points_sq: Array1<f32> = points.map_axis(Axis(1), |r| r.dot(&r));
        let max_norm = points.rows().into_iter().map(|r| norm_sq(r).sqrt()).fold(0.0, f64::max);
        Search { points, points_sq, max_norm, k, kept: (k + SLACK).min(points.nrows()) }
    }

    /// The k nearest points of every query in `block`.
    fn block(&self, block: ArrayView2<f32>) -> Vec<Vec<(f32, usize)>> {
        let mut candidates: Vec<Vec<(f32, usize)>> =
            vec![Vec::with_capacity(self.kept + 1); block.nrows()];
        let mut dist = Array2::<f32>::zeros((block.nrows(), POINT_CHUNK.min(self.points.nrows())));
        for (c, chunk) in self.points.axis_chunks_iter(Axis(0), POINT_CHUNK).enumerate() {
            let start = c * POINT_CHUNK;
            let mut d = dist.slice_mut(s![.., ..chunk.nrows()]);
            general_mat_mul(-2.0, &block, &chunk.t(), 0.0, &mut d);
            self.merge(d.view(), start, &mut candidates);
        }
        block.rows().into_iter().zip(candidates).map(|(q, c)| self.exact(q, &c)).collect()
    }

    /// Merges one block of −2 q·p products, queries by points `start..`, into the
    /// queries' candidates.
    fn merge(&self, d: ArrayView2<f32>, start: usize, candidates: &mut [Neighbours]) {
        let points_sq = self.points_sq.slice(s![start..start + d.ncols()]);
        let points_sq = points_sq.as_slice().expect("a slice of a 1-d array is contiguous");
        for (row, best) in d.rows().into_iter().zip(candidates.iter_mut()) {
            let row = row.to_slice().expect("the rows of the product are contiguous");
            keep_smallest(row, points_sq, start, self.kept, best);
        }
    }

    /// The second pass for one query: the exact k nearest among its candidates, or among
    /// every point if the rounding bound cannot rule out a point left out.
    fn exact(&self, query: ArrayView1<f32>, candidates: &[(f32, usize)]) -> Vec<(f32, usize)> {
        let distance = |i: usize| (squared_distance(query, self.points.row(i)), i);
        let nearest = k_smallest(candidates.iter().map(|&(_, i)| distance(i)).collect(), self.k);
        let complete = match (candidates.last(), nearest.last()) {
            _ if candidates.len() == self.points.nrows() => true,
            (Some(&(worst_kept, _)), Some(&(kth, _))) => {
                // Every point left out has a first-pass value ≥ worst_kept, so a true squared
                // distance ≥ ‖q‖² + worst_kept − error; it cannot be among the k nearest if
                // that is still beyond the k-th.
                let q_sq = norm_sq(query);
                let error = self.rounding_bound(q_sq.sqrt());
                q_sq + f64::from(worst_kept) - error > kth
            }
            _ => false,
        };
        let nearest = if complete {
            nearest
        } else {
            k_smallest((0..self.points.nrows()).map(distance).collect(), self.k)
        };
        nearest.into_iter().map(|(d, i)| (d as f32, i)).collect()
    }

    /// A bound on |first-pass value − (‖p‖² − 2 q·p)| for any point: each of the d-term sums
    /// (q·p and ‖p‖²) errs by at most d·u times its magnitude (u = 2⁻²⁴, for any summation
    /// order), and the final addition by u; doubled for safety.
    fn rounding_bound(&self, q_norm: f64) -> f64 {
        let u = f64::from(f32::EPSILON) / 2.0;
        let d = self.points.ncols() as f64;
        let p = self.max_norm;
        2.0 * (d + 2.0) * u * (p * p + 2.0 * q_norm * p)
    }
}

/// Lanes compared at once by [`keep_smallest`]'s quick rejection.
const LANES: usize = 16;

/// Merges the points `start..` of one query into `best`, the `kept` smallest first-pass
/// values so far in ascending order (ties by index, since points come in index order). A
/// point's value is `row[j] + points_sq[j]`, −2 q·p + ‖p‖².
///
/// Once `best` is full, almost every point is farther than its worst: a run of [`LANES`]
/// values is first compared with that worst all at once (a loop the compiler vectorises),
/// and only a run with a closer point is merged one value at a time.
fn keep_smallest(
    row: &[f32],
    points_sq: &[f32],
    start: usize,
    kept: usize,
    best: &mut Vec<(f32, usize)>,
) {
    let worst = |best: &Vec<(f32, usize)>| {
        if best.len() < kept {
            f32::INFINITY
        } else {
            best[best.len() - 1].0
        }
    };
    let mut threshold = worst(best);
    for (c, (r, p)) in row.chunks(LANES).zip(points_sq.chunks(LANES)).enumerate() {
        if r.len() == LANES && best.len() == kept {
            let closer = r.iter().zip(p).fold(false, |any, (&a, &b)| any | (a + b < threshold));
            if !closer {
                continue;
            }
        }
        for (j, (&a, &b)) in r.iter().zip(p).enumerate() {
            let d = a + b;
            if best.len() < kept || d < threshold {
                let at = best.partition_point(|&(b, _)| b <= d);
                best.insert(at, (d, start + c * LANES + j));
                best.truncate(kept);
                threshold = worst(best);
            }
        }
    }
}

/// The `k` smallest (distance, index) pairs, ascending by distance, then index.
fn k_smallest(mut all: Vec<(f64, usize)>, k: usize) -> Vec<(f64, usize)> {
    let order = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if k < all.len() {
        all.select_nth_unstable_by(k, order);
        all.truncate(k);
    }
    all.sort_unstable_by(order);
    all
}

/// ‖a − b‖², summed in f64: far finer than the first pass's f32 rounding, and with no
/// cancellation (differences are taken before squaring).
fn squared_distance(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum()
}

/// ‖a‖², summed in f64.
fn norm_sq(a: ArrayView1<f32>) -> f64 {
    a.iter().map(|&x| f64::from(x).powi(2)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand::Rng;

    /// The k nearest by the definition: every distance in f64, sorted by (distance, index).
    fn naive(points: &Array2<f32>, queries: &Array2<f32>, k: usize) -> Vec<Vec<usize>> {
        queries
            .rows()
            .into_iter()
            .map(|q| {
                let all = points.rows().into_iter().map(|p| squared_distance(q, p)).enumerate();
                let mut all: Vec<(f64, usize)> = all.map(|(i, d)| (d, i)).collect();
                all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                all.into_iter().take(k).map(|(_, i)| i).collect()
            })
            .collect()
    }

    fn indices(found: &[Vec<(f32, usize)>]) -> Vec<Vec<usize>> {
        found.iter().map(|n| n.iter().map(|&(_, i)| i).collect()).collect()
    }

    /// (rows, d) numbers from `value`, seeded.
    fn random(
        rows: usize,
        d: usize,
        stream: u64,
        value: impl Fn(&mut crate::rng::Rng) -> f32,
    ) -> Array2<f32> {
        let mut rng = crate::rng::seeded(7, stream);
        Array2::from_shape_simple_fn((rows, d), || value(&mut rng))
    }

    #[test]
    fn the_vote_takes_the_majority_and_breaks_ties_by_the_nearest() {
        assert_eq!(vote(&[1, 2, 2]), 2);
        assert_eq!(vote(&[3, 1, 1, 3, 5]), 3, "tie between 3 and 1: 3 is nearest");
        assert_eq!(vote(&[7]), 7);
    }

    #[test]
    fn classifies_like_a_brute_force_vote() {
        let train = array![[0.0f32, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [5.0, 6.0]];
        let labels = array![0u8, 0, 1, 2, 2];
        let queries = array![[0.1f32, 0.1], [4.8, 5.4], [0.1, 0.9]];
        assert_eq!(
            knn_classify(train.view(), labels.view(), queries.view(), 1).unwrap(),
            array![0, 2, 1]
        );
        assert_eq!(
            knn_classify(train.view(), labels.view(), queries.view(), 3).unwrap(),
            array![0, 2, 0]
        );
        assert!(knn_classify(train.view(), labels.view(), queries.view(), 0).is_err());
        assert!(knn_classify(train.view(), labels.view(), queries.view(), 6).is_err());
        assert!(knn_classify(train.view(), labels.slice(s![..4]), queries.view(), 1).is_err());
        assert!(knn_classify(train.view(), labels.view(), queries.slice(s![.., ..1]), 1).is_err());
    }

    #[test]
    fn finds_the_naive_scans_neighbours_across_blocks_and_chunks() {
        // More points than one chunk and more queries than one block, in 20 dimensions.
        let points = random(POINT_CHUNK + 900, 20, 1, |r| r.gen::<f32>());
        let queries = random(QUERY_BLOCK + 40, 20, 2, |r| r.gen::<f32>());
        for k in [1, 5, 12] {
            let found = nearest_neighbours(points.view(), queries.view(), k).unwrap();
            assert_eq!(indices(&found), naive(&points, &queries, k), "k = {k}");
            for (q, near) in queries.rows().into_iter().zip(&found) {
                let (d, i) = near[0];
                assert!(
                    (d - squared_distance(q, points.row(i)) as f32).abs() < 1e-6,
                    "a true squared distance"
                );
            }
        }
    }

    #[test]
    fn the_search_among_the_points_finds_the_general_searchs_neighbours() {
        // More than two tiles (one of them short), and ties: coordinates in {0, 1, 2}.
        let points = random(2 * TILE + 300, AMONG_MIN_WIDTH, 9, |r| f32::from(r.gen_range(0u8..3)));
        for k in [1, 4, 11] {
            let among = nearest_neighbours_among(points.view(), k).unwrap();
            assert_eq!(among, nearest_neighbours(points.view(), points.view(), k).unwrap());
        }
        let smooth = random(TILE + 77, AMONG_MIN_WIDTH, 10, |r| r.gen::<f32>());
        let among = nearest_neighbours_among(smooth.view(), 5).unwrap();
        assert_eq!(among, nearest_neighbours(smooth.view(), smooth.view(), 5).unwrap());
        assert!(nearest_neighbours_among(smooth.view(), 0).is_err());
    }

    #[test]
    fn ties_go_to_the_lower_index() {
        // Coordinates in {0, 1, 2} (many equal distances), every point twice, and queries
        // that are points themselves.
        let half = random(2500, 3, 3, |r| f32::from(r.gen_range(0u8..3)));
        let points = ndarray::concatenate(Axis(0), &[half.view(), half.view()]).unwrap();
        let queries = random(300, 3, 4, |r| f32::from(r.gen_range(0u8..3)));
        for k in [1, 4, 30] {
            let found = nearest_neighbours(points.view(), queries.view(), k).unwrap();
            assert_eq!(indices(&found), naive(&points, &queries, k), "k = {k}");
        }
    }

    #[test]
    fn stays_exact_where_the_expansion_cancels() {
        // Far from the origin, ‖q‖² − 2 q·p + ‖p‖² loses the differences to f32 rounding: the
        // bound sends these queries to the exact scan, which still finds the true neighbours.
        let points = random(600, 4, 5, |r| 1000.0 + 0.01 * f32::from(r.gen_range(0u8..50)));
        let queries = random(50, 4, 6, |r| 1000.0 + 0.01 * f32::from(r.gen_range(0u8..50)));
        let found = nearest_neighbours(points.view(), queries.view(), 3).unwrap();
        assert_eq!(indices(&found), naive(&points, &queries, 3));
    }

    #[test]
    fn gives_the_same_neighbours_on_one_thread_and_on_three() {
        let points = random(3000, 10, 7, |r| r.gen::<f32>());
        let queries = random(3 * QUERY_BLOCK, 10, 8, |r| r.gen::<f32>());
        let on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| nearest_neighbours(points.view(), queries.view(), 5).unwrap())
        };
        assert_eq!(on(1), on(3));
    }

    #[test]
    fn rejects_a_bad_k_or_width() {
        let points = array![[0.0f32, 0.0], [1.0, 1.0]];
        assert!(nearest_neighbours(points.view(), points.view(), 0).is_err());
        assert!(nearest_neighbours(points.view(), points.view(), 3).is_err());
        assert_eq!(
            nearest_neighbours(points.view(), points.view(), 2).unwrap()[1],
            vec![(0.0, 1), (2.0, 0)]
        );
        assert!(nearest_neighbours(points.view(), points.slice(s![.., ..1]), 1).is_err());
    }
}
