//! Optimisers: Adam (Keras' defaults, with optional decoupled weight decay: AdamW) and SGD
//! with momentum.
//!
//! A model hands its parameters over as a list of [`Param`]s, always in the same order; the
//! optimiser keeps its state (moments, velocities) in a list beside them, in that order.

use serde::{Deserialize, Serialize};

use super::{flush_subnormal, in_parallel, with_avx2};
use crate::error::{Error, Result};

/// One parameter tensor and its gradient, flattened.
pub struct Param<'a> {
    /// The values to update.
    pub value: &'a mut [f32],
    /// dL/dvalue from the last backward pass.
    pub grad: &'a [f32],
    /// Whether weight decay applies: to weights, not to biases (a bias scales nothing, so
    /// shrinking it regularises nothing).
    pub decay: bool,
}

/// Updates parameters from their gradients.
pub trait Optimizer {
    /// One update of every parameter. `params` must come in the same order every call.
    fn step(&mut self, params: Vec<Param<'_>>);

    /// Sets the learning rate of the next steps (a schedule calls it before every step).
    fn set_learning_rate(&mut self, learning_rate: f32);
}

/// Which optimiser to train with, and its settings. Serialisable, so results record it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum OptimizerConfig {
    /// Adam (Kingma & Ba, 2015).
    Adam {
        /// Learning rate α.
        learning_rate: f32,
        /// Decay of the first-moment (mean) estimate.
        beta1: f32,
        /// Decay of the second-moment (uncentred variance) estimate.
        beta2: f32,
        /// Keeps the division finite where the second moment is tiny.
        epsilon: f32,
        /// Decoupled weight decay λ (Loshchilov & Hutter, 2019): each step also shrinks every
        /// weight by `α λ θ`, apart from the gradient. 0 is plain Adam; above 0 it is AdamW.
        #[serde(default)]
        weight_decay: f32,
    },
    /// Stochastic gradient descent with (heavy-ball) momentum.
    Sgd {
        /// Learning rate.
        learning_rate: f32,
        /// Fraction of the previous velocity kept each step (0 is plain SGD).
        momentum: f32,
    },
}

impl Default for OptimizerConfig {
    /// Adam with Keras' defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-7.
    fn default() -> Self {
        OptimizerConfig::Adam {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            weight_decay: 0.0,
        }
    }
}

impl OptimizerConfig {
    /// AdamW: Adam with Keras' β and ε, learning rate `learning_rate` and decoupled weight
    /// decay `weight_decay`.
    pub fn adamw(learning_rate: f32, weight_decay: f32) -> Self {
        match OptimizerConfig::default() {
            OptimizerConfig::Adam { beta1, beta2, epsilon, .. } => {
                OptimizerConfig::Adam { learning_rate, beta1, beta2, epsilon, weight_decay }
            }
            sgd => sgd,
        }
    }

    /// The learning rate, whichever optimiser.
    pub fn learning_rate(&self) -> f32 {
        match *self {
            OptimizerConfig::Adam { learning_rate, .. }
            | OptimizerConfig::Sgd { learning_rate, .. } => learning_rate,
        }
    }

    /// Checks every setting: a learning rate must be positive and finite, decays in [0, 1).
    pub fn check(&self) -> Result<()> {
        let lr = self.learning_rate();
        if !(lr.is_finite() && lr > 0.0) {
            return Err(Error::param(
                "learning_rate",
                lr,
                "must be a positive, finite number (try 1e-3)",
            ));
        }
        let unit = |name, v: f32| {
            if (0.0..1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::param(name, v, "must be in [0, 1)"))
            }
        };
        match *self {
            OptimizerConfig::Adam { beta1, beta2, epsilon, weight_decay, .. } => {
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                if !(0.0..1.0).contains(&(weight_decay * lr)) {
                    return Err(Error::param(
                        "weight_decay",
                        weight_decay,
                        "must be ≥ 0 with learning rate × weight decay below 1 (try 1e-4 to 1e-2)",
                    ));
                }
                if !(epsilon.is_finite() && epsilon > 0.0) {
                    return Err(Error::param(
                        "epsilon",
                        epsilon,
                        "must be positive and finite (try 1e-7)",
                    ));
                }
                Ok(())
            }
            OptimizerConfig::Sgd { momentum, .. } => unit("momentum", momentum),
        }
    }

    /// A fresh optimiser with this configuration (no state yet).
    pub fn build(&self) -> Box<dyn Optimizer + Send> {
        match *self {
            OptimizerConfig::Adam { learning_rate, beta1, beta2, epsilon, weight_decay } => {
                Box::new(Adam::new(learning_rate, beta1, beta2, epsilon).weight_decay(weight_decay))
            }
            OptimizerConfig::Sgd { learning_rate, momentum } => {
                Box::new(Sgd::new(learning_rate, momentum))
            }
        }
    }
}

/// Adam: a per-parameter step size from running estimates of the gradient's mean `m` and
/// uncentred variance `v`.
///
/// The update is Keras' form, with the bias corrections folded into the step size:
/// `α_t = α √(1 − β2^t) / (1 − β1^t)`, then `θ ← θ − α_t m / (√v + ε)`. With weight decay
/// λ (AdamW), every weight also shrinks by `α λ θ`, apart from the gradient's moments.
#[derive(Debug, Clone)]
pub struct Adam {
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    /// Decoupled weight decay λ (0: none).
    weight_decay: f32,
    /// Number of steps taken so far (t in the formulas).
    t: i32,
    /// First moments, one vector per parameter, in parameter order.
    m: Vec<Vec<f32>>,
    /// Second moments, likewise.
    v: Vec<Vec<f32>>,
}

impl Adam {
    /// Adam with the given settings; see [`OptimizerConfig::default`] for Keras' values.
    pub fn new(learning_rate: f32, beta1: f32, beta2: f32, epsilon: f32) -> Self {
        let (t, m, v) = (0, Vec::new(), Vec::new());
        Adam { learning_rate, beta1, beta2, epsilon, weight_decay: 0.0, t, m, v }
    }

    /// The same optimiser with decoupled weight decay λ (AdamW).
    pub fn weight_decay(mut self, weight_decay: f32) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

// ANCHOR: adam
impl Optimizer for Adam {
    fn step(&mut self, params: Vec<Param<'_>>) {
        if self.m.len() != params.len() {
            self.m = params.iter().map(|p| vec![0.0; p.value.len()]).collect();
            self.v = self.m.clone();
        }
        self.t += 1;
        let (b1, b2, eps) = (self.beta1, self.beta2, self.epsilon);
        let step = self.learning_rate * (1.0 - b2.powi(self.t)).sqrt() / (1.0 - b1.powi(self.t));
        let parallel = worth_parallel(&params);
        let chunks = params.into_iter().zip(self.m.iter_mut().zip(self.v.iter_mut())).flat_map(
            |(p, (m, v))| {
                let (n, decay) =
                    (CHUNK, if p.decay { self.learning_rate * self.weight_decay } else { 0.0 });
                let moments = m.chunks_mut(n).zip(v.chunks_mut(n));
                p.value.chunks_mut(n).zip(p.grad.chunks(n)).zip(moments).map(move |c| (c, decay))
            },
        );
        // ANCHOR: adam_maths
        for_each_chunk(chunks, parallel, |(((theta, g), (m, v)), decay)| {
            for (((theta, &g), m), v) in theta.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut())
            {
                *m = flush_subnormal(b1 * *m + (1.0 - b1) * g);
                *v = flush_subnormal(b2 * *v + (1.0 - b2) * g * g);
                *theta -= step * *m / (v.sqrt() + eps) + decay * *theta;
            }
        });
        // ANCHOR_END: adam_maths
    }

    fn set_learning_rate(&mut self, learning_rate: f32) {
        self.learning_rate = learning_rate;
    }
}
// ANCHOR_END: adam

/// SGD with momentum: `u ← μ u − α g`, then `θ ← θ + u`.
#[derive(Debug, Clone)]
pub struct Sgd {
    learning_rate: f32,
    momentum: f32,
    /// Velocities, one vector per parameter, in parameter order.
    velocity: Vec<Vec<f32>>,
}

impl Sgd {
    /// SGD with the given learning rate and momentum (0 for plain SGD).
    pub fn new(learning_rate: f32, momentum: f32) -> Self {
        Sgd { learning_rate, momentum, velocity: Vec::new() }
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, params: Vec<Param<'_>>) {
        if self.velocity.len() != params.len() {
            self.velocity = params.iter().map(|p| vec![0.0; p.value.len()]).collect();
        }
        let (lr, momentum, parallel) = (self.learning_rate, self.momentum, worth_parallel(&params));
        let chunks = params.into_iter().zip(self.velocity.iter_mut()).flat_map(|(p, u)| {
            p.value.chunks_mut(CHUNK).zip(p.grad.chunks(CHUNK)).zip(u.chunks_mut(CHUNK))
        });
        for_each_chunk(chunks, parallel, |((theta, g), u)| {
            for ((theta, &g), u) in theta.iter_mut().zip(g).zip(u.iter_mut()) {
                *u = momentum * *u - lr * g;
                *theta += *u;
            }
        });
    }

    fn set_learning_rate(&mut self, learning_rate: f32) {
        self.learning_rate = learning_rate;
    }
}

/// Parameters per chunk of an update: the unit of work handed to a thread.
const CHUNK: usize = 16 * 1024;

/// Whether an update is big enough to split across cores: below about 64k parameters it
/// takes less time than handing work to another thread.
fn worth_parallel(params: &[Param<'_>]) -> bool {
    params.iter().map(|p| p.value.len()).sum::<usize>() >= 4 * CHUNK
}

/// Applies an element-wise update to every chunk of the parameters, compiled for AVX2 where
/// the CPU has it ([`with_avx2`]: the same bits, up to twice the speed). Each element's update
/// depends on nothing else, so the chunks can go to different cores and give the same
/// result as one pass.
fn for_each_chunk<T: Send>(
    chunks: impl Iterator<Item = T>,
    parallel: bool,
    update: impl Fn(T) + Sync + Send,
) {
    let update = |chunk| with_avx2(|| update(chunk));
    if parallel {
        in_parallel(chunks.collect(), update);
    } else {
        chunks.for_each(update);
    }
}
