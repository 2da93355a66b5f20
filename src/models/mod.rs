//! The models built from the taught core: the autoencoder family, the MLP classifier, the
//! encoder fine-tuned as a classifier, and what they need around them (code standardisation,
//! accuracy, linfa's traits, the memory check of their settings).

pub mod autoencoder;
pub mod finetune;
pub mod linfa_api;
pub mod memory;
pub mod metrics;
pub mod mlp;
pub mod scale;
