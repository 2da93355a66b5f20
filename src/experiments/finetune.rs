//! Fine-tuning the study's encoder and classifier end to end (the model is in
//! [`crate::models::finetune`]; this runs it on the study's data and scores it).

use crate::error::Result;
use crate::experiments::study::Study;
use crate::models::finetune::{FineTuneParams, FineTuneResult, FineTuned};
use crate::models::metrics::accuracy;

/// Fine-tunes the study's classifier on all training images and scores it on the test set.
pub fn fine_tune_study(
    study: &Study,
    params: &FineTuneParams,
) -> Result<(FineTuned, FineTuneResult)> {
    let start = FineTuned::from_study(&study.autoencoder, study.scaler.as_ref(), &study.codes_mlp)?;
    let (train, test) = (&study.data.train, &study.data.test);
    let start_test_accuracy = accuracy(&start.predict(&test.x)?, &test.y)?;
    let (model, history) = params.fit(start, train, None, &mut crate::train::silent)?;
    let result = FineTuneResult {
        params: params.clone(),
        start_test_accuracy,
        test_accuracy: accuracy(&model.predict(&test.x)?, &test.y)?,
        train_accuracy: accuracy(&model.predict(&train.x)?, &train.y)?,
        seconds_per_epoch: history.median_epoch_seconds(),
        macs_per_sample: model.macs_per_sample(),
        parameters: model.n_parameters(),
        history,
    };
    Ok((model, result))
}

/// [`fine_tune_study`]'s result, computed once per (params, study config, library source).
pub fn fine_tune_study_cached(
    study: &Study,
    dir: &std::path::Path,
    params: &FineTuneParams,
) -> Result<FineTuneResult> {
    crate::output::cache::cached(dir, "finetune", &(params, &study.results.config), || {
        Ok(fine_tune_study(study, params)?.1)
    })
}
