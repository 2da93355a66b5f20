//! The same seed gives the same study: two runs at full data size (one epoch each, to stay
//! quick) write byte-identical `results.json` once the wall-clock timings are removed,
//! byte-identical figures (PNG and SVG), and byte-identical saved models.
//!
//! And the thread count changes nothing: a run on one thread and a run on three write the
//! same `results.json`, because every batch is cut into the same shards on any number of
//! cores (see `src/nn/parallel.rs`).

use std::path::Path;

use ae_mlp::output::model_io;
use ae_mlp::prelude::*;
use serde_json::Value;

/// The fields that measure time, not what was computed.
const TIMING_FIELDS: [&str; 5] =
    ["train_seconds", "eval_seconds", "seconds_per_epoch", "total_seconds", "encode_seconds"];

/// Removes every timing field, at any depth.
fn strip_timings(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for f in TIMING_FIELDS {
                map.remove(f);
            }
            map.values_mut().for_each(strip_timings);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_timings),
        _ => {}
    }
}

/// Runs the study with `config` and writes its results, figures and model into `dir`.
fn run_into(config: &StudyConfig, dir: &Path) {
    let study = Study::run(config, &mut |_, _| {}).expect("the study runs");
    study.write(dir).expect("results and figures are written");
    model_io::save_study(&study, dir).expect("the model is saved");
}

#[test]
fn the_same_seed_gives_byte_identical_results_figures_and_models() {
    let config = StudyConfig::default().epochs(1);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_into(&config, a.path());
    run_into(&config, b.path());

    let results = |dir: &Path| -> (Vec<u8>, Value) {
        let raw = std::fs::read(dir.join("results.json")).unwrap();
        let mut v: Value = serde_json::from_slice(&raw).unwrap();
        strip_timings(&mut v);
        (serde_json::to_vec_pretty(&v).unwrap(), v)
    };
    let ((ja, va), (jb, _)) = (results(a.path()), results(b.path()));
    assert_eq!(ja, jb, "results.json differs beyond its timings");
    // The comparison covered the numbers that matter (and the timings really are gone).
    assert!(va["autoencoder"]["test_mse"].as_f64().unwrap() > 0.0);
    assert!(!String::from_utf8_lossy(&ja).contains("seconds"), "a timing field survived");

    for stem in ["autoencoder_loss", "mlp_accuracy", "reconstructions", "confusion_matrix"] {
        for ext in ["png", "svg"] {
            let name = format!("{stem}.{ext}");
            let (fa, fb) = (
                std::fs::read(a.path().join(&name)).unwrap(),
                std::fs::read(b.path().join(&name)).unwrap(),
            );
            assert!(fa == fb, "{name} differs between two runs with the same seed");
        }
    }
    let (ma, mb) = (
        std::fs::read(a.path().join("model.json")).unwrap(),
        std::fs::read(b.path().join("model.json")).unwrap(),
    );
    assert!(ma == mb, "the saved models differ between two runs with the same seed");
}

/// `results.json` of a study run on a rayon pool of `threads` threads, timings removed.
fn results_on(threads: usize, config: &StudyConfig) -> Value {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    let study = pool.install(|| Study::run(config, &mut |_, _| {})).expect("the study runs");
    let mut v = serde_json::to_value(&study.results).expect("results serialise");
    strip_timings(&mut v);
    v
}

#[test]
fn one_thread_and_three_threads_give_the_same_results() {
    let config = StudyConfig::default().epochs(1);
    let (one, three) = (results_on(1, &config), results_on(3, &config));
    assert!(one["codes_mlp"]["test_accuracy"].as_f64().unwrap() > 0.5, "the run trained");
    assert_eq!(one, three, "results.json differs between 1 and 3 threads");
}
