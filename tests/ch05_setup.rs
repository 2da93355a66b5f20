//! Chapter 5, "Experimental setup": the cells of `notebooks/ch05-setup.ipynb`, in notebook
//! order, each followed by the checks of what the chapter says about its result. The regions
//! between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the notebook
//! exactly as written here.

use ae_mlp::nn::OptimizerConfig;
use ae_mlp::prelude::*;

#[test]
fn chapter_5_data_and_implementation() {
    // ANCHOR: load
    let data = Mnist::load_bundled().expect("the bundled MNIST loads and verifies");
    let (darkest, brightest) =
        data.train.x.fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    println!(
        "{} training and {} test images from {}",
        data.train.len(),
        data.test.len(),
        data.dir.display()
    );
    println!("SHA-256 verified: {}; pixels from {darkest} to {brightest}", data.checksums_verified);
    // ANCHOR_END: load
    assert_eq!((data.train.x.dim(), data.test.x.dim()), ((60_000, 784), (10_000, 784)));
    assert_eq!((data.train.y.len(), data.test.y.len()), (60_000, 10_000));
    assert!(data.checksums_verified, "every bundled file matched its SHA-256");
    assert_eq!((darkest, brightest), (0.0, 1.0), "bytes 0–255 scaled by 1/255");
    assert!(data.test.x.iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert!(
        data.train.x.iter().all(|&v| (v * 255.0 - (v * 255.0).round()).abs() < 1e-4),
        "multiples of 1/255"
    );

    // ANCHOR: class_counts
    let train_counts = data.train.class_counts();
    let test_counts = data.test.class_counts();
    for digit in 0..10 {
        println!(
            "digit {digit}: {:>5} training, {:>5} test",
            train_counts[digit], test_counts[digit]
        );
    }
    println!(
        "total:   {:>5} training, {:>5} test",
        train_counts.iter().sum::<usize>(),
        test_counts.iter().sum::<usize>()
    );
    // ANCHOR_END: class_counts
    assert_eq!(train_counts, vec![5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert_eq!(test_counts, vec![980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert_eq!(
        (train_counts.iter().sum::<usize>(), test_counts.iter().sum::<usize>()),
        (60_000, 10_000)
    );
    // Roughly balanced: the commonest digit (1) is at most 25 % more frequent than the rarest (5).
    let (rarest, commonest) =
        (*train_counts.iter().min().unwrap(), *train_counts.iter().max().unwrap());
    assert_eq!((train_counts[5], train_counts[1]), (rarest, commonest));
    assert!((commonest as f64) < 1.25 * rarest as f64);
    // Always answering the commonest class would score 11.35 % on the test set.
    assert_eq!(*test_counts.iter().max().unwrap(), 1135);

    // ANCHOR: validation_split
    // Hold 5,000 training images out, stratified by class: training is watched on them, and
    // the test set is scored once per model, at the end.
    let split: Mnist =
        data.clone().with_validation(5_000).expect("5,000 of 60,000 can be held out");
    let held_out = split.validation.class_counts();
    println!(
        "{} to train on, {} to validate on, {} to test on",
        split.train.len(),
        held_out.iter().sum::<usize>(),
        split.test.len()
    );
    println!("validation images per digit: {:?}", &held_out[..10]);
    // ANCHOR_END: validation_split
    assert_eq!(
        (split.train.len(), split.validation.len(), split.test.len()),
        (55_000, 5_000, 10_000)
    );
    for digit in 0..10 {
        // Each digit keeps its share of the 60,000 on both sides (rounded to a whole image).
        let share = 5_000.0 * train_counts[digit] as f64 / 60_000.0;
        assert!(
            (held_out[digit] as f64 - share).abs() < 1.0,
            "digit {digit}: {} vs {share}",
            held_out[digit]
        );
        assert_eq!(split.train.class_counts()[digit] + held_out[digit], train_counts[digit]);
    }
    let again = data.clone().with_validation(5_000).expect("splits");
    assert_eq!(
        again.validation, split.validation,
        "the split is fixed: the same 5,000 images every time"
    );

    // ANCHOR: first_digits
    let first_twenty: Array2<f32> = data.train.x.slice(s![..20, ..]).to_owned();
    println!("labels: {}", data.train.y.slice(s![..20]));
    ae_mlp::output::plot::image_grid(
        "first_digits",
        "The first 20 training images",
        &first_twenty,
        10,
    )
    .show();
    // ANCHOR_END: first_digits
    let labels: Vec<u8> = data.train.y.slice(s![..20]).to_vec();
    assert_eq!(labels, vec![5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5, 3, 6, 1, 7, 2, 8, 6, 9]);
    let png = ae_mlp::output::plot::image_grid(
        "first_digits",
        "The first 20 training images",
        &first_twenty,
        10,
    )
    .to_png()
    .expect("the grid renders");
    assert!(png.starts_with(b"\x89PNG"));

    // ANCHOR: missing_dir
    let error = Mnist::load_dir("no/such/dir").expect_err("there is no such directory");
    println!("{error}");
    // ANCHOR_END: missing_dir
    let message = error.to_string();
    assert!(message.contains("no/such/dir") && message.contains("does not exist"), "{message}");
    assert!(
        message.contains("--data DIR") && message.contains("train-images-idx3-ubyte"),
        "names the fix: {message}"
    );
    assert!(
        matches!(error, Error::Data(ae_mlp::data::DataError::DirNotFound { .. })),
        "a typed error: {error:?}"
    );

    // ANCHOR: gradcheck
    // The study's shape, 784 → 128 → 64 → 32 → 64 → 128 → 784, with smooth activations
    // (tanh, and a sigmoid code) so that finite differences never straddle a kink.
    let smooth = AutoencoderParams {
        activation: Activation::Tanh,
        code_activation: Activation::Sigmoid,
        ..Default::default()
    };
    let mut model = smooth.build().expect("a valid shape");
    let batch: Array2<f32> = data.train.x.slice(s![..32, ..]).to_owned(); // 32 real images
                                                                          // 16 random entries of each of the 12 weight and bias tensors; step h = 0.03, floor 3e-5.
    let check = ae_mlp::nn::gradcheck::check_gradients(
        &mut model,
        ae_mlp::train::Split::unlabelled(&batch),
        16,
        0.03,
        3e-5,
        1,
    )
    .expect("the check runs");
    println!(
        "{} entries probed, largest relative error {:.1e}",
        check.probes, check.max_relative_error
    );
    // ANCHOR_END: gradcheck
    assert_eq!(check.probes, 12 * 16);
    assert!(check.max_relative_error < 2e-2, "backprop agrees with finite differences: {check:?}");
    // The check is not vacuous: in every tensor the gradients reach well above the floor,
    // where the comparison is relative.
    let mut tensors = model.encoder.parameters();
    tensors.extend(model.decoder.parameters());
    for (i, t) in tensors.iter().enumerate() {
        let largest = t.grad.iter().fold(0.0f32, |m, g| m.max(g.abs()));
        assert!(largest > 2.0 * 3e-5, "tensor {i}: largest |gradient| {largest}");
    }
    drop(tensors);

    // ANCHOR: adam_first_step
    let mut adam = ae_mlp::nn::Adam::new(1e-3, 0.9, 0.999, 1e-7); // Keras' defaults
    let mut theta = vec![1.0f32, 1.0, 1.0];
    let gradient = vec![0.5f32, -0.1, 0.001]; // three very different scales
    ae_mlp::nn::Optimizer::step(
        &mut adam,
        vec![ae_mlp::nn::Param { value: &mut theta, grad: &gradient, decay: true }],
    );
    let moved: Vec<f32> = theta.iter().map(|t| t - 1.0).collect();
    println!("gradients {gradient:?}\nmoved by  {moved:?}");
    // ANCHOR_END: adam_first_step
    for (&g, &d) in gradient.iter().zip(&moved) {
        assert!(d * g < 0.0, "each parameter moves against its gradient");
        assert!(
            (d.abs() - 1e-3).abs() < 1e-5,
            "the first step is ≈ the learning rate, whatever |g| = {g}: {d}"
        );
    }

    // ANCHOR: subnormal
    // A background pixel (target 0) that the decoder's sigmoid output already gets almost right.
    let y = Activation::Sigmoid.value(-40.0);
    let pixel_grad = 2.0 * y / (256.0 * 784.0); // its MSE gradient in a batch of 256 images
    let exact = pixel_grad * y * (1.0 - y); // through the sigmoid: dL/dz = dL/dy · y(1 − y)
    println!(
        "y = {y:e}, dL/dy = {pixel_grad:e}, dL/dz = {exact:e}; a normal f32? {}",
        exact.is_normal()
    );
    let mut grad: Array2<f32> = Array2::from_elem((1, 1), pixel_grad);
    Activation::Sigmoid.backward(Array2::from_elem((1, 1), y).view(), grad.view_mut());
    println!("the backward pass writes {} instead", grad[[0, 0]]);
    // ANCHOR_END: subnormal
    assert!(
        y.is_normal() && pixel_grad.is_normal(),
        "the output and its gradient are ordinary numbers"
    );
    assert!(exact > 0.0 && !exact.is_normal(), "their product is subnormal: {exact:e}");
    assert_eq!(grad[[0, 0]], 0.0, "flushed to zero");
    assert_eq!(ae_mlp::nn::flush_subnormal(1e-37), 1e-37, "normal numbers pass unchanged");

    // ANCHOR: schedule
    let ae_params = AutoencoderParams::default();
    let mlp_params = MlpParams::default();
    println!("{:?}", ae_params.train);
    println!(
        "weights: autoencoder {:?}, MLP {:?}; biases start at 0",
        ae_params.init, mlp_params.init
    );
    // ANCHOR_END: schedule
    let keras_adam = OptimizerConfig::Adam {
        learning_rate: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-7,
        weight_decay: 0.0,
    };
    for train in [&ae_params.train, &mlp_params.train, &MlpParams::raw_pixels().train] {
        assert_eq!(
            (train.epochs, train.batch_size, train.seed, train.shuffle),
            (15, 256, 42, true)
        );
        assert_eq!(train.optimizer, keras_adam);
    }
    assert_eq!(
        (ae_params.init, mlp_params.init),
        (ae_mlp::nn::Init::Xavier, ae_mlp::nn::Init::Xavier)
    );
    // The first layer's dL/dx would be 784 × 128 of the 3 × (all weights) multiply-adds of a
    // training step (forward, dL/dW, dL/dx): about 15 %, which the backward pass skips.
    let ae = ae_params.build().unwrap();
    let macs = ae.encoder.macs_per_sample() + ae.decoder.macs_per_sample();
    let first_layer = (784 * 128) as f64 / macs as f64;
    assert!((0.4..0.5).contains(&first_layer), "almost half of all weights: {first_layer}");
    let share = (784 * 128) as f64 / (3 * macs) as f64;
    assert!((0.14..0.16).contains(&share), "{share}");

    // ANCHOR: same_seed
    let small = data.train.head(2_000);
    let quick = MlpParams::raw_pixels().train(TrainParams::default().epochs(2));
    let (model_a, history_a) =
        quick.fit(small.x.view(), small.y.view(), None, &mut |_| {}).expect("trains");
    let (model_b, history_b) =
        quick.fit(small.x.view(), small.y.view(), None, &mut |_| {}).expect("trains");
    let other_seed = quick.clone().train(TrainParams::default().epochs(2).seed(7));
    let (model_c, history_c) =
        other_seed.fit(small.x.view(), small.y.view(), None, &mut |_| {}).expect("trains");
    println!(
        "seed 42: {:?}\nseed 42: {:?}\nseed  7: {:?}",
        history_a.train_loss(),
        history_b.train_loss(),
        history_c.train_loss()
    );
    println!("same seed, same weights: {}; other seed: {}", model_a == model_b, model_a == model_c);
    // ANCHOR_END: same_seed
    assert_eq!(model_a, model_b, "the same seed gives the same weights, bit for bit");
    assert_eq!(history_a.train_loss(), history_b.train_loss());
    assert_ne!(model_a, model_c, "another seed, another model");
    assert_ne!(history_a.train_loss(), history_c.train_loss());
}
