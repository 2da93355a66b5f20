//! Training in candle: the optimiser from `candle-nn`, and the original study's autoencoder
//! trained on exactly the batches the hand-rolled loop uses ([`EpochOrder`]).

use std::time::Instant;

use candle_core::{Device, Result, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use ndarray::{ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::{mse, tensor, CandleStack};
use crate::nn::OptimizerConfig;
use crate::train::{EpochOrder, TrainParams};

/// Rows per forward pass when scoring a whole set (bounds the memory of the activations).
const EVAL_CHUNK: usize = 4096;

/// candle's Adam (`AdamW` with no weight decay) for `vars`, from the core's Adam settings.
///
/// The two differ only in where ε sits. The core uses Keras' form, `θ ← θ − α_t m/(√v + ε)`
/// with `α_t = α √(1 − β2^t)/(1 − β1^t)`; candle divides by `√v̂ + ε'` with `v̂ = v/(1 − β2^t)`.
/// They are equal when `ε' = ε/√(1 − β2^t)`: `first_step_exact` picks that `ε'` for t = 1
/// (one step then matches to rounding), otherwise `ε' = ε`. Either way ε only matters where
/// √v is as small as ε, which is why training curves agree.
pub fn adam(
    vars: Vec<candle_core::Var>,
    config: &OptimizerConfig,
    first_step_exact: bool,
) -> Result<AdamW> {
    let OptimizerConfig::Adam { learning_rate, beta1, beta2, epsilon, .. } = *config else {
        candle_core::bail!("the candle bridge trains with Adam only, got {config:?}");
    };
    let eps = if first_step_exact {
        f64::from(epsilon) / (1.0 - f64::from(beta2)).sqrt()
    } else {
        f64::from(epsilon)
    };
    let params = ParamsAdamW {
        lr: f64::from(learning_rate),
        beta1: f64::from(beta1),
        beta2: f64::from(beta2),
        eps,
        weight_decay: 0.0,
    };
    AdamW::new(vars, params)
}

/// Adam in the core's (Keras') form, `θ ← θ − α_t m/(√v + ε)` with the bias corrections in
/// `α_t = α √(1 − β2^t)/(1 − β1^t)`, as a candle optimiser: the side-by-side training uses
/// it so that both implementations run the same algorithm, and differ only in rounding.
pub struct KerasAdam {
    vars: Vec<(Var, Var, Var)>,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    t: i32,
}

impl KerasAdam {
    /// Adam over `vars` with the core's settings.
    pub fn new(vars: Vec<Var>, config: &OptimizerConfig) -> Result<Self> {
        let OptimizerConfig::Adam { learning_rate, beta1, beta2, epsilon, .. } = *config else {
            candle_core::bail!("the candle bridge trains with Adam only, got {config:?}");
        };
        // (θ, m, v) per variable, the moments starting at zero.
        let vars = vars
            .into_iter()
            .map(|theta| {
                let zeros = || Var::zeros(theta.shape(), theta.dtype(), theta.device());
                Ok((theta.clone(), zeros()?, zeros()?))
            })
            .collect::<Result<_>>()?;
        let (lr, beta1, beta2, eps) =
            (f64::from(learning_rate), f64::from(beta1), f64::from(beta2), f64::from(epsilon));
        Ok(KerasAdam { vars, lr, beta1, beta2, eps, t: 0 })
    }

    // ANCHOR: keras_adam_step
    /// One step from the gradients of `loss`.
    pub fn backward_step(&mut self, loss: &Tensor) -> Result<()> {
        let grads = loss.backward()?;
        self.t += 1;
        let step =
            self.lr * (1.0 - self.beta2.powi(self.t)).sqrt() / (1.0 - self.beta1.powi(self.t));
        for (theta, m, v) in &self.vars {
            let Some(g) = grads.get(theta) else { continue };
            let next_m = ((m.as_tensor() * self.beta1)? + (g * (1.0 - self.beta1))?)?;
            let next_v = ((v.as_tensor() * self.beta2)? + (g.sqr()? * (1.0 - self.beta2))?)?;
            let update = (&next_m / (next_v.sqrt()? + self.eps)?)?;
            theta.set(&(theta.as_tensor() - (update * step)?)?)?;
            m.set(&next_m)?;
            v.set(&next_v)?;
        }
        Ok(())
    }
    // ANCHOR_END: keras_adam_step
}

/// Per-epoch losses and times of a candle training run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CandleHistory {
    /// Mean training loss of each epoch (over its batches, weighted by rows).
    pub train_loss: Vec<f32>,
    /// Loss on the validation images after each epoch, when given.
    pub val_loss: Vec<f32>,
    /// Training seconds of each epoch.
    pub seconds: Vec<f64>,
}

/// Trains a vanilla autoencoder (`decoder(encoder(x))` against `x`, MSE) in candle, visiting
/// the rows in the same batches as [`crate::train::fit`] with the same `params` and the same
/// form of Adam ([`KerasAdam`]), and calls
/// `on_epoch(epoch, train_loss, val_loss)` after each epoch.
pub fn train_autoencoder(
    encoder: &CandleStack,
    decoder: &CandleStack,
    x: ArrayView2<f32>,
    valid: Option<ArrayView2<f32>>,
    params: &TrainParams,
    device: &Device,
    on_epoch: &mut dyn FnMut(usize, f32, Option<f32>),
) -> Result<CandleHistory> {
    let mut vars = encoder.vars();
    vars.extend(decoder.vars());
    let mut optimizer = KerasAdam::new(vars, &params.optimizer)?;
    let mut order = EpochOrder::new(x.nrows(), params);
    let mut history = CandleHistory::default();
    let reconstruct = |batch: &Tensor| decoder.forward(&encoder.forward(batch)?);
    // ANCHOR: epoch_loop
    for epoch in 1..=params.epochs {
        let started = Instant::now();
        let mut loss_sum = 0.0f64;
        for idx in order.next_epoch().chunks(params.batch_size) {
            let batch = tensor(x.select(Axis(0), idx).view(), device)?;
            let loss = mse(&reconstruct(&batch)?, &batch)?;
            optimizer.backward_step(&loss)?;
            loss_sum += f64::from(loss.to_scalar::<f32>()?) * idx.len() as f64;
        }
        history.seconds.push(started.elapsed().as_secs_f64());
        // ANCHOR_END: epoch_loop
        history.train_loss.push((loss_sum / x.nrows() as f64) as f32);
        let val = valid.map(|v| mean_over_chunks(v, device, &reconstruct)).transpose()?;
        if let Some(v) = val {
            history.val_loss.push(v);
        }
        on_epoch(epoch, *history.train_loss.last().unwrap_or(&f32::NAN), val);
    }
    Ok(history)
}

/// The reconstruction MSE of `x` under `reconstruct`, in chunks of rows, over every element.
fn mean_over_chunks(
    x: ArrayView2<f32>,
    device: &Device,
    reconstruct: &dyn Fn(&Tensor) -> Result<Tensor>,
) -> Result<f32> {
    let mut sum = 0.0f64;
    for chunk in x.axis_chunks_iter(Axis(0), EVAL_CHUNK) {
        let t = tensor(chunk, device)?;
        sum += f64::from(mse(&reconstruct(&t)?, &t)?.to_scalar::<f32>()?) * chunk.len() as f64;
    }
    Ok((sum / x.len().max(1) as f64) as f32)
}
