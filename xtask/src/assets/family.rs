//! Chapter 7's generated numbers and figures (the autoencoder family), under the topic
//! `family` and named `figures/family_*`: the same cached comparison the chapter's cells and
//! tests use.

use std::path::{Path, PathBuf};

use ae_mlp::experiments::family::{Family, FamilyConfig, Score, RAW_PIXELS};
use ae_mlp::experiments::kind::KindName;
use ae_mlp::experiments::study::seed_list;
use ae_mlp::models::autoencoder::{AutoencoderKind, SparsityPenalty};
use ae_mlp::output::cache::default_cache_dir;
use anyhow::Result;
use serde_json::Value;

use crate::numbers::f32_value;

/// Puts the `family.*` numbers and writes `figures/family_*.{png,svg}`; returns the figure
/// files written.
pub fn write(put: &mut impl FnMut(&str, Value), figures: &Path) -> Result<Vec<PathBuf>> {
    seeds_numbers(put)?;
    let family =
        Family::run_cached(&FamilyConfig::default(), &default_cache_dir(), &mut |_, _| {})?;
    let r = &family.results;
    let mut number = |name: &str, value: Value| put(&format!("family.{name}"), value);
    let optional = |x: Option<f32>| x.map_or(Value::Null, f32_value);
    number("table", r.table().into());
    number("total_seconds", r.total_seconds.into());
    number("scarce_labels", r.scarce_labels.into());
    number("noisy_input_mse", f32_value(r.noisy_input_mse));
    number("raw.scarce_mlp", f32_value(r.raw.scarce_mlp));
    number("raw.scarce_knn", f32_value(r.raw.scarce_knn));
    number("raw.scarce_spread", optional(r.raw.scarce_spread));
    number("raw.mlp", f32_value(r.raw.mlp));
    for v in &r.variants {
        let kind = v.variant.kind_name();
        // The first variant of each kind is the one the chapter names.
        if r.of_kind(kind).map(|first| first.variant.label != v.variant.label).unwrap_or(true) {
            continue;
        }
        number(&format!("{kind}.test_mse"), f32_value(v.test_mse));
        number(&format!("{kind}.noisy_mse"), f32_value(v.noisy_test_mse));
        number(&format!("{kind}.mlp"), f32_value(v.codes.mlp));
        number(&format!("{kind}.scarce_mlp"), f32_value(v.codes.scarce_mlp));
        number(&format!("{kind}.scarce_knn"), f32_value(v.codes.scarce_knn));
        number(&format!("{kind}.scarce_spread"), optional(v.codes.scarce_spread));
    }
    if let Some((label, classifier, accuracy)) = r.best_scarce() {
        number("best_scarce.accuracy", f32_value(accuracy));
        number("best_scarce.variant", label.into());
        number("best_scarce.classifier", classifier.into());
    }
    let data = &family.data;
    // The code statistics the chapter's `sparse` and `sparse_kl` cells print.
    for (kind, ae) in
        r.variants.iter().zip(&family.autoencoders).map(|(v, a)| (v.variant.params.kind, a))
    {
        let codes = ae.encode(&data.test.x)?;
        match kind {
            AutoencoderKind::Vanilla | AutoencoderKind::Sparse(SparsityPenalty::L1 { .. }) => {
                let name = kind.name();
                let zeros =
                    codes.iter().filter(|&&v| v == 0.0).count() as f32 / codes.len().max(1) as f32;
                let dead = (0..codes.ncols())
                    .filter(|&j| codes.column(j).iter().all(|&v| v == 0.0))
                    .count();
                number(&format!("{name}.code_zero_fraction"), f32_value(zeros));
                number(&format!("{name}.code_dead_units"), dead.into());
            }
            AutoencoderKind::Sparse(SparsityPenalty::Kl { rho, .. }) => {
                number("sparse_kl.rho", f32_value(rho));
                number("sparse_kl.mean_activation", f32_value(codes.mean().unwrap_or(f32::NAN)));
            }
            _ => {}
        }
    }
    let mut written = Vec::new();
    for figure in family.figures()? {
        written.extend(figure.save(figures)?);
    }
    Ok(written)
}

/// The comparison over every seed of its verdicts (the seeds `tests/ch07_family.rs` runs):
/// the mean ± sd table, and the paired differences the chapter's verdicts read.
fn seeds_numbers(put: &mut impl FnMut(&str, Value)) -> Result<()> {
    let seeds = seed_list(42, FAMILY_SEEDS)?;
    let (family, over) =
        Family::over_seeds(&FamilyConfig::default(), &seeds, &default_cache_dir(), &mut |_, _| {})?;
    let r = &family.results;
    let label =
        |kind: KindName| r.of_kind(kind).map(|v| v.variant.label.clone()).unwrap_or_default();
    let (vanilla, vae, sparse) =
        (label(KindName::Vanilla), label(KindName::Variational), label(KindName::Sparse));
    put("family.seeds.n", seeds.len().into());
    put("family.seeds.table", over.table()?.into());
    let comparisons = [
        ("raw_mlp_minus_vae_mlp", (RAW_PIXELS, Score::Mlp), (vae.as_str(), Score::Mlp)),
        ("raw_mlp_minus_sparse_mlp", (RAW_PIXELS, Score::Mlp), (sparse.as_str(), Score::Mlp)),
        ("vae_knn_minus_raw_knn", (vae.as_str(), Score::ScarceKnn), (RAW_PIXELS, Score::ScarceKnn)),
        (
            "vanilla_mlp_minus_raw_mlp",
            (vanilla.as_str(), Score::ScarceMlp),
            (RAW_PIXELS, Score::ScarceMlp),
        ),
        (
            "raw_spread_minus_raw_mlp",
            (RAW_PIXELS, Score::ScarceSpread),
            (RAW_PIXELS, Score::ScarceMlp),
        ),
        (
            "vae_spread_minus_raw_spread",
            (vae.as_str(), Score::ScarceSpread),
            (RAW_PIXELS, Score::ScarceSpread),
        ),
    ];
    for (name, a, b) in comparisons {
        let d = over.compare(a, b)?;
        put(&format!("family.seeds.{name}.mean"), d.mean.into());
        put(&format!("family.seeds.{name}.low"), d.low.into());
        put(&format!("family.seeds.{name}.high"), d.high.into());
    }
    let spread = over.summary(&vae, Score::ScarceSpread)?;
    put("family.seeds.vae_spread.mean", spread.mean.into());
    put("family.seeds.vae_spread.sd", spread.sd.into());
    Ok(())
}

/// Seeds of the family comparison's verdicts (as in `tests/ch07_family.rs`).
const FAMILY_SEEDS: usize = 3;
