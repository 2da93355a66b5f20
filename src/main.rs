//! `ae-mlp`: runs the whole study and writes its results, figures and (with `--save`) its
//! trained models; `evaluate` and `reconstruct` use a saved model without training again.
//!
//! Every failure ends with a non-zero exit status and one line on stderr, `error: …`, that
//! names what to fix.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ae_mlp::data::{Dataset, Mnist};
use ae_mlp::experiments::study::{Stage, Study, StudyConfig};
use ae_mlp::output::model_io::{self, SavedModel};
use ae_mlp::output::plot;
use ae_mlp::train::Event;
use ae_mlp::Error;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{s, Array2};

/// Autoencoders with a Multi-Layer Perceptron on MNIST: trains an autoencoder (784 → 32),
/// classifies its codes with an MLP, compares with an MLP on raw pixels, and writes
/// results.json plus figures (PNG and SVG). Without a subcommand it runs the study.
#[derive(Debug, Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    study: StudyArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load a saved model and score it on a test set: reconstruction MSE and test accuracy.
    Evaluate(EvaluateArgs),
    /// Load a saved model and draw images (top) above their reconstructions (bottom).
    Reconstruct(ReconstructArgs),
}

/// The study's options (used when no subcommand is given).
#[derive(Debug, Args)]
struct StudyArgs {
    /// Epochs for every model (the original: 15).
    #[arg(long, default_value_t = 15)]
    epochs: usize,
    /// Epochs for the autoencoder only (overrides --epochs).
    #[arg(long)]
    ae_epochs: Option<usize>,
    /// Epochs for the two MLPs only (overrides --epochs).
    #[arg(long)]
    mlp_epochs: Option<usize>,
    /// Mini-batch size for every model.
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Size of the autoencoder's code.
    #[arg(long, default_value_t = 32)]
    latent: usize,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 1e-3)]
    learning_rate: f32,
    /// Seed for every random choice (initialisation, shuffling).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// A directory in the MNIST layout (raw or .gz IDX files) instead of the bundled MNIST,
    /// e.g. data/fashion-mnist (the bundled Fashion-MNIST).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Where to write results.json and the figures.
    #[arg(long, value_name = "DIR", default_value = "target/ae-mlp")]
    out: PathBuf,
    /// Also save the trained models, as DIR/model.json, for `evaluate` and `reconstruct`.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// Skip the raw-pixel MLP (the comparison baseline).
    #[arg(long)]
    skip_raw: bool,
    /// Skip writing the figures.
    #[arg(long)]
    skip_figures: bool,
    /// No progress bars; one line per epoch instead.
    #[arg(long)]
    quiet: bool,
    /// Which autoencoder the study trains; `all` instead compares the four kinds (chapter 9
    /// of the book) and writes family_table.md, family.json and the family's figures.
    #[arg(long, default_value = "vanilla", value_parser = ["vanilla", "denoising", "sparse", "variational", "all"])]
    kind: String,
}

#[derive(Debug, Args)]
struct EvaluateArgs {
    /// The saved model: a model.json written by `--save DIR`, or that DIR.
    #[arg(long, value_name = "PATH")]
    model: PathBuf,
    /// Score on the test split of this MNIST-layout directory instead of the data the model
    /// was trained on.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReconstructArgs {
    /// The saved model: a model.json written by `--save DIR`, or that DIR.
    #[arg(long, value_name = "PATH")]
    model: PathBuf,
    /// How many images to draw (the first N).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    count: u16,
    /// An IDX images file (raw or .gz, 28x28 images) to reconstruct, instead of the test set.
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    images: Option<PathBuf>,
    /// Take the test images from this MNIST-layout directory instead of the data the model
    /// was trained on.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Where to write reconstructions.png and reconstructions.svg.
    #[arg(long, value_name = "DIR", default_value = "target/ae-mlp/reconstruct")]
    out: PathBuf,
}

impl StudyArgs {
    fn config(&self) -> StudyConfig {
        let mut c = StudyConfig::default().seed(self.seed).epochs(self.epochs).batch_size(self.batch_size);
        c.data_dir = self.data.clone();
        if let Ok(kind) = ae_mlp::models::autoencoder::AutoencoderKind::from_name(&self.kind) {
            let train = c.autoencoder.train.clone();
            c.autoencoder = ae_mlp::models::autoencoder::AutoencoderParams::of_kind(kind).train(train);
        }
        c.autoencoder.latent = self.latent;
        if let Some(e) = self.ae_epochs {
            c.autoencoder.train.epochs = e;
        }
        if let Some(e) = self.mlp_epochs {
            c.codes_mlp.train.epochs = e;
            c.raw_mlp.train.epochs = e;
        }
        c.autoencoder.train = c.autoencoder.train.clone().learning_rate(self.learning_rate);
        c.codes_mlp.train = c.codes_mlp.train.clone().learning_rate(self.learning_rate);
        c.raw_mlp.train = c.raw_mlp.train.clone().learning_rate(self.learning_rate);
        c.run_raw_mlp = !self.skip_raw;
        c
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    let result = match &cli.command {
        None if cli.study.kind == "all" => run_family(&cli.study),
        None => run_study(&cli.study),
        Some(Command::Evaluate(args)) => evaluate(args),
        Some(Command::Reconstruct(args)) => reconstruct(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// Help and version go out as clap prints them; a usage error becomes one line (clap's
/// message and tip, without the usage block), exit status 2.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let rendered = e.render().to_string();
    let mut parts: Vec<&str> = Vec::new();
    for line in rendered.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line);
        }
    }
    let message = parts.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    eprintln!("error: {message} (see --help)");
    ExitCode::from(2)
}

/// The error as one line. A bad hyperparameter is named by the command-line flag that sets
/// it (the library names it by its field, e.g. `batch_size`), so the line says what to change.
fn one_line(e: &Error) -> String {
    let message = match e {
        Error::InvalidParam { name, value, reason } => {
            let flag = match *name {
                "latent" => "--latent",
                "learning_rate" => "--learning-rate",
                "batch_size" => "--batch-size",
                "epochs" => return format!("invalid epochs {value} (--epochs, --ae-epochs or --mlp-epochs): {reason}"),
                _ => return e.to_string().replace(['\n', '\r'], " "),
            };
            format!("invalid {flag} {value}: {reason}")
        }
        _ => e.to_string(),
    };
    message.replace(['\n', '\r'], " ")
}

/// Fails early if `path` exists but is not a directory, so a long run cannot end in an
/// unwritable output.
fn check_output_dir(flag: &str, path: &Path) -> ae_mlp::Result<()> {
    if path.exists() && !path.is_dir() {
        return Err(Error::Input {
            path: path.to_path_buf(),
            problem: "exists and is not a directory".into(),
            fix: format!("pass {flag} a directory (it is created if missing)"),
        });
    }
    Ok(())
}

fn run_study(cli: &StudyArgs) -> ae_mlp::Result<()> {
    let config = cli.config();
    config.check()?;
    check_output_dir("--out", &cli.out)?;
    if let Some(save) = &cli.save {
        check_output_dir("--save", save)?;
    }
    let mut progress = Progress::new(cli.quiet);
    let study = Study::run(&config, &mut |stage, event| progress.update(stage, event))?;
    progress.finish();

    let r = &study.results;
    println!();
    println!("{:<28} {:>10} {:>12} {:>12}", "model", "features", "test", "s / epoch");
    println!(
        "{:<28} {:>10} {:>12} {:>12.3}",
        "autoencoder (MSE)",
        r.autoencoder.parameters,
        format!("{:.5}", r.autoencoder.test_mse),
        r.autoencoder.seconds_per_epoch
    );
    let row = |name: &str, c: &ae_mlp::experiments::study::ClassifierResult| {
        println!("{:<28} {:>10} {:>11.2}% {:>12.3}", name, c.features, 100.0 * c.test_accuracy, c.seconds_per_epoch)
    };
    row("codes → MLP (accuracy)", &r.codes_mlp);
    if let Some(raw) = &r.raw_mlp {
        row("pixels → MLP (accuracy)", raw);
    }
    println!("whole study: {:.1} s", r.total_seconds);

    let written = if cli.skip_figures {
        let path = cli.out.join("results.json");
        let json = serde_json::to_vec_pretty(r).map_err(|e| Error::Io { path: path.clone(), source: e.into() })?;
        ae_mlp::output::write_atomic(&path, &json)?;
        vec![path]
    } else {
        study.write(&cli.out)?
    };
    println!("wrote {} files to {}", written.len(), cli.out.display());
    if let Some(dir) = &cli.save {
        let path = model_io::save_study(&study, dir)?;
        println!("saved the trained models to {}", path.display());
    }
    Ok(())
}

/// `--kind all`: the autoencoder family compared on one footing (the book's chapter 9).
fn run_family(cli: &StudyArgs) -> ae_mlp::Result<()> {
    use ae_mlp::experiments::family::{Family, FamilyConfig};
    let mut config = FamilyConfig::default();
    for v in &mut config.variants {
        v.params.latent = cli.latent;
        v.params.train = v.params.train.clone().seed(cli.seed).epochs(cli.ae_epochs.unwrap_or(cli.epochs));
        v.params.train = v.params.train.clone().batch_size(cli.batch_size).learning_rate(cli.learning_rate);
    }
    let mlp_epochs = cli.mlp_epochs.unwrap_or(cli.epochs);
    for mlp in [&mut config.codes_mlp, &mut config.raw_mlp] {
        mlp.train = mlp.train.clone().seed(cli.seed).epochs(mlp_epochs).batch_size(cli.batch_size);
    }
    config.spread_raw_pixels = !cli.skip_raw;
    config.check()?;
    check_output_dir("--out", &cli.out)?;
    let data = match &cli.data {
        None => Mnist::load_bundled()?,
        Some(dir) => Mnist::load_dir(dir)?,
    };
    let family = Family::run(&config, &data, &mut |line| eprintln!("{line}"))?;
    let table = family.results.table();
    println!("{table}");
    let mut written = Vec::new();
    let table_path = cli.out.join("family_table.md");
    ae_mlp::output::write_atomic(&table_path, table.as_bytes())?;
    written.push(table_path);
    let json_path = cli.out.join("family.json");
    let json = serde_json::to_vec_pretty(&family.results)
        .map_err(|e| Error::Io { path: json_path.clone(), source: e.into() })?;
    ae_mlp::output::write_atomic(&json_path, &json)?;
    written.push(json_path);
    if !cli.skip_figures {
        for figure in family.figures(&data)? {
            written.extend(figure.save(&cli.out)?);
        }
    }
    println!(
        "whole comparison: {:.1} s; wrote {} files to {}",
        family.results.total_seconds,
        written.len(),
        cli.out.display()
    );
    Ok(())
}

/// The test split of `data` if given, else of the data the model was trained on.
fn test_set(model: &SavedModel, data: Option<&Path>) -> ae_mlp::Result<(Dataset, PathBuf)> {
    let mnist = match data {
        Some(dir) => Mnist::load_dir(dir)?,
        None => model.config.load_data()?,
    };
    Ok((mnist.test, mnist.dir))
}

fn evaluate(args: &EvaluateArgs) -> ae_mlp::Result<()> {
    let model = SavedModel::load(&args.model)?;
    let (test, dir) = test_set(&model, args.data.as_deref())?;
    let e = model.evaluate(&test)?;
    println!(
        "model: {} (ae-mlp {}, code of {} numbers, seed {})",
        args.model.display(),
        model.crate_version,
        model.autoencoder.latent(),
        model.config.autoencoder.train.seed
    );
    println!("test set: {} images from {}", e.n, dir.display());
    println!("autoencoder reconstruction MSE: {:.5}", e.reconstruction_mse);
    println!("codes → MLP test accuracy: {:.2}%", 100.0 * e.codes_accuracy);
    if let Some(raw) = e.raw_accuracy {
        println!("pixels → MLP test accuracy: {:.2}%", 100.0 * raw);
    }
    Ok(())
}

fn reconstruct(args: &ReconstructArgs) -> ae_mlp::Result<()> {
    check_output_dir("--out", &args.out)?;
    let model = SavedModel::load(&args.model)?;
    let (images, source, what) = match &args.images {
        Some(file) => (model_io::read_idx_images(file)?, file.clone(), "images"),
        None => {
            let (test, dir) = test_set(&model, args.data.as_deref())?;
            (test.x, dir, "test images")
        }
    };
    let n = usize::from(args.count);
    if n > images.nrows() {
        return Err(Error::Input {
            path: source,
            problem: format!("has {} {what} but --count asks for {n}", images.nrows()),
            fix: format!("pass --count {} or less", images.nrows()),
        });
    }
    if images.ncols() != model.inputs() {
        return Err(Error::Input {
            path: source,
            problem: format!("has {} pixels per image but the model takes {}", images.ncols(), model.inputs()),
            fix: "reconstruct images of the kind the model was trained on".into(),
        });
    }
    let originals: Array2<f32> = images.slice(s![..n, ..]).to_owned();
    let reconstructions = model.autoencoder.reconstruct(&originals)?;
    let figure = plot::image_rows(
        "reconstructions",
        &format!("{n} images (top) and their reconstructions from {} numbers", model.autoencoder.latent()),
        &[("original".to_string(), originals), ("reconstruction".to_string(), reconstructions)],
    );
    let written = figure.save(&args.out)?;
    let mse = model.autoencoder.reconstruction_mse(images.slice(s![..n, ..]))?;
    println!("reconstructed the first {n} {what} of {}: reconstruction MSE {mse:.5}", source.display());
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// A progress bar per model, with the running loss, and one printed line per epoch.
struct Progress {
    quiet: bool,
    bar: Option<(Stage, ProgressBar)>,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Progress { quiet, bar: None }
    }

    fn update(&mut self, stage: Stage, event: Event<'_>) {
        match event {
            Event::Batch { epoch, done, total, running_loss } if !self.quiet => {
                if self.bar.as_ref().map(|(s, _)| *s) != Some(stage) {
                    self.finish();
                    let bar = ProgressBar::new(total as u64);
                    bar.set_style(
                        ProgressStyle::with_template("{prefix:>14} {bar:30.cyan/blue} {pos:>4}/{len} {msg}")
                            .expect("template is valid")
                            .progress_chars("━╸ "),
                    );
                    bar.set_prefix(stage.label());
                    self.bar = Some((stage, bar));
                }
                if let Some((_, bar)) = &self.bar {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                    bar.set_message(format!("epoch {epoch} loss {running_loss:.4}"));
                }
            }
            Event::Batch { .. } => {}
            Event::Epoch(r) => {
                let line = ae_mlp::output::report::epoch_line(&format!("{:>14}", stage.label()), r);
                match &self.bar {
                    // A hidden bar (output not a terminal) would swallow the line.
                    Some((_, bar)) if !bar.is_hidden() => bar.println(line),
                    _ => println!("{line}"),
                }
            }
        }
    }

    fn finish(&mut self) {
        if let Some((_, bar)) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// Clears a bar left by a failed run, so the error line is not drawn over it.
    fn drop(&mut self) {
        self.finish();
    }
}
