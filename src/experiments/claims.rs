//! The original tutorial's claims, checked: each claim with the numbers that bear on it and a
//! verdict computed from those numbers (never typed), as data the chapter prints and the
//! tests assert.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::baselines::{self, BaselineRow, BaselineSettings, Baselines};
use crate::experiments::few_labels::{default_few_labels_settings, few_labels, FewLabels};
use crate::experiments::finetune::fine_tune_study_cached;
use crate::experiments::study::{ClassifierResult, Study};
use crate::models::finetune::{FineTuneParams, FineTuneResult};
use crate::output::report::percent;

/// FLOPs of one training step per multiply-add of the forward pass: 2 forward (multiply and
/// add), 4 backward (dL/dW and dL/dx). Counted, not measured.
pub const FLOPS_PER_MAC_TRAINING: f64 = 6.0;

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
    /// The study's MLP on codes.
    pub codes_mlp: ClassifierResult,
    /// The study's MLP on raw pixels.
    pub raw_mlp: ClassifierResult,
    /// Autoencoder epochs and median seconds per epoch.
    pub ae_epochs: usize,
    /// Median seconds per autoencoder epoch.
    pub ae_seconds_per_epoch: f64,
    /// Counted FLOPs of one training epoch of the autoencoder, the codes MLP and the raw MLP.
    pub ae_flops_per_epoch: f64,
    /// See `ae_flops_per_epoch`.
    pub codes_flops_per_epoch: f64,
    /// See `ae_flops_per_epoch`.
    pub raw_flops_per_epoch: f64,
    /// The classical baselines.
    pub baselines: Baselines,
    /// Fine-tuning the encoder and the MLP end to end.
    pub finetune: FineTuneResult,
    /// Counted FLOPs of one fine-tuning epoch.
    pub finetune_flops_per_epoch: f64,
    /// The label-budget comparison at 100 labels per class (the one the verdicts use).
    pub few_labels: FewLabels,
    /// The same at 10 labels per class, reported beside it.
    pub fewer_labels: FewLabels,
}

impl ClaimsReport {
    /// Gathers every measurement, each from the disk cache in `dir` when this code already
    /// computed it (a fresh checkout computes it all: about three minutes on two cores).
    pub fn gather_cached(study: &Study, dir: &Path) -> Result<ClaimsReport> {
        let r = &study.results;
        let raw_mlp = r.raw_mlp.clone().ok_or_else(|| {
            Error::param("run_raw_mlp", false, "the claims need the raw-pixel MLP; use StudyConfig::default()")
        })?;
        let baselines = baselines::run_all_cached(study, dir, &BaselineSettings::default())?;
        let finetune = fine_tune_study_cached(study, dir, &FineTuneParams::default())?;
        let (per_class, seeds, train) = default_few_labels_settings();
        let budget = |per_class: usize| {
            crate::output::cache::cached(dir, "few-labels", &(per_class, &seeds, &train, &r.config), || {
                few_labels(study, per_class, &seeds, &train, &mut crate::experiments::pipeline::quiet)
            })
        };
        let (few_labels, fewer_labels) = (budget(per_class)?, budget(per_class / 10)?);
        let n = r.n_train as f64;
        let flops = |macs: usize| macs as f64 * n * FLOPS_PER_MAC_TRAINING;
        let ae = &study.autoencoder;
        Ok(ClaimsReport {
            ae_epochs: r.autoencoder.history.epochs.len(),
            ae_seconds_per_epoch: r.autoencoder.seconds_per_epoch,
            ae_flops_per_epoch: flops(ae.encoder.macs_per_sample() + ae.decoder.macs_per_sample()),
            codes_flops_per_epoch: flops(study.codes_mlp.stack.macs_per_sample()),
            raw_flops_per_epoch: flops(study.raw_mlp.as_ref().map_or(0, |m| m.stack.macs_per_sample())),
            finetune_flops_per_epoch: flops(finetune.macs_per_sample),
            codes_mlp: r.codes_mlp.clone(),
            raw_mlp,
            baselines,
            finetune,
            few_labels,
            fewer_labels,
        })
    }

    /// Training FLOPs of the whole two-step pipeline (autoencoder, then codes MLP) and of the
    /// raw-pixel MLP alone, over all their epochs.
    pub fn pipeline_flops(&self) -> (f64, f64) {
        let codes_epochs = self.codes_mlp.history.epochs.len() as f64;
        let raw_epochs = self.raw_mlp.history.epochs.len() as f64;
        (
            self.ae_flops_per_epoch * self.ae_epochs as f64 + self.codes_flops_per_epoch * codes_epochs,
            self.raw_flops_per_epoch * raw_epochs,
        )
    }

    /// Every method of the chapter as one row each: the study's MLPs, fine-tuning and the
    /// classical baselines.
    pub fn rows(&self) -> Vec<BaselineRow> {
        let mlp_row = |features: &str, c: &ClassifierResult| BaselineRow {
            method: "MLP (this crate)".into(),
            features: features.into(),
            dimension: c.features,
            accuracy: c.test_accuracy,
            test_images: c.confusion.counts.sum(),
            fit_seconds: c.history.epochs.iter().map(|e| e.train_seconds).sum(),
            predict_seconds: f64::NAN,
        };
        let f = &self.finetune;
        let mut rows = vec![
            mlp_row("autoencoder codes", &self.codes_mlp),
            mlp_row("raw pixels", &self.raw_mlp),
            BaselineRow {
                method: "encoder + MLP fine-tuned end to end (this crate)".into(),
                features: "raw pixels (pretrained encoder)".into(),
                dimension: self.raw_mlp.features,
                accuracy: f.test_accuracy,
                test_images: self.raw_mlp.confusion.counts.sum(),
                fit_seconds: f.history.epochs.iter().map(|e| e.train_seconds).sum(),
                predict_seconds: f64::NAN,
            },
        ];
        rows.extend(self.baselines.rows.iter().cloned());
        rows
    }

    /// [`ClaimsReport::rows`] as a Markdown table, best accuracy first.
    pub fn results_table(&self) -> String {
        let mut rows = self.rows();
        rows.sort_by(|a, b| b.accuracy.total_cmp(&a.accuracy));
        let mut t = String::from(
            "| method | features | dimension | test accuracy | test images scored | fit seconds | predict seconds |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for r in rows {
            t += &format!(
                "| {} | {} | {} | {} | {} | {:.1} | {} |\n",
                r.method,
                r.features,
                r.dimension,
                percent(r.accuracy),
                format_count(r.test_images),
                r.fit_seconds,
                if r.predict_seconds.is_finite() { format!("{:.2}", r.predict_seconds) } else { "–".into() }
            );
        }
        t
    }

    /// The five claims with their evidence and verdicts.
    pub fn claims(&self) -> Vec<Claim> {
        let (codes, raw, few, ft) = (&self.codes_mlp, &self.raw_mlp, &self.few_labels, &self.finetune);
        let (pipeline, raw_total) = self.pipeline_flops();
        let gflops = |f: f64| format!("{:.1} GFLOP", f / 1e9);
        let gap = |c: &ClassifierResult| c.train_accuracy - c.test_accuracy;
        let points = |a: f32| format!("{:.2} points", 100.0 * a);
        let cheaper_epoch = self.codes_flops_per_epoch < self.raw_flops_per_epoch;
        let cheaper_pipeline = pipeline < raw_total;
        let codes_win = codes.test_accuracy > raw.test_accuracy;
        let few_win = few.codes_mean() > few.raw_mean();
        let smaller_gap = gap(codes) < gap(raw);
        let ft_win = ft.test_accuracy > raw.test_accuracy;
        let ft_cheaper = self.finetune_flops_per_epoch < self.raw_flops_per_epoch;

        let cost = Claim {
            id: "faster_training".into(),
            quote: "dimensionality reduction gives faster training and lower cost".into(),
            evidence: vec![
                ("codes → MLP, seconds per epoch".into(), format!("{:.2} s", codes.seconds_per_epoch)),
                ("pixels → MLP, seconds per epoch".into(), format!("{:.2} s", raw.seconds_per_epoch)),
                ("codes → MLP, FLOPs per epoch".into(), gflops(self.codes_flops_per_epoch)),
                ("pixels → MLP, FLOPs per epoch".into(), gflops(self.raw_flops_per_epoch)),
                ("autoencoder + codes → MLP, all epochs".into(), gflops(pipeline)),
                ("pixels → MLP, all epochs".into(), gflops(raw_total)),
            ],
            verdict: match (cheaper_epoch, cheaper_pipeline) {
                (true, true) => Verdict::Holds,
                (true, false) => Verdict::Partly,
                _ => Verdict::Fails,
            },
        };
        let generalisation = Claim {
            id: "generalisation".into(),
            quote: "improved generalisation".into(),
            evidence: vec![
                ("codes → MLP, train − test accuracy".into(), points(gap(codes))),
                ("pixels → MLP, train − test accuracy".into(), points(gap(raw))),
                ("codes → MLP, test accuracy".into(), percent(codes.test_accuracy)),
                ("pixels → MLP, test accuracy".into(), percent(raw.test_accuracy)),
                (format!("codes → MLP, {} labels", format_count(10 * few.per_class)), percent(few.codes_mean())),
                (format!("pixels → MLP, {} labels", format_count(10 * few.per_class)), percent(few.raw_mean())),
            ],
            // A smaller gap only counts as better generalisation if the test accuracy is not
            // lower: a model that learns less also overfits less.
            verdict: match (smaller_gap && codes_win, smaller_gap || few_win) {
                (true, _) => Verdict::Holds,
                (false, true) => Verdict::Partly,
                (false, false) => Verdict::Fails,
            },
        };
        let performance = Claim {
            id: "enhanced_performance".into(),
            quote: "enhanced performance".into(),
            evidence: vec![
                ("codes → MLP, test accuracy".into(), percent(codes.test_accuracy)),
                ("pixels → MLP, test accuracy".into(), percent(raw.test_accuracy)),
            ],
            verdict: if codes_win { Verdict::Holds } else { Verdict::Fails },
        };
        let two_step = Claim {
            id: "two_step_beats_raw".into(),
            quote: "the two-step process is likely to yield better results than raw input".into(),
            evidence: vec![
                ("all 60,000 labels: codes → MLP".into(), percent(codes.test_accuracy)),
                ("all 60,000 labels: pixels → MLP".into(), percent(raw.test_accuracy)),
                (format!("{} labels: codes → MLP", format_count(10 * few.per_class)), percent(few.codes_mean())),
                (format!("{} labels: pixels → MLP", format_count(10 * few.per_class)), percent(few.raw_mean())),
                (
                    format!("{} labels: codes → MLP", format_count(10 * self.fewer_labels.per_class)),
                    percent(self.fewer_labels.codes_mean()),
                ),
                (
                    format!("{} labels: pixels → MLP", format_count(10 * self.fewer_labels.per_class)),
                    percent(self.fewer_labels.raw_mean()),
                ),
                ("pretrained encoder fine-tuned with the MLP".into(), percent(ft.test_accuracy)),
            ],
            verdict: match (codes_win && few_win, codes_win || few_win || ft_win) {
                (true, _) => Verdict::Holds,
                (false, true) => Verdict::Partly,
                (false, false) => Verdict::Fails,
            },
        };
        let complexity = Claim {
            id: "performance_and_complexity".into(),
            quote: "improved performance while reducing the computational complexity".into(),
            evidence: vec![
                (
                    "codes → MLP: test accuracy, FLOPs per epoch".into(),
                    format!("{}, {}", percent(codes.test_accuracy), gflops(self.codes_flops_per_epoch)),
                ),
                (
                    "pixels → MLP: test accuracy, FLOPs per epoch".into(),
                    format!("{}, {}", percent(raw.test_accuracy), gflops(self.raw_flops_per_epoch)),
                ),
                (
                    "fine-tuned encoder + MLP: test accuracy, FLOPs per epoch".into(),
                    format!("{}, {}", percent(ft.test_accuracy), gflops(self.finetune_flops_per_epoch)),
                ),
            ],
            verdict: match (codes_win && cheaper_epoch, ft_win && ft_cheaper) {
                (true, _) => Verdict::Holds,
                (false, true) => Verdict::Partly,
                (false, false) => Verdict::Fails,
            },
        };
        vec![cost, generalisation, performance, two_step, complexity]
    }

    /// The verdict of claim `id`, if there is such a claim.
    pub fn verdict(&self, id: &str) -> Option<Verdict> {
        self.claims().into_iter().find(|c| c.id == id).map(|c| c.verdict)
    }

    /// The claims as a Markdown table: claim, evidence, verdict.
    pub fn claims_table(&self) -> String {
        let mut t = String::from("| claim of the original | measured here | verdict |\n|---|---|---|\n");
        for c in self.claims() {
            let evidence: Vec<String> = c.evidence.iter().map(|(what, v)| format!("{what}: {v}")).collect();
            t += &format!("| “{}” | {} | **{}** |\n", c.quote, evidence.join("<br>"), c.verdict.label());
        }
        t
    }
}
