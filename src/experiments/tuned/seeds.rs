//! The tuned recipe over several seeds: summaries and the paired comparison.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Outcome, Tuned, TunedConfig, TunedResults};
use crate::error::{Error, Result};
use crate::experiments::pipeline::Observer;
use crate::experiments::statistics::{PairedDifference, Summary};

/// Picks one model's outcome out of a seed's results.
type Pick = fn(&TunedResults) -> &Outcome;

/// Every seed's results of the tuned recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TunedSeeds {
    /// The seeds, in the order they ran.
    pub seeds: Vec<u64>,
    /// Each seed's results.
    pub runs: Vec<TunedResults>,
}

impl TunedSeeds {
    /// Runs the recipe for every seed, each through the cache in `cache_dir`.
    pub fn run(
        config: &TunedConfig,
        seeds: &[u64],
        cache_dir: &Path,
        observer: &mut Observer<'_>,
    ) -> Result<TunedSeeds> {
        if seeds.is_empty() {
            return Err(Error::param("seeds", 0, "must be at least 1 (5 give an interval)"));
        }
        let runs = seeds
            .iter()
            .map(|&s| Ok(Tuned::run_cached(&config.clone().seed(s), cache_dir, observer)?.results))
            .collect::<Result<_>>()?;
        Ok(TunedSeeds { seeds: seeds.to_vec(), runs })
    }

    /// One model's test score for every seed.
    pub fn test(&self, model: impl Fn(&TunedResults) -> &Outcome) -> Vec<f64> {
        self.runs.iter().map(|r| f64::from(model(r).test)).collect()
    }

    /// Mean ± sd of one model's test score over the seeds.
    pub fn summary(&self, model: impl Fn(&TunedResults) -> &Outcome) -> Result<Summary> {
        Summary::of(&self.test(model))
    }

    /// Fine-tuned minus raw-pixel test accuracy, paired by seed.
    pub fn finetuned_minus_raw(&self) -> Result<PairedDifference> {
        PairedDifference::of(&self.test(|r| &r.finetuned), &self.test(|r| &r.raw_mlp))
    }

    /// Every model's test score as a Markdown table of mean ± sd, with its validation score
    /// and training time.
    pub fn table(&self) -> Result<String> {
        let Some(first) = self.runs.first() else { return Ok(String::new()) };
        let c = &first.config;
        let widths = |w: &[usize]| w.iter().map(usize::to_string).collect::<Vec<_>>().join("-");
        let (code, classes) = (c.autoencoder.latent, c.raw_mlp.classes);
        let ae = [&[c.autoencoder.inputs][..], &c.autoencoder.hidden, &[code]].concat();
        let rows: [(String, Pick, bool); 4] = [
            (
                format!(
                    "MLP on pixels, {}",
                    widths(&[&[c.autoencoder.inputs][..], &c.raw_mlp.hidden, &[classes]].concat())
                ),
                |r| &r.raw_mlp,
                true,
            ),
            (format!("autoencoder {} (MSE)", widths(&ae)), |r| &r.autoencoder, false),
            (
                format!(
                    "MLP on its codes, {}",
                    widths(&[&[code][..], &c.codes_mlp.hidden, &[classes]].concat())
                ),
                |r| &r.codes_mlp,
                true,
            ),
            ("encoder + MLP, fine-tuned".to_string(), |r| &r.finetuned, true),
        ];
        let mut t = format!(
            "| model ({} seeds) | test | validation | seconds |\n|---|---|---|---|\n",
            self.runs.len()
        );
        for (name, model, is_accuracy) in rows {
            let test = self.summary(model)?;
            let valid = Summary::of(
                &self.runs.iter().map(|r| f64::from(model(r).validation)).collect::<Vec<_>>(),
            )?;
            let secs =
                Summary::of(&self.runs.iter().map(|r| model(r).seconds).collect::<Vec<_>>())?;
            let (test, valid) = if is_accuracy {
                (test.percent(), valid.percent())
            } else {
                (format!("{:.5} ± {:.5}", test.mean, test.sd), format!("{:.5}", valid.mean))
            };
            t += &format!("| {name} | {test} | {valid} | {:.0} |\n", secs.mean);
        }
        Ok(t)
    }
}
