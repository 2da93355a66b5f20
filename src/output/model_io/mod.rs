//! Saving and loading a trained study's models, so they can be evaluated or reused without
//! training again.
//!
//! A saved model is one JSON file (`model.json`), written atomically. It starts with its
//! format name and version, then holds everything needed to use the models again, and ends
//! with a checksum:
//!
//! ```text
//! { "format": "ae-mlp-model", "version": 1, "crate_version": "0.1.0",
//!   "config": { … StudyConfig … },
//!   "autoencoder": { "encoder": …, "decoder": …, "loss": "Mse" },
//!   "scaler": { "mean": …, "std": … } | null,
//!   "codes_mlp": { "stack": … },
//!   "raw_mlp": { "stack": … } | null,
//!   "sha256": "…" }                    // of the JSON of every other field
//! ```
//!
//! JSON keeps every `f32` exactly: serde_json writes the shortest decimal that reads back as
//! the same float, so a save and a load give bit-identical weights and predictions. Weights
//! are checked to be finite before saving (JSON has no NaN), and a loaded file is checked
//! before it is trusted — format, version, that every shape chains, and the checksum (which
//! catches a changed digit that still parses) — so a truncated, corrupted, foreign or edited
//! file gives an [`Error::Model`] naming the file and the fix, never a panic or a model that
//! fails later.
//!
//! - [`parse`]: reading a file, each kind of bad file named;
//! - [`check`]: that the models fit together (shapes, classes, finite numbers);
//! - [`usage`]: codes, predictions and scores of a loaded model.

pub mod check;
pub mod parse;
pub mod usage;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The one IDX images reader, for `reconstruct --images FILE`.
pub use crate::data::read_idx_images;
use crate::error::{Error, Result};
use crate::experiments::study::{Study, StudyConfig};
use crate::models::autoencoder::Autoencoder;
use crate::models::mlp::Mlp;
use crate::models::scale::Standardizer;
pub use usage::ModelEvaluation;

/// The `format` field of every saved model, so a loader can tell a model from any other JSON.
pub const FORMAT: &str = "ae-mlp-model";
/// The layout version this build writes and reads. Bumped whenever the layout changes, so an
/// old build refuses a newer file with a clear message instead of misreading it.
pub const VERSION: u32 = 1;
/// The file name `--save DIR` writes inside DIR.
pub const FILE_NAME: &str = "model.json";

/// A trained study's models with the config that produced them: what `--save` writes and
/// `evaluate` / `reconstruct` load. Its fields, in this order, are what the file's SHA-256
/// covers (see [`SavedModel::from_json`]), so a changed byte that still parses is caught too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// Always [`FORMAT`]: tells a model file from any other JSON.
    pub format: String,
    /// The layout version ([`VERSION`] when written by this build).
    pub version: u32,
    /// Version of the ae-mlp crate that wrote the file, for provenance.
    pub crate_version: String,
    /// The study configuration the models were trained with (seed included).
    pub config: StudyConfig,
    /// Pixels → code → pixels.
    pub autoencoder: Autoencoder,
    /// The standardiser applied to codes before the codes MLP, when the study used one.
    pub scaler: Option<Standardizer>,
    /// The classifier on (standardised) codes.
    pub codes_mlp: Mlp,
    /// The classifier on raw pixels, when the study trained it.
    pub raw_mlp: Option<Mlp>,
}

/// The file as written and read: a model's fields with the SHA-256 of their JSON after them.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stamped<M> {
    #[serde(flatten)]
    model: M,
    sha256: String,
}

impl SavedModel {
    /// Gathers a study's trained models and config (copies; the study is left as it is).
    /// Training-only buffers (last gradients) are dropped, so the result equals what a load
    /// of its file gives.
    pub fn from_study(study: &Study) -> Self {
        SavedModel::new(
            study.results.config.clone(),
            study.autoencoder.clone(),
            study.scaler.clone(),
            study.codes_mlp.clone(),
            study.raw_mlp.clone(),
        )
    }

    /// Packs models and their config under the current format name and version.
    pub fn new(
        config: StudyConfig,
        autoencoder: Autoencoder,
        scaler: Option<Standardizer>,
        codes_mlp: Mlp,
        raw_mlp: Option<Mlp>,
    ) -> Self {
        let mut model = SavedModel {
            format: FORMAT.to_string(),
            version: VERSION,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            config,
            autoencoder,
            scaler,
            codes_mlp,
            raw_mlp,
        };
        model.canonicalize();
        model
    }

    /// The models as JSON bytes, after checking they fit together and are finite (JSON
    /// cannot hold NaN or infinity). `path` only names the file in errors.
    pub fn to_json(&self, path: &Path) -> Result<Vec<u8>> {
        self.check().map_err(|problem| Error::Model {
            path: path.to_path_buf(),
            problem: format!("cannot be saved: {problem}"),
            fix: "retrain (with a lower --learning-rate if training diverged) and save again"
                .into(),
        })?;
        let encode_err = |e: serde_json::Error| Error::Model {
            path: path.to_path_buf(),
            problem: format!("could not be encoded as JSON: {e}"),
            fix: "check that the data directory's path is valid UTF-8".into(),
        };
        let file = Stamped { model: self, sha256: self.checksum().map_err(encode_err)? };
        serde_json::to_vec(&file).map_err(encode_err)
    }

    /// Hex SHA-256 of the JSON of every field. JSON numbers round-trip exactly, so the same
    /// models always give the same text and the same hash.
    fn checksum(&self) -> serde_json::Result<String> {
        use sha2::{Digest, Sha256};
        Ok(hex::encode(Sha256::digest(serde_json::to_vec(self)?)))
    }

    /// Writes the model to `path` atomically (temporary file, then rename): a crash leaves
    /// the old file or none, never half of one.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = self.to_json(path)?;
        crate::output::write_atomic(path, &json)
    }

    /// Writes the model as `dir/model.json` (creating `dir`) and returns that path.
    pub fn save_in_dir(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(FILE_NAME);
        self.save(&path)?;
        Ok(path)
    }

    /// Loads and checks a model from `path`: a `model.json`, or a directory holding one.
    pub fn load(path: &Path) -> Result<SavedModel> {
        let file = if path.is_dir() { path.join(FILE_NAME) } else { path.to_path_buf() };
        let bytes = std::fs::read(&file).map_err(|e| {
            let problem = if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist".to_string()
            } else {
                format!("cannot be read ({e})")
            };
            Error::Model {
                path: file.clone(),
                problem,
                fix:
                    "pass --model the model.json (or its directory) written by `ae-mlp --save DIR`"
                        .into(),
            }
        })?;
        SavedModel::from_json(&bytes, &file)
    }
}

/// Saves a study's models as `dir/model.json` (atomically) and returns the path.
pub fn save_study(study: &Study, dir: &Path) -> Result<PathBuf> {
    SavedModel::from_study(study).save_in_dir(dir)
}
