//! Epoch-time benchmark: `cargo bench --bench epochs [-- --epochs N] [--threads 1,2]`.
//!
//! Prints, for the autoencoder, the MLP on codes and the MLP on raw pixels: seconds per
//! epoch (minimum and median of several epochs), images per second, and the GFLOP/s reached
//! (6 × weights × samples per epoch: forward 2, backward 4), next to the GEMM peak measured
//! in the same run on the layer shapes the autoencoder multiplies. Then the peak RSS.
//!
//! Training splits each batch across rayon's threads (see `nn::stack`). Every model is timed
//! once per thread count of `--threads` (default: 1 and all cores), side by side in the same
//! run, so the speed-up is read under the same load. The machine is shared: read the minimum
//! as the capability and the median as the typical.

use std::time::Instant;

use ae_mlp::prelude::*;
use ae_mlp::train::TrainParams;
use ndarray::linalg::general_mat_mul;
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().skip_while(|a| *a != flag).nth(1).cloned();
    let epochs = value("--epochs").and_then(|s| s.parse().ok()).unwrap_or(5usize);
    let cores = rayon::current_num_threads();
    let mut threads: Vec<usize> = match value("--threads") {
        Some(list) => list.split(',').filter_map(|t| t.trim().parse().ok()).filter(|&t| t > 0).collect(),
        None => vec![1, cores],
    };
    threads.dedup();

    let started = Instant::now();
    let data = Mnist::load_bundled().expect("bundled MNIST loads");
    println!("load + verify MNIST: {:.3} s", started.elapsed().as_secs_f64());
    for &t in &threads {
        let peak = with_threads(t, cores, || gemm_peak(t));
        println!("GEMM peak (f32, batch 256), {t} thread(s), one GEMM each: {peak:.1} GFLOP/s");
    }

    let train = TrainParams::default().epochs(epochs);
    let mut codes = None;
    for &t in &threads {
        let (ae, h) = with_threads(t, cores, || {
            AutoencoderParams::default().train(train.clone()).fit(
                data.train.x.view(),
                Some(data.test.x.view()),
                &mut |_| {},
            )
        })
        .expect("trains");
        let macs = ae.encoder.macs_per_sample() + ae.decoder.macs_per_sample();
        report("autoencoder 784-128-64-32-64-128-784", t, &h, macs, data.train.len());
        codes.get_or_insert_with(|| ae.encode(&data.train.x).expect("encodes"));
    }
    let codes = codes.expect("at least one thread count");
    for &t in &threads {
        let (mlp, h) = with_threads(t, cores, || {
            MlpParams::default().train(train.clone()).fit(codes.view(), data.train.y.view(), None, &mut |_| {})
        })
        .expect("trains");
        report("MLP on codes 32-128-64-10", t, &h, mlp.stack.macs_per_sample(), data.train.len());
    }
    for &t in &threads {
        let (mlp, h) = with_threads(t, cores, || {
            MlpParams::raw_pixels().train(train.clone()).fit(
                data.train.x.view(),
                data.train.y.view(),
                None,
                &mut |_| {},
            )
        })
        .expect("trains");
        report("MLP on pixels 784-256-128-10", t, &h, mlp.stack.macs_per_sample(), data.train.len());
    }
    println!("peak RSS: {} MB", peak_rss_kb() / 1024);
}

/// Runs `f` with `threads` threads. With all cores it runs as a program would, on rayon's
/// global pool from the main thread; otherwise inside a pool of that size.
fn with_threads<R: Send>(threads: usize, cores: usize, f: impl FnOnce() -> R + Send) -> R {
    if threads == cores {
        f()
    } else {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool").install(f)
    }
}

fn report(name: &str, threads: usize, h: &History, macs_per_sample: usize, samples: usize) {
    let mut s: Vec<f64> = h.epochs.iter().map(|e| e.train_seconds).collect();
    s.sort_by(f64::total_cmp);
    let (min, median) = (s[0], s[s.len() / 2]);
    let gflop = 6.0 * macs_per_sample as f64 * samples as f64 / 1e9;
    println!(
        "{name:<38} {threads} thr: epoch min {min:.3} s, median {median:.3} s | {:.0} images/s | {gflop:.1} GFLOP/epoch → {:.1} GFLOP/s",
        samples as f64 / min,
        gflop / min
    );
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

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
