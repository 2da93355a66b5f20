//! [`DataError`]: why a data directory or an IDX file could not be loaded.

use std::path::PathBuf;

use super::idx::idx_kind;

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
         (for the bundled data: `git checkout data/`)",
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
        "{} does not match its recorded SHA-256 (expected {expected}, found {found}); the file \
         is corrupted — restore the bundled data with `git checkout data/`",
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
