//! Accuracy and the confusion matrix.

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Fraction of predictions equal to the truth. Both (n); errors if their lengths differ.
pub fn accuracy<'a>(
    predicted: impl Into<ArrayView1<'a, u8>>,
    truth: impl Into<ArrayView1<'a, u8>>,
) -> Result<f32> {
    let (p, t) = (predicted.into(), truth.into());
    if p.len() != t.len() {
        return Err(Error::shape(
            "accuracy",
            format!("{} predictions", t.len()),
            p.len().to_string(),
        ));
    }
    let correct = p.iter().zip(&t).filter(|(p, t)| p == t).count();
    Ok(correct as f32 / t.len().max(1) as f32)
}

/// Counts of (true class, predicted class) pairs: row = truth, column = prediction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// counts[[t, p]]: samples of class t predicted as p.
    pub counts: Array2<usize>,
}

impl ConfusionMatrix {
    /// Tallies predictions against the truth for `classes` classes.
    pub fn new<'a>(
        predicted: impl Into<ArrayView1<'a, u8>>,
        truth: impl Into<ArrayView1<'a, u8>>,
        classes: usize,
    ) -> Result<Self> {
        let (p, t) = (predicted.into(), truth.into());
        if p.len() != t.len() {
            return Err(Error::shape(
                "ConfusionMatrix::new",
                format!("{} predictions", t.len()),
                p.len().to_string(),
            ));
        }
        let mut counts = Array2::zeros((classes, classes));
        for (&p, &t) in p.iter().zip(&t) {
            let cell = counts.get_mut([usize::from(t), usize::from(p)]).ok_or_else(|| {
                Error::param("classes", classes, format!("label {} does not fit", t.max(p)))
            })?;
            *cell += 1;
        }
        Ok(ConfusionMatrix { counts })
    }

    /// Overall accuracy: the diagonal over the total.
    pub fn accuracy(&self) -> f32 {
        let total: usize = self.counts.sum();
        self.counts.diag().sum() as f32 / total.max(1) as f32
    }

    /// Recall of each class: how many of its samples were recognised.
    pub fn recall(&self) -> Vec<f32> {
        self.counts
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, r)| r[i] as f32 / r.sum().max(1) as f32)
            .collect()
    }

    /// The `k` most frequent mistakes as (true, predicted, count), largest first.
    pub fn top_confusions(&self, k: usize) -> Vec<(usize, usize, usize)> {
        let mut off: Vec<(usize, usize, usize)> = self
            .counts
            .indexed_iter()
            .filter(|((t, p), &c)| t != p && c > 0)
            .map(|((t, p), &c)| (t, p, c))
            .collect();
        off.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        off.truncate(k);
        off
    }
}
