//! The denoising autoencoder: the encoder sees a corrupted copy of each image (see
//! [`Noise`]), and the reconstruction is scored against the clean one. Code, loss and
//! backward pass are the vanilla ones; only the step's input differs.

use ndarray::ArrayView2;

use super::kind::Variant;
use super::{Draws, Noise};
use crate::error::Result;
use crate::rng::Rng;

impl Variant for Noise {
    fn name(&self) -> &'static str {
        "denoising"
    }

    fn describe(&self) -> String {
        format!("denoising ({})", Noise::describe(self))
    }

    fn check(&self) -> Result<()> {
        Noise::check(self)
    }

    // ANCHOR: denoising_draw
    /// A freshly corrupted copy of the batch, which the encoder sees instead of x.
    fn draw(&self, x: ArrayView2<f32>, _latent: usize, rng: &mut Rng) -> Draws {
        Draws { input: Some(self.corrupt(x, rng)), eps: None }
    }
    // ANCHOR_END: denoising_draw
}
