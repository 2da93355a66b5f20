//! Scaling benchmark: `cargo bench --bench scaling [-- --epochs N] [--rounds R] [--book]`.
//!
//! How an epoch's training time moves with one setting at a time, everything else as in the
//! original study (batch 256, all cores, the full 60,000 images):
//!
//! - batch size 64 … 1024, on 1 thread and on 2 (the autoencoder);
//! - the width of the autoencoder's first hidden layer (and, mirrored, of the decoder's last),
//!   128 … 1024: 784-W-64-32-64-W-784;
//! - the number of training images, 10,000 … 60,000 (the autoencoder and the raw-pixel MLP),
//!   with a least-squares line through the times to answer "does the cost grow linearly?".
//!
//! Each point is the fastest epoch of `--rounds` rounds (default 3) of `--epochs` epochs
//! (default 2), the rounds going over all points in turn: the machine is shared, and the
//! minimum is the least disturbed. With `--book` the charts go to `book/src/figures/perf_*`
//! and the tables to the book's numbers (`perf.scaling.*` in `book/src/generated/numbers.json`).

mod common;

use std::fmt::Write;
use std::time::Instant;

use ae_mlp::output::plot::Series;
use ae_mlp::prelude::*;
use common::*;
use ndarray::ArrayView2;

const BATCHES: [usize; 5] = [64, 128, 256, 512, 1024];
const THREADS: [usize; 2] = [1, 2];
const WIDTHS: [usize; 4] = [128, 256, 512, 1024];
const SAMPLES: [usize; 6] = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000];

fn main() {
    let epochs: usize = flag("--epochs").and_then(|s| s.parse().ok()).unwrap_or(2);
    let rounds: usize = flag("--rounds").and_then(|s| s.parse().ok()).unwrap_or(3);
    let book = has("--book");
    let started = Instant::now();
    println!("{}", ae_mlp::nn::gemm::backend());
    let load = load_average();
    println!("{}; load average {load} at the start", machine());
    let data = Mnist::load_bundled().expect("bundled MNIST loads");
    let x = data.train.x.view();
    let train = TrainParams::default().epochs(epochs);

    // Every point is measured once per round, all points in turn, and keeps its fastest
    // epoch over the rounds: a burst of load elsewhere then spoils one round of a point, not
    // a whole curve.
    let mut batch_s = vec![vec![f64::MAX; THREADS.len()]; BATCHES.len()];
    let mut width_s = vec![f64::MAX; WIDTHS.len()];
    let (mut ae_s, mut raw_s) = (vec![f64::MAX; SAMPLES.len()], vec![f64::MAX; SAMPLES.len()]);
    for round in 1..=rounds {
        println!("round {round} of {rounds} (load {})", load_average());
        // Batch size × threads.
        for (b, &batch) in BATCHES.iter().enumerate() {
            for (i, &t) in THREADS.iter().enumerate() {
                let params = train.clone().batch_size(batch);
                let s = with_threads(t, || ae_epoch(x, &AutoencoderParams::default(), &params));
                println!("batch {batch:>5}, {t} thread(s): {s:.3} s  (load {})", load_average());
                batch_s[b][i] = batch_s[b][i].min(s);
            }
        }
        // Width of the first hidden layer, all cores.
        for (k, &w) in WIDTHS.iter().enumerate() {
            let s = ae_epoch(x, &AutoencoderParams::default().hidden(vec![w, 64]), &train);
            println!("width {w:>5}: {s:.3} s  (load {})", load_average());
            width_s[k] = width_s[k].min(s);
        }
        // Training-set size: the autoencoder and the raw-pixel MLP, all cores.
        for (k, &n) in SAMPLES.iter().enumerate() {
            let xs = x.slice(s![..n, ..]);
            let ae = ae_epoch(xs, &AutoencoderParams::default(), &train);
            let (_, h) = MlpParams::raw_pixels()
                .train(train.clone())
                .fit(xs, data.train.y.slice(s![..n]), None, &mut |_| {})
                .expect("trains");
            let raw = min_median(&h.epochs.iter().map(|e| e.train_seconds).collect::<Vec<_>>()).0;
            println!(
                "{n:>6} images: autoencoder {ae:.3} s, raw MLP {raw:.3} s  (load {})",
                load_average()
            );
            ae_s[k] = ae_s[k].min(ae);
            raw_s[k] = raw_s[k].min(raw);
        }
    }

    let mut batch_table = String::from("| batch size |");
    for t in THREADS {
        write!(batch_table, " {t} thread{} (s) |", if t > 1 { "s" } else { "" }).unwrap();
    }
    batch_table.push_str(" speed-up |\n|---|");
    batch_table.push_str(&"---|".repeat(THREADS.len() + 1));
    let mut batch_series: Vec<Series> =
        THREADS.iter().map(|t| Series::new(format!("{t} thread(s)"), vec![])).collect();
    for (&batch, times) in BATCHES.iter().zip(&batch_s) {
        write!(batch_table, "\n| {batch} |").unwrap();
        for (series, &s) in batch_series.iter_mut().zip(times) {
            series.points.push((batch as f32, s as f32));
            write!(batch_table, " {s:.3} |").unwrap();
        }
        write!(batch_table, " {:.2}× |", times[0] / times[times.len() - 1]).unwrap();
    }

    let mut width_table = String::from(
        "| first hidden width | network | parameters | epoch (s) | GFLOP/epoch | GFLOP/s |\n|---|---|---|---|---|---|",
    );
    let mut width_points = vec![];
    for (&w, &s) in WIDTHS.iter().zip(&width_s) {
        let built = AutoencoderParams::default().hidden(vec![w, 64]).build().expect("valid shape");
        let macs = built.encoder.macs_per_sample() + built.decoder.macs_per_sample();
        let n_params = built.encoder.n_parameters() + built.decoder.n_parameters();
        let gflop = 6.0 * macs as f64 * x.nrows() as f64 / 1e9;
        width_points.push((w as f32, s as f32));
        write!(
            width_table,
            "\n| {w} | 784-{w}-64-32-64-{w}-784 | {n_params} | {s:.3} | {gflop:.1} | {:.0} |",
            gflop / s
        )
        .unwrap();
    }

    let ae_points: Vec<(f32, f32)> =
        SAMPLES.iter().zip(&ae_s).map(|(&n, &s)| (n as f32, s as f32)).collect();
    let raw_points: Vec<(f32, f32)> =
        SAMPLES.iter().zip(&raw_s).map(|(&n, &s)| (n as f32, s as f32)).collect();
    let mut samples_table = String::from(
        "| training images | autoencoder (s) | µs per image | raw-pixel MLP (s) | µs per image |\n|---|---|---|---|---|",
    );
    for ((n, ae), (_, raw)) in ae_points.iter().zip(&raw_points) {
        write!(
            samples_table,
            "\n| {n} | {ae:.3} | {:.2} | {raw:.3} | {:.2} |",
            1e6 * ae / n,
            1e6 * raw / n
        )
        .unwrap();
    }
    let fits = [("autoencoder", line_fit(&ae_points)), ("raw-pixel MLP", line_fit(&raw_points))];
    let mut fit_table = String::from(
        "| model | seconds per 10,000 images (slope) | fixed cost per epoch (intercept) | R² |\n|---|---|---|---|",
    );
    for (name, (a, b, r2)) in &fits {
        println!("{name}: epoch ≈ {a:.4} s + {:.4} s per 10k images, R² = {r2:.4}", b * 1e4);
        write!(fit_table, "\n| {name} | {:.4} s | {a:.4} s | {r2:.4} |", b * 1e4).unwrap();
    }

    println!("\n{batch_table}\n\n{width_table}\n\n{samples_table}\n\n{fit_table}");
    println!("peak RSS {} MB; {:.0} s in all", peak_rss_mb(), started.elapsed().as_secs_f64());
    if book {
        let note = format!(
            "Measured by `cargo bench --bench scaling -- --epochs {epochs} --rounds {rounds} --book` ({} build; each point the fastest of {epochs} epochs in each of {rounds} rounds over all points), {}, 1-minute load average {load} at the start.",
            build_name(),
            machine()
        );
        write_generated("perf.scaling.machine", &note);
        write_generated("perf.scaling.batch_table", &batch_table);
        write_generated("perf.scaling.width_table", &width_table);
        write_generated("perf.scaling.samples_table", &samples_table);
        write_generated("perf.scaling.samples_fit", &fit_table);
        let figures = [
            plot::line_chart(
                "perf_batch",
                "Autoencoder epoch time against batch size",
                "batch size",
                "seconds per epoch",
                &batch_series,
            ),
            plot::line_chart(
                "perf_width",
                "Autoencoder epoch time against the first hidden layer's width",
                "width W of 784-W-64-32-64-W-784",
                "seconds per epoch",
                &[Series::new("autoencoder, 2 threads", width_points)],
            ),
            plot::line_chart(
                "perf_samples",
                "Epoch time against the number of training images",
                "training images",
                "seconds per epoch",
                &[
                    Series::new("autoencoder", ae_points),
                    Series::new("autoencoder, fitted line", fitted(&fits[0].1, &SAMPLES)),
                    Series::new("raw-pixel MLP", raw_points),
                    Series::new("raw-pixel MLP, fitted line", fitted(&fits[1].1, &SAMPLES)),
                ],
            ),
        ];
        for figure in figures {
            for path in figure.save(book_src().join("figures")).expect("figure renders") {
                println!("wrote {}", path.display());
            }
        }
    }
}

/// The fastest epoch of training `params` (with `train`'s settings) on the rows of `x`.
fn ae_epoch(x: ArrayView2<f32>, params: &AutoencoderParams, train: &TrainParams) -> f64 {
    let (_, h) = params.clone().train(train.clone()).fit(x, None, &mut |_| {}).expect("trains");
    min_median(&h.epochs.iter().map(|e| e.train_seconds).collect::<Vec<_>>()).0
}

/// Least-squares line y = a + b·x through the points: (a, b, R²).
fn line_fit(points: &[(f32, f32)]) -> (f64, f64, f64) {
    let n = points.len() as f64;
    let (mx, my) =
        points.iter().fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x as f64 / n, sy + y as f64 / n));
    let (sxx, sxy, syy) = points.iter().fold((0.0, 0.0, 0.0), |(sxx, sxy, syy), &(x, y)| {
        let (dx, dy) = (x as f64 - mx, y as f64 - my);
        (sxx + dx * dx, sxy + dx * dy, syy + dy * dy)
    });
    let b = sxy / sxx;
    let a = my - b * mx;
    (a, b, sxy * sxy / (sxx * syy))
}

/// The fitted line's values at the given x.
fn fitted(&(a, b, _): &(f64, f64, f64), xs: &[usize]) -> Vec<(f32, f32)> {
    xs.iter().map(|&x| (x as f32, (a + b * x as f64) as f32)).collect()
}
