//! The tools of the ae-mlp book, kept out of the library so that `ae_mlp` holds only the ML:
//!
//! - [`notebook`]: the chapters and the test cells they include → `notebooks/*.ipynb`;
//! - [`numbers`]: the book's generated numbers (`book/src/generated/numbers.json`) and the
//!   `{{#number key:format}}` placeholders that show them, in the book (through the
//!   `mdbook-numbers` preprocessor) and in the notebooks alike;
//! - [`setup`]: each notebook's first cell, which loads the crate (with the features its
//!   cells need);
//! - [`assets`]: trains (or loads from the cache) what the book reports and writes its numbers
//!   and figures.
//!
//! `cargo book notebooks|check|assets` runs them (an alias in `.cargo/config.toml`).

pub mod assets;
pub mod notebook;
pub mod numbers;
pub mod setup;
