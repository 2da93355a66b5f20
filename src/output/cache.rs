//! A disk cache for trained models and measured results, shared by tests, notebooks and the
//! book's asset generator: train once, reuse everywhere.
//!
//! An entry is keyed by its settings *and* a hash of the library's training code (`build.rs`
//! says which files and lines count), so a cached result is only ever reused for exactly the
//! code and settings that produced it; a fresh checkout (or any edit of that code) trains for
//! real.

use std::path::{Path, PathBuf};

use ndarray::ArrayView2;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Result;

/// Where results are cached by default: `target/ae-mlp-cache` inside the crate.
pub fn default_cache_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("ae-mlp-cache")
}

/// A short hex key for `settings` under this exact library source and version.
pub fn cache_key(settings: &impl Serialize) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(settings).unwrap_or_default());
    h.update(env!("AE_MLP_SOURCE_HASH"));
    h.update(env!("CARGO_PKG_VERSION"));
    hex::encode(&h.finalize()[..8])
}

/// The cached value for (`name`, `settings`) in `dir`, or `compute()`'s, which is then stored.
///
/// A cache that cannot be read or written only costs time, so those failures are not errors;
/// an error from `compute` is.
pub fn cached<T: Serialize + DeserializeOwned>(
    dir: &Path,
    name: &str,
    settings: &impl Serialize,
    compute: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let path = dir.join(format!("{name}-{}.json", cache_key(settings)));
    if let Some(hit) = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<T>(&b).ok())
    {
        return Ok(hit);
    }
    let value = compute()?;
    if let Ok(bytes) = serde_json::to_vec(&value) {
        let _ = crate::output::write_atomic(&path, &bytes);
    }
    Ok(value)
}

/// A SHA-256 of the shape and values of `x`: a cache key for anything trained or computed
/// from it, without storing it.
pub fn fingerprint(x: ArrayView2<f32>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(format!("{:?}", x.dim()));
    let x = x.as_standard_layout();
    let values = x.as_slice().expect("a standard-layout array is one slice");
    if cfg!(target_endian = "little") {
        h.update(bytemuck::cast_slice::<f32, u8>(values));
    } else {
        values.iter().for_each(|v| h.update(v.to_le_bytes()));
    }
    hex::encode(h.finalize())
}
