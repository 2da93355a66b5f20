//! One error type for the whole crate: every message names the problem and the fix.

use std::path::PathBuf;

/// Everything that can go wrong when a user drives the library with their own data or settings.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A data file is missing, unreadable or not what it claims to be.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),

    /// A hyperparameter is out of its valid range (checked when the params are built).
    #[error("invalid hyperparameter `{name}` = {value}: {reason}")]
    InvalidParam {
        /// The parameter's name as the user sets it.
        name: &'static str,
        /// The offending value, printed.
        value: String,
        /// What is allowed, and therefore how to fix it.
        reason: String,
    },

    /// Training produced a NaN or infinite loss.
    #[error(
        "training diverged in epoch {epoch}: the {what} loss became {value}; \
         lower the learning rate or check the inputs for NaN/Inf"
    )]
    Diverged {
        /// 1-based epoch in which the loss stopped being finite.
        epoch: usize,
        /// Which loss (train or validation).
        what: &'static str,
        /// The non-finite value.
        value: f32,
    },

    /// Arrays of the wrong shape were passed in.
    #[error("shape mismatch in {context}: expected {expected}, got {got}")]
    Shape {
        /// Where the mismatch was found.
        context: &'static str,
        /// The shape that was expected.
        expected: String,
        /// The shape that was given.
        got: String,
    },

    /// Writing an output file failed.
    #[error("could not write {path}: {source}; check that the directory is writable")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// Results could not be encoded as JSON (a value serde_json cannot represent).
    #[error("could not encode {path} as JSON: {source}; the results hold a value JSON cannot represent, report it")]
    Json {
        /// The file that was to be written.
        path: PathBuf,
        /// What serde_json said.
        source: serde_json::Error,
    },

    /// A step that learns from labels was given a dataset without them.
    #[error("{context} needs labels, but the dataset has none; pass a dataset with targets (e.g. `to_linfa(x, y)`)")]
    MissingLabels {
        /// The step that needs them.
        context: &'static str,
    },

    /// A step that learns from data was given none.
    #[error("{context} got no rows; pass at least one sample")]
    EmptyData {
        /// The step that got them.
        context: &'static str,
    },

    /// A saved model cannot be used: missing, unreadable, truncated or corrupted, of another
    /// format or version, or with shapes that do not fit together.
    #[error("model file {}: {problem}; {fix}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// How to get a usable model.
        fix: String,
    },

    /// An input file given to a model (e.g. images to reconstruct) does not fit the model.
    #[error("{}: {problem}; {fix}", path.display())]
    Input {
        /// The input file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// How to fix the input.
        fix: String,
    },

    /// A linfa model refused its data or settings (see [`crate::models::linfa_api`]).
    #[error("linfa: {0}; check the dataset's shape and the model's settings")]
    Linfa(#[from] linfa::Error),

    /// candle (the `candle` feature's framework) failed; see [`crate::candle`].
    #[cfg(feature = "candle")]
    #[error(
        "candle: {0}; check the shapes and the device (CPU unless built with `--features cuda`)"
    )]
    Candle(#[from] candle_core::Error),

    /// A classical baseline from another library (linfa-reduction, linfa-logistic, linfa-nn,
    /// smartcore) failed; see [`crate::experiments::baselines`].
    #[error("baseline `{method}` failed in {library}: {reason}")]
    Baseline {
        /// The method, as the results table names it.
        method: String,
        /// The library that reported the failure.
        library: &'static str,
        /// What it said.
        reason: String,
    },

    /// linfa-reduction's PCA could not project the codes (for the VAE's latent map).
    #[error("PCA (linfa-reduction) failed: {reason}; it needs at least 2 rows and 2 columns of finite values")]
    Pca {
        /// What linfa-reduction said.
        reason: String,
    },

    /// A figure was asked for by a name that was not drawn.
    #[error("no figure `{name}`; the figures drawn for the kinds trained are: {}", available.join(", "))]
    NoSuchFigure {
        /// The name asked for.
        name: String,
        /// The names of the figures there are.
        available: Vec<String>,
    },

    /// Drawing a figure failed.
    #[error("could not draw figure `{figure}`: {reason}")]
    Plot {
        /// The figure's name.
        figure: String,
        /// What the plotting backend said.
        reason: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for an [`Error::InvalidParam`].
    pub fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidParam { name, value: value.to_string(), reason: reason.into() }
    }

    /// Shorthand for an [`Error::Shape`].
    pub fn shape(
        context: &'static str,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        Error::Shape { context, expected: expected.into(), got: got.into() }
    }
}
