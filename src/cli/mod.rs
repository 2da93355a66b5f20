//! The command line: its arguments (clap), the one mapping from them to an experiment's
//! config, and the progress display.

mod config;
mod progress;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use config::RunConfig;
pub use progress::Progress;

/// Autoencoders with a Multi-Layer Perceptron on MNIST: trains an autoencoder (784 → 32),
/// classifies its codes with an MLP, compares with an MLP on raw pixels, and writes
/// results.json plus figures (PNG and SVG). Without a subcommand it runs the study.
#[derive(Debug, Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub study: StudyArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load a saved model and score it on a test set: reconstruction MSE and test accuracy.
    Evaluate(EvaluateArgs),
    /// Load a saved model and draw images (top) above their reconstructions (bottom).
    Reconstruct(ReconstructArgs),
}

/// What `--kind` picks: one autoencoder for the study, or the whole family compared.
// The variants carry no doc comments on purpose: clap would then list them one per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Vanilla,
    Denoising,
    Sparse,
    Variational,
    All,
}

/// The experiment's options (used when no subcommand is given). Unset options keep the
/// library's defaults, the original study's settings.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Epochs for every model trained on all the labels [default: 15; the family's few-label
    /// MLPs keep their 100].
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Epochs for the autoencoders only (overrides --epochs).
    #[arg(long)]
    pub ae_epochs: Option<usize>,
    /// Epochs for the MLPs trained on all the labels only (overrides --epochs).
    #[arg(long)]
    pub mlp_epochs: Option<usize>,
    /// Mini-batch size for every model [default: 256; the family's few-label MLPs: 100].
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Size of the autoencoder's code [default: 32].
    #[arg(long)]
    pub latent: Option<usize>,
    /// Adam's learning rate for every model [default: 0.001].
    #[arg(long)]
    pub learning_rate: Option<f32>,
    /// Seed for every random choice: initialisation, shuffling, and which images are labelled
    /// in the family's few-label runs [default: 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run the study N times, with seeds S, S + 1, …, S + N − 1 (S from --seed), and report
    /// mean ± standard deviation and the paired interval of pixels minus codes; results.json
    /// keeps every seed's numbers, figures and --save show the first seed.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub seeds: u16,
    /// Training images held out for validation: the learning curves are measured on them,
    /// and the test set is scored once, at the end. 0 trains on all 60,000 and watches the
    /// test set, as the original notebook did [default: 5000].
    #[arg(long, value_name = "N")]
    pub validation: Option<usize>,
    /// A directory in the MNIST layout (raw or .gz IDX files) instead of the bundled MNIST,
    /// e.g. data/fashion-mnist (the bundled Fashion-MNIST).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Where to write results.json (family.json with `--kind all`) and the figures.
    #[arg(long, value_name = "DIR", default_value = "target/ae-mlp")]
    pub out: PathBuf,
    /// Also save the trained models, as DIR/model.json, for `evaluate` and `reconstruct`
    /// (the study only).
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// Skip the raw-pixel MLP (the study's comparison baseline); with `--kind all`, skip
    /// label spreading over raw pixels.
    #[arg(long)]
    pub skip_raw: bool,
    /// Skip writing the figures.
    #[arg(long)]
    pub skip_figures: bool,
    /// No progress bars; one line per epoch instead.
    #[arg(long)]
    pub quiet: bool,
    /// Print the resolved config as JSON (what results.json or family.json records) and exit
    /// without training.
    #[arg(long)]
    pub print_config: bool,
    /// Which autoencoder the study trains; `all` instead compares the four kinds (chapter 7
    /// of the book) and writes family_table.md, family.json and the family's figures.
    #[arg(long, value_enum, default_value_t = KindArg::Vanilla)]
    pub kind: KindArg,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The saved model: a model.json written by `--save DIR`, or that DIR.
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// Score on the test split of this MNIST-layout directory instead of the data the model
    /// was trained on.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReconstructArgs {
    /// The saved model: a model.json written by `--save DIR`, or that DIR.
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// How many images to draw (the first N).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub count: u16,
    /// An IDX images file (raw or .gz, 28x28 images) to reconstruct, instead of the test set.
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    pub images: Option<PathBuf>,
    /// Take the test images from this MNIST-layout directory instead of the data the model
    /// was trained on.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Where to write reconstructions.png and reconstructions.svg.
    #[arg(long, value_name = "DIR", default_value = "target/ae-mlp/reconstruct")]
    pub out: PathBuf,
}
