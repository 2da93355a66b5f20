//! The autoencoder family's mechanics on tiny synthetic data: gradient checks of every kind's
//! loss (noise and ε fixed, so the loss is a function of the weights alone), of the KL term
//! and of both sparsity penalties on their own, and the checks of every new setting.
//!
//! Tolerances as in `tests/nn_core.rs`: `f32` central differences with h = 1e-3 are good to
//! about 1e-3 relative; we demand 2e-2, which a wrong formula misses by orders of magnitude.

use ae_mlp::models::autoencoder::{
    variational, AutoencoderKind, Draws, Noise, Replay, SparsityPenalty,
};
use ae_mlp::nn::gradcheck::{check_gradients, numeric_gradient, relative_error, uniform};
use ae_mlp::nn::Init;
use ae_mlp::prelude::*;
use ae_mlp::rng::seeded;
use ae_mlp::train::Split;

const H: f32 = 1e-3;
const TOL: f32 = 2e-2;
/// Below this, gradients are compared absolutely (see [`relative_error`]).
const FLOOR: f32 = 1e-2;

/// A small smooth autoencoder (tanh hidden layers: no ReLU kinks for the differences to cross).
fn tiny(kind: AutoencoderKind) -> AutoencoderParams {
    let mut p = AutoencoderParams::of_kind(kind);
    p.inputs = 20;
    p.hidden = vec![12, 8];
    p.latent = 4;
    p.activation = Activation::Tanh;
    if p.code_activation == Activation::Relu {
        p.code_activation = Activation::Tanh;
    }
    p.init = Init::Xavier;
    p
}

fn data() -> Array2<f32> {
    uniform((16, 20), 0.05, 0.95, 1)
}

#[test]
fn every_kinds_loss_has_the_right_gradient() {
    let x = data();
    let kinds = [
        AutoencoderKind::Vanilla,
        AutoencoderKind::Denoising(Noise::Gaussian { std_dev: 0.3 }),
        AutoencoderKind::Denoising(Noise::Mask { drop_fraction: 0.3 }),
        AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: 0.05 }),
        AutoencoderKind::Sparse(SparsityPenalty::Kl { rho: 0.1, weight: 0.05 }),
        AutoencoderKind::Variational { beta: 1.0 },
        AutoencoderKind::Variational { beta: 4.0 },
    ];
    for kind in kinds {
        let model = tiny(kind).build().unwrap();
        // One draw of the step's randomness, replayed by every evaluation of the check.
        let draws = model.draw(x.view(), &mut seeded(5, 5));
        match kind {
            AutoencoderKind::Denoising(_) => {
                assert!(draws.input.as_ref().is_some_and(|i| i != x), "{kind:?}")
            }
            AutoencoderKind::Variational { .. } => {
                assert_eq!(draws.eps.as_ref().map(|e| e.dim()), Some((16, 4)))
            }
            _ => assert_eq!(draws, Draws::default()),
        }
        let mut replay = Replay { model, draws };
        let check = check_gradients(&mut replay, Split::unlabelled(&x), 8, H, 1e-2, 3).unwrap();
        assert!(check.max_relative_error < TOL, "{}: {check:?}", kind.describe());
        assert!(check.probes >= 90, "{check:?}");
        // The step's loss is the replayed loss.
        let step = replay.model.step_with(x.view(), &replay.draws).unwrap();
        let eval = replay.model.loss_with(x.view(), &replay.draws).unwrap();
        assert!((step - eval).abs() < 1e-5, "{}: step {step} vs evaluate {eval}", kind.describe());
    }
}

#[test]
fn the_penalty_terms_change_the_loss_and_its_gradient() {
    // The same weights with and without the extra term: the term is really in the loss.
    let x = data();
    let vanilla = tiny(AutoencoderKind::Vanilla).build().unwrap();
    let mut sparse = vanilla.clone();
    sparse.kind = AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: 0.05 });
    let codes = vanilla.encode(&x).unwrap();
    let base = vanilla.loss_with(x.view(), &Draws::default()).unwrap();
    let with_penalty = sparse.loss_with(x.view(), &Draws::default()).unwrap();
    let l1 = 0.05 * codes.mapv(f32::abs).sum() / 16.0;
    assert!((with_penalty - base - l1).abs() < 1e-5, "{with_penalty} = {base} + {l1}");
}

#[test]
fn kl_divergence_and_its_gradient() {
    let mu = uniform((6, 3), -2.0, 2.0, 2);
    let log_var = uniform((6, 3), -1.5, 1.0, 3);
    // At μ = 0, σ = 1 the code distribution is the prior: KL = 0.
    let zeros = Array2::<f32>::zeros((6, 3));
    assert_eq!(variational::kl_divergence(zeros.view(), zeros.view()), 0.0);
    // By hand: ½ Σ_j (μ² + σ² − ln σ² − 1), averaged over rows.
    let by_hand = (0..6)
        .map(|i| {
            (0..3)
                .map(|j| 0.5 * (mu[[i, j]].powi(2) + log_var[[i, j]].exp() - log_var[[i, j]] - 1.0))
                .sum::<f32>()
        })
        .sum::<f32>()
        / 6.0;
    let kl = variational::kl_divergence(mu.view(), log_var.view());
    assert!((kl - by_hand).abs() < 1e-5, "{kl} vs {by_hand}");
    assert!(kl > 0.0);
    let (mut g_mu, mut g_lv) = (Array2::zeros((6, 3)), Array2::zeros((6, 3)));
    variational::add_kl_gradient(mu.view(), log_var.view(), 2.5, g_mu.view_mut(), g_lv.view_mut());
    let n_mu = numeric_gradient(&mu, H, |m| {
        f64::from(2.5 * variational::kl_divergence(m.view(), log_var.view()))
    });
    let n_lv = numeric_gradient(&log_var, H, |lv| {
        f64::from(2.5 * variational::kl_divergence(mu.view(), lv.view()))
    });
    for (a, b) in g_mu.iter().zip(&n_mu).chain(g_lv.iter().zip(&n_lv)) {
        assert!(relative_error(*a, *b, FLOOR) < TOL, "KL gradient {a} vs numeric {b}");
    }
}

#[test]
fn sparsity_penalties_and_their_gradients() {
    // Codes in (0.05, 0.6), away from the L1 kink at 0 and inside the KL's (0, 1).
    let codes = uniform((10, 5), 0.05, 0.6, 4);
    for penalty in
        [SparsityPenalty::L1 { weight: 0.3 }, SparsityPenalty::Kl { rho: 0.05, weight: 0.3 }]
    {
        let mut grad = Array2::zeros(codes.raw_dim());
        penalty.add_gradient(codes.view(), grad.view_mut());
        let numeric = numeric_gradient(&codes, H, |c| f64::from(penalty.value(c.view())));
        for (a, b) in grad.iter().zip(&numeric) {
            assert!(
                relative_error(*a, *b, FLOOR) < TOL,
                "{}: gradient {a} vs numeric {b}",
                penalty.describe()
            );
        }
    }
    // L1 by hand; KL is 0 when every unit's mean activation is ρ, and grows away from it.
    let l1 = SparsityPenalty::L1 { weight: 0.3 }.value(codes.view());
    assert!((l1 - 0.3 * codes.sum() / 10.0).abs() < 1e-5);
    let kl = SparsityPenalty::Kl { rho: 0.05, weight: 1.0 };
    assert!(kl.value(Array2::from_elem((4, 3), 0.05f32).view()).abs() < 1e-6);
    assert!(
        kl.value(Array2::from_elem((4, 3), 0.2f32).view())
            > kl.value(Array2::from_elem((4, 3), 0.1f32).view())
    );
}

#[test]
fn bad_settings_are_refused_with_a_fix() {
    let bad = [
        (AutoencoderKind::Denoising(Noise::Gaussian { std_dev: -0.1 }), "std_dev"),
        (AutoencoderKind::Denoising(Noise::Gaussian { std_dev: f32::NAN }), "std_dev"),
        (AutoencoderKind::Denoising(Noise::Gaussian { std_dev: 1.5 }), "std_dev"),
        (AutoencoderKind::Denoising(Noise::Mask { drop_fraction: 1.0 }), "drop_fraction"),
        (AutoencoderKind::Denoising(Noise::Mask { drop_fraction: -0.2 }), "drop_fraction"),
        (AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: -1e-4 }), "weight"),
        (AutoencoderKind::Sparse(SparsityPenalty::L1 { weight: f32::INFINITY }), "weight"),
        (AutoencoderKind::Sparse(SparsityPenalty::Kl { rho: 0.0, weight: 1.0 }), "rho"),
        (AutoencoderKind::Sparse(SparsityPenalty::Kl { rho: 1.0, weight: 1.0 }), "rho"),
        (AutoencoderKind::Sparse(SparsityPenalty::Kl { rho: 0.05, weight: f32::NAN }), "weight"),
        (AutoencoderKind::Variational { beta: -1.0 }, "beta"),
        (AutoencoderKind::Variational { beta: f32::NAN }, "beta"),
    ];
    for (kind, name) in bad {
        let err = AutoencoderParams::of_kind(kind).build().unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{kind:?}: {err}");
        assert!(err.contains("must be"), "the message says what is allowed: {err}");
    }
    // The KL penalty needs a code in (0, 1).
    let kl = AutoencoderKind::Sparse(SparsityPenalty::Kl { rho: 0.05, weight: 1e-3 });
    let err = AutoencoderParams::default().kind(kl).build().unwrap_err().to_string();
    assert!(err.contains("code_activation") && err.contains("Sigmoid"), "{err}");
    assert!(AutoencoderParams::of_kind(kl).build().is_ok());
    // Names.
    for name in AutoencoderKind::NAMES {
        assert_eq!(AutoencoderKind::from_name(name).unwrap().name(), name);
    }
    let err = AutoencoderKind::from_name("contractive").unwrap_err().to_string();
    assert!(err.contains("vanilla, denoising, sparse, variational"), "{err}");
}

#[test]
fn a_vae_has_two_heads_a_mean_code_and_a_prior() {
    let vae = tiny(AutoencoderKind::Variational { beta: 1.0 }).build().unwrap();
    assert_eq!(vae.encoder.outputs(), 8, "μ and ln σ²");
    assert_eq!(vae.latent(), 4);
    assert_eq!(vae.decoder.inputs(), 4);
    let x = data();
    let (mu, log_var) = vae.encode_distribution(&x).unwrap();
    assert_eq!(vae.encode(&x).unwrap(), mu, "the code of a VAE is μ");
    assert_eq!(log_var.dim(), (16, 4));
    // Deterministic evaluation: decoding μ; the same seed gives the same samples.
    assert_eq!(vae.reconstruct(&x).unwrap(), vae.decode(&mu).unwrap());
    let samples = vae.sample(5, 9).unwrap();
    assert_eq!(samples.dim(), (5, 20));
    assert_eq!(samples, vae.sample(5, 9).unwrap());
    assert_ne!(samples, vae.sample(5, 10).unwrap());
    // Other kinds have no prior.
    let vanilla = tiny(AutoencoderKind::Vanilla).build().unwrap();
    assert!(vanilla.sample(5, 9).unwrap_err().to_string().contains("variational"));
    assert!(vanilla.encode_distribution(&x).is_err());
}

#[test]
fn noise_is_seeded_and_in_range() {
    let x = data();
    for noise in [Noise::Gaussian { std_dev: 0.5 }, Noise::Mask { drop_fraction: 0.5 }] {
        let a = noise.corrupt_seeded(x.view(), 1).unwrap();
        assert_eq!(a, noise.corrupt_seeded(x.view(), 1).unwrap(), "seeded");
        assert_ne!(a, noise.corrupt_seeded(x.view(), 2).unwrap());
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
        assert_ne!(a, x);
    }
    let masked = Noise::Mask { drop_fraction: 0.5 }.corrupt_seeded(x.view(), 3).unwrap();
    let zeros = masked.iter().filter(|&&v| v == 0.0).count() as f32 / masked.len() as f32;
    assert!((0.35..0.65).contains(&zeros), "about half the pixels blanked: {zeros}");
    assert!(masked.iter().zip(&x).all(|(m, v)| *m == 0.0 || m == v), "the rest untouched");
}

#[test]
fn every_kind_round_trips_through_a_model_file() {
    use ae_mlp::output::model_io::SavedModel;
    use std::path::Path;
    let kinds = [
        AutoencoderKind::Vanilla,
        AutoencoderKind::Denoising(Noise::Mask { drop_fraction: 0.25 }),
        AutoencoderKind::Sparse(SparsityPenalty::Kl { rho: 0.05, weight: 1e-3 }),
        AutoencoderKind::Variational { beta: 0.5 },
    ];
    for kind in kinds {
        let mut config = StudyConfig { autoencoder: tiny(kind), ..Default::default() };
        config.codes_mlp.hidden = vec![3];
        config.raw_mlp.hidden = vec![3];
        let ae = config.autoencoder.build().unwrap();
        let scaler = Standardizer { mean: Array1::zeros(4), std: Array1::ones(4) };
        let (codes_mlp, raw_mlp) =
            (config.codes_mlp.build(4).unwrap(), config.raw_mlp.build(20).unwrap());
        let model = SavedModel::new(config, ae, Some(scaler), codes_mlp, Some(raw_mlp));
        let json = model.to_json(Path::new("kind.json")).unwrap();
        let loaded = SavedModel::from_json(&json, Path::new("kind.json")).unwrap();
        assert_eq!(loaded, model, "{}", kind.describe());
        assert_eq!(loaded.autoencoder.kind, kind);
        // A file from before the family existed has no `kind`: it loads as vanilla.
        if kind == AutoencoderKind::Vanilla {
            let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
            value["autoencoder"].as_object_mut().unwrap().remove("kind");
            value["config"]["autoencoder"].as_object_mut().unwrap().remove("kind");
            let ae: Autoencoder = serde_json::from_value(value["autoencoder"].clone()).unwrap();
            assert_eq!(ae.kind, AutoencoderKind::Vanilla);
            let params: AutoencoderParams =
                serde_json::from_value(value["config"]["autoencoder"].clone()).unwrap();
            assert_eq!(params.kind, AutoencoderKind::Vanilla);
        }
    }
}
