//! The experiments: the original study, the autoencoder family compared, the original's
//! claims checked against classical baselines, the study on Fashion-MNIST, and the methods they
//! use (k-NN, label spreading).

pub mod baselines;
pub mod claims;
pub mod family;
pub mod fashion;
pub mod knn;
pub mod spreading;
pub mod study;
