//! Chapter 4, "Combining autoencoders and MLPs": the cells of `notebooks/ch04-combining.ipynb`,
//! in notebook order, each followed by the checks of what the chapter says about its result.
//! The regions between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the
//! notebook exactly as written here.

use ae_mlp::prelude::*;

#[test]
fn chapter_4_feature_extraction_then_classification() {
    // ANCHOR: load
    let data = Mnist::load_bundled().expect("the bundled MNIST loads");
    println!("{} training and {} test images, {} pixels each", data.train.len(), data.test.len(), data.train.x.ncols());
    // ANCHOR_END: load
    assert_eq!((data.train.len(), data.test.len(), data.train.x.ncols()), (60_000, 10_000, 784));

    // ANCHOR: train_autoencoder
    let ae_params = AutoencoderParams::default(); // 784 → 128 → 64 → 32 → 64 → 128 → 784
    let (autoencoder, ae_history) = ae_params
        .fit(data.train.x.view(), Some(data.test.x.view()), &mut print_epochs("autoencoder"))
        .expect("the autoencoder trains");
    // ANCHOR_END: train_autoencoder
    let val = ae_history.val_loss();
    assert_eq!(val.len(), 15);
    assert!(val[14] < val[0], "validation loss falls: {val:?}");
    assert!(val[14] <= 0.0117, "validation MSE {} ≤ 0.0117, the original's", val[14]);

    // ANCHOR: encode
    let train_codes: Array2<f32> = autoencoder.encode(&data.train.x).expect("encodes the training images");
    let test_codes: Array2<f32> = autoencoder.encode(&data.test.x).expect("encodes the test images");
    println!("codes: {:?} and {:?}", train_codes.dim(), test_codes.dim());
    // ANCHOR_END: encode
    assert_eq!((train_codes.dim(), test_codes.dim()), ((60_000, 32), (10_000, 32)));
    assert!(train_codes.iter().all(|&v| v >= 0.0), "ReLU codes are never negative");

    // ANCHOR: scale_codes
    let scaler = Standardizer::fit(train_codes.view()).expect("learns the scale of each code unit");
    let train_scaled: Array2<f32> = scaler.transform(train_codes.view()).expect("scales");
    let test_scaled: Array2<f32> = scaler.transform(test_codes.view()).expect("scales");
    // ANCHOR_END: scale_codes
    let means = train_scaled.mean_axis(Axis(0)).unwrap();
    assert!(means.iter().all(|m| m.abs() < 1e-3), "scaled training codes have mean 0");

    // ANCHOR: classify_codes
    let mlp_params = MlpParams::default(); // 32 → 128 → 64 → 10
    let (mlp, mlp_history) = mlp_params
        .fit(
            train_scaled.view(),
            data.train.y.view(),
            Some((test_scaled.view(), data.test.y.view())),
            &mut print_epochs("codes → MLP"),
        )
        .expect("the MLP trains");
    let predicted: Array1<u8> = mlp.predict(&test_scaled).expect("predicts");
    let test_accuracy: f32 = ae_mlp::models::metrics::accuracy(&predicted, &data.test.y).expect("same length");
    println!("test accuracy on 32 numbers per image: {:.2} %", 100.0 * test_accuracy);
    // ANCHOR_END: classify_codes
    assert!(test_accuracy >= 0.9634, "at least the original's 96.34 %, got {test_accuracy}");
    assert_eq!(mlp_history.val_accuracy().last().copied(), Some(test_accuracy));
}
