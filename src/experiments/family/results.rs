//! What the family comparison measured, and its table.

use serde::{Deserialize, Serialize};

use super::{FamilyConfig, Variant};
use crate::experiments::kind::KindName;
use crate::output::report::percent;
use crate::train::History;

/// How one classifier did with every label and with only the scarce ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassifierScores {
    /// MLP trained on every labelled training image (55,000): test accuracy.
    pub mlp: f32,
    /// k-NN over every labelled training image: test accuracy (`None` where not measured).
    pub knn: Option<f32>,
    /// MLP trained on the scarce labelled images only: test accuracy.
    pub scarce_mlp: f32,
    /// k-NN over the scarce labelled images only: test accuracy.
    pub scarce_knn: f32,
    /// Labels spread from the scarce labelled images to every training image, then an MLP
    /// trained on those: test accuracy (`None` where not measured).
    pub scarce_spread: Option<f32>,
}

/// One autoencoder's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantResult {
    /// The variant as configured.
    pub variant: Variant,
    /// Reconstruction MSE on the 10,000 test images (per pixel).
    pub test_mse: f32,
    /// Reconstruction BCE on the test images (per pixel).
    pub test_bce: f32,
    /// MSE between the reconstructions of the noisy test images and the clean ones.
    pub noisy_test_mse: f32,
    /// Median training seconds per epoch.
    pub seconds_per_epoch: f64,
    /// The classifiers on its codes.
    pub codes: ClassifierScores,
    /// Training history (loss as the kind defines it, validation on the clean test images).
    pub history: History,
}

/// Everything the comparison measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyResults {
    /// The configuration.
    pub config: FamilyConfig,
    /// One result per variant, in config order.
    pub variants: Vec<VariantResult>,
    /// The same classifiers on raw pixels (no k-NN over every training image: 784-d distances to every
    /// training image cost far more than the table is worth).
    pub raw: ClassifierScores,
    /// MSE between the noisy test images and the clean ones (the noise itself).
    pub noisy_input_mse: f32,
    /// Number of labelled images in the label-scarce setting.
    pub scarce_labels: usize,
    /// Wall seconds of the whole comparison.
    pub total_seconds: f64,
}

impl FamilyResults {
    /// The variant whose label is `label`.
    pub fn variant(&self, label: &str) -> Option<&VariantResult> {
        self.variants.iter().find(|v| v.variant.label == label)
    }

    /// The first variant of a kind.
    pub fn of_kind(&self, kind: KindName) -> Option<&VariantResult> {
        self.variants.iter().find(|v| v.variant.kind_name() == kind)
    }

    /// The best accuracy with scarce labels over every variant and classifier, as
    /// (label, classifier, accuracy).
    pub fn best_scarce(&self) -> Option<(String, &'static str, f32)> {
        self.variants
            .iter()
            .flat_map(|v| {
                let spread = v.codes.scarce_spread.unwrap_or(0.0);
                [
                    ("MLP", v.codes.scarce_mlp),
                    ("k-NN", v.codes.scarce_knn),
                    ("label spreading → MLP", spread),
                ]
                .map(|(c, a)| (v.variant.label.clone(), c, a))
            })
            .max_by(|a, b| a.2.total_cmp(&b.2))
    }

    /// The comparison as a Markdown table, raw pixels last.
    pub fn table(&self) -> String {
        let k = self.config.knn_k;
        let n = self.scarce_labels;
        let mut t = format!(
            "| autoencoder | test MSE | test BCE | noisy test → clean MSE | s / epoch | codes → MLP | codes → {k}-NN | {n} labels: MLP | {n} labels: {k}-NN | {n} labels: spreading → MLP |\n|---|---|---|---|---|---|---|---|---|---|\n"
        );
        for v in &self.variants {
            t += &format!(
                "| {} | {:.5} | {:.4} | {:.5} | {:.2} | {} | {} | {} | {} | {} |\n",
                v.variant.label,
                v.test_mse,
                v.test_bce,
                v.noisy_test_mse,
                v.seconds_per_epoch,
                percent(v.codes.mlp),
                v.codes.knn.map_or("–".into(), percent),
                percent(v.codes.scarce_mlp),
                percent(v.codes.scarce_knn),
                v.codes.scarce_spread.map_or("–".into(), percent),
            );
        }
        let r = &self.raw;
        t += &format!(
            "| *raw pixels (no autoencoder)* | – | – | {:.5} | – | {} | {} | {} | {} | {} |\n",
            self.noisy_input_mse,
            percent(r.mlp),
            r.knn.map_or("–".into(), percent),
            percent(r.scarce_mlp),
            percent(r.scarce_knn),
            r.scarce_spread.map_or("–".into(), percent),
        );
        t
    }
}
