//! The original's five claims, each with its evidence and a verdict computed from it.
//!
//! Every comparison between two methods is read by the rule of
//! [`crate::experiments::statistics`]: "A beats B" only when the 95 % interval of the paired
//! differences over the seeds excludes zero. Costs are counted over the whole route
//! ([`super::costs`]).

use super::costs::Route;
use super::{format_count, Claim, ClaimsReport, Verdict};
use crate::error::Result;
use crate::experiments::statistics::{Comparison, PairedDifference};
use crate::output::report::percent;

/// FLOPs a route must save, as a fraction of the other's, to count as cheaper: a smaller
/// saving is a tie in practice. The verdicts count FLOPs, which are the same on every
/// machine; the measured seconds are shown beside them, and depend on the machine and on
/// what else it was doing.
pub const CHEAPER_BY: f64 = 0.05;

/// The verdict of a claim from its two tests: it holds if `holds`, holds in part if only
/// `partly`, and fails otherwise.
fn verdict(holds: bool, partly: bool) -> Verdict {
    match (holds, partly) {
        (true, _) => Verdict::Holds,
        (false, true) => Verdict::Partly,
        (false, false) => Verdict::Fails,
    }
}

impl ClaimsReport {
    /// Pixels → MLP's train − test gap minus the codes MLP's, paired by seed: above zero, the
    /// codes MLP overfits less.
    pub fn gap_difference(&self) -> Result<PairedDifference> {
        let gap = |train: Option<f32>, test: Option<f32>| {
            f64::from(train.unwrap_or(f32::NAN) - test.unwrap_or(f32::NAN))
        };
        let seeds = &self.seeds.seeds;
        let raw: Vec<f64> =
            seeds.iter().map(|m| gap(m.raw_train_accuracy, m.raw_accuracy)).collect();
        let codes: Vec<f64> = seeds
            .iter()
            .map(|m| gap(Some(m.codes_train_accuracy), Some(m.codes_accuracy)))
            .collect();
        PairedDifference::of(&raw, &codes)
    }

    /// The five claims with their evidence and verdicts.
    pub fn claims(&self) -> Result<Vec<Claim>> {
        let (few, fewer, c) = (&self.few_labels, &self.fewer_labels, &self.costs);
        let gflops = |f: f64| format!("{:.0} GFLOP", f / 1e9);
        let n = self.seeds.seeds.len();
        let codes_acc = self.seeds.codes_accuracy.percent();
        let raw_acc = self.seeds.raw_accuracy.map_or("–".into(), |s| s.percent());
        let labels = |per_class: usize| format_count(10 * per_class);

        let codes_vs_raw = self.codes_minus_raw()?;
        let few_vs_raw = few.codes_minus_raw()?;
        let fewer_vs_raw = fewer.codes_minus_raw()?;
        let tuned_vs_raw = self.finetune_minus_raw()?;
        let gap = self.gap_difference()?;
        let beats = |d: &PairedDifference| d.comparison() == Comparison::AHigher;
        let (codes_win, few_win, tuned_win) =
            (beats(&codes_vs_raw), beats(&few_vs_raw), beats(&tuned_vs_raw));
        let smaller_gap = beats(&gap);
        let cheaper = |a: Route| c.flops(a) < (1.0 - CHEAPER_BY) * c.flops(Route::RawPixels);
        let cheaper_epoch = c.codes_flops_per_epoch < c.raw_flops_per_epoch;
        let (route_cheaper, tuned_cheaper) = (cheaper(Route::TwoStep), cheaper(Route::FineTuned));
        let tuned_epoch_cheaper = c.finetune_flops_per_epoch < c.raw_flops_per_epoch;
        let seconds =
            |route: Route| c.seconds(route).map(|s| format!("{:.1} ± {:.1} s", s.mean, s.sd));
        let difference =
            |d: &PairedDifference, a: &str, b: &str| format!("{}: {}", d.points(), d.verdict(a, b));

        let cost = Claim {
            id: "faster_training".into(),
            quote: "dimensionality reduction gives faster training and lower cost".into(),
            evidence: vec![
                ("codes → MLP, FLOPs per epoch".into(), gflops(c.codes_flops_per_epoch)),
                ("pixels → MLP, FLOPs per epoch".into(), gflops(c.raw_flops_per_epoch)),
                (
                    "autoencoder + encoding + codes → MLP, whole route".into(),
                    gflops(c.flops(Route::TwoStep)),
                ),
                ("pixels → MLP, whole route".into(), gflops(c.flops(Route::RawPixels))),
                (
                    format!("autoencoder + encoding + codes → MLP, seconds ({n} seeds)"),
                    seconds(Route::TwoStep)?,
                ),
                (format!("pixels → MLP, seconds ({n} seeds)"), seconds(Route::RawPixels)?),
            ],
            verdict: verdict(cheaper_epoch && route_cheaper, cheaper_epoch),
        };
        let generalisation = Claim {
            id: "generalisation".into(),
            quote: "improved generalisation".into(),
            evidence: vec![
                ("pixels' train − test gap minus the codes'".into(), gap.points()),
                ("codes → MLP, test accuracy".into(), codes_acc.clone()),
                ("pixels → MLP, test accuracy".into(), raw_acc.clone()),
                (
                    format!("codes − pixels, {} labels", labels(few.per_class)),
                    difference(&few_vs_raw, "codes → MLP", "pixels → MLP"),
                ),
            ],
            // A smaller gap only counts as better generalisation if the test accuracy is not
            // lower: a model that learns less also overfits less.
            verdict: verdict(smaller_gap && codes_win, smaller_gap || few_win),
        };
        let performance = Claim {
            id: "enhanced_performance".into(),
            quote: "enhanced performance".into(),
            evidence: vec![
                ("codes → MLP, test accuracy".into(), codes_acc.clone()),
                ("pixels → MLP, test accuracy".into(), raw_acc.clone()),
                (
                    "codes − pixels, paired".into(),
                    difference(&codes_vs_raw, "codes → MLP", "pixels → MLP"),
                ),
            ],
            verdict: verdict(codes_win, false),
        };
        let two_step = Claim {
            id: "two_step_beats_raw".into(),
            quote: "the two-step process is likely to yield better results than raw input".into(),
            evidence: vec![
                (
                    format!("all {} labels: codes − pixels", format_count(c.n_train)),
                    difference(&codes_vs_raw, "codes → MLP", "pixels → MLP"),
                ),
                (
                    format!("{} labels: codes − pixels", labels(few.per_class)),
                    difference(&few_vs_raw, "codes → MLP", "pixels → MLP"),
                ),
                (
                    format!("{} labels: codes − pixels", labels(fewer.per_class)),
                    difference(&fewer_vs_raw, "codes → MLP", "pixels → MLP"),
                ),
                (
                    "fine-tuned encoder + MLP − pixels".into(),
                    difference(&tuned_vs_raw, "the fine-tuned network", "pixels → MLP"),
                ),
            ],
            verdict: verdict(codes_win && few_win, codes_win || few_win || tuned_win),
        };
        let complexity = Claim {
            id: "performance_and_complexity".into(),
            quote: "improved performance while reducing the computational complexity".into(),
            evidence: vec![
                (
                    "fine-tuned encoder + MLP − pixels".into(),
                    difference(&tuned_vs_raw, "the fine-tuned network", "pixels → MLP"),
                ),
                ("fine-tuning, FLOPs per epoch".into(), gflops(c.finetune_flops_per_epoch)),
                ("pixels → MLP, FLOPs per epoch".into(), gflops(c.raw_flops_per_epoch)),
                (
                    "fine-tuned route, pretraining included".into(),
                    gflops(c.flops(Route::FineTuned)),
                ),
                (format!("fine-tuned route, seconds ({n} seeds)"), seconds(Route::FineTuned)?),
                (
                    "codes → MLP, test accuracy".into(),
                    percent(self.seeds.codes_accuracy.mean as f32),
                ),
            ],
            verdict: verdict(
                codes_win && route_cheaper || tuned_win && tuned_cheaper,
                tuned_win && tuned_epoch_cheaper,
            ),
        };
        Ok(vec![cost, generalisation, performance, two_step, complexity])
    }

    /// The verdict of claim `id`, if there is such a claim (and its evidence could be computed).
    pub fn verdict(&self, id: &str) -> Option<Verdict> {
        self.claims().ok()?.into_iter().find(|c| c.id == id).map(|c| c.verdict)
    }

    /// The claims as a Markdown table: claim, evidence, verdict. Differences are "A − B"
    /// with their 95 % interval over the seeds; "A beats B" only when it excludes zero.
    pub fn claims_table(&self) -> Result<String> {
        let mut t =
            String::from("| claim of the original | measured here | verdict |\n|---|---|---|\n");
        for c in self.claims()? {
            let evidence: Vec<String> =
                c.evidence.iter().map(|(what, v)| format!("{what}: {v}")).collect();
            t += &format!(
                "| “{}” | {} | **{}** |\n",
                c.quote,
                evidence.join("<br>"),
                c.verdict.label()
            );
        }
        Ok(t)
    }
}
