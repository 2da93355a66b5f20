//! Chapter 9, "Training well": the cells of `notebooks/ch09-training-well.ipynb`, in notebook
//! order, each followed by the checks of what the chapter says about its result. The regions
//! between `// ANCHOR:` and `// ANCHOR_END:` are shown in the book and run in the notebook
//! exactly as written here.

use ae_mlp::experiments::pipeline::quiet;
use ae_mlp::prelude::*;

#[test]
fn chapter_9_the_techniques() {
    // ANCHOR: dropout_gradients
    use ae_mlp::nn::gradcheck::{central_difference, relative_error, uniform};
    use ae_mlp::rng::seeded;
    use ae_mlp::train::Trainable;
    // An MLP with dropout on its inputs (0.2) and hidden layers (0.5), on random data. The
    // same seed draws the same masks, so the loss is a fixed function of the weights and
    // central differences can check the backward pass, masks included.
    let x: Array2<f32> = uniform((32, 20), 0.0, 1.0, 1);
    let y: Array1<u8> = Array1::from_iter((0..32).map(|i| (i % 3) as u8));
    let params = MlpParams {
        hidden: vec![16, 12],
        activation: Activation::Tanh,
        classes: 3,
        ..Default::default()
    };
    let mut mlp = params.input_dropout(0.2).dropout(0.5).build(20).expect("a small MLP");
    // One training step's loss, with the masks of seed 7.
    fn loss_at(mlp: &mut Mlp, x: &Array2<f32>, y: &Array1<u8>) -> f64 {
        let stats = mlp.train_step(x.view(), Some(y.view()), &mut seeded(7, 7)).expect("a step");
        f64::from(stats.loss)
    }
    loss_at(&mut mlp, &x, &y);
    let analytic: Vec<Vec<f32>> = mlp.parameters().iter().map(|p| p.grad.to_vec()).collect();
    let mut worst = 0.0f32;
    for (p, grads) in analytic.iter().enumerate() {
        for i in (0..grads.len()).step_by(7) {
            let theta = mlp.parameters()[p].value[i];
            let numeric = central_difference(theta, 1e-3, |v| {
                mlp.parameters()[p].value[i] = v;
                Ok(loss_at(&mut mlp, &x, &y))
            })
            .expect("the loss is finite");
            mlp.parameters()[p].value[i] = theta;
            worst = worst.max(relative_error(grads[i], numeric, 1e-2));
        }
    }
    println!("largest relative error, backpropagation against finite differences: {worst:.1e}");
    // ANCHOR_END: dropout_gradients
    assert!(worst < 2e-2, "dropout's backward pass disagrees with finite differences: {worst}");

    // ANCHOR: dropout_modes
    // Training draws masks; prediction does not: every prediction is the expected network.
    let before: Array2<f32> = mlp.stack.predict(x.view()).expect("predict");
    let dropped: Array2<f32> =
        mlp.stack.forward_train_dropout(x.view(), &mut seeded(1, 1)).to_owned();
    let plain: Array2<f32> = mlp.stack.forward_train(x.view()).to_owned();
    let changed: usize = dropped.iter().zip(&plain).filter(|(a, b)| a != b).count();
    println!("outputs changed by one dropout pass: {changed} of {}", plain.len());
    println!("prediction equals the pass without dropout: {}", before == plain);
    // ANCHOR_END: dropout_modes
    assert_eq!(before, plain, "prediction ignores dropout");
    assert!(changed > plain.len() / 2, "a training pass drops units");

    // ANCHOR: adamw_step
    use ae_mlp::nn::{Adam, Optimizer, Param};
    // One AdamW step by hand: Adam's step, plus every *weight* shrunk by α·λ·θ. Biases are
    // not decayed. θ = (1, −2), gradient (0.5, −0.1), α = 1e-3, λ = 0.1.
    let mut adamw: Adam = Adam::new(1e-3, 0.9, 0.999, 1e-7).weight_decay(0.1);
    let (mut weights, mut biases) = ([1.0f32, -2.0], [1.0f32, -2.0]);
    let g: [f32; 2] = [0.5, -0.1];
    adamw.step(vec![
        Param { value: &mut weights, grad: &g, decay: true },
        Param { value: &mut biases, grad: &g, decay: false },
    ]);
    // After one step m/(√v + ε) is the gradient's sign (to 1e-6), and α_1 = α.
    fn by_hand(theta: f32, g: f32) -> f32 {
        theta - 1e-3 * g.signum() - 1e-3 * 0.1 * theta
    }
    println!("weights {weights:?}, by hand {:?}", [by_hand(1.0, 0.5), by_hand(-2.0, -0.1)]);
    println!("biases  {biases:?} (Adam alone)");
    // ANCHOR_END: adamw_step
    for (got, want) in weights.iter().zip([by_hand(1.0, 0.5), by_hand(-2.0, -0.1)]) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    for (got, want) in biases.iter().zip([1.0 - 1e-3, -2.0 + 1e-3]) {
        assert!((got - want).abs() < 1e-6, "a bias is not decayed: {got} vs {want}");
    }

    // ANCHOR: schedule
    use ae_mlp::train::Schedule;
    // Warm-up over the first 10 % of the steps, then a half cosine down to 0.
    let schedule: Schedule = Schedule::WarmupCosine { warmup: 0.1 };
    let steps: usize = 430 * 40; // 40 epochs of 430 batches of 128
    for step in [0, 860, 1720, 5000, 9460, 15000, steps - 1] {
        println!("step {step:>5}: {:.3} × the peak rate", schedule.factor(step, steps));
    }
    // ANCHOR_END: schedule
    let f = |step| schedule.factor(step, steps);
    assert!(f(0) < 0.001 && f(1720) == 1.0 && f(steps - 1) < 1e-6);
    assert!((f(1720 + (steps - 1720) / 2) - 0.5).abs() < 1e-3, "halfway down at halfway");
}

#[test]
fn chapter_9_the_tuned_recipe() {
    // ANCHOR: tuned
    use ae_mlp::experiments::tuned::{pca_test_mse, TunedConfig, TunedSeeds};
    // The tuned recipe, five seeds; each seed trains the pixels MLP, the autoencoder, an MLP on
    // its codes, and the two fine-tuned together (a few minutes a seed, cached afterwards).
    let seeds: [u64; 5] = [42, 43, 44, 45, 46];
    let tuned: TunedSeeds =
        TunedSeeds::run(&TunedConfig::default(), &seeds, &default_cache_dir(), &mut print_progress)
            .expect("the tuned recipe trains");
    println!("{}", tuned.table().expect("a table"));
    let data: Mnist = Mnist::load_bundled().and_then(|d| d.with_validation(5_000)).expect("MNIST");
    let pca: f64 = pca_test_mse(&data, 32).expect("PCA fits");
    println!("PCA with 32 components: test MSE {pca:.5}");
    // ANCHOR_END: tuned
    for run in &tuned.runs {
        // Early stopping restored the best epoch: the kept model scores what that epoch did.
        for o in [&run.raw_mlp, &run.codes_mlp, &run.finetuned] {
            let recorded = o.history.val_accuracy()[o.kept_epoch - 1];
            assert_eq!(o.validation, recorded, "the kept weights are the best epoch's");
        }
    }
    let ae = tuned.summary(|r| &r.autoencoder).unwrap();
    assert!(ae.mean < pca, "the autoencoder reconstructs better than PCA-32: {ae:?} vs {pca}");
    assert!(ae.mean <= 0.0085, "the tuned autoencoder reaches MSE 0.0085: {ae:?}");

    // ANCHOR: against_the_original
    // The same five seeds with the original recipe (the study of chapter 6, cached).
    let (_, original): (Study, OverSeeds) = Study::over_seeds(
        &StudyConfig::default(),
        &seed_list(42, 5).unwrap(),
        Some(&default_cache_dir()),
        &mut print_progress,
    )
    .expect("the study trains");
    let original_raw: Vec<f64> =
        original.seeds.iter().map(|m| f64::from(m.raw_accuracy.unwrap())).collect();
    let raw_gain: PairedDifference =
        PairedDifference::of(&tuned.test(|r| &r.raw_mlp), &original_raw).unwrap();
    println!("pixels MLP, tuned − original: {}", raw_gain.verdict("tuned", "original"));
    let route: PairedDifference = tuned.finetuned_minus_raw().unwrap();
    println!("fine-tuned − pixels MLP, both tuned: {}", route.verdict("fine-tuned", "pixels"));
    // ANCHOR_END: against_the_original
    assert_eq!(
        raw_gain.comparison(),
        Comparison::AHigher,
        "the recipe beats the original: {raw_gain:?}"
    );
    let raw = tuned.summary(|r| &r.raw_mlp).unwrap();
    let finetuned = tuned.summary(|r| &r.finetuned).unwrap();
    println!("pixels {raw:?}, fine-tuned {finetuned:?}, route {route:?}");
    // As measured: trained well, raw pixels win at full labels.
    assert_eq!(route.comparison(), Comparison::BHigher, "{route:?}");
    // Against the literature, as the chapter reports it: the pixels MLP's mean reaches 98.5 %,
    // the fine-tuned encoder's stays below Hinton and Salakhutdinov's 98.8 %.
    assert!(raw.mean >= 0.985, "{raw:?}");
    assert!(finetuned.mean < 0.988, "{finetuned:?}");
    // Dropout narrows the gap between training and validation accuracy (seed 42).
    let gap = |h: &History| h.train_accuracy().last().unwrap() - h.val_accuracy().last().unwrap();
    let study42 = Study::run_cached(&StudyConfig::default(), &default_cache_dir(), &mut quiet)
        .expect("the study (cached)");
    let original_gap = gap(&study42.results.raw_mlp.as_ref().unwrap().history);
    let tuned_gap = gap(&tuned.runs[0].raw_mlp.history);
    println!("training − validation accuracy: original {original_gap:.4}, tuned {tuned_gap:.4}");
    assert!(tuned_gap < original_gap / 2.0, "{tuned_gap} vs {original_gap}");
}
