//! The original study at full size: 55,000 training images (5,000 more held out for
//! validation) and 10,000 test images, 15 epochs each. Chapter 6 compares it with the original
//! Keras tutorial over five seeds; this checks one seed's run end to end.
//!
//! The trained study is cached under `target/ae-mlp-cache`, keyed by the config and a hash of
//! the library's source: a fresh checkout (and CI) trains for real; a rerun of unchanged code
//! reuses the same models instead of training them again.

use ae_mlp::output::cache::default_cache_dir;
use ae_mlp::prelude::*;

/// Trained once per test binary (and cached on disk across runs of unchanged code).
fn study() -> &'static Study {
    static STUDY: std::sync::OnceLock<Study> = std::sync::OnceLock::new();
    STUDY.get_or_init(|| {
        Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut |_, _| {})
            .expect("the study runs")
    })
}

#[test]
fn the_original_study_at_full_size_matches_the_original() {
    let study = study();
    let r = &study.results;
    assert_eq!((r.n_train, r.n_validation, r.n_test), (55_000, 5_000, 10_000));
    assert!(r.checksums_verified, "the bundled MNIST must verify");

    // Autoencoder: 15 epochs, watched on the validation images.
    let ae = &r.autoencoder;
    assert_eq!(ae.history.epochs.len(), 15);
    let losses = ae.history.train_loss();
    assert!(losses[14] < 0.5 * losses[0], "training loss must fall: {losses:?}");
    let validation = ae.history.val_loss()[14];
    assert!(validation != ae.test_mse, "the curve is the validation set's, not the test set's");
    assert!(
        (validation - ae.test_mse).abs() < 0.1 * ae.test_mse,
        "validation and test MSE agree within 10 %"
    );

    // MLP on the 32-d codes: the original reported 96.34 %.
    let codes = &r.codes_mlp;
    assert_eq!(codes.features, 32);
    assert!(
        codes.test_accuracy >= 0.9634,
        "codes → MLP test accuracy {} < 0.9634",
        codes.test_accuracy
    );
    assert_eq!(codes.confusion.counts.sum(), 10_000);
    assert!((codes.confusion.accuracy() - codes.test_accuracy).abs() < 1e-6);

    // The raw-pixel MLP on the same schedule (chapter 6 compares the two over five seeds).
    let raw = r.raw_mlp.as_ref().expect("the default study trains the raw-pixel MLP");
    assert_eq!(raw.features, 784);
    assert!(raw.test_accuracy >= 0.97, "raw-pixel MLP test accuracy {}", raw.test_accuracy);
    assert_eq!(raw.confusion.counts.sum(), 10_000);
}

#[test]
fn the_study_writes_results_and_four_figures() {
    let study = study();
    let dir = tempfile::tempdir().unwrap();
    let written = study.write(dir.path()).unwrap();
    let names: Vec<String> =
        written.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for stem in ["autoencoder_loss", "mlp_accuracy", "reconstructions", "confusion_matrix"] {
        for ext in ["png", "svg"] {
            let name = format!("{stem}.{ext}");
            assert!(names.contains(&name), "{name} missing from {names:?}");
            let bytes = std::fs::read(dir.path().join(&name)).unwrap();
            match ext {
                "png" => assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is not a PNG"),
                _ => assert!(
                    String::from_utf8_lossy(&bytes).contains("<svg"),
                    "{name} is not an SVG"
                ),
            }
        }
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(json["config"]["autoencoder"]["train"]["seed"], 42);
    assert_eq!(json["autoencoder"]["history"]["epochs"].as_array().unwrap().len(), 15);
    assert!(json["versions"].as_array().unwrap().iter().any(|v| v[0] == "ndarray"));
}
