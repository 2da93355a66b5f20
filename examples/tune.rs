//! Scores a variation of the tuned recipe on the validation split, never on the test set:
//! how the recipe of chapter 9 was chosen, and how a reader can try another.
//!
//! ```text
//! cargo run --release --example tune -- --part raw --set raw_mlp.dropout=0.4 --seed 1
//! cargo run --release --example tune -- --part autoencoder --set autoencoder.train.epochs=30
//! cargo run --release --example tune -- --part ablation --seed 42
//! ```
//! `--set` takes a dotted path into the recipe as JSON (print it with `--show`).

use ae_mlp::experiments::pipeline::{load_data, quiet};
use ae_mlp::experiments::tuned::{self, Outcome, TunedConfig};
use clap::{Parser, ValueEnum};

#[path = "common/settings.rs"]
mod settings;

/// Which models to train.
#[derive(Clone, Copy, ValueEnum)]
enum Part {
    /// The raw-pixel MLP.
    Raw,
    /// The autoencoder, the MLP on its codes, and the two fine-tuned together.
    Autoencoder,
    /// The raw-pixel MLP without dropout, without weight decay, and at a constant rate.
    Ablation,
}

/// A variation of the tuned recipe, scored on the 5,000 validation images.
#[derive(Parser)]
struct Args {
    /// Which models to train.
    #[arg(long, value_enum, default_value = "raw")]
    part: Part,
    #[command(flatten)]
    variation: settings::Variation,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let variation = &args.variation;
    let Some(config) = variation.apply(&TunedConfig::default().seed(variation.seed))? else {
        return Ok(());
    };
    config.check()?;
    let data = load_data(None, config.validation)?;
    let show = |name: &str, o: &Outcome| {
        let curve = if o.history.val_accuracy().is_empty() {
            o.history.val_loss().iter().map(|v| format!("{v:.5}")).collect::<Vec<_>>()
        } else {
            o.history.val_accuracy().iter().map(|a| format!("{:.2}", 100.0 * a)).collect()
        };
        println!(
            "{name}: validation {:.5} (epoch {} kept), {:.0} s",
            o.validation, o.kept_epoch, o.seconds
        );
        println!("  curve: {}", curve.join(" "));
    };
    println!("{} (seed {})", variation.set.join(" "), variation.seed);
    match args.part {
        Part::Raw => show("pixels MLP", &tuned::train_raw_mlp(&config, &data, &mut quiet)?),
        Part::Autoencoder => {
            let (ae, codes, finetuned) =
                tuned::train_autoencoder_route(&config, &data, &mut quiet)?;
            show("autoencoder (MSE)", &ae);
            show("codes MLP", &codes);
            show("fine-tuned", &finetuned);
        }
        Part::Ablation => {
            for (name, outcome) in tuned::ablation(&config, &data, &mut quiet)? {
                show(&name, &outcome);
            }
        }
    }
    Ok(())
}
