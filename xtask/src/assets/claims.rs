//! Chapter 8's generated numbers and tables ("Claims checked"), under the topics `claims`,
//! `baselines` and `finetune`: every number of the chapter comes from [`ClaimsReport`], the
//! same measurements its test asserts.

use ae_mlp::experiments::claims::{ClaimsReport, Route};
use ae_mlp::experiments::statistics::{PairedDifference, Summary};
use ae_mlp::experiments::study::Study;
use ae_mlp::output::cache::default_cache_dir;
use anyhow::Result;
use serde_json::Value;

use crate::numbers::f32_value;

/// Puts the `claims.*`, `baselines.*` and `finetune.*` numbers (cached measurements).
pub fn numbers(put: &mut impl FnMut(&str, Value), study: &Study) -> Result<()> {
    let report = ClaimsReport::gather_cached(study, &default_cache_dir())?;
    let gflops = |f: f64| Value::from(f / 1e9);

    put("claims.results_table", report.results_table().into());
    put("claims.table", report.claims_table()?.into());
    for claim in report.claims()? {
        put(&format!("claims.verdict.{}", claim.id), claim.verdict.label().into());
    }

    // The baselines.
    let b = &report.baselines;
    for &(k, seconds, kept) in &b.pca {
        put(&format!("baselines.pca{k}.fit_seconds"), seconds.into());
        put(&format!("baselines.pca{k}.variance_kept"), kept.into());
    }
    for row in &b.rows {
        let features = match row.features.as_str() {
            "autoencoder codes" => "codes".to_string(),
            "raw pixels" => "raw".to_string(),
            f => f.replace("PCA, k = ", "pca"),
        };
        let method = if row.method.starts_with("logistic") {
            "logistic".to_string()
        } else if let Some((k, _)) = row.method.split_once("-NN") {
            format!("knn{k}")
        } else {
            "tree".to_string()
        };
        put(&format!("baselines.{method}.{features}.accuracy"), f32_value(row.accuracy));
        put(
            &format!("baselines.{method}.{features}.seconds"),
            (row.fit_seconds + row.predict_seconds).into(),
        );
    }
    put("baselines.tree_depth", b.settings.tree_max_depth.into());

    // Fine-tuning.
    let f = &report.finetune;
    put("finetune.start_test_accuracy", f32_value(f.start_test_accuracy));
    put("finetune.test_accuracy", f32_value(f.test_accuracy));
    put("finetune.train_accuracy", f32_value(f.train_accuracy));
    put("finetune.epochs", f.params.epochs().into());
    let schedule: Vec<String> =
        f.params.stages.iter().map(|(e, lr)| format!("{e} epochs at {lr:e}")).collect();
    put("finetune.schedule", schedule.join(", then ").into());
    put("finetune.seconds_per_epoch", f.seconds_per_epoch.into());
    let c = &report.costs;
    put("finetune.gflops_per_epoch", gflops(c.finetune_flops_per_epoch));
    put("finetune.minus_raw", f32_value(f.test_accuracy - report.raw_mlp.test_accuracy));
    let n = report.seeds.seeds.len();
    put("claims.seeds", n.into());
    let interval = |put: &mut dyn FnMut(&str, Value), key: &str, d: &PairedDifference| {
        put(&format!("{key}.mean"), d.mean.into());
        put(&format!("{key}.low"), d.low.into());
        put(&format!("{key}.high"), d.high.into());
    };
    let put: &mut dyn FnMut(&str, Value) = put;
    interval(put, "claims.codes_minus_raw", &report.codes_minus_raw()?);
    interval(put, "claims.finetune_minus_raw", &report.finetune_minus_raw()?);
    interval(put, "claims.gap_difference", &report.gap_difference()?);
    interval(put, "claims.few_labels.codes_minus_raw", &report.few_labels.codes_minus_raw()?);
    interval(put, "claims.fewer_labels.codes_minus_raw", &report.fewer_labels.codes_minus_raw()?);
    let tuned =
        Summary::of(&report.finetune_accuracy.iter().map(|&a| f64::from(a)).collect::<Vec<_>>())?;
    put("claims.finetune.mean", tuned.mean.into());
    put("claims.finetune.sd", tuned.sd.into());
    let five_nn_pca = report.baselines.row("5-NN", "PCA, k = 32").cloned();
    if let Some(row) = five_nn_pca {
        interval(
            put,
            "claims.knn5_pca_minus_codes_mlp",
            &report.baseline_minus_mlp(&row, "codes")?,
        );
    }

    // The claims' evidence.
    for (topic, labels) in
        [("few_labels", &report.few_labels), ("fewer_labels", &report.fewer_labels)]
    {
        put(&format!("claims.{topic}.labels"), (10 * labels.per_class).into());
        put(&format!("claims.{topic}.codes_accuracy"), f32_value(labels.codes_mean()));
        put(&format!("claims.{topic}.raw_accuracy"), f32_value(labels.raw_mean()));
        put(&format!("claims.{topic}.seeds"), labels.seeds.len().into());
    }
    put("claims.gflops.codes_mlp_per_epoch", gflops(c.codes_flops_per_epoch));
    put("claims.gflops.raw_mlp_per_epoch", gflops(c.raw_flops_per_epoch));
    put("claims.gflops.autoencoder_per_epoch", gflops(c.ae_flops_per_epoch));
    put("claims.gflops.encoding", gflops(c.encode_flops));
    for (name, route) in
        [("two_step", Route::TwoStep), ("raw", Route::RawPixels), ("fine_tuned", Route::FineTuned)]
    {
        put(&format!("claims.route.{name}.gflops"), gflops(c.flops(route)));
        let seconds = c.seconds(route)?;
        put(&format!("claims.route.{name}.seconds.mean"), seconds.mean.into());
        put(&format!("claims.route.{name}.seconds.sd"), seconds.sd.into());
    }
    put(
        "claims.route.two_step_vs_raw_flops",
        (c.flops(Route::TwoStep) / c.flops(Route::RawPixels) - 1.0).into(),
    );
    put(
        "claims.route.fine_tuned_vs_raw_flops",
        (c.flops(Route::FineTuned) / c.flops(Route::RawPixels)).into(),
    );
    let (codes, raw) = (&report.codes_mlp, &report.raw_mlp);
    put(
        "claims.generalisation_gap.codes_mlp",
        f32_value(codes.train_accuracy - codes.test_accuracy),
    );
    put("claims.generalisation_gap.raw_mlp", f32_value(raw.train_accuracy - raw.test_accuracy));
    Ok(())
}
