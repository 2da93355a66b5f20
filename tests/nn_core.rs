//! Mechanics of the hand-rolled core, on small synthetic data: gradient checks of every
//! layer, activation and loss; Adam against hand-computed steps; seeded determinism.
//!
//! Tolerances: everything is `f32`. Central differences with step h have truncation error
//! O(h²) and rounding error about ε·|L|/h (ε ≈ 1.2e-7). Losses here are O(1), so with
//! h = 1e-3 the numeric gradient is good to roughly 1e-3 relative; we demand 2e-2, which a
//! wrong formula (off by a factor, a sign, a transpose) misses by orders of magnitude.

use ae_mlp::nn::gradcheck::{check_gradients, numeric_gradient, relative_error, uniform};
use ae_mlp::nn::loss::{bce, mse, softmax_cross_entropy};
use ae_mlp::nn::{Activation, Adam, Dense, Init, Optimizer, Param, Sgd};
use ae_mlp::prelude::*;
use ae_mlp::rng::seeded;
use ae_mlp::train::{Split, TrainParams};
use ndarray::ArrayView2;

const H: f32 = 1e-3;
const TOL: f32 = 2e-2;
/// Below this, gradients are compared absolutely (see [`relative_error`]).
const FLOOR: f32 = 1e-2;

fn assert_close(what: &str, analytic: ArrayView2<f32>, numeric: ArrayView2<f32>) {
    let worst = analytic
        .iter()
        .zip(numeric.iter())
        .map(|(&a, &n)| relative_error(a, n, FLOOR))
        .fold(0.0, f32::max);
    assert!(worst < TOL, "{what}: max relative error {worst} ≥ {TOL}");
}

#[test]
fn dense_layer_gradients_match_finite_differences() {
    let x = uniform((5, 4), -1.0, 1.0, 1);
    let r = uniform((5, 3), -1.0, 1.0, 2); // L = Σ y ⊙ r, so dL/dy = r
    let mut layer = Dense::new(4, 3, Init::Xavier, &mut seeded(3, 0));
    layer.b = uniform((1, 3), -0.5, 0.5, 4).row(0).to_owned();
    let loss = |layer: &Dense, x: &Array2<f32>| {
        let mut y = Array2::zeros((5, 3));
        layer.forward_into(x.view(), y.view_mut());
        (&y * &r).iter().map(|&v| f64::from(v)).sum::<f64>()
    };
    let mut grad_x = Array2::zeros((5, 4));
    layer.backward(x.view(), r.view(), Some(grad_x.view_mut()));

    assert_close("dL/dx", grad_x.view(), numeric_gradient(&x, H, |x| loss(&layer, x)).view());
    let w0 = layer.w.clone();
    let num_w = numeric_gradient(&w0, H, |w| {
        let mut l = layer.clone();
        l.w = w.clone();
        loss(&l, &x)
    });
    assert_close("dL/dW", layer.grad_w.view(), num_w.view());
    let b0 = layer.b.clone().insert_axis(ndarray::Axis(0));
    let num_b = numeric_gradient(&b0, H, |b| {
        let mut l = layer.clone();
        l.b = b.row(0).to_owned();
        loss(&l, &x)
    });
    assert_close("dL/db", layer.grad_b.view().insert_axis(ndarray::Axis(0)), num_b.view());
}

#[test]
fn every_activation_backward_matches_finite_differences() {
    // Pre-activations kept away from ReLU's kink at 0, where the derivative is undefined.
    let mut z = uniform((4, 6), -2.0, 2.0, 5);
    z.mapv_inplace(|v| if v.abs() < 0.05 { v + 0.1 } else { v });
    let r = uniform((4, 6), -1.0, 1.0, 6);
    for act in [
        Activation::Identity,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Softmax,
    ] {
        let f = |z: &Array2<f32>| {
            let mut y = z.clone();
            act.forward(y.view_mut());
            (&y * &r).iter().map(|&v| f64::from(v)).sum::<f64>()
        };
        let mut y = z.clone();
        act.forward(y.view_mut());
        let mut g = r.clone();
        act.backward(y.view(), g.view_mut());
        assert_close(act.name(), g.view(), numeric_gradient(&z, H, f).view());
    }
}

#[test]
fn scalar_derivatives_used_in_plots_match_finite_differences() {
    for act in [Activation::Relu, Activation::Sigmoid, Activation::Tanh, Activation::Softmax] {
        for x in [-3.0f32, -0.7, 0.4, 2.5] {
            let numeric = (act.value(x + H) - act.value(x - H)) / (2.0 * H);
            assert!(
                relative_error(numeric, act.derivative(x), FLOOR) < TOL,
                "{} at {x}",
                act.name()
            );
        }
    }
}

#[test]
fn every_loss_gradient_matches_finite_differences() {
    let target = uniform((4, 5), 0.0, 1.0, 7);
    let pred = uniform((4, 5), 0.05, 0.95, 8);
    let mut g = Array2::zeros((4, 5));
    mse(pred.view(), target.view(), Some(g.view_mut()));
    assert_close(
        "MSE",
        g.view(),
        numeric_gradient(&pred, H, |p| f64::from(mse(p.view(), target.view(), None))).view(),
    );
    bce(pred.view(), target.view(), Some(g.view_mut()));
    assert_close(
        "BCE",
        g.view(),
        numeric_gradient(&pred, H, |p| f64::from(bce(p.view(), target.view(), None))).view(),
    );

    let logits = uniform((4, 10), -3.0, 3.0, 9);
    let labels = ndarray::arr1(&[3u8, 0, 9, 3]);
    let mut g = Array2::zeros((4, 10));
    softmax_cross_entropy(logits.view(), labels.view(), Some(g.view_mut()));
    let num = numeric_gradient(&logits, H, |z| {
        f64::from(softmax_cross_entropy(z.view(), labels.view(), None))
    });
    assert_close("softmax cross-entropy", g.view(), num.view());
}

#[test]
fn losses_have_their_documented_values_and_reductions() {
    let t = ndarray::arr2(&[[0.0f32, 1.0], [1.0, 0.0]]);
    let p = ndarray::arr2(&[[0.5f32, 0.5], [1.0, 0.0]]);
    // MSE: mean over all 4 elements of (0.25, 0.25, 0, 0).
    assert!((mse(p.view(), t.view(), None) - 0.125).abs() < 1e-7);
    // BCE: mean of (ln 2, ln 2, ~0, ~0).
    let expected = 2.0 * std::f32::consts::LN_2 / 4.0;
    assert!((bce(p.view(), t.view(), None) - expected).abs() < 1e-5);
    // Cross-entropy of uniform logits over 10 classes is ln 10, whatever the label; stable
    // for huge logits, where a naive softmax overflows (e^1000 = inf). The tolerance is the
    // f32 spacing at 1000 (6.1e-5), where the log-sum-exp is formed.
    let z = Array2::from_elem((2, 10), 1000.0f32);
    let ce = softmax_cross_entropy(z.view(), ndarray::arr1(&[1u8, 7]).view(), None);
    assert!((ce - 10f32.ln()).abs() < 1e-4, "{ce}");
}

#[test]
fn autoencoder_and_mlp_backprop_match_finite_differences() {
    // Whole models, every parameter tensor probed. Smooth hidden activations (tanh, and a
    // sigmoid code) keep the finite differences away from ReLU's kink, where a step of h can
    // switch a unit off and the difference quotient is meaningless; ReLU's own backward is
    // checked above, away from 0.
    let x = uniform((16, 20), 0.0, 1.0, 10);
    let params = AutoencoderParams {
        inputs: 20,
        hidden: vec![12, 8],
        latent: 4,
        activation: Activation::Tanh,
        code_activation: Activation::Sigmoid,
        ..Default::default()
    };
    for loss in [ReconstructionLoss::Mse, ReconstructionLoss::Bce] {
        let mut ae = params.clone().loss(loss).build().unwrap();
        let check = check_gradients(&mut ae, Split::unlabelled(&x), 8, H, 1e-2, 1).unwrap();
        assert!(check.max_relative_error < TOL, "autoencoder ({}): {check:?}", loss.name());
        assert!(check.probes >= 80, "{check:?}");
    }
    let y = ndarray::Array1::from_iter((0..16).map(|i| (i % 3) as u8));
    let mlp = MlpParams {
        hidden: vec![10, 7],
        activation: Activation::Tanh,
        classes: 3,
        ..Default::default()
    };
    let check =
        check_gradients(&mut mlp.build(20).unwrap(), Split::labelled(&x, &y), 8, H, 1e-2, 2)
            .unwrap();
    assert!(check.max_relative_error < TOL, "MLP: {check:?}");
}

#[test]
fn adam_first_steps_match_hand_computed_values() {
    // θ = (1, −2); gradients (0.5, −0.1), (−0.2, 0.3), (0.4, 0.0); Keras' defaults.
    // Expected values worked out step by step with α_t = α √(1 − β2^t) / (1 − β1^t),
    // m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², θ ← θ − α_t m / (√v + ε).
    let expected = [
        [0.999_000_006_3, -1.999_000_031_6],
        [0.998_654_402_5, -1.999_494_216_5],
        [0.998_058_868_6, -1.999_876_222_9],
    ];
    let mut adam = Adam::new(1e-3, 0.9, 0.999, 1e-7);
    let mut theta = [1.0f32, -2.0];
    for (g, want) in [[0.5f32, -0.1], [-0.2, 0.3], [0.4, 0.0]].iter().zip(expected) {
        adam.step(vec![Param { value: &mut theta, grad: g, decay: true }]);
        for (got, want) in theta.iter().zip(want) {
            assert!((f64::from(*got) - want).abs() < 2e-7, "{theta:?} vs {want:?}");
        }
    }
}

#[test]
fn sgd_with_momentum_accumulates_velocity() {
    let mut sgd = Sgd::new(0.1, 0.9);
    let mut theta = [1.0f32];
    sgd.step(vec![Param { value: &mut theta, grad: &[1.0], decay: true }]); // u = −0.1
    sgd.step(vec![Param { value: &mut theta, grad: &[1.0], decay: true }]); // u = −0.09 − 0.1 = −0.19
    assert!((theta[0] - (1.0 - 0.1 - 0.19)).abs() < 1e-6, "{theta:?}");
}

#[test]
fn the_same_seed_gives_an_identical_history_and_model() {
    let x = uniform((300, 20), 0.0, 1.0, 11);
    let params =
        AutoencoderParams { inputs: 20, hidden: vec![12], latent: 4, ..Default::default() }
            .train(TrainParams::default().epochs(3).batch_size(32).seed(7));
    let run = || params.fit(x.view(), Some(x.view()), &mut |_| {}).unwrap();
    let ((a, ha), (b, hb)) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(ha.train_loss(), hb.train_loss());
    assert_eq!(ha.val_loss(), hb.val_loss());
    let (c, hc) = params
        .clone()
        .train(params.train.clone().seed(8))
        .fit(x.view(), None, &mut |_| {})
        .unwrap();
    assert_ne!(a, c, "another seed must give another model");
    assert_ne!(ha.train_loss(), hc.train_loss());
}

#[test]
fn bad_hyperparameters_are_errors_not_panics() {
    let x = uniform((50, 20), 0.0, 1.0, 12);
    let small = AutoencoderParams { inputs: 20, hidden: vec![8], latent: 4, ..Default::default() };
    let cases: Vec<(AutoencoderParams, &str)> = vec![
        (small.clone().latent(0), "latent"),
        (small.clone().hidden(vec![8, 0]), "hidden"),
        (small.clone().train(TrainParams::default().epochs(0)), "epochs"),
        (small.clone().train(TrainParams::default().batch_size(0)), "batch_size"),
        (small.clone().train(TrainParams::default().learning_rate(0.0)), "learning_rate"),
        (small.clone().train(TrainParams::default().learning_rate(-1.0)), "learning_rate"),
        (small.clone().train(TrainParams::default().learning_rate(f32::NAN)), "learning_rate"),
        (small.clone().train(TrainParams::default().batch_size(51)), "batch_size"),
    ];
    for (params, name) in cases {
        let err = params.fit(x.view(), None, &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
    // Wrong input width.
    let err = small.fit(uniform((10, 21), 0.0, 1.0, 1).view(), None, &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::Shape { .. }), "{err}");
    // Labels out of range, and too few labels.
    let y = ndarray::Array1::from_elem(50, 12u8);
    let err = MlpParams::default().fit(x.view(), y.view(), None, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("labels"), "{err}");
    let y = ndarray::Array1::from_elem(10, 3u8);
    let err = MlpParams::default().fit(x.view(), y.view(), None, &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::Shape { .. }), "{err}");
}

#[test]
fn divergence_stops_training_with_an_error_naming_the_epoch() {
    let mut x = uniform((64, 20), 0.0, 1.0, 13);
    x[[5, 3]] = f32::NAN;
    let params = AutoencoderParams { inputs: 20, hidden: vec![8], latent: 4, ..Default::default() }
        .train(TrainParams::default().epochs(2).batch_size(16));
    match params.fit(x.view(), None, &mut |_| {}) {
        Err(Error::Diverged { epoch: 1, what: "training", .. }) => {}
        other => panic!("expected divergence in epoch 1, got {other:?}"),
    }
    // A learning rate so large that the weights overflow to infinity.
    let y = ndarray::Array1::from_iter((0..64).map(|i| (i % 10) as u8));
    let x = uniform((64, 20), 0.0, 1.0, 14);
    let mlp = MlpParams::default()
        .train(TrainParams::default().epochs(50).batch_size(16).learning_rate(1e30));
    let err = mlp.fit(x.view(), y.view(), None, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("diverged in epoch"), "{err}");
}

#[test]
fn tuning_settings_are_checked_before_training() {
    use ae_mlp::nn::OptimizerConfig;
    use ae_mlp::train::{EarlyStopping, Schedule};
    let x = uniform((64, 20), 0.0, 1.0, 12);
    let y = ndarray::Array1::from_iter((0..64).map(|i| (i % 3) as u8));
    let mlp = MlpParams { hidden: vec![8], classes: 3, ..Default::default() };
    let fit = |p: MlpParams| p.fit(x.view(), y.view(), None, &mut ae_mlp::train::silent);
    // Early stopping needs a validation split to watch.
    let stop = TrainParams::default().epochs(2).early_stopping(Some(EarlyStopping { patience: 1 }));
    let err = fit(mlp.clone().train(stop)).unwrap_err();
    assert!(matches!(err, Error::InvalidParam { name: "early_stopping", .. }), "{err}");
    for (name, params) in [
        ("dropout", mlp.clone().dropout(1.0)),
        ("input_dropout", mlp.clone().input_dropout(-0.1)),
        (
            "warmup",
            mlp.clone()
                .train(TrainParams::default().schedule(Schedule::WarmupCosine { warmup: 1.5 })),
        ),
        (
            "weight_decay",
            mlp.clone().train(TrainParams::default().optimizer(OptimizerConfig::adamw(1e-3, -1.0))),
        ),
    ] {
        let err = fit(params).unwrap_err();
        assert!(matches!(&err, Error::InvalidParam { name: n, .. } if *n == name), "{name}: {err}");
    }
}
