//! Scores a variation of the label curve's settings on the validation split, never on the
//! test set: how chapter 10's settings were chosen, and how a reader can try others.
//!
//! ```text
//! cargo run --release --example label_curve -- --seed 1
//! cargo run --release --example label_curve -- --set spreading.k=10 --set per_class=[100]
//! ```
//! `--set` takes a dotted path into the settings as JSON (print them with `--show`).

use ae_mlp::experiments::label_curve::{self, LabelCurveConfig};
use ae_mlp::experiments::pipeline::quiet;
use ae_mlp::experiments::tuned::Tuned;
use ae_mlp::output::cache::default_cache_dir;
use clap::Parser;

#[path = "common/settings.rs"]
mod settings;

/// A variation of the label curve, scored on the 5,000 validation images.
#[derive(Parser)]
struct Args {
    #[command(flatten)]
    variation: settings::Variation,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse().variation;
    let Some(config) = args.apply(&LabelCurveConfig::default().seed(args.seed))? else {
        return Ok(());
    };
    config.check()?;
    // The tuned autoencoder of this seed is trained once and kept in the model cache.
    let cache = default_cache_dir();
    let tuned = Tuned::run_cached(&config.tuned, &cache, &mut quiet)?;
    let results = label_curve::measure(&config, &tuned, Some(&cache), &mut quiet)?;
    println!("{} (seed {}), validation accuracy:", args.set.join(" "), args.seed);
    for b in &results.budgets {
        println!(
            "{:>5} labels: pixels {:.2}, codes {:.2}, spreading → codes {:.2}, self-training \
             {:.2}; spread right codes {:.2} / pixels {:.2}; {:.0} s",
            b.labels(),
            100.0 * b.pixels.validation,
            100.0 * b.codes.validation,
            100.0 * b.spread_codes.validation,
            100.0 * b.self_trained.validation,
            100.0 * b.spread_right_codes,
            100.0 * b.spread_right_pixels,
            b.seconds
        );
    }
    Ok(())
}
