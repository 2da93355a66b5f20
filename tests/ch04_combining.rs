//! Chapter 4, "Combining autoencoders and MLPs": the cells of `notebooks/ch04-combining.ipynb`,
//! in notebook order, each followed by the checks of what the chapter says about its result.
//! The regions between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the
//! notebook exactly as written here.

use ae_mlp::prelude::*;

#[test]
fn chapter_4_feature_extraction_then_classification() {
    // ANCHOR: load
    // 5,000 of the 60,000 training images are held out to watch training on (see chapter 5).
    let data = Mnist::load_bundled()
        .and_then(|d| d.with_validation(5_000))
        .expect("the bundled MNIST loads");
    let (train, validation, test) = (data.train.len(), data.validation.len(), data.test.len());
    println!(
        "{train} training, {validation} validation and {test} test images, {} pixels each",
        data.train.x.ncols()
    );
    // ANCHOR_END: load
    assert_eq!((train, validation, test, data.train.x.ncols()), (55_000, 5_000, 10_000, 784));

    // ANCHOR: train_autoencoder
    let ae_params = AutoencoderParams::default(); // 784 → 128 → 64 → 32 → 64 → 128 → 784
    let (autoencoder, ae_history) = ae_params
        .fit(data.train.x.view(), Some(data.validation.x.view()), &mut print_epochs("autoencoder"))
        .expect("the autoencoder trains");
    let test_mse: f32 = autoencoder.reconstruction_mse(&data.test.x).expect("784 pixels");
    println!("test reconstruction MSE: {test_mse:.5}");
    // ANCHOR_END: train_autoencoder
    let val = ae_history.val_loss();
    assert_eq!(val.len(), 15);
    assert!(val[14] < val[0], "validation loss falls: {val:?}");
    // The same settings and seed as the study's autoencoder: the same model, to the bit.
    let study = Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut |_, _| {})
        .expect("the study");
    assert_eq!(
        test_mse, study.results.autoencoder.test_mse,
        "this cell trains the study's autoencoder"
    );
    drop(study);

    // ANCHOR: encode
    let train_codes: Array2<f32> =
        autoencoder.encode(&data.train.x).expect("encodes the training images");
    let test_codes: Array2<f32> =
        autoencoder.encode(&data.test.x).expect("encodes the test images");
    println!("codes: {:?} and {:?}", train_codes.dim(), test_codes.dim());
    // ANCHOR_END: encode
    assert_eq!((train_codes.dim(), test_codes.dim()), ((55_000, 32), (10_000, 32)));
    assert!(train_codes.iter().all(|&v| v >= 0.0), "ReLU codes are never negative");

    // ANCHOR: scale_codes
    let scaler = Standardizer::fit(train_codes.view()).expect("learns the scale of each code unit");
    let train_scaled: Array2<f32> = scaler.transform(train_codes.view()).expect("scales");
    let test_scaled: Array2<f32> = scaler.transform(test_codes.view()).expect("scales");
    let validation_codes: Array2<f32> = autoencoder.encode(&data.validation.x).expect("encodes");
    let validation_scaled: Array2<f32> = scaler.transform(validation_codes.view()).expect("scales");
    // ANCHOR_END: scale_codes
    let means = train_scaled.mean_axis(Axis(0)).unwrap();
    assert!(means.iter().all(|m| m.abs() < 1e-3), "scaled training codes have mean 0");

    // ANCHOR: classify_codes
    let mlp_params = MlpParams::default(); // 32 → 128 → 64 → 10
    let (mlp, mlp_history) = mlp_params
        .fit(
            train_scaled.view(),
            data.train.y.view(),
            Some((validation_scaled.view(), data.validation.y.view())),
            &mut print_epochs("codes → MLP"),
        )
        .expect("the MLP trains");
    let predicted: Array1<u8> = mlp.predict(&test_scaled).expect("predicts");
    let test_accuracy: f32 =
        ae_mlp::models::metrics::accuracy(&predicted, &data.test.y).expect("same length");
    println!("test accuracy on 32 numbers per image: {:.2} %", 100.0 * test_accuracy);
    // ANCHOR_END: classify_codes
    assert!(test_accuracy >= 0.9634, "at least the original's 96.34 %, got {test_accuracy}");
    // The curve watched the validation images, the score is the test set's: close, not equal.
    let last_validation = mlp_history.val_accuracy().last().copied().expect("15 epochs");
    assert!(
        (last_validation - test_accuracy).abs() < 0.01,
        "validation {last_validation} vs test {test_accuracy}"
    );
}
