//! Chapter 10's generated numbers and tables ("Claims checked"), under the topics `claims`,
//! `baselines` and `finetune`: every number of the chapter comes from [`ClaimsReport`], the
//! same measurements its test asserts.

use ae_mlp::experiments::claims::ClaimsReport;
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
    put("claims.table", report.claims_table().into());
    for claim in report.claims() {
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
        put(&format!("baselines.{method}.{features}.seconds"), (row.fit_seconds + row.predict_seconds).into());
    }
    put("baselines.tree_depth", b.settings.tree_max_depth.into());

    // Fine-tuning.
    let f = &report.finetune;
    put("finetune.start_test_accuracy", f32_value(f.start_test_accuracy));
    put("finetune.test_accuracy", f32_value(f.test_accuracy));
    put("finetune.train_accuracy", f32_value(f.train_accuracy));
    put("finetune.epochs", f.params.epochs().into());
    let schedule: Vec<String> = f.params.stages.iter().map(|(e, lr)| format!("{e} epochs at {lr:e}")).collect();
    put("finetune.schedule", schedule.join(", then ").into());
    put("finetune.seconds_per_epoch", f.seconds_per_epoch.into());
    put("finetune.gflops_per_epoch", gflops(report.finetune_flops_per_epoch));
    put("finetune.minus_raw", f32_value(f.test_accuracy - report.raw_mlp.test_accuracy));

    // The claims' evidence.
    for (topic, labels) in [("few_labels", &report.few_labels), ("fewer_labels", &report.fewer_labels)] {
        put(&format!("claims.{topic}.labels"), (10 * labels.per_class).into());
        put(&format!("claims.{topic}.codes_accuracy"), f32_value(labels.codes_mean()));
        put(&format!("claims.{topic}.raw_accuracy"), f32_value(labels.raw_mean()));
        put(&format!("claims.{topic}.seeds"), labels.seeds.len().into());
    }
    put("claims.gflops.codes_mlp_per_epoch", gflops(report.codes_flops_per_epoch));
    put("claims.gflops.raw_mlp_per_epoch", gflops(report.raw_flops_per_epoch));
    put("claims.gflops.autoencoder_per_epoch", gflops(report.ae_flops_per_epoch));
    let (pipeline, raw_total) = report.pipeline_flops();
    put("claims.pipeline_vs_raw", (pipeline / raw_total - 1.0).into());
    put("claims.gflops.pipeline", gflops(pipeline));
    put("claims.gflops.raw_total", gflops(raw_total));
    let (codes, raw) = (&report.codes_mlp, &report.raw_mlp);
    put("claims.generalisation_gap.codes_mlp", f32_value(codes.train_accuracy - codes.test_accuracy));
    put("claims.generalisation_gap.raw_mlp", f32_value(raw.train_accuracy - raw.test_accuracy));
    Ok(())
}
