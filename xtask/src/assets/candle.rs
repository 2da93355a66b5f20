//! Chapter 11's generated numbers and figure (the same networks in candle), under the topic
//! `candle` and named `figures/candle_side_by_side`: the computations of the chapter's cells
//! (`tests/ch11_candle.rs`), read from the same cache. Needs the tools built with `--features candle`.

use std::path::{Path, PathBuf};

use ae_mlp::candle::{every_layer_kind, min_median, Device, SideBySide};
use ae_mlp::data::Mnist;
use ae_mlp::models::autoencoder::AutoencoderParams;
use ae_mlp::output::cache::default_cache_dir;
use anyhow::Result;
use serde_json::Value;

use crate::numbers::f32_value;

/// Puts the `candle.*` numbers and writes `figures/candle_side_by_side.{png,svg}`; returns
/// the figure files written.
pub fn write(put: &mut impl FnMut(&str, Value), figures: &Path) -> Result<Vec<PathBuf>> {
    let mut number = |name: &str, value: Value| put(&format!("candle.{name}"), value);

    // The `gradients` cell: the largest discrepancy per kind of layer.
    let checks = every_layer_kind(&Device::Cpu)?;
    let mut table = String::from(
        "| checked | largest difference, relative to the largest gradient |\n|---|---|\n",
    );
    for check in &checks {
        table += &format!("| {} | {:.1e} |\n", check.kind, check.worst);
        number(&format!("gradients.{}", key(&check.kind)), f32_value(check.worst));
    }
    number("gradients.table", table.into());
    let worst = checks.iter().fold(0f32, |m, c| m.max(c.worst));
    number("gradients.worst", format!("{worst:.1e}").into());

    // The `side_by_side`, `agreement` and `epoch_times` cells.
    let data = Mnist::load_bundled()?.with_validation(ae_mlp::data::VALIDATION_IMAGES)?;
    let params = AutoencoderParams::default();
    let run = SideBySide::run_cached(&params, &data, &default_cache_dir(), &mut |_, _, _, _| {})?;
    number("side_by_side.table", run.table().into());
    number("side_by_side.ours_test_mse", f32_value(run.ours_test_mse));
    number("side_by_side.candle_test_mse", f32_value(run.candle_test_mse));
    number("side_by_side.test_mse_gap", format!("{:.1e}", run.test_mse_gap()).into());
    let (ours_min, ours_median) = min_median(&run.ours_seconds());
    let (candle_min, candle_median) = min_median(&run.candle.seconds);
    number("side_by_side.ours_seconds_min", ours_min.into());
    number("side_by_side.ours_seconds_median", ours_median.into());
    number("side_by_side.candle_seconds_min", candle_min.into());
    number("side_by_side.candle_seconds_median", candle_median.into());
    number("side_by_side.median_ratio", (candle_median / ours_median).into());
    Ok(run.figure().save(figures)?)
}

/// A check's name as a key: `softmax + cross-entropy` → `softmax_cross_entropy`.
fn key(kind: &str) -> String {
    let words: Vec<String> = kind
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.join("_")
}
