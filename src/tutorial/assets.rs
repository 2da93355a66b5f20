//! The book's generated numbers and figures: nothing in the book is typed by hand.
//!
//! `cargo run --release --bin tutorial -- assets` runs the (cached) study and writes
//! - `book/src/figures/<name>.{png,svg}`: every figure a chapter shows;
//! - `book/src/generated/<name>.md`: one number or table each, which the chapters include
//!   inline with `{{#include generated/<name>.md}}`.

use std::path::{Path, PathBuf};

use crate::data::Mnist;
use crate::error::Result;
use crate::experiments::study::{Study, StudyConfig};
use crate::models::mlp::MlpParams;
use crate::nn::Activation;
use crate::output::cache::default_cache_dir;
use crate::output::plot::{self, Figure};
use crate::output::write_atomic;
use crate::train::TrainParams;

pub use crate::output::report::percent;

/// Fashion-MNIST's ten classes, by label (Xiao et al., 2017).
pub const FASHION_CLASSES: [&str; 10] =
    ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/// The Fashion-MNIST study's reconstructions and codes → MLP confusion matrix, with class
/// names: figures `fashion_reconstructions` and `fashion_confusion_matrix`.
pub fn fashion_figures(study: &Study) -> Result<Vec<Figure>> {
    let originals = study.data.test.x.slice(ndarray::s![..10, ..]).to_owned();
    let reconstructions = study.autoencoder.reconstruct(&originals)?;
    let recon = plot::image_rows(
        "fashion_reconstructions",
        "Fashion-MNIST test images (top) and their reconstructions from 32 numbers (bottom)",
        &[("original".to_string(), originals), ("reconstruction".to_string(), reconstructions)],
    );
    let codes = &study.results.codes_mlp;
    let labels: Vec<String> = FASHION_CLASSES.iter().map(|c| c.to_string()).collect();
    let confusion = plot::confusion_heatmap(
        "fashion_confusion_matrix",
        &format!("Fashion-MNIST, codes → MLP on the test set: accuracy {}", percent(codes.test_accuracy)),
        &codes.confusion.counts,
        &labels,
    )
    .with_size(960, 800); // wide enough for the class names under the columns
    Ok(vec![recon, confusion])
}

/// Fashion-MNIST's name for a class label (the label itself if out of range).
pub fn fashion_class(label: usize) -> String {
    FASHION_CLASSES.get(label).map_or_else(|| label.to_string(), |c| c.to_string())
}

/// Writes one generated number or table to `generated/<name>.md`, trailing whitespace trimmed
/// so that an inline `{{#include}}` leaves no line break behind; returns the file's path.
pub fn write_number(generated: &Path, name: &str, value: &str) -> Result<PathBuf> {
    let path = generated.join(format!("{name}.md"));
    write_atomic(&path, value.trim_end().as_bytes())?;
    Ok(path)
}

/// Writes every generated number and figure under `root/book/src`; returns the files written.
pub fn write_all(root: &Path) -> Result<Vec<PathBuf>> {
    let src = root.join("book").join("src");
    let (figures, generated) = (src.join("figures"), src.join("generated"));
    let mut written = Vec::new();
    let mut number = |name: &str, value: String| -> Result<()> {
        written.push(write_number(&generated, name, &value)?);
        Ok(())
    };

    // Chapter 5: the data.
    let data = Mnist::load_bundled()?;
    number("n_train", format!("{}", data.train.len()))?;
    number("n_test", format!("{}", data.test.len()))?;
    let counts = |c: Vec<usize>| c.iter().take(10).map(|n| n.to_string()).collect::<Vec<_>>().join(" | ");
    number(
        "class_counts_table",
        format!(
            "| digit | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |\n|---|---|---|---|---|---|---|---|---|---|---|\n| training | {} |\n| test | {} |",
            counts(data.train.class_counts()),
            counts(data.test.class_counts())
        ),
    )?;
    let first = data.train.x.slice(ndarray::s![..20, ..]).to_owned();
    let first_digits = plot::image_grid("first_digits", "The first 20 training images", &first, 10);

    // Chapter 3: the raw-pixel MLP for 5 epochs, with and without its hidden non-linearity
    // (the runs of the chapter's `relu_vs_identity` cell).
    for (tag, activation) in [("relu", Activation::Relu), ("identity", Activation::Identity)] {
        let params = MlpParams { activation, ..MlpParams::raw_pixels() }.train(TrainParams::default().epochs(5));
        let valid = Some((data.test.x.view(), data.test.y.view()));
        let (_, history) = params.fit(data.train.x.view(), data.train.y.view(), valid, &mut crate::train::silent)?;
        if let Some(last) = history.epochs.last() {
            number(&format!("raw5_{tag}_accuracy"), percent(last.val_accuracy.unwrap_or(f32::NAN)))?;
            number(&format!("raw5_{tag}_train_accuracy"), percent(last.train_accuracy.unwrap_or(f32::NAN)))?;
        }
    }
    drop(data);

    // Chapter 6: the study.
    let study = Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut |_, _| {})?;
    let r = &study.results;
    number("ae_test_mse", format!("{:.5}", r.autoencoder.test_mse))?;
    number("ae_train_mse", format!("{:.5}", r.autoencoder.train_mse))?;
    number("ae_parameters", r.autoencoder.parameters.to_string())?;
    number("ae_seconds_per_epoch", format!("{:.2} s", r.autoencoder.seconds_per_epoch))?;
    number("codes_accuracy", percent(r.codes_mlp.test_accuracy))?;
    number("codes_train_accuracy", percent(r.codes_mlp.train_accuracy))?;
    number("codes_seconds_per_epoch", format!("{:.2} s", r.codes_mlp.seconds_per_epoch))?;
    number("codes_parameters", r.codes_mlp.parameters.to_string())?;
    if let Some(raw) = &r.raw_mlp {
        number("raw_accuracy", percent(raw.test_accuracy))?;
        number("raw_train_accuracy", percent(raw.train_accuracy))?;
        number("raw_seconds_per_epoch", format!("{:.2} s", raw.seconds_per_epoch))?;
        number("raw_parameters", raw.parameters.to_string())?;
    }
    number("study_seconds", format!("{:.1} s", r.total_seconds))?;
    number("results_table", study.results_table())?;
    number("ae_history_table", study.history_table())?;
    let top = r.codes_mlp.confusion.top_confusions(3);
    number(
        "top_confusions",
        top.iter().map(|(t, p, n)| format!("{t} read as {p} ({n} times)")).collect::<Vec<_>>().join(", "),
    )?;
    let mnist_gap = r.raw_mlp.as_ref().map(|raw| 100.0 * (raw.test_accuracy - r.codes_mlp.test_accuracy));
    if let Some(gap) = mnist_gap {
        number("raw_minus_codes_points", format!("{gap:.2}"))?;
    }

    // Chapter 6b: the same study on Fashion-MNIST.
    let fashion_config = StudyConfig { data_dir: Some(crate::data::bundled_fashion_dir()), ..StudyConfig::default() };
    let fashion = Study::run_cached(&fashion_config, &default_cache_dir(), &mut |_, _| {})?;
    let f = &fashion.results;
    number("fashion_n_train", f.n_train.to_string())?;
    number("fashion_n_test", f.n_test.to_string())?;
    number("fashion_study_seconds", format!("{:.1} s", f.total_seconds))?;
    number("fashion_ae_test_mse", format!("{:.5}", f.autoencoder.test_mse))?;
    number("fashion_codes_accuracy", percent(f.codes_mlp.test_accuracy))?;
    number("fashion_codes_train_accuracy", percent(f.codes_mlp.train_accuracy))?;
    number("fashion_results_table", fashion.results_table())?;
    if let Some(raw) = &f.raw_mlp {
        number("fashion_raw_accuracy", percent(raw.test_accuracy))?;
        number("fashion_raw_train_accuracy", percent(raw.train_accuracy))?;
        number(
            "fashion_raw_minus_codes_points",
            format!("{:.2}", 100.0 * (raw.test_accuracy - f.codes_mlp.test_accuracy)),
        )?;
    }
    let fashion_top = f.codes_mlp.confusion.top_confusions(3);
    number(
        "fashion_top_confusions",
        fashion_top
            .iter()
            .map(|&(t, p, n)| format!("{} read as {} ({n} times)", fashion_class(t), fashion_class(p)))
            .collect::<Vec<_>>()
            .join(", "),
    )?;
    let codes_recall = f.codes_mlp.confusion.recall();
    let raw_recall = f.raw_mlp.as_ref().map(|raw| raw.confusion.recall());
    let mut recall_table = String::from("| class | codes → MLP recall | pixels → MLP recall |\n|---|---|---|\n");
    for (label, &recall) in codes_recall.iter().enumerate() {
        let raw = raw_recall.as_ref().and_then(|r| r.get(label)).map_or_else(|| "–".to_string(), |&r| percent(r));
        recall_table += &format!("| {} | {} | {raw} |\n", fashion_class(label), percent(recall));
    }
    number("fashion_recall_table", recall_table)?;
    let fashion_figs = fashion_figures(&fashion)?;
    drop(fashion);

    // Chapter 2: what the trained autoencoder does (the same computations as its cells).
    let (train_x, test_x) = (&study.data.train.x, &study.data.test.x);
    let near_binary = train_x.iter().filter(|&&v| v <= 0.1 || v >= 0.9).count() as f32 / train_x.len() as f32;
    number("pixels_near_binary_percent", format!("{:.1} %", 100.0 * near_binary))?;
    if let Some(mean_image) = train_x.mean_axis(ndarray::Axis(0)) {
        if let Some(mean_images) = mean_image.broadcast(test_x.dim()) {
            let mean_mse = crate::nn::loss::mse(mean_images, test_x.view(), None);
            number("mean_image_test_mse", format!("{mean_mse:.5}"))?;
            number("ae_vs_mean_ratio", format!("{:.1}", mean_mse / r.autoencoder.test_mse))?;
        }
    }
    let codes = study.autoencoder.encode(test_x)?;
    let zero_fraction = codes.iter().filter(|&&v| v == 0.0).count() as f32 / codes.len().max(1) as f32;
    number("code_zero_percent", format!("{:.1} %", 100.0 * zero_fraction))?;
    let never_active = (0..codes.ncols()).filter(|&j| codes.column(j).iter().all(|&v| v == 0.0)).count();
    number("code_dead_units", never_active.to_string())?;
    let originals = test_x.slice(ndarray::s![..10, ..]).to_owned();
    let noisy = crate::data::Noise::Gaussian { std_dev: 0.3 }.corrupt_seeded(originals.view(), 7)?;
    let cleaned = study.autoencoder.reconstruct(&noisy)?;
    number("noisy_input_mse", format!("{:.4}", crate::nn::loss::mse(noisy.view(), originals.view(), None)))?;
    number("noisy_reconstruction_mse", format!("{:.4}", crate::nn::loss::mse(cleaned.view(), originals.view(), None)))?;
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
    written.extend(super::family_assets::write_family_assets(&generated, &figures)?);
    // Chapter 10: the claims checked against classical baselines (cached measurements).
    written.extend(super::claims_assets::write(&study, &generated)?);
    Ok(written)
}
