//! What each route from raw pixels to a trained digit classifier costs, counted one way:
//! every step the route needs, in FLOPs (counted from the layer sizes, the same on any
//! machine) and in seconds (measured, for each seed).
//!
//! A route's cost is its whole training: the two-step route pays for the autoencoder's
//! pretraining and for encoding the images before its MLP sees a code, and fine-tuning pays
//! for all of that before its own epochs. Scoring the test set is left out of every route.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::statistics::{PairedDifference, Summary};
use crate::experiments::study::{Study, StudyResults};
use crate::models::finetune::FineTuneResult;

/// FLOPs of one training step per multiply-add of the forward pass: 2 forward (multiply and
/// add), 4 backward (dL/dW and dL/dx). Counted, not measured.
pub const FLOPS_PER_MAC_TRAINING: f64 = 6.0;

/// FLOPs of inference per multiply-add: a multiply and an add.
pub const FLOPS_PER_MAC_INFERENCE: f64 = 2.0;

/// A route to a trained classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// Autoencoder, encoding, then the MLP on codes (the original's two steps).
    TwoStep,
    /// The MLP on raw pixels alone.
    RawPixels,
    /// The two steps, then the encoder and the MLP fine-tuned together.
    FineTuned,
}

/// One seed's measured training seconds of each route.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RouteSeconds {
    /// Autoencoder epochs + encoding + codes MLP epochs.
    pub two_step: f64,
    /// Raw-pixel MLP epochs.
    pub raw_pixels: f64,
    /// The two steps + fine-tuning epochs.
    pub fine_tuned: f64,
}

impl RouteSeconds {
    /// The routes' seconds of one seed's study and its fine-tuning.
    pub fn of(results: &StudyResults, finetune: &FineTuneResult) -> RouteSeconds {
        let train =
            |h: &crate::train::History| h.epochs.iter().map(|e| e.train_seconds).sum::<f64>();
        let two_step = train(&results.autoencoder.history)
            + results.autoencoder.encode_seconds
            + train(&results.codes_mlp.history);
        RouteSeconds {
            two_step,
            raw_pixels: results.raw_mlp.as_ref().map_or(f64::NAN, |r| train(&r.history)),
            fine_tuned: two_step + train(&finetune.history),
        }
    }

    /// The seconds of `route`.
    pub fn of_route(&self, route: Route) -> f64 {
        match route {
            Route::TwoStep => self.two_step,
            Route::RawPixels => self.raw_pixels,
            Route::FineTuned => self.fine_tuned,
        }
    }
}

/// Counted FLOPs of every step and measured seconds of every route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Costs {
    /// Training images each epoch goes through.
    pub n_train: usize,
    /// Images encoded once the autoencoder is trained (training, validation and test).
    pub n_encoded: usize,
    /// Epochs of the autoencoder, the codes MLP, the raw MLP and fine-tuning.
    pub epochs: [usize; 4],
    /// FLOPs of one training epoch of the autoencoder.
    pub ae_flops_per_epoch: f64,
    /// FLOPs of one training epoch of the codes MLP.
    pub codes_flops_per_epoch: f64,
    /// FLOPs of one training epoch of the raw-pixel MLP.
    pub raw_flops_per_epoch: f64,
    /// FLOPs of one fine-tuning epoch (encoder and MLP together).
    pub finetune_flops_per_epoch: f64,
    /// FLOPs of encoding every image once.
    pub encode_flops: f64,
    /// Measured seconds of each route, one entry per seed.
    pub seconds: Vec<RouteSeconds>,
}

impl Costs {
    /// The costs of `study`'s routes (and of `finetune`, its fine-tuning), with the measured
    /// seconds of the other seeds' runs after its own.
    pub fn of(
        study: &Study,
        finetune: &FineTuneResult,
        other_seeds: Vec<RouteSeconds>,
    ) -> Result<Costs> {
        let r = &study.results;
        let n_train = r.n_train;
        let per_epoch = |macs: usize| macs as f64 * n_train as f64 * FLOPS_PER_MAC_TRAINING;
        let ae = &study.autoencoder;
        let n_encoded = r.n_train + r.n_validation + r.n_test;
        let mut seconds = vec![RouteSeconds::of(r, finetune)];
        seconds.extend(other_seeds);
        Ok(Costs {
            n_train,
            n_encoded,
            epochs: [
                r.autoencoder.history.epochs.len(),
                r.codes_mlp.history.epochs.len(),
                r.raw_mlp.as_ref().map_or(0, |m| m.history.epochs.len()),
                finetune.history.epochs.len(),
            ],
            ae_flops_per_epoch: per_epoch(
                ae.encoder.macs_per_sample() + ae.decoder.macs_per_sample(),
            ),
            codes_flops_per_epoch: per_epoch(study.codes_mlp.stack.macs_per_sample()),
            raw_flops_per_epoch: per_epoch(
                study.raw_mlp.as_ref().map_or(0, |m| m.stack.macs_per_sample()),
            ),
            finetune_flops_per_epoch: per_epoch(finetune.macs_per_sample),
            encode_flops: ae.encoder.macs_per_sample() as f64
                * n_encoded as f64
                * FLOPS_PER_MAC_INFERENCE,
            seconds,
        })
    }

    /// Counted FLOPs of the whole route.
    pub fn flops(&self, route: Route) -> f64 {
        let [ae, codes, raw, tuned] = self.epochs.map(|e| e as f64);
        let two_step =
            self.ae_flops_per_epoch * ae + self.encode_flops + self.codes_flops_per_epoch * codes;
        match route {
            Route::TwoStep => two_step,
            Route::RawPixels => self.raw_flops_per_epoch * raw,
            Route::FineTuned => two_step + self.finetune_flops_per_epoch * tuned,
        }
    }

    /// Measured seconds of the whole route, over the seeds.
    pub fn seconds(&self, route: Route) -> Result<Summary> {
        Summary::of(&self.seconds.iter().map(|s| s.of_route(route)).collect::<Vec<_>>())
    }

    /// Seconds of route `a` minus route `b`, paired by seed.
    pub fn seconds_difference(&self, a: Route, b: Route) -> Result<PairedDifference> {
        let (a, b): (Vec<f64>, Vec<f64>) =
            self.seconds.iter().map(|s| (s.of_route(a), s.of_route(b))).unzip();
        PairedDifference::of(&a, &b)
    }
}
