//! `ae-mlp`: runs the whole study and writes its results and figures.

use std::path::PathBuf;
use std::process::ExitCode;

use ae_mlp::study::{Stage, Study, StudyConfig};
use ae_mlp::train::Event;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

/// Autoencoders with a Multi-Layer Perceptron on MNIST: trains an autoencoder (784 → 32),
/// classifies its codes with an MLP, compares with an MLP on raw pixels, and writes
/// results.json plus figures (PNG and SVG).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
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
    /// e.g. /usr/share/datasets/fashion-mnist.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Where to write results.json and the figures.
    #[arg(long, value_name = "DIR", default_value = "target/ae-mlp")]
    out: PathBuf,
    /// Skip the raw-pixel MLP (the comparison baseline).
    #[arg(long)]
    skip_raw: bool,
    /// Skip writing the figures.
    #[arg(long)]
    skip_figures: bool,
    /// No progress bars; one line per epoch instead.
    #[arg(long)]
    quiet: bool,
}

impl Cli {
    fn config(&self) -> StudyConfig {
        let mut c = StudyConfig::default().seed(self.seed).epochs(self.epochs).batch_size(self.batch_size);
        c.data_dir = self.data.clone();
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
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> ae_mlp::Result<()> {
    let config = cli.config();
    config.check()?;
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
    let row = |name: &str, c: &ae_mlp::study::ClassifierResult| {
        println!("{:<28} {:>10} {:>11.2}% {:>12.3}", name, c.features, 100.0 * c.test_accuracy, c.seconds_per_epoch)
    };
    row("codes → MLP (accuracy)", &r.codes_mlp);
    if let Some(raw) = &r.raw_mlp {
        row("pixels → MLP (accuracy)", raw);
    }
    println!("whole study: {:.1} s", r.total_seconds);

    let written = if cli.skip_figures {
        let path = cli.out.join("results.json");
        let json =
            serde_json::to_vec_pretty(r).map_err(|e| ae_mlp::Error::Io { path: path.clone(), source: e.into() })?;
        ae_mlp::output::write_atomic(&path, &json)?;
        vec![path]
    } else {
        study.write(&cli.out)?
    };
    println!("wrote {} files to {}", written.len(), cli.out.display());
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
                let mut line = format!("{:>14} epoch {:>2}: loss {:.4}", stage.label(), r.epoch, r.train_loss);
                if let Some(v) = r.val_loss {
                    line += &format!("  val_loss {v:.4}");
                }
                if let Some(a) = r.val_accuracy {
                    line += &format!("  val_acc {:.2}%", 100.0 * a);
                }
                line += &format!("  ({:.2} s)", r.train_seconds);
                match &self.bar {
                    Some((_, bar)) => bar.println(line),
                    None => println!("{line}"),
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
