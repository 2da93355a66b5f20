//! The experiments: the original study, the autoencoder family compared, the original's
//! claims checked against classical baselines, and the methods they use (k-NN, label spreading).

pub mod baselines;
pub mod claims;
pub mod family;
pub mod knn;
pub mod spreading;
pub mod statistics;
pub mod study;
