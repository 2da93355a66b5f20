//! The family comparison over several seeds: every score of the table as mean ± standard
//! deviation, and any two scores compared paired by seed.
//!
//! A seed here fixes every autoencoder's and every classifier's initialisation and shuffling
//! *and* which 1,000 training images are labelled, so the label-scarce columns vary with the
//! labelled subset too, as they would for a reader who labels other images.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Family, FamilyConfig, FamilyResults};
use crate::error::{Error, Result};
use crate::experiments::pipeline::Observer;
use crate::experiments::statistics::{PairedDifference, Summary};

/// A column of the family's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Score {
    /// MLP with every label.
    Mlp,
    /// k-NN with every label.
    Knn,
    /// MLP on the scarce labels.
    ScarceMlp,
    /// k-NN on the scarce labels.
    ScarceKnn,
    /// Label spreading from the scarce labels, then an MLP.
    ScarceSpread,
}

impl Score {
    /// The column's heading.
    pub fn name(self) -> &'static str {
        match self {
            Score::Mlp => "MLP",
            Score::Knn => "k-NN",
            Score::ScarceMlp => "few labels: MLP",
            Score::ScarceKnn => "few labels: k-NN",
            Score::ScarceSpread => "few labels: spreading → MLP",
        }
    }
}

/// The label of the raw-pixel row in [`FamilySeeds::scores`].
pub const RAW_PIXELS: &str = "raw pixels";

impl FamilyConfig {
    /// Sets one seed for every random choice: every model's initialisation and shuffling,
    /// and the labelled subset.
    pub fn seed(mut self, seed: u64) -> Self {
        for v in &mut self.variants {
            v.params.train.seed = seed;
        }
        self.codes_mlp.train.seed = seed;
        self.raw_mlp.train.seed = seed;
        self.scarce_train.seed = seed;
        self.labelled_seed = seed;
        self
    }
}

/// Every seed's results of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilySeeds {
    /// The seeds, in the order they ran.
    pub seeds: Vec<u64>,
    /// Each seed's results.
    pub runs: Vec<FamilyResults>,
}

impl Family {
    /// Runs the comparison for every seed (each through the cache in `cache_dir`) and keeps
    /// every seed's results; the first seed's trained family is returned for its models and
    /// figures, the others are dropped once read.
    pub fn over_seeds(
        config: &FamilyConfig,
        seeds: &[u64],
        cache_dir: &Path,
        observer: &mut Observer<'_>,
    ) -> Result<(Family, FamilySeeds)> {
        let Some((&first, rest)) = seeds.split_first() else {
            return Err(Error::param(
                "seeds",
                0,
                "must be at least 1 (5 give a verdict with an interval)",
            ));
        };
        let family = Family::run_cached(&config.clone().seed(first), cache_dir, observer)?;
        let mut runs = vec![family.results.clone()];
        for &seed in rest {
            runs.push(Family::run_cached(&config.clone().seed(seed), cache_dir, observer)?.results);
        }
        Ok((family, FamilySeeds { seeds: seeds.to_vec(), runs }))
    }
}

impl FamilySeeds {
    /// The `score` of row `label` (a variant's label, or [`RAW_PIXELS`]) for every seed.
    pub fn scores(&self, label: &str, score: Score) -> Result<Vec<f64>> {
        self.runs
            .iter()
            .map(|r| {
                let scores = if label == RAW_PIXELS {
                    Some(&r.raw)
                } else {
                    r.variant(label).map(|v| &v.codes)
                };
                let s = scores.ok_or_else(|| {
                    Error::param("row", label.to_string(), "no such row in the table")
                })?;
                let value = match score {
                    Score::Mlp => Some(s.mlp),
                    Score::Knn => s.knn,
                    Score::ScarceMlp => Some(s.scarce_mlp),
                    Score::ScarceKnn => Some(s.scarce_knn),
                    Score::ScarceSpread => s.scarce_spread,
                };
                value.map(f64::from).ok_or_else(|| {
                    Error::param("score", score.name(), format!("not measured for {label}"))
                })
            })
            .collect()
    }

    /// Mean ± standard deviation of one cell of the table over the seeds.
    pub fn summary(&self, label: &str, score: Score) -> Result<Summary> {
        Summary::of(&self.scores(label, score)?)
    }

    /// Cell `a` minus cell `b`, paired by seed, with its 95 % interval.
    pub fn compare(&self, a: (&str, Score), b: (&str, Score)) -> Result<PairedDifference> {
        PairedDifference::of(&self.scores(a.0, a.1)?, &self.scores(b.0, b.1)?)
    }

    /// The test MSE of variant `label` for every seed.
    pub fn test_mse(&self, label: &str) -> Result<Vec<f64>> {
        self.runs
            .iter()
            .map(|r| {
                r.variant(label)
                    .map(|v| f64::from(v.test_mse))
                    .ok_or_else(|| Error::param("row", label.to_string(), "no such variant"))
            })
            .collect()
    }

    /// The classifier columns as a Markdown table of mean ± standard deviation (points).
    pub fn table(&self) -> Result<String> {
        let Some(first) = self.runs.first() else { return Ok(String::new()) };
        let columns =
            [Score::Mlp, Score::Knn, Score::ScarceMlp, Score::ScarceKnn, Score::ScarceSpread];
        let n = crate::experiments::claims::format_count(first.scarce_labels);
        let headings: Vec<String> = columns
            .iter()
            .map(|c| c.name().replace("few labels", &format!("{n} labels")))
            .collect();
        let mut t = format!(
            "| features ({} seeds) | test MSE | {} |\n|---|---|{}\n",
            self.seeds.len(),
            headings.join(" | "),
            "---|".repeat(columns.len())
        );
        let mut labels: Vec<String> =
            first.variants.iter().map(|v| v.variant.label.clone()).collect();
        labels.push(RAW_PIXELS.to_string());
        for label in labels {
            let mse = match self.test_mse(&label) {
                Ok(v) => Summary::of(&v).map(|s| format!("{:.5} ± {:.5}", s.mean, s.sd))?,
                Err(_) => "–".into(),
            };
            let cells: Vec<String> = columns
                .iter()
                .map(|&c| self.summary(&label, c).map_or("–".into(), |s| s.percent()))
                .collect();
            t += &format!("| {label} | {mse} | {} |\n", cells.join(" | "));
        }
        Ok(t)
    }
}
