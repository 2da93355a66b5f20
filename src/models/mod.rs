//! The models built from the taught core: the autoencoder family, the MLP classifier, the
//! encoder fine-tuned as a classifier, and what they need around them (code standardisation,
//! accuracy, linfa's traits).

pub mod autoencoder;
pub mod finetune;
pub mod linfa_api;
pub mod metrics;
pub mod mlp;
pub mod scale;
