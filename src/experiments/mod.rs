//! The experiments: the original study, the autoencoder family compared, the original's
//! claims checked against classical baselines, the study on Fashion-MNIST, and the methods they
//! use (k-NN, label spreading). All of them are configurations of one [`pipeline`].

pub mod baselines;
pub mod claims;
pub mod family;
pub mod fashion;
pub mod few_labels;
pub mod finetune;
pub mod kind;
pub mod knn;
pub mod label_curve;
pub mod pipeline;
pub mod spreading;
pub mod statistics;
pub mod study;
pub mod tuned;
