//! Saving and loading trained models: the round trip is exact, and every bad file — missing,
//! truncated, corrupted, foreign, of another version, or with shapes that do not fit — gives
//! an `Error::Model` that names the file and the fix, never a panic.
//!
//! The models are trained on 2,000 MNIST images for one epoch: this tests the mechanics of
//! saving, not how good the models are.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ae_mlp::output::model_io::{self, SavedModel, FILE_NAME, FORMAT, VERSION};
use ae_mlp::prelude::*;
use serde_json::{json, Value};

/// Small trained models and the test images, built once per test binary.
struct Fixture {
    model: SavedModel,
    /// The models as trained, before packing (their layers still hold the last gradients).
    trained: (Autoencoder, Mlp, Mlp),
    test: Dataset,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mnist = Mnist::load_bundled().expect("bundled MNIST loads");
        let train = mnist.train.head(2000);
        let test = mnist.test.head(500);
        let config = StudyConfig::default().epochs(1);
        let (ae, _) = config.autoencoder.fit(train.x.view(), None, &mut |_| {}).unwrap();
        let codes = ae.encode(&train.x).unwrap();
        let scaler = Standardizer::fit(codes.view()).unwrap();
        let codes = scaler.transform(codes.view()).unwrap();
        let (codes_mlp, _) =
            config.codes_mlp.fit(codes.view(), train.y.view(), None, &mut |_| {}).unwrap();
        let (raw_mlp, _) =
            config.raw_mlp.fit(train.x.view(), train.y.view(), None, &mut |_| {}).unwrap();
        let model = SavedModel::new(
            config,
            ae.clone(),
            Some(scaler),
            codes_mlp.clone(),
            Some(raw_mlp.clone()),
        );
        Fixture { model, trained: (ae, codes_mlp, raw_mlp), test }
    })
}

/// The saved bytes of the fixture's model, encoded once.
fn saved_json() -> &'static Value {
    static JSON: OnceLock<Value> = OnceLock::new();
    JSON.get_or_init(|| {
        let bytes = fixture().model.to_json(Path::new("model.json")).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    })
}

/// Weights and activations of every layer: what must survive a round trip bit for bit.
fn weights(stack: &Stack) -> Vec<(Array2<f32>, Array1<f32>, Activation)> {
    stack.layers.iter().map(|l| (l.dense.w.clone(), l.dense.b.clone(), l.activation)).collect()
}

/// Writes `bytes` as a model file in a fresh temporary directory.
fn write_model(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Loads `bytes` as a model file and returns the error's message, checking what every
/// error must do: be an `Error::Model`, fit on one line, name the file, and name a fix.
fn load_error(bytes: &[u8]) -> String {
    let (_dir, path) = write_model(bytes);
    let err = match SavedModel::load(&path) {
        Ok(_) => panic!("a bad model file loaded"),
        Err(e) => e,
    };
    assert!(matches!(err, Error::Model { .. }), "expected Error::Model, got {err:?}");
    let message = err.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(message.contains(&path.display().to_string()), "names the file: {message}");
    assert!(message.contains("save") || message.contains("--model"), "names the fix: {message}");
    message
}

/// The saved JSON with one edit applied.
fn edited(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = saved_json().clone();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// Replaces a weight matrix by a zero one of another shape (a consistent ndarray value).
fn set_matrix(w: &mut Value, rows: usize, cols: usize) {
    *w = json!({ "v": 1, "dim": [rows, cols], "data": vec![0.0f32; rows * cols] });
}

#[test]
fn round_trip_is_exact() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = f.model.save_in_dir(dir.path()).unwrap();
    assert_eq!(path, dir.path().join(FILE_NAME));

    let loaded = SavedModel::load(&path).unwrap();
    assert_eq!(loaded, f.model);
    assert_eq!((loaded.format.as_str(), loaded.version), (FORMAT, VERSION));
    assert_eq!(loaded.crate_version, env!("CARGO_PKG_VERSION"));
    // A directory holding model.json loads the same.
    assert_eq!(SavedModel::load(dir.path()).unwrap(), f.model);

    // Bit-identical weights against the models as trained.
    let (ae, codes_mlp, raw_mlp) = &f.trained;
    assert_eq!(weights(&loaded.autoencoder.encoder), weights(&ae.encoder));
    assert_eq!(weights(&loaded.autoencoder.decoder), weights(&ae.decoder));
    assert_eq!(weights(&loaded.codes_mlp.stack), weights(&codes_mlp.stack));
    assert_eq!(weights(&loaded.raw_mlp.as_ref().unwrap().stack), weights(&raw_mlp.stack));
    assert_eq!(loaded.scaler, f.model.scaler);

    // Bit-identical outputs.
    let x = &f.test.x;
    assert_eq!(loaded.autoencoder.reconstruct(x).unwrap(), ae.reconstruct(x).unwrap());
    assert_eq!(loaded.codes(x).unwrap(), f.model.codes(x).unwrap());
    assert_eq!(loaded.predict(x).unwrap(), f.model.predict(x).unwrap());
    assert_eq!(
        loaded.raw_mlp.as_ref().unwrap().predict_proba(x).unwrap(),
        raw_mlp.predict_proba(x).unwrap()
    );
    assert_eq!(loaded.evaluate(&f.test).unwrap(), f.model.evaluate(&f.test).unwrap());

    // Saving again gives the same bytes, and leaves no temporary file behind.
    let again = dir.path().join("again.json");
    loaded.save(&again).unwrap();
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&path).unwrap());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["again.json", "model.json"]);
}

#[test]
fn the_file_starts_with_its_format_and_any_field_order_loads() {
    let bytes = fixture().model.to_json(Path::new("model.json")).unwrap();
    assert!(
        bytes.starts_with(format!("{{\"format\":\"{FORMAT}\",\"version\":{VERSION},").as_bytes())
    );
    // serde_json's Value sorts the keys: the same fields in another order (older builds wrote
    // the checksum right after the version) load the same model.
    let (_dir, path) = write_model(&edited(|_| {}));
    assert_eq!(SavedModel::load(&path).unwrap(), fixture().model);
}

#[test]
fn evaluate_scores_like_the_study() {
    // The study's steps, written out: encode, standardise, classify; MSE over every pixel.
    let f = fixture();
    let (ae, codes_mlp, raw_mlp) = &f.trained;
    let (x, y) = (&f.test.x, &f.test.y);
    let e = f.model.evaluate(&f.test).unwrap();
    assert_eq!(e.n, 500);
    assert_eq!(e.reconstruction_mse, ae.reconstruction_mse(x).unwrap());
    let codes = f.model.scaler.as_ref().unwrap().transform(ae.encode(x).unwrap().view()).unwrap();
    assert_eq!(e.codes_accuracy, accuracy(&codes_mlp.predict(&codes).unwrap(), y).unwrap());
    assert_eq!(e.raw_accuracy, Some(accuracy(&raw_mlp.predict(x).unwrap(), y).unwrap()));

    // Images of another width are refused, not mis-scored.
    let narrow = Dataset::new(Array2::zeros((3, 100)), Array1::zeros(3)).unwrap();
    assert!(matches!(f.model.evaluate(&narrow), Err(Error::Shape { .. })));
}

#[test]
fn missing_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope").join("model.json");
    let message = SavedModel::load(&path).unwrap_err().to_string();
    assert!(
        message.contains("does not exist") && message.contains(&path.display().to_string()),
        "{message}"
    );
    // An empty directory: the model.json it should hold is named.
    let message = SavedModel::load(dir.path()).unwrap_err().to_string();
    assert!(message.contains(&dir.path().join(FILE_NAME).display().to_string()), "{message}");
}

#[test]
fn truncated_files_are_reported_as_truncated() {
    let bytes = serde_json::to_vec(saved_json()).unwrap();
    // Cuts anywhere, and cuts in the middle of a number ("-", "1e", "0.") where the parser
    // sees a bad number rather than the end of the input.
    let mut cuts =
        vec![0, 1, 10, 100, bytes.len() / 3, bytes.len() / 2, bytes.len() - 2, bytes.len() - 1];
    for pattern in [&b"-"[..], b"e-", b"0."] {
        let at = bytes
            .windows(pattern.len())
            .position(|w| w == pattern)
            .expect("the weights have such numbers");
        cuts.push(at + pattern.len());
    }
    for cut in cuts {
        let message = load_error(&bytes[..cut]);
        assert!(message.contains("truncated"), "cut at {cut}: {message}");
    }
}

#[test]
fn corrupted_bytes_are_reported() {
    let bytes = serde_json::to_vec(saved_json()).unwrap();
    // Garbage in the middle: not JSON any more.
    let mut garbage = bytes.clone();
    let mid = garbage.len() / 2;
    garbage[mid..mid + 4].copy_from_slice(b"\xff\x00#!");
    let message = load_error(&garbage);
    assert!(message.contains("not valid JSON") || message.contains("corrupted"), "{message}");

    // Binary noise, and an empty object.
    assert!(load_error(&[0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad]).contains("not valid JSON"));
    assert!(load_error(b"{}").contains("no \"format\""));

    // A changed weight that still parses: only the checksum can tell.
    let changed = edited(|v| {
        v["codes_mlp"]["stack"]["layers"][0]["dense"]["w"]["data"][5] = json!(0.123_456_7)
    });
    let message = load_error(&changed);
    assert!(message.contains("corrupted") && message.contains("SHA-256"), "{message}");

    // A weight replaced by null (how JSON writes NaN).
    let null =
        edited(|v| v["autoencoder"]["encoder"]["layers"][0]["dense"]["b"]["data"][0] = Value::Null);
    assert!(load_error(&null).contains("layout"));

    // A missing part, and an unknown extra one.
    assert!(load_error(&edited(|v| drop(v.as_object_mut().unwrap().remove("codes_mlp"))))
        .contains("layout"));
    assert!(load_error(&edited(|v| v["extra"] = json!(1))).contains("layout"));
    // An ndarray whose data does not fill its shape.
    let short = edited(|v| {
        v["codes_mlp"]["stack"]["layers"][0]["dense"]["w"]["data"].as_array_mut().unwrap().pop();
    });
    assert!(load_error(&short).contains("layout"));
}

#[test]
fn other_formats_are_named() {
    // A study's results.json is the likeliest mix-up.
    let message = load_error(br#"{"config": {}, "n_train": 60000, "n_test": 10000}"#);
    assert!(message.contains("results.json"), "{message}");
    let message = load_error(&edited(|v| v["format"] = json!("keras-h5")));
    assert!(
        message.contains("not an ae-mlp-model file") && message.contains("keras-h5"),
        "{message}"
    );
    assert!(load_error(b"[1, 2, 3]").contains("not an ae-mlp-model file"));
    assert!(load_error(b"null").contains("not an ae-mlp-model file"));
    // The training cache holds models but no format.
    let cache = edited(|v| drop(v.as_object_mut().unwrap().remove("format")));
    assert!(load_error(&cache).contains("no \"format\" field"));
}

#[test]
fn other_versions_are_named() {
    let message = load_error(&edited(|v| v["version"] = json!(VERSION + 1)));
    assert!(message.contains(&format!("version {}", VERSION + 1)), "{message}");
    assert!(message.contains(&format!("reads version {VERSION}")), "{message}");
    let message = load_error(&edited(|v| v["version"] = json!(0)));
    assert!(message.contains("version 0") && message.contains("save the model again"), "{message}");
    assert!(load_error(&edited(|v| v["version"] = json!("one"))).contains("no valid \"version\""));
    assert!(load_error(&edited(|v| drop(v.as_object_mut().unwrap().remove("version"))))
        .contains("missing"));
}

#[test]
fn mismatched_shapes_are_named() {
    let case = |edit: &dyn Fn(&mut Value), expect: &str| {
        let message = load_error(&edited(|v| edit(v)));
        assert!(
            message.contains("inconsistent") && message.contains(expect),
            "want {expect:?}: {message}"
        );
    };

    // The codes MLP takes 16 inputs but the code has 32 numbers.
    case(
        &|v| set_matrix(&mut v["codes_mlp"]["stack"]["layers"][0]["dense"]["w"], 16, 128),
        "the codes MLP takes 16 inputs but is fed 32",
    );
    // Layers that do not chain: the codes MLP's second layer takes 100 inputs after 128.
    case(
        &|v| set_matrix(&mut v["codes_mlp"]["stack"]["layers"][1]["dense"]["w"], 100, 64),
        "layer 2 takes 100 inputs but layer 1 gives 128",
    );
    // The decoder's first layer expects a code of 16.
    case(
        &|v| set_matrix(&mut v["autoencoder"]["decoder"]["layers"][0]["dense"]["w"], 16, 64),
        "the decoder takes 16 inputs but the encoder's code has 32",
    );
    // A bias of the wrong length.
    case(
        &|v| {
            v["codes_mlp"]["stack"]["layers"][2]["dense"]["b"] =
                json!({"v": 1, "dim": [3], "data": [0.0, 0.0, 0.0]})
        },
        "layer 3 has 10 outputs but 3 biases",
    );
    // No layers at all.
    case(&|v| v["codes_mlp"]["stack"]["layers"] = json!([]), "the codes MLP has no layers");
    // A standardiser of the wrong width.
    case(
        &|v| v["scaler"]["std"] = json!({"v": 1, "dim": [2], "data": [1.0, 1.0]}),
        "the standardiser has 32 means and 2",
    );
    // A standardiser the config does not ask for, and the reverse.
    case(
        &|v| v["config"]["standardize_codes"] = json!(false),
        "config says codes are not standardised",
    );
    case(&|v| v["scaler"] = Value::Null, "no standardiser");
    // The config and the weights disagree on the code size.
    case(
        &|v| v["config"]["autoencoder"]["latent"] = json!(16),
        "the config describes a 784 → 16 autoencoder",
    );
    // The pixels MLP must take the autoencoder's input width.
    case(
        &|v| set_matrix(&mut v["raw_mlp"]["stack"]["layers"][0]["dense"]["w"], 100, 256),
        "the pixels MLP takes 100 inputs but is fed 784",
    );
}

#[test]
fn non_finite_weights_are_refused_when_saving() {
    let mut model = fixture().model.clone();
    model.codes_mlp.stack.layers[0].dense.w[[0, 0]] = f32::NAN;
    let dir = tempfile::tempdir().unwrap();
    let err = model.save_in_dir(dir.path()).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, Error::Model { .. })
            && message.contains("NaN")
            && message.contains("retrain"),
        "{message}"
    );
    assert!(!dir.path().join(FILE_NAME).exists(), "nothing is written");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "not even a temporary file");
}

#[test]
fn idx_images_for_reconstruction_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    // The bundled test images read, gzipped, as (10000, 784) in [0, 1].
    let x =
        model_io::read_idx_images(&ae_mlp::data::bundled_dir().join("t10k-images-idx3-ubyte.gz"))
            .unwrap();
    assert_eq!(x.dim(), (10_000, 784));
    assert_eq!(x, Mnist::load_bundled().unwrap().test.x);

    let idx = |n: u32, rows: u32, cols: u32, payload: usize| {
        let mut b = 0x0803u32.to_be_bytes().to_vec();
        for d in [n, rows, cols] {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b.extend(std::iter::repeat_n(7u8, payload));
        b
    };
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("small.idx", idx(2, 4, 4, 32), "4x4 images"),
        ("empty.idx", idx(0, 28, 28, 0), "no items"),
        ("short.idx", idx(2, 28, 28, 784), "truncated"),
        ("labels.idx", vec![0, 0, 8, 1, 0, 0, 0, 1, 3], "not an IDX images file"),
        ("broken.gz", vec![0x1f, 0x8b, 8, 0, 1, 2, 3], "not valid gzip"),
    ];
    for (name, bytes, expect) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let message = model_io::read_idx_images(&path).unwrap_err().to_string();
        assert!(
            message.contains(expect) && message.contains(&path.display().to_string()),
            "{name}: {message}"
        );
    }
    let missing = dir.path().join("missing.idx");
    let message = model_io::read_idx_images(&missing).unwrap_err().to_string();
    assert!(message.contains(&missing.display().to_string()), "{message}");
}

/// A tiny, untrained model (4 pixels → 2 numbers) whose JSON is a few kilobytes: cheap to
/// mutate many times.
fn tiny_model() -> SavedModel {
    let mut config = StudyConfig::default();
    config.autoencoder.inputs = 4;
    config.autoencoder.hidden = vec![3];
    config.autoencoder.latent = 2;
    config.codes_mlp.hidden = vec![3];
    config.raw_mlp.hidden = vec![3];
    let ae = config.autoencoder.build().unwrap();
    let scaler = Standardizer { mean: Array1::zeros(2), std: Array1::ones(2) };
    let codes_mlp = config.codes_mlp.build(2).unwrap();
    let raw_mlp = config.raw_mlp.build(4).unwrap();
    SavedModel::new(config, ae, Some(scaler), codes_mlp, Some(raw_mlp))
}

#[path = "model_io/hostile.rs"]
mod hostile_model_files;
