//! The hand-rolled backward passes against candle's autograd, on the same weights and the
//! same batch (`cargo test --features candle`). Each test prints the largest discrepancy it
//! found, relative to the largest gradient, so the margin is visible, not only the verdict.
#![cfg(feature = "candle")]

use ae_mlp::candle::{self as bridge, CandleStack};
use ae_mlp::models::autoencoder::variational;
use ae_mlp::models::autoencoder::SparsityPenalty;
use ae_mlp::nn::loss::{mse, softmax_cross_entropy};
use ae_mlp::nn::{Activation, Init, OptimizerConfig, Stack};
use ae_mlp::rng;
use candle_core::Device;
use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng as _;

/// f32 agreement we ask for: the largest difference at most this fraction of the largest
/// gradient (two implementations summing in different orders differ in the last bits).
const TOLERANCE: f32 = 1e-4;

fn uniform(rows: usize, cols: usize, lo: f32, hi: f32, seed: u64) -> Array2<f32> {
    let mut r = rng::seeded(seed, 99);
    Array2::from_shape_simple_fn((rows, cols), || r.gen_range(lo..hi))
}

/// max |a − b| / max |a| (a gradient, a penalty or weights), printed with `what`.
fn discrepancy(what: &str, ours: ArrayView2<f32>, theirs: ArrayView2<f32>) -> f32 {
    let rel = bridge::relative_discrepancy(ours, theirs).expect("same shapes");
    println!("{what}: largest |Δ| = {rel:.3e} of the largest value");
    rel
}

/// Our gradient of every layer (W and b as a 1-row matrix) after `loss_grad` fills dL/dy.
fn our_grads(
    stack: &mut Stack,
    x: ArrayView2<f32>,
    loss_grad: impl FnOnce(ArrayView2<f32>, ndarray::ArrayViewMut2<f32>),
) {
    stack.forward_train(x);
    let (out, grad) = stack.output_and_grad();
    loss_grad(out, grad);
    stack.backward(x, false);
}

fn stack(widths: &[(usize, Activation)], inputs: usize, seed: u64) -> Stack {
    Stack::new(inputs, widths, Init::Xavier, &mut rng::seeded(seed, 3))
}

#[test]
fn candle_gradients_match_for_every_layer_kind_and_loss() {
    // Every dW and db of a small stack per kind (the five activations under MSE, BCE and
    // softmax + cross-entropy at the output): the numbers chapter 11 shows.
    for check in bridge::every_layer_kind(&Device::Cpu).expect("both backward passes run") {
        println!("{}: largest |Δ| = {:.3e} of the largest gradient", check.kind, check.worst);
        assert!(
            check.worst <= TOLERANCE,
            "{}: gradients differ by {:.2e} of their scale",
            check.kind,
            check.worst
        );
    }
}

#[test]
fn candle_gradients_of_each_layer_are_compared_separately() {
    // The per-parameter breakdown behind every_layer_kind: a wrong bias gradient cannot hide
    // behind a right weight gradient.
    let x = uniform(32, 20, 0.0, 1.0, 1);
    let mut ours = stack(&[(16, Activation::Tanh), (20, Activation::Sigmoid)], 20, 5);
    let grads =
        bridge::stack_gradients(&mut ours, x.view(), &bridge::CheckedLoss::Mse, &Device::Cpu)
            .unwrap();
    let names: Vec<&str> = grads.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(names, ["dW of layer 1", "db of layer 1", "dW of layer 2", "db of layer 2"]);
    for (name, rel) in &grads {
        println!("tanh stack, {name}: {rel:.3e}");
        assert!(*rel <= TOLERANCE, "{name}: {rel:.2e}");
    }
}

#[test]
fn candle_cross_entropy_value_matches() {
    let device = Device::Cpu;
    let x = uniform(64, 30, 0.0, 1.0, 2);
    let labels: Array1<u8> = (0..64).map(|i| (i * 7 % 10) as u8).collect();
    let ours = stack(&[(24, Activation::Relu), (10, Activation::Identity)], 30, 7);
    let y = bridge::labels(labels.view(), &device).unwrap();
    let logits = ours.predict(x.view()).unwrap();
    let theirs =
        bridge::softmax_cross_entropy(&bridge::tensor(logits.view(), &device).unwrap(), &y)
            .unwrap();
    let (a, b) = (
        softmax_cross_entropy(logits.view(), labels.view(), None),
        theirs.to_scalar::<f32>().unwrap(),
    );
    assert!((a - b).abs() <= 1e-5 * a.abs().max(1.0), "cross-entropy {a} vs candle {b}");
}

#[test]
fn candle_sparsity_penalty_gradients_match() {
    let device = Device::Cpu;
    // Codes as a sigmoid layer would give them (KL needs values in (0, 1)), a few exact zeros
    // for L1's subgradient at 0.
    let mut codes = uniform(48, 16, 0.01, 0.99, 3);
    codes.slice_mut(ndarray::s![..4, ..2]).fill(0.0);
    for penalty in
        [SparsityPenalty::L1 { weight: 3e-4 }, SparsityPenalty::Kl { rho: 0.05, weight: 1e-3 }]
    {
        let mut ours = Array2::zeros(codes.raw_dim());
        penalty.add_gradient(codes.view(), ours.view_mut());
        let var =
            candle_core::Var::from_tensor(&bridge::tensor(codes.view(), &device).unwrap()).unwrap();
        let value = match penalty {
            SparsityPenalty::L1 { weight } => {
                bridge::l1_penalty(var.as_tensor(), f64::from(weight))
            }
            SparsityPenalty::Kl { rho, weight } => {
                bridge::kl_sparsity(var.as_tensor(), f64::from(rho), f64::from(weight))
            }
        }
        .unwrap();
        let mut theirs =
            bridge::array2(value.backward().unwrap().get(var.as_tensor()).unwrap()).unwrap();
        let label = penalty.describe();
        if let SparsityPenalty::L1 { .. } = penalty {
            // |h| has no derivative at 0: the core takes the subgradient 0 there, candle takes
            // the right-hand slope. Behind a ReLU code layer (where exact zeros occur) both
            // vanish, since ReLU passes no gradient at 0. Compared everywhere else.
            for ((t, o), &h) in theirs.iter_mut().zip(&ours).zip(&codes) {
                if h == 0.0 {
                    assert_eq!(*o, 0.0, "{label}: the core's subgradient at 0");
                    *t = 0.0;
                }
            }
        }
        assert!(discrepancy(&label, ours.view(), theirs.view()) <= TOLERANCE, "{label}");
        let (a, b) = (penalty.value(codes.view()), value.to_scalar::<f32>().unwrap());
        assert!((a - b).abs() <= 1e-5 * a.abs().max(1e-6), "{label}: value {a} vs candle {b}");
    }
}

#[test]
fn candle_vae_kl_term_and_reparameterised_sample_gradients_match() {
    let device = Device::Cpu;
    let (mu, log_var, eps) =
        (uniform(40, 8, -2.0, 2.0, 4), uniform(40, 8, -3.0, 1.0, 5), uniform(40, 8, -2.0, 2.0, 6));
    // An arbitrary upstream gradient dL/dz, as the decoder would send back.
    let grad_z = uniform(40, 8, -1.0, 1.0, 7);
    let beta = 0.5f32;

    let (mut ours_mu, mut ours_lv) = (Array2::zeros(mu.raw_dim()), Array2::zeros(mu.raw_dim()));
    variational::add_kl_gradient(
        mu.view(),
        log_var.view(),
        beta,
        ours_mu.view_mut(),
        ours_lv.view_mut(),
    );
    variational::add_sample_gradient(
        grad_z.view(),
        log_var.view(),
        eps.view(),
        ours_mu.view_mut(),
        ours_lv.view_mut(),
    );

    let var = |a: &Array2<f32>| {
        candle_core::Var::from_tensor(&bridge::tensor(a.view(), &device).unwrap()).unwrap()
    };
    let (mu_v, lv_v) = (var(&mu), var(&log_var));
    let eps_t = bridge::tensor(eps.view(), &device).unwrap();
    let z = bridge::reparameterise(mu_v.as_tensor(), lv_v.as_tensor(), &eps_t).unwrap();
    // Σ z ⊙ grad_z has gradient grad_z with respect to z: the decoder's message, replayed.
    let upstream =
        (&z * bridge::tensor(grad_z.view(), &device).unwrap()).unwrap().sum_all().unwrap();
    let kl = bridge::kl_divergence(mu_v.as_tensor(), lv_v.as_tensor()).unwrap();
    let total = (upstream + (kl.clone() * f64::from(beta)).unwrap()).unwrap();
    let grads = total.backward().unwrap();
    let theirs = |v: &candle_core::Var| bridge::array2(grads.get(v.as_tensor()).unwrap()).unwrap();
    assert!(discrepancy("VAE dL/dμ", ours_mu.view(), theirs(&mu_v).view()) <= TOLERANCE);
    assert!(discrepancy("VAE dL/d(ln σ²)", ours_lv.view(), theirs(&lv_v).view()) <= TOLERANCE);

    let sample = variational::reparameterise(mu.view(), log_var.view(), eps.view());
    assert!(
        discrepancy("VAE sample z", sample.view(), bridge::array2(&z).unwrap().view()) <= TOLERANCE
    );
    let (a, b) =
        (variational::kl_divergence(mu.view(), log_var.view()), kl.to_scalar::<f32>().unwrap());
    assert!((a - b).abs() <= 1e-5 * a.abs(), "KL {a} vs candle {b}");
}

#[test]
fn candle_one_adam_step_matches() {
    let device = Device::Cpu;
    let x = uniform(32, 12, 0.0, 1.0, 8);
    let mut ours = stack(&[(10, Activation::Relu), (12, Activation::Sigmoid)], 12, 9);
    let net = CandleStack::from_stack(&ours, &device).unwrap();
    let config = OptimizerConfig::default();

    our_grads(&mut ours, x.view(), |out, grad| {
        mse(out, x.view(), Some(grad));
    });
    let mut adam = config.build();
    adam.step(ours.parameters());

    let xt = bridge::tensor(x.view(), &device).unwrap();
    let loss = bridge::mse(&net.forward(&xt).unwrap(), &xt).unwrap();
    let mut theirs = bridge::adam(net.vars(), &config, true).unwrap();
    candle_nn::Optimizer::backward_step(&mut theirs, &loss).unwrap();

    let mut after = ours.clone();
    net.copy_into(&mut after).unwrap();
    for (i, (a, b)) in ours.layers.iter().zip(&after.layers).enumerate() {
        let what =
            format!("weights after one Adam step (candle's AdamW, ε converted), layer {}", i + 1);
        assert!(discrepancy(&what, a.dense.w.view(), b.dense.w.view()) <= 1e-6, "{what}");
    }

    // The core's form of Adam written in candle: three steps, equal to the core's three.
    let mut ours = stack(&[(10, Activation::Relu), (12, Activation::Sigmoid)], 12, 9);
    let net = CandleStack::from_stack(&ours, &device).unwrap();
    let mut adam = config.build();
    let mut keras = bridge::KerasAdam::new(net.vars(), &config).unwrap();
    for _ in 0..3 {
        our_grads(&mut ours, x.view(), |out, grad| {
            mse(out, x.view(), Some(grad));
        });
        adam.step(ours.parameters());
        keras.backward_step(&bridge::mse(&net.forward(&xt).unwrap(), &xt).unwrap()).unwrap();
    }
    let mut after = ours.clone();
    net.copy_into(&mut after).unwrap();
    for (i, (a, b)) in ours.layers.iter().zip(&after.layers).enumerate() {
        let what =
            format!("weights after three Adam steps (Keras form in candle), layer {}", i + 1);
        assert!(discrepancy(&what, a.dense.w.view(), b.dense.w.view()) <= 1e-6, "{what}");
    }
}
