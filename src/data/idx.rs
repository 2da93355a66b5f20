//! The one IDX reader: gzip or raw bytes, the header's magic number and dimensions, and a
//! payload of exactly the size the header declares.
//!
//! Nothing is allocated from header values until the bytes are known to be present, and all
//! sizes use checked arithmetic, so hostile input cannot cause a panic or a huge allocation.
//! Both the MNIST loader ([`super::Mnist`]) and `reconstruct --images` ([`read_idx_images`])
//! read their files through here.

use std::io::Read;
use std::path::Path;

use ndarray::Array2;
use sha2::{Digest, Sha256};

use super::{DataError, IMAGE_SIDE};
use crate::{Error, Result};

/// IDX magic number of an unsigned-byte, 3-dimensional file (images).
pub(crate) const IMAGES_MAGIC: u32 = 0x0000_0803;
/// IDX magic number of an unsigned-byte, 1-dimensional file (labels).
pub(crate) const LABELS_MAGIC: u32 = 0x0000_0801;
/// Header sizes in bytes: magic plus one u32 per dimension.
const IMAGES_HEADER: usize = 16;
const LABELS_HEADER: usize = 8;
/// Decompressed size above which a gzip file is refused (a guard against gzip bombs; the
/// largest MNIST-layout file, EMNIST ByClass, is about 550 MB).
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// Human name of the IDX file kind a magic number stands for, for messages.
pub(crate) fn idx_kind(magic: u32) -> &'static str {
    match magic {
        IMAGES_MAGIC => "images",
        LABELS_MAGIC => "labels",
        _ => "unknown",
    }
}

/// An IDX images file whose header and payload size have been checked: its dimensions and
/// its bytes (kept whole, so the pixels are not copied before they are scaled).
pub(crate) struct IdxImages {
    /// Number of images.
    pub n: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    bytes: Vec<u8>,
}

impl IdxImages {
    /// Reads and checks an images file, verifying `sha256` (hex, of the uncompressed bytes)
    /// when one is given.
    pub(crate) fn read(path: &Path, sha256: Option<&str>) -> Result<IdxImages, DataError> {
        let bytes = read_idx_file(path, sha256)?;
        let [n, rows, cols] = check_images(&bytes, path)?;
        Ok(IdxImages { n, rows, cols, bytes })
    }

    /// The images as (n, rows × cols) `f32` pixels in `[0, 1]` (byte / 255).
    pub(crate) fn unit_pixels(self) -> Result<Array2<f32>> {
        // byte / 255 through a table: exact division, a vectorisable map.
        let scale: [f32; 256] = std::array::from_fn(|b| b as f32 / 255.0);
        let pixels = self.bytes.get(IMAGES_HEADER..).unwrap_or_default();
        let x: Vec<f32> = pixels.iter().map(|&b| scale[usize::from(b)]).collect();
        let (n, width) = (self.n, self.rows * self.cols);
        drop(self.bytes);
        // Cannot fail: the payload was checked to be n * rows * cols bytes.
        Array2::from_shape_vec((n, width), x)
            .map_err(|e| Error::shape("IDX images", format!("{n} x {width}"), e.to_string()))
    }
}

/// Reads and checks a labels file, verifying `sha256` when one is given; any label values
/// are accepted (the MNIST loader checks 0–9).
pub(crate) fn read_idx_labels(path: &Path, sha256: Option<&str>) -> Result<Vec<u8>, DataError> {
    parse_idx_labels(&read_idx_file(path, sha256)?, path)
}

/// Reads an IDX images file (raw or gzip) of 28×28 images into (n, 784) pixels in `[0, 1]`,
/// for reconstructing images that are not in the study's data. Every failure is an error
/// naming the file.
pub fn read_idx_images(path: &Path) -> Result<Array2<f32>> {
    let images = IdxImages::read(path, None)?;
    if images.n == 0 {
        return Err(DataError::Empty { path: path.to_path_buf() }.into());
    }
    if (images.rows, images.cols) != (IMAGE_SIDE, IMAGE_SIDE) {
        return Err(Error::Input {
            path: path.to_path_buf(),
            problem: format!(
                "holds {}x{} images, but the models take 28x28 digits",
                images.rows, images.cols
            ),
            fix: "pass an IDX images file of 28x28 images (MNIST layout)".into(),
        });
    }
    images.unit_pixels()
}

/// Parses an IDX images file (already decompressed) into `(n, rows, cols, pixels)`, pixels
/// row-major. Checks the magic number and that the payload is exactly `n * rows * cols`
/// bytes; any dimensions are accepted (the loader is the one that insists on 28x28).
/// Public so property tests can feed arbitrary bytes: never panics.
pub fn parse_idx_images(
    bytes: &[u8],
    file: &Path,
) -> Result<(usize, usize, usize, Vec<u8>), DataError> {
    let [n, rows, cols] = check_images(bytes, file)?;
    Ok((n, rows, cols, bytes.get(IMAGES_HEADER..).unwrap_or_default().to_vec()))
}

/// Parses an IDX labels file (already decompressed). Checks the magic number and that the
/// payload is exactly `n` bytes; any label values are accepted (the loader checks 0–9).
/// Public so property tests can feed arbitrary bytes: never panics.
pub fn parse_idx_labels(bytes: &[u8], file: &Path) -> Result<Vec<u8>, DataError> {
    let [n] = idx_header::<1>(bytes, file, LABELS_MAGIC)?;
    Ok(idx_payload(bytes, file, LABELS_HEADER, &[n])?.to_vec())
}

/// The dimensions of an images file, once its magic number and payload size are right.
fn check_images(bytes: &[u8], file: &Path) -> Result<[usize; 3], DataError> {
    let dims = idx_header::<3>(bytes, file, IMAGES_MAGIC)?;
    idx_payload(bytes, file, IMAGES_HEADER, &dims)?;
    Ok(dims)
}

/// The whole file, gunzipped if it is gzip (by extension or magic bytes), and checked
/// against `sha256` (hex, of the uncompressed bytes) when one is given.
fn read_idx_file(path: &Path, sha256: Option<&str>) -> Result<Vec<u8>, DataError> {
    let io_err = |source| DataError::Io { path: path.to_path_buf(), source };
    let raw = std::fs::read(path).map_err(io_err)?;
    let named_gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let bytes = if named_gz || raw.starts_with(&[0x1f, 0x8b]) { gunzip(&raw, path)? } else { raw };
    if let Some(expected) = sha256 {
        let found = hex::encode(Sha256::digest(&bytes));
        if !found.eq_ignore_ascii_case(expected) {
            return Err(DataError::Checksum {
                path: path.to_path_buf(),
                expected: expected.to_string(),
                found,
            });
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

/// Big-endian u32 at `at`, if the bytes are there.
fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let word = bytes.get(at..end)?;
    Some(u32::from_be_bytes(word.try_into().ok()?))
}

/// Checks the magic number and reads the header's dimensions.
fn idx_header<const D: usize>(
    bytes: &[u8],
    file: &Path,
    magic: u32,
) -> Result<[usize; D], DataError> {
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
fn idx_payload<'a>(
    bytes: &'a [u8],
    file: &Path,
    header_len: usize,
    dims: &[usize],
) -> Result<&'a [u8], DataError> {
    // u128 cannot overflow: at most three u32 factors (2^96) plus a small header.
    let needed: u128 = dims.iter().map(|&d| d as u128).product::<u128>() + header_len as u128;
    let found = bytes.len() as u128;
    let expected_bytes = u64::try_from(needed).unwrap_or(u64::MAX);
    let found_bytes = bytes.len() as u64;
    if found < needed {
        return Err(DataError::Truncated { path: file.to_path_buf(), expected_bytes, found_bytes });
    }
    if found > needed {
        return Err(DataError::TrailingBytes {
            path: file.to_path_buf(),
            expected_bytes,
            found_bytes,
        });
    }
    // needed == bytes.len() here, so the range is in bounds; `get` keeps it panic-free anyway.
    bytes.get(header_len..).ok_or(DataError::Truncated {
        path: file.to_path_buf(),
        expected_bytes,
        found_bytes,
    })
}

#[cfg(test)]
#[path = "idx_tests.rs"]
mod tests;
