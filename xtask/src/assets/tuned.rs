//! Chapter 9's generated numbers and figure ("Training well"), under the topic `tuned`: the
//! same cached runs the chapter's `tuned` cell trains and its test asserts.

use std::path::{Path, PathBuf};

use ae_mlp::data::{Mnist, VALIDATION_IMAGES};
use ae_mlp::experiments::statistics::{PairedDifference, Summary};
use ae_mlp::experiments::study::{seed_list, Study, StudyConfig};
use ae_mlp::experiments::tuned::{pca_test_mse, TunedConfig, TunedSeeds};
use ae_mlp::output::cache::default_cache_dir;
use ae_mlp::output::plot::{self, Series};
use anyhow::Result;
use serde_json::{json, Value};

/// The seeds of the tuned runs: the study's five, so each tuned run pairs with the study's
/// run of the same seed.
pub const SEEDS: [u64; 5] = [42, 43, 44, 45, 46];

/// Puts the `tuned.*` numbers and writes the chapter's figure; returns the files written.
pub fn write(put: &mut impl FnMut(&str, Value), figures: &Path) -> Result<Vec<PathBuf>> {
    let cache = default_cache_dir();
    let tuned = TunedSeeds::run(&TunedConfig::default(), &SEEDS, &cache, &mut |_, _| {})?;
    let summary = |s: Summary| json!({ "mean": s.mean, "sd": s.sd, "n": s.n });
    let difference = |d: PairedDifference| json!({ "mean": d.mean, "sd": d.sd, "n": d.n, "low": d.low, "high": d.high });
    put("tuned.table", tuned.table()?.into());
    put("tuned.recipe_table", recipe_table(&TunedConfig::default()).into());
    put("tuned.raw_mlp.test_accuracy", summary(tuned.summary(|r| &r.raw_mlp)?));
    put("tuned.codes_mlp.test_accuracy", summary(tuned.summary(|r| &r.codes_mlp)?));
    put("tuned.finetuned.test_accuracy", summary(tuned.summary(|r| &r.finetuned)?));
    put("tuned.autoencoder.test_mse", summary(tuned.summary(|r| &r.autoencoder)?));
    let d = tuned.finetuned_minus_raw()?;
    put("tuned.finetuned_minus_raw", difference(d));
    put("tuned.finetuned_minus_raw.verdict", d.verdict("fine-tuned", "pixels MLP").into());
    let data = Mnist::load_bundled()?.with_validation(VALIDATION_IMAGES)?;
    put("tuned.pca32.test_mse", pca_test_mse(&data, 32)?.into());
    drop(data);

    // Against the original recipe, seed by seed (the study's runs of the same seeds).
    let (_, study) = Study::over_seeds(
        &StudyConfig::default(),
        &seed_list(SEEDS[0], SEEDS.len())?,
        Some(&cache),
        &mut |_, _| {},
    )?;
    let original = |f: fn(&ae_mlp::experiments::study::SeedMetrics) -> Option<f32>| {
        study.seeds.iter().map(|m| f(m).map(f64::from).unwrap_or(f64::NAN)).collect::<Vec<_>>()
    };
    let raw_gain =
        PairedDifference::of(&tuned.test(|r| &r.raw_mlp), &original(|m| m.raw_accuracy))?;
    put("tuned.raw_minus_original", difference(raw_gain));
    let mse_gain = PairedDifference::of(
        &original(|m| Some(m.autoencoder_test_mse)),
        &tuned.test(|r| &r.autoencoder),
    )?;
    put("tuned.original_minus_tuned_mse", difference(mse_gain));

    // One seed's curves, original recipe against tuned, for the raw-pixel MLP.
    let first = &tuned.runs[0];
    let study42 = Study::run_cached(&StudyConfig::default(), &cache, &mut |_, _| {})?;
    let mut series = Vec::new();
    if let Some(raw) = &study42.results.raw_mlp {
        series.push(Series::per_epoch("original: training", &raw.history.train_accuracy()));
        series.push(Series::per_epoch("original: validation", &raw.history.val_accuracy()));
    }
    let h = &first.raw_mlp.history;
    series.push(Series::per_epoch("tuned: training (dropout on)", &h.train_accuracy()));
    series.push(Series::per_epoch("tuned: validation", &h.val_accuracy()));
    let figure = plot::line_chart(
        "tuned_curves",
        "Pixels MLP, seed 42: original recipe and tuned",
        "epoch",
        "accuracy",
        &series,
    );
    put("tuned.raw_mlp.kept_epoch", first.raw_mlp.kept_epoch.into());
    Ok(figure.save(figures)?)
}

/// The recipe's settings as a Markdown table, from the config itself.
fn recipe_table(c: &TunedConfig) -> String {
    use ae_mlp::nn::OptimizerConfig;
    use ae_mlp::train::TrainParams;
    let row = |name: &str, train: &TrainParams, dropout: String| {
        let (rate, decay) = match train.optimizer {
            OptimizerConfig::Adam { learning_rate, weight_decay, .. } => {
                (learning_rate, weight_decay)
            }
            OptimizerConfig::Sgd { learning_rate, .. } => (learning_rate, 0.0),
        };
        format!("| {name} | {} | {rate:e} | {decay} | {dropout} |\n", train.epochs)
    };
    let pct = |p: f32| format!("{:.0} %", 100.0 * p);
    let mut t = String::from(
        "| network | epochs | peak rate | weight decay λ | dropout (input / hidden) |\n|---|---|---|---|---|\n",
    );
    t += &row(
        "pixels MLP",
        &c.raw_mlp.train,
        format!("{} / {}", pct(c.raw_mlp.input_dropout), pct(c.raw_mlp.dropout)),
    );
    t += &row("autoencoder", &c.autoencoder.train, "none".into());
    t += &row(
        "codes MLP",
        &c.codes_mlp.train,
        format!("{} / {}", pct(c.codes_mlp.input_dropout), pct(c.codes_mlp.dropout)),
    );
    let finetune = c.finetune.train.clone().epochs(c.finetune.epochs());
    let rate = c.finetune.stages.first().map_or(0.0, |s| s.1);
    t += &row(
        "fine-tuning",
        &finetune.learning_rate(rate),
        format!("{} / {}", pct(c.finetune.input_dropout), pct(c.finetune.dropout)),
    );
    t
}
