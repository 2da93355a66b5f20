//! MNIST loading: IDX files (raw or gzip) into [`Dataset`]s of `f32` pixels in `[0, 1]`, and
//! the input noise of the denoising experiments.
//!
//! A small reader of our own instead of the `mnist` crate, which (0.6) panics on missing
//! files, asserts exactly 60 000 / 10 000 items, cannot read `.gz`, and builds its test split
//! from the training set when a subset length is set (the tests use it as an independent check
//! that both read the same pixels).
//!
//! Every file is checked before it is trusted, and every failure is a [`DataError`] whose
//! message names the file and the fix:
//! - gzip is detected by the `.gz` extension or the magic bytes `1f 8b`, and must decode;
//! - the bundled files must match their SHA-256 (of the uncompressed bytes);
//! - the IDX magic number must be 2051 (images) or 2049 (labels);
//! - the payload must be exactly the size the header declares ([`idx`]);
//! - images must be 28x28, labels 0–9, and both files of a split must hold the same count.
//!
//! - [`idx`]: the one IDX reader (header, payload, gzip, checksum);
//! - [`mnist`]: directories in the MNIST layout and the bundled MNIST and Fashion-MNIST;
//! - [`dataset`]: images with labels, subsets and selections;
//! - [`noise`]: Gaussian and masking corruption of the inputs.

pub mod dataset;
pub mod error;
pub mod idx;
pub mod mnist;
pub mod noise;

pub use dataset::Dataset;
pub use error::DataError;
pub use idx::{parse_idx_images, parse_idx_labels, read_idx_images};
pub use mnist::{
    bundled_dir, bundled_fashion_dir, load_dir_with_checksums, Mnist, VALIDATION_IMAGES,
    VALIDATION_SEED,
};
pub use noise::Noise;

/// Side of an MNIST image in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per MNIST image (28 × 28): the width of [`Dataset::x`].
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
