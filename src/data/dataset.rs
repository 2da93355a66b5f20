//! [`Dataset`]: images with their labels, and the ways the experiments take subsets of them.

use ndarray::{s, Array1, Array2, Axis};
use rand::seq::SliceRandom;

use crate::{Error, Result};

/// `rng::seeded` stream of [`Dataset::stratified_indices`].
const STREAM_STRATIFIED: u64 = 0x5354_5241_5449_4659; // "STRATIFY"

/// `rng::seeded` stream of [`Dataset::stratified_split`].
const STREAM_SPLIT: u64 = 0x484f_4c44_4f55_5421; // "HOLDOUT!"

/// Images and labels of one split. `x`: (n, 784), `f32` in `[0, 1]` (byte / 255);
/// `y`: (n,) labels 0..=9.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// One image per row, pixels row-major, scaled to `[0, 1]`.
    pub x: Array2<f32>,
    /// The class of each row.
    pub y: Array1<u8>,
}

impl Dataset {
    /// Pairs images with labels; fails if they have different numbers of rows.
    pub fn new(x: Array2<f32>, y: Array1<u8>) -> Result<Self> {
        if x.nrows() != y.len() {
            return Err(Error::shape(
                "Dataset::new (one label per row of x)",
                format!("{} labels", x.nrows()),
                format!("{} labels", y.len()),
            ));
        }
        Ok(Dataset { x, y })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// True if there are no examples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Number of classes: the largest label + 1 (0 for an empty dataset).
    pub fn n_classes(&self) -> usize {
        self.y.iter().max().map_or(0, |&m| usize::from(m) + 1)
    }

    /// Examples per label, indexed by label; at least 10 long so digit counts line up.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes().max(10)];
        for &label in &self.y {
            counts[usize::from(label)] += 1;
        }
        counts
    }

    /// The rows at `indices`, in that order (repeats allowed); fails on an out-of-range index.
    pub fn select(&self, indices: &[usize]) -> Result<Dataset> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::param(
                "index",
                bad,
                format!("must be below the dataset's length {}", self.len()),
            ));
        }
        Ok(Dataset { x: self.x.select(Axis(0), indices), y: self.y.select(Axis(0), indices) })
    }

    /// Only the rows at `sorted` (ascending, no repeats), in place: each kept row moves up
    /// over the dropped ones and the freed tail is given back, so no second copy of the
    /// images is ever held. Fails on an unsorted or out-of-range index.
    pub fn keep_rows(self, sorted: &[usize]) -> Result<Dataset> {
        if sorted.windows(2).any(|w| w[0] >= w[1])
            || sorted.last().is_some_and(|&i| i >= self.len())
        {
            return Err(Error::param(
                "rows",
                sorted.len(),
                "must be ascending indices below the dataset's length",
            ));
        }
        if !self.x.is_standard_layout() {
            return self.select(sorted);
        }
        let cols = self.x.ncols();
        let Dataset { x, y } = self;
        let (mut pixels, offset) = x.into_raw_vec_and_offset();
        let start = offset.unwrap_or(0);
        for (to, &from) in sorted.iter().enumerate() {
            let at = start + from * cols;
            pixels.copy_within(at..at + cols, to * cols);
        }
        pixels.truncate(sorted.len() * cols);
        pixels.shrink_to_fit();
        let x = Array2::from_shape_vec((sorted.len(), cols), pixels).map_err(|e| {
            Error::param("rows", sorted.len(), format!("cannot reshape the kept rows: {e}"))
        })?;
        Ok(Dataset { x, y: y.select(Axis(0), sorted) })
    }

    /// The first `min(n, len)` examples: a quick, deterministic subset for smoke runs.
    pub fn head(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset { x: self.x.slice(s![..n, ..]).to_owned(), y: self.y.slice(s![..n]).to_owned() }
    }

    /// `per_class` examples of every class `0..n_classes()`, drawn with the seeded generator,
    /// kept in their original order (sorted indices) so the result is deterministic.
    ///
    /// A balanced subset makes small experiments comparable across classes. Fails if
    /// `per_class` is 0, the dataset is empty, or a class has fewer than `per_class` examples.
    pub fn stratified_subset(&self, per_class: usize, seed: u64) -> Result<Dataset> {
        self.select(&self.stratified_indices(per_class, seed)?)
    }

    /// The row indices [`Dataset::stratified_subset`] selects, sorted: for uses that need to
    /// know which rows are labelled (e.g. semi-supervised learning on the rest).
    pub fn stratified_indices(&self, per_class: usize, seed: u64) -> Result<Vec<usize>> {
        if per_class == 0 {
            return Err(Error::param("per_class", per_class, "must be at least 1"));
        }
        if self.is_empty() {
            return Err(Error::param("per_class", per_class, "cannot draw from an empty dataset"));
        }
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); self.n_classes()];
        for (i, &label) in self.y.iter().enumerate() {
            by_class[usize::from(label)].push(i);
        }
        let mut rng = crate::rng::seeded(seed, STREAM_STRATIFIED);
        let mut chosen = Vec::with_capacity(per_class * by_class.len());
        for (class, members) in by_class.iter_mut().enumerate() {
            if members.len() < per_class {
                return Err(Error::param(
                    "per_class",
                    per_class,
                    format!(
                        "class {class} has only {} examples; ask for at most that many",
                        members.len()
                    ),
                ));
            }
            let (picked, _) = members.partial_shuffle(&mut rng, per_class);
            chosen.extend_from_slice(picked);
        }
        chosen.sort_unstable();
        Ok(chosen)
    }
}

impl Dataset {
    /// Splits the rows in two, stratified by class: `held_out` rows drawn with `seed`, in the
    /// same class proportions as the whole (each class's share rounded, largest remainders
    /// first, so the counts add up exactly), and the rest. Both index lists are sorted.
    ///
    /// This is how a validation set is carved out of the training images: every class keeps
    /// its share on both sides, so a validation accuracy is not skewed by a class that
    /// happened to be drawn too often. Fails if `held_out` is 0 or leaves no rows behind.
    pub fn stratified_split(&self, held_out: usize, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
        if held_out == 0 || held_out >= self.len() {
            return Err(Error::param(
                "validation",
                held_out,
                format!(
                    "can be at most {} of the {} training images (0 holds none out)",
                    self.len().max(1) - 1,
                    self.len()
                ),
            ));
        }
        let counts = self.class_counts();
        let n = self.len();
        // Each class's exact share, its whole part, and who gets the leftover rows.
        let exact: Vec<f64> = counts.iter().map(|&c| (held_out * c) as f64 / n as f64).collect();
        let mut take: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
        let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
        by_remainder.sort_by(|&a, &b| {
            (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor()))
        });
        let short = held_out - take.iter().sum::<usize>();
        for &class in by_remainder.iter().take(short) {
            take[class] += 1;
        }
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); counts.len()];
        for (i, &label) in self.y.iter().enumerate() {
            by_class[usize::from(label)].push(i);
        }
        let mut rng = crate::rng::seeded(seed, STREAM_SPLIT);
        let mut out = Vec::with_capacity(held_out);
        for (members, &k) in by_class.iter_mut().zip(&take) {
            let (picked, _) = members.partial_shuffle(&mut rng, k);
            out.extend_from_slice(picked);
        }
        out.sort_unstable();
        let mut is_out = vec![false; n];
        out.iter().for_each(|&i| is_out[i] = true);
        let kept = (0..n).filter(|&i| !is_out[i]).collect();
        Ok((kept, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Dataset {
        let x = Array2::from_shape_fn((6, 2), |(i, j)| (i * 2 + j) as f32);
        Dataset::new(x, Array1::from(vec![0, 1, 2, 0, 1, 2])).unwrap()
    }

    #[test]
    fn dataset_basics() {
        let d = toy();
        assert_eq!(d.len(), 6);
        assert!(!d.is_empty());
        assert_eq!(d.n_classes(), 3);
        assert_eq!(d.class_counts(), vec![2, 2, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.head(2).y.to_vec(), vec![0, 1]);
        assert_eq!(d.head(100).len(), 6);
        assert_eq!(d.head(0).len(), 0);
        let s = d.select(&[5, 0, 5]).unwrap();
        assert_eq!(s.y.to_vec(), vec![2, 0, 2]);
        assert_eq!(s.x.row(0).to_vec(), vec![10.0, 11.0]);
        assert!(matches!(d.select(&[6]), Err(Error::InvalidParam { .. })));
        let empty = d.head(0);
        assert!(empty.is_empty());
        assert_eq!(empty.n_classes(), 0);
        assert_eq!(empty.class_counts(), vec![0; 10]);
    }

    #[test]
    fn dataset_new_checks_rows() {
        let r = Dataset::new(Array2::zeros((3, 2)), Array1::zeros(2));
        assert!(matches!(r, Err(Error::Shape { .. })));
    }

    #[test]
    fn stratified_subset_on_toy_data() {
        let d = toy();
        let s = d.stratified_subset(1, 3).unwrap();
        assert_eq!(s.class_counts()[..3], [1, 1, 1]);
        assert_eq!(s, d.stratified_subset(1, 3).unwrap());
        assert_eq!(d.stratified_subset(2, 0).unwrap(), d);
        assert!(matches!(d.stratified_subset(3, 0), Err(Error::InvalidParam { .. })));
        assert!(matches!(d.stratified_subset(0, 0), Err(Error::InvalidParam { .. })));
        assert!(d.head(0).stratified_subset(1, 0).is_err());
    }

    #[test]
    fn stratified_split_keeps_class_shares_and_every_row_once() {
        // 12 rows: classes 0, 1, 2 with 6, 4 and 2 rows.
        let y = Array1::from(vec![0, 0, 1, 0, 1, 2, 0, 1, 0, 2, 1, 0]);
        let d = Dataset::new(Array2::zeros((12, 1)), y).unwrap();
        let (kept, out) = d.stratified_split(6, 9).unwrap();
        assert_eq!(out.len(), 6);
        let mut all: Vec<usize> = kept.iter().chain(&out).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..12).collect::<Vec<_>>(), "every row on exactly one side");
        assert_eq!(d.select(&out).unwrap().class_counts()[..3], [3, 2, 1], "half of each class");
        assert_eq!(
            d.stratified_split(6, 9).unwrap(),
            (kept.clone(), out.clone()),
            "the seed fixes the split"
        );
        let x = Array2::from_shape_fn((12, 3), |(i, j)| (10 * i + j) as f32);
        let wide = Dataset::new(x, d.y.clone()).unwrap();
        assert_eq!(
            wide.clone().keep_rows(&kept).unwrap(),
            wide.select(&kept).unwrap(),
            "in place = a copy"
        );
        assert!(wide.clone().keep_rows(&[3, 1]).is_err() && wide.keep_rows(&[12]).is_err());
        // 5 of 12: shares 2.5, 1.67, 0.83 → 2, 2, 1 (largest remainders get the leftovers).
        let (_, five) = d.stratified_split(5, 1).unwrap();
        assert_eq!(d.select(&five).unwrap().class_counts()[..3], [2, 2, 1]);
        for bad in [0, 12, 13] {
            assert!(matches!(d.stratified_split(bad, 0), Err(Error::InvalidParam { .. })), "{bad}");
        }
    }
}
