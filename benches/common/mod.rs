//! What the benchmarks share: flags, thread pools, statistics, peak RSS, and writing their
//! figures into the book (the `perf` topic of `book/src/generated/numbers.json`,
//! `book/src/figures/perf_*`).
//!
//! Those files are measured on one machine and committed; CI never re-measures them.

#![allow(dead_code)] // each bench uses its own subset

use std::path::PathBuf;

/// The book's numbers file and its one writer, shared with the book's tools (`xtask/`).
#[path = "../../xtask/src/numbers.rs"]
mod numbers;

/// The value after `flag` on the command line, if any.
pub fn flag(flag: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().skip_while(|a| *a != flag).nth(1).cloned()
}

/// Whether `flag` is on the command line.
pub fn has(flag: &str) -> bool {
    std::env::args().any(|a| a == flag)
}

/// Runs `f` with `threads` threads. With all cores it runs as a program would, on rayon's
/// global pool from the main thread; otherwise inside a pool of that size.
pub fn with_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    if threads == rayon::current_num_threads() {
        f()
    } else {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool")
            .install(f)
    }
}

/// Minimum and median of some timings (seconds).
pub fn min_median(seconds: &[f64]) -> (f64, f64) {
    let mut s = seconds.to_vec();
    s.sort_by(f64::total_cmp);
    (s[0], s[s.len() / 2])
}

/// This process's peak resident set size, in MB (Linux; 0 elsewhere).
pub fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}

/// The 1-minute load average (how busy the shared machine was), if readable.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// "2026-12-01, Intel(R) Xeon(R) Processor, 2 cores": when and where a figure was measured.
pub fn machine() -> String {
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.to_string()))
        .and_then(|l| l.split(':').nth(1).map(|m| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{date}, {cpu}, {cores} cores")
}

/// `book/src` of this crate.
pub fn book_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("book").join("src")
}

/// Sets one generated number or table of the book (`key` as `perf.default.table`), keeping
/// the others.
pub fn write_generated(key: &str, text: &str) {
    let path = numbers::numbers_path(&book_src());
    let entry = (key.to_string(), serde_json::Value::from(text.trim_end()));
    numbers::update(&path, [entry]).unwrap_or_else(|e| panic!("writing {key}: {e}"));
    println!("wrote {key} to {}", path.display());
}

/// "build" for file names: `default` or `openblas`.
pub fn build_name() -> &'static str {
    if cfg!(feature = "openblas") {
        "openblas"
    } else {
        "default"
    }
}
