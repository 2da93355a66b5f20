//! Weight initialisation: start each layer so its outputs neither vanish nor explode.

use ndarray::Array2;
use rand_distr::{Distribution, Normal, Uniform};
use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// How a dense layer's weights are drawn; biases always start at zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Init {
    /// He (Kaiming) normal, `N(0, 2 / fan_in)`: keeps the variance of ReLU layers constant,
    /// since ReLU zeroes half its inputs.
    He,
    /// Xavier (Glorot) uniform, `U(±√(6 / (fan_in + fan_out)))`: Keras' default, right for
    /// symmetric or squashing activations (sigmoid, tanh, softmax). The default, because the
    /// original study (Keras) used it for every layer, and a comparison with the original
    /// changes one thing at a time.
    #[default]
    Xavier,
}

impl Init {
    /// A (fan_in, fan_out) weight matrix drawn from this scheme.
    pub fn weights(self, fan_in: usize, fan_out: usize, rng: &mut Rng) -> Array2<f32> {
        match self {
            Init::He => {
                let std = (2.0 / fan_in as f32).sqrt();
                let normal = Normal::new(0.0, std).expect("std is finite and positive");
                Array2::from_shape_simple_fn((fan_in, fan_out), || normal.sample(rng))
            }
            Init::Xavier => {
                let limit = (6.0 / (fan_in + fan_out) as f32).sqrt();
                let uniform = Uniform::new_inclusive(-limit, limit);
                Array2::from_shape_simple_fn((fan_in, fan_out), || uniform.sample(rng))
            }
        }
    }
}
