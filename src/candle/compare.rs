//! The hand-rolled autoencoder and its candle twin trained side by side: the same initial
//! weights, the same batches in the same order, the same Adam settings.

use candle_core::Device;
use serde::{Deserialize, Serialize};

use super::{train_autoencoder, CandleHistory, CandleStack};
use crate::data::Mnist;
use crate::error::Result;
use crate::models::autoencoder::AutoencoderParams;
use crate::output::plot::{self, Figure, Series};
use crate::train::{Event, History};

/// Hears every epoch of both runs: `(who, epoch, training loss, validation loss)`, `who`
/// being `"hand-rolled"` or `"candle"`.
pub type EpochObserver<'a> = &'a mut dyn FnMut(&str, usize, f32, Option<f32>);

/// One seed's autoencoder, trained once by the core and once by candle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideBySide {
    /// The seed of both runs (initial weights and batch order).
    pub seed: u64,
    /// The hand-rolled run's history.
    pub ours: History,
    /// candle's run.
    pub candle: CandleHistory,
    /// Reconstruction MSE on the 10,000 test images, hand-rolled.
    pub ours_test_mse: f32,
    /// The same for the weights candle trained (scored by the core, after copying them back).
    pub candle_test_mse: f32,
}

impl SideBySide {
    /// Trains `params` (a vanilla autoencoder) both ways on `data`, validating on its test
    /// images each epoch as the study does. `on_epoch(who, epoch, loss, val_loss)` hears both.
    pub fn run(
        params: &AutoencoderParams,
        data: &Mnist,
        on_epoch: EpochObserver<'_>,
    ) -> Result<SideBySide> {
        let (train, test) = (data.train.x.view(), data.test.x.view());
        let start = params.build()?;
        let (ours_model, ours) = params.fit(train, Some(test), &mut |e| {
            if let Event::Epoch(r) = e {
                on_epoch("hand-rolled", r.epoch, r.train_loss, r.val_loss)
            }
        })?;
        let device = Device::Cpu;
        let (encoder, decoder) = (
            CandleStack::from_stack(&start.encoder, &device)?,
            CandleStack::from_stack(&start.decoder, &device)?,
        );
        let candle = train_autoencoder(
            &encoder,
            &decoder,
            train,
            Some(test),
            &params.train,
            &device,
            &mut |e, l, v| on_epoch("candle", e, l, v),
        )?;
        let mut candle_model = start;
        encoder.copy_into(&mut candle_model.encoder)?;
        decoder.copy_into(&mut candle_model.decoder)?;
        Ok(SideBySide {
            seed: params.train.seed,
            ours_test_mse: ours_model.reconstruction_mse(test)?,
            candle_test_mse: candle_model.reconstruction_mse(test)?,
            ours,
            candle,
        })
    }

    /// Both runs' training and validation loss per epoch, overlaid: `candle_side_by_side`.
    pub fn figure(&self) -> Figure {
        plot::line_chart(
            "candle_side_by_side",
            "The same autoencoder trained by hand-rolled code and by candle",
            "epoch",
            "MSE",
            &[
                Series::per_epoch("hand-rolled, training", &self.ours.train_loss()),
                Series::per_epoch("hand-rolled, validation", &self.ours.val_loss()),
                Series::per_epoch("candle, training", &self.candle.train_loss),
                Series::per_epoch("candle, validation", &self.candle.val_loss),
            ],
        )
    }
}
