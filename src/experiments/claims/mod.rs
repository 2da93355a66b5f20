//! The original tutorial's claims, checked: each claim with the numbers that bear on it and a
//! verdict computed from those numbers (never typed), as data the chapter prints and the
//! tests assert.

use std::path::Path;

use serde::{Deserialize, Serialize};

mod costs;
mod verdicts;

pub use costs::{Costs, Route, RouteSeconds, FLOPS_PER_MAC_TRAINING};

use crate::error::{Error, Result};
use crate::experiments::baselines::{self, BaselineRow, BaselineSettings, Baselines};
use crate::experiments::few_labels::{default_few_labels_settings, few_labels, FewLabels};
use crate::experiments::finetune::fine_tune_study_cached;
use crate::experiments::pipeline;
use crate::experiments::statistics::{PairedDifference, Summary};
use crate::experiments::study::{ClassifierResult, OverSeeds, SeedMetrics, Study};
use crate::models::finetune::{FineTuneParams, FineTuneResult};
use crate::output::report::percent;

/// What a measurement says about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The numbers support the claim as stated.
    Holds,
    /// The claim holds only in part, or only under a condition the chapter names.
    Partly,
    /// The numbers contradict the claim.
    Fails,
}

impl Verdict {
    /// The word the chapter prints.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Partly => "holds only in part",
            Verdict::Fails => "fails",
        }
    }
}

/// One claim of the original, with its evidence and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// A short stable name, e.g. `faster_training`.
    pub id: String,
    /// The original's words.
    pub quote: String,
    /// (what, measured value) pairs.
    pub evidence: Vec<(String, String)>,
    /// The verdict, computed from the evidence.
    pub verdict: Verdict,
}

/// A count with thousands separators, as the book prints them: 10000 → "10,000".
pub fn format_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Everything the chapter measures, gathered once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsReport {
    /// The first seed's MLP on codes (the study the chapter's cells load).
    pub codes_mlp: ClassifierResult,
    /// The first seed's MLP on raw pixels.
    pub raw_mlp: ClassifierResult,
    /// The study over every seed: the full-label comparison the verdicts use.
    pub seeds: OverSeeds,
    /// The classical baselines (deterministic, or seeded once: one run each).
    pub baselines: Baselines,
    /// The first seed's encoder and MLP fine-tuned end to end.
    pub finetune: FineTuneResult,
    /// Test accuracy of the fine-tuned network for each seed of [`ClaimsReport::seeds`].
    pub finetune_accuracy: Vec<f32>,
    /// What each route to a classifier costs, counted one way.
    pub costs: Costs,
    /// The label-budget comparison at 100 labels per class (the one the verdicts use).
    pub few_labels: FewLabels,
    /// The same at 10 labels per class, reported beside it.
    pub fewer_labels: FewLabels,
}

/// The seeds of the chapter's comparisons: the study's 42 and the four after it.
pub fn claim_seeds() -> Vec<u64> {
    (42..47).collect()
}

impl ClaimsReport {
    /// Gathers every measurement, each from the disk cache in `dir` when this code already
    /// computed it (a fresh checkout computes it all: a few minutes on two cores). `study` is
    /// the first seed's study; the other seeds of [`claim_seeds`] are run (or loaded) one at a
    /// time, so memory stays that of two studies.
    pub fn gather_cached(study: &Study, dir: &Path) -> Result<ClaimsReport> {
        let r = &study.results;
        let raw_mlp = r.raw_mlp.clone().ok_or_else(|| {
            Error::param(
                "run_raw_mlp",
                false,
                "the claims need the raw-pixel MLP; use StudyConfig::default()",
            )
        })?;
        let baselines = baselines::run_all_cached(study, dir, &BaselineSettings::default())?;
        let params = FineTuneParams::default();
        let finetune = fine_tune_study_cached(study, dir, &params)?;
        let seeds = claim_seeds();
        let mut metrics = vec![SeedMetrics::of(study)];
        let mut finetune_accuracy = vec![finetune.test_accuracy];
        let mut other_routes = Vec::new();
        for &seed in &seeds[1..] {
            let other = Study::run_cached(&r.config.clone().seed(seed), dir, &mut pipeline::quiet)?;
            let tuned = fine_tune_study_cached(&other, dir, &params.clone().seed(seed))?;
            metrics.push(SeedMetrics::of(&other));
            finetune_accuracy.push(tuned.test_accuracy);
            other_routes.push(RouteSeconds::of(&other.results, &tuned));
        }
        let costs = Costs::of(study, &finetune, other_routes)?;
        let (per_class, few_seeds, train) = default_few_labels_settings();
        let budget = |per_class: usize| {
            crate::output::cache::cached(
                dir,
                "few-labels",
                &(per_class, &few_seeds, &train, &r.config),
                || few_labels(study, per_class, &few_seeds, &train, &mut pipeline::quiet),
            )
        };
        let (few_labels, fewer_labels) = (budget(per_class)?, budget(per_class / 10)?);
        Ok(ClaimsReport {
            codes_mlp: r.codes_mlp.clone(),
            raw_mlp,
            seeds: OverSeeds::of(metrics)?,
            baselines,
            finetune,
            finetune_accuracy,
            costs,
            few_labels,
            fewer_labels,
        })
    }

    /// Codes → MLP minus pixels → MLP with every label, paired by seed.
    pub fn codes_minus_raw(&self) -> Result<PairedDifference> {
        let raw = self
            .seeds
            .raw_minus_codes
            .ok_or_else(|| Error::param("seeds", 1, "needs at least 2 seeds"))?;
        Ok(PairedDifference { mean: -raw.mean, low: -raw.high, high: -raw.low, ..raw })
    }

    /// Fine-tuned network minus pixels → MLP, paired by seed.
    pub fn finetune_minus_raw(&self) -> Result<PairedDifference> {
        let raw: Vec<f64> = self
            .seeds
            .seeds
            .iter()
            .map(|m| f64::from(m.raw_accuracy.unwrap_or(f32::NAN)))
            .collect();
        let tuned: Vec<f64> = self.finetune_accuracy.iter().map(|&a| f64::from(a)).collect();
        PairedDifference::of(&tuned, &raw)
    }

    /// A classical baseline's accuracy minus the mean of an MLP's over the seeds: the MLP's
    /// seeds against one deterministic number (a one-sample interval). `mlp` is `"codes"` or `"pixels"`.
    pub fn baseline_minus_mlp(&self, row: &BaselineRow, mlp: &str) -> Result<PairedDifference> {
        let values: Vec<f64> = self
            .seeds
            .seeds
            .iter()
            .map(|m| {
                f64::from(if mlp == "codes" {
                    m.codes_accuracy
                } else {
                    m.raw_accuracy.unwrap_or(f32::NAN)
                })
            })
            .collect();
        PairedDifference::of(&vec![f64::from(row.accuracy); values.len()], &values)
    }

    /// Every method of the chapter as one row each: the study's MLPs and fine-tuning (mean
    /// over the seeds, with their standard deviation) and the classical baselines (one run).
    pub fn rows(&self) -> Vec<(BaselineRow, Option<Summary>)> {
        let over = |values: Vec<f32>| {
            Summary::of(&values.iter().map(|&v| f64::from(v)).collect::<Vec<_>>()).ok()
        };
        let codes = over(self.seeds.seeds.iter().map(|m| m.codes_accuracy).collect());
        let raw = over(self.seeds.seeds.iter().filter_map(|m| m.raw_accuracy).collect());
        let tuned = over(self.finetune_accuracy.clone());
        let mlp_row =
            |method: &str, features: &str, c: &ClassifierResult, s: Option<Summary>, fit: f64| {
                let row = BaselineRow {
                    method: method.into(),
                    features: features.into(),
                    dimension: c.features,
                    accuracy: s.map_or(c.test_accuracy, |s| s.mean as f32),
                    test_images: c.confusion.counts.sum(),
                    fit_seconds: fit,
                    predict_seconds: f64::NAN,
                };
                (row, s)
            };
        let fit = |c: &ClassifierResult| c.history.epochs.iter().map(|e| e.train_seconds).sum();
        let tuned_fit = self.finetune.history.epochs.iter().map(|e| e.train_seconds).sum();
        let mut rows = vec![
            mlp_row(
                "MLP (this crate)",
                "autoencoder codes",
                &self.codes_mlp,
                codes,
                fit(&self.codes_mlp),
            ),
            mlp_row("MLP (this crate)", "raw pixels", &self.raw_mlp, raw, fit(&self.raw_mlp)),
            mlp_row(
                "encoder + MLP fine-tuned end to end (this crate)",
                "raw pixels (pretrained encoder)",
                &self.raw_mlp,
                tuned,
                tuned_fit,
            ),
        ];
        rows.extend(self.baselines.rows.iter().cloned().map(|r| (r, None)));
        rows
    }

    /// [`ClaimsReport::rows`] as a Markdown table, best accuracy first.
    pub fn results_table(&self) -> String {
        let mut rows = self.rows();
        rows.sort_by(|a, b| b.0.accuracy.total_cmp(&a.0.accuracy));
        let n = self.seeds.seeds.len();
        let mut t = String::from(
            "| method | features | dimension | test accuracy | test images scored | fit seconds | predict seconds |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for (r, spread) in rows {
            let accuracy = match spread {
                Some(s) => format!("{} ({n} seeds)", s.percent()),
                None => percent(r.accuracy),
            };
            t += &format!(
                "| {} | {} | {} | {accuracy} | {} | {:.1} | {} |\n",
                r.method,
                r.features,
                r.dimension,
                format_count(r.test_images),
                r.fit_seconds,
                if r.predict_seconds.is_finite() {
                    format!("{:.2}", r.predict_seconds)
                } else {
                    "–".into()
                }
            );
        }
        t
    }
}
