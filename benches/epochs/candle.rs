//! The epochs benchmark's candle row (`--features candle`): the autoencoder of chapter 11.

use ae_mlp::candle::{train_autoencoder, CandleStack, Device};
use ae_mlp::prelude::*;

/// The autoencoder trained in candle from the hand-rolled one's initial weights, on the same
/// batches (`ae_mlp::candle::train_autoencoder`): each epoch's training seconds, and the
/// multiply-adds per sample of its layers.
pub fn epochs(data: &Mnist, train: &TrainParams) -> (Vec<f64>, usize) {
    let params = AutoencoderParams::default().train(train.clone());
    let start = params.build().expect("builds");
    let device = Device::Cpu;
    let encoder = CandleStack::from_stack(&start.encoder, &device).expect("copies the encoder");
    let decoder = CandleStack::from_stack(&start.decoder, &device).expect("copies the decoder");
    let x = data.train.x.view();
    let history = train_autoencoder(
        &encoder,
        &decoder,
        x,
        Some(data.test.x.view()),
        &params.train,
        &device,
        &mut |_, _, _| {},
    )
    .expect("candle trains");
    (history.seconds, start.encoder.macs_per_sample() + start.decoder.macs_per_sample())
}
