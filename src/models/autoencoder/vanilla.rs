//! The vanilla autoencoder: the code is the encoder's output, and the loss is the
//! reconstruction loss alone. Every default of [`Variant`] is its behaviour.

use super::kind::Variant;

/// The original study's autoencoder.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Vanilla;

impl Variant for Vanilla {
    fn name(&self) -> &'static str {
        "vanilla"
    }

    fn describe(&self) -> String {
        "vanilla".into()
    }
}
