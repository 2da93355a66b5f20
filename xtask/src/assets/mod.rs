//! The book's generated numbers and figures: nothing in the book is typed by hand.
//!
//! `cargo book assets` runs the (cached) study, family comparison and claims, and writes
//! - `book/src/figures/<name>.{png,svg}`: every figure a chapter shows;
//! - `book/src/generated/numbers.json`: every number and table a chapter shows, by topic
//!   (see [`crate::numbers`]), except the benchmarks' `perf` topic, which `benches/` writes.
//!
//! Chapter 11's (`candle`) are written only by tools built with `--features candle`, by
//! [`write_candle`] (`-- candle`) or along with the rest.

#[cfg(feature = "candle")]
mod candle;
mod claims;
mod family;
mod label_curve;
mod tuned;

use std::path::{Path, PathBuf};

use ae_mlp::data::Mnist;
use ae_mlp::experiments::fashion::{fashion_class, fashion_figures};
use ae_mlp::experiments::statistics::Summary;
use ae_mlp::experiments::study::{seed_list, Study, StudyConfig};
use ae_mlp::models::mlp::MlpParams;
use ae_mlp::nn::Activation;
use ae_mlp::output::cache::default_cache_dir;
use ae_mlp::output::plot;
use ae_mlp::output::report::percent;
use ae_mlp::train::TrainParams;
use anyhow::Result;
use serde_json::Value;

use crate::numbers::{self, f32_value};

/// Writes every generated number and figure under `root/book/src`; returns the files written.
pub fn write_all(root: &Path) -> Result<Vec<PathBuf>> {
    let src = root.join("book").join("src");
    let figures = src.join("figures");
    let mut written = Vec::new();
    let mut n = Value::Object(Default::default());
    let mut put = |key: &str, value: Value| numbers::set(&mut n, key, trimmed(value));

    // Chapter 5: the data.
    let data = Mnist::load_bundled()?;
    put("data.mnist.n_train", data.train.len().into());
    put("data.mnist.n_test", data.test.len().into());
    let counts =
        |c: Vec<usize>| c.iter().take(10).map(|n| n.to_string()).collect::<Vec<_>>().join(" | ");
    put(
        "data.mnist.class_counts_table",
        format!(
            "| digit | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |\n|---|---|---|---|---|---|---|---|---|---|---|\n| training | {} |\n| test | {} |",
            counts(data.train.class_counts()),
            counts(data.test.class_counts())
        )
        .into(),
    );
    let first = data.train.x.slice(ndarray::s![..20, ..]).to_owned();
    let first_digits = plot::image_grid("first_digits", "The first 20 training images", &first, 10);
    let data = data.with_validation(ae_mlp::data::VALIDATION_IMAGES)?;
    put("data.mnist.n_train_after_split", data.train.len().into());
    put("data.mnist.n_validation", data.validation.len().into());

    // Chapter 3: the raw-pixel MLP for 5 epochs, with and without its hidden non-linearity
    // (the runs of the chapter's `relu_vs_identity` cell).
    for (tag, activation) in [("relu", Activation::Relu), ("identity", Activation::Identity)] {
        let params = MlpParams { activation, ..MlpParams::raw_pixels() }
            .train(TrainParams::default().epochs(5));
        let valid = Some((data.validation.x.view(), data.validation.y.view()));
        let (_, history) = params.fit(
            data.train.x.view(),
            data.train.y.view(),
            valid,
            &mut ae_mlp::train::silent,
        )?;
        if let Some(last) = history.epochs.last() {
            let accuracy = |a: Option<f32>| f32_value(a.unwrap_or(f32::NAN));
            put(&format!("mlp_5_epochs.{tag}.val_accuracy"), accuracy(last.val_accuracy));
            put(&format!("mlp_5_epochs.{tag}.train_accuracy"), accuracy(last.train_accuracy));
        }
    }
    drop(data);

    // Chapter 6: the study.
    let study = Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut |_, _| {})?;
    study_numbers(&mut put, "study", &study);
    put("study.autoencoder.train_mse", f32_value(study.results.autoencoder.train_mse));
    put("study.autoencoder.history_table", study.history_table().into());
    let r = &study.results;
    for (net, params, seconds) in [
        ("autoencoder", r.autoencoder.parameters, r.autoencoder.seconds_per_epoch),
        ("codes_mlp", r.codes_mlp.parameters, r.codes_mlp.seconds_per_epoch),
    ]
    .into_iter()
    .chain(r.raw_mlp.as_ref().map(|raw| ("raw_mlp", raw.parameters, raw.seconds_per_epoch)))
    {
        put(&format!("study.{net}.parameters"), params.into());
        put(&format!("study.{net}.seconds_per_epoch"), seconds.into());
    }
    seeds_numbers(&mut put)?;
    let top = r.codes_mlp.confusion.top_confusions(3);
    put(
        "study.codes_mlp.top_confusions",
        top.iter()
            .map(|(t, p, n)| format!("{t} read as {p} ({n} times)"))
            .collect::<Vec<_>>()
            .join(", ")
            .into(),
    );

    // Chapter 6b: the same study on Fashion-MNIST.
    let fashion_config = StudyConfig {
        data_dir: Some(ae_mlp::data::bundled_fashion_dir()),
        ..StudyConfig::default()
    };
    let fashion = Study::run_cached(&fashion_config, &default_cache_dir(), &mut |_, _| {})?;
    study_numbers(&mut put, "fashion", &fashion);
    let f = &fashion.results;
    put("fashion.n_test", f.n_test.into());
    let fashion_top = f.codes_mlp.confusion.top_confusions(3);
    put(
        "fashion.codes_mlp.top_confusions",
        fashion_top
            .iter()
            .map(|&(t, p, n)| {
                format!("{} read as {} ({n} times)", fashion_class(t), fashion_class(p))
            })
            .collect::<Vec<_>>()
            .join(", ")
            .into(),
    );
    let codes_recall = f.codes_mlp.confusion.recall();
    let raw_recall = f.raw_mlp.as_ref().map(|raw| raw.confusion.recall());
    let mut recall_table =
        String::from("| class | codes → MLP recall | pixels → MLP recall |\n|---|---|---|\n");
    for (label, &recall) in codes_recall.iter().enumerate() {
        let raw = raw_recall
            .as_ref()
            .and_then(|r| r.get(label))
            .map_or_else(|| "–".to_string(), |&r| percent(r));
        recall_table += &format!("| {} | {} | {raw} |\n", fashion_class(label), percent(recall));
    }
    put("fashion.recall_table", recall_table.into());
    let fashion_figs = fashion_figures(&fashion)?;
    drop(fashion);

    // Chapter 2: what the trained autoencoder does (the same computations as its cells).
    let (train_x, test_x) = (&study.data.train.x, &study.data.test.x);
    let near_binary =
        train_x.iter().filter(|&&v| v <= 0.1 || v >= 0.9).count() as f32 / train_x.len() as f32;
    put("data.mnist.pixels_near_binary", f32_value(near_binary));
    if let Some(mean_image) = train_x.mean_axis(ndarray::Axis(0)) {
        if let Some(mean_images) = mean_image.broadcast(test_x.dim()) {
            let mean_mse = ae_mlp::nn::loss::mse(mean_images, test_x.view(), None);
            put("study.mean_image.test_mse", f32_value(mean_mse));
            put(
                "study.mean_image.mse_over_autoencoder",
                f32_value(mean_mse / r.autoencoder.test_mse),
            );
        }
    }
    let codes = study.autoencoder.encode(test_x)?;
    let zero_fraction =
        codes.iter().filter(|&&v| v == 0.0).count() as f32 / codes.len().max(1) as f32;
    put("study.codes.zero_fraction", f32_value(zero_fraction));
    let never_active =
        (0..codes.ncols()).filter(|&j| codes.column(j).iter().all(|&v| v == 0.0)).count();
    put("study.codes.dead_units", never_active.into());
    let originals = test_x.slice(ndarray::s![..10, ..]).to_owned();
    let noisy =
        ae_mlp::data::Noise::Gaussian { std_dev: 0.3 }.corrupt_seeded(originals.view(), 7)?;
    let cleaned = study.autoencoder.reconstruct(&noisy)?;
    put(
        "study.noisy.input_mse",
        f32_value(ae_mlp::nn::loss::mse(noisy.view(), originals.view(), None)),
    );
    put(
        "study.noisy.reconstruction_mse",
        f32_value(ae_mlp::nn::loss::mse(cleaned.view(), originals.view(), None)),
    );
    let noisy_figure = plot::image_rows(
        "noisy_reconstructions",
        "Noisy test digits (top) and what the vanilla autoencoder makes of them (bottom)",
        &[("noisy".to_string(), noisy), ("reconstruction".to_string(), cleaned)],
    );

    let mut figs = study.figures()?;
    figs.push(first_digits);
    figs.push(noisy_figure);
    for act in [Activation::Relu, Activation::Sigmoid, Activation::Tanh, Activation::Softmax] {
        figs.push(plot::activation_curve(act));
    }
    figs.extend(fashion_figs);
    for fig in figs {
        written.extend(fig.save(&figures)?);
    }
    // Chapter 7: the autoencoder family; chapter 8: the claims checked against classical
    // baselines (both cached measurements).
    written.extend(family::write(&mut put, &figures)?);
    claims::numbers(&mut put, &study)?;
    // Chapter 9: the same networks trained well.
    written.extend(tuned::write(&mut put, &figures)?);
    // Chapter 10: accuracy against the number of labels.
    written.extend(label_curve::write(&mut put, &figures)?);
    // Chapter 11: the same autoencoder in candle (only with the tools' `candle` feature).
    #[cfg(feature = "candle")]
    written.extend(candle::write(&mut put, &figures)?);

    // One write of the whole file: the topics measured here replace their old values, the
    // benchmarks' `perf` topic stays as it was.
    let path = numbers::numbers_path(&src);
    let topics = n.as_object().cloned().unwrap_or_default();
    numbers::update(&path, topics)?;
    written.push(path);
    Ok(written)
}

/// A value as the numbers file keeps it: tables end without a line break, so that an inline
/// placeholder leaves none behind.
fn trimmed(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(text.trim_end().to_string()),
        other => other,
    }
}

/// Writes chapter 11's figure and numbers only (the `candle` topic; the rest of the numbers
/// file stays as it is): a minute or two instead of every model of the book.
pub fn write_candle(root: &Path) -> Result<Vec<PathBuf>> {
    #[cfg(feature = "candle")]
    {
        let src = root.join("book").join("src");
        let mut n = Value::Object(Default::default());
        let mut put = |key: &str, value: Value| numbers::set(&mut n, key, trimmed(value));
        let mut written = candle::write(&mut put, &src.join("figures"))?;
        let path = numbers::numbers_path(&src);
        numbers::update(&path, n.as_object().cloned().unwrap_or_default())?;
        written.push(path);
        Ok(written)
    }
    #[cfg(not(feature = "candle"))]
    {
        anyhow::bail!(
            "chapter 11's assets need candle, which these tools were built without ({}); run \
             `cargo run --release -p ae-mlp-book --features candle -- candle`",
            root.display()
        )
    }
}

/// Chapter 6: the study over five seeds, and the study watched on the test set as the
/// original did (the runs of the chapter's `seeds` and `test_as_validation` cells).
fn seeds_numbers(put: &mut impl FnMut(&str, Value)) -> Result<()> {
    let seeds = seed_list(42, 5)?;
    let (_, over) = Study::over_seeds(
        &StudyConfig::default(),
        &seeds,
        Some(&default_cache_dir()),
        &mut |_, _| {},
    )?;
    put("study.seeds.n", over.seeds.len().into());
    put("study.seeds.table", over.table().into());
    let mut summary = |name: &str, s: &Summary| {
        put(&format!("study.seeds.{name}.mean"), s.mean.into());
        put(&format!("study.seeds.{name}.sd"), s.sd.into());
    };
    summary("autoencoder_test_mse", &over.autoencoder_test_mse);
    summary("codes_accuracy", &over.codes_accuracy);
    if let Some(raw) = &over.raw_accuracy {
        summary("raw_accuracy", raw);
    }
    if let Some(d) = &over.raw_minus_codes {
        put("study.seeds.raw_minus_codes.mean", d.mean.into());
        put("study.seeds.raw_minus_codes.low", d.low.into());
        put("study.seeds.raw_minus_codes.high", d.high.into());
        put("study.seeds.raw_minus_codes.sd", d.sd.into());
    }
    let mse = over.against(|m| m.autoencoder_test_mse, 0.0117)?;
    put("study.seeds.mse_vs_original.mean", mse.mean.into());
    put("study.seeds.mse_vs_original.low", mse.low.into());
    put("study.seeds.mse_vs_original.high", mse.high.into());
    let codes = over.against(|m| m.codes_accuracy, 0.9634)?;
    put("study.seeds.codes_vs_original.low", codes.low.into());
    put("study.seeds.codes_vs_original.high", codes.high.into());
    let original_way = StudyConfig { validation: 0, ..StudyConfig::default() };
    let watched_test = Study::run_cached(&original_way, &default_cache_dir(), &mut |_, _| {})?;
    if let Some(raw) = &watched_test.results.raw_mlp {
        let curve = raw.history.val_accuracy();
        let (best_epoch, best) =
            curve
                .iter()
                .enumerate()
                .fold((0, 0.0), |b, (i, &a)| if a > b.1 { (i + 1, a) } else { b });
        put("study.test_as_validation.raw_mlp.last", f32_value(raw.test_accuracy));
        put("study.test_as_validation.raw_mlp.best", f32_value(best));
        put("study.test_as_validation.raw_mlp.best_epoch", best_epoch.into());
        put("study.test_as_validation.raw_mlp.optimism", f32_value(best - raw.test_accuracy));
    }
    Ok(())
}

/// The numbers that the MNIST and the Fashion-MNIST study both report, under `topic`.
fn study_numbers(put: &mut impl FnMut(&str, Value), topic: &str, study: &Study) {
    let r = &study.results;
    put(&format!("{topic}.autoencoder.test_mse"), f32_value(r.autoencoder.test_mse));
    put(&format!("{topic}.codes_mlp.test_accuracy"), f32_value(r.codes_mlp.test_accuracy));
    put(&format!("{topic}.codes_mlp.train_accuracy"), f32_value(r.codes_mlp.train_accuracy));
    if let Some(raw) = &r.raw_mlp {
        put(&format!("{topic}.raw_mlp.test_accuracy"), f32_value(raw.test_accuracy));
        put(&format!("{topic}.raw_mlp.train_accuracy"), f32_value(raw.train_accuracy));
        put(
            &format!("{topic}.raw_minus_codes"),
            f32_value(raw.test_accuracy - r.codes_mlp.test_accuracy),
        );
    }
    put(&format!("{topic}.total_seconds"), r.total_seconds.into());
    put(&format!("{topic}.n_train"), r.n_train.into());
    put(&format!("{topic}.n_validation"), r.n_validation.into());
    put(&format!("{topic}.results_table"), study.results_table().into());
}
