//! The label curve over several seeds: each point's methods as mean ± sd, the best method of
//! each point chosen on the validation split, and paired comparisons.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{run_cached, LabelCurveConfig, LabelCurveResults, Score};
use crate::error::{Error, Result};
use crate::experiments::claims::format_count;
use crate::experiments::pipeline::Observer;
use crate::experiments::statistics::{PairedDifference, Summary};

/// A classifier of the label curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// The pixels MLP trained on the labelled images alone.
    Pixels,
    /// The codes MLP trained on the labelled images alone.
    Codes,
    /// The codes MLP trained on the labels spread over the codes' graph.
    SpreadCodes,
    /// The pixels MLP trained on the labels spread over the codes' graph.
    SelfTrained,
    /// Encoder + MLP fine-tuned end to end (every label known).
    FineTuned,
}

impl Method {
    /// The method's name in tables, figures and `numbers.json`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Pixels => "pixels → MLP",
            Method::Codes => "codes → MLP",
            Method::SpreadCodes => "spreading over codes → codes MLP",
            Method::SelfTrained => "spreading over codes → pixels MLP (self-training)",
            Method::FineTuned => "encoder + MLP fine-tuned",
        }
    }
}

/// The methods measured with a few labels, in table order.
pub const FEW_LABEL_METHODS: [Method; 4] =
    [Method::Pixels, Method::Codes, Method::SpreadCodes, Method::SelfTrained];

/// The methods measured with every label, in table order.
pub const ALL_LABEL_METHODS: [Method; 3] = [Method::Pixels, Method::Codes, Method::FineTuned];

/// Every seed's label curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelCurveSeeds {
    /// The seeds, in the order they ran.
    pub seeds: Vec<u64>,
    /// Each seed's results.
    pub runs: Vec<LabelCurveResults>,
}

impl LabelCurveSeeds {
    /// Runs the curve for every seed, each (and its tuned run) through the cache in `cache_dir`.
    pub fn run(
        config: &LabelCurveConfig,
        seeds: &[u64],
        cache_dir: &Path,
        observer: &mut Observer<'_>,
    ) -> Result<LabelCurveSeeds> {
        if seeds.is_empty() {
            return Err(Error::param("seeds", 0, "must be at least 1 (5 give an interval)"));
        }
        let runs = seeds
            .iter()
            .map(|&s| run_cached(&config.clone().seed(s), cache_dir, observer))
            .collect::<Result<_>>()?;
        Ok(LabelCurveSeeds { seeds: seeds.to_vec(), runs })
    }

    /// Labelled images at each point of the curve: every budget, then all the labels.
    pub fn points(&self) -> Vec<usize> {
        let Some(first) = self.runs.first() else { return Vec::new() };
        let mut points: Vec<usize> = first.budgets.iter().map(|b| b.labels()).collect();
        points.push(first.all.labels);
        points
    }

    /// The methods measured at the point with `labels` labelled images.
    pub fn methods(&self, labels: usize) -> &'static [Method] {
        if self.is_all(labels) {
            &ALL_LABEL_METHODS
        } else {
            &FEW_LABEL_METHODS
        }
    }

    fn is_all(&self, labels: usize) -> bool {
        self.runs.first().is_some_and(|r| r.all.labels == labels)
    }

    /// One method's score at one point, for every seed.
    fn scores(&self, labels: usize, method: Method) -> Result<Vec<Score>> {
        self.runs
            .iter()
            .map(|r| {
                let missing = || {
                    Error::param(
                        "labels",
                        labels,
                        format!("has no {} score on the label curve", method.name()),
                    )
                };
                if r.all.labels == labels {
                    return match method {
                        Method::Pixels => Ok(r.all.pixels),
                        Method::Codes => Ok(r.all.codes),
                        Method::FineTuned => Ok(r.all.finetuned),
                        _ => Err(missing()),
                    };
                }
                let b = r.budgets.iter().find(|b| b.labels() == labels).ok_or_else(missing)?;
                match method {
                    Method::Pixels => Ok(b.pixels),
                    Method::Codes => Ok(b.codes),
                    Method::SpreadCodes => Ok(b.spread_codes),
                    Method::SelfTrained => Ok(b.self_trained),
                    Method::FineTuned => Err(missing()),
                }
            })
            .collect()
    }

    /// One method's test accuracy at one point, for every seed.
    pub fn test(&self, labels: usize, method: Method) -> Result<Vec<f64>> {
        Ok(self.scores(labels, method)?.iter().map(|s| f64::from(s.test)).collect())
    }

    /// Mean ± sd of one method's test accuracy at one point.
    pub fn summary(&self, labels: usize, method: Method) -> Result<Summary> {
        Summary::of(&self.test(labels, method)?)
    }

    /// The method with the highest mean *validation* accuracy at one point (the test set
    /// plays no part in the choice).
    pub fn best(&self, labels: usize) -> Result<Method> {
        self.best_of(labels, self.methods(labels))
    }

    /// Among `candidates` measured at one point, the one with the highest mean validation
    /// accuracy (those not measured there are skipped).
    pub fn best_of(&self, labels: usize, candidates: &[Method]) -> Result<Method> {
        let mut best = None;
        for &m in candidates.iter().filter(|m| self.methods(labels).contains(m)) {
            let v = self.scores(labels, m)?;
            let mean = v.iter().map(|s| f64::from(s.validation)).sum::<f64>() / v.len() as f64;
            if best.is_none_or(|(_, b)| mean > b) {
                best = Some((m, mean));
            }
        }
        best.map(|(m, _)| m)
            .ok_or_else(|| Error::param("labels", labels, "has none of these methods measured"))
    }

    /// Test accuracy of method `a` minus method `b` at one point, paired by seed.
    pub fn difference(&self, labels: usize, a: Method, b: Method) -> Result<PairedDifference> {
        PairedDifference::of(&self.test(labels, a)?, &self.test(labels, b)?)
    }

    /// Mean fraction of the unlabelled training images that spreading labels right, over the
    /// codes' graph and over the pixels', at a budget of `labels`, with their paired difference
    /// (codes minus pixels).
    pub fn spread_right(&self, labels: usize) -> Result<(Summary, Summary, PairedDifference)> {
        let pick = |f: fn(&super::Budget) -> f32| -> Result<Vec<f64>> {
            self.runs
                .iter()
                .map(|r| {
                    r.budgets
                        .iter()
                        .find(|b| b.labels() == labels)
                        .map(|b| f64::from(f(b)))
                        .ok_or_else(|| {
                            Error::param("labels", labels, "is not a few-label budget of the curve")
                        })
                })
                .collect()
        };
        let codes = pick(|b| b.spread_right_codes)?;
        let pixels = pick(|b| b.spread_right_pixels)?;
        Ok((Summary::of(&codes)?, Summary::of(&pixels)?, PairedDifference::of(&codes, &pixels)?))
    }

    /// The curve as a Markdown table: test accuracy (mean ± sd over the seeds) of every method
    /// at every point, the best (chosen on validation) in bold.
    pub fn table(&self) -> Result<String> {
        let methods = [
            Method::Pixels,
            Method::Codes,
            Method::SpreadCodes,
            Method::SelfTrained,
            Method::FineTuned,
        ];
        let mut out = String::from("| labels |");
        for m in methods {
            out += &format!(" {} |", m.name());
        }
        out += "\n|---|";
        out += &"---|".repeat(methods.len());
        out += "\n";
        for labels in self.points() {
            let best = self.best(labels)?;
            out += &format!("| {} |", format_count(labels));
            for m in methods {
                if !self.methods(labels).contains(&m) {
                    out += " – |";
                    continue;
                }
                let s = self.summary(labels, m)?.percent();
                out += &if m == best { format!(" **{s}** |") } else { format!(" {s} |") };
            }
            out += "\n";
        }
        Ok(out)
    }
}
