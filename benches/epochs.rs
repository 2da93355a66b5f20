//! Epoch-time benchmark: `cargo bench --bench epochs [-- --epochs N]`.
//!
//! Prints, for the autoencoder, the MLP on codes and the MLP on raw pixels: seconds per
//! epoch (minimum and median of several epochs), images per second, and the GFLOP/s reached
//! (6 × weights × samples per epoch: forward 2, backward 4), next to the GEMM peak measured
//! in the same run on the layer shapes the autoencoder multiplies. Then the peak RSS.
//! The machine is shared: read the minimum as the capability and the median as the typical.

use std::time::Instant;

use ae_mlp::prelude::*;
use ae_mlp::train::TrainParams;
use ndarray::linalg::general_mat_mul;

fn main() {
    let epochs = std::env::args().skip_while(|a| a != "--epochs").nth(1).and_then(|s| s.parse().ok()).unwrap_or(5usize);
    let started = Instant::now();
    let data = Mnist::load_bundled().expect("bundled MNIST loads");
    println!("load + verify MNIST: {:.3} s", started.elapsed().as_secs_f64());
    println!("GEMM peak (f32, batch 256): {:.1} GFLOP/s", gemm_peak());

    let train = TrainParams::default().epochs(epochs);
    let ae_params = AutoencoderParams::default().train(train.clone());
    let (ae, h) = ae_params.fit(data.train.x.view(), Some(data.test.x.view()), &mut |_| {}).expect("trains");
    let ae_macs = ae.encoder.macs_per_sample() + ae.decoder.macs_per_sample();
    report("autoencoder 784-128-64-32-64-128-784", &h, ae_macs, data.train.len());

    let codes = ae.encode(&data.train.x).expect("encodes");
    let (mlp, h) = MlpParams::default()
        .train(train.clone())
        .fit(codes.view(), data.train.y.view(), None, &mut |_| {})
        .expect("trains");
    report("MLP on codes 32-128-64-10", &h, mlp.stack.macs_per_sample(), data.train.len());

    let (mlp, h) = MlpParams::raw_pixels()
        .train(train)
        .fit(data.train.x.view(), data.train.y.view(), None, &mut |_| {})
        .expect("trains");
    report("MLP on pixels 784-256-128-10", &h, mlp.stack.macs_per_sample(), data.train.len());
    println!("peak RSS: {} MB", peak_rss_kb() / 1024);
}

fn report(name: &str, h: &History, macs_per_sample: usize, samples: usize) {
    let mut s: Vec<f64> = h.epochs.iter().map(|e| e.train_seconds).collect();
    s.sort_by(f64::total_cmp);
    let (min, median) = (s[0], s[s.len() / 2]);
    let gflop = 6.0 * macs_per_sample as f64 * samples as f64 / 1e9;
    println!(
        "{name:<38} epoch min {min:.3} s, median {median:.3} s | {:.0} images/s | {gflop:.1} GFLOP/epoch → {:.1} GFLOP/s",
        samples as f64 / min,
        gflop / min
    );
}

/// Best GFLOP/s over repeated multiplies of the autoencoder's biggest shapes.
fn gemm_peak() -> f64 {
    let a = Array2::<f32>::from_elem((256, 784), 0.5);
    let b = Array2::<f32>::from_elem((784, 128), 0.25);
    let mut c = Array2::<f32>::zeros((256, 128));
    let flop = 2.0 * 256.0 * 784.0 * 128.0;
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        for _ in 0..50 {
            general_mat_mul(1.0, &a, &b, 0.0, &mut c);
        }
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
