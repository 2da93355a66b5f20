//! Reading a model file: each kind of bad file — truncated, not JSON, foreign, of another
//! version, of another layout, inconsistent or edited — is named as such, with its fix.

use std::path::Path;

use serde::Deserialize;

use super::{SavedModel, Stamped, FORMAT, VERSION};
use crate::error::{Error, Result};

impl SavedModel {
    /// Parses and checks a model from JSON bytes. `path` only names the file in errors.
    /// Checks, in order: that the bytes are JSON of a model ([`FORMAT`]), its version, that
    /// the whole layout parses, that every shape fits ([`SavedModel::check`]), and that the
    /// contents still hash to the recorded SHA-256.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<SavedModel> {
        let err = |problem: String, fix: &str| Error::Model {
            path: path.to_path_buf(),
            problem,
            fix: fix.into(),
        };
        const RESAVE: &str =
            "save the model again with `ae-mlp --save DIR` (or restore the file from a copy)";

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
                return Err(err(
                    format!("is not valid JSON, so it is corrupted or not a model ({e})"),
                    RESAVE,
                ));
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
                    None if header.n_train.is_some() => {
                        "it looks like a study's results.json".to_string()
                    }
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

        let file: Stamped<SavedModel> = serde_json::from_slice(bytes).map_err(|e| {
            err(
                format!("is corrupted: its layout does not match {FORMAT} version {VERSION} ({e})"),
                RESAVE,
            )
        })?;
        let mut model = file.model;
        model.check().map_err(|problem| err(format!("is inconsistent: {problem}"), RESAVE))?;
        let found = model
            .checksum()
            .map_err(|e| err(format!("cannot be re-encoded to verify it ({e})"), RESAVE))?;
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
}

/// True if a JSON error was found at the very end of the input: a file cut in the middle of a
/// number (`0.12e`, `-`) fails there as a syntax error, but it is a truncation all the same.
fn ends_at_the_end(bytes: &[u8], e: &serde_json::Error) -> bool {
    let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count();
    let last_line =
        bytes.iter().rposition(|&b| b == b'\n').map_or(bytes.len(), |i| bytes.len() - i - 1);
    e.line() == lines && e.column() >= last_line
}
