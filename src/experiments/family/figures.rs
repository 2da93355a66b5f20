//! The family chapter's figures, drawn for whichever kinds were trained.

use std::path::{Path, PathBuf};

use ndarray::{s, Array2, Axis};

use super::Family;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::experiments::kind::KindName;
use crate::experiments::pipeline::write_json;
use crate::output::plot::{self, Figure};

impl Family {
    /// Writes `family_table.md` and `family.json` into `dir`; returns their paths.
    pub fn write_results(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let table = dir.join("family_table.md");
        crate::output::write_atomic(&table, self.results.table().as_bytes())?;
        Ok(vec![table, write_json(&dir.join("family.json"), &self.results)?])
    }

    /// Writes the results (see [`Family::write_results`]) and every figure (PNG and SVG)
    /// into `dir`; returns the paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let mut written = self.write_results(dir)?;
        for figure in self.figures()? {
            written.extend(figure.save(dir)?);
        }
        Ok(written)
    }

    /// The figure of [`Family::figures`] called `name` (e.g. `family_vae_samples`).
    pub fn figure(&self, name: &str) -> Result<Figure> {
        let figures = self.figures()?;
        let available: Vec<String> = figures.iter().map(|f| f.name().to_string()).collect();
        figures
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| Error::NoSuchFigure { name: name.into(), available })
    }

    /// The chapter's figures, each named `family_…`, for whichever kinds were trained.
    pub fn figures(&self) -> Result<Vec<Figure>> {
        let test = &self.data.test;
        let mut figures = Vec::new();
        let clean: Array2<f32> = test.x.slice(s![..10, ..]).to_owned();
        if let Some(denoising) = self.autoencoder(KindName::Denoising) {
            let noisy = self
                .results
                .config
                .test_noise
                .corrupt_seeded(clean.view(), self.results.config.test_noise_seed)?;
            let mut rows = vec![("noisy input".to_string(), noisy.clone())];
            if let Some(vanilla) = self.autoencoder(KindName::Vanilla) {
                rows.push(("vanilla".to_string(), vanilla.reconstruct(&noisy)?));
            }
            rows.push(("denoising".to_string(), denoising.reconstruct(&noisy)?));
            rows.push(("clean target".to_string(), clean.clone()));
            figures.push(plot::image_rows(
                "family_denoising",
                "Noisy test digits, what each autoencoder makes of them, and the clean digits",
                &rows,
            ));
        }
        let mut histogram: Vec<(String, Vec<f32>)> = Vec::new();
        for (kind, label) in [(KindName::Vanilla, "vanilla"), (KindName::Sparse, "sparse (L1)")] {
            if let Some(ae) = self.autoencoder(kind) {
                histogram.push((label.to_string(), ae.encode(&test.x)?.iter().copied().collect()));
            }
        }
        if !histogram.is_empty() {
            figures.push(plot::histogram(
                "family_code_histogram",
                "Code values over the test set: vanilla vs sparse",
                "code value",
                &histogram,
                60,
            ));
        }
        if let Some(vae) = self.autoencoder(KindName::Variational) {
            let samples = vae.sample(40, 2024)?;
            figures.push(plot::image_grid(
                "family_vae_samples",
                "New digits: codes drawn from the prior N(0, I), decoded",
                &samples,
                10,
            ));
            let (mu, labels) = (vae.encode(&test.x)?, test.y.to_vec());
            figures.push(plot::scatter_by_class(
                "family_latent_map",
                "The VAE's test codes (μ), projected on their first two principal components",
                &pca_2d(&mu)?,
                &labels,
            ));
            let mut rows = Vec::new();
            let (a, b) = first_of_each(test, 3, 8);
            let ends = test.x.select(Axis(0), &[a, b]);
            for kind in [KindName::Vanilla, KindName::Variational] {
                if let Some(ae) = self.autoencoder(kind) {
                    let codes = ae.encode(&ends)?;
                    let steps = 10;
                    let path = Array2::from_shape_fn((steps, codes.ncols()), |(i, j)| {
                        let t = i as f32 / (steps - 1) as f32;
                        (1.0 - t) * codes[[0, j]] + t * codes[[1, j]]
                    });
                    rows.push((kind.to_string(), ae.decode(&path)?));
                }
            }
            figures.push(plot::image_rows(
                "family_interpolation",
                "From a 3 to an 8 along a straight line between their codes",
                &rows,
            ));
        }
        Ok(figures)
    }
}

/// The index of the first test image of digit `a` and of digit `b`.
fn first_of_each(test: &Dataset, a: u8, b: u8) -> (usize, usize) {
    let first = |d: u8| test.y.iter().position(|&y| y == d).unwrap_or(0);
    (first(a), first(b))
}

/// x (n, d) projected on its first two principal components (linfa's PCA), (n, 2).
pub fn pca_2d(x: &Array2<f32>) -> Result<Array2<f32>> {
    use linfa::traits::{Fit, Predict};
    let records = x.mapv(f64::from);
    let dataset = linfa::DatasetBase::from(records.clone());
    let pca = linfa_reduction::Pca::params(2)
        .fit(&dataset)
        .map_err(|e| Error::Pca { reason: e.to_string() })?;
    let projected: Array2<f64> = pca.predict(&records);
    Ok(projected.mapv(|v| v as f32))
}
