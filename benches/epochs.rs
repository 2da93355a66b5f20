//! Epoch-time benchmark: `cargo bench --bench epochs [--features openblas] [-- --epochs N]
//! [--threads 1,2] [--models ae,codes,raw,tuned,kinds] [--rounds R] [--kinds vanilla,denoising,…]
//! [--images N] [--study N] [--family N] [--book] [--book-targets]`.
//!
//! Prints which GEMM the build uses and its peak on the autoencoder's biggest layer shape;
//! then, for the autoencoder, the MLP on codes and the MLP on raw pixels: seconds per epoch
//! (minimum and median of several epochs), images per second, and the GFLOP/s reached (6 ×
//! weights × samples per epoch: forward 2, backward 4), also as a share of that peak, and with
//! `--features candle` the same autoencoder in candle on the same batches (chapter 11); then
//! the tuned recipe's pixels MLP and autoencoder (chapter 9: batches of 128, dropout); then
//! every kind of the autoencoder family (chapter 7's settings: same layers, same batch),
//! trained in turn for `--rounds` rounds (default 2) of N epochs each, with its seconds per
//! epoch and their ratio to the vanilla autoencoder's, read under the same load (`--kinds`
//! keeps the kinds of those names, `--images N` trains them on the first N images only, for
//! a profiler); then the peak RSS. `--study N` also runs the whole study (`ae-mlp` with its defaults, what
//! `cargo run --release` runs) N times, for its wall time and peak RSS (via /usr/bin/time).
//! `--family N` runs the family comparison of chapter 7 (every kind, one seed) for N seeds
//! through a fresh cache, so every model trains: the first seed also builds the pixels' k-NN graph,
//! which the others reuse. Last, every speed target is printed next to its measured value
//! (`--book-targets` writes that table alone into the book).
//! `--book` writes the figures to `book/src/generated/perf_<build>_*.md`.
//!
//! Training splits each batch across rayon's threads (see `nn::stack`). Every model is timed
//! once per thread count of `--threads` (default: 1 and all cores), side by side in the same
//! run, so the speed-up is read under the same load. The machine is shared: read the minimum
//! as the capability and the median as the typical.

#[cfg(feature = "candle")]
#[path = "epochs/candle.rs"]
mod candle;
mod common;

use std::fmt::Write;
use std::process::Command;
use std::time::Instant;

use ae_mlp::prelude::*;
use common::*;
use ndarray::linalg::general_mat_mul;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One model timed on one thread count: every epoch's training seconds.
#[derive(Serialize, Deserialize)]
struct Row {
    key: String,
    name: String,
    threads: usize,
    seconds: Vec<f64>,
    gflop: f64,
}

/// Everything `--book` writes, kept in `target/perf/epochs_<build>.json` so that with
/// `--accumulate` several runs (taken at different moments of a shared machine's load) add up:
/// minimum and median over all their epochs, the best GEMM peak, the largest RSS.
#[derive(Serialize, Deserialize, Default)]
struct Record {
    /// "date, load average" of each run.
    runs: Vec<String>,
    rows: Vec<Row>,
    /// (threads, GFLOP/s), the best of all runs.
    peaks: Vec<(usize, f64)>,
    rss_mb: u64,
    study_seconds: Vec<f64>,
    study_rss_mb: u64,
    /// Wall seconds of the family comparison per seed: (the first seed of a run, which builds
    /// the pixels' graph; every later seed).
    #[serde(default)]
    family_seconds: (Vec<f64>, Vec<f64>),
    /// Each kind's (minimum, median) epoch over the vanilla autoencoder's, on all cores (the
    /// last run's).
    #[serde(default)]
    kind_ratios: Vec<(String, (f64, f64))>,
}

impl Record {
    fn merge(&mut self, other: Record) {
        self.runs.extend(other.runs);
        for row in other.rows {
            match self.rows.iter_mut().find(|r| r.key == row.key && r.threads == row.threads) {
                Some(r) => r.seconds.extend(row.seconds),
                None => self.rows.push(row),
            }
        }
        for (t, p) in other.peaks {
            match self.peaks.iter_mut().find(|q| q.0 == t) {
                Some(q) => q.1 = q.1.max(p),
                None => self.peaks.push((t, p)),
            }
        }
        self.rss_mb = self.rss_mb.max(other.rss_mb);
        self.study_seconds.extend(other.study_seconds);
        self.study_rss_mb = self.study_rss_mb.max(other.study_rss_mb);
        self.family_seconds.0.extend(other.family_seconds.0);
        self.family_seconds.1.extend(other.family_seconds.1);
        if !other.kind_ratios.is_empty() {
            self.kind_ratios = other.kind_ratios;
        }
    }
}

fn main() {
    let epochs = flag("--epochs").and_then(|s| s.parse().ok()).unwrap_or(5usize);
    let cores = rayon::current_num_threads();
    let mut threads: Vec<usize> = match flag("--threads") {
        Some(list) => {
            list.split(',').filter_map(|t| t.trim().parse().ok()).filter(|&t| t > 0).collect()
        }
        None => vec![1, cores],
    };
    threads.dedup();
    // `--models ae,codes,raw,tuned,kinds` (default: all five) picks what to time.
    let models = flag("--models").unwrap_or_else(|| "ae,codes,raw,tuned,kinds".into());
    let rounds = flag("--rounds").and_then(|s| s.parse().ok()).unwrap_or(2usize).max(1);
    let wants = |m: &str| models.split(',').any(|x| x.trim() == m);
    let study_runs: usize = flag("--study").and_then(|s| s.parse().ok()).unwrap_or(0);

    ae_mlp::nn::gemm::init();
    let backend = ae_mlp::nn::gemm::backend();
    println!("{backend}");
    let load = load_average();
    println!("{}; load average {load} at the start", machine());
    let started = Instant::now();
    let data = Mnist::load_bundled().expect("bundled MNIST loads");
    println!("load + verify MNIST: {:.3} s", started.elapsed().as_secs_f64());
    let mut peaks = vec![];
    for &t in &threads {
        let peak = with_threads(t, || gemm_peak(t));
        println!(
            "GEMM peak (f32, 256×784 · 784×128), {t} thread(s), one GEMM each: {peak:.1} GFLOP/s"
        );
        peaks.push((t, peak));
    }
    let peak_of = |t: usize| peaks.iter().find(|p| p.0 == t).map_or(f64::NAN, |p| p.1);

    let train = TrainParams::default().epochs(epochs);
    let n = data.train.len();
    let mut rows = vec![];
    let mut time = |key: &str, name: &str, threads, seconds: Vec<f64>, macs: usize| {
        let (min, median) = min_median(&seconds);
        let row = Row {
            key: key.into(),
            name: name.into(),
            threads,
            seconds,
            gflop: 6.0 * macs as f64 * n as f64 / 1e9,
        };
        println!(
            "{name:<38} {threads} thr: epoch min {min:.3} s, median {median:.3} s | {:.0} images/s | {:.1} GFLOP/epoch → {:.1} GFLOP/s ({:.0} % of peak)  (load {})",
            n as f64 / min,
            row.gflop,
            row.gflop / min,
            100.0 * row.gflop / min / peak_of(threads),
            load_average()
        );
        rows.push(row);
    };
    let fit_ae = |params: &TrainParams| {
        AutoencoderParams::default().train(params.clone()).fit(
            data.train.x.view(),
            Some(data.test.x.view()),
            &mut |_| {},
        )
    };
    let mut codes = None;
    for &t in threads.iter().filter(|_| wants("ae")) {
        let (ae, h) = with_threads(t, || fit_ae(&train)).expect("trains");
        let macs = ae.encoder.macs_per_sample() + ae.decoder.macs_per_sample();
        time("ae", "autoencoder 784-128-64-32-64-128-784", t, epoch_seconds(&h), macs);
        codes.get_or_insert_with(|| ae.encode(&data.train.x).expect("encodes"));
    }
    // The same autoencoder in candle (chapter 11), same batches, same run: one row, on all
    // cores (candle's CPU kernels pick their own thread count).
    #[cfg(feature = "candle")]
    if wants("ae") {
        let (seconds, macs) = candle::epochs(&data, &train);
        time("candle", "autoencoder in candle (same layers)", cores, seconds, macs);
    }
    #[cfg(not(feature = "candle"))]
    if wants("ae") {
        println!("autoencoder in candle: absent (built without it; add `--features candle`)");
    }
    if wants("codes") {
        // Codes from a one-epoch autoencoder when the autoencoder itself is not timed.
        let codes = codes.unwrap_or_else(|| {
            fit_ae(&train.clone().epochs(1))
                .expect("trains")
                .0
                .encode(&data.train.x)
                .expect("encodes")
        });
        for &t in &threads {
            let (mlp, h) = with_threads(t, || {
                MlpParams::default().train(train.clone()).fit(
                    codes.view(),
                    data.train.y.view(),
                    None,
                    &mut |_| {},
                )
            })
            .expect("trains");
            time(
                "codes",
                "MLP on codes 32-128-64-10",
                t,
                epoch_seconds(&h),
                mlp.stack.macs_per_sample(),
            );
        }
    }
    for &t in threads.iter().filter(|_| wants("raw")) {
        let (mlp, h) = with_threads(t, || {
            MlpParams::raw_pixels().train(train.clone()).fit(
                data.train.x.view(),
                data.train.y.view(),
                None,
                &mut |_| {},
            )
        })
        .expect("trains");
        time(
            "raw",
            "MLP on pixels 784-256-128-10",
            t,
            epoch_seconds(&h),
            mlp.stack.macs_per_sample(),
        );
    }
    // The tuned recipe's two models (chapter 9, and chapter 10's self-training): batches of
    // 128, AdamW, and dropout masks for the pixels MLP. Most of the test suite's training.
    for &t in threads.iter().filter(|_| wants("tuned")) {
        let recipe = ae_mlp::experiments::tuned::TunedConfig::default();
        let tuned = |p: &TrainParams| p.clone().epochs(epochs).early_stopping(None);
        let (mlp, h) = with_threads(t, || {
            let raw = &recipe.raw_mlp;
            raw.clone().train(tuned(&raw.train)).fit(
                data.train.x.view(),
                data.train.y.view(),
                None,
                &mut |_| {},
            )
        })
        .expect("trains");
        let macs = mlp.stack.macs_per_sample();
        time("tuned_raw", "tuned MLP on pixels (dropout, 128)", t, epoch_seconds(&h), macs);
        let (ae, h) = with_threads(t, || {
            let ae = &recipe.autoencoder;
            let params = AutoencoderParams { train: tuned(&ae.train), ..ae.clone() };
            params.fit(data.train.x.view(), None, &mut |_| {})
        })
        .expect("trains");
        let macs = ae.encoder.macs_per_sample() + ae.decoder.macs_per_sample();
        time("tuned_ae", "tuned autoencoder (batches of 128)", t, epoch_seconds(&h), macs);
    }
    let mut kind_ratios = vec![];
    for &t in threads.iter().filter(|_| wants("kinds")) {
        kind_ratios = time_kinds(&data, &train, t, rounds);
    }
    let rss = peak_rss_mb();
    println!("peak RSS: {rss} MB");

    let study = (study_runs > 0).then(|| whole_study(study_runs));
    let family_runs: usize = flag("--family").and_then(|s| s.parse().ok()).unwrap_or(0);
    let family = (family_runs > 0).then(|| family_seeds(family_runs));

    let mut record = Record {
        runs: vec![format!("{} (load {load})", machine())],
        rows,
        peaks,
        rss_mb: rss,
        study_seconds: study.as_ref().map_or(vec![], |s| s.0.clone()),
        study_rss_mb: study.as_ref().map_or(0, |s| s.1),
        family_seconds: family
            .as_ref()
            .map_or((vec![], vec![]), |s| (s[..1].to_vec(), s[1..].to_vec())),
        kind_ratios,
    };
    // Every target beside its measured value, on all cores.
    println!("targets, on {cores} threads:\n{}", targets(&record, cores));
    // `--book-targets` writes only that table (and the machine it was measured on), leaving
    // the chapter's other tables as they were measured.
    if has("--book-targets") {
        let build = build_name();
        write_generated(&format!("perf.{build}.targets"), &targets(&record, cores));
        let command: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
        let command = command.join(" ");
        let note = format!(
            "Measured by `cargo bench --bench epochs -- {command}`: {backend}; {}.",
            record.runs.join("; ")
        );
        write_generated(&format!("perf.{build}.targets_machine"), &note);
    }
    if has("--book") {
        let build = build_name();
        let store = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/perf")
            .join(format!("epochs_{build}.json"));
        if has("--accumulate") {
            if let Some(old) =
                std::fs::read(&store).ok().and_then(|b| serde_json::from_slice::<Record>(&b).ok())
            {
                let new = std::mem::replace(&mut record, old);
                record.merge(new);
            }
        }
        std::fs::create_dir_all(store.parent().expect("has a parent")).expect("target/perf");
        std::fs::write(&store, serde_json::to_vec_pretty(&record).expect("serialises"))
            .expect("writes the record");
        write_book(build, &record, n, cores, epochs, (study_runs, family_runs), &backend);
    }
}

/// Writes the record's figures to the book's numbers, under `perf.<build>`.
fn write_book(
    build: &str,
    record: &Record,
    n: usize,
    cores: usize,
    epochs: usize,
    (study_runs, family_runs): (usize, usize),
    backend: &str,
) {
    let peak_of = |t: usize| record.peaks.iter().find(|p| p.0 == t).map_or(f64::NAN, |p| p.1);
    let mut table = String::from(
        "| model | threads | epoch, min (s) | epoch, median (s) | images/s | GFLOP/s | of GEMM peak |\n|---|---|---|---|---|---|---|",
    );
    for r in &record.rows {
        let (min, median) = min_median(&r.seconds);
        write!(
            table,
            "\n| {} | {} | {min:.3} | {median:.3} | {:.0} | {:.0} | {:.0} % |",
            r.name,
            r.threads,
            n as f64 / min,
            r.gflop / min,
            100.0 * r.gflop / min / peak_of(r.threads)
        )
        .unwrap();
    }
    write_generated(&format!("perf.{build}.table"), &table);
    for r in record.rows.iter().filter(|r| r.threads == cores) {
        let (min, median) = min_median(&r.seconds);
        write_generated(&format!("perf.{build}.{}", r.key), &format!("{min:.3} s / {median:.3} s"));
    }
    let peaks: Vec<String> =
        record.peaks.iter().map(|(t, p)| format!("{p:.0} GFLOP/s on {t} thread(s)")).collect();
    write_generated(&format!("perf.{build}.gemm_peak"), &peaks.join(", "));
    write_generated(&format!("perf.{build}.rss"), &format!("{} MB", record.rss_mb));
    let runs = record.runs.len();
    let note = format!(
        "Measured by `cargo bench --bench epochs{} -- --epochs {epochs}{} --book --accumulate`, {runs} run(s): {backend}; {}; min / median over all their epochs.",
        if build == "openblas" { " --features openblas" } else { "" },
        if study_runs > 0 { format!(" --study {study_runs}") } else { String::new() }
            + &if family_runs > 0 { format!(" --family {family_runs}") } else { String::new() },
        record.runs.join("; ")
    );
    write_generated(&format!("perf.{build}.machine"), &note);
    if !record.study_seconds.is_empty() {
        let (min, median) = min_median(&record.study_seconds);
        write_generated(&format!("perf.{build}.study"), &format!("{min:.1} s / {median:.1} s"));
        write_generated(&format!("perf.{build}.study_rss"), &format!("{} MB", record.study_rss_mb));
    }
    write_generated(&format!("perf.{build}.targets"), &targets(record, cores));
    let (first, later) = &record.family_seconds;
    if !first.is_empty() {
        let (min, median) = min_median(if later.is_empty() { first } else { later });
        write_generated(&format!("perf.{build}.family"), &format!("{min:.0} s / {median:.0} s"));
        let (first_min, _) = min_median(first);
        write_generated(&format!("perf.{build}.family_first"), &format!("{first_min:.0} s"));
    }
}

/// The speed targets beside what the record measured, as a Markdown table.
fn targets(record: &Record, cores: usize) -> String {
    let peak = record.peaks.iter().find(|p| p.0 == cores).map_or(f64::NAN, |p| p.1);
    let row = |key: &str| record.rows.iter().find(|r| r.key == key && r.threads == cores);
    let mut t = String::from("| target | measured (min / median) | met |\n|---|---|---|");
    let mut line = |target: String, measured: String, met: bool| {
        let met = if met { "yes" } else { "no" };
        write!(t, "\n| {target} | {measured} | {met} |").unwrap();
    };
    for (key, name) in [("ae", "autoencoder"), ("raw", "MLP on pixels")] {
        if let Some(r) = row(key) {
            let bound = r.gflop / peak;
            let (min, median) = min_median(&r.seconds);
            line(
                format!("{name} epoch ≤ 1.15 × its GEMM bound ({bound:.3} s)"),
                format!("{:.2} × / {:.2} ×", min / bound, median / bound),
                min / bound <= 1.15,
            );
        }
    }
    if let Some(r) = row("codes") {
        let (min, median) = min_median(&r.seconds);
        let share = |s: f64| 100.0 * r.gflop / s / peak;
        line(
            "MLP on codes ≥ 50 % of the GEMM peak".into(),
            format!("{:.0} % / {:.0} %", share(min), share(median)),
            share(min) >= 50.0,
        );
    }
    for (label, (min, median)) in &record.kind_ratios {
        line(
            format!("{label} epoch ≤ 1.25 × vanilla's"),
            format!("{min:.2} × / {median:.2} ×"),
            *min <= 1.25,
        );
    }
    let (first, later) = &record.family_seconds;
    if !first.is_empty() {
        let (min, median) = min_median(if later.is_empty() { first } else { later });
        line(
            "family comparison ≤ 100 s a seed".into(),
            format!(
                "{min:.0} s / {median:.0} s (the first seed, building the pixels' graph: {:.0} s)",
                min_median(first).0
            ),
            min <= 100.0,
        );
    }
    if !record.study_seconds.is_empty() {
        let (min, median) = min_median(&record.study_seconds);
        line("whole study ≤ 15 s".into(), format!("{min:.1} s / {median:.1} s"), min <= 15.0);
        line(
            "whole study's peak RSS ≤ 300 MB".into(),
            format!("{} MB", record.study_rss_mb),
            record.study_rss_mb <= 300,
        );
    }
    t
}

/// Training seconds of each epoch of a run.
fn epoch_seconds(h: &History) -> Vec<f64> {
    h.epochs.iter().map(|e| e.train_seconds).collect()
}

/// Runs the whole study `runs` times (the `ae-mlp` binary of this build, default settings,
/// figures written under target/perf-study) under /usr/bin/time. Returns the wall seconds of
/// each run and the largest peak RSS in MB.
fn whole_study(runs: usize) -> (Vec<f64>, u64) {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("perf-study");
    let (mut walls, mut rss) = (vec![], 0u64);
    for run in 1..=runs {
        let load = load_average();
        let output = Command::new("/usr/bin/time")
            .args(["-f", "%e %M", env!("CARGO_BIN_EXE_ae-mlp"), "--quiet", "--out"])
            .arg(&out)
            .output()
            .expect("/usr/bin/time runs ae-mlp (Debian package `time`)");
        assert!(
            output.status.success(),
            "the study failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        let mut fields = last.split_whitespace();
        let wall: f64 =
            fields.next().and_then(|s| s.parse().ok()).expect("wall seconds from /usr/bin/time");
        let kb: u64 =
            fields.next().and_then(|s| s.parse().ok()).expect("max RSS from /usr/bin/time");
        println!(
            "whole study, run {run}: {wall:.1} s wall, peak RSS {} MB  (load {load} at the start)",
            kb / 1024
        );
        walls.push(wall);
        rss = rss.max(kb / 1024);
    }
    let (min, median) = min_median(&walls);
    println!("whole study: min {min:.1} s, median {median:.1} s, peak RSS {rss} MB");
    (walls, rss)
}

/// The family comparison (chapter 7's defaults, every kind) for seeds 42, 43, … through one
/// fresh cache: wall seconds of each seed. The first also builds the pixels' k-NN graph.
fn family_seeds(runs: usize) -> Vec<f64> {
    let cache = tempfile::tempdir().expect("a temporary cache directory");
    let mut seconds = vec![];
    for seed in 42..42 + runs as u64 {
        let load = load_average();
        let started = Instant::now();
        let config = FamilyConfig::default().seed(seed);
        Family::run_cached(&config, cache.path(), &mut |_, _| {}).expect("the family trains");
        let wall = started.elapsed().as_secs_f64();
        println!("family comparison, seed {seed}: {wall:.1} s  (load {load} at the start)");
        seconds.push(wall);
    }
    seconds
}

/// Every autoencoder of the family comparison, with chapter 7's settings, trained on
/// `threads` threads: `rounds` rounds, each training every kind in turn for `train`'s epochs,
/// so that all of them meet the same load. Prints each kind's seconds per epoch (minimum and
/// median over all its epochs) and their ratios to the vanilla autoencoder's.
fn time_kinds(
    data: &Mnist,
    train: &TrainParams,
    threads: usize,
    rounds: usize,
) -> Vec<(String, (f64, f64))> {
    let names = flag("--kinds").unwrap_or_else(|| AutoencoderKind::NAMES.join(","));
    let mut variants = FamilyConfig::default().variants;
    variants.retain(|v| names.split(',').any(|n| n.trim() == v.params.kind.name()));
    let images = flag("--images")
        .and_then(|s| s.parse().ok())
        .unwrap_or(data.train.len())
        .min(data.train.len());
    let x = data.train.x.slice(s![..images, ..]);
    let mut seconds: Vec<Vec<f64>> = vec![vec![]; variants.len()];
    for _ in 0..rounds {
        for (variant, seconds) in variants.iter().zip(&mut seconds) {
            let params = variant.params.clone().train(train.clone());
            let (_, h) =
                with_threads(threads, || params.fit(x, None, &mut |_| {})).expect("trains");
            seconds.extend(h.epochs.iter().map(|e| e.train_seconds));
        }
    }
    // Ratios to the vanilla autoencoder's epoch, if it was timed.
    let vanilla = variants.iter().position(|v| v.params.kind == AutoencoderKind::Vanilla);
    let (vanilla_min, vanilla_median) =
        vanilla.map_or((f64::NAN, f64::NAN), |i| min_median(&seconds[i]));
    println!(
        "autoencoder family, {threads} thr, {rounds} rounds × {} epochs each, in turn:",
        train.epochs
    );
    let mut ratios = vec![];
    for (variant, seconds) in variants.iter().zip(&seconds) {
        let (min, median) = min_median(seconds);
        println!(
            "  {:<38} epoch min {min:.3} s, median {median:.3} s | × vanilla: min {:.2}, median {:.2}  (load {})",
            variant.label,
            min / vanilla_min,
            median / vanilla_median,
            load_average()
        );
        if variant.params.kind != AutoencoderKind::Vanilla {
            ratios.push((variant.label.clone(), (min / vanilla_min, median / vanilla_median)));
        }
    }
    ratios
}

/// Best total GFLOP/s of `threads` threads each multiplying the autoencoder's biggest shapes
/// (batch 256 × 784 inputs × 128 outputs) on their own matrices, as the training shards do.
fn gemm_peak(threads: usize) -> f64 {
    let flop = 2.0 * 256.0 * 784.0 * 128.0 * threads as f64;
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        (0..threads).into_par_iter().for_each(|_| {
            let a = Array2::<f32>::from_elem((256, 784), 0.5);
            let b = Array2::<f32>::from_elem((784, 128), 0.25);
            let mut c = Array2::<f32>::zeros((256, 128));
            for _ in 0..50 {
                general_mat_mul(1.0, &a, &b, 0.0, &mut c);
            }
        });
        best = best.min(t.elapsed().as_secs_f64() / 50.0);
    }
    flop / best / 1e9
}
