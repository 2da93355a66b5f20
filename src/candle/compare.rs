//! The hand-rolled autoencoder and its candle twin trained side by side: the same initial
//! weights, the same batches in the same order, the same Adam settings.

use std::path::Path;

use candle_core::Device;
use serde::{Deserialize, Serialize};

use super::{train_autoencoder, CandleHistory, CandleStack};
use crate::data::Mnist;
use crate::error::Result;
use crate::models::autoencoder::AutoencoderParams;
use crate::output::cache::cached;
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
    /// Trains `params` (a vanilla autoencoder) both ways on `data`'s training images,
    /// watching the images training is watched on ([`Mnist::watched`]: the validation set
    /// when one is held out) after each epoch. `on_epoch(who, epoch, loss, val_loss)` hears
    /// both runs.
    pub fn run(
        params: &AutoencoderParams,
        data: &Mnist,
        on_epoch: EpochObserver<'_>,
    ) -> Result<SideBySide> {
        let (train, watched, test) =
            (data.train.x.view(), data.watched().x.view(), data.test.x.view());
        let start = params.build()?;
        let (ours_model, ours) = params.fit(train, Some(watched), &mut |e| {
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
            Some(watched),
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

    /// [`SideBySide::run`], or its result from the cache in `dir` if this code already ran
    /// it on the same data with the same `params` (the chapter's cell, its test and the
    /// book's numbers then share one training; the timings are that run's). On a hit,
    /// `on_epoch` hears nothing.
    pub fn run_cached(
        params: &AutoencoderParams,
        data: &Mnist,
        dir: &Path,
        on_epoch: EpochObserver<'_>,
    ) -> Result<SideBySide> {
        // The data by its folder's name (`mnist`, `fashion-mnist`) and split sizes: the same
        // key wherever the crate is checked out.
        let folder = data.dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let settings = (params, folder, data.train.len(), data.watched().len());
        cached(dir, "candle-side-by-side", &settings, || SideBySide::run(params, data, on_epoch))
    }

    /// Training seconds of each epoch, hand-rolled.
    pub fn ours_seconds(&self) -> Vec<f64> {
        self.ours.epochs.iter().map(|e| e.train_seconds).collect()
    }

    /// `|hand-rolled − candle|` test MSE: what rounding differences grew into over training.
    pub fn test_mse_gap(&self) -> f32 {
        (self.ours_test_mse - self.candle_test_mse).abs()
    }

    /// The two runs epoch by epoch, as a Markdown table: losses and training seconds.
    pub fn table(&self) -> String {
        let (ours_val, ours_secs) = (self.ours.val_loss(), self.ours_seconds());
        let mut table = String::from(
            "| epoch | training loss, hand-rolled | candle | validation loss, hand-rolled \
             | candle | seconds, hand-rolled | candle |\n|---|---|---|---|---|---|---|\n",
        );
        let cell = |v: Option<&f32>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.5}"));
        let secs = |v: Option<&f64>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"));
        for (i, record) in self.ours.epochs.iter().enumerate() {
            table += &format!(
                "| {} | {:.5} | {} | {} | {} | {} | {} |\n",
                record.epoch,
                record.train_loss,
                cell(self.candle.train_loss.get(i)),
                cell(ours_val.get(i)),
                cell(self.candle.val_loss.get(i)),
                secs(ours_secs.get(i)),
                secs(self.candle.seconds.get(i)),
            );
        }
        table
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

/// The fastest and the median of some epoch times (seconds): on a shared machine the
/// minimum is what the code can do, the median what it typically did. `(NaN, NaN)` if empty.
pub fn min_median(seconds: &[f64]) -> (f64, f64) {
    let mut s = seconds.to_vec();
    s.sort_by(f64::total_cmp);
    match s.first() {
        Some(&min) => (min, s[s.len() / 2]),
        None => (f64::NAN, f64::NAN),
    }
}
