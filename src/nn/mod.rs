//! The taught core: a dense layer, activations, losses, initialisers, optimisers and a stack
//! that composes them. Everything is `f32` on `ndarray`, forward and backward written out by hand.

pub mod activation;
pub mod dense;
pub mod init;
pub mod loss;
pub mod optim;
pub mod stack;

pub use activation::Activation;
pub use dense::Dense;
pub use init::Init;
pub use loss::ReconstructionLoss;
pub use optim::{Adam, Optimizer, OptimizerConfig, Param, Sgd};
pub use stack::{Layer, Stack};
