//! The study's figures and the files it writes.

use std::path::{Path, PathBuf};

use ndarray::s;

use super::Study;
use crate::error::Result;
use crate::experiments::pipeline::write_json;
use crate::output::plot::{self, Figure, Series};

impl Study {
    /// The study's four figures: autoencoder loss, MLP accuracy, reconstructions, confusion matrix.
    pub fn figures(&self) -> Result<Vec<Figure>> {
        let r = &self.results;
        let ae = &r.autoencoder.history;
        let loss_name = self.autoencoder.loss.name();
        // The curve follows the validation split, or the test set when none is held out.
        let watched =
            if r.config.validation == 0 { "test set (no validation split)" } else { "validation" };
        let ae_loss = plot::line_chart(
            "autoencoder_loss",
            &format!("Autoencoder reconstruction loss ({loss_name})"),
            "epoch",
            loss_name,
            &[
                Series::per_epoch("training", &ae.train_loss()),
                Series::per_epoch(watched, &ae.val_loss()),
            ],
        );
        let mut series = vec![
            Series::per_epoch("codes → MLP, training", &r.codes_mlp.history.train_accuracy()),
            Series::per_epoch("codes → MLP, validation", &r.codes_mlp.history.val_accuracy()),
        ];
        if let Some(raw) = &r.raw_mlp {
            series.push(Series::per_epoch("pixels → MLP, training", &raw.history.train_accuracy()));
            series.push(Series::per_epoch("pixels → MLP, validation", &raw.history.val_accuracy()));
        }
        let mlp_accuracy = plot::line_chart(
            "mlp_accuracy",
            "MLP accuracy per epoch",
            "epoch",
            "accuracy",
            &series,
        );
        let originals = self.data.test.x.slice(s![..10, ..]).to_owned();
        let reconstructions = self.autoencoder.reconstruct(&originals)?;
        let recon = plot::image_rows(
            "reconstructions",
            &format!(
                "Test digits (top) and their reconstructions from {} numbers (bottom)",
                self.autoencoder.latent()
            ),
            &[("original".to_string(), originals), ("reconstruction".to_string(), reconstructions)],
        );
        let labels: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        let confusion = plot::confusion_heatmap(
            "confusion_matrix",
            &format!(
                "codes → MLP on the test set: accuracy {:.2} %",
                100.0 * r.codes_mlp.test_accuracy
            ),
            &r.codes_mlp.confusion.counts,
            &labels,
        );
        Ok(vec![ae_loss, mlp_accuracy, recon, confusion])
    }

    /// Writes `results.json` and every figure (PNG and SVG) into `dir`; returns the paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let mut written = vec![self.write_results(dir)?];
        for figure in self.figures()? {
            written.extend(figure.save(dir)?);
        }
        Ok(written)
    }

    /// Writes `results.json` alone into `dir`; returns its path.
    pub fn write_results(&self, dir: &Path) -> Result<PathBuf> {
        write_json(&dir.join("results.json"), &self.results)
    }
}
