//! The steps every experiment is made of, and the one way they are run.
//!
//! The study, the family comparison and the few-label runs are configurations of one
//! pipeline: load the data, train an autoencoder, encode (and standardise) its codes, fit a
//! classifier and score it, with all the labels or with a few. Each experiment implements
//! [`Experiment`] once; [`run`] and [`run_cached`] load the data and drive it the same way for
//! all of them, and one [`Observer`] type hears the progress of every model they train.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::data::{Dataset, Mnist};
use crate::error::{Error, Result};
use crate::models::autoencoder::{Autoencoder, AutoencoderParams};
use crate::models::metrics::accuracy;
use crate::models::mlp::{Mlp, MlpParams};
use crate::models::scale::Standardizer;
use crate::output::cache::fingerprint;
use crate::train::{Event, History};

/// Which labels a classifier learns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labels {
    /// Every labelled training image.
    All,
    /// `per_class` labelled images of each class (drawn with `seed`).
    Few {
        /// Labelled images per class.
        per_class: usize,
        /// The seed that drew them.
        seed: u64,
    },
    /// Labels spread from the few labelled images to every training image.
    Spread,
}

/// The model a progress event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage<'a> {
    /// Training the autoencoder of this label (the study's is `"autoencoder"`).
    Autoencoder(&'a str),
    /// Training an MLP on these features (`"codes"`, `"pixels"`, or an autoencoder's label).
    Classifier {
        /// What the MLP sees.
        features: &'a str,
        /// Which labels it learns from.
        labels: Labels,
    },
}

impl Stage<'_> {
    /// A short label for progress bars and logs: `autoencoder`, `codes → MLP`, `pixels → MLP, 1,000 labels`.
    pub fn label(&self) -> String {
        match *self {
            Stage::Autoencoder(label) => label.to_string(),
            Stage::Classifier { features, labels: Labels::All } => format!("{features} → MLP"),
            Stage::Classifier { features, labels: Labels::Few { per_class, seed } } => {
                format!("{features} → MLP, {per_class} labels per class (seed {seed})")
            }
            Stage::Classifier { features, labels: Labels::Spread } => {
                format!("{features} → MLP, spread labels")
            }
        }
    }
}

/// What every experiment reports its progress to: every batch and epoch of every model, with
/// the [`Stage`] that names the model.
pub type Observer<'o> = dyn FnMut(Stage<'_>, Event<'_>) + 'o;

/// An observer that ignores everything.
pub fn quiet(_: Stage<'_>, _: Event<'_>) {}

/// An experiment: a config in, trained models and measurements out, on the data its config
/// names. [`run`] and [`run_cached`] drive every experiment the same way.
pub trait Experiment: Sized {
    /// Everything that decides the experiment's numbers (the cache key).
    type Config: Serialize;
    /// What the experiment trains and measures: everything but the data, which reloads in a
    /// fraction of a second (and is what the cache stores).
    type Trained: Serialize + DeserializeOwned;
    /// The cache entry's name.
    const NAME: &'static str;

    /// Checks every setting before any work starts.
    fn check(config: &Self::Config) -> Result<()>;
    /// The data directory the config names: `None` for the bundled, checksummed MNIST.
    fn data_dir(config: &Self::Config) -> Option<&Path>;
    /// How many training images the config holds out for validation (0: none, and the
    /// models are watched on the test set, as in the original notebook).
    fn validation(config: &Self::Config) -> usize;
    /// Trains and measures on `data`. `cache` is where intermediate results that depend on
    /// the data alone (a k-NN graph of the pixels) may be kept between runs, if anywhere.
    fn train(
        config: &Self::Config,
        data: &Mnist,
        cache: Option<&Path>,
        observer: &mut Observer<'_>,
    ) -> Result<Self::Trained>;
    /// The experiment, from what it trained and the data it trained on.
    fn assemble(trained: Self::Trained, data: Mnist) -> Self;
}

/// Runs `E` with `config` on the data it names. `observer` sees every batch and epoch of every model.
pub fn run<E: Experiment>(config: &E::Config, observer: &mut Observer<'_>) -> Result<E> {
    E::check(config)?;
    let data = load_data(E::data_dir(config), E::validation(config))?;
    let trained = E::train(config, &data, None, observer)?;
    Ok(E::assemble(trained, data))
}

/// Like [`run`], but reuses what an earlier run with the same config and the same library
/// source stored in `cache_dir`, and stores a new run there (see [`crate::output::cache`]).
/// Tests and notebooks share one training this way; a fresh checkout trains for real.
pub fn run_cached<E: Experiment>(
    config: &E::Config,
    cache_dir: &Path,
    observer: &mut Observer<'_>,
) -> Result<E> {
    E::check(config)?;
    let data = load_data(E::data_dir(config), E::validation(config))?;
    let trained = crate::output::cache::cached(cache_dir, E::NAME, config, || {
        E::train(config, &data, Some(cache_dir), observer)
    })?;
    Ok(E::assemble(trained, data))
}

/// The data a config names: `None` for the bundled, checksummed MNIST, else an MNIST-layout
/// directory; with `validation` of its training images held out (see [`Mnist::with_validation`]).
pub fn load_data(dir: Option<&Path>, validation: usize) -> Result<Mnist> {
    let data = match dir {
        None => Mnist::load_bundled(),
        Some(dir) => Mnist::load_dir(dir),
    }?;
    data.with_validation(validation)
}

/// Writes `value` as pretty JSON to `path` (atomically): how every experiment records its
/// results. Returns the path.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<PathBuf> {
    let json = serde_json::to_vec_pretty(value)
        .map_err(|source| Error::Json { path: path.to_path_buf(), source })?;
    crate::output::write_atomic(path, &json)?;
    Ok(path.to_path_buf())
}

/// Trains an autoencoder on the training images, watching its reconstruction of the
/// validation images (see [`Mnist::watched`]). With a `cache`, the same settings are trained
/// once on the same images, whichever experiment asks: the study's autoencoder of a seed is
/// the family's vanilla one.
pub fn train_autoencoder(
    params: &AutoencoderParams,
    data: &Mnist,
    label: &str,
    cache: Option<&Path>,
    observer: &mut Observer<'_>,
) -> Result<(Autoencoder, History)> {
    let (train, watched) = (data.train.x.view(), data.watched().x.view());
    let mut fit =
        || params.fit(train, Some(watched), &mut |e| observer(Stage::Autoencoder(label), e));
    match cache {
        None => fit(),
        Some(dir) => {
            let key = (params, fingerprint(train), fingerprint(watched));
            crate::output::cache::cached(dir, "autoencoder", &key, fit)
        }
    }
}

/// Features of the training, validation and test images for a classifier: an autoencoder's
/// codes (with the standardiser fitted on the training codes, when asked for) or the raw pixels.
pub struct Codes<'a> {
    /// Features of the training images, as learned (not standardised).
    pub train: Cow<'a, Array2<f32>>,
    /// Features of the images the classifier is watched on ([`Mnist::watched`]), as learned.
    pub watched: Cow<'a, Array2<f32>>,
    /// Features of the test images, as learned.
    pub test: Cow<'a, Array2<f32>>,
    /// Fitted on the training codes; the MLPs see standardised codes, distances the codes as learned.
    pub scaler: Option<Standardizer>,
}

impl<'a> Codes<'a> {
    /// The codes `autoencoder` gives every image of `data`, standardised for the MLPs if `standardize`.
    pub fn encode(autoencoder: &Autoencoder, data: &Mnist, standardize: bool) -> Result<Codes<'a>> {
        let train = autoencoder.encode(&data.train.x)?;
        let watched = autoencoder.encode(&data.watched().x)?;
        let test = autoencoder.encode(&data.test.x)?;
        let scaler = if standardize { Some(Standardizer::fit(train.view())?) } else { None };
        Ok(Codes {
            train: Cow::Owned(train),
            watched: Cow::Owned(watched),
            test: Cow::Owned(test),
            scaler,
        })
    }

    /// The raw pixels as features (nothing to standardise: they are already in [0, 1]).
    pub fn pixels(data: &'a Mnist) -> Codes<'a> {
        let (train, watched, test) = (&data.train.x, &data.watched().x, &data.test.x);
        Codes {
            train: Cow::Borrowed(train),
            watched: Cow::Borrowed(watched),
            test: Cow::Borrowed(test),
            scaler: None,
        }
    }

    /// `x` as the MLPs see it: standardised if these codes are.
    pub fn for_mlp<'x>(&self, x: &'x Array2<f32>) -> Result<Cow<'x, Array2<f32>>> {
        scaled(self.scaler.as_ref(), x)
    }
}

/// `x` through `scaler`, if there is one.
pub fn scaled<'x>(
    scaler: Option<&Standardizer>,
    x: &'x Array2<f32>,
) -> Result<Cow<'x, Array2<f32>>> {
    Ok(match scaler {
        Some(s) => Cow::Owned(s.transform(x.view())?),
        None => Cow::Borrowed(x),
    })
}

/// A classifier trained by [`fit_classifier`], with its predictions for the test images.
pub struct Fitted {
    /// The trained MLP.
    pub mlp: Mlp,
    /// Its per-epoch history (with the watched set's accuracy only when asked for).
    pub history: History,
    /// Its labels for the test images.
    pub predicted: Array1<u8>,
}

impl Fitted {
    /// Test accuracy against `labels`.
    pub fn accuracy(&self, labels: &Array1<u8>) -> Result<f32> {
        accuracy(&self.predicted, labels)
    }
}

/// Images and labels a classifier is watched on each epoch (the learning curves); watching
/// never changes what the MLP learns.
pub type Watched<'a> = Option<(ArrayView2<'a, f32>, ArrayView1<'a, u8>)>;

/// Trains `params` on (`x`, `y`), watching `watched` each epoch, and predicts `test_x`: the
/// one time the trained model meets the test set. With a `cache`, the same settings are
/// trained once on the same features, labels and watched set, whichever experiment asks.
pub fn fit_classifier<'a>(
    params: &MlpParams,
    (x, y): (ArrayView2<'a, f32>, ArrayView1<'a, u8>),
    watched: Watched<'a>,
    test_x: ArrayView2<'a, f32>,
    stage: Stage<'_>,
    cache: Option<&Path>,
    observer: &mut Observer<'_>,
) -> Result<Fitted> {
    let mut fit = || params.fit(x, y, watched, &mut |e| observer(stage, e));
    let (mlp, history) = match cache {
        None => fit()?,
        Some(dir) => {
            let watched = watched.map(|(wx, wy)| (fingerprint(wx), wy));
            let key = (params, fingerprint(x), y, watched);
            crate::output::cache::cached(dir, "mlp", &key, fit)?
        }
    };
    let predicted = mlp.predict(test_x)?;
    Ok(Fitted { mlp, history, predicted })
}

/// The labelled images of the few-label setting: which training rows, and those rows.
pub struct FewLabelled {
    /// Row indices into the training set, sorted.
    pub rows: Vec<usize>,
    /// Those rows, images and labels.
    pub data: Dataset,
    /// Labelled images per class.
    pub per_class: usize,
    /// The seed that drew them.
    pub seed: u64,
}

impl FewLabelled {
    /// `per_class` images of every class of `train`, drawn with `seed` (see [`Dataset::stratified_indices`]).
    pub fn draw(train: &Dataset, per_class: usize, seed: u64) -> Result<FewLabelled> {
        let rows = train.stratified_indices(per_class, seed)?;
        let data = train.select(&rows)?;
        Ok(FewLabelled { rows, data, per_class, seed })
    }

    /// The [`Labels`] a classifier trained on these images learns from.
    pub fn labels(&self) -> Labels {
        Labels::Few { per_class: self.per_class, seed: self.seed }
    }
}

/// Test accuracy of `params` trained on the few labelled images only: `x` are their features
/// as the MLP sees them, `test_x` the test images'. The step the family's label-scarce
/// columns and the claims' label budgets share.
pub fn few_label_accuracy<'a>(
    params: &MlpParams,
    labelled: &'a FewLabelled,
    x: ArrayView2<'a, f32>,
    (test_x, test_y): (ArrayView2<'a, f32>, &'a Array1<u8>),
    features: &str,
    observer: &mut Observer<'_>,
) -> Result<f32> {
    let stage = Stage::Classifier { features, labels: labelled.labels() };
    let xy = (x, labelled.data.y.view());
    let fitted = fit_classifier(params, xy, None, test_x, stage, None, observer)?;
    fitted.accuracy(test_y)
}
