//! Chapter 9's generated numbers and figures (the autoencoder family), every name prefixed
//! `family_`: the same cached comparison the chapter's cells and tests use.

use std::path::{Path, PathBuf};

use crate::cache::default_cache_dir;
use crate::data::Mnist;
use crate::error::Result;
use crate::family::{Family, FamilyConfig};
use crate::output::write_atomic;
use crate::report::percent;

/// Writes `generated/family_*.md` and `figures/family_*.{png,svg}`; returns the files written.
pub fn write_family_assets(generated: &Path, figures: &Path) -> Result<Vec<PathBuf>> {
    let family = Family::run_cached(&FamilyConfig::default(), &default_cache_dir(), &mut |_| {})?;
    let r = &family.results;
    let mut written = Vec::new();
    let mut number = |name: &str, value: String| -> Result<()> {
        let path = generated.join(format!("family_{name}.md"));
        write_atomic(&path, value.trim_end().as_bytes())?;
        written.push(path);
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
        let kind = v.variant.params.kind.name();
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
    let data = Mnist::load_bundled()?;
    for figure in family.figures(&data)? {
        written.extend(figure.save(figures)?);
    }
    Ok(written)
}
