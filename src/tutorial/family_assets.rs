//! Chapter 9's generated numbers and figures (the autoencoder family), every name prefixed
//! `family_`: the same cached comparison the chapter's cells and tests use.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::experiments::family::{Family, FamilyConfig};
use crate::models::autoencoder::{AutoencoderKind, SparsityPenalty};
use crate::output::cache::default_cache_dir;
use crate::output::report::percent;

/// Writes `generated/family_*.md` and `figures/family_*.{png,svg}`; returns the files written.
pub fn write_family_assets(generated: &Path, figures: &Path) -> Result<Vec<PathBuf>> {
    let family = Family::run_cached(&FamilyConfig::default(), &default_cache_dir(), &mut |_, _| {})?;
    let r = &family.results;
    let mut written = Vec::new();
    let mut number = |name: &str, value: String| -> Result<()> {
        written.push(super::assets::write_number(generated, &format!("family_{name}"), &value)?);
        Ok(())
    };
    number("table", r.table())?;
    number("seconds", format!("{:.0} s", r.total_seconds))?;
    number("scarce_labels", format!("{}", r.scarce_labels))?;
    number("noisy_input_mse", format!("{:.4}", r.noisy_input_mse))?;
    number("raw_scarce_mlp", percent(r.raw.scarce_mlp))?;
    number("raw_scarce_knn", percent(r.raw.scarce_knn))?;
    number("raw_scarce_spread", r.raw.scarce_spread.map_or("–".into(), percent))?;
    number("raw_mlp", percent(r.raw.mlp))?;
    for v in &r.variants {
        let kind = v.variant.kind_name();
        // The first variant of each kind is the one the chapter names.
        if r.of_kind(kind).map(|first| first.variant.label != v.variant.label).unwrap_or(true) {
            continue;
        }
        number(&format!("{kind}_test_mse"), format!("{:.5}", v.test_mse))?;
        number(&format!("{kind}_noisy_mse"), format!("{:.4}", v.noisy_test_mse))?;
        number(&format!("{kind}_mlp"), percent(v.codes.mlp))?;
        number(&format!("{kind}_scarce_mlp"), percent(v.codes.scarce_mlp))?;
        number(&format!("{kind}_scarce_knn"), percent(v.codes.scarce_knn))?;
        number(&format!("{kind}_scarce_spread"), v.codes.scarce_spread.map_or("–".into(), percent))?;
    }
    if let Some((label, classifier, accuracy)) = r.best_scarce() {
        number("best_scarce", format!("{} ({label}, {classifier})", percent(accuracy)))?;
        number("best_scarce_accuracy", percent(accuracy))?;
    }
    let data = &family.data;
    // The code statistics the chapter's `sparse` and `sparse_kl` cells print.
    for (kind, ae) in r.variants.iter().zip(&family.autoencoders).map(|(v, a)| (v.variant.params.kind, a)) {
        let codes = ae.encode(&data.test.x)?;
        match kind {
            AutoencoderKind::Vanilla | AutoencoderKind::Sparse(SparsityPenalty::L1 { .. }) => {
                let name = kind.name();
                let zeros = codes.iter().filter(|&&v| v == 0.0).count() as f32 / codes.len().max(1) as f32;
                let dead = (0..codes.ncols()).filter(|&j| codes.column(j).iter().all(|&v| v == 0.0)).count();
                number(&format!("{name}_zero_percent"), format!("{:.1} %", 100.0 * zeros))?;
                number(&format!("{name}_dead_units"), dead.to_string())?;
            }
            AutoencoderKind::Sparse(SparsityPenalty::Kl { rho, .. }) => {
                number("kl_rho", rho.to_string())?;
                number("kl_mean_activation", format!("{:.3}", codes.mean().unwrap_or(f32::NAN)))?;
            }
            _ => {}
        }
    }
    for figure in family.figures()? {
        written.extend(figure.save(figures)?);
    }
    Ok(written)
}
