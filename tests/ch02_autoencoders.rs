//! Chapter 2, "Understanding autoencoders": the cells of `notebooks/ch02-autoencoders.ipynb`,
//! in notebook order, each followed by the checks of what the chapter says about its result.
//! The regions between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the
//! notebook exactly as written here.

use ae_mlp::prelude::*;

#[test]
fn chapter_2_what_a_trained_autoencoder_does() {
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

    // ANCHOR: trained_autoencoder
    let study =
        Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut print_progress)
            .expect("the study trains, or comes from the cache");
    let autoencoder: Autoencoder = study.autoencoder.clone();
    let recorded_test_mse = study.results.autoencoder.test_mse;
    println!(
        "trained with {} loss; test MSE after the last epoch: {recorded_test_mse:.5}",
        autoencoder.loss.name()
    );
    drop(study); // only the autoencoder is needed from here on
                 // ANCHOR_END: trained_autoencoder
    assert_eq!(autoencoder.loss, ReconstructionLoss::Mse, "the original's loss");

    // ANCHOR: structure
    println!(
        "encoder widths {:?}, {} parameters",
        autoencoder.encoder.widths(),
        autoencoder.encoder.n_parameters()
    );
    println!(
        "decoder widths {:?}, {} parameters",
        autoencoder.decoder.widths(),
        autoencoder.decoder.n_parameters()
    );
    println!(
        "{} pixels → {} numbers: {:.1}× fewer",
        autoencoder.encoder.inputs(),
        autoencoder.latent(),
        784.0 / autoencoder.latent() as f32
    );
    // ANCHOR_END: structure
    assert_eq!(autoencoder.encoder.widths(), vec![784, 128, 64, 32]);
    assert_eq!(autoencoder.decoder.widths(), vec![32, 64, 128, 784]);
    // A dense layer from m to n units has m·n weights and n biases.
    let dense = |w: &[usize]| w.windows(2).map(|p| p[0] * p[1] + p[1]).sum::<usize>();
    assert_eq!(autoencoder.encoder.n_parameters(), dense(&[784, 128, 64, 32]));
    assert_eq!(autoencoder.decoder.n_parameters(), dense(&[32, 64, 128, 784]));
    assert_eq!(autoencoder.encoder.n_parameters() + autoencoder.decoder.n_parameters(), 222_384);

    // ANCHOR: one_code
    let digit: Array2<f32> = data.test.x.slice(s![0..1, ..]).to_owned();
    let code: Array2<f32> = autoencoder.encode(&digit).expect("encodes one image");
    println!("test image 0 is a {}; its code:", data.test.y[0]);
    println!("{:.2}", code.row(0));
    let zeros = code.iter().filter(|&&v| v == 0.0).count();
    println!("{zeros} of its {} numbers are exactly 0", code.len());
    // ANCHOR_END: one_code
    assert_eq!(code.dim(), (1, 32));
    assert!(code.iter().all(|&v| v >= 0.0), "a ReLU code is never negative: {code}");
    assert!(zeros >= 2, "several code numbers are exactly 0: {code}");
    assert!(zeros < 32, "but not all of them: {code}");

    // ANCHOR: reconstruct
    let originals: Array2<f32> = data.test.x.slice(s![..10, ..]).to_owned();
    let reconstructions: Array2<f32> =
        autoencoder.reconstruct(&originals).expect("encodes and decodes");
    let mean_image: Array1<f32> =
        data.train.x.mean_axis(Axis(0)).expect("the training set is not empty");
    let mut errors: Vec<(f32, f32)> = Vec::new(); // per digit: (error of the reconstruction, error of the mean image)
    for i in 0..10 {
        let from_code =
            (&reconstructions.row(i) - &originals.row(i)).mapv(|d| d * d).mean().unwrap_or(0.0);
        let from_mean = (&mean_image - &originals.row(i)).mapv(|d| d * d).mean().unwrap_or(0.0);
        println!(
            "a {}: MSE {from_code:.4} from its code, {from_mean:.4} from the mean image",
            data.test.y[i]
        );
        errors.push((from_code, from_mean));
    }
    plot::image_rows(
        "reconstructions",
        "Test digits (top) and their reconstructions from 32 numbers (bottom)",
        &[
            ("original".to_string(), originals.clone()),
            ("reconstruction".to_string(), reconstructions.clone()),
        ],
    )
    .show();
    // ANCHOR_END: reconstruct
    assert_eq!(reconstructions.dim(), (10, 784));
    assert!(
        reconstructions.iter().all(|&v| v > 0.0 && v < 1.0),
        "a sigmoid output is a grey level in (0, 1)"
    );
    for (i, &(from_code, from_mean)) in errors.iter().enumerate() {
        assert!(
            from_code < from_mean / 2.0,
            "digit {i}: the code rebuilds it at least twice as well as the mean image"
        );
    }

    // ANCHOR: bottleneck
    let test_mse = autoencoder.reconstruction_mse(&data.test.x).expect("reconstructs the test set");
    let mean_mse = ae_mlp::nn::loss::mse(
        mean_image.broadcast(data.test.x.dim()).expect("the mean image, once per test image"),
        data.test.x.view(),
        None,
    );
    println!("test MSE from 32 numbers: {test_mse:.5}; from the mean image alone: {mean_mse:.5}");
    println!("the code's reconstruction is {:.1}× closer", mean_mse / test_mse);
    // ANCHOR_END: bottleneck
    assert!((test_mse - recorded_test_mse).abs() < 1e-6, "the same number the study recorded");
    assert!(mean_mse > 4.0 * test_mse, "far better than the mean image: {test_mse} vs {mean_mse}");

    // ANCHOR: pixel_values
    let pixels = data.train.x.len() as f32;
    let blank = data.train.x.iter().filter(|&&v| v == 0.0).count() as f32 / pixels;
    let near_black_or_white =
        data.train.x.iter().filter(|&&v| v <= 0.1 || v >= 0.9).count() as f32 / pixels;
    println!("{:.1} % of training pixels are exactly 0", 100.0 * blank);
    println!("{:.1} % are within 0.1 of pure black or pure white", 100.0 * near_black_or_white);
    // ANCHOR_END: pixel_values
    assert!(blank > 0.75, "most of an MNIST image is blank background: {blank}");
    assert!(near_black_or_white > 0.9, "MNIST is nearly binary: {near_black_or_white}");
    assert!(near_black_or_white < 1.0, "but not exactly: there are grey pixels");

    // ANCHOR: ink_pixel
    let ink: Array2<f32> = Array2::from_elem((1, 1), 1.0f32); // the target: one fully inked pixel
    let mut pushes: Vec<(f32, f32, f32)> = Vec::new(); // (p, push of MSE, push of BCE)
    for p in [0.9f32, 0.5, 0.1, 0.01] {
        let predicted = Array2::from_elem((1, 1), p);
        let (mut grad_mse, mut grad_bce) = (Array2::zeros((1, 1)), Array2::zeros((1, 1)));
        let loss_mse =
            ae_mlp::nn::loss::mse(predicted.view(), ink.view(), Some(grad_mse.view_mut()));
        let loss_bce =
            ae_mlp::nn::loss::bce(predicted.view(), ink.view(), Some(grad_bce.view_mut()));
        // p comes out of a sigmoid, p = σ(z), so the push on z is dL/dp · σ'(z) = dL/dp · p(1 − p).
        let (push_mse, push_bce) =
            (grad_mse[[0, 0]] * p * (1.0 - p), grad_bce[[0, 0]] * p * (1.0 - p));
        println!(
            "p = {p:<4}  MSE {loss_mse:.3}, push on z {push_mse:+.3}   BCE {loss_bce:.3}, push on z {push_bce:+.3}"
        );
        pushes.push((p, push_mse, push_bce));
    }
    let (_, push_mse, push_bce) = pushes[3];
    println!("at p = 0.01, BCE pushes {:.0}× harder than MSE", push_bce / push_mse);
    // ANCHOR_END: ink_pixel
    for &(p, push_mse, push_bce) in &pushes {
        assert!(
            (push_bce - (p - 1.0)).abs() < 1e-5,
            "through a sigmoid, BCE pushes by exactly p − t"
        );
        assert!(
            (push_mse - 2.0 * (p - 1.0) * p * (1.0 - p)).abs() < 1e-5,
            "MSE pushes by 2(p − t)·p(1 − p)"
        );
    }
    assert!(push_bce / push_mse > 40.0, "a confident mistake: BCE pushes about 50× harder");
    assert!(pushes[3].1.abs() < pushes[1].1.abs(), "MSE pushes less at p = 0.01 than at p = 0.5");

    // ANCHOR: mse_bce
    let mse = ae_mlp::nn::loss::mse(reconstructions.view(), originals.view(), None);
    let bce = ae_mlp::nn::loss::bce(reconstructions.view(), originals.view(), None);
    let bce_floor = ae_mlp::nn::loss::bce(originals.view(), originals.view(), None);
    println!("the 10 reconstructions: MSE {mse:.5}, BCE {bce:.5}");
    println!("a perfect reconstruction: MSE 0, BCE {bce_floor:.5}");
    // ANCHOR_END: mse_bce
    let mean_of_errors = errors.iter().map(|e| e.0).sum::<f32>() / 10.0;
    assert!((mse - mean_of_errors).abs() < 1e-5, "the batch MSE is the mean of the per-image MSEs");
    assert!(bce_floor > 0.01, "grey targets: BCE cannot reach 0, got {bce_floor}");
    assert!(bce > bce_floor, "the reconstructions are not perfect");
    assert_eq!(ae_mlp::nn::loss::mse(originals.view(), originals.view(), None), 0.0);

    // ANCHOR: noisy
    let noisy: Array2<f32> =
        Noise::Gaussian { std_dev: 0.3 }.corrupt_seeded(originals.view(), 7).expect("adds noise");
    let cleaned: Array2<f32> =
        autoencoder.reconstruct(&noisy).expect("reconstructs the noisy digits");
    let noisy_error = ae_mlp::nn::loss::mse(noisy.view(), originals.view(), None);
    let cleaned_error = ae_mlp::nn::loss::mse(cleaned.view(), originals.view(), None);
    println!("noisy input vs clean: MSE {noisy_error:.4}");
    println!("reconstruction of the noisy input vs clean: MSE {cleaned_error:.4}");
    plot::image_rows(
        "noisy_reconstructions",
        "Noisy test digits (top) and what the vanilla autoencoder makes of them (bottom)",
        &[("noisy".to_string(), noisy.clone()), ("reconstruction".to_string(), cleaned.clone())],
    )
    .show();
    // ANCHOR_END: noisy
    assert!(
        cleaned_error < noisy_error,
        "the bottleneck drops part of the noise: {cleaned_error} vs {noisy_error}"
    );
    assert!(
        cleaned_error > 2.0 * mse,
        "but the result is far worse than from a clean input: {cleaned_error} vs {mse}"
    );

    // ANCHOR: code_usage
    let test_codes: Array2<f32> =
        autoencoder.encode(&data.test.x).expect("encodes the test images");
    let zero_fraction =
        test_codes.iter().filter(|&&v| v == 0.0).count() as f32 / test_codes.len() as f32;
    let never_active =
        (0..test_codes.ncols()).filter(|&j| test_codes.column(j).iter().all(|&v| v == 0.0)).count();
    println!("{:.1} % of all code values are exactly 0", 100.0 * zero_fraction);
    println!("{never_active} of the {} code units are 0 for every test image", test_codes.ncols());
    // ANCHOR_END: code_usage
    assert!(never_active >= 1, "some code units never fire (dead ReLUs)");
    assert!(never_active <= zeros, "a dead unit is also 0 in test image 0's code");
    assert!(
        never_active as f32 / 32.0 > zero_fraction / 2.0,
        "most zeros come from the dead units"
    );
    assert!(zero_fraction < 0.5, "the vanilla code is not very sparse: {zero_fraction}");
    let train_codes = autoencoder.encode(&data.train.x).expect("encodes the training images");
    for j in (0..32).filter(|&j| test_codes.column(j).iter().all(|&v| v == 0.0)) {
        let active = train_codes.column(j).iter().filter(|&&v| v > 0.0).count();
        assert!(
            active < 60,
            "unit {j} is silent on all but a few of the 60,000 training images too, got {active}"
        );
    }
}
