//! The study over several seeds: every seed's headline numbers, their mean ± standard
//! deviation, and the paired comparison of raw pixels against codes that the verdict rests on.
//!
//! One seed is one draw: the raw-pixel MLP's accuracy moves by a few tenths of a point from
//! one seed to the next, as much as it differs from the codes MLP's. So the verdict "raw
//! pixels beat the codes" is read from the paired differences over the seeds, by the rule of
//! [`crate::experiments::statistics`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Study, StudyConfig};
use crate::error::{Error, Result};
use crate::experiments::pipeline::Observer;
use crate::experiments::statistics::{Comparison, PairedDifference, Summary};
use crate::output::report::percent;

/// The headline numbers of one seed's study.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeedMetrics {
    /// The seed of every random choice of this run.
    pub seed: u64,
    /// The autoencoder's reconstruction MSE on the test images.
    pub autoencoder_test_mse: f32,
    /// Codes → MLP: test accuracy.
    pub codes_accuracy: f32,
    /// Pixels → MLP: test accuracy (when it ran).
    pub raw_accuracy: Option<f32>,
    /// Codes → MLP: accuracy on its own training images.
    pub codes_train_accuracy: f32,
    /// Pixels → MLP: accuracy on its own training images (when it ran).
    pub raw_train_accuracy: Option<f32>,
}

/// The study's numbers over several seeds: what `--seeds N` adds to `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverSeeds {
    /// Every seed's numbers, in the order they ran.
    pub seeds: Vec<SeedMetrics>,
    /// The autoencoder's test MSE over the seeds.
    pub autoencoder_test_mse: Summary,
    /// Codes → MLP test accuracy over the seeds.
    pub codes_accuracy: Summary,
    /// Pixels → MLP test accuracy over the seeds (when it ran).
    pub raw_accuracy: Option<Summary>,
    /// Pixels minus codes, paired by seed, with its 95 % interval (from 2 seeds on).
    pub raw_minus_codes: Option<PairedDifference>,
}

impl OverSeeds {
    /// Summarises the seeds' numbers; fails on an empty list.
    pub fn of(seeds: Vec<SeedMetrics>) -> Result<OverSeeds> {
        let values = |f: fn(&SeedMetrics) -> f32| {
            seeds.iter().map(|m| f64::from(f(m))).collect::<Vec<f64>>()
        };
        let raw: Option<Vec<f64>> = seeds.iter().map(|m| m.raw_accuracy.map(f64::from)).collect();
        let codes = values(|m| m.codes_accuracy);
        let raw_minus_codes = match &raw {
            Some(raw) if raw.len() >= 2 => Some(PairedDifference::of(raw, &codes)?),
            _ => None,
        };
        Ok(OverSeeds {
            autoencoder_test_mse: Summary::of(&values(|m| m.autoencoder_test_mse))?,
            codes_accuracy: Summary::of(&codes)?,
            raw_accuracy: raw.as_deref().map(Summary::of).transpose()?,
            raw_minus_codes,
            seeds,
        })
    }

    /// One of the seeds' numbers against a published `reference` value: the per-seed
    /// differences from it, with their interval (a one-sample t interval). Needs 2 seeds.
    pub fn against(
        &self,
        value: fn(&SeedMetrics) -> f32,
        reference: f64,
    ) -> Result<PairedDifference> {
        let values: Vec<f64> = self.seeds.iter().map(|m| f64::from(value(m))).collect();
        PairedDifference::of(&values, &vec![reference; values.len()])
    }

    /// The verdict on "raw pixels beat the codes": `AHigher` means the pixels win.
    pub fn raw_against_codes(&self) -> Option<Comparison> {
        self.raw_minus_codes.map(|d| d.comparison())
    }

    /// Every seed's numbers and their mean ± standard deviation as a Markdown table, and the
    /// paired difference with its verdict on the line below it.
    pub fn table(&self) -> String {
        let seeds: Vec<String> = self.seeds.iter().map(|m| format!("seed {}", m.seed)).collect();
        let mut t = format!(
            "| model | {} | mean ± sd |\n|---|{}---|\n",
            seeds.join(" | "),
            "---|".repeat(seeds.len())
        );
        let row = |name: &str, values: Vec<String>, summary: String| {
            format!("| {name} | {} | {summary} |\n", values.join(" | "))
        };
        let s = &self.autoencoder_test_mse;
        let mse = self.seeds.iter().map(|m| format!("{:.5}", m.autoencoder_test_mse)).collect();
        t += &row("autoencoder, test MSE", mse, format!("{:.5} ± {:.5}", s.mean, s.sd));
        let codes = self.seeds.iter().map(|m| percent(m.codes_accuracy)).collect();
        t += &row("codes → MLP, test accuracy", codes, self.codes_accuracy.percent());
        if let Some(raw) = &self.raw_accuracy {
            let values =
                self.seeds.iter().map(|m| m.raw_accuracy.map_or("–".into(), percent)).collect();
            t += &row("pixels → MLP, test accuracy", values, raw.percent());
        }
        if let Some(d) = &self.raw_minus_codes {
            t += &format!(
                "\npixels − codes, paired by seed: {}: {}.\n",
                d.points(),
                d.verdict("pixels → MLP", "codes → MLP")
            );
        }
        t
    }
}

impl SeedMetrics {
    /// The headline numbers of a finished study.
    pub fn of(study: &Study) -> SeedMetrics {
        let r = &study.results;
        SeedMetrics {
            seed: r.config.autoencoder.train.seed,
            autoencoder_test_mse: r.autoencoder.test_mse,
            codes_accuracy: r.codes_mlp.test_accuracy,
            raw_accuracy: r.raw_mlp.as_ref().map(|c| c.test_accuracy),
            codes_train_accuracy: r.codes_mlp.train_accuracy,
            raw_train_accuracy: r.raw_mlp.as_ref().map(|c| c.train_accuracy),
        }
    }
}

/// The seeds a run of `n` seeds from `first` uses: `first, first + 1, …`.
pub fn seed_list(first: u64, n: usize) -> Result<Vec<u64>> {
    if n == 0 {
        return Err(Error::param(
            "seeds",
            n,
            "must be at least 1 (5 give a verdict with an interval)",
        ));
    }
    Ok((0..n as u64).map(|i| first.wrapping_add(i)).collect())
}

impl Study {
    /// Runs the study once per seed of `seeds` (see [`StudyConfig::seed`]), each through the
    /// cache in `cache_dir` when one is given, and summarises them. Returns the first seed's
    /// study (for its figures and models) and the summary; each other seed's study is
    /// dropped once its numbers are read, so memory stays that of one study.
    pub fn over_seeds(
        config: &StudyConfig,
        seeds: &[u64],
        cache_dir: Option<&Path>,
        observer: &mut Observer<'_>,
    ) -> Result<(Study, OverSeeds)> {
        let Some((&first, rest)) = seeds.split_first() else {
            return Err(Error::param(
                "seeds",
                0,
                "must be at least 1 (5 give a verdict with an interval)",
            ));
        };
        let mut run = |seed: u64| {
            let config = config.clone().seed(seed);
            match cache_dir {
                Some(dir) => Study::run_cached(&config, dir, observer),
                None => Study::run(&config, observer),
            }
        };
        let study = run(first)?;
        let mut metrics = vec![SeedMetrics::of(&study)];
        for &seed in rest {
            metrics.push(SeedMetrics::of(&run(seed)?));
        }
        Ok((study, OverSeeds::of(metrics)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(seed: u64, codes: f32, raw: f32) -> SeedMetrics {
        SeedMetrics {
            seed,
            autoencoder_test_mse: 0.01,
            codes_accuracy: codes,
            raw_accuracy: Some(raw),
            codes_train_accuracy: 0.99,
            raw_train_accuracy: Some(0.999),
        }
    }

    #[test]
    fn the_verdict_follows_the_paired_interval() {
        let clear = OverSeeds::of(vec![
            metrics(1, 0.970, 0.978),
            metrics(2, 0.972, 0.979),
            metrics(3, 0.969, 0.977),
        ]);
        assert_eq!(clear.unwrap().raw_against_codes(), Some(Comparison::AHigher));
        let noise = OverSeeds::of(vec![
            metrics(1, 0.975, 0.978),
            metrics(2, 0.976, 0.973),
            metrics(3, 0.974, 0.975),
        ]);
        assert_eq!(noise.unwrap().raw_against_codes(), Some(Comparison::NoMeasurableDifference));
        let one = OverSeeds::of(vec![metrics(1, 0.97, 0.98)]).unwrap();
        assert_eq!((one.raw_against_codes(), one.codes_accuracy.n), (None, 1));
        assert!(OverSeeds::of(vec![]).is_err());
    }

    #[test]
    fn seed_lists_count_up_from_the_first() {
        assert_eq!(seed_list(42, 3).unwrap(), vec![42, 43, 44]);
        assert!(seed_list(42, 0).is_err());
    }
}
