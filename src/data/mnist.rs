//! [`Mnist`]: the train and test splits of a directory in the MNIST layout (four IDX files,
//! raw or gzip), and the two datasets that ship with the crate, each verified by SHA-256.

use std::path::{Path, PathBuf};

use ndarray::Array1;

use super::idx::{read_idx_labels, IdxImages};
use super::{DataError, Dataset, IMAGE_SIDE};
use crate::Result;

/// Largest label a loaded file may use (digits, or Fashion-MNIST's 10 classes).
const MAX_LABEL: u8 = 9;

/// SHA-256 of the uncompressed bundled MNIST files (see data/mnist/PROVENANCE.md).
const MNIST_SHA256: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    ("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    ("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    ("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
];

/// SHA-256 of the uncompressed bundled Fashion-MNIST files (see data/fashion-mnist/PROVENANCE.md).
const FASHION_SHA256: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    ("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    ("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    ("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
];

/// Images held out of MNIST's 60,000 training images for validation by default: curves,
/// early stopping and every choice of a setting are judged on them, never on the test set.
pub const VALIDATION_IMAGES: usize = 5_000;

/// The seed of the validation split. Fixed, and not the training seed: every seed of every
/// experiment trains on the same 55,000 images and is judged on the same 5,000, so runs with
/// different seeds differ by their initialisation and shuffling alone.
pub const VALIDATION_SEED: u64 = 2_024;

/// Train, validation and test splits read from one directory.
#[derive(Debug, Clone)]
pub struct Mnist {
    /// The training images (all 60,000 of MNIST's as loaded; 55,000 after
    /// [`Mnist::with_validation`] has held 5,000 out).
    pub train: Dataset,
    /// The images held out of the training file for validation (none as loaded).
    pub validation: Dataset,
    /// The test split (10 000 examples for MNIST), for the final score of a trained model.
    pub test: Dataset,
    /// The directory the files were read from.
    pub dir: PathBuf,
    /// True if every file matched a recorded SHA-256 (only for the bundled data).
    pub checksums_verified: bool,
}

impl Mnist {
    /// The MNIST that ships with the crate in `data/mnist/`: gzip IDX files, each verified
    /// against its SHA-256 (of the uncompressed bytes), so a corrupted copy cannot silently
    /// change results.
    pub fn load_bundled() -> Result<Mnist> {
        load_verified(&bundled_dir(), &MNIST_SHA256)
    }

    /// The Fashion-MNIST that ships with the crate in `data/fashion-mnist/` (ten classes of
    /// clothing in MNIST's layout), verified like [`Mnist::load_bundled`].
    pub fn load_bundled_fashion() -> Result<Mnist> {
        load_verified(&bundled_fashion_dir(), &FASHION_SHA256)
    }

    /// Any directory in the MNIST layout, raw or `.gz`. One of the bundled directories (e.g.
    /// `--data data/fashion-mnist`) is verified against its SHA-256 sums; any other has
    /// nothing to verify against, so `checksums_verified` is false.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Mnist> {
        let dir = dir.as_ref();
        let same = |bundled: PathBuf| {
            dir.canonicalize().ok().is_some_and(|d| bundled.canonicalize().ok() == Some(d))
        };
        let checksums: &[(&str, &str)] = if same(bundled_dir()) {
            &MNIST_SHA256
        } else if same(bundled_fashion_dir()) {
            &FASHION_SHA256
        } else {
            &[]
        };
        load_verified(dir, checksums)
    }

    /// Holds `n` of the training images out as a validation set, stratified by class, drawn
    /// with [`VALIDATION_SEED`]: `with_validation(5_000)` leaves 55,000 to train on. With 0,
    /// nothing is held out (the original notebook's practice, which validates on the test set).
    /// Fails if a validation set was already held out, or `n` would leave no training image.
    pub fn with_validation(self, n: usize) -> Result<Mnist> {
        if !self.validation.is_empty() {
            return Err(crate::Error::param(
                "validation",
                n,
                format!(
                    "{} images are held out already; hold out once, from the loaded data",
                    self.validation.len()
                ),
            ));
        }
        if n == 0 {
            return Ok(self);
        }
        let (kept, held_out) = self.train.stratified_split(n, VALIDATION_SEED)?;
        let validation = self.train.select(&held_out)?;
        // The training rows are moved up in place: a copy would hold 60,000 and 55,000
        // images at once, 170 MB more at the peak.
        let train = self.train.keep_rows(&kept)?;
        Ok(Mnist { train, validation, ..self })
    }

    /// The images a model is watched on while it trains: the validation set, or the test set
    /// when none is held out (and then nothing chosen from the curves is an honest estimate).
    pub fn watched(&self) -> &Dataset {
        if self.validation.is_empty() {
            &self.test
        } else {
            &self.validation
        }
    }
}

/// Like [`Mnist::load_dir`], but each file whose canonical name (e.g.
/// `train-images-idx3-ubyte`) appears in `checksums` must match that hex SHA-256 of its
/// uncompressed bytes. Exists so tests can exercise the checksum error on tiny files.
#[doc(hidden)]
pub fn load_dir_with_checksums(dir: impl AsRef<Path>, checksums: &[(&str, &str)]) -> Result<Mnist> {
    load_verified(dir.as_ref(), checksums)
}

/// Path of the bundled MNIST: `<crate root>/data/mnist`.
pub fn bundled_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist"))
}

/// Path of the bundled Fashion-MNIST: `<crate root>/data/fashion-mnist`.
pub fn bundled_fashion_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/fashion-mnist"))
}

/// The four files of the MNIST layout: canonical name and the older dotted name.
const FILES: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
];

/// Loads both splits, checking the files listed in `checksums`. The two splits are read on
/// two threads (decompressing and hashing dominate the load time).
fn load_verified(dir: &Path, checksums: &[(&str, &str)]) -> Result<Mnist> {
    if !dir.is_dir() {
        return Err(DataError::DirNotFound { dir: dir.to_path_buf() }.into());
    }
    // Find all four files first, so a missing one is reported before any slow work.
    let mut paths = Vec::with_capacity(FILES.len());
    for (canonical, dotted) in FILES {
        paths.push(find_file(dir, canonical, dotted)?);
    }
    let expect = |i: usize| {
        let name = FILES[i].0;
        checksums.iter().find(|(n, _)| *n == name).map(|&(_, h)| h)
    };
    let checksums_verified = (0..FILES.len()).all(|i| expect(i).is_some());

    let (train, test) = std::thread::scope(|scope| {
        let test = scope.spawn(|| load_split(&paths[2], expect(2), &paths[3], expect(3)));
        let train = load_split(&paths[0], expect(0), &paths[1], expect(1));
        // A panic in the loader would be a bug; re-raise it rather than hide it.
        let test = test.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (train, test)
    });
    let train = train?;
    let validation = train.select(&[])?;
    Ok(Mnist { train, validation, test: test?, dir: dir.to_path_buf(), checksums_verified })
}

/// The first existing file among `canonical`, `canonical.gz`, `dotted`, `dotted.gz`.
fn find_file(dir: &Path, canonical: &str, dotted: &str) -> Result<PathBuf, DataError> {
    let candidates = [
        canonical.to_string(),
        format!("{canonical}.gz"),
        dotted.to_string(),
        format!("{dotted}.gz"),
    ];
    candidates.iter().map(|name| dir.join(name)).find(|path| path.is_file()).ok_or_else(|| {
        DataError::FileMissing { dir: dir.to_path_buf(), expected: candidates.join(" or ") }
    })
}

/// Reads one split's images and labels, verifies and parses them, and checks they pair up.
fn load_split(
    images_path: &Path,
    images_sha: Option<&str>,
    labels_path: &Path,
    labels_sha: Option<&str>,
) -> Result<Dataset> {
    let labels = read_idx_labels(labels_path, labels_sha)?;
    if labels.is_empty() {
        return Err(DataError::Empty { path: labels_path.to_path_buf() }.into());
    }
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, &l)| l > MAX_LABEL) {
        return Err(DataError::BadLabel { path: labels_path.to_path_buf(), index, label }.into());
    }

    let images = IdxImages::read(images_path, images_sha)?;
    if (images.rows, images.cols) != (IMAGE_SIDE, IMAGE_SIDE) {
        let (rows, cols) = (images.rows, images.cols);
        return Err(DataError::BadDimensions { path: images_path.to_path_buf(), rows, cols }.into());
    }
    if images.n == 0 {
        return Err(DataError::Empty { path: images_path.to_path_buf() }.into());
    }
    if images.n != labels.len() {
        return Err(DataError::CountMismatch {
            images: images_path.to_path_buf(),
            labels: labels_path.to_path_buf(),
            n_images: images.n,
            n_labels: labels.len(),
        }
        .into());
    }
    Dataset::new(images.unit_pixels()?, Array1::from(labels))
}
