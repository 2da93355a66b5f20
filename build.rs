//! Build-time facts the library records with its results:
//! - the versions of the main dependencies (from Cargo.lock), for `results.json`;
//! - a fingerprint of the code that trains, so a cache of trained models is never reused
//!   after that code has changed (see [`training_source_hash`]).

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rustc-env=AE_MLP_DEP_VERSIONS={}", dependency_versions());
    let hash = training_source_hash();
    println!("cargo:rustc-env=AE_MLP_SOURCE_HASH={hash:016x}");
}

/// The cache key of trained models (`AE_MLP_SOURCE_HASH`, read by `src/output/cache.rs`):
/// FNV-1a over the path and the code lines of every `src/**/*.rs` that can change a trained
/// number. Left out, because editing them must not retrain every cached study:
/// - `src/main.rs` (the command line), `src/output/plot/` (figures) and `src/candle/` (the
///   opt-in candle bridge, which no cached experiment runs): they only show or check results;
/// - [`SHOWN_ONLY`]: code that summarises, compares and tabulates cached results (the
///   statistics, the verdicts, the tables) without training anything;
/// - comment lines (`//`, `///`, `//!` once trimmed): documentation, not behaviour.
///
/// Anything else that changes counts, even a blank line: a key that is sometimes too strict
/// only costs a retraining, one that is too loose would serve stale numbers.
fn training_source_hash() -> u64 {
    let mut files = Vec::new();
    collect_rs(Path::new("src"), &mut files);
    files.retain(|f| {
        f != Path::new("src/main.rs")
            && !f.starts_with("src/output/plot")
            && !f.starts_with("src/candle")
            && !SHOWN_ONLY.iter().any(|s| f == Path::new(s))
    });
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let code = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .flat_map(|l| l.bytes().chain([b'\n']));
        for b in file.to_string_lossy().bytes().chain(code) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Files that only read results already trained (and cached) to summarise or judge them.
const SHOWN_ONLY: [&str; 7] = [
    "src/experiments/statistics.rs",
    "src/experiments/tuned/seeds.rs",
    "src/experiments/label_curve/seeds.rs",
    "src/experiments/claims/verdicts.rs",
    "src/experiments/study/tables.rs",
    "src/experiments/study/seeds.rs",
    "src/experiments/family/seeds.rs",
];

fn dependency_versions() -> String {
    const WANTED: [&str; 6] =
        ["ndarray", "matrixmultiply", "rand", "rand_xoshiro", "plotters", "serde_json"];
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
