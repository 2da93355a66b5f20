//! Build-time facts the library records with its results:
//! - the versions of the main dependencies (from Cargo.lock), for `results.json`;
//! - a fingerprint of the library's source, so a cache of trained models is never reused
//!   after the code that trained them has changed.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rustc-env=AE_MLP_DEP_VERSIONS={}", dependency_versions());
    let mut files = Vec::new();
    collect_rs(Path::new("src"), &mut files);
    files.sort();
    // FNV-1a over every source file's path and bytes: enough for a cache key.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        for b in file.to_string_lossy().bytes().chain(bytes) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=AE_MLP_SOURCE_HASH={hash:016x}");
}

fn dependency_versions() -> String {
    const WANTED: [&str; 6] = ["ndarray", "matrixmultiply", "rand", "rand_xoshiro", "plotters", "serde_json"];
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut found = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            if WANTED.contains(&n.as_str()) {
                found.push(format!("{n}={}", v.trim_matches('"')));
            }
        }
    }
    found.join(",")
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
