//! MNIST loading: IDX files (raw or gzip) into [`Dataset`]s of `f32` pixels in `[0, 1]`.
//!
//! A small reader of our own instead of the `mnist` crate, which (0.6) panics on missing
//! files, asserts exactly 60 000 / 10 000 items, cannot read `.gz`, and builds its test split
//! from the training set when a subset length is set.
//!
//! Every file is checked before it is trusted, and every failure is a [`DataError`] whose
//! message names the file and the fix:
//! - gzip is detected by the `.gz` extension or the magic bytes `1f 8b`, and must decode;
//! - the bundled files must match their SHA-256 (of the uncompressed bytes);
//! - the IDX magic number must be 2051 (images) or 2049 (labels);
//! - the payload must be exactly the size the header declares: nothing is allocated from
//!   header values until the bytes are known to be present, and all sizes use checked
//!   arithmetic, so hostile input cannot cause a panic or a huge allocation;
//! - images must be 28x28, labels 0–9, and both files of a split must hold the same count.

use std::io::Read;
use std::path::{Path, PathBuf};

use ndarray::{s, Array1, Array2, Axis};
use rand::seq::SliceRandom;
use rand::Rng as _;
use rand_distr::{Distribution, Normal};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Side of an MNIST image in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per MNIST image (28 × 28): the width of [`Dataset::x`].
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// IDX magic number of an unsigned-byte, 3-dimensional file (images).
const IMAGES_MAGIC: u32 = 0x0000_0803;
/// IDX magic number of an unsigned-byte, 1-dimensional file (labels).
const LABELS_MAGIC: u32 = 0x0000_0801;
/// Header sizes in bytes: magic plus one u32 per dimension.
const IMAGES_HEADER: usize = 16;
const LABELS_HEADER: usize = 8;
/// Largest number of classes a loaded file may use (digits, or Fashion-MNIST's 10 classes).
const MAX_LABEL: u8 = 9;
/// Decompressed size above which a gzip file is refused (a guard against gzip bombs; the
/// largest MNIST-layout file, EMNIST ByClass, is about 550 MB).
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// `rng::seeded` streams of this module, so that one seed drives independent sequences.
const STREAM_STRATIFIED: u64 = 0x5354_5241_5449_4659; // "STRATIFY"
const STREAM_GAUSSIAN: u64 = 0x4741_5553_5349_414E; // "GAUSSIAN"
const STREAM_MASK: u64 = 0x4D41_534B_4E4F_4953; // "MASKNOIS"

/// SHA-256 of the uncompressed bundled files (see data/mnist/PROVENANCE.md).
const BUNDLED_SHA256: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    ("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    ("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    ("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
];

/// Why a data directory or file could not be loaded. Each message names the file and the fix.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The data directory does not exist (or is not a directory).
    #[error(
        "data directory {} does not exist; pass --data DIR pointing at a folder with the four \
         MNIST-layout IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], \
         t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz])",
        dir.display()
    )]
    DirNotFound {
        /// The directory that was asked for.
        dir: PathBuf,
    },

    /// None of the accepted names of one of the four files exists in the directory.
    #[error(
        "data directory {} has no {expected}; put that MNIST-layout IDX file (raw or .gz) there",
        dir.display()
    )]
    FileMissing {
        /// The directory searched.
        dir: PathBuf,
        /// The names looked for, separated by " or ".
        expected: String,
    },

    /// Reading a file failed at the operating-system level.
    #[error("could not read {}: {source}; check that the file exists and is readable", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A gzip file does not decode.
    #[error(
        "{} is not valid gzip (truncated or corrupted?): {reason}; re-copy it from its source \
         (for the bundled MNIST: `git checkout data/mnist`)",
        path.display()
    )]
    Gzip {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },

    /// The IDX magic number is wrong: not an IDX file, or images and labels swapped.
    #[error(
        "{} is not an IDX {} file: magic number {found:#010x}, expected {expected:#010x}; \
         check that it is an uncompressed or gzipped IDX file and that images and labels are \
         not swapped",
        path.display(),
        idx_kind(*expected)
    )]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The magic number of the expected kind of file.
        expected: u32,
        /// The magic number found.
        found: u32,
    },

    /// The file is shorter than its header (or the header itself) requires.
    #[error(
        "{} is truncated: its header requires {expected_bytes} bytes but the file has \
         {found_bytes}; re-copy or re-download it",
        path.display()
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes required (header plus payload; saturates at `u64::MAX`).
        expected_bytes: u64,
        /// Bytes present (after decompression).
        found_bytes: u64,
    },

    /// The file is longer than its header declares.
    #[error(
        "{} has {found_bytes} bytes but its header declares {expected_bytes}; the file is \
         corrupted or not a single IDX file — re-copy or re-download it",
        path.display()
    )]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// Bytes declared by the header (header plus payload).
        expected_bytes: u64,
        /// Bytes present (after decompression).
        found_bytes: u64,
    },

    /// The images are not 28x28.
    #[error(
        "{} holds {rows}x{cols} images, but this loader needs 28x28 (MNIST, Fashion-MNIST); \
         point --data at an MNIST-layout dataset",
        path.display()
    )]
    BadDimensions {
        /// The images file.
        path: PathBuf,
        /// Rows per image in the header.
        rows: usize,
        /// Columns per image in the header.
        cols: usize,
    },

    /// The images and labels files of one split hold different numbers of items.
    #[error(
        "{} holds {n_images} images but {} holds {n_labels} labels; both files of a split must \
         come from the same dataset — re-copy the pair",
        images.display(),
        labels.display()
    )]
    CountMismatch {
        /// The images file.
        images: PathBuf,
        /// The labels file.
        labels: PathBuf,
        /// Items in the images file.
        n_images: usize,
        /// Items in the labels file.
        n_labels: usize,
    },

    /// The file declares no items at all.
    #[error("{} holds no items; a split needs at least one example — re-copy the file", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },

    /// A label is not a class 0–9.
    #[error(
        "{}: label {label} at index {index} is not a class 0-9; the file is corrupted or not \
         an MNIST-style labels file",
        path.display()
    )]
    BadLabel {
        /// The labels file.
        path: PathBuf,
        /// 0-based position of the label.
        index: usize,
        /// The offending value.
        label: u8,
    },

    /// A bundled file does not match its recorded SHA-256.
    #[error(
        "{} does not match the bundled MNIST's SHA-256 (expected {expected}, found {found}); \
         the file is corrupted — restore it with `git checkout data/mnist`",
        path.display()
    )]
    Checksum {
        /// The file.
        path: PathBuf,
        /// The recorded hash (hex).
        expected: String,
        /// The hash of the file's uncompressed bytes (hex).
        found: String,
    },
}

/// Human name of the IDX file kind a magic number stands for, for messages.
fn idx_kind(magic: u32) -> &'static str {
    match magic {
        IMAGES_MAGIC => "images",
        LABELS_MAGIC => "labels",
        _ => "unknown",
    }
}

/// Images and labels of one split. `x`: (n, 784), `f32` in `[0, 1]` (byte / 255);
/// `y`: (n,) labels 0..=9.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// One image per row, pixels row-major, scaled to `[0, 1]`.
    pub x: Array2<f32>,
    /// The class of each row.
    pub y: Array1<u8>,
}

impl Dataset {
    /// Pairs images with labels; fails if they have different numbers of rows.
    pub fn new(x: Array2<f32>, y: Array1<u8>) -> Result<Self> {
        if x.nrows() != y.len() {
            return Err(Error::shape(
                "Dataset::new (one label per row of x)",
                format!("{} labels", x.nrows()),
                format!("{} labels", y.len()),
            ));
        }
        Ok(Dataset { x, y })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// True if there are no examples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Number of classes: the largest label + 1 (0 for an empty dataset).
    pub fn n_classes(&self) -> usize {
        self.y.iter().max().map_or(0, |&m| usize::from(m) + 1)
    }

    /// Examples per label, indexed by label; at least 10 long so digit counts line up.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes().max(10)];
        for &label in &self.y {
            counts[usize::from(label)] += 1;
        }
        counts
    }

    /// The rows at `indices`, in that order (repeats allowed); fails on an out-of-range index.
    pub fn select(&self, indices: &[usize]) -> Result<Dataset> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.len()) {
            return Err(Error::param("index", bad, format!("must be below the dataset's length {}", self.len())));
        }
        Ok(Dataset { x: self.x.select(Axis(0), indices), y: self.y.select(Axis(0), indices) })
    }

    /// The first `min(n, len)` examples: a quick, deterministic subset for smoke runs.
    pub fn head(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset { x: self.x.slice(s![..n, ..]).to_owned(), y: self.y.slice(s![..n]).to_owned() }
    }

    /// `per_class` examples of every class `0..n_classes()`, drawn with the seeded generator,
    /// kept in their original order (sorted indices) so the result is deterministic.
    ///
    /// A balanced subset makes small experiments comparable across classes. Fails if
    /// `per_class` is 0, the dataset is empty, or a class has fewer than `per_class` examples.
    pub fn stratified_subset(&self, per_class: usize, seed: u64) -> Result<Dataset> {
        self.select(&self.stratified_indices(per_class, seed)?)
    }

    /// The row indices [`Dataset::stratified_subset`] selects, sorted: for uses that need to
    /// know which rows are labelled (e.g. semi-supervised learning on the rest).
    pub fn stratified_indices(&self, per_class: usize, seed: u64) -> Result<Vec<usize>> {
        if per_class == 0 {
            return Err(Error::param("per_class", per_class, "must be at least 1"));
        }
        if self.is_empty() {
            return Err(Error::param("per_class", per_class, "cannot draw from an empty dataset"));
        }
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); self.n_classes()];
        for (i, &label) in self.y.iter().enumerate() {
            by_class[usize::from(label)].push(i);
        }
        let mut rng = crate::rng::seeded(seed, STREAM_STRATIFIED);
        let mut chosen = Vec::with_capacity(per_class * by_class.len());
        for (class, members) in by_class.iter_mut().enumerate() {
            if members.len() < per_class {
                return Err(Error::param(
                    "per_class",
                    per_class,
                    format!("class {class} has only {} examples; ask for at most that many", members.len()),
                ));
            }
            let (picked, _) = members.partial_shuffle(&mut rng, per_class);
            chosen.extend_from_slice(picked);
        }
        chosen.sort_unstable();
        Ok(chosen)
    }
}

/// Train and test splits read from one directory.
#[derive(Debug, Clone)]
pub struct Mnist {
    /// The training split (60 000 examples for MNIST).
    pub train: Dataset,
    /// The test split (10 000 examples for MNIST).
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
        load_verified(&bundled_dir(), &BUNDLED_SHA256)
    }

    /// Any directory in the MNIST layout (e.g. Fashion-MNIST in
    /// `/usr/share/datasets/fashion-mnist`), raw or `.gz`. There is nothing to verify against,
    /// so `checksums_verified` is false.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Mnist> {
        load_verified(dir.as_ref(), &[])
    }
}

/// Like [`Mnist::load_dir`], but each file whose canonical name (e.g.
/// `train-images-idx3-ubyte`) appears in `checksums` must match that hex SHA-256 of its
/// uncompressed bytes. Exists so tests can exercise the checksum error on tiny files.
#[doc(hidden)]
pub fn load_dir_with_checksums(dir: impl AsRef<Path>, checksums: &[(&str, &str)]) -> Result<Mnist> {
    load_verified(dir.as_ref(), checksums)
}

/// Path of the bundled data: `<crate root>/data/mnist`.
pub fn bundled_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist"))
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
    Ok(Mnist { train: train?, test: test?, dir: dir.to_path_buf(), checksums_verified })
}

/// The first existing file among `canonical`, `canonical.gz`, `dotted`, `dotted.gz`.
fn find_file(dir: &Path, canonical: &str, dotted: &str) -> Result<PathBuf, DataError> {
    let candidates = [canonical.to_string(), format!("{canonical}.gz"), dotted.to_string(), format!("{dotted}.gz")];
    candidates
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| DataError::FileMissing { dir: dir.to_path_buf(), expected: candidates.join(" or ") })
}

/// Reads one split's images and labels, verifies and parses them, and checks they pair up.
fn load_split(
    images_path: &Path,
    images_sha: Option<&str>,
    labels_path: &Path,
    labels_sha: Option<&str>,
) -> Result<Dataset> {
    let label_bytes = read_idx_file(labels_path, labels_sha)?;
    let labels = parse_idx_labels(&label_bytes, labels_path)?;
    if labels.is_empty() {
        return Err(DataError::Empty { path: labels_path.to_path_buf() }.into());
    }
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, &l)| l > MAX_LABEL) {
        return Err(DataError::BadLabel { path: labels_path.to_path_buf(), index, label }.into());
    }

    let image_bytes = read_idx_file(images_path, images_sha)?;
    let header = images_header(&image_bytes, images_path)?;
    if header.rows != IMAGE_SIDE || header.cols != IMAGE_SIDE {
        return Err(
            DataError::BadDimensions { path: images_path.to_path_buf(), rows: header.rows, cols: header.cols }.into()
        );
    }
    let pixels = images_payload(&image_bytes, &header, images_path)?;
    if header.n == 0 {
        return Err(DataError::Empty { path: images_path.to_path_buf() }.into());
    }
    if header.n != labels.len() {
        return Err(DataError::CountMismatch {
            images: images_path.to_path_buf(),
            labels: labels_path.to_path_buf(),
            n_images: header.n,
            n_labels: labels.len(),
        }
        .into());
    }

    // byte / 255 through a table: exact division, vectorisable gather-free map.
    let scale: [f32; 256] = std::array::from_fn(|b| b as f32 / 255.0);
    let x: Vec<f32> = pixels.iter().map(|&b| scale[usize::from(b)]).collect();
    drop(image_bytes);
    let x = Array2::from_shape_vec((header.n, IMAGE_PIXELS), x).map_err(|e| {
        // Unreachable: the payload length was checked to be n * 28 * 28 above.
        Error::shape("loading images", format!("{} x {IMAGE_PIXELS}", header.n), e.to_string())
    })?;
    Ok(Dataset { x, y: Array1::from(labels) })
}

/// The whole file, gunzipped if it is gzip (by extension or magic bytes), and checked
/// against `sha256` (hex, of the uncompressed bytes) when one is given.
fn read_idx_file(path: &Path, sha256: Option<&str>) -> Result<Vec<u8>, DataError> {
    let io_err = |source| DataError::Io { path: path.to_path_buf(), source };
    let raw = std::fs::read(path).map_err(io_err)?;
    let named_gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let bytes = if named_gz || raw.starts_with(&[0x1f, 0x8b]) { gunzip(&raw, path)? } else { raw };
    if let Some(expected) = sha256 {
        let found = hex(&Sha256::digest(&bytes));
        if !found.eq_ignore_ascii_case(expected) {
            return Err(DataError::Checksum { path: path.to_path_buf(), expected: expected.to_string(), found });
        }
    }
    Ok(bytes)
}

/// Decompresses all gzip members of `raw`, refusing output over [`MAX_DECOMPRESSED`].
fn gunzip(raw: &[u8], path: &Path) -> Result<Vec<u8>, DataError> {
    let gz_err = |reason: String| DataError::Gzip { path: path.to_path_buf(), reason };
    // The trailer's ISIZE (size mod 2^32 of the last member) is only a capacity hint, capped by
    // deflate's maximum ratio (~1032:1), so a lying trailer cannot force a large allocation.
    let hint = raw
        .len()
        .checked_sub(4)
        .and_then(|at| raw.get(at..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map_or(0, |t| u32::from_le_bytes(t) as usize)
        .min(raw.len().saturating_mul(1032));
    let mut out = Vec::with_capacity(hint);
    let mut decoder = flate2::read::MultiGzDecoder::new(raw).take(MAX_DECOMPRESSED + 1);
    decoder.read_to_end(&mut out).map_err(|e| gz_err(e.to_string()))?;
    if out.len() as u64 > MAX_DECOMPRESSED {
        return Err(gz_err(format!(
            "decompresses to more than {MAX_DECOMPRESSED} bytes, more than any MNIST-layout file"
        )));
    }
    Ok(out)
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Big-endian u32 at `at`, if the bytes are there.
fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let word = bytes.get(at..end)?;
    Some(u32::from_be_bytes(word.try_into().ok()?))
}

/// Checks the magic number and reads the header's dimensions.
fn idx_header<const D: usize>(bytes: &[u8], file: &Path, magic: u32) -> Result<[usize; D], DataError> {
    let header_len = 4 + 4 * D;
    let truncated = || DataError::Truncated {
        path: file.to_path_buf(),
        expected_bytes: header_len as u64,
        found_bytes: bytes.len() as u64,
    };
    let found = be_u32(bytes, 0).ok_or_else(truncated)?;
    if found != magic {
        return Err(DataError::BadMagic { path: file.to_path_buf(), expected: magic, found });
    }
    let mut dims = [0usize; D];
    for (d, dim) in dims.iter_mut().enumerate() {
        // u32 -> usize is lossless on every target this crate supports (>= 32-bit).
        *dim = be_u32(bytes, 4 + 4 * d).ok_or_else(truncated)? as usize;
    }
    Ok(dims)
}

/// The payload after a `header_len`-byte header, if it is exactly `dims`' product long.
fn idx_payload<'a>(bytes: &'a [u8], file: &Path, header_len: usize, dims: &[usize]) -> Result<&'a [u8], DataError> {
    // u128 cannot overflow: at most three u32 factors (2^96) plus a small header.
    let needed: u128 = dims.iter().map(|&d| d as u128).product::<u128>() + header_len as u128;
    let found = bytes.len() as u128;
    let expected_bytes = u64::try_from(needed).unwrap_or(u64::MAX);
    let found_bytes = bytes.len() as u64;
    if found < needed {
        return Err(DataError::Truncated { path: file.to_path_buf(), expected_bytes, found_bytes });
    }
    if found > needed {
        return Err(DataError::TrailingBytes { path: file.to_path_buf(), expected_bytes, found_bytes });
    }
    // needed == bytes.len() here, so the range is in bounds; `get` keeps it panic-free anyway.
    bytes.get(header_len..).ok_or(DataError::Truncated { path: file.to_path_buf(), expected_bytes, found_bytes })
}

/// Dimensions from an images header.
struct ImagesHeader {
    n: usize,
    rows: usize,
    cols: usize,
}

fn images_header(bytes: &[u8], file: &Path) -> Result<ImagesHeader, DataError> {
    let [n, rows, cols] = idx_header::<3>(bytes, file, IMAGES_MAGIC)?;
    Ok(ImagesHeader { n, rows, cols })
}

fn images_payload<'a>(bytes: &'a [u8], header: &ImagesHeader, file: &Path) -> Result<&'a [u8], DataError> {
    idx_payload(bytes, file, IMAGES_HEADER, &[header.n, header.rows, header.cols])
}

/// Parses an IDX images file (already decompressed) into `(n, rows, cols, pixels)`, pixels
/// row-major. Checks the magic number and that the payload is exactly `n * rows * cols`
/// bytes; any dimensions are accepted (the loader is the one that insists on 28x28).
/// Public so property tests can feed arbitrary bytes: never panics.
pub fn parse_idx_images(bytes: &[u8], file: &Path) -> Result<(usize, usize, usize, Vec<u8>), DataError> {
    let header = images_header(bytes, file)?;
    let pixels = images_payload(bytes, &header, file)?;
    Ok((header.n, header.rows, header.cols, pixels.to_vec()))
}

/// Parses an IDX labels file (already decompressed). Checks the magic number and that the
/// payload is exactly `n` bytes; any label values are accepted (the loader checks 0–9).
/// Public so property tests can feed arbitrary bytes: never panics.
pub fn parse_idx_labels(bytes: &[u8], file: &Path) -> Result<Vec<u8>, DataError> {
    let [n] = idx_header::<1>(bytes, file, LABELS_MAGIC)?;
    Ok(idx_payload(bytes, file, LABELS_HEADER, &[n])?.to_vec())
}

/// Adds N(0, `std_dev`²) noise to every pixel and clips to `[0, 1]`: the corruption a
/// denoising autoencoder learns to undo. Seeded, so the same call gives the same array.
/// Fails if `std_dev` is negative or not finite.
pub fn gaussian_noise(x: &Array2<f32>, std_dev: f32, seed: u64) -> Result<Array2<f32>> {
    if !(std_dev.is_finite() && std_dev >= 0.0) {
        return Err(Error::param("std_dev", std_dev, "must be finite and >= 0"));
    }
    let normal = Normal::new(0.0f32, std_dev).map_err(|e| Error::param("std_dev", std_dev, e.to_string()))?;
    let mut rng = crate::rng::seeded(seed, STREAM_GAUSSIAN);
    // Standard layout, so the noise follows logical (row-major) order whatever x's layout.
    let mut out = x.as_standard_layout().into_owned();
    out.iter_mut().for_each(|v| *v = (*v + normal.sample(&mut rng)).clamp(0.0, 1.0));
    Ok(out)
}

/// Sets each pixel to 0 with probability `drop_fraction` (masking noise) and clips the rest
/// to `[0, 1]`. Seeded, so the same call gives the same array. Fails unless
/// `0 <= drop_fraction < 1`.
pub fn mask_noise(x: &Array2<f32>, drop_fraction: f32, seed: u64) -> Result<Array2<f32>> {
    if !(0.0..1.0).contains(&drop_fraction) {
        return Err(Error::param("drop_fraction", drop_fraction, "must be in [0, 1): the fraction of pixels set to 0"));
    }
    let mut rng = crate::rng::seeded(seed, STREAM_MASK);
    let mut out = x.as_standard_layout().into_owned();
    out.iter_mut().for_each(|v| {
        *v = if rng.gen::<f32>() < drop_fraction { 0.0 } else { v.clamp(0.0, 1.0) };
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("test-file")
    }

    fn images(magic: u32, dims: [u32; 3], payload: &[u8]) -> Vec<u8> {
        let mut b = magic.to_be_bytes().to_vec();
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b.extend_from_slice(payload);
        b
    }

    fn labels(magic: u32, n: u32, payload: &[u8]) -> Vec<u8> {
        let mut b = magic.to_be_bytes().to_vec();
        b.extend_from_slice(&n.to_be_bytes());
        b.extend_from_slice(payload);
        b
    }

    #[test]
    fn parses_valid_images_of_any_shape() {
        let bytes = images(IMAGES_MAGIC, [2, 2, 3], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let (n, r, c, px) = parse_idx_images(&bytes, path()).unwrap();
        assert_eq!((n, r, c), (2, 2, 3));
        assert_eq!(px, (0..12).collect::<Vec<u8>>());
    }

    #[test]
    fn parses_valid_labels() {
        let bytes = labels(LABELS_MAGIC, 3, &[7, 2, 200]);
        assert_eq!(parse_idx_labels(&bytes, path()).unwrap(), vec![7, 2, 200]);
    }

    #[test]
    fn zero_items_parse() {
        let (n, ..) = parse_idx_images(&images(IMAGES_MAGIC, [0, 28, 28], &[]), path()).unwrap();
        assert_eq!(n, 0);
        assert!(parse_idx_labels(&labels(LABELS_MAGIC, 0, &[]), path()).unwrap().is_empty());
    }

    #[test]
    fn wrong_magic_is_reported_with_both_numbers() {
        let bytes = labels(LABELS_MAGIC, 1, &[1]);
        match parse_idx_images(&bytes, path()) {
            Err(DataError::BadMagic { expected, found, .. }) => {
                assert_eq!((expected, found), (IMAGES_MAGIC, LABELS_MAGIC));
            }
            other => panic!("expected BadMagic, got {other:?}"),
        }
        let bytes = images(IMAGES_MAGIC, [1, 1, 1], &[1]);
        assert!(matches!(parse_idx_labels(&bytes, path()), Err(DataError::BadMagic { .. })));
    }

    #[test]
    fn short_header_is_truncated_not_a_panic() {
        for len in 0..IMAGES_HEADER {
            let bytes = images(IMAGES_MAGIC, [1, 1, 1], &[0]);
            let r = parse_idx_images(&bytes[..len], path());
            match r {
                Err(DataError::Truncated { expected_bytes, .. }) => assert_eq!(expected_bytes, 16),
                other => panic!("len {len}: expected Truncated, got {other:?}"),
            }
        }
        for len in 0..LABELS_HEADER {
            let bytes = labels(LABELS_MAGIC, 1, &[0]);
            assert!(matches!(parse_idx_labels(&bytes[..len], path()), Err(DataError::Truncated { .. })));
        }
    }

    #[test]
    fn short_payload_is_truncated() {
        let bytes = images(IMAGES_MAGIC, [2, 2, 2], &[0; 7]);
        match parse_idx_images(&bytes, path()) {
            Err(DataError::Truncated { expected_bytes, found_bytes, .. }) => {
                assert_eq!((expected_bytes, found_bytes), (24, 23));
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
        let bytes = labels(LABELS_MAGIC, 5, &[0; 4]);
        assert!(matches!(parse_idx_labels(&bytes, path()), Err(DataError::Truncated { .. })));
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let bytes = images(IMAGES_MAGIC, [1, 2, 2], &[0; 5]);
        assert!(matches!(parse_idx_images(&bytes, path()), Err(DataError::TrailingBytes { .. })));
        let bytes = labels(LABELS_MAGIC, 1, &[0, 0]);
        assert!(matches!(parse_idx_labels(&bytes, path()), Err(DataError::TrailingBytes { .. })));
    }

    #[test]
    fn absurd_header_sizes_do_not_overflow_or_allocate() {
        let bytes = images(IMAGES_MAGIC, [u32::MAX, u32::MAX, u32::MAX], &[1, 2, 3]);
        match parse_idx_images(&bytes, path()) {
            Err(DataError::Truncated { expected_bytes, .. }) => {
                assert_eq!(expected_bytes, u64::MAX)
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
        let bytes = labels(LABELS_MAGIC, u32::MAX, &[1]);
        match parse_idx_labels(&bytes, path()) {
            Err(DataError::Truncated { expected_bytes, .. }) => {
                assert_eq!(expected_bytes, u64::from(u32::MAX) + 8);
            }
            other => panic!("expected Truncated, got {other:?}"),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap fuzz: every prefix and many byte flips of small valid files.
        let mut rng = crate::rng::seeded(7, 0);
        let img = images(IMAGES_MAGIC, [2, 3, 3], &[9; 18]);
        let lab = labels(LABELS_MAGIC, 4, &[1, 2, 3, 4]);
        for base in [&img, &lab] {
            for len in 0..=base.len() {
                let _ = parse_idx_images(&base[..len], path());
                let _ = parse_idx_labels(&base[..len], path());
            }
            for _ in 0..2000 {
                let mut b = base.clone();
                let i = rng.gen_range(0..b.len());
                b[i] = rng.gen();
                let _ = parse_idx_images(&b, path());
                let _ = parse_idx_labels(&b, path());
            }
        }
    }

    #[test]
    fn messages_name_the_file() {
        let p = Path::new("/some/dir/train-images-idx3-ubyte");
        let e = parse_idx_images(&[0, 0, 8, 1], p).unwrap_err();
        assert!(e.to_string().contains("/some/dir/train-images-idx3-ubyte"), "{e}");
        assert!(e.to_string().contains("images"), "{e}");
    }

    #[test]
    fn hex_is_lower_case_and_padded() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab]), "000fab");
    }

    #[test]
    fn gunzip_guards_and_decodes() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello idx").unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(gunzip(&gz, path()).unwrap(), b"hello idx");
        assert!(matches!(gunzip(&gz[..gz.len() / 2], path()), Err(DataError::Gzip { .. })));
        assert!(matches!(gunzip(b"not gzip", path()), Err(DataError::Gzip { .. })));
        assert!(matches!(gunzip(&[], path()), Err(DataError::Gzip { .. }) | Ok(_)));
    }

    fn toy() -> Dataset {
        let x = Array2::from_shape_fn((6, 2), |(i, j)| (i * 2 + j) as f32);
        Dataset::new(x, Array1::from(vec![0, 1, 2, 0, 1, 2])).unwrap()
    }

    #[test]
    fn dataset_basics() {
        let d = toy();
        assert_eq!(d.len(), 6);
        assert!(!d.is_empty());
        assert_eq!(d.n_classes(), 3);
        assert_eq!(d.class_counts(), vec![2, 2, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.head(2).y.to_vec(), vec![0, 1]);
        assert_eq!(d.head(100).len(), 6);
        assert_eq!(d.head(0).len(), 0);
        let s = d.select(&[5, 0, 5]).unwrap();
        assert_eq!(s.y.to_vec(), vec![2, 0, 2]);
        assert_eq!(s.x.row(0).to_vec(), vec![10.0, 11.0]);
        assert!(matches!(d.select(&[6]), Err(Error::InvalidParam { .. })));
        let empty = d.head(0);
        assert!(empty.is_empty());
        assert_eq!(empty.n_classes(), 0);
        assert_eq!(empty.class_counts(), vec![0; 10]);
    }

    #[test]
    fn dataset_new_checks_rows() {
        let r = Dataset::new(Array2::zeros((3, 2)), Array1::zeros(2));
        assert!(matches!(r, Err(Error::Shape { .. })));
    }

    #[test]
    fn stratified_subset_on_toy_data() {
        let d = toy();
        let s = d.stratified_subset(1, 3).unwrap();
        assert_eq!(s.class_counts()[..3], [1, 1, 1]);
        assert_eq!(s, d.stratified_subset(1, 3).unwrap());
        assert_eq!(d.stratified_subset(2, 0).unwrap(), d);
        assert!(matches!(d.stratified_subset(3, 0), Err(Error::InvalidParam { .. })));
        assert!(matches!(d.stratified_subset(0, 0), Err(Error::InvalidParam { .. })));
        assert!(d.head(0).stratified_subset(1, 0).is_err());
    }

    #[test]
    fn noise_is_seeded_clipped_and_validated() {
        let x = Array2::from_elem((50, 20), 0.5f32);
        let a = gaussian_noise(&x, 0.3, 1).unwrap();
        assert_eq!(a, gaussian_noise(&x, 0.3, 1).unwrap());
        assert_ne!(a, gaussian_noise(&x, 0.3, 2).unwrap());
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(a.iter().any(|&v| v != 0.5));
        assert_eq!(gaussian_noise(&x, 0.0, 1).unwrap(), x);
        for bad in [-0.1, f32::NAN, f32::INFINITY] {
            assert!(matches!(gaussian_noise(&x, bad, 1), Err(Error::InvalidParam { .. })));
        }

        let m = mask_noise(&x, 0.25, 1).unwrap();
        assert_eq!(m, mask_noise(&x, 0.25, 1).unwrap());
        assert_ne!(m, mask_noise(&x, 0.25, 2).unwrap());
        let dropped = m.iter().filter(|&&v| v == 0.0).count() as f32 / m.len() as f32;
        assert!((dropped - 0.25).abs() < 0.05, "dropped {dropped}");
        assert!(m.iter().all(|&v| v == 0.0 || v == 0.5));
        assert_eq!(mask_noise(&x, 0.0, 1).unwrap(), x);
        for bad in [-0.1, 1.0, f32::NAN] {
            assert!(matches!(mask_noise(&x, bad, 1), Err(Error::InvalidParam { .. })));
        }
    }

    #[test]
    fn noise_follows_logical_order_whatever_the_layout() {
        let x = Array2::from_shape_fn((7, 5), |(i, j)| (i * 5 + j) as f32 / 40.0);
        let f = x.t().as_standard_layout().into_owned().reversed_axes(); // same values, F-order
        assert_eq!(f, x);
        assert_eq!(gaussian_noise(&f, 0.2, 9).unwrap(), gaussian_noise(&x, 0.2, 9).unwrap());
        assert_eq!(mask_noise(&f, 0.5, 9).unwrap(), mask_noise(&x, 0.5, 9).unwrap());
    }
}
