//! Saving and loading a trained study's models, so they can be evaluated or reused without
//! training again.
//!
//! A saved model is one JSON file (`model.json`), written atomically. It starts with its
//! format name and version, then holds everything needed to use the models again:
//!
//! ```text
//! { "format": "ae-mlp-model", "version": 1, "crate_version": "0.1.0",
//!   "sha256": "…",                      // of the JSON of every other field
//!   "config": { … StudyConfig … },
//!   "autoencoder": { "encoder": …, "decoder": …, "loss": "Mse" },
//!   "scaler": { "mean": …, "std": … } | null,
//!   "codes_mlp": { "stack": … },
//!   "raw_mlp": { "stack": … } | null }
//! ```
//!
//! JSON keeps every `f32` exactly: serde_json writes the shortest decimal that reads back as
//! the same float, so a save and a load give bit-identical weights and predictions. Weights
//! are checked to be finite before saving (JSON has no NaN), and a loaded file is checked
//! before it is trusted — format, version, that every shape chains, and the checksum (which
//! catches a changed digit that still parses) — so a truncated, corrupted, foreign or edited
//! file gives an [`Error::Model`] naming the file and the fix, never a panic or a model that
//! fails later.

use std::io::Read;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, AsArray, Ix2};
use serde::{Deserialize, Serialize};

use crate::data::{parse_idx_images, DataError, Dataset, IMAGE_SIDE};
use crate::error::{Error, Result};
use crate::experiments::study::{Study, StudyConfig};
use crate::models::autoencoder::Autoencoder;
use crate::models::metrics::accuracy;
use crate::models::mlp::Mlp;
use crate::models::scale::Standardizer;
use crate::nn::{Dense, Layer, Stack};

/// The `format` field of every saved model, so a loader can tell a model from any other JSON.
pub const FORMAT: &str = "ae-mlp-model";
/// The layout version this build writes and reads. Bumped whenever the layout changes, so an
/// old build refuses a newer file with a clear message instead of misreading it.
pub const VERSION: u32 = 1;
/// The file name `--save DIR` writes inside DIR.
pub const FILE_NAME: &str = "model.json";

/// Largest number of classes a classifier may have: predictions are stored as `u8`.
const MAX_CLASSES: usize = 256;
/// Largest decompressed images file [`read_idx_images`] accepts (a guard against gzip bombs).
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// A trained study's models with the config that produced them: what `--save` writes and
/// `evaluate` / `reconstruct` load. On disk it also carries a SHA-256 of its contents (see
/// [`SavedModel::from_json`]), so a changed byte that still parses is caught too.
#[derive(Debug, Clone, PartialEq)]
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

/// What the checksum covers: every field but the checksum itself, in file order.
#[derive(Serialize)]
struct Contents<'a> {
    format: &'a str,
    version: u32,
    crate_version: &'a str,
    config: &'a StudyConfig,
    autoencoder: &'a Autoencoder,
    scaler: &'a Option<Standardizer>,
    codes_mlp: &'a Mlp,
    raw_mlp: &'a Option<Mlp>,
}

/// The file as written: identification first, then the checksum, then the contents.
#[derive(Serialize)]
struct FileOut<'a> {
    format: &'a str,
    version: u32,
    crate_version: &'a str,
    sha256: String,
    config: &'a StudyConfig,
    autoencoder: &'a Autoencoder,
    scaler: &'a Option<Standardizer>,
    codes_mlp: &'a Mlp,
    raw_mlp: &'a Option<Mlp>,
}

/// The file as read, once its format and version are known to be right.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    format: String,
    version: u32,
    crate_version: String,
    sha256: String,
    config: StudyConfig,
    autoencoder: Autoencoder,
    scaler: Option<Standardizer>,
    codes_mlp: Mlp,
    raw_mlp: Option<Mlp>,
}

/// A saved model's scores on a labelled dataset.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelEvaluation {
    /// Number of images scored.
    pub n: usize,
    /// Reconstruction MSE of the autoencoder over every pixel.
    pub reconstruction_mse: f32,
    /// Accuracy of the codes → MLP classifier.
    pub codes_accuracy: f32,
    /// Accuracy of the pixels → MLP classifier, when the model has one.
    pub raw_accuracy: Option<f32>,
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
            fix: "retrain (with a lower --learning-rate if training diverged) and save again".into(),
        })?;
        let encode_err = |e: serde_json::Error| Error::Model {
            path: path.to_path_buf(),
            problem: format!("could not be encoded as JSON: {e}"),
            fix: "check that the data directory's path is valid UTF-8".into(),
        };
        let file = FileOut {
            format: &self.format,
            version: self.version,
            crate_version: &self.crate_version,
            sha256: self.checksum().map_err(encode_err)?,
            config: &self.config,
            autoencoder: &self.autoencoder,
            scaler: &self.scaler,
            codes_mlp: &self.codes_mlp,
            raw_mlp: &self.raw_mlp,
        };
        serde_json::to_vec(&file).map_err(encode_err)
    }

    /// Hex SHA-256 of the JSON of every other field. JSON numbers round-trip
    /// exactly, so the same models always give the same text and the same hash.
    fn checksum(&self) -> serde_json::Result<String> {
        use sha2::{Digest, Sha256};
        let contents = Contents {
            format: &self.format,
            version: self.version,
            crate_version: &self.crate_version,
            config: &self.config,
            autoencoder: &self.autoencoder,
            scaler: &self.scaler,
            codes_mlp: &self.codes_mlp,
            raw_mlp: &self.raw_mlp,
        };
        let digest = Sha256::digest(serde_json::to_vec(&contents)?);
        Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
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
                fix: "pass --model the model.json (or its directory) written by `ae-mlp --save DIR`".into(),
            }
        })?;
        SavedModel::from_json(&bytes, &file)
    }

    /// Parses and checks a model from JSON bytes. `path` only names the file in errors.
    /// Checks, in order: that the bytes are JSON of a model ([`FORMAT`]), its version, that
    /// the whole layout parses, that every shape fits ([`SavedModel::check`]), and that the
    /// contents still hash to the recorded SHA-256.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<SavedModel> {
        let err = |problem: String, fix: &str| Error::Model { path: path.to_path_buf(), problem, fix: fix.into() };
        const RESAVE: &str = "save the model again with `ae-mlp --save DIR` (or restore the file from a copy)";

        /// Just the identifying fields, read first so a foreign or newer file is named as such.
        #[derive(Deserialize)]
        struct Header {
            format: Option<serde_json::Value>,
            version: Option<serde_json::Value>,
            autoencoder: Option<serde::de::IgnoredAny>,
            codes_mlp: Option<serde::de::IgnoredAny>,
            n_train: Option<serde::de::IgnoredAny>,
        }
        let header: Header = match serde_json::from_slice(bytes) {
            Ok(h) => h,
            Err(e) if e.is_eof() || (e.is_syntax() && ends_at_the_end(bytes, &e)) => {
                return Err(err(format!("is truncated ({} bytes; {e})", bytes.len()), RESAVE));
            }
            Err(e) if e.is_syntax() || e.is_io() => {
                return Err(err(format!("is not valid JSON, so it is corrupted or not a model ({e})"), RESAVE));
            }
            Err(e) => {
                return Err(err(
                    format!("is JSON but not an {FORMAT} file ({e})"),
                    "pass --model the model.json written by `ae-mlp --save DIR`",
                ))
            }
        };
        match &header.format {
            Some(serde_json::Value::String(f)) if f == FORMAT => {}
            other => {
                let found = match other {
                    Some(v) => format!("\"format\" is {v}"),
                    None if header.n_train.is_some() => "it looks like a study's results.json".to_string(),
                    None if header.autoencoder.is_some() || header.codes_mlp.is_some() => {
                        "it has models but no \"format\" field (a training cache file?)".to_string()
                    }
                    None => "it has no \"format\" field".to_string(),
                };
                return Err(err(
                    format!("is not an {FORMAT} file: {found}"),
                    "pass --model the model.json written by `ae-mlp --save DIR`",
                ));
            }
        }
        match header.version.as_ref().and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => {
                return Err(err(
                    format!(
                        "is {FORMAT} version {v}, but this build (ae-mlp {}) reads version {VERSION}",
                        env!("CARGO_PKG_VERSION")
                    ),
                    if v > u64::from(VERSION) {
                        "use the ae-mlp version that saved it, or save the model again with this one"
                    } else {
                        "save the model again with this version of ae-mlp"
                    },
                ));
            }
            None => {
                let found = header.version.map_or("missing".to_string(), |v| v.to_string());
                return Err(err(format!("has no valid \"version\" (found {found})"), RESAVE));
            }
        }

        let file: FileIn = serde_json::from_slice(bytes).map_err(|e| {
            err(format!("is corrupted: its layout does not match {FORMAT} version {VERSION} ({e})"), RESAVE)
        })?;
        let mut model = SavedModel {
            format: file.format,
            version: file.version,
            crate_version: file.crate_version,
            config: file.config,
            autoencoder: file.autoencoder,
            scaler: file.scaler,
            codes_mlp: file.codes_mlp,
            raw_mlp: file.raw_mlp,
        };
        model.check().map_err(|problem| err(format!("is inconsistent: {problem}"), RESAVE))?;
        let found = model.checksum().map_err(|e| err(format!("cannot be re-encoded to verify it ({e})"), RESAVE))?;
        if !found.eq_ignore_ascii_case(&file.sha256) {
            return Err(err(
                format!(
                    "is corrupted: its contents hash to SHA-256 {found} but the file records {} (bytes were changed after saving)",
                    file.sha256
                ),
                RESAVE,
            ));
        }
        model.canonicalize();
        Ok(model)
    }

    /// Checks that the models fit together and hold finite numbers; on failure, says what
    /// does not fit. Run on every load, so a model that loads can be used without a panic.
    pub fn check(&self) -> std::result::Result<(), String> {
        check_stack("the autoencoder's encoder", &self.autoencoder.encoder)?;
        check_stack("the autoencoder's decoder", &self.autoencoder.decoder)?;
        check_stack("the codes MLP", &self.codes_mlp.stack)?;
        let (inputs, latent) = (self.autoencoder.encoder.inputs(), self.autoencoder.latent());
        if self.autoencoder.decoder.inputs() != latent {
            return Err(format!(
                "the decoder takes {} inputs but the encoder's code has {latent} numbers",
                self.autoencoder.decoder.inputs()
            ));
        }
        if self.autoencoder.decoder.outputs() != inputs {
            return Err(format!(
                "the decoder outputs {} pixels but the encoder takes {inputs}",
                self.autoencoder.decoder.outputs()
            ));
        }
        let ae_config = &self.config.autoencoder;
        if (ae_config.inputs, ae_config.latent) != (inputs, latent) {
            return Err(format!(
                "the config describes a {} → {} autoencoder but the weights are {inputs} → {latent}",
                ae_config.inputs, ae_config.latent
            ));
        }
        if ae_config.kind != self.autoencoder.kind {
            return Err(format!(
                "the config describes a {} autoencoder but the weights are of a {} one",
                ae_config.kind.name(),
                self.autoencoder.kind.name()
            ));
        }
        match (&self.scaler, self.config.standardize_codes) {
            (Some(s), true) => {
                if s.mean.len() != latent || s.std.len() != latent {
                    return Err(format!(
                        "the standardiser has {} means and {} deviations but the code has {latent} numbers",
                        s.mean.len(),
                        s.std.len()
                    ));
                }
                if !s.mean.iter().all(|v| v.is_finite()) || !s.std.iter().all(|v| v.is_finite() && *v > 0.0) {
                    return Err("the standardiser holds a non-finite mean or a deviation that is not positive".into());
                }
            }
            (None, false) => {}
            (Some(_), false) => {
                return Err("it has a standardiser but its config says codes are not standardised".into())
            }
            (None, true) => return Err("its config standardises codes but it has no standardiser".into()),
        }
        check_classifier("the codes MLP", &self.codes_mlp, latent, self.config.codes_mlp.classes)?;
        if let Some(raw) = &self.raw_mlp {
            check_stack("the pixels MLP", &raw.stack)?;
            check_classifier("the pixels MLP", raw, inputs, self.config.raw_mlp.classes)?;
        }
        Ok(())
    }

    /// Rebuilds every layer from its weights alone, so the models carry no training-only
    /// state (stale gradients, buffers) and compare equal to a freshly loaded copy.
    fn canonicalize(&mut self) {
        let strip = |stack: &mut Stack| {
            let layers = stack
                .layers
                .iter()
                .map(|l| Layer {
                    dense: Dense::from_parameters(l.dense.w.clone(), l.dense.b.clone()),
                    activation: l.activation,
                })
                .collect();
            *stack = Stack::from_layers(layers);
        };
        strip(&mut self.autoencoder.encoder);
        strip(&mut self.autoencoder.decoder);
        strip(&mut self.codes_mlp.stack);
        if let Some(raw) = &mut self.raw_mlp {
            strip(&mut raw.stack);
        }
    }

    /// Number of input pixels the models take (784 for MNIST).
    pub fn inputs(&self) -> usize {
        self.autoencoder.encoder.inputs()
    }

    /// The features the codes MLP sees: codes of x (n, inputs), standardised if the study did.
    pub fn codes<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array2<f32>> {
        let codes = self.autoencoder.encode(x)?;
        match &self.scaler {
            Some(s) => s.transform(codes.view()),
            None => Ok(codes),
        }
    }

    /// The class the codes MLP predicts for every image of x (n, inputs).
    pub fn predict<'a>(&self, x: impl AsArray<'a, f32, Ix2>) -> Result<Array1<u8>> {
        self.codes_mlp.predict(&self.codes(x)?)
    }

    /// Reconstruction MSE and accuracies on a labelled dataset (e.g. the test set), computed
    /// the way the study computes them, so a loaded model reproduces the study's numbers.
    pub fn evaluate(&self, data: &Dataset) -> Result<ModelEvaluation> {
        if data.x.ncols() != self.inputs() {
            return Err(Error::shape(
                "SavedModel::evaluate (images)",
                format!("(n, {}) as the model was trained on", self.inputs()),
                format!("{:?}", data.x.shape()),
            ));
        }
        let raw_accuracy = match &self.raw_mlp {
            Some(raw) => Some(accuracy(&raw.predict(&data.x)?, &data.y)?),
            None => None,
        };
        Ok(ModelEvaluation {
            n: data.len(),
            reconstruction_mse: self.autoencoder.reconstruction_mse(&data.x)?,
            codes_accuracy: accuracy(&self.predict(&data.x)?, &data.y)?,
            raw_accuracy,
        })
    }
}

/// Saves a study's models as `dir/model.json` (atomically) and returns the path.
pub fn save_study(study: &Study, dir: &Path) -> Result<PathBuf> {
    SavedModel::from_study(study).save_in_dir(dir)
}

/// True if a JSON error was found at the very end of the input: a file cut in the middle of a
/// number (`0.12e`, `-`) fails there as a syntax error, but it is a truncation all the same.
fn ends_at_the_end(bytes: &[u8], e: &serde_json::Error) -> bool {
    let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count();
    let last_line = bytes.iter().rposition(|&b| b == b'\n').map_or(bytes.len(), |i| bytes.len() - i - 1);
    e.line() == lines && e.column() >= last_line
}

/// Checks that a stack has layers, that each layer's bias fits its weights, that each layer
/// takes what the one below gives, and that every number is finite.
fn check_stack(what: &str, stack: &Stack) -> std::result::Result<(), String> {
    if stack.layers.is_empty() {
        return Err(format!("{what} has no layers"));
    }
    let mut below: Option<usize> = None;
    for (i, layer) in stack.layers.iter().enumerate() {
        let (w, b) = (&layer.dense.w, &layer.dense.b);
        let n = i + 1;
        if w.nrows() == 0 || w.ncols() == 0 {
            return Err(format!("{what}: layer {n} has an empty weight matrix ({}x{})", w.nrows(), w.ncols()));
        }
        if b.len() != w.ncols() {
            return Err(format!("{what}: layer {n} has {} outputs but {} biases", w.ncols(), b.len()));
        }
        if let Some(prev) = below {
            if w.nrows() != prev {
                return Err(format!(
                    "{what}: layer {n} takes {} inputs but layer {} gives {prev}; the layer shapes do not chain",
                    w.nrows(),
                    n - 1
                ));
            }
        }
        if !w.iter().chain(b.iter()).all(|v| v.is_finite()) {
            return Err(format!("{what}: layer {n} holds NaN or infinite weights"));
        }
        below = Some(w.ncols());
    }
    Ok(())
}

/// Checks a classifier's input width and its number of classes.
fn check_classifier(what: &str, mlp: &Mlp, inputs: usize, classes: usize) -> std::result::Result<(), String> {
    if mlp.stack.inputs() != inputs {
        return Err(format!(
            "{what} takes {} inputs but is fed {inputs} (the autoencoder's {})",
            mlp.stack.inputs(),
            if what.contains("codes") { "code size" } else { "pixels" }
        ));
    }
    let out = mlp.classes();
    if !(2..=MAX_CLASSES).contains(&out) || out != classes {
        return Err(format!("{what} has {out} outputs but its config says {classes} classes (2 to {MAX_CLASSES})"));
    }
    Ok(())
}

/// Reads an IDX images file (raw or gzip) of 28×28 images into (n, 784) pixels in [0, 1],
/// for reconstructing images that are not in the study's data. Every failure is an error
/// naming the file; nothing from the header is allocated before the bytes are known to exist.
pub fn read_idx_images(path: &Path) -> Result<Array2<f32>> {
    let raw = std::fs::read(path).map_err(|source| DataError::Io { path: path.to_path_buf(), source })?;
    let named_gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let bytes = if named_gz || raw.starts_with(&[0x1f, 0x8b]) { gunzip(&raw, path)? } else { raw };
    let (n, rows, cols, pixels) = parse_idx_images(&bytes, path)?;
    if n == 0 {
        return Err(DataError::Empty { path: path.to_path_buf() }.into());
    }
    if (rows, cols) != (IMAGE_SIDE, IMAGE_SIDE) {
        return Err(Error::Input {
            path: path.to_path_buf(),
            problem: format!("holds {rows}x{cols} images, but the models take 28x28 digits"),
            fix: "pass an IDX images file of 28x28 images (MNIST layout)".into(),
        });
    }
    let x: Vec<f32> = pixels.iter().map(|&b| f32::from(b) / 255.0).collect();
    Array2::from_shape_vec((n, rows * cols), x)
        .map_err(|e| Error::shape("read_idx_images", format!("{n} x {}", rows * cols), e.to_string()))
}

/// Decompresses a gzip file, refusing more than [`MAX_DECOMPRESSED`] bytes of output.
fn gunzip(raw: &[u8], path: &Path) -> Result<Vec<u8>, DataError> {
    let gz_err = |reason: String| DataError::Gzip { path: path.to_path_buf(), reason };
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(raw)
        .take(MAX_DECOMPRESSED + 1)
        .read_to_end(&mut out)
        .map_err(|e| gz_err(e.to_string()))?;
    if out.len() as u64 > MAX_DECOMPRESSED {
        return Err(gz_err(format!("decompresses to more than {MAX_DECOMPRESSED} bytes")));
    }
    Ok(out)
}
