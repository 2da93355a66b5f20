//! The command line under bad input: every mistake a learner can make ends with a non-zero
//! exit status and exactly one line on stderr, `error: …`, naming what to fix — and nothing
//! half-written on disk.
//!
//! Runs that must succeed train on a tiny synthetic dataset (8 training and 3 test images),
//! so the whole file takes seconds.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ae-mlp");
const FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Runs the binary. A training run on tiny data holds nothing out for validation
/// (`--validation 0`) unless its arguments say otherwise: 8 images cannot spare 5,000.
fn run(args: &[&str]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    let trains = !matches!(args.first(), Some(&"evaluate") | Some(&"reconstruct"));
    if trains && args.contains(&"--data") && !args.iter().any(|a| a.starts_with("--validation")) {
        args.extend(["--validation", "0"]);
    }
    Command::new(BIN).args(&args).output().expect("the binary runs")
}

/// Runs the binary, expects failure, and checks the one-line message; returns it.
fn fail(args: &[&str], expect: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} succeeded; stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: stderr must be one line, got:\n{stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    for e in expect {
        assert!(stderr.contains(e), "{args:?}: expected {e:?} in: {stderr}");
    }
    stderr.trim_end().to_string()
}

/// Runs the binary and expects success; returns stdout.
fn succeed(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// An IDX images file of `n` 28x28 images with a simple, varied pattern.
fn idx_images(n: u32) -> Vec<u8> {
    let pixels: Vec<u8> =
        (0..n as usize * 784).map(|i| ((i * 37 + i / 784 * 11) % 256) as u8).collect();
    common::idx_file(0x0803, &[n, 28, 28], &pixels)
}

/// An IDX labels file of `n` labels 0..9.
fn idx_labels(n: u32) -> Vec<u8> {
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    common::idx_file(0x0801, &[n], &labels)
}

/// A tiny dataset in the MNIST layout: (train images, train labels, test images, test labels).
fn tiny_data(dir: &Path, counts: [u32; 4]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let [ti, tl, ei, el] = counts;
    for (name, bytes) in
        FILES.iter().zip([idx_images(ti), idx_labels(tl), idx_images(ei), idx_labels(el)])
    {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    dir.to_path_buf()
}

/// Copies the bundled .gz files into `dir`.
fn bundled_copy(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for name in FILES {
        let gz = format!("{name}.gz");
        std::fs::copy(ae_mlp::data::bundled_dir().join(&gz), dir.join(&gz)).unwrap();
    }
    dir.to_path_buf()
}

fn assert_no_results(out: &Path) {
    assert!(
        !out.join("results.json").exists(),
        "a failed run wrote {}",
        out.join("results.json").display()
    );
    if out.exists() {
        let left: Vec<_> =
            std::fs::read_dir(out).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "a failed run left {left:?} in {}", out.display());
    }
}

#[test]
fn missing_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, out) = (tmp.path().join("no-such-dir"), tmp.path().join("out"));
    fail(
        &["--data", s(&data), "--out", s(&out), "--quiet"],
        &["data directory", s(&data), "does not exist", "--data"],
    );
    assert_no_results(&out);
}

#[test]
fn dir_with_the_wrong_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("notes.txt"), "not mnist").unwrap();
    std::fs::write(data.join("train-images.csv"), "1,2,3").unwrap();
    let out = tmp.path().join("out");
    fail(
        &["--data", s(&data), "--out", s(&out), "--quiet"],
        &[s(&data), "has no train-images-idx3-ubyte"],
    );
    assert_no_results(&out);

    // Images and labels swapped: the magic number says so.
    let swapped = tiny_data(&tmp.path().join("swapped"), [8, 8, 3, 3]);
    std::fs::rename(swapped.join(FILES[0]), swapped.join("tmp")).unwrap();
    std::fs::rename(swapped.join(FILES[1]), swapped.join(FILES[0])).unwrap();
    std::fs::rename(swapped.join("tmp"), swapped.join(FILES[1])).unwrap();
    fail(
        &["--data", s(&swapped), "--out", s(&out), "--quiet"],
        &["not an IDX", "images and labels are not swapped"],
    );
    assert_no_results(&out);
}

#[test]
fn corrupted_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");

    // Bytes overwritten in the middle of a gzip stream.
    let data = bundled_copy(&tmp.path().join("flipped"));
    let file = data.join("t10k-labels-idx1-ubyte.gz");
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 16] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, bytes).unwrap();
    fail(
        &["--data", s(&data), "--out", s(&out), "--quiet"],
        &[s(&file), "not valid gzip", "re-copy"],
    );
    assert_no_results(&out);

    // A truncated gzip file.
    let data = bundled_copy(&tmp.path().join("truncated"));
    let file = data.join("train-labels-idx1-ubyte.gz");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    fail(&["--data", s(&data), "--out", s(&out), "--quiet"], &[s(&file), "not valid gzip"]);
    assert_no_results(&out);

    // A raw IDX file cut short.
    let data = tiny_data(&tmp.path().join("short"), [8, 8, 3, 3]);
    let file = data.join(FILES[2]);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 100]).unwrap();
    fail(&["--data", s(&data), "--out", s(&out), "--quiet"], &[s(&file), "is truncated"]);
    assert_no_results(&out);
}

#[test]
fn mismatched_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_data(&tmp.path().join("data"), [5, 4, 3, 3]);
    let out = tmp.path().join("out");
    fail(
        &["--data", s(&data), "--out", s(&out), "--quiet"],
        &["holds 5 images", "holds 4 labels", "train-images-idx3-ubyte", "re-copy the pair"],
    );
    assert_no_results(&out);
}

#[test]
fn absurd_hyperparameters() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_data(&tmp.path().join("data"), [8, 8, 3, 3]);
    let out = tmp.path().join("out");
    let d = s(&data);
    let o = s(&out);
    fail(&["--latent", "0", "--data", d, "--out", o], &["--latent 0", "at least 1"]);
    fail(&["--learning-rate=-1", "--data", d, "--out", o], &["--learning-rate -1", "positive"]);
    fail(&["--learning-rate", "NaN", "--data", d, "--out", o], &["--learning-rate NaN"]);
    fail(&["--epochs", "0", "--data", d, "--out", o], &["--epochs", "at least 1"]);
    fail(&["--batch-size", "0", "--data", d, "--out", o], &["--batch-size 0"]);
    fail(
        &["--batch-size", "256", "--data", d, "--out", o, "--quiet"],
        &["--batch-size 256", "use at most 8"],
    );
    // The default validation set is larger than the whole of this training set.
    fail(
        &["--validation", "5000", "--data", d, "--out", o, "--quiet"],
        &["--validation 5000", "at most 7 of the 8"],
    );
    // Not a number at all: clap's message, on one line.
    fail(&["--latent", "abc"], &["'abc'", "--latent"]);
    fail(&["--no-such-flag"], &["--no-such-flag"]);
    fail(&["--epochs", "1", "evaluate", "--model", "x"], &["cannot be used with"]);
    assert_no_results(&out);

    // An output path that is a file fails before any training.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    fail(&["--data", d, "--out", s(&file), "--quiet"], &[s(&file), "not a directory"]);
    fail(&["--data", d, "--out", o, "--save", s(&file), "--quiet"], &[s(&file), "--save"]);
    assert_no_results(&out);
}

#[test]
fn save_evaluate_reconstruct_and_their_bad_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_data(&tmp.path().join("data"), [8, 8, 3, 3]);
    let (out, save) = (tmp.path().join("out"), tmp.path().join("model"));
    let stdout = succeed(&[
        "--data",
        s(&data),
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--out",
        s(&out),
        "--save",
        s(&save),
        "--quiet",
        "--skip-figures",
    ]);
    let model = save.join("model.json");
    assert!(
        stdout.contains(&format!("saved the trained models to {}", model.display())),
        "{stdout}"
    );
    assert!(out.join("results.json").exists());

    // Evaluate: from the file or its directory, on the data it was trained on.
    for m in [&model, &save] {
        let stdout = succeed(&["evaluate", "--model", s(m)]);
        for line in
            ["test set: 3 images", "autoencoder reconstruction MSE:", "codes → MLP test accuracy:"]
        {
            assert!(stdout.contains(line), "{stdout}");
        }
        assert!(stdout.contains("pixels → MLP test accuracy:"), "{stdout}");
    }
    // Reconstruct the test images, and images from an IDX file.
    let rec = tmp.path().join("rec");
    succeed(&["reconstruct", "--model", s(&model), "--count", "3", "--out", s(&rec)]);
    assert!(rec.join("reconstructions.png").exists() && rec.join("reconstructions.svg").exists());
    let images = tmp.path().join("five.idx");
    std::fs::write(&images, idx_images(5)).unwrap();
    let rec2 = tmp.path().join("rec2");
    succeed(&[
        "reconstruct",
        "--model",
        s(&model),
        "--images",
        s(&images),
        "--count",
        "5",
        "--out",
        s(&rec2),
    ]);
    assert!(rec2.join("reconstructions.png").exists());

    // Bad inputs to the subcommands.
    let rec_bad = tmp.path().join("rec-bad");
    let missing = tmp.path().join("nope.json");
    fail(&["evaluate", "--model", s(&missing)], &[s(&missing), "does not exist", "--save DIR"]);
    fail(
        &["reconstruct", "--model", s(&missing), "--out", s(&rec_bad)],
        &[s(&missing), "does not exist"],
    );
    fail(&["evaluate", "--model", s(tmp.path())], &["model.json", "does not exist"]);
    fail(&["evaluate"], &["--model"]);

    let bytes = std::fs::read(&model).unwrap();
    let truncated = tmp.path().join("truncated.json");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    fail(
        &["evaluate", "--model", s(&truncated)],
        &[s(&truncated), "truncated", "save the model again"],
    );
    let corrupt = tmp.path().join("corrupt.json");
    let mut c = bytes.clone();
    let at = c.len() / 2;
    c[at] = 0xff;
    std::fs::write(&corrupt, &c).unwrap();
    fail(
        &["reconstruct", "--model", s(&corrupt), "--out", s(&rec_bad)],
        &[s(&corrupt), "not valid JSON"],
    );
    fail(
        &["evaluate", "--model", s(&out.join("results.json"))],
        &["results.json", "not an ae-mlp-model file"],
    );

    // Images that do not fit, and more images asked for than there are.
    let small = tmp.path().join("small.idx");
    let mut b = 0x0803u32.to_be_bytes().to_vec();
    for d in [2u32, 4, 4] {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b.extend([0u8; 32]);
    std::fs::write(&small, b).unwrap();
    fail(
        &["reconstruct", "--model", s(&model), "--images", s(&small), "--out", s(&rec_bad)],
        &[s(&small), "4x4 images", "28x28"],
    );
    fail(
        &[
            "reconstruct",
            "--model",
            s(&model),
            "--images",
            s(&images),
            "--count",
            "6",
            "--out",
            s(&rec_bad),
        ],
        &[s(&images), "has 5 images but --count asks for 6", "--count 5 or less"],
    );
    fail(
        &["reconstruct", "--model", s(&model), "--count", "50", "--out", s(&rec_bad)],
        &["has 3 test images"],
    );
    fail(&["reconstruct", "--model", s(&model), "--count", "0"], &["--count", "1..=100"]);
    let elsewhere = tmp.path().join("no-data");
    fail(
        &["evaluate", "--model", s(&model), "--data", s(&elsewhere)],
        &[s(&elsewhere), "does not exist"],
    );
    assert!(!rec_bad.exists(), "failed reconstructions wrote nothing");
}

#[test]
fn kind_picks_the_autoencoder() {
    let help = succeed(&["--help"]);
    assert!(help.contains("--kind"), "{help}");
    assert!(help.contains("vanilla, denoising, sparse, variational, all"), "{help}");
    fail(
        &["--kind", "bogus"],
        &["'bogus'", "--kind", "vanilla, denoising, sparse, variational, all"],
    );
    fail(&["--kind"], &["--kind"]);

    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_data(&tmp.path().join("data"), [8, 8, 3, 3]);
    let out = tmp.path().join("out");
    let args = [
        "--data",
        s(&data),
        "--out",
        s(&out),
        "--epochs",
        "1",
        "--batch-size",
        "4",
        "--quiet",
        "--skip-figures",
    ];
    succeed(&[&args[..], &["--kind", "variational"]].concat());
    let results = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(results.contains("\"Variational\""), "the study trained a VAE: {results}");
    succeed(&[&args[..], &["--kind", "denoising"]].concat());
    let results = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(results.contains("\"Denoising\""), "{results}");
}

#[test]
fn a_network_too_large_for_memory_is_refused_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_data(&tmp.path().join("data"), [8, 8, 3, 3]);
    let out = tmp.path().join("out");
    let line = fail(
        &["--latent", "100000000", "--data", s(&data), "--out", s(&out), "--quiet"],
        &["GiB", "smaller"],
    );
    assert!(line.starts_with("error: invalid --latent 100000000:"), "{line}");
    assert_no_results(&out);
}

/// The config a run recorded: `key` ("config") of the JSON file `name` in `out`.
fn recorded_config(out: &Path, name: &str) -> serde_json::Value {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(name)).unwrap()).unwrap();
    json["config"].clone()
}

/// The learning rate of a recorded `TrainParams` (Adam's, the default optimiser).
fn learning_rate(train: &serde_json::Value) -> f64 {
    train["optimizer"]["Adam"]["learning_rate"].as_f64().expect("an Adam learning rate")
}

#[test]
fn kind_all_passes_every_training_flag_to_every_model() {
    // The few-label runs draw 100 labelled images per class: 1,000 training images, 100 of each digit.
    let tmp = tempfile::tempdir().unwrap();
    let data = tiny_data(&tmp.path().join("data"), [1000, 1000, 20, 20]);
    let out = tmp.path().join("out");
    let (seed, lr, batch) = ("7", "0.002", "500");
    succeed(&[
        "--kind",
        "all",
        "--data",
        s(&data),
        "--out",
        s(&out),
        "--epochs",
        "1",
        "--latent",
        "4",
        "--seed",
        seed,
        "--learning-rate",
        lr,
        "--batch-size",
        batch,
        "--skip-raw",
        "--skip-figures",
        "--quiet",
    ]);
    let config = recorded_config(&out, "family.json");
    let lr: f64 = lr.parse().unwrap();
    let close = |v: f64| (v - lr).abs() < 1e-9;
    for v in config["variants"].as_array().unwrap() {
        let train = &v["params"]["train"];
        assert!(close(learning_rate(train)), "autoencoder {}: {train}", v["label"]);
        assert_eq!((train["seed"].as_u64(), train["batch_size"].as_u64()), (Some(7), Some(500)));
    }
    for mlp in ["codes_mlp", "raw_mlp"] {
        let train = &config[mlp]["train"];
        assert!(close(learning_rate(train)), "--learning-rate must reach the {mlp}: {train}");
        assert_eq!(
            (train["seed"].as_u64(), train["batch_size"].as_u64()),
            (Some(7), Some(500)),
            "{mlp}"
        );
    }
    // The few-label runs: the labelled images and their MLPs' training follow the same flags.
    assert_eq!(config["labelled_seed"].as_u64(), Some(7), "--seed must pick the labelled images");
    let scarce = &config["scarce_train"];
    assert!(
        close(learning_rate(scarce)),
        "--learning-rate must reach the few-label MLPs: {scarce}"
    );
    assert_eq!(scarce["seed"].as_u64(), Some(7), "--seed must reach the few-label MLPs: {scarce}");
    assert_eq!(
        scarce["batch_size"].as_u64(),
        Some(500),
        "--batch-size must reach the few-label MLPs: {scarce}"
    );
}

#[test]
fn print_config_shows_the_resolved_config_and_trains_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let stdout = succeed(&["--print-config", "--seed", "3", "--mlp-epochs", "2", "--out", s(&out)]);
    let config: serde_json::Value = serde_json::from_str(&stdout).expect("the config as JSON");
    assert_eq!(config["study"]["autoencoder"]["train"]["seed"], 3, "{stdout}");
    assert_eq!(config["study"]["codes_mlp"]["train"]["epochs"], 2, "{stdout}");
    assert_eq!(config["study"]["autoencoder"]["train"]["epochs"], 15, "{stdout}");
    assert!(!out.exists(), "--print-config wrote {}", out.display());

    let stdout = succeed(&["--print-config", "--kind", "all", "--batch-size", "64"]);
    let config: serde_json::Value = serde_json::from_str(&stdout).expect("the config as JSON");
    assert_eq!(config["family"]["scarce_train"]["batch_size"], 64, "{stdout}");
    assert_eq!(config["family"]["variants"].as_array().map(Vec::len), Some(5), "{stdout}");
}
